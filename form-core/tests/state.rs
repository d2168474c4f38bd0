//! The incremental state equals a full evaluation after every change: random sequences of
//! `set`, `add_row`, `remove_row` and `move_row` on real forms, compared step by step.
#![cfg(not(target_arch = "wasm32"))]

use form_core::{FormState, Ymd, load};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;

const TODAY: Ymd = (2025, 11, 25);

#[derive(Clone, Debug)]
enum Op {
    Set(usize, usize),
    Clear(usize),
    AddRow(usize),
    RemoveRow(usize, usize),
    MoveRow(usize, usize, usize),
}

fn values() -> Vec<Value> {
    vec![
        json!("Nguyễn Văn An"),
        json!(""),
        json!("x"),
        json!("khac"),
        json!("me"),
        json!("nam"),
        json!("nu"),
        json!("chu-ho"),
        json!("1990-05-17"),
        json!("2010-01-01"),
        json!("2099-01-01"),
        json!("17/05/1990"),
        json!("001190012345"),
        json!("001090012345"),
        json!("12345"),
        json!(120000000),
        json!(-5),
        json!(0),
        json!(true),
        json!(false),
        json!(2.5),
        json!("a@b"),
        json!("an@example.vn"),
        json!("0912345678"),
    ]
}

/// The data pointers of a form's fields, with `*` replaced by rows 0–2.
fn pointers(state: &FormState) -> (Vec<String>, Vec<String>) {
    let mut leaves = Vec::new();
    let mut tables = Vec::new();
    for f in state.form().fields() {
        if f.widget == form_core::Widget::Table {
            tables.push(f.pointer.clone());
        } else if f.pointer.contains("/*") {
            for i in 0..3 {
                leaves.push(f.pointer.replacen("/*", &format!("/{i}"), 1));
            }
        } else {
            leaves.push(f.pointer.clone());
        }
    }
    (leaves, tables)
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        6 => (0usize..100, 0usize..100).prop_map(|(a, b)| Op::Set(a, b)),
        2 => (0usize..100).prop_map(Op::Clear),
        1 => (0usize..10).prop_map(Op::AddRow),
        1 => (0usize..10, 0usize..4).prop_map(|(a, b)| Op::RemoveRow(a, b)),
        1 => (0usize..10, 0usize..4, 0usize..4).prop_map(|(a, b, c)| Op::MoveRow(a, b, c)),
    ];
    prop::collection::vec(op, 1..40)
}

fn run(definition: &str, ops: &[Op]) -> Result<(), TestCaseError> {
    let form = Arc::new(load(definition).form.expect("loads"));
    let mut state = FormState::new(form.clone(), json!({}), TODAY);
    let (leaves, tables) = pointers(&state);
    // The form's own option values too, so that rules on choices flip both ways.
    let mut vals = values();
    for f in form.fields() {
        if let Some(item) = form.item_for(&f.pointer.replace("/*", "/0")) {
            vals.extend(item.options.iter().map(|o| json!(o.value)));
        }
    }
    for op in ops {
        let before = state.evaluation().clone();
        let changes = match *op {
            Op::Set(p, v) => state.set(
                &leaves[p % leaves.len()],
                Some(vals[v % vals.len()].clone()),
            ),
            Op::Clear(p) => state.set(&leaves[p % leaves.len()], None),
            Op::AddRow(t) if !tables.is_empty() => state.add_row(&tables[t % tables.len()]),
            Op::RemoveRow(t, i) if !tables.is_empty() => {
                state.remove_row(&tables[t % tables.len()], i)
            }
            Op::MoveRow(t, a, b) if !tables.is_empty() => {
                state.move_row(&tables[t % tables.len()], a, b)
            }
            _ => continue,
        };
        let full = form.evaluate(state.data(), TODAY);
        prop_assert_eq!(state.evaluation(), &full, "after {:?}", op);
        // What `set` reports as changed errors is exactly the difference.
        for (ptr, errs) in &changes.errors {
            let now: Vec<_> = full
                .errors
                .iter()
                .filter(|d| &d.pointer == ptr)
                .cloned()
                .collect();
            prop_assert_eq!(&now, errs);
        }
        let unreported: Vec<_> = full
            .errors
            .iter()
            .filter(|d| {
                !before.errors.contains(d) && !changes.errors.iter().any(|(p, _)| *p == d.pointer)
            })
            .collect();
        prop_assert!(
            unreported.is_empty(),
            "new errors not reported: {:?} after {:?}",
            unreported,
            op
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn incremental_equals_full_on_the_rules_form(ops in ops()) {
        run(include_str!("fixtures/rules.json"), &ops)?;
    }

    #[test]
    fn incremental_equals_full_on_a_multi_select_form(ops in ops()) {
        run(include_str!("fixtures/kinds.json"), &ops)?;
    }

    #[test]
    fn incremental_equals_full_on_ct01(ops in ops()) {
        run(include_str!("../../schemas/forms/ct01.json"), &ops)?;
    }

    #[test]
    fn incremental_equals_full_on_the_birth_registration(ops in ops()) {
        run(include_str!("../../schemas/forms/birth-registration.json"), &ops)?;
    }

    #[test]
    fn incremental_equals_full_on_the_pit_finalisation(ops in ops()) {
        run(include_str!("../../schemas/forms/pit-finalisation.json"), &ops)?;
    }

    #[test]
    fn incremental_equals_full_on_the_household_business(ops in ops()) {
        run(include_str!("../../schemas/forms/household-business.json"), &ops)?;
    }
}

#[test]
fn typing_into_a_plain_field_takes_the_fast_path() {
    let form = Arc::new(
        load(include_str!("../../schemas/forms/ct01.json"))
            .form
            .unwrap(),
    );
    let mut state = FormState::new(form, json!({"applicant": {}}), TODAY);
    let c = state.set("/applicant/phone", Some(json!("09")));
    assert!(c.local);
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].1[0].code, "pattern");
    let c = state.set("/applicant/phone", Some(json!("0912345678")));
    assert!(c.local);
    assert_eq!(c.errors, vec![("/applicant/phone".to_owned(), vec![])]);
    // The date of birth is read by a rule and by the ID check: the general path.
    let c = state.set("/applicant/dateOfBirth", Some(json!("2099-01-01")));
    assert!(!c.local);
    assert!(c.errors.iter().any(|(p, e)| p == "/applicant/dateOfBirth" && e.iter().any(|d| d.code == "constraint")));
}

/// `c` shows the field at `other`, makes it required, and reports it missing.
fn assert_shown_and_missing(c: &form_core::Changes, other: &str) {
    assert_eq!(c.hidden, vec![(other.to_owned(), false)]);
    assert_eq!(c.required, vec![(other.to_owned(), true)]);
    assert!(
        c.errors
            .iter()
            .any(|(p, e)| p == other && e[0].code == "required")
    );
}

#[test]
fn a_choice_that_shows_a_field_takes_the_middle_path() {
    let form = Arc::new(load(include_str!("fixtures/rules.json")).form.unwrap());
    let mut state = FormState::new(form.clone(), json!({"declarant": {}}), TODAY);
    let other = "/declarant/relationshipOther";
    assert!(state.evaluation().hidden.contains(other));
    let c = state.set("/declarant/relationship", Some(json!("khac")));
    assert!(c.partial && !c.local, "{c:?}");
    assert_shown_and_missing(&c, other);
    assert_eq!(state.evaluation(), &form.evaluate(state.data(), TODAY));
    let c = state.set("/declarant/relationship", Some(json!("cha")));
    assert!(c.partial);
    assert_eq!(c.hidden, vec![(other.to_owned(), true)]);
    assert_eq!(c.errors, vec![(other.to_owned(), vec![])]);
    assert_eq!(state.evaluation(), &form.evaluate(state.data(), TODAY));
}

/// The state after `ops` must equal a full evaluation of the same data.
fn assert_same_as_full(definition: serde_json::Value, start: Value, ops: &[(&str, Option<Value>)]) {
    let loaded = form_core::load_value(&definition);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let form = Arc::new(loaded.form.unwrap());
    let mut state = FormState::new(form.clone(), start, TODAY);
    for (ptr, value) in ops {
        state.set(ptr, value.clone());
        assert_eq!(
            state.evaluation(),
            &form.evaluate(state.data(), TODAY),
            "after setting {ptr}"
        );
    }
}

fn t(s: &str) -> Value {
    json!({"vi": s, "en": s})
}

/// Review finding: a rule summing a computed column (`sum(members.tax)`) reads a computed value,
/// so a change it reads takes the full path.
#[test]
fn regression_rule_reading_a_computed_column_is_not_evaluated_on_raw_data() {
    let def = json!({
        "id": "r1", "version": 1, "title": t("R1"),
        "dataSchema": {"type": "object", "properties": {
            "members": {"type": "array", "items": {"type": "object", "properties": {
                "income": {"type": "number"}, "tax": {"type": "number"}}}},
            "limit": {"type": "number"}, "note": {"type": "string"}}},
        "pages": [{"id": "p", "title": t("P"), "sections": [{"id": "s", "items": [
            {"widget": "table", "pointer": "/members", "label": t("M"), "columns": [
                {"widget": "number", "pointer": "/income", "label": t("I")},
                {"widget": "number", "pointer": "/tax", "label": t("T"), "compute": "row.income * 0.1"}]},
            {"widget": "number", "pointer": "/limit", "label": t("L")},
            {"widget": "text", "pointer": "/note", "label": t("N"),
             "constraints": [{"rule": "sum(members.tax) <= limit", "message": t("too much")}]}]}]}]
    });
    assert_same_as_full(
        def,
        json!({"members": [{"income": 1000}], "limit": 50}),
        &[("/limit", Some(json!(60))), ("/limit", Some(json!(200)))],
    );
}

/// Review finding: an object left empty by a hidden field is dropped, which takes its other
/// fields' errors with it; changes near such objects take the full path.
#[test]
fn regression_objects_dropped_when_emptied_by_hiding() {
    let def = json!({
        "id": "r2", "version": 1, "title": t("R2"),
        "dataSchema": {"type": "object", "properties": {
            "x": {"type": "number"}, "y": {"type": "boolean"},
            "a": {"type": "object", "required": ["b"], "properties": {
                "h": {"type": "string"}, "k": {"type": "string"},
                "b": {"type": "object", "required": ["c"], "properties": {"c": {"type": "string"}}}}}}},
        "pages": [{"id": "p", "title": t("P"), "sections": [{"id": "s", "items": [
            {"widget": "number", "pointer": "/x", "label": t("X")},
            {"widget": "checkbox", "pointer": "/y", "label": t("Y")},
            {"widget": "text", "pointer": "/a/h", "label": t("H"), "visibleIf": "y"},
            {"widget": "text", "pointer": "/a/k", "label": t("K")},
            {"widget": "text", "pointer": "/a/b/c", "label": t("C"),
             "constraints": [{"rule": "x > 0", "message": t("x")}]}]}]}]
    });
    assert_same_as_full(
        def.clone(),
        json!({"a": {}, "y": false}),
        &[
            ("/x", Some(json!(5))),
            ("/a/k", Some(json!("v"))),
            ("/a/k", None),
        ],
    );
    let father = json!({
        "id": "r3", "version": 1, "title": t("R3"),
        "dataSchema": {"type": "object", "properties": {
            "hasFather": {"type": "boolean"},
            "father": {"type": "object", "required": ["age", "name2"], "properties": {
                "name": {"type": "string"}, "age": {"type": "integer"}, "name2": {"type": "string"}}}}},
        "pages": [{"id": "p", "title": t("P"), "sections": [{"id": "s", "items": [
            {"widget": "checkbox", "pointer": "/hasFather", "label": t("F")},
            {"widget": "text", "pointer": "/father/name", "label": t("N"), "visibleIf": "hasFather"},
            {"widget": "number", "pointer": "/father/age", "label": t("A")},
            {"widget": "text", "pointer": "/father/name2", "label": t("N2")}]}]}]
    });
    assert_same_as_full(
        father.clone(),
        json!({"hasFather": false, "father": {"age": 40}}),
        &[("/father/age", None)],
    );
    assert_same_as_full(
        father,
        json!({"hasFather": false, "father": {}}),
        &[("/father/age", Some(json!(40)))],
    );
}

#[test]
fn replacing_all_the_data_reports_what_changed() {
    let form = Arc::new(load(include_str!("fixtures/rules.json")).form.unwrap());
    let mut state = FormState::new(form.clone(), json!({"declarant": {}}), TODAY);
    let other = "/declarant/relationshipOther";
    let c = state.replace(json!({"declarant": {"relationship": "khac"}}));
    assert_shown_and_missing(&c, other);
    assert_eq!(state.evaluation(), &form.evaluate(state.data(), TODAY));
    // Back to empty: the field hides again and its error goes.
    let c = state.replace(json!({"declarant": {}}));
    assert_eq!(c.hidden, vec![(other.to_owned(), true)]);
    assert!(c.errors.iter().any(|(p, e)| p == other && e.is_empty()));
    assert_eq!(state.evaluation(), &form.evaluate(state.data(), TODAY));
}

#[test]
fn a_field_is_ruled_when_a_rule_can_change_its_state() {
    let form = load(include_str!("fixtures/rules.json")).form.unwrap();
    // Its own rules (a constraint too), a computed value, a cell's rule in any row, its
    // section's rule.
    for p in [
        "/declarant/relationshipOther",
        "/declarant/dateOfBirth",
        "/declarant/age",
        "/incomes/3/note",
        "/incomes/0/amount",
        "/total",
        "/confirm",
    ] {
        assert!(form.is_ruled(p), "{p}");
    }
    for p in ["/declarant/relationship", "/incomes/0/kind"] {
        assert!(!form.is_ruled(p), "{p}");
    }
}

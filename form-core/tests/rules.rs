//! Rules on items: visibility, conditional requiredness, read-only, computed values, cross-field
//! constraints (also inside table rows), and the load-time checks of all of them.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use expect_test::{Expect, expect};
use form_core::{Lang, load};
use serde_json::{Value, json};

const TODAY: form_core::Ymd = (2025, 11, 25);

/// A small birth-registration-like form exercising every rule.
fn definition() -> Value {
    serde_json::from_str(include_str!("fixtures/rules.json")).unwrap()
}

fn evaluate(data: Value, expect: Expect) {
    let loaded = load(&definition().to_string());
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let e = loaded.form.unwrap().evaluate(&data, TODAY);
    let errors: Vec<String> = e.errors.iter().map(|d| d.render(Lang::En)).collect();
    let out = format!(
        "data: {}\nhidden: {:?}\nread-only: {:?}\nrequired: {:?}\nerrors:\n{}",
        e.data,
        e.hidden,
        e.read_only,
        e.required,
        errors.join("\n")
    );
    expect.assert_eq(&out);
}

#[test]
fn empty_form() {
    evaluate(
        json!({}),
        expect![[r#"
        data: {"total":0,"taxBase":0}
        hidden: {"/confirm", "/declarant/relationshipOther"}
        read-only: {"/declarant/age", "/taxBase", "/total"}
        required: {}
        errors:
        error[required] /declarant/dateOfBirth: Enter date of birth.
        error[required] /declarant/relationship: Select relationship."#]],
    );
}

#[test]
fn conditional_field_shows_and_becomes_required() {
    evaluate(
        json!({"declarant": {"dateOfBirth": "2010-01-01", "relationship": "khac"}}),
        expect![[r#"
        data: {"declarant":{"dateOfBirth":"2010-01-01","relationship":"khac","age":15},"total":0,"taxBase":0}
        hidden: {"/confirm"}
        read-only: {"/declarant/age", "/taxBase", "/total"}
        required: {"/declarant/relationshipOther"}
        errors:
        error[constraint] /declarant/dateOfBirth: The declarant must be 18 or older.
        error[required] /declarant/relationshipOther: Enter other relationship."#]],
    );
}

#[test]
fn hidden_fields_are_not_submitted() {
    evaluate(
        json!({"declarant": {"dateOfBirth": "1990-05-17", "relationship": "me", "relationshipOther": "dì"},
               "incomes": [{"kind": "luong", "amount": 120000000, "note": "x"}, {"kind": "khac", "amount": -5, "note": "thưởng"}],
               "confirm": true}),
        expect![[r#"
            data: {"declarant":{"dateOfBirth":"1990-05-17","relationship":"me","age":35},"incomes":[{"kind":"luong","amount":120000000},{"kind":"khac","amount":-5,"note":"thưởng"}],"confirm":true,"total":119999995,"taxBase":108999995}
            hidden: {"/declarant/relationshipOther", "/incomes/0/note"}
            read-only: {"/confirm", "/declarant/age", "/taxBase", "/total"}
            required: {}
            errors:
            error[constraint] /incomes/1/amount: The amount cannot be negative."#]],
    );
}

fn check(def: Value, expect: Expect) {
    let rendered: Vec<String> = load(&def.to_string())
        .diagnostics
        .iter()
        .map(|d| d.render(Lang::En))
        .collect();
    expect.assert_eq(&rendered.join("\n"));
}

#[test]
fn rule_errors_are_found_when_loading() {
    let mut d = definition();
    let items = &mut d["pages"][0]["sections"][0]["items"];
    items[0]["constraints"][0]["rule"] = json!("age(declarant.dateOfBirt) >= 18");
    items[1]["compute"] = json!("declarant.relationship");
    items[3]["visibleIf"] = json!("declarant.relationship = ");
    d["pages"][0]["sections"][1]["items"][0]["columns"][2]["visibleIf"] = json!("row.kind + 1");
    d["pages"][0]["sections"][2]["visibleIf"] = json!("total");
    check(
        d,
        expect![[r#"
        error[rule] /pages/0/sections/0/items/0/constraints/0/rule: Rule (characters 5–24): The form has no field "declarant.dateOfBirt".
        error[rule] /pages/0/sections/0/items/1/compute: Rule (characters 1–22): The rule gives text, but number is needed here.
        error[rule] /pages/0/sections/0/items/3/visibleIf: Rule (characters 26–26): The expression ends where a value is expected.
        error[rule] /pages/0/sections/1/items/0/columns/2/visibleIf: Rule (characters 1–12): "+" cannot be used between text and number.
        error[rule] /pages/0/sections/2/visibleIf: Rule (characters 1–5): The rule gives number, but true/false is needed here."#]],
    );
}

#[test]
fn computed_cycles_and_conditional_required_are_reported() {
    let mut d = definition();
    d["pages"][0]["sections"][1]["items"][1]["compute"] = json!("taxBase + 1");
    d["dataSchema"]["properties"]["declarant"]["required"] =
        json!(["dateOfBirth", "relationship", "relationshipOther"]);
    check(
        d,
        expect![[r#"
        error[required-conditional] /pages/0/sections/0/items/3: "/declarant/relationshipOther" shows or is required only under a condition, so it cannot be in the schema's "required"; use "requiredIf".
        error[compute-cycle] /pages/0/sections/1/items/1/compute: Computed values depend on each other in a circle: /total → /taxBase.
        error[compute-cycle] /pages/0/sections/1/items/2/compute: Computed values depend on each other in a circle: /total → /taxBase."#]],
    );
}

/// `x = a or x = b` passes while `b` is empty (an empty check passes): `eform check` warns
/// when one side of an `or` reads an optional field the other side does not and that the rule
/// does not test with `filled()`; required fields, fields on both sides and tested ones are fine.
#[test]
fn an_or_that_passes_while_a_field_is_empty_is_warned_about() {
    let rules = [
        // warned: relationshipOther is optional and only on the right
        r#"declarant.relationship = "cha" or declarant.relationshipOther = "bố""#,
        // fine: tested with filled()
        r#"declarant.relationship = "cha" or (filled(declarant.relationshipOther) and declarant.relationshipOther = "bố")"#,
        // fine: the same optional field on both sides, and a required one
        r#"len(declarant.relationshipOther) != 3 or declarant.relationshipOther = declarant.relationship"#,
        // fine: the other side is true when it is empty
        r#"empty(declarant.relationshipOther) or declarant.relationshipOther != "x""#,
        // fine: tested outside the `or`
        r#"filled(declarant.relationshipOther) and (declarant.relationship = "cha" or declarant.relationshipOther = "bố")"#,
        // warned inside a table row: row.note is optional, total too
        r#"row.kind = "luong" or row.note = "x" or total > 0"#,
    ];
    let c = |r: &str| json!({"rule": r, "message": {"vi": "Sai.", "en": "Wrong."}});
    let mut d = definition();
    d["pages"][0]["sections"][0]["items"][2]["constraints"] =
        rules[..5].iter().map(|r| c(r)).collect();
    d["pages"][0]["sections"][1]["items"][0]["columns"][0]["constraints"] = json!([c(rules[5])]);
    check(
        d,
        expect![[r#"
        warning[or-empty] /pages/0/sections/0/items/2/constraints/0/rule: While "/declarant/relationshipOther" is empty, its side of the "or" is empty and the check passes even when the other side is false. If that is not meant, write "filled(…) and …" on that side.
        warning[or-empty] /pages/0/sections/1/items/0/columns/0/constraints/0/rule: While any of "/incomes/*/kind", "/incomes/*/note", "/total" is empty, its side of the "or" is empty and the check passes even when the other side is false. If that is not meant, write "filled(…) and …" on that side."#]],
    );
}

#[test]
fn an_overlong_rule_of_vietnamese_text_is_an_error_not_a_panic() {
    let mut d = definition();
    d["pages"][0]["sections"][0]["items"][3]["visibleIf"] =
        json!(format!("declarant.relationship = \"{}\"", "ữ".repeat(2000)));
    let loaded = load(&d.to_string());
    assert!(
        loaded
            .diagnostics
            .iter()
            .any(|x| x.code == "definition-maxLength" || x.code == "rule"),
        "{:?}",
        loaded.diagnostics
    );
    let e = form_core::expr::parse(&"ữ".repeat(2000)).unwrap_err();
    assert!(e.message.en.contains("longer than"));
}

#[test]
fn multi_select_values_rules_and_messages() {
    let form = load(include_str!("fixtures/kinds.json"))
        .form
        .expect("loads");
    let errors = |data: Value| -> Vec<String> {
        form.evaluate(&data, TODAY)
            .errors
            .iter()
            .map(|d| d.render(Lang::En))
            .collect()
    };
    assert_eq!(
        errors(json!({})),
        vec!["error[required] /services: Select at least one option for services to register."]
    );
    assert_eq!(
        errors(json!({"services": []})),
        vec!["error[minItems] /services: Add at least 1 entry."]
    );
    assert!(errors(json!({"services": ["dien", "gas"]}))[0].starts_with("error[enum] /services/1"));
    // Ticking "internet" shows and requires the provider.
    let e = form.evaluate(&json!({"services": ["dien", "internet"]}), TODAY);
    assert!(e.hidden.is_empty());
    assert_eq!(
        e.errors
            .iter()
            .map(|d| d.pointer.as_str())
            .collect::<Vec<_>>(),
        vec!["/provider"]
    );
    let e = form.evaluate(&json!({"services": ["nuoc"], "provider": "VNPT"}), TODAY);
    assert!(
        e.errors.is_empty()
            && e.hidden.contains("/provider")
            && e.data == json!({"services": ["nuoc"]})
    );
    // Options must match the items' enum.
    let mut d: Value = serde_json::from_str(include_str!("fixtures/kinds.json")).unwrap();
    d["pages"][0]["sections"][0]["items"][0]["options"]
        .as_array_mut()
        .unwrap()
        .pop();
    let diags: Vec<String> = load(&d.to_string())
        .diagnostics
        .iter()
        .map(|x| x.code.clone())
        .collect();
    assert_eq!(diags, vec!["options-enum-mismatch"]);
}

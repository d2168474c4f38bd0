//! Rules across the rows of a table (issue 22, item 5): `prev.` reads the row before (periods
//! that must not overlap, "only the last period may be open"), `count`/`any`/`all` take a
//! condition per row, and `min`/`max` work on dates — from a residence history of a
//! judicial-record certificate request.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use form_core::{Lang, load_value};
use serde_json::{Value, json};

const TODAY: form_core::Ymd = (2026, 12, 6);

fn definition() -> Value {
    let c = |rule: &str, vi: &str, en: &str| json!({"rule": rule, "message": {"vi": vi, "en": en}});
    json!({
        "id": "history", "version": 1,
        "title": {"vi": "Quá trình cư trú", "en": "Residence history"},
        "dataSchema": {"type": "object", "required": ["dateOfBirth"], "properties": {
            "dateOfBirth": {"type": "string", "format": "date"},
            "periods": {"type": "array", "items": {"type": "object", "required": ["from", "place"], "properties": {
                "from": {"type": "string", "format": "year-month"},
                "to": {"type": "string", "format": "year-month"},
                "place": {"type": "string", "minLength": 1}
            }}},
            "summary": {"type": "object", "properties": {
                "open": {"type": "integer"},
                "start": {"type": "string", "format": "date"},
                "abroad": {"type": "boolean"}
            }}
        }},
        "pages": [{"id": "p", "title": {"vi": "Trang", "en": "Page"}, "sections": [{"id": "s", "title": {"vi": "Mục", "en": "Section"}, "items": [
            {"widget": "date", "pointer": "/dateOfBirth", "label": {"vi": "Ngày sinh", "en": "Date of birth"}},
            {"widget": "table", "pointer": "/periods", "label": {"vi": "Quá trình cư trú", "en": "Residence history"},
             "constraints": [c("count(periods, empty(row.to)) <= 1", "Chỉ một thời kỳ được để trống tháng kết thúc.", "Only one period may be left without an end.")],
             "columns": [
                {"widget": "month", "pointer": "/from", "label": {"vi": "Từ tháng", "en": "From"},
                 "constraints": [
                    c("empty(prev.from) or filled(prev.to)", "Thời kỳ trước phải có tháng kết thúc.", "The period before needs an end month."),
                    c("empty(prev.to) or row.from > prev.to", "Thời kỳ này phải bắt đầu sau khi thời kỳ trước kết thúc.", "This period must start after the one before ended.")
                 ]},
                {"widget": "month", "pointer": "/to", "label": {"vi": "Đến tháng", "en": "To"},
                 "constraints": [c("row.to >= row.from", "Tháng kết thúc không được trước tháng bắt đầu.", "The end cannot be before the start.")]},
                {"widget": "text", "pointer": "/place", "label": {"vi": "Nơi cư trú", "en": "Place"}}
            ]},
            {"widget": "number", "pointer": "/summary/open", "label": {"vi": "Số thời kỳ chưa kết thúc", "en": "Open periods"}, "compute": "count(periods, empty(row.to))"},
            {"widget": "date", "pointer": "/summary/start", "label": {"vi": "Bắt đầu", "en": "Start"}, "compute": "min(periods.from)"},
            {"widget": "checkbox", "pointer": "/summary/abroad", "label": {"vi": "Có ở nước ngoài", "en": "Lived abroad"}, "compute": "any(periods, contains(row.place, \"nước ngoài\")) and not all(periods, contains(row.place, \"nước ngoài\"))"}
        ]}]}]
    })
}

fn errors(data: Value) -> (Value, Vec<String>) {
    let loaded = load_value(&definition());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let e = loaded.form.unwrap().evaluate(&data, TODAY);
    (
        e.data,
        e.errors.iter().map(|d| d.render(Lang::En)).collect(),
    )
}

#[test]
fn periods_follow_each_other_and_only_the_last_is_open() {
    let (data, errs) = errors(json!({"dateOfBirth": "1990-03-14", "periods": [
        {"from": "2004-03", "to": "2008-06", "place": "Hà Nội"},
        {"from": "2008-07", "to": "2015-01", "place": "Nhật Bản (nước ngoài)"},
        {"from": "2015-02", "place": "Đà Nẵng"}
    ]}));
    assert_eq!(errs, Vec::<String>::new());
    assert_eq!(data["summary"]["open"], 1);
    assert_eq!(
        data["summary"]["start"], "2004-03-01",
        "the earliest month, as its first day"
    );
    assert_eq!(data["summary"]["abroad"], true);

    let (data, errs) = errors(json!({"dateOfBirth": "1990-03-14", "periods": [
        {"from": "2004-03", "place": "Hà Nội"},
        {"from": "2008-07", "to": "2015-01", "place": "Huế"},
        {"from": "2014-12", "place": "Đà Nẵng"}
    ]}));
    assert_eq!(
        errs,
        [
            "error[constraint] /periods: Only one period may be left without an end.",
            "error[constraint] /periods/1/from: The period before needs an end month.",
            "error[constraint] /periods/2/from: This period must start after the one before ended."
        ]
    );
    assert_eq!(data["summary"]["open"], 2);
    assert_eq!(data["summary"]["abroad"], false);
    // No rows: nothing to count, no earliest month, `all` holds and `any` does not.
    let (data, errs) = errors(json!({"dateOfBirth": "1990-03-14"}));
    assert_eq!(errs, Vec::<String>::new());
    assert_eq!(data["summary"]["open"], 0);
    assert_eq!(data["summary"].get("start"), None);
    assert_eq!(data["summary"]["abroad"], false);
}

#[test]
fn row_rules_are_checked_when_the_definition_loads() {
    let mut d = definition();
    let items = &mut d["pages"][0]["sections"][0]["items"];
    items[0]["constraints"] =
        json!([{"rule": "prev.from > dateOfBirth", "message": {"vi": "x", "en": "x"}}]);
    items[2]["compute"] = json!("count(dateOfBirth, true)");
    items[3]["compute"] = json!("min(periods.from, 3)");
    items[4]["compute"] = json!("any(periods, row.place)");
    let found: Vec<String> = load_value(&d)
        .diagnostics
        .iter()
        .map(|d| d.render(Lang::En))
        .collect();
    assert_eq!(
        found,
        [
            "error[rule] /pages/0/sections/0/items/0/constraints/0/rule: Rule (characters 1–9): The form has no field \"prev.from\".",
            "error[rule] /pages/0/sections/0/items/2/compute: Rule (characters 7–17): The first argument of count(table, condition) must be a table, as in count(members, row.age >= 18).",
            "error[rule] /pages/0/sections/0/items/3/compute: Rule (characters 5–16): Expected number, but this is list of date.",
            "error[rule] /pages/0/sections/0/items/4/compute: Rule (characters 14–22): Expected true/false, but this is text."
        ]
    );
}

/// Typing in one row changes the verdict on the next (`prev.`): the incremental state the
/// runtime keeps agrees with a full evaluation after every change.
#[test]
fn the_incremental_state_follows_the_row_before() {
    let form = std::sync::Arc::new(load_value(&definition()).form.unwrap());
    let start = json!({"dateOfBirth": "1990-03-14", "periods": [
        {"from": "2004-03", "place": "Hà Nội"},
        {"from": "2008-07", "place": "Huế"}
    ]});
    let mut state = form_core::FormState::new(form.clone(), start, TODAY);
    for (ptr, value) in [
        ("/periods/0/to", json!("2008-06")),
        ("/periods/1/from", json!("2008-05")),
        ("/periods/1/from", json!("2008-08")),
        ("/periods/0/to", json!("2009-01")),
    ] {
        state.set(ptr, Some(value));
        let full = form.evaluate(state.data(), TODAY);
        assert_eq!(state.validate_all(), &full.errors[..], "after {ptr}");
    }
    state.remove_row("/periods", 0);
    let full = form.evaluate(state.data(), TODAY);
    assert_eq!(state.validate_all(), &full.errors[..]);
}

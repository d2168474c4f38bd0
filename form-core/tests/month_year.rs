//! Month/year and year fields (issue 22, item 6): paper forms ask "from month/year to
//! month/year". A `month` is typed mm/yyyy and stored `YYYY-MM` (`format: year-month`), counts
//! as its first day in rules; a `year` is typed yyyy and stored as an integer.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use form_core::format::{Format, month_from_display, month_to_display, parse_year_month};
use form_core::{Lang, load_value};
use serde_json::{Value, json};

fn definition() -> Value {
    json!({
        "id": "history", "version": 1,
        "title": {"vi": "Quá trình", "en": "History"},
        "dataSchema": {"type": "object", "required": ["graduated"], "properties": {
            "graduated": {"type": "integer", "minimum": 1950, "maximum": 2100},
            "periods": {"type": "array", "items": {"type": "object", "required": ["from"], "properties": {
                "from": {"type": "string", "format": "year-month"},
                "to": {"type": "string", "format": "year-month"},
                "months": {"type": "integer"}
            }}}
        }},
        "pages": [{"id": "p", "title": {"vi": "Trang", "en": "Page"}, "sections": [{"id": "s", "title": {"vi": "Mục", "en": "Section"}, "items": [
            {"widget": "year", "pointer": "/graduated", "label": {"vi": "Năm tốt nghiệp", "en": "Year of graduation"}},
            {"widget": "table", "pointer": "/periods", "label": {"vi": "Quá trình", "en": "Periods"}, "columns": [
                {"widget": "month", "pointer": "/from", "label": {"vi": "Từ tháng", "en": "From"}},
                {"widget": "month", "pointer": "/to", "label": {"vi": "Đến tháng", "en": "To"},
                 "constraints": [{"rule": "row.to >= row.from", "message": {"vi": "Tháng kết thúc không được trước tháng bắt đầu.", "en": "The end cannot be before the start."}}]},
                {"widget": "number", "pointer": "/months", "label": {"vi": "Số tháng", "en": "Months"}, "compute": "months(row.from, row.to) + 1"}
            ]}
        ]}]}]
    })
}

#[test]
fn months_are_typed_shown_and_checked() {
    assert_eq!(month_from_display("3/2020").as_deref(), Some("2020-03"));
    assert_eq!(month_from_display(" 03-2020 ").as_deref(), Some("2020-03"));
    assert_eq!(month_from_display("13/2020"), None);
    assert_eq!(month_from_display("03/20"), None);
    assert_eq!(month_from_display("01/03/2020"), None);
    assert_eq!(month_to_display("2020-03"), "03/2020");
    assert_eq!(month_to_display("tháng ba"), "tháng ba");
    assert_eq!(parse_year_month("2020-12"), Some((2020, 12)));
    for bad in ["2020-00", "2020-3", "2020/03", "20a0-03", "2020-03-01", ""] {
        assert!(!Format::YearMonth.is_valid(bad), "{bad}");
    }
}

#[test]
fn a_history_table_of_months_and_a_year() {
    let loaded = load_value(&definition());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let form = loaded.form.unwrap();
    let data = json!({"graduated": 2010, "periods": [
        {"from": "2010-09", "to": "2014-06"},
        {"from": "2014-07", "to": "2014-03"},
        {"from": "2014-13"}
    ]});
    let e = form.evaluate(&data, (2026, 12, 6));
    assert_eq!(
        e.data["periods"][0]["months"], 46,
        "Sept 2010 to June 2014, both counted"
    );
    let errors: Vec<String> = e.errors.iter().map(|d| d.render(Lang::En)).collect();
    assert_eq!(
        errors,
        [
            "error[constraint] /periods/1/to: The end cannot be before the start.",
            "error[format] /periods/2/from: Enter a month and year as mm/yyyy, for example 03/2020."
        ]
    );
    let e = form.evaluate(&json!({"graduated": "2010"}), (2026, 12, 6));
    assert_eq!(e.errors[0].code, "type");
    let e = form.evaluate(&json!({"graduated": 1949}), (2026, 12, 6));
    assert_eq!(e.errors[0].code, "minimum");
}

#[test]
fn month_and_year_fields_need_their_schemas() {
    let mut d = definition();
    d["dataSchema"]["properties"]["graduated"] = json!({"type": "number"});
    d["dataSchema"]["properties"]["periods"]["items"]["properties"]["from"] =
        json!({"type": "string", "format": "date"});
    d["pages"][0]["sections"][0]["items"][1]["columns"][1]["compute"] = json!("row.from");
    let codes: Vec<(String, String)> = load_value(&d)
        .diagnostics
        .into_iter()
        .map(|d| (d.pointer, d.code))
        .collect();
    let at = "/pages/0/sections/0/items";
    assert_eq!(
        codes,
        [
            (format!("{at}/0/widget"), "widget-type".to_owned()),
            (
                format!("{at}/1/columns/0/widget"),
                "widget-format".to_owned()
            ),
            (
                format!("{at}/1/columns/1/compute"),
                "compute-month".to_owned()
            ),
        ]
    );
}

/// Errors come in screen order (issue 22, item 7): an address's province before its commune
/// before its street — the summary lists them as the citizen meets them.
#[test]
fn address_errors_come_in_screen_order() {
    let units = std::sync::Arc::new(
        form_core::admin_units::AdminUnits::from_json(include_str!(
            "../../schemas/data/admin-units.json"
        ))
        .unwrap(),
    );
    let form = form_core::load(include_str!("../../schemas/forms/household-business.json"))
        .form
        .unwrap()
        .with_admin_units(units);
    let mut data: Value = serde_json::from_str(include_str!(
        "../../schemas/forms/household-business.example.json"
    ))
    .unwrap();
    data["owner"]["permanentAddress"] = json!({"province": "99", "commune": "1"});
    let found: Vec<(String, String)> = form
        .evaluate(&data, (2026, 12, 6))
        .errors
        .into_iter()
        .map(|d| (d.pointer, d.code))
        .collect();
    let at = "/owner/permanentAddress";
    assert_eq!(
        found,
        [
            (format!("{at}/province"), "address".to_owned()),
            (format!("{at}/commune"), "pattern".to_owned()),
            (format!("{at}/street"), "required".to_owned()),
        ]
    );
}

/// An address's missing parts take the designer's words when the item has them:
/// `messages["province"]`, `["commune"]`, `["street"]` (issue 22, item 7).
#[test]
fn address_part_messages_can_be_the_designers() {
    let mut def: Value =
        serde_json::from_str(include_str!("../../schemas/forms/household-business.json")).unwrap();
    let item = def["pages"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|p| p["sections"].as_array_mut().unwrap().iter_mut())
        .flat_map(|s| s["items"].as_array_mut().unwrap().iter_mut())
        .find(|i| i["pointer"] == "/owner/permanentAddress")
        .unwrap();
    item["messages"] = json!({
        "street": {"vi": "Ghi số nhà, tên đường nơi thường trú.", "en": "Write the house number and street of your permanent residence."}
    });
    let form = load_value(&def).form.unwrap();
    let mut data: Value = serde_json::from_str(include_str!(
        "../../schemas/forms/household-business.example.json"
    ))
    .unwrap();
    data["owner"]["permanentAddress"] = json!({});
    let errors: Vec<String> = form
        .evaluate(&data, (2026, 12, 6))
        .errors
        .iter()
        .map(|d| d.render(Lang::En))
        .collect();
    assert_eq!(
        errors,
        [
            "error[required] /owner/permanentAddress/province: Select the province or city of permanent address.",
            "error[required] /owner/permanentAddress/commune: Select the commune or ward of permanent address.",
            "error[required] /owner/permanentAddress/street: Write the house number and street of your permanent residence."
        ]
    );
}

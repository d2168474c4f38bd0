//! The ID-number check configured by the item (`idCheck`): fields named in Vietnamese are
//! checked as `dateOfBirth`/`sex` are, inside tables too; its message can be the form's own; a
//! pointer to no field or to a field of the wrong kind is refused with its place, and a birth
//! date the name-based link would miss gets a warning.

use form_core::load_value;
use serde_json::{Value, json};

fn person(id_check: Option<Value>, messages: Option<Value>) -> Value {
    let mut id = json!({"widget": "id-number", "pointer": "/nguoi/soDinhDanh", "label": {"vi": "Số định danh", "en": "ID number"}});
    if let Some(c) = id_check {
        id["idCheck"] = c;
    }
    if let Some(m) = messages {
        id["messages"] = m;
    }
    let mut member_id = json!({"widget": "id-number", "pointer": "/soDinhDanh", "label": {"vi": "Số định danh", "en": "ID number"}, "idCheck": {"dateOfBirth": "/ngaySinh"}});
    member_id["messages"] = json!({});
    json!({
        "id": "vi-names", "version": 1,
        "title": {"vi": "Thử", "en": "Test"},
        "dataSchema": {"type": "object", "properties": {
            "nguoi": {"type": "object", "properties": {
                "ngaySinh": {"type": "string", "format": "date"},
                "gioiTinhKhai": {"type": "string", "enum": ["nam", "nu"]},
                "soDinhDanh": {"type": "string", "pattern": "^[0-9]{12}$"}
            }},
            "thanhVien": {"type": "array", "items": {"type": "object", "properties": {
                "ngaySinh": {"type": "string", "format": "date"},
                "soDinhDanh": {"type": "string", "pattern": "^[0-9]{12}$"}
            }}}
        }},
        "pages": [{"id": "p", "title": {"vi": "Trang", "en": "Page"}, "sections": [{"id": "s", "items": [
            {"widget": "date", "pointer": "/nguoi/ngaySinh", "label": {"vi": "Ngày sinh", "en": "Date of birth"}},
            {"widget": "radio", "pointer": "/nguoi/gioiTinhKhai", "label": {"vi": "Giới tính", "en": "Sex"},
             "options": [{"value": "nam", "label": {"vi": "Nam", "en": "Male"}}, {"value": "nu", "label": {"vi": "Nữ", "en": "Female"}}]},
            id,
            {"widget": "table", "pointer": "/thanhVien", "label": {"vi": "Thành viên", "en": "Members"}, "columns": [
                {"widget": "date", "pointer": "/ngaySinh", "label": {"vi": "Ngày sinh", "en": "Date of birth"}},
                member_id
            ]}
        ]}]}]
    })
}

fn errors(def: &Value, data: Value) -> Vec<(String, String, String)> {
    let form = load_value(def).form.expect("the definition loads");
    form.evaluate(&data, (2026, 12, 6))
        .errors
        .into_iter()
        .map(|d| (d.pointer, d.code, d.message.en))
        .collect()
}

#[test]
fn fields_named_in_vietnamese_are_checked_when_the_item_names_them() {
    // A man's number (digit 4 = 0) born in 1990, against a woman born in 1991.
    let data = json!({
        "nguoi": {"ngaySinh": "1991-03-14", "gioiTinhKhai": "nu", "soDinhDanh": "001090012345"},
        "thanhVien": [{"ngaySinh": "2018-09-02", "soDinhDanh": "001219007654"}]
    });
    // Without idCheck the Vietnamese names link nothing (and the load warns).
    let plain = person(None, None);
    let loaded = load_value(&plain);
    let warned: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.pointer.as_str(), d.code.as_str()))
        .collect();
    assert_eq!(
        warned,
        [("/pages/0/sections/0/items/2/idCheck", "id-check-unlinked")]
    );
    let found = errors(&plain, data.clone());
    assert_eq!(
        found.len(),
        1,
        "only the member's, which names its date: {found:?}"
    );
    assert_eq!(found[0].0, "/thanhVien/0/soDinhDanh");
    assert!(found[0].2.contains("gives 2019"), "{found:?}");
    // Named: both the year and the sex are checked.
    let named = person(
        Some(json!({"dateOfBirth": "/nguoi/ngaySinh", "sex": "/nguoi/gioiTinhKhai"})),
        None,
    );
    assert!(load_value(&named).diagnostics.is_empty());
    let found = errors(&named, data.clone());
    let at_person: Vec<&str> = found
        .iter()
        .filter(|e| e.0 == "/nguoi/soDinhDanh")
        .map(|e| e.2.as_str())
        .collect();
    assert_eq!(at_person.len(), 2, "{found:?}");
    assert!(at_person[0].contains("date of birth on the form is in 1991"));
    assert!(at_person[1].contains("differs from the sex on the form"));
    // The form's own message replaces every one of them.
    let own = person(
        Some(json!({"dateOfBirth": "/nguoi/ngaySinh"})),
        Some(
            json!({"id-number": {"vi": "Số định danh không khớp ngày sinh của bạn.", "en": "The ID number does not match your date of birth."}}),
        ),
    );
    let found = errors(&own, data.clone());
    assert!(
        found.iter().any(|e| e.0 == "/nguoi/soDinhDanh"
            && e.2 == "The ID number does not match your date of birth."),
        "{found:?}"
    );
    // An empty idCheck: the structure only (no warning, no link).
    let none = person(Some(json!({})), None);
    assert!(load_value(&none).diagnostics.is_empty());
    assert!(
        !errors(&none, data)
            .iter()
            .any(|e| e.0 == "/nguoi/soDinhDanh")
    );
}

#[test]
fn an_id_check_that_names_no_fitting_field_is_refused_with_its_place() {
    for (spec, at, code) in [
        (
            json!({"dateOfBirth": "/nguoi/khongCo"}),
            "/idCheck/dateOfBirth",
            "id-check-pointer",
        ),
        (
            json!({"dateOfBirth": "/nguoi/gioiTinhKhai"}),
            "/idCheck/dateOfBirth",
            "id-check-widget",
        ),
        (
            json!({"sex": "/nguoi/ngaySinh"}),
            "/idCheck/sex",
            "id-check-widget",
        ),
    ] {
        let loaded = load_value(&person(Some(spec.clone()), None));
        assert!(loaded.form.is_none(), "{spec}");
        let found: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.pointer.clone(), d.code.clone()))
            .collect();
        assert_eq!(
            found,
            [(format!("/pages/0/sections/0/items/2{at}"), code.to_owned())],
            "{spec}"
        );
    }
    // On an item that is not an ID number.
    let mut def = person(None, None);
    def["pages"][0]["sections"][0]["items"][0]["idCheck"] = json!({});
    let loaded = load_value(&def);
    assert!(
        loaded
            .diagnostics
            .iter()
            .any(|d| d.code == "id-check-widget"
                && d.pointer == "/pages/0/sections/0/items/0/idCheck"),
        "{:?}",
        loaded.diagnostics
    );
}

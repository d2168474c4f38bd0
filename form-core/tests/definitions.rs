//! Loading definitions: the real sample forms load clean, broken ones report every problem.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use expect_test::{Expect, expect};
use form_core::{Lang, load};
use serde_json::{Value, json};

/// The tests' "today": rules never read a clock.
const TODAY: form_core::Ymd = (2025, 11, 25);

const CT01: &str = include_str!("../../schemas/forms/ct01.json");
const CT01_EXAMPLE: &str = include_str!("../../schemas/forms/ct01.example.json");

fn check(definition: &str, expect: Expect) {
    let loaded = load(definition);
    let rendered: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| d.render(Lang::En))
        .collect();
    expect.assert_eq(&rendered.join("\n"));
}

fn check_data(data: Value, expect: Expect) {
    let form = load(CT01).form.expect("ct01 loads");
    let rendered: Vec<String> = form
        .validate(&data, TODAY)
        .iter()
        .map(|d| format!("{} | {}", d.render(Lang::En), d.message.vi))
        .collect();
    expect.assert_eq(&rendered.join("\n"));
}

#[test]
fn ct01_loads_without_diagnostics() {
    check(CT01, expect![[""]]);
}

#[test]
fn ct01_example_is_valid() {
    check_data(serde_json::from_str(CT01_EXAMPLE).unwrap(), expect![[""]]);
}

#[test]
fn ct01_empty_lists_required_fields_in_reading_order() {
    check_data(
        json!({}),
        expect![[r#"
            error[required] /receivingAgency: Enter the residence registration authority that receives this declaration. | Nhập tên cơ quan đăng ký cư trú nhận tờ khai.
            error[required] /applicant/fullName: Enter full name (About the applicant). | Vui lòng nhập họ, chữ đệm và tên (Thông tin người kê khai).
            error[required] /applicant/dateOfBirth: Enter date of birth (About the applicant). | Vui lòng nhập ngày, tháng, năm sinh (Thông tin người kê khai).
            error[required] /applicant/sex: Select sex (About the applicant). | Vui lòng chọn giới tính (Thông tin người kê khai).
            error[required] /applicant/idNumber: Enter personal ID number (About the applicant). | Vui lòng nhập số định danh cá nhân (Thông tin người kê khai).
            error[required] /householdHead/fullName: Enter full name of the head of household. | Vui lòng nhập họ, chữ đệm và tên chủ hộ.
            error[required] /householdHead/relationship: Select your relationship to the head of household. | Vui lòng chọn mối quan hệ với chủ hộ (Thông tin chủ hộ).
            error[required] /householdHead/idNumber: Enter personal ID number of the head of household. | Vui lòng nhập số định danh cá nhân của chủ hộ.
            error[required] /request: Enter what you are requesting. | Vui lòng nhập nội dung đề nghị."#]],
    );
}

#[test]
fn ct01_wrong_values_get_field_messages() {
    let mut data: Value = serde_json::from_str(CT01_EXAMPLE).unwrap();
    data["applicant"]["idNumber"] = json!("12345");
    data["applicant"]["email"] = json!("minhanh@");
    data["applicant"]["dateOfBirth"] = json!("1990-02-30");
    data["members"][0]["relationship"] = json!("ban");
    data["members"][0]
        .as_object_mut()
        .unwrap()
        .remove("fullName");
    check_data(
        data,
        expect![[r#"
            error[format] /applicant/dateOfBirth: Enter a real date as dd/mm/yyyy, for example 17/05/1990. | Nhập một ngày có thật theo dạng ngày/tháng/năm, ví dụ 17/05/1990.
            error[pattern] /applicant/idNumber: A personal ID number has exactly 12 digits, for example 001090012345. | Số định danh cá nhân gồm đúng 12 chữ số, ví dụ 001090012345.
            error[format] /applicant/email: Enter an email address in the correct format, like name@example.vn. | Nhập địa chỉ email đúng dạng, ví dụ ten@example.vn.
            error[required] /members/0/fullName: Enter full name (Household members changing with you). | Vui lòng nhập họ, chữ đệm và tên (Những thành viên trong hộ gia đình cùng thay đổi).
            error[enum] /members/0/relationship: Choose relationship to the head of household from the list. | Vui lòng chọn mối quan hệ với chủ hộ (Những thành viên trong hộ gia đình cùng thay đổi) trong danh sách."#]],
    );
}

#[test]
fn five_mistakes_are_all_reported_with_pointers() {
    check(
        include_str!("fixtures/five-mistakes.json"),
        expect![[r#"
            error[schema-pattern] /dataSchema/properties/idNumber/pattern: Invalid regular expression: an unclosed character class ([ without ]).
            error[required-unbound] /dataSchema/required: The required data "/fullName" is not bound to any item, so the form could never be submitted.
            error[pointer-unresolved] /pages/0/sections/0/items/0/pointer: "/fulName" is not described by the data schema (dataSchema).
            error[definition-required] /pages/0/sections/0/items/1/label/en: Missing required property "en".
            error[options-enum-mismatch] /pages/0/sections/0/items/2/options: The "options" values must equal the "enum" of the schema of "/sex".
            error[unknown-widget] /pages/0/sections/0/items/3/widget: Choose one of: text, textarea, number, date, month, year, select, multi-select, radio, checkbox, email, phone, id-number, address, file, table, static."#]],
    );
}

#[test]
fn malformed_json_is_a_diagnostic() {
    check(
        r#"{"id": "x", "version": 1,"#,
        expect![
            "error[json-syntax] (document): Not valid JSON (line 1, column 25): EOF while parsing a value at line 1 column 25"
        ],
    );
}

#[test]
fn not_an_object() {
    check(
        "[]",
        expect!["error[definition-type] (document): The value must be a group of fields."],
    );
}

#[test]
fn required_data_without_a_field_is_reported() {
    let mut d: Value = serde_json::from_str(CT01).unwrap();
    // Drop the request section: /request stays required but nothing can fill it.
    d["pages"][0]["sections"].as_array_mut().unwrap().remove(3);
    check(
        &d.to_string(),
        expect![[
            r#"error[required-unbound] /dataSchema/required: The required data "/request" is not bound to any item, so the form could never be submitted."#
        ]],
    );
}

#[test]
fn labels_are_required_in_both_languages_and_fields_bind_once() {
    let mut d: Value = serde_json::from_str(CT01).unwrap();
    d["pages"][0]["sections"][1]["items"][0]["label"] = json!({"vi": "Họ tên"});
    d["pages"][0]["sections"][1]["items"][1]["pointer"] = json!("/applicant/fullName");
    check(
        &d.to_string(),
        expect![[r#"
            error[required-unbound] /dataSchema/properties/applicant/required: The required data "/applicant/dateOfBirth" is not bound to any item, so the form could never be submitted.
            error[definition-required] /pages/0/sections/1/items/0/label/en: Missing required property "en".
            error[pointer-duplicate] /pages/0/sections/1/items/1/pointer: The data "/applicant/fullName" is already bound to the item at /pages/0/sections/1/items/0.
            error[widget-format] /pages/0/sections/1/items/1/widget: The schema of "/applicant/fullName" needs "format": "date" for this widget."#]],
    );
}

#[test]
fn ct01_id_numbers_must_agree_with_birth_year_and_sex() {
    let mut data: Value = serde_json::from_str(CT01_EXAMPLE).unwrap();
    // The applicant, a man, with a woman's number; the child, born in 2018, with a 2019 number.
    data["applicant"]["idNumber"] = json!("001190012345");
    data["members"][0]["idNumber"] = json!("001219007654");
    // Digit 4 = 4: born in the 2100s.
    data["householdHead"]["idNumber"] = json!("001488004321");
    check_data(
        data,
        expect![[r#"
            error[id-number] /applicant/idNumber: The 4th digit of this ID number is for a woman, which differs from the sex on the form. | Chữ số thứ 4 của số định danh này là của nữ, khác với giới tính trên tờ khai.
            error[id-number] /householdHead/idNumber: This ID number gives 2188 as the year of birth, which has not come yet; check the 4th to 6th digits. | Số định danh này cho năm sinh 2188, là năm chưa tới; kiểm tra chữ số thứ 4 đến thứ 6.
            error[id-number] /members/0/idNumber: This ID number gives 2019 as the year of birth, but the date of birth on the form is in 2018. | Số định danh này cho năm sinh 2019, nhưng ngày sinh trên tờ khai là năm 2018."#]],
    );
}

/// A default message adds the section's title to a label that another section also uses, per
/// language: here the two parties share their Vietnamese labels, and only the date of birth's
/// English label. A label used twice in one section is left as it is.
#[test]
fn default_messages_tell_same_labels_apart_per_language() {
    let section = |key: &str, vi: &str, en: &str, name_en: &str| {
        json!({"id": key, "title": {"vi": vi, "en": en}, "items": [
            {"pointer": format!("/{key}/name"), "widget": "text", "label": {"vi": "Họ và tên:", "en": name_en}},
            {"pointer": format!("/{key}/born"), "widget": "date", "label": {"vi": "Ngày sinh", "en": "Date of birth"}},
            {"pointer": format!("/{key}/alias"), "widget": "text", "label": {"vi": "1. Họ và tên", "en": "Full name"}}
        ]})
    };
    let party = json!({"type": "object", "properties": {
        "name": {"type": "string"}, "born": {"type": "string", "format": "date"},
        "alias": {"type": "string"}
    }, "required": ["name", "born", "alias"]});
    let definition = json!({
        "id": "two-parties", "version": 1, "title": {"vi": "Tờ khai", "en": "Declaration"},
        "dataSchema": {"type": "object", "properties": {"wife": party, "husband": party}, "required": ["wife", "husband"]},
        "pages": [{"id": "p1", "title": {"vi": "Trang", "en": "Page"}, "sections": [
            section("wife", "Người vợ", "The wife", "Wife's full name"),
            section("husband", "Người chồng", "The husband", "Husband's full name")
        ]}]
    });
    let loaded = load(&definition.to_string());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let form = loaded.form.unwrap();
    let data = json!({"wife": {}, "husband": {}});
    let rendered: Vec<String> = form
        .validate(&data, TODAY)
        .iter()
        .map(|d| format!("{} | {}", d.render(Lang::En), d.message.vi))
        .collect();
    expect![[r#"
        error[required] /wife/name: Enter wife's full name. | Vui lòng nhập họ và tên (Người vợ).
        error[required] /wife/born: Enter date of birth (The wife). | Vui lòng nhập ngày sinh (Người vợ).
        error[required] /wife/alias: Enter full name (The wife). | Vui lòng nhập họ và tên (Người vợ).
        error[required] /husband/name: Enter husband's full name. | Vui lòng nhập họ và tên (Người chồng).
        error[required] /husband/born: Enter date of birth (The husband). | Vui lòng nhập ngày sinh (Người chồng).
        error[required] /husband/alias: Enter full name (The husband). | Vui lòng nhập họ và tên (Người chồng)."#]].assert_eq(&rendered.join("\n"));
}

/// Without the meta-schema (the citizen runtime leaves it out), a definition without a data
/// schema still says why there is no form.
#[test]
fn a_definition_without_a_data_schema_says_so_without_the_meta_schema() {
    let render = |v: Value| -> Vec<String> {
        let loaded = form_core::load_value_semantic(&v);
        assert!(loaded.form.is_none());
        loaded
            .diagnostics
            .iter()
            .map(|d| d.render(Lang::En))
            .collect()
    };
    assert_eq!(
        render(json!({"id": "x", "version": 1})),
        ["error[definition-required] /dataSchema: Missing required property \"dataSchema\"."]
    );
    assert_eq!(
        render(json!({"id": "x", "version": 1, "dataSchema": 5, "pages": []})),
        ["error[definition-type] /dataSchema: The value must be a group of fields."]
    );
    assert_eq!(
        render(json!([1])),
        ["error[definition-type] (document): The value must be a group of fields."]
    );
    // With the meta-schema, the same words once.
    for text in [
        r#"{"id": "x", "version": 1}"#,
        r#"{"dataSchema": 5}"#,
        "[1]",
    ] {
        let full = load(text);
        let mut pointers: Vec<&str> = full
            .diagnostics
            .iter()
            .map(|d| d.pointer.as_str())
            .collect();
        let all = pointers.len();
        pointers.dedup();
        assert_eq!(pointers.len(), all, "{text}: {:?}", full.diagnostics);
    }
}

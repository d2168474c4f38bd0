//! Co-signers named by a definition (`signature.coSigners`): found in the data through pointers
//! to fields — one per row through a table — and refused with a pointer when the pointer names
//! no field of the form.

use form_core::load_value;
use serde_json::{Value, json};

fn household_business(signature: Value) -> Value {
    let mut def: Value =
        serde_json::from_str(include_str!("../../schemas/forms/household-business.json")).unwrap();
    def["signature"] = signature;
    def
}

fn example() -> Value {
    serde_json::from_str(include_str!(
        "../../schemas/forms/household-business.example.json"
    ))
    .unwrap()
}

#[test]
fn each_member_of_the_household_is_a_co_signer() {
    let def = household_business(json!({
        "required": true,
        "coSigners": [{
            "idNumber": "/members/*/idNumber",
            "name": "/members/*/fullName",
            "label": {"vi": "Thành viên hộ gia đình", "en": "Household member"}
        }],
        "coSignDays": 5
    }));
    let loaded = load_value(&def);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let form = loaded.form.unwrap();
    let sig = form.definition().signature.clone().unwrap();
    assert_eq!(sig.co_sign_days, 5);
    let mut data = example();
    let parties = sig.parties(&data);
    assert_eq!(parties.len(), 1);
    assert_eq!(parties[0].id_number, "001082007788");
    assert_eq!(parties[0].name.as_deref(), Some("Phạm Quốc Tuấn"));
    assert_eq!(parties[0].at, "/members/0/idNumber");
    assert_eq!(parties[0].label.en, "Household member");
    // A second member, one without an ID number yet, and the first again: two people.
    let members = data["members"].as_array_mut().unwrap();
    members.push(json!({"fullName": "Lê Văn Tám", "idNumber": "001090000008"}));
    members.push(json!({"fullName": "Chưa có số"}));
    members.push(json!({"fullName": "Phạm Quốc Tuấn", "idNumber": "001082007788"}));
    let ids: Vec<_> = sig
        .parties(&data)
        .into_iter()
        .map(|p| (p.at, p.id_number))
        .collect();
    assert_eq!(
        ids,
        [
            ("/members/0/idNumber".to_owned(), "001082007788".to_owned()),
            ("/members/1/idNumber".to_owned(), "001090000008".to_owned())
        ]
    );
    // No members: nobody else signs.
    data["members"] = json!([]);
    assert!(sig.parties(&data).is_empty());
}

#[test]
fn a_pointer_that_names_no_field_is_refused_with_its_place() {
    for (pointer, bad) in [
        ("/spouse/idNumber", "/signature/coSigners/0/idNumber"),
        ("/members/idNumber", "/signature/coSigners/0/idNumber"),
        ("/members/*/idNumber/*/x", "/signature/coSigners/0/idNumber"),
    ] {
        let def = household_business(json!({
            "required": true,
            "coSigners": [{"idNumber": pointer, "label": {"vi": "Vợ", "en": "Wife"}}]
        }));
        let loaded = load_value(&def);
        assert!(loaded.form.is_none(), "{pointer}");
        let found: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.pointer.as_str(), d.code.as_str()))
            .collect();
        assert_eq!(found, [(bad, "co-signer-pointer")], "{pointer}");
    }
    // The shape: a label in both languages, a pointer.
    let def = household_business(json!({
        "required": true,
        "coSigners": [{"idNumber": "members", "label": {"vi": "Vợ"}}]
    }));
    let loaded = load_value(&def);
    assert!(loaded.form.is_none());
    assert!(
        loaded
            .diagnostics
            .iter()
            .any(|d| d.pointer == "/signature/coSigners/0/label/en")
            && loaded
                .diagnostics
                .iter()
                .any(|d| d.pointer == "/signature/coSigners/0/idNumber"),
        "{:?}",
        loaded.diagnostics
    );
}

#[test]
fn a_person_named_twice_is_refused_and_co_signers_need_a_signed_form() {
    let def = household_business(json!({
        "required": true,
        "coSigners": [
            {"idNumber": "/owner/idNumber", "label": {"vi": "Chủ hộ", "en": "Owner"}},
            {"idNumber": "/members/*/idNumber", "label": {"vi": "Thành viên", "en": "Member"}}
        ]
    }));
    let form = load_value(&def).form.unwrap();
    let sig = form.definition().signature.clone().unwrap();
    let mut data = example();
    assert!(sig.repeated(&data).is_empty());
    // The owner listed again as a member, and a member twice.
    let owner = data["owner"]["idNumber"].clone();
    let members = data["members"].as_array_mut().unwrap();
    members.push(json!({"fullName": "Lê Thị Hồng Nhung", "idNumber": owner}));
    members.push(json!({"fullName": "Phạm Quốc Tuấn", "idNumber": " 001082007788 "}));
    let found: Vec<_> = sig
        .repeated(&data)
        .into_iter()
        .map(|d| (d.pointer, d.code))
        .collect();
    assert_eq!(
        found,
        [
            (
                "/members/1/idNumber".to_owned(),
                "co-signer-repeated".to_owned()
            ),
            (
                "/members/2/idNumber".to_owned(),
                "co-signer-repeated".to_owned()
            )
        ]
    );
    // Co-signers on a form the applicant need not sign: refused at load, with its place.
    let def = household_business(json!({
        "required": false,
        "coSigners": [{"idNumber": "/members/*/idNumber", "label": {"vi": "Thành viên", "en": "Member"}}]
    }));
    let loaded = load_value(&def);
    assert!(loaded.form.is_none());
    let found: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.pointer.as_str(), d.code.as_str()))
        .collect();
    assert_eq!(found, [("/signature/required", "co-signers-unsigned")]);
}

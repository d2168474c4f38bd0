//! The data store's checks, prefill and keeping, natively and on wasm32.

use super::*;
use serde_json::{Value, json};
const TODAY: crate::Ymd = (2026, 12, 6);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// A store value as the portal gives it (updated on 2025-07-01).
fn attr(value: Value, source: &str, verified: bool) -> Attribute {
    Attribute {
        value,
        source: source.into(),
        verified,
        updated_at: "2025-07-01T07:00:00.000+07:00".into(),
    }
}

fn catalogue() -> Catalogue {
    Catalogue::from_json(include_str!("../../../schemas/datastore-keys.json")).unwrap()
}

#[test]
fn the_store_address_is_encoded_as_encode_uri_component_and_absent_without_keys() {
    assert_eq!(query_value("a.b-c_d~e!*'()"), "a.b-c_d~e!*'()");
    assert_eq!(query_value("a b,c&d/é"), "a%20b%2Cc%26d%2F%C3%A9");
    // The same encoder with `/` kept: the portal's sign-in `next` (a path).
    assert_eq!(
        crate::percent_encode("/f/ct01?lang=en", b"/"),
        "/f/ct01%3Flang%3Den"
    );
    // A form that binds nothing asks the store for nothing.
    let form = crate::load(include_str!(
        "../../../schemas/forms/household-business.json"
    ))
    .form
    .unwrap();
    assert_eq!(attributes_path(form.definition()), None);
}

#[test]
fn the_catalogue_reads_and_every_key_is_unique() {
    let c = catalogue();
    assert!(c.keys.len() >= 14);
    let mut keys: Vec<&str> = c.keys.iter().map(|k| k.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), c.keys.len());
    assert!(c.get("household.members").is_some());
}

#[test]
fn ct01_bindings_fit_the_catalogue_and_mistakes_are_pointed_at() {
    let c = catalogue();
    let text = include_str!("../../../schemas/forms/ct01.json");
    let form = crate::load(text).form.unwrap();
    assert_eq!(check_bindings(&form, &c), vec![]);
    let mut def: Value = serde_json::from_str(text).unwrap();
    let items = &mut def["pages"][0]["sections"][1]["items"];
    assert_eq!(items[0]["pointer"], "/applicant/fullName");
    items[0]["prefill"] = json!({"key": "citizen.nickname"});
    items[1]["prefill"] = json!({"key": "citizen.fullName"});
    items[2]["prefill"] = json!({"key": "household.head"});
    items[5]["prefill"] = json!({"key": "citizen.email", "lock": "verified"});
    let form = crate::load_value(&def).form.unwrap();
    let found: Vec<(String, String)> = check_bindings(&form, &c)
        .into_iter()
        .map(|d| (d.pointer, d.code))
        .collect();
    let at = "/pages/0/sections/1/items";
    assert_eq!(
        found,
        [
            (format!("{at}/0/prefill/key"), "prefill-key".to_owned()),
            (format!("{at}/1/prefill/key"), "prefill-type".to_owned()),
            (format!("{at}/2/prefill/field"), "prefill-field".to_owned()),
            (format!("{at}/5/prefill/lock"), "prefill-lock".to_owned()),
        ]
    );
}

#[test]
fn prefill_fills_empty_fields_keeps_typed_ones_and_locks_verified_ones() {
    let form = crate::load(include_str!("../../../schemas/forms/ct01.json"))
        .form
        .unwrap();
    let def = form.definition();
    let keys = bound_keys(def);
    assert_eq!(
        keys,
        [
            "citizen.dateOfBirth",
            "citizen.email",
            "citizen.fullName",
            "citizen.idNumber",
            "citizen.phone",
            "citizen.sex",
            "household.head",
            "household.members"
        ]
    );
    // The one address the runtime and the portal's page ask for.
    assert_eq!(
        attributes_path(def).as_deref(),
        Some(
            "/me/attributes?keys=citizen.dateOfBirth,citizen.email,citizen.fullName,\
             citizen.idNumber,citizen.phone,citizen.sex,household.head,household.members\
             &formId=ct01&formVersion=1"
        )
    );
    let npdb = "national-population-db";
    let attributes: std::collections::BTreeMap<String, Attribute> = [
        ("citizen.fullName", attr(json!("Nguyễn Văn An"), npdb, true)),
        ("citizen.dateOfBirth", attr(json!("1990-03-14"), npdb, true)),
        ("citizen.sex", attr(json!("nam"), npdb, true)),
        ("citizen.idNumber", attr(json!("001090012345"), npdb, true)),
        ("citizen.phone", attr(json!("0912345678"), "citizen-declared", false)),
        ("household.head", attr(json!({"fullName": "Nguyễn Văn An", "idNumber": "001090012345", "relationship": "chu-ho"}), npdb, true)),
        ("household.members", attr(json!([
            {"fullName": "Trần Thị Mai", "dateOfBirth": "1992-07-02", "sex": "nu", "idNumber": "001192004567", "relationship": "vo"},
            {"fullName": "Nguyễn Minh Khôi", "sex": "nam", "relationship": "con"}
        ]), npdb, true)),
    ]
    .into_iter()
    .map(|(k, a)| (k.to_owned(), a))
    .collect();
    // A draft where the citizen typed another phone number and another name.
    let draft = json!({"applicant": {"phone": "0987654321", "fullName": "Nguyễn Văn Ân"}, "receivingAgency": "Công an phường Ba Đình"});
    let p = prefill(&form, &draft, &attributes, TODAY);
    assert_eq!(p.data["applicant"]["fullName"], "Nguyễn Văn An");
    assert_eq!(p.data["householdHead"]["relationship"], "chu-ho");
    assert_eq!(
        p.data["applicant"]["phone"], "0987654321",
        "typed values stay"
    );
    assert_eq!(p.differing, ["/applicant/phone"]);
    assert_eq!(
        p.replaced,
        ["/applicant/fullName"],
        "a locked field takes the register's value, and says so"
    );
    assert_eq!(p.data["receivingAgency"], "Công an phường Ba Đình");
    assert_eq!(
        p.data["members"][1],
        json!({"fullName": "Nguyễn Minh Khôi", "sex": "nam", "relationship": "con"})
    );
    assert!(p.locked.contains("/applicant/idNumber"));
    assert!(
        !p.locked.contains("/householdHead/fullName"),
        "the household joined may be another"
    );
    assert!(!p.locked.contains("/applicant/phone"));
    assert!(!p.locked.contains("/members"), "tables are never locked");
    assert_eq!(p.provenance["/applicant/fullName"].source, npdb);
    assert!(
        !p.provenance.contains_key("/applicant/email"),
        "nothing stored, nothing filled"
    );
    // The filled data is valid CT01 data as far as the store reaches (no type errors).
    let errors = form.validate(&p.data, (2026, 11, 25));
    assert!(errors.iter().all(|e| e.code == "required"), "{errors:?}");
}

#[test]
fn only_declared_new_values_are_offered_and_locked_changes_are_found() {
    let form = crate::load(include_str!("../../../schemas/forms/ct01.json"))
        .form
        .unwrap();
    let npdb = "national-population-db";
    let mut attributes: std::collections::BTreeMap<String, Attribute> = [
        ("citizen.fullName", attr(json!("Nguyễn Văn An"), npdb, true)),
        ("citizen.idNumber", attr(json!("001090012345"), npdb, true)),
        (
            "citizen.email",
            attr(json!("an@example.vn"), "citizen-declared", false),
        ),
    ]
    .into_iter()
    .map(|(k, a)| (k.to_owned(), a))
    .collect();
    let data = json!({"applicant": {
        "fullName": "Nguyễn Văn Ân", "idNumber": "001090012345",
        "phone": "0912 345 678", "email": "an@example.vn"
    }});
    // The e-mail is already held, the name is a register's: only the phone is offered.
    let keep = keepable(&form, &catalogue(), &data, &attributes, TODAY);
    assert_eq!(
        keep,
        [Keep {
            key: "citizen.phone".into(),
            pointer: "/applicant/phone".into(),
            value: json!("0912 345 678")
        }]
    );
    attributes.remove("citizen.email");
    let keys: Vec<_> = keepable(&form, &catalogue(), &data, &attributes, TODAY)
        .into_iter()
        .map(|k| k.key)
        .collect();
    assert_eq!(keys, ["citizen.phone", "citizen.email"]);
    // A value not of the key's type is not offered.
    let bad = json!({"applicant": {"phone": "12"}});
    assert!(keepable(&form, &catalogue(), &bad, &attributes, TODAY).is_empty());
    // The name differs from the verified one the form locks; the ID number is equal.
    assert_eq!(
        locked_changed(&form, &data, &attributes, TODAY),
        ["/applicant/fullName"]
    );
    // An unverified value is not a lock; an empty field is left to `required`.
    attributes.get_mut("citizen.fullName").unwrap().verified = false;
    assert!(locked_changed(&form, &data, &attributes, TODAY).is_empty());
    assert!(locked_changed(&form, &json!({}), &attributes, TODAY).is_empty());
}

/// CT01 with a nationality choice of codes, bound to the register's free-text key.
fn with_nationality(binding: Value) -> Value {
    let mut def: Value =
        serde_json::from_str(include_str!("../../../schemas/forms/ct01.json")).unwrap();
    def["dataSchema"]["properties"]["applicant"]["properties"]["nationality"] =
        json!({"type": "string", "enum": ["viet-nam", "khac"]});
    let items = def["pages"][0]["sections"][1]["items"]
        .as_array_mut()
        .unwrap();
    items.push(json!({
        "widget": "select", "pointer": "/applicant/nationality",
        "label": {"vi": "Quốc tịch", "en": "Nationality"},
        "options": [
            {"value": "viet-nam", "label": {"vi": "Việt Nam", "en": "Viet Nam"}},
            {"value": "khac", "label": {"vi": "Khác", "en": "Other"}}
        ],
        "prefill": binding
    }));
    def
}

/// Issue 22, item 2: a free-text key bound to a choice of codes passed `eform check` and
/// locked a value the choice list refused, so the citizen could never submit.
#[test]
fn coded_fields_need_a_map_and_only_valid_values_lock() {
    let c = catalogue();
    let at = "/pages/0/sections/1/items/6/prefill";
    let codes = |def: &Value| -> Vec<(String, String)> {
        let loaded = crate::load_value(def);
        let form = loaded
            .form
            .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics));
        check_bindings(&form, &c)
            .into_iter()
            .map(|d| (d.pointer, d.code))
            .collect()
    };
    let bare = with_nationality(json!({"key": "citizen.nationality", "lock": "verified"}));
    assert_eq!(
        codes(&bare),
        [(format!("{at}/key"), "prefill-choice".to_owned())]
    );
    let wrong = with_nationality(json!({"key": "citizen.nationality",
        "map": {"Việt Nam": "vn", "việt nam ": "viet-nam"}}));
    assert_eq!(
        codes(&wrong),
        [
            (format!("{at}/map/Việt Nam"), "prefill-map-value".to_owned()),
            (format!("{at}/map/việt nam "), "prefill-map".to_owned()),
        ]
    );
    let table = {
        let mut d = with_nationality(json!({"key": "citizen.nationality"}));
        d["pages"][0]["sections"][1]["items"][6]["prefill"] =
            json!({"key": "household.members", "map": {"a": "b"}});
        d
    };
    assert!(codes(&table).contains(&(format!("{at}/map"), "prefill-map".to_owned())));
    let mut relationship: Value =
        serde_json::from_str(include_str!("../../../schemas/forms/ct01.json")).unwrap();
    let head = relationship["pages"][0]["sections"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|s| s["items"].as_array_mut().unwrap().iter_mut())
        .find(|i| i["pointer"] == "/householdHead/relationship")
        .unwrap();
    head["options"]
        .as_array_mut()
        .unwrap()
        .retain(|o| o["value"] != "ong");
    relationship["dataSchema"]["properties"]["householdHead"]["properties"]["relationship"]["enum"]
        .as_array_mut()
        .unwrap()
        .retain(|v| v != "ong");
    let found = codes(&relationship);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].1, "prefill-choice",
        "a relationship code the field lacks"
    );

    let good = with_nationality(json!({"key": "citizen.nationality", "lock": "verified",
        "map": {"Việt Nam": "viet-nam", "Viet Nam": "viet-nam"}}));
    assert_eq!(codes(&good), []);
    let form = crate::load_value(&good).form.unwrap();
    let npdb = "national-population-db";
    let store = |nationality: &str, id: &str| -> std::collections::BTreeMap<String, Attribute> {
        [
            ("citizen.nationality", attr(json!(nationality), npdb, true)),
            ("citizen.idNumber", attr(json!(id), npdb, true)),
        ]
        .into_iter()
        .map(|(k, a)| (k.to_owned(), a))
        .collect()
    };
    // Case and spaces aside, the register's text maps to the code, which locks.
    let p = prefill(
        &form,
        &json!({}),
        &store(" VIỆT NAM", "001090012345"),
        TODAY,
    );
    assert_eq!(p.data["applicant"]["nationality"], "viet-nam");
    assert!(p.locked.contains("/applicant/nationality"));
    assert!(p.locked.contains("/applicant/idNumber"));
    // A text the map does not list fills nothing; an old 9-digit ID number is filled for the
    // citizen to correct, not locked (nor refused on intake when corrected).
    let p = prefill(&form, &json!({}), &store("Lào", "012345678"), TODAY);
    assert_eq!(p.data["applicant"].get("nationality"), None);
    assert_eq!(p.data["applicant"]["idNumber"], "012345678");
    assert!(!p.locked.contains("/applicant/idNumber"));
    let typed = json!({"applicant": {"idNumber": "001090012345", "nationality": "khac"}});
    assert!(locked_changed(&form, &typed, &store("Lào", "012345678"), TODAY).is_empty());
    assert_eq!(
        locked_changed(&form, &typed, &store("Viet Nam", "012345678"), TODAY),
        ["/applicant/nationality"]
    );
}

/// Issue 22, item 3: in a declaration by two parties the applicant's identity goes into
/// whichever party they say they are, follows when they change their answer, and locks
/// only there.
#[test]
fn bindings_follow_the_party_the_applicant_is() {
    let text = include_str!("../../../schemas/forms/marriage-registration.json");
    let form = crate::load(text).form.unwrap();
    assert_eq!(check_bindings(&form, &catalogue()), []);
    let npdb = "national-population-db";
    let attributes: std::collections::BTreeMap<String, Attribute> = [
        ("citizen.fullName", attr(json!("Nguyễn Văn An"), npdb, true)),
        ("citizen.dateOfBirth", attr(json!("1990-03-14"), npdb, true)),
        ("citizen.idNumber", attr(json!("001090012345"), npdb, true)),
        ("citizen.ethnicity", attr(json!("Kinh"), npdb, true)),
        ("citizen.nationality", attr(json!("Việt Nam"), npdb, true)),
        (
            "citizen.currentAddress",
            attr(
                json!({"province": "01", "commune": "00004", "street": "Số 12"}),
                npdb,
                true,
            ),
        ),
    ]
    .into_iter()
    .map(|(k, a)| (k.to_owned(), a))
    .collect();
    // No answer yet: neither party is filled.
    let p = prefill(&form, &json!({}), &attributes, TODAY);
    assert!(p.provenance.is_empty() && p.data.get("husband").is_none());
    // "I am the man": the man's part is the applicant's, locked where verified.
    let p = prefill(
        &form,
        &json!({"applicantIs": "ben-nam"}),
        &attributes,
        TODAY,
    );
    assert_eq!(p.data["husband"]["fullName"], "Nguyễn Văn An");
    assert!(p.locked.contains("/husband/idNumber"));
    assert!(
        !p.locked.contains("/husband/residence"),
        "an address is not locked"
    );
    assert!(p.data.get("wife").is_none());
    // The applicant corrects their address, had typed a name in the woman's part, then
    // answers "the woman" instead: what was filled and left alone goes back, the corrected
    // address stays, the woman's part takes the identity (the typed name is put aside).
    let mut data = p.data.clone();
    data["husband"]["residence"]["street"] = json!("Số 14");
    data["wife"] = json!({"fullName": "Trần Thị Bình", "marriageCount": 1});
    let before = data.clone();
    data["applicantIs"] = json!("ben-nu");
    let mut displaced = Displaced::new();
    let q = prefill_again(
        &form,
        &before,
        &data,
        &attributes,
        TODAY,
        &p,
        &mut displaced,
    )
    .unwrap();
    assert_eq!(q.data["wife"]["fullName"], "Nguyễn Văn An");
    assert_eq!(q.data["wife"]["marriageCount"], 1);
    assert_eq!(q.replaced, ["/wife/fullName"]);
    assert_eq!(q.data["husband"].get("fullName"), None);
    assert_eq!(q.data["husband"]["residence"]["street"], "Số 14");
    assert!(q.locked.contains("/wife/idNumber") && !q.locked.contains("/husband/idNumber"));
    assert!(!q.provenance.contains_key("/husband/fullName"));
    // A field the citizen empties stays empty while nothing changes in force.
    let mut emptied = q.data.clone();
    emptied["wife"].as_object_mut().unwrap().remove("ethnicity");
    let r = prefill_again(
        &form,
        &q.data,
        &emptied,
        &attributes,
        TODAY,
        &q,
        &mut displaced,
    )
    .unwrap();
    assert_eq!(r.data, emptied);
    // Back to "the man": the woman's part gets the typed name back.
    let mut back = q.data.clone();
    back["applicantIs"] = json!("ben-nam");
    let r = prefill_again(
        &form,
        &q.data,
        &back,
        &attributes,
        TODAY,
        &q,
        &mut displaced,
    )
    .unwrap();
    assert_eq!(r.data["wife"]["fullName"], "Trần Thị Bình");
    assert_eq!(r.data["wife"].get("idNumber"), None);
    assert_eq!(r.data["husband"]["fullName"], "Nguyễn Văn An");
    assert!(displaced.is_empty());
    // The portal holds the lock where the binding is in force, and only there.
    let mut sent = q.data.clone();
    sent["husband"]["fullName"] = json!("Lê Văn Chồng");
    assert!(locked_changed(&form, &sent, &attributes, TODAY).is_empty());
    sent["wife"]["fullName"] = json!("Trần Thị Vợ");
    assert_eq!(
        locked_changed(&form, &sent, &attributes, TODAY),
        ["/wife/fullName"]
    );
    // Nothing to follow on a form without such bindings.
    let ct01 = crate::load(include_str!("../../../schemas/forms/ct01.json"))
        .form
        .unwrap();
    let none = prefill_again(
        &ct01,
        &json!({}),
        &json!({"a": 1}),
        &attributes,
        TODAY,
        &p,
        &mut Displaced::new(),
    );
    assert!(none.is_none());
    // A `when` that is no rule is refused where it is written.
    let mut def: Value = serde_json::from_str(text).unwrap();
    def["pages"][0]["sections"][2]["items"][0]["prefill"]["when"] = json!("applicantIs = ");
    let loaded = crate::load_value(&def);
    assert_eq!(
        loaded
            .diagnostics
            .iter()
            .map(|d| d.pointer.as_str())
            .collect::<Vec<_>>(),
        ["/pages/0/sections/2/items/0/prefill/when"]
    );
}

#[test]
fn values_fit_their_types() {
    let c = catalogue();
    let ok = [
        ("citizen.fullName", json!("Nguyễn Văn An")),
        ("citizen.dateOfBirth", json!("1990-03-14")),
        ("citizen.sex", json!("nu")),
        ("citizen.idNumber", json!("001090012345")),
        ("citizen.phone", json!("0912 345 678")),
        ("citizen.phone", json!("+84912345678")),
        ("citizen.email", json!("an@example.vn")),
        (
            "citizen.permanentAddress",
            json!({"province": "01", "commune": "00004", "street": "Số 12"}),
        ),
        (
            "household.members",
            json!([{"fullName": "Trần Thị Mai", "sex": "nu", "idNumber": "001192004567"}]),
        ),
    ];
    for (k, v) in ok {
        assert_eq!(c.check(k, &v), Ok(()), "{k} {v}");
    }
    let bad = [
        ("citizen.fullName", json!("")),
        ("citizen.fullName", json!(12)),
        ("citizen.dateOfBirth", json!("14/03/1990")),
        ("citizen.sex", json!("male")),
        ("citizen.idNumber", json!("12345")),
        ("citizen.phone", json!("12345")),
        ("citizen.email", json!("an@")),
        ("citizen.permanentAddress", json!({"province": "01"})),
        (
            "citizen.permanentAddress",
            json!({"province": "01", "commune": "00004", "city": "x"}),
        ),
        ("household.members", json!([{"sex": "nu"}])),
        (
            "household.members",
            json!([{"fullName": "A", "password": "x"}]),
        ),
        ("unknown.key", json!("x")),
    ];
    for (k, v) in bad {
        assert!(c.check(k, &v).is_err(), "{k} {v} should be refused");
    }
}

//! Drafts carried over to a new version of their form (`Form::carry_over`, `migrations`): moved
//! data lands where the new version declares, what it has no field for is listed with the old
//! label, and — on every real form, for any draft — nothing is lost without being listed and
//! nothing is invented. Native only (proptest), like the other property tests.
#![cfg(not(target_arch = "wasm32"))]

use form_core::{load, load_value};
use proptest::prelude::*;
use serde_json::{Value, json};

const FORMS: &[(&str, &str)] = &[
    (
        include_str!("../../schemas/forms/ct01.json"),
        include_str!("../../schemas/forms/ct01.example.json"),
    ),
    (
        include_str!("../../schemas/forms/birth-registration.json"),
        include_str!("../../schemas/forms/birth-registration.example.json"),
    ),
    (
        include_str!("../../schemas/forms/household-business.json"),
        include_str!("../../schemas/forms/household-business.example.json"),
    ),
    (
        include_str!("../../schemas/forms/judicial-record.json"),
        include_str!("../../schemas/forms/judicial-record.example.json"),
    ),
    (
        include_str!("../../schemas/forms/marriage-registration.json"),
        include_str!("../../schemas/forms/marriage-registration.example.json"),
    ),
    (
        include_str!("../../schemas/forms/pit-finalisation.json"),
        include_str!("../../schemas/forms/pit-finalisation.example.json"),
    ),
];

/// Every leaf of `v` as (pointer, value text), objects and lists walked.
fn leaves(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                leaves(c, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                leaves(c, &format!("{at}/{i}"), out);
            }
        }
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        other => out.push((at.to_owned(), other.to_string())),
    }
}

/// CT01 as a version 2: `/request` moved to `/requestDetails/text`, the household head's
/// section gone.
fn ct01_v2() -> Value {
    let mut d: Value = serde_json::from_str(include_str!("../../schemas/forms/ct01.json")).unwrap();
    d["version"] = json!(2);
    let schema = &mut d["dataSchema"];
    let request = schema["properties"]["request"].take();
    schema["properties"]
        .as_object_mut()
        .unwrap()
        .remove("request");
    schema["properties"]["requestDetails"] = json!({
        "type": "object", "additionalProperties": false, "required": ["text"],
        "properties": {"text": request}
    });
    let required = schema["required"].as_array_mut().unwrap();
    required.retain(|r| r != "request" && r != "householdHead");
    required.push(json!("requestDetails"));
    schema["properties"]
        .as_object_mut()
        .unwrap()
        .remove("householdHead");
    for page in d["pages"].as_array_mut().unwrap() {
        for section in page["sections"].as_array_mut().unwrap() {
            let items = section["items"].as_array_mut().unwrap();
            items.retain(|i| {
                !i["pointer"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/householdHead"))
            });
            for i in items.iter_mut() {
                if i["pointer"] == "/request" {
                    i["pointer"] = json!("/requestDetails/text");
                }
                // Rules that read the gone section or the moved field are left out of the test
                // form.
                if let Some(o) = i.as_object_mut() {
                    for k in ["visibleIf", "requiredIf", "constraints", "compute"] {
                        o.remove(k);
                    }
                }
            }
            section.as_object_mut().unwrap().remove("visibleIf");
        }
        page["sections"]
            .as_array_mut()
            .unwrap()
            .retain(|s| !s["items"].as_array().unwrap().is_empty());
    }
    d["migrations"] =
        json!([{"from": 1, "moves": [{"from": "/request", "to": "/requestDetails/text"}]}]);
    d
}

#[test]
fn a_draft_of_version_1_lands_on_version_2_and_what_has_no_place_is_listed() {
    let v2 = ct01_v2();
    let loaded = load_value(&v2);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let new = loaded.form.unwrap();
    let old = load(include_str!("../../schemas/forms/ct01.json"))
        .form
        .unwrap();
    let draft: Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.example.json")).unwrap();
    let c = new.carry_over(&draft, 1, Some(&old));
    assert_eq!(c.data["requestDetails"]["text"], draft["request"]);
    assert!(c.data.get("request").is_none());
    assert!(c.data.get("householdHead").is_none());
    assert_eq!(c.data["applicant"], draft["applicant"], "the rest stays");
    let gone: Vec<(String, Option<String>)> = c
        .dropped
        .iter()
        .map(|d| (d.pointer.clone(), d.label.as_ref().map(|l| l.en.clone())))
        .collect();
    assert!(!gone.is_empty());
    assert!(
        gone.iter()
            .all(|(p, l)| p.starts_with("/householdHead/") && l.is_some()),
        "{gone:?}"
    );
    // Without the old definition: the same data, the places without labels.
    let bare = new.carry_over(&draft, 1, None);
    assert_eq!(bare.data, c.data);
    assert!(bare.dropped.iter().all(|d| d.label.is_none()));
    // A draft of a version without a migration: everything stays where it was.
    let same = old.carry_over(&draft, 1, None);
    assert_eq!(same.data, draft);
    assert!(same.dropped.is_empty());
}

#[test]
fn moves_may_swap_fields_and_a_value_they_displace_is_listed() {
    let old = load(include_str!("../../schemas/forms/ct01.json"))
        .form
        .unwrap();
    let draft: Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.example.json")).unwrap();
    let mut v2 = ct01_v2();
    v2["migrations"] = json!([{"from": 1, "moves": [
        {"from": "/applicant/phone", "to": "/applicant/email"},
        {"from": "/applicant/email", "to": "/applicant/phone"},
        {"from": "/request", "to": "/applicant/fullName"}
    ]}]);
    let new = load_value(&v2).form.unwrap();
    let c = new.carry_over(&draft, 1, Some(&old));
    assert_eq!(c.data["applicant"]["email"], draft["applicant"]["phone"]);
    assert_eq!(c.data["applicant"]["phone"], draft["applicant"]["email"]);
    assert_eq!(c.data["applicant"]["fullName"], draft["request"]);
    let name = c
        .dropped
        .iter()
        .find(|d| d.pointer == "/applicant/fullName")
        .expect("the displaced name is listed");
    assert_eq!(name.value, draft["applicant"]["fullName"].as_str().unwrap());
    assert!(name.label.is_some());
}

#[test]
fn a_migration_must_come_from_before_and_land_on_a_field() {
    let mut v2 = ct01_v2();
    v2["migrations"] = json!([
        {"from": 2, "moves": []},
        {"from": 1, "moves": [
            {"from": "/request", "to": "/nowhere"},
            {"from": "/members/*/fullName", "to": "/members/*/name"}
        ]}
    ]);
    let loaded = load_value(&v2);
    let found: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.pointer.as_str(), d.code.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("/migrations/0/from", "migration-version"),
            ("/migrations/1/moves/0/to", "migration-pointer"),
            ("/migrations/1/moves/1/from", "migration-pointer"),
            ("/migrations/1/moves/1/to", "migration-pointer")
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any draft of any real form (its example with any values left out), carried to the same
    /// form and to CT01's version 2: every value of the draft is either in the result or
    /// listed, and every value of the result was in the draft.
    #[test]
    fn nothing_is_lost_unlisted_nor_invented(form in 0..FORMS.len(), keep in proptest::collection::vec(any::<bool>(), 400)) {
        let (def, example) = FORMS[form];
        let f = load(def).form.unwrap();
        let example: Value = serde_json::from_str(example).unwrap();
        let mut all = Vec::new();
        leaves(&example, "", &mut all);
        let mut draft = example.clone();
        for (i, (p, _)) in all.iter().enumerate() {
            if !keep[i % keep.len()]
                && let Some(v) = draft.pointer_mut(p)
            {
                *v = Value::Null;
            }
        }
        let mut before = Vec::new();
        leaves(&draft, "", &mut before);
        before.sort();
        let version = f.definition().version;
        // Carried to its own form: every value stays where it was, nothing is listed.
        let same = f.carry_over(&draft, version, None);
        let mut after = Vec::new();
        leaves(&same.data, "", &mut after);
        after.sort();
        prop_assert_eq!(&after, &before);
        prop_assert!(same.dropped.is_empty());
        // Carried to CT01's version 2 (`/request` moved): each value is at its mapped place
        // or listed at its old one, and each value there came from the draft.
        let v2 = load_value(&ct01_v2()).form.unwrap();
        let c = v2.carry_over(&draft, 1, None);
        let mapped = |p: &str| match p.strip_prefix("/request") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/requestDetails/text{rest}"),
            _ => p.to_owned(),
        };
        let mut after = Vec::new();
        leaves(&c.data, "", &mut after);
        for (p, v) in &before {
            let kept = after.contains(&(mapped(p), v.clone()));
            let listed = c.dropped.iter().any(|d| p == &d.pointer || p.starts_with(&format!("{}/", d.pointer)));
            prop_assert!(kept || listed, "{} = {} lost without a word", p, v);
        }
        let moved: Vec<(String, String)> = before.iter().map(|(p, v)| (mapped(p), v.clone())).collect();
        for leaf in &after {
            prop_assert!(moved.contains(leaf), "{:?} was not in the draft", leaf);
        }
    }
}

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
fn a_migration_must_come_from_before_and_land_on_a_field() {
    let mut v2 = ct01_v2();
    v2["migrations"] = json!([
        {"from": 2, "moves": []},
        {"from": 1, "moves": [{"from": "/request", "to": "/nowhere"}]}
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
            ("/migrations/1/moves/0/to", "migration-pointer")
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
        let version = f.definition().version;
        let v2 = load_value(&ct01_v2()).form.unwrap();
        for (target, from) in [(&f, version), (&v2, 1)] {
            let c = target.carry_over(&draft, from, None);
            let mut after = Vec::new();
            leaves(&c.data, "", &mut after);
            let values_after: Vec<String> = after.iter().map(|(_, v)| v.clone()).collect();
            // Nothing invented: each value of the result is one of the draft's.
            let mut pool: Vec<String> = before.iter().map(|(_, v)| v.clone()).collect();
            for v in &values_after {
                let at = pool.iter().position(|x| x == v);
                prop_assert!(at.is_some(), "{v} was not in the draft");
                pool.remove(at.unwrap());
            }
            // Nothing lost unlisted: what is not in the result is under a listed place.
            for (p, v) in &before {
                let kept = after.iter().any(|(_, w)| w == v);
                let listed = c.dropped.iter().any(|d| p == &d.pointer || p.starts_with(&format!("{}/", d.pointer)));
                prop_assert!(kept || listed, "{p} = {v} lost without a word");
            }
        }
        // On its own form, nothing at all is dropped.
        prop_assert!(f.carry_over(&draft, version, None).dropped.is_empty());
    }
}

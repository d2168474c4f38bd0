//! The change summary between two versions of a form (the builder's version list), on CT01.

use form_core::Definition;
use form_core::changes::{Summary, summary};
use serde_json::{Value, json};

const CT01: &str = include_str!("../../schemas/forms/ct01.json");

fn ct01() -> Value {
    serde_json::from_str(CT01).unwrap()
}

fn def(v: &Value) -> Definition {
    serde_json::from_value(v.clone()).unwrap()
}

fn pointers(f: &[form_core::changes::FieldRef]) -> Vec<&str> {
    f.iter().map(|f| f.pointer.as_str()).collect()
}

#[test]
fn the_same_form_has_no_changes() {
    let a = def(&ct01());
    assert!(summary(&a, &a).is_empty());
    // A new version number alone changes nothing a citizen sees.
    let mut b = ct01();
    b["version"] = json!(7);
    assert_eq!(summary(&a, &def(&b)), Summary::default());
}

#[test]
fn labels_rules_schema_constraints_and_requiredness_are_changes() {
    let a = def(&ct01());
    let find_table = |v: &Value| -> String {
        // The members table's place in the layout (found, not assumed).
        for (pi, p) in v["pages"].as_array().unwrap().iter().enumerate() {
            for (si, s) in p["sections"].as_array().unwrap().iter().enumerate() {
                for (ii, i) in s["items"].as_array().unwrap().iter().enumerate() {
                    if i["pointer"] == "/members" {
                        return format!("/pages/{pi}/sections/{si}/items/{ii}");
                    }
                }
            }
        }
        panic!("no members table")
    };
    let mut b = ct01();
    let at = find_table(&b);
    // A column's label.
    *b.pointer_mut(&format!("{at}/columns/0/label/vi")).unwrap() = json!("Họ và tên");
    // The schema of a column: a length limit, and its requiredness.
    b["dataSchema"]["properties"]["members"]["items"]["properties"]["fullName"]["maxLength"] =
        json!(50);
    let req = b["dataSchema"]["properties"]["members"]["items"]["required"]
        .as_array_mut()
        .unwrap();
    req.retain(|k| k != "sex");
    let s = summary(&a, &def(&b));
    assert_eq!(
        pointers(&s.changed),
        ["/members/*/fullName", "/members/*/sex"]
    );
    assert_eq!(s.changed[0].label.as_ref().unwrap().vi, "Họ và tên");
    assert!(
        s.added.is_empty() && s.removed.is_empty() && s.form.is_empty(),
        "{s:?}"
    );
}

#[test]
fn fields_added_removed_and_form_properties() {
    let a = def(&ct01());
    let mut b = ct01();
    // Remove the first item of the first section; add a column to the table.
    let first = b["pages"][0]["sections"][0]["items"][0]["pointer"]
        .as_str()
        .unwrap()
        .to_owned();
    b["pages"][0]["sections"][0]["items"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    for p in b["pages"].as_array_mut().unwrap() {
        for s in p["sections"].as_array_mut().unwrap() {
            for i in s["items"].as_array_mut().unwrap() {
                if i["pointer"] == "/members" {
                    i["columns"].as_array_mut().unwrap().push(json!({"widget": "text", "pointer": "/note", "label": {"vi": "Ghi chú", "en": "Note"}}));
                }
            }
        }
    }
    b["dataSchema"]["properties"]["members"]["items"]["properties"]["note"] =
        json!({"type": "string"});
    b["title"]["en"] = json!("Another title");
    b["signature"] = json!({"required": true});
    let s = summary(&a, &def(&b));
    assert_eq!(pointers(&s.added), ["/members/*/note"]);
    assert_eq!(pointers(&s.removed), [first.as_str()]);
    assert!(
        s.form.contains(&"title") && s.form.contains(&"signature") && s.form.contains(&"layout"),
        "{:?}",
        s.form
    );
    // A first version: every field is new.
    let all = Summary::new_form(&a);
    let with_pointer = |items: &Value| {
        items
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i.get("pointer").is_some())
            .count()
    };
    let mut fields = 0;
    for p in ct01()["pages"].as_array().unwrap() {
        for s in p["sections"].as_array().unwrap() {
            fields += with_pointer(&s["items"]);
            for i in s["items"].as_array().unwrap() {
                if let Some(c) = i.get("columns") {
                    fields += with_pointer(c);
                }
            }
        }
    }
    assert_eq!(all.added.len(), fields);
    assert!(all.removed.is_empty() && all.changed.is_empty());
}

//! The builder's editing operations keep the layout and the data schema in step, and what they
//! make passes the full check.

use form_core::edit::{self, ALL, At};
use form_core::{Widget, load};
use serde_json::{Value, json};

fn skeleton() -> Value {
    json!({
        "id": "thu", "version": 1, "title": {"vi": "Thử", "en": "Test"},
        "dataSchema": {"type": "object", "properties": {}, "required": []},
        "pages": [{"id": "page-1", "title": {"vi": "Trang 1", "en": "Page 1"}, "sections": [
            {"id": "section-1", "title": {"vi": "Mục 1", "en": "Section 1"}, "items": []}
        ]}],
    })
}

fn errors(def: &Value) -> Vec<String> {
    load(&def.to_string())
        .errors()
        .map(|d| format!("{} {}", d.pointer, d.message.en))
        .collect()
}

#[test]
fn every_widget_added_makes_a_valid_form() {
    let mut def = skeleton();
    for (i, w) in ALL.iter().enumerate() {
        let at = edit::add_item(&mut def, 0, 0, i, *w).unwrap();
        assert_eq!(at, At::item(0, 0, i));
    }
    assert_eq!(errors(&def), Vec::<String>::new(), "{def:#}");
    // The table gets a column of every kind a column can be.
    let table = At::item(0, 0, ALL.iter().position(|w| *w == Widget::Table).unwrap());
    for w in ALL
        .iter()
        .filter(|w| !matches!(w, Widget::Table | Widget::Static))
    {
        edit::add_column(&mut def, table, *w).unwrap();
    }
    assert!(edit::add_column(&mut def, table, Widget::Table).is_err());
    assert_eq!(errors(&def), Vec::<String>::new(), "{def:#}");
    // Keys are fresh: field1, field2, … and the table's own field1, field2, …
    assert_eq!(
        def["pages"][0]["sections"][0]["items"][0]["pointer"],
        "/field1"
    );
    assert!(
        def["dataSchema"]["properties"]["field16"]["items"]["properties"]["field15"].is_object()
    );
}

#[test]
fn renaming_requiring_and_removing_follow_the_schema() {
    let mut def = skeleton();
    let a = edit::add_item(&mut def, 0, 0, 0, Widget::Text).unwrap();
    let b = edit::add_item(&mut def, 0, 0, 1, Widget::Date).unwrap();
    edit::set_required(&mut def, a, true).unwrap();
    assert!(edit::is_required(&def, a) && !edit::is_required(&def, b));
    edit::rename_key(&mut def, a, "hoTen").unwrap();
    assert_eq!(
        def["pages"][0]["sections"][0]["items"][0]["pointer"],
        "/hoTen"
    );
    assert_eq!(def["dataSchema"]["required"], json!(["hoTen"]));
    assert!(def["dataSchema"]["properties"]["field1"].is_null());
    // A key in use, or not a key, changes nothing.
    let before = def.clone();
    assert!(edit::rename_key(&mut def, b, "hoTen").is_err());
    assert!(edit::rename_key(&mut def, b, "1 bad").is_err());
    assert_eq!(def, before);
    edit::remove(&mut def, a).unwrap();
    assert_eq!(def["dataSchema"]["required"], json!([]));
    assert!(def["dataSchema"]["properties"]["hoTen"].is_null());
    assert_eq!(
        def["pages"][0]["sections"][0]["items"][0]["pointer"],
        "/field2"
    );
    assert_eq!(errors(&def), Vec::<String>::new());
    // A table column: required in the row schema, renamed, removed.
    let t = edit::add_item(&mut def, 0, 0, 1, Widget::Table).unwrap();
    let c = edit::add_column(&mut def, t, Widget::Text).unwrap();
    edit::set_required(&mut def, c, true).unwrap();
    edit::rename_key(&mut def, c, "ten").unwrap();
    let key = def["pages"][0]["sections"][0]["items"][1]["pointer"]
        .as_str()
        .unwrap()
        .trim_start_matches('/')
        .to_owned();
    assert_eq!(
        def["dataSchema"]["properties"][&key]["items"]["required"],
        json!(["ten"])
    );
    assert_eq!(errors(&def), Vec::<String>::new());
    edit::remove(&mut def, c).unwrap();
    assert_eq!(
        def["dataSchema"]["properties"][&key]["items"]["required"],
        json!([])
    );
}

#[test]
fn the_keyboard_reaches_every_place() {
    let mut def = skeleton();
    edit::add_section(&mut def, 0, 1).unwrap();
    edit::add_page(&mut def, 1).unwrap();
    // An empty section is reported until it has a field; ids stay unique across pages.
    assert!(
        errors(&def)
            .iter()
            .any(|e| e.starts_with("/pages/0/sections/1/items")),
        "{:?}",
        errors(&def)
    );
    edit::add_item(&mut def, 0, 1, 0, Widget::Checkbox).unwrap();
    edit::add_item(&mut def, 1, 0, 0, Widget::Email).unwrap();
    let a = edit::add_item(&mut def, 0, 0, 0, Widget::Text).unwrap();
    edit::add_item(&mut def, 0, 0, 1, Widget::Number).unwrap();
    // Down within the section, then out of it into the next section, then the next page.
    let a = edit::step(&mut def, a, 1).unwrap();
    assert_eq!(a, At::item(0, 0, 1));
    let a = edit::step(&mut def, a, 1).unwrap();
    assert_eq!(a, At::item(0, 1, 0), "into the next section, first");
    let a = edit::step(&mut def, a, 1).unwrap();
    assert_eq!(a, At::item(0, 1, 1));
    let a = edit::step(&mut def, a, 1).unwrap();
    assert_eq!(a, At::item(1, 0, 0), "onto the next page");
    let a = edit::step(&mut def, a, 1).unwrap();
    assert_eq!(a, At::item(1, 0, 1));
    assert!(edit::step(&mut def, a, 1).is_err(), "the last place");
    // And back up, to the end of the previous section.
    let a = edit::step(&mut def, a, -1).unwrap();
    let a = edit::step(&mut def, a, -1).unwrap();
    assert_eq!(a, At::item(0, 1, 1));
    let a = edit::step(&mut def, a, -1).unwrap();
    let a = edit::step(&mut def, a, -1).unwrap();
    assert_eq!(a, At::item(0, 0, 1));
    assert_eq!(
        def["pages"][0]["sections"][0]["items"][1]["pointer"],
        "/field3"
    );
    assert_eq!(errors(&def), Vec::<String>::new());
    // Nowhere: an error, nothing changed.
    let before = def.clone();
    assert!(edit::step(&mut def, At::item(5, 0, 0), 1).is_err());
    assert!(edit::remove(&mut def, At::item(0, 0, 9)).is_err());
    assert!(edit::add_item(&mut def, 3, 0, 0, Widget::Text).is_err());
    assert_eq!(def, before);
}

#[test]
fn missing_translations_are_found() {
    let mut def = skeleton();
    let a = edit::add_item(&mut def, 0, 0, 0, Widget::Select).unwrap();
    assert!(edit::missing_translations(&def).is_empty());
    def["pages"][0]["sections"][0]["items"][0]["label"]["en"] = json!("");
    def["pages"][0]["sections"][0]["items"][0]["options"][1]["label"]["vi"] = json!(" ");
    assert_eq!(
        edit::missing_translations(&def),
        [
            format!("{}/label", a.pointer()),
            format!("{}/options/1/label", a.pointer())
        ]
    );
}

#[test]
fn choices_and_limits_follow_the_schema() {
    let mut def = skeleton();
    let s = edit::add_item(&mut def, 0, 0, 0, Widget::Select).unwrap();
    let m = edit::add_item(&mut def, 0, 0, 1, Widget::MultiSelect).unwrap();
    let choices = [
        edit::Choice {
            value: "nam".into(),
            label: form_core::Text::new("Nam", "Male"),
        },
        edit::Choice {
            value: "nu".into(),
            label: form_core::Text::new("Nữ", "Female"),
        },
    ];
    edit::set_options(&mut def, s, &choices).unwrap();
    edit::set_options(&mut def, m, &choices).unwrap();
    assert_eq!(
        def["dataSchema"]["properties"]["field1"]["enum"],
        json!(["nam", "nu"])
    );
    assert_eq!(
        def["dataSchema"]["properties"]["field2"]["items"]["enum"],
        json!(["nam", "nu"])
    );
    assert_eq!(
        def["pages"][0]["sections"][0]["items"][0]["options"][1]["label"]["en"],
        "Female"
    );
    assert_eq!(errors(&def), Vec::<String>::new());
    // Two choices with one value, or an empty value: refused, nothing changed.
    let before = def.clone();
    let twice = [choices[0].clone(), choices[0].clone()];
    assert!(edit::set_options(&mut def, s, &twice).is_err());
    let empty = [edit::Choice {
        value: " ".into(),
        label: form_core::Text::new("x", "x"),
    }];
    assert!(edit::set_options(&mut def, s, &empty).is_err());
    assert_eq!(def, before);
    // Limits on a text field's schema.
    let t = edit::add_item(&mut def, 0, 0, 2, Widget::Text).unwrap();
    edit::set_keyword(&mut def, t, "minLength", Some(json!(2))).unwrap();
    edit::set_keyword(&mut def, t, "pattern", Some(json!("^[A-Z]"))).unwrap();
    assert_eq!(edit::keyword(&def, t, "minLength"), Some(json!(2)));
    edit::set_keyword(&mut def, t, "maxLength", None).unwrap();
    assert_eq!(edit::keyword(&def, t, "maxLength"), None);
    assert!(
        edit::set_keyword(&mut def, t, "type", Some(json!("number"))).is_err(),
        "not a limit"
    );
    assert_eq!(errors(&def), Vec::<String>::new());
}

/// The pointers of section `s` of page `p`, in order.
fn keys(def: &Value, p: usize, s: usize) -> Vec<String> {
    def["pages"][p]["sections"][s]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["pointer"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn drag_and_drop_moves_to_any_place() {
    let mut def = skeleton();
    edit::add_section(&mut def, 0, 1).unwrap();
    for i in 0..4 {
        edit::add_item(&mut def, 0, 0, i, Widget::Text).unwrap();
    }
    edit::add_item(&mut def, 0, 1, 0, Widget::Number).unwrap();
    assert_eq!(
        keys(&def, 0, 0),
        ["/field1", "/field2", "/field3", "/field4"]
    );
    // Down within the section: dropped before the fourth, it lands third.
    let at = edit::move_to(&mut def, At::item(0, 0, 0), At::item(0, 0, 3)).unwrap();
    assert_eq!(at, At::item(0, 0, 2));
    assert_eq!(
        keys(&def, 0, 0),
        ["/field2", "/field3", "/field1", "/field4"]
    );
    // Up, and to the very end.
    let at = edit::move_to(&mut def, At::item(0, 0, 3), At::item(0, 0, 0)).unwrap();
    assert_eq!(at, At::item(0, 0, 0));
    let at = edit::move_to(&mut def, at, At::item(0, 0, 4)).unwrap();
    assert_eq!(at, At::item(0, 0, 3));
    assert_eq!(
        keys(&def, 0, 0),
        ["/field2", "/field3", "/field1", "/field4"]
    );
    // Into another section, after its field.
    let at = edit::move_to(&mut def, At::item(0, 0, 1), At::item(0, 1, 1)).unwrap();
    assert_eq!(at, At::item(0, 1, 1));
    assert_eq!(keys(&def, 0, 1), ["/field5", "/field3"]);
    assert_eq!(errors(&def), Vec::<String>::new());
    // Columns move within their table only; a field does not go into a table.
    let table = edit::add_item(&mut def, 0, 1, 2, Widget::Table).unwrap();
    edit::add_column(&mut def, table, Widget::Date).unwrap();
    let col = |c| At {
        column: Some(c),
        ..table
    };
    let columns = |def: &Value| -> Vec<String> {
        def.pointer(&format!("{}/columns", table.pointer()))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["widget"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = columns(&def);
    assert_eq!(edit::move_to(&mut def, col(0), col(2)).unwrap(), col(1));
    assert_eq!(columns(&def), [first[1].clone(), first[0].clone()]);
    let before = def.clone();
    assert!(edit::move_to(&mut def, col(0), At::item(0, 0, 0)).is_err());
    assert!(edit::move_to(&mut def, At::item(0, 0, 0), col(0)).is_err());
    assert!(edit::move_to(&mut def, At::item(0, 0, 0), At::item(0, 0, 9)).is_err());
    assert!(edit::move_to(&mut def, At::item(0, 0, 7), At::item(0, 0, 0)).is_err());
    assert!(edit::move_to(&mut def, At::item(0, 0, 0), At::item(0, 4, 0)).is_err());
    assert_eq!(def, before, "nothing changed by a refused move");
    assert_eq!(errors(&def), Vec::<String>::new());
}

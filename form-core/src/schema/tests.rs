//! Unit tests of the compact validator.

use super::*;
use serde_json::json;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn errors(schema: Value, data: Value) -> Vec<(String, &'static str)> {
    let (s, diags) = Schema::compile(&schema);
    assert!(diags.is_empty(), "{diags:?}");
    s.validate(&data)
        .into_iter()
        .map(|e| (e.instance, e.kind.keyword()))
        .collect()
}

#[test]
fn required_points_at_the_missing_member() {
    let e = errors(
        json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}),
        json!({}),
    );
    assert_eq!(e, vec![("/a".to_owned(), "required")]);
}

#[test]
fn nested_rows_and_lengths() {
    let schema = json!({
        "type": "object",
        "properties": {"rows": {"type": "array", "maxItems": 1, "items": {
            "type": "object", "properties": {"id": {"type": "string", "pattern": "^[0-9]{12}$", "minLength": 12}}}}}
    });
    let e = errors(
        schema,
        json!({"rows": [{"id": "12"}, {"id": "001203004567"}]}),
    );
    assert_eq!(
        e,
        vec![
            ("/rows".to_owned(), "maxItems"),
            ("/rows/0/id".to_owned(), "minLength"),
            ("/rows/0/id".to_owned(), "pattern")
        ]
    );
}

#[test]
fn lengths_count_characters_not_bytes() {
    assert!(errors(json!({"maxLength": 3}), json!("Đức")).is_empty());
}

#[test]
fn integers_and_numbers() {
    assert!(errors(json!({"type": "integer"}), json!(2.0)).is_empty());
    assert_eq!(
        errors(json!({"type": "integer"}), json!(2.5)),
        vec![(String::new(), "type")]
    );
    assert_eq!(
        errors(json!({"minimum": 1, "exclusiveMaximum": 3}), json!(3)),
        vec![(String::new(), "exclusiveMaximum")]
    );
}

#[test]
fn enum_uses_json_equality() {
    assert!(errors(json!({"enum": [1, "a"]}), json!(1.0)).is_empty());
    assert!(errors(json!({"uniqueItems": true}), json!([1, 1.0])).len() == 1);
}

#[test]
fn refs_into_defs_and_additional_properties() {
    let schema = json!({
        "$defs": {"t": {"type": "object", "required": ["vi"], "additionalProperties": false, "properties": {"vi": {"type": "string"}}}},
        "type": "object", "properties": {"title": {"$ref": "#/$defs/t"}}
    });
    let e = errors(schema, json!({"title": {"en": "x"}}));
    assert_eq!(
        e,
        vec![
            ("/title/vi".to_owned(), "required"),
            ("/title/en".to_owned(), "additionalProperties")
        ]
    );
}

#[test]
fn bad_keywords_are_reported_not_fatal() {
    let (s, diags) = Schema::compile(
        &json!({"type": "strnig", "pattern": "(", "format": "uuid", "$ref": "#/$defs/none"}),
    );
    let at: Vec<&str> = diags.iter().map(|d| d.pointer.as_str()).collect();
    assert_eq!(at, vec!["/type", "/pattern", "/format", "/$ref"]);
    let _ = s.validate(&json!("x"));
}

#[test]
fn self_referencing_schema_terminates() {
    let (s, _) =
        Schema::compile(&json!({"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}));
    assert!(s.is_valid(&json!(1)));
}

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

/// Whether `items` break `uniqueItems: true`.
fn duplicated(items: Vec<Value>) -> bool {
    let (s, _) = Schema::compile(&json!({"uniqueItems": true}));
    !s.is_valid(&Value::Array(items))
}

/// `items` after `n` distinct fillers (so that long arrays take the hashed path).
fn padded(n: usize, items: &[Value]) -> Vec<Value> {
    let mut v: Vec<Value> = (0..n).map(|i| json!(format!("filler {i}"))).collect();
    v.extend_from_slice(items);
    v
}

#[test]
fn unique_items_compare_numbers_by_value_and_objects_without_order() {
    let cases = [
        (vec![json!(1), json!(1.0)], true),
        (vec![json!(-0.0), json!(0)], true),
        (vec![json!(1), json!(1.5)], false),
        (
            vec![
                json!({"a": 1, "b": [2, {"c": 3}]}),
                json!({"b": [2.0, {"c": 3}], "a": 1.0}),
            ],
            true,
        ),
        (vec![json!({"a": 1, "b": 2}), json!({"a": 1})], false),
        (vec![json!([1, 2]), json!([2, 1])], false),
        (vec![json!("1"), json!(1)], false),
        (
            vec![
                json!(null),
                json!(false),
                json!(0),
                json!(""),
                json!([]),
                json!({}),
            ],
            false,
        ),
    ];
    for (items, dup) in cases {
        for n in [0, 100] {
            let items = padded(n, &items);
            assert_eq!(duplicated(items.clone()), dup, "{items:?}");
        }
    }
}

#[test]
fn unique_items_over_49000_distinct_strings() {
    let mut items: Vec<Value> = (0..49_000).map(|i| json!(format!("item {i}"))).collect();
    assert!(!duplicated(items.clone()));
    items.push(json!("item 17"));
    assert!(duplicated(items));
}

/// The hashed check finds a duplicate exactly when some pair is `json_eq`, also for numbers
/// past 2^53, where an integer and the float it rounds to are different numbers (2^53 + 1 is not
/// `9007199254740992.0`), and for the largest integers and floats.
#[test]
fn unique_items_agree_with_pairwise_json_eq() {
    let two53 = 9_007_199_254_740_992_u64;
    let values = [
        json!(0),
        json!(-0.0),
        json!(1),
        json!(1.0),
        json!(0.5),
        json!(two53),
        json!(two53 + 1),
        json!(two53 + 2),
        json!(two53 as f64),
        json!(-(two53 as i64) - 1),
        json!(-(two53 as f64)),
        json!(u64::MAX),
        json!(u64::MAX as f64),
        json!(i64::MIN),
        json!(i64::MIN as f64),
        json!(1e300),
        json!(u64::MAX as f64 * 2.0),
        json!("a"),
        json!([two53 + 1, "a"]),
        json!([two53 as f64, "a"]),
        json!({"k": two53 + 1}),
        json!({"k": two53 as f64}),
        json!({"k": two53 + 2}),
    ];
    let pairwise = |items: &[Value]| {
        (0..items.len()).any(|i| (i + 1..items.len()).any(|j| json_eq(&items[i], &items[j])))
    };
    for a in &values {
        for b in &values {
            for c in [None, Some(&values[6]), Some(&values[8])] {
                let mut items = vec![a.clone(), b.clone()];
                items.extend(c.cloned());
                let want = pairwise(&items);
                assert_eq!(duplicated(items.clone()), want, "{items:?}");
                let items = padded(40, &items);
                assert_eq!(duplicated(items.clone()), want, "{items:?}");
            }
        }
    }
}

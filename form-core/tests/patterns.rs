//! The regular expressions of a definition (`pattern` in the data schema, `matches()` in rules)
//! are bounded: a pattern too large when compiled, too long, or past the per-definition caps is
//! refused with a diagnostic, and nothing big is allocated for it (security review H1: a
//! 9-character `a{300000}` used to compile to ~10 MB, and a definition could hold thousands).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use form_core::{Diagnostic, load, load_value};
use serde_json::{Map, Value, json};

fn t(s: &str) -> Value {
    json!({"vi": s, "en": s})
}

/// A definition whose data schema has `props`; one text field `/x` bound with `rule` as its
/// `visibleIf` when given.
fn definition(props: Map<String, Value>, rule: Option<&str>) -> Value {
    let mut props = props;
    props.insert("x".into(), json!({"type": "string"}));
    let mut item = json!({"widget": "text", "pointer": "/x", "label": t("X")});
    if let Some(rule) = rule {
        item["visibleIf"] = json!(rule);
    }
    json!({
        "id": "bomb", "version": 1, "title": t("B"),
        "dataSchema": {"type": "object", "properties": props},
        "pages": [{"id": "p", "title": t("P"), "sections": [{"id": "s", "title": t("S"), "items": [item]}]}]
    })
}

/// `n` properties `p000`, `p001`, … (in the order the schema compiler meets them) with the
/// string schema `pattern`.
fn patterned(n: usize, pattern: &str) -> Map<String, Value> {
    (0..n)
        .map(|i| {
            (
                format!("p{i:04}"),
                json!({"type": "string", "pattern": pattern}),
            )
        })
        .collect()
}

fn codes(d: &[Diagnostic]) -> Vec<(&str, &str, &str)> {
    d.iter()
        .map(|d| (d.code.as_str(), d.pointer.as_str(), d.message.en.as_str()))
        .collect()
}

#[test]
fn huge_patterns_are_refused_not_compiled() {
    let def = definition(patterned(50, "a{300000}"), None);
    let loaded = load_value(&def);
    assert!(loaded.form.is_none());
    assert_eq!(
        loaded.diagnostics.len(),
        50,
        "{:#?}",
        codes(&loaded.diagnostics)
    );
    for (i, d) in loaded.diagnostics.iter().enumerate() {
        assert!(d.is_error());
        assert_eq!(d.code, "schema-pattern");
        assert_eq!(d.pointer, format!("/dataSchema/properties/p{i:04}/pattern"));
        assert_eq!(
            d.message.en,
            "Pattern too large: it would need more than 64 KiB when compiled; simplify it."
        );
        assert_eq!(
            d.message.vi,
            "Mẫu quá lớn: khi biên dịch sẽ cần hơn 64 KiB; hãy đơn giản hoá mẫu."
        );
    }
}

#[test]
fn a_huge_pattern_in_matches_is_refused() {
    let def = definition(Map::new(), Some(r#"matches(x, "a{300000}")"#));
    let loaded = load_value(&def);
    assert!(loaded.form.is_none());
    assert_eq!(
        codes(&loaded.diagnostics),
        [(
            "rule",
            "/pages/0/sections/0/items/0/visibleIf",
            "Rule (characters 12–22): Pattern too large: it would need more than 64 KiB when \
             compiled; simplify it."
        )]
    );
}

#[test]
fn a_pattern_too_long_is_refused_before_it_is_parsed() {
    let long = "a".repeat(1001);
    let loaded = load_value(&definition(patterned(1, &long), None));
    assert_eq!(
        codes(&loaded.diagnostics),
        [(
            "schema-pattern",
            "/dataSchema/properties/p0000/pattern",
            "Pattern too long: 1001 characters, at most 1000."
        )]
    );
    // 1,000 characters are allowed.
    let loaded = load_value(&definition(patterned(1, &long[1..]), None));
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
    let loaded = load_value(&definition(patterned(1, &deep), None));
    assert_eq!(
        codes(&loaded.diagnostics)
            .iter()
            .map(|(c, p, _)| (*c, *p))
            .collect::<Vec<_>>(),
        [("schema-pattern", "/dataSchema/properties/p0000/pattern")]
    );
}

#[test]
fn past_500_patterns_one_diagnostic_says_the_cap_was_reached() {
    let loaded = load_value(&definition(patterned(3000, "^[0-9]{12}$"), None));
    assert_eq!(
        codes(&loaded.diagnostics),
        [(
            "schema-pattern",
            "/dataSchema/properties/p0500/pattern",
            "Too many patterns: a definition may hold at most 500 (pattern and matches() \
             together); the rest are not checked."
        )]
    );
    assert!(loaded.form.is_none());
}

#[test]
fn the_cap_counts_schema_and_rule_patterns_together() {
    let def = definition(patterned(500, "^[0-9]{12}$"), Some(r#"matches(x, "^a$")"#));
    let loaded = load_value(&def);
    assert_eq!(
        codes(&loaded.diagnostics),
        [(
            "rule",
            "/pages/0/sections/0/items/0/visibleIf",
            "Rule (characters 12–16): Too many patterns: a definition may hold at most 500 \
             (pattern and matches() together); the rest are not checked."
        )]
    );
    // 499 in the schema and one in a rule: exactly the cap.
    let def = definition(patterned(499, "^[0-9]{12}$"), Some(r#"matches(x, "^a$")"#));
    assert!(load_value(&def).diagnostics.is_empty());
}

#[test]
fn thousands_of_huge_patterns_give_at_most_501_diagnostics() {
    let loaded = load_value(&definition(patterned(5000, "a{300000}"), None));
    let d = &loaded.diagnostics;
    assert_eq!(d.len(), 501);
    assert!(
        d[..500]
            .iter()
            .all(|d| d.message.en.starts_with("Pattern too large"))
    );
    assert!(d[500].message.en.starts_with("Too many patterns"));
}

#[test]
fn the_total_text_of_the_patterns_is_capped() {
    // 51 × 999 characters: the 51st goes past 50,000.
    let loaded = load_value(&definition(patterned(60, &"a".repeat(999)), None));
    assert_eq!(
        codes(&loaded.diagnostics),
        [(
            "schema-pattern",
            "/dataSchema/properties/p0050/pattern",
            "The patterns of this definition are too long together: more than 50000 \
             characters; the rest are not checked."
        )]
    );
}

#[test]
fn the_total_compiled_size_of_the_patterns_is_capped() {
    // Each needs more than 16 KiB (so is counted as 64 KiB): 64 of them fill the 4 MiB.
    let loaded = load_value(&definition(patterned(100, "a{1500}"), None));
    assert_eq!(
        codes(&loaded.diagnostics),
        [(
            "schema-pattern",
            "/dataSchema/properties/p0064/pattern",
            "The patterns of this definition are too large together: more than 4 MiB when \
             compiled; the rest are not checked."
        )]
    );
}

/// regex-lite's own message where the syntax error is its to find (after the ECMA-262 reading).
#[test]
fn bad_syntax_keeps_its_message() {
    let loaded = load_value(&definition(patterned(1, "^(0-9]{12}$"), None));
    assert_eq!(
        codes(&loaded.diagnostics),
        [(
            "schema-pattern",
            "/dataSchema/properties/p0000/pattern",
            "Invalid regular expression: found open group without closing ')'"
        )]
    );
}

/// The patterns of the real forms (and their `matches()` rules) are well within the limits.
#[test]
fn the_real_forms_still_load_without_diagnostics() {
    for text in [
        include_str!("../../schemas/forms/ct01.json"),
        include_str!("../../schemas/forms/birth-registration.json"),
        include_str!("../../schemas/forms/household-business.json"),
        include_str!("../../schemas/forms/pit-finalisation.json"),
    ] {
        let loaded = load(text);
        assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
        assert!(loaded.form.is_some());
    }
}

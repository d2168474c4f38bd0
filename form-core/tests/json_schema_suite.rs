//! The official JSON Schema Test Suite (draft 2020-12, required and optional files; data in
//! `json-schema-test-suite/`) against the compact validator: every schema that eform's definition
//! meta-schema accepts as a data schema is compiled, and each of its tests must get the suite's
//! verdict. The exceptions are named: `format` is an assertion in eform (a date that is no date
//! is refused), where the suite's default is an annotation.
#![cfg(not(target_arch = "wasm32"))]

use form_core::schema::Schema;
use serde_json::{Value, json};
use std::path::Path;

/// Suite tests that expect `format` to be an annotation only.
const FORMAT_IS_AN_ASSERTION: &str = "only an annotation by default";

#[test]
fn the_compact_validator_gives_the_suites_verdicts() {
    let definition: Value =
        serde_json::from_str(include_str!("../../schemas/definition.schema.json")).unwrap();
    let data_schema = jsonschema::validator_for(
        &json!({"$ref": "#/$defs/dataSchema", "$defs": definition["$defs"]}),
    )
    .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/json-schema-test-suite");
    let mut files: Vec<_> = ["", "optional"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut checked, mut refused_groups, mut wrong) = (0, Vec::new(), Vec::new());
    for path in &files {
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let groups: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for group in groups.as_array().unwrap() {
            if !data_schema.is_valid(&group["schema"]) {
                continue;
            }
            let (schema, diagnostics) = Schema::compile(&group["schema"]);
            if !diagnostics.is_empty() {
                refused_groups.push(format!("{name}: {}", group["description"]));
                continue;
            }
            for test in group["tests"].as_array().unwrap() {
                let description = test["description"].as_str().unwrap();
                if description.contains(FORMAT_IS_AN_ASSERTION) {
                    continue;
                }
                checked += 1;
                if schema.is_valid(&test["data"]) != test["valid"].as_bool().unwrap() {
                    wrong.push(format!(
                        "{name}: {} / {description}: {}",
                        group["description"], test["data"]
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Refused at load with the pattern's pointer: Unicode property escapes (`\p{…}`), which
    // regex-lite cannot match.
    assert_eq!(
        refused_groups,
        [
            "optional/ecmascript-regex.json: \"patterns always use unicode semantics with pattern\"",
            "optional/ecmascript-regex.json: \"pattern with non-ASCII digits\"",
            "pattern.json: \"pattern with Unicode property escape requires unicode mode\"",
        ]
    );
    assert!(checked >= 430, "only {checked} suite tests were checked");
}

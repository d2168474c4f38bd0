//! The real forms' case files (`tests/cases/<form>.json`): each case is data (the form's example
//! with some values set or removed, or data of its own) and the errors it must give, as pointer and
//! code in reading order, and optionally computed values and data that must not be submitted. The same cases run natively and in
//! wasm32 against the same expectations, so both builds give identical verdicts; natively, the
//! reference validator must also agree with the compact one on every case.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use form_core::{Form, Ymd, load, pointer};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Every real form: id, definition, example, case file.
macro_rules! forms {
    ($($id:literal),* $(,)?) => {
        &[$((
            $id,
            include_str!(concat!("../../schemas/forms/", $id, ".json")),
            include_str!(concat!("../../schemas/forms/", $id, ".example.json")),
            include_str!(concat!("../../tests/cases/", $id, ".json")),
        )),*]
    };
}

const FORMS: &[(&str, &str, &str, &str)] = forms![
    "birth-registration",
    "ct01",
    "household-business",
    "judicial-record",
    "marriage-registration",
    "pit-finalisation"
];

/// The administrative units every form is checked against, as the portal does.
const ADMIN_UNITS: &str = include_str!("../../schemas/data/admin-units.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    form: String,
    today: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    set: Map<String, Value>,
    #[serde(default)]
    remove: Vec<String>,
    expect: Vec<Expected>,
    #[serde(default)]
    computed: Map<String, Value>,
    /// Data that must not be in the submission (hidden fields, objects they leave empty).
    #[serde(default)]
    absent: Vec<String>,
}

#[derive(Deserialize, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
struct Expected {
    pointer: String,
    code: String,
}

/// A loaded form with its parsed case file.
struct Suite {
    id: &'static str,
    form: Form,
    /// The same form without its data schema's JSON, as the browser's runtime keeps it
    /// ([`Form::drop_schema_json`]).
    lean: Form,
    example: Value,
    today: Ymd,
    cases: Vec<Case>,
}

fn suites() -> Vec<Suite> {
    let units = std::sync::Arc::new(
        form_core::AdminUnits::from_json(ADMIN_UNITS).expect("admin-units.json reads"),
    );
    FORMS
        .iter()
        .map(|&(id, definition, example, cases)| {
            let loaded = load(definition);
            assert!(
                loaded.diagnostics.is_empty(),
                "{id}: {:#?}",
                loaded.diagnostics
            );
            let file: CaseFile = serde_json::from_str(cases)
                .unwrap_or_else(|e| panic!("tests/cases/{id}.json: {e}"));
            assert_eq!(file.form, id, "tests/cases/{id}.json names another form");
            let mut lean = load(definition)
                .form
                .expect("a form without diagnostics")
                .with_admin_units(units.clone());
            lean.drop_schema_json();
            assert!(lean.definition().data_schema.is_null());
            Suite {
                id,
                form: loaded
                    .form
                    .expect("a form without diagnostics")
                    .with_admin_units(units.clone()),
                lean,
                example: serde_json::from_str(example).expect("example is JSON"),
                today: form_core::format::parse_date(&file.today)
                    .map(|(y, m, d)| (y as i32, m, d))
                    .expect("today is a date"),
                cases: file.cases,
            }
        })
        .collect()
}

impl Suite {
    /// The data of a case: its own, or the example with `set` then `remove` applied.
    fn data(&self, case: &Case) -> Value {
        let mut data = case.data.clone().unwrap_or_else(|| self.example.clone());
        for (at, value) in &case.set {
            assert!(
                pointer::set(&mut data, at, value.clone()),
                "{}: case {:?} cannot set {at}",
                self.id,
                case.name
            );
        }
        for at in &case.remove {
            assert!(
                pointer::remove(&mut data, at).is_some(),
                "{}: case {:?} removes {at}, which is not there",
                self.id,
                case.name
            );
        }
        data
    }
}

#[test]
fn every_case_gives_its_expected_errors_and_values() {
    let mut failures = String::new();
    let mut count = 0;
    for suite in suites() {
        for case in &suite.cases {
            count += 1;
            let evaluation = suite.form.evaluate(&suite.data(case), suite.today);
            let lean = suite.lean.evaluate(&suite.data(case), suite.today);
            if (&lean.errors, &lean.data) != (&evaluation.errors, &evaluation.data) {
                let _ = writeln!(
                    failures,
                    "{} / {}: without its schema's JSON the form judges otherwise",
                    suite.id, case.name
                );
            }
            let got: Vec<Expected> = evaluation
                .errors
                .iter()
                .map(|d| Expected {
                    pointer: d.pointer.clone(),
                    code: d.code.clone(),
                })
                .collect();
            if got != case.expect {
                let _ = writeln!(
                    failures,
                    "{} / {}:\n  expected {:?}\n  got      {:?}",
                    suite.id, case.name, case.expect, got
                );
            }
            for at in case
                .absent
                .iter()
                .filter(|at| pointer::get(&evaluation.data, at).is_some())
            {
                let _ = writeln!(
                    failures,
                    "{} / {}: {at} should not be submitted",
                    suite.id, case.name
                );
            }
            for (at, want) in &case.computed {
                let have = pointer::get(&evaluation.data, at);
                if have != Some(want) {
                    let _ = writeln!(
                        failures,
                        "{} / {}: {at} should be {want}, is {have:?}",
                        suite.id, case.name
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
    assert!(count >= FORMS.len());
}

/// Every form in `schemas/forms/` is listed above, with its example and a case file.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_real_form_has_an_example_and_cases() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root.join("schemas/forms")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(id) = name.strip_suffix(".json")
            && !id.ends_with(".example")
        {
            found.push(id.to_owned());
        }
    }
    found.sort();
    let mut listed: Vec<String> = FORMS.iter().map(|f| f.0.to_owned()).collect();
    listed.sort();
    assert_eq!(found, listed, "list every form of schemas/forms in FORMS");
}

/// The reference validator agrees with the compact one on the data of every case.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_reference_validator_agrees_on_every_case() {
    use form_core::reference::Reference;
    use std::collections::BTreeSet;
    for suite in suites() {
        let schema_json = &suite.form.definition().data_schema;
        let reference = Reference::new(schema_json).expect("reference compiles");
        for case in &suite.cases {
            let data = suite.form.evaluate(&suite.data(case), suite.today).data;
            let compact: BTreeSet<(String, String)> = suite
                .form
                .schema()
                .validate(&data)
                .iter()
                .map(|e| {
                    (
                        e.standard_location().to_owned(),
                        e.kind.keyword().to_owned(),
                    )
                })
                .collect();
            let full: BTreeSet<(String, String)> = reference
                .errors(&data)
                .into_iter()
                .map(|e| (e.instance, e.keyword))
                .collect();
            assert_eq!(compact, full, "{} / {}", suite.id, case.name);
        }
    }
}

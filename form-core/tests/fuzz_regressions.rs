//! Every input that once crashed a fuzz target (`cargo xtask fuzz`) stays here as a regression
//! case, run through the same steps as its target.
#![cfg(not(target_arch = "wasm32"))]

use form_core::expr::{Env, check, eval, parse};
use std::path::Path;

fn cases(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name() != ".gitkeep")
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

const TODAY: form_core::Ymd = (2025, 11, 25);

#[test]
fn load_definition_cases() {
    for (name, bytes) in cases("load_definition") {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let loaded = form_core::load(text);
        if let Some(form) = loaded.form {
            let _ = form.evaluate(&serde_json::json!({}), TODAY);
        }
        println!("ok {name}");
    }
}

#[path = "support/any_field.rs"]
mod any_field;
use any_field::AnyField;

#[test]
fn expression_cases() {
    for (name, bytes) in cases("expression") {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        if let Ok(mut e) = parse(text)
            && check(&mut e, &AnyField).is_ok()
        {
            let d =
                serde_json::json!({"n": 1e308, "d": "2024-02-29", "b": true, "l": [1, null, "x"]});
            let _ = eval(
                &e,
                &Env {
                    data: &d,
                    row: Some(&d),
                    prev: Some(&d),
                    today: TODAY,
                },
            );
        }
        println!("ok {name}");
    }
}

#[test]
fn validate_data_cases() {
    let form = std::sync::Arc::new(
        form_core::load(include_str!("../../schemas/forms/ct01.json"))
            .form
            .unwrap(),
    );
    for (name, bytes) in cases("validate_data") {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let (ptr, rest) = text.split_once('\n').unwrap_or(("", text));
        let Ok(value) = serde_json::from_str::<serde_json::Value>(rest) else {
            continue;
        };
        let _ = form.evaluate(&value, TODAY);
        let mut state = form_core::FormState::new(
            form.clone(),
            serde_json::json!({"applicant": {}, "members": [{}]}),
            TODAY,
        );
        let _ = state.set(ptr, Some(value));
        assert_eq!(
            state.evaluation(),
            &form.evaluate(state.data(), TODAY),
            "{name}"
        );
        println!("ok {name}");
    }
}

#[test]
fn edit_forms_cases() {
    let units = std::sync::Arc::new(
        form_core::AdminUnits::from_json(include_str!("../../schemas/data/admin-units.json"))
            .unwrap(),
    );
    let forms: Vec<(std::sync::Arc<form_core::Form>, serde_json::Value)> = [
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
            include_str!("../../schemas/forms/pit-finalisation.json"),
            include_str!("../../schemas/forms/pit-finalisation.example.json"),
        ),
    ]
    .iter()
    .map(|(def, example)| {
        let form = form_core::load(def)
            .form
            .unwrap()
            .with_admin_units(units.clone());
        (
            std::sync::Arc::new(form),
            serde_json::from_str(example).unwrap(),
        )
    })
    .collect();
    let today = (2026, 11, 25);
    for (name, bytes) in cases("edit_forms") {
        let Some((&pick, rest)) = bytes.split_first() else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(rest) else {
            continue;
        };
        let (form, example) = &forms[pick as usize % forms.len()];
        let mut state = form_core::FormState::new(form.clone(), example.clone(), today);
        for line in text.lines().take(16) {
            let (ptr, json) = line.split_once('\t').unwrap_or((line, ""));
            let value = if json.is_empty() {
                None
            } else {
                match serde_json::from_str::<serde_json::Value>(json) {
                    Ok(v) => Some(v),
                    Err(_) => continue,
                }
            };
            let _ = state.set(ptr, value);
            assert_eq!(
                state.evaluation(),
                &form.evaluate(state.data(), today),
                "{name}: after {line}"
            );
        }
        println!("ok {name}");
    }
}

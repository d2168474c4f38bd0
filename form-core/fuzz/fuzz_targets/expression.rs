//! Fuzz target: parsing, checking and evaluating any expression text never panics, whatever
//! the data.
#![no_main]

use form_core::expr::{Env, check, eval, parse};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/any_field.rs"]
mod any_field;
use any_field::AnyField;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut e) = parse(text) else { return };
    if check(&mut e, &AnyField).is_err() {
        return;
    }
    let d = serde_json::json!({"n": 1e308, "d": "2024-02-29", "b": true, "l": [1, null, "x"], "t": "ữ", "a": {"n": -0.0, "d": "x"}});
    let _ = eval(&e, &Env { data: &d, row: Some(&d), prev: Some(&d), today: (2025, 11, 25) });
    let empty = serde_json::json!({});
    let _ = eval(&e, &Env { data: &empty, row: None, prev: None, today: (-5000, 1, 1) });
});

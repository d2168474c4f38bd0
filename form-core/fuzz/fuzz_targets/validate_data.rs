//! Fuzz target: validating and incrementally editing any JSON data against CT01 never panics,
//! and the incremental state agrees with a full evaluation.
#![no_main]

use form_core::FormState;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

fn ct01() -> Arc<form_core::Form> {
    static FORM: OnceLock<Arc<form_core::Form>> = OnceLock::new();
    FORM.get_or_init(|| Arc::new(form_core::load(include_str!("../../../schemas/forms/ct01.json")).form.expect("CT01 loads"))).clone()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first line is a pointer to set, the rest the JSON value to set there.
    let (ptr, rest) = text.split_once('\n').unwrap_or(("", text));
    let Ok(value) = serde_json::from_str::<serde_json::Value>(rest) else { return };
    let form = ct01();
    let today = (2025, 11, 25);
    let _ = form.evaluate(&value, today);
    let mut state = FormState::new(form.clone(), serde_json::json!({"applicant": {}, "members": [{}]}), today);
    let _ = state.set(ptr, Some(value));
    assert_eq!(state.evaluation(), &form.evaluate(state.data(), today));
});

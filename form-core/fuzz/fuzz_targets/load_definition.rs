//! Fuzz target: loading any text as a definition never panics; a loaded form evaluates the
//! empty object and its own definition as data without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let loaded = form_core::load(text);
    if let Some(form) = loaded.form {
        let _ = form.evaluate(&serde_json::json!({}), (2025, 11, 25));
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
            let _ = form.evaluate(&v, (2025, 11, 25));
        }
    }
});

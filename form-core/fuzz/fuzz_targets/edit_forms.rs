//! Fuzz target: any sequence of edits to any real form (starting from its example, with the
//! administrative units attached) never panics, and the incremental state equals a full
//! evaluation after every edit — whichever path (fast, middle, full) each edit takes.
//!
//! Input: the first byte picks the form; then one edit per line, `pointer<TAB>json` (a line
//! without a tab, or with an empty value, removes the value at the pointer).
#![no_main]

use form_core::{AdminUnits, Form, FormState};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

const FORMS: [(&str, &str); 4] = [
    (include_str!("../../../schemas/forms/ct01.json"), include_str!("../../../schemas/forms/ct01.example.json")),
    (include_str!("../../../schemas/forms/birth-registration.json"), include_str!("../../../schemas/forms/birth-registration.example.json")),
    (include_str!("../../../schemas/forms/household-business.json"), include_str!("../../../schemas/forms/household-business.example.json")),
    (include_str!("../../../schemas/forms/pit-finalisation.json"), include_str!("../../../schemas/forms/pit-finalisation.example.json")),
];

fn forms() -> &'static Vec<(Arc<Form>, Value)> {
    static LOADED: OnceLock<Vec<(Arc<Form>, Value)>> = OnceLock::new();
    LOADED.get_or_init(|| {
        let units = Arc::new(
            AdminUnits::from_json(include_str!("../../../schemas/data/admin-units.json")).expect("units"),
        );
        FORMS
            .iter()
            .map(|(def, example)| {
                let form = form_core::load(def).form.expect("a real form loads").with_admin_units(units.clone());
                (Arc::new(form), serde_json::from_str(example).expect("example"))
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let (form, example) = &forms()[pick as usize % FORMS.len()];
    let today = (2026, 11, 25);
    let mut state = FormState::new(form.clone(), example.clone(), today);
    for line in text.lines().take(16) {
        let (ptr, json) = line.split_once('\t').unwrap_or((line, ""));
        let value = if json.is_empty() {
            None
        } else {
            match serde_json::from_str::<Value>(json) {
                Ok(v) => Some(v),
                Err(_) => continue,
            }
        };
        let _ = state.set(ptr, value);
        assert_eq!(state.evaluation(), &form.evaluate(state.data(), today), "after {line}");
    }
});

//! Drafts: what the citizen typed, saved in the browser's `localStorage` on every change and
//! offered back when the form opens again (after a reload, a closed tab or a crash).
//!
//! A draft is keyed by form id and version — a new version of a form never receives data typed
//! against another — and by the signed-in subject when there is one, so two people sharing a
//! browser do not see each other's drafts. It is removed only when the portal acknowledges the
//! submission, or when the citizen chooses to start again.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What is stored.
#[derive(Clone, Serialize, Deserialize)]
pub struct Draft {
    /// When it was last saved (milliseconds since 1970, the browser's clock).
    #[serde(rename = "savedAt")]
    pub saved_at: f64,
    pub data: Value,
}

/// The storage key of a form version's draft.
pub fn key(form_id: &str, version: u32, subject: Option<&str>) -> String {
    match subject {
        Some(s) => format!("eform.draft.{form_id}.v{version}.{s}"),
        None => format!("eform.draft.{form_id}.v{version}"),
    }
}

/// The browser's `localStorage`, if the page may use it.
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The draft saved under `key`, if any (an unreadable one is ignored, never an error).
pub fn load(key: &str) -> Option<Draft> {
    let text = storage()?.get_item(key).ok().flatten()?;
    serde_json::from_str::<Draft>(&text)
        .ok()
        .filter(|d| has_content(&d.data))
}

/// Whether data holds anything typed: a value that is not empty text, at any depth (a cleared
/// address leaves `{"address": {}}`, a removed row `{"members": []}`: nothing to restore).
pub fn has_content(data: &Value) -> bool {
    match data {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Object(m) => m.values().any(has_content),
        Value::Array(a) => a.iter().any(has_content),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// Saves `data` under `key`; an empty form removes the draft. Storage full or disabled (private
/// browsing): the form goes on working, without a draft.
pub fn save(key: &str, data: &Value) {
    let Some(storage) = storage() else { return };
    if !has_content(data) {
        let _ = storage.remove_item(key);
        return;
    }
    let draft = Draft {
        saved_at: js_sys::Date::now(),
        data: data.clone(),
    };
    if let Ok(text) = serde_json::to_string(&draft) {
        let _ = storage.set_item(key, &text);
    }
}

/// Where the notice of a draft carried over from an earlier version is kept.
pub fn carried_key(key: &str) -> String {
    format!("{key}.carried")
}

/// Removes the draft under `key` (and the notice of its carrying over, if any).
pub fn clear(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
        let _ = storage.remove_item(&carried_key(key));
    }
}

/// "17/05/2026 09:41", the time a draft was saved, as people in Vietnam write it.
pub fn saved_at_text(millis: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis));
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        d.get_date(),
        d.get_month() + 1,
        d.get_full_year(),
        d.get_hours(),
        d.get_minutes()
    )
}

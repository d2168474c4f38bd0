//! Drafts: what the citizen typed, saved in the browser's `localStorage` on every change and
//! offered back when the form opens again (after a reload, a closed tab or a crash).
//!
//! A draft is keyed by form id and version — a new version of a form never receives data typed
//! against another — and by the signed-in subject when there is one, so two people sharing a
//! browser do not see each other's drafts. It is removed only when the portal acknowledges the
//! submission, or when the citizen chooses to start again.

use crate::services::Services;
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

/// Removes every draft of `subject` (and what is kept beside them): at sign-out, so that the
/// next person on a shared browser finds nothing of theirs — drafts hold prefilled register
/// data.
pub fn clear_subject(subject: &str) {
    let Some(storage) = storage() else { return };
    let (suffix, infix) = (format!(".{subject}"), format!(".{subject}."));
    let n = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..n)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with("eform.") && (k.ends_with(&suffix) || k.contains(&infix)))
        .collect();
    for k in keys {
        let _ = storage.remove_item(&k);
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

/// A signed-in citizen's draft kept on the portal too (save and resume on another device):
/// where it is saved, and what the portal had when the form opened.
#[derive(Clone)]
pub struct PortalDraft {
    /// `/api/v1/drafts/{form id}`.
    pub url: String,
    /// The portal's copy of this form version, if any.
    pub remote: Option<Draft>,
    /// The portal's `savedAt` of `remote`.
    pub remote_saved_at: Option<String>,
}

/// How long typing must pause before the draft goes to the portal.
pub const PORTAL_SAVE_MS: i32 = 2000;

/// The drafts service's copy of the signed-in citizen's draft of `form_id` version `version`
/// (the app calls it only when the portal keeps drafts, `Me::portal_drafts`; an embedded form
/// when its host names a drafts service); none without a drafts service. Its list is asked
/// first, so that a form without a draft costs no failed request; a copy of another version is
/// not offered (it was typed against other fields).
pub async fn portal_draft(services: &Services, form_id: &str, version: u32) -> Option<PortalDraft> {
    let list = services.drafts("")?;
    let url = services.drafts(&format!(
        "/{}",
        String::from(js_sys::encode_uri_component(form_id))
    ))?;
    let listed = match services.get(&list).await {
        Ok(a) if a.status == 200 => serde_json::from_str::<Value>(&a.body)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .any(|d| {
                d["formId"] == form_id && d["formVersion"].as_u64() == Some(u64::from(version))
            }),
        _ => false,
    };
    let got = if listed {
        match services.get(&url).await {
            Ok(a) if a.status == 200 => serde_json::from_str::<Value>(&a.body).ok().and_then(|v| {
                let at = v["savedAt"].as_str()?.to_owned();
                (v["formVersion"].as_u64() == Some(u64::from(version)))
                    .then(|| Draft {
                        saved_at: js_sys::Date::parse(&at),
                        data: v["data"].clone(),
                    })
                    .filter(|d| d.saved_at.is_finite() && has_content(&d.data))
                    .map(|d| (d, at))
            }),
            _ => None,
        }
    } else {
        None
    };
    let (remote, remote_saved_at) = got.map_or((None, None), |(d, at)| (Some(d), Some(at)));
    Some(PortalDraft {
        url,
        remote,
        remote_saved_at,
    })
}

/// The portal's time of the copy this browser last sent or took (`savedAt`, RFC 3339): the
/// two copies are compared by it, on the portal's clock, never with the device's.
fn synced_key(key: &str) -> String {
    format!("{key}.portal-saved")
}

/// The portal's copy was written elsewhere since this browser last sent or took it.
pub fn changed_elsewhere(key: &str, remote_saved_at: &str) -> bool {
    get_item(&synced_key(key)).as_deref() != Some(remote_saved_at)
}

/// Notes that this browser's copy is the portal's of `saved_at`.
pub fn synced(key: &str, saved_at: &str) {
    set_item(&synced_key(key), saved_at);
}

/// Sends the draft under `key` (as saved in this browser) to the portal — or, when the form
/// was emptied, removes the portal's. Not while a submission of it is under way (its
/// idempotency key is kept beside the draft until the portal acknowledges): the submission
/// removes the portal's copy itself, and a save landing after it would bring it back. A
/// failure is silent: the browser's copy stays and goes with the next change.
pub async fn push(services: &Services, key: &str, url: &str, version: u32) {
    if get_item(&format!("{key}.submission-key")).is_some() {
        return;
    }
    let answer = match load(key) {
        Some(draft) => {
            let body = serde_json::json!({"formVersion": version, "data": draft.data});
            services.put_json(url, &body.to_string()).await
        }
        None => services.delete(url).await,
    };
    if let Ok(a) = answer
        && a.status == 200
        && let Some(at) = serde_json::from_str::<Value>(&a.body)
            .ok()
            .and_then(|v| v["savedAt"].as_str().map(str::to_owned))
    {
        synced(key, &at);
    }
}

/// What a carried-over draft could not bring (kept beside the new draft until the citizen
/// dismisses it): the version it came from, and the values (with their old labels, if known).
#[derive(Clone, Serialize, Deserialize)]
pub struct Carried {
    pub from: u32,
    pub dropped: Vec<(Option<form_core::Text>, String)>,
}

/// The notice of a draft carried over to the draft under `key`, until dismissed.
pub fn carried(key: &str) -> Option<Carried> {
    serde_json::from_str(&get_item(&carried_key(key))?).ok()
}

/// The citizen has read what could not be carried over.
pub fn dismiss_carried(key: &str) {
    remove_item(&carried_key(key));
}

/// A draft of an earlier version of `form` (this browser's, of `subject`), carried over to
/// this version and saved as its draft, with its notice. Nothing happens when this version has
/// a draft already — here, typed before signing in, or on the portal (`portal_has`) —, when
/// there is none older, or when an older one's submission is still under way (it may yet be
/// taken on its own version).
pub fn carry_forward(form: &form_core::Form, subject: Option<&str>, portal_has: bool) {
    let d = form.definition();
    let here = key(&d.id, d.version, subject);
    let anonymous = key(&d.id, d.version, None);
    if portal_has || load(&here).is_some() || load(&anonymous).is_some() {
        return;
    }
    let Some((from, old_key, draft)) = (1..d.version).rev().find_map(|v| {
        let k = key(&d.id, v, subject);
        load(&k).map(|draft| (v, k, draft))
    }) else {
        return;
    };
    if get_item(&format!("{old_key}.submission-key")).is_some() {
        return;
    }
    let c = form.carry_over(&draft.data, from, None);
    save(&here, &c.data);
    let notice = Carried {
        from,
        dropped: c.dropped.into_iter().map(|d| (d.label, d.value)).collect(),
    };
    if let Ok(text) = serde_json::to_string(&notice) {
        set_item(&carried_key(&here), &text);
    }
    clear(&old_key);
}

/// Moves the draft under `from` to `to` and returns it (a draft typed before signing in).
pub fn take(from: &str, to: &str) -> Option<Draft> {
    let draft = load(from)?;
    let store = storage()?;
    let text = store.get_item(from).ok().flatten()?;
    let _ = store.set_item(to, &text);
    let _ = store.remove_item(from);
    Some(draft)
}

/// A small value kept beside drafts (e.g. a pending submission's idempotency key).
pub fn get_item(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn set_item(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn remove_item(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// `2025-07-01T…` → `01/07/2025`.
pub fn day_of(rfc3339: &str) -> String {
    match (rfc3339.get(0..4), rfc3339.get(5..7), rfc3339.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => rfc3339.to_owned(),
    }
}

/// Which draft a form starts from, and where it is kept.
pub struct Start {
    /// This browser's key of the form's draft.
    pub key: String,
    /// The draft to start from, if any.
    pub restored: Option<Draft>,
    /// It is the drafts service's copy (written on another device).
    pub from_portal: bool,
    /// The drafts service's address for this form and the form's version: where each change
    /// goes once typing pauses.
    pub portal_sync: Option<(String, u32)>,
}

/// The draft `form` starts from for `subject` (the signed-in citizen, if any): with no data
/// given (`initial_given`), an earlier version's draft is carried over first; this browser's
/// draft comes back (one typed before signing in becomes the citizen's); the drafts service's
/// copy wins when it was written elsewhere since this browser last sent or took it (compared
/// by the service's own times, never the device's clock), and becomes this browser's.
pub fn start(
    form: &form_core::Form,
    subject: Option<&str>,
    initial_given: bool,
    portal_draft: Option<PortalDraft>,
) -> Start {
    let d = form.definition();
    if !initial_given {
        let portal_has = portal_draft.as_ref().is_some_and(|p| p.remote.is_some());
        carry_forward(form, subject, portal_has);
    }
    let draft_key = key(&d.id, d.version, subject);
    let restored = if !initial_given || subject.is_some() {
        load(&draft_key).or_else(|| {
            let anonymous = key(&d.id, d.version, None);
            (subject.is_some() && !initial_given)
                .then(|| take(&anonymous, &draft_key))
                .flatten()
        })
    } else {
        None
    };
    let remote = portal_draft.as_ref().and_then(|p| {
        let at = p.remote_saved_at.as_deref()?;
        p.remote
            .clone()
            .filter(|_| restored.is_none() || changed_elsewhere(&draft_key, at))
            .map(|r| (r, at.to_owned()))
    });
    let from_portal = remote.is_some();
    let restored = match remote {
        Some((r, at)) => {
            save(&draft_key, &r.data);
            synced(&draft_key, &at);
            Some(r)
        }
        None => restored,
    };
    Start {
        key: draft_key,
        restored,
        from_portal,
        portal_sync: portal_draft.map(|p| (p.url, d.version)),
    }
}

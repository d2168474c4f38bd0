//! Where a form comes from: a definition fetched from a `src` (the portal's `/forms/{id}`, or a
//! host's copy), with the administrative units beside it, and the portal's check API for it.

use crate::fetch::{request, with_admin_units};
use crate::host::{definition_invalid, load_failed};
use form_core::{Diagnostic, Lang, Text, load};
use form_html::Ui;
use serde_json::Value;
use std::sync::Arc;

/// Loads a definition given as text.
pub fn load_definition(text: &str) -> Result<form_core::Form, (&'static str, Text)> {
    let loaded = load(text);
    let errors: Vec<_> = loaded.errors().cloned().collect();
    let mut form = loaded.form.ok_or_else(|| definition_invalid(&errors))?;
    // Filled, never edited here: the compiled schema does the checks.
    form.drop_schema_json();
    Ok(form)
}

/// Fetches and loads the definition at `src`, with the administrative units when it has an
/// address — the provinces alone, a province's communes come when it is chosen
/// ([`communes_for`]); the error code and message otherwise.
pub async fn load_form(src: &str) -> Result<Arc<form_core::Form>, (&'static str, Text)> {
    let units = origin_of(src).map(|o| format!("{o}/refdata/provinces.json"));
    let units = units.as_deref().unwrap_or("/refdata/provinces.json");
    let loaded = fetch_and_load(src, units).await;
    // What the page asked for early and this load did not take is not kept for later.
    crate::fetch::forget_early(src);
    crate::fetch::forget_early(units);
    loaded
}

async fn fetch_and_load(
    src: &str,
    units: &str,
) -> Result<Arc<form_core::Form>, (&'static str, Text)> {
    let answer = request(src, None).await.map_err(|_| load_failed())?;
    match answer.status {
        200 => {}
        404 => {
            return Err((
                "form-not-found",
                Text::new(Ui::NotFound.get(Lang::Vi), Ui::NotFound.get(Lang::En)),
            ));
        }
        422 => {
            // The portal's answer lists what is wrong (`diagnostics`), read by hand: serde's
            // reader of a diagnostic weighed 3 KB gzip in the module, for a rare page.
            let body = serde_json::from_str::<Value>(&answer.body).unwrap_or_default();
            let errors: Vec<Diagnostic> = body["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["severity"] == "error")
                .map(|d| {
                    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                    let m = &d["message"];
                    Diagnostic::error(s(&d["pointer"]), "", Text::new(s(&m["vi"]), s(&m["en"])))
                })
                .collect();
            return Err(definition_invalid(&errors));
        }
        _ => return Err(load_failed()),
    }
    let form = load_definition(&answer.body)?;
    with_admin_units(form, units)
        .await
        .map(Arc::new)
        .ok_or_else(load_failed)
}

/// Where the communes of a province come from for a definition at `src` (the portal beside
/// it): `{origin}/refdata/communes/`, then `{code}.json`.
pub fn communes_for(src: &str) -> String {
    format!("{}/refdata/communes/", origin_of(src).unwrap_or_default())
}

/// `url` resolved against the page's address.
pub use crate::fetch::absolute;

pub fn origin_of(url: &str) -> Option<String> {
    web_sys::Url::new(url).ok().map(|u| u.origin())
}

/// The portal's check API for a definition served at `…/forms/{id}` (also behind a path prefix
/// of a reverse proxy: `/dvc/forms/ct01` → `/dvc/api/v1/forms/ct01/check`).
pub fn check_url_for(src: &str) -> Option<String> {
    let url = web_sys::Url::new(src).ok()?;
    let path = url.pathname();
    let (prefix, id) = path.rsplit_once("/forms/")?;
    let id = id.trim_end_matches(".json");
    (!id.is_empty() && !id.contains('/'))
        .then(|| format!("{}{prefix}/api/v1/forms/{id}/check", url.origin()))
}

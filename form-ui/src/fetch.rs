//! `fetch` for the citizen app: the helper itself is `form_bind::fetch` (shared with the light
//! runtime); here what only the app sends (PUT, DELETE, files, idempotency keys).

pub use form_bind::fetch::{Answer, diagnostics_of, next_link, request, send, with_admin_units};
use wasm_bindgen_futures::JsFuture;

/// POSTs a JSON body with extra headers (e.g. `Idempotency-Key`).
pub async fn post_json(url: &str, body: &str, headers: &[(&str, &str)]) -> Result<Answer, String> {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    send(url, "POST", &wasm_bindgen::JsValue::from_str(body), &all).await
}

/// DELETEs `url` (no body).
pub async fn delete(url: &str) -> Result<Answer, String> {
    send(url, "DELETE", &wasm_bindgen::JsValue::UNDEFINED, &[]).await
}

/// PUTs a JSON body.
pub async fn put_json(url: &str, body: &str) -> Result<Answer, String> {
    send(
        url,
        "PUT",
        &wasm_bindgen::JsValue::from_str(body),
        &[("content-type", "application/json")],
    )
    .await
}

/// POSTs a file as the body, with its media type as `Content-Type`.
pub async fn post_file(url: &str, file: &web_sys::File) -> Result<Answer, String> {
    let media_type = file.type_();
    send(url, "POST", file, &[("content-type", media_type.as_str())]).await
}

/// A new random idempotency key (a UUID from the browser's CSPRNG).
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("k{}", js_sys::Date::now()))
}

/// The `{error: {message: {vi, en}}}` of a portal's answer, if it has one.
pub fn error_of(body: &str) -> Option<form_core::Text> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    serde_json::from_value(v.get("error")?.get("message")?.clone()).ok()
}

/// Waits `ms` milliseconds (a `setTimeout` promise).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// An entry of `GET /forms`.
#[derive(Clone, serde::Deserialize)]
pub struct FormSummary {
    pub id: String,
    pub version: u32,
    pub title: form_core::Text,
}

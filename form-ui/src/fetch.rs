//! `fetch` for the citizen app: the helper itself is `form_bind::fetch` (shared with the light
//! runtime); here what only the app sends (PUT, DELETE, files, idempotency keys).

pub use form_bind::fetch::{
    Answer, diagnostics_of, error_of, new_key, next_link, request, send, sleep, with_admin_units,
};

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

/// An entry of `GET /forms`.
#[derive(Clone, serde::Deserialize)]
pub struct FormSummary {
    pub id: String,
    pub version: u32,
    pub title: form_core::Text,
}

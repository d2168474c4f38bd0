//! The portal's own citizen pages (a form page drawn by `form-html` and run by the light
//! runtime, a receipt, a refusal): the page around what they draw. The trunk-built apps' pages
//! are `apps.rs`'s.

use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// A citizen page the portal draws whole (`form-html`'s page around what `body` holds).
pub(crate) struct Site<'a> {
    pub title: &'a str,
    pub lang: form_core::Lang,
    /// The page's body: `form_html::site`'s header and `<main>` around its content.
    pub body: &'a str,
    /// The form in it is run by the light runtime (`/eform/page.js`): none for a page that
    /// stays as drawn (a receipt, a refusal).
    pub runtime: bool,
}

/// A citizen page the portal draws whole: the embed's stylesheet, and the light runtime's
/// script when the page has a form (`/eform/page.js`, which takes over `#ef-ssr`; without the
/// runtime's build it answers 503 and the page works as it does without JavaScript).
pub(crate) fn site_page(state: &AppState, status: StatusCode, page: Site<'_>) -> Response {
    // Without a build of the stylesheet (a portal started before `cargo xtask build-web`), the
    // page still works, unstyled.
    let css = crate::reply::built_file_in(&state.web_dir.join("embed"), "eform-", ".css")
        .map(|css| format!("<link rel=\"stylesheet\" href=\"/embed/{css}\">"))
        .unwrap_or_default();
    // The runtime's script at low priority: it runs once the page is painted anyway, so it need
    // not share the line with the stylesheet (and Lighthouse's estimate of the first paint then
    // does not count it as render-blocking: the form page's FCP as the static copy's).
    let script = if page.runtime {
        "<script type=\"module\" src=\"/eform/page.js\" fetchpriority=\"low\"></script>"
    } else {
        ""
    };
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>{} — eform</title>{css}{script}</head><body>{}</body></html>",
        page.lang.tag(),
        form_html::esc(page.title),
        page.body
    );
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    (status, headers, Html(html)).into_response()
}

pub(crate) fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html("<!doctype html><html lang=\"en\"><title>eform</title><p>The citizen app is not built. Run <code>cargo xtask run</code>.</p></html>"),
    )
        .into_response()
}

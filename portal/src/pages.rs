//! The citizen app's page as the portal serves it, with what the portal drew of the page itself
//! (a form by `form-html`, or a receipt) at the start of its body.

use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// What the portal drew of a page itself (`form-html`): shown at once, before the app arrives
/// or without it.
#[derive(Clone, Copy)]
pub(crate) enum Drawn<'a> {
    /// A form: the app takes it over when it arrives, keeping what was typed into it, in the
    /// language the citizen chose on the page (`None`: none chosen, the app uses its own).
    /// `sent`: the page answers a post, so what it shows is what the citizen sent.
    Form {
        html: &'a str,
        lang: Option<form_core::Lang>,
        sent: bool,
    },
    /// A page that stays as drawn (a receipt): the app does not start on it.
    Final(&'a str),
}

/// The citizen app's page; `drawn`, the portal's own HTML of the page, goes at the start of the
/// body in `<div id="ef-ssr">`: what shows until the app takes over (the stylesheet hides the
/// app's own elements while it is there), and all that a browser without JavaScript shows.
pub(crate) async fn app_page(
    state: &AppState,
    status: StatusCode,
    drawn: Option<Drawn<'_>>,
) -> Response {
    page_of_build(state, "app", status, drawn).await
}

/// The citizen app's account pages (a dossier, the dossier lists and inbox, co-signing, the
/// data log): a build of their own (`account`), so the form pages' code leaves them out.
pub(crate) async fn account_page(state: &AppState) -> Response {
    page_of_build(state, "account", StatusCode::OK, None).await
}

/// The page of the trunk build `build` (`target/web/{build}/index.html`).
async fn page_of_build(
    state: &AppState,
    build: &str,
    status: StatusCode,
    drawn: Option<Drawn<'_>>,
) -> Response {
    match tokio::fs::read_to_string(state.web_dir.join(build).join("index.html")).await {
        Ok(html) => {
            let drawn = drawn.map(|d| match d {
                Drawn::Form { html, lang, sent } => format!(
                    "<div id=\"ef-ssr\" data-ef-takeover{}{}>{html}</div>",
                    lang.map(|l| format!(" data-ef-lang=\"{}\"", l.tag()))
                        .unwrap_or_default(),
                    if sent { " data-ef-sent" } else { "" }
                ),
                Drawn::Final(h) => format!("<div id=\"ef-ssr\">{h}</div>"),
            });
            let html = match drawn {
                // At the start of the body; a page without a `<body>` tag (its start tag may be
                // left out) gets it at the end.
                Some(d) if html.contains("<body>") => {
                    html.replacen("<body>", &format!("<body>{d}"), 1)
                }
                Some(d) => format!("{html}{d}"),
                None => html,
            };
            let mut headers = HeaderMap::new();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            (status, headers, Html(html)).into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<!doctype html><html lang=\"en\"><title>eform</title><p>The citizen app is not built. Run <code>cargo xtask run</code>.</p></html>"),
        )
            .into_response(),
    }
}

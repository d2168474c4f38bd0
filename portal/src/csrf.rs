//! Cross-site request defence in depth (review M6). Session cookies are `SameSite=Strict`, so a
//! cross-*site* page sends none; this also refuses what a same-*site* page (a sibling subdomain,
//! another application under the same registrable domain) could send a signed-in browser into:
//! every state-changing request (not GET, HEAD or OPTIONS)
//! - whose `Sec-Fetch-Site` is present and neither `same-origin` nor `none` → 403;
//! - whose `Origin` is present and not one the portal serves → 403: its `--public-url`, the
//!   host portals of `--allowed-origin` (embedding through their own reverse proxy), and in
//!   development mode any loopback origin (never the request's own `Host`, which DNS rebinding
//!   makes the attacker's);
//! - whose body is not declared `application/json` → 415 (a `<form enctype="text/plain">` cannot
//!   send one), except file uploads (their media type), the development routes and the form pages
//!   posted without JavaScript (HTML forms; the checks above still apply).

use crate::reply::error;
use crate::state::AppState;
use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use form_core::Text;

/// Paths whose bodies are not JSON.
const NOT_JSON: [&str; 3] = ["/api/v1/attachments", "/dev/", "/f/"];

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
        && site != "none"
    {
        tracing::warn!(site, path = %req.uri().path(), "a cross-site request was refused");
        return refused();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && !origin_allowed(&state, origin)
    {
        tracing::warn!(origin, path = %req.uri().path(), "a request from another origin was refused");
        return refused();
    }
    let path = req.uri().path();
    // A request with a body: a length above 0, or chunked (no known end).
    let has_body = req.body().size_hint().upper() != Some(0);
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if has_body && !json && !NOT_JSON.iter().any(|p| path.starts_with(p)) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "json-required",
            Text::new(
                "Nội dung gửi lên phải là JSON (Content-Type: application/json).",
                "The request body must be JSON (Content-Type: application/json).",
            ),
        );
    }
    next.run(req).await
}

/// Whether `origin` (`scheme://host[:port]`) is one the portal serves.
/// Only configured names count: the request's own `Host` is the attacker's under DNS rebinding.
fn origin_allowed(state: &AppState, origin: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(origin) else {
        return false;
    };
    let own = |u: &str| reqwest::Url::parse(u).is_ok_and(|o| o.origin() == url.origin());
    if state.config.public_url.as_deref().is_some_and(own)
        || state.config.allowed_origins.iter().any(|o| own(o))
    {
        return true;
    }
    state.config.dev
        && match url.host() {
            Some(openidconnect::url::Host::Domain(d)) => d == "localhost",
            Some(openidconnect::url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(openidconnect::url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
}

fn refused() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "cross-site-refused",
        Text::new(
            "Yêu cầu đến từ một trang khác nên bị từ chối.",
            "The request came from another site, so it was refused.",
        ),
    )
}

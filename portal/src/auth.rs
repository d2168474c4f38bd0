//! Who is asking: sessions for citizens and officials, and how they begin.
//!
//! A session is a random 256-bit token; the database keeps only its SHA-256. Browsers carry it
//! in an `HttpOnly; SameSite=Strict` cookie (`__Host-eform_session`, `Secure`, in production),
//! scripts as `Authorization: Bearer <token>`. Citizens' sessions last 8 hours; officials' also
//! end after 15 minutes without a request.
//!
//! Production signs people in through the identity provider (OpenID Connect, [`crate::oidc`]):
//! `/auth/login` sends the browser there, `/auth/callback` verifies what comes back, maps the
//! claims to a [`UserRow`] — a citizen by personal ID number (created at the first sign-in), an
//! official by the role and agency claims (the agency must be in the directory) — and opens a
//! session. Development mode (`eform serve --dev`, loopback only) has instead a sign-in page
//! listing demo users, and `/dev/*` routes for scripts and tests.
// Handlers hand back ready responses as errors; their size (128 bytes) does not matter on
// these paths, and a wrapper type would only add noise.
#![allow(clippy::result_large_err)]

use crate::db::{Db, UserRow};
use crate::encode::{hex, new_token, percent_encode};
use crate::reply::{error, internal};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing;
use axum::{Json, body::Bytes};
use form_core::Text;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Signing in and out, and who is signed in.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signin", routing::get(signin_page))
        .route("/signout", routing::post(signout))
        .route("/api/v1/me", routing::get(me))
        .route("/api/v1/session", routing::get(session))
}

/// Development mode's demo sign-in (never in production).
pub fn dev_routes() -> Router<AppState> {
    Router::new()
        .route("/dev/users", routing::get(dev_users))
        .route(
            "/dev/session",
            routing::post(dev_session).layer(DefaultBodyLimit::max(4096)),
        )
        .route("/dev/login", routing::get(dev_login))
}

/// The cookie that carries a browser's session in development mode (plain http on loopback).
pub const COOKIE: &str = "eform_session";
/// The cookie that carries it in production: `__Host-` makes the browser refuse it unless it is
/// `Secure`, host-only and for `/` (no sibling subdomain can plant one).
pub const HOST_COOKIE: &str = "__Host-eform_session";
/// The cookie that binds a sign-in at the identity provider to the browser that started it.
pub const LOGIN_COOKIE: &str = "__Host-eform_login";
/// How long a session lasts.
pub const SESSION_MS: i64 = 8 * 3600 * 1000;
/// How long an official's session lasts without a request.
pub const OFFICIAL_IDLE_MS: i64 = 15 * 60 * 1000;
/// A session's last use is written at most this often.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// The session cookie's name in this mode.
pub fn cookie_name(dev: bool) -> &'static str {
    if dev { COOKIE } else { HOST_COOKIE }
}

/// The demo users of development mode: citizens (with personal ID numbers of the right
/// structure) and an official of each demo agency.
pub fn demo_users() -> Vec<UserRow> {
    let citizen = |id: &str, name: &str, pid: &str| UserRow {
        id: id.into(),
        role: "citizen".into(),
        name: name.into(),
        agency_code: None,
        personal_id: Some(pid.into()),
    };
    let official = |id: &str, name: &str, agency: &str| UserRow {
        id: id.into(),
        role: "official".into(),
        name: name.into(),
        agency_code: Some(agency.into()),
        personal_id: None,
    };
    vec![
        citizen("citizen-an", "Nguyễn Văn An", "001090012345"),
        citizen("citizen-binh", "Trần Thị Bình", "056185004321"),
        citizen("citizen-cuong", "Lê Minh Cường", "079201007788"),
        citizen("citizen-dung", "Phạm Thị Dung", "048195003344"),
        citizen("citizen-em", "Hoàng Văn Em", "001088009911"),
        official("official-ha", "Phạm Thu Hà", "000.00.18.H56"),
        official("official-huy", "Đỗ Quang Huy", "000.00.20.H56"),
    ]
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Opens a session for a known user (`id_token`: the identity provider's, for signing out
/// there); the token to hand to them.
pub async fn start_session(
    db: &Db,
    user_id: &str,
    id_token: Option<&str>,
) -> Result<String, Response> {
    let token = new_token().map_err(|_| internal())?;
    let now = crate::clock::now_ms();
    db.create_session(
        &token_hash(&token),
        user_id,
        now,
        now + SESSION_MS,
        id_token,
    )
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "creating a session");
        internal()
    })?;
    Ok(token)
}

/// How a service account's API key begins (the rest: 64 hex digits of randomness).
pub const SERVICE_KEY_PREFIX: &str = "efk_";

/// Whether `user` is an agency system's service account (not a person).
pub fn is_service(user: &UserRow) -> bool {
    user.id.starts_with("service:")
}

/// The signed-in user of a request (from the bearer token, else the cookie); a 401 otherwise.
pub struct Signed(pub UserRow);

impl Signed {
    pub fn is_official(&self) -> bool {
        self.0.role == "official"
    }
}

/// The session token a request carries, if any: the bearer token, else the mode's cookie.
pub fn token_of(headers: &HeaderMap, dev: bool) -> Option<String> {
    let name = cookie_name(dev);
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return v
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
    }
    cookie(headers, name).filter(|t| !t.is_empty())
}

/// The value of the first cookie `name` the request carries.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The user of the session `token`, if it is open: not expired, and for officials used within
/// [`OFFICIAL_IDLE_MS`]; its last use is recorded (at most once a minute).
pub async fn session_user(state: &AppState, token: &str) -> Result<Option<UserRow>, Response> {
    let hash = token_hash(token);
    let now = crate::clock::now_ms();
    // An agency system's API key (`eform service-accounts add`): no session, no idle timeout.
    if token.starts_with(SERVICE_KEY_PREFIX) {
        return state.db.service_account(&hash).await.map_err(|e| {
            tracing::error!(error = %e, "reading a service account");
            internal()
        });
    }
    let session = state.db.session(&hash, now).await.map_err(|e| {
        tracing::error!(error = %e, "reading a session");
        internal()
    })?;
    let Some(s) = session else { return Ok(None) };
    if s.user.role == "official" && now - s.last_seen > OFFICIAL_IDLE_MS {
        if let Err(e) = state.db.delete_session(&hash).await {
            tracing::error!(error = %e, "ending an idle session");
        }
        return Ok(None);
    }
    if now - s.last_seen > TOUCH_EVERY_MS
        && let Err(e) = state.db.touch_session(&hash, now).await
    {
        tracing::warn!(error = %e, "recording a session's use");
    }
    Ok(Some(s.user))
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = token_of(&parts.headers, state.config.dev) else {
            return Err(unauthorized());
        };
        match session_user(state, &token).await? {
            Some(user) => Ok(Signed(user)),
            None => Err(unauthorized()),
        }
    }
}

pub fn unauthorized() -> Response {
    let mut res = error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        Text::new(
            "Vui lòng đăng nhập (phiên đăng nhập không có hoặc đã hết hạn).",
            "Please sign in (no session, or it has expired).",
        ),
    );
    res.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    res
}

/// The answer for a signed-in user who may not do what they asked.
pub fn forbidden() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "forbidden",
        Text::new(
            "Tài khoản của bạn không có quyền này.",
            "Your account may not do this.",
        ),
    )
}

/// `GET /api/v1/me`: who is signed in, with the agency's name for officials.
pub async fn me(State(state): State<AppState>, user: Signed) -> Response {
    Json(user_json(&state, &user.0)).into_response()
}

/// `GET /api/v1/session`: the caller's user, or `{"user": null}` — always 200, so that a page
/// can ask without an error showing in the browser's console.
pub async fn session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match token_of(&headers, state.config.dev) {
        Some(t) => match session_user(&state, &t).await {
            Ok(u) => u,
            Err(r) => return r,
        },
        None => None,
    };
    Json(json!({"user": user.map(|u| user_json(&state, &u))})).into_response()
}

fn user_json(state: &AppState, u: &UserRow) -> serde_json::Value {
    let agency = u
        .agency_code
        .as_deref()
        .map(|code| json!({"code": code, "name": state.agencies.name(code)}));
    // Whether this user's drafts are kept on the portal (a citizen, and a portal with a key).
    let drafts = state.drafts.is_some() && u.role == "citizen";
    json!({"id": u.id, "role": u.role, "name": u.name, "agency": agency, "portalDrafts": drafts})
}

/// The cookie that carries `token` (production: `__Host-`, `Secure`).
pub fn session_cookie(token: &str, dev: bool) -> HeaderValue {
    let (name, secure) = if dev {
        (COOKIE, "")
    } else {
        (HOST_COOKIE, "; Secure")
    };
    let max_age = SESSION_MS / 1000;
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The header that removes the session cookie.
fn session_cookie_gone(dev: bool) -> HeaderValue {
    HeaderValue::from_static(if dev {
        "eform_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    } else {
        "__Host-eform_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
    })
}

/// Only paths of this portal: never another site (no open redirect).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && p.len() <= 2048
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    user: Option<String>,
    next: Option<String>,
}

/// `GET /dev/login?user=<id>&next=<path>` (development mode): signs the browser in as a demo
/// user and goes on to `next`.
pub async fn dev_login(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    let Some(user) = q.user else {
        return Redirect::to("/signin").into_response();
    };
    if !demo_users().iter().any(|u| u.id == user) {
        return unknown_user(&user);
    }
    let token = match start_session(&state.db, &user, None).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let mut res = Redirect::to(&local_path(q.next.as_deref())).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&token, state.config.dev));
    res
}

fn unknown_user(user: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "unknown-user",
        Text::new(
            format!("Không có người dùng thử nghiệm \"{user}\"."),
            format!("There is no demo user \"{user}\"."),
        ),
    )
}

/// `GET /dev/users` (development mode): the demo users.
pub async fn dev_users() -> Json<serde_json::Value> {
    Json(serde_json::Value::Array(
        demo_users()
            .into_iter()
            .map(|u| json!({"id": u.id, "role": u.role, "name": u.name, "agency": u.agency_code}))
            .collect(),
    ))
}

/// `POST /dev/session` `{"user": "<id>"}` (development mode): a bearer token for a demo user.
pub async fn dev_session(State(state): State<AppState>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    struct Body {
        user: String,
    }
    let Ok(body) = serde_json::from_slice::<Body>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad-request",
            Text::new(
                "Cần {\"user\": \"<mã người dùng>\"}.",
                "Expected {\"user\": \"<user id>\"}.",
            ),
        );
    };
    if !demo_users().iter().any(|u| u.id == body.user) {
        return unknown_user(&body.user);
    }
    match start_session(&state.db, &body.user, None).await {
        Ok(token) => (StatusCode::CREATED, Json(json!({"token": token}))).into_response(),
        Err(r) => r,
    }
}

/// `POST /signout`: ends the session (cookie or bearer) and goes home — or, after a sign-in
/// through the identity provider, to its end-session page (RP-initiated logout), which comes
/// back home. Asked for JSON (`Accept: application/json`, as the apps do), it answers 200
/// `{"next": URL}` instead of a redirect.
pub async fn signout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut next = "/".to_owned();
    if let Some(token) = token_of(&headers, state.config.dev) {
        let hash = token_hash(&token);
        let id_token = match state.db.session(&hash, crate::clock::now_ms()).await {
            Ok(s) => s.and_then(|s| s.id_token),
            Err(e) => {
                tracing::error!(error = %e, "reading a session");
                return internal();
            }
        };
        if let Err(e) = state.db.delete_session(&hash).await {
            tracing::error!(error = %e, "ending a session");
            return internal();
        }
        if let (Some(oidc), Some(t)) = (&state.oidc, id_token.as_deref())
            && let Some(url) = oidc.logout_url(Some(t)).await
        {
            next = url;
        }
    }
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let mut res = if wants_json {
        Json(json!({"next": next})).into_response()
    } else if next.starts_with('/') {
        Redirect::to(&next).into_response()
    } else {
        // A form posted without a script: the pages' `form-action 'self'` refuses a redirect
        // to the provider, so the way there is a link.
        let lang = cookie(&headers, form_html::LANG_COOKIE)
            .and_then(|t| form_core::Lang::parse(&t))
            .unwrap_or_default();
        provider_sign_out_page(&state, &next, lang)
    };
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie_gone(state.config.dev));
    res
}

/// Signed out of the portal; the identity provider's own session ends at its page, `next`. In
/// the language the citizen chose on the portal's pages (its cookie), Vietnamese otherwise.
fn provider_sign_out_page(state: &AppState, next: &str, lang: form_core::Lang) -> Response {
    let title = Text::new("Đã đăng xuất khỏi cổng", "Signed out of the portal");
    let main = format!(
        "<div class=\"ef-panel ef-panel--ok\" role=\"status\"><h1 class=\"ef-title\">{}</h1><p><a class=\"ef-button\" href=\"{}\">{}</a></p></div>",
        form_html::esc(title.get(lang)),
        form_html::esc(next),
        form_html::esc(
            Text::new(
                "Đăng xuất cả khỏi tài khoản định danh",
                "Sign out of your identity account too"
            )
            .get(lang)
        ),
    );
    let body = format!(
        "{}{main}{}",
        form_html::site::open(lang, None, "/", false),
        form_html::site::CLOSE
    );
    crate::pages::site_page(
        state,
        StatusCode::OK,
        crate::pages::Site {
            title: title.get(lang),
            lang,
            body: &body,
            runtime: false,
        },
    )
}

#[derive(Deserialize)]
pub struct SigninQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// `GET /signin`: the sign-in page. Development mode lists the demo users; in production the
/// identity provider's button goes here.
pub async fn signin_page(State(state): State<AppState>, Query(q): Query<SigninQuery>) -> Response {
    let lang = q
        .lang
        .as_deref()
        .and_then(form_core::Lang::parse)
        .unwrap_or_default();
    let t = |vi: &'static str, en: &'static str| if lang == form_core::Lang::Vi { vi } else { en };
    let next = local_path(q.next.as_deref());
    let mut body = String::new();
    if state.config.dev {
        body.push_str(&format!(
            "<p>{}</p><ul class=\"ef-list ef-users\">",
            t(
                "Chế độ phát triển: chọn một người dùng thử nghiệm.",
                "Development mode: choose a demo user."
            )
        ));
        for u in demo_users() {
            let role = match (u.role.as_str(), &u.agency_code) {
                ("official", Some(a)) => format!("{} {}", t("cán bộ", "official of"), escape(a)),
                _ => t("công dân", "citizen").to_owned(),
            };
            body.push_str(&format!(
                "<li><a class=\"ef-button ef-button--secondary\" href=\"/dev/login?user={}&amp;next={}\">{}</a> <span class=\"ef-hint\">{}</span></li>",
                escape(&u.id),
                escape(&percent_encode(&next)),
                escape(&u.name),
                role
            ));
        }
        body.push_str("</ul>");
    }
    if state.oidc.is_some() {
        body.push_str(&format!(
            "<p>{}</p><p><a class=\"ef-button\" data-testid=\"sso\" href=\"/auth/login?next={}\">{}</a></p>",
            t(
                "Đăng nhập bằng tài khoản định danh điện tử (VNeID) qua hệ thống đăng nhập một lần quốc gia.",
                "Sign in with your electronic identity account (VNeID) through the national single sign-on."
            ),
            escape(&percent_encode(&next)),
            t("Đăng nhập bằng VNeID", "Sign in with VNeID"),
        ));
    } else if !state.config.dev {
        body.push_str(&format!(
            "<p class=\"ef-panel ef-panel--warn\">{}</p>",
            t(
                "Đăng nhập qua hệ thống định danh quốc gia chưa được cấu hình trên cổng này.",
                "Sign-in through the national identity provider is not configured on this portal."
            )
        ));
    }
    let other = format!(
        "/signin?lang={}&next={}",
        other_lang(lang).tag(),
        percent_encode(&next)
    );
    Html(page(&state, lang, t("Đăng nhập", "Sign in"), &body, &other)).into_response()
}

/// A server-made page of the portal (sign-in, its errors) in `lang`: `body` is HTML already
/// escaped; `other` is this page's address in the other language.
pub fn page(
    state: &AppState,
    lang: form_core::Lang,
    title: &str,
    body: &str,
    other: &str,
) -> String {
    let css = crate::reply::built_file(&state.web_dir, "eform-", ".css")
        .map(|f| format!("<link rel=\"stylesheet\" href=\"/app/{}\">", escape(&f)))
        .unwrap_or_default();
    let other_name = if lang == form_core::Lang::Vi {
        "English"
    } else {
        "Tiếng Việt"
    };
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — eform</title>{css}</head><body>\
         <header class=\"ef-header\"><div class=\"ef-header__inner\"><a class=\"ef-brand\" href=\"/\">eform</a>\
         <a class=\"ef-lang__button\" lang=\"{other_tag}\" href=\"{other}\">{other_name}</a></div></header>\
         <main id=\"main\" class=\"ef-main\"><h1 class=\"ef-title\">{title}</h1>{body}</main></body></html>",
        lang = lang.tag(),
        other_tag = other_lang(lang).tag(),
        title = escape(title),
        other = escape(other),
    )
}

/// The language a page offers to switch to.
pub fn other_lang(lang: form_core::Lang) -> form_core::Lang {
    match lang {
        form_core::Lang::Vi => form_core::Lang::En,
        form_core::Lang::En => form_core::Lang::Vi,
    }
}

/// HTML text and attribute escaping (the one of the form renderer).
pub fn escape(s: &str) -> String {
    form_html::esc(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_redirects() {
        assert_eq!(local_path(Some("/d/X-1")), "/d/X-1");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn tokens_from_header_or_cookie() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; eform_session=abc; b=2"),
        );
        assert_eq!(token_of(&h, true).as_deref(), Some("abc"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer xyz"),
        );
        assert_eq!(token_of(&h, true).as_deref(), Some("xyz"));
        let t = new_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(token_hash(&t), t);
    }
}

//! Signing in through the identity provider: `GET /auth/login` sends the browser to the
//! provider, `GET /auth/callback` takes it back, verifies (through [`crate::oidc`]) and opens a
//! session. Who the person is here comes from the claims:
//! - an **official** provisioned with `eform officials add`, by personal ID number (user id
//!   `official:pid:<number>`), or when the role claim says `official` and the agency claim names
//!   an agency of the directory (user id `official:sub:<subject>`); everyone at an accepted
//!   assurance level (`acr`);
//! - otherwise a **citizen**, matched by personal ID number (12 digits; user id
//!   `citizen:<number>` at the first sign-in), when the assurance level (`acr`) is one the
//!   portal accepts. The name and ID number the provider vouches for are kept in the citizen's
//!   data store as verified values (source `identity-provider`), so forms prefill them.
//!
//! Every refusal is a page in both languages saying what happened and what to do; the reason
//! in detail goes to the log only.
#![allow(clippy::result_large_err)]

use crate::auth::{
    LOGIN_COOKIE, escape, local_path, other_lang, page, session_cookie, start_session, token_hash,
};
use crate::db::{LoginRow, UserRow};
use crate::encode::percent_encode;
use crate::oidc::{Failure, Identity, LOGIN_MAX_AGE_MS};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing;
use form_core::{Lang, Text};
use serde::Deserialize;

/// Sign-in through the identity provider (OpenID Connect).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", routing::get(login))
        .route("/auth/callback", routing::get(callback))
}

/// The data-store source of values the identity provider vouches for.
pub const SOURCE: &str = "identity-provider";

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

fn lang_of(q: Option<&str>) -> Lang {
    q.and_then(Lang::parse).unwrap_or_default()
}

/// `GET /auth/login?next=<path>`: to the provider, with a new `state`, `nonce` and PKCE
/// challenge; `state` goes into a short-lived cookie as well.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Query(q): Query<LoginQuery>,
) -> Response {
    let lang = lang_of(q.lang.as_deref());
    let client = crate::state::client_address(&state, &headers, &extensions);
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Login, &client)
        .await
    {
        return r;
    }
    let Some(oidc) = state.oidc.clone() else {
        return refusal(&state, lang, StatusCode::NOT_FOUND, not_configured());
    };
    let begun = match oidc.begin().await {
        Ok(b) => b,
        Err(f) => return failure(&state, lang, f),
    };
    let now = crate::clock::now_ms();
    let row = LoginRow {
        state_hash: token_hash(&begun.state),
        verifier: begun.verifier,
        nonce: begun.nonce,
        next: local_path(q.next.as_deref()),
        created_at: now,
    };
    if let Err(e) = state.db.start_login(&row, now, LOGIN_MAX_AGE_MS).await {
        tracing::error!(error = %e, "recording a sign-in");
        return crate::reply::internal();
    }
    let mut res = Redirect::to(&begun.url).into_response();
    // Lax: the provider's redirect back is a top-level navigation from another site.
    let cookie = format!(
        "{LOGIN_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
        begun.state,
        LOGIN_MAX_AGE_MS / 1000
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    /// The issuer of the answer (RFC 9207), when the provider says: it must be ours.
    iss: Option<String>,
}

/// `GET /auth/callback?code&state`: the way back from the provider.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let lang = Lang::Vi;
    let client = crate::state::client_address(&state, &headers, &extensions);
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Login, &client)
        .await
    {
        return r;
    }
    let Some(oidc) = state.oidc.clone() else {
        return refusal(&state, lang, StatusCode::NOT_FOUND, not_configured());
    };
    let mut res = finish(&state, &oidc, &headers, q).await;
    // The login cookie has served (or cannot serve again).
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "__Host-eform_login=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0",
        ),
    );
    res
}

async fn finish(
    state: &AppState,
    oidc: &crate::oidc::Oidc,
    headers: &HeaderMap,
    q: CallbackQuery,
) -> Response {
    let lang = Lang::Vi;
    let Some(returned) = q.state.filter(|s| !s.is_empty()) else {
        return refused(state, "no state parameter");
    };
    // Only the browser that left may come back with this state (no login CSRF).
    if login_cookie(headers).as_deref() != Some(returned.as_str()) {
        return refused(
            state,
            "the state does not match this browser's login cookie",
        );
    }
    let login = match state.db.take_login(&token_hash(&returned)).await {
        Ok(Some(l)) => l,
        Ok(None) => {
            return refused(
                state,
                "no sign-in in flight with this state (used or unknown)",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "reading a sign-in");
            return crate::reply::internal();
        }
    };
    if crate::clock::now_ms() - login.created_at > LOGIN_MAX_AGE_MS {
        return refusal(
            state,
            lang,
            StatusCode::UNAUTHORIZED,
            Text::new(
                "Phiên đăng nhập đã quá hạn. Vui lòng đăng nhập lại.",
                "The sign-in took too long. Please sign in again.",
            ),
        );
    }
    if let Some(error) = q.error {
        tracing::info!(%error, description = ?q.error_description, "the identity provider returned an error");
        return refusal(
            state,
            lang,
            StatusCode::UNAUTHORIZED,
            Text::new(
                "Đăng nhập không thành công hoặc đã bị hủy tại hệ thống định danh.",
                "Signing in did not succeed, or was cancelled, at the identity provider.",
            ),
        );
    }
    if let Some(iss) = &q.iss
        && iss.trim_end_matches('/') != oidc.settings().issuer.trim_end_matches('/')
    {
        return refused(state, "the answer names another issuer (mix-up)");
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        return refused(state, "no code parameter");
    };
    let identity = match oidc.finish(&code, &login.verifier, &login.nonce).await {
        Ok(i) => i,
        Err(f) => return failure(state, lang, f),
    };
    let user = match user_of(state, oidc.settings(), &identity).await {
        Ok(u) => u,
        Err(f) => return failure(state, lang, f),
    };
    if let Err(e) = state.db.upsert_user(&user).await {
        tracing::error!(error = %e, "storing a user");
        return crate::reply::internal();
    }
    if user.role == "citizen"
        && let Err(e) = keep_verified(state, &user, &identity).await
    {
        tracing::error!(error = %e, "storing the identity provider's values");
        return crate::reply::internal();
    }
    let token = match start_session(&state.db, &user.id, Some(&identity.id_token)).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    tracing::info!(user = %user.id, role = %user.role, "signed in through the identity provider");
    // A page of this origin goes on to `next`: the navigation that follows is same-site, so the
    // SameSite=Strict session cookie goes with it (a redirect chain from the provider's site
    // would not carry it).
    let next = escape(&login.next);
    let body = format!(
        "<p>{}</p><p><a class=\"ef-button\" href=\"{next}\">{}</a></p>",
        "Đăng nhập thành công. / Signed in.", "Tiếp tục / Continue"
    );
    let html = page(
        state,
        lang,
        "Đăng nhập / Sign in",
        &body,
        &format!("/signin?lang=en&next={}", percent_encode(&login.next)),
    )
    .replace(
        "</title>",
        &format!("</title><meta http-equiv=\"refresh\" content=\"0;url={next}\">"),
    );
    let mut res = Html(html).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&token, state.config.dev));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Maps what the provider says to a user of this portal.
async fn user_of(
    state: &AppState,
    settings: &crate::oidc::Settings,
    id: &Identity,
) -> Result<UserRow, Failure> {
    let name = id.name.clone().unwrap_or_default();
    // The assurance level, for everyone (officials see other people's data).
    let wanted = &settings.citizen_acr;
    if !wanted.is_empty() && !id.acr.as_ref().is_some_and(|a| wanted.contains(a)) {
        tracing::info!(subject = %id.subject, acr = ?id.acr, "assurance level too low");
        return Err(Failure::NotAllowed(Text::new(
            "Dịch vụ này cần tài khoản định danh điện tử mức độ 2. Vui lòng nâng cấp tài khoản VNeID rồi đăng nhập lại.",
            "This service needs a level-2 electronic identity account. Please upgrade your VNeID account, then sign in again.",
        )));
    }
    // An official an administrator provisioned (`eform officials add`), by personal ID number.
    if let Some(pid) = id.personal_id.as_deref() {
        let provisioned = state
            .db
            .official(pid)
            .await
            .map_err(|e| Failure::Unavailable(format!("reading officials: {e}")))?;
        if let Some(o) = provisioned {
            return Ok(UserRow {
                id: format!("official:pid:{}", o.personal_id),
                role: "official".into(),
                name: o.name,
                agency_code: Some(o.agency_code),
                personal_id: Some(o.personal_id),
            });
        }
    }
    if id.role.as_deref() == Some("official") {
        let Some(agency) = id.agency.clone().filter(|a| state.agencies.contains(a)) else {
            tracing::warn!(subject = %id.subject, agency = ?id.agency, "an official's agency is not in the directory");
            return Err(Failure::NotAllowed(Text::new(
                "Tài khoản cán bộ của bạn không gắn với cơ quan nào có trên cổng này. Liên hệ quản trị viên.",
                "Your official's account names no agency known to this portal. Contact the administrator.",
            )));
        };
        return Ok(UserRow {
            id: format!("official:sub:{}", id.subject),
            role: "official".into(),
            name: if name.is_empty() {
                agency.clone()
            } else {
                name
            },
            agency_code: Some(agency),
            personal_id: id.personal_id.clone(),
        });
    }
    let Some(pid) = id
        .personal_id
        .clone()
        .filter(|p| p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()))
    else {
        tracing::warn!(subject = %id.subject, "the identity provider gave no valid personal ID number");
        return Err(Failure::NotAllowed(Text::new(
            "Hệ thống định danh không cung cấp số định danh cá nhân của bạn, nên không thể nộp hồ sơ.",
            "The identity provider did not give your personal ID number, so you cannot file dossiers.",
        )));
    };
    let existing = state
        .db
        .citizen_by_personal_id(&pid)
        .await
        .map_err(|e| Failure::Unavailable(format!("reading users: {e}")))?
        .filter(|u| u.role == "citizen");
    Ok(UserRow {
        id: existing.map_or_else(|| format!("citizen:{pid}"), |u| u.id),
        role: "citizen".into(),
        name: if name.is_empty() { pid.clone() } else { name },
        agency_code: None,
        personal_id: Some(pid),
    })
}

/// The name and ID number the provider vouches for, as verified values of the citizen's data
/// store.
async fn keep_verified(state: &AppState, user: &UserRow, id: &Identity) -> Result<(), sqlx::Error> {
    let now = crate::clock::now_ms();
    let mut values = vec![("citizen.idNumber", serde_json::json!(user.personal_id))];
    if let Some(n) = &id.name {
        values.push(("citizen.fullName", serde_json::json!(n)));
    }
    for (key, value) in values {
        let row = crate::db::AttributeRow {
            key: key.into(),
            value: value.to_string(),
            source: SOURCE.into(),
            verified: true,
            updated_at: now,
        };
        state.db.put_verified_attribute(&user.id, &row).await?;
    }
    Ok(())
}

fn login_cookie(headers: &HeaderMap) -> Option<String> {
    crate::auth::cookie(headers, LOGIN_COOKIE)
}

fn not_configured() -> Text {
    Text::new(
        "Đăng nhập qua hệ thống định danh quốc gia chưa được cấu hình trên cổng này.",
        "Sign-in through the national identity provider is not configured on this portal.",
    )
}

/// A way back that does not belong to a sign-in this browser started, or a code refused.
fn refused(state: &AppState, why: &str) -> Response {
    tracing::warn!(reason = why, "a sign-in was refused");
    refusal(
        state,
        Lang::Vi,
        StatusCode::BAD_REQUEST,
        Text::new(
            "Không thể hoàn tất đăng nhập: yêu cầu không khớp với lần đăng nhập bắt đầu từ trình duyệt này. Vui lòng đăng nhập lại.",
            "The sign-in cannot be completed: the request does not match a sign-in started in this browser. Please sign in again.",
        ),
    )
}

fn failure(state: &AppState, lang: Lang, f: Failure) -> Response {
    match f {
        Failure::Unavailable(why) => {
            tracing::error!(reason = %why, "the identity provider is unavailable");
            refusal(
                state,
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                Text::new(
                    "Hệ thống định danh tạm thời không trả lời. Vui lòng thử lại sau ít phút.",
                    "The identity provider is not answering at the moment. Please try again in a few minutes.",
                ),
            )
        }
        Failure::Refused(why) => {
            tracing::warn!(reason = %why, "the identity provider's answer was refused");
            refusal(
                state,
                lang,
                StatusCode::UNAUTHORIZED,
                Text::new(
                    "Không thể xác minh thông tin đăng nhập từ hệ thống định danh, nên bạn chưa được đăng nhập. Vui lòng đăng nhập lại.",
                    "The sign-in from the identity provider could not be verified, so you are not signed in. Please sign in again.",
                ),
            )
        }
        Failure::NotAllowed(text) => refusal(state, lang, StatusCode::FORBIDDEN, text),
    }
}

/// The refusal page: what happened (both languages, the page's first), and a way to start again.
fn refusal(state: &AppState, lang: Lang, status: StatusCode, what: Text) -> Response {
    let (first, second) = (what.get(lang), what.get(other_lang(lang)));
    let again = Text::new("Đăng nhập lại", "Sign in again");
    let body = format!(
        "<div class=\"ef-panel ef-panel--warn\" role=\"alert\" data-testid=\"signin-error\"><p>{}</p><p lang=\"{}\">{}</p></div>\
         <p><a class=\"ef-button\" href=\"/signin\">{}</a></p>",
        escape(first),
        other_lang(lang).tag(),
        escape(second),
        escape(again.get(lang)),
    );
    let title = Text::new("Đăng nhập không thành công", "Sign-in failed");
    let mut res = (
        status,
        Html(page(state, lang, title.get(lang), &body, "/signin?lang=en")),
    )
        .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

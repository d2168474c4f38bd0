//! Save and resume on another device: a signed-in citizen's draft of a form, saved on the portal
//! as they type (the runtime debounces), offered back wherever they sign in, removed when they
//! submit (in the submission's transaction) or after the form's `drafts_days` without a save.
//!
//! Drafts hold personal data before the citizen decided to send it, so they are sealed at rest:
//! AES-256-GCM under a key kept outside the database (`--draft-key-file`; development mode: a
//! key in the data directory), a fresh 96-bit nonce per save, and the owner, form id and version
//! as associated data — a database dump alone reads none, and a row copied to another citizen
//! does not open. Without a key in production, drafts stay in the browser only (the API
//! answers 404 `drafts-off`; the runtime keeps its local drafts).
#![allow(clippy::result_large_err)]

use crate::auth::Signed;
use crate::catalog::Entry;
use crate::clock;
use crate::intake::{citizens_only, db_failed, form_title};
use crate::reply::{error, too_many_values};
use crate::seal::Sealer;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing;
use form_core::Text;
use serde::Deserialize;
use serde_json::{Value, json};

/// The signed-in citizen's drafts on the portal.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/drafts", routing::get(list))
        .route(
            "/api/v1/drafts/{form}",
            routing::get(get)
                .put(put)
                .delete(delete)
                // Above the draft's own limit, so that its bilingual 413 answers.
                .layer(DefaultBodyLimit::max(2 * MAX_DRAFT)),
        )
}

/// The largest draft taken (its JSON): a form's data, not its files (those are uploaded).
pub const MAX_DRAFT: usize = 512 * 1024;

/// The signed-in citizen and the key, or why drafts cannot be kept for them.
fn ready<'a>(state: &'a AppState, user: &Signed) -> Result<&'a Sealer, Response> {
    citizens_only(user)?;
    state.drafts.as_deref().ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "drafts-off",
            Text::new(
                "Cổng này không lưu bản nháp; bản nháp chỉ được giữ trong trình duyệt của bạn.",
                "This portal does not keep drafts; your draft is kept in your browser only.",
            ),
        )
    })
}

fn no_draft(form_id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "draft-not-found",
        Text::new(
            format!("Bạn không có bản nháp nào của biểu mẫu {form_id} trên cổng."),
            format!("You have no draft of form {form_id} on the portal."),
        ),
    )
}

/// `GET /api/v1/drafts`: the citizen's drafts on the portal, the last saved first (the form
/// list and "my dossiers" offer to continue them).
pub async fn list(State(state): State<AppState>, user: Signed) -> Response {
    let sealer = match ready(&state, &user) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match state.db.citizen_drafts(&user.0.id, clock::now_ms()).await {
        Ok(rows) => Json(
            rows.iter()
                // Only what can be continued: the version the portal serves now, sealed under
                // the key it has now.
                .filter(|d| served_version(&state, &d.form_id) == Some(d.form_version))
                .filter(|d| {
                    sealer
                        .open(&user.0.id, &d.form_id, d.form_version, &d.nonce, &d.data)
                        .is_some()
                })
                .map(|d| {
                    json!({
                        "formId": d.form_id,
                        "formVersion": d.form_version,
                        "formTitle": form_title(&state, &d.form_id),
                        "savedAt": clock::rfc3339(d.saved_at),
                        "expiresAt": clock::rfc3339(d.expires_at),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => db_failed(&e),
    }
}

/// The version of `form_id` the portal serves now.
fn served_version(state: &AppState, form_id: &str) -> Option<i64> {
    match state.catalog.get(form_id) {
        Some(Entry::Ready(r)) => Some(i64::from(r.form.definition().version)),
        _ => None,
    }
}

/// `GET /api/v1/drafts/{form}`: the citizen's draft of a form, with its data.
pub async fn get(
    State(state): State<AppState>,
    user: Signed,
    Path(form_id): Path<String>,
) -> Response {
    let sealer = match ready(&state, &user) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let row = match state
        .db
        .citizen_draft(&user.0.id, &form_id, clock::now_ms())
        .await
    {
        Ok(Some(r)) => r,
        Ok(None) => return no_draft(&form_id),
        Err(e) => return db_failed(&e),
    };
    let Some(data) = sealer
        .open(
            &user.0.id,
            &form_id,
            row.form_version,
            &row.nonce,
            &row.data,
        )
        .and_then(|plain| serde_json::from_slice::<Value>(&plain).ok())
    else {
        // Sealed under another key (it was changed) or not this citizen's: as if absent.
        tracing::warn!(form = %form_id, "a draft that does not open with the draft key");
        return no_draft(&form_id);
    };
    Json(json!({
        "formId": form_id,
        "formVersion": row.form_version,
        "savedAt": clock::rfc3339(row.saved_at),
        "expiresAt": clock::rfc3339(row.expires_at),
        "data": data,
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SaveBody {
    form_version: i64,
    data: Value,
}

/// `PUT /api/v1/drafts/{form}` `{"formVersion", "data"}`: saves (replaces) the citizen's
/// draft of a version the portal serves. A draft is not checked against the form's rules (it
/// is unfinished by nature), only bounded.
pub async fn put(
    State(state): State<AppState>,
    user: Signed,
    Path(form_id): Path<String>,
    body: Bytes,
) -> Response {
    let sealer = match ready(&state, &user) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Draft, &user.0.id)
        .await
    {
        return r;
    }
    if body.len() > MAX_DRAFT {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "draft-too-large",
            Text::new(
                format!(
                    "Bản nháp lớn quá {} KB nên không lưu được trên cổng; nó vẫn được giữ trong trình duyệt.",
                    MAX_DRAFT / 1024
                ),
                format!(
                    "The draft is larger than {} KB and cannot be kept on the portal; it stays in your browser.",
                    MAX_DRAFT / 1024
                ),
            ),
        );
    }
    let b: SaveBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let current = match served_version(&state, &form_id) {
        Some(v) => v,
        None => {
            return error(
                StatusCode::NOT_FOUND,
                "form-not-found",
                Text::new(
                    format!("Không có biểu mẫu {form_id}."),
                    format!("There is no form {form_id}."),
                ),
            );
        }
    };
    // A draft is continued on the version served (one of an earlier version stays in the
    // browser it was typed in).
    if b.form_version != current {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form-version-not-served",
            Text::new(
                format!(
                    "Cổng đang dùng phiên bản {current} của biểu mẫu {form_id}, không phải {}; bản nháp chỉ được giữ trong trình duyệt.",
                    b.form_version
                ),
                format!(
                    "The portal serves version {current} of form {form_id}, not {}; the draft stays in your browser.",
                    b.form_version
                ),
            ),
        );
    }
    if !b.data.is_object() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "type",
            Text::new(
                "Dữ liệu phải là một đối tượng JSON.",
                "The data must be a JSON object.",
            ),
        );
    }
    if let Some(refusal) = too_many_values(&b.data) {
        return refusal;
    }
    let plain = b.data.to_string();
    let Some((nonce, sealed)) = sealer.seal(&user.0.id, &form_id, b.form_version, plain.as_bytes())
    else {
        return crate::reply::internal();
    };
    let now = clock::now_ms();
    match state
        .db
        .save_citizen_draft(&user.0.id, &form_id, b.form_version, &nonce, &sealed, now)
        .await
    {
        Ok(expires) => Json(json!({
            "formId": form_id,
            "formVersion": b.form_version,
            "savedAt": clock::rfc3339(now),
            "expiresAt": clock::rfc3339(expires),
        }))
        .into_response(),
        Err(e) => db_failed(&e),
    }
}

/// `DELETE /api/v1/drafts/{form}`: the citizen starts again (or no longer wants it kept); 204
/// whether or not there was one.
pub async fn delete(
    State(state): State<AppState>,
    user: Signed,
    Path(form_id): Path<String>,
) -> Response {
    if let Err(r) = ready(&state, &user) {
        return r;
    }
    match state.db.delete_citizen_draft(&user.0.id, &form_id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => db_failed(&e),
    }
}

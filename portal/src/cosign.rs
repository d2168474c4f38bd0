//! Co-signing (definition `signature.coSigners`; tables in `db/cosign.rs`): a signed dossier
//! whose data names other parties — the other spouse, each member of a household — waits until
//! each has signed the same content from their own signed-in session, through the same bridge.
//! Each party's signature is its own detached CAdES over the version's signed content
//! (`form_core::sign::content`), validated at its receipt like the applicant's and against
//! that party's personal ID number; nothing of the applicant's signature changes.
//!
//! A co-signer sees only their task: the form, the applicant's name, the data they sign and who
//! else signs — not the dossier's history, files or the agency's messages.
#![allow(clippy::result_large_err)]

use crate::auth::Signed;
use crate::clock;
use crate::db::cosign::{CoSignatureRow, Decided, Decision};
use crate::intake::{
    agency_json, citizens_only, cosigner_label, db_failed, form_title, party_json, verify_signature,
};
use crate::reply::error;
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

/// Co-signing: the tasks of a signed-in citizen, one task, and the answer (run to the end even
/// when the client goes away).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/co-signatures", routing::get(tasks))
        .route("/api/v1/co-signatures/{code}", routing::get(task))
        .merge(
            Router::new()
                .route("/api/v1/co-signatures/{code}", routing::post(answer))
                .layer(DefaultBodyLimit::max(crate::reply::MAX_BODY))
                .route_layer(axum::middleware::from_fn(crate::intake::detached)),
        )
}

/// Longest reason a co-signer may give for declining.
const MAX_REASON: usize = 500;

fn no_task(code: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "co-signature-not-found",
        Text::new(
            format!("Hồ sơ {code} không có phần nào chờ bạn ký."),
            format!("Dossier {code} has nothing for you to sign."),
        ),
    )
}

/// The signed-in citizen's personal ID number: co-signers are found by it.
fn personal_id(user: &Signed) -> Result<&str, Response> {
    citizens_only(user)?;
    user.0.personal_id.as_deref().ok_or_else(|| {
        error(
            StatusCode::FORBIDDEN,
            "personal-id-unknown",
            Text::new(
                "Tài khoản của bạn chưa có số định danh cá nhân nên không nhận được yêu cầu cùng ký.",
                "Your account has no personal ID number, so it cannot be asked to co-sign.",
            ),
        )
    })
}

/// `GET /api/v1/co-signatures`: what waits for the signed-in citizen's signature, soonest
/// deadline first.
pub async fn tasks(State(state): State<AppState>, user: Signed) -> Response {
    let id = match personal_id(&user) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let rows = match state.db.co_sign_tasks(id).await {
        Ok(r) => r,
        Err(e) => return db_failed(&e),
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(d) = (match state.db.dossier(&row.code).await {
            Ok(d) => d,
            Err(e) => return db_failed(&e),
        }) else {
            continue;
        };
        let applicant = match state.db.user(&d.owner_id).await {
            Ok(u) => u.map(|u| u.name),
            Err(e) => return db_failed(&e),
        };
        out.push(json!({
            "code": d.code,
            "version": row.version,
            "formId": d.form_id,
            "formTitle": form_title(&state, &d.form_id),
            "applicant": {"name": applicant},
            "label": cosigner_label(&row),
            "dueAt": clock::rfc3339(row.due_at),
        }));
    }
    Json(Value::Array(out)).into_response()
}

/// `GET /api/v1/co-signatures/{code}`: the signed-in citizen's part in the newest version of
/// the dossier that names them: the form, the data to sign, who else signs.
pub async fn task(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
) -> Response {
    let id = match personal_id(&user) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let (row, d) = match mine(&state, &code, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let versions = match state.db.versions(&code).await {
        Ok(v) => v,
        Err(e) => return db_failed(&e),
    };
    let Some(v) = versions.into_iter().find(|v| v.version == row.version) else {
        return no_task(&code);
    };
    let parties = match state.db.co_signatures(&code).await {
        Ok(p) => p,
        Err(e) => return db_failed(&e),
    };
    let applicant = match state.db.user(&d.owner_id).await {
        Ok(u) => u.map(|u| u.name),
        Err(e) => return db_failed(&e),
    };
    // The files are named, not handed out: a co-signer signs the declaration.
    let files: Vec<Value> = serde_json::from_str::<Value>(&v.attachments)
        .ok()
        .and_then(|a| a.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|a| json!({"name": a["name"], "type": a["type"], "size": a["size"]}))
        .collect();
    Json(json!({
        "code": d.code,
        "version": row.version,
        "formId": d.form_id,
        "formVersion": d.form_version,
        "formTitle": form_title(&state, &d.form_id),
        "agency": agency_json(&state, &d.agency_code),
        "applicant": {"name": applicant},
        "submittedAt": clock::rfc3339(v.submitted_at),
        "you": party_json(&row, false),
        "parties": parties
            .iter()
            .filter(|p| p.version == row.version)
            .map(|p| party_json(p, false))
            .collect::<Vec<_>>(),
        "data": serde_json::from_str::<Value>(&v.data).unwrap_or(Value::Null),
        "attachments": files,
    }))
    .into_response()
}

/// The caller's newest part in dossier `code`, with the dossier.
async fn mine(
    state: &AppState,
    code: &str,
    id: &str,
) -> Result<(CoSignatureRow, crate::db::DossierRow), Response> {
    let row = state
        .db
        .co_sign_task(code, id)
        .await
        .map_err(|e| db_failed(&e))?
        .ok_or_else(|| no_task(code))?;
    let d = state
        .db
        .dossier(code)
        .await
        .map_err(|e| db_failed(&e))?
        .filter(|d| d.erased_at.is_none())
        .ok_or_else(|| no_task(code))?;
    Ok((row, d))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    /// The version the co-signer read (a newer one replaces it: sign that instead).
    version: i64,
    signature: Option<Value>,
    #[serde(default)]
    decline: bool,
    reason: Option<String>,
}

/// `POST /api/v1/co-signatures/{code}`: `{"version", "signature": {"cms"}}` signs the
/// caller's part, `{"version", "decline": true, "reason"}` declines it. The signature is
/// validated like the applicant's (ETSI verdict, revocation, time-stamp) against the caller's
/// personal ID number; the last one sends the dossier to the agency. A second answer gets 409
/// with the part's status.
pub async fn answer(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let id = match personal_id(&user) {
        Ok(id) => id.to_owned(),
        Err(r) => return r,
    };
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Sign, &user.0.id)
        .await
    {
        return r;
    }
    let b: AnswerBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (row, d) = match mine(&state, &code, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if row.version != b.version {
        return error(
            StatusCode::CONFLICT,
            "co-signature-version-changed",
            Text::new(
                format!(
                    "Người nộp đã sửa hồ sơ (phiên bản {}); hãy đọc lại nội dung mới trước khi ký.",
                    row.version
                ),
                format!(
                    "The applicant changed the dossier (version {}); read the new content before you sign.",
                    row.version
                ),
            ),
        );
    }
    if row.status != crate::db::cosign::WAITING {
        return decided(&row.status);
    }
    let decision = match (&b.signature, b.decline) {
        (Some(sig), false) => {
            let versions = match state.db.versions(&code).await {
                Ok(v) => v,
                Err(e) => return db_failed(&e),
            };
            let Some(v) = versions.into_iter().find(|v| v.version == row.version) else {
                return no_task(&code);
            };
            let data: Value = serde_json::from_str(&v.data).unwrap_or(Value::Null);
            let ready = match crate::intake::form_version(&state, &d.form_id, d.form_version).await
            {
                Ok(r) => r,
                Err(r) => return r,
            };
            let signed = match verify_signature(&state, &ready, &user.0, &data, sig).await {
                Ok(s) => s,
                Err(r) => return r,
            };
            // A co-signer is present and has days: an unknown revocation status is not held
            // for them as it is for the applicant's submission — they try again.
            if signed.held {
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "revocation-unknown",
                    Text::new(
                        "Chưa tra cứu được tình trạng thu hồi chứng thư số của bạn; chữ ký chưa được nhận. Hãy ký lại sau ít phút.",
                        "Your certificate's revocation status could not be had; the signature was not taken. Sign again in a few minutes.",
                    ),
                );
            }
            Decision::Signed(signed.record.to_string())
        }
        (None, true) => {
            let reason = b
                .reason
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty());
            if reason
                .as_ref()
                .is_some_and(|r| r.chars().count() > MAX_REASON)
            {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "reason-too-long",
                    Text::new(
                        format!("Lý do dài quá {MAX_REASON} ký tự."),
                        format!("The reason is longer than {MAX_REASON} characters."),
                    ),
                );
            }
            Decision::Declined(reason)
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "answer-invalid",
                Text::new(
                    "Gửi {\"version\", \"signature\": {\"cms\"}} để ký, hoặc {\"version\", \"decline\": true, \"reason\"} để từ chối.",
                    "Send {\"version\", \"signature\": {\"cms\"}} to sign, or {\"version\", \"decline\": true, \"reason\"} to decline.",
                ),
            );
        }
    };
    match state
        .db
        .decide_co_signature(
            &code,
            row.version,
            row.n,
            &user.0.id,
            &decision,
            clock::now_ms(),
        )
        .await
    {
        Ok(Decided::Recorded { complete }) => Json(json!({
                "code": code,
                "version": row.version,
                "status": if matches!(decision, Decision::Signed(_)) { "signed" } else { "declined" },
                "complete": complete,
        }))
        .into_response(),
        Ok(Decided::NotWaiting(status)) => decided(&status),
        Err(e) => db_failed(&e),
    }
}

/// 409: the part is no longer waiting (its status says why).
fn decided(status: &str) -> Response {
    let message = match status {
        "signed" => Text::new(
            "Bạn đã ký hồ sơ này.",
            "You have signed this dossier already.",
        ),
        "declined" => Text::new(
            "Bạn đã từ chối ký hồ sơ này.",
            "You declined to sign this dossier.",
        ),
        "expired" => Text::new(
            "Đã hết thời hạn ký hồ sơ này.",
            "The time to sign this dossier has passed.",
        ),
        "superseded" => Text::new(
            "Người nộp đã sửa hồ sơ; bản bạn được mời ký không còn hiệu lực.",
            "The applicant changed the dossier; the version you were asked to sign no longer stands.",
        ),
        _ => Text::new(
            "Hồ sơ này không còn chờ chữ ký của bạn (một người cùng ký đã từ chối).",
            "This dossier no longer waits for your signature (another co-signer declined).",
        ),
    };
    (
        StatusCode::CONFLICT,
        Json(json!({"error": {"code": "co-signature-decided", "message": message}, "status": status})),
    )
        .into_response()
}

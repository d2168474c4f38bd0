//! What the dossier endpoints share: the limits, the answers for a refusal, the idempotency
//! key, who may see a dossier.

use crate::auth::Signed;
use crate::clock;
use crate::db::DossierRow;
use crate::reply::{MAX_DIAGNOSTICS, error, internal};
use crate::state::AppState;
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use form_core::{Diagnostic, Text};
use serde::Deserialize;
use serde_json::json;

/// Largest attachment.
pub const MAX_FILE: usize = 10 * 1024 * 1024;
/// The most files, and bytes, one user may have uploaded without a dossier referring to them.
pub const MAX_UNATTACHED_FILES: i64 = 50;
pub const MAX_UNATTACHED_BYTES: i64 = 200 * 1024 * 1024;
/// How long an upload no dossier refers to is kept.
pub const UNATTACHED_KEPT_MS: i64 = 24 * 3600 * 1000;

/// The most versions of one dossier (the first and its amendments).
pub const MAX_VERSIONS: i64 = 50;
/// The longest name of an extra attachment.
pub(crate) const MAX_NAME: usize = 255;

/// Dossiers in one page of a list, by default and at most.
pub(crate) const PAGE: i64 = 50;
pub(crate) const PAGE_MAX: i64 = 500;
/// The statuses an official may set.
pub const STATUSES: &[&str] = &["received", "needs-supplement", "result-issued"];
/// The file types the portal keeps, with the first bytes their content starts with.
pub(crate) const FILE_TYPES: &[(&str, &[u8])] = &[
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", &[0xFF, 0xD8, 0xFF]),
    (
        "image/png",
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
    ),
];

/// Middleware: runs the rest of the request in its own task, to the end, whether or not the
/// client is still there to read the answer.
pub async fn detached(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    tokio::spawn(next.run(req))
        .await
        .unwrap_or_else(|_| internal())
}

pub(crate) fn db_failed(e: &sqlx::Error) -> Response {
    tracing::error!(error = %e, "database");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage-unavailable",
        Text::new(
            "Hệ thống lưu trữ tạm thời không sẵn sàng; hồ sơ chưa được lưu. Vui lòng thử lại.",
            "Storage is unavailable for the moment; nothing was stored. Please try again.",
        ),
    )
}

pub(crate) fn bad_request(code: &str, message: Text) -> Response {
    error(StatusCode::BAD_REQUEST, code, message)
}

pub(crate) fn not_found(code: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "dossier-not-found",
        Text::new(
            format!("Không tìm thấy hồ sơ {code} trong các hồ sơ bạn được xem."),
            format!("There is no dossier {code} among those you may see."),
        ),
    )
}

/// 422 with every diagnostic (the first [`MAX_DIAGNOSTICS`]) and the total.
pub(crate) fn refused(diagnostics: Vec<Diagnostic>) -> Response {
    let total = diagnostics.len();
    let shown = &diagnostics[..total.min(MAX_DIAGNOSTICS)];
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({
            "error": {"code": "data-invalid", "message": Text::new(
                "Dữ liệu của tờ khai chưa hợp lệ; hồ sơ chưa được lưu.",
                "The form's data is not valid; nothing was stored.",
            )},
            "valid": false,
            "total": total,
            "diagnostics": shown,
        })),
    )
        .into_response()
}

/// The `Idempotency-Key` header: 1–200 visible ASCII characters.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, Response> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()));
    key.map(str::to_owned).ok_or_else(|| {
        bad_request(
            "idempotency-key-missing",
            Text::new(
                "Thiếu tiêu đề Idempotency-Key (1–200 ký tự ASCII): mỗi lần nộp cần một khóa riêng, gửi lại với cùng khóa khi thử lại.",
                "The Idempotency-Key header (1–200 ASCII characters) is missing: each submission needs its own key, sent again unchanged on a retry.",
            ),
        )
    })
}

/// The dossier if `user` may see it: their own, or (an official) one of their agency.
pub(crate) async fn visible(
    state: &AppState,
    user: &Signed,
    code: &str,
) -> Result<DossierRow, Response> {
    match state.db.dossier(code).await {
        Ok(Some(d))
            if d.erased_at.is_some()
                && user.is_official()
                && d.with_agency()
                && user.0.agency_code.as_deref() == Some(d.agency_code.as_str()) =>
        {
            let day = clock::rfc3339(d.erased_at.unwrap_or_default());
            let day = day.get(..10).unwrap_or_default();
            Err(error(
                StatusCode::GONE,
                "dossier-erased",
                Text::new(
                    format!(
                        "Dữ liệu cá nhân của hồ sơ {code} đã được xoá ngày {day} theo thời hạn lưu trữ."
                    ),
                    format!(
                        "The personal data of dossier {code} were removed on {day} under the retention schedule."
                    ),
                ),
            ))
        }
        Ok(Some(d))
            if d.erased_at.is_none() && d.owner_id == user.0.id
                || (user.is_official()
                    && d.with_agency()
                    && user.0.agency_code.as_deref() == Some(d.agency_code.as_str())) =>
        {
            Ok(d)
        }
        Ok(_) => Err(not_found(code)),
        Err(e) => Err(db_failed(&e)),
    }
}

/// An extra document a submission carries beside its form data.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachmentRef {
    pub sha256: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// Records an official's read in the access audit (citizens reading their own dossiers are not
/// recorded). The read fails when its record cannot be written.
pub(crate) async fn audit_read(
    state: &AppState,
    user: &Signed,
    action: &str,
    code: Option<&str>,
    object: Option<&str>,
) -> Result<(), Response> {
    if !user.is_official() {
        return Ok(());
    }
    let row = crate::db::AccessRow {
        at: clock::now_ms(),
        actor_id: user.0.id.clone(),
        agency_code: user.0.agency_code.clone(),
        action: action.to_owned(),
        dossier_code: code.map(str::to_owned),
        object: object.map(str::to_owned),
    };
    state
        .db
        .record_access(&row)
        .await
        .map_err(|e| db_failed(&e))
}

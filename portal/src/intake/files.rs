//! Attachments: uploads (type by content, per-user limits), downloads by the owner, the agency
//! or a signed link; the form versions dossiers were filed on.

use crate::auth::Signed;
use crate::catalog::Entry;
use crate::clock;
use crate::db::BlobRow;
use crate::intake::common::*;
use crate::reply::error;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use form_core::Text;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
pub struct UploadQuery {
    name: Option<String>,
}

/// `POST /api/v1/attachments?name=<file name>` with the file as the body and its type as
/// `Content-Type`: PDF, JPEG or PNG up to 10 MiB, the content must match the type. Stored under
/// its SHA-256; 201 `{sha256, size, type, name}`.
pub async fn upload(
    State(state): State<AppState>,
    user: Signed,
    headers: HeaderMap,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Response {
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Upload, &user.0.id)
        .await
    {
        return r;
    }
    // A quota of files not yet part of a dossier (review M5): abandoned uploads are removed
    // after a day (`UNATTACHED_KEPT_MS`), and until then count against it.
    match state.db.unattached_of(&user.0.id).await {
        Ok((files, bytes))
            if files >= MAX_UNATTACHED_FILES
                || bytes.saturating_add(i64::try_from(body.len()).unwrap_or(i64::MAX))
                    > MAX_UNATTACHED_BYTES =>
        {
            return error(
                StatusCode::INSUFFICIENT_STORAGE,
                "upload-quota",
                Text::new(
                    format!(
                        "Bạn đã tải lên {files} tệp chưa nộp kèm hồ sơ nào (tối đa {MAX_UNATTACHED_FILES} tệp, {} MB). Hãy nộp hồ sơ đang khai, hoặc chờ các tệp cũ tự xóa sau một ngày.",
                        MAX_UNATTACHED_BYTES / 1_000_000
                    ),
                    format!(
                        "You have uploaded {files} files that are not part of a dossier yet (at most {MAX_UNATTACHED_FILES} files, {} MB). Submit the dossier you are filling in, or wait for the old files to be removed after a day.",
                        MAX_UNATTACHED_BYTES / 1_000_000
                    ),
                ),
            );
        }
        Ok(_) => {}
        Err(e) => return db_failed(&e),
    }
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let Some((_, magic)) = FILE_TYPES.iter().find(|(t, _)| *t == media_type) else {
        let kinds: Vec<&str> = FILE_TYPES.iter().map(|(t, _)| *t).collect();
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "file-type",
            Text::new(
                format!("Cổng chỉ nhận tệp loại: {}.", kinds.join(", ")),
                format!(
                    "The portal takes files of these types only: {}.",
                    kinds.join(", ")
                ),
            ),
        );
    };
    if body.is_empty() {
        return bad_request("file-empty", Text::new("Tệp rỗng.", "The file is empty."));
    }
    if !body.starts_with(magic) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "file-content",
            Text::new(
                format!("Nội dung tệp không phải {media_type}."),
                format!("The file's content is not {media_type}."),
            ),
        );
    }
    let name = q
        .name
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(255)
                .collect::<String>()
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "file".to_owned());
    let sha = crate::encode::hex(&Sha256::digest(&body));
    let blob = BlobRow {
        sha256: sha.clone(),
        media_type: media_type.clone(),
        size: body.len() as i64,
    };
    match state
        .db
        .put_blob(&blob, &body, &user.0.id, &name, clock::now_ms())
        .await
    {
        Ok(()) => (
            StatusCode::CREATED,
            Json(json!({"sha256": sha, "size": body.len(), "type": media_type, "name": name})),
        )
            .into_response(),
        Err(e) => db_failed(&e),
    }
}

/// `GET /api/v1/attachments/{sha256}`: a file the caller uploaded or may see through a
/// dossier; always as a download, never rendered by the portal's origin.
/// A signed link to a file of a dossier (the webhooks' attachments).
#[derive(Deserialize)]
pub struct FileLink {
    dossier: Option<String>,
    expires: Option<i64>,
    token: Option<String>,
}

/// `GET /api/v1/attachments/{sha256}`: a file the caller may read — or, with
/// `?dossier=&expires=&token=`, a file of that dossier through a link a webhook carried (valid
/// until `expires`; the read is recorded in the access audit as the agency system's).
pub async fn download_file(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    Query(link): Query<FileLink>,
    headers: HeaderMap,
) -> Response {
    if let (Some(code), Some(expires), Some(token)) = (link.dossier, link.expires, link.token) {
        return linked_file(&state, &sha, &code, expires, &token).await;
    }
    let user = match crate::auth::token_of(&headers, state.config.dev) {
        Some(t) => match crate::auth::session_user(&state, &t).await {
            Ok(Some(u)) => Signed(u),
            Ok(None) => return crate::auth::unauthorized(),
            Err(r) => return r,
        },
        None => return crate::auth::unauthorized(),
    };
    let agency = if user.is_official() {
        user.0.agency_code.as_deref()
    } else {
        None
    };
    match state.db.readable_blob(&sha, &user.0.id, agency).await {
        Ok(Some((blob, content))) => {
            // An official's read is recorded under each of their agency's dossiers that holds
            // the file, so that its citizen sees it in the dossier's access log.
            if let Some(agency) = agency {
                let codes = match state.db.dossiers_with_blob(&blob.sha256, agency).await {
                    Ok(c) => c,
                    Err(e) => return db_failed(&e),
                };
                let codes: Vec<Option<&str>> = if codes.is_empty() {
                    vec![None]
                } else {
                    codes.iter().map(|c| Some(c.as_str())).collect()
                };
                for code in codes {
                    if let Err(r) =
                        audit_read(&state, &user, "attachment", code, Some(&blob.sha256)).await
                    {
                        return r;
                    }
                }
            }
            file_response(blob, content)
        }
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "file-not-found",
            Text::new(
                "Không tìm thấy tệp trong các tệp bạn được xem.",
                "There is no such file among those you may see.",
            ),
        ),
        Err(e) => db_failed(&e),
    }
}

/// A stored file as a download that no browser runs (`sandbox`).
pub(crate) fn file_response(blob: crate::db::BlobRow, content: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, blob.media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", &blob.sha256[..16]),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_owned(),
            ),
        ],
        content,
    )
        .into_response()
}

/// A file through a webhook's link: the token must be the portal's for this file, dossier and
/// time, not expired, and the file still the dossier's.
pub(crate) async fn linked_file(
    state: &AppState,
    sha: &str,
    code: &str,
    expires: i64,
    token: &str,
) -> Response {
    let refused = || {
        error(
            StatusCode::NOT_FOUND,
            "file-not-found",
            Text::new(
                "Liên kết tới tệp không hợp lệ hoặc đã hết hạn.",
                "The link to the file is not valid or has expired.",
            ),
        )
    };
    let key = match crate::links::link_key(state).await {
        Ok(k) => k,
        Err(e) => return db_failed(&e),
    };
    if expires < clock::now_ms() || !crate::links::link_token_ok(&key, sha, code, expires, token) {
        return refused();
    }
    let d = match state.db.dossier(code).await {
        Ok(Some(d)) if d.erased_at.is_none() => d,
        Ok(_) => return refused(),
        Err(e) => return db_failed(&e),
    };
    match state.db.readable_blob(sha, "", Some(&d.agency_code)).await {
        Ok(Some((blob, content))) => {
            let row = crate::db::AccessRow {
                at: clock::now_ms(),
                actor_id: format!("webhook:{}", d.agency_code),
                agency_code: Some(d.agency_code.clone()),
                action: "attachment".into(),
                dossier_code: Some(d.code.clone()),
                object: Some(blob.sha256.clone()),
            };
            if let Err(e) = state.db.record_access(&row).await {
                return db_failed(&e);
            }
            file_response(blob, content)
        }
        Ok(None) => refused(),
        Err(e) => db_failed(&e),
    }
}

/// `GET /forms/{id}/versions/{version}`: a form version as it was served when a dossier was
/// filled against it.
pub async fn form_definition(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, i64)>,
) -> Response {
    if let Some(Entry::Ready(r)) = state.catalog.get(&id)
        && i64::from(r.form.definition().version) == version
    {
        return ([(header::CONTENT_TYPE, "application/json")], r.json.clone()).into_response();
    }
    match state.db.form_version(&id, version).await {
        Ok(Some(text)) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "form-version-unknown",
            Text::new(
                format!("Biểu mẫu \"{id}\" không có phiên bản {version}."),
                format!("The form \"{id}\" has no version {version}."),
            ),
        ),
        Err(e) => db_failed(&e),
    }
}

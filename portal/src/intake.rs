//! Dossier intake: submissions, amendments, the citizen's and the agency's views, status
//! changes, attachments, ratings.
//!
//! Every dossier endpoint answers 404 for a dossier the caller may not see (another citizen's,
//! another agency's): whether it exists is not told either.
// Handlers hand back ready responses as errors; their size (128 bytes) does not matter on
// these paths, and a wrapper type would only add noise.
#![allow(clippy::result_large_err)]

use crate::auth::{Signed, forbidden};
use crate::catalog::{Entry, Ready};
use crate::clock;
use crate::db::{
    BlobRow, DossierRow, Job, NewVersion, Outcome, RateOutcome, StatusChange, StatusOutcome,
};
use crate::reply::{MAX_DIAGNOSTICS, error, internal, too_many_values};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing;
use form_core::{Diagnostic, Text};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The dossier API: submit and amend (run to the end even when the client goes away), list,
/// read, status, rating, downloads, attachments; the form versions dossiers were filed on.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/forms/{id}/versions/{version}",
            routing::get(form_definition),
        )
        .route("/api/v1/dossiers", routing::get(list))
        .route("/api/v1/dossiers/{code}", routing::get(get))
        .merge(
            Router::new()
                .route("/api/v1/dossiers", routing::post(submit))
                .route("/api/v1/dossiers/{code}/amendments", routing::post(amend))
                .layer(DefaultBodyLimit::max(crate::reply::MAX_BODY))
                .route_layer(axum::middleware::from_fn(detached)),
        )
        .route(
            "/api/v1/dossiers/{code}/status",
            routing::post(set_status).layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route(
            "/api/v1/dossiers/{code}/rating",
            routing::post(rate).layer(DefaultBodyLimit::max(16 * 1024)),
        )
        .route("/api/v1/dossiers/{code}/download", routing::get(download))
        .route(
            "/api/v1/dossiers/{code}/signed/{part}",
            routing::get(signed_part),
        )
        .route("/api/v1/dossiers/{code}/qr.svg", routing::get(qr))
        .route("/api/v1/dossiers/{code}/access", routing::get(access))
        .route("/api/v1/ratings", routing::get(ratings))
        .route(
            "/api/v1/attachments",
            routing::post(upload).layer(DefaultBodyLimit::max(MAX_FILE)),
        )
        .route("/api/v1/attachments/{sha256}", routing::get(download_file))
}

/// Largest attachment.
pub const MAX_FILE: usize = 10 * 1024 * 1024;
/// Most dossiers in one list.
/// The most files, and bytes, one user may have uploaded without a dossier referring to them.
pub const MAX_UNATTACHED_FILES: i64 = 50;
pub const MAX_UNATTACHED_BYTES: i64 = 200 * 1024 * 1024;
/// How long an upload no dossier refers to is kept.
pub const UNATTACHED_KEPT_MS: i64 = 24 * 3600 * 1000;

/// The most versions of one dossier (the first and its amendments).
pub const MAX_VERSIONS: i64 = 50;
/// The longest name of an extra attachment.
const MAX_NAME: usize = 255;

/// Dossiers in one page of a list, by default and at most.
const PAGE: i64 = 50;
const PAGE_MAX: i64 = 500;
/// The statuses an official may set.
pub const STATUSES: &[&str] = &["received", "needs-supplement", "result-issued"];
/// The file types the portal keeps, with the first bytes their content starts with.
const FILE_TYPES: &[(&str, &[u8])] = &[
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

fn bad_request(code: &str, message: Text) -> Response {
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
fn refused(diagnostics: Vec<Diagnostic>) -> Response {
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
fn idempotency_key(headers: &HeaderMap) -> Result<String, Response> {
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

/// An extra document a submission carries beside its form data.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct AttachmentRef {
    sha256: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubmitBody {
    form_id: String,
    form_version: i64,
    data: Value,
    #[serde(default)]
    attachments: Vec<AttachmentRef>,
    #[serde(default)]
    signature: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AmendBody {
    #[serde(default)]
    form_id: Option<String>,
    #[serde(default)]
    form_version: Option<i64>,
    data: Value,
    #[serde(default)]
    attachments: Vec<AttachmentRef>,
    #[serde(default)]
    signature: Option<Value>,
}

/// The form a new dossier is filled against: the live version, or an earlier one within the
/// grace window after the version that superseded it was recorded (a draft already started) —
/// never a retired one (review H3).
async fn open_form_version(
    state: &AppState,
    id: &str,
    version: i64,
) -> Result<Arc<Ready>, Response> {
    let ready = form_version(state, id, version).await?;
    let superseded = match state.db.superseded_at(id, version).await {
        Ok(s) => s,
        Err(e) => return Err(db_failed(&e)),
    };
    let grace = state.config.form_grace_ms;
    let open = match superseded {
        None => true,
        Some(Some(at)) => clock::now_ms() < at.saturating_add(grace),
        Some(None) => false,
    };
    if open {
        return Ok(ready);
    }
    let live = match state.catalog.get(id) {
        Some(Entry::Ready(r)) => Some(r.form.definition().version),
        _ => None,
    };
    let mut res = error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "form-version-retired",
        Text::new(
            format!(
                "Phiên bản {version} của biểu mẫu \"{id}\" không còn được nhận. Vui lòng mở lại biểu mẫu để khai theo phiên bản hiện hành."
            ),
            format!(
                "Version {version} of the form \"{id}\" is no longer accepted. Please open the form again and fill in the current version."
            ),
        ),
    );
    if let Some(v) = live
        && let Ok(h) = axum::http::HeaderValue::from_str(&v.to_string())
    {
        res.headers_mut().insert("eform-live-version", h);
    }
    Err(res)
}

/// The form a dossier is filled against: the catalog's when it is that version, else the
/// stored definition of that version.
pub(crate) async fn form_version(
    state: &AppState,
    id: &str,
    version: i64,
) -> Result<Arc<Ready>, Response> {
    let unknown_version = || {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form-version-unknown",
            Text::new(
                format!("Biểu mẫu \"{id}\" không có phiên bản {version}."),
                format!("The form \"{id}\" has no version {version}."),
            ),
        )
    };
    match state.catalog.get(id) {
        Some(Entry::Ready(r)) if i64::from(r.form.definition().version) == version => {
            return Ok(r.clone());
        }
        Some(Entry::Ready(_)) => {}
        Some(Entry::Broken { .. }) | None => {
            return Err(error(
                StatusCode::NOT_FOUND,
                "form-not-found",
                Text::new(
                    format!("Không có biểu mẫu \"{id}\" đang được nhận."),
                    format!("There is no form \"{id}\" open for submissions."),
                ),
            ));
        }
    }
    match state.db.form_version(id, version).await {
        Ok(Some(text)) => {
            let id = id.to_owned();
            match crate::work::cpu(crate::work::DEADLINE, move || {
                crate::catalog::compile(&id, &text)
            })
            .await?
            {
                Entry::Ready(r) => Ok(r),
                Entry::Broken { .. } => Err(unknown_version()),
            }
        }
        Ok(None) => Err(unknown_version()),
        Err(e) => Err(db_failed(&e)),
    }
}

/// Whether the file field at `at` (a file, or one of a multi-file field's) accepts a file whose
/// content is of `media_type`: its `accept` is judged on that type and the extensions it goes
/// with, whatever name and type the request declared.
fn stored_type_accepted(ready: &Ready, at: &str, media_type: &str) -> bool {
    let item = ready.form.item_for(at).or_else(|| {
        at.rsplit_once('/')
            .and_then(|(parent, _)| ready.form.item_for(parent))
    });
    let Some(item) = item else { return false };
    let names: &[&str] = match media_type {
        "application/pdf" => &["file.pdf"],
        "image/jpeg" => &["file.jpg", "file.jpeg"],
        "image/png" => &["file.png"],
        _ => &["file"],
    };
    names
        .iter()
        .any(|n| form_core::file_accepted(&item.accept, n, media_type))
}

/// A checked version of a dossier's content, ready to store.
struct Checked {
    data: String,
    attachments: String,
    blobs: Vec<String>,
    /// The verified signature's record (JSON), if the dossier is signed.
    signature: Option<String>,
    /// The signature is held for a later revocation check.
    recheck: bool,
    /// Who must sign after the applicant, and for how long (ms).
    co_signers: Vec<crate::db::cosign::NewCoSigner>,
    co_sign_for: i64,
}

impl Checked {
    /// The version to store for `owner` under the idempotency `key` of a request hashed `hash`.
    fn into_version(self, owner: &str, key: String, hash: String) -> NewVersion {
        NewVersion {
            owner_id: owner.to_owned(),
            idem_key: key,
            request_hash: hash,
            data: self.data,
            attachments: self.attachments,
            blobs: self.blobs,
            signature: self.signature,
            recheck: self.recheck,
            co_signers: self.co_signers,
            co_sign_for: self.co_sign_for,
        }
    }
}

/// The portal's verdict on submitted content, as the browser gave it: form-core's rules, no
/// values for hidden fields, every file uploaded by this user. The stored data is the
/// submission form-core computes (computed values filled in).
async fn check_content(
    state: &AppState,
    ready: Arc<Ready>,
    signer: &crate::db::UserRow,
    data: Value,
    extra: &[AttachmentRef],
    signature: Option<&Value>,
) -> Result<Checked, Response> {
    let user = signer.id.as_str();
    let signature = signature.filter(|s| !s.is_null());
    if !data.is_object() {
        return Err(refused(vec![Diagnostic::error(
            "",
            "type",
            Text::new(
                "Dữ liệu phải là một đối tượng JSON.",
                "The data must be a JSON object.",
            ),
        )]));
    }
    if let Some(refusal) = too_many_values(&data) {
        return Err(refusal);
    }
    // A signature covers the data as sent: verified before anything else (design §5).
    let signed = match signature {
        Some(s) => Some(verify_signature(state, &ready, signer, &data, s).await?),
        None if ready
            .form
            .definition()
            .signature
            .as_ref()
            .is_some_and(|s| s.required) =>
        {
            return Err(error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "signature-required",
                Text::new(
                    "Biểu mẫu này phải được ký số trước khi nộp.",
                    "This form must be digitally signed before it is sent.",
                ),
            ));
        }
        None => None,
    };
    let sent = signed.is_some().then(|| data.clone());
    let today = crate::catalog::today_in_vietnam();
    let form = ready.clone();
    let (mut diagnostics, stored, files) = crate::work::cpu(crate::work::DEADLINE, move || {
        let (diagnostics, evaluation) = ready.check(&data, today);
        let files: Vec<(String, Value)> = ready
            .form
            .file_values(&evaluation.data)
            .into_iter()
            .map(|(p, v)| (p, v.clone()))
            .collect();
        (diagnostics, evaluation.data, files)
    })
    .await?;
    let mut blobs = Vec::new();
    let mut attachments = Vec::new();
    for (at, file) in &files {
        let Some(sha) = file.get("sha256").and_then(Value::as_str) else {
            diagnostics.push(Diagnostic::error(
                at.clone(),
                "file-not-uploaded",
                Text::new(
                    "Tệp này chưa được tải lên; vui lòng chọn lại tệp.",
                    "This file was not uploaded; please choose it again.",
                ),
            ));
            continue;
        };
        match state.db.uploaded_blob(sha, user).await {
            Ok(Some(blob)) if Some(blob.size) == file.get("size").and_then(Value::as_i64) => {
                // The field's `accept` holds for the file as stored (its type read from its
                // content), not only as declared (review M7).
                if !stored_type_accepted(&form, at, &blob.media_type) {
                    diagnostics.push(Diagnostic::error(
                        at.clone(),
                        "file-type",
                        Text::new(
                            "Nội dung tệp không thuộc loại được nhận ở trường này; vui lòng chọn tệp khác.",
                            "The file's content is not of a type this field accepts; please choose another file.",
                        ),
                    ));
                    continue;
                }
                attachments.push(json!({"pointer": at, "sha256": sha, "name": file.get("name"), "type": blob.media_type, "size": blob.size}));
                blobs.push(sha.to_owned());
            }
            Ok(_) => diagnostics.push(Diagnostic::error(
                at.clone(),
                "file-unknown",
                Text::new(
                    "Không tìm thấy tệp bạn đã tải lên (hoặc kích thước khác); vui lòng chọn lại tệp.",
                    "The file you uploaded cannot be found (or its size differs); please choose it again.",
                ),
            )),
            Err(e) => return Err(db_failed(&e)),
        }
    }
    for (i, a) in extra.iter().enumerate() {
        if a.name
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NAME)
        {
            diagnostics.push(Diagnostic::error(
                format!("/attachments/{i}/name"),
                "maxLength",
                Text::new(
                    format!("Tên tệp dài quá {MAX_NAME} ký tự."),
                    format!("The file name is longer than {MAX_NAME} characters."),
                ),
            ));
            continue;
        }
        match state.db.uploaded_blob(&a.sha256, user).await {
            Ok(Some(blob)) => {
                attachments.push(json!({"sha256": blob.sha256, "name": a.name, "type": blob.media_type, "size": blob.size}));
                blobs.push(blob.sha256);
            }
            Ok(None) => diagnostics.push(Diagnostic::error(
                format!("/attachments/{i}"),
                "file-unknown",
                Text::new(
                    "Không tìm thấy tệp đính kèm bạn đã tải lên.",
                    "The attachment you uploaded cannot be found.",
                ),
            )),
            Err(e) => return Err(db_failed(&e)),
        }
    }
    // Values locked to a verified register value must be that value (the runtime draws them
    // read-only; a hand-made request is refused here).
    let definition = form.form.definition();
    if form_core::datastore::has_locks(definition) {
        let attributes = crate::datastore::attributes_of(&state.db, user)
            .await
            .map_err(|e| db_failed(&e))?;
        for at in form_core::datastore::locked_changed(
            &form.form,
            &stored,
            &attributes,
            crate::catalog::today_in_vietnam(),
        ) {
            diagnostics.push(Diagnostic::error(
                at,
                "locked-value-changed",
                Text::new(
                    "Giá trị này đã được xác thực từ cơ sở dữ liệu quốc gia nên không sửa được trên biểu mẫu; nếu sai, hãy báo sai sót.",
                    "This value is verified from a national register and cannot be changed on the form; if it is wrong, report a mistake.",
                ),
            ));
        }
    }
    // What is stored must be what was signed: computed values already in, nothing hidden.
    if let Some(sent) = &sent
        && *sent != stored
    {
        diagnostics.push(Diagnostic::error(
            "",
            "signed-data-differs",
            Text::new(
                "Dữ liệu đã ký khác với dữ liệu biểu mẫu tính ra (giá trị tính toán hoặc trường ẩn); hãy ký lại.",
                "The signed data differs from what the form computes (computed values or hidden fields); sign again.",
            ),
        ));
    }
    if !diagnostics.is_empty() {
        return Err(refused(diagnostics));
    }
    blobs.sort();
    blobs.dedup();
    // A signed version names its co-signers (the applicant signed already, so is not one).
    let requirement = definition.signature.as_ref();
    let co_signers: Vec<crate::db::cosign::NewCoSigner> = match (requirement, &signed) {
        (Some(r), Some(_)) => r
            .parties(&stored)
            .into_iter()
            .filter(|p| signer.personal_id.as_deref() != Some(p.id_number.as_str()))
            .map(|p| crate::db::cosign::NewCoSigner {
                at: p.at,
                id_number: p.id_number,
                name: p.name,
                label: serde_json::to_string(&p.label).unwrap_or_default(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let co_sign_for = requirement.map_or(0, |r| i64::from(r.co_sign_days) * 86_400_000);
    Ok(Checked {
        co_signers,
        co_sign_for,
        data: stored.to_string(),
        attachments: Value::Array(attachments).to_string(),
        blobs,
        recheck: signed.as_ref().is_some_and(|s| s.held),
        signature: signed.map(|s| s.record.to_string()),
    })
}

/// A dossier's signature, `{"cms": base64 DER}`: detached CAdES over the canonical content of
/// `{formId, formVersion, data}`, validated at the receipt (see `signatures`): a certificate
/// path to the portal's trust store, valid now, not revoked, naming the signed-in citizen's
/// personal ID number. Gives the record stored with the version, the validation report in it.
pub(crate) async fn verify_signature(
    state: &AppState,
    ready: &Ready,
    signer: &crate::db::UserRow,
    data: &Value,
    signature: &Value,
) -> Result<SignedRecord, Response> {
    use base64::Engine;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        cms: String,
    }
    let cms = serde_json::from_value::<Body>(signature.clone())
        .ok()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.cms).ok())
        .ok_or_else(|| {
            signature_refused(
                None,
                vec![(
                    "malformed".into(),
                    Text::new(
                        "Chữ ký phải có dạng {\"cms\": \"<base64>\"}.",
                        "The signature must be {\"cms\": \"<base64>\"}.",
                    ),
                )],
            )
        })?;
    let d = ready.form.definition();
    let content =
        form_core::sign::content(&d.id, d.version, data).map_err(|diag| refused(vec![diag]))?;
    let digest = form_core::sign::content_digest(&content);
    let received = u64::try_from(clock::now_ms() / 1000).unwrap_or_default();
    let validated = crate::signatures::validate(
        state,
        cms.clone(),
        content.clone(),
        received,
        signer.personal_id.clone(),
    )
    .await?;
    let held = validated.only_try_later()
        && state.config.signatures.on_try_later == crate::config::OnTryLater::Hold;
    let verdict = &validated.verdict;
    if !verdict.valid && !held {
        return Err(signature_refused(
            Some(&validated),
            verdict
                .problems
                .iter()
                .map(|p| (p.code.to_owned(), p.message.clone()))
                .collect(),
        ));
    }
    // Accepted: time-stamped (CAdES B-T) when a time-stamping authority is configured.
    let (cms, validated) = crate::signatures::stamp(
        state,
        cms,
        content,
        received,
        signer.personal_id.clone(),
        validated,
    )
    .await?;
    let verdict = &validated.verdict;
    state
        .db
        .keep_validation_data(&validated.used_data(), clock::now_ms())
        .await
        .map_err(|e| db_failed(&e))?;
    let who = verdict.signer.clone().unwrap_or_default();
    let record = json!({
        "format": verdict.format.map_or("CAdES-B-B", |f| f.as_str()),
        "cms": base64::engine::general_purpose::STANDARD.encode(&cms),
        "contentSha256": digest.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "signer": {"name": who.name, "serialNumber": who.serial_number, "issuer": who.issuer},
        "signingTime": crate::clock::rfc3339(i64::try_from(verdict.signing_time.unwrap_or_default()).unwrap_or_default() * 1000),
        "algorithm": verdict.algorithm.map(|a| a.oid()),
        "validation": validated.report(held),
        "applicantId": signer.personal_id,
    });
    Ok(SignedRecord { record, held })
}

/// A verified signature's record and whether it is held for a later revocation check.
pub(crate) struct SignedRecord {
    pub record: Value,
    pub held: bool,
}

/// 422 `signature-invalid`: the first problem's message, every problem, and the indication
/// and sub-indication when validation got that far.
fn signature_refused(
    validated: Option<&crate::signatures::Validated>,
    problems: Vec<(String, Text)>,
) -> Response {
    let first = problems
        .first()
        .map(|p| p.1.clone())
        .unwrap_or_else(|| Text::new("Chữ ký số không hợp lệ.", "The signature is not valid."));
    let mut body = json!({
        "error": {"code": "signature-invalid", "message": first},
        "problems": problems.into_iter().map(|(code, message)| json!({"code": code, "message": message})).collect::<Vec<_>>(),
    });
    if let Some(v) = validated {
        body["indication"] = json!(v.verdict.indication.as_str());
        body["subIndication"] = json!(
            v.verdict
                .sub_indication
                .map(form_core::sign::SubIndication::as_str)
        );
        body["validation"] = v.report(false);
    }
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn request_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    crate::encode::hex(&h.finalize())
}

fn receipt(status: StatusCode, stored: &crate::db::Stored, replayed: bool) -> Response {
    let mut res = (
        status,
        Json(json!({
            "dossierCode": stored.code,
            "version": stored.version,
            "receivedAt": clock::rfc3339(stored.at),
        })),
    )
        .into_response();
    res.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/api/v1/dossiers/{}", stored.code))
            .unwrap_or_else(|_| HeaderValue::from_static("/")),
    );
    if replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    res
}

async fn run_job(state: &AppState, job: Job) -> Response {
    match state.writer.run(job).await {
        Ok(Outcome::Stored(s)) => receipt(StatusCode::CREATED, &s, false),
        Ok(Outcome::Replayed(s)) => receipt(StatusCode::CREATED, &s, true),
        Ok(Outcome::KeyReused) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            Text::new(
                "Khóa Idempotency-Key này đã được dùng cho một lần gửi khác; mỗi lần nộp cần khóa riêng.",
                "This Idempotency-Key was used for another request; each submission needs its own key.",
            ),
        ),
        Ok(Outcome::NotFound) => error(
            StatusCode::NOT_FOUND,
            "dossier-not-found",
            Text::new("Không tìm thấy hồ sơ.", "There is no such dossier."),
        ),
        Ok(Outcome::Closed) => error(
            StatusCode::CONFLICT,
            "dossier-closed",
            Text::new(
                "Hồ sơ đã có kết quả nên không bổ sung được nữa.",
                "The dossier has its result: it can no longer be amended.",
            ),
        ),
        Ok(Outcome::Ended(status)) => error(
            StatusCode::CONFLICT,
            "dossier-ended",
            if status == crate::db::cosign::EXPIRED {
                Text::new(
                    "Hồ sơ đã kết thúc vì những người cùng ký không ký kịp thời hạn; hãy nộp hồ sơ mới.",
                    "The dossier ended because its co-signers did not all sign in time; submit a new dossier.",
                )
            } else {
                Text::new(
                    "Hồ sơ đã kết thúc vì một người cùng ký đã từ chối ký; hãy nộp hồ sơ mới.",
                    "The dossier ended because a co-signer declined to sign; submit a new dossier.",
                )
            },
        ),
        Ok(Outcome::Logged(_)) => internal(),
        Err(e) => {
            tracing::error!(error = %e, "intake write");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage-unavailable",
                Text::new(
                    "Hồ sơ chưa được lưu do lỗi lưu trữ; vui lòng thử lại (gửi lại an toàn).",
                    "The dossier was not stored (storage error); please try again (a retry is safe).",
                ),
            )
        }
    }
}

pub(crate) fn citizens_only(user: &Signed) -> Result<(), Response> {
    if user.is_official() {
        Err(forbidden())
    } else {
        Ok(())
    }
}

/// `POST /api/v1/dossiers`: takes a dossier exactly once per `Idempotency-Key`; 201 only after
/// the commit.
pub async fn submit(
    State(state): State<AppState>,
    user: Signed,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = citizens_only(&user) {
        return r;
    }
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Submit, &user.0.id)
        .await
    {
        return r;
    }
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let hash = request_hash(&[b"submit", &body]);
    let b: SubmitBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let ready = match open_form_version(&state, &b.form_id, b.form_version).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let agency_code = ready
        .form
        .definition()
        .agency_code
        .clone()
        .unwrap_or_else(|| state.config.default_agency.clone());
    // The form versions of the catalog were recorded at start-up (`AppState::new`): every
    // dossier's version can be shown later.
    let checked = match check_content(
        &state,
        ready,
        &user.0,
        b.data,
        &b.attachments,
        b.signature.as_ref(),
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let job = Job::Submit {
        version: checked.into_version(&user.0.id, key, hash),
        form_id: b.form_id,
        form_version: b.form_version,
        agency_code,
    };
    run_job(&state, job).await
}

/// `POST /api/v1/dossiers/{code}/amendments`: a new version of the citizen's own dossier, on
/// the same form version; the code stays, the earlier versions stay.
pub async fn amend(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = citizens_only(&user) {
        return r;
    }
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Amend, &user.0.id)
        .await
    {
        return r;
    }
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let hash = request_hash(&[b"amend", code.as_bytes(), &body]);
    let b: AmendBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let dossier = match visible(&state, &user, &code).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    if b.form_id.as_ref().is_some_and(|f| *f != dossier.form_id)
        || b.form_version.is_some_and(|v| v != dossier.form_version)
    {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form-version-mismatch",
            Text::new(
                format!(
                    "Hồ sơ {code} được lập theo biểu mẫu {} phiên bản {}; bản bổ sung phải theo đúng phiên bản đó.",
                    dossier.form_id, dossier.form_version
                ),
                format!(
                    "Dossier {code} was filled on form {} version {}; an amendment must use that version.",
                    dossier.form_id, dossier.form_version
                ),
            ),
        );
    }
    // A dossier's versions are read whole when it is opened: their number is bounded (M1).
    if dossier.versions >= MAX_VERSIONS {
        return error(
            StatusCode::CONFLICT,
            "too-many-versions",
            Text::new(
                format!(
                    "Hồ sơ {code} đã có {MAX_VERSIONS} phiên bản, không bổ sung thêm được; hãy liên hệ cơ quan tiếp nhận."
                ),
                format!(
                    "Dossier {code} has {MAX_VERSIONS} versions already and takes no more amendments; contact the receiving agency."
                ),
            ),
        );
    }
    let ready = match form_version(&state, &dossier.form_id, dossier.form_version).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let checked = match check_content(
        &state,
        ready,
        &user.0,
        b.data,
        &b.attachments,
        b.signature.as_ref(),
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let job = Job::Amend {
        version: checked.into_version(&user.0.id, key, hash),
        code,
    };
    run_job(&state, job).await
}

/// The dossier if `user` may see it: their own, or (an official) one of their agency.
async fn visible(state: &AppState, user: &Signed, code: &str) -> Result<DossierRow, Response> {
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

/// Records an official's read in the access audit (citizens reading their own dossiers are not
/// recorded). The read fails when its record cannot be written.
async fn audit_read(
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

/// `GET /api/v1/dossiers/{code}/access[?before=&limit=]`: who of the agency read the dossier,
/// newest first (its owner and the agency's officials may see it), in pages of up to 500 with
/// the address of the next in `next`.
pub async fn access(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
    Query(q): Query<AccessQuery>,
) -> Response {
    let d = match visible(&state, &user, &code).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let limit = q.limit.unwrap_or(PAGE_MAX).clamp(1, PAGE_MAX);
    let rows = match state.db.access_of(&d.code, q.before, limit).await {
        Ok(r) => r,
        Err(e) => return db_failed(&e),
    };
    let next = (i64::try_from(rows.len()).unwrap_or(0) == limit)
        .then(|| rows.last().map(|r| r.2))
        .flatten()
        .map(|id| {
            format!(
                "/api/v1/dossiers/{}/access?limit={limit}&before={id}",
                d.code
            )
        });
    let entries: Vec<Value> = rows
        .into_iter()
        .map(|(a, name, _)| {
            json!({
                "at": clock::rfc3339(a.at),
                "actor": {"name": name, "agency": a.agency_code.as_deref().map(|c| agency_json(&state, c))},
                "action": a.action,
                "object": a.object,
            })
        })
        .collect();
    Json(json!({"code": d.code, "entries": entries, "next": next})).into_response()
}

#[derive(Deserialize)]
pub struct AccessQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

pub(crate) fn form_title(state: &AppState, id: &str) -> Value {
    match state.catalog.get(id) {
        Some(Entry::Ready(r)) => {
            serde_json::to_value(&r.form.definition().title).unwrap_or(Value::Null)
        }
        _ => Value::Null,
    }
}

pub(crate) fn agency_json(state: &AppState, code: &str) -> Value {
    json!({"code": code, "name": state.agencies.name(code)})
}

fn summary_json(state: &AppState, d: &DossierRow, owner_name: Option<&str>) -> Value {
    let mut v = json!({
        "code": d.code,
        "formId": d.form_id,
        "formVersion": d.form_version,
        "formTitle": form_title(state, &d.form_id),
        "agency": agency_json(state, &d.agency_code),
        "receivedAt": clock::rfc3339(d.received_at),
        "status": d.status,
        "statusAt": clock::rfc3339(d.status_at),
        "versions": d.versions,
        "results": d.results,
        "rated": d.rated,
    });
    // An amendment awaiting its co-signers (the agency keeps the earlier version meanwhile),
    // or a first submission the agency has not got yet.
    if d.status == crate::db::cosign::AWAITING {
        v["amendmentAwaiting"] = json!(d.resume_status.is_some());
    }
    // The official's flag: a signature accepted while its revocation status is not known.
    if d.signature_held {
        v["signatureCheck"] = json!("pending");
    }
    if let Some(name) = owner_name {
        v["owner"] = json!({"name": name});
    }
    v
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    /// The cursor of the page after: the `before` of the previous answer's `Link: rel="next"`.
    before: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/dossiers`: a citizen's own dossiers; for an official, their agency's
/// (`?status=` to filter).
pub async fn list(
    State(state): State<AppState>,
    user: Signed,
    Query(q): Query<ListQuery>,
) -> Response {
    let limit = q.limit.unwrap_or(PAGE).clamp(1, PAGE_MAX);
    // The cursor: `<receivedAt ms>.<code>` of the last dossier of the page before.
    let before = match q.before.as_deref() {
        None => None,
        Some(c) => match c
            .split_once('.')
            .and_then(|(at, code)| Some((at.parse::<i64>().ok()?, code)))
        {
            Some(cursor) => Some(cursor),
            None => return crate::reply::cursor_invalid(),
        },
    };
    let rows = if user.is_official() {
        let Some(agency) = user.0.agency_code.as_deref() else {
            return forbidden();
        };
        state
            .db
            .dossiers_of_agency(agency, q.status.as_deref(), before, limit)
            .await
    } else {
        state.db.dossiers_of_owner(&user.0.id, before, limit).await
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return db_failed(&e),
    };
    // Each owner's name once (a page of one citizen's dossiers is one query, not fifty).
    let mut names: std::collections::HashMap<String, Option<String>> = Default::default();
    let mut out = Vec::with_capacity(rows.len());
    for d in &rows {
        let owner = if user.is_official() {
            if !names.contains_key(&d.owner_id) {
                match state.db.user(&d.owner_id).await {
                    Ok(u) => names.insert(d.owner_id.clone(), u.map(|u| u.name)),
                    Err(e) => return db_failed(&e),
                };
            }
            names.get(&d.owner_id).cloned().flatten()
        } else {
            None
        };
        out.push(summary_json(&state, d, owner.as_deref()));
    }
    let mut res = Json(Value::Array(out)).into_response();
    // A full page: there may be more, after its last dossier (RFC 8288).
    if i64::try_from(rows.len()).unwrap_or(0) == limit
        && let Some(last) = rows.last()
    {
        let mut next = format!(
            "/api/v1/dossiers?limit={limit}&before={}.{}",
            last.received_at,
            percent(&last.code)
        );
        if let Some(s) = &q.status {
            next.push_str(&format!("&status={}", percent(s)));
        }
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")) {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    res
}

/// Percent-encoding of a query value.
fn percent(s: &str) -> String {
    crate::encode::percent_encode(s)
}

fn version_json(v: &crate::db::VersionRow) -> Value {
    json!({
        "version": v.version,
        "submittedAt": clock::rfc3339(v.submitted_at),
        "data": serde_json::from_str::<Value>(&v.data).unwrap_or(Value::Null),
        "attachments": serde_json::from_str::<Value>(&v.attachments).unwrap_or(Value::Null),
        "signature": v.signature.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
    })
}

/// The whole dossier as the caller may see it: summary, every version, the history.
async fn full_json(state: &AppState, user: &Signed, d: &DossierRow) -> Result<Value, Response> {
    document(state, d, user.is_official())
        .await
        .map_err(|e| db_failed(&e))
}

/// A dossier as its agency reads it (the webhooks' body), unless it is gone or erased.
pub async fn agency_document(state: &AppState, code: &str) -> Result<Option<Value>, sqlx::Error> {
    match state.db.dossier(code).await? {
        Some(d) if d.erased_at.is_none() => Ok(Some(document(state, &d, true).await?)),
        _ => Ok(None),
    }
}

/// The whole dossier: summary (with the owner's name for the agency), every version, the
/// history, and when it reached the agency's system.
async fn document(state: &AppState, d: &DossierRow, agency: bool) -> Result<Value, sqlx::Error> {
    let versions = state.db.versions(&d.code).await?;
    let events = state.db.events(&d.code).await?;
    let owner = if agency {
        state.db.user(&d.owner_id).await?.map(|u| u.name)
    } else {
        None
    };
    let mut v = summary_json(state, d, owner.as_deref());
    if let Some(at) = state.db.delivered_at(&d.code).await? {
        v["deliveredAt"] = json!(clock::rfc3339(at));
    }
    let parties = state.db.co_signatures(&d.code).await?;
    v["versionList"] = Value::Array(
        versions
            .iter()
            // The agency reads the versions every co-signer signed (or that needed none), not
            // one still waiting or dropped.
            .filter(|ver| !agency || standing(&parties, ver.version))
            .map(|ver| {
                let mut j = version_json(ver);
                let mine: Vec<Value> = parties
                    .iter()
                    .filter(|p| p.version == ver.version)
                    .map(|p| party_json(p, true))
                    .collect();
                if !mine.is_empty() {
                    j["coSignatures"] = Value::Array(mine);
                }
                j
            })
            .collect(),
    );
    v["history"] = Value::Array(
        events
            .iter()
            .map(|e| {
                json!({
                    "seq": e.seq,
                    "at": clock::rfc3339(e.at),
                    "kind": e.kind,
                    "status": e.status,
                    "byOfficial": e.actor_id != d.owner_id && !e.kind.starts_with("co-sign"),
                    "message": e.message,
                    "resultCode": e.result_code,
                    "attachment": e.attachment,
                })
            })
            .collect(),
    );
    Ok(v)
}

/// Whether a version stands: every co-signer it names signed it (or it named none).
fn standing(parties: &[crate::db::cosign::CoSignatureRow], version: i64) -> bool {
    parties
        .iter()
        .filter(|p| p.version == version)
        .all(|p| p.status == "signed")
}

/// `GET /api/v1/dossiers/{code}`.
pub async fn get(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
) -> Response {
    let d = match visible(&state, &user, &code).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    if let Err(r) = audit_read(&state, &user, "read", Some(&d.code), None).await {
        return r;
    }
    match full_json(&state, &user, &d).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

/// `GET /api/v1/dossiers/{code}/download`: the dossier as a JSON file.
pub async fn download(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
) -> Response {
    let d = match visible(&state, &user, &code).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    if let Err(r) = audit_read(&state, &user, "download", Some(&d.code), None).await {
        return r;
    }
    match full_json(&state, &user, &d).await {
        Ok(mut v) => {
            if let Err(e) = crate::signatures::attach_validation_data(&state, &mut v).await {
                return db_failed(&e);
            }
            (
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}.json\"", d.code.replace('"', "")),
                    ),
                ],
                serde_json::to_string_pretty(&v).unwrap_or_default(),
            )
                .into_response()
        }
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct VersionQuery {
    version: Option<i64>,
}

/// `GET /api/v1/dossiers/{code}/signed/{content.json | signature.p7s}[?version=n]`: the exact
/// bytes a signed version's signature covers (RFC 8785 canonical JSON), and the detached CAdES
/// signature — the pair any agency tool verifies (`openssl cms -verify … -cades`). The latest
/// version by default; 404 when it is not signed.
pub async fn signed_part(
    State(state): State<AppState>,
    user: Signed,
    Path((code, part)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> Response {
    use base64::Engine;
    let d = match visible(&state, &user, &code).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let version = q.version.map(|v| format!("version {v}"));
    let action = if part.starts_with("signature") {
        "signed-signature"
    } else if part.starts_with("validation") {
        "signed-validation-report"
    } else {
        "signed-content"
    };
    if let Err(r) = audit_read(&state, &user, action, Some(&d.code), version.as_deref()).await {
        return r;
    }
    let mut versions = match state.db.versions(&d.code).await {
        Ok(v) => v,
        Err(e) => return db_failed(&e),
    };
    if user.is_official() {
        let parties = match state.db.co_signatures(&d.code).await {
            Ok(p) => p,
            Err(e) => return db_failed(&e),
        };
        versions.retain(|v| standing(&parties, v.version));
    }
    let v = match q.version {
        Some(n) => versions.iter().find(|v| v.version == n),
        None => versions.last(),
    };
    let not_signed = || {
        error(
            StatusCode::NOT_FOUND,
            "not-signed",
            Text::new(
                "Phiên bản hồ sơ này không có chữ ký số.",
                "This version of the dossier is not signed.",
            ),
        )
    };
    let Some((v, sig)) = v.and_then(|v| {
        let s: Value = serde_json::from_str(v.signature.as_deref()?).ok()?;
        Some((v, s))
    }) else {
        return not_signed();
    };
    let name = format!("{}-v{}", d.code.replace('"', ""), v.version);
    let (media, file, bytes) = match part.as_str() {
        "content.json" => {
            let data: Value = serde_json::from_str(&v.data).unwrap_or(Value::Null);
            let version = u32::try_from(d.form_version).unwrap_or_default();
            match form_core::sign::content(&d.form_id, version, &data) {
                Ok(b) => ("application/json", format!("{name}-content.json"), b),
                Err(_) => return internal(),
            }
        }
        "signature.p7s" => match sig
            .get("cms")
            .and_then(Value::as_str)
            .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
        {
            Some(b) => (
                "application/pkcs7-signature",
                format!("{name}-signature.p7s"),
                b,
            ),
            None => return not_signed(),
        },
        // The validation report, with the revocation data it used (DER, base64).
        "validation-report.json" => {
            let mut doc = json!({"versionList": [{"signature": sig}]});
            if let Err(e) = crate::signatures::attach_validation_data(&state, &mut doc).await {
                return db_failed(&e);
            }
            let sig = &doc["versionList"][0]["signature"];
            let report = json!({
                "dossierCode": d.code,
                "version": v.version,
                "signer": sig["signer"],
                "contentSha256": sig["contentSha256"],
                "validation": sig["validation"],
                "validationData": sig["validationData"],
            });
            (
                "application/json",
                format!("{name}-validation-report.json"),
                serde_json::to_vec_pretty(&report).unwrap_or_default(),
            )
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, media.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /api/v1/dossiers/{code}/qr.svg`: a QR code of the dossier's look-up address.
pub async fn qr(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let d = match visible(&state, &user, &code).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let base = state.config.public_url.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    });
    let url = format!("{}/d/{}", base.trim_end_matches('/'), d.code);
    match qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(160, 160)
                .quiet_zone(true)
                .build();
            ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
        }
        Err(_) => internal(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StatusBody {
    status: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    result: Option<AttachmentRef>,
}

/// `POST /api/v1/dossiers/{code}/status` (officials of the dossier's agency): received, needs
/// supplement (with one message listing everything to add), result issued (with the result
/// document, coded `<dossier code>-KQ<n>`).
pub async fn set_status(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    if !user.is_official() {
        return forbidden();
    }
    let Some(agency) = user.0.agency_code.clone() else {
        return forbidden();
    };
    let b: StatusBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !STATUSES.contains(&b.status.as_str()) {
        return bad_request(
            "status-unknown",
            Text::new(
                format!(
                    "Trạng thái \"{}\" không hợp lệ; chọn một trong: {}.",
                    b.status,
                    STATUSES.join(", ")
                ),
                format!(
                    "\"{}\" is not a status; use one of: {}.",
                    b.status,
                    STATUSES.join(", ")
                ),
            ),
        );
    }
    let message = b
        .message
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    if message.as_ref().is_some_and(|m| m.chars().count() > 4000) {
        return bad_request(
            "message-too-long",
            Text::new(
                "Nội dung tối đa 4000 ký tự.",
                "The message may have at most 4000 characters.",
            ),
        );
    }
    if b.status == "needs-supplement" && message.is_none() {
        return bad_request(
            "message-required",
            Text::new(
                "Yêu cầu bổ sung cần một thông báo nêu đầy đủ các giấy tờ, nội dung cần bổ sung.",
                "A request for a supplement needs one message listing everything to add.",
            ),
        );
    }
    let attachment = match (&b.status[..], &b.result) {
        ("result-issued", None) => {
            return bad_request(
                "result-required",
                Text::new(
                    "Cần đính kèm văn bản kết quả.",
                    "Attach the result document.",
                ),
            );
        }
        ("result-issued", Some(r)) => match state.db.uploaded_blob(&r.sha256, &user.0.id).await {
            Ok(Some(_)) => Some(r.sha256.clone()),
            Ok(None) => {
                return bad_request(
                    "file-unknown",
                    Text::new(
                        "Không tìm thấy văn bản kết quả bạn đã tải lên.",
                        "The result document you uploaded cannot be found.",
                    ),
                );
            }
            Err(e) => return db_failed(&e),
        },
        (_, Some(_)) => {
            return bad_request(
                "result-unexpected",
                Text::new(
                    "Chỉ đính kèm văn bản khi trả kết quả.",
                    "A document is attached only when issuing the result.",
                ),
            );
        }
        _ => None,
    };
    let change = StatusChange {
        code: code.clone(),
        agency_code: agency,
        actor_id: user.0.id.clone(),
        status: b.status.clone(),
        message,
        attachment,
    };
    match state.db.set_status(&change, clock::now_ms()).await {
        Ok(StatusOutcome::Set { result_code }) => {
            Json(json!({"status": b.status, "resultCode": result_code})).into_response()
        }
        Ok(StatusOutcome::NotFound) => not_found(&code),
        Ok(StatusOutcome::Closed) => error(
            StatusCode::CONFLICT,
            "dossier-closed",
            Text::new(
                "Hồ sơ đã có kết quả.",
                "The dossier already has its result.",
            ),
        ),
        Ok(StatusOutcome::AwaitingCoSignature) => error(
            StatusCode::CONFLICT,
            "awaiting-co-signature",
            Text::new(
                "Công dân đã bổ sung hồ sơ và bản bổ sung đang chờ những người cùng ký; hãy xử lý khi bản bổ sung đã đủ chữ ký hoặc hết hạn.",
                "The citizen amended the dossier and the amendment awaits its co-signers; act once it is fully signed or its deadline has passed.",
            ),
        ),
        Err(e) => db_failed(&e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatingBody {
    #[serde(default)]
    score: Option<i64>,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /api/v1/dossiers/{code}/rating` (the dossier's citizen, once): an optional 1–5 score
/// and comment, kept apart from any identity (Decree 42/2022 Art. 13.5.b).
pub async fn rate(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let b: RatingBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if b.score.is_some_and(|s| !(1..=5).contains(&s)) {
        return bad_request(
            "score-range",
            Text::new("Điểm đánh giá từ 1 đến 5.", "The score is from 1 to 5."),
        );
    }
    let comment = b
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
        return bad_request(
            "comment-too-long",
            Text::new(
                "Góp ý tối đa 2000 ký tự.",
                "The comment may have at most 2000 characters.",
            ),
        );
    }
    if b.score.is_none() && comment.is_none() {
        return bad_request(
            "rating-empty",
            Text::new(
                "Hãy chọn điểm hoặc viết góp ý.",
                "Give a score or a comment.",
            ),
        );
    }
    // The service is rated once the agency has the dossier (not while co-signatures are
    // missing, nor after co-signing ended it).
    match state.db.dossier(&code).await {
        Ok(Some(d)) if d.owner_id == user.0.id && !d.with_agency() => {
            return error(
                StatusCode::CONFLICT,
                "not-at-agency",
                Text::new(
                    "Hồ sơ chưa tới cơ quan tiếp nhận nên chưa đánh giá được.",
                    "The dossier has not reached the agency, so it cannot be rated yet.",
                ),
            );
        }
        Ok(_) => {}
        Err(e) => return db_failed(&e),
    }
    match state
        .db
        .rate(
            &code,
            &user.0.id,
            b.score,
            comment.as_deref(),
            clock::now_ms(),
        )
        .await
    {
        Ok(RateOutcome::Recorded) => {
            (StatusCode::CREATED, Json(json!({"recorded": true}))).into_response()
        }
        Ok(RateOutcome::AlreadyRated) => error(
            StatusCode::CONFLICT,
            "already-rated",
            Text::new(
                "Bạn đã đánh giá hồ sơ này.",
                "You have already rated this dossier.",
            ),
        ),
        Ok(RateOutcome::NotFound) => not_found(&code),
        Err(e) => db_failed(&e),
    }
}

/// `GET /api/v1/ratings` (officials): their agency's ratings, anonymous.
pub async fn ratings(State(state): State<AppState>, user: Signed) -> Response {
    let (true, Some(agency)) = (user.is_official(), user.0.agency_code.as_deref()) else {
        return forbidden();
    };
    match state.db.ratings(agency).await {
        Ok(rows) => Json(Value::Array(
            rows.into_iter()
                .map(|(form, day, score, comment)| json!({"formId": form, "day": day, "score": score, "comment": comment}))
                .collect(),
        ))
        .into_response(),
        Err(e) => db_failed(&e),
    }
}

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
fn file_response(blob: crate::db::BlobRow, content: Vec<u8>) -> Response {
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
async fn linked_file(
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

/// A co-signer's label (the party they are, in both languages) as stored.
pub fn cosigner_label(row: &crate::db::cosign::CoSignatureRow) -> Value {
    serde_json::from_str(&row.label).unwrap_or(Value::Null)
}

/// One party as the applicant, the co-signers and the agency see it.
pub fn party_json(row: &crate::db::cosign::CoSignatureRow, with_signature: bool) -> Value {
    let mut v = json!({
        "version": row.version,
        "at": row.at,
        "label": cosigner_label(row),
        "name": row.name,
        "status": row.status,
        "dueAt": clock::rfc3339(row.due_at),
        "decidedAt": row.decided_at.map(clock::rfc3339),
        "reason": row.reason,
    });
    if with_signature {
        v["signature"] = row
            .signature
            .as_deref()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .unwrap_or(Value::Null);
    }
    v
}

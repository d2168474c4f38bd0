//! Submissions and amendments: the form version filed on, every check before a write (the
//! data with form-core and the reference validator, files, locks, the signature), the
//! idempotency key, the write through the group-commit writer, the receipt.

use crate::auth::{Signed, forbidden};
use crate::catalog::{Entry, Ready};
use crate::clock;
use crate::db::{Job, NewVersion, Outcome};
use crate::intake::common::*;
use crate::reply::{error, internal, too_many_values};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use form_core::{Diagnostic, Text};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SubmitBody {
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
pub(crate) struct AmendBody {
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
pub(crate) async fn open_form_version(
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
pub(crate) fn stored_type_accepted(ready: &Ready, at: &str, media_type: &str) -> bool {
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
pub(crate) struct Checked {
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
pub(crate) async fn check_content(
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
pub(crate) fn signature_refused(
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

pub(crate) fn request_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    crate::encode::hex(&h.finalize())
}

pub(crate) fn receipt(status: StatusCode, stored: &crate::db::Stored, replayed: bool) -> Response {
    let mut res = (
        status,
        Json(json!({
            "dossierCode": stored.code,
            "version": stored.version,
            "receivedAt": clock::rfc3339(stored.at),
            "status": stored.status,
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

pub(crate) async fn run_job(state: &AppState, job: Job) -> Response {
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

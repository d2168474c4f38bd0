//! Reading dossiers: the citizen's and the agency's lists, one dossier, its download, the signed
//! pair, the QR code, the access audit (officials' reads recorded before the answer), the
//! co-signers' parts.

use crate::auth::{Signed, forbidden};
use crate::catalog::Entry;
use crate::clock;
use crate::db::DossierRow;
use crate::intake::common::*;
use crate::reply::{error, internal};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use form_core::Text;
use serde::Deserialize;
use serde_json::{Value, json};

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

pub(crate) fn summary_json(state: &AppState, d: &DossierRow, owner_name: Option<&str>) -> Value {
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
pub(crate) fn percent(s: &str) -> String {
    crate::encode::percent_encode(s)
}

pub(crate) fn version_json(v: &crate::db::VersionRow) -> Value {
    json!({
        "version": v.version,
        "submittedAt": clock::rfc3339(v.submitted_at),
        "data": serde_json::from_str::<Value>(&v.data).unwrap_or(Value::Null),
        "attachments": serde_json::from_str::<Value>(&v.attachments).unwrap_or(Value::Null),
        "signature": v.signature.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
    })
}

/// The whole dossier as the caller may see it: summary, every version, the history.
pub(crate) async fn full_json(
    state: &AppState,
    user: &Signed,
    d: &DossierRow,
) -> Result<Value, Response> {
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
pub(crate) async fn document(
    state: &AppState,
    d: &DossierRow,
    agency: bool,
) -> Result<Value, sqlx::Error> {
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
pub(crate) fn standing(parties: &[crate::db::cosign::CoSignatureRow], version: i64) -> bool {
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

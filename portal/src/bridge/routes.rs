//! The bridge's HTTP handlers (`/bridge/v1/…`): the citizen's certificates, hash signing, a
//! transaction's state, and the development signer's approval pages. The bridge itself (its
//! providers, credentials and transactions) is in `mod.rs`, which the portal's state holds.

use super::*;
use crate::auth::{Signed, escape, forbidden};
use crate::encode::hex;
use crate::reply::{error, parse_body};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use form_core::Text;
use form_core::sign::SignAlgo;
use serde_json::json;
use x509_cert::der::Encode;

/// The bridge's API (`/bridge/v1/…`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/bridge/v1/credentials/list",
            routing::post(credentials_list),
        )
        .route(
            "/bridge/v1/signatures/signHash",
            routing::post(sign_hash).layer(DefaultBodyLimit::max(16 * 1024)),
        )
        .route("/bridge/v1/signatures/{id}", routing::get(transaction))
}

/// The development signer's approval pages (development mode only).
pub fn dev_routes() -> Router<AppState> {
    Router::new()
        .route("/dev/signer", routing::get(dev_page))
        .route("/dev/signer/root.pem", routing::get(dev_root))
        .route("/dev/signer/{id}/{decision}", routing::post(dev_decide))
}

fn citizen(user: &Signed) -> Result<(), Response> {
    if user.is_official() {
        Err(forbidden())
    } else {
        Ok(())
    }
}

/// `POST /bridge/v1/credentials/list` → `{credentialIDs, credentialInfos: [{credentialID, key:
/// {status, algo, len}, cert: {status, certificates, issuerDN, subjectDN, serialNumber,
/// validFrom, validTo}}], serverTime}` (certificates: the chain, base64 DER, signer first;
/// `serverTime`, the portal's clock in seconds since the epoch, is what the runtime writes as
/// the signing time — intake judges it against its own clock, not the device's).
pub async fn credentials_list(State(state): State<AppState>, user: Signed) -> Response {
    if let Err(r) = citizen(&user) {
        return r;
    }
    // Asked afresh each time the citizen opens the Sign step (a renewed certificate shows).
    let creds = match state.bridge.credentials(&user.0, true).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let infos: Vec<_> = creds
        .iter()
        .map(|c| {
            let signer = &c.chain[0].tbs_certificate;
            json!({
                "credentialID": c.id,
                "key": {"status": "enabled", "algo": c.algos.iter().map(|a| a.oid()).collect::<Vec<_>>(), "len": 256},
                "cert": {
                    "status": "valid",
                    "certificates": c.chain.iter().filter_map(|x| x.to_der().ok()).map(|d| B64.encode(d)).collect::<Vec<_>>(),
                    "issuerDN": signer.issuer.to_string(),
                    "subjectDN": signer.subject.to_string(),
                    "serialNumber": signer.serial_number.to_string(),
                    "validFrom": signer.validity.not_before.to_string(),
                    "validTo": signer.validity.not_after.to_string(),
                },
            })
        })
        .collect();
    Json(json!({
        "credentialIDs": creds.iter().map(|c| &c.id).collect::<Vec<_>>(),
        "credentialInfos": infos,
        "serverTime": crate::clock::now_ms() / 1000,
    }))
    .into_response()
}

/// How many signing requests one citizen may have waiting at once.
pub const MAX_PENDING: i64 = 3;

fn bad(code: &str, vi: &str, en: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        code,
        Text::new(vi.to_owned(), en.to_owned()),
    )
}

/// `POST /bridge/v1/signatures/signHash` `{credentialID, hashes: [one base64 SHA-256],
/// hashAlgorithmOID, signAlgo, docId?, description?}` → `202 {transactionID, expiresIn}`.
pub async fn sign_hash(State(state): State<AppState>, user: Signed, body: Bytes) -> Response {
    if let Err(r) = citizen(&user) {
        return r;
    }
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Sign, &user.0.id)
        .await
    {
        return r;
    }
    let b: SignHashBody = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if b.hash_algorithm_oid != SHA256_OID {
        return bad(
            "hash-algorithm",
            "Chỉ nhận mã băm SHA-256.",
            "Only SHA-256 hashes are taken.",
        );
    }
    let hash: [u8; 32] = match b.hashes.as_slice() {
        [one] => match B64.decode(one).ok().and_then(|h| h.try_into().ok()) {
            Some(h) => h,
            None => {
                return bad(
                    "hash-invalid",
                    "Mã băm phải là 32 byte SHA-256 mã hóa base64.",
                    "The hash must be 32 bytes of SHA-256 in base64.",
                );
            }
        },
        _ => {
            return bad(
                "hashes-one",
                "Mỗi lần ký đúng một mã băm.",
                "Exactly one hash per request.",
            );
        }
    };
    let creds = match state.bridge.credentials(&user.0, false).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    // The credential must be this citizen's, and take the algorithm.
    let Some(cred) = creds.iter().find(|c| c.id == b.credential_id) else {
        return error(
            StatusCode::NOT_FOUND,
            "credential-not-found",
            Text::new(
                "Không có chứng thư số này trong tài khoản của bạn.",
                "There is no such credential in your account.",
            ),
        );
    };
    let Some(algo) = SignAlgo::from_oid(&b.sign_algo).filter(|a| cred.algos.contains(a)) else {
        return bad(
            "sign-algorithm",
            "Khóa này không ký được bằng thuật toán đã chọn.",
            "This key cannot sign with the chosen algorithm.",
        );
    };
    // What the phone shows: the form's title, from the catalog.
    let doc = b
        .doc_id
        .as_deref()
        .and_then(|id| match state.catalog.get(id) {
            Some(crate::catalog::Entry::Ready(r)) => Some(r),
            _ => None,
        });
    let Some(doc) = doc else {
        return bad(
            "doc-unknown",
            "docId phải là mã của một biểu mẫu trên cổng.",
            "docId must be the id of a form of this portal.",
        );
    };
    let d = doc.form.definition();
    let description = format!("{} — {}", d.title.vi, d.title.en);
    let doc_id = d.id.clone();
    let Ok(id) = crate::encode::new_token() else {
        return crate::reply::internal();
    };
    let now = crate::clock::now_ms();
    let row = crate::db::SigningRow {
        id: id.clone(),
        owner_id: user.0.id.clone(),
        credential_id: cred.id.clone(),
        hash: hex(&hash),
        description: Some(description),
        doc_id: Some(doc_id),
        created_at: now,
        state: "pending".into(),
        signature: None,
    };
    // A few requests waiting per citizen, not an unbounded signing oracle; what expired long
    // ago is forgotten on the way.
    let started = state
        .db
        .start_signing(
            &row,
            now - EXPIRES_IN_S * 1000,
            MAX_PENDING,
            now - 4 * EXPIRES_IN_S * 1000,
        )
        .await;
    match started {
        Ok(true) => {}
        Ok(false) => {
            let mut res = error(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-pending",
                Text::new(
                    "Bạn đang có quá nhiều yêu cầu ký chờ xác nhận. Hãy xác nhận hoặc từ chối trên điện thoại, hoặc chờ chúng hết hạn.",
                    "You have too many signing requests waiting. Approve or refuse them on your phone, or wait for them to expire.",
                ),
            );
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("60"),
            );
            return res;
        }
        Err(e) => {
            tracing::error!(error = %e, "recording a signing request");
            return crate::reply::internal();
        }
    }
    let req = SignRequest {
        hash,
        algo,
        description: row.description.clone(),
        doc_id: row.doc_id.clone(),
        transaction_id: id.clone(),
    };
    state
        .bridge
        .follow(state.db.clone(), user.0.clone(), cred.clone(), req);
    (
        StatusCode::ACCEPTED,
        Json(json!({"transactionID": id, "expiresIn": EXPIRES_IN_S})),
    )
        .into_response()
}

/// `GET /bridge/v1/signatures/{transactionID}` → `{status: pending | completed | rejected |
/// expired | failed, signatures?: [base64]}` (failed: the provider answered with an error); another citizen's transaction is 404.
pub async fn transaction(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<String>,
) -> Response {
    let now = crate::clock::now_ms();
    let t = match state.db.signing(&id).await {
        Ok(t) => t.filter(|t| t.owner_id == user.0.id),
        Err(e) => {
            tracing::error!(error = %e, "reading a signing transaction");
            return crate::reply::internal();
        }
    };
    let Some(t) = t else {
        return error(
            StatusCode::NOT_FOUND,
            "transaction-not-found",
            Text::new(
                "Không tìm thấy yêu cầu ký này.",
                "This signing request cannot be found.",
            ),
        );
    };
    let expired = now - t.created_at > EXPIRES_IN_S * 1000;
    Json(match (t.state.as_str(), t.signature) {
        ("completed", Some(sig)) => json!({"status": "completed", "signatures": [sig]}),
        ("pending", _) if expired => json!({"status": "expired"}),
        ("pending", _) => json!({"status": "pending"}),
        ("rejected" | "expired", _) => json!({"status": t.state}),
        _ => json!({"status": "failed"}),
    })
    .into_response()
}

/// `GET /dev/signer` (development mode): the signed-in citizen's pending signing requests, each
/// with Approve and Reject — what the provider's phone app does in a deployment.
pub async fn dev_page(State(state): State<AppState>, user: Signed) -> Response {
    let now = crate::clock::now_ms();
    let mut rows = String::new();
    let mine = match state
        .db
        .pending_signings(&user.0.id, now - EXPIRES_IN_S * 1000)
        .await
    {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "reading signing transactions");
            return crate::reply::internal();
        }
    };
    for t in mine {
        let hash = t.hash.get(..16).unwrap_or_default();
        rows.push_str(&format!(
            "<li class=\"ef-panel\" data-testid=\"signing-request\"><p><strong>{}</strong> {}</p>\
             <p class=\"ef-hint\">Hash SHA-256: <code>{}…</code> · {}</p>\
             <form method=\"post\" action=\"/dev/signer/{id}/approve\" class=\"ef-inline\"><button class=\"ef-button\" type=\"submit\">Phê duyệt / Approve</button></form> \
             <form method=\"post\" action=\"/dev/signer/{id}/reject\" class=\"ef-inline\"><button class=\"ef-button ef-button--secondary\" type=\"submit\">Từ chối / Reject</button></form></li>",
            escape(t.description.as_deref().unwrap_or("")),
            escape(t.doc_id.as_deref().unwrap_or("")),
            escape(hash),
            escape(&t.credential_id),
            id = escape(&t.id),
        ));
    }
    if rows.is_empty() {
        rows = "<li data-testid=\"no-signing-request\">Không có yêu cầu ký nào đang chờ. / No signing request is waiting.</li>".into();
    }
    let css = crate::reply::built_file(&state.web_dir, "eform-", ".css")
        .map(|f| format!("<link rel=\"stylesheet\" href=\"/app/{}\">", escape(&f)))
        .unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Ký số thử nghiệm / Development signer — eform</title>{css}</head><body>\
         <main id=\"main\" class=\"ef-main\"><h1 class=\"ef-title\">Ký số thử nghiệm / Development signer</h1>\
         <p>{}: {}</p><ul class=\"ef-list\">{rows}</ul></main></body></html>",
        "Người ký / Signer",
        escape(&user.0.name),
    ))
    .into_response()
}

/// `GET /dev/signer/root.pem` (development mode): the development CA's root, for
/// `openssl cms -verify -CAfile` and other tools.
pub async fn dev_root(State(state): State<AppState>) -> Response {
    use x509_cert::der::EncodePem;
    match state
        .bridge
        .trust()
        .0
        .first()
        .map(|c| c.to_pem(x509_cert::der::pem::LineEnding::LF))
    {
        Some(Ok(pem)) => (
            [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
            pem,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `POST /dev/signer/{id}/{approve|reject}`.
pub async fn dev_decide(
    State(state): State<AppState>,
    user: Signed,
    Path((id, decision)): Path<(String, String)>,
) -> Response {
    let Some(Provider::Dev(dev)) = state.bridge.provider.as_deref() else {
        return unavailable();
    };
    let now = crate::clock::now_ms();
    let t = match state.db.signing(&id).await {
        Ok(Some(t))
            if t.owner_id == user.0.id
                && t.state == "pending"
                && now - t.created_at <= EXPIRES_IN_S * 1000 =>
        {
            t
        }
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a signing transaction");
            return crate::reply::internal();
        }
    };
    let (outcome, signature) = match decision.as_str() {
        "approve" => {
            let hash: Option<[u8; 32]> = (0..32)
                .map(|i| {
                    t.hash
                        .get(2 * i..2 * i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                })
                .collect::<Option<Vec<u8>>>()
                .and_then(|v| v.try_into().ok());
            let Some(hash) = hash else {
                return crate::reply::internal();
            };
            match dev.sign(&user.0, &hash).await {
                Ok(sig) => ("completed", Some(B64.encode(sig))),
                Err(e) => {
                    tracing::error!(error = %e, "development signer");
                    return unavailable();
                }
            }
        }
        "reject" => ("rejected", None),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match state
        .db
        .finish_signing(&id, outcome, signature.as_deref(), now)
        .await
    {
        Ok(_) => Redirect::to("/dev/signer").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "recording a signing outcome");
            crate::reply::internal()
        }
    }
}

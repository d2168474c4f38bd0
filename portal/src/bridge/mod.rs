//! The certification-portal bridge (design §5): the runtime asks here, with Cloud Signature
//! Consortium v2 field names, for the citizen's credentials and for a signature over a hash;
//! signing is asynchronous (the citizen approves on their phone), so `signHash` answers 202
//! with a transaction to poll. Provider credentials stay on the portal; only hashes and
//! certificates pass through the browser, never a private key.
//!
//! Providers behind it (one per deployment): `csc` (Cloud Signature Consortium API v2 remote
//! signing services), `esign` (the national eSign gateway's hash-signing API) and, in
//! development mode, `dev` (its own test CA made at first start, a certificate per demo
//! citizen, approval in the portal's dev UI). A remote provider's signing runs in a task that
//! records its outcome on the transaction the runtime polls.
// Handlers hand back ready responses as errors (see intake.rs).
#![allow(clippy::result_large_err)]

use crate::auth::{Signed, escape, forbidden};
use crate::db::UserRow;
use crate::http::{AppState, error, parse_body};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use form_core::Text;
use form_core::sign::SignAlgo;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use x509_cert::Certificate;
use x509_cert::der::Encode;

/// SHA-256, the only hash algorithm taken.
pub const SHA256_OID: &str = "2.16.840.1.101.3.4.2.1";
/// How long a signing request waits for the citizen's approval.
pub const EXPIRES_IN_S: i64 = 300;

/// A signing credential: its id, certificate chain (signer first) and algorithms.
#[derive(Clone)]
pub struct Credential {
    pub id: String,
    pub chain: Vec<Certificate>,
    pub algos: Vec<SignAlgo>,
    /// What the provider needs besides the id to sign with it (the eSign gateway: the
    /// certificate's serial number).
    pub handle: String,
}

/// Where signatures come from (design §5): a Cloud Signature Consortium v2 provider, the
/// national eSign gateway, or — in development mode only — the development signer.
pub enum Provider {
    Dev(Box<dev::DevSigner>),
    Csc(csc::Csc),
    Esign(esign::Esign),
}

/// How a provider's signing ended.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// The signature value (DER for ECDSA, or r‖s: the runtime encodes either).
    Completed(Vec<u8>),
    /// The citizen refused on their phone.
    Rejected,
    /// Nobody approved in time.
    Expired,
    /// The provider answered with an error (logged; the citizen sees "try again").
    Failed(String),
}

/// What a provider is asked to sign.
pub struct SignRequest {
    pub hash: [u8; 32],
    pub algo: SignAlgo,
    /// Shown to the citizen on their phone (the form's title) and the bridge's transaction id.
    pub description: Option<String>,
    pub doc_id: Option<String>,
    pub transaction_id: String,
}

impl Provider {
    async fn credentials(&self, user: &UserRow) -> anyhow::Result<Vec<Credential>> {
        match self {
            Provider::Dev(d) => Ok(vec![d.credential(user).await?]),
            Provider::Csc(c) => c.credentials(user).await,
            Provider::Esign(e) => e.credentials(user).await,
        }
    }

    /// Signs with a remote provider (the development signer waits for the dev UI instead).
    async fn sign(&self, user: &UserRow, cred: &Credential, req: &SignRequest) -> Outcome {
        match self {
            Provider::Dev(_) => Outcome::Failed("the development signer signs in its UI".into()),
            Provider::Csc(c) => c.sign(cred, req).await,
            Provider::Esign(e) => e.sign(user, cred, req).await,
        }
    }
}

/// How long a citizen's credential list is kept before the provider is asked again.
const CREDENTIALS_TTL_MS: i64 = 60_000;

/// The bridge: a provider. Its signing transactions live in the database (`db/signing.rs`),
/// so any instance answers a poll; the instance that took a request follows the provider.
pub struct Bridge {
    provider: Option<Arc<Provider>>,
    /// Each citizen's credentials as the provider last listed them (user id → (when, list)).
    listed: Mutex<HashMap<String, (i64, Vec<Credential>)>>,
}

impl Bridge {
    pub fn new(provider: Option<Provider>) -> Bridge {
        Bridge {
            provider: provider.map(Arc::new),
            listed: Mutex::new(HashMap::new()),
        }
    }

    /// The certificates a deployment's verifier trusts for this provider's signatures (the
    /// development CA's root, and its intermediate; a real provider's come from
    /// `--trust-store`).
    /// The development signer, when it is the provider.
    pub fn dev(&self) -> Option<&dev::DevSigner> {
        match self.provider.as_deref() {
            Some(Provider::Dev(d)) => Some(d),
            _ => None,
        }
    }

    pub fn trust(&self) -> (Vec<Certificate>, Vec<Certificate>) {
        match self.provider.as_deref() {
            Some(Provider::Dev(d)) => (vec![d.root.clone()], vec![d.ca.clone()]),
            _ => (Vec::new(), Vec::new()),
        }
    }

    async fn credentials(&self, user: &UserRow, fresh: bool) -> Result<Vec<Credential>, Response> {
        let Some(provider) = &self.provider else {
            return Err(unavailable());
        };
        let now = crate::clock::now_ms();
        if !fresh
            && let Ok(listed) = self.listed.lock()
            && let Some((at, creds)) = listed.get(&user.id)
            && now - at < CREDENTIALS_TTL_MS
        {
            return Ok(creds.clone());
        }
        match provider.credentials(user).await {
            Ok(listed) => {
                // Only certificates that name this citizen (their ID number in serialNumber or
                // UID): intake would refuse a signature made with any other.
                let found = listed.len();
                let creds: Vec<Credential> =
                    listed.into_iter().filter(|c| names(c, user)).collect();
                if found > 0 && creds.is_empty() {
                    tracing::warn!(user = %user.id, found, "the provider's certificates name someone else");
                    return Err(not_yours());
                }
                if let Ok(mut listed) = self.listed.lock() {
                    listed.retain(|_, (at, _)| now - *at < CREDENTIALS_TTL_MS);
                    listed.insert(user.id.clone(), (now, creds.clone()));
                }
                Ok(creds)
            }
            Err(e) => {
                tracing::error!(error = %e, "signing provider: credentials");
                Err(unavailable())
            }
        }
    }

    /// Runs a remote provider's signing to its end and records the outcome in the database.
    fn follow(&self, db: crate::db::Db, user: UserRow, cred: Credential, req: SignRequest) {
        let Some(provider) = self.provider.clone() else {
            return;
        };
        if matches!(*provider, Provider::Dev(_)) {
            return;
        }
        tokio::spawn(async move {
            let outcome = tokio::time::timeout(
                std::time::Duration::from_secs(EXPIRES_IN_S.unsigned_abs()),
                provider.sign(&user, &cred, &req),
            )
            .await
            .unwrap_or(Outcome::Expired);
            if let Outcome::Failed(e) = &outcome {
                tracing::error!(error = %e, transaction = %req.transaction_id, "signing provider: sign");
            }
            let (state, signature) = match outcome {
                Outcome::Completed(sig) => ("completed", Some(B64.encode(sig))),
                Outcome::Rejected => ("rejected", None),
                Outcome::Expired => ("expired", None),
                Outcome::Failed(_) => ("failed", None),
            };
            let now = crate::clock::now_ms();
            if let Err(e) = db
                .finish_signing(&req.transaction_id, state, signature.as_deref(), now)
                .await
            {
                tracing::error!(error = %e, transaction = %req.transaction_id, "recording a signing outcome");
            }
        });
    }
}

/// Whether the credential's certificate names `user` (their personal ID number, often with a
/// `CCCD:` prefix, in the subject's serialNumber or UID), as intake will require.
fn names(cred: &Credential, user: &UserRow) -> bool {
    let Some(pid) = &user.personal_id else {
        return true; // nothing to compare (intake does not compare either)
    };
    cred.chain.first().is_some_and(|c| {
        form_core::sign::verify::describe(c)
            .serial_number
            .is_some_and(|s| s.ends_with(pid.as_str()))
    })
}

fn not_yours() -> Response {
    error(
        StatusCode::CONFLICT,
        "certificate-not-yours",
        Text::new(
            "Chứng thư số mà dịch vụ ký số trả về không mang số định danh của bạn. Hãy liên hệ tổ chức cung cấp chữ ký số của bạn.",
            "The certificate the signing service returned does not carry your personal ID number. Contact your signature provider.",
        ),
    )
}

/// The portal's trust store: the certificates of `file` (PEM; self-signed ones are roots, the
/// others are added as CAs below them) and the provider's own (the development CA).
pub fn trust_store(
    file: Option<&std::path::Path>,
    bridge: &Bridge,
) -> anyhow::Result<form_core::sign::TrustStore> {
    let (mut roots, mut cas) = bridge.trust();
    if let Some(f) = file {
        for cert in pem_certificates(f)? {
            if cert.tbs_certificate.subject == cert.tbs_certificate.issuer {
                roots.push(cert);
            } else {
                cas.push(cert);
            }
        }
    }
    let mut store = form_core::sign::TrustStore::new(roots);
    for stray in store.add_intermediates(cas) {
        tracing::warn!(subject = %stray.tbs_certificate.subject, "a trust-store certificate leads to no root: ignored");
    }
    Ok(store)
}

/// The certificates of a PEM file.
pub fn pem_certificates(file: &std::path::Path) -> anyhow::Result<Vec<Certificate>> {
    use x509_cert::der::DecodePem;
    let text =
        std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let mut out = Vec::new();
    for block in text.split_inclusive("-----END CERTIFICATE-----") {
        let Some(start) = block.find("-----BEGIN CERTIFICATE-----") else {
            continue;
        };
        out.push(
            Certificate::from_pem(&block.as_bytes()[start..])
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?,
        );
    }
    Ok(out)
}

fn unavailable() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "signing-unavailable",
        Text::new(
            "Dịch vụ ký số tạm thời không sẵn sàng.",
            "The signing service is unavailable for the moment.",
        ),
    )
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignHashBody {
    #[serde(rename = "credentialID")]
    credential_id: String,
    hashes: Vec<String>,
    #[serde(rename = "hashAlgorithmOID")]
    hash_algorithm_oid: String,
    sign_algo: String,
    /// The form signed (its id in the catalog): the text the citizen's phone shows is made from
    /// its title here, never taken from the caller (review M4).
    #[serde(default)]
    doc_id: Option<String>,
    /// Ignored (accepted for CSC clients that send one).
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
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
    let Ok(id) = crate::auth::new_token() else {
        return crate::http::internal();
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
            return crate::http::internal();
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
            return crate::http::internal();
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

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
            return crate::http::internal();
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
    let css = crate::http::built_file(&state.web_dir, "eform-", ".css")
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
            return crate::http::internal();
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
                return crate::http::internal();
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
            crate::http::internal()
        }
    }
}

pub mod csc;
pub mod dev;
pub mod esign;

/// An HTTP client for a remote provider: a short connect timeout, and a request timeout long
/// enough for a provider that answers only once the citizen approved.
/// It follows no redirects: a 307/308 would re-send the body, and with it the portal's secret
/// (review M9).
fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(
            EXPIRES_IN_S.unsigned_abs() + 10,
        ))
        .build()?)
}

/// One JSON POST to a provider: its HTTP status and JSON answer (`null` when not JSON).
async fn post_json(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
    body: &serde_json::Value,
) -> anyhow::Result<(u16, serde_json::Value)> {
    let mut request = http.post(url).json(body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await?;
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await?;
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    ))
}

/// Certificates given as base64 DER strings (a provider's chain), in order.
fn certificates<'a>(
    values: impl IntoIterator<Item = &'a serde_json::Value>,
) -> anyhow::Result<Vec<Certificate>> {
    use x509_cert::der::Decode;
    values
        .into_iter()
        .map(|v| {
            let der = B64.decode(v.as_str().unwrap_or_default())?;
            Ok(Certificate::from_der(&der)?)
        })
        .collect()
}

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

use crate::db::UserRow;
use crate::reply::error;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use form_core::Text;
use form_core::sign::SignAlgo;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use x509_cert::Certificate;

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

pub mod csc;
pub mod dev;
pub mod esign;
pub mod routes;

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

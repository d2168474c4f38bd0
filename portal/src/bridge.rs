//! The certification-portal bridge (design §5): the runtime asks here, with Cloud Signature
//! Consortium v2 field names, for the citizen's credentials and for a signature over a hash;
//! signing is asynchronous (the citizen approves on their phone), so `signHash` answers 202
//! with a transaction to poll. Provider credentials stay on the portal; only hashes and
//! certificates pass through the browser, never a private key.
//!
//! Providers behind it: the development signer (this file's `dev` module: its own test CA made
//! at first start, a certificate per demo citizen, approval in the portal's dev UI). The CSC v2
//! and national eSign gateway adapters plug in as further `Provider`s.
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
use std::sync::Mutex;
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
}

/// Where signatures come from.
pub enum Provider {
    Dev(dev::DevSigner),
}

enum State_ {
    Pending,
    Completed(Vec<u8>),
    Rejected,
}

struct Transaction {
    owner: String,
    credential_id: String,
    hash: [u8; 32],
    description: Option<String>,
    doc_id: Option<String>,
    created_ms: i64,
    state: State_,
}

/// The bridge: a provider and the signing transactions in flight (in memory: a restart loses
/// pending ones, which the runtime then sees as expired and starts again).
pub struct Bridge {
    provider: Option<Provider>,
    transactions: Mutex<HashMap<String, Transaction>>,
}

impl Bridge {
    pub fn new(provider: Option<Provider>) -> Bridge {
        Bridge {
            provider,
            transactions: Mutex::new(HashMap::new()),
        }
    }

    /// The certificates a deployment's verifier trusts for this provider's signatures (the
    /// development CA's root, and its intermediate).
    pub fn trust(&self) -> (Vec<Certificate>, Vec<Certificate>) {
        match &self.provider {
            Some(Provider::Dev(d)) => (vec![d.root.clone()], vec![d.ca.clone()]),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn credentials(&self, user: &UserRow) -> Result<Vec<Credential>, Response> {
        match &self.provider {
            Some(Provider::Dev(d)) => d.credential(user).map(|c| vec![c]).map_err(|e| {
                tracing::error!(error = %e, "development signer");
                unavailable()
            }),
            None => Err(unavailable()),
        }
    }
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
/// validFrom, validTo}}]}` (certificates: the chain, base64 DER, signer first).
pub async fn credentials_list(State(state): State<AppState>, user: Signed) -> Response {
    if let Err(r) = citizen(&user) {
        return r;
    }
    let creds = match state.bridge.credentials(&user.0) {
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
    #[serde(default)]
    doc_id: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

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
    let creds = match state.bridge.credentials(&user.0) {
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
    if !SignAlgo::from_oid(&b.sign_algo).is_some_and(|a| cred.algos.contains(&a)) {
        return bad(
            "sign-algorithm",
            "Khóa này không ký được bằng thuật toán đã chọn.",
            "This key cannot sign with the chosen algorithm.",
        );
    }
    let Ok(id) = crate::auth::new_token() else {
        return crate::http::internal();
    };
    let clip = |s: Option<String>| s.map(|s| s.chars().take(200).collect::<String>());
    let tx = Transaction {
        owner: user.0.id.clone(),
        credential_id: cred.id.clone(),
        hash,
        description: clip(b.description),
        doc_id: clip(b.doc_id),
        created_ms: crate::clock::now_ms(),
        state: State_::Pending,
    };
    if let Ok(mut all) = state.bridge.transactions.lock() {
        // Forget what expired long ago.
        let now = crate::clock::now_ms();
        all.retain(|_, t| now - t.created_ms < 4 * EXPIRES_IN_S * 1000);
        all.insert(id.clone(), tx);
    }
    (
        StatusCode::ACCEPTED,
        Json(json!({"transactionID": id, "expiresIn": EXPIRES_IN_S})),
    )
        .into_response()
}

/// `GET /bridge/v1/signatures/{transactionID}` → `{status: pending | completed | rejected |
/// expired, signatures?: [base64]}`; another citizen's transaction is 404.
pub async fn transaction(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<String>,
) -> Response {
    let now = crate::clock::now_ms();
    let Ok(all) = state.bridge.transactions.lock() else {
        return crate::http::internal();
    };
    let Some(t) = all.get(&id).filter(|t| t.owner == user.0.id) else {
        return error(
            StatusCode::NOT_FOUND,
            "transaction-not-found",
            Text::new(
                "Không tìm thấy yêu cầu ký này.",
                "This signing request cannot be found.",
            ),
        );
    };
    let expired = now - t.created_ms > EXPIRES_IN_S * 1000;
    Json(match &t.state {
        State_::Completed(sig) => json!({"status": "completed", "signatures": [B64.encode(sig)]}),
        State_::Rejected => json!({"status": "rejected"}),
        State_::Pending if expired => json!({"status": "expired"}),
        State_::Pending => json!({"status": "pending"}),
    })
    .into_response()
}

/// `GET /dev/signer` (development mode): the signed-in citizen's pending signing requests, each
/// with Approve and Reject — what the provider's phone app does in a deployment.
pub async fn dev_page(State(state): State<AppState>, user: Signed) -> Response {
    let now = crate::clock::now_ms();
    let mut rows = String::new();
    if let Ok(all) = state.bridge.transactions.lock() {
        let mut mine: Vec<(&String, &Transaction)> = all
            .iter()
            .filter(|(_, t)| {
                t.owner == user.0.id
                    && matches!(t.state, State_::Pending)
                    && now - t.created_ms <= EXPIRES_IN_S * 1000
            })
            .collect();
        mine.sort_by_key(|(_, t)| t.created_ms);
        for (id, t) in mine {
            let hash: String = t.hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
            rows.push_str(&format!(
                "<li class=\"ef-panel\" data-testid=\"signing-request\"><p><strong>{}</strong> {}</p>\
                 <p class=\"ef-hint\">Hash SHA-256: <code>{hash}…</code> · {}</p>\
                 <form method=\"post\" action=\"/dev/signer/{id}/approve\" class=\"ef-inline\"><button class=\"ef-button\" type=\"submit\">Phê duyệt / Approve</button></form> \
                 <form method=\"post\" action=\"/dev/signer/{id}/reject\" class=\"ef-inline\"><button class=\"ef-button ef-button--secondary\" type=\"submit\">Từ chối / Reject</button></form></li>",
                escape(t.description.as_deref().unwrap_or("")),
                escape(t.doc_id.as_deref().unwrap_or("")),
                escape(&t.credential_id),
                id = escape(id),
            ));
        }
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
    let Some(Provider::Dev(dev)) = &state.bridge.provider else {
        return unavailable();
    };
    let Ok(mut all) = state.bridge.transactions.lock() else {
        return crate::http::internal();
    };
    let Some(t) = all
        .get_mut(&id)
        .filter(|t| t.owner == user.0.id && matches!(t.state, State_::Pending))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    t.state = match decision.as_str() {
        "approve" => match dev.sign(&user.0, &t.hash) {
            Ok(sig) => State_::Completed(sig),
            Err(e) => {
                tracing::error!(error = %e, "development signer");
                return unavailable();
            }
        },
        "reject" => State_::Rejected,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    Redirect::to("/dev/signer").into_response()
}

/// The development signer: a test CA (root → "citizen CA") generated at first start in the
/// portal's data folder, and a P-256 key and certificate per citizen, whose subject carries
/// their name and personal ID number. Never for production: its keys sit in files.
pub mod dev {
    use super::Credential;
    use crate::db::UserRow;
    use form_core::sign::SignAlgo;
    use form_core::sign::cades::der_time;
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
    use std::collections::HashMap;
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::str::FromStr;
    use std::sync::Mutex;
    use x509_cert::Certificate;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::der::{DecodePem, EncodePem};
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::SubjectPublicKeyInfoOwned;
    use x509_cert::time::Validity;

    const YEAR_S: u64 = 365 * 86_400;

    pub struct DevSigner {
        dir: PathBuf,
        pub root: Certificate,
        pub ca: Certificate,
        ca_key: SigningKey,
        citizens: Mutex<HashMap<String, (SigningKey, Certificate)>>,
    }

    fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        Ok(())
    }

    fn load(dir: &Path, name: &str) -> Option<(SigningKey, Certificate)> {
        let key = std::fs::read_to_string(dir.join(format!("{name}.key.pem"))).ok()?;
        let cert = std::fs::read_to_string(dir.join(format!("{name}.pem"))).ok()?;
        Some((
            SigningKey::from_pkcs8_pem(&key).ok()?,
            Certificate::from_pem(cert.as_bytes()).ok()?,
        ))
    }

    fn save(dir: &Path, name: &str, key: &SigningKey, cert: &Certificate) -> anyhow::Result<()> {
        write_private(
            &dir.join(format!("{name}.key.pem")),
            &key.to_pkcs8_pem(LineEnding::LF)?,
        )?;
        std::fs::write(
            dir.join(format!("{name}.pem")),
            cert.to_pem(LineEnding::LF)?,
        )?;
        Ok(())
    }

    fn now_s() -> u64 {
        u64::try_from(crate::clock::now_ms() / 1000).unwrap_or_default()
    }

    fn new_key() -> SigningKey {
        SigningKey::random(&mut p256::elliptic_curve::rand_core::OsRng)
    }

    fn serial() -> anyhow::Result<SerialNumber> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
        bytes[0] &= 0x7f; // positive
        Ok(SerialNumber::new(&bytes)?)
    }

    /// A value for an RFC 4514 name string.
    fn rdn_value(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }

    impl DevSigner {
        /// Opens the signer's folder, making the test CA on first use.
        pub fn open(dir: &Path) -> anyhow::Result<DevSigner> {
            std::fs::create_dir_all(dir.join("citizens"))?;
            let (root, (ca_key, ca)) = match (load(dir, "root"), load(dir, "ca")) {
                (Some((_, root)), Some(ca)) => (root, ca),
                _ => {
                    let now = now_s();
                    let root_key = new_key();
                    let root_name = Name::from_str(
                        "CN=eform development root CA,O=eform (development only),C=VN",
                    )?;
                    let root = CertificateBuilder::new(
                        Profile::Root,
                        serial()?,
                        Validity {
                            not_before: der_time(now - 86_400)?,
                            not_after: der_time(now + 10 * YEAR_S)?,
                        },
                        root_name.clone(),
                        SubjectPublicKeyInfoOwned::from_key(*root_key.verifying_key())?,
                        &root_key,
                    )?
                    .build::<p256::ecdsa::DerSignature>()?;
                    let ca_key = new_key();
                    let ca = CertificateBuilder::new(
                        Profile::SubCA {
                            issuer: root_name,
                            path_len_constraint: Some(0),
                        },
                        serial()?,
                        Validity {
                            not_before: der_time(now - 86_400)?,
                            not_after: der_time(now + 5 * YEAR_S)?,
                        },
                        Name::from_str(
                            "CN=eform development citizen CA,O=eform (development only),C=VN",
                        )?,
                        SubjectPublicKeyInfoOwned::from_key(*ca_key.verifying_key())?,
                        &root_key,
                    )?
                    .build::<p256::ecdsa::DerSignature>()?;
                    save(dir, "root", &root_key, &root)?;
                    save(dir, "ca", &ca_key, &ca)?;
                    (root, (ca_key, ca))
                }
            };
            Ok(DevSigner {
                dir: dir.to_owned(),
                root,
                ca,
                ca_key,
                citizens: Mutex::new(HashMap::new()),
            })
        }

        fn key_and_cert(&self, user: &UserRow) -> anyhow::Result<(SigningKey, Certificate)> {
            let mut cache = self
                .citizens
                .lock()
                .map_err(|_| anyhow::anyhow!("lock poisoned"))?;
            if let Some(kc) = cache.get(&user.id) {
                return Ok(kc.clone());
            }
            let dir = self.dir.join("citizens");
            let name = format!(
                "citizen-{}",
                user.id
                    .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
            );
            let kc = match load(&dir, &name) {
                Some(kc) => kc,
                None => {
                    let key = new_key();
                    let now = now_s();
                    let mut subject = format!("CN={}", rdn_value(&user.name));
                    if let Some(id) = &user.personal_id {
                        subject.push_str(&format!(",serialNumber=CCCD:{}", rdn_value(id)));
                    }
                    subject.push_str(",C=VN");
                    let cert = CertificateBuilder::new(
                        Profile::Leaf {
                            issuer: self.ca.tbs_certificate.subject.clone(),
                            enable_key_agreement: false,
                            enable_key_encipherment: false,
                        },
                        serial()?,
                        Validity {
                            not_before: der_time(now - 86_400)?,
                            not_after: der_time(now + 2 * YEAR_S)?,
                        },
                        Name::from_str(&subject)?,
                        SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())?,
                        &self.ca_key,
                    )?
                    .build::<p256::ecdsa::DerSignature>()?;
                    save(&dir, &name, &key, &cert)?;
                    (key, cert)
                }
            };
            cache.insert(user.id.clone(), kc.clone());
            Ok(kc)
        }

        /// The citizen's credential (made on first use).
        pub fn credential(&self, user: &UserRow) -> anyhow::Result<Credential> {
            let (_, cert) = self.key_and_cert(user)?;
            Ok(Credential {
                id: format!("dev-{}", user.id),
                chain: vec![cert, self.ca.clone()],
                algos: vec![SignAlgo::EcdsaP256Sha256],
            })
        }

        /// Signs a SHA-256 hash with the citizen's key (DER ECDSA signature).
        pub fn sign(&self, user: &UserRow, hash: &[u8; 32]) -> anyhow::Result<Vec<u8>> {
            let (key, _) = self.key_and_cert(user)?;
            let sig: p256::ecdsa::Signature =
                key.sign_prehash(hash).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
    }
}

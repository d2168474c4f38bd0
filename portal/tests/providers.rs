//! The bridge's remote adapters against loopback mock servers that implement the protocols as
//! documented: a Cloud Signature Consortium API v2 service (OAuth2 client credentials found
//! through `info`, `credentials/list` by userID, `credentials/info`, `credentials/authorize` →
//! SAD after the citizen's approval, `signatures/signHash` pinned to the authorised hash) with
//! an RSA key signing RSASSA-PSS, and the national eSign gateway's hash-signing API
//! (`get_certificate` by personal ID and CA name, `sign` with hex `data_to_be_signed` and
//! `sign_type: "hash"` answered asynchronously, `get_sign_status`) with a P-256 key.
//! Each test signs CT01 through the portal's bridge as the runtime does, submits it, and the
//! portal's intake verifies it against a trust store holding the mock CA's root.

mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::{Backend, TestPortal};
use form_core::sign::cades::der_time;
use form_core::sign::{self, SignAlgo};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{Decode, Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

const AN_ID: &str = "001090012345";
const BINH_ID: &str = "056185004321";

/// A test CA: root → issuing CA (P-256), and the root's PEM for the portal's trust store.
struct Pki {
    root: Certificate,
    ca: Certificate,
    ca_key: p256::ecdsa::SigningKey,
}

fn validity() -> Validity {
    let now = u64::try_from(portal::clock::now_ms() / 1000).unwrap();
    Validity {
        not_before: der_time(now - 86_400).unwrap(),
        not_after: der_time(now + 365 * 86_400).unwrap(),
    }
}

fn p256_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::random(&mut p256::elliptic_curve::rand_core::OsRng)
}

impl Pki {
    fn new(org: &str) -> Pki {
        let root_key = p256_key();
        let root_name = Name::from_str(&format!("CN={org} Root,O={org},C=VN")).unwrap();
        let root = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::from(1u32),
            validity(),
            root_name.clone(),
            SubjectPublicKeyInfoOwned::from_key(*root_key.verifying_key()).unwrap(),
            &root_key,
        )
        .unwrap()
        .build::<p256::ecdsa::DerSignature>()
        .unwrap();
        let ca_key = p256_key();
        let ca = CertificateBuilder::new(
            Profile::SubCA {
                issuer: root_name,
                path_len_constraint: Some(0),
            },
            SerialNumber::from(2u32),
            validity(),
            Name::from_str(&format!("CN={org} Citizen CA,O={org},C=VN")).unwrap(),
            SubjectPublicKeyInfoOwned::from_key(*ca_key.verifying_key()).unwrap(),
            &root_key,
        )
        .unwrap()
        .build::<p256::ecdsa::DerSignature>()
        .unwrap();
        Pki { root, ca, ca_key }
    }

    /// A citizen certificate for `spki`, subject `subject`.
    fn citizen(&self, subject: &str, spki: SubjectPublicKeyInfoOwned) -> Certificate {
        CertificateBuilder::new(
            Profile::Leaf {
                issuer: self.ca.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            SerialNumber::from(0x5a17u32),
            validity(),
            Name::from_str(subject).unwrap(),
            spki,
            &self.ca_key,
        )
        .unwrap()
        .build::<p256::ecdsa::DerSignature>()
        .unwrap()
    }

    /// The root as a trust-store file in `dir`.
    fn trust_file(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("trust.pem");
        std::fs::write(
            &path,
            self.root
                .to_pem(x509_cert::der::pem::LineEnding::LF)
                .unwrap(),
        )
        .unwrap();
        path
    }

    fn chain_b64(&self, leaf: &Certificate) -> Vec<String> {
        [leaf, &self.ca, &self.root]
            .iter()
            .map(|c| B64.encode(c.to_der().unwrap()))
            .collect()
    }
}

/// Serves `app` on a loopback port: its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// What the citizen does on their phone when the provider asks.
#[derive(Clone, Copy, PartialEq)]
enum Phone {
    Approve,
    Reject,
}

// ---------------------------------------------------------------------------------------------
// The CSC v2 service.

struct CscMock {
    key: rsa::RsaPrivateKey,
    chain: Vec<String>,
    phone: Mutex<Phone>,
    /// Access tokens issued and still good.
    tokens: Mutex<Vec<String>>,
    /// SAD → the hash it authorises.
    sads: Mutex<HashMap<String, String>>,
    /// Every call: (method, body).
    calls: Mutex<Vec<(String, Value)>>,
}

type Csc = Arc<CscMock>;

fn csc_error(status: StatusCode, error: &str, description: &str) -> axum::response::Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

impl CscMock {
    fn authorised(&self, headers: &HeaderMap) -> bool {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        self.tokens.lock().unwrap().iter().any(|t| t == token)
    }

    fn record(&self, method: &str, body: &Value) {
        self.calls
            .lock()
            .unwrap()
            .push((method.to_owned(), body.clone()));
    }
}

async fn csc_info(State(m): State<Csc>, headers: HeaderMap) -> Json<Value> {
    // The OAuth2 server sits elsewhere than the CSC base: found through `info`.
    let host = headers.get("host").unwrap().to_str().unwrap();
    m.record("info", &json!({}));
    Json(json!({
        "specs": "2.0.0.2", "name": "Mock RSSP", "region": "VN", "lang": "vi",
        "authType": ["oauth2client"], "oauth2": format!("http://{host}/oauth"),
        "methods": ["credentials/list", "credentials/info", "credentials/authorize", "signatures/signHash"],
    }))
}

async fn csc_token(
    State(m): State<Csc>,
    Form(form): Form<HashMap<String, String>>,
) -> axum::response::Response {
    if form.get("grant_type").map(String::as_str) != Some("client_credentials")
        || form.get("client_id").map(String::as_str) != Some("portal")
        || form.get("client_secret").map(String::as_str) != Some("s3cret")
    {
        return csc_error(StatusCode::UNAUTHORIZED, "invalid_client", "Unknown client");
    }
    let token = format!("token-{}", m.tokens.lock().unwrap().len() + 1);
    m.tokens.lock().unwrap().push(token.clone());
    m.record("oauth2/token", &json!({}));
    Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600})).into_response()
}

async fn csc_list(
    State(m): State<Csc>,
    headers: HeaderMap,
    Json(b): Json<Value>,
) -> axum::response::Response {
    if !m.authorised(&headers) {
        return csc_error(StatusCode::UNAUTHORIZED, "invalid_token", "Expired token");
    }
    m.record("credentials/list", &b);
    // An's credential — and, by the provider's mistake, for Bình's ID number too.
    let ids = if b["userID"] == AN_ID || b["userID"] == BINH_ID {
        json!(["an-rsa-1"])
    } else {
        json!([])
    };
    Json(json!({"credentialIDs": ids})).into_response()
}

async fn csc_credential_info(
    State(m): State<Csc>,
    headers: HeaderMap,
    Json(b): Json<Value>,
) -> axum::response::Response {
    if !m.authorised(&headers) {
        return csc_error(StatusCode::UNAUTHORIZED, "invalid_token", "Expired token");
    }
    m.record("credentials/info", &b);
    if b["credentialID"] != "an-rsa-1" {
        return csc_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid parameter credentialID",
        );
    }
    Json(json!({
        "description": "Chữ ký số từ xa",
        "key": {"status": "enabled", "algo": [SignAlgo::RsaPssSha256.oid(), SignAlgo::RsaPkcs1Sha256.oid()], "len": 2048},
        "cert": {"status": "valid", "certificates": m.chain},
        "auth": {"mode": "implicit"}, "scal": "2", "multisign": 1,
    }))
    .into_response()
}

async fn csc_authorize(
    State(m): State<Csc>,
    headers: HeaderMap,
    Json(b): Json<Value>,
) -> axum::response::Response {
    if !m.authorised(&headers) {
        return csc_error(StatusCode::UNAUTHORIZED, "invalid_token", "Expired token");
    }
    m.record("credentials/authorize", &b);
    // The citizen takes a moment to answer on their phone.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if *m.phone.lock().unwrap() == Phone::Reject {
        return csc_error(
            StatusCode::BAD_REQUEST,
            "access_denied",
            "The user refused the authorization",
        );
    }
    let sad = format!("SAD-{}", m.sads.lock().unwrap().len() + 1);
    m.sads
        .lock()
        .unwrap()
        .insert(sad.clone(), b["hashes"][0].as_str().unwrap().to_owned());
    Json(json!({"SAD": sad, "expiresIn": 300})).into_response()
}

async fn csc_sign_hash(
    State(m): State<Csc>,
    headers: HeaderMap,
    Json(b): Json<Value>,
) -> axum::response::Response {
    if !m.authorised(&headers) {
        return csc_error(StatusCode::UNAUTHORIZED, "invalid_token", "Expired token");
    }
    m.record("signatures/signHash", &b);
    let hash_b64 = b["hashes"][0].as_str().unwrap_or_default();
    // Hash pinning: the SAD authorises exactly that hash, once.
    let pinned = m
        .sads
        .lock()
        .unwrap()
        .remove(b["SAD"].as_str().unwrap_or_default());
    if pinned.as_deref() != Some(hash_b64) {
        return csc_error(StatusCode::BAD_REQUEST, "invalid_request", "Invalid SAD");
    }
    let hash = B64.decode(hash_b64).unwrap();
    let mut rng = p256::elliptic_curve::rand_core::OsRng;
    let signature = match SignAlgo::from_oid(b["signAlgo"].as_str().unwrap_or_default()) {
        Some(SignAlgo::RsaPssSha256) => {
            let params = B64
                .decode(b["signAlgoParams"].as_str().unwrap_or_default())
                .unwrap_or_default();
            if params != form_core::sign::cades::PSS_SHA256_PARAMS {
                return csc_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Invalid parameter signAlgoParams",
                );
            }
            m.key
                .sign_with_rng(&mut rng, rsa::Pss::new::<sha2::Sha256>(), &hash)
                .unwrap()
        }
        Some(SignAlgo::RsaPkcs1Sha256) => m
            .key
            .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hash)
            .unwrap(),
        _ => {
            return csc_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Invalid parameter signAlgo",
            );
        }
    };
    Json(json!({"signatures": [B64.encode(signature)]})).into_response()
}

async fn csc_mock(pki: &Pki) -> (String, Csc) {
    let key = rsa::RsaPrivateKey::new(&mut p256::elliptic_curve::rand_core::OsRng, 2048).unwrap();
    let cert = pki.citizen(
        &format!("CN=Nguyễn Văn An,serialNumber=CCCD:{AN_ID},C=VN"),
        SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).unwrap(),
    );
    let mock = Arc::new(CscMock {
        key,
        chain: pki.chain_b64(&cert),
        phone: Mutex::new(Phone::Approve),
        tokens: Mutex::new(Vec::new()),
        sads: Mutex::new(HashMap::new()),
        calls: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/csc/v2/info", post(csc_info))
        .route("/oauth/oauth2/token", post(csc_token))
        .route("/csc/v2/credentials/list", post(csc_list))
        .route("/csc/v2/credentials/info", post(csc_credential_info))
        .route("/csc/v2/credentials/authorize", post(csc_authorize))
        .route("/csc/v2/signatures/signHash", post(csc_sign_hash))
        .with_state(mock.clone());
    (format!("{}/csc/v2", serve(app).await), mock)
}

// ---------------------------------------------------------------------------------------------
// The national eSign gateway.

struct EsignMock {
    key: p256::ecdsa::SigningKey,
    chain: Vec<String>,
    phone: Mutex<Phone>,
    /// transaction_id → (hash, status polls so far).
    pending: Mutex<HashMap<String, (Vec<u8>, u32)>>,
    calls: Mutex<Vec<(String, Value)>>,
}

type Esign = Arc<EsignMock>;

fn envelope(code: u16, message: &str, data: Value) -> Json<Value> {
    Json(json!({"status_code": code, "message": message, "data": data}))
}

impl EsignMock {
    /// The SP's credentials and CA name are checked on every call.
    fn refuse(&self, method: &str, b: &Value) -> Option<Json<Value>> {
        self.calls
            .lock()
            .unwrap()
            .push((method.to_owned(), b.clone()));
        if b["sp_id"] != "DVC-PORTAL" || b["sp_password"] != "sp-s3cret" {
            return Some(envelope(401, "Sai thông tin SP", Value::Null));
        }
        if b["ca_name"] != "EFORM-TEST-CA" {
            return Some(envelope(400, "Không có CA này", Value::Null));
        }
        None
    }
}

async fn esign_certificate(State(m): State<Esign>, Json(b): Json<Value>) -> Json<Value> {
    if let Some(no) = m.refuse("get_certificate", &b) {
        return no;
    }
    if b["user_id"] != AN_ID {
        return envelope(200, "Không có chứng thư", json!({"user_certificates": []}));
    }
    envelope(
        200,
        "Lấy chứng thư thành công",
        json!({"user_certificates": [{
            "cert_id": "an-cert-1", "cert_data": m.chain[0], "chain_data": m.chain[1..],
            "serial_number": "5a17", "transaction_id": b["transaction_id"],
        }]}),
    )
}

async fn esign_sign(State(m): State<Esign>, Json(b): Json<Value>) -> Json<Value> {
    if let Some(no) = m.refuse("sign", &b) {
        return no;
    }
    let file = &b["sign_files"][0];
    let hash = file["data_to_be_signed"]
        .as_str()
        .filter(|h| h.len() == 64)
        .and_then(|h| {
            (0..32)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok())
                .collect::<Option<Vec<u8>>>()
        });
    let (Some(hash), "hash", "5a17", AN_ID) = (
        hash,
        file["file_options"]["sign_type"]
            .as_str()
            .unwrap_or_default(),
        b["serial_number"].as_str().unwrap_or_default(),
        b["user_id"].as_str().unwrap_or_default(),
    ) else {
        return envelope(400, "Dữ liệu không hợp lệ", Value::Null);
    };
    let tx = b["transaction_id"].as_str().unwrap_or_default().to_owned();
    m.pending.lock().unwrap().insert(tx.clone(), (hash, 0));
    // Asynchronous: the citizen approves in their CA's app later.
    envelope(
        200,
        "Đã gửi yêu cầu ký",
        json!({"transaction_id": tx, "signed_files": null}),
    )
}

async fn esign_status(State(m): State<Esign>, Json(b): Json<Value>) -> Json<Value> {
    if let Some(no) = m.refuse("get_sign_status", &b) {
        return no;
    }
    let tx = b["transaction_id"].as_str().unwrap_or_default();
    let mut pending = m.pending.lock().unwrap();
    let Some((hash, polls)) = pending.get_mut(tx) else {
        return envelope(404, "Không có giao dịch", Value::Null);
    };
    *polls += 1;
    if *polls < 3 {
        return envelope(
            202,
            "Chờ người dùng xác nhận",
            json!({"transaction_id": tx}),
        );
    }
    if *m.phone.lock().unwrap() == Phone::Reject {
        return envelope(409, "Người dùng từ chối ký", json!({"transaction_id": tx}));
    }
    let sig: p256::ecdsa::Signature = m.key.sign_prehash(hash).unwrap();
    envelope(
        200,
        "Ký thành công",
        json!({"transaction_id": tx, "signed_files": [{
            "doc_id": "ct01", "signature_value": B64.encode(sig.to_der().as_bytes()),
        }]}),
    )
}

async fn esign_mock(pki: &Pki) -> (String, Esign) {
    let key = p256_key();
    // This CA puts the personal ID in UID, as several Vietnamese CAs do.
    let cert = pki.citizen(
        &format!("CN=Nguyễn Văn An,UID=CCCD:{AN_ID},C=VN"),
        SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).unwrap(),
    );
    let mock = Arc::new(EsignMock {
        key,
        chain: pki.chain_b64(&cert),
        phone: Mutex::new(Phone::Approve),
        pending: Mutex::new(HashMap::new()),
        calls: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/api/get_certificate", post(esign_certificate))
        .route("/api/sign", post(esign_sign))
        .route("/api/get_sign_status", post(esign_status))
        .with_state(mock.clone());
    (format!("{}/api", serve(app).await), mock)
}

// ---------------------------------------------------------------------------------------------
// The runtime's side, through the portal's bridge.

async fn post_bridge(p: &TestPortal, url: &str, token: &str, body: &Value) -> common::Answer {
    p.call(
        "POST",
        url,
        Some(token),
        &[],
        Some(body.to_string().into_bytes()),
    )
    .await
}

/// Signs CT01's data as the runtime does: the final status and, when completed, the p7s.
async fn sign_ct01(
    p: &TestPortal,
    token: &str,
    data: &Value,
    algo: SignAlgo,
) -> (String, Option<String>) {
    let list = post_bridge(p, "/bridge/v1/credentials/list", token, &json!({})).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    let info = &list.json["credentialInfos"][0];
    assert!(
        info["key"]["algo"]
            .as_array()
            .unwrap()
            .contains(&json!(algo.oid())),
        "{info}"
    );
    let chain: Vec<Certificate> = info["cert"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Certificate::from_der(&B64.decode(c.as_str().unwrap()).unwrap()).unwrap())
        .collect();
    let content = sign::content("ct01", 1, data).unwrap();
    let now = u64::try_from(portal::clock::now_ms() / 1000).unwrap();
    let prepared = sign::prepare(&sign::content_digest(&content), now, &chain[0]).unwrap();
    let started = post_bridge(
        p,
        "/bridge/v1/signatures/signHash",
        token,
        &json!({
            "credentialID": info["credentialID"], "hashes": [B64.encode(prepared.hash)],
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "signAlgo": algo.oid(),
            "docId": "ct01", "description": "Tờ khai thay đổi thông tin cư trú (CT01)",
        }),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let url = format!(
        "/bridge/v1/signatures/{}",
        started.json["transactionID"].as_str().unwrap()
    );
    // Waiting for the phone: pending first, then an end.
    assert_eq!(p.get(&url, token).await.json["status"], "pending");
    for _ in 0..200 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let now = p.get(&url, token).await.json;
        match now["status"].as_str().unwrap() {
            "pending" => continue,
            "completed" => {
                let signature = B64.decode(now["signatures"][0].as_str().unwrap()).unwrap();
                let p7s = sign::assemble(&prepared, algo, &signature, &chain).unwrap();
                return ("completed".into(), Some(B64.encode(p7s)));
            }
            other => return (other.to_owned(), None),
        }
    }
    panic!("the signing never ended");
}

/// A submission of `body` signed with `p7s`: the dossier's stored signer.
async fn submit(p: &TestPortal, token: &str, key: &str, body: &Value, p7s: &str) -> Value {
    let mut body = body.clone();
    body["signature"] = json!({"cms": p7s});
    let a = p.post("/api/v1/dossiers", token, Some(key), &body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let code = a.json["dossierCode"].as_str().unwrap();
    p.get(&format!("/api/v1/dossiers/{code}"), token).await.json["versionList"][0]["signature"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_signs_through_a_csc_v2_provider() {
    let pki = Pki::new("Mock RSSP");
    let (url, mock) = csc_mock(&pki).await;
    let files = tempfile::tempdir().unwrap();
    let p = TestPortal::start_with(
        Backend::Sqlite,
        portal::Config {
            trust_store: Some(pki.trust_file(files.path())),
            signing: Some(portal::Signing::Csc(portal::bridge::csc::Settings {
                url,
                client_id: "portal".into(),
                client_secret: "s3cret".into(),
            })),
            ..portal::Config::development()
        },
    )
    .await;
    let an = p.token("citizen-an").await;
    let body = common::ct01();

    // RSASSA-PSS, the draft circular's choice for RSA; then PKCS#1 v1.5.
    for (key, algo) in [
        ("csc-pss", SignAlgo::RsaPssSha256),
        ("csc-pkcs1", SignAlgo::RsaPkcs1Sha256),
    ] {
        let (status, p7s) = sign_ct01(&p, &an, &body["data"], algo).await;
        assert_eq!(status, "completed");
        let signature = submit(&p, &an, key, &body, &p7s.unwrap()).await;
        assert_eq!(signature["signer"]["name"], "Nguyễn Văn An");
        assert_eq!(signature["signer"]["issuer"], "Mock RSSP Citizen CA");
        assert_eq!(signature["algorithm"], algo.oid());
    }
    // What the portal sent: the citizen's personal ID as userID, the chain asked for, the one
    // hash authorised (with the form's title shown on the phone), a token found through info.
    {
        let calls = mock.calls.lock().unwrap();
        let methods: Vec<&str> = calls.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(
            &methods[..6],
            [
                "info",
                "oauth2/token",
                "credentials/list",
                "credentials/info",
                "credentials/authorize",
                "signatures/signHash"
            ]
        );
        assert_eq!(calls[2].1["userID"], AN_ID);
        assert_eq!(calls[3].1["certificates"], "chain");
        assert_eq!(calls[4].1["numSignatures"], 1);
        assert_eq!(
            calls[4].1["description"],
            "Tờ khai thay đổi thông tin cư trú — Residence information change declaration"
        );
        assert_eq!(calls[5].1["signAlgo"], SignAlgo::RsaPssSha256.oid());
    }

    // Refused on the phone: rejected, and nothing signed.
    *mock.phone.lock().unwrap() = Phone::Reject;
    let (status, p7s) = sign_ct01(&p, &an, &body["data"], SignAlgo::RsaPssSha256).await;
    assert_eq!((status.as_str(), p7s), ("rejected", None));

    // The provider forgot the portal's token: the portal gets a new one and goes on.
    *mock.phone.lock().unwrap() = Phone::Approve;
    mock.tokens.lock().unwrap().clear();
    let (status, _) = sign_ct01(&p, &an, &body["data"], SignAlgo::RsaPssSha256).await;
    assert_eq!(status, "completed");

    // A citizen the provider does not know has no credential.
    let cuong = p.token("citizen-cuong").await;
    let list = post_bridge(&p, "/bridge/v1/credentials/list", &cuong, &json!({})).await;
    assert_eq!(list.json["credentialIDs"], json!([]), "{}", list.json);
    // A certificate that names someone else is never offered (intake would refuse it): 409.
    let binh = p.token("citizen-binh").await;
    let list = post_bridge(&p, "/bridge/v1/credentials/list", &binh, &json!({})).await;
    assert_eq!(list.status, StatusCode::CONFLICT, "{}", list.json);
    assert_eq!(list.json["error"]["code"], "certificate-not-yours");
    let tried = post_bridge(
        &p,
        "/bridge/v1/signatures/signHash",
        &binh,
        &json!({
            "credentialID": "an-rsa-1", "hashes": [B64.encode([1u8; 32])],
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "signAlgo": SignAlgo::RsaPssSha256.oid(),
        }),
    )
    .await;
    assert_eq!(tried.status, StatusCode::CONFLICT, "{}", tried.json);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csc_provider_that_refuses_the_portal_is_unavailable() {
    let pki = Pki::new("Mock RSSP");
    let (url, _mock) = csc_mock(&pki).await;
    let p = TestPortal::start_with(
        Backend::Sqlite,
        portal::Config {
            signing: Some(portal::Signing::Csc(portal::bridge::csc::Settings {
                url,
                client_id: "portal".into(),
                client_secret: "wrong".into(),
            })),
            ..portal::Config::development()
        },
    )
    .await;
    let an = p.token("citizen-an").await;
    let list = post_bridge(&p, "/bridge/v1/credentials/list", &an, &json!({})).await;
    assert_eq!(list.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(list.json["error"]["code"], "signing-unavailable");
    // Nobody listening at all: the same, quickly.
    let gone = TestPortal::start_with(
        Backend::Sqlite,
        portal::Config {
            signing: Some(portal::Signing::Csc(portal::bridge::csc::Settings {
                url: "http://127.0.0.1:9/csc/v2".into(),
                client_id: "portal".into(),
                client_secret: "s3cret".into(),
            })),
            ..portal::Config::development()
        },
    )
    .await;
    let an = gone.token("citizen-an").await;
    let list = post_bridge(&gone, "/bridge/v1/credentials/list", &an, &json!({})).await;
    assert_eq!(list.status, StatusCode::SERVICE_UNAVAILABLE);
}

fn esign_settings(url: String, password: &str) -> portal::Signing {
    portal::Signing::Esign(portal::bridge::esign::Settings {
        url,
        sp_id: "DVC-PORTAL".into(),
        sp_password: password.into(),
        ca_name: Some("EFORM-TEST-CA".into()),
        poll: std::time::Duration::from_millis(20),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_signs_through_the_national_esign_gateway() {
    let pki = Pki::new("Mock eSign CA");
    let (url, mock) = esign_mock(&pki).await;
    let files = tempfile::tempdir().unwrap();
    let p = TestPortal::start_with(
        Backend::Sqlite,
        portal::Config {
            trust_store: Some(pki.trust_file(files.path())),
            signing: Some(esign_settings(url, "sp-s3cret")),
            ..portal::Config::development()
        },
    )
    .await;
    let an = p.token("citizen-an").await;
    let body = common::ct01();
    let (status, p7s) = sign_ct01(&p, &an, &body["data"], SignAlgo::EcdsaP256Sha256).await;
    assert_eq!(status, "completed");
    let signature = submit(&p, &an, "esign-1", &body, &p7s.unwrap()).await;
    assert_eq!(signature["signer"]["name"], "Nguyễn Văn An");
    assert_eq!(
        signature["signer"]["serialNumber"],
        format!("CCCD:{AN_ID}"),
        "the ID number is read from UID"
    );
    {
        let calls = mock.calls.lock().unwrap();
        let (_, get) = &calls[0];
        assert_eq!(
            (get["user_id"].as_str(), get["ca_name"].as_str()),
            (Some(AN_ID), Some("EFORM-TEST-CA"))
        );
        let (method, sign) = &calls[1];
        assert_eq!(method, "sign");
        let file = &sign["sign_files"][0];
        assert_eq!(file["file_options"]["sign_type"], "hash");
        assert_eq!(file["doc_id"], "ct01");
        assert!(
            file["data_to_be_signed"]
                .as_str()
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_hexdigit())
        );
        assert_eq!(sign["time_stamp"].as_str().unwrap().len(), 14);
        assert!(
            calls.iter().filter(|(m, _)| m == "get_sign_status").count() >= 3,
            "asked until signed"
        );
    }
    *mock.phone.lock().unwrap() = Phone::Reject;
    let (status, p7s) = sign_ct01(&p, &an, &body["data"], SignAlgo::EcdsaP256Sha256).await;
    assert_eq!((status.as_str(), p7s), ("rejected", None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esign_gateway_refusing_the_portal_is_unavailable() {
    let pki = Pki::new("Mock eSign CA");
    let (url, _mock) = esign_mock(&pki).await;
    let p = TestPortal::start_with(
        Backend::Sqlite,
        portal::Config {
            signing: Some(esign_settings(url, "wrong")),
            ..portal::Config::development()
        },
    )
    .await;
    let an = p.token("citizen-an").await;
    let list = post_bridge(&p, "/bridge/v1/credentials/list", &an, &json!({})).await;
    assert_eq!(
        list.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        list.json
    );
}

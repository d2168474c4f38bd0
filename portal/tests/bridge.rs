//! The certification-portal bridge with the development signer: a citizen's credential with its
//! chain, hash signing as a transaction approved in the dev UI, the assembled signature
//! verifying against the development CA; refusals; nobody reaches another's transaction.

mod common;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::{Backend, TestPortal};
use form_core::sign::{self, SignAlgo, TrustStore};
use serde_json::{Value, json};
use x509_cert::Certificate;
use x509_cert::der::Decode;

on_both!(
    a_citizen_signs_through_the_development_signer,
    bad_requests_and_strangers_are_refused,
    intake_verifies_signed_dossiers,
    a_required_signature_must_be_there,
);

async fn post(p: &TestPortal, url: &str, token: Option<&str>, body: &Value) -> common::Answer {
    p.call("POST", url, token, &[], Some(body.to_string().into_bytes()))
        .await
}

/// The citizen's answer on "the phone": `approve` or `reject` at the development signer.
async fn decide(p: &TestPortal, token: &str, tx: &str, decision: &str) -> common::Answer {
    p.call(
        "POST",
        &format!("/dev/signer/{tx}/{decision}"),
        Some(token),
        &[],
        None,
    )
    .await
}

async fn a_citizen_signs_through_the_development_signer(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let list = post(&p, "/bridge/v1/credentials/list", Some(&an), &json!({})).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    let info = &list.json["credentialInfos"][0];
    let id = info["credentialID"].as_str().unwrap().to_owned();
    assert_eq!(list.json["credentialIDs"], json!([id]));
    assert_eq!(
        info["key"]["algo"],
        json!([SignAlgo::EcdsaP256Sha256.oid()])
    );
    let chain: Vec<Certificate> = info["cert"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Certificate::from_der(&B64.decode(c.as_str().unwrap()).unwrap()).unwrap())
        .collect();
    assert_eq!(chain.len(), 2, "the citizen's certificate and the CA's");
    // The same credential again (kept, not made anew).
    let again = post(&p, "/bridge/v1/credentials/list", Some(&an), &json!({})).await;
    assert_eq!(again.json["credentialInfos"][0]["cert"], info["cert"]);

    // The browser's part: canonical content, signed attributes, their hash.
    let data = json!({"applicant": {"fullName": "Nguyễn Văn An"}});
    let content = sign::content("ct01", 1, &data).unwrap();
    // The signing time from the portal's own clock: the development CA is made "now" too.
    let now = u64::try_from(portal::clock::now_ms() / 1000).unwrap();
    let prepared = sign::prepare(&sign::content_digest(&content), now, &chain[0]).unwrap();
    let start = |hash: &[u8]| {
        json!({"credentialID": id, "hashes": [B64.encode(hash)], "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
               "signAlgo": SignAlgo::EcdsaP256Sha256.oid(), "docId": "ct01", "description": "Tờ khai CT01"})
    };
    let started = post(
        &p,
        "/bridge/v1/signatures/signHash",
        Some(&an),
        &start(&prepared.hash),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let tx = started.json["transactionID"].as_str().unwrap().to_owned();
    assert_eq!(started.json["expiresIn"], 300);
    let status_url = format!("/bridge/v1/signatures/{tx}");
    assert_eq!(p.get(&status_url, &an).await.json["status"], "pending");
    // Another citizen cannot see or approve it.
    let binh = p.token("citizen-binh").await;
    assert_eq!(
        p.get(&status_url, &binh).await.status,
        StatusCode::NOT_FOUND
    );
    let theirs = decide(&p, &binh, &tx, "approve").await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    // The citizen's approval page lists it; approving signs.
    // The phone shows the form's title from the catalog, not the caller's text (review M4).
    let page = p.call("GET", "/dev/signer", Some(&an), &[], None).await;
    let page = String::from_utf8_lossy(&page.bytes).into_owned();
    assert!(
        page.contains(
            "Tờ khai thay đổi thông tin cư trú — Residence information change declaration"
        ),
        "{page}"
    );
    assert!(!page.contains("Tờ khai CT01"), "{page}");
    let approved = decide(&p, &an, &tx, "approve").await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let done = p.get(&status_url, &an).await;
    assert_eq!(done.json["status"], "completed", "{}", done.json);
    let signature = B64
        .decode(done.json["signatures"][0].as_str().unwrap())
        .unwrap();

    // The runtime assembles; the development CA's root verifies it.
    let p7s = sign::assemble(&prepared, SignAlgo::EcdsaP256Sha256, &signature, &chain).unwrap();
    let (roots, _) = p.state.bridge.trust();
    let v = sign::verify(
        &p7s,
        &content,
        &TrustStore::new(roots),
        &sign::Context::at(now),
    );
    assert!(v.valid, "{:?}", v.problems);
    let signer = v.signer.unwrap();
    assert_eq!(signer.name, "Nguyễn Văn An");
    assert_eq!(signer.serial_number.as_deref(), Some("CCCD:001090012345"));
    assert_eq!(v.signing_time, Some(now));

    // Rejected on the phone: the transaction says so.
    let started = post(
        &p,
        "/bridge/v1/signatures/signHash",
        Some(&an),
        &start(&prepared.hash),
    )
    .await;
    let tx = started.json["transactionID"].as_str().unwrap().to_owned();
    decide(&p, &an, &tx, "reject").await;
    assert_eq!(
        p.get(&format!("/bridge/v1/signatures/{tx}"), &an)
            .await
            .json["status"],
        "rejected"
    );

    // The development CA is kept in the database: the same root after a restart (and on
    // every instance); the folder has the CA certificates for tools, and no key at all.
    let dir = p.dir.path().join("dev-signer");
    let reopened = portal::bridge::dev::DevSigner::open(&p.state.db, None)
        .await
        .unwrap();
    assert_eq!(reopened.root, p.state.bridge.trust().0[0]);
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.contains(&"root.pem".to_owned()), "{files:?}");
    assert!(
        files.iter().all(|f| !f.contains("key")),
        "no private key on disk: {files:?}"
    );
}

async fn bad_requests_and_strangers_are_refused(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let ha = p.token("official-ha").await;
    let list = post(&p, "/bridge/v1/credentials/list", Some(&an), &json!({})).await;
    let id = list.json["credentialIDs"][0].as_str().unwrap().to_owned();
    let hash = B64.encode([7u8; 32]);
    let ok = json!({"credentialID": id, "hashes": [hash], "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "signAlgo": "1.2.840.10045.4.3.2"});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    for (body, status, code) in [
        (
            with("hashAlgorithmOID", json!("1.3.14.3.2.26")),
            StatusCode::BAD_REQUEST,
            "hash-algorithm",
        ),
        (
            with("hashes", json!([hash, hash])),
            StatusCode::BAD_REQUEST,
            "hashes-one",
        ),
        (
            with("hashes", json!(["AAEC"])),
            StatusCode::BAD_REQUEST,
            "hash-invalid",
        ),
        (
            with("signAlgo", json!("1.2.840.113549.1.1.10")),
            StatusCode::BAD_REQUEST,
            "sign-algorithm",
        ),
        (
            with("credentialID", json!("dev-citizen-binh")),
            StatusCode::NOT_FOUND,
            "credential-not-found",
        ),
        (
            with("extra", json!(1)),
            StatusCode::BAD_REQUEST,
            "json-syntax",
        ),
    ] {
        let a = post(&p, "/bridge/v1/signatures/signHash", Some(&an), &body).await;
        assert_eq!(
            (
                a.status,
                a.json["error"]["code"].as_str().unwrap_or_default()
            ),
            (status, code),
            "{body}"
        );
    }
    // No session: 401; officials do not sign dossiers here: 403.
    for (method, url) in [
        ("POST", "/bridge/v1/credentials/list"),
        ("POST", "/bridge/v1/signatures/signHash"),
        ("GET", "/bridge/v1/signatures/x"),
    ] {
        let a = p
            .call(method, url, None, &[], Some(ok.to_string().into_bytes()))
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {url}");
    }
    for url in [
        "/bridge/v1/credentials/list",
        "/bridge/v1/signatures/signHash",
    ] {
        let a = p
            .call(
                "POST",
                url,
                Some(&ha),
                &[],
                Some(ok.to_string().into_bytes()),
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{url}");
    }
    let unknown = p.get("/bridge/v1/signatures/not-a-transaction", &an).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // No signing oracle (review M4, test T9): the document must be a form of the portal, and
    // a citizen has at most three requests waiting.
    let a = post(&p, "/bridge/v1/signatures/signHash", Some(&an), &ok).await;
    assert_eq!(a.json["error"]["code"], "doc-unknown", "{}", a.json);
    let a = post(
        &p,
        "/bridge/v1/signatures/signHash",
        Some(&an),
        &with("docId", json!("bank-transfer")),
    )
    .await;
    assert_eq!(a.json["error"]["code"], "doc-unknown", "{}", a.json);
    let form = with("docId", json!("ct01"));
    for _ in 0..portal::bridge::routes::MAX_PENDING {
        let a = post(&p, "/bridge/v1/signatures/signHash", Some(&an), &form).await;
        assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.json);
    }
    let a = post(&p, "/bridge/v1/signatures/signHash", Some(&an), &form).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.json);
    assert_eq!(a.headers["retry-after"], "60");
    // Another citizen is not held back by them.
    let binh = p.token("citizen-binh").await;
    let binh_cred = post(&p, "/bridge/v1/credentials/list", Some(&binh), &json!({})).await;
    let mut theirs = form.clone();
    theirs["credentialID"] = binh_cred.json["credentialIDs"][0].clone();
    let a = post(&p, "/bridge/v1/signatures/signHash", Some(&binh), &theirs).await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.json);
    // Production mode: no development signer, so no provider (503), and no /dev/signer.
    let prod = TestPortal::start_production(b).await;
    let a = prod.call("GET", "/dev/signer", None, &[], None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

/// Signs `data` of form `form` through the bridge as `token`'s citizen: the p7s (base64).
async fn sign_through_bridge(p: &TestPortal, token: &str, form: &str, data: &Value) -> String {
    let list = post(p, "/bridge/v1/credentials/list", Some(token), &json!({})).await;
    let info = &list.json["credentialInfos"][0];
    let chain: Vec<Certificate> = info["cert"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Certificate::from_der(&B64.decode(c.as_str().unwrap()).unwrap()).unwrap())
        .collect();
    let content = sign::content(form, 1, data).unwrap();
    let now = u64::try_from(portal::clock::now_ms() / 1000).unwrap();
    let prepared = sign::prepare(&sign::content_digest(&content), now, &chain[0]).unwrap();
    let started = post(p, "/bridge/v1/signatures/signHash", Some(token), &json!({
        "credentialID": info["credentialID"], "hashes": [B64.encode(prepared.hash)],
        "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "signAlgo": SignAlgo::EcdsaP256Sha256.oid(),
        "docId": form,
    })).await;
    let tx = started.json["transactionID"].as_str().unwrap().to_owned();
    decide(p, token, &tx, "approve").await;
    let done = p.get(&format!("/bridge/v1/signatures/{tx}"), token).await;
    let signature = B64
        .decode(done.json["signatures"][0].as_str().unwrap())
        .unwrap();
    B64.encode(sign::assemble(&prepared, SignAlgo::EcdsaP256Sha256, &signature, &chain).unwrap())
}

/// Intake verifies a signed dossier on receipt and keeps the signer; a changed byte of data, a
/// stranger's certificate or garbage is refused with the reason.
async fn intake_verifies_signed_dossiers(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let mut body = common::ct01();
    let p7s = sign_through_bridge(&p, &an, "ct01", &body["data"]).await;
    body["signature"] = json!({"cms": p7s});
    let a = p.post("/api/v1/dossiers", &an, Some("s1"), &body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    let got = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    let sig = &got.json["versionList"][0]["signature"];
    assert_eq!(sig["signer"]["name"], "Nguyễn Văn An", "{}", got.json);
    assert_eq!(sig["signer"]["serialNumber"], "CCCD:001090012345");
    assert_eq!(sig["format"], "CAdES-B-B");
    // The pair to download verifies with OpenSSL against the development root.
    let content = p
        .call(
            "GET",
            &format!("/api/v1/dossiers/{code}/signed/content.json"),
            Some(&an),
            &[],
            None,
        )
        .await;
    let p7s_file = p
        .call(
            "GET",
            &format!("/api/v1/dossiers/{code}/signed/signature.p7s"),
            Some(&an),
            &[],
            None,
        )
        .await;
    assert_eq!(content.status, StatusCode::OK);
    assert_eq!(p7s_file.status, StatusCode::OK);
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("content.json"), &content.bytes).unwrap();
    std::fs::write(out.path().join("signature.p7s"), &p7s_file.bytes).unwrap();
    let root = {
        use x509_cert::der::EncodePem;
        p.state.bridge.trust().0[0]
            .to_pem(x509_cert::der::pem::LineEnding::LF)
            .unwrap()
    };
    std::fs::write(out.path().join("root.pem"), root).unwrap();
    let openssl = std::process::Command::new("openssl")
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "signature.p7s",
            "-content",
            "content.json",
            "-CAfile",
            "root.pem",
            "-purpose",
            "any",
            "-cades",
            "-out",
            "/dev/null",
        ])
        .current_dir(out.path())
        .output()
        .expect("openssl runs");
    assert!(
        openssl.status.success(),
        "{}",
        String::from_utf8_lossy(&openssl.stderr)
    );
    // `eform verify` on the dossier's JSON download, with the development CA of the data folder.
    let json = p
        .call(
            "GET",
            &format!("/api/v1/dossiers/{code}/download"),
            Some(&an),
            &[],
            None,
        )
        .await;
    std::fs::write(out.path().join("dossier.json"), &json.bytes).unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_eform"))
            .args(["verify", "dossier.json", "--dev", "--data-dir"])
            .arg(p.dir.path())
            .current_dir(out.path())
            .output()
            .unwrap()
    };
    let ok = run();
    let said = String::from_utf8_lossy(&ok.stdout).into_owned();
    assert!(ok.status.success(), "{said}");
    assert!(
        said.contains("signature valid — TOTAL-PASSED")
            && said.contains("Nguyễn Văn An (CCCD:001090012345)"),
        "{said}"
    );
    // Judged with the revocation data kept at the receipt: the development CA's OCSP answer
    // for the citizen, the root's CRL for the CA.
    assert!(
        said.contains("revocation: Nguyễn Văn An — good (ocsp")
            && said.contains("revocation: eform development citizen CA — good (crl"),
        "{said}"
    );
    let doc: Value = serde_json::from_slice(&json.bytes).unwrap();
    let report = &doc["versionList"][0]["signature"]["validation"];
    assert_eq!(report["indication"], "TOTAL-PASSED", "{report}");
    assert_eq!(report["revocation"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc["versionList"][0]["signature"]["validationData"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let mut tampered: Value = serde_json::from_slice(&json.bytes).unwrap();
    tampered["versionList"][0]["data"]["request"] = json!("Khác.");
    std::fs::write(out.path().join("dossier.json"), tampered.to_string()).unwrap();
    let bad = run();
    let said = String::from_utf8_lossy(&bad.stdout).into_owned();
    assert_eq!(bad.status.code(), Some(1), "{said}");
    assert!(
        said.contains("NOT valid — TOTAL-FAILED/HASH_FAILURE")
            && said.contains("[digest-mismatch]"),
        "{said}"
    );
    // Nobody else gets them; an unsigned dossier has none.
    let binh_token = p.token("citizen-binh").await;
    let a = p
        .call(
            "GET",
            &format!("/api/v1/dossiers/{code}/signed/signature.p7s"),
            Some(&binh_token),
            &[],
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // The data changed after signing.
    let mut changed = body.clone();
    changed["data"]["request"] = json!("Một yêu cầu khác.");
    let a = p.post("/api/v1/dossiers", &an, Some("s2"), &changed).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["error"]["code"], "signature-invalid");
    assert_eq!(a.json["problems"][0]["code"], "digest-mismatch");
    // Bình's signature on An's dossier: not the applicant.
    let binh = p.token("citizen-binh").await;
    let mut theirs = common::ct01_as("citizen-binh");
    theirs["signature"] = json!({"cms": p7s});
    let a = p.post("/api/v1/dossiers", &binh, Some("s3"), &theirs).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut signed_by_an = common::ct01_as("citizen-binh");
    let an_sig = sign_through_bridge(&p, &an, "ct01", &signed_by_an["data"]).await;
    signed_by_an["signature"] = json!({"cms": an_sig});
    let a = p
        .post("/api/v1/dossiers", &binh, Some("s4"), &signed_by_an)
        .await;
    assert_eq!(
        a.json["problems"][0]["code"], "signer-not-applicant",
        "{}",
        a.json
    );
    // Unsigned CT01 is still taken (the form does not require a signature).
    let a = p
        .post("/api/v1/dossiers", &an, Some("s5"), &common::ct01())
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let unsigned = a.json["dossierCode"].as_str().unwrap().to_owned();
    let a = p
        .call(
            "GET",
            &format!("/api/v1/dossiers/{unsigned}/signed/content.json"),
            Some(&an),
            &[],
            None,
        )
        .await;
    assert_eq!(a.json["error"]["code"], "not-signed");
}

/// A form that requires a signature refuses an unsigned dossier.
async fn a_required_signature_must_be_there(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let mut def: Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.json")).unwrap();
    def["id"] = json!("ct01-signed");
    def["signature"] = json!({"required": true});
    std::fs::write(forms.join("ct01-signed.json"), def.to_string()).unwrap();
    let url = common::fresh_database(b, dir.path()).await;
    let state = portal::AppState::new(
        portal::Catalog::load(Some(&forms)).unwrap(),
        dir.path().join("web"),
        &url,
        portal::Config {
            signer_dir: Some(dir.path().join("dev-signer")),
            ..portal::Config::development()
        },
    )
    .await
    .unwrap();
    let p = TestPortal::from_state(state, dir, url);
    let an = p.token("citizen-an").await;
    let mut body = common::ct01();
    body["formId"] = json!("ct01-signed");
    let a = p.post("/api/v1/dossiers", &an, Some("r1"), &body).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["error"]["code"], "signature-required");
    let p7s = sign_through_bridge(&p, &an, "ct01-signed", &body["data"]).await;
    body["signature"] = json!({"cms": p7s});
    let a = p.post("/api/v1/dossiers", &an, Some("r2"), &body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
}

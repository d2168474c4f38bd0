//! The test PKI of `common::pki` against OpenSSL's own clients: the OCSP responder answers
//! good, revoked (at the time asked), stale and from a wrong responder, and stops; the CRLs are
//! served and list the revoked serial; the TSA's answers verify with `openssl ts -verify`;
//! outages answer 503; nothing is left listening after the drop.

mod common;

use common::pki::{OcspMode, Pki, TSA_POLICY, now_unix, openssl_time, port_open};
use x509_cert::crl::CertificateList;
use x509_cert::der::Decode;

/// `openssl ocsp` as a client for `cert` against the harness's responder, checking the
/// response with the root as trust anchor: exit success and stdout + stderr.
fn ocsp_query(pki: &Pki, cert: &std::path::Path) -> (bool, String) {
    ocsp_query_within(pki, cert, 10)
}

/// [`ocsp_query`] giving up after `seconds` (it retries a refused connection until then).
fn ocsp_query_within(pki: &Pki, cert: &std::path::Path, seconds: u32) -> (bool, String) {
    let cert = cert.to_string_lossy();
    let out = pki.openssl(&[
        "ocsp",
        "-issuer",
        "ca/ca.pem",
        "-cert",
        &cert,
        "-url",
        &pki.ocsp_url(),
        "-CAfile",
        "root/root.pem",
        "-timeout",
        &seconds.to_string(),
    ]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The status line `openssl ocsp` prints for `cert`: `good`, `revoked`, `unknown`.
fn status_of(text: &str, cert: &std::path::Path) -> String {
    let prefix = format!("{}: ", cert.display());
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no status in:\n{text}"))
        .trim()
        .to_owned()
}

/// The serials and revocation times (Unix seconds) of a DER CRL.
fn revoked(crl: &[u8]) -> Vec<(String, u64)> {
    let crl = CertificateList::from_der(crl).unwrap();
    crl.tbs_cert_list
        .revoked_certificates
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let serial: String = r
                .serial_number
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            (serial, r.revocation_date.to_unix_duration().as_secs())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_pki_and_its_services() {
    let started = std::time::Instant::now();
    let mut pki = Pki::new();
    let now = now_unix();

    // Certificates: the chain, the citizen's subject and extensions, the key matching.
    let an = pki.valid_citizen("Nguyễn Văn An", "001090012345");
    let binh = pki.valid_citizen("Trần Thị Bình", "001190054321");
    assert_ne!(an.serial, binh.serial);
    let out = pki.openssl(&[
        "verify",
        "-CAfile",
        "root/root.pem",
        "-untrusted",
        "ca/ca.pem",
        &an.cert_pem.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = pki.openssl(&[
        "x509",
        "-in",
        &an.cert_pem.to_string_lossy(),
        "-noout",
        "-subject",
        "-ext",
        "keyUsage,authorityInfoAccess,crlDistributionPoints",
        "-nameopt",
        "RFC2253,-esc_msb",
    ]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("CN=Nguyễn Văn An,serialNumber=CCCD:001090012345,C=VN"),
        "{text}"
    );
    assert!(text.contains("Key Usage: critical"), "{text}");
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
    assert!(
        text.contains(&format!("OCSP - URI:{}", pki.ocsp_url())),
        "{text}"
    );
    assert!(text.contains(&format!("URI:{}", pki.crl_url())), "{text}");
    let cert = an.certificate();
    assert_eq!(
        an.key.verifying_key().to_encoded_point(false).as_bytes(),
        cert.tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    );
    let intermediate = x509_cert::Certificate::from_der(pki.intermediate_der()).unwrap();
    let root = x509_cert::Certificate::from_der(pki.root_der()).unwrap();
    assert_eq!(
        cert.tbs_certificate.issuer,
        intermediate.tbs_certificate.subject
    );
    assert_eq!(
        intermediate.tbs_certificate.issuer,
        root.tbs_certificate.subject
    );
    // Dates as asked: an expired certificate and one not yet valid.
    let year = 365 * 86_400;
    let old = pki.citizen(
        "Lê Văn Cũ",
        "001080000001",
        &openssl_time(now - 3 * year),
        &openssl_time(now - year),
    );
    let validity = old.certificate().tbs_certificate.validity;
    assert_eq!(validity.not_after.to_unix_duration().as_secs(), now - year);
    assert_eq!(
        validity.not_before.to_unix_duration().as_secs(),
        now - 3 * year
    );
    let early = pki.citizen(
        "Phạm Văn Sớm",
        "001080000002",
        &openssl_time(now + year),
        &openssl_time(now + 2 * year),
    );
    let out = pki.openssl(&[
        "verify",
        "-CAfile",
        "root/root.pem",
        "-untrusted",
        "ca/ca.pem",
        &early.cert_pem.to_string_lossy(),
    ]);
    assert!(!out.status.success(), "not yet valid: {out:?}");

    // OCSP: good, with nextUpdate, nonce echoed (openssl warns otherwise).
    assert!(!port_open(pki.ocsp_port()));
    pki.start_ocsp(OcspMode::Good);
    let (ok, text) = ocsp_query(&pki, &an.cert_pem);
    assert!(ok, "{text}");
    assert!(text.contains("Response verify OK"), "{text}");
    assert_eq!(status_of(&text, &an.cert_pem), "good", "{text}");
    assert!(text.contains("Next Update:"), "{text}");
    assert!(!text.to_lowercase().contains("nonce"), "{text}");

    // A response to hand to a verifier: DER, as the responder signed it.
    let der = pki.ocsp_response_der(&an);
    std::fs::write(pki.path("an.ocsp"), &der).unwrap();
    let out = pki.openssl(&["ocsp", "-respin", "an.ocsp", "-resp_text", "-noverify"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("Response Status: successful"), "{text}");
    assert!(text.contains("Cert Status: good"), "{text}");

    // Revoked an hour ago: the running responder says so at once; the CRL lists it with that
    // time, and only it.
    let at = now - 3600;
    pki.revoke(&binh, at);
    assert_eq!(pki.ocsp_mode(), Some(OcspMode::Good));
    let (ok, text) = ocsp_query(&pki, &binh.cert_pem);
    assert!(ok, "{text}");
    assert_eq!(status_of(&text, &binh.cert_pem), "revoked", "{text}");
    assert!(text.contains("Revocation Time:"), "{text}");
    let (_, text) = ocsp_query(&pki, &an.cert_pem);
    assert_eq!(status_of(&text, &an.cert_pem), "good", "{text}");

    let http = reqwest::Client::new();
    let crls_before = pki.crl_requests();
    let res = http.get(pki.crl_url()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pkix-crl");
    let crl = res.bytes().await.unwrap();
    assert_eq!(revoked(&crl), vec![(binh.serial.clone(), at)]);
    assert_eq!(crl.as_ref(), pki.crl_der().as_slice());
    std::fs::write(pki.path("fetched.crl"), &crl).unwrap();
    let out = pki.openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        "fetched.crl",
        "-CAfile",
        "ca/ca.pem",
        "-noout",
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("verify OK"),
        "{out:?}"
    );
    let res = http.get(pki.root_crl_url()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let root_crl = res.bytes().await.unwrap();
    let parsed = CertificateList::from_der(&root_crl).unwrap();
    assert_eq!(parsed.tbs_cert_list.issuer, root.tbs_certificate.subject);
    assert!(revoked(&root_crl).is_empty());
    assert_eq!(pki.crl_requests(), crls_before + 2);

    // A revocation time in the future (the index's UTCTime, as written).
    let later = pki.valid_citizen("Võ Văn Sau", "001080000003");
    pki.revoke(&later, now + 86_400);
    let crl = http.get(pki.crl_url()).send().await.unwrap();
    let crl = crl.bytes().await.unwrap();
    assert!(revoked(&crl).contains(&(later.serial.clone(), now + 86_400)));

    // Stale: thisUpdate and nextUpdate two days back, on the same port.
    pki.start_ocsp(OcspMode::Stale);
    let (_, text) = ocsp_query(&pki, &an.cert_pem);
    assert!(text.contains("Response verify OK"), "{text}");
    assert!(text.contains("Status times invalid"), "{text}");
    assert!(text.contains("status expired"), "{text}");

    // A responder nobody delegated: the response does not verify.
    pki.start_ocsp(OcspMode::WrongResponder);
    let (ok, text) = ocsp_query(&pki, &an.cert_pem);
    assert!(!ok, "{text}");
    assert!(text.contains("Response Verify Failure"), "{text}");

    // Unreachable, then back.
    pki.stop_ocsp();
    assert!(!port_open(pki.ocsp_port()));
    // (openssl retries a refused connection until its timeout.)
    let (ok, text) = ocsp_query_within(&pki, &an.cert_pem, 1);
    assert!(!ok && text.contains("connect timeout"), "{text}");
    pki.start_ocsp(OcspMode::Good);
    let (ok, text) = ocsp_query(&pki, &an.cert_pem);
    assert!(ok, "{text}");
    assert_eq!(status_of(&text, &an.cert_pem), "good", "{text}");

    // The TSA: a query made by openssl, answered over HTTP, verified by openssl.
    std::fs::write(pki.path("data.txt"), "Tờ khai CT01").unwrap();
    let out = pki.openssl(&[
        "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "q.tsq",
    ]);
    assert!(out.status.success(), "{out:?}");
    let query = std::fs::read(pki.path("q.tsq")).unwrap();
    let post = |body: Vec<u8>, content_type: &'static str| {
        http.post(pki.tsa_url())
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let res = post(query.clone(), "application/timestamp-query")
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/timestamp-reply");
    std::fs::write(pki.path("r.tsr"), res.bytes().await.unwrap()).unwrap();
    let out = pki.openssl(&[
        "ts",
        "-verify",
        "-in",
        "r.tsr",
        "-queryfile",
        "q.tsq",
        "-CAfile",
        "root/root.pem",
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verification: OK"));
    let out = pki.openssl(&["ts", "-reply", "-in", "r.tsr", "-text"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("Status: Granted."), "{text}");
    assert!(
        text.contains(&format!("Policy OID: {TSA_POLICY}")),
        "{text}"
    );
    assert!(text.contains("Nonce: 0x"), "{text}");
    assert!(
        text.contains("TSA: DirName:/C=VN/O=eform/CN=eform test TSA"),
        "{text}"
    );
    // A wrong media type; a malformed query (OpenSSL answers "rejection").
    let res = post(query.clone(), "application/octet-stream")
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = post(b"garbage".to_vec(), "application/timestamp-query")
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    std::fs::write(pki.path("bad.tsr"), res.bytes().await.unwrap()).unwrap();
    let out = pki.openssl(&["ts", "-reply", "-in", "bad.tsr", "-text"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Status: Rejected."),
        "{out:?}"
    );

    // Outages: 503 from the CRL and the TSA, then served again; the server stopped, then back.
    pki.set_unavailable(true);
    assert_eq!(http.get(pki.crl_url()).send().await.unwrap().status(), 503);
    let res = post(query.clone(), "application/timestamp-query")
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    pki.set_unavailable(false);
    assert_eq!(http.get(pki.crl_url()).send().await.unwrap().status(), 200);
    pki.set_tsa_unavailable(true);
    assert_eq!(http.get(pki.crl_url()).send().await.unwrap().status(), 200);
    let res = post(query.clone(), "application/timestamp-query")
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    pki.set_tsa_unavailable(false);
    assert_eq!(pki.tsa_requests(), 5);
    pki.stop_http();
    assert!(!port_open(pki.http_port()));
    assert!(http.get(pki.crl_url()).send().await.is_err());
    pki.start_http();
    assert_eq!(http.get(pki.crl_url()).send().await.unwrap().status(), 200);

    // Nothing left listening.
    let (ocsp_port, http_port) = (pki.ocsp_port(), pki.http_port());
    drop(pki);
    assert!(!port_open(ocsp_port));
    assert!(!port_open(http_port));
    eprintln!("the test PKI and its services: {:?}", started.elapsed());
}

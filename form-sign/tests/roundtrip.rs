//! The signing module's interface, as the runtime calls it: describe the certificate, prepare,
//! have the "remote signer" sign the hash, assemble — and form-core's verifier accepts the
//! result for exactly the data given; bad input gives the codes the runtime words.
#![allow(dead_code)]

#[path = "../../form-core/tests/pki/mod.rs"]
mod pki;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use form_core::sign;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use pki::*;
use serde_json::{Value, json};
use x509_cert::der::Encode;

fn chain_json(certs: &[&x509_cert::Certificate]) -> String {
    let list: Vec<String> = certs
        .iter()
        .map(|c| B64.encode(c.to_der().unwrap()))
        .collect();
    serde_json::to_string(&list).unwrap()
}

#[test]
fn describe_prepare_sign_assemble_verify() {
    let root = make_root(1);
    let ca = intermediate(&root);
    let (key, cert) = citizen(&ca, validity(NOW - DAY, NOW + 365 * DAY));
    let chain = chain_json(&[&cert, &ca.cert]);
    let es256 = sign::SignAlgo::EcdsaP256Sha256.oid();

    let described: Value =
        serde_json::from_str(&form_sign::credential(&chain, &json!([es256]).to_string()).unwrap())
            .unwrap();
    assert_eq!(described["algo"], es256);
    assert_eq!(described["holder"], "Nguyễn Văn An");
    assert_eq!(described["serial"], "CCCD:001090012345");
    assert_eq!(described["issuer"], "eform test citizen CA");
    assert_eq!(described["notAfter"], NOW + 365 * DAY);

    let data = json!({"applicant": {"fullName": "Nguyễn Văn An", "idNumber": "001090012345"}, "request": "Đăng ký thường trú."});
    let prepared = form_sign::prepare("ct01", 1, &data.to_string(), NOW as f64, &chain).unwrap();
    let hash = B64
        .decode(
            serde_json::from_str::<Value>(&prepared).unwrap()["hash"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let sig: p256::ecdsa::Signature = key.sign_prehash(&hash).unwrap();
    let p7s = form_sign::assemble(&prepared, es256, &B64.encode(sig.to_bytes()), &chain).unwrap();
    let p7s = B64.decode(p7s).unwrap();

    let trust = sign::TrustStore::new(vec![root.cert.clone()]);
    let content = sign::content("ct01", 1, &data).unwrap();
    assert!(sign::verify(&p7s, &content, &trust, &sign::Context::at(NOW)).valid);
    // Any other data: not what was signed.
    let other = sign::content("ct01", 1, &json!({"request": "Khác."})).unwrap();
    assert!(!sign::verify(&p7s, &other, &trust, &sign::Context::at(NOW)).valid);
}

#[test]
fn bad_input_gives_codes() {
    let root = make_root(1);
    let ca = intermediate(&root);
    let (_, cert) = citizen(&ca, validity(NOW - DAY, NOW + 365 * DAY));
    let chain = chain_json(&[&cert]);
    assert_eq!(
        form_sign::credential("[]", "[]").unwrap_err(),
        "no-certificate"
    );
    assert_eq!(
        form_sign::credential("not json", "[]").unwrap_err(),
        "no-certificate"
    );
    assert_eq!(
        form_sign::credential("[\"!!\"]", "[]").unwrap_err(),
        "no-certificate"
    );
    // A key that offers only RSA for an EC certificate.
    assert_eq!(
        form_sign::credential(&chain, &json!(["1.2.840.113549.1.1.11"]).to_string()).unwrap_err(),
        "algorithm-unsupported"
    );
    let words: Value =
        serde_json::from_str(&form_sign::prepare("ct01", 1, "{", 0.0, &chain).unwrap_err())
            .unwrap();
    assert!(words["en"].as_str().unwrap().contains("not valid"));
    let prepared = form_sign::prepare("ct01", 1, "{}", NOW as f64, &chain).unwrap();
    let es256 = sign::SignAlgo::EcdsaP256Sha256.oid();
    assert_eq!(
        form_sign::assemble(&prepared, es256, "AAAA", &chain).unwrap_err(),
        "bad-signature"
    );
    assert_eq!(
        form_sign::assemble("{}", es256, "", &chain).unwrap_err(),
        "bad-signature"
    );
    assert_eq!(
        form_sign::assemble(&prepared, "1.2.3", "", &chain).unwrap_err(),
        "bad-signature"
    );
    assert_eq!(form_sign::api(), form_sign::API);
}

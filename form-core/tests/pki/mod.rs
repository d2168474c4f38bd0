//! A test PKI (root → intermediate → citizen), made afresh by the signing tests and the signing
//! benchmark; its keys live only in memory.
#![allow(dead_code)]

use form_core::sign::{self, SignAlgo, cades::der_time};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Value, json};
use std::str::FromStr;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// 2026-11-25T00:00:00Z.
pub const NOW: u64 = 1_795_564_800;
pub const DAY: u64 = 86_400;

pub struct Ca {
    pub cert: Certificate,
    pub key: p256::ecdsa::SigningKey,
}

pub fn validity(from: u64, until: u64) -> Validity {
    Validity {
        not_before: der_time(from).unwrap(),
        not_after: der_time(until).unwrap(),
    }
}

pub fn p256_key(seed: u64) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::random(&mut ChaCha20Rng::seed_from_u64(seed))
}

pub fn spki_of(key: &p256::ecdsa::SigningKey) -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).unwrap()
}

pub fn make_root(seed: u64) -> Ca {
    let key = p256_key(seed);
    let cert = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(1u32),
        validity(NOW - 3650 * DAY, NOW + 3650 * DAY),
        Name::from_str("CN=eform test root,O=eform test").unwrap(),
        spki_of(&key),
        &key,
    )
    .unwrap()
    .build::<p256::ecdsa::DerSignature>()
    .unwrap();
    Ca { cert, key }
}

pub fn intermediate(root: &Ca) -> Ca {
    let key = p256_key(2);
    let cert = CertificateBuilder::new(
        Profile::SubCA {
            issuer: root.cert.tbs_certificate.subject.clone(),
            path_len_constraint: Some(0),
        },
        SerialNumber::from(2u32),
        validity(NOW - 1000 * DAY, NOW + 1000 * DAY),
        Name::from_str("CN=eform test citizen CA,O=eform test").unwrap(),
        spki_of(&key),
        &root.key,
    )
    .unwrap()
    .build::<p256::ecdsa::DerSignature>()
    .unwrap();
    Ca { cert, key }
}

pub fn leaf(ca: &Ca, spki: SubjectPublicKeyInfoOwned, serial: u32, valid: Validity) -> Certificate {
    CertificateBuilder::new(
        Profile::Leaf {
            issuer: ca.cert.tbs_certificate.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(serial),
        valid,
        Name::from_str("CN=Nguyễn Văn An,serialNumber=CCCD:001090012345,C=VN").unwrap(),
        spki,
        &ca.key,
    )
    .unwrap()
    .build::<p256::ecdsa::DerSignature>()
    .unwrap()
}

/// A citizen's P-256 key and certificate under `ca`.
pub fn citizen(ca: &Ca, valid: Validity) -> (p256::ecdsa::SigningKey, Certificate) {
    let key = p256_key(3);
    let cert = leaf(ca, spki_of(&key), 3, valid);
    (key, cert)
}

pub fn dossier() -> Vec<u8> {
    sign::content(
        "ct01",
        1,
        &json!({"applicant": {"fullName": "Nguyễn Văn An", "idNumber": "001090012345"}, "request": "Đăng ký thường trú."}),
    )
    .unwrap()
}

/// Signs `content` as the remote signer would: only the prepared hash is signed.
pub fn sign_p256(
    content: &[u8],
    key: &p256::ecdsa::SigningKey,
    chain: &[Certificate],
    at: u64,
) -> Vec<u8> {
    let prepared = sign::prepare(&sign::content_digest(content), at, &chain[0]).unwrap();
    let sig: p256::ecdsa::Signature = key.sign_prehash(&prepared.hash).unwrap();
    // The raw r ‖ s form, as some signers return it: assembled as DER.
    sign::assemble(&prepared, SignAlgo::EcdsaP256Sha256, &sig.to_bytes(), chain).unwrap()
}

/// A dossier of about `bytes` of JSON: many rows of Vietnamese text, dates and numbers.
pub fn big_data(bytes: usize) -> Value {
    let row = |i: usize| {
        json!({
            "fullName": format!("Nguyễn Thị Hương {i}"),
            "dateOfBirth": "1990-03-14",
            "idNumber": "001190012345",
            "address": {"province": "01", "commune": "00004", "street": format!("Số {i} phố Đội Cấn, phường Ba Đình")},
            "income": 12_345_678.5 + i as f64,
            "note": "Đăng ký thường trú cho tôi và con vào hộ gia đình của cha tôi.",
        })
    };
    let one = row(0).to_string().len();
    Value::Object(
        [(
            "rows".to_owned(),
            Value::Array((0..bytes / one).map(row).collect()),
        )]
        .into_iter()
        .collect(),
    )
}

//! Hash signing and verification against a test PKI made here (root → intermediate → citizen;
//! keys live only in the test): every algorithm verifies; any flipped byte of the content, the
//! signed attributes, the signature value or the signer certificate fails; expired, not yet
//! valid, wrong key usage and untrusted certificates are refused with their reason.

// Native: the test PKI's key generation wants the system's randomness (the verifier itself
// builds for wasm32 and the canonical-content tests run there).
#![cfg(not(target_arch = "wasm32"))]

mod pki;

use der::{Decode, Encode};
use form_core::sign::{self, SignAlgo, TrustStore};
use pki::*;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use x509_cert::Certificate;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn codes(v: &sign::Verdict) -> Vec<&'static str> {
    v.problems.iter().map(|p| p.code).collect()
}

#[test]
fn an_ecdsa_signature_verifies_and_names_the_signer() {
    let root = make_root(1);
    let ca = intermediate(&root);
    let (key, cert) = citizen(&ca, validity(NOW - DAY, NOW + 365 * DAY));
    let content = dossier();
    let p7s = sign_p256(&content, &key, &[cert, ca.cert.clone()], NOW);
    let v = sign::verify(
        &p7s,
        &content,
        &TrustStore::new(vec![root.cert.clone()]),
        &sign::Context::at(NOW),
    );
    assert!(v.valid, "{:?}", v.problems);
    let signer = v.signer.unwrap();
    assert_eq!(signer.name, "Nguyễn Văn An");
    assert_eq!(signer.serial_number.as_deref(), Some("CCCD:001090012345"));
    assert_eq!(signer.issuer, "eform test citizen CA");
    assert_eq!(v.signing_time, Some(NOW));
    assert_eq!(v.algorithm, Some(SignAlgo::EcdsaP256Sha256));
}

#[test]
fn rsa_pkcs1_and_pss_signatures_verify() {
    let root = make_root(1);
    let ca = intermediate(&root);
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).unwrap();
    let cert = leaf(&ca, spki, 4, validity(NOW - DAY, NOW + 365 * DAY));
    let chain = [cert, ca.cert.clone()];
    let content = dossier();
    for algo in [SignAlgo::RsaPkcs1Sha256, SignAlgo::RsaPssSha256] {
        let prepared = sign::prepare(&sign::content_digest(&content), NOW, &chain[0]).unwrap();
        // The signer signs the hash: PKCS#1 v1.5 / PSS over a SHA-256 prehash.
        let sig = match algo {
            SignAlgo::RsaPkcs1Sha256 => key
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &prepared.hash)
                .unwrap(),
            _ => key
                .sign_with_rng(&mut rng, rsa::Pss::new::<sha2::Sha256>(), &prepared.hash)
                .unwrap(),
        };
        let p7s = sign::assemble(&prepared, algo, &sig, &chain).unwrap();
        let v = sign::verify(
            &p7s,
            &content,
            &TrustStore::new(vec![root.cert.clone()]),
            &sign::Context::at(NOW),
        );
        assert!(v.valid, "{algo:?}: {:?}", v.problems);
        assert_eq!(v.algorithm, Some(algo));
    }
}

/// Any single flipped byte of the content, the signed attributes, the signature value or the
/// signer's certificate (every position) makes verification fail.
#[test]
fn every_flipped_byte_is_caught() {
    let root = make_root(1);
    let ca = intermediate(&root);
    let (key, cert) = citizen(&ca, validity(NOW - DAY, NOW + 365 * DAY));
    let content = dossier();
    let p7s = sign_p256(&content, &key, &[cert.clone(), ca.cert.clone()], NOW);
    let trust = TrustStore::new(vec![root.cert.clone()]);
    assert!(sign::verify(&p7s, &content, &trust, &sign::Context::at(NOW)).valid);
    for i in 0..content.len() {
        let mut c = content.clone();
        c[i] ^= 0x01;
        let v = sign::verify(&p7s, &c, &trust, &sign::Context::at(NOW));
        assert_eq!(codes(&v), ["digest-mismatch"], "content byte {i}");
    }
    // Where the signed attributes, the signature and the certificate are inside the p7s.
    let prepared = sign::prepare(&sign::content_digest(&content), NOW, &cert).unwrap();
    let attrs_body = &prepared.signed_attributes[2..];
    let cert_der = cert.to_der().unwrap();
    let ca_der = ca.cert.to_der().unwrap();
    let find = |needle: &[u8]| {
        p7s.windows(needle.len())
            .position(|w| w == needle)
            .expect("part found in the p7s")
    };
    let info = cms::content_info::ContentInfo::from_der(&p7s).unwrap();
    let sd: cms::signed_data::SignedData = info.content.decode_as().unwrap();
    let sig = sd
        .signer_infos
        .0
        .get(0)
        .unwrap()
        .signature
        .as_bytes()
        .to_vec();
    let mut flipped = 0;
    for (what, start, len) in [
        ("signed attributes", find(attrs_body), attrs_body.len()),
        ("signature value", find(&sig), sig.len()),
        ("signer certificate", find(&cert_der), cert_der.len()),
        // The store has verified (and keeps) the intermediate's link to the root by now: a
        // changed intermediate is a different certificate, checked afresh.
        ("intermediate certificate", find(&ca_der), ca_der.len()),
    ] {
        for i in start..start + len {
            let mut t = p7s.clone();
            t[i] ^= 0x01;
            let v = sign::verify(&t, &content, &trust, &sign::Context::at(NOW));
            assert!(!v.valid, "{what}: byte {i} flipped still verifies");
            flipped += 1;
        }
    }
    assert!(flipped > 900, "{flipped}");
}

/// Certificates are judged at the trusted time (the receipt), not at the signing time the
/// signer wrote (review H2); the claimed time must lie in the window before it.
#[test]
fn certificates_are_judged_at_the_trusted_time_and_the_signing_time_must_be_near_it() {
    let root = make_root(1);
    let ca = intermediate(&root);
    let content = dossier();
    let trust = TrustStore::new(vec![root.cert.clone()]);
    let at = |t| sign::Context::at(t);
    let verdict = |key, cert, signed, received| {
        sign::verify(
            &sign_p256(&content, key, &[cert, ca.cert.clone()], signed),
            &content,
            &trust,
            &at(received),
        )
    };
    // Expired before the receipt: INDETERMINATE/OUT_OF_BOUNDS_NO_POE, even backdated into its
    // validity (then the signing time is refused too).
    let (key, cert) = citizen(&ca, validity(NOW - 400 * DAY, NOW - 35 * DAY));
    let v = verdict(&key, cert.clone(), NOW, NOW);
    assert_eq!(codes(&v), ["expired"]);
    assert!(v.problems[0].message.en.contains("Nguyễn Văn An"));
    assert_eq!(v.indication, sign::Indication::Indeterminate);
    assert_eq!(
        v.sub_indication,
        Some(sign::SubIndication::OutOfBoundsNoPoe)
    );
    let v = verdict(&key, cert, NOW - 40 * DAY, NOW);
    assert_eq!(codes(&v), ["signing-time-backdated", "expired"]);
    // Not yet valid at the receipt: TOTAL-FAILED/NOT_YET_VALID.
    let (key, cert) = citizen(&ca, validity(NOW + DAY, NOW + 365 * DAY));
    let v = verdict(&key, cert, NOW, NOW);
    assert_eq!(codes(&v), ["not-yet-valid"]);
    assert_eq!(v.indication, sign::Indication::TotalFailed);
    assert_eq!(v.sub_indication, Some(sign::SubIndication::NotYetValid));
    // A good certificate: the signing time 29 minutes before the receipt passes, 31 does not;
    // one minute ahead passes (clock skew), five does not.
    let (key, cert) = citizen(&ca, validity(NOW - 400 * DAY, NOW + DAY));
    for (signed, ok) in [
        (NOW - 29 * 60, true),
        (NOW - 31 * 60, false),
        (NOW + 60, true),
        (NOW + 5 * 60, false),
    ] {
        let v = verdict(&key, cert.clone(), signed, NOW);
        assert_eq!(v.valid, ok, "signed {}", signed as i64 - NOW as i64);
        if !ok {
            assert_eq!(
                v.sub_indication,
                Some(sign::SubIndication::SigConstraintsFailure)
            );
        }
    }
    // Valid then, expired now: re-verification at the stored receipt time still passes.
    let v = verdict(&key, cert, NOW, NOW);
    assert!(v.valid);
    assert_eq!(v.validation_time, NOW);
    // Every check is listed; revocation was not asked for.
    let listed: Vec<_> = v.checks.iter().map(|c| (c.id, c.status.as_str())).collect();
    assert_eq!(
        listed,
        [
            ("format", "passed"),
            ("digest", "passed"),
            ("signature", "passed"),
            ("signing-certificate", "passed"),
            ("key-usage", "passed"),
            ("chain", "passed"),
            ("validity", "passed"),
            ("signing-time", "passed"),
            ("revocation", "not-checked"),
            ("timestamp", "not-checked"),
        ]
    );
    assert_eq!(v.chain.len(), 3);
}

#[test]
fn wrong_key_usage_untrusted_roots_and_non_cas_are_refused() {
    let root = make_root(1);
    let ca = intermediate(&root);
    let content = dossier();
    let trust = TrustStore::new(vec![root.cert.clone()]);
    // A CA's certificate (keyCertSign, cRLSign) used to sign a dossier.
    let p7s = sign_p256(&content, &ca.key, std::slice::from_ref(&ca.cert), NOW);
    assert_eq!(
        codes(&sign::verify(
            &p7s,
            &content,
            &trust,
            &sign::Context::at(NOW)
        )),
        ["key-usage"]
    );
    // Another root: the chain leads nowhere trusted.
    let (key, cert) = citizen(&ca, validity(NOW - DAY, NOW + 365 * DAY));
    let p7s = sign_p256(&content, &key, &[cert.clone(), ca.cert.clone()], NOW);
    let stranger = make_root(99);
    assert_eq!(
        codes(&sign::verify(
            &p7s,
            &content,
            &TrustStore::new(vec![stranger.cert]),
            &sign::Context::at(NOW)
        )),
        ["untrusted"]
    );
    // Without the intermediate in the signature, no path either...
    let p7s = sign_p256(&content, &key, std::slice::from_ref(&cert), NOW);
    assert_eq!(
        codes(&sign::verify(
            &p7s,
            &content,
            &trust,
            &sign::Context::at(NOW)
        )),
        ["untrusted"]
    );
    // ...unless the trust store knows it (checked once when added).
    let mut known = TrustStore::new(vec![root.cert.clone()]);
    let other_root = make_root(98);
    let stray = intermediate(&other_root).cert;
    assert_eq!(
        known.add_intermediates(vec![stray.clone(), ca.cert.clone()]),
        [stray]
    );
    assert!(sign::verify(&p7s, &content, &known, &sign::Context::at(NOW)).valid);
    // A citizen's certificate issuing another: not a CA.
    let fake = Ca {
        cert: cert.clone(),
        key: key.clone(),
    };
    let k2 = p256_key(5);
    let forged = leaf(&fake, spki_of(&k2), 9, validity(NOW - DAY, NOW + DAY));
    let p7s = sign_p256(&content, &k2, &[forged, cert, ca.cert.clone()], NOW);
    assert_eq!(
        codes(&sign::verify(
            &p7s,
            &content,
            &trust,
            &sign::Context::at(NOW)
        )),
        ["not-a-ca"]
    );
    // Not a signature at all.
    assert_eq!(
        codes(&sign::verify(
            b"MIIB",
            &content,
            &trust,
            &sign::Context::at(NOW)
        )),
        ["malformed"]
    );
}

/// Runs `openssl` with `args` in `dir`; its exit status and stderr.
fn openssl(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs (Debian package openssl)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pem(cert: &Certificate) -> String {
    use der::EncodePem;
    cert.to_pem(der::pem::LineEnding::LF).unwrap()
}

/// Interop, our side → OpenSSL: what eform assembles verifies with `openssl cms -verify …
/// -cades`; a changed content byte fails there too.
#[test]
fn openssl_verifies_our_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let root = make_root(1);
    let ca = intermediate(&root);
    // Valid now (OpenSSL checks validity at the time of verification).
    let (key, cert) = citizen(&ca, validity(NOW - 3650 * DAY, NOW + 3650 * DAY));
    let content = dossier();
    let p7s = sign_p256(&content, &key, &[cert, ca.cert.clone()], NOW);
    std::fs::write(dir.path().join("signature.p7s"), &p7s).unwrap();
    std::fs::write(dir.path().join("content.json"), &content).unwrap();
    std::fs::write(dir.path().join("root.pem"), pem(&root.cert)).unwrap();
    let verify = [
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
    ];
    let (ok, err) = openssl(dir.path(), &verify);
    assert!(ok, "openssl refused our signature: {err}");
    let mut changed = content.clone();
    changed[10] ^= 0x01;
    std::fs::write(dir.path().join("content.json"), &changed).unwrap();
    let (ok, _) = openssl(dir.path(), &verify);
    assert!(!ok, "openssl accepted changed content");
}

/// Interop, OpenSSL → our side: a detached CAdES made by `openssl cms -sign -binary -cades -md
/// sha256` with a test certificate verifies with eform's verifier; tampered, it does not.
#[test]
fn we_verify_openssls_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| {
        let (ok, err) = openssl(d, args);
        assert!(ok, "openssl {args:?}: {err}");
    };
    std::fs::write(d.join("ca.cnf"), "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n").unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "30",
        "-subj",
        "/CN=openssl test root",
        "-extensions",
        "ca",
        "-config",
        "ca.cnf",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=Tran Thi Binh/serialNumber=CCCD:056185004321",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "30",
        "-extfile",
        "ca.cnf",
        "-extensions",
        "leaf",
    ]);
    let content = dossier();
    std::fs::write(d.join("content.json"), &content).unwrap();
    run(&[
        "cms",
        "-sign",
        "-binary",
        "-cades",
        "-md",
        "sha256",
        "-in",
        "content.json",
        "-signer",
        "leaf.pem",
        "-inkey",
        "leaf.key",
        "-outform",
        "DER",
        "-out",
        "signature.p7s",
    ]);
    let p7s = std::fs::read(d.join("signature.p7s")).unwrap();
    let root_pem = std::fs::read_to_string(d.join("root.pem")).unwrap();
    let root = {
        use der::DecodePem;
        Certificate::from_pem(root_pem.as_bytes()).unwrap()
    };
    let v = sign::verify(
        &p7s,
        &content,
        &TrustStore::new(vec![root.clone()]),
        &sign::Context::at(now()),
    );
    assert!(v.valid, "{:?}", v.problems);
    assert_eq!(v.signer.as_ref().unwrap().name, "Tran Thi Binh");
    assert_eq!(v.algorithm, Some(SignAlgo::RsaPkcs1Sha256));
    // Tampered content, and a flipped byte in the signature's last bytes (the signature value).
    let mut changed = content.clone();
    changed[0] ^= 0x20;
    assert_eq!(
        codes(&sign::verify(
            &p7s,
            &changed,
            &TrustStore::new(vec![root.clone()]),
            &sign::Context::at(now())
        )),
        ["digest-mismatch"]
    );
    let mut t = p7s.clone();
    let last = t.len() - 5;
    t[last] ^= 0x01;
    assert!(
        !sign::verify(
            &t,
            &content,
            &TrustStore::new(vec![root.clone()]),
            &sign::Context::at(now())
        )
        .valid
    );
}

/// The hand-written encodings the browser uses instead of the RSA and P-256 crates agree with
/// those crates.
#[test]
fn hand_written_der_matches_the_crates() {
    use der::Encode;
    let params = rsa::pkcs1::RsaPssParams::new::<sha2::Sha256>(32)
        .to_der()
        .unwrap();
    assert_eq!(params, form_core::sign::cades::PSS_SHA256_PARAMS);
    let key = p256_key(11);
    for i in 0u32..300 {
        let sig: p256::ecdsa::Signature =
            p256::ecdsa::signature::hazmat::PrehashSigner::sign_prehash(
                &key,
                &sign::content_digest(&i.to_be_bytes()),
            )
            .unwrap();
        let ours =
            form_core::sign::cades::signature_value(SignAlgo::EcdsaP256Sha256, &sig.to_bytes())
                .unwrap();
        assert_eq!(ours, sig.to_der().as_bytes(), "signature {i}");
    }
    // Zero-padded halves (a small r or s) are made minimal.
    let mut raw = [0u8; 64];
    raw[31] = 1;
    raw[32] = 0x80;
    let der = form_core::sign::cades::signature_value(SignAlgo::EcdsaP256Sha256, &raw).unwrap();
    assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x01, 0x01]);
    assert_eq!(&der[5..8], &[0x02, 0x21, 0x00]);
}

//! `cargo xtask bench sign` (its portal part): validating a signed CT01 dossier with revocation,
//! as intake does — the revocation data fetched by `portal::revocation` from OpenSSL's own OCSP
//! responder on loopback (`openssl ocsp -index`, one connection at a time) and the root's CRL
//! over HTTP (the test PKI of `tests/common/pki.rs`), then `form_core::sign::verify`:
//! uncached (caches emptied before each dossier: one OCSP round trip and one CRL download),
//! cached (the answers reused, as within their 5 minutes / nextUpdate), and the verification
//! alone without revocation, in the same run.
//!
//! Options (after `--`): `--uncached N` (default 200), `--cached N` (default 2000), `--json FILE`.

#[path = "../tests/common/pki.rs"]
#[allow(dead_code)]
mod pki;

use form_core::sign::{self, Context, SignAlgo, TrustStore};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use serde_json::json;
use std::time::Instant;
use x509_cert::Certificate;
use x509_cert::der::Decode;

fn value(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn quantiles(mut micros: Vec<u64>) -> serde_json::Value {
    micros.sort_unstable();
    let q = |p: f64| {
        let i = ((micros.len() as f64 - 1.0) * p).round() as usize;
        micros[i] as f64 / 1000.0
    };
    json!({"n": micros.len(), "p50_ms": q(0.5), "p95_ms": q(0.95), "p99_ms": q(0.99)})
}

fn main() {
    let uncached: usize = value("--uncached")
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let cached: usize = value("--cached")
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut pki = pki::Pki::new();
    pki.start_ocsp(pki::OcspMode::Good);
    let citizen = pki.valid_citizen("Nguyễn Văn An", "001090012345");
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.example.json")).unwrap();
    let content = sign::content("ct01", 1, &data).unwrap();
    let now = u64::try_from(portal::clock::now_ms() / 1000).unwrap();
    let cert = citizen.certificate();
    let prepared = sign::prepare(&sign::content_digest(&content), now, &cert).unwrap();
    let sig: p256::ecdsa::Signature = citizen.key.sign_prehash(&prepared.hash).unwrap();
    let ca = Certificate::from_der(pki.intermediate_der()).unwrap();
    let p7s = sign::assemble(
        &prepared,
        SignAlgo::EcdsaP256Sha256,
        sig.to_der().as_bytes(),
        &[cert, ca],
    )
    .unwrap();
    let root = Certificate::from_der(pki.root_der()).unwrap();
    let trust = TrustStore::new(vec![root]);
    let fetcher = portal::revocation::Revocation::default();

    let run = |n: usize, forget: bool, revocation: bool| {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            if forget {
                fetcher.forget();
            }
            let started = Instant::now();
            let evidence = if revocation {
                rt.block_on(fetcher.evidence(&p7s, &trust, None))
            } else {
                sign::Evidence::default()
            };
            let ctx = Context::at(now);
            let ctx = if revocation {
                ctx.with_revocation(&evidence)
            } else {
                ctx
            };
            let v = sign::verify(&p7s, &content, &trust, &ctx);
            times.push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
            assert!(v.valid, "{:?}", v.problems);
            if revocation {
                assert_eq!(v.revocation.len(), 2);
            }
        }
        times
    };
    // Warm up (connections, the trust store's CA links).
    run(5, true, true);
    let results = json!({
        "date": portal::clock::rfc3339(portal::clock::now_ms()),
        "uncached": quantiles(run(uncached, true, true)),
        "cached": quantiles(run(cached, false, true)),
        "no_revocation": quantiles(run(cached, false, false)),
    });
    println!("{}", serde_json::to_string_pretty(&results).unwrap());
    if let Some(file) = value("--json") {
        std::fs::write(file, serde_json::to_string_pretty(&results).unwrap()).unwrap();
    }
}

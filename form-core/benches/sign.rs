//! `cargo xtask bench sign`: the signing work natively — canonicalise and hash a 1 MB dossier
//! (target ≤ 10 ms), build the signed attributes, assemble, and verify a signed CT01 dossier
//! with a three-certificate chain (target ≤ 1 ms): cold (a fresh trust store) and steady (each
//! dossier from another citizen, the issuing CA's link to the root checked once and kept).

#[path = "../tests/pki/mod.rs"]
mod pki;

use criterion::{Criterion, criterion_group, criterion_main};
use form_core::sign::{self, SignAlgo};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use pki::*;
use serde_json::Value;
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let big = big_data(1 << 20);
    let size = sign::content("ct01", 1, &big).unwrap().len();
    println!("canonical content: {size} bytes");
    c.bench_function("canonicalise_and_hash_1mb", |b| {
        b.iter(|| {
            let bytes = sign::content("ct01", 1, black_box(&big)).unwrap();
            sign::content_digest(&bytes)
        })
    });

    let root = make_root(1);
    let ca = intermediate(&root);
    let (key, cert) = citizen(&ca, validity(NOW - DAY, NOW + 365 * DAY));
    let ct01: Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.example.json")).unwrap();
    let content = sign::content("ct01", 1, &ct01).unwrap();
    let digest = sign::content_digest(&content);
    c.bench_function("prepare_signed_attributes", |b| {
        b.iter(|| sign::prepare(black_box(&digest), NOW, &cert).unwrap())
    });
    let prepared = sign::prepare(&digest, NOW, &cert).unwrap();
    let signature: p256::ecdsa::Signature = key.sign_prehash(&prepared.hash).unwrap();
    let chain = [cert.clone(), ca.cert.clone()];
    c.bench_function("assemble_signed_data", |b| {
        b.iter(|| {
            sign::assemble(
                &prepared,
                SignAlgo::EcdsaP256Sha256,
                &signature.to_bytes(),
                black_box(&chain),
            )
            .unwrap()
        })
    });
    let p7s = sign_p256(&content, &key, &chain, NOW);
    // A fresh store for each dossier: the first signature a portal sees after starting, its
    // issuing CA's link to the root not yet known.
    c.bench_function("verify_ct01_p256_chain_of_3_cold", |b| {
        b.iter(|| {
            let trust = sign::TrustStore::new(vec![root.cert.clone()]);
            sign::verify(black_box(&p7s), &content, &trust, &sign::Context::at(NOW))
        })
    });
    // The steady state: one store (roots only), each dossier from another citizen (their
    // certificate checked every time), the CA's link to the root verified once and kept.
    let signed: Vec<Vec<u8>> = (0..64u32)
        .map(|i| {
            let key = p256_key(100 + u64::from(i));
            let cert = leaf(
                &ca,
                spki_of(&key),
                100 + i,
                validity(NOW - DAY, NOW + 365 * DAY),
            );
            sign_p256(&content, &key, &[cert, ca.cert.clone()], NOW)
        })
        .collect();
    let trust = sign::TrustStore::new(vec![root.cert.clone()]);
    assert!(
        signed
            .iter()
            .all(|p| sign::verify(p, &content, &trust, &sign::Context::at(NOW)).valid)
    );
    let mut next = signed.iter().cycle();
    c.bench_function("verify_ct01_p256_chain_of_3", |b| {
        b.iter(|| {
            sign::verify(
                black_box(next.next().unwrap()),
                &content,
                &trust,
                &sign::Context::at(NOW),
            )
        })
    });
    // A deployment's trust store holds the licensed CAs' certificates too (checked once).
    let mut known = sign::TrustStore::new(vec![root.cert.clone()]);
    assert!(known.add_intermediates(vec![ca.cert.clone()]).is_empty());
    assert!(sign::verify(&p7s, &content, &known, &sign::Context::at(NOW)).valid);
    c.bench_function("verify_ct01_p256_known_intermediate", |b| {
        b.iter(|| sign::verify(black_box(&p7s), &content, &known, &sign::Context::at(NOW)))
    });
}

criterion_group!(sign_benches, benches);
criterion_main!(sign_benches);

//! The signing work timed in wasm32 (`cargo xtask bench sign` runs it in release mode under
//! Node with `--include-ignored`): canonicalise + hash a 1 MB dossier, and verify a signed
//! CT01 dossier with a three-certificate chain, cold and steady. Ignored in the test run: a
//! measurement, not a check (the checks are in `sign.rs` and `cases.rs`).
#![cfg(target_arch = "wasm32")]

#[path = "pki/mod.rs"]
mod pki;

use form_core::sign;
use pki::*;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

/// Runs `f` `n` times after a warm-up: the mean, in ms (Node's clock counts whole ms, so
/// only means over many runs are given).
fn time(n: u32, mut f: impl FnMut()) -> f64 {
    f();
    let start = js_sys::Date::now();
    for _ in 0..n {
        f();
    }
    (js_sys::Date::now() - start) / f64::from(n)
}

#[wasm_bindgen_test]
#[ignore = "a measurement: cargo xtask bench sign"]
fn sign_timings_in_wasm() {
    let big = big_data(1 << 20);
    let mean = time(40, || {
        let bytes = sign::content("ct01", 1, std::hint::black_box(&big)).unwrap();
        std::hint::black_box(sign::content_digest(&bytes));
    });
    console_log!("wasm canonicalise_and_hash_1mb: {mean:.2} ms (mean)");

    let root = make_root(1);
    let ca = intermediate(&root);
    let ct01: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.example.json")).unwrap();
    let content = sign::content("ct01", 1, &ct01).unwrap();
    let signed: Vec<Vec<u8>> = (0..16u32)
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
    let mean = time(200, || {
        let trust = sign::TrustStore::new(vec![root.cert.clone()]);
        assert!(sign::verify(&signed[0], &content, &trust, &sign::Context::at(NOW)).valid);
    });
    console_log!("wasm verify_ct01_p256_chain_of_3_cold: {mean:.2} ms (mean)");
    let trust = sign::TrustStore::new(vec![root.cert.clone()]);
    let mut next = signed.iter().cycle();
    let mean = time(400, || {
        assert!(
            sign::verify(
                next.next().unwrap(),
                &content,
                &trust,
                &sign::Context::at(NOW)
            )
            .valid
        );
    });
    console_log!("wasm verify_ct01_p256_chain_of_3: {mean:.2} ms (mean)");
}

//! Headers of personal data and of production: review finding M8 (`no-cache` instead of
//! `no-store`, no HSTS).

mod common;

use common::{Backend, TestPortal};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_never_stored_and_production_asks_for_https() {
    let dev = TestPortal::start(Backend::Sqlite).await;
    let an = dev.token("citizen-an").await;
    for url in [
        "/api/v1/me",
        "/api/v1/dossiers",
        "/datastore/v1/me/audit",
        "/datastore/v1/me/attributes?keys=citizen.fullName",
        "/bridge/v1/signatures/none",
    ] {
        let a = dev.get(url, &an).await;
        assert_eq!(a.headers["cache-control"], "no-store", "{url}");
    }
    // Public things may be cached as before; development (plain http) sends no HSTS.
    let form = dev.call("GET", "/forms/ct01", None, &[], None).await;
    assert_eq!(form.headers["cache-control"], "no-cache");
    assert!(!form.headers.contains_key("strict-transport-security"));

    let prod = TestPortal::start_production(Backend::Sqlite).await;
    for url in ["/forms/ct01", "/api/v1/session", "/signin"] {
        let a = prod.call("GET", url, None, &[], None).await;
        assert_eq!(
            a.headers["strict-transport-security"], "max-age=31536000; includeSubDomains",
            "{url}"
        );
    }
    let a = prod.call("GET", "/api/v1/session", None, &[], None).await;
    assert_eq!(a.headers["cache-control"], "no-store");
}

/// Review finding M2 (the wasm and the administrative units gzipped again for every request):
/// built files are served from the brotli or gzip copy the build wrote beside them (brotli to
/// a browser, which takes it), and the units' JSON from a copy compressed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_are_served_precompressed() {
    use std::io::{Read, Write};
    let p = TestPortal::start(Backend::Sqlite).await;
    let app = p.dir.path().join("web/app");
    std::fs::write(app.join("runtime.js"), "console.log('plain');".repeat(100)).unwrap();
    // The gzip copy holds other text: what comes back shows which file was served.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"from the gzip copy").unwrap();
    std::fs::write(app.join("runtime.js.gz"), gz.finish().unwrap()).unwrap();
    let mut br = Vec::new();
    brotli::BrotliCompress(
        &mut &b"from the brotli copy"[..],
        &mut br,
        &Default::default(),
    )
    .unwrap();
    std::fs::write(app.join("runtime.js.br"), br).unwrap();
    let unzip = |bytes: &[u8]| {
        let mut out = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut out)
            .unwrap();
        out
    };
    let gzipped = p
        .call(
            "GET",
            "/app/runtime.js",
            None,
            &[("accept-encoding", "gzip")],
            None,
        )
        .await;
    assert_eq!(gzipped.headers["content-encoding"], "gzip");
    assert_eq!(unzip(&gzipped.bytes), "from the gzip copy");
    // What Chromium sends: brotli is preferred. A client that prefers gzip gets gzip.
    for (accepts, sent) in [
        ("gzip, deflate, br, zstd", "br"),
        ("br", "br"),
        ("br;q=0.5, gzip", "gzip"),
    ] {
        let a = p
            .call(
                "GET",
                "/app/runtime.js",
                None,
                &[("accept-encoding", accepts)],
                None,
            )
            .await;
        assert_eq!(a.headers["content-encoding"], sent, "{accepts}");
        // A cache keeps one copy per encoding.
        assert_eq!(a.headers["vary"], "accept-encoding", "{accepts}");
        let text = if sent == "br" {
            let mut out = String::new();
            brotli::Decompressor::new(&a.bytes[..], 4096)
                .read_to_string(&mut out)
                .unwrap();
            out
        } else {
            unzip(&a.bytes)
        };
        assert_eq!(
            text,
            format!(
                "from the {} copy",
                if sent == "br" { "brotli" } else { "gzip" }
            )
        );
    }
    let plain = p.call("GET", "/app/runtime.js", None, &[], None).await;
    assert!(!plain.headers.contains_key("content-encoding"));
    assert_eq!(plain.headers["vary"], "accept-encoding");
    assert!(String::from_utf8_lossy(&plain.bytes).starts_with("console.log"));

    let units = p
        .call(
            "GET",
            "/refdata/admin-units.json",
            None,
            &[("accept-encoding", "gzip, br")],
            None,
        )
        .await;
    assert_eq!(units.headers["content-encoding"], "gzip");
    let json: serde_json::Value = serde_json::from_str(&unzip(&units.bytes)).unwrap();
    assert!(json.is_object() || json.is_array());
}

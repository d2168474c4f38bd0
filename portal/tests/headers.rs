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

//! Rate limits (review M1, M2, M4, M5): past a citizen's limit, submissions, amendments,
//! uploads, signing requests and data-store calls answer 429 with `Retry-After`, and so does the
//! anonymous check API past a client address's; other citizens are not held back.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal, ct01_as};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_limit_429_with_retry_after() {
    let mut rates = portal::limits::Rates::off();
    for s in ["submit=2/h", "datastore=3/m", "check=2/m", "upload=1/h"] {
        rates.set(s).unwrap();
    }
    let p = TestPortal::start_with(
        Backend::Sqlite,
        portal::Config {
            rates,
            ..portal::Config::development()
        },
    )
    .await;
    let limited = |a: &common::Answer| {
        assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.json);
        assert_eq!(a.json["error"]["code"], "rate-limited");
        let wait: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(wait >= 1, "{wait}");
    };
    let an = p.token("citizen-an").await;
    for key in ["l1", "l2"] {
        let a = p
            .post("/api/v1/dossiers", &an, Some(key), &ct01_as("citizen-an"))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    }
    limited(
        &p.post("/api/v1/dossiers", &an, Some("l3"), &ct01_as("citizen-an"))
            .await,
    );
    // Another citizen is not held back.
    let binh = p.token("citizen-binh").await;
    let a = p
        .post(
            "/api/v1/dossiers",
            &binh,
            Some("b1"),
            &ct01_as("citizen-binh"),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);

    let read = "/datastore/v1/me/attributes?keys=citizen.fullName";
    for _ in 0..3 {
        assert_eq!(p.get(read, &an).await.status, StatusCode::OK);
    }
    limited(&p.get(read, &an).await);

    let upload = |bytes: &'static [u8]| {
        let (p, an) = (&p, an.clone());
        async move {
            p.call(
                "POST",
                "/api/v1/attachments?name=a.pdf",
                Some(&an),
                &[("content-type", "application/pdf")],
                Some(bytes.to_vec()),
            )
            .await
        }
    };
    assert_eq!(upload(b"%PDF-1.4 one").await.status, StatusCode::CREATED);
    limited(&upload(b"%PDF-1.4 two").await);

    // The anonymous check API, per client address.
    let check = || {
        p.call(
            "POST",
            "/api/v1/forms/ct01/check",
            None,
            &[],
            Some(b"{}".to_vec()),
        )
    };
    for _ in 0..2 {
        assert_eq!(check().await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    limited(&check().await);
}

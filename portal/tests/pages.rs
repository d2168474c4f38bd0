//! Review finding M1 (test T8): a citizen who files many dossiers cannot push another's out of
//! the agency's inbox — the list comes in pages with a cursor (`Link: <…>; rel="next"`), every
//! dossier reachable, and the status filter pages too.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal, ct01_as};
use serde_json::Value;

on_both!(
    every_dossier_is_reachable_page_by_page,
    a_dossier_takes_a_bounded_number_of_versions,
    the_data_log_and_the_access_audit_come_in_pages
);

/// Review finding M1 (audits capped at 500): the citizen's data-store log and a dossier's access
/// audit page with `next` until every entry was shown, none twice.
async fn the_data_log_and_the_access_audit_come_in_pages(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    for _ in 0..7 {
        let a = p
            .get("/datastore/v1/me/attributes?keys=citizen.fullName", &an)
            .await;
        assert_eq!(a.status, StatusCode::OK);
    }
    // The log is written by the intake writer: wait until all seven are there.
    for _ in 0..100 {
        let all = p.get("/datastore/v1/me/audit", &an).await;
        if all.json["entries"].as_array().unwrap().len() >= 7 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let all = p.get("/datastore/v1/me/audit", &an).await.json["entries"].clone();
    let total = all.as_array().unwrap().len();
    let mut seen = Vec::new();
    let mut url = Some("/datastore/v1/me/audit?limit=2".to_owned());
    while let Some(u) = url {
        let page = p.get(&u, &an).await;
        assert_eq!(page.status, StatusCode::OK, "{u}: {}", page.json);
        seen.extend(page.json["entries"].as_array().unwrap().iter().cloned());
        url = page.json["next"].as_str().map(str::to_owned);
        assert!(seen.len() <= total + 2, "paging does not end");
    }
    assert_eq!(Value::Array(seen), all, "every entry once, in order");

    let a = p
        .post("/api/v1/dossiers", &an, Some("p1"), &ct01_as("citizen-an"))
        .await;
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    let ha = p.token("official-ha").await;
    for _ in 0..3 {
        assert_eq!(
            p.get(&format!("/api/v1/dossiers/{code}"), &ha).await.status,
            StatusCode::OK
        );
    }
    let first = p
        .get(&format!("/api/v1/dossiers/{code}/access?limit=2"), &an)
        .await;
    assert_eq!(first.json["entries"].as_array().unwrap().len(), 2);
    let next = first.json["next"].as_str().unwrap().to_owned();
    let second = p.get(&next, &an).await;
    assert_eq!(second.json["entries"].as_array().unwrap().len(), 1);
    assert!(second.json["next"].is_null());
}

/// Review finding M1: a dossier is read whole when opened, so its versions are bounded, and an
/// amendment's attachment names too.
async fn a_dossier_takes_a_bounded_number_of_versions(b: Backend) {
    let p = TestPortal::start_with(
        b,
        portal::Config {
            rates: portal::limits::Rates::off(),
            ..portal::Config::development()
        },
    )
    .await;
    let an = p.token("citizen-an").await;
    let body = ct01_as("citizen-an");
    let a = p.post("/api/v1/dossiers", &an, Some("v0"), &body).await;
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    let amend = format!("/api/v1/dossiers/{code}/amendments");
    let long = serde_json::json!({"data": body["data"], "attachments": [{"sha256": "00", "name": "x".repeat(256)}]});
    let a = p.post(&amend, &an, Some("long"), &long).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    assert_eq!(a.json["diagnostics"][0]["pointer"], "/attachments/0/name");
    for i in 1..portal::intake::MAX_VERSIONS {
        let a = p
            .post(
                &amend,
                &an,
                Some(&format!("v{i}")),
                &serde_json::json!({"data": body["data"]}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{i}: {}", a.json);
    }
    let a = p
        .post(
            &amend,
            &an,
            Some("one-more"),
            &serde_json::json!({"data": body["data"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.json);
    assert_eq!(a.json["error"]["code"], "too-many-versions");
}

async fn every_dossier_is_reachable_page_by_page(b: Backend) {
    let p = TestPortal::start_with(
        b,
        portal::Config {
            rates: portal::limits::Rates::off(),
            ..portal::Config::development()
        },
    )
    .await;
    let binh = p.token("citizen-binh").await;
    let real = p
        .post(
            "/api/v1/dossiers",
            &binh,
            Some("real"),
            &ct01_as("citizen-binh"),
        )
        .await;
    assert_eq!(real.status, StatusCode::CREATED, "{}", real.json);
    let real = real.json["dossierCode"].as_str().unwrap().to_owned();
    let an = p.token("citizen-an").await;
    for i in 0..60 {
        let a = p
            .post(
                "/api/v1/dossiers",
                &an,
                Some(&format!("flood-{i}")),
                &ct01_as("citizen-an"),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    }
    let ha = p.token("official-ha").await;
    // Page by page, newest first, until no `next`.
    let all = |first: &str| {
        let (p, ha, first) = (&p, ha.clone(), first.to_owned());
        async move {
            let mut url = Some(first);
            let mut codes: Vec<String> = Vec::new();
            let mut pages = 0;
            while let Some(u) = url {
                let a = p.get(&u, &ha).await;
                assert_eq!(a.status, StatusCode::OK, "{u}: {}", a.json);
                pages += 1;
                codes.extend(
                    a.json
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d["code"].as_str().unwrap().to_owned()),
                );
                url = a.headers.get("link").map(|l| {
                    let l = l.to_str().unwrap();
                    assert!(l.ends_with("; rel=\"next\""), "{l}");
                    l[1..l.find('>').unwrap()].to_owned()
                });
            }
            (codes, pages)
        }
    };
    let (codes, pages) = all("/api/v1/dossiers").await;
    assert_eq!(pages, 2, "50 and 11");
    assert_eq!(codes.len(), 61);
    let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), 61, "no dossier twice");
    assert_eq!(codes.last(), Some(&real), "the oldest is on the last page");
    // With the status filter and a page size.
    let (codes, pages) = all("/api/v1/dossiers?status=submitted&limit=25").await;
    assert_eq!((codes.len(), pages), (61, 3));
    // A citizen pages through their own.
    let mine = p.get("/api/v1/dossiers?limit=10", &an).await;
    assert_eq!(mine.json.as_array().map(Vec::len), Some(10));
    assert!(mine.headers.contains_key("link"));
    let bad = p.get("/api/v1/dossiers?before=yesterday", &an).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json["error"]["code"], "cursor-invalid");
    let _: Value = bad.json;
}

//! The transactional outbox and the agency's pull API (the scale-out issue): every dossier
//! event is written with its change, numbered per agency without gaps even under concurrent
//! submissions; an agency's system reads them in order with a service account's key, resumes
//! after the last one, and reads the dossiers (recorded in the access audit); nobody else does.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal};
use serde_json::{Value, json};

on_both!(
    an_agency_system_reads_its_events_in_order,
    concurrent_submissions_number_events_without_gaps
);

const AGENCY: &str = "000.00.18.H56";

/// A service account of `agency`; its key.
async fn service_account(p: &TestPortal, name: &str, agency: &str) -> String {
    let key = format!(
        "{}{}",
        portal::auth::SERVICE_KEY_PREFIX,
        portal::encode::new_token().unwrap()
    );
    let user = portal::db::UserRow {
        id: format!("service:{name}"),
        role: "official".into(),
        name: name.into(),
        agency_code: Some(agency.into()),
        personal_id: None,
    };
    assert!(
        p.state
            .db
            .add_service_account(&user, &portal::auth::token_hash(&key), 0)
            .await
            .unwrap()
    );
    key
}

/// Every event after `after`, page by page of `limit`, following `next`.
async fn all_events(p: &TestPortal, key: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = format!("/api/v1/agency/events?after=0&limit={limit}");
    loop {
        let page = p.get(&url, key).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        let events = page.json["events"].as_array().unwrap().clone();
        assert!(events.len() <= limit);
        url = page.json["next"].as_str().unwrap().to_owned();
        if events.is_empty() {
            return out;
        }
        out.extend(events);
    }
}

async fn an_agency_system_reads_its_events_in_order(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let ha = p.token("official-ha").await;
    let key = service_account(&p, "motcua", AGENCY).await;
    let submit = |k: &'static str| {
        let p = &p;
        let an = an.clone();
        async move {
            let a = p
                .post(
                    "/api/v1/dossiers",
                    &an,
                    Some(k),
                    &common::ct01_as("citizen-an"),
                )
                .await;
            assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
            a.json["dossierCode"].as_str().unwrap().to_owned()
        }
    };
    let first = submit("ev-1").await;
    let second = submit("ev-2").await;
    // A replay stores nothing and writes no event.
    assert_eq!(submit("ev-1").await, first);
    let amended = common::ct01_as("citizen-an");
    let a = p
        .post(
            &format!("/api/v1/dossiers/{first}/amendments"),
            &an,
            Some("ev-3"),
            &amended,
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let s = p
        .post(
            &format!("/api/v1/dossiers/{second}/status"),
            &ha,
            None,
            &json!({"status": "needs-supplement", "message": "Bổ sung giấy tờ"}),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.json);

    let events = all_events(&p, &key, 2).await;
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["dossierCode"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("dossier.received", first.as_str()),
            ("dossier.received", second.as_str()),
            ("dossier.amended", first.as_str()),
            ("dossier.status-changed", second.as_str()),
        ]
    );
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    assert_eq!(events[2]["version"], 2);
    assert_eq!(events[3]["status"], "needs-supplement");
    // The same events again carry the same ids (a receiver drops repeats by id).
    let again = all_events(&p, &key, 500).await;
    assert_eq!(again, events);
    let ids: std::collections::HashSet<&str> =
        events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), events.len());
    // Resuming after the last event: nothing, and the cursor stays.
    let tail = p.get("/api/v1/agency/events?after=4", &key).await;
    assert_eq!(tail.json["events"], json!([]));
    assert_eq!(tail.json["next"], "/api/v1/agency/events?after=4&limit=100");

    // The system reads the dossier; the read is in the access audit under its name.
    let d = p.get(events[0]["dossier"].as_str().unwrap(), &key).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.json);
    let audit = p
        .get(&format!("/api/v1/dossiers/{first}/access"), &an)
        .await;
    assert!(
        audit.json["entries"][0]["actor"]["name"] == "motcua",
        "{}",
        audit.json
    );

    // Nobody else: a citizen, another agency's official, another agency's system, a revoked
    // key, no key, a bad cursor; a system cannot use the builder.
    assert_eq!(
        p.get("/api/v1/agency/events", &an).await.status,
        StatusCode::FORBIDDEN
    );
    let huy = p.token("official-huy").await;
    assert_eq!(
        p.get("/api/v1/agency/events", &huy).await.json["events"],
        json!([])
    );
    let other = service_account(&p, "khac", "000.00.20.H56").await;
    assert_eq!(
        p.get("/api/v1/agency/events", &other).await.json["events"],
        json!([])
    );
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{first}"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.get("/api/v1/builder/forms", &key).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        p.get("/api/v1/agency/events?after=-1", &key).await.status,
        StatusCode::BAD_REQUEST
    );
    assert!(
        p.state
            .db
            .revoke_service_account("service:motcua", 1)
            .await
            .unwrap()
    );
    assert_eq!(
        p.get("/api/v1/agency/events", &key).await.status,
        StatusCode::UNAUTHORIZED
    );
    let forged = format!("{}{}", portal::auth::SERVICE_KEY_PREFIX, "0".repeat(64));
    assert_eq!(
        p.get("/api/v1/agency/events", &forged).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn concurrent_submissions_number_events_without_gaps(b: Backend) {
    let p = TestPortal::start_with(
        b,
        portal::Config {
            rates: portal::limits::Rates::off(),
            ..portal::Config::development()
        },
    )
    .await;
    let key = service_account(&p, "motcua", AGENCY).await;
    let an = p.token("citizen-an").await;
    let body = common::ct01_as("citizen-an");
    let mut tasks = Vec::new();
    for i in 0..40 {
        let app = p.app.clone();
        let (an, body) = (an.clone(), body.to_string());
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = axum::http::Request::post("/api/v1/dossiers")
                .header("authorization", format!("Bearer {an}"))
                .header("content-type", "application/json")
                .header("idempotency-key", format!("par-{i}"))
                .body(axum::body::Body::from(body))
                .unwrap();
            app.oneshot(req).await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    let events = all_events(&p, &key, 7).await;
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<i64>>());
    let codes: std::collections::HashSet<&str> = events
        .iter()
        .map(|e| e["dossierCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 40, "each dossier received once");
}

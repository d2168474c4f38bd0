//! Webhooks to the agency (the scale-out issue): a receiver written for the test — plain
//! HTTP/1.1 over TCP — checks each request's Standard Webhooks signature with its own HMAC,
//! records the `webhook-id`s it acknowledged, and fails on a schedule (500s, answers too late,
//! connections closed without an answer). Two instances deliver at once. Every event arrives;
//! repeats are only ids the receiver already saw (when it answered too late); dead deliveries
//! come back with a replay under the same id; files come as links that work for a day.

mod common;

use axum::http::StatusCode;
use common::receiver::{Act, SECRET, receiver};
use common::{Backend, TestPortal};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both!(
    every_event_reaches_the_agency_through_failures,
    dead_deliveries_are_replayed_with_their_id
);

const AGENCY: &str = "000.00.18.H56";

/// A portal that delivers quickly: retries after 50–400 ms, a 400 ms answer deadline.
async fn portal(b: Backend, give_up: Duration) -> TestPortal {
    TestPortal::start_with(
        b,
        portal::Config {
            rates: portal::limits::Rates::off(),
            delivery: portal::config::Delivery {
                every: Duration::from_millis(50),
                retry_base: Duration::from_millis(50),
                retry_max: Duration::from_millis(400),
                give_up,
                timeout: Duration::from_millis(400),
                lease: Duration::from_millis(1500),
                batch: 8,
            },
            public_url: Some("http://127.0.0.1:9".into()),
            ..portal::Config::development()
        },
    )
    .await
}

async fn set_webhook(p: &TestPortal, url: &str) {
    p.state
        .db
        .set_webhook(&portal::db::delivery::Webhook {
            agency_code: AGENCY.into(),
            url: url.into(),
            secret: SECRET.into(),
            events: "*".into(),
            created_at: 0,
        })
        .await
        .unwrap();
}

async fn submit(p: &TestPortal, token: &str, key: &str) -> String {
    let a = p
        .post(
            "/api/v1/dossiers",
            token,
            Some(key),
            &common::ct01_as("citizen-an"),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    a.json["dossierCode"].as_str().unwrap().to_owned()
}

/// Waits until no delivery is pending (or panics after `limit`).
async fn settled(p: &TestPortal, limit: Duration) {
    let started = Instant::now();
    loop {
        let pending = p
            .state
            .db
            .deliveries(Some("pending"), None, 10)
            .await
            .unwrap();
        if pending.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "still pending after {limit:?}: {pending:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn every_event_reaches_the_agency_through_failures(b: Backend) {
    // About a third of the calls fail: 500s, late answers, closed connections.
    let (url, seen) = receiver(Duration::from_millis(900), |n| match n % 10 {
        1 | 5 => Act::Fail,
        3 => Act::Late,
        7 => Act::Close,
        _ => Act::Ok,
    })
    .await;
    let one = portal(b, Duration::from_secs(120)).await;
    let two = one.another_instance().await;
    set_webhook(&one, &url).await;
    let an = one.token("citizen-an").await;
    let ha = one.token("official-ha").await;
    let mut codes = Vec::new();
    for i in 0..24 {
        // Half through each instance.
        let p = if i % 2 == 0 { &one } else { &two };
        codes.push(submit(p, &an, &format!("hook-{i}")).await);
    }
    // A result with its document: the body links to it.
    let pdf = one
        .call(
            "POST",
            "/api/v1/attachments?name=kq.pdf",
            Some(&ha),
            &[("content-type", "application/pdf")],
            Some(common::PDF.to_vec()),
        )
        .await;
    let sha = pdf.json["sha256"].as_str().unwrap().to_owned();
    let r = one
        .post(
            &format!("/api/v1/dossiers/{}/status", codes[0]),
            &ha,
            None,
            &json!({"status": "result-issued", "message": "Kết quả", "result": {"sha256": sha, "name": "kq.pdf"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    settled(&one, Duration::from_secs(60)).await;

    let events = one.state.db.events_after(AGENCY, 0, 1000).await.unwrap();
    assert_eq!(events.len(), 25);
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(seen.bad_signatures, 0);
    // Every event acknowledged; nothing the receiver did not expect.
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let acked: std::collections::HashSet<&str> = seen.acked.keys().map(String::as_str).collect();
    assert_eq!(acked, ids);
    // Repeats only where the receiver answered too late (it drops them by id).
    let repeats: usize = seen.acked.values().map(|n| n - 1).sum();
    let late = (0..seen.requests).filter(|n| n % 10 == 3).count();
    assert!(repeats <= late, "{repeats} repeats, {late} late answers");
    eprintln!(
        "{} requests for {} events: {repeats} repeated ids",
        seen.requests,
        events.len()
    );
    // The bodies: the event and the dossier; the result document as a working link.
    let received = &seen.bodies[&events[0].id];
    assert_eq!(received["type"], "dossier.received");
    assert_eq!(received["data"]["dossierCode"], codes[0]);
    assert_eq!(
        received["data"]["dossier"]["versionList"][0]["data"]["applicant"]["fullName"],
        common::ct01_as("citizen-an")["data"]["applicant"]["fullName"]
    );
    let result = &seen.bodies[&events[24].id];
    assert_eq!(result["type"], "dossier.result-issued");
    let link = result["data"]["dossier"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|h| h["attachmentUrl"].as_str())
        .unwrap()
        .trim_start_matches("http://127.0.0.1:9")
        .to_owned();
    let file = two.call("GET", &link, None, &[], None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, common::PDF.to_vec());
    let forged = link.replace("token=", "token=00");
    assert_eq!(
        two.call("GET", &forged, None, &[], None).await.status,
        StatusCode::NOT_FOUND
    );
    // The citizen sees that the dossier reached the agency's system.
    let d = one
        .get(&format!("/api/v1/dossiers/{}", codes[1]), &an)
        .await;
    assert!(d.json["deliveredAt"].is_string(), "{}", d.json);
}

async fn dead_deliveries_are_replayed_with_their_id(b: Backend) {
    let down = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = down.clone();
    let (url, seen) = receiver(Duration::from_millis(900), move |_| {
        if flag.load(std::sync::atomic::Ordering::SeqCst) {
            Act::Fail
        } else {
            Act::Ok
        }
    })
    .await;
    let p = portal(b, Duration::from_millis(600)).await;
    set_webhook(&p, &url).await;
    let an = p.token("citizen-an").await;
    let code = submit(&p, &an, "dead-1").await;
    let started = Instant::now();
    let dead = loop {
        let dead = p.state.db.deliveries(Some("dead"), None, 10).await.unwrap();
        if !dead.is_empty() {
            break dead;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "nothing dead");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].dossier_code, code);
    assert!(dead[0].attempts >= 2, "{dead:?}");
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("500")
    );
    assert!(seen.lock().unwrap().acked.is_empty());
    let d = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    assert!(d.json.get("deliveredAt").is_none(), "{}", d.json);

    // The administrator sees the dead delivery; the receiver is back; they replay it.
    let eform = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_eform"))
            .args(args)
            .env("EFORM_DATABASE_URL", &p.url)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code_, listed) = eform(&["deliveries", "list", "--state", "dead"]);
    assert_eq!(code_, Some(0), "{listed}");
    assert!(
        listed.contains(&dead[0].event_id) && listed.contains("answered 500"),
        "{listed}"
    );
    down.store(false, std::sync::atomic::Ordering::SeqCst);
    let (code_, replayed) = eform(&["deliveries", "replay"]);
    assert_eq!(code_, Some(0), "{replayed}");
    assert!(replayed.starts_with("1 delivery"), "{replayed}");
    settled(&p, Duration::from_secs(20)).await;
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(
        seen.acked.keys().collect::<Vec<_>>(),
        vec![&dead[0].event_id]
    );
    let delivered = p
        .state
        .db
        .deliveries(Some("delivered"), None, 10)
        .await
        .unwrap();
    assert_eq!(delivered.len(), 1);
}

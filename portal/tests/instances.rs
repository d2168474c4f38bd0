//! Several instances on one database (review H4, the scale-out issue): what one instance
//! started or published, another serves — signing transactions (a poll on the instance that
//! did not take the request, an approval there, the outcome seen by the first) and the
//! builder's publications (served by the other instance within a second).

mod common;

use axum::http::StatusCode;
use base64::Engine;
use common::{Backend, TestPortal};
use form_core::sign::{self, SignAlgo, TrustStore};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use x509_cert::Certificate;
use x509_cert::der::Decode;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

on_both!(
    a_signature_started_on_one_instance_finishes_on_another,
    a_form_published_on_one_instance_is_served_by_another
);

/// Rate limits count every instance's requests (PostgreSQL: SQLite serves one instance).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_count_every_instance_s_requests() {
    if !common::postgres_available() {
        return;
    }
    let mut rates = portal::limits::Rates::off();
    rates.set("datastore=4/h").unwrap();
    let one = TestPortal::start_with(
        Backend::Postgres,
        portal::Config {
            rates,
            ..portal::Config::development()
        },
    )
    .await;
    let two = one.another_instance().await;
    let an = one.token("citizen-an").await;
    let mut answers = Vec::new();
    for i in 0..6 {
        let p = if i % 2 == 0 { &one } else { &two };
        answers.push(
            p.get("/datastore/v1/me/attributes?keys=citizen.fullName", &an)
                .await
                .status
                .as_u16(),
        );
    }
    // Each instance alone would have let 4 through (8 in all).
    assert_eq!(answers, vec![200, 200, 200, 200, 429, 429]);
    let refused = two
        .get("/datastore/v1/me/attributes?keys=citizen.fullName", &an)
        .await;
    let wait: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // Another citizen is not held back.
    let binh = two.token("citizen-binh").await;
    assert_eq!(
        one.get("/datastore/v1/me/attributes?keys=citizen.fullName", &binh)
            .await
            .status,
        StatusCode::OK
    );
}

async fn post(p: &TestPortal, url: &str, token: &str, body: &Value) -> common::Answer {
    p.call(
        "POST",
        url,
        Some(token),
        &[],
        Some(body.to_string().into_bytes()),
    )
    .await
}

async fn a_signature_started_on_one_instance_finishes_on_another(b: Backend) {
    let one = TestPortal::start(b).await;
    let two = one.another_instance().await;
    let an = one.token("citizen-an").await;
    // The credential as the second instance lists it (the same development CA).
    let list = post(&two, "/bridge/v1/credentials/list", &an, &json!({})).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    let info = &list.json["credentialInfos"][0];
    let id = info["credentialID"].as_str().unwrap().to_owned();
    let chain: Vec<Certificate> = info["cert"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Certificate::from_der(&B64.decode(c.as_str().unwrap()).unwrap()).unwrap())
        .collect();
    let data = json!({"applicant": {"fullName": "Nguyễn Văn An"}});
    let content = sign::content("ct01", 1, &data).unwrap();
    let now = u64::try_from(portal::clock::now_ms() / 1000).unwrap();
    let prepared = sign::prepare(&sign::content_digest(&content), now, &chain[0]).unwrap();

    // Started on the first instance, polled on the second.
    let started = post(
        &one,
        "/bridge/v1/signatures/signHash",
        &an,
        &json!({"credentialID": id, "hashes": [B64.encode(prepared.hash)],
                "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
                "signAlgo": SignAlgo::EcdsaP256Sha256.oid(), "docId": "ct01"}),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let tx = started.json["transactionID"].as_str().unwrap().to_owned();
    let status = format!("/bridge/v1/signatures/{tx}");
    assert_eq!(two.get(&status, &an).await.json["status"], "pending");
    // The citizen's "phone" is served by the second instance too.
    let page = two.call("GET", "/dev/signer", Some(&an), &[], None).await;
    assert!(
        String::from_utf8_lossy(&page.bytes).contains(&tx),
        "the second instance lists the request"
    );
    let approved = two
        .call(
            "POST",
            &format!("/dev/signer/{tx}/approve"),
            Some(&an),
            &[],
            None,
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    // Approving twice (on either instance) changes nothing.
    let again = one
        .call(
            "POST",
            &format!("/dev/signer/{tx}/reject"),
            Some(&an),
            &[],
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let done = one.get(&status, &an).await;
    assert_eq!(done.json["status"], "completed", "{}", done.json);
    let signature = B64
        .decode(done.json["signatures"][0].as_str().unwrap())
        .unwrap();
    let p7s = sign::assemble(&prepared, SignAlgo::EcdsaP256Sha256, &signature, &chain).unwrap();
    let (roots, _) = one.state.bridge.trust();
    let v = sign::verify(
        &p7s,
        &content,
        &TrustStore::new(roots),
        &sign::Context::at(now),
    );
    assert!(v.valid, "{:?}", v.problems);
    // Another citizen sees it on neither.
    let binh = two.token("citizen-binh").await;
    for p in [&one, &two] {
        assert_eq!(p.get(&status, &binh).await.status, StatusCode::NOT_FOUND);
    }
    // The limit of waiting requests counts those taken by every instance.
    for (i, p) in [&one, &two, &one].into_iter().enumerate() {
        let r = post(
            p,
            "/bridge/v1/signatures/signHash",
            &an,
            &json!({"credentialID": id, "hashes": [B64.encode([i as u8; 32])],
                    "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
                    "signAlgo": SignAlgo::EcdsaP256Sha256.oid(), "docId": "ct01"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    }
    let fourth = post(
        &two,
        "/bridge/v1/signatures/signHash",
        &an,
        &json!({"credentialID": id, "hashes": [B64.encode([9u8; 32])],
                "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
                "signAlgo": SignAlgo::EcdsaP256Sha256.oid(), "docId": "ct01"}),
    )
    .await;
    assert_eq!(
        fourth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        fourth.json
    );
}

async fn a_form_published_on_one_instance_is_served_by_another(b: Backend) {
    let one = TestPortal::start(b).await;
    let two = one.another_instance().await;
    let ha = one.token("official-ha").await;
    let id = "giay-phep-hai";
    let definition = |version: u32, label: &str| {
        json!({
            "id": id, "version": version,
            "title": {"vi": "Giấy phép hai", "en": "Second permit"},
            "dataSchema": {"type": "object", "properties": {"hoTen": {"type": "string", "maxLength": 100}}, "required": ["hoTen"]},
            "pages": [{"id": "p1", "title": {"vi": "Trang 1", "en": "Page 1"},
                       "sections": [{"id": "s1", "title": {"vi": "Thông tin", "en": "Information"},
                                     "items": [{"widget": "text", "pointer": "/hoTen", "label": {"vi": label, "en": "Full name"}}]}]}],
        })
    };
    let forms = "/api/v1/builder/forms";
    let made = post(&one, forms, &ha, &json!({"id": id})).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    let mut rev = made.json["rev"].as_i64().unwrap();
    for (version, label) in [(1, "Họ và tên"), (2, "Họ, chữ đệm và tên")] {
        let saved = one
            .call(
                "PUT",
                &format!("{forms}/{id}"),
                Some(&ha),
                &[],
                Some(
                    json!({"rev": rev, "definition": definition(version, label)})
                        .to_string()
                        .into_bytes(),
                ),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
        rev = saved.json["rev"].as_i64().unwrap();
        let published = post(
            &one,
            &format!("{forms}/{id}/publish"),
            &ha,
            &json!({"rev": rev}),
        )
        .await;
        assert_eq!(published.status, StatusCode::CREATED, "{}", published.json);
        let version = published.json["version"].as_i64().unwrap();
        // The other instance serves it at once (it looks every 400 ms; 2 s allow for a
        // loaded test machine).
        let started = Instant::now();
        loop {
            let got = two
                .call("GET", &format!("/forms/{id}"), None, &[], None)
                .await;
            if got.status == StatusCode::OK && got.json["version"] == version {
                assert!(got.json.to_string().contains(label));
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "version {version} not served by the other instance after {:?}: {} {}",
                started.elapsed(),
                got.status,
                got.json
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

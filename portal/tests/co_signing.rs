//! Co-signing (definition `signature.coSigners`): a marriage registration declaration signed by
//! the applicant waits for the other spouse's signature from their own session — the agency
//! neither lists nor reads it, nor hears of it, before — and goes to the agency once signed
//! (one outbox event). Each co-signature is validated at its receipt like the applicant's,
//! against the co-signer's ID number (real certificates of `common::pki`). A decline ends a
//! first submission and drops an amendment; the deadline does the same. Both backends.

mod common;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::pki::{Citizen, Pki};
use common::{Backend, TestPortal};
use form_core::sign;
use portal::Config;
use serde_json::{Value, json};

on_both!(
    the_other_spouse_signs_then_the_agency_gets_it,
    a_decline_or_the_deadline_ends_it_and_an_amendment_waits_again,
);

const AN_ID: &str = "001090012345";
const BINH_ID: &str = "056185004321";
const AGENCY: &str = "000.00.18.H56";

fn now() -> u64 {
    u64::try_from(portal::clock::now_ms() / 1000).unwrap()
}

fn example() -> Value {
    serde_json::from_str(include_str!(
        "../../schemas/forms/marriage-registration.example.json"
    ))
    .unwrap()
}

/// The declaration with `data`, signed by `c`.
fn signed(pki: &Pki, c: &Citizen, data: &Value) -> Value {
    let content = sign::content("marriage-registration", 2, data).unwrap();
    json!({
        "formId": "marriage-registration", "formVersion": 2, "data": data,
        "signature": {"cms": B64.encode(pki.sign(c, &content, now()))},
    })
}

/// A co-signature by `c` over `data` of version `version`.
fn co_sign(pki: &Pki, c: &Citizen, data: &Value, version: i64) -> Value {
    let content = sign::content("marriage-registration", 2, data).unwrap();
    json!({"version": version, "signature": {"cms": B64.encode(pki.sign(c, &content, now()))}})
}

/// An official sets the status of dossier `code`.
async fn set_status(p: &TestPortal, token: &str, code: &str, body: Value) -> common::Answer {
    p.post(
        &format!("/api/v1/dossiers/{code}/status"),
        token,
        None,
        &body,
    )
    .await
}

/// Submits a new dossier as `token` under the idempotency `key`.
async fn submit(p: &TestPortal, token: &str, key: &str, body: &Value) -> common::Answer {
    p.post("/api/v1/dossiers", token, Some(key), body).await
}

async fn portal_trusting(b: Backend, pki: &Pki) -> TestPortal {
    let mut config = Config::development();
    config.trust_store = Some(pki.root_pem());
    TestPortal::start_with(b, config).await
}

/// The agency's outbox events of `code`: (kind, version).
async fn agency_heard(p: &TestPortal, code: &str) -> Vec<(String, Option<i64>)> {
    p.state
        .db
        .events_after(AGENCY, 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.dossier_code == code)
        .map(|e| (e.event.kind, e.event.version))
        .collect()
}

async fn inbox_has(p: &TestPortal, official: &str, code: &str) -> bool {
    let a = p.get("/api/v1/dossiers?limit=500", official).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    a.json.as_array().unwrap().iter().any(|d| d["code"] == code)
}

async fn the_other_spouse_signs_then_the_agency_gets_it(b: Backend) {
    let mut pki = Pki::new();
    pki.start_ocsp(common::pki::OcspMode::Good);
    let p = portal_trusting(b, &pki).await;
    let an_cert = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let binh_cert = pki.valid_citizen("Trần Thị Bình", BINH_ID);
    let (an, binh, cuong, ha) = (
        p.token("citizen-an").await,
        p.token("citizen-binh").await,
        p.token("citizen-cuong").await,
        p.token("official-ha").await,
    );
    let data = example();
    // An (the husband) submits, signed: the wife is the one co-signer left.
    let body = signed(&pki, &an_cert, &data);
    let a = submit(&p, &an, "m1", &body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    // The receipt says so too: the runtime's confirmation tells the citizen it waits; a retry
    // whose answer was lost gets the same answer.
    assert_eq!(a.json["status"], "awaiting-co-signature");
    let replayed = submit(&p, &an, "m1", &body).await;
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(replayed.json, a.json);
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    let mine = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    assert_eq!(mine.json["status"], "awaiting-co-signature");
    let parties = mine.json["versionList"][0]["coSignatures"].clone();
    assert_eq!(parties.as_array().unwrap().len(), 1, "{parties}");
    assert_eq!(parties[0]["name"], "Trần Thị Bình");
    assert_eq!(parties[0]["label"]["en"], "The woman");
    assert_eq!(parties[0]["status"], "waiting");
    // The agency neither lists, reads nor hears of it yet.
    assert!(!inbox_has(&p, &ha, &code).await);
    let a = p.get(&format!("/api/v1/dossiers/{code}"), &ha).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(agency_heard(&p, &code).await.is_empty());
    let a = set_status(&p, &ha, &code, json!({"status": "received"})).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    // One person named for both parties would sign once for two: refused, with the place.
    let mut twice = data.clone();
    twice["husband"]["idNumber"] = json!(BINH_ID);
    let a = submit(&p, &an, "m0", &signed(&pki, &an_cert, &twice)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    let codes: Vec<(&str, &str)> = a.json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["pointer"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert!(
        codes.contains(&("/husband/idNumber", "co-signer-repeated")),
        "{codes:?}"
    );
    // Bình has it as a task, with what she signs; a stranger has nothing.
    let tasks = p.get("/api/v1/co-signatures", &binh).await;
    assert_eq!(tasks.status, StatusCode::OK, "{}", tasks.json);
    assert_eq!(tasks.json[0]["code"], code.as_str());
    assert_eq!(tasks.json[0]["applicant"]["name"], "Nguyễn Văn An");
    let task = p.get(&format!("/api/v1/co-signatures/{code}"), &binh).await;
    assert_eq!(task.status, StatusCode::OK, "{}", task.json);
    assert_eq!(task.json["data"], data);
    assert_eq!(task.json["you"]["status"], "waiting");
    assert!(
        task.json.get("history").is_none(),
        "a co-signer sees no history"
    );
    for who in [&cuong, &ha] {
        let a = p.get(&format!("/api/v1/co-signatures/{code}"), who).await;
        assert_ne!(a.status, StatusCode::OK, "{}", a.json);
    }
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{code}"), &binh)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the co-signer does not read the dossier itself"
    );
    let url = format!("/api/v1/co-signatures/{code}");
    // Refused: An's certificate in Bình's session; Bình signing other content; a stale version.
    let a = p
        .post(&url, &binh, None, &co_sign(&pki, &an_cert, &data, 1))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    assert!(
        a.json["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "signer-not-applicant"),
        "{}",
        a.json
    );
    let mut other = data.clone();
    other["wife"]["marriageCount"] = json!(2);
    let a = p
        .post(&url, &binh, None, &co_sign(&pki, &binh_cert, &other, 1))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    let a = p
        .post(&url, &binh, None, &co_sign(&pki, &binh_cert, &data, 2))
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.json);
    let a = p.post(&url, &binh, None, &json!({"version": 1})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.json);
    assert!(agency_heard(&p, &code).await.is_empty());
    // Bình signs: the dossier goes to the agency, once.
    let a = p
        .post(&url, &binh, None, &co_sign(&pki, &binh_cert, &data, 1))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["complete"], true);
    let again = p
        .post(&url, &binh, None, &co_sign(&pki, &binh_cert, &data, 1))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["status"], "signed");
    assert_eq!(
        agency_heard(&p, &code).await,
        vec![("dossier.received".to_owned(), Some(1))]
    );
    assert!(inbox_has(&p, &ha, &code).await);
    let seen = p.get(&format!("/api/v1/dossiers/{code}"), &ha).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json["status"], "submitted");
    let party = &seen.json["versionList"][0]["coSignatures"][0];
    assert_eq!(party["status"], "signed");
    assert_eq!(party["signature"]["signer"]["name"], "Trần Thị Bình");
    assert_eq!(party["signature"]["applicantId"], BINH_ID);
    assert_eq!(
        party["signature"]["validation"]["indication"], "TOTAL-PASSED",
        "{party}"
    );
    let history = seen.json["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last["kind"], "co-signed");
    assert_eq!(last["byOfficial"], false);
    // The download carries the revocation answers each signature was judged with.
    let file = p
        .get(&format!("/api/v1/dossiers/{code}/download"), &an)
        .await;
    assert!(
        file.json["versionList"][0]["coSignatures"][0]["signature"]["validationData"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "{}",
        file.json["versionList"][0]["coSignatures"][0]
    );
    // `eform verify` judges both signatures from the file alone, each against its party.
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("dossier.json"), &file.bytes).unwrap();
    let verify = |dir: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_eform"))
            .args(["verify", "dossier.json", "--trust-store"])
            .arg(pki.root_pem())
            .current_dir(dir)
            .output()
            .unwrap()
    };
    let run = verify(out.path());
    let said = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(run.status.success(), "{said}");
    assert_eq!(
        said.matches("signature valid — TOTAL-PASSED").count(),
        2,
        "{said}"
    );
    assert!(
        said.contains("co-signer The woman, Trần Thị Bình: signature valid"),
        "{said}"
    );
    assert!(said.contains("CCCD:056185004321"), "{said}");
    // Her signature with the content changed after: NOT valid.
    let mut changed: Value = serde_json::from_slice(&file.bytes).unwrap();
    changed["versionList"][0]["coSignatures"][0]["signature"]["cms"] =
        changed["versionList"][0]["signature"]["cms"].clone();
    std::fs::write(out.path().join("dossier.json"), changed.to_string()).unwrap();
    let run = verify(out.path());
    let said = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(!run.status.success(), "{said}");
    assert!(said.contains("signer-not-applicant"), "{said}");
    // Nothing left for Bình.
    let tasks = p.get("/api/v1/co-signatures", &binh).await;
    assert_eq!(tasks.json, json!([]));
    // A citizen without an ID number in the session, or an official, has no tasks.
    assert_eq!(
        p.get("/api/v1/co-signatures", &ha).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn a_decline_or_the_deadline_ends_it_and_an_amendment_waits_again(b: Backend) {
    let mut pki = Pki::new();
    pki.start_ocsp(common::pki::OcspMode::Good);
    let p = portal_trusting(b, &pki).await;
    let an_cert = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let binh_cert = pki.valid_citizen("Trần Thị Bình", BINH_ID);
    let (an, binh, ha) = (
        p.token("citizen-an").await,
        p.token("citizen-binh").await,
        p.token("official-ha").await,
    );
    let data = example();
    // Declined: the dossier ends, with her reason, and never reaches the agency.
    let a = submit(&p, &an, "d1", &signed(&pki, &an_cert, &data)).await;
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    let url = format!("/api/v1/co-signatures/{code}");
    let long = "x".repeat(501);
    let a = p
        .post(
            &url,
            &binh,
            None,
            &json!({"version": 1, "decline": true, "reason": long}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = p
        .post(
            &url,
            &binh,
            None,
            &json!({"version": 1, "decline": true, "reason": "Sai ngày sinh của tôi"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let mine = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    assert_eq!(mine.json["status"], "co-signature-declined");
    let last = mine.json["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "co-signature-declined");
    assert_eq!(last["message"], "Sai ngày sinh của tôi");
    assert_eq!(
        mine.json["versionList"][0]["coSignatures"][0]["reason"],
        "Sai ngày sinh của tôi"
    );
    assert!(!inbox_has(&p, &ha, &code).await);
    assert!(agency_heard(&p, &code).await.is_empty());
    // Nor does changing its status open it to the agency.
    let a = set_status(&p, &ha, &code, json!({"status": "received"})).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    let a = p
        .post(
            &format!("/api/v1/dossiers/{code}/rating"),
            &an,
            None,
            &json!({"score": 5}),
        )
        .await;
    assert_eq!(
        a.status,
        StatusCode::CONFLICT,
        "no service to rate: {}",
        a.json
    );
    let a = p
        .post(
            &format!("/api/v1/dossiers/{code}/amendments"),
            &an,
            Some("d1-a"),
            &signed(&pki, &an_cert, &data),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.json);
    assert_eq!(a.json["error"]["code"], "dossier-ended");
    let a = p
        .post(&url, &binh, None, &co_sign(&pki, &binh_cert, &data, 1))
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "declined is final");

    // The deadline: nobody signs within the days the form gives (7).
    let a = submit(&p, &an, "e1", &signed(&pki, &an_cert, &data)).await;
    let late = a.json["dossierCode"].as_str().unwrap().to_owned();
    let soon = portal::clock::now_ms() + 6 * 86_400_000;
    assert_eq!(p.state.db.expire_co_signatures(soon).await.unwrap(), 0);
    let after = portal::clock::now_ms() + 7 * 86_400_000 + 1000;
    assert_eq!(p.state.db.expire_co_signatures(after).await.unwrap(), 1);
    assert_eq!(
        p.state.db.expire_co_signatures(after).await.unwrap(),
        0,
        "a second pass (another instance) finds nothing"
    );
    let mine = p.get(&format!("/api/v1/dossiers/{late}"), &an).await;
    assert_eq!(mine.json["status"], "co-signature-expired");
    assert_eq!(
        mine.json["versionList"][0]["coSignatures"][0]["status"],
        "expired"
    );
    assert!(!inbox_has(&p, &ha, &late).await);

    // An amendment of a dossier the agency has: it waits again, the agency keeps it (and
    // waits to act); a decline drops the amendment, the dossier back where it was.
    let a = submit(&p, &an, "f1", &signed(&pki, &an_cert, &data)).await;
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    let url = format!("/api/v1/co-signatures/{code}");
    let a = p
        .post(&url, &binh, None, &co_sign(&pki, &binh_cert, &data, 1))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let a = set_status(&p, &ha, &code, json!({"status": "received"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let mut changed = data.clone();
    changed["receivingAgency"] = json!("Ủy ban nhân dân phường Ngọc Hà, thành phố Hà Nội");
    let amend_url = format!("/api/v1/dossiers/{code}/amendments");
    let a = p
        .post(
            &amend_url,
            &an,
            Some("f1-a"),
            &signed(&pki, &an_cert, &changed),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let seen = p.get(&format!("/api/v1/dossiers/{code}"), &ha).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json["status"], "awaiting-co-signature");
    let a = set_status(
        &p,
        &ha,
        &code,
        json!({"status": "needs-supplement", "message": "?"}),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.json);
    assert_eq!(a.json["error"]["code"], "awaiting-co-signature");
    // Her task is now version 2; the first version's signature is not asked again.
    let task = p.get(&url, &binh).await;
    assert_eq!(task.json["version"], 2);
    let a = p
        .post(&url, &binh, None, &json!({"version": 2, "decline": true}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let seen = p.get(&format!("/api/v1/dossiers/{code}"), &ha).await;
    assert_eq!(seen.json["status"], "received", "back where it was");
    let versions = |doc: &Value| -> Vec<i64> {
        doc["versionList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        versions(&seen.json),
        [1],
        "the agency reads no dropped version"
    );
    let mine = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    assert_eq!(
        versions(&mine.json),
        [1, 2],
        "the applicant sees what became of it"
    );
    assert_eq!(
        mine.json["versionList"][1]["coSignatures"][0]["status"],
        "declined"
    );
    let heard = agency_heard(&p, &code).await;
    assert_eq!(
        heard
            .iter()
            .filter(|(k, _)| k == "dossier.received")
            .count(),
        1,
        "{heard:?}"
    );
    assert!(
        !agency_heard(&p, &code)
            .await
            .iter()
            .any(|(k, _)| k == "dossier.amended"),
        "a dropped amendment is not announced"
    );
    // Amended again and signed this time: the agency hears of version 3.
    let a = p
        .post(
            &amend_url,
            &an,
            Some("f1-b"),
            &signed(&pki, &an_cert, &changed),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let a = p
        .post(&url, &binh, None, &co_sign(&pki, &binh_cert, &changed, 3))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let heard = agency_heard(&p, &code).await;
    assert_eq!(
        heard
            .iter()
            .filter(|(k, _)| k == "dossier.amended")
            .collect::<Vec<_>>(),
        vec![&("dossier.amended".to_owned(), Some(3))]
    );
    let seen = p.get(&format!("/api/v1/dossiers/{code}"), &ha).await;
    assert_eq!(seen.json["status"], "submitted");
    assert_eq!(versions(&seen.json), [1, 3]);
    let content = p
        .get(&format!("/api/v1/dossiers/{code}/signed/content.json"), &ha)
        .await;
    assert_eq!(
        content.json["data"], changed,
        "the newest standing version by default"
    );
}

//! Drafts saved on the portal (save and resume on another device): saved and read back by
//! their owner only, sealed at rest (the database holds no plaintext, and a row moved to
//! another citizen does not open), shared by instances with the same key, bounded, removed by
//! the submission and after the form's keeping time. Both backends.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal};
use portal::Config;
use serde_json::{Value, json};

on_both!(
    a_draft_follows_its_owner_sealed_and_goes_with_the_submission,
    drafts_are_bounded_and_kept_for_the_forms_time,
);

const DAY_MS: i64 = 24 * 3600 * 1000;

/// A development portal with the draft key in a file (as every instance of a deployment has).
async fn portal(b: Backend) -> (TestPortal, tempfile::TempDir) {
    let keys = tempfile::tempdir().unwrap();
    let file = keys.path().join("draft.key");
    std::fs::write(&file, portal::seal::Sealer::new_key_hex().unwrap()).unwrap();
    let mut config = Config::development();
    config.draft_key = Some(file);
    (TestPortal::start_with(b, config).await, keys)
}

async fn put(p: &TestPortal, token: &str, form: &str, body: &Value) -> common::Answer {
    p.call(
        "PUT",
        &format!("/api/v1/drafts/{form}"),
        Some(token),
        &[],
        Some(body.to_string().into_bytes()),
    )
    .await
}

fn ms(rfc3339: &Value) -> i64 {
    portal::clock::parse_rfc3339(rfc3339.as_str().unwrap()).unwrap()
}

async fn a_draft_follows_its_owner_sealed_and_goes_with_the_submission(b: Backend) {
    let (p, _keys) = portal(b).await;
    let (an, binh) = (p.token("citizen-an").await, p.token("citizen-binh").await);
    let mut data = common::ct01_as("citizen-an")["data"].clone();
    data["request"] = json!("Nội dung riêng tư của bản nháp");
    let a = put(&p, &an, "ct01", &json!({"formVersion": 1, "data": data})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let now = portal::clock::now_ms();
    let expires = ms(&a.json["expiresAt"]);
    assert!((expires - now - 30 * DAY_MS).abs() < 60_000, "kept 30 days");
    // Back, whole, for its owner — on this instance or another with the same key.
    let got = p.get("/api/v1/drafts/ct01", &an).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.json);
    assert_eq!(got.json["data"], data);
    assert_eq!(got.json["formVersion"], 1);
    let list = p.get("/api/v1/drafts", &an).await;
    assert_eq!(list.json[0]["formId"], "ct01");
    assert!(list.json[0]["formTitle"]["vi"].is_string(), "{}", list.json);
    if b == Backend::Postgres {
        let other = p.another_instance().await;
        let got = other.get("/api/v1/drafts/ct01", &an).await;
        assert_eq!(got.json["data"], data, "the second instance reads it");
    }
    // Nobody else reads it.
    let a = p.get("/api/v1/drafts/ct01", &binh).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.json["error"]["code"], "draft-not-found");
    assert_eq!(p.get("/api/v1/drafts", &binh).await.json, json!([]));
    let ha = p.token("official-ha").await;
    assert_eq!(
        p.get("/api/v1/drafts", &ha).await.status,
        StatusCode::FORBIDDEN
    );
    // Sealed at rest: the stored bytes hold none of the text; moved to another citizen, the
    // row does not open.
    let raw = sealed_bytes(&p, "citizen-an", "ct01").await;
    let needle = "Nội dung riêng tư".as_bytes();
    assert!(!raw.windows(needle.len()).any(|w| w == needle));
    assert!(!raw.windows(12).any(|w| w == b"001090012345"));
    move_draft(&p, "citizen-an", "citizen-binh").await;
    let a = p.get("/api/v1/drafts/ct01", &binh).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    move_draft(&p, "citizen-binh", "citizen-an").await;
    assert_eq!(
        p.get("/api/v1/drafts/ct01", &an).await.status,
        StatusCode::OK
    );
    // A portal with another key opens nothing (as if there were no draft).
    let (q, _k2) = {
        let keys = tempfile::tempdir().unwrap();
        let file = keys.path().join("draft.key");
        std::fs::write(&file, portal::seal::Sealer::new_key_hex().unwrap()).unwrap();
        let mut config = (*p.state.config).clone();
        config.draft_key = Some(file);
        let state = portal::AppState::new(
            portal::catalog::Catalog::load(None).unwrap(),
            p.dir.path().join("web"),
            &p.url,
            config,
        )
        .await
        .unwrap();
        (
            TestPortal::from_state(state, tempfile::tempdir().unwrap(), p.url.clone()),
            keys,
        )
    };
    assert_eq!(
        q.get("/api/v1/drafts/ct01", &an).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        q.get("/api/v1/drafts", &an).await.json,
        json!([]),
        "nor is it listed there"
    );
    // The submission takes the draft with it.
    let submission = common::ct01_as("citizen-an");
    let a = p
        .post("/api/v1/dossiers", &an, Some("s1"), &submission)
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    assert_eq!(
        p.get("/api/v1/drafts/ct01", &an).await.status,
        StatusCode::NOT_FOUND
    );
    // A save that lands after the submission, then the submission retried (its answer was
    // lost): the retry takes the draft away again.
    let a = put(&p, &an, "ct01", &json!({"formVersion": 1, "data": data})).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = p
        .post("/api/v1/dossiers", &an, Some("s1"), &submission)
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    assert_eq!(a.headers["idempotent-replayed"], "true");
    assert_eq!(
        p.get("/api/v1/drafts/ct01", &an).await.status,
        StatusCode::NOT_FOUND
    );
    // Saved again, then removed by its owner (start again).
    let a = put(
        &p,
        &an,
        "ct01",
        &json!({"formVersion": 1, "data": {"request": "x"}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let del = p
        .call("DELETE", "/api/v1/drafts/ct01", Some(&an), &[], None)
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let del = p
        .call("DELETE", "/api/v1/drafts/ct01", Some(&an), &[], None)
        .await;
    assert_eq!(
        del.status,
        StatusCode::NO_CONTENT,
        "nothing left: the same answer"
    );
}

async fn drafts_are_bounded_and_kept_for_the_forms_time(b: Backend) {
    let (p, _keys) = portal(b).await;
    let an = p.token("citizen-an").await;
    for (body, form, status, code) in [
        (
            json!({"formVersion": 1, "data": []}),
            "ct01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "type",
        ),
        (
            json!({"formVersion": 9, "data": {}}),
            "ct01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "form-version-not-served",
        ),
        (
            json!({"formVersion": 1, "data": {}}),
            "no-such-form",
            StatusCode::NOT_FOUND,
            "form-not-found",
        ),
        (
            json!({"data": {}}),
            "ct01",
            StatusCode::BAD_REQUEST,
            "json-syntax",
        ),
        (
            json!({"formVersion": 1, "data": {"request": "x".repeat(600 * 1024)}}),
            "ct01",
            StatusCode::PAYLOAD_TOO_LARGE,
            "draft-too-large",
        ),
    ] {
        let a = put(&p, &an, form, &body).await;
        assert_eq!(a.status, status, "{form} {}", a.json);
        if !code.is_empty() {
            assert_eq!(a.json["error"]["code"], code, "{}", a.json);
        }
    }
    assert_eq!(p.get("/api/v1/drafts", &an).await.json, json!([]));
    // A form kept 2 days by its retention policy; the others 30.
    p.state
        .db
        .set_retention(&portal::db::RetentionPolicy {
            form_id: "ct01".into(),
            days: None,
            action: "anonymise".into(),
            files_days: None,
            audit_days: None,
            drafts_days: Some(2),
            set_at: portal::clock::now_ms(),
        })
        .await
        .unwrap();
    let a = put(
        &p,
        &an,
        "ct01",
        &json!({"formVersion": 1, "data": {"request": "x"}}),
    )
    .await;
    let now = portal::clock::now_ms();
    assert!((ms(&a.json["expiresAt"]) - now - 2 * DAY_MS).abs() < 60_000);
    let a = put(
        &p,
        &an,
        "birth-registration",
        &json!({"formVersion": 1, "data": {"x": 1}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(
        p.state
            .db
            .forget_citizen_drafts(now + DAY_MS)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        p.state
            .db
            .forget_citizen_drafts(now + 3 * DAY_MS)
            .await
            .unwrap(),
        1
    );
    let list = p.get("/api/v1/drafts", &an).await;
    assert_eq!(list.json.as_array().unwrap().len(), 1);
    assert_eq!(list.json[0]["formId"], "birth-registration");
    // A key file that is not one: the portal does not start.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.key"), "not a key").unwrap();
    let mut config = Config::development();
    config.draft_key = Some(dir.path().join("bad.key"));
    let Err(err) = portal::AppState::new(
        portal::catalog::Catalog::load(None).unwrap(),
        p.dir.path().join("web"),
        &p.url,
        config,
    )
    .await
    else {
        panic!("a portal started with a draft key that is not one");
    };
    assert!(err.to_string().contains("64 hexadecimal digits"), "{err}");
}

/// The stored (sealed) bytes of a draft.
async fn sealed_bytes(p: &TestPortal, owner: &str, form: &str) -> Vec<u8> {
    use sqlx::Row;
    let q = "SELECT data FROM drafts WHERE owner_id = $1 AND form_id = $2";
    match &p.state.db {
        portal::db::Db::Sqlite { read, .. } => sqlx::query(q)
            .bind(owner)
            .bind(form)
            .fetch_one(read)
            .await
            .unwrap()
            .get("data"),
        portal::db::Db::Pg(pool) => sqlx::query(q)
            .bind(owner)
            .bind(form)
            .fetch_one(pool)
            .await
            .unwrap()
            .get("data"),
    }
}

/// Moves a citizen's drafts to another (what someone with access to the database could do).
async fn move_draft(p: &TestPortal, from: &str, to: &str) {
    let q = "UPDATE drafts SET owner_id = $2 WHERE owner_id = $1";
    match &p.state.db {
        portal::db::Db::Sqlite { write, .. } => {
            sqlx::query(q)
                .bind(from)
                .bind(to)
                .execute(write)
                .await
                .unwrap();
        }
        portal::db::Db::Pg(pool) => {
            sqlx::query(q)
                .bind(from)
                .bind(to)
                .execute(pool)
                .await
                .unwrap();
        }
    };
}

//! The retention schedule (review finding H6): a procedure's dossiers are anonymised or deleted
//! a set number of days after their result is issued — the data, signatures, messages and
//! files go; an anonymised dossier keeps its figures; dossiers still being handled are never
//! touched; the access audit records each erasure; a second pass (another instance) does
//! nothing more.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal};
use portal::db::RetentionPolicy;
use serde_json::json;

on_both!(
    dossiers_past_their_retention_are_erased,
    files_and_the_data_store_log_go_on_their_own_schedule
);

const DAY: i64 = 24 * 3600 * 1000;

/// Submits a CT01 dossier as An; its code.
async fn submit(p: &TestPortal, an: &str, key: &str) -> String {
    let a = p
        .post(
            "/api/v1/dossiers",
            an,
            Some(key),
            &common::ct01_as("citizen-an"),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    a.json["dossierCode"].as_str().unwrap().to_owned()
}

/// Issues the result of `code` with a result document; the document's SHA-256.
async fn issue_result(p: &TestPortal, ha: &str, code: &str, pdf: &[u8]) -> String {
    let up = p
        .call(
            "POST",
            "/api/v1/attachments?name=kq.pdf",
            Some(ha),
            &[("content-type", "application/pdf")],
            Some(pdf.to_vec()),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.json);
    let sha = up.json["sha256"].as_str().unwrap().to_owned();
    let r = p
        .post(
            &format!("/api/v1/dossiers/{code}/status"),
            ha,
            None,
            &json!({"status": "result-issued", "message": "Đã cấp kết quả cho ông Nguyễn Văn An", "result": {"sha256": sha, "name": "kq.pdf"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    sha
}

fn policy(form_id: &str, days: i64, action: &str) -> RetentionPolicy {
    RetentionPolicy {
        form_id: form_id.into(),
        days: Some(days),
        action: action.into(),
        files_days: None,
        audit_days: None,
        drafts_days: None,
        set_at: portal::clock::now_ms(),
    }
}

async fn dossiers_past_their_retention_are_erased(b: Backend) {
    let p = TestPortal::start(b).await;
    let db = &p.state.db;
    let an = p.token("citizen-an").await;
    let ha = p.token("official-ha").await;
    let done = submit(&p, &an, "ret-1").await;
    let pending = submit(&p, &an, "ret-2").await;
    let mut pdf = common::PDF.to_vec();
    let sha = issue_result(&p, &ha, &done, &pdf).await;
    let now = portal::clock::now_ms();

    // No policy: nothing is ever erased.
    assert!(
        db.due_for_erasure(now + 10_000 * DAY, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The form's own policy wins over the default.
    db.set_retention(&policy("*", 1, "delete")).await.unwrap();
    db.set_retention(&policy("ct01", 30, "anonymise"))
        .await
        .unwrap();
    assert_eq!(
        db.apply_retention(now + 2 * DAY).await.unwrap(),
        portal::db::Erasure::default()
    );
    let policies: Vec<(String, Option<i64>, String)> = db
        .retention_policies()
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.form_id, p.days, p.action))
        .collect();
    assert_eq!(
        policies,
        vec![
            ("*".into(), Some(1), "delete".into()),
            ("ct01".into(), Some(30), "anonymise".into())
        ]
    );

    // Thirty-one days after the result: the finished dossier is anonymised, the other kept.
    let (dossiers, versions) = p.counts().await;
    let erased = db.apply_retention(now + 31 * DAY).await.unwrap();
    assert_eq!(
        (erased.anonymised, erased.deleted, erased.files),
        (1, 0, 1),
        "{erased:?}"
    );
    assert_eq!(p.counts().await, (dossiers, versions - 1));
    let row = db.dossier(&done).await.unwrap().unwrap();
    assert_eq!(row.owner_id, "erased");
    assert_eq!(row.status, "result-issued");
    assert_eq!(row.form_id, "ct01");
    assert!(row.erased_at.is_some());
    assert!(db.versions(&done).await.unwrap().is_empty());
    assert!(db.events(&done).await.unwrap().is_empty());
    // The result document is gone for everyone.
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha}"), &ha)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The official is told why; the citizen no longer sees it at all.
    let gone = p.get(&format!("/api/v1/dossiers/{done}"), &ha).await;
    assert_eq!(gone.status, StatusCode::GONE, "{}", gone.json);
    assert_eq!(gone.json["error"]["code"], "dossier-erased");
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{done}"), &an).await.status,
        StatusCode::NOT_FOUND
    );
    let mine = p.get("/api/v1/dossiers", &an).await;
    let codes: Vec<&str> = mine
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec![pending.as_str()], "{}", mine.json);
    let inbox = p.get("/api/v1/dossiers", &ha).await;
    assert!(
        !inbox.json.to_string().contains(&done),
        "the inbox lists an erased dossier: {}",
        inbox.json
    );
    // The dossier still being handled is untouched.
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{pending}"), &an)
            .await
            .status,
        StatusCode::OK
    );
    // A second pass (another instance) finds nothing to do.
    assert_eq!(
        db.apply_retention(now + 31 * DAY).await.unwrap(),
        portal::db::Erasure::default()
    );

    // Deletion: the dossier goes entirely, a file another dossier still has stays.
    db.set_retention(&policy("ct01", 30, "delete"))
        .await
        .unwrap();
    let third = submit(&p, &an, "ret-3").await;
    pdf.extend_from_slice(b"\n% another result\n");
    let sha2 = issue_result(&p, &ha, &pending, &pdf).await;
    // The third dossier gets the same document.
    assert_eq!(issue_result(&p, &ha, &third, &pdf).await, sha2);
    let later = portal::clock::now_ms();
    // One dossier erased (as a pass would): the document its neighbour has stays.
    let erased = db.erase_dossier(&pending, "delete", later).await.unwrap();
    assert_eq!((erased.anonymised, erased.deleted, erased.files), (0, 1, 0));
    assert!(db.dossier(&pending).await.unwrap().is_none());
    assert!(db.versions(&pending).await.unwrap().is_empty());
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{pending}"), &ha)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha2}"), &ha)
            .await
            .status,
        StatusCode::OK,
        "a file another dossier still has is kept"
    );
    // Not yet due; then due, and deleted with its document.
    assert_eq!(
        db.apply_retention(later + 29 * DAY).await.unwrap(),
        portal::db::Erasure::default()
    );
    let erased = db.apply_retention(later + 31 * DAY).await.unwrap();
    assert_eq!(
        (erased.anonymised, erased.deleted, erased.files),
        (0, 1, 1),
        "{erased:?}"
    );
    assert!(db.dossier(&third).await.unwrap().is_none());
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha2}"), &ha)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.counts().await,
        (1, 0),
        "only the anonymised dossier's figures remain"
    );

    // The access audit keeps what the schedule did, under the dossiers' codes.
    let mut log = Vec::new();
    for code in [&done, &pending, &third] {
        for (a, _, _) in db.access_of(code, None, 10).await.unwrap() {
            log.push((a.actor_id, a.action, a.dossier_code.unwrap_or_default()));
        }
    }
    assert!(log.contains(&("system:retention".into(), "anonymised".into(), done.clone())));
    for code in [&pending, &third] {
        assert!(log.contains(&("system:retention".into(), "deleted".into(), code.clone())));
    }
}

/// `eform retention set|list|clear|run` against a database.
#[test]
fn the_schedule_is_set_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let eform = env!("CARGO_BIN_EXE_eform");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(eform)
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .env_remove("EFORM_DATABASE_URL")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run(&[
        "retention",
        "set",
        "ct01",
        "--days",
        "1825",
        "--action",
        "anonymise",
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("0 dossier(s) past their retention"), "{out}");
    let (code, out) = run(&[
        "retention",
        "set",
        "*",
        "--days",
        "3650",
        "--action",
        "delete",
    ]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&[
        "retention",
        "set",
        "ct01",
        "--days",
        "5",
        "--action",
        "shred",
    ]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("anonymise or delete"), "{out}");
    let (code, out) = run(&["retention", "list"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("*\tdossiers deleted 3650 days after the result"),
        "{out}"
    );
    assert!(
        out.contains("ct01\tdossiers anonymised 1825 days after the result"),
        "{out}"
    );
    let (code, out) = run(&["retention", "clear", "ct01"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, _) = run(&["retention", "clear", "ct01"]);
    assert_eq!(code, Some(1));
    let (code, out) = run(&[
        "retention",
        "set",
        "ct01",
        "--files-days",
        "30",
        "--audit-days",
        "90",
        "--drafts-days",
        "7",
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(
            "ct01\tfiles removed 30 days after the result\tdata-store log kept 90 days\tdrafts kept 7 days after their last save"
        ),
        "{out}"
    );
    let (code, out) = run(&["retention", "set", "ct01"]);
    assert_eq!(code, Some(2), "{out}");
    let (code, out) = run(&["retention", "set", "ct01", "--days", "5"]);
    assert_eq!(code, Some(2), "--days needs --action: {out}");
    let (code, out) = run(&["retention", "run"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("0 dossier(s) anonymised, 0 deleted"), "{out}");
}

async fn files_and_the_data_store_log_go_on_their_own_schedule(b: Backend) {
    let p = TestPortal::start(b).await;
    let db = &p.state.db;
    let an = p.token("citizen-an").await;
    let ha = p.token("official-ha").await;
    // A data-store read for CT01 (logged with the form) and one for no form.
    for q in [
        "/datastore/v1/me/attributes?keys=citizen.fullName&formId=ct01&formVersion=1",
        "/datastore/v1/me/attributes?keys=citizen.fullName",
    ] {
        let r = p.get(q, &an).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    }
    let code = submit(&p, &an, "files-1").await;
    let sha = issue_result(&p, &ha, &code, common::PDF).await;
    let now = portal::clock::now_ms();
    let log_len = |v: &serde_json::Value| v["entries"].as_array().map_or(0, Vec::len);
    let before = log_len(&p.get("/datastore/v1/me/audit", &an).await.json);
    assert!(before >= 2, "{before}");
    db.set_retention(&RetentionPolicy {
        form_id: "ct01".into(),
        days: Some(3650),
        action: "anonymise".into(),
        files_days: Some(30),
        audit_days: Some(60),
        drafts_days: None,
        set_at: now,
    })
    .await
    .unwrap();
    // A month on: the files go, the dossier stays.
    let e = db.apply_retention(now + 31 * DAY).await.unwrap();
    assert_eq!((e.anonymised, e.deleted, e.files), (0, 0, 1), "{e:?}");
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha}"), &ha)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{code}"), &ha).await.status,
        StatusCode::OK
    );
    // Two months on: the CT01 log entries go; the one of no form stays (no default for it).
    let e = db.apply_retention(now + 61 * DAY).await.unwrap();
    assert!(e.log_entries >= 1, "{e:?}");
    let after = p.get("/datastore/v1/me/audit", &an).await.json;
    assert!(log_len(&after) >= 1 && log_len(&after) < before, "{after}");
    assert!(
        !after.to_string().contains("\"ct01\""),
        "CT01 entries left: {after}"
    );
    // The default then covers the rest.
    db.set_retention(&RetentionPolicy {
        form_id: "*".into(),
        days: None,
        action: "anonymise".into(),
        files_days: None,
        audit_days: Some(60),
        drafts_days: None,
        set_at: now,
    })
    .await
    .unwrap();
    let e = db.apply_retention(now + 61 * DAY).await.unwrap();
    assert!(e.log_entries >= 1, "{e:?}");
    // Each purge is in the access audit.
    let audit = p.get(&format!("/api/v1/dossiers/{code}/access"), &an).await;
    assert!(
        audit.json.to_string().contains("files-removed"),
        "{}",
        audit.json
    );
}

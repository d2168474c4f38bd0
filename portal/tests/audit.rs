//! The access audit (review finding H6): every official's read of a dossier, its download, its
//! signed pair or an attachment is recorded; the dossier's owner sees who read it; nobody can
//! change or remove an entry — the database refuses.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal};

on_both!(officials_reads_are_recorded_and_cannot_be_changed);

async fn officials_reads_are_recorded_and_cannot_be_changed(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let a = p
        .post(
            "/api/v1/dossiers",
            &an,
            Some("audit-1"),
            &common::ct01_as("citizen-an"),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    let access = format!("/api/v1/dossiers/{code}/access");

    // The owner's own reads are not recorded.
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{code}"), &an).await.status,
        StatusCode::OK
    );
    assert_eq!(
        p.get(&access, &an).await.json["entries"],
        serde_json::json!([])
    );

    // The official's are: the dossier, then its download.
    let ha = p.token("official-ha").await;
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{code}"), &ha).await.status,
        StatusCode::OK
    );
    let download = p
        .get(&format!("/api/v1/dossiers/{code}/download"), &ha)
        .await;
    assert_eq!(download.status, StatusCode::OK);
    // The official's reading of a result document they attached shows under the dossier.
    let pdf = p
        .call(
            "POST",
            "/api/v1/attachments?name=kq.pdf",
            Some(&ha),
            &[("content-type", "application/pdf")],
            Some(common::PDF.to_vec()),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::CREATED, "{}", pdf.json);
    let sha = pdf.json["sha256"].as_str().unwrap().to_owned();
    let result = p
        .post(
            &format!("/api/v1/dossiers/{code}/status"),
            &ha,
            None,
            &serde_json::json!({"status": "result-issued", "message": "Kết quả", "result": {"sha256": sha, "name": "kq.pdf"}}),
        )
        .await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.json);
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha}"), &ha)
            .await
            .status,
        StatusCode::OK
    );
    let seen = p.get(&access, &an).await;
    assert_eq!(seen.status, StatusCode::OK);
    let mut entries = seen.json["entries"].as_array().unwrap().clone();
    assert_eq!(entries.remove(0)["action"], "attachment", "{}", seen.json);
    let seen = serde_json::json!({"entries": entries});
    let entries = seen["entries"].as_array().unwrap().clone();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["download", "read"], "{seen}");
    assert_eq!(entries[0]["actor"]["name"], "Phạm Thu Hà");
    assert_eq!(entries[0]["actor"]["agency"]["code"], "000.00.18.H56");
    // The agency's official sees it too; another citizen or agency does not.
    assert_eq!(p.get(&access, &ha).await.status, StatusCode::OK);
    let binh = p.token("citizen-binh").await;
    assert_eq!(p.get(&access, &binh).await.status, StatusCode::NOT_FOUND);
    let huy = p.token("official-huy").await;
    assert_eq!(p.get(&access, &huy).await.status, StatusCode::NOT_FOUND);

    // Append-only, whoever asks the database.
    for statement in [
        "UPDATE access_audit SET actor_id = 'nobody'",
        "DELETE FROM access_audit",
    ] {
        let refused = match &p.state.db {
            portal::db::Db::Sqlite { write, .. } => {
                sqlx::query(statement).execute(write).await.map(|_| ())
            }
            portal::db::Db::Pg(pool) => sqlx::query(statement).execute(pool).await.map(|_| ()),
        };
        let e = refused.expect_err(statement).to_string();
        assert!(e.contains("append-only"), "{statement}: {e}");
    }
    assert_eq!(
        p.get(&access, &an).await.json["entries"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

//! Review finding M6 (test T7): an official's status change sent as `text/plain`, from a foreign
//! `Origin`, or marked `Sec-Fetch-Site: same-site` is refused; the app's own requests go through.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_from_elsewhere_are_refused() {
    let p = TestPortal::start_production(Backend::Sqlite).await;
    // A session as production gives one (the sign-in itself is tested in oidc.rs).
    p.state
        .db
        .upsert_user(&portal::db::UserRow {
            id: "official:ha".into(),
            role: "official".into(),
            name: "Phạm Thu Hà".into(),
            agency_code: Some("000.00.18.H56".into()),
            personal_id: None,
        })
        .await
        .unwrap();
    let token = portal::auth::start_session(&p.state.db, "official:ha", None)
        .await
        .ok()
        .unwrap();
    let cookie = format!("__Host-eform_session={token}");
    let body = br#"{"status": "needs-supplement", "message": "x"}"#.to_vec();
    let status_change = |headers: Vec<(&'static str, String)>| {
        let (p, cookie, body) = (&p, cookie.clone(), body.clone());
        async move {
            let mut all: Vec<(&str, String)> = vec![("cookie", cookie)];
            all.extend(headers);
            let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            p.call(
                "POST",
                "/api/v1/dossiers/000.00.18.H56-261204-0001/status",
                None,
                &refs,
                Some(body),
            )
            .await
        }
    };
    let refused = |a: &common::Answer, status: StatusCode, code: &str| {
        assert_eq!(a.status, status, "{}", a.json);
        assert_eq!(a.json["error"]["code"], code, "{}", a.json);
    };
    // The review's request: text/plain, a foreign origin, a same-site fetch.
    let a = status_change(vec![("content-type", "text/plain".into())]).await;
    refused(&a, StatusCode::UNSUPPORTED_MEDIA_TYPE, "json-required");
    let a = status_change(vec![("origin", "https://evil.example".into())]).await;
    refused(&a, StatusCode::FORBIDDEN, "cross-site-refused");
    let a = status_change(vec![("sec-fetch-site", "same-site".into())]).await;
    refused(&a, StatusCode::FORBIDDEN, "cross-site-refused");
    let a = status_change(vec![("sec-fetch-site", "cross-site".into())]).await;
    refused(&a, StatusCode::FORBIDDEN, "cross-site-refused");
    // The app's own request passes these checks (and meets the dossier's: there is none).
    let a = status_change(vec![
        ("origin", "http://127.0.0.1".into()),
        ("sec-fetch-site", "same-origin".into()),
    ])
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    // The request's own `Host` proves nothing (DNS rebinding): only configured origins count.
    let a = status_change(vec![
        ("origin", "https://portal.example".into()),
        ("host", "portal.example".into()),
    ])
    .await;
    refused(&a, StatusCode::FORBIDDEN, "cross-site-refused");
    // Reads are not affected.
    let a = p
        .call(
            "GET",
            "/api/v1/session",
            None,
            &[("origin", "https://evil.example")],
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
}

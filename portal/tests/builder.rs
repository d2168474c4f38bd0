//! The builder's API: an official's draft saved with its diagnostics, a stale save refused,
//! publishing refused while errors remain, versions immutable with what changed, citizens
//! getting the latest version while dossiers keep theirs, and permissions (another agency's
//! official sees nothing, citizens get 403, nobody signed out gets in). After a restart the
//! published forms are still served.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal};
use serde_json::{Value, json};

on_both!(
    an_official_drafts_and_publishes_versions,
    a_superseded_version_takes_no_new_dossiers_after_the_grace_window,
    only_the_agency_s_officials_reach_its_forms,
);

const ID: &str = "giay-phep-thu";

/// A definition with text fields `(key, vi label)`; the first is required.
fn definition(fields: &[(&str, &str)]) -> Value {
    let properties: serde_json::Map<String, Value> = fields
        .iter()
        .map(|(k, _)| ((*k).to_owned(), json!({"type": "string", "maxLength": 200})))
        .collect();
    let items: Vec<Value> = fields
        .iter()
        .map(|(k, vi)| json!({"widget": "text", "pointer": format!("/{k}"), "label": {"vi": vi, "en": format!("{k} (en)")}}))
        .collect();
    json!({
        "id": ID, "version": 1,
        "title": {"vi": "Giấy phép thử", "en": "Test permit"},
        "dataSchema": {"type": "object", "properties": properties, "required": [fields[0].0]},
        "pages": [{"id": "p1", "title": {"vi": "Trang 1", "en": "Page 1"},
                   "sections": [{"id": "s1", "title": {"vi": "Thông tin", "en": "Information"}, "items": items}]}],
    })
}

async fn call(
    p: &TestPortal,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> common::Answer {
    p.call(
        method,
        url,
        token,
        &[],
        body.map(|b| b.to_string().into_bytes()),
    )
    .await
}

fn pointers(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| f["pointer"].as_str().unwrap())
        .collect()
}

async fn an_official_drafts_and_publishes_versions(b: Backend) {
    let p = TestPortal::start(b).await;
    let ha = p.token("official-ha").await;
    let forms = "/api/v1/builder/forms";
    let form = format!("{forms}/{ID}");

    // A new form starts as a skeleton draft.
    let made = call(&p, "POST", forms, Some(&ha), Some(&json!({"id": ID}))).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    assert_eq!(made.json["rev"], 1);
    assert_eq!(made.json["definition"]["agencyCode"], "000.00.18.H56");
    // Not yet for citizens.
    assert_eq!(
        call(&p, "GET", &format!("/forms/{ID}"), None, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Work in progress with an error is saved, with the diagnostics.
    let mut broken = definition(&[("hoTen", "Họ và tên")]);
    broken["pages"][0]["sections"][0]["items"][0]["pointer"] = json!("/khongCo");
    let saved = call(
        &p,
        "PUT",
        &form,
        Some(&ha),
        Some(&json!({"rev": 1, "definition": broken})),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    assert_eq!(saved.json["rev"], 2);
    let errors: Vec<&Value> = saved.json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert!(!errors.is_empty(), "{}", saved.json);
    assert!(
        errors.iter().any(|d| d["pointer"]
            .as_str()
            .unwrap()
            .starts_with("/pages/0/sections/0/items/0")),
        "{errors:?}"
    );
    // The draft reads back as saved.
    let got = call(&p, "GET", &form, Some(&ha), None).await;
    assert_eq!(
        got.json["definition"]["pages"][0]["sections"][0]["items"][0]["pointer"],
        "/khongCo"
    );
    // Publishing refuses while an error remains; nothing is published.
    let refused = call(
        &p,
        "POST",
        &format!("{form}/publish"),
        Some(&ha),
        Some(&json!({"rev": 2})),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.json
    );
    assert_eq!(refused.json["error"]["code"], "definition-invalid");
    assert!(!refused.json["diagnostics"].as_array().unwrap().is_empty());
    assert_eq!(
        call(&p, "GET", &format!("/forms/{ID}"), None, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Fixed; a save over a stale revision (another tab) is refused with the current one.
    let v1 = definition(&[("hoTen", "Họ và tên"), ("diaChi", "Địa chỉ")]);
    let saved = call(
        &p,
        "PUT",
        &form,
        Some(&ha),
        Some(&json!({"rev": 2, "definition": v1})),
    )
    .await;
    assert_eq!(saved.json["rev"], 3, "{}", saved.json);
    let stale = call(
        &p,
        "PUT",
        &form,
        Some(&ha),
        Some(&json!({"rev": 2, "definition": broken})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        (
            stale.json["error"]["code"].as_str(),
            stale.json["rev"].as_i64()
        ),
        (Some("stale-draft"), Some(3))
    );
    let stale = call(
        &p,
        "POST",
        &format!("{form}/publish"),
        Some(&ha),
        Some(&json!({"rev": 2})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // Published: version 1, every field new; citizens get it.
    let one = call(
        &p,
        "POST",
        &format!("{form}/publish"),
        Some(&ha),
        Some(&json!({"rev": 3})),
    )
    .await;
    assert_eq!(one.status, StatusCode::CREATED, "{}", one.json);
    assert_eq!(one.json["version"], 1);
    assert_eq!(
        pointers(&one.json["changes"]["added"]),
        ["/diaChi", "/hoTen"]
    );
    let served = call(&p, "GET", &format!("/forms/{ID}"), None, None).await;
    assert_eq!(
        (served.status, served.json["version"].as_i64()),
        (StatusCode::OK, Some(1))
    );
    let an = p.token("citizen-an").await;
    let dossier = p
        .post("/api/v1/dossiers", &an, Some("b1"), &json!({"formId": ID, "formVersion": 1, "data": {"hoTen": "Nguyễn Văn An", "diaChi": "Hà Nội"}}))
        .await;
    assert_eq!(dossier.status, StatusCode::CREATED, "{}", dossier.json);
    let code = dossier.json["dossierCode"].as_str().unwrap().to_owned();

    // Version 2: a field removed, one added, one relabelled.
    let v2 = definition(&[
        ("hoTen", "Họ, chữ đệm và tên"),
        ("soDienThoai", "Số điện thoại"),
    ]);
    let saved = call(
        &p,
        "PUT",
        &form,
        Some(&ha),
        Some(&json!({"rev": 3, "definition": v2})),
    )
    .await;
    let two = call(
        &p,
        "POST",
        &format!("{form}/publish"),
        Some(&ha),
        Some(&json!({"rev": saved.json["rev"]})),
    )
    .await;
    assert_eq!(two.status, StatusCode::CREATED, "{}", two.json);
    assert_eq!(two.json["version"], 2);
    let changes = &two.json["changes"];
    assert_eq!(pointers(&changes["added"]), ["/soDienThoai"]);
    assert_eq!(pointers(&changes["removed"]), ["/diaChi"]);
    assert_eq!(pointers(&changes["changed"]), ["/hoTen"]);
    assert_eq!(changes["changed"][0]["label"]["vi"], "Họ, chữ đệm và tên");
    // Citizens get version 2; the dossier keeps version 1; version 1 is kept as it was.
    assert_eq!(
        call(&p, "GET", &format!("/forms/{ID}"), None, None)
            .await
            .json["version"],
        2
    );
    assert_eq!(
        p.get(&format!("/api/v1/dossiers/{code}"), &an).await.json["formVersion"],
        1
    );
    // A draft started on version 1 is still taken within the grace window (24 hours).
    let late = p
        .post("/api/v1/dossiers", &an, Some("b2"), &json!({"formId": ID, "formVersion": 1, "data": {"hoTen": "Nguyễn Văn An", "diaChi": "Hà Nội"}}))
        .await;
    assert_eq!(late.status, StatusCode::CREATED, "{}", late.json);
    let old = call(&p, "GET", &format!("{form}/versions/1"), Some(&ha), None).await;
    assert_eq!(
        old.json["pages"][0]["sections"][0]["items"][1]["pointer"],
        "/diaChi"
    );
    // The list shows the form with both versions, newest first.
    let list = call(&p, "GET", forms, Some(&ha), None).await;
    let mine = list.json["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == ID)
        .unwrap()
        .clone();
    assert_eq!(mine["liveVersion"], 2);
    assert_eq!(
        mine["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [2, 1]
    );
    assert!(
        list.json["forms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "ct01"),
        "the agency's catalog forms are listed"
    );

    // After a restart the published version is still served.
    let TestPortal { dir, url, .. } = p;
    let state = portal::AppState::new(
        portal::Catalog::load(None).unwrap(),
        dir.path().join("web"),
        &url,
        portal::Config::development(),
    )
    .await
    .unwrap();
    let p = TestPortal::from_state(state, dir, url);
    assert_eq!(
        call(&p, "GET", &format!("/forms/{ID}"), None, None)
            .await
            .json["version"],
        2
    );
}

async fn only_the_agency_s_officials_reach_its_forms(b: Backend) {
    let p = TestPortal::start(b).await;
    let ha = p.token("official-ha").await;
    let huy = p.token("official-huy").await; // another agency
    let an = p.token("citizen-an").await;
    let forms = "/api/v1/builder/forms";
    let form = format!("{forms}/{ID}");
    call(
        &p,
        "POST",
        forms,
        Some(&ha),
        Some(&json!({"id": ID, "definition": definition(&[("a", "A")])})),
    )
    .await;
    let body = json!({"rev": 1, "definition": definition(&[("b", "B")])});
    // Another agency's official: as if it did not exist; the id is taken.
    for (method, url, body) in [
        ("GET", form.clone(), None),
        ("PUT", form.clone(), Some(&body)),
        ("POST", format!("{form}/publish"), Some(&json!({"rev": 1}))),
        ("GET", format!("{form}/versions/1"), None),
    ] {
        let a = call(&p, method, &url, Some(&huy), body).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{method} {url}");
    }
    let theirs = call(&p, "GET", forms, Some(&huy), None).await;
    assert!(
        !theirs.json["forms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == ID)
    );
    let taken = call(&p, "POST", forms, Some(&huy), Some(&json!({"id": ID}))).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    // Nor may it start a draft of a form of Hà's agency from the catalog.
    let taken = call(&p, "POST", forms, Some(&huy), Some(&json!({"id": "ct01"}))).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.json);
    // Citizens: 403 everywhere; nobody signed in: 401.
    for (method, url) in [
        ("GET", forms.to_owned()),
        ("POST", forms.to_owned()),
        ("GET", form.clone()),
        ("PUT", form.clone()),
        ("POST", format!("{form}/publish")),
    ] {
        let a = call(&p, method, &url, Some(&an), Some(&body)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {url}");
        let a = call(&p, method, &url, None, Some(&body)).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {url}");
    }
    // Bad input: a bad id, a definition that is not an object, garbage, too large.
    let bad = call(
        &p,
        "POST",
        forms,
        Some(&ha),
        Some(&json!({"id": "Bad Id!"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = call(
        &p,
        "PUT",
        &form,
        Some(&ha),
        Some(&json!({"rev": 1, "definition": [1, 2]})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = p
        .call("PUT", &form, Some(&ha), &[], Some(b"{not json".to_vec()))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let huge = json!({"rev": 1, "definition": {"title": "x".repeat(3 * 1024 * 1024)}});
    let bad = call(&p, "PUT", &form, Some(&ha), Some(&huge)).await;
    assert_eq!(bad.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The draft is untouched by all of that.
    let got = call(&p, "GET", &form, Some(&ha), None).await;
    assert_eq!(
        (
            got.json["rev"].as_i64(),
            got.json["definition"]["pages"][0]["sections"][0]["items"][0]["pointer"].as_str()
        ),
        (Some(1), Some("/a"))
    );
}

/// Review finding H3: an old version no longer files new dossiers once superseded (here with no
/// grace window), so a signature or rule the new version requires cannot be bypassed; dossiers
/// filed on it are still amended on it.
async fn a_superseded_version_takes_no_new_dossiers_after_the_grace_window(b: Backend) {
    let p = TestPortal::start_with(
        b,
        portal::Config {
            form_grace_ms: 0,
            ..portal::Config::development()
        },
    )
    .await;
    let ha = p.token("official-ha").await;
    let an = p.token("citizen-an").await;
    let form = format!("/api/v1/builder/forms/{ID}");
    let made = call(
        &p,
        "POST",
        "/api/v1/builder/forms",
        Some(&ha),
        Some(&json!({"id": ID})),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    let publish = |definition: Value, rev: i64| {
        let (p, ha, form) = (&p, &ha, &form);
        async move {
            let saved = call(
                p,
                "PUT",
                form,
                Some(ha),
                Some(&json!({"rev": rev, "definition": definition})),
            )
            .await;
            assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
            let rev = saved.json["rev"].as_i64().unwrap();
            let published = call(
                p,
                "POST",
                &format!("{form}/publish"),
                Some(ha),
                Some(&json!({"rev": rev})),
            )
            .await;
            assert_eq!(published.status, StatusCode::CREATED, "{}", published.json);
            rev
        }
    };
    let rev = publish(definition(&[("hoTen", "Họ và tên")]), 1).await;
    let v1 = |key: &str| {
        (
            key.to_owned(),
            json!({"formId": ID, "formVersion": 1, "data": {"hoTen": "Nguyễn Văn An"}}),
        )
    };
    let (key, body) = v1("r1");
    let filed = p.post("/api/v1/dossiers", &an, Some(&key), &body).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.json);
    let code = filed.json["dossierCode"].as_str().unwrap().to_owned();

    // Version 2 is published: version 1 takes no new dossier.
    publish(
        definition(&[
            ("hoTen", "Họ, chữ đệm và tên"),
            ("soDienThoai", "Số điện thoại"),
        ]),
        rev,
    )
    .await;
    let (key, body) = v1("r2");
    let refused = p.post("/api/v1/dossiers", &an, Some(&key), &body).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.json
    );
    assert_eq!(refused.json["error"]["code"], "form-version-retired");
    assert_eq!(refused.headers["eform-live-version"], "2");
    assert!(
        refused.json["error"]["message"]["en"]
            .as_str()
            .unwrap()
            .contains("current version")
    );
    // Version 2 does; and the dossier filed on version 1 is still amended on it.
    let v2 = p
        .post(
            "/api/v1/dossiers",
            &an,
            Some("r3"),
            &json!({"formId": ID, "formVersion": 2, "data": {"hoTen": "Nguyễn Văn An"}}),
        )
        .await;
    assert_eq!(v2.status, StatusCode::CREATED, "{}", v2.json);
    let amended = p
        .post(
            &format!("/api/v1/dossiers/{code}/amendments"),
            &an,
            Some("r4"),
            &json!({"data": {"hoTen": "Nguyễn Văn An (sửa)"}}),
        )
        .await;
    assert_eq!(amended.status, StatusCode::CREATED, "{}", amended.json);
}

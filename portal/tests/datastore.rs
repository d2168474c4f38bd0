//! The citizen's data store API, on SQLite and PostgreSQL: only the keys asked for, each read
//! logged; declared values only with consent, catalogue keys of the right type, never over a
//! verified value; nobody reaches another citizen's store.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal};
use serde_json::json;

on_both!(
    reads_only_the_asked_keys_and_logs_them,
    declared_values_need_consent_and_the_catalogue,
    each_citizen_reaches_only_their_own_store,
    mistakes_are_reported_not_corrected,
);

async fn reads_only_the_asked_keys_and_logs_them(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let a = p
        .get("/datastore/v1/me/attributes?keys=citizen.fullName,household.members,citizen.phone&formId=ct01&formVersion=1", &an)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let attrs = a.json["attributes"].as_object().unwrap();
    // Only what was asked (and exists: no phone on record yet).
    assert_eq!(
        attrs.keys().collect::<Vec<_>>(),
        ["citizen.fullName", "household.members"]
    );
    assert_eq!(attrs["citizen.fullName"]["value"], "Nguyễn Văn An");
    assert_eq!(
        attrs["citizen.fullName"]["source"],
        "national-population-db"
    );
    assert_eq!(attrs["citizen.fullName"]["verified"], true);
    let subject = a.json["subject"].as_str().unwrap().to_owned();
    assert!(
        attrs["citizen.fullName"]["updatedAt"]
            .as_str()
            .unwrap()
            .ends_with("+07:00")
    );
    assert_eq!(
        attrs["household.members"]["value"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let audit = p.get("/datastore/v1/me/audit", &an).await;
    let entry = &audit.json["entries"][0];
    assert_eq!(entry["kind"], "read");
    assert_eq!(entry["formId"], "ct01");
    assert_eq!(
        entry["keys"],
        json!(["citizen.fullName", "household.members", "citizen.phone"])
    );
    // Keys outside the catalogue, none, or too many: refused, and not logged.
    let bad = p
        .get(
            "/datastore/v1/me/attributes?keys=citizen.fullName,citizen.password",
            &an,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json["error"]["code"], "unknown-keys");
    assert_eq!(
        p.get("/datastore/v1/me/attributes", &an).await.status,
        StatusCode::BAD_REQUEST
    );
    let many = vec!["citizen.fullName"; 51].join(",");
    assert_eq!(
        p.get(&format!("/datastore/v1/me/attributes?keys={many}"), &an)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        p.get("/datastore/v1/me/audit", &an).await.json["entries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Whose store it is, for drafts kept per citizen: stable, another citizen's differs, and
    // opaque (never the user id, which holds a personal ID number in production).
    assert_eq!(subject.len(), 32);
    assert!(!subject.contains("citizen"));
    let again = p
        .get("/datastore/v1/me/attributes?keys=citizen.fullName", &an)
        .await;
    assert_eq!(again.json["subject"], subject.as_str());
    let binh = p.token("citizen-binh").await;
    let other = p
        .get("/datastore/v1/me/attributes?keys=citizen.fullName", &binh)
        .await;
    assert_ne!(other.json["subject"], subject.as_str());
}

async fn declared_values_need_consent_and_the_catalogue(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let put = |body: serde_json::Value| {
        let (p, an) = (&p, an.clone());
        async move {
            p.call(
                "PUT",
                "/datastore/v1/me/attributes",
                Some(&an),
                &[],
                Some(body.to_string().into_bytes()),
            )
            .await
        }
    };
    let consent =
        json!({"formId": "ct01", "formVersion": 1, "givenAt": "2026-11-25T10:00:00+07:00"});
    let a = put(json!({"attributes": {"citizen.phone": "0912345678"}})).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["error"]["code"], "consent-required");
    let a = put(json!({"consent": {"formId": "no-such-form", "formVersion": 1, "givenAt": "x"}, "attributes": {"citizen.phone": "0912345678"}})).await;
    assert_eq!(a.json["error"]["code"], "consent-invalid");
    let a = put(json!({"consent": consent, "attributes": {"citizen.secret": "x"}})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["error"]["code"], "unknown-keys");
    let a = put(json!({"consent": consent, "attributes": {"citizen.phone": "12345", "citizen.fullName": "Tên Khác"}})).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let codes: Vec<(&str, &str)> = a.json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["pointer"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert!(
        codes.contains(&("/attributes/citizen.phone", "type")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("/attributes/citizen.fullName", "attribute-verified")),
        "{codes:?}"
    );
    let big = "x".repeat(70 * 1024);
    let a = put(json!({"consent": consent, "attributes": {"citizen.email": big}})).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Nothing of the refused writes was kept.
    let read = p
        .get(
            "/datastore/v1/me/attributes?keys=citizen.phone,citizen.email",
            &an,
        )
        .await;
    assert_eq!(read.json["attributes"], json!({}));
    // With consent: kept, as declared by the citizen.
    let a = put(json!({"consent": consent, "attributes": {"citizen.phone": "0912 345 678", "citizen.email": "an@example.vn"}})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let read = p
        .get(
            "/datastore/v1/me/attributes?keys=citizen.phone,citizen.email",
            &an,
        )
        .await;
    assert_eq!(
        read.json["attributes"]["citizen.phone"]["value"],
        "0912 345 678"
    );
    assert_eq!(
        read.json["attributes"]["citizen.phone"]["source"],
        "citizen-declared"
    );
    assert_eq!(read.json["attributes"]["citizen.phone"]["verified"], false);
    let kinds: Vec<String> = p.get("/datastore/v1/me/audit", &an).await.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&"write".to_owned()), "{kinds:?}");

    // Review finding H6 (no erasure, no consent withdrawal): the citizen erases what they
    // declared — one key, then the rest; verified register values stay; the log says so.
    let erase = |query: &'static str| {
        let (p, an) = (&p, an.clone());
        async move {
            p.call(
                "DELETE",
                &format!("/datastore/v1/me/attributes{query}"),
                Some(&an),
                &[],
                None,
            )
            .await
        }
    };
    let a = erase("?keys=citizen.email,citizen.fullName").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["erased"], json!(["citizen.email"]));
    let read = p
        .get(
            "/datastore/v1/me/attributes?keys=citizen.phone,citizen.email,citizen.fullName",
            &an,
        )
        .await;
    assert!(
        read.json["attributes"]["citizen.email"].is_null(),
        "{}",
        read.json
    );
    assert_eq!(
        read.json["attributes"]["citizen.phone"]["value"],
        "0912 345 678"
    );
    assert_eq!(
        read.json["attributes"]["citizen.fullName"]["verified"],
        true
    );
    let a = erase("").await;
    assert_eq!(a.json["erased"], json!(["citizen.phone"]));
    assert_eq!(erase("").await.json["erased"], json!([]));
    let kinds: Vec<String> = p.get("/datastore/v1/me/audit", &an).await.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "erase").count(),
        2,
        "{kinds:?}"
    );
}

async fn each_citizen_reaches_only_their_own_store(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let binh = p.token("citizen-binh").await;
    let ha = p.token("official-ha").await;
    p.get(
        "/datastore/v1/me/attributes?keys=citizen.fullName&formId=ct01",
        &an,
    )
    .await;
    let theirs = p
        .get(
            "/datastore/v1/me/attributes?keys=citizen.fullName,enterprise.name",
            &binh,
        )
        .await;
    assert_eq!(
        theirs.json["attributes"]["citizen.fullName"]["value"],
        "Trần Thị Bình"
    );
    assert_eq!(
        theirs.json["attributes"]["enterprise.name"]["source"],
        "enterprise-registry"
    );
    // Bình's audit has her read only.
    let audit = p.get("/datastore/v1/me/audit", &binh).await;
    assert_eq!(audit.json["entries"].as_array().unwrap().len(), 1);
    assert!(!audit.json.to_string().contains("ct01"));
    // No session: 401; officials have no personal store here: 403.
    for (method, url) in [
        ("GET", "/datastore/v1/me/attributes?keys=citizen.fullName"),
        ("PUT", "/datastore/v1/me/attributes"),
        ("GET", "/datastore/v1/me/audit"),
        ("POST", "/datastore/v1/me/reports"),
    ] {
        let a = p.call(method, url, None, &[], Some(b"{}".to_vec())).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {url}");
        let a = p
            .call(method, url, Some(&ha), &[], Some(b"{}".to_vec()))
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {url}");
    }
    // Every demo value fits the catalogue.
    for (owner, attrs) in portal::datastore::demo_attributes() {
        for (_, key, value) in attrs {
            assert_eq!(
                portal::keys::CATALOGUE.check(key, &value),
                Ok(()),
                "{owner} {key}"
            );
        }
    }
}

async fn mistakes_are_reported_not_corrected(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let binh = p.token("citizen-binh").await;
    let report = |body: serde_json::Value, token: String| {
        let p = &p;
        async move {
            p.call(
                "POST",
                "/datastore/v1/me/reports",
                Some(&token),
                &[],
                Some(body.to_string().into_bytes()),
            )
            .await
        }
    };
    let a = report(json!({"key": "citizen.secret", "message": "x"}), an.clone()).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["error"]["code"], "unknown-keys");
    let a = report(
        json!({"key": "citizen.fullName", "message": "  "}),
        an.clone(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["error"]["code"], "message-required");
    let a = report(
        json!({"key": "citizen.fullName", "message": "x".repeat(2001)}),
        an.clone(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = report(
        json!({"key": "citizen.fullName", "message": "x".repeat(70 * 1024)}),
        an.clone(),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let a = report(
        json!({"key": "citizen.fullName", "whom": "citizen-binh", "message": "x"}),
        an.clone(),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "unknown members refused");
    let a = report(
        json!({"key": "citizen.fullName", "message": "Tên đúng là Nguyễn Văn Ân (dấu mũ).", "formId": "ct01", "formVersion": 1}),
        an.clone(),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    // The register's value stays; the report shows in An's audit only.
    let read = p
        .get("/datastore/v1/me/attributes?keys=citizen.fullName", &an)
        .await;
    assert_eq!(
        read.json["attributes"]["citizen.fullName"]["value"],
        "Nguyễn Văn An"
    );
    let audit = p.get("/datastore/v1/me/audit", &an).await;
    let reported: Vec<&serde_json::Value> = audit.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "report")
        .collect();
    assert_eq!(reported.len(), 1);
    assert_eq!(reported[0]["keys"], json!(["citizen.fullName"]));
    assert_eq!(reported[0]["formId"], "ct01");
    let theirs = p.get("/datastore/v1/me/audit", &binh).await;
    assert_eq!(theirs.json["entries"], json!([]));
}

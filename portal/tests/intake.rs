//! Dossier intake through the HTTP API, on SQLite and on PostgreSQL: submission, idempotency,
//! codes, amendments, the inbox, attachments, ratings, who may see what, bad input, faults.
//!
//! Long on purpose: the dossier API's tests, each on SQLite and PostgreSQL, sharing one harness.

mod common;

use axum::http::StatusCode;
use common::{Backend, PDF, TestPortal, ct01, ct01_as};
use serde_json::{Value, json};
use std::collections::BTreeSet;

on_both!(
    submit_checks_then_stores_once,
    bad_input_stores_nothing,
    codes_are_distinct_under_concurrency,
    amendments_keep_the_code_and_the_history,
    inbox_status_flow_and_results,
    attachments_are_checked_and_tied_to_dossiers,
    ratings_are_anonymous_and_once,
    nobody_sees_another_citizens_or_agencys_dossiers,
    every_api_endpoint_needs_a_session,
    sessions_end_on_sign_out,
    retry_after_a_dropped_connection_makes_one_dossier,
    locked_values_must_be_the_registers,
);

async fn submit_checks_then_stores_once(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let first = p
        .post("/api/v1/dossiers", &an, Some("key-1"), &ct01())
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    let code = first.json["dossierCode"].as_str().unwrap().to_owned();
    // <agency>-<yymmdd>-<4 digits>, agency from the form.
    let parts: Vec<&str> = code.rsplitn(3, '-').collect();
    assert_eq!(parts[2], "000.00.18.H56", "{code}");
    assert_eq!(parts[1].len(), 6);
    assert_eq!(parts[0], "0001");
    assert!(
        first.json["receivedAt"]
            .as_str()
            .unwrap()
            .ends_with("+07:00")
    );
    assert_eq!(first.json["status"], "submitted");
    assert!(first.headers.get("idempotent-replayed").is_none());

    // The same key: the same dossier, never a second.
    let again = p
        .post("/api/v1/dossiers", &an, Some("key-1"), &ct01())
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json, first.json);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(p.counts().await, (1, 1));

    // The same key with another request is refused.
    let mut other = ct01();
    other["data"]["request"] = json!("Một yêu cầu khác.");
    let reused = p.post("/api/v1/dossiers", &an, Some("key-1"), &other).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.json["error"]["code"], "idempotency-key-reused");
    // Another key: another dossier, next number.
    let second = p.post("/api/v1/dossiers", &an, Some("key-2"), &other).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert!(
        second.json["dossierCode"]
            .as_str()
            .unwrap()
            .ends_with("-0002")
    );
    // Another citizen may use the same key text: keys are per citizen.
    let binh = p.token("citizen-binh").await;
    let theirs = p
        .post(
            "/api/v1/dossiers",
            &binh,
            Some("key-1"),
            &ct01_as("citizen-binh"),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(theirs.json["dossierCode"], first.json["dossierCode"]);

    // What is stored is what the citizen sent (the example has nothing computed or hidden).
    let got = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json["status"], "submitted");
    assert_eq!(got.json["formVersion"], 1);
    assert_eq!(got.json["versionList"][0]["data"], ct01()["data"]);
    assert_eq!(got.json["history"][0]["kind"], "submitted");
    // The receipt's parts: the definition of that version, the download, the QR code.
    let def = p.get("/forms/ct01/versions/1", &an).await;
    assert_eq!(def.json["id"], "ct01");
    let file = p
        .get(&format!("/api/v1/dossiers/{code}/download"), &an)
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&code)
    );
    assert_eq!(file.json["code"], code.as_str());
    let qr = p.get(&format!("/api/v1/dossiers/{code}/qr.svg"), &an).await;
    assert_eq!(qr.status, StatusCode::OK);
    assert_eq!(qr.headers["content-type"], "image/svg+xml");
    assert!(String::from_utf8_lossy(&qr.bytes).contains("<svg"));
}

async fn bad_input_stores_nothing(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let post = |body: Vec<u8>, key: Option<&'static str>| {
        let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
        let p = &p;
        let an = an.clone();
        async move {
            p.call("POST", "/api/v1/dossiers", Some(&an), &headers, Some(body))
                .await
        }
    };
    let body = ct01().to_string().into_bytes();
    let a = post(body.clone(), None).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["error"]["code"], "idempotency-key-missing");
    assert!(a.json["error"]["message"]["vi"].is_string());
    let a = post(b"{\"formId\": \"ct01\",".to_vec(), Some("k")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["error"]["code"], "json-syntax");
    let a = post(vec![b' '; 600 * 1024], Some("k")).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let mut unknown = ct01();
    unknown["formId"] = json!("no-such-form");
    let a = post(unknown.to_string().into_bytes(), Some("k")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.json["error"]["code"], "form-not-found");
    let mut forged = ct01();
    forged["formVersion"] = json!(99);
    let a = post(forged.to_string().into_bytes(), Some("k")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["error"]["code"], "form-version-unknown");
    let mut extra = ct01();
    extra["dossierCode"] = json!("000.00.18.H56-991231-9999");
    let a = post(extra.to_string().into_bytes(), Some("k")).await;
    assert_eq!(
        a.status,
        StatusCode::BAD_REQUEST,
        "unknown members are refused"
    );
    // Invalid data: 422 with every diagnostic and its pointer, as the browser shows them.
    let mut invalid = ct01();
    invalid["data"]["applicant"]["phone"] = json!("12345");
    invalid["data"]["request"] = json!("");
    let a = post(invalid.to_string().into_bytes(), Some("k")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: BTreeSet<&str> = a.json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains("/applicant/phone"), "{pointers:?}");
    assert!(pointers.contains("/request"), "{pointers:?}");
    assert_eq!(a.json["total"], 2);
    // A value for a field its rule hides.
    let mut hidden: Value = json!({
        "formId": "household-business", "formVersion": 1,
        "data": serde_json::from_str::<Value>(include_str!("../../schemas/forms/household-business.example.json")).unwrap(),
    });
    hidden["data"]["registrationKind"] = json!("ca-nhan");
    hidden["data"]["attachments"]
        .as_object_mut()
        .unwrap()
        .remove("membersAuthorisation");
    let a = post(hidden.to_string().into_bytes(), Some("k")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    assert!(
        a.json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "hidden-value" && d["pointer"] == "/members"),
        "{}",
        a.json
    );
    // A signature that is not one.
    let mut signed = ct01();
    signed["signature"] = json!({"cms": "MIIB"});
    let a = post(signed.to_string().into_bytes(), Some("k")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["error"]["code"], "signature-invalid");
    assert_eq!(a.json["problems"][0]["code"], "malformed");
    // Officials do not submit dossiers.
    let ha = p.token("official-ha").await;
    let a = p.post("/api/v1/dossiers", &ha, Some("k"), &ct01()).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(p.counts().await, (0, 0), "nothing stored");
    // ...and the key is still free: the good request goes through.
    let a = p.post("/api/v1/dossiers", &an, Some("k"), &ct01()).await;
    assert_eq!(a.status, StatusCode::CREATED);
}

async fn codes_are_distinct_under_concurrency(b: Backend) {
    // 200 submissions by three citizens at once: more than their rate limits allow.
    let p = TestPortal::start_with(
        b,
        portal::Config {
            rates: portal::limits::Rates::off(),
            ..portal::Config::development()
        },
    )
    .await;
    let mut tokens = Vec::new();
    for user in ["citizen-an", "citizen-binh", "citizen-cuong"] {
        tokens.push((p.token(user).await, ct01_as(user).to_string()));
    }
    let app = p.app.clone();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (app, (token, body)) = (app.clone(), tokens[i % 3].clone());
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = axum::http::Request::post("/api/v1/dossiers")
                .header("authorization", format!("Bearer {token}"))
                .header("idempotency-key", format!("burst-{i}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body))
                .unwrap();
            let res = app.oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            let bytes = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            v["dossierCode"].as_str().unwrap().to_owned()
        }));
    }
    let mut codes = BTreeSet::new();
    for t in tasks {
        codes.insert(t.await.unwrap());
    }
    assert_eq!(codes.len(), 200, "200 distinct codes");
    let numbers: BTreeSet<u32> = codes
        .iter()
        .map(|c| c.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, (1..=200).collect(), "numbered 1..200 without gaps");
    assert_eq!(p.counts().await, (200, 200));
}

async fn amendments_keep_the_code_and_the_history(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let code = p
        .post("/api/v1/dossiers", &an, Some("s"), &ct01())
        .await
        .json["dossierCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut changed = ct01()["data"].clone();
    changed["request"] = json!("Bổ sung: đăng ký thường trú cho tôi và hai con.");
    let url = format!("/api/v1/dossiers/{code}/amendments");
    let a = p
        .post(&url, &an, Some("a1"), &json!({"data": changed}))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    assert_eq!(a.json["dossierCode"], code.as_str());
    assert_eq!(a.json["version"], 2);
    // Idempotent as well.
    let again = p
        .post(&url, &an, Some("a1"), &json!({"data": changed}))
        .await;
    assert_eq!(again.json["version"], 2);
    // Checked as a submission is.
    let mut bad = changed.clone();
    bad["request"] = json!("");
    let a = p.post(&url, &an, Some("a2"), &json!({"data": bad})).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = p
        .post(
            &url,
            &an,
            Some("a3"),
            &json!({"formId": "ct01", "formVersion": 2, "data": changed}),
        )
        .await;
    assert_eq!(a.json["error"]["code"], "form-version-mismatch");
    // Both versions stay, each viewable.
    let got = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    assert_eq!(got.json["versions"], 2);
    assert_eq!(got.json["versionList"][0]["data"], ct01()["data"]);
    assert_eq!(got.json["versionList"][1]["data"], changed);
    let kinds: Vec<&str> = got.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["submitted", "amended"]);
    assert_eq!(p.counts().await, (1, 2));
    // Nobody else amends it.
    let binh = p.token("citizen-binh").await;
    let a = p
        .post(&url, &binh, Some("x"), &json!({"data": changed}))
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // Once the result is issued, no more amendments.
    let ha = p.token("official-ha").await;
    let pdf = upload(&p, &ha, PDF, "application/pdf").await;
    let a = p
        .post(
            &format!("/api/v1/dossiers/{code}/status"),
            &ha,
            None,
            &json!({"status": "result-issued", "result": {"sha256": pdf}}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let a = p
        .post(&url, &an, Some("a4"), &json!({"data": changed}))
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(p.counts().await, (1, 2));
}

async fn upload(p: &TestPortal, token: &str, bytes: &[u8], media_type: &str) -> String {
    let a = p
        .call(
            "POST",
            "/api/v1/attachments?name=ket-qua.pdf",
            Some(token),
            &[("content-type", media_type)],
            Some(bytes.to_vec()),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    a.json["sha256"].as_str().unwrap().to_owned()
}

async fn inbox_status_flow_and_results(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let ha = p.token("official-ha").await;
    let huy = p.token("official-huy").await;
    let code = p
        .post("/api/v1/dossiers", &an, Some("s"), &ct01())
        .await
        .json["dossierCode"]
        .as_str()
        .unwrap()
        .to_owned();
    // The receiving agency's official sees it, with the citizen's name; the other agency's does not.
    let inbox = p.get("/api/v1/dossiers", &ha).await;
    assert_eq!(inbox.json.as_array().unwrap().len(), 1);
    assert_eq!(inbox.json[0]["owner"]["name"], "Nguyễn Văn An");
    assert_eq!(p.get("/api/v1/dossiers", &huy).await.json, json!([]));
    let status = format!("/api/v1/dossiers/{code}/status");
    let a = p
        .post(&status, &huy, None, &json!({"status": "received"}))
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // Received.
    let a = p
        .post(&status, &ha, None, &json!({"status": "received"}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let a = p
        .post(&status, &ha, None, &json!({"status": "approved"}))
        .await;
    assert_eq!(a.json["error"]["code"], "status-unknown");
    // A supplement request needs its one message.
    let a = p
        .post(&status, &ha, None, &json!({"status": "needs-supplement"}))
        .await;
    assert_eq!(a.json["error"]["code"], "message-required");
    let message = "Bổ sung: bản sao giấy chứng nhận quyền sử dụng nhà ở; chữ ký của chủ hộ.";
    let a = p
        .post(
            &status,
            &ha,
            None,
            &json!({"status": "needs-supplement", "message": message}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        p.get("/api/v1/dossiers?status=needs-supplement", &ha)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        p.get("/api/v1/dossiers?status=received", &ha).await.json,
        json!([])
    );
    // The citizen sees the change and the message.
    let mine = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    assert_eq!(mine.json["status"], "needs-supplement");
    let last = mine.json["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["message"], message);
    assert_eq!(last["byOfficial"], true);
    // A result needs its document, uploaded by the official.
    let a = p
        .post(&status, &ha, None, &json!({"status": "result-issued"}))
        .await;
    assert_eq!(a.json["error"]["code"], "result-required");
    let citizen_file = upload(&p, &an, b"%PDF-1.4 citizen", "application/pdf").await;
    let a = p
        .post(
            &status,
            &ha,
            None,
            &json!({"status": "result-issued", "result": {"sha256": citizen_file}}),
        )
        .await;
    assert_eq!(a.json["error"]["code"], "file-unknown");
    let result = upload(&p, &ha, PDF, "application/pdf").await;
    let a = p
        .post(
            &status,
            &ha,
            None,
            &json!({"status": "result-issued", "result": {"sha256": result}}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["resultCode"], format!("{code}-KQ1"));
    // The citizen sees the result and may download its document; the other agency may not.
    let mine = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    assert_eq!(mine.json["status"], "result-issued");
    assert_eq!(mine.json["results"], 1);
    let file = p.get(&format!("/api/v1/attachments/{result}"), &an).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, PDF);
    assert!(
        file.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{result}"), &huy)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A closed dossier keeps its status.
    let a = p
        .post(&status, &ha, None, &json!({"status": "received"}))
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    // Citizens set no status.
    let a = p
        .post(&status, &an, None, &json!({"status": "received"}))
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

async fn attachments_are_checked_and_tied_to_dossiers(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let binh = p.token("citizen-binh").await;
    let huy = p.token("official-huy").await;
    let ha = p.token("official-ha").await;
    let up = |bytes: Vec<u8>, t: &'static str| {
        let p = &p;
        let an = an.clone();
        async move {
            p.call(
                "POST",
                "/api/v1/attachments?name=a.pdf",
                Some(&an),
                &[("content-type", t)],
                Some(bytes),
            )
            .await
        }
    };
    assert_eq!(
        up(PDF.to_vec(), "text/html").await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        up(b"<html>".to_vec(), "application/pdf").await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        up(Vec::new(), "application/pdf").await.status,
        StatusCode::BAD_REQUEST
    );
    let mut big = PDF.to_vec();
    big.resize(11 * 1024 * 1024, b' ');
    assert_eq!(
        up(big, "application/pdf").await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Content-addressed: the SHA-256 of the bytes; the same bytes twice are one file.
    let first = up(PDF.to_vec(), "application/pdf").await;
    assert_eq!(first.status, StatusCode::CREATED);
    let sha = first.json["sha256"].as_str().unwrap().to_owned();
    use sha2::Digest;
    assert_eq!(sha, portal::encode::hex(&sha2::Sha256::digest(PDF)));
    assert_eq!(
        up(PDF.to_vec(), "application/pdf").await.json["sha256"],
        sha.as_str()
    );
    let other_pdf = b"%PDF-1.4 authorisation".to_vec();
    let sha2 = up(other_pdf.clone(), "application/pdf").await.json["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    // A household business registration referring to both files.
    let mut hb: Value = json!({
        "formId": "household-business", "formVersion": 1,
        "data": serde_json::from_str::<Value>(include_str!("../../schemas/forms/household-business.example.json")).unwrap(),
    });
    // Files not uploaded (no sha256) are refused with their pointers.
    let a = p.post("/api/v1/dossiers", &an, Some("h0"), &hb).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] == "file-not-uploaded")
    );
    hb["data"]["attachments"]["premises"] = json!({"name": "hop-dong.pdf", "size": PDF.len(), "type": "application/pdf", "sha256": sha});
    hb["data"]["attachments"]["membersAuthorisation"] = json!({"name": "uy-quyen.pdf", "size": other_pdf.len(), "type": "application/pdf", "sha256": sha2});
    // Another citizen cannot attach files they did not upload.
    let a = p.post("/api/v1/dossiers", &binh, Some("h1"), &hb).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["diagnostics"][0]["code"], "file-unknown");
    assert_eq!(a.json["diagnostics"][0]["pointer"], "/attachments/premises");
    // A PNG declared as a PDF where the field accepts PDF only: judged on what was stored
    // (review M7).
    let png = b"\x89PNG\r\n\x1a\n not really an authorisation".to_vec();
    let png_up = up(png.clone(), "image/png").await;
    assert_eq!(png_up.status, StatusCode::CREATED, "{}", png_up.json);
    let mut disguised = hb.clone();
    disguised["data"]["attachments"]["membersAuthorisation"] = json!({"name": "uy-quyen.pdf", "size": png.len(), "type": "application/pdf", "sha256": png_up.json["sha256"]});
    let a = p
        .post("/api/v1/dossiers", &an, Some("h1b"), &disguised)
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    assert_eq!(a.json["diagnostics"][0]["code"], "file-type");
    assert_eq!(
        a.json["diagnostics"][0]["pointer"],
        "/attachments/membersAuthorisation"
    );
    let a = p.post("/api/v1/dossiers", &an, Some("h2"), &hb).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    assert!(
        code.starts_with("000.00.20.H56-"),
        "agency B's form: {code}"
    );
    let got = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    let list = got.json["versionList"][0]["attachments"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["pointer"], "/attachments/premises");
    // The receiving agency's official may download them; another citizen, another agency may not.
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha}"), &huy)
            .await
            .bytes,
        PDF
    );
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha}"), &ha)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha}"), &binh)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha}"), &an)
            .await
            .status,
        StatusCode::OK
    );
    // Review finding M5: uploads no dossier refers to are removed after a day; the disguised
    // PNG above is one, the dossier's two files stay.
    let tomorrow = portal::clock::now_ms() + portal::intake::UNATTACHED_KEPT_MS;
    let (files, bytes) = p.state.db.collect_garbage(tomorrow).await.unwrap();
    assert_eq!((files, bytes), (1, i64::try_from(png.len()).unwrap()));
    assert_eq!(
        p.get(&format!("/api/v1/attachments/{sha}"), &an)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        p.get(
            &format!(
                "/api/v1/attachments/{}",
                png_up.json["sha256"].as_str().unwrap()
            ),
            &an
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // And one user's unattached uploads have a quota (50 files).
    for i in 0..portal::intake::MAX_UNATTACHED_FILES {
        let a = up(
            format!("%PDF-1.4 draft {i}").into_bytes(),
            "application/pdf",
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{i}: {}", a.json);
    }
    let over = up(b"%PDF-1.4 one too many".to_vec(), "application/pdf").await;
    assert_eq!(
        over.status,
        StatusCode::INSUFFICIENT_STORAGE,
        "{}",
        over.json
    );
    assert_eq!(over.json["error"]["code"], "upload-quota");
}

async fn ratings_are_anonymous_and_once(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let binh = p.token("citizen-binh").await;
    let ha = p.token("official-ha").await;
    let code = p
        .post("/api/v1/dossiers", &an, Some("s"), &ct01())
        .await
        .json["dossierCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("/api/v1/dossiers/{code}/rating");
    assert_eq!(
        p.post(&url, &an, None, &json!({"score": 6})).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        p.post(&url, &an, None, &json!({})).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        p.post(&url, &binh, None, &json!({"score": 1})).await.status,
        StatusCode::NOT_FOUND
    );
    let a = p
        .post(
            &url,
            &an,
            None,
            &json!({"score": 5, "comment": "Nhanh, rõ ràng."}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    assert_eq!(
        p.post(&url, &an, None, &json!({"score": 1})).await.status,
        StatusCode::CONFLICT
    );
    let ratings = p.get("/api/v1/ratings", &ha).await;
    assert_eq!(ratings.status, StatusCode::OK);
    let r = &ratings.json[0];
    assert_eq!(r["score"], 5);
    assert_eq!(r["formId"], "ct01");
    // Nothing in the rating names the citizen, the dossier or the time of day.
    let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["comment", "day", "formId", "score"]));
    assert_eq!(r["day"].as_str().unwrap().len(), 10);
    assert_eq!(
        p.get("/api/v1/ratings", &an).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn nobody_sees_another_citizens_or_agencys_dossiers(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let binh = p.token("citizen-binh").await;
    let huy = p.token("official-huy").await;
    let ha = p.token("official-ha").await;
    let code = p
        .post("/api/v1/dossiers", &an, Some("s"), &ct01())
        .await
        .json["dossierCode"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in ["", "/download", "/qr.svg"] {
        let url = format!("/api/v1/dossiers/{code}{path}");
        assert_eq!(p.get(&url, &an).await.status, StatusCode::OK, "{url}");
        assert_eq!(p.get(&url, &ha).await.status, StatusCode::OK, "{url}");
        for (who, t) in [("another citizen", &binh), ("another agency", &huy)] {
            let a = p.get(&url, t).await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{who}: {url}");
            assert!(!String::from_utf8_lossy(&a.bytes).contains("Nguyễn Văn An"));
        }
    }
    assert_eq!(p.get("/api/v1/dossiers", &binh).await.json, json!([]));
    assert_eq!(p.get("/api/v1/dossiers", &huy).await.json, json!([]));
    let url = format!("/api/v1/dossiers/{code}/amendments");
    assert_eq!(
        p.post(&url, &binh, Some("x"), &json!({"data": ct01()["data"]}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.post(&url, &ha, Some("x"), &json!({"data": ct01()["data"]}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let url = format!("/api/v1/dossiers/{code}/rating");
    assert_eq!(
        p.post(&url, &binh, None, &json!({"score": 1})).await.status,
        StatusCode::NOT_FOUND
    );
    let url = format!("/api/v1/dossiers/{code}/status");
    assert_eq!(
        p.post(&url, &huy, None, &json!({"status": "received"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.post(&url, &binh, None, &json!({"status": "received"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // A citizen's own upload is theirs alone until it is in a dossier.
    let sha = upload(&p, &an, PDF, "application/pdf").await;
    for t in [&binh, &ha, &huy] {
        assert_eq!(
            p.get(&format!("/api/v1/attachments/{sha}"), t).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(p.get("/api/v1/me", &an).await.json["role"], "citizen");
    assert_eq!(
        p.get("/api/v1/session", &an).await.json["user"]["id"],
        "citizen-an"
    );
    let anonymous = p.call("GET", "/api/v1/session", None, &[], None).await;
    assert_eq!(
        (anonymous.status, anonymous.json),
        (StatusCode::OK, json!({"user": null}))
    );
    assert_eq!(
        p.get("/api/v1/me", &huy).await.json["agency"]["code"],
        "000.00.20.H56"
    );
}

async fn every_api_endpoint_needs_a_session(b: Backend) {
    let p = TestPortal::start(b).await;
    let code = "000.00.18.H56-261125-0001";
    let endpoints = [
        ("GET", "/api/v1/me".to_owned()),
        ("GET", "/api/v1/dossiers".to_owned()),
        ("POST", "/api/v1/dossiers".to_owned()),
        ("GET", format!("/api/v1/dossiers/{code}")),
        ("POST", format!("/api/v1/dossiers/{code}/amendments")),
        ("POST", format!("/api/v1/dossiers/{code}/status")),
        ("POST", format!("/api/v1/dossiers/{code}/rating")),
        ("GET", format!("/api/v1/dossiers/{code}/download")),
        ("GET", format!("/api/v1/dossiers/{code}/qr.svg")),
        ("GET", "/api/v1/ratings".to_owned()),
        ("POST", "/api/v1/attachments".to_owned()),
        ("GET", format!("/api/v1/attachments/{}", "0".repeat(64))),
    ];
    for (method, url) in &endpoints {
        for token in [None, Some("not-a-session")] {
            let a = p
                .call(
                    method,
                    url,
                    token,
                    &[("idempotency-key", "k")],
                    Some(b"{}".to_vec()),
                )
                .await;
            assert_eq!(
                a.status,
                StatusCode::UNAUTHORIZED,
                "{method} {url} with {token:?}"
            );
            assert_eq!(a.headers["www-authenticate"], "Bearer");
            assert_eq!(a.json["error"]["code"], "unauthorized");
        }
    }
    // Production mode has no demo users and no development routes.
    let prod = TestPortal::start_production(b).await;
    for (method, url) in [
        ("GET", "/dev/users"),
        ("POST", "/dev/session"),
        ("GET", "/dev/login?user=citizen-an"),
    ] {
        let a = prod
            .call(
                method,
                url,
                None,
                &[],
                Some(br#"{"user":"citizen-an"}"#.to_vec()),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{url}");
    }
    assert_eq!(prod.state.db.user("citizen-an").await.unwrap(), None);
}

async fn sessions_end_on_sign_out(b: Backend) {
    let p = TestPortal::start(b).await;
    // The browser way: /dev/login sets an HttpOnly, SameSite=Strict cookie and goes on to `next`.
    let a = p
        .call(
            "GET",
            "/dev/login?user=citizen-an&next=/dossiers",
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers["location"], "/dossiers");
    let cookie = a.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = p
        .call("GET", "/api/v1/me", None, &[("cookie", &pair)], None)
        .await;
    assert_eq!(me.json["id"], "citizen-an");
    // No open redirect.
    let a = p
        .call(
            "GET",
            "/dev/login?user=citizen-an&next=//evil.example",
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(a.headers["location"], "/");
    // Signing out ends the session server-side.
    let out = p
        .call("POST", "/signout", None, &[("cookie", &pair)], None)
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        out.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let me = p
        .call("GET", "/api/v1/me", None, &[("cookie", &pair)], None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    // Expired sessions do not open.
    let token = portal::encode::new_token().unwrap();
    let now = portal::clock::now_ms();
    p.state
        .db
        .create_session(
            &portal::auth::token_hash(&token),
            "citizen-an",
            now - 10_000,
            now - 1,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        p.get("/api/v1/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The sign-in page lists the demo users (development mode), escaped.
    let page = p.call("GET", "/signin?next=/f/ct01", None, &[], None).await;
    let html = String::from_utf8_lossy(&page.bytes).into_owned();
    assert!(
        html.contains("/dev/login?user=citizen-an&amp;next=/f/ct01"),
        "{html}"
    );
    assert!(html.contains("Phạm Thu Hà"));
}

/// The connection drops after the portal committed, before the client read the answer: the
/// retry with the same key gets that dossier, not a second one. And a client gone even before
/// the commit: its retry still makes exactly one.
async fn retry_after_a_dropped_connection_makes_one_dossier(b: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, p.app.clone()).into_future());
    let body = ct01().to_string();
    let request = |key: &str| {
        format!(
            "POST /api/v1/dossiers HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {an}\r\n\
             idempotency-key: {key}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let retry = |key: String| {
        let request = request(&key);
        async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(request.as_bytes()).await.unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).await.unwrap();
            answer
        }
    };
    let wait_for = |n: i64| {
        let p = &p;
        async move {
            for _ in 0..200 {
                if p.counts().await.0 == n {
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            false
        }
    };

    // After the commit: the answer is never read.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request("after-commit").as_bytes())
        .await
        .unwrap();
    assert!(wait_for(1).await, "the portal committed");
    drop(s);
    let answer = retry("after-commit".into()).await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains("idempotent-replayed: true"), "{answer}");
    assert_eq!(p.counts().await, (1, 1), "exactly one dossier");

    // Before the commit: the client goes away as soon as the request is sent.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request("gone-early").as_bytes()).await.unwrap();
    drop(s);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let answer = retry("gone-early".into()).await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(p.counts().await, (2, 2), "exactly one more dossier");
}

/// Fields a form locks to the citizen's verified register values (CT01's identity) must hold
/// those values: the runtime draws them read-only, and a hand-made request is refused.
async fn locked_values_must_be_the_registers(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;
    let binh = p.token("citizen-binh").await;
    let codes = |a: &common::Answer| -> Vec<(String, String)> {
        a.json["diagnostics"]
            .as_array()
            .map(|d| {
                d.iter()
                    .map(|d| {
                        (
                            d["pointer"].as_str().unwrap_or_default().to_owned(),
                            d["code"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut renamed = ct01();
    renamed["data"]["applicant"]["fullName"] = json!("Nguyễn Văn Ân");
    let a = p.post("/api/v1/dossiers", &an, Some("a"), &renamed).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    assert_eq!(
        codes(&a),
        [(
            "/applicant/fullName".to_owned(),
            "locked-value-changed".to_owned()
        )]
    );
    // Bình sending An's identity: every locked field is refused.
    let a = p.post("/api/v1/dossiers", &binh, Some("b"), &ct01()).await;
    let refused: BTreeSet<String> = codes(&a)
        .into_iter()
        .filter(|(_, c)| c == "locked-value-changed")
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        refused,
        [
            "/applicant/dateOfBirth",
            "/applicant/fullName",
            "/applicant/idNumber",
            "/applicant/sex"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(p.counts().await.0, 0, "nothing stored");
    // Unlocked fields are the citizen's to fill: another phone number, another household head.
    let mut own = ct01_as("citizen-binh");
    own["data"]["applicant"]["phone"] = json!("0987654321");
    let a = p.post("/api/v1/dossiers", &binh, Some("c"), &own).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    // Amendments are checked the same way.
    let code = a.json["dossierCode"].as_str().unwrap().to_owned();
    let mut changed = own["data"].clone();
    changed["applicant"]["idNumber"] = json!("056185004322");
    let a = p
        .post(
            &format!("/api/v1/dossiers/{code}/amendments"),
            &binh,
            Some("d"),
            &json!({"data": changed}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    assert!(codes(&a).contains(&(
        "/applicant/idNumber".to_owned(),
        "locked-value-changed".to_owned()
    )));
}

//! Forms posted without JavaScript (`POST /f/{id}`, issue 21 item 3): the page comes back with
//! the server's errors and everything entered; a valid form is filed exactly once however often
//! it is sent (the idempotency key is drawn into the form); a form to be signed is not filed.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal, ct01_as};
use serde_json::Value;

on_both!(a_form_posted_without_javascript_is_checked_and_filed_once);

/// The data as a browser posts the drawn form: each leaf under its pointer, rows counted.
fn pairs(data: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match data {
        Value::Object(m) => {
            for (k, v) in m {
                pairs(v, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(rows) => {
            out.push((format!("ef-rows:{at}"), rows.len().to_string()));
            for (i, v) in rows.iter().enumerate() {
                pairs(v, &format!("{at}/{i}"), out);
            }
        }
        Value::String(s) => out.push((at.to_owned(), s.clone())),
        Value::Bool(true) => out.push((at.to_owned(), "true".into())),
        Value::Bool(false) | Value::Null => {}
        Value::Number(n) => out.push((at.to_owned(), n.to_string())),
    }
}

async fn send(
    p: &TestPortal,
    form: &str,
    token: &str,
    fields: &[(String, String)],
) -> (StatusCode, String) {
    let body = serde_urlencoded::to_string(fields).unwrap();
    let a = p
        .call(
            "POST",
            &format!("/f/{form}"),
            Some(token),
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(body.into_bytes()),
        )
        .await;
    (a.status, String::from_utf8_lossy(&a.bytes).into_owned())
}

async fn a_form_posted_without_javascript_is_checked_and_filed_once(b: Backend) {
    let p = TestPortal::start(b).await;
    let an = p.token("citizen-an").await;

    // The whole page drawn for the runtime to take over (what it needs in `#ef-ssr`'s
    // attributes), every input named by its pointer, a key to file it once.
    let page = p.get("/f/ct01", &an).await;
    let html = String::from_utf8_lossy(&page.bytes).into_owned();
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        html.contains("<div id=\"ef-ssr\" data-ef-takeover data-ef-src=\"/forms/ct01\" data-ef-lang=\"vi\" data-ef-user=\"citizen-an\" data-ef-name=\"Nguyễn Văn An\" data-ef-drafts data-ef-early=\"/datastore/v1/me/attributes?keys=citizen.dateOfBirth,citizen.email,citizen.fullName,citizen.idNumber,citizen.phone,citizen.sex,household.head,household.members&amp;formId=ct01&amp;formVersion=1 /api/v1/drafts\"><div class=\"ef-site\" lang=\"vi\"><a class=\"ef-skip\""),
        "{html}"
    );
    // What page.js asks for early is the citizen's own: nobody signed in, or an official, has
    // no store or drafts to ask for.
    for who in [None, Some(p.token("official-ha").await)] {
        let page = p.call("GET", "/f/ct01", who.as_deref(), &[], None).await;
        let html = String::from_utf8_lossy(&page.bytes).into_owned();
        assert!(html.contains("data-ef-src=\"/forms/ct01\""), "{html}");
        assert!(!html.contains("data-ef-early"), "{html}");
    }
    assert!(html.contains(
        "<script type=\"module\" src=\"/eform/page.js\" fetchpriority=\"low\"></script>"
    ));
    // A form with an address is marked so: page.js asks for the provinces beside the runtime.
    let address = p.get("/f/pit-finalisation", &an).await;
    assert!(
        String::from_utf8_lossy(&address.bytes).contains(
            "<div id=\"ef-ssr\" data-ef-takeover data-ef-src=\"/forms/pit-finalisation\" data-ef-lang=\"vi\" data-ef-units data-ef-user="
        )
    );
    // A form that binds no key of the store: only the drafts list is asked for early.
    assert!(
        String::from_utf8_lossy(&address.bytes)
            .contains(" data-ef-drafts data-ef-early=\"/api/v1/drafts\">")
    );
    let en = p.get("/f/ct01?lang=en", &an).await;
    assert!(String::from_utf8_lossy(&en.bytes).contains("data-ef-lang=\"en\""));
    // A language asked for is kept for the next page.
    assert!(
        en.headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap_or("").starts_with("eform-lang=en;")),
        "{:?}",
        en.headers
    );
    // The language the citizen chose before (its cookie) draws the page; a value that is no
    // language is ignored.
    for (cookie, drawn) in [
        ("eform-lang=en", "lang=\"en\""),
        ("other=1; eform-lang=zz", "lang=\"vi\""),
    ] {
        let page = p
            .call("GET", "/f/ct01", Some(&an), &[("cookie", cookie)], None)
            .await;
        let html = String::from_utf8_lossy(&page.bytes).into_owned();
        assert!(
            html.contains(&format!("<div class=\"ef-site\" {drawn}>")),
            "{cookie}: {html}"
        );
    }
    assert!(html.contains("name=\"/applicant/fullName\""));
    assert!(html.contains("name=\"ef-key\""));
    // The store is read (and logged) only when the page asks for it: the runtime reads it
    // itself.
    let log = |a: &common::Answer| a.json["entries"].as_array().map_or(0, Vec::len);
    assert_eq!(log(&p.get("/datastore/v1/me/audit", &an).await), 0);
    let filled = p.get("/f/ct01?prefill=1", &an).await;
    let filled = String::from_utf8_lossy(&filled.bytes).into_owned();
    assert!(filled.contains("value=\"Nguyễn Văn An\""), "{filled}");
    assert!(filled.contains("name=\"ef-prefilled\" value=\"1\""));
    assert_eq!(log(&p.get("/datastore/v1/me/audit", &an).await), 1);

    // Sent empty: the same page, its summary listing what is missing.
    let (status, html) = send(&p, "ct01", &an, &[("ef-lang".into(), "en".into())]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"ef-summary\""), "{html}");
    assert!(html.contains("Enter full name (About the applicant)."));
    assert_eq!(p.counts().await, (0, 0));

    // Valid, sent twice with the key of its page: one dossier, the same receipt both times.
    let mut fields = vec![("ef-key".to_owned(), "k1nojs".to_owned())];
    pairs(&ct01_as("citizen-an")["data"], "", &mut fields);
    let (s1, first) = send(&p, "ct01", &an, &fields).await;
    let (s2, again) = send(&p, "ct01", &an, &fields).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    let code = |html: &str| {
        html.split("data-testid=\"dossier-code\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .map(str::to_owned)
    };
    assert!(code(&first).is_some(), "{first}");
    // The receipt stays as drawn: no runtime on it.
    assert!(
        first.contains("<body><div class=\"ef-site\" lang=\"vi\"><a class=\"ef-skip\"")
            && !first.contains("<script"),
        "{first}"
    );
    assert_eq!(code(&first), code(&again));
    assert_eq!(p.counts().await, (1, 1));

    // Signed out: nothing is filed, the page says to sign in and keeps what was entered.
    let mut other = fields.clone();
    other[0].1 = "k2nojs".into();
    let (_, html) = send(&p, "ct01", "not-a-token", &other).await;
    assert!(html.contains("data-testid=\"nojs-notice\""), "{html}");
    assert!(html.contains("value=\"Nguyễn Văn An\""));
    assert_eq!(p.counts().await, (1, 1));
}

//! The portal's HTTP API, driven in-process.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use portal::{AppState, Catalog, router};
use serde_json::{Value, json};
use tower::ServiceExt;

const CT01_EXAMPLE: &str = include_str!("../../schemas/forms/ct01.example.json");

async fn app() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let mut broken: Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.json")).unwrap();
    broken["id"] = json!("broken");
    broken["pages"][0]["sections"][0]["items"][0]["widget"] = json!("rich-text");
    std::fs::write(forms.join("broken.json"), broken.to_string()).unwrap();
    std::fs::write(
        forms.join("truncated.json"),
        r#"{"id": "truncated", "version": 1"#,
    )
    .unwrap();
    for build in ["app", "account"] {
        std::fs::create_dir_all(dir.path().join("web").join(build)).unwrap();
        std::fs::write(
            dir.path().join("web").join(build).join("index.html"),
            // As trunk writes it.
            format!(
                "<!doctype html>\n<html lang=\"vi\">\n  <head>\n    <title>eform — Biểu mẫu điện tử</title>\n    <meta name=\"build\" content=\"{build}\">\n  </head>\n  <body></body>\n</html>\n"
            ),
        )
        .unwrap();
    }
    // The embed's stylesheet, as `cargo xtask build-web` names it.
    std::fs::create_dir_all(dir.path().join("web/embed")).unwrap();
    std::fs::write(dir.path().join("web/embed/eform-0123456789abcdef.css"), "").unwrap();
    let catalog = Catalog::load(Some(&forms)).unwrap();
    let db = format!("sqlite:{}", dir.path().join("eform.db").display());
    let state = AppState::new(
        catalog,
        dir.path().join("web"),
        &db,
        portal::Config::development(),
    )
    .await
    .unwrap();
    (router(state), dir)
}

async fn call(
    method: &str,
    uri: &str,
    body: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let (app, _dir) = app().await;
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    let res = app
        .oneshot(req.body(Body::from(body.unwrap_or("").to_owned())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

#[tokio::test]
async fn health_and_security_headers() {
    let (status, headers, body) = call("GET", "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_of(&body)["status"], "ok");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn lists_and_serves_ct01() {
    let (status, _, body) = call("GET", "/forms", None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<String> = json_of(&body)
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&"ct01".to_owned()), "{ids:?}");
    assert!(ids.contains(&"household-business".to_owned()), "{ids:?}");
    assert!(
        !ids.iter().any(|i| i == "broken" || i == "truncated"),
        "broken forms are not listed: {ids:?}"
    );
    let (status, headers, body) = call("GET", "/forms/ct01", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(json_of(&body)["id"], "ct01");
    assert!(
        form_core::load(&body).form.is_some(),
        "the served definition loads"
    );
}

/// An `<e-form>` shows the form drawn by the portal until its runtime arrives
/// (`GET /forms/{id}?as=html`): form-html's drawing, empty, in the language asked, inside the
/// element `eform.js` looks for.
#[tokio::test]
async fn a_form_drawn_for_an_embed() {
    let (status, headers, body) = call("GET", "/forms/ct01?as=html&lang=en", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(
        body.starts_with("<div id=\"ef-ssr\" data-ef-takeover>"),
        "{body:.80}"
    );
    assert!(body.contains("<form class=\"ef-form\" novalidate lang=\"en\">"));
    assert!(body.contains("id=\"f__applicant__fullName\""));
    assert!(
        !body.contains("action="),
        "nothing is sent before the runtime"
    );
    assert!(body.contains(">Check and submit</button>"));
    assert!(!body.contains("<script"));
    // A form with an address says so: eform.js asks for the provinces beside the runtime.
    let (_, _, address) = call("GET", "/forms/pit-finalisation?as=html", None).await;
    assert!(
        address.starts_with("<div id=\"ef-ssr\" data-ef-takeover data-ef-units>"),
        "{address:.80}"
    );
    let (_, _, vi) = call("GET", "/forms/ct01?as=html&submit=dossier", None).await;
    assert!(vi.contains("lang=\"vi\"") && vi.contains(">Nộp hồ sơ</button>"));
    // For a host's server to put inside the element (`as=shadow`): the same drawing as a
    // declarative shadow root with eform's stylesheet, every submit button disabled until the
    // runtime takes it over (no script can yet keep the form from being sent), and, for a
    // browser that runs no script, a notice in its language that sending needs one.
    let (status, headers, shadow) = call("GET", "/forms/ct01?as=shadow&lang=en", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let drawn = format!(
        "<template shadowrootmode=\"open\"><link rel=\"stylesheet\" href=\"/embed/eform-0123456789abcdef.css\"><noscript><div class=\"ef-embed\" lang=\"en\"><div class=\"ef-panel ef-panel--warn\" role=\"status\" data-ef-needs-script><p>To go on with this form and send it, your browser needs JavaScript. Turn JavaScript on, then reload the page.</p></div></div></noscript>{}</template>",
        form_html::submits_disabled(&body)
    );
    assert_eq!(shadow, drawn);
    assert!(shadow.contains(
        "<button type=\"submit\" disabled class=\"ef-button\">Check and submit</button>"
    ));
    assert!(!shadow.contains("<button type=\"submit\" class"));
    let (_, _, vi) = call("GET", "/forms/ct01?as=shadow", None).await;
    assert!(vi.contains("<p>Để điền tiếp và gửi biểu mẫu này, trình duyệt cần bật JavaScript."));
    let (status, _, _) = call("GET", "/forms/nope?as=shadow", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Without `as=html`, the definition; a missing form is the same 404.
    let (_, headers, _) = call("GET", "/forms/ct01?lang=en", None).await;
    assert_eq!(headers["content-type"], "application/json");
    let (status, _, _) = call("GET", "/forms/nope?as=html", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A query this route cannot make sense of is not an error: the definition comes.
    let (status, headers, _) = call("GET", "/forms/ct01?lang=vi&lang=en&x=%zz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
}

/// The list of forms is the app's build; a form's page is the portal's own, run by the light
/// runtime (`/eform/page.js`); the account pages (a dossier, the lists, co-signing, the data
/// log) are the `account` build.
#[tokio::test]
async fn account_pages_come_from_their_own_build() {
    let (status, _, body) = call("GET", "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("content=\"app\""), "{body:.120}");
    let (status, _, body) = call("GET", "/f/ct01", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(
            "<script type=\"module\" src=\"/eform/page.js\" fetchpriority=\"low\"></script>"
        ) && body.contains("<div id=\"ef-ssr\" data-ef-takeover data-ef-src=\"/forms/ct01\"")
            && !body.contains("content=\"app\""),
        "{body:.300}"
    );
    for path in ["/d/HS-1", "/dossiers", "/inbox", "/co-sign/HS-1", "/data"] {
        let (status, _, body) = call("GET", path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains("content=\"account\""), "{path}: {body:.120}");
        // The site's header, and for a browser without JavaScript the notice that these pages
        // need it, drawn by the portal in an element the app removes.
        assert!(
            body.contains("<div data-ef-drawn-page><div class=\"ef-site\" lang=\"vi\">")
                && body.contains(&format!("href=\"{path}?lang=en\""))
                && body.contains("<noscript><div class=\"ef-panel ef-panel--warn\" role=\"status\" data-testid=\"needs-script\"><p>Trang này cần JavaScript"),
            "{path}: {body}"
        );
    }
}

/// The list of forms is drawn by the portal in the app's page: it shows before the app's code,
/// and without JavaScript its links lead to the form pages. In the language asked for (kept in
/// its cookie), else the cookie's; a definition with errors is not listed.
#[tokio::test]
async fn the_list_of_forms_is_in_the_page() {
    let (_, headers, body) = call("GET", "/", None).await;
    assert!(
        body.contains("<div data-ef-drawn-page><div class=\"ef-site\" lang=\"vi\">"),
        "{body}"
    );
    assert!(body.contains("<h1 class=\"ef-title\">Biểu mẫu điện tử</h1>"));
    assert!(
        body.contains("<li><a href=\"/f/ct01\">Tờ khai thay đổi thông tin cư trú</a> (v1)</li>")
    );
    assert!(!body.contains("/f/broken") && !body.contains("/f/truncated"));
    assert!(headers.get("set-cookie").is_none());
    // In trunk's page: its language, the drawing in its body; never stored (it names who is
    // signed in).
    assert!(body.starts_with("<!doctype html>\n<html lang=\"vi\">"));
    assert!(
        body.ends_with("</ul></main></div></div></body>\n</html>\n"),
        "{body}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let (_, headers, body) = call("GET", "/?lang=EN-us", None).await;
    assert!(body.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(body.contains("<title>eform — E-forms</title>"));
    assert!(body.contains("<h1 class=\"ef-title\">E-forms</h1>"));
    assert!(body.contains(
        "<li><a href=\"/f/ct01\">Residence information change declaration</a> (v1)</li>"
    ));
    assert!(
        headers["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("eform-lang=en;")
    );
    // The page's own address in its language links, escaped.
    let (status, _, body) = call("GET", "/d/x'y&z", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("href=\"/d/x&#39;y&amp;z?lang=en\""), "{body}");
    // The cookie's language when the query asks for none.
    let (app, _dir) = app().await;
    let res = app
        .oneshot(
            Request::builder()
                .uri("/d/HS-1")
                .header("cookie", "eform-lang=en")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&bytes).contains("This page needs JavaScript"));
}

#[tokio::test]
async fn unknown_form_is_404_with_a_bilingual_message() {
    let (status, _, body) = call("GET", "/forms/nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v = json_of(&body);
    assert_eq!(v["error"]["code"], "form-not-found");
    assert!(
        v["error"]["message"]["vi"]
            .as_str()
            .unwrap()
            .contains("nope")
    );
    let (status, _, _) = call("GET", "/f/nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn broken_definitions_answer_422_with_pointers() {
    let (status, _, body) = call("GET", "/forms/broken", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = json_of(&body);
    assert_eq!(
        v["diagnostics"][0]["pointer"],
        "/pages/0/sections/0/items/0/widget"
    );
    assert_eq!(v["diagnostics"][0]["code"], "unknown-widget");
    let (status, _, body) = call("GET", "/forms/truncated", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json_of(&body)["diagnostics"][0]["code"], "json-syntax");
    let (status, _, body) = call("GET", "/f/broken", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("<code>/pages/0/sections/0/items/0/widget</code>")
            && !body.contains("<script"),
        "the page explains, with no runtime: {body}"
    );
}

#[tokio::test]
async fn check_accepts_the_example_and_refuses_empty_data() {
    let (status, _, body) = call("POST", "/api/v1/forms/ct01/check", Some(CT01_EXAMPLE)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json_of(&body)["valid"], true);

    let (status, _, body) = call("POST", "/api/v1/forms/ct01/check", Some("{}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = json_of(&body);
    let pointers: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"/applicant/fullName"), "{pointers:?}");
    assert!(v["diagnostics"][0]["message"]["en"].is_string());
}

/// Issue 22 ("two verdicts"): data with a value in a field its rule hides is refused by the
/// check API and by `eform validate` as intake refuses it.
#[tokio::test]
async fn check_and_validate_give_intake_s_verdict_on_hidden_values() {
    let mut data: serde_json::Value = serde_json::from_str(include_str!(
        "../../schemas/forms/household-business.example.json"
    ))
    .unwrap();
    data["registrationKind"] = serde_json::json!("ca-nhan");
    data["attachments"]
        .as_object_mut()
        .unwrap()
        .remove("membersAuthorisation");
    let (status, _, body) = call(
        "POST",
        "/api/v1/forms/household-business/check",
        Some(&data.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let v = json_of(&body);
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "hidden-value" && d["pointer"] == "/members"),
        "{body}"
    );
    // The command line says the same.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.json");
    std::fs::write(&file, data.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eform"))
        .args(["validate"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schemas/forms/household-business.json"
        ))
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("/members") && text.contains("hidden"),
        "{text}"
    );
}

#[tokio::test]
async fn check_refuses_malformed_bodies_clearly() {
    let (status, _, body) = call("POST", "/api/v1/forms/ct01/check", Some("{\"applicant\":")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json_of(&body)["error"]["code"], "json-syntax");
    let (status, _, _) = call("POST", "/api/v1/forms/nope/check", Some("{}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn huge_data_is_refused_before_any_work() {
    // Found in review: 700,000 empty rows in 2 MB once produced millions of diagnostics.
    let rows = vec!["{}"; 60_000].join(",");
    let body = format!("{{\"members\": [{rows}]}}");
    let (status, _, body) = call("POST", "/api/v1/forms/ct01/check", Some(&body)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let big = format!("{{\"request\": \"{}\"}}", "x".repeat(600 * 1024));
    let (status, _, _) = call("POST", "/api/v1/forms/ct01/check", Some(&big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn only_built_assets_are_cached_forever() {
    let (_, headers, _) = call("GET", "/forms/ct01", None).await;
    assert_eq!(headers["cache-control"], "no-cache");
    let (status, headers, _) = call("GET", "/app/form-ui-0123456789abcdef.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        headers["cache-control"], "no-cache",
        "a 404 is never cached as immutable"
    );
}

#[tokio::test]
async fn serves_the_administrative_units_and_checks_addresses_against_them() {
    let (status, headers, body) = call("GET", "/refdata/admin-units.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    let units = form_core::AdminUnits::from_json(&body).expect("the served list reads");
    assert_eq!(units.provinces().len(), 34);
    assert_eq!(units.province_of("00004").unwrap().code, "01");
    // The provinces alone (what the light runtime loads first), and one province's communes.
    let (status, _, body) = call("GET", "/refdata/provinces.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let first = form_core::AdminUnits::from_json(&body).expect("the provinces read");
    assert_eq!(first.provinces().len(), 34);
    assert_eq!(first.later().count(), 34);
    assert_eq!(first.commune_count(), 0);
    assert!(body.len() * 20 < serde_json::to_string(units.file()).unwrap().len());
    let (status, headers, body) = call("GET", "/refdata/communes/01.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "public, max-age=86400");
    let hanoi: form_core::admin_units::Province = serde_json::from_str(&body).unwrap();
    assert_eq!(
        hanoi.communes.len(),
        units.province("01").unwrap().communes.len()
    );
    let then = first.with_communes(hanoi).unwrap().unwrap();
    assert_eq!(then.province_of("00004").unwrap().code, "01");
    for missing in ["/refdata/communes/99.json", "/refdata/communes/01"] {
        let (status, _, _) = call("GET", missing, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }

    let example = include_str!("../../schemas/forms/household-business.example.json");
    let (status, _, body) = call(
        "POST",
        "/api/v1/forms/household-business/check",
        Some(example),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Phường Sài Gòn is in Hồ Chí Minh City, not in Hà Nội.
    let moved = example.replace("\"commune\": \"00008\"", "\"commune\": \"26734\"");
    assert_ne!(moved, example);
    let (status, _, body) = call(
        "POST",
        "/api/v1/forms/household-business/check",
        Some(&moved),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = json_of(&body);
    assert_eq!(v["diagnostics"][0]["pointer"], "/business/address/commune");
    assert_eq!(v["diagnostics"][0]["code"], "address");
}

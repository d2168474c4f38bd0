//! Signing in through a real OpenID Provider (`oidc-provider`, `tests/oidc/provider.mjs`, on a
//! loopback port) with a production portal listening on another: the authorization code flow
//! with PKCE as a browser goes through it (redirects, the provider's sign-in form, cookies);
//! citizens by personal ID number and assurance level, officials by role and agency claims;
//! ID tokens with a wrong signature, audience or nonce, expired, or signed with an unknown key
//! refused; a rotated signing key (RS256 → ES256) followed; signing out at the provider too;
//! officials' idle timeout. Review findings C1 (no sign-in in production) and L3 (no idle
//! timeout).

mod common;

use axum::http::StatusCode;
use common::{Backend, TestPortal};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

on_both!(
    a_citizen_signs_in_and_out_through_the_provider,
    who_may_sign_in,
    tokens_that_do_not_verify_are_refused,
    a_rotated_signing_key_is_followed,
);

/// The scale-out issue: a sign-in started on one instance finishes on another (PostgreSQL, two
/// production instances behind a balancer that sends each connection to the next instance).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_started_on_one_instance_finishes_on_another() {
    if !common::postgres_available() {
        return;
    }
    let Some(op) = Provider::start() else { return };
    let balancer = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public = format!("http://{}", balancer.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::production_config(dir.path(), &op.url);
    config.public_url = Some(public.clone());
    if let Some(o) = config.oidc.as_mut() {
        o.citizen_acr = vec!["urn:vneid:loa:2".into()];
    }
    let one = TestPortal::start_in(Backend::Postgres, dir, config).await;
    let two = one.another_instance().await;
    let mut backends = Vec::new();
    for p in [&one, &two] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        backends.push(listener.local_addr().unwrap());
        let app = p.app.clone();
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    // Round robin per connection (the browser below opens one per request).
    let served = std::sync::Arc::new([
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    ]);
    {
        let served = served.clone();
        tokio::spawn(async move {
            let mut next = 0usize;
            loop {
                let Ok((mut client, _)) = balancer.accept().await else {
                    return;
                };
                let i = next % 2;
                next += 1;
                served[i].fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let to = backends[i];
                tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
    }
    op.control(
        "configure",
        serde_json::json!({"redirect_uris": [format!("{public}/auth/callback")],
                           "post_logout_redirect_uris": [format!("{public}/")]}),
    )
    .await;
    let mut browser = Browser::new();
    browser.http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let back = browser.sign_in(&public, "an").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert!(back.url.starts_with(&format!("{public}/auth/callback?")));
    // `/auth/login` went to one instance, the callback to the other.
    let counts: Vec<usize> = served
        .iter()
        .map(|c| c.load(std::sync::atomic::Ordering::SeqCst))
        .collect();
    assert_eq!(counts, vec![1, 1], "login on one, callback on the other");
    // The session opened by the second instance works on both.
    for _ in 0..2 {
        let (status, me) = browser.json(&format!("{public}/api/v1/me")).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["id"], "citizen:001090012345");
    }
}

/// The test provider, stopped on drop.
struct Provider {
    child: Child,
    url: String,
}

impl Provider {
    /// Starts it on a free port; `None` (the test skipped, with a message) when the npm package
    /// is not installed — unless `EFORM_REQUIRE_OIDC=1` (`cargo xtask test` sets it).
    fn start() -> Option<Provider> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let installed = std::path::Path::new(root)
            .join("node_modules/oidc-provider")
            .is_dir();
        if !installed {
            assert!(
                std::env::var("EFORM_REQUIRE_OIDC").as_deref() != Ok("1"),
                "EFORM_REQUIRE_OIDC=1 but node_modules/oidc-provider is missing (cargo xtask setup)"
            );
            eprintln!(
                "skipped: node_modules/oidc-provider is missing (cargo xtask setup installs it)"
            );
            return None;
        }
        let mut child = Command::new("node")
            .args(["tests/oidc/provider.mjs", "--port", "0", "--stdin"])
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the provider printed its address")
                .unwrap();
            if let Some(rest) = line.strip_prefix("oidc-provider listening on ") {
                break rest.trim().to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Some(Provider { child, url })
    }

    async fn control(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        reqwest::Client::new()
            .post(format!("{}/__test/{path}", self.url))
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A production portal on a real loopback listener, signing in through `provider`.
async fn portal(b: Backend, provider: &Provider) -> (TestPortal, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public = format!("http://{}", listener.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::production_config(dir.path(), &provider.url);
    config.public_url = Some(public.clone());
    if let Some(o) = config.oidc.as_mut() {
        o.citizen_acr = vec!["urn:vneid:loa:2".into()];
    }
    let p = TestPortal::start_in(b, dir, config).await;
    let app = p.app.clone();
    tokio::spawn(async move { axum::serve(listener, app).await });
    provider
        .control(
            "configure",
            serde_json::json!({"redirect_uris": [format!("{public}/auth/callback")],
                               "post_logout_redirect_uris": [format!("{public}/")]}),
        )
        .await;
    (p, public)
}

/// A browser, as far as these flows need one: no automatic redirects, one cookie jar (cookies
/// do not tell ports apart, and everything here is on 127.0.0.1).
struct Browser {
    http: reqwest::Client,
    jar: BTreeMap<String, String>,
}

/// A page: where it ended, its status and text, and the cookies it set.
struct Page {
    url: String,
    status: StatusCode,
    text: String,
    set_cookies: Vec<String>,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Sends a request, then follows redirects as a browser does; every response's cookies go
    /// into the jar.
    async fn go(&mut self, mut url: String, mut form: Option<Vec<(String, String)>>) -> Page {
        let mut set_cookies = Vec::new();
        for _ in 0..10 {
            let mut req = match &form {
                Some(f) => self.http.post(&url).form(f),
                None => self.http.get(&url),
            };
            if !self.jar.is_empty() {
                req = req.header("cookie", self.cookie_header());
            }
            let res = req.send().await.unwrap();
            for c in res.headers().get_all("set-cookie") {
                let c = c.to_str().unwrap().to_owned();
                if let Some((name, rest)) = c.split_once('=') {
                    let value = rest.split(';').next().unwrap_or("").to_owned();
                    if value.is_empty() || c.contains("Max-Age=0") {
                        self.jar.remove(name);
                    } else {
                        self.jar.insert(name.to_owned(), value);
                    }
                }
                set_cookies.push(c);
            }
            let status = StatusCode::from_u16(res.status().as_u16()).unwrap();
            if status.is_redirection() {
                let location = res.headers()["location"].to_str().unwrap().to_owned();
                url = reqwest::Url::parse(&url)
                    .unwrap()
                    .join(&location)
                    .unwrap()
                    .to_string();
                form = None;
                continue;
            }
            let text = res.text().await.unwrap();
            return Page {
                url,
                status,
                text,
                set_cookies,
            };
        }
        panic!("too many redirects")
    }

    /// Signs in as `account` from the portal's `/auth/login`, through the provider's form; the
    /// page the portal answers the way back with.
    async fn sign_in(&mut self, portal: &str, account: &str) -> Page {
        let form = self
            .go(format!("{portal}/auth/login?next=/dossiers"), None)
            .await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text);
        assert!(form.url.contains("/interaction/"), "{}", form.url);
        let action = form
            .text
            .split("action=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("the sign-in form")
            .to_owned();
        let target = reqwest::Url::parse(&form.url)
            .unwrap()
            .join(&action)
            .unwrap()
            .to_string();
        self.go(
            target,
            Some(vec![
                ("login".into(), account.into()),
                ("password".into(), "any".into()),
            ]),
        )
        .await
    }

    async fn json(&self, url: &str) -> (StatusCode, serde_json::Value) {
        let res = self
            .http
            .get(url)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = StatusCode::from_u16(res.status().as_u16()).unwrap();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }
}

async fn a_citizen_signs_in_and_out_through_the_provider(b: Backend) {
    let Some(op) = Provider::start() else { return };
    let (p, public) = portal(b, &op).await;
    // The sign-in page offers the provider, and nothing else.
    let mut browser = Browser::new();
    let page = browser
        .go(format!("{public}/signin?next=/f/ct01"), None)
        .await;
    assert!(
        page.text.contains("/auth/login?next=/f/ct01"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("/dev/login"));

    let back = browser.sign_in(&public, "an").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert!(
        back.url.starts_with(&format!("{public}/auth/callback?")),
        "{}",
        back.url
    );
    // A page of the portal goes on to `next`, and the session cookie is `__Host-`, Secure.
    assert!(
        back.text.contains("content=\"0;url=/dossiers\""),
        "{}",
        back.text
    );
    let cookie = back
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-eform_session="))
        .expect("a session cookie");
    for part in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let (status, me) = browser.json(&format!("{public}/api/v1/me")).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], "citizen:001090012345");
    assert_eq!(me["role"], "citizen");
    assert_eq!(me["name"], "Nguyễn Văn An");
    // What the provider vouches for is in the citizen's data store, verified.
    let (_, attrs) = browser
        .json(&format!(
            "{public}/datastore/v1/me/attributes?keys=citizen.idNumber,citizen.fullName"
        ))
        .await;
    let text = attrs.to_string();
    assert!(
        text.contains("001090012345") && text.contains("identity-provider"),
        "{text}"
    );

    // The way back cannot be used twice, nor from another browser.
    let replay = browser.go(back.url.clone(), None).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{}", replay.text);
    assert!(replay.text.contains("data-testid=\"signin-error\""));
    let mut other = Browser::new();
    let elsewhere = other.go(back.url.clone(), None).await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST);
    assert!(
        !elsewhere
            .set_cookies
            .iter()
            .any(|c| c.starts_with("__Host-eform_session=") && !c.contains("Max-Age=0"))
    );

    // Signing out ends the session here and sends the browser to the provider's end-session
    // endpoint with the ID token as the hint, coming back home.
    let out = browser
        .http
        .post(format!("{public}/signout"))
        .header("cookie", browser.cookie_header())
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let next: serde_json::Value = out.json().await.unwrap();
    let next = next["next"].as_str().unwrap().to_owned();
    assert!(
        next.starts_with(&format!("{}/session/end?", op.url)),
        "{next}"
    );
    assert!(
        next.contains("id_token_hint=") && next.contains("post_logout_redirect_uri="),
        "{next}"
    );
    let (status, _) = browser.json(&format!("{public}/api/v1/me")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A second sign-in is the same citizen (matched by personal ID number).
    let mut again = Browser::new();
    assert_eq!(again.sign_in(&public, "an").await.status, StatusCode::OK);
    assert_eq!(
        again.json(&format!("{public}/api/v1/me")).await.1["id"],
        "citizen:001090012345"
    );
    // Development routes do not exist in production.
    for path in ["/dev/login?user=official-ha", "/dev/users"] {
        let page = again.go(format!("{public}{path}"), None).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Signing out by the page's form, without a script: the session ends, and the way to the
    // provider's end-session page is a link (a form's redirect to another origin would be
    // refused by the pages' `form-action 'self'`), in the language chosen on the portal's pages.
    let out = again
        .http
        .post(format!("{public}/signout"))
        .header(
            "cookie",
            format!("{}; eform-lang=en", again.cookie_header()),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", public.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::OK);
    let page = out.text().await.unwrap();
    assert!(
        page.contains(&format!("href=\"{}/session/end?", op.url)),
        "{page}"
    );
    assert!(page.contains("<html lang=\"en\""), "{page}");
    assert!(
        page.contains("Sign out of your identity account too</a>"),
        "{page}"
    );
    let (status, _) = again.json(&format!("{public}/api/v1/me")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    drop(p);
}

async fn who_may_sign_in(b: Backend) {
    let Some(op) = Provider::start() else { return };
    let (p, public) = portal(b, &op).await;
    // An official, by the role and agency claims: the agency named from the directory.
    let mut ha = Browser::new();
    assert_eq!(ha.sign_in(&public, "ha").await.status, StatusCode::OK);
    let (_, me) = ha.json(&format!("{public}/api/v1/me")).await;
    assert_eq!(me["id"], "official:sub:ha", "{me}");
    assert_eq!(me["role"], "official");
    assert_eq!(me["agency"]["code"], "000.00.18.H56");
    assert_eq!(me["agency"]["name"]["en"], "Ward A police");
    assert_eq!(
        ha.json(&format!("{public}/api/v1/dossiers")).await.0,
        StatusCode::OK
    );
    // Officials' sessions end after 15 minutes without a request.
    let token = ha.jar["__Host-eform_session"].clone();
    let hash = portal::auth::token_hash(&token);
    let now = portal::clock::now_ms();
    p.state
        .db
        .touch_session(&hash, now - portal::auth::OFFICIAL_IDLE_MS - 1000)
        .await
        .unwrap();
    assert_eq!(
        ha.json(&format!("{public}/api/v1/me")).await.0,
        StatusCode::UNAUTHORIZED
    );

    // An official an administrator provisioned (`eform officials add`), whatever the claims.
    p.state
        .db
        .add_official(&portal::db::OfficialRow {
            personal_id: "056185004321".into(),
            agency_code: "000.00.20.H56".into(),
            name: "Trần Thị Bình".into(),
            added_at: now,
        })
        .await
        .unwrap();
    let mut binh = Browser::new();
    assert_eq!(binh.sign_in(&public, "binh").await.status, StatusCode::OK);
    let (_, me) = binh.json(&format!("{public}/api/v1/me")).await;
    assert_eq!(me["id"], "official:pid:056185004321", "{me}");
    assert_eq!(me["agency"]["code"], "000.00.20.H56");
    // Removed: the official's session ends at once; signing in again makes a citizen.
    assert!(p.state.db.remove_official("056185004321").await.unwrap());
    assert_eq!(
        binh.json(&format!("{public}/api/v1/me")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let mut again = Browser::new();
    again.sign_in(&public, "binh").await;
    assert_eq!(
        again.json(&format!("{public}/api/v1/me")).await.1["role"],
        "citizen"
    );

    // Refused, each with a page that says why.
    for (account, says) in [
        ("stranger", "names no agency known to this portal"),
        ("cuong", "level-2 electronic identity"),
        ("noid", "did not give your personal ID number"),
    ] {
        let mut browser = Browser::new();
        let page = browser.sign_in(&public, account).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "{account}: {}",
            page.text
        );
        assert!(page.text.contains(says), "{account}: {}", page.text);
        assert!(
            !browser.jar.contains_key("__Host-eform_session"),
            "{account}"
        );
    }
}

async fn tokens_that_do_not_verify_are_refused(b: Backend) {
    let Some(op) = Provider::start() else { return };
    let (_p, public) = portal(b, &op).await;
    for mode in ["signature", "audience", "nonce", "expired", "unknown-key"] {
        op.control("tamper", serde_json::json!({"mode": mode}))
            .await;
        let mut browser = Browser::new();
        let page = browser.sign_in(&public, "an").await;
        assert_eq!(
            page.status,
            StatusCode::UNAUTHORIZED,
            "{mode}: {}",
            page.text
        );
        assert!(
            page.text.contains("could not be verified"),
            "{mode}: {}",
            page.text
        );
        assert!(!browser.jar.contains_key("__Host-eform_session"), "{mode}");
    }
    // The same flow untampered signs in: the refusals were the token's fault.
    let mut browser = Browser::new();
    assert_eq!(browser.sign_in(&public, "an").await.status, StatusCode::OK);
}

async fn a_rotated_signing_key_is_followed(b: Backend) {
    let Some(op) = Provider::start() else { return };
    let (_p, public) = portal(b, &op).await;
    let mut first = Browser::new();
    assert_eq!(first.sign_in(&public, "binh").await.status, StatusCode::OK);
    // The provider now signs with a new ES256 key the portal has not seen.
    op.control("rotate", serde_json::json!({})).await;
    let mut second = Browser::new();
    let page = second.sign_in(&public, "binh").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(
        second.json(&format!("{public}/api/v1/me")).await.1["id"],
        "citizen:056185004321"
    );
}

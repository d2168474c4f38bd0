//! A portal on a throwaway database, for the intake tests: SQLite in a temp dir, or a fresh
//! database on the PostgreSQL server named by `EFORM_TEST_POSTGRES_URL` (`cargo xtask test`
//! starts one). Without that variable the PostgreSQL variants are skipped with a message —
//! unless `EFORM_REQUIRE_POSTGRES=1` (set by `cargo xtask test`), which makes them fail.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use portal::{AppState, Catalog, Config, router};
use serde_json::Value;
use tower::ServiceExt;

pub mod pki;
pub mod receiver;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$test(Backend)` once per backend, as `$test::sqlite` and `$test::postgres`.
#[macro_export]
macro_rules! on_both {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::common::postgres_available() {
                    super::$test($crate::common::Backend::Postgres).await;
                }
            }
        }
    )*};
}

/// Whether the PostgreSQL variants can run (see the module's comment).
pub fn postgres_available() -> bool {
    if std::env::var("EFORM_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        return true;
    }
    assert!(
        std::env::var("EFORM_REQUIRE_POSTGRES").as_deref() != Ok("1"),
        "EFORM_REQUIRE_POSTGRES=1 but EFORM_TEST_POSTGRES_URL is not set"
    );
    eprintln!("skipped: EFORM_TEST_POSTGRES_URL is not set (cargo xtask test sets it)");
    false
}

/// A database URL for a new, empty database of `backend`.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite:{}", dir.join("eform.db").display()),
        Backend::Postgres => {
            use sqlx::Executor;
            let server = std::env::var("EFORM_TEST_POSTGRES_URL").unwrap();
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).unwrap();
            let name = format!("t_{}", portal::encode::hex(&bytes));
            let admin = sqlx::PgPool::connect(&server).await.unwrap();
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .unwrap();
            admin.close().await;
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            format!("{base}/{name}")
        }
    }
}

/// A complete production configuration in `dir`: an agency directory with the demo agencies'
/// codes, an (empty) trust store, the identity provider at `issuer` (client `eform`, secret
/// `test-secret`), public address `http://127.0.0.1`.
pub fn production_config(dir: &std::path::Path, issuer: &str) -> Config {
    let agencies = dir.join("agencies.json");
    std::fs::write(
        &agencies,
        r#"[{"code": "000.00.18.H56", "name": {"vi": "Công an phường A", "en": "Ward A police"}},
            {"code": "000.00.20.H56", "name": {"vi": "Chi cục Thuế B", "en": "Tax office B"}}]"#,
    )
    .unwrap();
    let trust = dir.join("trust.pem");
    std::fs::write(&trust, "").unwrap();
    Config {
        dev: false,
        public_url: Some("http://127.0.0.1".into()),
        trust_store: Some(trust),
        agencies: Some(agencies),
        oidc: Some(portal::oidc::Settings {
            issuer: issuer.into(),
            client_id: "eform".into(),
            client_secret: "test-secret".into(),
            claims: portal::oidc::ClaimNames::default(),
            citizen_acr: vec!["urn:vneid:loa:2".into()],
            scopes: vec!["profile".into()],
        }),
        ..Config::default()
    }
}

pub struct TestPortal {
    pub app: axum::Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub url: String,
}

/// An answer: status, headers, body as JSON (or `Value::String` of the text).
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
    pub bytes: Vec<u8>,
}

impl TestPortal {
    /// A development portal (demo users, `/dev/*`, the development signer).
    pub async fn start(backend: Backend) -> TestPortal {
        Self::start_with(backend, Config::development()).await
    }

    pub async fn start_with(backend: Backend, config: Config) -> TestPortal {
        Self::start_in(backend, tempfile::tempdir().unwrap(), config).await
    }

    /// A production portal with a complete configuration (see [`production_config`]); its
    /// identity provider is never reached unless someone signs in.
    pub async fn start_production(backend: Backend) -> TestPortal {
        let dir = tempfile::tempdir().unwrap();
        let config = production_config(dir.path(), "http://127.0.0.1:9/oidc");
        Self::start_in(backend, dir, config).await
    }

    pub async fn start_in(
        backend: Backend,
        dir: tempfile::TempDir,
        mut config: Config,
    ) -> TestPortal {
        if config.dev && config.signer_dir.is_none() {
            config.signer_dir = Some(dir.path().join("dev-signer"));
        }
        let url = fresh_database(backend, dir.path()).await;
        std::fs::create_dir_all(dir.path().join("web/app")).unwrap();
        std::fs::write(
            dir.path().join("web/app/index.html"),
            "<!doctype html><title>app</title>",
        )
        .unwrap();
        let catalog = Catalog::load(None).unwrap();
        let state = AppState::new(catalog, dir.path().join("web"), &url, config)
            .await
            .unwrap();
        TestPortal {
            app: router(state.clone()),
            state,
            dir,
            url,
        }
    }

    /// A portal made elsewhere (its own forms or settings), with the folder and database it uses.
    #[allow(dead_code)]
    pub fn from_state(state: AppState, dir: tempfile::TempDir, url: String) -> TestPortal {
        TestPortal {
            app: router(state.clone()),
            state,
            dir,
            url,
        }
    }

    /// A second instance of this portal: the same database and configuration, its own
    /// memory and data folder (what it shares, it shares through the database).
    pub async fn another_instance(&self) -> TestPortal {
        let catalog = Catalog::load(None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut config = (*self.state.config).clone();
        if config.signer_dir.is_some() {
            config.signer_dir = Some(dir.path().join("dev-signer"));
        }
        let state = AppState::new(catalog, self.dir.path().join("web"), &self.url, config)
            .await
            .unwrap();
        TestPortal {
            app: router(state.clone()),
            state,
            dir,
            url: self.url.clone(),
        }
    }

    /// A bearer token for a demo user.
    pub async fn token(&self, user: &str) -> String {
        let a = self
            .call(
                "POST",
                "/dev/session",
                None,
                &[],
                Some(format!("{{\"user\":\"{user}\"}}").into_bytes()),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
        a.json["token"].as_str().unwrap().to_owned()
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let mut typed = false;
        for (k, v) in headers {
            typed |= k.eq_ignore_ascii_case("content-type");
            req = req.header(*k, *v);
        }
        if !typed {
            req = req.header("content-type", "application/json");
        }
        let res = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body.unwrap_or_default())).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Answer {
            status,
            headers,
            json,
            bytes,
        }
    }

    pub async fn get(&self, uri: &str, token: &str) -> Answer {
        self.call("GET", uri, Some(token), &[], None).await
    }

    pub async fn post(&self, uri: &str, token: &str, key: Option<&str>, body: &Value) -> Answer {
        let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
        self.call(
            "POST",
            uri,
            Some(token),
            &headers,
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    /// Dossiers and versions stored.
    pub async fn counts(&self) -> (i64, i64) {
        self.state.db.counts().await.unwrap()
    }
}

/// A valid CT01 submission of citizen An (the example's applicant).
pub fn ct01() -> Value {
    serde_json::json!({
        "formId": "ct01",
        "formVersion": 1,
        "data": serde_json::from_str::<Value>(include_str!("../../../schemas/forms/ct01.example.json")).unwrap(),
    })
}

/// A valid CT01 submission of a demo citizen: the applicant's identity is theirs, as the
/// portal's lock check requires.
#[allow(dead_code)]
pub fn ct01_as(user: &str) -> Value {
    let mut body = ct01();
    let (_, attributes) = portal::datastore::demo_attributes()
        .into_iter()
        .find(|(u, _)| *u == user)
        .expect("a demo citizen");
    for (_, key, value) in attributes {
        if let Some(field) = key.strip_prefix("citizen.")
            && ["fullName", "dateOfBirth", "sex", "idNumber"].contains(&field)
        {
            body["data"]["applicant"][field] = value;
        }
    }
    body
}

/// A minimal PDF.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// A plain HTTP/1.1 request over a new connection (`connection: close`): status and body.
pub async fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await?;
    s.write_all(body).await?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let status = std::str::from_utf8(&answer[9..12])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    Ok((status, answer[split + 4..].to_vec()))
}

//! HTTP routes, status codes and security headers.

use crate::auth;
use crate::catalog::{Catalog, Entry};
use crate::datastore;
use crate::db::Db;
use crate::intake;
use crate::writer::Writer;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use form_core::{Diagnostic, Text};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// The Content-Security-Policy of every response: no inline script, wasm allowed, nothing from
/// elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/// Largest data body accepted (form data only; attachments travel separately).
pub const MAX_BODY: usize = 512 * 1024;
/// Most JSON values (objects, arrays, scalars) in one body: bounds the work of one check.
pub const MAX_VALUES: usize = 50_000;
/// Most diagnostics returned in one answer (the total is given too).
pub const MAX_DIAGNOSTICS: usize = 500;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    /// Where the built web apps are (`app/`, `builder/`).
    pub web_dir: PathBuf,
    pub db: Db,
    /// The intake queue (group commit of submissions and amendments).
    pub writer: Writer,
    pub config: Arc<Config>,
    /// The certification-portal bridge (signing).
    pub bridge: Arc<crate::bridge::Bridge>,
    /// What signatures on dossiers must lead to: `--trust-store` and, in development mode, the
    /// development signer's CA.
    pub trust: Arc<form_core::sign::TrustStore>,
    /// The agency directory (names by code).
    pub agencies: Arc<crate::agencies::Directory>,
    /// The identity provider (production); none in development mode without one.
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
    /// The rate limits' counters.
    pub limits: Arc<crate::limits::Limits>,
    /// The key of the signed links to attachments (from the database, on first use).
    pub link_key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
    /// Revocation data for signature validation, fetched and cached (see `revocation`).
    pub revocation: Arc<crate::revocation::Revocation>,
    /// The key drafts saved on the portal are sealed with (none: drafts stay in browsers).
    pub drafts: Option<Arc<crate::drafts::Sealer>>,
}

/// How the portal runs. The default is production: it fails closed, and
/// [`Config::development`] is asked for by name (`eform serve --dev`).
#[derive(Clone, Debug)]
pub struct Config {
    /// Development mode: demo users, the sign-in page lists them, `/dev/*` routes, the
    /// development signer's CA trusted. Never the default.
    pub dev: bool,
    /// The agency code of forms that name none.
    pub default_agency: String,
    /// The portal's public address (`https://…`): the identity provider's redirect address, the
    /// QR codes of receipts. Required in production.
    pub public_url: Option<String>,
    /// Where the development signer keeps its test CA and keys (development mode only; none:
    /// no signing provider).
    pub signer_dir: Option<PathBuf>,
    /// Trusted certificates for dossier signatures (PEM; self-signed ones are the roots, the
    /// others CAs below them). Required in production.
    pub trust_store: Option<PathBuf>,
    /// The signing provider of a deployment (none: the development signer in development
    /// mode, no signing otherwise).
    pub signing: Option<Signing>,
    /// The identity provider (OpenID Connect) citizens and officials sign in through. Required
    /// in production.
    pub oidc: Option<crate::oidc::Settings>,
    /// The agency directory (a JSON file: `[{"code", "name": {"vi", "en"}}]`), loaded into the
    /// database at start. Production needs agencies, from this file or already stored.
    pub agencies: Option<PathBuf>,
    /// How long a form version still takes new dossiers after a later version is recorded
    /// (drafts already started), in milliseconds; 0 retires it at once.
    pub form_grace_ms: i64,
    /// Origins of host portals that embed forms through their own reverse proxy: their
    /// state-changing requests are accepted (see `csrf`).
    pub allowed_origins: Vec<String>,
    /// The rate limits (see `limits`).
    pub rates: crate::limits::Rates,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How webhooks are delivered (see `webhooks`).
    pub delivery: crate::webhooks::Settings,
    /// How dossier signatures are validated (see `signatures`).
    pub signatures: crate::signatures::Policy,
    /// The key file of drafts saved on the portal (see `drafts`). Development mode without one:
    /// a key of the process's own; production without one: drafts stay in browsers.
    pub draft_key: Option<PathBuf>,
}

/// The default grace window of a superseded form version: a day.
pub const DEFAULT_FORM_GRACE_MS: i64 = 24 * 3600 * 1000;

/// A remote signing provider and its settings.
#[derive(Clone, Debug)]
pub enum Signing {
    Csc(crate::bridge::csc::Settings),
    Esign(crate::bridge::esign::Settings),
}

impl Default for Config {
    /// Production, with nothing configured: [`Config::problems`] names what is missing.
    fn default() -> Self {
        Config {
            dev: false,
            default_agency: "000.00.18.H56".into(),
            public_url: None,
            signer_dir: None,
            trust_store: None,
            signing: None,
            oidc: None,
            agencies: None,
            form_grace_ms: DEFAULT_FORM_GRACE_MS,
            allowed_origins: Vec::new(),
            rates: crate::limits::Rates::default(),
            trusted_proxies: Vec::new(),
            delivery: crate::webhooks::Settings::default(),
            signatures: crate::signatures::Policy::default(),
            draft_key: None,
        }
    }
}

impl Config {
    /// Development mode: demo users and agencies, `/dev/*`, the development signer (with
    /// `signer_dir`).
    pub fn development() -> Self {
        Config {
            dev: true,
            ..Config::default()
        }
    }

    /// What a production configuration lacks, one line each (empty: complete). Development
    /// mode needs nothing.
    pub fn problems(&self) -> Vec<String> {
        if self.dev {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.oidc.is_none() {
            out.push(
                "no identity provider: give --oidc-issuer and --oidc-client-id, and the client secret in EFORM_OIDC_CLIENT_SECRET"
                    .to_owned(),
            );
        }
        if let Some(o) = &self.oidc {
            out.extend(o.problems());
        }
        match self.public_url.as_deref() {
            None => out.push(
                "no public address: give --public-url https://… (the identity provider returns citizens there)"
                    .to_owned(),
            ),
            Some(u) if !crate::oidc::secure_url(u) => out.push(format!(
                "--public-url {u} must be https:// (plain http only on a loopback address)"
            )),
            Some(_) => {}
        }
        if self.trust_store.is_none() {
            out.push(
                "no trust store: give --trust-store FILE (the licensed CAs' certificates that dossier signatures must lead to)"
                    .to_owned(),
            );
        }
        out
    }
}

impl AppState {
    /// Opens the database, records the catalog's form versions, seeds the demo users (in
    /// development mode) and starts the intake writer. Must run inside a Tokio runtime.
    pub async fn new(
        catalog: Catalog,
        web_dir: PathBuf,
        database_url: &str,
        config: Config,
    ) -> Result<AppState, sqlx::Error> {
        let refuse = |what: String| sqlx::Error::Configuration(what.into());
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(refuse(format!(
                "production mode (the default; --dev for a development portal) is not configured: {}",
                problems.join("; ")
            )));
        }
        let directory = match &config.agencies {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| refuse(format!("reading --agencies {}: {e}", path.display())))?;
                crate::agencies::parse(&text)
                    .map_err(|e| refuse(format!("--agencies {}: {e}", path.display())))?
            }
            None if config.dev => crate::agencies::demo(),
            None => Vec::new(),
        };
        let oidc = match (&config.oidc, &config.public_url) {
            (Some(settings), Some(public)) => Some(Arc::new(
                crate::oidc::Oidc::new(settings.clone(), public).map_err(refuse)?,
            )),
            (Some(_), None) => {
                return Err(refuse(
                    "an identity provider needs --public-url (its way back)".into(),
                ));
            }
            _ => None,
        };
        let db = Db::connect(database_url).await?;
        for a in &directory {
            db.upsert_agency(&a.code, &a.name).await?;
        }
        let agencies = crate::agencies::Directory::new(db.agencies().await?);
        if !config.dev && agencies.is_empty() {
            return Err(refuse(
                "the agency directory is empty: give --agencies FILE (a JSON list of {\"code\", \"name\": {\"vi\", \"en\"}})".into(),
            ));
        }
        for (id, entry) in catalog.snapshot() {
            if let Entry::Ready(r) = entry {
                let version = i64::from(r.form.definition().version);
                if !db.record_form_version(&id, version, &r.json).await? {
                    tracing::warn!(form = %id, version, "this version was published before with another definition; dossiers keep the earlier one — give the form a new version number");
                }
            }
        }
        // Then every form's latest version, whoever recorded it (builder publications, another
        // instance's files) — and again every FOLLOW_EVERY while the portal runs.
        let catalog = Arc::new(catalog);
        let mut tried = std::collections::HashSet::new();
        crate::catalog::follow(&catalog, &db, &mut tried).await?;
        {
            let (catalog, db) = (Arc::downgrade(&catalog), db.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(crate::catalog::FOLLOW_EVERY);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    every.tick().await;
                    let Some(catalog) = catalog.upgrade() else {
                        break;
                    };
                    if let Err(e) = crate::catalog::follow(&catalog, &db, &mut tried).await {
                        tracing::warn!(error = %e, "following the forms recorded in the database");
                    }
                }
            });
        }
        if config.dev {
            for u in crate::auth::demo_users() {
                db.upsert_user(&u).await?;
            }
            crate::datastore::seed_demo(&db).await?;
        }
        let writer = Writer::start(db.clone());
        use crate::bridge::{Provider, csc::Csc, esign::Esign};
        let remote = |e: anyhow::Error| sqlx::Error::Configuration(e.into());
        let provider = match (&config.signing, &config.signer_dir, config.dev) {
            (Some(Signing::Csc(s)), _, _) => {
                Some(Provider::Csc(Csc::new(s.clone()).map_err(remote)?))
            }
            (Some(Signing::Esign(s)), _, _) => {
                Some(Provider::Esign(Esign::new(s.clone()).map_err(remote)?))
            }
            (None, Some(dir), true) => {
                match crate::bridge::dev::DevSigner::open(&db, Some(dir)).await {
                    Ok(d) => Some(Provider::Dev(Box::new(d))),
                    Err(e) => {
                        tracing::error!(error = %e, dir = %dir.display(), "the development signer cannot start");
                        None
                    }
                }
            }
            _ => None,
        };
        let bridge = crate::bridge::Bridge::new(provider);
        let drafts = match (&config.draft_key, config.dev) {
            (Some(path), _) => Some(Arc::new(
                crate::drafts::Sealer::from_file(path)
                    .map_err(|e| sqlx::Error::Configuration(e.into()))?,
            )),
            (None, true) => {
                Some(Arc::new(crate::drafts::Sealer::random().map_err(|e| {
                    sqlx::Error::Configuration(e.to_string().into())
                })?))
            }
            (None, false) => {
                tracing::warn!(
                    "no --draft-key-file: citizens' drafts stay in their browsers (no resuming on another device)"
                );
                None
            }
        };
        let trust = crate::bridge::trust_store(config.trust_store.as_deref(), &bridge)
            .map_err(|e| sqlx::Error::Configuration(e.into()))?;
        // Abandoned uploads go after a day, dossiers past their retention (checked every
        // hour, on every instance: both are idempotent).
        {
            let db = db.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    every.tick().await;
                    let before = crate::clock::now_ms() - crate::intake::UNATTACHED_KEPT_MS;
                    match db.collect_garbage(before).await {
                        Ok((0, _)) => {}
                        Ok((files, bytes)) => {
                            tracing::info!(files, bytes, "abandoned uploads removed")
                        }
                        Err(e) => tracing::warn!(error = %e, "removing abandoned uploads"),
                    }
                    if let Err(e) = db.forget_rate_limits(crate::clock::now_ms()).await {
                        tracing::warn!(error = %e, "forgetting refilled rate limits");
                    }
                    match db.forget_citizen_drafts(crate::clock::now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(drafts = n, "drafts past their keeping removed"),
                        Err(e) => tracing::warn!(error = %e, "removing expired drafts"),
                    }
                    // Dossiers past their procedure's retention (`eform retention`).
                    match db.apply_retention(crate::clock::now_ms()).await {
                        Ok(e) if e == crate::db::Erasure::default() => {}
                        Ok(e) => tracing::info!(
                            anonymised = e.anonymised,
                            deleted = e.deleted,
                            files = e.files,
                            log_entries = e.log_entries,
                            "data past their retention erased"
                        ),
                        Err(e) => tracing::warn!(error = %e, "applying the retention schedule"),
                    }
                }
            });
        }
        // Counts shared by the instances on PostgreSQL; SQLite serves one instance.
        let shared = matches!(db, Db::Pg(_)).then(|| db.clone());
        let limits = Arc::new(crate::limits::Limits::shared(&config.rates, shared));
        {
            let limits = Arc::downgrade(&limits);
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
                loop {
                    every.tick().await;
                    match limits.upgrade() {
                        Some(l) => l.forget_idle(),
                        None => break,
                    }
                }
            });
        }
        let state = AppState {
            link_key: Arc::new(tokio::sync::OnceCell::new()),
            drafts,
            revocation: Arc::new(crate::revocation::Revocation::default()),
            limits,
            agencies: Arc::new(agencies),
            oidc,
            trust: Arc::new(trust),
            bridge: Arc::new(bridge),
            catalog,
            web_dir,
            db,
            writer,
            config: Arc::new(config),
        };
        crate::webhooks::start(state.clone());
        crate::signatures::start(state.clone());
        Ok(state)
    }
}

/// All routes of the portal.
pub fn router(state: AppState) -> Router {
    let production = !state.config.dev;
    let app_dir = state.web_dir.join("app");
    let builder_dir = state.web_dir.join("builder");
    Router::new()
        .route("/", get(citizen_home))
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(ready))
        .route("/forms", get(list_forms))
        .route("/forms/{id}", get(get_form))
        .route(
            "/f/{id}",
            get(crate::form_page::get)
                .post(crate::form_page::post)
                .layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .route("/refdata/admin-units.json", get(admin_units))
        .route("/eform/eform.js", get(embed_script))
        .route(
            "/api/v1/forms/{id}/check",
            post(check_data).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .route(
            "/forms/{id}/versions/{version}",
            get(intake::form_definition),
        )
        .route("/signin", get(auth::signin_page))
        .route("/auth/login", get(crate::sso::login))
        .route("/auth/callback", get(crate::sso::callback))
        .route("/signout", post(auth::signout))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/session", get(auth::session))
        .route("/api/v1/dossiers", get(intake::list))
        .route("/api/v1/dossiers/{code}", get(intake::get))
        .route("/api/v1/co-signatures", get(crate::cosign::tasks))
        .route("/api/v1/drafts", get(crate::drafts::list))
        .route(
            "/api/v1/drafts/{form}",
            get(crate::drafts::get)
                .put(crate::drafts::put)
                .delete(crate::drafts::delete)
                // Above the draft's own limit, so that its bilingual 413 answers.
                .layer(DefaultBodyLimit::max(2 * crate::drafts::MAX_DRAFT)),
        )
        .route("/api/v1/co-signatures/{code}", get(crate::cosign::task))
        .merge(
            // Writes that run to the end even when the client goes away.
            Router::new()
                .route("/api/v1/dossiers", post(intake::submit))
                .route("/api/v1/dossiers/{code}/amendments", post(intake::amend))
                .route("/api/v1/co-signatures/{code}", post(crate::cosign::answer))
                .layer(DefaultBodyLimit::max(MAX_BODY))
                .route_layer(middleware::from_fn(intake::detached)),
        )
        .route(
            "/api/v1/dossiers/{code}/status",
            post(intake::set_status).layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route(
            "/api/v1/dossiers/{code}/rating",
            post(intake::rate).layer(DefaultBodyLimit::max(16 * 1024)),
        )
        .route("/api/v1/dossiers/{code}/download", get(intake::download))
        .route(
            "/api/v1/dossiers/{code}/signed/{part}",
            get(intake::signed_part),
        )
        .route("/api/v1/dossiers/{code}/qr.svg", get(intake::qr))
        .route("/api/v1/dossiers/{code}/access", get(intake::access))
        .route("/api/v1/ratings", get(intake::ratings))
        .route("/api/v1/agency/events", get(crate::events::list))
        .route(
            "/datastore/v1/me/attributes",
            get(datastore::read)
                .put(datastore::write)
                .delete(datastore::erase)
                .layer(DefaultBodyLimit::max(datastore::MAX_BODY)),
        )
        .route("/datastore/v1/me/audit", get(datastore::audit))
        .route(
            "/bridge/v1/credentials/list",
            post(crate::bridge::credentials_list),
        )
        .route(
            "/bridge/v1/signatures/signHash",
            post(crate::bridge::sign_hash).layer(DefaultBodyLimit::max(16 * 1024)),
        )
        .route(
            "/bridge/v1/signatures/{id}",
            get(crate::bridge::transaction),
        )
        .route(
            "/datastore/v1/me/reports",
            post(datastore::report).layer(DefaultBodyLimit::max(datastore::MAX_BODY)),
        )
        .route(
            "/api/v1/attachments",
            post(intake::upload).layer(DefaultBodyLimit::max(intake::MAX_FILE)),
        )
        .route("/api/v1/attachments/{sha256}", get(intake::download_file))
        .route(
            "/api/v1/builder/forms",
            get(crate::builder::list)
                .post(crate::builder::create)
                .layer(DefaultBodyLimit::max(crate::builder::MAX_DEFINITION + 4096)),
        )
        .route(
            "/api/v1/builder/forms/{id}",
            get(crate::builder::get)
                .put(crate::builder::save)
                .layer(DefaultBodyLimit::max(crate::builder::MAX_DEFINITION + 4096)),
        )
        .route(
            "/api/v1/builder/forms/{id}/publish",
            post(crate::builder::publish).layer(DefaultBodyLimit::max(1024)),
        )
        .route(
            "/api/v1/builder/forms/{id}/versions/{version}",
            get(crate::builder::version),
        )
        .route("/d/{code}", get(citizen_home))
        .route("/co-sign/{code}", get(citizen_home))
        .route("/dossiers", get(citizen_home))
        .route("/inbox", get(citizen_home))
        .route("/data", get(citizen_home))
        .route(
            "/builder",
            get(|| async { axum::response::Redirect::permanent("/builder/") }),
        )
        // Built files come with a gzip copy (`cargo xtask build-web`): served as they are.
        .nest_service(
            "/builder/",
            ServeDir::new(&builder_dir).precompressed_gzip().fallback(
                ServeDir::new(&builder_dir)
                    .precompressed_gzip()
                    .append_index_html_on_directories(true),
            ),
        )
        .nest_service("/app", ServeDir::new(app_dir).precompressed_gzip())
        .nest_service(
            "/embed",
            ServeDir::new(state.web_dir.join("embed")).precompressed_gzip(),
        )
        .merge(dev_routes(state.config.dev))
        .route_layer(middleware::from_fn(crate::observe::mark_route))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "not-found",
                Text::new("Không tìm thấy trang.", "Page not found."),
            )
        })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::csrf::guard,
        ))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            headers(req, next, production)
        }))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(crate::observe::track))
        .with_state(state)
}

/// The routes of development mode only (none in production).
fn dev_routes(dev: bool) -> Router<AppState> {
    if !dev {
        return Router::new();
    }
    Router::new()
        .route("/dev/users", get(auth::dev_users))
        .route(
            "/dev/session",
            post(auth::dev_session).layer(DefaultBodyLimit::max(4096)),
        )
        .route("/dev/login", get(auth::dev_login))
        .route("/dev/signer", get(crate::bridge::dev_page))
        .route("/dev/signer/root.pem", get(crate::bridge::dev_root))
        .route(
            "/dev/signer/{id}/{decision}",
            post(crate::bridge::dev_decide),
        )
}

/// `GET /readyz`: 200 when the database answers (for a load balancer's readiness check), 503
/// when it does not; `/healthz` only says the process is alive.
async fn ready(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => {
            Json(json!({"status": "ready", "database": state.db.backend()})).into_response()
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
        Err(_) => {
            tracing::warn!("readiness: the database took more than 2 s");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// 400 `cursor-invalid`: a list's `before` that is not one of its cursors.
pub fn cursor_invalid() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "cursor-invalid",
        Text::new(
            "Tham số before không hợp lệ.",
            "The before parameter is not a cursor of this list.",
        ),
    )
}

/// A 500 that says nothing of the cause (it is logged).
pub fn internal() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        Text::new("Lỗi nội bộ.", "Internal error."),
    )
}

/// The name of a built file of the citizen app (`prefix…suffix`, trunk's hashed names).
pub fn built_file(web_dir: &std::path::Path, prefix: &str, suffix: &str) -> Option<String> {
    built_file_in(&web_dir.join("app"), prefix, suffix)
}

/// The name of a built file in `dir` (`prefix…suffix`).
fn built_file_in(dir: &std::path::Path, prefix: &str, suffix: &str) -> Option<String> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(prefix) && n.ends_with(suffix))
}

/// Vietnam's administrative units, for the address picker (compact JSON; a day's caching, as
/// the list changes only by law).
/// The text and its gzip are made once (the list is compiled in), not for every request.
async fn admin_units(headers: HeaderMap) -> Response {
    static BODY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        serde_json::to_string(crate::catalog::admin_units().file()).unwrap_or_default()
    });
    static GZIP: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = gz.write_all(BODY.as_bytes());
        gz.finish().unwrap_or_default()
    });
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let common = [
        (header::CONTENT_TYPE, "application/json"),
        (header::CACHE_CONTROL, "public, max-age=86400"),
        (header::VARY, "accept-encoding"),
    ];
    if gzip && !GZIP.is_empty() {
        (
            common,
            [(header::CONTENT_ENCODING, "gzip")],
            GZIP.as_slice(),
        )
            .into_response()
    } else {
        (common, BODY.as_str()).into_response()
    }
}

/// `/eform/eform.js`: the one script a portal page includes to embed forms, with the hashed
/// file names of the current build of the runtime filled in.
async fn embed_script(State(state): State<AppState>) -> Response {
    let dir = state.web_dir.join("embed");
    let glue = built_file_in(&dir, "form-ui-", ".js");
    let wasm = built_file_in(&dir, "form-ui-", "_bg.wasm");
    let css = built_file_in(&dir, "eform-", ".css");
    let (Some(glue), Some(wasm), Some(css)) = (glue, wasm, css) else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "runtime-not-built",
            Text::new(
                "Chưa có bản dựng của biểu mẫu điện tử (chạy cargo xtask run).",
                "The e-form runtime is not built (run cargo xtask run).",
            ),
        );
    };
    let body = include_str!("eform.js")
        .replace("__GLUE__", &glue)
        .replace("__WASM__", &wasm)
        .replace("__CSS__", &css);
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Paths whose answers carry personal data: never stored by a browser or a shared cache.
const PERSONAL: [&str; 7] = [
    "/api/",
    "/datastore/",
    "/bridge/",
    "/auth/",
    "/dev/",
    "/signin",
    // A form page drawn by the portal may hold what the citizen typed or their store's values.
    "/f/",
];

/// Security headers on every response; caching by kind of file; HSTS in production.
async fn headers(req: Request, next: Next, production: bool) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let static_file = ["/app/", "/embed/", "/builder/"]
        .iter()
        .any(|p| path.starts_with(p));
    let hashed = static_file
        && res.status().is_success()
        && path.rsplit('/').next().is_some_and(is_hashed_asset);
    let h = res.headers_mut();
    // A response with its own (stricter) policy keeps it: downloads are sandboxed.
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if production {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if PERSONAL.iter().any(|p| path.starts_with(p)) {
        // Whatever a handler said: personal data is never kept (review M8).
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return res;
    }
    let cache = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    res
}

/// trunk names built files `name-<hash>.ext` (up to 16 hex digits): their content never
/// changes under that name.
fn is_hashed_asset(file: &str) -> bool {
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, h)| {
        (8..=16).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// A JSON request body, or the 400 `json-syntax` answer saying why not (handlers hand back
/// ready responses as errors, see intake.rs).
#[allow(clippy::result_large_err)]
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "json-syntax",
            Text::new(
                format!("Nội dung gửi lên không hợp lệ: {e}"),
                format!("The request body is not valid: {e}"),
            ),
        )
    })
}

pub fn error(status: StatusCode, code: &str, message: Text) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn broken(source: &str, diagnostics: &[Diagnostic]) -> Response {
    let body = json!({
        "error": {"code": "definition-invalid", "message": Text::new(
            format!("Định nghĩa biểu mẫu ({source}) có lỗi."),
            format!("The form definition ({source}) has errors."),
        )},
        "diagnostics": diagnostics,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn form_not_found(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "form-not-found",
        Text::new(
            format!("Không có biểu mẫu \"{id}\"."),
            format!("There is no form \"{id}\"."),
        ),
    )
}

async fn list_forms(State(state): State<AppState>) -> Json<Value> {
    let forms: Vec<Value> = state
        .catalog
        .snapshot()
        .into_iter()
        .filter_map(|(id, e)| match e {
            Entry::Ready(r) => Some(json!({"id": id, "version": r.form.definition().version, "title": r.form.definition().title})),
            Entry::Broken { .. } => None,
        })
        .collect();
    Json(Value::Array(forms))
}

async fn get_form(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.catalog.get(&id) {
        Some(Entry::Ready(r)) => {
            ([(header::CONTENT_TYPE, "application/json")], r.json.clone()).into_response()
        }
        Some(Entry::Broken {
            source,
            diagnostics,
        }) => broken(&source, &diagnostics),
        None => form_not_found(&id),
    }
}

/// `POST /api/v1/forms/{id}/check`: the portal's verdict on data, with the same rules as the
/// browser. 200 `{valid: true}`, or 422 with every diagnostic.
async fn check_data(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let client = client_address(&state, &headers, &extensions);
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Check, &client)
        .await
    {
        return r;
    }
    let ready = match state.catalog.get(&id) {
        Some(Entry::Ready(r)) => r.clone(),
        Some(Entry::Broken {
            source,
            diagnostics,
        }) => return broken(&source, &diagnostics),
        None => return form_not_found(&id),
    };
    let data: Value = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(refusal) = too_many_values(&data) {
        return refusal;
    }
    // Validation is CPU work: keep it off the async workers.
    let today = crate::catalog::today_in_vietnam();
    let diagnostics =
        match crate::work::cpu(crate::work::DEADLINE, move || ready.validate(&data, today)).await {
            Ok(d) => d,
            Err(r) => return r,
        };
    if diagnostics.is_empty() {
        Json(json!({"valid": true, "diagnostics": []})).into_response()
    } else {
        let total = diagnostics.len();
        let shown = &diagnostics[..total.min(MAX_DIAGNOSTICS)];
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"valid": false, "total": total, "diagnostics": shown})),
        )
            .into_response()
    }
}

/// The client's address: the connection's peer, or — when the peer is one of the trusted
/// proxies (`--trusted-proxy`) — the last address of `X-Forwarded-For` that is not one of them.
pub fn client_address(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> String {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let Some(peer) = peer else {
        return "local".into();
    };
    let trusted = |ip: &std::net::IpAddr| state.config.trusted_proxies.contains(ip);
    let ip = if trusted(&peer) {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .rev()
            .find(|ip| !trusted(ip))
            .unwrap_or(peer)
    } else {
        peer
    };
    // An IPv6 client holds a whole /64: count it as one.
    match ip {
        std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        other => other.to_string(),
    }
}

/// 413 when `data` has more than [`MAX_VALUES`] JSON values (it bounds the work of one check).
pub fn too_many_values(data: &Value) -> Option<Response> {
    (count_values(data, MAX_VALUES) > MAX_VALUES).then(|| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "data-too-large",
            Text::new(
                format!("Dữ liệu có hơn {MAX_VALUES} giá trị, quá lớn cho một tờ khai."),
                format!("The data has more than {MAX_VALUES} values, too many for one form."),
            ),
        )
    })
}

/// The number of JSON values in `v`, counting stops past `limit`.
fn count_values(v: &Value, limit: usize) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        if n > limit {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    n
}

async fn citizen_home(State(state): State<AppState>) -> Response {
    app_page(&state, StatusCode::OK, None).await
}

/// What the portal drew of a page itself (`form-html`): shown at once, before the app arrives
/// or without it.
#[derive(Clone, Copy)]
pub(crate) enum Drawn<'a> {
    /// A form: the app takes it over when it arrives, keeping what was typed into it, in the
    /// language the citizen chose on the page (`None`: none chosen, the app uses its own).
    /// `sent`: the page answers a post, so what it shows is what the citizen sent.
    Form {
        html: &'a str,
        lang: Option<form_core::Lang>,
        sent: bool,
    },
    /// A page that stays as drawn (a receipt): the app does not start on it.
    Final(&'a str),
}

/// The citizen app's page; `drawn`, the portal's own HTML of the page, goes at the start of the
/// body in `<div id="ef-ssr">`: what shows until the app takes over (the stylesheet hides the
/// app's own elements while it is there), and all that a browser without JavaScript shows.
pub(crate) async fn app_page(
    state: &AppState,
    status: StatusCode,
    drawn: Option<Drawn<'_>>,
) -> Response {
    match tokio::fs::read_to_string(state.web_dir.join("app/index.html")).await {
        Ok(html) => {
            let drawn = drawn.map(|d| match d {
                Drawn::Form { html, lang, sent } => format!(
                    "<div id=\"ef-ssr\" data-ef-takeover{}{}>{html}</div>",
                    lang.map(|l| format!(" data-ef-lang=\"{}\"", l.tag()))
                        .unwrap_or_default(),
                    if sent { " data-ef-sent" } else { "" }
                ),
                Drawn::Final(h) => format!("<div id=\"ef-ssr\">{h}</div>"),
            });
            let html = match drawn {
                // At the start of the body; a page without a `<body>` tag (its start tag may be
                // left out) gets it at the end.
                Some(d) if html.contains("<body>") => {
                    html.replacen("<body>", &format!("<body>{d}"), 1)
                }
                Some(d) => format!("{html}{d}"),
                None => html,
            };
            let mut headers = HeaderMap::new();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            (status, headers, Html(html)).into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<!doctype html><html lang=\"en\"><title>eform</title><p>The citizen app is not built. Run <code>cargo xtask run</code>.</p></html>"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn hashed_assets() {
        assert!(is_hashed_asset("form-ui-f5ab7da2a1f5bb3b_bg.wasm"));
        assert!(is_hashed_asset("eform-876524cfb114e896.css"));
        assert!(is_hashed_asset("eform-7df0f68a81c0dad.css"));
        assert!(!is_hashed_asset("boot.js"));
        assert!(!is_hashed_asset("index.html"));
    }
}

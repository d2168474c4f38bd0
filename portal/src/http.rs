//! HTTP routes, status codes and security headers.

use crate::apps::app_page;
use crate::auth;
use crate::catalog::Entry;
use crate::datastore;
use crate::intake;
use crate::reply::{MAX_BODY, MAX_DIAGNOSTICS, built_file_in, error, parse_body, too_many_values};
use crate::state::{AppState, client_address};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use form_core::{Diagnostic, Text};
use serde_json::{Value, json};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// The Content-Security-Policy of every response: no inline script, wasm allowed, nothing from
/// elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

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
        .route("/refdata/admin-units.json", get(admin_units))
        .route("/refdata/provinces.json", get(provinces))
        .route("/refdata/communes/{file}", get(communes))
        .route("/eform/eform.js", get(embed_script))
        .route("/eform/page.js", get(page_script))
        .route(
            "/api/v1/forms/{id}/check",
            post(check_data).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .merge(crate::form_page::routes())
        .merge(auth::routes())
        .merge(crate::sso::routes())
        .merge(intake::routes())
        .merge(crate::cosign::routes())
        .merge(crate::drafts::routes())
        .merge(crate::events::routes())
        .merge(datastore::routes())
        .merge(crate::bridge::routes::routes())
        .merge(crate::builder::routes())
        .route("/d/{code}", get(account_page))
        .route("/co-sign/{code}", get(account_page))
        .route("/dossiers", get(account_page))
        .route("/inbox", get(account_page))
        .route("/data", get(account_page))
        .route(
            "/builder",
            get(|| async { axum::response::Redirect::permanent("/builder/") }),
        )
        .nest_service(
            "/builder/",
            built_files(&builder_dir)
                .fallback(built_files(&builder_dir).append_index_html_on_directories(true)),
        )
        .nest_service("/app", built_files(&app_dir))
        .nest_service("/account", built_files(&state.web_dir.join("account")))
        .nest_service("/embed", built_files(&state.web_dir.join("embed")))
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

/// Built files (`cargo xtask build-web`) come with a brotli and a gzip copy: served as they are,
/// brotli to a client that takes it.
fn built_files(dir: &std::path::Path) -> ServeDir {
    ServeDir::new(dir).precompressed_br().precompressed_gzip()
}

/// The routes of development mode only (none in production).
fn dev_routes(dev: bool) -> Router<AppState> {
    if !dev {
        return Router::new();
    }
    auth::dev_routes().merge(crate::bridge::routes::dev_routes())
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

/// A JSON text made once (the administrative units are compiled in), with its gzip.
struct Made {
    text: String,
    gzip: Vec<u8>,
}

impl Made {
    fn of(value: &impl serde::Serialize) -> Made {
        use std::io::Write;
        let text = serde_json::to_string(value).unwrap_or_default();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = gz.write_all(text.as_bytes());
        Made {
            text,
            gzip: gz.finish().unwrap_or_default(),
        }
    }

    /// The answer: compact JSON, gzip when the client takes it, a day's caching (the list
    /// changes only by law).
    fn answer(&self, headers: &HeaderMap) -> Response {
        let gzip = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        let common = [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::VARY, "accept-encoding"),
        ];
        if gzip && !self.gzip.is_empty() {
            (
                common,
                [(header::CONTENT_ENCODING, "gzip")],
                self.gzip.clone(),
            )
                .into_response()
        } else {
            (common, self.text.clone()).into_response()
        }
    }
}

/// Vietnam's administrative units, whole: every province and its communes.
async fn admin_units(headers: HeaderMap) -> Response {
    static MADE: std::sync::LazyLock<Made> =
        std::sync::LazyLock::new(|| Made::of(crate::catalog::admin_units().file()));
    MADE.answer(&headers)
}

/// The provinces alone, each marked `later`: what the light runtime loads first for a form
/// with an address; a province's communes come when it is chosen (`/refdata/communes/{code}`).
async fn provinces(headers: HeaderMap) -> Response {
    static MADE: std::sync::LazyLock<Made> = std::sync::LazyLock::new(|| {
        Made::of(&crate::catalog::admin_units().file().provinces_only())
    });
    MADE.answer(&headers)
}

/// One province with its communes (`/refdata/communes/01.json`).
async fn communes(Path(file): Path<String>, headers: HeaderMap) -> Response {
    static MADE: std::sync::LazyLock<std::collections::HashMap<String, Made>> =
        std::sync::LazyLock::new(|| {
            crate::catalog::admin_units()
                .provinces()
                .iter()
                .map(|p| (p.code.clone(), Made::of(p)))
                .collect()
        });
    match file.strip_suffix(".json").and_then(|code| MADE.get(code)) {
        Some(made) => made.answer(&headers),
        None => error(
            StatusCode::NOT_FOUND,
            "province-not-found",
            Text::new(
                "Không có tỉnh, thành phố này trong danh mục đơn vị hành chính.",
                "There is no such province or city in the list of administrative units.",
            ),
        ),
    }
}

/// `/eform/eform.js`: the one script a portal page includes to embed forms, with the hashed
/// name of the current build's stylesheet filled in (the runtime's modules are named by
/// `form-bind.js` and `form-sign.js` beside it).
async fn embed_script(State(state): State<AppState>) -> Response {
    let css = embed_stylesheet(&state);
    let built = state.web_dir.join("embed/form-bind.js").is_file();
    let (Some(css), true) = (css, built) else {
        return not_built();
    };
    let body = include_str!("eform.js").replace("__CSS__", &css);
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The file name of the embed's stylesheet in the current build (under `/embed/`).
fn embed_stylesheet(state: &AppState) -> Option<String> {
    built_file_in(&state.web_dir.join("embed"), "eform-", ".css")
}

/// 503: the runtime's files are not built.
fn not_built() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "runtime-not-built",
        Text::new(
            "Chưa có bản dựng của biểu mẫu điện tử (chạy cargo xtask run).",
            "The e-form runtime is not built (run cargo xtask run).",
        ),
    )
}

/// `/eform/page.js`: the script of the portal's own form page (`/f/{id}`), with the hashed
/// names of the light runtime's builds (with the portal's services, for someone signed in; without,
/// for a visitor) and of the signing module.
async fn page_script(State(state): State<AppState>) -> Response {
    let dir = state.web_dir.join("embed");
    let find = |name: &str, suffix: &str| crate::reply::module_file_in(&dir, name, suffix);
    let (Some(runtime), Some(wasm), Some(plain), Some(plain_wasm), Some(sign), Some(sign_wasm)) = (
        find("form-bind-services", ".js"),
        find("form-bind-services", "_bg.wasm"),
        find("form-bind", ".js"),
        find("form-bind", "_bg.wasm"),
        find("form-sign", ".js"),
        find("form-sign", "_bg.wasm"),
    ) else {
        return not_built();
    };
    let body = include_str!("page.js")
        .replace("__RUNTIME_WASM__", &wasm)
        .replace("__RUNTIME__", &runtime)
        .replace("__PLAIN_WASM__", &plain_wasm)
        .replace("__PLAIN__", &plain)
        .replace("__SIGN_WASM__", &sign_wasm)
        .replace("__SIGN__", &sign);
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
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
    let static_file = ["/app/", "/account/", "/embed/", "/builder/"]
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
    // A built file is sent as its brotli or gzip copy, or as it is, by what the client takes:
    // a cache keeps one per encoding (the copies are immutable and cached for a year).
    if static_file
        && !h.get_all(header::VARY).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
        })
    {
        h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
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

/// The value of `name` in a query string, as written (`GET /forms/{id}`'s `as`, `lang` and
/// `submit` are plain words): anything else in the query is not this route's business, so a
/// query it cannot read never turns the definition into an error.
fn query_word<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// `GET /forms/{id}`: the definition; with `as=html`, the form drawn for an `<e-form>` until its
/// runtime arrives (in `lang`, its button "submit the dossier" when `submit=dossier`); with
/// `as=shadow`, the same drawing as a declarative shadow root with eform's stylesheet, for a
/// host's server to put inside the element (its submit buttons disabled until the runtime).
async fn get_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.as_deref();
    match state.catalog.get(&id) {
        Some(Entry::Ready(r)) if matches!(query_word(query, "as"), Some("html" | "shadow")) => {
            let lang = query_word(query, "lang")
                .and_then(form_core::Lang::parse)
                .unwrap_or_default();
            let dossier = query_word(query, "submit") == Some("dossier");
            let mut html = crate::form_page::embed_fragment(&r, lang, dossier);
            if query_word(query, "as") == Some("shadow") {
                let Some(css) = embed_stylesheet(&state) else {
                    return not_built();
                };
                html = format!(
                    "<template shadowrootmode=\"open\"><link rel=\"stylesheet\" href=\"/embed/{}\">{}{}</template>",
                    form_html::esc(&css),
                    needs_script_notice(lang),
                    form_html::submits_disabled(&html)
                );
            }
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
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

/// What an `?as=shadow` drawing says to a citizen whose browser runs no script: its buttons
/// stay disabled, so a long form cannot go past its first page and none can be sent. In a
/// `<noscript>`: a browser that runs scripts never shows it (the parser keeps its content as
/// text), so nobody sees it flash before the runtime takes over. In an `ef-embed` box of its
/// own: nothing of the host page's style comes in.
fn needs_script_notice(lang: form_core::Lang) -> String {
    let text = form_core::Text::new(
        "Để điền tiếp và gửi biểu mẫu này, trình duyệt cần bật JavaScript. Hãy bật JavaScript rồi tải lại trang.",
        "To go on with this form and send it, your browser needs JavaScript. Turn JavaScript on, then reload the page.",
    );
    format!(
        "<noscript><div class=\"ef-embed\" lang=\"{}\"><div class=\"ef-panel ef-panel--warn\" role=\"status\" data-ef-needs-script><p>{}</p></div></div></noscript>",
        lang.tag(),
        form_html::esc(text.get(lang))
    )
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

async fn citizen_home(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    app_page(&state, &headers, query.as_deref()).await
}

async fn account_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    crate::apps::account_page(&state, &headers, uri.path(), uri.query()).await
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

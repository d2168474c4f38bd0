//! What operators see of a running portal (review §B.3): a request id on every request (the
//! caller's `X-Request-Id` when it is a sane one, else a new one; sent back, and in every log
//! line of the request), one log line per request (method, route, status, milliseconds — no
//! query strings, no bodies, no personal data), and Prometheus metrics: requests by route and
//! status, their latencies, the intake writer's queue, signing transactions waiting, refusals
//! by rate limit and for lack of CPU.
//!
//! Metrics are served on their own listener (`eform serve --metrics-addr 127.0.0.1:9464`), never
//! on the public one. The recorder is the `metrics` facade with its Prometheus exporter (no
//! HTTP server of its own: the text is rendered here).

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header::HeaderName};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The header that carries a request's id.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's metrics recorder (installed once; `None` if another recorder was installed).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let h = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .ok()?
                .install_recorder()
                .ok()?;
            Some(h)
        })
        .as_ref()
}

/// The id of a request: the caller's, when it is 1–64 characters of `[A-Za-z0-9._-]`, else
/// a new random one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let mut bytes = [0u8; 12];
            let _ = getrandom::fill(&mut bytes);
            crate::encode::hex(&bytes)
        })
}

/// The route a request matched, as declared (`/api/v1/dossiers/{code}`), carried from the
/// routing layer out to [`track`] in the response's extensions.
#[derive(Clone)]
struct Route(String);

/// Inside the router (a route layer): records the route matched.
pub async fn mark_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut res = next.run(req).await;
    if let Some(r) = route {
        res.extensions_mut().insert(Route(r));
    }
    res
}

/// Around the router: request id, a span and a log line per request, request metrics.
pub async fn track(req: Request, next: Next) -> Response {
    let _ = handle();
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().as_str().to_owned();
    let span = tracing::info_span!("request", id = %id, method = %method);
    let mut res = tracing::Instrument::instrument(next.run(req), span.clone()).await;
    // Bounded labels: the declared route, never the values in the path.
    let route = res
        .extensions()
        .get::<Route>()
        .map_or_else(|| "other".to_owned(), |r| r.0.clone());
    let status = res.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    span.in_scope(|| {
        tracing::info!(
            route = %route,
            status,
            ms = (seconds * 1000.0 * 10.0).round() / 10.0,
            "request"
        );
    });
    let labels = [
        ("route", route.clone()),
        ("method", method),
        ("status", status.to_string()),
    ];
    metrics::counter!("eform_http_requests_total", &labels).increment(1);
    metrics::histogram!("eform_http_request_duration_seconds", "route" => route).record(seconds);
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    res
}

/// `GET /metrics` (on the metrics listener): the Prometheus text, with the gauges read now.
pub async fn render(State(state): State<AppState>) -> Response {
    metrics::gauge!("eform_writer_queue_depth").set(state.writer.queued() as f64);
    let live_since = crate::clock::now_ms() - crate::bridge::EXPIRES_IN_S * 1000;
    if let Ok(n) = state.db.pending_signing_count(live_since).await {
        metrics::gauge!("eform_signing_transactions_pending").set(n as f64);
    }
    match handle() {
        Some(h) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            h.render(),
        )
            .into_response(),
        None => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "another metrics recorder is installed",
        )
            .into_response(),
    }
}

/// The router of the metrics listener.
pub fn metrics_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(render))
        .with_state(state)
}

//! The agency's pull API: `GET /api/v1/agency/events?after=N[&limit=M]` — the agency's dossier
//! events from the outbox, oldest first, each with a stable id, and the address that resumes
//! after the last one. For agencies' systems that poll (a service account's API key) and for
//! officials.

use crate::auth::Signed;
use crate::reply::error;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing;
use form_core::Text;
use serde::Deserialize;
use serde_json::{Value, json};

/// The agency's event feed (the pull API of deliveries).
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/agency/events", routing::get(list))
}

/// Most events in one answer.
pub const MAX_EVENTS: i64 = 500;

#[derive(Deserialize)]
pub struct After {
    after: Option<String>,
    limit: Option<String>,
}

/// An event as the API and webhooks show it.
pub fn event_json(e: &crate::db::outbox::StoredEvent) -> Value {
    let ev = &e.event;
    let mut v = json!({
        "id": e.id,
        "seq": e.seq,
        "type": ev.kind,
        "at": crate::clock::rfc3339(ev.at),
        "agencyCode": ev.agency_code,
        "dossierCode": ev.dossier_code,
    });
    if let Some(version) = ev.version {
        v["version"] = json!(version);
        v["signed"] = json!(ev.signed);
    }
    if let Some(status) = &ev.status {
        v["status"] = json!(status);
    }
    if ev.kind != "dossier.erased" {
        v["dossier"] = json!(format!("/api/v1/dossiers/{}", ev.dossier_code));
    }
    v
}

/// `GET /api/v1/agency/events`.
pub async fn list(State(state): State<AppState>, user: Signed, Query(q): Query<After>) -> Response {
    let Some(agency) = user.0.agency_code.clone().filter(|_| user.is_official()) else {
        return crate::auth::forbidden();
    };
    let number = |s: &Option<String>, default: i64| match s.as_deref() {
        None => Some(default),
        Some(t) => t.parse::<i64>().ok().filter(|n| *n >= 0),
    };
    let (Some(after), Some(limit)) = (number(&q.after, 0), number(&q.limit, 100)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "cursor-invalid",
            Text::new(
                "Tham số after và limit phải là số nguyên không âm.",
                "after and limit must be non-negative integers.",
            ),
        );
    };
    let limit = limit.clamp(1, MAX_EVENTS);
    match state.db.events_after(&agency, after, limit).await {
        Ok(events) => {
            let last = events.last().map_or(after, |e| e.seq);
            Json(json!({
                "events": events.iter().map(event_json).collect::<Vec<_>>(),
                "next": format!("/api/v1/agency/events?after={last}&limit={limit}"),
            }))
            .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "reading the outbox");
            crate::reply::internal()
        }
    }
}

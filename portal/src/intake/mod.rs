//! Dossier intake: submissions, amendments, the citizen's and the agency's views, status
//! changes, attachments, ratings.
//!
//! Every dossier endpoint answers 404 for a dossier the caller may not see (another citizen's,
//! another agency's): whether it exists is not told either.
// Handlers hand back ready responses as errors; their size (128 bytes) does not matter on
// these paths, and a wrapper type would only add noise.
#![allow(clippy::result_large_err)]

mod common;
mod files;
mod reads;
mod status;
mod submit;

pub use common::*;
pub use files::*;
pub use reads::*;
pub use status::*;
pub use submit::*;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing;

/// The dossier API: submit and amend (run to the end even when the client goes away), list,
/// read, status, rating, downloads, attachments; the form versions dossiers were filed on.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/forms/{id}/versions/{version}",
            routing::get(form_definition),
        )
        .route("/api/v1/dossiers", routing::get(list))
        .route("/api/v1/dossiers/{code}", routing::get(get))
        .merge(
            Router::new()
                .route("/api/v1/dossiers", routing::post(submit))
                .route("/api/v1/dossiers/{code}/amendments", routing::post(amend))
                .layer(DefaultBodyLimit::max(crate::reply::MAX_BODY))
                .route_layer(axum::middleware::from_fn(detached)),
        )
        .route(
            "/api/v1/dossiers/{code}/status",
            routing::post(set_status).layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route(
            "/api/v1/dossiers/{code}/rating",
            routing::post(rate).layer(DefaultBodyLimit::max(16 * 1024)),
        )
        .route("/api/v1/dossiers/{code}/download", routing::get(download))
        .route(
            "/api/v1/dossiers/{code}/signed/{part}",
            routing::get(signed_part),
        )
        .route("/api/v1/dossiers/{code}/qr.svg", routing::get(qr))
        .route("/api/v1/dossiers/{code}/access", routing::get(access))
        .route("/api/v1/ratings", routing::get(ratings))
        .route(
            "/api/v1/attachments",
            routing::post(upload).layer(DefaultBodyLimit::max(MAX_FILE)),
        )
        .route("/api/v1/attachments/{sha256}", routing::get(download_file))
}

//! portal: the reference portal server (axum), as a library so that tests can drive it.
//!
//! It serves the built citizen app and builder, the form definitions, and re-checks data with
//! form-core — the same engine the browser runs — plus the reference `jsonschema` validator.
//! The binary (`eform`, `main.rs`) is thin glue: command-line parsing and start-up.
//!
//! This crate is the only one that knows HTTP: status codes are chosen here, from form-core's
//! diagnostics.

pub mod agencies;
pub mod apps;
pub mod auth;
pub mod bridge;
pub mod builder;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod cosign;
pub mod csrf;
pub mod datastore;
pub mod db;
pub mod drafts;
pub mod encode;
pub mod events;
pub mod form_page;
pub mod http;
pub mod intake;
pub mod keys;
pub mod limits;
pub mod links;
pub mod observe;
pub mod oidc;
pub mod pages;
pub mod reply;
pub mod revocation;
pub mod seal;
pub mod server;
pub mod signatures;
pub mod sso;
pub mod startup;
pub mod state;
pub mod webhooks;
pub mod work;
pub mod writer;

pub use catalog::{Catalog, Entry};
pub use config::{Config, Signing};
pub use http::router;
pub use state::AppState;

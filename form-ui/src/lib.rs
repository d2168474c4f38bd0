//! form-ui: Leptos components that draw a form-core [`Form`](form_core::Form) for citizens.
//!
//! The citizen app's list of forms and account pages (`main.rs`, built by trunk from the root
//! `index.html` and `account/index.html`) and the builder's preview are made from these
//! components (a form's own page and embedded forms run on form-bind, without them). They stay thin: every rule, message and
//! check comes from form-core; this crate only turns form state into DOM and DOM events into
//! form state.
//!
//! Key design decision: inputs are *uncontrolled* — their value is set once when drawn and read
//! on `input` events — and the form's state is a `form_core::FormState` whose `Changes` are
//! written to per-field signals, so typing re-renders only the fields a change affected.

/// The citizen app (feature `app`): the list of forms; with `dossiers`, the account pages.
#[cfg(feature = "app")]
pub mod app;
pub mod chrome;
#[cfg(feature = "dossiers")]
pub mod cosign;
pub mod ctx;
pub mod datastore;
#[cfg(feature = "dossiers")]
pub mod dossier;
mod drafts;
pub mod fetch;
pub mod form_view;
pub mod i18n;
#[cfg(feature = "app")]
pub mod resume;
pub mod services;
#[cfg(feature = "app")]
pub mod session;
#[cfg(feature = "services")]
pub mod signing;
mod widgets;

pub use form_bind::dom_id;
pub use form_view::FormView;

//! form-bind: the citizen's form without a view framework. The form is drawn by form-html —
//! the markup the portal serves, so server and browser draw the same — and a small binder
//! ([`binder::Binder`]) keeps it live from form-core's `FormState`: one listener per event kind,
//! each change's `Changes` drawn again item by item and merged into the page ([`morph`]).
//!
//! Built alone (feature `module`) it is the light runtime's module, `form-bind.js`, that
//! `/eform/eform.js` loads for `renderForm`. Issue 21 moves the rest of the citizen's form here,
//! from form-ui's Leptos view. The browser-side helpers both share (drafts in `localStorage`,
//! `fetch`) live here, and form-ui uses them.

pub mod binder;
pub mod dom_id;
pub mod drafts;
pub mod fetch;
pub mod host;
pub mod morph;
pub mod services;
pub mod sign;
pub mod source;
pub mod store;
pub mod takeover;

#[cfg(feature = "module")]
mod module;

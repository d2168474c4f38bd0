//! Drafts: `form_bind::drafts`, shared with the light runtime.

pub use form_bind::drafts::*;

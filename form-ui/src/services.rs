//! The citizen's services a form talks to (data store, bridge, intake, drafts) and how the
//! runtime authenticates to them: `form_bind::services`, shared with the light runtime.

pub use form_bind::services::Services;

//! The key catalogue of the citizen's personal data store (`schemas/datastore-keys.json`): the
//! keys forms may bind and the store may hold, their types, where verified values come from.
//! The catalogue is handed in by the caller (form-core reads no files); [`Catalogue::check`]
//! says whether a value fits its key.
//!
//! `catalogue.rs` — the keys and the check of a value; `bindings.rs` — the check of a
//! definition's prefill bindings; `prefill.rs` — filling a form from the store, the locks, and
//! what a submission could keep.

mod bindings;
mod catalogue;
mod prefill;

pub use bindings::*;
pub use catalogue::*;
pub use prefill::*;

#[cfg(test)]
mod tests;

//! form-core: the one form engine that the browser and the portal both run.
//!
//! It loads a form definition (JSON, one document per form version), checks it completely and
//! reports **every** problem as a [`Diagnostic`] with a JSON pointer and messages in Vietnamese and
//! English; it validates a citizen's data against the definition's embedded JSON Schema
//! (draft 2020-12) with the same messages.
//!
//! Main types: [`Form`] (a loaded, checked definition, ready to validate data), [`Definition`] (the
//! serde model of the definition format), [`Diagnostic`], [`Text`] (a vi/en pair).
//!
//! Key design decision: this crate does no IO. It reads no files, clock, network or randomness and
//! knows nothing of the browser or of HTTP; values in, values out. Loading and validating never
//! panic: they return a value *and* a list of diagnostics.
//!
//! Two validators, one verdict: [`schema`] is a compact validator for the subset of JSON Schema that
//! the definition meta-schema allows, small enough for the browser. With the `reference` feature
//! (native only) [`reference`] runs the full `jsonschema` crate on the same schema; the differential
//! tests keep the two verdicts identical.

pub mod admin_units;
pub mod carry;
pub mod changes;
pub mod countries;
mod countries_list;
pub mod datastore;
pub mod definition;
mod diagnostic;
pub mod display;
pub mod edit;
pub mod expr;
mod form;
pub mod format;
pub mod idnumber;
mod load;
mod messages;
pub mod pattern;
pub mod pointer;
#[cfg(feature = "reference")]
pub mod reference;
mod rules;
pub mod schema;
pub mod sign;
mod state;
mod text;

pub use admin_units::AdminUnits;
pub use definition::{
    AddressMode, Choice, Constraint, Definition, Item, Lock, Page, Prefill, Section, Widget,
};
pub use diagnostic::{Diagnostic, Severity};
pub use form::{Evaluation, Field, Form, Ymd, file_accepted, human_size};
#[cfg(feature = "meta-schema")]
pub use load::shape_check;
pub use load::{Loaded, load, load_semantic, load_value, load_value_semantic};
pub use state::{Changes, FormState};
pub use text::{Lang, Text, lower, percent_encode};

/// The meta-schema of form definitions (JSON Schema draft 2020-12), as shipped in `schemas/`.
pub const DEFINITION_META_SCHEMA: &str = include_str!("../../schemas/definition.schema.json");

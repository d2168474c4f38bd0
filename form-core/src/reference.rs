//! The reference validator: the full `jsonschema` crate (native builds only, feature
//! `reference`). The portal runs it beside the compact validator so that a disagreement can never
//! let invalid data through; the differential tests require both to agree.

use crate::format::Format;
use serde_json::Value;

/// A compiled reference validator for a data schema.
pub struct Reference {
    validator: jsonschema::Validator,
}

/// One failure as the reference reports it: where (data pointer of the value the keyword applied
/// to) and which keyword.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReferenceError {
    pub instance: String,
    pub keyword: String,
    pub message: String,
}

impl Reference {
    /// Compiles `schema` as draft 2020-12 with format assertion on. `email` is eform's email rule
    /// (a strict subset of RFC 5321) and `year-month` eform's own format, registered so both
    /// validators agree; `date` is the crate's own RFC 3339 check.
    pub fn new(schema: &Value) -> Result<Reference, String> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_format("email", |s: &str| Format::Email.is_valid(s))
            .with_format("year-month", |s: &str| Format::YearMonth.is_valid(s))
            .build(schema)
            .map_err(|e| e.to_string())?;
        Ok(Reference { validator })
    }

    pub fn is_valid(&self, data: &Value) -> bool {
        self.validator.is_valid(data)
    }

    /// Every failure, sorted.
    pub fn errors(&self, data: &Value) -> Vec<ReferenceError> {
        let mut out: Vec<ReferenceError> = self
            .validator
            .iter_errors(data)
            .map(|e| ReferenceError {
                instance: e.instance_path().to_string(),
                keyword: e.kind().keyword().to_owned(),
                message: e.to_string(),
            })
            .collect();
        out.sort();
        out
    }
}

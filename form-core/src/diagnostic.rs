//! Diagnostics: problems found in a definition or in data, as data.

use crate::text::{Lang, Text};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a problem is. An `Error` in a definition stops it from being used; a `Warning` does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located by a JSON pointer into the document it was found in (the definition when
/// loading, the data when validating).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// RFC 6901 JSON pointer; `""` is the whole document.
    pub pointer: String,
    /// A stable machine-readable code, e.g. `required`, `unknown-widget`, `pointer-unresolved`.
    pub code: String,
    pub message: Text,
}

impl Diagnostic {
    pub fn error(pointer: impl Into<String>, code: &str, message: Text) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            pointer: pointer.into(),
            code: code.to_owned(),
            message,
        }
    }

    pub fn warning(pointer: impl Into<String>, code: &str, message: Text) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            pointer: pointer.into(),
            code: code.to_owned(),
            message,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// One line for terminals and logs: `error[code] /pointer: message`.
    pub fn render(&self, lang: Lang) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let at = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        format!("{sev}[{}] {at}: {}", self.code, self.message.get(lang))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

//! A rule scope for fuzzing and its regression cases: every field exists, typed by its last name
//! (`n` number, `d` date, `b` true/false, `l` list of numbers, `x` unknown, others text).

use form_core::expr::{Scope, Type};

pub struct AnyField;

impl Scope for AnyField {
    fn resolve(&self, path: &[String]) -> Option<Type> {
        Some(match path.last().map(String::as_str) {
            Some("n") => Type::Number,
            Some("d") => Type::Date,
            Some("b") => Type::Bool,
            Some("l") => Type::List(Box::new(Type::Number)),
            Some("x") => return None,
            _ => Type::Text,
        })
    }
}

//! The expression language of rules (`docs/expressions.md`): what officials write for conditions,
//! computed values and cross-field checks — `age(applicant.dateOfBirth) >= 18`,
//! `sum(incomes.amount) - deductions`, `if sex = "nu" then "Bà" else "Ông"`.
//!
//! Three pure steps, none of which can panic or run unboundedly:
//! [`parse`] (text → tree, with the position of the first error), [`check`] (resolves field
//! references through a [`Scope`] and infers types, so mistakes are found when the definition
//! loads), and [`eval`] (tree + data + today's date → value). Evaluation is total: every
//! operation has a defined result, empty values propagate, division by zero is empty.
//! Today's date is an argument: form-core reads no clock.

mod check;
mod eval;
mod parse;

pub use check::{Scope, Type, check, check_within};
pub use eval::{Env, Val, civil_from_days, days_from_civil, eval};
pub use parse::{Expr, ExprError, ExprKind, Func, Op, Span, parse};

/// Longest expression text accepted (bytes).
pub const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses, operators and calls.
pub const MAX_DEPTH: usize = 64;

#[cfg(test)]
mod tests;

//! Type checking: resolves field references and infers the type of every node, so that a
//! mistyped rule is reported when the definition loads, with its position.

use super::parse::{Expr, ExprError, ExprKind, Func, Op, Span};
use crate::format::parse_date;
use crate::text::Text;

/// The type of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// Unknown or empty (`null`): fits anywhere.
    Any,
    Number,
    Text,
    Bool,
    /// A calendar day (from a `format: date` string, `date("…")` or `today()`).
    Date,
    /// The values of a field across the rows of a repeatable group (`members.income`).
    List(Box<Type>),
}

impl Type {
    pub(crate) fn name(&self) -> (String, String) {
        match self {
            Type::Any => ("giá trị bất kỳ".into(), "any value".into()),
            Type::Number => ("số".into(), "number".into()),
            Type::Text => ("văn bản".into(), "text".into()),
            Type::Bool => ("đúng/sai".into(), "true/false".into()),
            Type::Date => ("ngày".into(), "date".into()),
            Type::List(t) => {
                let (vi, en) = t.name();
                (format!("danh sách {vi}"), format!("list of {en}"))
            }
        }
    }

    fn fits(&self, want: &Type) -> bool {
        match (self, want) {
            (Type::Any, _) | (_, Type::Any) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (a, b) => a == b,
        }
    }
}

/// Resolves a field reference (`["applicant", "dateOfBirth"]`) to its type; `None` when the
/// form has no such field.
pub trait Scope {
    fn resolve(&self, path: &[String]) -> Option<Type>;
}

fn err(span: Span, vi: String, en: String) -> ExprError {
    ExprError {
        span,
        message: Text::new(vi, en),
    }
}

fn mismatch(e: &Expr, got: &Type, want: &Type) -> ExprError {
    let (gv, ge) = got.name();
    let (wv, we) = want.name();
    err(
        e.span,
        format!("Cần {wv} nhưng đây là {gv}."),
        format!("Expected {we}, but this is {ge}."),
    )
}

fn expect(e: &mut Expr, scope: &dyn Scope, want: &Type) -> Result<Type, ExprError> {
    let got = check(e, scope)?;
    if got.fits(want) {
        Ok(got)
    } else {
        Err(mismatch(e, &got, want))
    }
}

/// Checks `expr` against the fields of `scope`; returns its type. Field references and
/// `matches` patterns are resolved in place.
pub fn check(expr: &mut Expr, scope: &dyn Scope) -> Result<Type, ExprError> {
    let span = expr.span;
    match &mut expr.kind {
        ExprKind::Number(_) => Ok(Type::Number),
        ExprKind::Text(_) => Ok(Type::Text),
        ExprKind::Bool(_) => Ok(Type::Bool),
        ExprKind::Null => Ok(Type::Any),
        ExprKind::Ref(path, ty) => match scope.resolve(path) {
            Some(t) => {
                *ty = t.clone();
                Ok(t)
            }
            None => {
                let name = path.join(".");
                Err(err(
                    span,
                    format!("Không có trường \"{name}\" trong biểu mẫu."),
                    format!("The form has no field \"{name}\"."),
                ))
            }
        },
        ExprKind::Unary(Op::Not, e) => expect(e, scope, &Type::Bool).map(|_| Type::Bool),
        ExprKind::Unary(_, e) => expect(e, scope, &Type::Number).map(|_| Type::Number),
        ExprKind::If(c, a, b) => {
            expect(c, scope, &Type::Bool)?;
            let ta = check(a, scope)?;
            let tb = check(b, scope)?;
            match (&ta, &tb) {
                (Type::Any, t) | (t, Type::Any) => Ok(t.clone()),
                _ if ta == tb => Ok(ta),
                _ => Err(mismatch(b, &tb, &ta)),
            }
        }
        ExprKind::Binary(op, a, b) => {
            let op = *op;
            let ta = check(a, scope)?;
            let tb = check(b, scope)?;
            binary_type(op, (a, &ta), (b, &tb), span)
        }
        ExprKind::Call(func, args, regex) => call_type(*func, args, regex, scope, span),
    }
}

fn binary_type(
    op: Op,
    (a, ta): (&Expr, &Type),
    (b, tb): (&Expr, &Type),
    span: Span,
) -> Result<Type, ExprError> {
    use Type::*;
    let bad = || {
        let ((av, ae), (bv, be)) = (ta.name(), tb.name());
        err(
            span,
            format!("Không dùng được \"{}\" giữa {av} và {bv}.", op.symbol()),
            format!("\"{}\" cannot be used between {ae} and {be}.", op.symbol()),
        )
    };
    match op {
        Op::And | Op::Or => {
            if !ta.fits(&Bool) {
                return Err(mismatch(a, ta, &Bool));
            }
            if !tb.fits(&Bool) {
                return Err(mismatch(b, tb, &Bool));
            }
            Ok(Bool)
        }
        Op::Eq | Op::Ne => {
            if ta.fits(tb) {
                Ok(Bool)
            } else {
                Err(bad())
            }
        }
        Op::Lt | Op::Le | Op::Gt | Op::Ge => match (ta, tb) {
            (Any, Number | Text | Date | Any) | (Number | Text | Date, Any) => Ok(Bool),
            (x, y) if x == y && matches!(x, Number | Text | Date) => Ok(Bool),
            _ => Err(bad()),
        },
        Op::Add => match (ta, tb) {
            (Number, Number) | (Number, Any) | (Any, Number) => Ok(Number),
            (Text, Text) | (Text, Any) => Ok(Text),
            (Date, Number) | (Date, Any) => Ok(Date),
            (Any, Any) => Ok(Any),
            _ => Err(bad()),
        },
        Op::Sub => match (ta, tb) {
            (Number, Number) | (Number, Any) | (Any, Number) => Ok(Number),
            (Date, Number) => Ok(Date),
            (Date, Date) | (Date, Any) | (Any, Date) => Ok(Number),
            (Any, Any) => Ok(Any),
            _ => Err(bad()),
        },
        _ => match (ta, tb) {
            (Number | Any, Number | Any) => Ok(Number),
            _ => Err(bad()),
        },
    }
}

fn call_type(
    func: Func,
    args: &mut [Expr],
    regex: &mut Option<regex_lite::Regex>,
    scope: &dyn Scope,
    span: Span,
) -> Result<Type, ExprError> {
    use Type::*;
    let arity = |min: usize, max: usize| -> Result<(), ExprError> {
        if args.len() < min || args.len() > max {
            let want = if min == max {
                min.to_string()
            } else if max == usize::MAX {
                format!("{min}+")
            } else {
                format!("{min}–{max}")
            };
            return Err(err(
                span,
                format!("Hàm {} cần {want} đối số, có {}.", func.name(), args.len()),
                format!(
                    "{}() takes {want} argument(s), not {}.",
                    func.name(),
                    args.len()
                ),
            ));
        }
        Ok(())
    };
    match func {
        Func::Today => arity(0, 0).map(|_| Date),
        Func::Age => {
            arity(1, 1)?;
            expect(&mut args[0], scope, &Date)?;
            Ok(Number)
        }
        Func::Date => {
            arity(1, 1)?;
            expect(&mut args[0], scope, &Text)?;
            if let ExprKind::Text(s) = &args[0].kind
                && parse_date(s).is_none()
            {
                return Err(err(
                    args[0].span,
                    format!("\"{s}\" không phải ngày dạng YYYY-MM-DD."),
                    format!("\"{s}\" is not a YYYY-MM-DD date."),
                ));
            }
            Ok(Date)
        }
        Func::Days | Func::Months | Func::Years => {
            arity(2, 2)?;
            for a in args.iter_mut() {
                expect(a, scope, &Date)?;
            }
            Ok(Number)
        }
        Func::Len => {
            arity(1, 1)?;
            expect(&mut args[0], scope, &Text)?;
            Ok(Number)
        }
        Func::Count => {
            arity(1, 1)?;
            list_arg(&mut args[0], scope)?;
            Ok(Number)
        }
        Func::Sum => {
            arity(1, 1)?;
            expect(&mut args[0], scope, &List(Box::new(Number)))?;
            Ok(Number)
        }
        Func::Min | Func::Max => {
            arity(1, usize::MAX)?;
            if args.len() == 1 {
                expect(&mut args[0], scope, &List(Box::new(Number)))?;
            } else {
                for a in args.iter_mut() {
                    expect(a, scope, &Number)?;
                }
            }
            Ok(Number)
        }
        Func::Round => {
            arity(1, 2)?;
            for a in args.iter_mut() {
                expect(a, scope, &Number)?;
            }
            Ok(Number)
        }
        Func::Matches => {
            arity(2, 2)?;
            expect(&mut args[0], scope, &Text)?;
            let ExprKind::Text(pattern) = &args[1].kind else {
                return Err(err(
                    args[1].span,
                    "Mẫu của matches phải là một chuỗi cố định.".into(),
                    "The pattern of matches() must be a literal text.".into(),
                ));
            };
            match regex_lite::Regex::new(pattern) {
                Ok(re) => *regex = Some(re),
                Err(e) => {
                    return Err(err(
                        args[1].span,
                        format!("Mẫu không hợp lệ: {e}"),
                        format!("Invalid pattern: {e}"),
                    ));
                }
            }
            Ok(Bool)
        }
        Func::Contains => {
            arity(2, 2)?;
            let container = check(&mut args[0], scope)?;
            let item = check(&mut args[1], scope)?;
            match &container {
                Text | Any => {
                    if !item.fits(&Text) {
                        return Err(mismatch(&args[1], &item, &Text));
                    }
                }
                List(inner) => {
                    if !item.fits(inner) {
                        return Err(mismatch(&args[1], &item, inner));
                    }
                }
                other => return Err(mismatch(&args[0], other, &Text)),
            }
            Ok(Bool)
        }
        Func::Filled | Func::Empty => {
            arity(1, 1)?;
            check(&mut args[0], scope)?;
            Ok(Bool)
        }
    }
}

fn list_arg(e: &mut Expr, scope: &dyn Scope) -> Result<Type, ExprError> {
    let t = check(e, scope)?;
    match t {
        Type::List(_) | Type::Any => Ok(t),
        other => Err(mismatch(e, &other, &Type::List(Box::new(Type::Any)))),
    }
}

//! Type checking: resolves field references and infers the type of every node, so that a
//! mistyped rule is reported when the definition loads, with its position.

use super::parse::{Expr, ExprError, ExprKind, Func, Op, Span};
use crate::format::parse_date;
use crate::pattern::{self, Budget};
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

    /// The scope of a condition over the rows of the table at `path` (`count(periods,
    /// row.to > row.from)`): there `row.` (and `prev.`) are that table's rows. `None` when
    /// `path` is no table of rows.
    fn rows(&self, path: &[String]) -> Option<Box<dyn Scope + '_>> {
        let _ = path;
        None
    }
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

fn expect(e: &mut Expr, cx: &mut Cx<'_>, want: &Type) -> Result<Type, ExprError> {
    let got = infer(e, cx)?;
    if got.fits(want) {
        Ok(got)
    } else {
        Err(mismatch(e, &got, want))
    }
}

/// Checks `expr` against the fields of `scope`; returns its type. Field references and
/// `matches` patterns are resolved in place.
pub fn check(expr: &mut Expr, scope: &dyn Scope) -> Result<Type, ExprError> {
    check_within(expr, scope, &mut Budget::default())
}

/// [`check`], counting the `matches()` patterns in `patterns`: the budget of the definition the
/// rule belongs to (see [`crate::pattern`]). A pattern refused by the limits is an error of the
/// rule, except one skipped after its definition's cap was reported (left uncompiled, silently).
pub fn check_within(
    expr: &mut Expr,
    scope: &dyn Scope,
    patterns: &mut Budget,
) -> Result<Type, ExprError> {
    infer(expr, &mut Cx { scope, patterns })
}

/// What checking carries along: the fields, and the definition's pattern budget.
struct Cx<'a> {
    scope: &'a dyn Scope,
    patterns: &'a mut Budget,
}

fn infer(expr: &mut Expr, cx: &mut Cx<'_>) -> Result<Type, ExprError> {
    let span = expr.span;
    match &mut expr.kind {
        ExprKind::Number(_) => Ok(Type::Number),
        ExprKind::Text(_) => Ok(Type::Text),
        ExprKind::Bool(_) => Ok(Type::Bool),
        ExprKind::Null => Ok(Type::Any),
        ExprKind::Ref(path, ty) => match cx.scope.resolve(path) {
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
        ExprKind::Unary(Op::Not, e) => expect(e, cx, &Type::Bool).map(|_| Type::Bool),
        ExprKind::Unary(_, e) => expect(e, cx, &Type::Number).map(|_| Type::Number),
        ExprKind::If(c, a, b) => {
            expect(c, cx, &Type::Bool)?;
            let ta = infer(a, cx)?;
            let tb = infer(b, cx)?;
            match (&ta, &tb) {
                (Type::Any, t) | (t, Type::Any) => Ok(t.clone()),
                _ if ta == tb => Ok(ta),
                _ => Err(mismatch(b, &tb, &ta)),
            }
        }
        ExprKind::Binary(op, a, b) => {
            let op = *op;
            let ta = infer(a, cx)?;
            let tb = infer(b, cx)?;
            binary_type(op, (a, &ta), (b, &tb), span)
        }
        ExprKind::Call(func, args, regex) => call_type(*func, args, regex, cx, span),
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
    cx: &mut Cx<'_>,
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
            expect(&mut args[0], cx, &Date)?;
            Ok(Number)
        }
        Func::Date => {
            arity(1, 1)?;
            expect(&mut args[0], cx, &Text)?;
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
                expect(a, cx, &Date)?;
            }
            Ok(Number)
        }
        Func::Len => {
            arity(1, 1)?;
            expect(&mut args[0], cx, &Text)?;
            Ok(Number)
        }
        Func::Count | Func::Any | Func::All if args.len() == 2 => {
            let (head, cond) = args.split_at_mut(1);
            let table = &mut head[0];
            let ExprKind::Ref(path, ty) = &mut table.kind else {
                return Err(not_a_table(table.span, func));
            };
            let Some(rows) = cx.scope.rows(path) else {
                return Err(not_a_table(table.span, func));
            };
            *ty = List(Box::new(Any));
            let mut inner = Cx {
                scope: &*rows,
                patterns: &mut *cx.patterns,
            };
            expect(&mut cond[0], &mut inner, &Bool)?;
            Ok(if func == Func::Count { Number } else { Bool })
        }
        Func::Any | Func::All => {
            arity(2, 2)?;
            Ok(Bool)
        }
        Func::Count => {
            arity(1, 2)?;
            list_arg(&mut args[0], cx)?;
            Ok(Number)
        }
        Func::Sum => {
            arity(1, 1)?;
            expect(&mut args[0], cx, &List(Box::new(Number)))?;
            Ok(Number)
        }
        Func::Min | Func::Max => {
            arity(1, usize::MAX)?;
            // Of numbers or of dates (`min(periods.from)`, `max(a.date, b.date)`), not mixed.
            if args.len() == 1 {
                let got = list_arg(&mut args[0], cx)?;
                return match got {
                    List(inner) if matches!(*inner, Date) => Ok(Date),
                    List(inner) if inner.fits(&Number) => Ok(Number),
                    Any => Ok(Number),
                    other => Err(mismatch(&args[0], &other, &List(Box::new(Number)))),
                };
            }
            let first = infer(&mut args[0], cx)?;
            let want = if first == Date { Date } else { Number };
            if !first.fits(&want) {
                return Err(mismatch(&args[0], &first, &Number));
            }
            for a in args[1..].iter_mut() {
                expect(a, cx, &want)?;
            }
            Ok(want)
        }
        Func::Round => {
            arity(1, 2)?;
            for a in args.iter_mut() {
                expect(a, cx, &Number)?;
            }
            Ok(Number)
        }
        Func::Matches => {
            arity(2, 2)?;
            expect(&mut args[0], cx, &Text)?;
            let ExprKind::Text(pattern) = &args[1].kind else {
                return Err(err(
                    args[1].span,
                    "Mẫu của matches phải là một chuỗi cố định.".into(),
                    "The pattern of matches() must be a literal text.".into(),
                ));
            };
            match pattern::compile(pattern, cx.patterns) {
                Ok(re) => *regex = Some(re),
                Err(pattern::Refusal::Syntax(e)) => {
                    return Err(err(
                        args[1].span,
                        format!("Mẫu không hợp lệ: {e}"),
                        format!("Invalid pattern: {e}"),
                    ));
                }
                Err(refusal) => {
                    if let Some(message) = refusal.message() {
                        return Err(ExprError {
                            span: args[1].span,
                            message,
                        });
                    }
                }
            }
            Ok(Bool)
        }
        Func::Contains => {
            arity(2, 2)?;
            let container = infer(&mut args[0], cx)?;
            let item = infer(&mut args[1], cx)?;
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
            infer(&mut args[0], cx)?;
            Ok(Bool)
        }
    }
}

fn not_a_table(span: Span, func: Func) -> ExprError {
    let name = func.name();
    err(
        span,
        format!(
            "Đối số đầu của {name}(bảng, điều kiện) phải là một bảng, ví dụ {name}(members, row.age >= 18)."
        ),
        format!(
            "The first argument of {name}(table, condition) must be a table, as in {name}(members, row.age >= 18)."
        ),
    )
}

fn list_arg(e: &mut Expr, cx: &mut Cx<'_>) -> Result<Type, ExprError> {
    let t = infer(e, cx)?;
    match t {
        Type::List(_) | Type::Any => Ok(t),
        other => Err(mismatch(e, &other, &Type::List(Box::new(Type::Any)))),
    }
}

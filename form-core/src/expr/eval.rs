//! Evaluation: a checked expression, the data, and today's date → a value. Total: every
//! operation is defined, empty (`Null`) propagates, nothing panics, work is linear in the size of
//! the expression times the rows it reads.

use super::check::Type;
use super::parse::{Expr, ExprKind, Func, Op};
use crate::format::parse_date;
use serde_json::Value;

/// A value during evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// Empty: a field not filled in, or an undefined result (division by zero).
    Null,
    Number(f64),
    Text(String),
    Bool(bool),
    /// Days since 1970-01-01.
    Date(i64),
    List(Vec<Val>),
}

impl Val {
    /// The value as JSON (dates as ISO strings), for computed fields.
    pub fn to_json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9e15 {
                    Value::from(*n as i64)
                } else {
                    serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
                }
            }
            Val::Text(s) => Value::String(s.clone()),
            Val::Bool(b) => Value::Bool(*b),
            Val::Date(d) => {
                let (y, m, dd) = civil_from_days(*d);
                Value::String(format!("{y:04}-{m:02}-{dd:02}"))
            }
            Val::List(items) => Value::Array(items.iter().map(Val::to_json).collect()),
        }
    }

    /// Whether the value is `true` (empty and `false` are not).
    pub fn is_true(&self) -> bool {
        *self == Val::Bool(true)
    }
}

/// What an expression reads: the form's data, the current row of a repeatable group (for
/// `row.x`), and today's date, given from outside.
pub struct Env<'a> {
    pub data: &'a Value,
    pub row: Option<&'a Value>,
    /// The row before `row` in its table (`prev.`): none for the first row.
    pub prev: Option<&'a Value>,
    /// Today as (year, month, day).
    pub today: (i32, u32, u32),
}

/// Evaluates a checked expression.
pub fn eval(e: &Expr, env: &Env<'_>) -> Val {
    let v = match &e.kind {
        ExprKind::Number(n) => Val::Number(*n),
        ExprKind::Text(s) => Val::Text(s.clone()),
        ExprKind::Bool(b) => Val::Bool(*b),
        ExprKind::Null => Val::Null,
        ExprKind::Ref(path, ty) => lookup(env, path, ty),
        ExprKind::Unary(Op::Not, a) => match eval(a, env) {
            Val::Bool(b) => Val::Bool(!b),
            _ => Val::Null,
        },
        ExprKind::Unary(_, a) => match eval(a, env) {
            Val::Number(n) => Val::Number(-n),
            _ => Val::Null,
        },
        ExprKind::If(c, a, b) => {
            if eval(c, env).is_true() {
                eval(a, env)
            } else {
                eval(b, env)
            }
        }
        ExprKind::Binary(op, a, b) => binary(*op, a, b, env),
        ExprKind::Call(f, args, re) => call(*f, args, re.as_ref(), env),
    };
    // Infinities and NaN never escape: they read as empty.
    match v {
        Val::Number(n) if !n.is_finite() => Val::Null,
        other => other,
    }
}

fn lookup(env: &Env<'_>, path: &[String], ty: &Type) -> Val {
    convert(raw(env, path).as_ref(), ty)
}

/// The data a reference names: `row.` in the current row, `prev.` in the one before (nothing
/// for the first row), anything else from the top.
fn raw(env: &Env<'_>, path: &[String]) -> Option<Value> {
    let (start, rest) = match (path.first().map(String::as_str), env.row) {
        (Some("row"), Some(row)) => (row, &path[1..]),
        (Some("prev"), Some(_)) => (env.prev?, &path[1..]),
        _ => (env.data, path),
    };
    walk(start, rest)
}

/// Follows `path` from `v`; through arrays it collects one value per row.
fn walk(v: &Value, path: &[String]) -> Option<Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v.clone());
    };
    match v {
        Value::Object(m) => walk(m.get(first)?, rest),
        Value::Array(rows) => Some(Value::Array(
            rows.iter()
                .map(|r| walk(r, path).unwrap_or(Value::Null))
                .collect(),
        )),
        _ => None,
    }
}

fn convert(v: Option<&Value>, ty: &Type) -> Val {
    let Some(v) = v else { return Val::Null };
    match (ty, v) {
        (Type::List(inner), Value::Array(items)) => {
            Val::List(items.iter().map(|i| convert(Some(i), inner)).collect())
        }
        (Type::Date, Value::String(s)) => parse_date(s)
            .or_else(|| crate::format::parse_year_month(s).map(|(y, m)| (y, m, 1)))
            .map_or(Val::Null, |(y, m, d)| {
                Val::Date(days_from_civil(y as i32, m, d))
            }),
        (Type::Date, _) => Val::Null,
        (_, Value::Number(n)) => n.as_f64().map_or(Val::Null, Val::Number),
        (_, Value::String(s)) => Val::Text(s.clone()),
        (_, Value::Bool(b)) => Val::Bool(*b),
        (_, Value::Array(items)) => {
            Val::List(items.iter().map(|i| convert(Some(i), &Type::Any)).collect())
        }
        _ => Val::Null,
    }
}

fn binary(op: Op, a: &Expr, b: &Expr, env: &Env<'_>) -> Val {
    // Kleene logic: `false and ?` is false, `true or ?` is true, without evaluating `?`.
    match op {
        Op::And => {
            let x = eval(a, env);
            if x == Val::Bool(false) {
                return x;
            }
            return match (x, eval(b, env)) {
                (_, Val::Bool(false)) => Val::Bool(false),
                (Val::Bool(true), Val::Bool(true)) => Val::Bool(true),
                _ => Val::Null,
            };
        }
        Op::Or => {
            let x = eval(a, env);
            if x == Val::Bool(true) {
                return x;
            }
            return match (x, eval(b, env)) {
                (_, Val::Bool(true)) => Val::Bool(true),
                (Val::Bool(false), Val::Bool(false)) => Val::Bool(false),
                _ => Val::Null,
            };
        }
        _ => {}
    }
    let (x, y) = (eval(a, env), eval(b, env));
    use Val::*;
    match (op, x, y) {
        // Empty spreads through comparisons too, so that a check waits for its fields; two
        // empties are equal.
        (Op::Eq, Null, Null) => Bool(true),
        (Op::Ne, Null, Null) => Bool(false),
        (_, Null, _) | (_, _, Null) => Null,
        (Op::Eq, x, y) => Bool(x == y),
        (Op::Ne, x, y) => Bool(x != y),
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, x, y) => {
            let ord = match (&x, &y) {
                (Number(p), Number(q)) => p.partial_cmp(q),
                (Text(p), Text(q)) => Some(p.cmp(q)),
                (Date(p), Date(q)) => Some(p.cmp(q)),
                _ => None,
            };
            match ord {
                Some(o) => Bool(match op {
                    Op::Lt => o.is_lt(),
                    Op::Le => o.is_le(),
                    Op::Gt => o.is_gt(),
                    _ => o.is_ge(),
                }),
                None => Null,
            }
        }
        (Op::Add, Number(p), Number(q)) => Number(p + q),
        (Op::Add, Text(p), Text(q)) => Text(p + &q),
        (Op::Add, Date(d), Number(n)) | (Op::Sub, Date(d), Number(n)) => {
            let n = if op == Op::Sub { -n } else { n };
            if n.fract() == 0.0 && n.abs() < 1e7 {
                Date(d + n as i64)
            } else {
                Null
            }
        }
        (Op::Sub, Number(p), Number(q)) => Number(p - q),
        (Op::Sub, Date(p), Date(q)) => Number((p - q) as f64),
        (Op::Mul, Number(p), Number(q)) => Number(p * q),
        (Op::Div | Op::Rem, Number(_), Number(q)) if q.abs() == 0.0 => Null,
        (Op::Div, Number(p), Number(q)) => Number(p / q),
        (Op::Rem, Number(p), Number(q)) => Number(p % q),
        _ => Null,
    }
}

fn numbers(v: Val) -> Vec<f64> {
    match v {
        Val::List(items) => items
            .into_iter()
            .filter_map(|i| {
                if let Val::Number(n) = i {
                    Some(n)
                } else {
                    None
                }
            })
            .collect(),
        Val::Number(n) => vec![n],
        _ => Vec::new(),
    }
}

fn call(f: Func, args: &[Expr], re: Option<&regex_lite::Regex>, env: &Env<'_>) -> Val {
    if matches!(f, Func::Count | Func::Any | Func::All) && args.len() == 2 {
        return over_rows(f, args, env);
    }
    let arg = |i: usize| args.get(i).map_or(Val::Null, |a| eval(a, env));
    let (ty, tm, td) = env.today;
    let today = days_from_civil(ty, tm, td);
    match f {
        Func::Today => Val::Date(today),
        Func::Age => match arg(0) {
            Val::Date(d) => Val::Number(whole_years(d, today) as f64),
            _ => Val::Null,
        },
        Func::Date => match arg(0) {
            Val::Text(s) => parse_date(&s).map_or(Val::Null, |(y, m, d)| {
                Val::Date(days_from_civil(y as i32, m, d))
            }),
            _ => Val::Null,
        },
        Func::Days | Func::Months | Func::Years => match (arg(0), arg(1)) {
            (Val::Date(a), Val::Date(b)) => Val::Number(match f {
                Func::Days => (b - a) as f64,
                Func::Months => whole_months(a, b) as f64,
                _ => whole_years(a, b) as f64,
            }),
            _ => Val::Null,
        },
        Func::Len => match arg(0) {
            Val::Text(s) => Val::Number(s.chars().count() as f64),
            _ => Val::Null,
        },
        Func::Count => match arg(0) {
            Val::List(items) => Val::Number(items.len() as f64),
            _ => Val::Number(0.0),
        },
        Func::Sum => Val::Number(numbers(arg(0)).iter().sum()),
        Func::Min | Func::Max => {
            let values: Vec<Val> = (0..args.len())
                .flat_map(|i| match arg(i) {
                    Val::List(items) => items,
                    one => vec![one],
                })
                .collect();
            let dates: Vec<i64> = values
                .iter()
                .filter_map(|v| if let Val::Date(d) = v { Some(*d) } else { None })
                .collect();
            if !dates.is_empty() {
                let pick = if f == Func::Min {
                    Iterator::min
                } else {
                    Iterator::max
                };
                return pick(dates.into_iter()).map_or(Val::Null, Val::Date);
            }
            let all: Vec<f64> = values.into_iter().flat_map(numbers).collect();
            let pick = if f == Func::Min { f64::min } else { f64::max };
            all.into_iter().reduce(pick).map_or(Val::Null, Val::Number)
        }
        // With one argument: any/all take two (checked when the rule loads).
        Func::Any | Func::All => Val::Null,
        Func::Round => match (arg(0), args.len()) {
            (Val::Number(n), 1) => Val::Number(n.round()),
            (Val::Number(n), _) => match arg(1) {
                Val::Number(p) if (0.0..=10.0).contains(&p) => {
                    let k = 10f64.powi(p as i32);
                    Val::Number((n * k).round() / k)
                }
                _ => Val::Null,
            },
            _ => Val::Null,
        },
        Func::Matches => match (arg(0), re) {
            (Val::Text(s), Some(re)) => Val::Bool(re.is_match(&s)),
            _ => Val::Null,
        },
        Func::Contains => match (arg(0), arg(1)) {
            (Val::Text(s), Val::Text(t)) => Val::Bool(s.contains(&t)),
            (Val::List(items), v) => Val::Bool(items.contains(&v)),
            _ => Val::Null,
        },
        Func::Filled | Func::Empty => {
            let filled = match arg(0) {
                Val::Null => false,
                Val::Text(s) => !s.trim().is_empty(),
                Val::List(items) => !items.is_empty(),
                _ => true,
            };
            Val::Bool(filled == (f == Func::Filled))
        }
    }
}

/// `count`, `any` and `all` with a condition: the condition runs once per row of the table
/// (with `row.` that row and `prev.` the one before); a row where it is empty does not meet it.
fn over_rows(f: Func, args: &[Expr], env: &Env<'_>) -> Val {
    let rows = match &args[0].kind {
        ExprKind::Ref(path, _) => raw(env, path),
        _ => None,
    };
    let rows = match rows {
        Some(Value::Array(rows)) => rows,
        _ => Vec::new(),
    };
    let met = (0..rows.len())
        .filter(|&i| {
            let inner = Env {
                data: env.data,
                row: Some(&rows[i]),
                prev: i.checked_sub(1).map(|j| &rows[j]),
                today: env.today,
            };
            eval(&args[1], &inner).is_true()
        })
        .count();
    match f {
        Func::Count => Val::Number(met as f64),
        Func::Any => Val::Bool(met > 0),
        _ => Val::Bool(met == rows.len()),
    }
}

/// Whole years from day `a` to day `b` (negative when `b` is earlier).
fn whole_years(a: i64, b: i64) -> i64 {
    whole_months(a, b) / 12
}

/// Whole months from day `a` to day `b` (negative when `b` is earlier).
fn whole_months(a: i64, b: i64) -> i64 {
    if b < a {
        return -whole_months(b, a);
    }
    let (ya, ma, da) = civil_from_days(a);
    let (yb, mb, db) = civil_from_days(b);
    let mut months = i64::from(yb - ya) * 12 + i64::from(mb) - i64::from(ma);
    if db < da {
        months -= 1;
    }
    months
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

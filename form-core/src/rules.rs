//! Rules of a definition (`visibleIf`, `requiredIf`, `readOnlyIf`, `compute`, `constraints`):
//! compiling them against the data schema, and the order in which computed values are evaluated.

use crate::expr::{self, Expr, ExprError, ExprKind, Scope, Type};
use crate::pattern::Budget;
use crate::pointer;
use crate::schema::{JsonType, Schema, SchemaView};
use crate::text::Text;

/// Resolves rule references against the data schema. `row` is the data pointer of a table's
/// row (`/members/*`) when the rule belongs to one of its columns.
pub struct SchemaScope<'s> {
    pub schema: &'s Schema,
    pub row: Option<String>,
}

impl SchemaScope<'_> {
    /// The data pointer (`*` for rows) a reference starts from, and the rest of its path:
    /// `row.` and `prev.` start at this scope's row.
    fn start<'p>(&self, path: &'p [String]) -> (String, &'p [String]) {
        match (path.first().map(String::as_str), &self.row) {
            (Some("row" | "prev"), Some(row)) => (row.clone(), &path[1..]),
            _ => (String::new(), path),
        }
    }
}

impl Scope for SchemaScope<'_> {
    fn rows(&self, path: &[String]) -> Option<Box<dyn Scope + '_>> {
        let (mut ptr, rest) = self.start(path);
        for t in rest {
            ptr = pointer::push(&ptr, t);
        }
        let view = self.schema.resolve(&ptr.replace("/*", "/0"))?;
        let objects = view.types().is_some_and(|t| t == [JsonType::Array])
            && view
                .items()
                .and_then(|i| i.types())
                .is_some_and(|t| t == [JsonType::Object]);
        objects.then(|| {
            Box::new(SchemaScope {
                schema: self.schema,
                row: Some(format!("{ptr}/*")),
            }) as Box<dyn Scope + '_>
        })
    }

    fn resolve(&self, path: &[String]) -> Option<Type> {
        let (start, rest) = self.start(path);
        let start = start.replace("/*", "/0");
        let mut view = self.schema.resolve(&start)?;
        let mut list = false;
        for token in rest {
            if view.types().is_some_and(|t| t == [JsonType::Array]) {
                view = view.items()?;
                list = true;
            }
            view = view
                .properties()
                .find(|(n, _)| n == token)
                .map(|(_, v)| v)?;
        }
        let ty = type_of(view);
        Some(if list { Type::List(Box::new(ty)) } else { ty })
    }
}

/// The rule type of the data at a schema location.
pub fn type_of(view: SchemaView<'_>) -> Type {
    let Some(types) = view.types() else {
        return Type::Any;
    };
    let has = |t| types.contains(&t);
    if has(JsonType::Array) {
        Type::List(Box::new(view.items().map_or(Type::Any, type_of)))
    } else if has(JsonType::String)
        && matches!(
            view.format(),
            Some(crate::format::Format::Date | crate::format::Format::YearMonth)
        )
    {
        // A month counts as its first day: `prev.to <= row.from`, `months(a, b)`.
        Type::Date
    } else if has(JsonType::String) {
        Type::Text
    } else if has(JsonType::Number) || has(JsonType::Integer) {
        Type::Number
    } else if has(JsonType::Boolean) {
        Type::Bool
    } else {
        Type::Any
    }
}

/// Parses and checks one rule; the result must have type `want`. Its `matches()` patterns are
/// counted in `patterns`, the budget of its definition.
pub fn compile(
    src: &str,
    scope: &SchemaScope<'_>,
    want: &Type,
    patterns: &mut Budget,
) -> Result<Expr, ExprError> {
    let mut e = expr::parse(src)?;
    let got = expr::check_within(&mut e, scope, patterns)?;
    let fits = matches!((&got, want), (Type::Any, _) | (_, Type::Any)) || got == *want;
    if !fits {
        let ((gv, ge), (wv, we)) = (got.name(), want.name());
        return Err(ExprError {
            span: e.span,
            message: Text::new(
                format!("Quy tắc cho kết quả là {gv}, nhưng ở đây cần {wv}."),
                format!("The rule gives {ge}, but {we} is needed here."),
            ),
        });
    }
    Ok(e)
}

/// The message of a rule error, with the characters it is about.
pub fn describe(e: &ExprError, src: &str) -> Text {
    // Spans are byte offsets; count the characters before them (an offset may fall inside a
    // character when the text was cut at the length limit).
    let chars_before = |n: usize| src.char_indices().take_while(|(i, _)| *i < n).count();
    let from = chars_before(e.span.start) + 1;
    let to = chars_before(e.span.end).max(from);
    Text::new(
        format!("Quy tắc (ký tự {from}–{to}): {}", e.message.vi),
        format!("Rule (characters {from}–{to}): {}", e.message.en),
    )
}

/// The data pointers (with `*` for rows) an expression reads. `row` references become
/// `row_prefix` + the rest.
pub fn references(e: &Expr, row_prefix: Option<&str>, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Ref(path, _) => out.push(ref_pointer(path, row_prefix)),
        // A condition over a table's rows reads from that table's rows.
        ExprKind::Call(expr::Func::Count | expr::Func::Any | expr::Func::All, args, _)
            if args.len() == 2 =>
        {
            if let ExprKind::Ref(path, _) = &args[0].kind {
                let table = ref_pointer(path, row_prefix);
                references(&args[1], Some(&format!("{table}/*")), out);
                out.push(table);
            }
        }
        ExprKind::Unary(_, a) => references(a, row_prefix, out),
        ExprKind::Binary(_, a, b) => {
            references(a, row_prefix, out);
            references(b, row_prefix, out);
        }
        ExprKind::If(c, a, b) => {
            for x in [c, a, b] {
                references(x, row_prefix, out);
            }
        }
        ExprKind::Call(_, args, _) => {
            for a in args {
                references(a, row_prefix, out);
            }
        }
        ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Bool(_) | ExprKind::Null => {}
    }
}

/// Fields whose emptiness lets an `or` pass unnoticed: for each `a or b` in `e`, the scalar
/// fields read by one side but not by the other and not tested there with `filled()`/`empty()`.
/// When such a field is empty its side is empty, and then so is the `or` unless the other side
/// is true — so a cross-field check written `x = a or x = b` passes while `b` is empty, whatever
/// `x` and `a` are (`docs/expressions.md`, "Empty values"). Data pointers, `*` for rows.
pub fn or_sides_may_be_empty(e: &Expr, row_prefix: Option<&str>) -> Vec<String> {
    fn scalar_refs(e: &Expr, row: Option<&str>, refs: &mut Vec<String>, tested: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Ref(_, Type::List(_)) => {}
            ExprKind::Ref(..) => references(e, row, refs),
            // count/any/all over rows are never empty.
            ExprKind::Call(expr::Func::Count | expr::Func::Any | expr::Func::All, args, _)
                if args.len() == 2 => {}
            ExprKind::Call(expr::Func::Filled | expr::Func::Empty, args, _) => {
                for a in args {
                    references(a, row, tested);
                }
            }
            ExprKind::Unary(_, a) => scalar_refs(a, row, refs, tested),
            ExprKind::Binary(_, a, b) => {
                scalar_refs(a, row, refs, tested);
                scalar_refs(b, row, refs, tested);
            }
            ExprKind::If(c, a, b) => {
                for x in [c, a, b] {
                    scalar_refs(x, row, refs, tested);
                }
            }
            ExprKind::Call(_, args, _) => {
                for a in args {
                    scalar_refs(a, row, refs, tested);
                }
            }
            ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Bool(_) | ExprKind::Null => {}
        }
    }
    fn walk(e: &Expr, row: Option<&str>, out: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Binary(expr::Op::Or, a, b) => {
                let side = |x: &Expr| {
                    let (mut refs, mut tested) = (Vec::new(), Vec::new());
                    scalar_refs(x, row, &mut refs, &mut tested);
                    (refs, tested)
                };
                let ((ra, ta), (rb, tb)) = (side(a), side(b));
                for (refs, tested, other, other_tested) in
                    [(&ra, &ta, &rb, &tb), (&rb, &tb, &ra, &ta)]
                {
                    for r in refs {
                        let seen = |v: &Vec<String>| v.contains(r);
                        if !seen(tested) && !seen(other) && !seen(other_tested) && !seen(out) {
                            out.push(r.clone());
                        }
                    }
                }
                walk(a, row, out);
                walk(b, row, out);
            }
            ExprKind::Unary(_, a) => walk(a, row, out),
            ExprKind::Binary(_, a, b) => {
                walk(a, row, out);
                walk(b, row, out);
            }
            // A condition over rows is a yes/no per row, not a check that passes empty.
            ExprKind::Call(expr::Func::Count | expr::Func::Any | expr::Func::All, args, _)
                if args.len() == 2 => {}
            ExprKind::If(c, a, b) => {
                for x in [c, a, b] {
                    walk(x, row, out);
                }
            }
            ExprKind::Call(_, args, _) => {
                for a in args {
                    walk(a, row, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(e, row_prefix, &mut out);
    // A field tested anywhere in the rule (`filled(b) and (x = a or x = b)`) was thought of.
    let (mut refs, mut tested) = (Vec::new(), Vec::new());
    scalar_refs(e, row_prefix, &mut refs, &mut tested);
    out.retain(|r| !tested.contains(r));
    out
}

/// The data pointer (`*` for rows) of a reference: `row.` and `prev.` start at `row_prefix`.
fn ref_pointer(path: &[String], row_prefix: Option<&str>) -> String {
    let (mut p, rest) = match (path.first().map(String::as_str), row_prefix) {
        (Some("row" | "prev"), Some(prefix)) => (prefix.to_owned(), &path[1..]),
        _ => (String::new(), path),
    };
    for t in rest {
        p = pointer::push(&p, t);
    }
    p
}

/// Whether reading `reference` depends on the value at `target` (`*` matches any row, and
/// reading a group reads its fields).
pub fn depends_on(reference: &str, target: &str) -> bool {
    let strip = |s: &str| s.replace("/*", "");
    let (r, t) = (strip(reference), strip(target));
    r == t || pointer::inside(&t, &r) || pointer::inside(&r, &t)
}

/// Orders computed fields so that each comes after those it reads (a field reading itself is a
/// circle too); returns the indices of
/// `deps` in order, or the indices that form a cycle.
pub fn order(targets: &[String], deps: &[Vec<String>]) -> Result<Vec<usize>, Vec<usize>> {
    let n = targets.len();
    // edges[i] = computed fields that i reads.
    let edges: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| deps[i].iter().any(|r| depends_on(r, &targets[j])))
                .collect()
        })
        .collect();
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut out = Vec::with_capacity(n);
    fn visit(
        i: usize,
        edges: &[Vec<usize>],
        state: &mut [u8],
        out: &mut Vec<usize>,
        stack: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match state[i] {
            2 => return Ok(()),
            1 => {
                let from = stack.iter().position(|&s| s == i).unwrap_or(0);
                return Err(stack[from..].to_vec());
            }
            _ => {}
        }
        state[i] = 1;
        stack.push(i);
        for &j in &edges[i] {
            visit(j, edges, state, out, stack)?;
        }
        stack.pop();
        state[i] = 2;
        out.push(i);
        Ok(())
    }
    for i in 0..n {
        visit(i, &edges, &mut state, &mut out, &mut Vec::new())?;
    }
    Ok(out)
}

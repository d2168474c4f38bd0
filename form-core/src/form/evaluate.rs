//! `Form::evaluate`: computed values, visibility, read-only and conditional requiredness, and the
//! submission's errors (schema and rules, localised, in reading order).

use super::*;
use crate::definition::Widget;
use crate::diagnostic::Diagnostic;
use crate::expr::{Env, Expr, eval};
use crate::messages;
use crate::pointer::{self};
use crate::schema::{ErrorKind, SchemaError};
use crate::text::Text;
use serde_json::Value;
use std::collections::HashSet;

impl Form {
    /// Runs the rules on `data` as of `today`: computes values, decides what shows, and
    /// validates what would be submitted.
    pub fn evaluate(&self, data: &Value, today: Ymd) -> Evaluation {
        let mut work = data.clone();
        let mut out = Evaluation::default();
        // 1. Computed values, each after those it reads.
        for &i in &self.compute_order {
            let r = &self.rules[i];
            let Some(e) = &r.compute else { continue };
            for (ptr, value) in self.each_row(r, &work, today, |e2, env| eval(e2, env).to_json(), e)
            {
                if value.is_null() {
                    pointer::remove(&mut work, &ptr);
                } else {
                    pointer::set(&mut work, &ptr, value);
                }
                out.read_only.insert(ptr);
            }
        }
        // 2. Visibility, read-only and conditional requiredness, on the computed data.
        let mut required_now = Vec::new();
        let mut failed = Vec::new();
        for r in &self.rules {
            if let Some(e) = &r.visible {
                for (ptr, shown) in
                    self.each_row(r, &work, today, |e2, env| eval(e2, env).is_true(), e)
                {
                    if !shown {
                        out.hidden.insert(ptr);
                    }
                }
            }
            if let Some(e) = &r.read_only {
                for (ptr, ro) in
                    self.each_row(r, &work, today, |e2, env| eval(e2, env).is_true(), e)
                {
                    if ro {
                        out.read_only.insert(ptr);
                    }
                }
            }
            if let Some(e) = &r.required {
                for (ptr, req) in
                    self.each_row(r, &work, today, |e2, env| eval(e2, env).is_true(), e)
                {
                    if req {
                        required_now.push(ptr);
                    }
                }
            }
            for (e, message) in &r.constraints {
                for (ptr, ok) in self.each_row(
                    r,
                    &work,
                    today,
                    |e2, env| eval(e2, env) != crate::expr::Val::Bool(false),
                    e,
                ) {
                    if !ok {
                        failed.push((ptr, message.clone()));
                    }
                }
            }
        }
        // 3. The submission: hidden fields are not sent.
        let is_hidden = |p: &str| out.hidden.iter().any(|h| p == h || pointer::inside(p, h));
        for h in &out.hidden {
            pointer::remove(&mut work, h);
            self.drop_emptied_parents(&mut work, h);
        }
        // 4. Errors: the schema's, then the rules'.
        let mut errors = Vec::new();
        for e in self.schema.validate(&work) {
            self.expand_required(e, &mut errors);
        }
        errors.retain(|e| !is_hidden(&e.instance));
        for ptr in required_now {
            if is_hidden(&ptr) {
                continue;
            }
            let filled = pointer::get(&work, &ptr).is_some_and(is_filled);
            out.required.insert(ptr.clone());
            if !filled && !errors.iter().any(|e| e.instance == ptr) {
                errors.push(SchemaError {
                    instance: ptr,
                    kind: ErrorKind::Required,
                });
            }
        }
        errors.sort_by_cached_key(|e| self.order_key(&e.instance));
        let mut diags: Vec<(Diagnostic, OrderKey)> = errors
            .into_iter()
            .map(|e| (self.order_key(&e.instance), e))
            .map(|(k, e)| (self.diagnostic(e), k))
            .collect();
        let id_problems = self
            .id_problems(&work, today)
            .into_iter()
            .map(|(p, m)| (p, "id-number", m));
        // One message per field: a missing value is the error to fix first, so a constraint
        // that also fails on the empty field (`count(members) >= 1`) is not reported beside it.
        let missing: HashSet<String> = diags
            .iter()
            .filter(|(d, _)| d.code == "required")
            .map(|(d, _)| d.pointer.clone())
            .collect();
        for (ptr, code, message) in id_problems
            .chain(self.compound_problems(&work))
            .chain(failed.into_iter().map(|(p, m)| (p, "constraint", m)))
        {
            // The address list is checked only on codes of the right shape.
            let shape_failed = code == "address" && diags.iter().any(|(d, _)| d.pointer == ptr);
            if !is_hidden(&ptr) && !missing.contains(&ptr) && !shape_failed {
                let key = self.order_key(&ptr);
                diags.push((Diagnostic::error(ptr, code, message), key));
            }
        }
        diags.sort_by(|a, b| a.1.cmp(&b.1));
        out.errors = diags.into_iter().map(|(d, _)| d).collect();
        out.data = work;
        out
    }

    /// After a hidden field is removed, its object may be left empty (`"father": {}` when the
    /// father's section is hidden): such an object is not submitted either, unless the schema
    /// requires it.
    pub(crate) fn drop_emptied_parents(&self, data: &mut Value, removed: &str) {
        let mut cur = removed;
        while let Some((parent, _)) = cur.rsplit_once('/') {
            if parent.is_empty()
                || !pointer::get(data, parent)
                    .is_some_and(|v| v.as_object().is_some_and(|m| m.is_empty()))
            {
                return;
            }
            let Some((grand, name)) = parent.rsplit_once('/') else {
                return;
            };
            let name = name.replace("~1", "/").replace("~0", "~");
            let required = self
                .schema
                .resolve(grand)
                .is_some_and(|v| v.required().contains(&name));
            if required || pointer::index(&name).is_some() {
                return;
            }
            pointer::remove(data, parent);
            cur = parent;
        }
    }

    /// Evaluates `e` once (top-level item) or once per row (column of a table): the item's data
    /// pointer with real row indices, and the result.
    pub(crate) fn each_row<T>(
        &self,
        r: &ItemRules,
        data: &Value,
        today: Ymd,
        f: impl Fn(&Expr, &Env<'_>) -> T,
        e: &Expr,
    ) -> Vec<(String, T)> {
        match &r.table {
            None => {
                let env = Env {
                    data,
                    row: None,
                    prev: None,
                    today,
                };
                r.pointers.iter().map(|p| (p.clone(), f(e, &env))).collect()
            }
            Some(_) if r.pointers.is_empty() => Vec::new(),
            Some(table) => {
                let rows = pointer::get(data, table)
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                rows.iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let env = Env {
                            data,
                            row: Some(row),
                            prev: i.checked_sub(1).map(|j| &rows[j]),
                            today,
                        };
                        (
                            r.pointers[0].replacen("/*", &format!("/{i}"), 1),
                            f(e, &env),
                        )
                    })
                    .collect()
            }
        }
    }

    /// A missing required *group* (say `/applicant` when nothing was typed) is reported as its
    /// missing required fields, so that every error points at something the citizen can fill.
    /// The verdict is unchanged: the data is invalid either way.
    pub(crate) fn expand_required(&self, e: SchemaError, out: &mut Vec<SchemaError>) {
        if e.instance.matches('/').count() > 32 {
            out.push(e);
            return;
        }
        let children = match (&e.kind, self.schema.resolve(&e.instance)) {
            (ErrorKind::Required, Some(view))
                if !view.required().is_empty() && view.allows(crate::schema::JsonType::Object) =>
            {
                view.required()
            }
            _ => {
                out.push(e);
                return;
            }
        };
        for name in children {
            self.expand_required(
                SchemaError {
                    instance: pointer::push(&e.instance, name),
                    kind: ErrorKind::Required,
                },
                out,
            );
        }
    }

    pub(crate) fn diagnostic(&self, e: SchemaError) -> Diagnostic {
        let keyword = e.kind.keyword();
        let custom = self
            .item_for(&e.instance)
            .and_then(|item| item.messages.get(keyword))
            .cloned();
        let address_part = e.instance.rsplit_once('/').and_then(|(parent, name)| {
            self.field_for(parent)
                .filter(|f| f.widget == Widget::Address)
                .map(|f| (f, name))
        });
        if let (ErrorKind::Required, Some((f, part))) = (&e.kind, address_part) {
            // The designer's own words for a missing part: messages["province"|"commune"|"street"].
            let own = e
                .instance
                .rsplit_once('/')
                .and_then(|(parent, _)| self.item_for(parent))
                .and_then(|item| item.messages.get(part))
                .cloned();
            if let Some(message) = own {
                return Diagnostic::error(e.instance, keyword, message);
            }
            let (_, inside) = self.message_label(f);
            let (vi, en) = (inside.vi, inside.en);
            let message = match part {
                "country" => Text::new(
                    format!("Vui lòng chọn quốc gia của {vi}."),
                    format!("Select the country of {en}."),
                ),
                "text" => Text::new(format!("Vui lòng nhập {vi}."), format!("Enter {en}.")),
                "province" => Text::new(
                    format!("Vui lòng chọn tỉnh, thành phố của {vi}."),
                    format!("Select the province or city of {en}."),
                ),
                "commune" => Text::new(
                    format!("Vui lòng chọn xã, phường của {vi}."),
                    format!("Select the commune or ward of {en}."),
                ),
                _ => Text::new(
                    format!("Vui lòng nhập số nhà, đường, thôn, tổ của {vi}."),
                    format!("Enter the house number and street, or hamlet, of {en}."),
                ),
            };
            return Diagnostic::error(e.instance, keyword, message);
        }
        let message = custom.unwrap_or_else(|| match (&e.kind, self.field_for(&e.instance)) {
            // "Enter full name" reads better than a bare "Enter this information".
            (ErrorKind::Required, Some(f)) => {
                let (clean, inside) = self.message_label(f);
                messages::required(f.widget, &clean, &inside)
            }
            // The citizen sees option labels, not the values behind them.
            (ErrorKind::Enum(_), Some(f))
                if matches!(
                    f.widget,
                    Widget::Select | Widget::Radio | Widget::MultiSelect
                ) =>
            {
                let options = &self
                    .item_at(self.items[self.field_index[&f.pointer]])
                    .options;
                if options.len() <= 6 {
                    let list = |lang| {
                        options
                            .iter()
                            .map(|o| o.label.get(lang))
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    Text::new(
                        format!("Vui lòng chọn một trong: {}.", list(crate::Lang::Vi)),
                        format!("Choose one of: {}.", list(crate::Lang::En)),
                    )
                } else {
                    let (_, inside) = self.message_label(f);
                    Text::new(
                        format!("Vui lòng chọn {} trong danh sách.", inside.vi),
                        format!("Choose {} from the list.", inside.en),
                    )
                }
            }
            _ => messages::for_error(&e.kind),
        });
        Diagnostic::error(e.instance, keyword, message)
    }

    /// Sort key: the field's position in reading order, then the row.
    /// Sort key of an error: the position of its field in reading order (the field itself, else
    /// the nearest field above it), the row indices, then the pointer.
    pub(crate) fn order_key(&self, instance: &str) -> OrderKey {
        let pattern = row_pattern(instance);
        let mut cur = pattern.as_str();
        let pos = loop {
            if let Some(&i) = self.field_index.get(cur) {
                break Some(i);
            }
            match cur.rsplit_once('/') {
                Some((head, _)) if !head.is_empty() => cur = head,
                _ => break None,
            }
        };
        let tokens = pointer::parse(instance).unwrap_or_default();
        let mut rows: Vec<usize> = tokens.iter().filter_map(|t| t.parse().ok()).collect();
        // Screen order: a table's cells row by row (then column by column), after the table's
        // own errors; an address's parts as drawn (province, commune, street).
        let mut pos = pos.unwrap_or(usize::MAX);
        if let Some((table, _)) = pattern.split_once("/*")
            && let Some(&t) = self.field_index.get(table)
        {
            rows.push(pos);
            pos = t;
        }
        let part = match tokens.last().map(String::as_str) {
            Some("province" | "country") => Some(0),
            Some("commune" | "text") => Some(1),
            Some("street") => Some(2),
            _ => None,
        };
        let parent = instance.rsplit_once('/').map_or("", |(head, _)| head);
        if let Some(rank) = part
            && self
                .field_for(&row_pattern(parent))
                .is_some_and(|f| f.widget == Widget::Address)
        {
            rows.push(rank);
        }
        (pos, rows, instance.to_owned())
    }

    /// Removes empty strings, empty objects and `null`s left by cleared inputs, so that a cleared
    /// required field reads as missing. Rows of tables are kept (their indices are meaningful).
    pub fn normalise(data: &mut Value) {
        if let Value::Object(m) = data {
            m.retain(|_, v| {
                Form::normalise(v);
                !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty())
            });
        } else if let Value::Array(a) = data {
            for v in a {
                if !v.is_object() {
                    continue;
                }
                Form::normalise(v);
            }
        }
    }
}

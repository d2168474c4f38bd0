//! What the rules read and what a change reaches: the dependency index (`Deps`), the fields a
//! change affects, one field's outcome (the incremental state's middle path), the rules compiled
//! per item.

use super::*;
use crate::definition::{Item, Widget};
use crate::diagnostic::Diagnostic;
use crate::expr::{Env, Expr, Type, eval};
use crate::pointer::{self};
use crate::rules::{self, SchemaScope};
use crate::schema::{ErrorKind, SchemaError};
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

impl Form {
    pub(crate) fn index_deps(&self, computed: HashSet<String>) -> Deps {
        let mut deps = Deps {
            computed,
            ..Deps::default()
        };
        for (i, r) in self.rules.iter().enumerate() {
            let row = r.table.as_ref().map(|t| format!("{t}/*"));
            let mut reads = Vec::new();
            for e in [&r.visible, &r.required, &r.read_only, &r.compute]
                .into_iter()
                .flatten()
                .chain(r.constraints.iter().map(|(e, _)| e))
            {
                rules::references(e, row.as_deref(), &mut reads);
            }
            reads.sort();
            reads.dedup();
            deps.reads_computed.push(
                reads
                    .iter()
                    .any(|p| deps.computed.iter().any(|c| rules::depends_on(p, c))),
            );
            for p in reads {
                deps.reads.entry(p).or_default().push(i);
            }
            for p in &r.pointers {
                deps.about.entry(p.clone()).or_default().push(i);
            }
        }
        // Objects that `drop_emptied_parents` may remove when a field in them is hidden: a
        // change anywhere below them can change errors elsewhere in them.
        for r in self.rules.iter().filter(|r| r.visible.is_some()) {
            for p in &r.pointers {
                let mut cur = p.as_str();
                while let Some((parent, _)) = cur.rsplit_once('/') {
                    if parent.is_empty()
                        || parent.ends_with("/*")
                        || self.required_in_parent(parent)
                    {
                        break;
                    }
                    deps.droppable.insert(parent.to_owned());
                    cur = parent;
                }
            }
        }
        for c in &self.id_checks {
            deps.checked.insert(c.id.clone());
            deps.checked.extend(c.birth.iter().cloned());
            deps.checked.extend(c.sex.iter().cloned());
        }
        for f in &self.fields {
            if matches!(f.widget, Widget::Address | Widget::File) {
                deps.checked.insert(f.pointer.clone());
            }
        }
        deps
    }

    /// Whether the schema lists the member at `ptr` (`*` for rows) as `required` in its object.
    pub(crate) fn required_in_parent(&self, ptr: &str) -> bool {
        let Some((parent, name)) = ptr.rsplit_once('/') else {
            return false;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        self.schema
            .resolve(&parent.replace("/*", "/0"))
            .is_some_and(|v| v.required().contains(&name))
    }

    /// Whether every object from the root down to `ptr` is `required` in its parent, so that none
    /// is ever dropped from the submission.
    pub(crate) fn required_chain(&self, ptr: &str) -> bool {
        let mut cur = ptr;
        while !cur.is_empty() {
            if !self.required_in_parent(cur) {
                return false;
            }
            cur = cur.rsplit_once('/').map_or("", |(head, _)| head);
        }
        true
    }

    /// Whether an object above `ptr` may be dropped when a field in it is hidden.
    pub(crate) fn under_droppable(&self, ptr: &str) -> bool {
        let mut cur = ptr;
        while let Some((head, _)) = cur.rsplit_once('/') {
            if head.is_empty() {
                return false;
            }
            if self.deps.droppable.contains(&row_pattern(head)) {
                return true;
            }
            cur = head;
        }
        false
    }

    /// The fields whose state a change of the scalar at `ptr` can change, when they can be
    /// brought up to date one by one ([`Form::field_outcome`]): `ptr` itself and the fields of
    /// the rules that read it. `None` when the change needs the rules re-run on the whole form
    /// (computed values, tables, ID-number/address/file checks, groups).
    pub(crate) fn affected_fields(
        &self,
        ptr: &str,
        raw: &Value,
        hidden: &BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if ptr.matches('/').count() > 16 || row_pattern(ptr) != ptr {
            return None;
        }
        let mut fields = vec![ptr.to_owned()];
        let mut cur = ptr;
        while !cur.is_empty() {
            if self.deps.checked.contains(cur) || self.deps.computed.contains(cur) {
                return None;
            }
            for &i in self.deps.reads.get(cur).into_iter().flatten() {
                let r = &self.rules[i];
                if r.table.is_some() || r.compute.is_some() {
                    return None;
                }
                fields.extend(r.pointers.iter().cloned());
            }
            cur = cur.rsplit_once('/').map_or("", |(head, _)| head);
        }
        fields.sort();
        fields.dedup();
        for f in &fields {
            let simple = self.field_for(f).is_some_and(|field| {
                !matches!(
                    field.widget,
                    Widget::Table | Widget::MultiSelect | Widget::Address | Widget::File
                )
            });
            let scalar = pointer::get(raw, f).is_none_or(|v| !v.is_object() && !v.is_array());
            let rules_simple = self.deps.about.get(f).into_iter().flatten().all(|&i| {
                self.rules[i].table.is_none()
                    && self.rules[i].compute.is_none()
                    && !self.deps.reads_computed[i]
            });
            // An object left empty by hiding is dropped (see `drop_emptied_parents`), which
            // changes its other fields' errors: only fields directly in the root, or in an
            // object that is required all the way up, can change visibility alone.
            let parent = f.rsplit_once('/').map_or("", |(head, _)| head);
            let parent_stays = self.required_chain(parent);
            let ancestor_hidden = hidden.iter().any(|h| pointer::inside(f, h));
            let nested = {
                let mut c = parent;
                let mut any = false;
                while !c.is_empty() {
                    any |= self.field_index.contains_key(c);
                    c = c.rsplit_once('/').map_or("", |(head, _)| head);
                }
                any
            };
            if !simple
                || !scalar
                || !rules_simple
                || !parent_stays
                || ancestor_hidden
                || nested
                || self.deps.checked.contains(f)
                || self.deps.computed.contains(f)
                || !self.schema.is_local(f)
            {
                return None;
            }
        }
        Some(fields)
    }

    /// One field's visibility, read-only state, requiredness and errors, as [`Form::evaluate`]
    /// would give them, for a field that [`Form::affected_fields`] accepted. `raw` is the data as
    /// entered.
    pub(crate) fn field_outcome(&self, f: &str, raw: &Value, today: Ymd) -> FieldOutcome {
        let env = Env {
            data: raw,
            row: None,
            prev: None,
            today,
        };
        let rules: Vec<&ItemRules> = self
            .deps
            .about
            .get(f)
            .into_iter()
            .flatten()
            .map(|&i| &self.rules[i])
            .collect();
        let hidden = rules
            .iter()
            .filter_map(|r| r.visible.as_ref())
            .any(|e| !eval(e, &env).is_true());
        let read_only = rules
            .iter()
            .filter_map(|r| r.read_only.as_ref())
            .any(|e| eval(e, &env).is_true());
        let required_now = rules
            .iter()
            .filter_map(|r| r.required.as_ref())
            .any(|e| eval(e, &env).is_true());
        let mut out = FieldOutcome {
            hidden,
            read_only,
            required: required_now && !hidden,
            errors: Vec::new(),
        };
        if hidden {
            return out;
        }
        let value = pointer::get(raw, f);
        let mut errors: Vec<SchemaError> = match value {
            Some(v) => self.schema.validate_at(f, v).unwrap_or_default(),
            None if self.required_effective(raw, f) => vec![SchemaError {
                instance: f.to_owned(),
                kind: ErrorKind::Required,
            }],
            None => Vec::new(),
        };
        let filled = value.is_some_and(is_filled);
        if required_now && !filled && errors.is_empty() {
            errors.push(SchemaError {
                instance: f.to_owned(),
                kind: ErrorKind::Required,
            });
        }
        out.errors = errors.into_iter().map(|e| self.diagnostic(e)).collect();
        let missing = out.errors.iter().any(|d| d.code == "required");
        if !missing {
            for r in &rules {
                for (e, message) in &r.constraints {
                    if eval(e, &env) == crate::expr::Val::Bool(false) {
                        out.errors
                            .push(Diagnostic::error(f, "constraint", message.clone()));
                    }
                }
            }
        }
        out
    }

    pub(crate) fn watched_pointers(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.rules {
            let row = r.table.as_ref().map(|t| format!("{t}/*"));
            let exprs = [&r.visible, &r.required, &r.read_only, &r.compute]
                .into_iter()
                .flatten()
                .chain(r.constraints.iter().map(|(e, _)| e));
            for e in exprs {
                rules::references(e, row.as_deref(), &mut out);
            }
            // The fields a rule is about: their errors depend on more than their own value.
            out.extend(r.pointers.iter().cloned());
        }
        // Address and file checks read the whole object.
        out.extend(
            self.fields
                .iter()
                .filter(|f| matches!(f.widget, Widget::Address | Widget::File))
                .map(|f| f.pointer.clone()),
        );
        for c in &self.id_checks {
            out.push(c.id.clone());
            out.extend(c.birth.iter().cloned());
            out.extend(c.sex.iter().cloned());
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether changing the data at `ptr` may change anything beyond that field's own schema
    /// errors: a rule reads it, a check is about it, or it is computed.
    pub(crate) fn has_dependents(&self, ptr: &str) -> bool {
        if self.under_droppable(ptr) {
            return true;
        }
        // Rows do not matter (`*` is dropped on both sides): a watched pointer depends on `ptr`
        // when one is the other or contains it.
        let p = row_pattern(ptr).replace("/*", "");
        if self.watched_prefixes.contains(&p) {
            return true;
        }
        let mut cur = p.as_str();
        loop {
            if self.watched.contains(cur) {
                return true;
            }
            match cur.rsplit_once('/') {
                Some((head, _)) if !head.is_empty() => cur = head,
                _ => return false,
            }
        }
    }

    /// Whether a missing value at `ptr` is an error: it is `required` in its object, and that
    /// object exists or is itself required all the way up (the expansion of [`Form::validate`]).
    pub(crate) fn required_effective(&self, data: &Value, ptr: &str) -> bool {
        let Some((parent, name)) = ptr.rsplit_once('/') else {
            return false;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        let listed = self
            .schema
            .resolve(parent)
            .is_some_and(|v| v.required().contains(&name));
        listed
            && (pointer::get(data, parent).is_some_and(Value::is_object)
                || (parent.is_empty())
                || self.required_effective(data, parent))
    }

    /// Compiles one rule (loading has checked it, its patterns counted with the definition's;
    /// a rule that does not compile is dropped).
    pub(crate) fn rule(&self, src: Option<&String>, row: Option<&str>, want: Type) -> Option<Expr> {
        let scope = SchemaScope {
            schema: &self.schema,
            row: row.map(str::to_owned),
        };
        let mut patterns = crate::pattern::Budget::default();
        src.and_then(|s| rules::compile(s, &scope, &want, &mut patterns).ok())
    }

    /// Whether the prefill binding of the field at `ptr` is in force for `data` as of `today`:
    /// it has no `when`, or its `when` is true (empty is not).
    pub fn prefill_applies(&self, ptr: &str, data: &Value, today: Ymd) -> bool {
        let Some(e) = self.prefill_when.get(ptr) else {
            return true;
        };
        let env = Env {
            data,
            row: None,
            prev: None,
            today,
        };
        eval(e, &env).is_true()
    }

    pub(crate) fn item_rules(&self, item: &Item, table: Option<&str>, out: &mut Vec<ItemRules>) {
        let Some(ptr) = &item.pointer else { return };
        let row = table.map(|t| format!("{t}/*"));
        let row = row.as_deref();
        let full = format!("{}{ptr}", row.unwrap_or(""));
        let want = self
            .schema
            .resolve(&full.replace("/*", "/0"))
            .map_or(Type::Any, rules::type_of);
        let r = ItemRules {
            pointers: vec![full.clone()],
            table: table.map(str::to_owned),
            visible: self.rule(item.visible_if.as_ref(), row, Type::Bool),
            required: self.rule(item.required_if.as_ref(), row, Type::Bool),
            read_only: self.rule(item.read_only_if.as_ref(), row, Type::Bool),
            compute: self.rule(item.compute.as_ref(), row, want),
            constraints: item
                .constraints
                .iter()
                .filter_map(|c| {
                    self.rule(Some(&c.rule), row, Type::Bool)
                        .map(|e| (e, c.message.clone()))
                })
                .collect(),
        };
        let any = r.visible.is_some()
            || r.required.is_some()
            || r.read_only.is_some()
            || r.compute.is_some()
            || !r.constraints.is_empty();
        if any {
            out.push(r);
        }
        if item.widget == Widget::Table {
            for col in &item.columns {
                self.item_rules(col, Some(&full), out);
            }
        }
    }

    pub(crate) fn compile_rules(&self) -> Vec<ItemRules> {
        let mut out = Vec::new();
        for section in self.definition.pages.iter().flat_map(|p| &p.sections) {
            if section.visible_if.is_some() {
                out.push(ItemRules {
                    pointers: section
                        .items
                        .iter()
                        .filter_map(|i| i.pointer.clone())
                        .collect(),
                    table: None,
                    visible: self.rule(section.visible_if.as_ref(), None, Type::Bool),
                    required: None,
                    read_only: None,
                    compute: None,
                    constraints: Vec::new(),
                });
            }
            for item in &section.items {
                self.item_rules(item, None, &mut out);
            }
        }
        out
    }
}

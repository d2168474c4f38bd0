//! Incremental form state: the API the UI calls on every keystroke. `set` changes one value and
//! returns exactly what changed (computed values, visibility, read-only, requiredness, errors).
//!
//! A change that no rule reads, at a location whose schema is local (see
//! [`Schema::is_local`](crate::schema::Schema::is_local)), is checked alone against its own
//! sub-schema (the fast path). A change that rules read, when neither it nor those rules touch
//! computed values, tables, groups or the ID-number/address/file checks, brings only the fields of
//! those rules up to date (the middle path). Any other change re-runs the rules on the whole
//! form. Either way the state equals
//! what [`Form::evaluate`] gives for the same data — the property tests hold it to that.

use crate::diagnostic::Diagnostic;
use crate::form::{Evaluation, Form, Ymd};
use crate::pointer;
use crate::schema::{ErrorKind, SchemaError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A form being filled in.
#[derive(Debug)]
pub struct FormState {
    form: Arc<Form>,
    today: Ymd,
    /// The data as entered (hidden fields keep what was typed, in case they show again).
    raw: Value,
    eval: Evaluation,
}

/// What one change changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    /// Computed values now different: pointer and new value (`None`: empty).
    pub values: Vec<(String, Option<Value>)>,
    /// Fields whose visibility changed: pointer and whether it is hidden now.
    pub hidden: Vec<(String, bool)>,
    pub read_only: Vec<(String, bool)>,
    pub required: Vec<(String, bool)>,
    /// Pointers whose errors changed, and their errors now.
    pub errors: Vec<(String, Vec<Diagnostic>)>,
    /// Whether the change took the fast path (one field checked alone).
    pub local: bool,
    /// Whether the change took the middle path (only the fields whose rules read it were
    /// brought up to date).
    pub partial: bool,
}

impl FormState {
    pub fn new(form: Arc<Form>, data: Value, today: Ymd) -> FormState {
        let eval = form.evaluate(&data, today);
        FormState {
            form,
            today,
            raw: data,
            eval,
        }
    }

    pub fn form(&self) -> &Form {
        &self.form
    }

    /// The data as entered.
    pub fn data(&self) -> &Value {
        &self.raw
    }

    /// The current evaluation: submission data, errors in reading order, hidden, read-only and
    /// required fields.
    pub fn evaluation(&self) -> &Evaluation {
        &self.eval
    }

    /// Every error, in reading order.
    pub fn validate_all(&self) -> &[Diagnostic] {
        &self.eval.errors
    }

    /// Sets (or, for `None`, removes) the value at `ptr` and says what changed.
    pub fn set(&mut self, ptr: &str, value: Option<Value>) -> Changes {
        let parent_exists = ptr.rsplit_once('/').is_some_and(|(p, _)| {
            p.is_empty() || pointer::get(&self.raw, p).is_some_and(Value::is_object)
        });
        // Only scalars replacing scalars (or nothing) stay local: a group's errors live below it.
        let is_scalar = |v: Option<&Value>| v.is_none_or(|v| !v.is_object() && !v.is_array());
        let scalar = is_scalar(value.as_ref()) && is_scalar(pointer::get(&self.raw, ptr));
        let local = parent_exists
            && scalar
            && !self.form.has_dependents(ptr)
            && self.form.schema().is_local(ptr);
        match &value {
            Some(v) => {
                if !pointer::set(&mut self.raw, ptr, v.clone()) {
                    return Changes::default();
                }
            }
            None => {
                pointer::remove(&mut self.raw, ptr);
            }
        }
        if local {
            return self.set_local(ptr, value);
        }
        let fields = if parent_exists && scalar {
            self.form.affected_fields(ptr, &self.raw, &self.eval.hidden)
        } else {
            None
        };
        match fields {
            Some(fields) => self.set_fields(&fields),
            None => self.rerun(),
        }
    }

    /// The middle path: the changed field and the fields of the rules that read it are brought
    /// up to date one by one, each as a whole (visibility, read-only, requiredness, errors).
    fn set_fields(&mut self, fields: &[String]) -> Changes {
        let mut changes = Changes {
            partial: true,
            ..Changes::default()
        };
        for f in fields {
            let o = self.form.field_outcome(f, &self.raw, self.today);
            for (set, now, out) in [
                (&mut self.eval.hidden, o.hidden, &mut changes.hidden),
                (
                    &mut self.eval.read_only,
                    o.read_only,
                    &mut changes.read_only,
                ),
                (&mut self.eval.required, o.required, &mut changes.required),
            ] {
                let changed = if now {
                    set.insert(f.clone())
                } else {
                    set.remove(f)
                };
                if changed {
                    out.push((f.clone(), now));
                }
            }
            let before = pointer::get(&self.eval.data, f).cloned();
            match pointer::get(&self.raw, f).filter(|_| !o.hidden) {
                Some(v) => {
                    pointer::set(&mut self.eval.data, f, v.clone());
                }
                None => {
                    pointer::remove(&mut self.eval.data, f);
                }
            }
            // As the full path reports them: values of read-only fields that changed.
            let after = pointer::get(&self.eval.data, f);
            let read_only_before_or_now =
                o.read_only || changes.read_only.iter().any(|(p, _)| p == f);
            if read_only_before_or_now && before.as_ref() != after {
                changes.values.push((f.clone(), after.cloned()));
            }
            if let Some(e) = self.replace_errors(f, o.errors) {
                changes.errors.push(e);
            }
        }
        changes
    }

    /// Replaces all the data at once (a host page set it, or a draft came back) and says what
    /// changed, as if the citizen had typed it.
    pub fn replace(&mut self, data: Value) -> Changes {
        self.raw = data;
        self.rerun()
    }

    /// Adds an empty row at the end of the table at `table`.
    pub fn add_row(&mut self, table: &str) -> Changes {
        let n = pointer::get(&self.raw, table)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        pointer::set(
            &mut self.raw,
            &pointer::push_index(table, n),
            Value::Object(Default::default()),
        );
        self.rerun()
    }

    /// Removes row `index` of the table at `table` (the rows after it move up).
    pub fn remove_row(&mut self, table: &str, index: usize) -> Changes {
        if let Some(Value::Array(rows)) = self.raw.pointer_mut(table)
            && index < rows.len()
        {
            rows.remove(index);
        }
        self.rerun()
    }

    /// Moves row `from` of the table at `table` to position `to`.
    pub fn move_row(&mut self, table: &str, from: usize, to: usize) -> Changes {
        if let Some(Value::Array(rows)) = self.raw.pointer_mut(table)
            && from < rows.len()
            && to < rows.len()
        {
            let row = rows.remove(from);
            rows.insert(to, row);
        }
        self.rerun()
    }

    /// The fast path: only the field at `ptr` is checked.
    fn set_local(&mut self, ptr: &str, value: Option<Value>) -> Changes {
        let hidden = self
            .eval
            .hidden
            .iter()
            .any(|h| ptr == h || pointer::inside(ptr, h));
        let mut errors: Vec<SchemaError> = Vec::new();
        if !hidden {
            match &value {
                Some(v) => {
                    pointer::set(&mut self.eval.data, ptr, v.clone());
                    errors = self.form.schema().validate_at(ptr, v).unwrap_or_default();
                }
                None => {
                    pointer::remove(&mut self.eval.data, ptr);
                    if self.form.required_effective(&self.raw, ptr) {
                        errors.push(SchemaError {
                            instance: ptr.to_owned(),
                            kind: ErrorKind::Required,
                        });
                    }
                }
            }
        }
        let new: Vec<Diagnostic> = errors
            .into_iter()
            .map(|e| self.form.diagnostic(e))
            .collect();
        Changes {
            local: true,
            errors: self.replace_errors(ptr, new).into_iter().collect(),
            ..Changes::default()
        }
    }

    /// Replaces the errors of `ptr` with `new`, in reading order; the change, if any.
    fn replace_errors(
        &mut self,
        ptr: &str,
        new: Vec<Diagnostic>,
    ) -> Option<(String, Vec<Diagnostic>)> {
        let same = {
            let mut old = self.eval.errors.iter().filter(|d| d.pointer == ptr);
            new.iter().all(|d| old.next() == Some(d)) && old.next().is_none()
        };
        if same {
            return None;
        }
        self.eval.errors.retain(|d| d.pointer != ptr);
        let key = self.form.order_key(ptr);
        // After every error that sorts before or with this field, as the full sort would.
        let at = self
            .eval
            .errors
            .partition_point(|d| self.form.order_key(&d.pointer) <= key);
        for (k, d) in new.iter().enumerate() {
            self.eval.errors.insert(at + k, d.clone());
        }
        Some((ptr.to_owned(), new))
    }

    /// The general path: re-run the rules and report the differences.
    fn rerun(&mut self) -> Changes {
        let new = self.form.evaluate(&self.raw, self.today);
        let old = std::mem::replace(&mut self.eval, new);
        diff(&old, &self.eval)
    }
}

fn set_diff(old: &BTreeSet<String>, new: &BTreeSet<String>) -> Vec<(String, bool)> {
    let gone = old.difference(new).map(|p| (p.clone(), false));
    let came = new.difference(old).map(|p| (p.clone(), true));
    gone.chain(came).collect()
}

fn by_pointer(errors: &[Diagnostic]) -> BTreeMap<&str, Vec<Diagnostic>> {
    let mut m: BTreeMap<&str, Vec<Diagnostic>> = BTreeMap::new();
    for d in errors {
        m.entry(d.pointer.as_str()).or_default().push(d.clone());
    }
    m
}

fn diff(old: &Evaluation, new: &Evaluation) -> Changes {
    let mut changes = Changes {
        hidden: set_diff(&old.hidden, &new.hidden),
        read_only: set_diff(&old.read_only, &new.read_only),
        required: set_diff(&old.required, &new.required),
        ..Changes::default()
    };
    for ptr in new
        .read_only
        .iter()
        .chain(old.read_only.iter())
        .collect::<BTreeSet<_>>()
    {
        let (a, b) = (pointer::get(&old.data, ptr), pointer::get(&new.data, ptr));
        if a != b {
            changes.values.push((ptr.clone(), b.cloned()));
        }
    }
    let (a, b) = (by_pointer(&old.errors), by_pointer(&new.errors));
    for ptr in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
        if a.get(ptr) != b.get(ptr) {
            changes
                .errors
                .push(((*ptr).to_owned(), b.get(ptr).cloned().unwrap_or_default()));
        }
    }
    changes
}

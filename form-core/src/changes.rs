//! What changed between two versions of a form (the builder's version list): fields added,
//! removed and changed — by data pointer, with their labels — and the form-level properties
//! that changed. A field "changes" when its item (widget, texts, rules, prefill, options) or its
//! data schema (type, constraints, whether it is required) differs.

use crate::{Definition, Item, Text, Widget};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One field in a summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldRef {
    /// The data pointer (table columns: `/table/*/column`).
    pub pointer: String,
    pub label: Option<Text>,
}

/// The changes from one version to the next.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub added: Vec<FieldRef>,
    pub removed: Vec<FieldRef>,
    pub changed: Vec<FieldRef>,
    /// Form-level properties that changed: `title`, `description`, `procedureCode`,
    /// `agencyCode`, `signature`, `layout` (pages and sections: titles, order, rules).
    pub form: Vec<&'static str>,
}

impl Summary {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.form.is_empty()
    }
}

/// The subschema of `pointer` (a data pointer; `*` steps into array items) and whether its
/// parent lists it as required.
fn schema_at(root: &Value, pointer: &str) -> (Value, bool) {
    let mut node = root;
    let mut required = false;
    for step in pointer.split('/').skip(1) {
        let step = step.replace("~1", "/").replace("~0", "~");
        if step == "*" {
            node = node.get("items").unwrap_or(&Value::Null);
            required = false;
            continue;
        }
        required = node
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|k| k == step.as_str()));
        node = node
            .get("properties")
            .and_then(|p| p.get(&step))
            .unwrap_or(&Value::Null);
    }
    (node.clone(), required)
}

/// Every field of a definition by pointer: (label, what defines it).
fn fields(d: &Definition) -> BTreeMap<String, (Option<Text>, Value)> {
    fn add(
        out: &mut BTreeMap<String, (Option<Text>, Value)>,
        schema: &Value,
        prefix: &str,
        item: &Item,
    ) {
        let Some(p) = &item.pointer else { return };
        let pointer = format!("{prefix}{p}");
        let mut own = item.clone();
        own.columns.clear();
        let (sub, required) = schema_at(schema, &pointer);
        let mut sub = sub;
        // A table's rows are described by its columns.
        if item.widget == Widget::Table
            && let Some(o) = sub.as_object_mut()
        {
            o.remove("items");
        }
        let what = serde_json::json!({"item": own, "schema": sub, "required": required});
        out.insert(pointer.clone(), (item.label.clone(), what));
        for c in &item.columns {
            add(out, schema, &format!("{pointer}/*"), c);
        }
    }
    let mut out = BTreeMap::new();
    for page in &d.pages {
        for section in &page.sections {
            for item in &section.items {
                add(&mut out, &d.data_schema, "", item);
            }
        }
    }
    out
}

/// Pages and sections without their items: the form's layout.
fn layout(d: &Definition) -> Value {
    Value::Array(
        d.pages
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id, "title": p.title,
                    "sections": p.sections.iter().map(|s| serde_json::json!({
                        "id": s.id, "title": s.title, "help": s.help, "visibleIf": s.visible_if,
                        "items": s.items.iter().map(|i| i.pointer.clone()).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// What changed from `old` to `new`.
pub fn summary(old: &Definition, new: &Definition) -> Summary {
    let (a, b) = (fields(old), fields(new));
    let mut s = Summary::default();
    for (pointer, (label, what)) in &b {
        match a.get(pointer) {
            None => s.added.push(FieldRef {
                pointer: pointer.clone(),
                label: label.clone(),
            }),
            Some((_, before)) if before != what => s.changed.push(FieldRef {
                pointer: pointer.clone(),
                label: label.clone(),
            }),
            Some(_) => {}
        }
    }
    for (pointer, (label, _)) in &a {
        if !b.contains_key(pointer) {
            s.removed.push(FieldRef {
                pointer: pointer.clone(),
                label: label.clone(),
            });
        }
    }
    if old.title != new.title {
        s.form.push("title");
    }
    if old.description != new.description {
        s.form.push("description");
    }
    if old.procedure_code != new.procedure_code {
        s.form.push("procedureCode");
    }
    if old.agency_code != new.agency_code {
        s.form.push("agencyCode");
    }
    if serde_json::to_value(&old.signature).ok() != serde_json::to_value(&new.signature).ok() {
        s.form.push("signature");
    }
    if layout(old) != layout(new) {
        s.form.push("layout");
    }
    s
}

impl Summary {
    /// The first version of a form: every field is new.
    pub fn new_form(d: &Definition) -> Summary {
        Summary {
            added: fields(d)
                .into_iter()
                .map(|(pointer, (label, _))| FieldRef { pointer, label })
                .collect(),
            ..Summary::default()
        }
    }
}

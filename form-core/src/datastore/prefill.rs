//! Filling a form from the store's answer (`prefill`, `prefill_again` when a binding's `when`
//! changes), the locks and provenance of what was filled, which locked fields a submission
//! changed, and what a submission could keep (`keepable`).

use super::catalogue::*;
use crate::definition::{Definition, Item, Lock, Prefill, Widget};
use crate::form::Form;
use serde::Deserialize;
use serde_json::Value;

/// A register value as a `map` compares it: trimmed, lower case.
pub(crate) fn normalise(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The value a binding puts in its field: the store's value, through the `map` if it has one
/// (`None`: a text the map does not list).
pub(crate) fn mapped(binding: &Prefill, value: Value) -> Option<Value> {
    if binding.map.is_empty() {
        return Some(value);
    }
    let text = normalise(value.as_str()?);
    binding
        .map
        .iter()
        .find(|(from, _)| normalise(from) == text)
        .map(|(_, to)| to.clone())
}

/// A value of the citizen's store as the portal gives it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    pub value: Value,
    pub source: String,
    pub verified: bool,
    pub updated_at: String,
}

/// Where a prefilled field's value came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Provenance {
    pub key: String,
    pub source: String,
    pub verified: bool,
    pub updated_at: String,
}

/// The outcome of [`prefill`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Prefilled {
    /// The data with the store's values in every bound field that had none.
    pub data: Value,
    /// Data pointer → where the value now in that field came from (fields holding the store's
    /// value, filled now or already equal).
    pub provenance: std::collections::BTreeMap<String, Provenance>,
    /// Fields bound with `lock: verified` that hold a verified value: read-only.
    pub locked: std::collections::BTreeSet<String>,
    /// Fields whose value (typed, from a draft) differs from the store's: kept as typed.
    pub differing: Vec<String>,
    /// Locked fields whose typed value differed from the register's: replaced by it.
    pub replaced: Vec<String>,
}

impl Prefilled {
    /// Records that the field at `ptr` holds the store's value of `binding` (and is locked).
    fn mark(&mut self, ptr: &str, binding: &Prefill, attr: &Attribute, locks: bool) {
        self.provenance.insert(
            ptr.to_owned(),
            Provenance {
                key: binding.key.clone(),
                source: attr.source.clone(),
                verified: attr.verified,
                updated_at: attr.updated_at.clone(),
            },
        );
        if locks {
            self.locked.insert(ptr.to_owned());
        }
    }
}

/// The catalogue keys a definition binds: what the runtime asks the store for, and nothing else.
pub fn bound_keys(definition: &Definition) -> Vec<String> {
    let mut keys: Vec<String> = bound_items(definition)
        .map(|(_, p, _)| p.key.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Where, under the data store's base (`/datastore/v1`), the values `definition` binds are read:
/// `/me/attributes?keys=…&formId=…&formVersion=…`; none when it binds no key. The runtime asks
/// for it, and the portal writes it into its form page for the page's script to ask for beside
/// the runtime's code: built here once, so the two addresses are the same and the one answer is
/// taken (one read, one entry in the citizen's data log).
pub fn attributes_path(definition: &Definition) -> Option<String> {
    let keys = bound_keys(definition);
    if keys.is_empty() {
        return None;
    }
    let keys: Vec<String> = keys.iter().map(|k| query_value(k)).collect();
    Some(format!(
        "/me/attributes?keys={}&formId={}&formVersion={}",
        keys.join(","),
        query_value(&definition.id),
        definition.version
    ))
}

/// A query value percent-encoded as `encodeURIComponent` would. Ids and keys are plain by the
/// meta-schema; this keeps an address whole for anything else.
pub(crate) fn query_value(s: &str) -> String {
    crate::percent_encode(s, b"!*'()")
}

/// Fills the bound fields of `data` from the store's `attributes`. Precedence: what the data
/// already holds (a restored draft, typed values) is never replaced — a different store value is
/// reported in `differing` instead; only empty fields are filled. The exception is a field
/// locked to a verified register value: only that value can be sent, so it replaces what was
/// typed, and the field is listed in `replaced` for the runtime to say so. A list of persons
/// fills an empty table, one row per person, each column from the person's field of the
/// column's name.
pub fn prefill(
    form: &Form,
    data: &Value,
    attributes: &std::collections::BTreeMap<String, Attribute>,
    today: crate::Ymd,
) -> Prefilled {
    let definition = form.definition();
    let mut out = Prefilled {
        data: data.clone(),
        ..Prefilled::default()
    };
    let empty = |v: Option<&Value>| v.is_none_or(is_empty);
    for (item, binding, ptr) in bound_items(definition) {
        if !applies(form, ptr, data, today) {
            continue;
        }
        let Some((attr, value)) = bound_value(item, binding, attributes) else {
            continue;
        };
        let locks = locks(form, item, binding, ptr, attr, &value);
        let current = crate::pointer::get(&out.data, ptr).cloned();
        if empty(current.as_ref()) {
            crate::pointer::set(&mut out.data, ptr, value);
        } else if current.as_ref() != Some(&value) {
            if !locks {
                out.differing.push(ptr.to_owned());
                continue;
            }
            crate::pointer::set(&mut out.data, ptr, value);
            out.replaced.push(ptr.to_owned());
        }
        out.mark(ptr, binding, attr, locks);
    }
    out
}

/// Whether the binding of the field at `ptr` applies to `data`: no `when`, or a true one.
pub(crate) fn applies(form: &Form, ptr: &str, data: &Value, today: crate::Ymd) -> bool {
    form.prefill_applies(ptr, data, today)
}

/// What following bindings with `when` remembers between changes: the values a binding that
/// came into force replaced, by field, to put back when it is no longer in force.
pub type Displaced = std::collections::BTreeMap<String, Value>;

/// The prefill after a change of the data, for forms whose bindings depend on it (`when`: "the
/// applicant is the husband"). Only bindings whose `when` changed between `before` and `data`
/// act, so a field the citizen empties stays empty:
/// - a binding that **came into force** fills its field when empty; when the field held
///   another value and the binding locks, the store's value replaces it and the value is kept in
///   `displaced`; an unlocked binding leaves a typed value alone;
/// - a binding **no longer in force** takes back what it filled, if nobody changed it since,
///   putting back what it displaced (or emptying the field).
///
/// `prefilled` is the prefill so far (data aside); the result's `data` is `data` with these
/// changes, its `locked` and `provenance` follow. `None` for a form without such bindings.
pub fn prefill_again(
    form: &Form,
    before: &Value,
    data: &Value,
    attributes: &std::collections::BTreeMap<String, Attribute>,
    today: crate::Ymd,
    prefilled: &Prefilled,
    displaced: &mut Displaced,
) -> Option<Prefilled> {
    let definition = form.definition();
    if !follows_data(definition) {
        return None;
    }
    let mut out = Prefilled {
        data: data.clone(),
        provenance: prefilled.provenance.clone(),
        locked: prefilled.locked.clone(),
        ..Prefilled::default()
    };
    for (item, binding, ptr) in bound_items(definition) {
        if binding.when.is_none() {
            continue;
        }
        let (was, now) = (
            applies(form, ptr, before, today),
            applies(form, ptr, data, today),
        );
        if was == now {
            continue;
        }
        let Some((attr, value)) = bound_value(item, binding, attributes) else {
            continue;
        };
        let current = crate::pointer::get(&out.data, ptr).cloned();
        if now {
            let locks = locks(form, item, binding, ptr, attr, &value);
            match current {
                Some(c) if !is_empty(&c) && c != value => {
                    if !locks {
                        out.differing.push(ptr.to_owned());
                        continue;
                    }
                    displaced.insert(ptr.to_owned(), c);
                    out.replaced.push(ptr.to_owned());
                }
                _ => {}
            }
            crate::pointer::set(&mut out.data, ptr, value);
            out.mark(ptr, binding, attr, locks);
        } else {
            let ours = out
                .provenance
                .get(ptr)
                .is_some_and(|p| p.key == binding.key);
            if ours && current.as_ref() == Some(&value) {
                match displaced.remove(ptr) {
                    Some(earlier) => {
                        crate::pointer::set(&mut out.data, ptr, earlier);
                    }
                    None => {
                        crate::pointer::remove(&mut out.data, ptr);
                    }
                }
            }
            displaced.remove(ptr);
            out.provenance.remove(ptr);
            out.locked.remove(ptr);
        }
    }
    Some(out)
}

/// Whether a field counts as not filled in (nothing, blank text, an empty list or group).
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(|v| v.is_null() || v.as_str() == Some("")),
        _ => false,
    }
}

/// Whether a bound field is locked to the store's value: bound with `lock: verified`, the value
/// verified, and valid for the field — a register value the field cannot hold (an old 9-digit
/// ID number, a text no option matches) is filled but left for the citizen to correct, never
/// locked into a form that could then not be sent.
pub(crate) fn locks(
    form: &Form,
    item: &Item,
    binding: &Prefill,
    ptr: &str,
    attr: &Attribute,
    value: &Value,
) -> bool {
    attr.verified
        && binding.lock == Some(Lock::Verified)
        && item.widget != Widget::Table
        && form
            .schema()
            .validate_at(ptr, value)
            .is_some_and(|errors| errors.is_empty())
}

/// The store's value for one bound item (a person's field, a table's rows, or the whole
/// value, through the binding's `map`), with its attribute; `None` when the store has none (or
/// the map does not list it).
pub(crate) fn bound_value<'a>(
    item: &Item,
    binding: &Prefill,
    attributes: &'a std::collections::BTreeMap<String, Attribute>,
) -> Option<(&'a Attribute, Value)> {
    let attr = attributes.get(&binding.key)?;
    let value = match (&binding.field, item.widget) {
        (Some(f), _) => mapped(binding, attr.value.get(f)?.clone())?,
        (None, Widget::Table) => Value::Array(
            attr.value
                .as_array()?
                .iter()
                .map(|person| {
                    let mut row = serde_json::Map::new();
                    for col in &item.columns {
                        let name = col.pointer.as_deref().and_then(|p| p.rsplit('/').next());
                        if let Some((n, v)) = name.and_then(|n| Some((n, person.get(n)?))) {
                            row.insert(n.to_owned(), v.clone());
                        }
                    }
                    Value::Object(row)
                })
                .collect(),
        ),
        (None, Widget::Address) if item.mode == crate::definition::AddressMode::Province => {
            serde_json::json!({ "province": attr.value.get("province")?.clone() })
        }
        (None, _) => mapped(binding, attr.value.clone())?,
    };
    Some((attr, value))
}

/// The bound items of a definition with their data pointers.
pub(crate) fn bound_items(
    definition: &Definition,
) -> impl Iterator<Item = (&Item, &Prefill, &str)> {
    definition
        .pages
        .iter()
        .flat_map(|p| &p.sections)
        .flat_map(|s| &s.items)
        .filter_map(|i| Some((i, i.prefill.as_ref()?, i.pointer.as_deref()?)))
}

/// Whether a definition has bindings that depend on the data (`when`): only then does the
/// runtime need to follow changes with [`prefill_again`].
pub fn follows_data(definition: &Definition) -> bool {
    bound_items(definition).any(|(_, b, _)| b.when.is_some())
}

/// Whether a definition locks any field to a verified value.
pub fn has_locks(definition: &Definition) -> bool {
    bound_items(definition).any(|(_, b, _)| b.lock == Some(Lock::Verified))
}

/// Fields bound with `lock: verified` to a verified value whose `data` holds another value: what
/// the portal refuses on intake (the runtime draws them read-only; a hand-made request could
/// still change them). Empty fields are left to the form's own `required`.
pub fn locked_changed(
    form: &Form,
    data: &Value,
    attributes: &std::collections::BTreeMap<String, Attribute>,
    today: crate::Ymd,
) -> Vec<String> {
    bound_items(form.definition())
        .filter(|(item, binding, ptr)| {
            applies(form, ptr, data, today)
                && bound_value(item, binding, attributes).is_some_and(|(attr, value)| {
                    locks(form, item, binding, ptr, attr, &value)
                        && crate::pointer::get(data, ptr)
                            .is_some_and(|v| !v.is_null() && *v != value)
                })
        })
        .map(|(_, _, ptr)| ptr.to_owned())
        .collect()
}

/// A value of a submission that could be kept in the store for next time.
#[derive(Clone, Debug, PartialEq, serde::Serialize, Deserialize)]
pub struct Keep {
    pub key: String,
    /// Where the value is in the form's data (its label and display come from there).
    pub pointer: String,
    pub value: Value,
}

/// What of `data` (a submission) the store could keep for next time — exactly what the consent
/// dialog lists: fields bound as a whole to a key citizens declare (`citizen-declared` in the
/// catalogue), holding a value of the key's type that the store does not already hold. Verified
/// values are never offered; the first field binding a key wins.
pub fn keepable(
    form: &Form,
    catalogue: &Catalogue,
    data: &Value,
    attributes: &std::collections::BTreeMap<String, Attribute>,
    today: crate::Ymd,
) -> Vec<Keep> {
    let mut out: Vec<Keep> = Vec::new();
    for (_, binding, ptr) in bound_items(form.definition()) {
        if binding.field.is_some()
            || out.iter().any(|k| k.key == binding.key)
            || !applies(form, ptr, data, today)
        {
            continue;
        }
        let Some(key) = catalogue.get(&binding.key) else {
            continue;
        };
        let Some(value) = crate::pointer::get(data, ptr) else {
            continue;
        };
        // Through a `map`, the store keeps the register's text the field's code stands for.
        let unmapped;
        let value = if binding.map.is_empty() {
            value
        } else {
            match binding.map.iter().find(|(_, to)| *to == value) {
                Some((from, _)) => {
                    unmapped = Value::String(from.clone());
                    &unmapped
                }
                None => continue,
            }
        };
        let stored = attributes.get(&binding.key);
        // Through a map, a stored text that maps to the chosen code is already held.
        let held_as_code = stored
            .and_then(|a| mapped(binding, a.value.clone()))
            .is_some_and(|code| Some(&code) == crate::pointer::get(data, ptr));
        if held_as_code && !binding.map.is_empty() {
            continue;
        }
        if key.source != "citizen-declared"
            || value.is_null()
            || value.as_str().is_some_and(|s| s.trim().is_empty())
            || check_type(key.kind, value).is_err()
            || stored.is_some_and(|a| a.verified || a.value == *value)
        {
            continue;
        }
        out.push(Keep {
            key: binding.key.clone(),
            pointer: ptr.to_owned(),
            value: value.clone(),
        });
    }
    out
}

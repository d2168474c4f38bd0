//! Carrying a draft over to a new version of its form: when an agency publishes version N+1,
//! a citizen's draft of version N is not lost. The new version declares in `migrations` where
//! moved data go (`{"from": N, "moves": [{"from": "/old", "to": "/new"}]}`); everything else
//! stays where it was; a value this version has no field for is not carried over and is listed,
//! with the old field's label when the old definition is at hand, so the citizen can type it
//! again where it now belongs. Nothing is invented: every value of the result was in the draft.

use crate::definition::Widget;
use crate::form::{Form, row_pattern};
use crate::pointer;
use crate::text::Text;
use serde_json::{Map, Value};

/// A draft carried over.
#[derive(Clone, Debug, PartialEq)]
pub struct CarryOver {
    /// The data, as this version holds it.
    pub data: Value,
    /// What could not be carried over, in the draft's order.
    pub dropped: Vec<Dropped>,
}

/// A value of the draft this version has no place for.
#[derive(Clone, Debug, PartialEq)]
pub struct Dropped {
    /// Where it was in the draft.
    pub pointer: String,
    /// The old field's label, when the old definition was given.
    pub label: Option<Text>,
    /// The value as text (a short rendering of objects and lists).
    pub value: String,
}

impl Form {
    /// Carries `data`, typed on version `from` of this form (`old`: that version, if at hand,
    /// for the labels of what is dropped), over to this version.
    pub fn carry_over(&self, data: &Value, from: u32, old: Option<&Form>) -> CarryOver {
        let mut work = data.clone();
        // Where each moved subtree came from: (new pointer, old pointer).
        let mut moved: Vec<(String, String)> = Vec::new();
        // Values that found no place: (old pointer, value).
        let mut displaced: Vec<(String, Value)> = Vec::new();
        if let Some(m) = self.definition().migrations.iter().find(|m| m.from == from) {
            // Every value is taken out first, then put in its place: moves may swap fields.
            let taken: Vec<(&crate::definition::Move, Value)> = m
                .moves
                .iter()
                .filter_map(|mv| take(&mut work, &mv.from).map(|v| (mv, v)))
                .collect();
            for (mv, v) in taken {
                match put(&mut work, &mv.to, v) {
                    Ok(Some(before)) => displaced.push((mv.to.clone(), before)),
                    Ok(None) => {}
                    Err(v) => {
                        displaced.push((mv.from.clone(), v));
                        continue;
                    }
                }
                moved.push((mv.to.clone(), mv.from.clone()));
            }
        }
        let mut dropped = Vec::new();
        for (at, v) in &displaced {
            each_leaf(v, at, &mut |p, leaf| {
                dropped.push(Dropped {
                    pointer: p.to_owned(),
                    label: old.and_then(|o| o.field_for(p)).map(|f| f.label.clone()),
                    value: short(leaf),
                });
            });
        }
        let kept = self.prune(&work, "", &mut |at, v| {
            let origin = moved
                .iter()
                .rev()
                .find_map(|(to, from)| {
                    at.strip_prefix(to.as_str())
                        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                        .map(|rest| format!("{from}{rest}"))
                })
                .unwrap_or_else(|| at.to_owned());
            let label = old
                .and_then(|o| o.field_for(&origin))
                .map(|f| f.label.clone());
            dropped.push(Dropped {
                pointer: origin,
                label,
                value: short(v),
            });
        });
        CarryOver {
            data: kept.unwrap_or_else(|| Value::Object(Map::new())),
            dropped,
        }
    }

    /// What of `v` (at `at`) this version has a place for; `gone` hears of every leaf not kept.
    fn prune(&self, v: &Value, at: &str, gone: &mut dyn FnMut(&str, &Value)) -> Option<Value> {
        if let Some(f) = self.field_for(at).filter(|_| !at.is_empty()) {
            return match (f.widget, v) {
                // A table: its rows, each pruned by the columns.
                (Widget::Table, Value::Array(rows)) => Some(Value::Array(
                    rows.iter()
                        .enumerate()
                        .map(|(i, row)| {
                            self.prune(row, &format!("{at}/{i}"), gone)
                                .unwrap_or_else(|| Value::Object(Map::new()))
                        })
                        .collect(),
                )),
                (Widget::Table, other) => {
                    gone(at, other);
                    None
                }
                // A field: its value whole (an address, a file, a list of choices).
                _ => Some(v.clone()),
            };
        }
        let pattern = row_pattern(at);
        let container = at.is_empty()
            || self
                .fields()
                .iter()
                .any(|f| pointer::inside(&f.pointer, &pattern));
        match v {
            Value::Object(m) if container => {
                let mut out = Map::new();
                for (k, child) in m {
                    let here = pointer::push(at, k);
                    if let Some(kept) = self.prune(child, &here, gone) {
                        out.insert(k.clone(), kept);
                    }
                }
                Some(Value::Object(out))
            }
            Value::Null => None,
            other => {
                each_leaf(other, at, gone);
                None
            }
        }
    }
}

/// Calls `f` for every leaf value under `v` (an empty object or list counts as none).
fn each_leaf(v: &Value, at: &str, f: &mut dyn FnMut(&str, &Value)) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                each_leaf(child, &pointer::push(at, k), f);
            }
        }
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) && !a.is_empty() => {
            f(at, v);
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                each_leaf(child, &format!("{at}/{i}"), f);
            }
        }
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        _ => f(at, v),
    }
}

/// Removes and returns the value at `ptr`.
fn take(data: &mut Value, ptr: &str) -> Option<Value> {
    let (parent, last) = ptr.rsplit_once('/')?;
    let last = last.replace("~1", "/").replace("~0", "~");
    match data.pointer_mut(parent)? {
        Value::Object(m) => m.remove(&last),
        Value::Array(a) => {
            let i: usize = last.parse().ok()?;
            (i < a.len()).then(|| std::mem::replace(&mut a[i], Value::Null))
        }
        _ => None,
    }
}

/// Puts `v` at `ptr`, making the objects on the way: gives what was there before (to be
/// listed), or `v` back when something other than an object is on the way (nothing is
/// overwritten to make room).
fn put(data: &mut Value, ptr: &str, v: Value) -> Result<Option<Value>, Value> {
    let mut cur = data;
    let parts: Vec<String> = ptr
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, part) in parts.iter().enumerate() {
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else {
            return Err(v);
        };
        if i + 1 == parts.len() {
            return Ok(m.insert(part.clone(), v).filter(|before| !before.is_null()));
        }
        cur = m
            .entry(part.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    Err(v)
}

/// A value as a short text for the citizen.
fn short(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(short).collect::<Vec<_>>().join(", "),
        Value::Bool(true) => "✓".to_owned(),
        Value::Bool(false) => "✗".to_owned(),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

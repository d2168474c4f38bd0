//! RFC 6901 JSON pointers: parse, build, read and write values.

use serde_json::{Map, Value};

/// Escapes one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped(&mut out, token);
    out
}

/// Appends `token`, escaped, to `out` (no allocation when it needs none).
pub fn push_escaped(out: &mut String, token: &str) {
    if !token.bytes().any(|b| b == b'~' || b == b'/') {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Whether `ptr` is strictly inside `ancestor` (`/a/b` is inside `/a`, `/ab` is not).
pub fn inside(ptr: &str, ancestor: &str) -> bool {
    ptr.strip_prefix(ancestor)
        .is_some_and(|r| r.starts_with('/'))
}

/// `base` + `/` + escaped `token`.
pub fn push(base: &str, token: &str) -> String {
    let mut s = String::with_capacity(base.len() + token.len() + 1);
    s.push_str(base);
    s.push('/');
    s.push_str(&escape(token));
    s
}

/// The data pointers a field pattern has in `data`: `pattern` with its row `*` (if any)
/// replaced by each row index (`/members/*/fullName` → `/members/0/fullName`, …). Tables hold
/// no tables, so there is at most one `*`.
pub fn instances(pattern: &str, data: &Value) -> Vec<String> {
    match pattern.split_once("/*") {
        None => vec![pattern.to_owned()],
        Some((table, _)) => (0..get(data, table)
            .and_then(Value::as_array)
            .map_or(0, Vec::len))
            .map(|i| pattern.replacen("/*", &format!("/{i}"), 1))
            .collect(),
    }
}

/// `base` + `/` + index.
pub fn push_index(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}

/// Splits a pointer into unescaped tokens; `None` when it is not a valid pointer (it must be empty
/// or start with `/`, and `~` must be followed by `0` or `1`).
pub fn parse(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').map(unescape).collect()
}

fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Reads the value at `pointer`.
pub fn get<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    value.pointer(pointer)
}

/// An array index as RFC 6901 writes it: `0`, or digits without a leading zero.
pub fn index(token: &str) -> Option<usize> {
    let ok = token == "0"
        || (!token.starts_with('0')
            && !token.is_empty()
            && token.bytes().all(|b| b.is_ascii_digit()));
    if ok { token.parse().ok() } else { None }
}

/// Writes `new` at `pointer`, creating objects on the way; an array grows by at most one
/// element (index = length appends), so a pointer can never make the data large. Returns false
/// when the path crosses a scalar, skips array elements, or the pointer is invalid; then `root`
/// is unchanged.
pub fn set(root: &mut Value, pointer: &str, new: Value) -> bool {
    let Some(tokens) = parse(pointer) else {
        return false;
    };
    if !can_set(root, &tokens) {
        return false;
    }
    let Some((last, parents)) = tokens.split_last() else {
        *root = new;
        return true;
    };
    let mut cur = root;
    for t in parents {
        if cur.is_null() {
            *cur = empty_container(t);
        }
        cur = match cur {
            Value::Object(m) => m.entry(t.clone()).or_insert(Value::Null),
            Value::Array(a) => {
                let Some(idx) = index(t) else { return false };
                if idx == a.len() {
                    a.push(Value::Null);
                }
                &mut a[idx]
            }
            _ => return false,
        };
    }
    if cur.is_null() {
        *cur = empty_container(last);
    }
    match cur {
        Value::Object(m) => {
            m.insert(last.clone(), new);
            true
        }
        Value::Array(a) => {
            let Some(idx) = index(last) else { return false };
            if idx == a.len() {
                a.push(new);
            } else {
                a[idx] = new;
            }
            true
        }
        _ => false,
    }
}

/// Whether `set` can write along `tokens` without touching anything first.
fn can_set(root: &Value, tokens: &[String]) -> bool {
    let mut cur = Some(root);
    for t in tokens {
        cur = match cur {
            Some(Value::Object(m)) => m.get(t),
            Some(Value::Array(a)) => match index(t) {
                Some(i) if i <= a.len() => a.get(i),
                _ => return false,
            },
            // A container is made here: an array (numeric token) must start at index 0.
            Some(Value::Null) | None => {
                if t.bytes().all(|b| b.is_ascii_digit()) && index(t) != Some(0) {
                    return false;
                }
                None
            }
            Some(_) => return false,
        };
    }
    true
}

/// A new container for `token` to index: an array for a number, else an object.
fn empty_container(token: &str) -> Value {
    if index(token).is_some() {
        Value::Array(Vec::new())
    } else {
        Value::Object(Map::new())
    }
}

/// Removes the member at `pointer` (objects only; array elements are set to `null` to keep the
/// other rows' indices). Returns the removed value.
pub fn remove(root: &mut Value, pointer: &str) -> Option<Value> {
    let tokens = parse(pointer)?;
    let (last, parents) = tokens.split_last()?;
    let mut cur = root;
    for t in parents {
        cur = match cur {
            Value::Object(m) => m.get_mut(t)?,
            Value::Array(a) => a.get_mut(index(t)?)?,
            _ => return None,
        };
    }
    match cur {
        Value::Object(m) => m.remove(last),
        Value::Array(a) => {
            let slot = a.get_mut(index(last)?)?;
            Some(std::mem::replace(slot, Value::Null))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn parse_and_escape_round_trip() {
        assert_eq!(parse("/a~1b/~0c").unwrap(), vec!["a/b", "~c"]);
        assert_eq!(push("", "a/b"), "/a~1b");
        assert!(parse("a").is_none());
        assert!(parse("/a~2").is_none());
    }

    #[test]
    fn inside_means_below_a_whole_token() {
        assert!(inside("/a/b", "/a"));
        assert!(inside("/a/b/c", "/a"));
        assert!(inside("/a", ""));
        assert!(!inside("/a", "/a"));
        assert!(!inside("/ab", "/a"));
        assert!(!inside("/a", "/a/b"));
    }

    #[test]
    fn set_creates_objects_and_rows() {
        let mut v = json!({});
        assert!(set(&mut v, "/applicant/name", json!("An")));
        assert!(set(&mut v, "/members/0/name", json!("Bình")));
        assert!(set(&mut v, "/members/1", json!({})));
        assert_eq!(
            v,
            json!({"applicant": {"name": "An"}, "members": [{"name": "Bình"}, {}]})
        );
    }

    #[test]
    fn set_never_skips_array_elements() {
        // Found by fuzzing: a pointer with a large index once allocated gigabytes.
        let mut v = json!({"members": [{}]});
        assert!(!set(&mut v, "/members/18007654/x", json!(1)));
        assert!(!set(&mut v, "/members/01/x", json!(1)));
        assert!(!set(&mut v, "/other/5", json!(1)));
        assert!(!set(&mut v, "/other/018007654/x", json!(1)));
        // Found by fuzzing: "+0" is not an index; it once made an array, then failed half-way.
        assert!(set(&mut v, "/x/0/+0/y", json!(1)));
        assert_eq!(v["x"], json!([{"+0": {"y": 1}}]));
        v.as_object_mut().unwrap().remove("x");
        assert_eq!(v, json!({"members": [{}]}));
    }

    #[test]
    fn set_through_a_scalar_changes_nothing() {
        let mut v = json!({"a": 1});
        assert!(!set(&mut v, "/a/b", json!(2)));
        assert_eq!(v, json!({"a": 1}));
    }

    #[test]
    fn remove_member() {
        let mut v = json!({"a": {"b": 1, "c": 2}});
        assert_eq!(remove(&mut v, "/a/b"), Some(json!(1)));
        assert_eq!(v, json!({"a": {"c": 2}}));
        assert_eq!(remove(&mut v, "/x/y"), None);
    }
}

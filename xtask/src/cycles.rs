//! Module cycles inside a crate, from its `crate::` paths (a small pass over the text, enough for
//! this repository's style): each file of `src/` is a module (`bridge/dev.rs` is
//! `bridge::dev`), and a file that names `crate::other::…` — in a `use`, a group
//! `use crate::{a, b::c}` or a path in code — draws an arrow to `other`. A cycle is a set of
//! modules each reachable from the others. Checked as a test (`cargo xtask test`): `portal`
//! and `form-ui` have none.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Arrows between a crate's top-level modules: (from, to) → the names taken, as written.
pub type Arrows = BTreeMap<(String, String), BTreeSet<String>>;

/// One arrow and the names it takes.
pub type Arrow = ((String, String), BTreeSet<String>);

/// Reads the crate whose sources are in `src`.
pub fn arrows(src: &Path) -> Arrows {
    let mut files = Vec::new();
    collect(src, src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut out = Arrows::new();
    for (module, text) in &files {
        for path in paths(text) {
            // The longest module the path names (`bridge::dev::DevSigner` → `bridge::dev`).
            let parts: Vec<&str> = path.split("::").collect();
            // `use crate::widgets;` takes the module itself.
            let Some((to, name)) = (1..=parts.len()).rev().find_map(|n| {
                let m = parts[..n].join("::");
                let name = if n == parts.len() {
                    "(the module)".to_owned()
                } else {
                    parts[n..].join("::")
                };
                modules.contains(&m).then_some((m, name))
            }) else {
                continue;
            };
            if &to != module {
                out.entry((module.clone(), to)).or_default().insert(name);
            }
        }
    }
    out
}

/// The `.rs` files under `dir` with their module path (`bridge/dev.rs` → `bridge::dev`,
/// `bridge/mod.rs` → `bridge`; `lib.rs`/`main.rs` left out: they only declare and start the
/// modules; `bin/` too: each binary there is a crate of its own, whose `crate::` is not the
/// library's).
fn collect(src: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && path == src.join("bin") {
            continue;
        }
        if path.is_dir() {
            collect(src, &path, out);
            continue;
        }
        let Some(rel) = path.strip_prefix(src).ok().and_then(|p| p.to_str()) else {
            continue;
        };
        if !rel.ends_with(".rs") || rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let module = rel
            .trim_end_matches(".rs")
            .trim_end_matches("/mod")
            .replace('/', "::");
        if let Ok(text) = std::fs::read_to_string(&path) {
            out.push((module, text));
        }
    }
}

/// Every path after `crate::` in the text (outside `//` comments), groups expanded:
/// `crate::{a::{B, c::D}, e}` gives `a::B`, `a::c::D`, `e`.
fn paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = code[at..].find("crate::") {
        let start = at + i;
        at = start + "crate::".len();
        // `crate::` ending another word (`my_crate::`) is not this crate.
        let word = code[..start]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !word {
            tree(&code[at..], String::new(), &mut out);
        }
    }
    out
}

/// Reads one use-tree at the start of `text` under `prefix`, pushing each full path; returns
/// how much of `text` it read.
fn tree(text: &str, prefix: String, out: &mut Vec<String>) -> usize {
    let ident = |t: &str| {
        t.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(t.len())
    };
    let lead = text.len() - text.trim_start().len();
    let mut i = lead;
    let mut path = prefix;
    loop {
        let rest = &text[i..];
        if let Some(group) = rest.strip_prefix('{') {
            // Items separated by commas, each a tree of its own.
            let mut j = 1;
            let mut body = group;
            loop {
                let used = tree(body, path.clone(), out);
                body = &body[used..];
                j += used;
                let trimmed = body.trim_start();
                j += body.len() - trimmed.len();
                body = trimmed;
                if let Some(b) = body.strip_prefix(',') {
                    body = b;
                    j += 1;
                    continue;
                }
                if body.starts_with('}') {
                    j += 1;
                }
                return i + j;
            }
        }
        let n = ident(rest);
        if n == 0 {
            if !path.is_empty() {
                out.push(path);
            }
            return i;
        }
        if !path.is_empty() {
            path.push_str("::");
        }
        path.push_str(&rest[..n]);
        i += n;
        if text[i..].starts_with("::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// The sets of modules that reach each other (strongly connected, more than one), each with
/// its arrows.
pub fn cycles(arrows: &Arrows) -> Vec<Vec<Arrow>> {
    let nodes: BTreeSet<&String> = arrows.keys().flat_map(|(a, b)| [a, b]).collect();
    let reach = |from: &String| {
        let mut seen: BTreeSet<&String> = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            for (a, b) in arrows.keys() {
                if a == n && seen.insert(b) {
                    stack.push(b);
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<&String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done: BTreeSet<&String> = BTreeSet::new();
    let mut out = Vec::new();
    for n in &nodes {
        if done.contains(n) || !reaches[n].contains(n) {
            continue;
        }
        let members: BTreeSet<&String> = nodes
            .iter()
            .filter(|m| reaches[n].contains(*m) && reaches[*m].contains(n))
            .copied()
            .collect();
        done.extend(members.iter().copied());
        out.push(
            arrows
                .iter()
                .filter(|((a, b), _)| members.contains(a) && members.contains(b))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
    }
    out
}

/// A cycle in words: one line per arrow.
pub fn describe(cycle: &[Arrow]) -> String {
    cycle
        .iter()
        .map(|((a, b), names)| {
            format!(
                "  {a} -> {b}: {}",
                names.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
    }

    #[test]
    fn paths_are_read_from_uses_groups_and_code() {
        let text = "use crate::http::{AppState, error};\nuse crate::{db::{Db, cosign::{A, B}}, auth};\nfn f() { crate::limits::Kind::Check; } // crate::notme::X\nuse my_crate::x::Y;";
        let found: BTreeSet<String> = paths(text).into_iter().collect();
        let want = [
            "http::AppState",
            "http::error",
            "db::Db",
            "db::cosign::A",
            "db::cosign::B",
            "auth",
            "limits::Kind::Check",
        ];
        assert_eq!(found, want.iter().map(|s| s.to_string()).collect());
    }

    #[test]
    fn a_cycle_is_found_and_a_chain_is_not() {
        let dir = std::env::temp_dir().join(format!("eform-cycles-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("c")).unwrap();
        std::fs::write(dir.join("lib.rs"), "mod a; mod b; mod c;").unwrap();
        std::fs::write(dir.join("a.rs"), "use crate::b;").unwrap();
        std::fs::write(dir.join("b.rs"), "use crate::c::deep::D;").unwrap();
        std::fs::write(dir.join("c/mod.rs"), "pub mod deep;").unwrap();
        std::fs::write(dir.join("c/deep.rs"), "pub struct D;").unwrap();
        assert!(cycles(&arrows(&dir)).is_empty());
        std::fs::write(dir.join("c/deep.rs"), "fn f() { crate::a::go(); }").unwrap();
        let found = cycles(&arrows(&dir));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), 3, "{}", describe(&found[0]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Fails with the cycles of `crate_dir/src`, each arrow with the names it takes.
    fn assert_no_cycle(crate_dir: &str) {
        let found = cycles(&arrows(&root().join(crate_dir).join("src")));
        let text: Vec<String> = found.iter().map(|c| describe(c)).collect();
        assert!(
            found.is_empty(),
            "module cycles in {crate_dir}:\n{}",
            text.join("\n\n")
        );
    }

    #[test]
    fn the_portal_has_no_module_cycle() {
        assert_no_cycle("portal");
    }

    #[test]
    fn form_ui_has_no_module_cycle() {
        assert_no_cycle("form-ui");
    }

    #[test]
    fn form_bind_has_no_module_cycle() {
        assert_no_cycle("form-bind");
    }
}

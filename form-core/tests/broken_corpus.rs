//! The corpus of broken definitions (`tests/broken/*.json`, mostly CT01 with one deliberate
//! mistake each): every one is refused with at least one error, and its diagnostics equal the
//! `.expected` file beside it (`UPDATE_EXPECT=1` rewrites those).
#![cfg(not(target_arch = "wasm32"))]

use form_core::{Lang, load};
use std::path::{Path, PathBuf};

/// The `.json` files of the folders `dirs` (relative to the crate), sorted.
fn json_files(dirs: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_broken_definition_gives_its_expected_diagnostics() {
    let files = json_files(&["tests/broken"]);
    assert!(files.len() >= 50, "only {} broken definitions", files.len());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut mismatches = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let loaded = load(&text);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            loaded.form.is_none() && loaded.errors().count() > 0,
            "{name} was accepted"
        );
        let rendered: String = loaded
            .diagnostics
            .iter()
            .map(|d| format!("{}\n", d.render(Lang::En)))
            .collect();
        let expected_path = path.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &rendered).unwrap();
        } else if std::fs::read_to_string(&expected_path).unwrap_or_default() != rendered {
            mismatches.push(format!("{name}:\n{rendered}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "diagnostics differ from the .expected files (UPDATE_EXPECT=1 to accept):\n{}",
        mismatches.join("\n")
    );
}

/// The builder's split load (the semantic load on each edit, the meta-schema pass a moment
/// later) finds what the full load finds: on every broken definition and every real form, the
/// two parts together give the full load's diagnostics (the split load may add only its
/// "definition cannot be read" when the shape is wrong, and may build a form the full load
/// refuses — never the other way round).
#[test]
fn the_split_load_finds_what_the_full_load_finds() {
    let files = json_files(&["tests/broken", "../schemas/forms", "tests/fixtures"]);
    assert!(files.len() >= 70, "{} files", files.len());
    for path in &files {
        let Ok(value) =
            serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(path).unwrap())
        else {
            continue;
        };
        let full = form_core::load_value(&value);
        let semantic = form_core::load_value_semantic(&value);
        // The shape's problems first, as the full load lists them among equals.
        let mut split: Vec<_> = form_core::shape_check(&value)
            .into_iter()
            .chain(
                semantic
                    .diagnostics
                    .iter()
                    .filter(|d| d.code != "definition-shape")
                    .cloned(),
            )
            .collect();
        split.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.severity.cmp(&b.severity)));
        split.dedup();
        assert_eq!(split, full.diagnostics, "{}", path.display());
        if semantic.form.is_none() {
            assert!(full.form.is_none(), "{}", path.display());
        }
        if full.form.is_some() {
            assert!(semantic.form.is_some(), "{}", path.display());
        }
    }
}

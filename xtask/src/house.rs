//! The house rule on long files (issue 23): a source file over 800 lines says at its top why it
//! is one file (`// Long on purpose: …`), or is split. A test of `cargo xtask test`.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Longer than this, a file needs its reason.
    const LIMIT: usize = 800;
    /// Files still to be split (the list may only shrink): a file leaves it when it is split
    /// or given its reason.
    const TO_SPLIT: [&str; 1] = ["builder/src/editor.rs"];

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.flatten().map(|e| e.path()) {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !["target", "node_modules", ".git", "fuzz", "output"].contains(&name) {
                    sources(&path, out);
                }
            } else if name.ends_with(".rs") || name.ends_with(".mjs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn long_files_say_why() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        sources(&root, &mut files);
        let mut unexplained = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let rel = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let long = text.lines().count() > LIMIT;
            let says = text.starts_with("// Long on purpose:");
            let known = TO_SPLIT.contains(&rel.as_str());
            if long && !says && !known {
                unexplained.push(rel);
            } else if known && !long {
                panic!("{rel} is no longer long: take it off TO_SPLIT");
            }
        }
        assert!(
            unexplained.is_empty(),
            "over {LIMIT} lines without `// Long on purpose: …` at the top: {unexplained:?}"
        );
    }
}

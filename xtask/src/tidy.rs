//! Repository rules checked as tests: every Rust file says what it is in a `//!` line; a source
//! file over 800 lines says in that module doc why it is one file (`Long on purpose: …`); every
//! relative link of the README,
//! `ARCHITECTURE.md` and `docs/` leads to a file (and heading) that exists.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir()
                && !["target", "node_modules", ".git"].contains(&name.as_str())
                && !name.starts_with('.')
            {
                rust_files(&path, out);
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_rust_file_starts_with_a_module_doc() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let mut files = Vec::new();
        rust_files(root, &mut files);
        assert!(files.len() > 10, "found only {} files", files.len());
        let missing: Vec<String> = files
            .iter()
            .filter(|f| {
                !std::fs::read_to_string(f)
                    .unwrap_or_default()
                    .starts_with("//!")
            })
            .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
            .collect();
        assert!(
            missing.is_empty(),
            "files without a `//!` first line: {missing:?}"
        );
    }

    /// Longer than this, a file needs its reason.
    const LONG: usize = 800;

    #[test]
    fn long_files_say_why() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let mut files = Vec::new();
        rust_files(root, &mut files);
        let mut unexplained = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            let long = text.lines().count() > LONG;
            // The reason is part of the module doc: the `//!` lines the file starts with.
            let says = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .any(|l| l.starts_with("//! Long on purpose:"));
            if long && !says {
                unexplained.push(rel);
            }
        }
        assert!(
            unexplained.is_empty(),
            "over {LONG} lines without `//! Long on purpose: …` in the module doc: {unexplained:?}"
        );
    }

    /// GitHub's id of a heading: lower case, punctuation dropped, spaces as `-`.
    fn slug(heading: &str) -> String {
        heading
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect()
    }

    fn anchors(text: &str) -> Vec<String> {
        let mut fenced = false;
        text.lines()
            .filter(|l| {
                if l.starts_with("```") {
                    fenced = !fenced;
                }
                !fenced && l.starts_with('#')
            })
            .map(|l| slug(l.trim_start_matches('#')))
            .collect()
    }

    /// The targets of `[text](target)` links outside code.
    fn links(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut fenced = false;
        for line in text.lines() {
            if line.starts_with("```") {
                fenced = !fenced;
                continue;
            }
            if fenced {
                continue;
            }
            let mut rest = line;
            while let Some(i) = rest.find("](") {
                let after = &rest[i + 2..];
                let Some(end) = after.find(')') else { break };
                out.push(after[..end].to_owned());
                rest = &after[end..];
            }
        }
        out
    }

    #[test]
    fn every_relative_link_of_the_docs_resolves() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let mut pages = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
        for entry in std::fs::read_dir(root.join("docs"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "md") {
                pages.push(entry.path());
            }
        }
        let mut broken = Vec::new();
        for page in &pages {
            let text = std::fs::read_to_string(page).unwrap();
            for link in links(&text) {
                if link.contains("://") || link.starts_with("mailto:") || link.is_empty() {
                    continue;
                }
                let (file, anchor) = match link.split_once('#') {
                    Some((f, a)) => (f, Some(a)),
                    None => (link.as_str(), None),
                };
                let target = if file.is_empty() {
                    page.clone()
                } else {
                    page.parent().unwrap().join(file)
                };
                let name = page
                    .strip_prefix(root)
                    .unwrap_or(page)
                    .display()
                    .to_string();
                if !target.exists() {
                    broken.push(format!("{name}: {link} (no such file)"));
                    continue;
                }
                if let Some(a) = anchor
                    && target.extension().is_some_and(|e| e == "md")
                    && !anchors(&std::fs::read_to_string(&target).unwrap()).contains(&a.to_owned())
                {
                    broken.push(format!("{name}: {link} (no such heading)"));
                }
            }
        }
        assert!(pages.len() > 5);
        assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    }

    #[test]
    fn headings_get_githubs_ids() {
        assert_eq!(slug(" Without JavaScript"), "without-javascript");
        assert_eq!(
            slug("Validation at receipt: the policy"),
            "validation-at-receipt-the-policy"
        );
        assert_eq!(
            slug("Several signers (co-signing)"),
            "several-signers-co-signing"
        );
    }
}

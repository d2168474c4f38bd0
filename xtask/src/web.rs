//! Builds the web apps with trunk (release, wasm-release profile) into
//! `target/web/{app,embed,builder}` (the citizen app, the embeddable runtime, the builder)
//! with a gzip copy of each file beside it (served precompressed), and reports their size;
//! refuses a citizen bundle that would contain `jsonschema` or `regex`.

use crate::{cmd, exec, step};
use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::Path;

pub fn build(root: &Path) -> Result<()> {
    step("checking the citizen bundle's dependencies (no jsonschema)");
    let out = cmd(root, "cargo")
        .args([
            "tree",
            "--package",
            "form-ui",
            "--target",
            "wasm32-unknown-unknown",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--locked",
        ])
        .output()
        .context("running cargo tree")?;
    if !out.status.success() {
        bail!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let tree = String::from_utf8_lossy(&out.stdout);
    // leptos_config depends on `regex` for reading Cargo.toml on servers; in a CSR bundle that
    // code is dead and not linked, which the check of the built wasm below confirms.
    let forbidden: Vec<&str> = tree
        .lines()
        .filter(|l| l.starts_with("jsonschema "))
        .collect();
    if !forbidden.is_empty() {
        bail!(
            "form-ui must not depend on the reference validator or the full regex crate: {forbidden:?}"
        );
    }
    println!("ok    form-ui (wasm32) does not depend on jsonschema");

    for (name, index, public) in [
        ("app", "index.html", "/app/"),
        ("embed", "embed/index.html", "/embed/"),
        ("builder", "builder/index.html", "/builder/"),
    ] {
        step(&format!("building the {name} (trunk, release)"));
        let dist = root.join("target/web").join(name);
        let mut c = cmd(root, "trunk");
        c.args([
            "build",
            "--release",
            "--cargo-profile",
            "wasm-release",
            "--public-url",
            public,
            "--dist",
        ])
        .arg(&dist)
        .arg(index);
        exec(c)?;
        report_size(&dist)?;
        check_linked_crates(&dist)?;
    }
    Ok(())
}

/// Code linked into a wasm leaves its crate's source paths (panic locations) in the data
/// section: none may come from the reference validator or the full regex engine.
fn check_linked_crates(dist: &Path) -> Result<()> {
    const FORBIDDEN: [&str; 5] = [
        "/jsonschema-",
        "/referencing-",
        "/regex-1.",
        "/regex-syntax-",
        "/regex-automata-",
    ];
    for entry in std::fs::read_dir(dist)?.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let text = String::from_utf8_lossy(&bytes);
        let found: Vec<&str> = FORBIDDEN
            .iter()
            .copied()
            .filter(|f| text.contains(f))
            .collect();
        if !found.is_empty() {
            bail!(
                "{} links code of {found:?}: the browser bundle must use form-core's compact validator only",
                path.display()
            );
        }
        println!(
            "ok    {} links neither jsonschema nor regex",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    Ok(())
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?)
}

/// Writes `<file>.gz` (gzip -9) beside every built file it makes smaller — the portal serves
/// those as they are (`Content-Encoding: gzip`) instead of compressing the same bytes for every
/// request — and prints the sizes.
fn report_size(dist: &Path) -> Result<()> {
    let (mut raw, mut gz) = (0, 0);
    let mut entries: Vec<_> = std::fs::read_dir(dist)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "gz"))
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path)?;
        let compressed = gzip(&bytes)?;
        let g = compressed.len();
        let mut name = path.clone().into_os_string();
        name.push(".gz");
        if g < bytes.len() {
            std::fs::write(&name, &compressed)?;
        } else {
            let _ = std::fs::remove_file(&name);
        }
        raw += bytes.len();
        gz += g;
        println!(
            "      {:<44} {:>8} B raw {:>8} B gzip",
            path.file_name().unwrap_or_default().to_string_lossy(),
            bytes.len(),
            g
        );
    }
    println!("      {:<44} {:>8} B raw {:>8} B gzip", "total", raw, gz);
    Ok(())
}

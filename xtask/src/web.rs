//! Builds the web apps with trunk (release, wasm-release profile) into
//! `target/web/{app,account,embed,builder}` (the citizen app's list of forms and account pages,
//! the stylesheet of the form pages and the embed, the builder) with a brotli and a gzip copy of
//! each file beside it (served precompressed), and reports their size; refuses a citizen bundle that
//! would contain `jsonschema` or `regex`. Two modules are built apart: the signing module
//! (`form-sign`, loaded only when a citizen signs), put beside the account pages and the embed,
//! and the light runtime (`form-bind`: the one `/eform/page.js` and `/eform/eform.js` load), put
//! beside the embed's stylesheet twice: without the host's services (`form-bind`, for an
//! `<e-form>` naming none and for `renderForm`) and with them (`form-bind-services`, feature
//! `services`: the portal's form page and an `<e-form>` naming the host's services).

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

    let signing = build_module(root, "form-sign", "form-sign", &[])?;
    let mut runtime = build_module(root, "form-bind", "form-bind", &["module"])?;
    runtime.extend(build_module(
        root,
        "form-bind",
        "form-bind-services",
        &["module", "services"],
    )?);

    for (name, index, public) in [
        ("app", "index.html", "/app/"),
        ("account", "account/index.html", "/account/"),
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
        // The signing module beside the pages that sign; the light runtime beside its
        // stylesheet (the form pages' and the embed's).
        let modules = match name {
            "builder" | "app" => Vec::new(),
            "embed" => [signing.as_slice(), runtime.as_slice()].concat(),
            _ => signing.clone(),
        };
        for file in &modules {
            std::fs::copy(file, dist.join(file.file_name().unwrap_or_default()))?;
        }
        report_size(&dist)?;
        check_linked_crates(&dist)?;
    }
    Ok(())
}

/// Builds a module of its own (wasm-bindgen for the web, wasm-opt -Oz) into
/// `target/web/<name>/`: `<name>-<hash>.js` and `<name>-<hash>_bg.wasm` (hashed by content, so
/// the portal serves them as immutable), and `<name>.js`, which names them for whoever loads the
/// module. Returns the three files. Two are built so: the signing module (crate `form-sign`,
/// loaded when a citizen signs: by the app's `form-ui/signer.js`, by `/eform/eform.js`) and the
/// embed's runtime (crate `form-bind`, loaded by `/eform/eform.js`).
fn build_module(
    root: &Path,
    package: &str,
    name: &str,
    features: &[&str],
) -> Result<Vec<std::path::PathBuf>> {
    use sha2::{Digest, Sha256};
    step(&format!(
        "building the module {name} ({package}, wasm-bindgen, wasm-opt)"
    ));
    let mut c = cmd(root, "cargo");
    c.args([
        "build",
        "--package",
        package,
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
        "--locked",
    ]);
    if !features.is_empty() {
        c.arg("--features").arg(features.join(","));
    }
    exec(c)?;
    let out = root.join("target/web").join(name);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    let mut c = cmd(root, "wasm-bindgen");
    c.args([
        "--target",
        "web",
        "--no-typescript",
        "--out-name",
        name,
        "--out-dir",
    ])
    .arg(&out)
    .arg(
        root.join("target/wasm32-unknown-unknown/wasm-release")
            .join(format!("{}.wasm", package.replace('-', "_"))),
    );
    exec(c)?;
    let wasm = out.join(format!("{name}_bg.wasm"));
    let mut c = cmd(root, "wasm-opt");
    c.args([
        "-Oz",
        "--enable-bulk-memory",
        "--enable-nontrapping-float-to-int",
        "--enable-sign-ext",
        "--enable-mutable-globals",
        "--enable-reference-types",
        "--enable-multivalue",
    ])
    .arg(&wasm)
    .arg("-o")
    .arg(&wasm);
    exec(c)?;
    let bytes = std::fs::read(&wasm)?;
    let hash: String = Sha256::digest(&bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (js_name, wasm_name) = (
        format!("{name}-{hash}.js"),
        format!("{name}-{hash}_bg.wasm"),
    );
    std::fs::rename(out.join(format!("{name}.js")), out.join(&js_name))?;
    std::fs::rename(&wasm, out.join(&wasm_name))?;
    std::fs::write(
        out.join(format!("{name}.js")),
        format!(
            "// The current build of eform's module {name} (written by cargo xtask build-web).\n\
             export * from \"./{js_name}\";\n\
             export {{ default }} from \"./{js_name}\";\n\
             export const wasm = new URL(\"./{wasm_name}\", import.meta.url).href;\n"
        ),
    )?;
    Ok(vec![
        out.join(js_name),
        out.join(wasm_name),
        out.join(format!("{name}.js")),
    ])
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

/// Brotli at its best (quality 11, a window of 16 MiB): a fifth smaller than gzip -9 on the
/// wasm. Every browser eform supports asks for it (`Accept-Encoding: br`).
fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

/// Writes `compressed` as `path` + `suffix` when it is smaller than the file; removes a stale
/// copy otherwise.
fn write_beside(path: &Path, suffix: &str, raw: usize, compressed: &[u8]) -> Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    if compressed.len() < raw {
        std::fs::write(&name, compressed)?;
    } else {
        let _ = std::fs::remove_file(&name);
    }
    Ok(())
}

/// Writes `<file>.br` (brotli 11) and `<file>.gz` (gzip -9) beside every built file they make
/// smaller — the portal serves those as they are (`Content-Encoding: br`, or `gzip` to a client
/// that takes no brotli) instead of compressing the same bytes for every request — and prints
/// the sizes.
fn report_size(dist: &Path) -> Result<()> {
    // Raw, gzip and brotli bytes of: a page's first load, the runtime with the services, the
    // signing module.
    let (mut first, mut services, mut sign) = ([0; 3], [0; 3], [0; 3]);
    // The files at the top, and wasm-bindgen's snippets (imported by the runtime's module).
    let mut entries: Vec<_> = std::fs::read_dir(dist)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    let snippets = dist.join("snippets");
    if snippets.is_dir() {
        let mut dirs = vec![snippets];
        while let Some(d) = dirs.pop() {
            for p in std::fs::read_dir(&d)?
                .filter_map(Result::ok)
                .map(|e| e.path())
            {
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    entries.push(p);
                }
            }
        }
    }
    entries.retain(|p| p.is_file() && p.extension().is_none_or(|e| e != "gz" && e != "br"));
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path)?;
        let g = gzip(&bytes)?;
        let b = brotli(&bytes)?;
        write_beside(&path, ".gz", bytes.len(), &g)?;
        write_beside(&path, ".br", bytes.len(), &b)?;
        // What is sent: to a client taking gzip, the gzip copy if there is one; to one taking
        // brotli too, the brotli copy if there is one, else the same.
        let g = g.len().min(bytes.len());
        let b = if b.len() < bytes.len() { b.len() } else { g };
        let shown = path.strip_prefix(dist).unwrap_or(&path).to_string_lossy();
        let sum = if shown.starts_with("form-sign") {
            // Loaded only when a citizen signs: not part of a page's first load.
            &mut sign
        } else if shown.starts_with("form-bind-services") {
            // Loaded by the portal's form page, and by `/eform/eform.js` for an <e-form>
            // naming the host's services, instead of the runtime without them.
            &mut services
        } else {
            &mut first
        };
        for (s, n) in sum.iter_mut().zip([bytes.len(), g, b]) {
            *s += n;
        }
        println!(
            "      {shown:<44} {:>8} B raw {:>8} B gzip {:>8} B brotli",
            bytes.len(),
            g,
            b
        );
    }
    for (what, [raw, g, b]) in [
        ("total (first load)", first),
        ("runtime with services (instead, if named)", services),
        ("signing module (when a citizen signs)", sign),
    ] {
        if raw > 0 {
            println!("      {what:<44} {raw:>8} B raw {g:>8} B gzip {b:>8} B brotli");
        }
    }
    Ok(())
}

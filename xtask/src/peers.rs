//! `cargo xtask bench browser [harness options]`: eform side by side with Form.io, SurveyJS,
//! JSON Forms, RJSF and the plain-DOM floor in `../shared/peers-bench`.
//!
//! Builds the web apps (release), copies the light runtime (`form-bind`, what `renderForm` is on
//! a page without `<e-form>`) into `bench/peers-adapter/dist/`, copies the
//! read-only harness to `target/peers-bench/` (its `npm ci` runs there once), links
//! `bench/peers-adapter` in as `adapters/eform`, runs the harness with the options given
//! (`--quick`, `--sizes`, `--runs`, `--peers`, …) and copies the report and screenshots of a
//! full run to `bench/results/`.

use crate::{cmd, exec, step, web};
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let shared = root.join("../shared/peers-bench");
    if !shared.join("run.mjs").exists() {
        bail!(
            "the peers harness is not at {} (../shared beside the repository)",
            shared.display()
        );
    }
    web::build(root)?;
    let adapter = root.join("bench/peers-adapter");
    copy_runtime(&root.join("target/web/embed"), &adapter.join("dist"))?;

    step("preparing the harness in target/peers-bench");
    let harness = root.join("target/peers-bench");
    copy_harness(&shared, &harness)?;
    // Only the harness's own adapters and ours run (a folder left there by hand would join).
    for entry in fs::read_dir(harness.join("adapters"))? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_owned()).unwrap_or_default();
        if name != "eform" && !shared.join("adapters").join(&name).exists() {
            let _ = fs::remove_file(&path);
            let _ = fs::remove_dir_all(&path);
        }
    }
    let link = harness.join("adapters/eform");
    let _ = fs::remove_file(&link);
    let _ = fs::remove_dir_all(&link);
    std::os::unix::fs::symlink(&adapter, &link)
        .with_context(|| format!("linking {}", link.display()))?;

    step("running the peers benchmark (node run.mjs)");
    let mut c = cmd(root, "node");
    c.current_dir(&harness).arg("run.mjs").args(args);
    exec(c)?;

    // A full run (not --quick, which writes to results/tmp/) is kept with the repository.
    if !args.iter().any(|a| a == "--quick" || a == "--out") {
        let out = root.join("bench/results");
        fs::create_dir_all(&out)?;
        let mut kept = Vec::new();
        for entry in fs::read_dir(harness.join("results"))? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let newer = |p: &Path| {
                let t = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
                t(p) >= t(&harness.join("run.mjs"))
            };
            if path.is_file()
                && (name.ends_with(".md") || name.ends_with(".json") || name.ends_with(".png"))
                && newer(&path)
            {
                fs::copy(&path, out.join(name))?;
                kept.push(name.to_owned());
            }
        }
        kept.sort();
        println!("kept in bench/results/: {}", kept.join(", "));
    }
    Ok(())
}

/// The runtime under stable names: `eform.js` (wasm-bindgen's module), `eform_bg.wasm`,
/// `eform.css`, and its snippets.
fn copy_runtime(app: &Path, dist: &Path) -> Result<()> {
    fs::create_dir_all(dist)?;
    let mut found = (None, None, None);
    for entry in fs::read_dir(app).with_context(|| format!("reading {}", app.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        // The light runtime: what `renderForm` is on a page without <e-form> (not the one
        // with the host's services).
        let light = name.starts_with("form-bind-") && !name.starts_with("form-bind-services");
        if light && name.ends_with("_bg.wasm") {
            found.1 = Some(path);
        } else if light && name.ends_with(".js") {
            found.0 = Some(path);
        } else if name.starts_with("eform-") && name.ends_with(".css") {
            found.2 = Some(path);
        }
    }
    let (Some(js), Some(wasm), Some(css)) = found else {
        bail!("the citizen build in {} is incomplete", app.display());
    };
    fs::copy(js, dist.join("eform.js"))?;
    fs::copy(wasm, dist.join("eform_bg.wasm"))?;
    fs::copy(css, dist.join("eform.css"))?;
    Ok(())
}

/// Copies the read-only harness (without its results and fixtures output) into `to`, keeping
/// `to/node_modules` from an earlier run; `npm ci` happens in the harness's own run.mjs.
fn copy_harness(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    copy_tree(
        from,
        to,
        &[PathBuf::from("node_modules"), PathBuf::from("results")],
    )?;
    fs::create_dir_all(to.join("results"))?;
    // The harness's folders are read-only in ../shared; ours must be writable.
    exec({
        let mut c = std::process::Command::new("chmod");
        c.args(["-R", "u+w"]).arg(to);
        c
    })
}

fn copy_tree(from: &Path, to: &Path, skip: &[PathBuf]) -> Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = PathBuf::from(entry.file_name());
        if skip.contains(&name) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&dst)?;
            copy_tree(&src, &dst, &[])?;
        } else {
            if dst.exists() {
                let mut perms = fs::metadata(&dst)?.permissions();
                #[allow(clippy::permissions_set_readonly_false)]
                perms.set_readonly(false);
                fs::set_permissions(&dst, perms)?;
            }
            fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

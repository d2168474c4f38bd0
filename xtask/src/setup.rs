//! Installs what the build and the tests need, when it is missing — idempotently, saying what
//! it does. Nothing is downloaded from outside the registries (crates.io, npm, PyPI, Debian).

use crate::{cmd, exec, step};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_OPT_VERSION: &str = "132";
/// The independent certificate-path validator of the cross-check tests (PyPI).
pub const PYHANKO_CERTVALIDATOR_VERSION: &str = "0.33.0";
/// Its Python virtual environment, relative to the workspace root (`portal/tests/cross_check.rs`
/// runs `<root>/target/pyhanko-venv/bin/python`).
pub const PYHANKO_VENV: &str = "target/pyhanko-venv";

/// Everything, in order.
pub fn all(root: &Path) -> Result<()> {
    step("checking tools (installing what is missing)");
    wasm_target()?;
    trunk(root)?;
    wasm_bindgen(root)?;
    npm_packages(root)?;
    chromium()?;
    openssl()?;
    faketime()?;
    haproxy()?;
    pyhanko(root)?;
    Ok(())
}

/// PATH with the project's npm tools and cargo's bin directory first.
pub fn tool_path(root: &Path) -> String {
    let mut dirs: Vec<PathBuf> = vec![root.join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    let old = std::env::var_os("PATH").unwrap_or_default();
    dirs.extend(std::env::split_paths(&old));
    std::env::join_paths(dirs)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The first line a tool prints for `--version`, if it runs.
fn version_of(root: &Path, program: &str) -> Option<String> {
    let out = cmd(root, program).arg("--version").output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    })
}

fn wasm_target() -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("running rustup")?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("ok    rust target wasm32-unknown-unknown");
        return Ok(());
    }
    println!("install rust target wasm32-unknown-unknown");
    let mut c = Command::new("rustup");
    c.args(["target", "add", "wasm32-unknown-unknown"]);
    exec(c)
}

fn trunk(root: &Path) -> Result<()> {
    let want = format!("trunk {TRUNK_VERSION}");
    if version_of(root, "trunk").as_deref() == Some(want.as_str()) {
        println!("ok    {want}");
        return Ok(());
    }
    println!("install {want} from crates.io (about 7 minutes on 2 cores, once)");
    let mut c = cmd(root, "cargo");
    c.args([
        "install",
        "--locked",
        "trunk",
        "--version",
        &format!("={TRUNK_VERSION}"),
    ]);
    exec(c)
}

/// The wasm-bindgen version that Cargo.lock resolved.
pub fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .map(|v| v.trim_end_matches('"'))
        {
            return Ok(v.to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen")
}

fn wasm_bindgen(root: &Path) -> Result<()> {
    let version = locked_wasm_bindgen(root)?;
    let trunk_toml =
        std::fs::read_to_string(root.join("Trunk.toml")).context("reading Trunk.toml")?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{version}\"")) {
        bail!("Trunk.toml must pin wasm_bindgen = \"{version}\" (the version in Cargo.lock)");
    }
    let want = format!("wasm-bindgen {version}");
    let have = version_of(root, "wasm-bindgen");
    let runner = version_of(root, "wasm-bindgen-test-runner");
    if have.as_deref() == Some(want.as_str()) && runner.is_some_and(|r| r.contains(&version)) {
        println!("ok    {want} (+ wasm-bindgen-test-runner)");
        return Ok(());
    }
    // `--locked` fails on this registry (a locked patch version of a dependency is missing).
    println!("install wasm-bindgen-cli {version} from crates.io (about 2 minutes, once)");
    let mut c = cmd(root, "cargo");
    c.args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &format!("={version}"),
    ]);
    exec(c)
}

/// npm packages of package-lock.json (wasm-opt from binaryen, playwright-core, axe-core, the
/// test identity provider `oidc-provider`),
/// reinstalled when the lock file changes.
fn npm_packages(root: &Path) -> Result<()> {
    let lock =
        std::fs::read(root.join("package-lock.json")).context("reading package-lock.json")?;
    let stamp_path = root.join("node_modules/.eform-lock");
    let fresh = std::fs::read(&stamp_path).is_ok_and(|s| s == lock);
    if !fresh {
        println!(
            "install npm packages (npm ci: binaryen {WASM_OPT_VERSION}, playwright-core, axe-core, oidc-provider)"
        );
        let mut c = cmd(root, "npm");
        c.args(["ci", "--no-audit", "--no-fund"]);
        exec(c)?;
        std::fs::write(&stamp_path, &lock)?;
    } else {
        println!("ok    npm packages (package-lock.json)");
    }
    match version_of(root, "wasm-opt") {
        Some(v) if v.contains(&format!("version {WASM_OPT_VERSION}")) => {
            println!("ok    {v}");
            Ok(())
        }
        other => {
            bail!("wasm-opt {WASM_OPT_VERSION} expected from node_modules/.bin, found {other:?}")
        }
    }
}

fn chromium() -> Result<()> {
    let present = |p: &str| Path::new(p).is_file();
    if present("/usr/bin/chromium") && present("/usr/bin/chromedriver") {
        println!("ok    chromium + chromedriver (Debian)");
        return Ok(());
    }
    println!("install Debian chromium + chromium-driver (about 40 s)");
    apt_install(&["chromium", "chromium-driver"])
}

/// The `openssl` command: the signing tests check interoperability with it, both ways.
fn openssl() -> Result<()> {
    if Path::new("/usr/bin/openssl").is_file() {
        println!("ok    openssl (Debian)");
        return Ok(());
    }
    println!("install Debian openssl");
    apt_install(&["openssl"])
}

/// Debian's `faketime` (libfaketime): the native tests run a second time with the clock moved
/// two years ahead, so that no test depends on the calendar.
fn faketime() -> Result<()> {
    if Path::new("/usr/bin/faketime").is_file() {
        println!("ok    faketime (Debian)");
        return Ok(());
    }
    println!("install Debian faketime");
    apt_install(&["faketime"])
}

/// Debian's `haproxy`: the load balancer in front of several portal instances in the scale-out
/// tests.
fn haproxy() -> Result<()> {
    if Path::new("/usr/sbin/haproxy").is_file() {
        println!("ok    haproxy (Debian)");
        return Ok(());
    }
    println!("install Debian haproxy");
    apt_install(&["haproxy"])
}

/// Debian's Python with `python3-venv`, and in [`PYHANKO_VENV`] a virtual environment with
/// `pyhanko-certvalidator` [`PYHANKO_CERTVALIDATOR_VERSION`] from PyPI: the independent
/// validator `portal/tests/cross_check.rs` compares form-core's verdicts with
/// (`tests/pyhanko/validate.py`).
pub fn pyhanko(root: &Path) -> Result<()> {
    const PYTHON: &str = "/usr/bin/python3";
    const PACKAGE: &str = "pyhanko-certvalidator";
    let want = PYHANKO_CERTVALIDATOR_VERSION;
    let venv = root.join(PYHANKO_VENV);
    let python = venv.join("bin/python");
    let installed = || {
        Command::new(&python)
            .args([
                "-c",
                &format!("import importlib.metadata as m; print(m.version('{PACKAGE}'))"),
            ])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    if installed().as_deref() == Some(want) {
        println!("ok    {PACKAGE} {want} (PyPI, in {PYHANKO_VENV})");
        return Ok(());
    }
    // `ensurepip` is what Debian's python3-venv adds (and `python -m venv` needs).
    let has_venv = Command::new(PYTHON)
        .args(["-c", "import venv, ensurepip"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_venv {
        println!("install Debian python3 + python3-venv");
        apt_install(&["python3", "python3-venv"])?;
    }
    let runs = Command::new(&python)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        // Missing, or left broken (e.g. made by another Python): made anew.
        if venv.exists() {
            std::fs::remove_dir_all(&venv)
                .with_context(|| format!("removing {}", venv.display()))?;
        }
        println!("create the Python virtual environment {PYHANKO_VENV}");
        let mut c = Command::new(PYTHON);
        c.arg("-m").arg("venv").arg(&venv);
        exec(c)?;
    }
    println!("install {PACKAGE} {want} from PyPI (pip, in {PYHANKO_VENV}; about 10 s)");
    let mut c = Command::new(&python);
    c.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("{PACKAGE}=={want}"),
    ]);
    exec(c)?;
    match installed() {
        Some(v) if v == want => Ok(()),
        other => bail!("{PACKAGE} {want} expected in {PYHANKO_VENV}, found {other:?}"),
    }
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `apt-get install` of Debian packages (through sudo when not root).
fn apt_install(packages: &[&str]) -> Result<()> {
    let root_user = is_root();
    let apt = |args: &[&str]| {
        let mut c = if root_user {
            Command::new("apt-get")
        } else {
            let mut s = Command::new("sudo");
            s.arg("apt-get");
            s
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        exec(c)
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend_from_slice(packages);
    apt(&args)
}

/// The newest installed PostgreSQL's `bin` directory, installing Debian's PostgreSQL when
/// there is none (for the intake tests on PostgreSQL and `bench intake`).
pub fn postgres() -> Result<PathBuf> {
    let newest = || -> Option<PathBuf> {
        let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
                let bin = e.path().join("bin");
                bin.join("initdb").is_file().then_some((v, bin))
            })
            .collect();
        dirs.sort();
        dirs.pop().map(|(_, b)| b)
    };
    if let Some(bin) = newest() {
        println!("ok    PostgreSQL ({})", bin.display());
        return Ok(bin);
    }
    println!("install Debian PostgreSQL (about 30 s)");
    apt_install(&["postgresql"])?;
    newest().context("PostgreSQL installed but no /usr/lib/postgresql/*/bin/initdb")
}

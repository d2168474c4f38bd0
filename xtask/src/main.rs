//! Developer commands of eform, run as `cargo xtask <command>`:
//!
//! - `run`   — install what is missing, build the web apps (release) and the portal, serve on
//!   127.0.0.1:8080 (`--addr`, `--data-dir`) until stopped;
//! - `test`  — install what is missing, then fmt, clippy, native tests, form-core's tests on
//!   wasm32, and the browser end-to-end tests against a portal started on a free port;
//! - `setup` — only install the tools;
//! - `build-web` — only build the web apps;
//! - `bench core` — form-core's criterion benchmarks (`bench sign`: signing and verifying); `bench browser [options]` — the citizen
//!   runtime beside the peers in `../shared/peers-bench` (results in `bench/results/`);
//!   `bench intake [options]` — dossier submissions per second on SQLite and PostgreSQL;
//!   `bench datastore [options]` — data-store reads at a fixed rate, latency percentiles;
//! - `fuzz [TARGET] [SECONDS]` — form-core's fuzz targets (cargo-fuzz, nightly), each for a time;
//! - `with-postgres <command…>` — run a command beside a throwaway PostgreSQL server;
//! - `admin-units` — regenerate `schemas/data/admin-units.json` from PyPI `vietnam-provinces`.
//! - `countries` — regenerate `form-core/src/countries_list.rs` (foreign addresses' countries).
//!
//! Needs nothing but cargo to start; everything else it installs, idempotently.

mod admin_units;
mod countries;
#[cfg(test)]
mod cycles;
mod peers;
mod postgres;
mod setup;
mod tidy;
mod web;

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

fn usage() -> &'static str {
    "usage: cargo xtask <run [--addr HOST:PORT] [--data-dir DIR] [--database-url URL] [--production] | test | setup | build-web | bench core|sign [criterion args] | bench intake|datastore|scale | bench browser [--quick …] | fuzz [TARGET] [SECONDS] | admin-units | countries | with-postgres <command…>>"
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let cmd = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match cmd.as_str() {
        "setup" => setup::all(&root),
        "build-web" => {
            setup::all(&root)?;
            web::build(&root)
        }
        "run" => run_portal(&root, &rest),
        "bench" => bench(&root, &rest),
        "fuzz" => fuzz(&root, &rest),
        "test" => test(&root),
        "admin-units" => admin_units::generate(&root),
        "countries" => countries::generate(&root),
        "with-postgres" => with_postgres(&root, &rest),
        _ => bail!("{}", usage()),
    }
}

/// `cargo xtask with-postgres <command…>`: runs a command with a throwaway PostgreSQL server
/// (its URL in `EFORM_TEST_POSTGRES_URL`), e.g. `cargo xtask with-postgres cargo test -p portal`.
fn with_postgres(root: &Path, args: &[String]) -> Result<()> {
    let Some((program, rest)) = args.split_first() else {
        bail!("usage: cargo xtask with-postgres <command> [args…]");
    };
    let pg = postgres::Postgres::start(false)?;
    let mut c = cmd(root, program);
    c.args(rest)
        .env("EFORM_TEST_POSTGRES_URL", &pg.url)
        .env("EFORM_TEST_POSTGRES_CA", &pg.ca)
        .env("EFORM_REQUIRE_POSTGRES", "1");
    let result = exec(c);
    drop(pg);
    result
}

/// The workspace root (the parent of xtask's manifest directory).
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Prints a step heading.
pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// A command with the project's tool directories first on PATH.
pub fn cmd(root: &Path, program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root)
        .env("PATH", setup::tool_path(root))
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    c
}

/// Runs a command, failing with its name when it fails.
pub fn exec(mut c: Command) -> Result<()> {
    let shown = format!("{c:?}");
    let status = c.status().with_context(|| format!("starting {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

fn take_flag(args: &[String], name: &str) -> Result<Option<String>> {
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(Some(
            args.get(i + 1)
                .cloned()
                .with_context(|| format!("{name} needs a value"))?,
        )),
        None => Ok(None),
    }
}

/// `cargo xtask bench core`: form-core's criterion benchmarks; `bench browser`: the peers
/// harness; `bench mobile`: the citizen page and the embed on a phone profile (figures in
/// docs/benchmarks.md).
fn bench(root: &Path, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some(which @ ("core" | "sign")) => {
            step(&format!("form-core's {which} benchmarks (criterion)"));
            let mut c = cmd(root, "cargo");
            c.args(["bench", "--package", "form-core", "--bench", which, "--"])
                .args(&args[1..]);
            exec(c)?;
            if which == "sign" {
                step("the same signing work in wasm32 (release, Node): means");
                setup::all(root)?;
                let mut c = cmd(root, "cargo");
                c.args([
                    "test",
                    "--package",
                    "form-core",
                    "--release",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "sign_wasm",
                    "--",
                    "--include-ignored",
                    "--nocapture",
                ])
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    "wasm-bindgen-test-runner",
                );
                exec(c)?;
                step(
                    "validation with revocation (OpenSSL's OCSP responder on loopback): uncached, cached, none",
                );
                let mut c = cmd(root, "cargo");
                c.args([
                    "bench",
                    "--package",
                    "portal",
                    "--bench",
                    "revocation",
                    "--",
                ]);
                exec(c)?;
            }
            Ok(())
        }
        Some("browser") => {
            setup::all(root)?;
            peers::run(root, &args[1..])
        }
        Some("builder") => node_bench(
            root,
            "bench-builder",
            "bench/builder/bench.mjs",
            "the builder's live preview on a 300-field form (chromium)",
            &args[1..],
        ),
        Some("mobile") => {
            // Lighthouse is the benchmark's alone (not the tests'): its own lock file.
            let mobile = root.join("bench/mobile");
            if !mobile.join("node_modules/lighthouse/package.json").exists() {
                step("install Lighthouse 12.2.3 for the benchmark (npm ci in bench/mobile)");
                let mut c = cmd(&mobile, "npm");
                c.args(["ci", "--no-audit", "--no-fund"]);
                exec(c)?;
            }
            node_bench(
                root,
                "bench-mobile",
                "bench/mobile/bench.mjs",
                "the citizen page and the embed on a phone profile, against static copies (chromium)",
                &args[1..],
            )
        }
        Some("scale") => {
            step(
                "scale-out benchmark: instances on PostgreSQL, direct and behind haproxy; webhook delivery latency",
            );
            setup::all(root)?;
            let pg = postgres::Postgres::start(true)?;
            let mut c = cmd(root, "cargo");
            c.args(["bench", "--package", "portal", "--bench", "scale", "--"])
                .args(&args[1..])
                .env("EFORM_TEST_POSTGRES_URL", &pg.url);
            let result = exec(c);
            step(
                "the kill -9 test at full size: 1,000 dossiers through haproxy, instances killed, every event delivered",
            );
            let mut c = cmd(root, "cargo");
            c.args([
                "test",
                "--release",
                "--package",
                "portal",
                "--test",
                "scale_out",
                "--",
                "--nocapture",
                "kill_nine",
            ])
            .env("EFORM_TEST_POSTGRES_URL", &pg.url)
            .env("EFORM_TEST_POSTGRES_CA", &pg.ca)
            .env("EFORM_REQUIRE_POSTGRES", "1")
            .env("EFORM_SCALE_DOSSIERS", "1000");
            let full = exec(c);
            drop(pg);
            result.and(full)
        }
        Some(which @ ("intake" | "datastore")) => {
            step(&format!(
                "{which} benchmark: the portal over loopback HTTP, SQLite then PostgreSQL (fsync on)"
            ));
            let pg = postgres::Postgres::start(true)?;
            let mut c = cmd(root, "cargo");
            c.args(["bench", "--package", "portal", "--bench", which, "--"])
                .args(&args[1..])
                .env("EFORM_TEST_POSTGRES_URL", &pg.url);
            let result = exec(c);
            drop(pg);
            result
        }
        _ => bail!(
            "usage: cargo xtask bench core|sign [criterion args] | bench intake|datastore|scale | bench browser [harness options] | bench builder [--fields N] [--runs N] [--json FILE] [--profile label|add] | bench mobile [--runs N] [--forms a,b] [--variants a,b] [--h2] [--json FILE] | bench intake [--seconds N] [--clients N] [--json FILE] | bench datastore [--rate N] [--seconds N] [--connections N] [--json FILE]"
        ),
    }
}

/// A browser benchmark in node (`script`) against a portal of its own: the web bundles and the
/// portal built, the portal started on a fresh data folder `target/<data>`, stopped after.
fn node_bench(root: &Path, data: &str, script: &str, what: &str, args: &[String]) -> Result<()> {
    setup::all(root)?;
    web::build(root)?;
    step("building the portal");
    let mut c = cmd(root, "cargo");
    c.args(["build", "--package", "portal", "--bin", "eform"]);
    exec(c)?;
    let data = root.join("target").join(data);
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let mut portal = Portal::start(root, &data, None)?;
    step(what);
    let mut c = cmd(root, "node");
    c.arg(script).args(args).env("EFORM_URL", &portal.url);
    let result = exec(c);
    portal.stop();
    result
}

/// The fuzz targets of `form-core/fuzz`.
const FUZZ_TARGETS: [&str; 4] = [
    "load_definition",
    "expression",
    "validate_data",
    "edit_forms",
];

/// `cargo xtask fuzz [TARGET] [SECONDS]`: runs one fuzz target, or each in turn, for SECONDS
/// (default 60) with libFuzzer. Crashes land in `form-core/fuzz/artifacts/`; keep each as a
/// regression case under `form-core/tests/fuzz-regressions/`.
fn fuzz(root: &Path, args: &[String]) -> Result<()> {
    let targets: Vec<&str> = match args.first().map(String::as_str) {
        Some(t) if FUZZ_TARGETS.contains(&t) => vec![t],
        Some(t) if t.parse::<u64>().is_err() => {
            bail!("unknown fuzz target {t}; targets: {FUZZ_TARGETS:?}")
        }
        _ => FUZZ_TARGETS.to_vec(),
    };
    let seconds = args
        .iter()
        .find_map(|a| a.parse::<u64>().ok())
        .unwrap_or(60);
    let has_fuzz = cmd(root, "cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_fuzz {
        println!("install cargo-fuzz from crates.io (about 2 minutes, once)");
        let mut c = cmd(root, "cargo");
        c.args(["install", "--locked", "cargo-fuzz"]);
        exec(c)?;
    }
    for target in targets {
        step(&format!("fuzzing {target} for {seconds} s"));
        let mut c = cmd(&root.join("form-core"), "cargo");
        // The corpus grows in fuzz/corpus/<target> (not committed); seeds come from the
        // repository: the real forms and fixtures, and fuzz/seeds/<target>.
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(root.join("form-core").join(&corpus))?;
        let seeds: Vec<String> = match target {
            "load_definition" => vec!["../schemas/forms".into(), "tests/fixtures".into()],
            other => vec![format!("fuzz/seeds/{other}")],
        };
        c.args(["+nightly", "fuzz", "run", target, &corpus])
            .args(&seeds);
        c.args([
            "--",
            &format!("-max_total_time={seconds}"),
            "-print_final_stats=1",
        ]);
        exec(c)?;
    }
    Ok(())
}

fn run_portal(root: &Path, args: &[String]) -> Result<()> {
    for a in args.iter().filter(|a| a.starts_with("--")) {
        if !["--addr", "--data-dir", "--database-url", "--production"].contains(&a.as_str()) {
            bail!("unknown option {a}\n{}", usage());
        }
    }
    let production = args.iter().any(|a| a == "--production");
    let database_url = take_flag(args, "--database-url")?;
    let addr = take_flag(args, "--addr")?.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let data_dir = take_flag(args, "--data-dir")?
        .unwrap_or_else(|| root.join("eform-data").display().to_string());
    setup::all(root)?;
    web::build(root)?;
    step("building the portal (release)");
    let mut c = cmd(root, "cargo");
    c.args([
        "build",
        "--release",
        "--package",
        "portal",
        "--bin",
        "eform",
    ]);
    exec(c)?;
    step(&format!(
        "starting the portal on {addr} (data in {data_dir}); stop with Ctrl-C"
    ));
    let mut c = cmd(
        root,
        &root.join("target/release/eform").display().to_string(),
    );
    c.args([
        "serve",
        "--addr",
        &addr,
        "--data-dir",
        &data_dir,
        "--web-dir",
        "target/web",
    ]);
    if let Some(url) = database_url {
        c.args(["--database-url", &url]);
    }
    // The demo runs in development mode; `--production` leaves it out, and the portal then
    // needs its production settings (EFORM_OIDC_ISSUER, EFORM_PUBLIC_URL, … in the environment).
    if !production {
        c.arg("--dev");
    }
    exec(c)
}

/// How far `cargo xtask test` moves the clock for its second run of the native tests.
const CLOCK_AHEAD: &str = "+730d";

fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    setup::all(root)?;

    step("cargo fmt --check");
    let mut c = cmd(root, "cargo");
    c.args(["fmt", "--all", "--check"]);
    exec(c)?;

    step("cargo clippy (all targets, warnings are errors)");
    let mut c = cmd(root, "cargo");
    c.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]);
    exec(c)?;

    step(
        "native tests of the workspace (the intake tests on SQLite and on a throwaway PostgreSQL)",
    );
    let pg = postgres::Postgres::start(false)?;
    let mut c = cmd(root, "cargo");
    c.args(["test", "--workspace", "--locked"])
        .env("EFORM_TEST_POSTGRES_URL", &pg.url)
        .env("EFORM_TEST_POSTGRES_CA", &pg.ca)
        .env("EFORM_REQUIRE_POSTGRES", "1")
        .env("EFORM_REQUIRE_OIDC", "1")
        .env("EFORM_REQUIRE_PYHANKO", "1");
    let native = exec(c);
    native?;

    // The same tests with the clock two years ahead (libfaketime): a test that meets "now" with
    // a fixed date fails here, not on the day the calendar passes it.
    let moved = clock_moved_tests(root, &pg);
    drop(pg);
    moved?;

    step("form-core's tests compiled for wasm32 (wasm-bindgen-test-runner, Node)");
    let mut c = cmd(root, "cargo");
    c.args([
        "test",
        "--package",
        "form-core",
        "--target",
        "wasm32-unknown-unknown",
        "--locked",
    ])
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    );
    exec(c)?;

    web::build(root)?;

    step("building the portal");
    let mut c = cmd(root, "cargo");
    c.args(["build", "--package", "portal", "--bin", "eform", "--locked"]);
    exec(c)?;

    step("browser end-to-end tests (Playwright + Debian chromium)");
    let data = root.join("target/e2e-data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(data.join("forms"))?;
    // The browser tests' own forms: a deliberately broken definition (the portal must answer
    // 4xx for it, not a blank page) and one whose texts are HTML/script payloads.
    for entry in std::fs::read_dir(root.join("tests/e2e/fixtures"))? {
        let path = entry?.path();
        if let Some(name) = path
            .file_name()
            .filter(|_| path.extension().is_some_and(|e| e == "json"))
        {
            std::fs::copy(&path, data.join("forms").join(name))?;
        }
    }

    let mut portal = Portal::start(root, &data, None)?;
    let url = portal.url.clone();
    println!("portal at {url}");
    let out = root.join("tests/e2e/output");
    std::fs::create_dir_all(&out)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/e2e"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    let result = browser_tests(root, &url, &out, &files);
    portal.stop();
    result?;
    production_browser_tests(root, None, &out)?;

    step("the data-store and intake browser tests again, on a portal with PostgreSQL");
    let pg = postgres::Postgres::start(false)?;
    let pg_data = root.join("target/e2e-data-pg");
    let _ = std::fs::remove_dir_all(&pg_data);
    std::fs::create_dir_all(&pg_data)?;
    let mut portal = Portal::start(root, &pg_data, Some(&pg.url))?;
    let out_pg = out.join("postgres");
    std::fs::create_dir_all(&out_pg)?;
    let result = browser_tests(
        root,
        &portal.url,
        &out_pg,
        &[
            root.join("tests/e2e/datastore.test.mjs"),
            root.join("tests/e2e/intake.test.mjs"),
        ],
    );
    portal.stop();
    let result = result.and_then(|()| production_browser_tests(root, Some(&pg.url), &out_pg));
    drop(pg);
    result?;
    println!(
        "\nall checks passed in {:.0} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// The browser tests of production mode (`tests/e2e/production/`): a portal started without
/// `--dev`, signing people in through the test identity provider (`tests/oidc/provider.mjs`,
/// npm `oidc-provider`) on another loopback port; on SQLite, or on `database_url`.
fn production_browser_tests(root: &Path, database_url: Option<&str>, out: &Path) -> Result<()> {
    step(&format!(
        "browser tests of production mode: sign-in through an OpenID provider ({})",
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    ));
    let data = root.join(if database_url.is_some() {
        "target/e2e-prod-pg"
    } else {
        "target/e2e-prod"
    });
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    std::fs::copy(
        root.join("tests/oidc/agencies.json"),
        data.join("agencies.json"),
    )?;
    std::fs::write(data.join("trust.pem"), "")?;
    // The portal's address first: the provider registers its callback.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let public = format!("http://127.0.0.1:{port}");
    let provider = Provider::start(root, &public)?;
    let path = |name: &str| data.join(name).display().to_string();
    let mut args: Vec<String> = vec![
        "--addr".into(),
        format!("127.0.0.1:{port}"),
        "--public-url".into(),
        public.clone(),
        "--agencies".into(),
        path("agencies.json"),
        "--trust-store".into(),
        path("trust.pem"),
        "--oidc-issuer".into(),
        provider.url.clone(),
        "--oidc-client-id".into(),
        "eform".into(),
        "--oidc-citizen-acr".into(),
        "urn:vneid:loa:2".into(),
        "--rate-limit".into(),
        "check=6000/m".into(),
    ];
    if let Some(url) = database_url {
        args.extend(["--database-url".into(), url.into()]);
    }
    let mut portal = Portal::spawn(
        root,
        &data,
        &args,
        &[("EFORM_OIDC_CLIENT_SECRET", "test-secret")],
    )?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/e2e/production"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    let mut c = cmd(root, "node");
    c.args(["--test", "--test-concurrency=1", "--test-timeout=240000"])
        .args(&files)
        .env("EFORM_URL", &portal.url)
        .env("EFORM_OIDC_URL", &provider.url)
        .env("EFORM_OUTPUT", out);
    let result = exec(c);
    portal.stop();
    drop(provider);
    result
}

/// The test identity provider (`tests/oidc/provider.mjs`), stopped on drop.
struct Provider {
    child: Child,
    url: String,
}

impl Provider {
    fn start(root: &Path, client_base: &str) -> Result<Provider> {
        let mut child = cmd(root, "node")
            .args([
                "tests/oidc/provider.mjs",
                "--port",
                "0",
                "--client-base",
                client_base,
                "--stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the test identity provider (node)")?;
        let stdout = child.stdout.take().context("provider stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.strip_prefix("oidc-provider listening on ") {
                        break rest.trim().to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    bail!("the test identity provider stopped before listening");
                }
            }
        };
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Ok(Provider { child, url })
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The native test binaries of the workspace run again with the clock moved [`CLOCK_AHEAD`]
/// (Debian's faketime). The binaries are built first without it and run one by one from their
/// package's folder, as `cargo test` does: rustc itself can stall under libfaketime.
fn clock_moved_tests(root: &Path, pg: &postgres::Postgres) -> Result<()> {
    step(&format!(
        "native tests again with the clock moved {CLOCK_AHEAD} ahead (faketime)"
    ));
    let out = cmd(root, "cargo")
        .args([
            "test",
            "--workspace",
            "--locked",
            "--no-run",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("listing the test binaries")?;
    if !out.status.success() {
        bail!("building the test binaries failed");
    }
    let mut binaries = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v["reason"] == "compiler-artifact"
            && v["profile"]["test"] == true
            && let (Some(exe), Some(manifest)) =
                (v["executable"].as_str(), v["manifest_path"].as_str())
        {
            let dir = Path::new(manifest).parent().unwrap_or(root).to_path_buf();
            binaries.push((PathBuf::from(exe), dir));
        }
    }
    if binaries.is_empty() {
        bail!("no test binaries found");
    }
    // libfaketime preloaded directly rather than through the `faketime` wrapper: the wrapper
    // keeps a semaphore and shared memory named by its process id in /dev/shm, and one left by
    // a killed run makes a later wrapper with the same id fail ("sem_open: File exists").
    let lib = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib",
    ]
    .iter()
    .map(|d| Path::new(d).join("faketime/libfaketime.so.1"))
    .find(|p| p.is_file())
    .context("libfaketime is missing: cargo xtask setup installs Debian's faketime")?;
    for (exe, dir) in binaries {
        let mut c = cmd(root, &exe.display().to_string());
        c.current_dir(&dir)
            .env("LD_PRELOAD", &lib)
            .env("FAKETIME", CLOCK_AHEAD)
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
            .env("EFORM_TEST_POSTGRES_URL", &pg.url)
            .env("EFORM_TEST_POSTGRES_CA", &pg.ca)
            .env("EFORM_REQUIRE_POSTGRES", "1")
            .env("EFORM_REQUIRE_OIDC", "1")
            .env("EFORM_REQUIRE_PYHANKO", "1");
        exec(c)?;
    }
    Ok(())
}

/// Runs the browser test files against the portal at `url`, one file at a time. Each test has
/// 4 minutes (`--test-timeout`): a browser that stalls (seen here once, with the disk full)
/// fails the run instead of hanging it.
fn browser_tests(root: &Path, url: &str, out: &Path, files: &[PathBuf]) -> Result<()> {
    let mut c = cmd(root, "node");
    c.args(["--test", "--test-concurrency=1", "--test-timeout=240000"])
        .args(files)
        .env("EFORM_URL", url)
        .env("EFORM_OUTPUT", out);
    exec(c)
}

/// A portal process started for the browser tests, stopped on drop.
struct Portal {
    child: Child,
    url: String,
}

impl Portal {
    /// Starts a development portal on a free port with its data in `data`, on SQLite
    /// (`data/eform.db`) or on the PostgreSQL database `database_url`.
    fn start(root: &Path, data: &Path, database_url: Option<&str>) -> Result<Portal> {
        // Every browser of the tests comes from 127.0.0.1: the anonymous check API's
        // per-address limit stands for one person, so it is raised here.
        let mut args: Vec<String> = [
            "--dev",
            "--addr",
            "127.0.0.1:0",
            "--rate-limit",
            "check=6000/m",
        ]
        .map(String::from)
        .to_vec();
        if let Some(url) = database_url {
            args.extend(["--database-url".into(), url.into()]);
        }
        Self::spawn(root, data, &args, &[])
    }

    /// Starts `eform serve` with `args` (besides `--web-dir` and `--data-dir`) and `env`.
    fn spawn(root: &Path, data: &Path, args: &[String], env: &[(&str, &str)]) -> Result<Portal> {
        let bin = root.join("target/debug/eform");
        let mut c = cmd(root, &bin.display().to_string());
        c.args(["serve", "--web-dir", "target/web", "--data-dir"])
            .arg(data)
            .args(args)
            .envs(env.iter().copied());
        let mut child = c
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("portal stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.strip_prefix("eform portal listening on ") {
                        break rest.trim_end_matches('/').to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    bail!("the portal stopped before listening");
                }
            }
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Ok(Portal { child, url })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.stop();
    }
}

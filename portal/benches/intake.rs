//! `cargo xtask bench intake`: sustained dossier submissions over loopback HTTP against the
//! real portal binary (release), on SQLite and — when `EFORM_TEST_POSTGRES_URL` names a server —
//! on PostgreSQL. Each submission is a filled CT01 with its own idempotency key; the portal
//! validates it with form-core and the reference validator, stores it durably (SQLite: WAL,
//! synchronous=FULL) and answers 201.
//!
//! Options (after `--`): `--seconds N` (measured time, default 10), `--clients N` (concurrent
//! keep-alive connections, default 32), `--json FILE` (write the figures).

mod common;

use common::{load, percentile, start_portal};
use serde_json::json;
use std::time::Duration;

struct Options {
    seconds: u64,
    clients: usize,
    json: Option<String>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    Options {
        seconds: value("--seconds")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10),
        clients: value("--clients")
            .and_then(|v| v.parse().ok())
            .unwrap_or(32),
        json: value("--json"),
    }
}

fn main() {
    let opts = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut backends = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("EFORM_TEST_POSTGRES_URL")
        && !url.is_empty()
    {
        backends.push(("postgres", Some(url)));
    }
    let mut results = Vec::new();
    println!(
        "intake: filled CT01 submissions over loopback HTTP, {} keep-alive clients, {} s measured after 2 s warm-up",
        opts.clients, opts.seconds
    );
    println!("| database | rate limits | submissions/s | p50 ms | p99 ms | max ms | stored |");
    println!("|---|---|---|---|---|---|---|");
    // Each backend twice in the same run: without rate limits, then with them checked on every
    // submission (the submit limit raised so that it counts but never refuses the load).
    let variants: [(&str, &[&str]); 2] = [
        ("off", &["--rate-limit", "off"]),
        ("on", &["--rate-limit", "submit=1000000/s"]),
    ];
    for ((name, server), (limits, extra)) in backends
        .iter()
        .flat_map(|b| variants.iter().map(move |v| (b.clone(), *v)))
    {
        let dir = tempfile::tempdir().unwrap();
        let url = match &server {
            None => format!("sqlite:{}", dir.path().join("eform.db").display()),
            Some(server) => runtime.block_on(common::fresh_pg_database(server, "bench_intake")),
        };
        let (mut child, addr) = start_portal(dir.path(), &url, extra);
        let (latencies, rate) = runtime.block_on(load(
            &addr,
            opts.clients,
            Duration::from_secs(2),
            Duration::from_secs(opts.seconds),
        ));
        let _ = child.kill();
        let _ = child.wait();
        let stored = runtime.block_on(async {
            let db = portal::db::Db::connect(&url).await.unwrap();
            let n = db.counts().await.unwrap().0;
            db.close().await;
            n
        });
        let (p50, p99, max) = (
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
        );
        println!("| {name} | {limits} | {rate:.0} | {p50:.1} | {p99:.1} | {max:.1} | {stored} |");
        results.push(json!({
            "database": name, "rateLimits": limits, "perSecond": rate.round(), "p50Ms": p50, "p99Ms": p99, "maxMs": max,
            "measured": latencies.len(), "stored": stored,
            "clients": opts.clients, "seconds": opts.seconds,
        }));
    }
    if let Some(path) = opts.json {
        std::fs::write(&path, serde_json::to_string_pretty(&results).unwrap()).unwrap();
        println!("figures written to {path}");
    }
}

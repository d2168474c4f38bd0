//! `cargo xtask bench datastore`: attribute reads of the citizen's data store over loopback HTTP
//! against the real portal binary (release), at a fixed rate (open loop: latency is counted from
//! when each request was due, so a slow answer cannot hide the ones queued behind it). Each
//! read checks the session, logs the read durably (the audit entry is committed before the
//! answer) and returns the asked keys. SQLite, then PostgreSQL when `EFORM_TEST_POSTGRES_URL`
//! names a server.
//!
//! Options (after `--`): `--rate N` (requests per second, default 1000), `--seconds N` (measured,
//! default 10), `--connections N` (keep-alive connections, default 16), `--json FILE`.

mod common;

use common::{Conn, percentile, start_portal, token};
use serde_json::json;
use std::time::{Duration, Instant};

fn option(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Reads at `rate`/s for `warm + measure` over `connections`; latencies (µs) of the measured part
/// and the number of answers that were not 200.
async fn load(
    addr: &str,
    rate: u64,
    connections: usize,
    warm: Duration,
    measure: Duration,
) -> (Vec<u64>, usize) {
    let users = [
        "citizen-an",
        "citizen-binh",
        "citizen-cuong",
        "citizen-dung",
        "citizen-em",
    ];
    let mut tokens = Vec::new();
    for u in users {
        tokens.push(token(addr, u).await);
    }
    let path = "/datastore/v1/me/attributes?keys=citizen.fullName,citizen.dateOfBirth,citizen.sex,\
                citizen.idNumber,citizen.permanentAddress,citizen.phone,citizen.email,household.members\
                &formId=ct01&formVersion=1";
    let start = Instant::now() + Duration::from_millis(100);
    let (from, until) = (start + warm, start + warm + measure);
    // Each connection takes every `connections`-th slot of the schedule.
    let interval = Duration::from_secs_f64(connections as f64 / rate as f64);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (addr, auth) = (
            addr.to_owned(),
            format!("Bearer {}", tokens[c % tokens.len()]),
        );
        let first = start + Duration::from_secs_f64(c as f64 / rate as f64);
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(&addr).await.unwrap();
            let (mut latencies, mut failed) = (Vec::new(), 0usize);
            let mut due = first;
            while due < until {
                tokio::time::sleep_until(due.into()).await;
                let (status, _) = conn
                    .send("GET", path, &[("authorization", &auth)], b"")
                    .await
                    .unwrap();
                if due >= from {
                    latencies.push(due.elapsed().as_micros() as u64);
                    failed += usize::from(status != 200);
                }
                due += interval;
            }
            (latencies, failed)
        }));
    }
    let (mut all, mut failed) = (Vec::new(), 0);
    for t in tasks {
        let (l, f) = t.await.unwrap();
        all.extend(l);
        failed += f;
    }
    all.sort_unstable();
    (all, failed)
}

fn main() {
    let rate: u64 = option("--rate")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let seconds: u64 = option("--seconds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let connections: usize = option("--connections")
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
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
    println!(
        "datastore: attribute reads (8 keys, audit entry committed before each answer) at {rate}/s on {connections} keep-alive connections, {seconds} s measured after 2 s warm-up"
    );
    println!("| database | requests/s | p50 ms | p99 ms | max ms | non-200 |");
    println!("|---|---|---|---|---|---|");
    let mut results = Vec::new();
    for (name, server) in backends {
        let dir = tempfile::tempdir().unwrap();
        let url = match &server {
            None => format!("sqlite:{}", dir.path().join("eform.db").display()),
            Some(server) => runtime.block_on(common::fresh_pg_database(server, "bench_datastore")),
        };
        let (mut child, addr) = start_portal(dir.path(), &url, &["--rate-limit", "off"]);
        let (latencies, failed) = runtime.block_on(load(
            &addr,
            rate,
            connections,
            Duration::from_secs(2),
            Duration::from_secs(seconds),
        ));
        let _ = child.kill();
        let _ = child.wait();
        let achieved = latencies.len() as f64 / seconds as f64;
        let (p50, p99, max) = (
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
        );
        println!("| {name} | {achieved:.0} | {p50:.2} | {p99:.2} | {max:.1} | {failed} |");
        results.push(json!({
            "database": name, "rate": rate, "achieved": achieved.round(), "p50Ms": p50, "p99Ms": p99,
            "maxMs": max, "nonOk": failed, "connections": connections, "seconds": seconds,
        }));
    }
    if let Some(path) = option("--json") {
        std::fs::write(&path, serde_json::to_string_pretty(&results).unwrap()).unwrap();
        println!("figures written to {path}");
    }
}

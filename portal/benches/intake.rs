//! `cargo xtask bench intake`: sustained dossier submissions over loopback HTTP against the
//! real portal binary (release), on SQLite and — when `EFORM_TEST_POSTGRES_URL` names a server —
//! on PostgreSQL. Each submission is a filled CT01 with its own idempotency key; the portal
//! validates it with form-core and the reference validator, stores it durably (SQLite: WAL,
//! synchronous=FULL) and answers 201.
//!
//! Options (after `--`): `--seconds N` (measured time, default 10), `--clients N` (concurrent
//! keep-alive connections, default 32), `--json FILE` (write the figures).

mod common;

use common::{Conn, percentile, start_portal, token};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

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

/// Submits for `warm + measure`, on `clients` connections; latencies (µs) of the measured part.
async fn load(addr: &str, clients: usize, warm: Duration, measure: Duration) -> (Vec<u64>, f64) {
    // Each citizen sends CT01 with their own identity (the portal checks the locked fields
    // against their register values).
    let example: Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.example.json")).unwrap();
    let mut senders = Vec::new();
    for user in ["citizen-an", "citizen-binh", "citizen-cuong"] {
        let mut data = example.clone();
        for (_, key, value) in portal::datastore::demo_attributes()
            .into_iter()
            .find(|(u, _)| *u == user)
            .map(|(_, a)| a)
            .unwrap_or_default()
        {
            if let Some(field) = key.strip_prefix("citizen.")
                && ["fullName", "dateOfBirth", "sex", "idNumber"].contains(&field)
            {
                data["applicant"][field] = value;
            }
        }
        let body = json!({"formId": "ct01", "formVersion": 1, "data": data}).to_string();
        senders.push((token(addr, user).await, body));
    }
    let start = Instant::now();
    let (from, until) = (start + warm, start + warm + measure);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (addr, (token, body)) = (addr.to_owned(), senders[c % 3].clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(&addr).await.unwrap();
            let auth = format!("Bearer {token}");
            let mut latencies = Vec::new();
            for i in 0.. {
                let key = format!("bench-{c}-{i}");
                let t0 = Instant::now();
                if t0 >= until {
                    break;
                }
                let (status, answer) = conn
                    .send(
                        "POST",
                        "/api/v1/dossiers",
                        &[
                            ("authorization", &auth),
                            ("idempotency-key", &key),
                            ("content-type", "application/json"),
                        ],
                        body.as_bytes(),
                    )
                    .await
                    .unwrap();
                assert_eq!(status, 201, "{}", String::from_utf8_lossy(&answer));
                if t0 >= from {
                    latencies.push(t0.elapsed().as_micros() as u64);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    let rate = all.len() as f64 / measure.as_secs_f64();
    (all, rate)
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

//! `cargo xtask bench scale`: several instances on one PostgreSQL (needs
//! `EFORM_TEST_POSTGRES_URL`, which xtask sets). In one run:
//! 1. intake throughput — one instance reached directly, then two instances behind Debian's
//!    haproxy (round robin, `tests/haproxy/eform.cfg`), rate limits counted (shared) on every
//!    submission;
//! 2. webhook delivery latency with a healthy receiver: from the 201 of a submission to the
//!    receiver getting its `dossier.received` event, submissions paced at `--rate` per second.
//!
//! Options (after `--`): `--seconds N` (default 10), `--clients N` (default 32), `--rate N`
//! (default 20), `--json FILE`.

mod common;

use common::{load, percentile, start_portal};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn value(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// haproxy in front of `addrs`; its address.
fn balancer(addrs: &[String], dir: &std::path::Path) -> (Child, String) {
    let template = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/haproxy/eform.cfg"
    ))
    .unwrap();
    let port = free_port();
    let servers: String = addrs
        .iter()
        .enumerate()
        .map(|(i, a)| format!("    server instance{i} {a} check\n"))
        .collect();
    let cfg = template
        .replace("@PORT@", &port.to_string())
        .replace("    @SERVERS@\n", &servers);
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, cfg).unwrap();
    let child = Command::new("/usr/sbin/haproxy")
        .arg("-f")
        .arg(&file)
        .arg("-db")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("haproxy (cargo xtask setup installs it)");
    let addr = format!("127.0.0.1:{port}");
    let started = Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(50));
    }
    // Its health checks see every instance up.
    std::thread::sleep(Duration::from_millis(600));
    (child, addr)
}

/// A receiver that answers 200 at once and notes when each dossier's event arrived.
async fn receiver() -> (String, Arc<Mutex<HashMap<String, Instant>>>) {
    let arrived = Arc::new(Mutex::new(HashMap::new()));
    let seen = arrived.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                let now = Instant::now();
                if let Ok(v) = serde_json::from_slice::<Value>(&body)
                    && v["type"] == "dossier.received"
                    && let Some(code) = v["data"]["dossierCode"].as_str()
                {
                    seen.lock().unwrap().entry(code.to_owned()).or_insert(now);
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, arrived)
}

fn main() {
    let seconds: u64 = value("--seconds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let clients: usize = value("--clients")
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let rate: u64 = value("--rate").and_then(|v| v.parse().ok()).unwrap_or(20);
    let Ok(server) = std::env::var("EFORM_TEST_POSTGRES_URL") else {
        eprintln!("scale: needs EFORM_TEST_POSTGRES_URL (cargo xtask bench scale sets it)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let limits = ["--rate-limit", "submit=1000000/s"];
    let mut results = Vec::new();
    println!(
        "scale: filled CT01 submissions, {clients} keep-alive clients, {seconds} s measured after 2 s warm-up, PostgreSQL, rate limits counted"
    );
    println!("| layout | submissions/s | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    for instances in [1usize, 2] {
        let dir = tempfile::tempdir().unwrap();
        let url = runtime.block_on(common::fresh_pg_database(&server, "bench_scale"));
        let mut children = Vec::new();
        let mut addrs = Vec::new();
        for i in 0..instances {
            let d = dir.path().join(format!("i{i}"));
            std::fs::create_dir_all(&d).unwrap();
            let (child, addr) = start_portal(&d, &url, &limits);
            children.push(child);
            addrs.push(addr);
        }
        let (layout, target) = if instances == 1 {
            ("one instance, direct".to_owned(), addrs[0].clone())
        } else {
            let (lb, addr) = balancer(&addrs, dir.path());
            children.push(lb);
            (format!("{instances} instances behind haproxy"), addr)
        };
        let (latencies, per_second) = runtime.block_on(load(
            &target,
            clients,
            Duration::from_secs(2),
            Duration::from_secs(seconds),
        ));
        for mut c in children {
            let _ = c.kill();
            let _ = c.wait();
        }
        let (p50, p99, max) = (
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
        );
        println!("| {layout} | {per_second:.0} | {p50:.1} | {p99:.1} | {max:.1} |");
        results.push(json!({"layout": layout, "perSecond": per_second.round(), "p50Ms": p50, "p99Ms": p99, "maxMs": max,
                            "clients": clients, "seconds": seconds}));
    }

    // Delivery latency: two instances behind haproxy, a healthy receiver.
    let dir = tempfile::tempdir().unwrap();
    let url = runtime.block_on(common::fresh_pg_database(&server, "bench_scale"));
    let (hook, arrived) = runtime.block_on(receiver());
    let mut children = Vec::new();
    let mut addrs = Vec::new();
    for i in 0..2 {
        let d = dir.path().join(format!("i{i}"));
        std::fs::create_dir_all(&d).unwrap();
        let (child, addr) = start_portal(&d, &url, &["--rate-limit", "off"]);
        children.push(child);
        addrs.push(addr);
    }
    let (lb, target) = balancer(&addrs, dir.path());
    children.push(lb);
    let latencies = runtime.block_on(async {
        let db = portal::db::Db::connect(&url).await.unwrap();
        db.set_webhook(&portal::db::delivery::Webhook {
            agency_code: "000.00.18.H56".into(),
            url: hook,
            secret: portal::webhooks::new_secret().unwrap(),
            events: "dossier.received".into(),
            created_at: 0,
        })
        .await
        .unwrap();
        let token = common::token(&target, "citizen-an").await;
        let body: Value = json!({"formId": "ct01", "formVersion": 1,
            "data": serde_json::from_str::<Value>(include_str!("../../schemas/forms/ct01.example.json")).unwrap()});
        let body = body.to_string();
        let mut conn = common::Conn::open(&target).await.unwrap();
        let auth = format!("Bearer {token}");
        let mut acked = HashMap::new();
        let every = Duration::from_millis(1000 / rate.max(1));
        let mut tick = tokio::time::interval(every);
        let n = rate * seconds;
        for i in 0..n {
            tick.tick().await;
            let key = format!("lat-{i}");
            let (status, answer) = conn
                .send(
                    "POST",
                    "/api/v1/dossiers",
                    &[("authorization", &auth), ("idempotency-key", &key), ("content-type", "application/json")],
                    body.as_bytes(),
                )
                .await
                .unwrap();
            assert_eq!(status, 201, "{}", String::from_utf8_lossy(&answer));
            let v: Value = serde_json::from_slice(&answer).unwrap();
            acked.insert(v["dossierCode"].as_str().unwrap().to_owned(), Instant::now());
        }
        let started = Instant::now();
        while arrived.lock().unwrap().len() < acked.len() {
            assert!(started.elapsed() < Duration::from_secs(60), "not every event arrived");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let arrived = arrived.lock().unwrap().clone();
        let mut l: Vec<u64> = acked
            .iter()
            .map(|(code, t)| arrived[code].saturating_duration_since(*t).as_micros() as u64)
            .collect();
        l.sort_unstable();
        db.close().await;
        l
    });
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
    let (p50, p99, max) = (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    println!(
        "webhook delivery, 2 instances behind haproxy, healthy receiver, {rate} submissions/s for {seconds} s: from the 201 to the receiver p50 {p50:.0} ms, p99 {p99:.0} ms, max {max:.0} ms ({} events)",
        latencies.len()
    );
    results.push(json!({"layout": "webhook delivery latency (2 instances, haproxy)", "p50Ms": p50, "p99Ms": p99, "maxMs": max,
                        "events": latencies.len(), "perSecond": rate}));
    if let Some(path) = value("--json") {
        // Relative to the workspace (cargo runs benches from the package's folder).
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(path);
        std::fs::write(&path, serde_json::to_string_pretty(&results).unwrap()).unwrap();
        println!("figures written to {}", path.display());
    }
}

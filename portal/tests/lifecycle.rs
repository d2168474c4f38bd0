//! The process as an operator runs it (review §B.3): `/readyz` answers only when the database
//! does, and SIGTERM (what systemd and containers send) stops the portal cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn ready_when_the_database_answers_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_eform"))
        .args(["serve", "--dev", "--addr", "127.0.0.1:0", "--web-dir"])
        .arg(dir.path().join("web"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--metrics-addr", "127.0.0.1:0", "--log-format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut metrics = None;
    let addr = loop {
        let line = lines
            .next()
            .expect("the portal printed its address")
            .unwrap();
        if let Some(rest) = line.trim().strip_prefix("metrics:") {
            metrics = Some(rest.trim().to_owned());
        }
        if let Some(rest) = line.strip_prefix("eform portal listening on http://") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    let metrics = metrics.expect("the metrics address");
    let logged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    {
        let logged = logged.clone();
        std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                logged.lock().unwrap().push(l);
            }
        });
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, body, id) = runtime.block_on(async {
        let r = reqwest::Client::new()
            .get(format!("http://{addr}/readyz"))
            .header("x-request-id", "probe-42")
            .send()
            .await
            .unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        (r.status().as_u16(), r.text().await.unwrap(), id)
    });
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"ready\""), "{body}");
    // The caller's request id comes back (a new one is made when there is none).
    assert_eq!(id, "probe-42");
    // Metrics on their own listener: the request counted by its route, the gauges.
    let text =
        runtime.block_on(async { reqwest::get(metrics).await.unwrap().text().await.unwrap() });
    assert!(
        text.lines()
            .any(|l| l.starts_with("eform_http_requests_total{")
                && l.contains("route=\"/readyz\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    for gauge in [
        "eform_writer_queue_depth",
        "eform_signing_transactions_pending",
    ] {
        assert!(text.contains(gauge), "{gauge} missing:\n{text}");
    }
    // No metrics on the public listener.
    let public = runtime.block_on(async {
        reqwest::get(format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(public, 404);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the portal did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    // One JSON log line per request, with its id, route and status.
    std::thread::sleep(Duration::from_millis(200));
    let logged = logged.lock().unwrap().clone();
    let line = logged
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["fields"]["message"] == "request" && v["fields"]["route"] == "/readyz")
        .unwrap_or_else(|| panic!("no request log line in {logged:?}"));
    assert_eq!(line["span"]["id"], "probe-42", "{line}");
    assert_eq!(line["fields"]["status"], 200, "{line}");
}

/// Review §B.3: an older release must start against a database a newer one has migrated (a
/// rolling upgrade, or a roll-back): migrations it does not know are left alone.
#[tokio::test]
async fn a_database_migrated_by_a_newer_release_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("eform.db").display());
    let db = portal::db::Db::connect(&url).await.unwrap();
    let portal::db::Db::Sqlite { write, .. } = &db else {
        unreachable!()
    };
    // What a newer release would have left: a migration this one has never heard of.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (9999, 'from a newer release', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(write)
    .await
    .unwrap();
    db.close().await;
    let again = portal::db::Db::connect(&url).await;
    assert!(again.is_ok(), "{:?}", again.err());
}

/// Review M2 (slowloris) and L10 (files at rest): a client that does not finish its request's headers within
/// `--header-timeout` is disconnected, and at most `--max-connections` are served at once — the
/// next one is answered only when a slot frees.
#[test]
fn slow_clients_are_cut_and_connections_capped() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_eform"))
        .args(["serve", "--dev", "--addr", "127.0.0.1:0", "--web-dir"])
        .arg(dir.path().join("web"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--header-timeout", "1", "--max-connections", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the portal printed its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("eform portal listening on http://") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    let ask = |s: &mut TcpStream| {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        answer
    };
    let wait = Some(Duration::from_secs(15));
    // An ordinary request is answered at once.
    let mut plain = TcpStream::connect(&addr).unwrap();
    plain.set_read_timeout(wait).unwrap();
    assert!(ask(&mut plain).starts_with("HTTP/1.1 200"));

    // Two slow clients take both slots: one sends half its headers, one nothing.
    let started = Instant::now();
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    half.set_read_timeout(wait).unwrap();
    let mut silent = TcpStream::connect(&addr).unwrap();
    silent.set_read_timeout(wait).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    // A third client's request waits for a slot.
    let mut third = TcpStream::connect(&addr).unwrap();
    third.set_read_timeout(wait).unwrap();
    let answer = ask(&mut third);
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(
        waited >= Duration::from_millis(800),
        "answered after {waited:?}, before a slow client's time was up"
    );
    // The slow clients were disconnected without an answer.
    for s in [&mut half, &mut silent] {
        let mut got = Vec::new();
        let read = s.read_to_end(&mut got);
        assert!(
            read.is_ok_and(|_| got.is_empty() || got.starts_with(b"HTTP/1.1 408"))
                || got.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&got)
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "slow clients were not cut"
    );
    // Review L10: the database the portal created is its alone.
    use std::os::unix::fs::PermissionsExt;
    for f in ["eform.db", "eform.db-wal"] {
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}: {mode:o}");
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

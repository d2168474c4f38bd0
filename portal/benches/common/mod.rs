//! What the portal's load benchmarks share: a keep-alive HTTP/1.1 client, the portal binary
//! started on a free port, demo sessions, percentiles.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as TokioBufReader};
use tokio::net::TcpStream;

/// A keep-alive HTTP/1.1 connection.
pub struct Conn {
    addr: String,
    stream: TokioBufReader<TcpStream>,
}

impl Conn {
    pub async fn open(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            addr: addr.to_owned(),
            stream: TokioBufReader::new(s),
        })
    }

    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.stream.get_mut().write_all(&request).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut answer = vec![0; length];
        self.stream.read_exact(&mut answer).await?;
        Ok((status, answer))
    }
}

/// Starts the release portal in development mode (demo users) with `extra` arguments.
pub fn start_portal(dir: &std::path::Path, database_url: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eform"))
        .args([
            "serve",
            "--dev",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .arg("--web-dir")
        .arg(dir.join("web"))
        .arg("--data-dir")
        .arg(dir)
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting the portal");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the portal's address").unwrap();
        if let Some(rest) = line.strip_prefix("eform portal listening on http://") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    (child, addr)
}

pub async fn token(addr: &str, user: &str) -> String {
    let mut c = Conn::open(addr).await.unwrap();
    let (status, body) = c
        .send(
            "POST",
            "/dev/session",
            &[],
            format!("{{\"user\":\"{user}\"}}").as_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(status, 201);
    serde_json::from_slice::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The `p` quantile of sorted microseconds, in milliseconds.
pub fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// A new empty database `name` on the PostgreSQL server `server` (dropped first if it exists);
/// its URL.
pub async fn fresh_pg_database(server: &str, name: &str) -> String {
    use sqlx::Executor;
    let admin = sqlx::PgPool::connect(server).await.unwrap();
    let _ = admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .await;
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    admin.close().await;
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    format!("{base}/{name}")
}

/// Submits filled CT01s (three citizens, each with their own identity) for `warm + measure`
/// on `clients` keep-alive connections to `addr`; the latencies (µs, sorted) of the measured
/// part and the rate per second.
pub async fn load(
    addr: &str,
    clients: usize,
    warm: Duration,
    measure: Duration,
) -> (Vec<u64>, f64) {
    // Each citizen sends CT01 with their own identity (the portal checks the locked fields
    // against their register values).
    let example: Value =
        serde_json::from_str(include_str!("../../../schemas/forms/ct01.example.json")).unwrap();
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

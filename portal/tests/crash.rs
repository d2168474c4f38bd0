//! `kill -9` of the portal during a burst of concurrent submissions, then a restart: every
//! dossier that got a 201 is there, intact — on SQLite and on PostgreSQL.

mod common;

use common::{Backend, http};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

on_both!(acknowledged_dossiers_survive_kill_9);

/// Starts `eform serve` on a free port; its address.
fn start(dir: &std::path::Path, url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eform"))
        .args([
            "serve",
            "--dev",
            "--rate-limit",
            "off",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            url,
            "--web-dir",
        ])
        .arg(dir.join("web"))
        .arg("--data-dir")
        .arg(dir)
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
    (child, addr)
}

async fn token(addr: &str, user: &str) -> String {
    let (status, body) = http(
        addr,
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

async fn acknowledged_dossiers_survive_kill_9(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database(b, dir.path()).await;
    let (mut child, addr) = start(dir.path(), &url);
    let tokens = [
        ("citizen-an", token(&addr, "citizen-an").await),
        ("citizen-binh", token(&addr, "citizen-binh").await),
    ];
    // (token, code, the data sent) of every 201.
    let acked: Arc<Mutex<Vec<(String, String, Value)>>> = Arc::default();
    let mut clients = Vec::new();
    for c in 0..16 {
        let (addr, (user, token), acked) = (addr.clone(), tokens[c % 2].clone(), acked.clone());
        clients.push(tokio::spawn(async move {
            for i in 0.. {
                let mut body = common::ct01_as(user);
                let text = format!("Yêu cầu số {c}-{i}: đăng ký thường trú.");
                body["data"]["request"] = Value::String(text);
                let auth = format!("Bearer {token}");
                let key = format!("crash-{c}-{i}");
                let headers = [
                    ("authorization", auth.as_str()),
                    ("idempotency-key", key.as_str()),
                    ("content-type", "application/json"),
                ];
                match http(
                    &addr,
                    "POST",
                    "/api/v1/dossiers",
                    &headers,
                    body.to_string().as_bytes(),
                )
                .await
                {
                    Ok((201, answer)) => {
                        let v: Value = serde_json::from_slice(&answer).unwrap();
                        let code = v["dossierCode"].as_str().unwrap().to_owned();
                        acked
                            .lock()
                            .unwrap()
                            .push((token.clone(), code, body["data"].clone()));
                    }
                    Ok((status, answer)) => {
                        panic!("{status}: {}", String::from_utf8_lossy(&answer))
                    }
                    Err(_) => break, // the portal is gone
                }
            }
        }));
    }
    // Kill in the middle of the burst, once a good number are in.
    for _ in 0..400 {
        if acked.lock().unwrap().len() >= 150 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap(); // SIGKILL: no clean shutdown, no flush
    child.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 150,
        "only {} acknowledged before the kill",
        acked.len()
    );

    let (mut child, addr) = start(dir.path(), &url);
    for (token, code, sent) in &acked {
        let auth = format!("Bearer {token}");
        let (status, body) = http(
            &addr,
            "GET",
            &format!("/api/v1/dossiers/{code}"),
            &[("authorization", &auth)],
            b"",
        )
        .await
        .unwrap();
        assert_eq!(
            status, 200,
            "acknowledged dossier {code} is missing after kill -9"
        );
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["versionList"][0]["data"], *sent, "{code} intact");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    eprintln!(
        "{}: {} acknowledged dossiers, all there after kill -9 and restart",
        b_name(b),
        acked.len()
    );
}

fn b_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

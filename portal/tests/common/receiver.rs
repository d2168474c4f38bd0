//! A webhook receiver written for the tests: plain HTTP/1.1 over TCP, one request per
//! connection; it checks each request's Standard Webhooks signature with its own HMAC, records
//! the `webhook-id`s it acknowledged, and fails on a schedule the test sets.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The endpoint secret the tests give the portal.
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What the receiver does with its n-th request (from 0).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Act {
    Ok,
    Fail,
    /// Answers 200 after the portal stopped waiting.
    Late,
    /// Closes the connection without answering.
    Close,
}

#[derive(Default)]
pub struct Seen {
    pub requests: usize,
    /// Acknowledged ids (answered 200 in time or late), with how many times.
    pub acked: HashMap<String, usize>,
    pub bodies: HashMap<String, Value>,
    pub bad_signatures: usize,
}

/// A receiver on a free port; its URL and what it saw.
/// `late`: how long a late answer waits (longer than the portal's deadline).
pub async fn receiver(
    late: Duration,
    schedule: impl Fn(usize) -> Act + Send + Sync + 'static,
) -> (String, Arc<Mutex<Seen>>) {
    let schedule = Arc::new(schedule);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/eform", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let shared = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let seen = shared.clone();
            let schedule = schedule.clone();
            tokio::spawn(async move {
                // One request per connection (the answer says `Connection: close`).
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let (head, body) = loop {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        while buf.len() < end + 4 + len {
                            let Ok(n) = sock.read(&mut chunk).await else {
                                return;
                            };
                            if n == 0 {
                                return;
                            }
                            buf.extend_from_slice(&chunk[..n]);
                        }
                        break (head, buf[end + 4..end + 4 + len].to_vec());
                    }
                };
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                        })
                        .unwrap_or_default()
                };
                let (id, ts, sig) = (
                    header("webhook-id"),
                    header("webhook-timestamp"),
                    header("webhook-signature"),
                );
                // The receiver's own check, as the specification describes it.
                let key = base64::engine::general_purpose::STANDARD
                    .decode(SECRET.trim_start_matches("whsec_"))
                    .unwrap();
                let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
                mac.update(format!("{id}.{ts}.").as_bytes());
                mac.update(&body);
                let expected = format!(
                    "v1,{}",
                    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
                );
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64;
                let fresh = ts.parse::<i64>().is_ok_and(|t| (now - t).abs() < 300);
                let act = {
                    let mut s = seen.lock().unwrap();
                    let n = s.requests;
                    s.requests += 1;
                    if sig != expected || !fresh {
                        s.bad_signatures += 1;
                        Act::Fail
                    } else {
                        schedule(n)
                    }
                };
                let answer: &[u8] = match act {
                    Act::Close => return,
                    Act::Fail => b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    Act::Ok | Act::Late => b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                };
                if matches!(act, Act::Ok | Act::Late) {
                    let mut s = seen.lock().unwrap();
                    *s.acked.entry(id.clone()).or_default() += 1;
                    s.bodies
                        .insert(id, serde_json::from_slice(&body).unwrap_or(Value::Null));
                }
                if act == Act::Late {
                    tokio::time::sleep(late).await;
                }
                let _ = sock.write_all(answer).await;
            });
        }
    });
    (url, seen)
}

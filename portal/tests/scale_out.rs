//! Several instances behind a real load balancer (Debian's haproxy: round robin, no sticky
//! sessions) on one PostgreSQL database (the scale-out issue). Each instance is the `eform`
//! binary in development mode on its own port and data folder; haproxy is started on a free
//! port from `tests/haproxy/eform.cfg`; both are stopped at the end.
//!
//! - The citizen's story through the balancer, each request on the next instance: a session,
//!   prefill, hash signing (polled and approved on other instances than the one that took it),
//!   the signed submission; a form version published on one instance served by all at once.
//! - `kill -9` under load: clients submit through the balancer (retrying with their
//!   idempotency key after an error) while instances are killed and restarted; every
//!   acknowledged dossier is stored once, and every event reaches a receiver that fails about a
//!   third of its calls (errors, late answers, closed connections).
//!
//! CI runs a reduced load (`EFORM_SCALE_DOSSIERS`, default 160); `cargo xtask bench scale`
//! runs 1,000.

mod common;

use base64::Engine;
use common::receiver::{Act, SECRET, receiver};
use form_core::sign::{self, SignAlgo};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use x509_cert::Certificate;
use x509_cert::der::Decode;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const HAPROXY: &str = "/usr/sbin/haproxy";
const AGENCY: &str = "000.00.18.H56";

/// Whether the scale-out tests can run: PostgreSQL and haproxy (both required under
/// `cargo xtask test`).
fn available() -> bool {
    if !common::postgres_available() {
        return false;
    }
    if Path::new(HAPROXY).is_file() {
        return true;
    }
    assert!(
        std::env::var("EFORM_REQUIRE_POSTGRES").as_deref() != Ok("1"),
        "haproxy is missing (cargo xtask setup installs it)"
    );
    eprintln!("skipped: no haproxy (cargo xtask setup installs it)");
    false
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One `eform serve` process.
struct Instance {
    child: Option<Child>,
    port: u16,
    metrics: u16,
    dir: PathBuf,
}

impl Instance {
    fn start(port: u16, metrics: u16, dir: &Path, web: &Path, url: &str) -> Instance {
        let mut i = Instance {
            child: None,
            port,
            metrics,
            dir: dir.to_owned(),
        };
        i.spawn(web, url);
        i
    }

    fn spawn(&mut self, web: &Path, url: &str) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_eform"))
            .args(["serve", "--dev", "--addr"])
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--metrics-addr")
            .arg(format!("127.0.0.1:{}", self.metrics))
            .arg("--data-dir")
            .arg(&self.dir)
            .arg("--web-dir")
            .arg(web)
            .args([
                "--rate-limit",
                "off",
                "--webhook-retry-seconds",
                "1",
                "--webhook-retry-max-seconds",
                "3",
                "--webhook-timeout-seconds",
                "2",
                "--log-format",
                "json",
            ])
            .env("EFORM_DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines
                .next()
                .expect("the instance printed its address")
                .unwrap();
            if line.starts_with("eform portal listening on") {
                break;
            }
        }
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        self.child = Some(child);
    }

    /// `kill -9`.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// haproxy in front of `ports`, on a free port.
struct Balancer {
    child: Child,
    port: u16,
    _cfg: tempfile::TempDir,
}

impl Balancer {
    fn start(ports: &[u16]) -> Balancer {
        let template = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/haproxy/eform.cfg"
        ))
        .unwrap();
        let port = free_port();
        let servers: String = ports
            .iter()
            .enumerate()
            .map(|(i, p)| format!("    server instance{i} 127.0.0.1:{p} check\n"))
            .collect();
        let cfg = template
            .replace("@PORT@", &port.to_string())
            .replace("    @SERVERS@\n", &servers);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("eform.cfg");
        std::fs::write(&file, cfg).unwrap();
        let child = Command::new(HAPROXY)
            .arg("-f")
            .arg(&file)
            .arg("-db")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let b = Balancer {
            child,
            port,
            _cfg: dir,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "haproxy did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        b
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A cluster: PostgreSQL database, `n` instances, haproxy.
struct Cluster {
    instances: Vec<Instance>,
    balancer: Balancer,
    url: String,
    web: PathBuf,
    _dir: tempfile::TempDir,
}

impl Cluster {
    async fn start(n: usize) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let url = common::fresh_database(common::Backend::Postgres, dir.path()).await;
        let web = dir.path().join("web");
        std::fs::create_dir_all(web.join("app")).unwrap();
        std::fs::write(
            web.join("app/index.html"),
            "<!doctype html><title>app</title>",
        )
        .unwrap();
        let mut instances = Vec::new();
        for i in 0..n {
            let data = dir.path().join(format!("instance{i}"));
            instances.push(Instance::start(free_port(), free_port(), &data, &web, &url));
        }
        let ports: Vec<u16> = instances.iter().map(|i| i.port).collect();
        let balancer = Balancer::start(&ports);
        let c = Cluster {
            instances,
            balancer,
            url,
            web,
            _dir: dir,
        };
        // Every instance ready behind the balancer (its health checks every 200 ms).
        let client = reqwest::Client::new();
        let started = Instant::now();
        let mut ok = 0;
        while ok < 2 * n {
            let r = client.get(c.lb("/readyz")).send().await;
            ok = if r.is_ok_and(|r| r.status() == 200) {
                ok + 1
            } else {
                0
            };
            assert!(started.elapsed() < Duration::from_secs(20), "not ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        c
    }

    fn lb(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.balancer.port)
    }

    fn restart(&mut self, i: usize) {
        let (web, url) = (self.web.clone(), self.url.clone());
        self.instances[i].spawn(&web, &url);
    }

    /// How many requests of `route` instance `i` answered (its metrics).
    async fn served(&self, i: usize, route: &str) -> u64 {
        let text = reqwest::get(format!(
            "http://127.0.0.1:{}/metrics",
            self.instances[i].metrics
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
        text.lines()
            .filter(|l| {
                l.starts_with("eform_http_requests_total{")
                    && l.contains(&format!("route=\"{route}\""))
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as u64
    }
}

/// A JSON call; (status, body).
async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn token(c: &Cluster, client: &reqwest::Client, user: &str) -> String {
    let (s, v) = call(
        client,
        reqwest::Method::POST,
        &c.lb("/dev/session"),
        None,
        Some(&json!({"user": user})),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v["token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citizen_story_runs_through_the_balancer() {
    if !available() {
        return;
    }
    let c = Cluster::start(3).await;
    let client = reqwest::Client::new();
    use reqwest::Method;
    let an = token(&c, &client, "citizen-an").await;
    // Prefill from the data store.
    let (s, v) = call(
        &client,
        Method::GET,
        &c.lb("/datastore/v1/me/attributes?keys=citizen.fullName"),
        Some(&an),
        None,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v.to_string().contains("Nguyễn Văn An"), "{v}");

    // Signing: the request, its polls and the approval land on different instances.
    let (s, list) = call(
        &client,
        Method::POST,
        &c.lb("/bridge/v1/credentials/list"),
        Some(&an),
        Some(&json!({})),
    )
    .await;
    assert_eq!(s, 200, "{list}");
    let info = &list["credentialInfos"][0];
    let chain: Vec<Certificate> = info["cert"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| Certificate::from_der(&B64.decode(x.as_str().unwrap()).unwrap()).unwrap())
        .collect();
    let body = common::ct01();
    let content = sign::content("ct01", 1, &body["data"]).unwrap();
    let now = u64::try_from(portal::clock::now_ms() / 1000).unwrap();
    let prepared = sign::prepare(&sign::content_digest(&content), now, &chain[0]).unwrap();
    let (s, started) = call(
        &client,
        Method::POST,
        &c.lb("/bridge/v1/signatures/signHash"),
        Some(&an),
        Some(&json!({"credentialID": info["credentialID"], "hashes": [B64.encode(prepared.hash)],
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "signAlgo": SignAlgo::EcdsaP256Sha256.oid(),
            "docId": "ct01"})),
    )
    .await;
    assert_eq!(s, 202, "{started}");
    let tx = started["transactionID"].as_str().unwrap().to_owned();
    let poll = c.lb(&format!("/bridge/v1/signatures/{tx}"));
    for _ in 0..3 {
        let (s, v) = call(&client, Method::GET, &poll, Some(&an), None).await;
        assert_eq!((s, v["status"].as_str()), (200, Some("pending")), "{v}");
    }
    let approved = client
        .post(c.lb(&format!("/dev/signer/{tx}/approve")))
        .bearer_auth(&an)
        .send()
        .await
        .unwrap();
    assert!(approved.status().is_redirection() || approved.status().is_success());
    let (s, done) = call(&client, Method::GET, &poll, Some(&an), None).await;
    assert_eq!(
        (s, done["status"].as_str()),
        (200, Some("completed")),
        "{done}"
    );
    let signature = B64.decode(done["signatures"][0].as_str().unwrap()).unwrap();
    let p7s = sign::assemble(&prepared, SignAlgo::EcdsaP256Sha256, &signature, &chain).unwrap();
    let mut signed = body.clone();
    signed["signature"] = json!({"cms": B64.encode(p7s)});
    let r = client
        .post(c.lb("/api/v1/dossiers"))
        .bearer_auth(&an)
        .header("idempotency-key", "story-1")
        .json(&signed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let receipt: Value = r.json().await.unwrap();
    let code = receipt["dossierCode"].as_str().unwrap().to_owned();
    let (s, d) = call(
        &client,
        Method::GET,
        &c.lb(&format!("/api/v1/dossiers/{code}")),
        Some(&an),
        None,
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        d["versionList"][0]["signature"]["signer"]["name"],
        "Nguyễn Văn An"
    );
    // The polls were answered by more than the instance that took the request.
    let mut answered = 0;
    for i in 0..3 {
        if c.served(i, "/bridge/v1/signatures/{id}").await > 0 {
            answered += 1;
        }
    }
    assert!(answered >= 2, "the polls all went to one instance");

    // An official publishes a form on the first instance directly; the balancer serves it
    // from every instance at once.
    let ha = token(&c, &client, "official-ha").await;
    let direct = |path: &str| format!("http://127.0.0.1:{}{path}", c.instances[0].port);
    let id = "giay-phep-can";
    let (s, made) = call(
        &client,
        Method::POST,
        &direct("/api/v1/builder/forms"),
        Some(&ha),
        Some(&json!({"id": id})),
    )
    .await;
    assert_eq!(s, 201, "{made}");
    let definition = json!({
        "id": id, "version": 1,
        "title": {"vi": "Giấy phép cân", "en": "Scale permit"},
        "dataSchema": {"type": "object", "properties": {"hoTen": {"type": "string", "maxLength": 100}}, "required": ["hoTen"]},
        "pages": [{"id": "p1", "title": {"vi": "Trang 1", "en": "Page 1"},
                   "sections": [{"id": "s1", "title": {"vi": "Thông tin", "en": "Information"},
                                 "items": [{"widget": "text", "pointer": "/hoTen", "label": {"vi": "Họ và tên", "en": "Full name"}}]}]}],
    });
    let (s, saved) = call(
        &client,
        Method::PUT,
        &direct(&format!("/api/v1/builder/forms/{id}")),
        Some(&ha),
        Some(&json!({"rev": made["rev"], "definition": definition})),
    )
    .await;
    assert_eq!(s, 200, "{saved}");
    let (s, published) = call(
        &client,
        Method::POST,
        &direct(&format!("/api/v1/builder/forms/{id}/publish")),
        Some(&ha),
        Some(&json!({"rev": saved["rev"]})),
    )
    .await;
    assert_eq!(s, 201, "{published}");
    let t = Instant::now();
    let mut served_by_all = 0;
    while served_by_all < 3 {
        let (s, f) = call(
            &client,
            Method::GET,
            &c.lb(&format!("/forms/{id}")),
            None,
            None,
        )
        .await;
        if s == 200 && f["version"] == published["version"] {
            served_by_all += 1;
        } else {
            served_by_all = 0;
        }
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "not served by every instance after {:?}",
            t.elapsed()
        );
    }
    eprintln!(
        "a publication served through the balancer by every instance after {:?}",
        t.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_nine_under_load_loses_nothing_and_delivers_everything() {
    if !available() {
        return;
    }
    let total: usize = std::env::var("EFORM_SCALE_DOSSIERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(160);
    let mut c = Cluster::start(3).await;
    // The agency's receiver fails about a third of its calls.
    let (hook, seen) = receiver(Duration::from_secs(3), |n| match n % 10 {
        1 | 4 => Act::Fail,
        6 => Act::Late,
        8 => Act::Close,
        _ => Act::Ok,
    })
    .await;
    let db = portal::db::Db::connect(&c.url).await.unwrap();
    db.set_webhook(&portal::db::delivery::Webhook {
        agency_code: AGENCY.into(),
        url: hook,
        secret: SECRET.into(),
        events: "*".into(),
        created_at: 0,
    })
    .await
    .unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let an = token(&c, &client, "citizen-an").await;
    let body = Arc::new(common::ct01_as("citizen-an"));
    let acked = Arc::new(AtomicUsize::new(0));
    let retried = Arc::new(AtomicUsize::new(0));
    let clients = 8;
    let mut tasks = Vec::new();
    for k in 0..clients {
        let (client, an, body, url) = (
            client.clone(),
            an.clone(),
            body.clone(),
            c.lb("/api/v1/dossiers"),
        );
        let (acked, retried) = (acked.clone(), retried.clone());
        tasks.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for i in (k..total).step_by(clients) {
                let key = format!("load-{i}");
                let started = Instant::now();
                loop {
                    let r = client
                        .post(&url)
                        .bearer_auth(&an)
                        .header("idempotency-key", &key)
                        .json(&*body)
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 201 || r.status() == 200 => {
                            let v: Value = r.json().await.unwrap();
                            codes
                                .push((key.clone(), v["dossierCode"].as_str().unwrap().to_owned()));
                            acked.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                        // A refusal that is not about availability is a failure of the test.
                        Ok(r) if r.status().is_client_error() && r.status() != 429 => {
                            panic!(
                                "{key}: {} {}",
                                r.status(),
                                r.text().await.unwrap_or_default()
                            )
                        }
                        _ => {
                            retried.fetch_add(1, Ordering::SeqCst);
                            assert!(
                                started.elapsed() < Duration::from_secs(60),
                                "{key} never stored"
                            );
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                }
            }
            codes
        }));
    }
    // Kill an instance a third of the way, bring it back; then another.
    let mut killed = 0;
    for (at, which) in [(total / 3, 1), (2 * total / 3, 2)] {
        while acked.load(Ordering::SeqCst) < at {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        c.instances[which].kill();
        killed += 1;
        tokio::time::sleep(Duration::from_millis(700)).await;
        c.restart(which);
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.extend(t.await.unwrap());
    }
    assert_eq!(codes.len(), total);
    let distinct: std::collections::HashSet<&str> = codes.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(distinct.len(), total, "one dossier per key");
    let (dossiers, versions) = db.counts().await.unwrap();
    assert_eq!(
        (dossiers, versions),
        (total as i64, total as i64),
        "each acknowledged dossier stored once"
    );

    // Delivery completes (an instance killed meanwhile too).
    c.instances[0].kill();
    c.restart(0);
    let started = Instant::now();
    let events = loop {
        let events = db.events_after(AGENCY, 0, 100_000).await.unwrap();
        let done = {
            let s = seen.lock().unwrap();
            events.len() == total && events.iter().all(|e| s.acked.contains_key(&e.id))
        };
        if done {
            break events;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "not every event delivered: {} of {} acknowledged",
            seen.lock().unwrap().acked.len(),
            events.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let delivery_time = started.elapsed();
    let s = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(s.bad_signatures, 0);
    let repeats: usize = s.acked.values().map(|n| n - 1).sum();
    let unexpected = s
        .acked
        .keys()
        .filter(|id| !events.iter().any(|e| &e.id == *id))
        .count();
    assert_eq!(unexpected, 0);
    eprintln!(
        "{total} dossiers through haproxy, {killed} instances killed under load ({} client retries); \
         {} calls to the receiver for {} events, {repeats} repeated ids (dropped by id); delivery finished {:?} after the load",
        retried.load(Ordering::SeqCst),
        s.requests,
        events.len(),
        delivery_time
    );
    db.close().await;
}

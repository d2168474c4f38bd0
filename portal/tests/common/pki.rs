//! A real test PKI made with the `openssl` command (OpenSSL 3.0), with OpenSSL's own revocation
//! and time services on free loopback ports, for the signature-verification tests.
//!
//! [`Pki::new`] makes, in a temporary folder, ECDSA P-256 keys and SHA-256 certificates:
//! - the root "eform test root" (its own `openssl ca` database, for `root.crl`);
//! - the intermediate "eform test citizen CA" (CRL distribution point: the root's CRL), whose
//!   `openssl ca` database (`ca/index.txt`) records the citizens it issues and revokes;
//! - the OCSP responder (issued by the intermediate; OCSPSigning, `id-pkix-ocsp-nocheck`);
//! - a "rogue" responder (issued by the root, no OCSPSigning): a responder nobody delegated;
//! - the TSA (issued by the root; `timeStamping`, critical).
//!
//! It serves the CRLs (`GET /ca.crl`, `GET /root.crl`) and the TSA (`POST /tsa`, RFC 3161
//! over HTTP, answered by `openssl ts -reply`) from a small HTTP server on a thread; the OCSP
//! responder (`openssl ocsp -index …`) runs when a test starts it ([`Pki::start_ocsp`]). All
//! of it stops when the [`Pki`] is dropped.
//!
//! Under `cargo xtask test`'s second run (libfaketime, the clock moved ahead) the `openssl`
//! children inherit the moved clock, as the test does.
//!
//! Behaviour of OpenSSL 3.0 worth knowing (checked here):
//! - `openssl ocsp` re-reads `index.txt` only *after* answering a request (it checks the
//!   file's mtime/inode before waiting for the next connection), so the first answer after a
//!   change would be stale: [`Pki::revoke`] restarts a running responder.
//! - `openssl ocsp` cannot bind an address: it listens on `[::]:port` (loopback included).
//! - `openssl ocsp` (one connection at a time) spins for ever on a connection closed before
//!   any request, answering nobody after it (`-timeout` does not help): never probe the
//!   running responder with a bare connect ([`port_open`]); readiness is checked with `GET /`.
//! - The `openssl ocsp` client retries a refused connection until its `-timeout`.
//! - `openssl ca -revoke` records "now" as `YYMMDDHHMMSSZ` (UTCTime) in `index.txt`;
//!   [`Pki::revoke`] rewrites that field with the time the test asks for.
//! - `openssl ts -reply` answers a malformed query with a "rejection" response and exit 0.
//! - The `faketime` wrapper forks (killing it would leave the responder running), so the
//!   stale responder is started with libfaketime's `LD_PRELOAD` and `FAKETIME` directly.
//!
//! Long on purpose: one test PKI with OpenSSL's own services; its parts start and stop together.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The `openssl` command the harness runs.
pub const OPENSSL: &str = "/usr/bin/openssl";

/// The TSA's default policy (the `TSTInfo`'s `policy` when the query names none).
pub const TSA_POLICY: &str = "1.2.3.4.1";

/// How long the CA certificates are valid on either side of now.
const CA_YEARS: u64 = 10;

const DAY: u64 = 86_400;

/// How the OCSP responder answers (see [`Pki::start_ocsp`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspMode {
    /// Signed by the delegated responder certificate; thisUpdate now, nextUpdate in 5 minutes.
    Good,
    /// As `Good`, but the responder's clock is 2 days behind: thisUpdate and nextUpdate are
    /// 2 days old (nextUpdate long past).
    Stale,
    /// Signed by the rogue certificate (issued by the root, not delegated by the intermediate).
    WrongResponder,
}

/// A citizen's certificate from the intermediate, with its key.
pub struct Citizen {
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The certificate's PEM file.
    pub cert_pem: PathBuf,
    /// The private key's PEM file (PKCS#8, unencrypted).
    pub key_pem: PathBuf,
    /// The private key.
    pub key: p256::ecdsa::SigningKey,
    /// The serial number: upper-case hex, as `openssl ca` writes it in `index.txt`.
    pub serial: String,
}

impl Citizen {
    /// The certificate, parsed.
    pub fn certificate(&self) -> x509_cert::Certificate {
        use x509_cert::der::Decode;
        x509_cert::Certificate::from_der(&self.cert_der).unwrap()
    }
}

/// The test PKI and its services (see the module's comment). Everything lives in a temporary
/// folder; the processes and the HTTP server stop on drop.
pub struct Pki {
    dir: tempfile::TempDir,
    ocsp_port: u16,
    http_port: u16,
    ocsp: Option<(Child, OcspMode)>,
    http: Option<HttpServer>,
    shared: Arc<Shared>,
    root_der: Vec<u8>,
    intermediate_der: Vec<u8>,
    citizens: usize,
    responses: AtomicUsize,
}

/// What the HTTP server's threads share with the [`Pki`].
struct Shared {
    dir: PathBuf,
    crl_down: AtomicBool,
    tsa_down: AtomicBool,
    crl_requests: AtomicUsize,
    tsa_requests: AtomicUsize,
    /// `openssl ts -reply` one at a time (it updates the serial file).
    tsa_lock: Mutex<()>,
}

struct HttpServer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Pki {
    /// Makes the PKI in a new temporary folder (ports first: they are in the certificates),
    /// generates the (empty) CRLs and starts the HTTP server. The OCSP responder is not
    /// started: see [`Pki::start_ocsp`].
    pub fn new() -> Pki {
        assert!(
            Path::new(OPENSSL).is_file(),
            "{OPENSSL} is missing (cargo xtask setup installs Debian's openssl)"
        );
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let http_port = listener.local_addr().unwrap().port();
        // Picked while the HTTP listener is held, so the two differ.
        let ocsp_port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let shared = Arc::new(Shared {
            dir: dir.path().to_path_buf(),
            crl_down: AtomicBool::new(false),
            tsa_down: AtomicBool::new(false),
            crl_requests: AtomicUsize::new(0),
            tsa_requests: AtomicUsize::new(0),
            tsa_lock: Mutex::new(()),
        });
        let mut pki = Pki {
            dir,
            ocsp_port,
            http_port,
            ocsp: None,
            http: None,
            shared,
            root_der: Vec::new(),
            intermediate_der: Vec::new(),
            citizens: 0,
            responses: AtomicUsize::new(0),
        };
        pki.make_authorities();
        pki.gen_crls();
        pki.http = Some(HttpServer::start(listener, pki.shared.clone()));
        pki
    }

    /// The folders, the configuration and the certificates of the authorities.
    fn make_authorities(&mut self) {
        let d = self.dir.path();
        for sub in [
            "root/certs",
            "ca/certs",
            "crl",
            "citizens",
            "tsa",
            "services",
        ] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        for ca in ["root", "ca"] {
            std::fs::write(d.join(ca).join("index.txt"), "").unwrap();
            std::fs::write(d.join(ca).join("serial"), "1000\n").unwrap();
            std::fs::write(d.join(ca).join("crlnumber"), "01\n").unwrap();
        }
        std::fs::write(d.join("pki.cnf"), config(d, self.http_port, self.ocsp_port)).unwrap();
        let now = now_unix();
        let start = openssl_time(now - CA_YEARS * 365 * DAY);
        let end = openssl_time(now + CA_YEARS * 365 * DAY);
        let ca_dates = ["-startdate", start.as_str(), "-enddate", end.as_str()];

        self.genkey("root/root.key");
        self.req(
            "root/root.key",
            "/C=VN/O=eform/CN=eform test root",
            "root/root.csr",
        );
        let mut args = vec![
            "ca",
            "-batch",
            "-config",
            "pki.cnf",
            "-name",
            "CA_root",
            "-selfsign",
            "-keyfile",
            "root/root.key",
            "-extensions",
            "v3_root",
            "-notext",
            "-in",
            "root/root.csr",
            "-out",
            "root/root.pem",
        ];
        args.extend(ca_dates);
        self.run(&args);

        let issue = |pki: &Pki, ca: &str, ext: &str, key: &str, subject: &str, out: &str| {
            pki.genkey(key);
            let csr = format!("{out}.csr");
            pki.req(key, subject, &csr);
            let mut args = vec![
                "ca",
                "-batch",
                "-config",
                "pki.cnf",
                "-name",
                ca,
                "-extensions",
                ext,
                "-notext",
                "-in",
                &csr,
                "-out",
                out,
            ];
            args.extend(ca_dates);
            pki.run(&args);
        };
        issue(
            self,
            "CA_root",
            "v3_intermediate",
            "ca/ca.key",
            "/C=VN/O=eform/CN=eform test citizen CA",
            "ca/ca.pem",
        );
        issue(
            self,
            "CA_citizen",
            "v3_ocsp",
            "services/ocsp.key",
            "/C=VN/O=eform/CN=eform test OCSP responder",
            "services/ocsp.pem",
        );
        issue(
            self,
            "CA_root",
            "v3_rogue",
            "services/rogue.key",
            "/C=VN/O=eform/CN=eform test rogue responder",
            "services/rogue.pem",
        );
        issue(
            self,
            "CA_root",
            "v3_tsa",
            "services/tsa.key",
            "/C=VN/O=eform/CN=eform test TSA",
            "services/tsa.pem",
        );
        self.root_der = pem_to_der(&d.join("root/root.pem"));
        self.intermediate_der = pem_to_der(&d.join("ca/ca.pem"));
    }

    /// Issues a citizen's certificate from the intermediate: subject `C=VN`,
    /// `serialNumber=CCCD:{id_number}`, `CN={name}`; keyUsage digitalSignature+nonRepudiation
    /// (critical); OCSP at [`Pki::ocsp_url`], CRL at [`Pki::crl_url`]. `not_before` and
    /// `not_after` as for `openssl ca -startdate/-enddate`: `YYYYMMDDHHMMSSZ` (see
    /// [`openssl_time`]), so certificates can be expired or not yet valid.
    pub fn citizen(
        &mut self,
        name: &str,
        id_number: &str,
        not_before: &str,
        not_after: &str,
    ) -> Citizen {
        self.citizens += 1;
        let n = self.citizens;
        let (key, csr, pem) = (
            format!("citizens/{n}.key"),
            format!("citizens/{n}.csr"),
            format!("citizens/{n}.pem"),
        );
        self.genkey(&key);
        let subject = format!(
            "/C=VN/serialNumber=CCCD:{}/CN={}",
            subj_escape(id_number),
            subj_escape(name)
        );
        self.req(&key, &subject, &csr);
        let serial = std::fs::read_to_string(self.path("ca/serial"))
            .unwrap()
            .trim()
            .to_owned();
        self.run(&[
            "ca",
            "-batch",
            "-config",
            "pki.cnf",
            "-name",
            "CA_citizen",
            "-extensions",
            "v3_citizen",
            "-notext",
            "-startdate",
            not_before,
            "-enddate",
            not_after,
            "-in",
            &csr,
            "-out",
            &pem,
        ]);
        let cert_der = pem_to_der(&self.path(&pem));
        let key_text = std::fs::read_to_string(self.path(&key)).unwrap();
        let signing_key =
            <p256::ecdsa::SigningKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&key_text)
                .unwrap();
        let citizen = Citizen {
            cert_der,
            cert_pem: self.path(&pem),
            key_pem: self.path(&key),
            key: signing_key,
            serial,
        };
        let in_cert = hex_upper(
            citizen
                .certificate()
                .tbs_certificate
                .serial_number
                .as_bytes(),
        );
        assert_eq!(in_cert, citizen.serial, "the serial openssl ca used");
        // A running responder would answer "unknown" once from its old index.
        if let Some(mode) = self.ocsp_mode() {
            self.start_ocsp(mode);
        }
        citizen
    }

    /// A detached CAdES signature by `c` over `content` with `signing_time` written in it, as
    /// the portal's signing flow makes it (hash signed, chain citizen + intermediate).
    pub fn sign(&self, c: &Citizen, content: &[u8], signing_time: u64) -> Vec<u8> {
        use form_core::sign;
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        use x509_cert::der::Decode;
        let cert = c.certificate();
        let prepared = sign::prepare(&sign::content_digest(content), signing_time, &cert).unwrap();
        let sig: p256::ecdsa::Signature = c.key.sign_prehash(&prepared.hash).unwrap();
        let ca = x509_cert::Certificate::from_der(self.intermediate_der()).unwrap();
        sign::assemble(
            &prepared,
            sign::SignAlgo::EcdsaP256Sha256,
            sig.to_der().as_bytes(),
            &[cert, ca],
        )
        .unwrap()
    }

    /// A citizen's certificate valid from a day ago for two years.
    pub fn valid_citizen(&mut self, name: &str, id_number: &str) -> Citizen {
        let now = now_unix();
        self.citizen(
            name,
            id_number,
            &openssl_time(now - DAY),
            &openssl_time(now + 730 * DAY),
        )
    }

    /// Revokes `citizen` in the intermediate's database as of `at_unix` (seconds since the
    /// epoch, past or future; 1950–2049: `index.txt` holds a UTCTime), regenerates both CRLs
    /// and restarts a running OCSP responder (which would answer once from its old index).
    pub fn revoke(&mut self, citizen: &Citizen, at_unix: u64) {
        let pem = citizen.cert_pem.to_string_lossy().into_owned();
        self.run(&[
            "ca",
            "-batch",
            "-config",
            "pki.cnf",
            "-name",
            "CA_citizen",
            "-revoke",
            &pem,
        ]);
        // `R <expiry> <revoked>[,reason] <serial> <file> <subject>`; the subject may hold
        // escapes or raw bytes, so the lines stay bytes.
        let index = self.path("ca/index.txt");
        let text = std::fs::read(&index).unwrap();
        let when = utc_time(at_unix);
        let mut found = false;
        let mut out = Vec::with_capacity(text.len() + 16);
        for line in text.split_inclusive(|b| *b == b'\n') {
            let fields: Vec<&[u8]> = line.split(|b| *b == b'\t').collect();
            if fields.len() >= 6 && fields[0] == b"R" && fields[3] == citizen.serial.as_bytes() {
                found = true;
                let reason = fields[2]
                    .iter()
                    .position(|b| *b == b',')
                    .map_or(&b""[..], |i| &fields[2][i..]);
                let mut revoked = when.as_bytes().to_vec();
                revoked.extend_from_slice(reason);
                let mut fields = fields;
                fields[2] = &revoked;
                out.extend_from_slice(&fields.join(&b'\t'));
            } else {
                out.extend_from_slice(line);
            }
        }
        assert!(found, "serial {} not revoked in index.txt", citizen.serial);
        // A new file (new inode) renamed over the index, as openssl ca does.
        let tmp = self.path("ca/index.txt.eform");
        std::fs::write(&tmp, out).unwrap();
        std::fs::rename(&tmp, &index).unwrap();
        self.gen_crls();
        if let Some(mode) = self.ocsp_mode() {
            self.start_ocsp(mode);
        }
    }

    /// `ca.crl` (the intermediate's) and `root.crl` (the root's), DER, replaced atomically.
    fn gen_crls(&self) {
        for (name, file) in [("CA_citizen", "ca"), ("CA_root", "root")] {
            let pem = format!("crl/{file}.crl.pem");
            let tmp = format!("crl/{file}.crl.tmp");
            self.run(&[
                "ca", "-batch", "-config", "pki.cnf", "-name", name, "-gencrl", "-crlexts",
                "crl_ext", "-out", &pem,
            ]);
            self.run(&["crl", "-in", &pem, "-outform", "DER", "-out", &tmp]);
            std::fs::rename(self.path(&tmp), self.path(&format!("crl/{file}.crl"))).unwrap();
        }
    }

    /// Starts the OCSP responder on [`Pki::ocsp_port`] (stopping a running one first) and
    /// returns once it accepts connections. It answers for the intermediate's certificates
    /// from `index.txt`, with nextUpdate 5 minutes after thisUpdate, echoing nonces.
    pub fn start_ocsp(&mut self, mode: OcspMode) {
        self.stop_ocsp();
        let (signer, key) = match mode {
            OcspMode::Good | OcspMode::Stale => ("services/ocsp.pem", "services/ocsp.key"),
            OcspMode::WrongResponder => ("services/rogue.pem", "services/rogue.key"),
        };
        let log = std::fs::File::create(self.path("services/ocsp.log")).unwrap();
        let mut c = Command::new(OPENSSL);
        c.args(["ocsp", "-index", "ca/index.txt", "-port"])
            .arg(self.ocsp_port.to_string())
            .args(["-rsigner", signer, "-rkey", key, "-CA", "ca/ca.pem"])
            // -timeout: an idle client cannot hold the (one-at-a-time) responder.
            .args(["-nmin", "5", "-ignore_err", "-timeout", "5"])
            .current_dir(self.dir.path())
            .env("OPENSSL_CONF", self.path("pki.cnf"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        if mode == OcspMode::Stale {
            // Absolute, from this process's clock (itself possibly moved by libfaketime).
            let then = now_unix() - 2 * DAY;
            let (y, m, d) = form_core::expr::civil_from_days((then / DAY) as i64);
            let s = then % DAY;
            c.env("LD_PRELOAD", libfaketime())
                .env(
                    "FAKETIME",
                    format!(
                        "@{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
                        s / 3600,
                        s / 60 % 60,
                        s % 60
                    ),
                )
                .env("TZ", "UTC")
                .env_remove("FAKETIME_TIMESTAMP_FILE");
        }
        let mut child = c.spawn().expect("starting openssl ocsp");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !http_answers(self.ocsp_port) {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "openssl ocsp exited ({status}):\n{}",
                    std::fs::read_to_string(self.path("services/ocsp.log")).unwrap_or_default()
                );
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "openssl ocsp did not listen on port {} in 10 s",
                    self.ocsp_port
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.ocsp = Some((child, mode));
    }

    /// Stops the OCSP responder, if it runs: its port then refuses connections.
    pub fn stop_ocsp(&mut self) {
        if let Some((mut child, _)) = self.ocsp.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The running OCSP responder's mode, if it runs.
    pub fn ocsp_mode(&self) -> Option<OcspMode> {
        self.ocsp.as_ref().map(|(_, mode)| *mode)
    }

    /// Stops the HTTP server (CRLs and TSA): its port then refuses connections.
    pub fn stop_http(&mut self) {
        if let Some(mut server) = self.http.take() {
            server.stop(self.http_port);
        }
    }

    /// Starts the HTTP server again on the same port (it starts with [`Pki::new`]).
    pub fn start_http(&mut self) {
        if self.http.is_none() {
            let listener = TcpListener::bind(("127.0.0.1", self.http_port)).unwrap();
            self.http = Some(HttpServer::start(listener, self.shared.clone()));
        }
    }

    /// Makes the HTTP server answer 503 to CRL requests (`true`) or serve them (`false`).
    pub fn set_crl_unavailable(&self, down: bool) {
        self.shared.crl_down.store(down, Ordering::SeqCst);
    }

    /// Makes the HTTP server answer 503 to time-stamp requests (`true`) or serve them.
    pub fn set_tsa_unavailable(&self, down: bool) {
        self.shared.tsa_down.store(down, Ordering::SeqCst);
    }

    /// Both of the above: the CRLs and the TSA answer 503 (`true`) or are served (`false`).
    pub fn set_unavailable(&self, down: bool) {
        self.set_crl_unavailable(down);
        self.set_tsa_unavailable(down);
    }

    /// CRL requests received so far (either CRL, including those answered 503).
    pub fn crl_requests(&self) -> usize {
        self.shared.crl_requests.load(Ordering::SeqCst)
    }

    /// Time-stamp requests received so far (including those answered 503).
    pub fn tsa_requests(&self) -> usize {
        self.shared.tsa_requests.load(Ordering::SeqCst)
    }

    /// Runs `openssl args…` in the PKI's folder (relative paths resolve there) with its
    /// configuration as `OPENSSL_CONF`; the output whatever the exit status.
    pub fn openssl(&self, args: &[&str]) -> Output {
        Command::new(OPENSSL)
            .args(args)
            .current_dir(self.dir.path())
            .env("OPENSSL_CONF", self.path("pki.cnf"))
            .stdin(Stdio::null())
            .output()
            .expect("running openssl")
    }

    /// `openssl args…` as [`Pki::openssl`], panicking with its stderr when it fails; stdout.
    fn run(&self, args: &[&str]) -> Vec<u8> {
        let out = self.openssl(args);
        assert!(
            out.status.success(),
            "openssl {} failed ({}):\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// A P-256 key (PKCS#8 PEM) at `path`.
    fn genkey(&self, path: &str) {
        self.run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-pkeyopt",
            "ec_param_enc:named_curve",
            "-out",
            path,
        ]);
    }

    /// A certificate request (UTF-8 subject) for `key`.
    fn req(&self, key: &str, subject: &str, out: &str) {
        self.run(&[
            "req", "-new", "-config", "pki.cnf", "-utf8", "-key", key, "-subj", subject, "-out",
            out,
        ]);
    }

    /// A path in the PKI's folder.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The PKI's folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The root certificate's PEM file (a trust store for the portal's `--trust-store`).
    pub fn root_pem(&self) -> PathBuf {
        self.path("root/root.pem")
    }

    /// The root certificate, DER.
    pub fn root_der(&self) -> &[u8] {
        &self.root_der
    }

    /// The intermediate ("eform test citizen CA") certificate's PEM file.
    pub fn intermediate_pem(&self) -> PathBuf {
        self.path("ca/ca.pem")
    }

    /// The intermediate certificate, DER.
    pub fn intermediate_der(&self) -> &[u8] {
        &self.intermediate_der
    }

    /// The OCSP responder certificate's PEM file (issued by the intermediate).
    pub fn ocsp_responder_pem(&self) -> PathBuf {
        self.path("services/ocsp.pem")
    }

    /// The rogue responder certificate's PEM file (issued by the root, no OCSPSigning).
    pub fn rogue_pem(&self) -> PathBuf {
        self.path("services/rogue.pem")
    }

    /// The TSA certificate's PEM file (issued by the root).
    pub fn tsa_pem(&self) -> PathBuf {
        self.path("services/tsa.pem")
    }

    /// The TSA certificate, DER.
    pub fn tsa_der(&self) -> Vec<u8> {
        pem_to_der(&self.tsa_pem())
    }

    /// The intermediate's current CRL (`ca.crl`), DER, as served.
    pub fn crl_der(&self) -> Vec<u8> {
        std::fs::read(self.path("crl/ca.crl")).unwrap()
    }

    /// The root's current CRL (`root.crl`), DER, as served.
    pub fn root_crl_der(&self) -> Vec<u8> {
        std::fs::read(self.path("crl/root.crl")).unwrap()
    }

    /// An OCSP response (DER) for `citizen` from the running responder, as it answers in its
    /// current mode (fetched with `openssl ocsp … -respout`, not checked; no nonce).
    pub fn ocsp_response_der(&self, citizen: &Citizen) -> Vec<u8> {
        let n = self.responses.fetch_add(1, Ordering::SeqCst) + 1;
        let out = format!("services/response{n}.der");
        let cert = citizen.cert_pem.to_string_lossy();
        let url = self.ocsp_url();
        let answer = self.openssl(&[
            "ocsp",
            "-issuer",
            "ca/ca.pem",
            "-cert",
            &cert,
            "-url",
            &url,
            "-no_nonce",
            "-noverify",
            "-timeout",
            "10",
            "-respout",
            &out,
        ]);
        std::fs::read(self.path(&out)).unwrap_or_else(|_| {
            panic!(
                "no OCSP response from {url}:\n{}",
                String::from_utf8_lossy(&answer.stderr)
            )
        })
    }

    /// The OCSP responder's port.
    pub fn ocsp_port(&self) -> u16 {
        self.ocsp_port
    }

    /// The HTTP server's port (CRLs and TSA).
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// The OCSP URL in the citizens' authorityInfoAccess: `http://127.0.0.1:{port}`.
    pub fn ocsp_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ocsp_port)
    }

    /// The intermediate's CRL, in the citizens' crlDistributionPoints.
    pub fn crl_url(&self) -> String {
        format!("http://127.0.0.1:{}/ca.crl", self.http_port)
    }

    /// The root's CRL, in the intermediate's crlDistributionPoints.
    pub fn root_crl_url(&self) -> String {
        format!("http://127.0.0.1:{}/root.crl", self.http_port)
    }

    /// The TSA (RFC 3161 over HTTP, `POST`).
    pub fn tsa_url(&self) -> String {
        format!("http://127.0.0.1:{}/tsa", self.http_port)
    }
}

impl Default for Pki {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        self.stop_ocsp();
        self.stop_http();
    }
}

impl HttpServer {
    fn start(listener: TcpListener, shared: Arc<Shared>) -> HttpServer {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &shared);
                });
            }
        });
        HttpServer {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops accepting (a connection wakes the accepting thread) and closes the listener.
    fn stop(&mut self, port: u16) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One request on a connection: `GET /ca.crl`, `GET /root.crl`, `POST /tsa`.
fn handle(mut s: TcpStream, shared: &Shared) -> std::io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > 64 * 1024 {
            return respond(&mut s, 431, "text/plain", b"header too large");
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("").to_owned();
    let target = request_line.next().unwrap_or("").to_owned();
    let (mut length, mut content_type, mut chunked) = (0usize, String::new(), false);
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "content-type" => content_type = v.trim().to_ascii_lowercase(),
                "transfer-encoding" => chunked = true,
                _ => {}
            }
        }
    }
    if chunked {
        return respond(&mut s, 411, "text/plain", b"content-length required");
    }
    if length > 1 << 20 {
        return respond(&mut s, 413, "text/plain", b"too large");
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    let path = target.split('?').next().unwrap_or("");
    match (method.as_str(), path) {
        ("GET", "/ca.crl" | "/root.crl") => {
            shared.crl_requests.fetch_add(1, Ordering::SeqCst);
            if shared.crl_down.load(Ordering::SeqCst) {
                return respond(&mut s, 503, "text/plain", b"CRL unavailable");
            }
            match std::fs::read(shared.dir.join("crl").join(&path[1..])) {
                Ok(crl) => respond(&mut s, 200, "application/pkix-crl", &crl),
                Err(_) => respond(&mut s, 404, "text/plain", b"no such CRL"),
            }
        }
        ("POST", "/tsa") => {
            let n = shared.tsa_requests.fetch_add(1, Ordering::SeqCst);
            if shared.tsa_down.load(Ordering::SeqCst) {
                return respond(&mut s, 503, "text/plain", b"TSA unavailable");
            }
            if !content_type.starts_with("application/timestamp-query") {
                return respond(
                    &mut s,
                    415,
                    "text/plain",
                    b"application/timestamp-query only",
                );
            }
            let query = shared.dir.join(format!("tsa/q{n}.tsq"));
            let reply = shared.dir.join(format!("tsa/r{n}.tsr"));
            std::fs::write(&query, &body)?;
            let out = {
                let _one = shared.tsa_lock.lock().unwrap_or_else(|e| e.into_inner());
                Command::new(OPENSSL)
                    .args(["ts", "-reply", "-config", "pki.cnf", "-queryfile"])
                    .arg(&query)
                    .arg("-out")
                    .arg(&reply)
                    .current_dir(&shared.dir)
                    .env("OPENSSL_CONF", shared.dir.join("pki.cnf"))
                    .stdin(Stdio::null())
                    .output()?
            };
            match std::fs::read(&reply) {
                Ok(r) if out.status.success() => {
                    respond(&mut s, 200, "application/timestamp-reply", &r)
                }
                _ => respond(&mut s, 500, "text/plain", &out.stderr),
            }
        }
        _ => respond(&mut s, 404, "text/plain", b"not found"),
    }
}

fn respond(s: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    s.flush()
}

/// Whether something accepts connections on `127.0.0.1:port`. Not for a running OCSP
/// responder: OpenSSL 3.0's `openssl ocsp` spins for ever on a connection closed before a
/// request (and answers nobody after it).
pub fn port_open(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// Whether an HTTP server answers `GET /` on `127.0.0.1:port` (the OCSP responder answers
/// an empty 200; a bare connection would wedge it, see [`port_open`]).
fn http_answers(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut answer = Vec::new();
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").is_ok()
        && s.read_to_end(&mut answer).is_ok()
        && answer.starts_with(b"HTTP/")
}

/// Now, in seconds since the epoch (this process's clock).
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `unix` as `openssl ca -startdate/-enddate` takes it: `YYYYMMDDHHMMSSZ` (UTC).
pub fn openssl_time(unix: u64) -> String {
    let (y, m, d) = form_core::expr::civil_from_days((unix / DAY) as i64);
    let s = unix % DAY;
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `unix` as a UTCTime, `YYMMDDHHMMSSZ` (the revocation field of `index.txt`).
fn utc_time(unix: u64) -> String {
    let full = openssl_time(unix);
    let year: u32 = full[..4].parse().unwrap();
    assert!(
        (1950..2050).contains(&year),
        "index.txt revocation times are UTCTime (1950–2049), not {year}"
    );
    full[2..].to_owned()
}

/// Escapes `\`, `/`, `+` and `=` for `openssl req -subj`.
fn subj_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '/' | '+' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The DER of a PEM certificate file.
pub fn pem_to_der(path: &Path) -> Vec<u8> {
    use x509_cert::der::{DecodePem, Encode};
    let pem = std::fs::read_to_string(path).unwrap();
    x509_cert::Certificate::from_pem(pem.as_bytes())
        .unwrap()
        .to_der()
        .unwrap()
}

/// libfaketime's library (Debian's `faketime` package).
fn libfaketime() -> PathBuf {
    let found = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path().join("faketime/libfaketime.so.1"))
        .find(|p| p.is_file());
    found.expect("libfaketime is missing: cargo xtask setup installs Debian's faketime")
}

/// The `openssl ca`, `req` and `ts` configuration of the PKI in `dir`.
fn config(dir: &Path, http_port: u16, ocsp_port: u16) -> String {
    let dir = dir.display();
    let ca = |name: &str, sub: &str, cert: &str| {
        format!(
            "[ {name} ]
dir = {dir}/{sub}
database = $dir/index.txt
new_certs_dir = $dir/certs
certificate = $dir/{cert}.pem
private_key = $dir/{cert}.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 7
policy = policy_any
unique_subject = no
preserve = yes
email_in_dn = no
copy_extensions = none
"
        )
    };
    format!(
        "# The eform test PKI (portal/tests/common/pki.rs).
[ req ]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes

[ req_dn ]

[ ca ]
default_ca = CA_citizen

{root}
{citizen}
[ policy_any ]
countryName = optional
organizationName = optional
serialNumber = optional
commonName = optional

[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_intermediate ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:http://127.0.0.1:{http_port}/root.crl

[ v3_ocsp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_rogue ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_tsa ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_citizen ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:{ocsp_port}
crlDistributionPoints = URI:http://127.0.0.1:{http_port}/ca.crl

[ crl_ext ]
authorityKeyIdentifier = keyid:always

[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {dir}
serial = $dir/tsa/serial
crypto_device = builtin
signer_cert = $dir/services/tsa.pem
certs = $dir/root/root.pem
signer_key = $dir/services/tsa.key
signer_digest = sha256
default_policy = {TSA_POLICY}
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
",
        root = ca("CA_root", "root", "root"),
        citizen = ca("CA_citizen", "ca", "ca"),
    )
}

//! Fetching the revocation data a signature's validation wants (design §5; review H2): for each
//! certificate of the path below the trust anchor, an OCSP answer (RFC 6960, HTTP POST, with a
//! fresh nonce) when the certificate names a responder, else — or when the responder gives no
//! usable answer — the CRLs of its distribution points (RFC 5280, HTTP GET). The development
//! CA answers in process. The addresses come only from certificates whose path to the trust
//! store was verified (CAs' own URLs), never from the citizen.
//!
//! Cached per process: a usable OCSP answer for at most [`OCSP_CACHE_S`] and never past its
//! `nextUpdate` (so a revocation shows within minutes), a CRL until its `nextUpdate`. What could
//! not be fetched is named in the evidence (the report says why it is INDETERMINATE).

use form_core::sign::revocation::{self, Evidence, Fetched, Freshness, OcspAnswer};
use form_core::sign::{Need, TrustStore};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How long a usable OCSP answer is reused (seconds).
pub const OCSP_CACHE_S: u64 = 300;
/// How many OCSP answers are kept at most (expired ones go first).
const MAX_CACHED: usize = 10_000;
/// The largest OCSP answer and CRL read.
const MAX_OCSP: usize = 64 * 1024;
const MAX_CRL: usize = 16 * 1024 * 1024;

/// Answers kept by key: (DER, usable until, seconds).
type Cache<K> = Mutex<HashMap<K, (Vec<u8>, u64)>>;

pub struct Revocation {
    client: reqwest::Client,
    /// OCSP answers by the SHA-256 of the certificate.
    ocsp: Cache<[u8; 32]>,
    /// CRLs by address.
    crls: Cache<String>,
}

impl Default for Revocation {
    fn default() -> Self {
        Revocation::new(Duration::from_secs(5))
    }
}

fn cert_hash(cert: &x509_cert::Certificate) -> [u8; 32] {
    use sha2::Digest;
    use x509_cert::der::Encode;
    cert.to_der()
        .map(|d| sha2::Sha256::digest(&d).into())
        .unwrap_or_default()
}

fn now_s() -> u64 {
    u64::try_from(crate::clock::now_ms() / 1000).unwrap_or_default()
}

impl Revocation {
    /// A fetcher whose every request gives up after `timeout`.
    pub fn new(timeout: Duration) -> Revocation {
        let client = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Revocation {
            client,
            ocsp: Mutex::new(HashMap::new()),
            crls: Mutex::new(HashMap::new()),
        }
    }

    /// Empties the caches (tests, and `cargo xtask bench sign`'s uncached figure).
    pub fn forget(&self) {
        if let Ok(mut c) = self.ocsp.lock() {
            c.clear();
        }
        if let Ok(mut c) = self.crls.lock() {
            c.clear();
        }
    }

    /// The revocation data for `signature`'s path, fetched now (or from the caches).
    pub async fn evidence(
        &self,
        signature: &[u8],
        trust: &TrustStore,
        dev: Option<&crate::bridge::dev::DevSigner>,
    ) -> Evidence {
        let mut evidence = Evidence::default();
        for need in form_core::sign::revocation_needs(signature, trust) {
            self.gather(&need, dev, &mut evidence).await;
        }
        evidence
    }

    async fn gather(
        &self,
        need: &Need,
        dev: Option<&crate::bridge::dev::DevSigner>,
        evidence: &mut Evidence,
    ) {
        let now = now_s();
        let usable = |f: &Fetched| match f {
            Fetched::Ocsp(a) => {
                revocation::ocsp_status(a, &need.cert, &need.issuer, now, Freshness::default()).ok()
            }
            Fetched::Crl(der) => {
                revocation::crl_status(der, &need.cert, &need.issuer, now, Freshness::default())
                    .ok()
            }
        };
        let mut nonce = [0u8; 16];
        if getrandom::fill(&mut nonce).is_err() {
            evidence
                .unreachable
                .push("(no randomness for an OCSP nonce)".into());
            return;
        }
        if let Some(f) = dev.and_then(|d| d.revocation(need, &nonce)) {
            push(evidence, f);
            return;
        }
        // OCSP: the cache, else each responder in turn.
        let key = cert_hash(&need.cert);
        let cached = self
            .ocsp
            .lock()
            .ok()
            .and_then(|c| c.get(&key).filter(|(_, until)| *until > now).cloned());
        if let Some((der, _)) = cached {
            evidence.ocsp.push(OcspAnswer { der, nonce: None });
            return;
        }
        for url in &need.sources.ocsp {
            match self.ask_ocsp(url, need, &nonce).await {
                Ok(der) => {
                    let answer = Fetched::Ocsp(OcspAnswer {
                        der: der.clone(),
                        nonce: Some(nonce.to_vec()),
                    });
                    let found = usable(&answer);
                    push(evidence, answer);
                    if let Some(found) = found {
                        let until = found
                            .next_update
                            .unwrap_or(now + OCSP_CACHE_S)
                            .min(now + OCSP_CACHE_S);
                        if let Ok(mut c) = self.ocsp.lock() {
                            if c.len() >= MAX_CACHED {
                                c.retain(|_, (_, u)| *u > now);
                                if c.len() >= MAX_CACHED {
                                    c.clear();
                                }
                            }
                            c.insert(key, (der, until));
                        }
                        return;
                    }
                }
                Err(e) => evidence.unreachable.push(format!("{url}: {e}")),
            }
        }
        // CRLs.
        for url in &need.sources.crls {
            let cached = self
                .crls
                .lock()
                .ok()
                .and_then(|c| c.get(url).filter(|(_, until)| *until > now).cloned());
            if let Some((der, _)) = cached {
                evidence.crls.push(der);
                return;
            }
            match self.get(url, MAX_CRL).await {
                Ok(der) => {
                    let answer = Fetched::Crl(der.clone());
                    let found = usable(&answer);
                    push(evidence, answer);
                    if let Some(found) = found {
                        if let Some(until) = found.next_update
                            && let Ok(mut c) = self.crls.lock()
                        {
                            if c.len() > 256 {
                                c.clear();
                            }
                            c.insert(url.clone(), (der, until));
                        }
                        return;
                    }
                }
                Err(e) => evidence.unreachable.push(format!("{url}: {e}")),
            }
        }
    }

    /// Asks the time-stamping authority at `url` (RFC 3161 over HTTP) for a token over the
    /// signature value of `cms`; gives `cms` with the token as its signature-time-stamp
    /// (CAdES B-T). The token's own checks are the verifier's.
    pub async fn stamp(&self, url: &str, cms: &[u8]) -> Result<Vec<u8>, String> {
        use form_core::sign::timestamp;
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|e| e.to_string())?;
        // A positive INTEGER: the first byte's high bit clear, and not zero.
        nonce[0] = (nonce[0] & 0x7f) | 0x01;
        let request = timestamp::request(cms, &nonce).map_err(|e| e.to_string())?;
        let res = self
            .client
            .post(url)
            .header("content-type", "application/timestamp-query")
            .header("accept", "application/timestamp-reply")
            .body(request.clone())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let answer = read(res, MAX_OCSP).await?;
        let token =
            timestamp::response_token(&answer, &request).map_err(|p| p.message.en.clone())?;
        timestamp::with_timestamp(cms, &token).map_err(|e| e.to_string())
    }

    async fn ask_ocsp(&self, url: &str, need: &Need, nonce: &[u8]) -> Result<Vec<u8>, String> {
        let request =
            revocation::ocsp_request(&need.cert, &need.issuer, nonce).map_err(|e| e.to_string())?;
        let res = self
            .client
            .post(url)
            .header("content-type", "application/ocsp-request")
            .header("accept", "application/ocsp-response")
            .body(request)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        read(res, MAX_OCSP).await
    }

    async fn get(&self, url: &str, max: usize) -> Result<Vec<u8>, String> {
        let res = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        read(res, max).await
    }
}

fn push(evidence: &mut Evidence, f: Fetched) {
    match f {
        Fetched::Ocsp(a) => evidence.ocsp.push(a),
        Fetched::Crl(d) => evidence.crls.push(d),
    }
}

async fn read(mut res: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    if !res.status().is_success() {
        return Err(format!("HTTP {}", res.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > max {
            return Err(format!("answer larger than {max} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

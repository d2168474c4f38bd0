//! How the portal runs: its configuration, production by default (it fails closed), with what
//! each part is given.

use std::path::PathBuf;
use std::time::Duration;

/// How the portal runs. The default is production: it fails closed, and
/// [`Config::development`] is asked for by name (`eform serve --dev`).
#[derive(Clone, Debug)]
pub struct Config {
    /// Development mode: demo users, the sign-in page lists them, `/dev/*` routes, the
    /// development signer's CA trusted. Never the default.
    pub dev: bool,
    /// The agency code of forms that name none.
    pub default_agency: String,
    /// The portal's public address (`https://…`): the identity provider's redirect address, the
    /// QR codes of receipts. Required in production.
    pub public_url: Option<String>,
    /// Where the development signer keeps its test CA and keys (development mode only; none:
    /// no signing provider).
    pub signer_dir: Option<PathBuf>,
    /// Trusted certificates for dossier signatures (PEM; self-signed ones are the roots, the
    /// others CAs below them). Required in production.
    pub trust_store: Option<PathBuf>,
    /// The signing provider of a deployment (none: the development signer in development
    /// mode, no signing otherwise).
    pub signing: Option<Signing>,
    /// The identity provider (OpenID Connect) citizens and officials sign in through. Required
    /// in production.
    pub oidc: Option<crate::oidc::Settings>,
    /// The agency directory (a JSON file: `[{"code", "name": {"vi", "en"}}]`), loaded into the
    /// database at start. Production needs agencies, from this file or already stored.
    pub agencies: Option<PathBuf>,
    /// How long a form version still takes new dossiers after a later version is recorded
    /// (drafts already started), in milliseconds; 0 retires it at once.
    pub form_grace_ms: i64,
    /// Origins of host portals that embed forms through their own reverse proxy: their
    /// state-changing requests are accepted (see `csrf`).
    pub allowed_origins: Vec<String>,
    /// The rate limits (see `limits`).
    pub rates: crate::limits::Rates,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How webhooks are delivered (see `webhooks`).
    pub delivery: Delivery,
    /// How dossier signatures are validated (see `signatures`).
    pub signatures: Policy,
    /// The key file of drafts saved on the portal (see `drafts`). Development mode without one:
    /// a key of the process's own; production without one: drafts stay in browsers.
    pub draft_key: Option<PathBuf>,
}

/// The default grace window of a superseded form version: a day.
pub const DEFAULT_FORM_GRACE_MS: i64 = 24 * 3600 * 1000;

/// A remote signing provider and its settings.
#[derive(Clone, Debug)]
pub enum Signing {
    Csc(crate::bridge::csc::Settings),
    Esign(crate::bridge::esign::Settings),
}

impl Default for Config {
    /// Production, with nothing configured: [`Config::problems`] names what is missing.
    fn default() -> Self {
        Config {
            dev: false,
            default_agency: "000.00.18.H56".into(),
            public_url: None,
            signer_dir: None,
            trust_store: None,
            signing: None,
            oidc: None,
            agencies: None,
            form_grace_ms: DEFAULT_FORM_GRACE_MS,
            allowed_origins: Vec::new(),
            rates: crate::limits::Rates::default(),
            trusted_proxies: Vec::new(),
            delivery: Delivery::default(),
            signatures: Policy::default(),
            draft_key: None,
        }
    }
}

impl Config {
    /// Development mode: demo users and agencies, `/dev/*`, the development signer (with
    /// `signer_dir`).
    pub fn development() -> Self {
        Config {
            dev: true,
            ..Config::default()
        }
    }

    /// What a production configuration lacks, one line each (empty: complete). Development
    /// mode needs nothing.
    pub fn problems(&self) -> Vec<String> {
        if self.dev {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.oidc.is_none() {
            out.push(
                "no identity provider: give --oidc-issuer and --oidc-client-id, and the client secret in EFORM_OIDC_CLIENT_SECRET"
                    .to_owned(),
            );
        }
        if let Some(o) = &self.oidc {
            out.extend(o.problems());
        }
        match self.public_url.as_deref() {
            None => out.push(
                "no public address: give --public-url https://… (the identity provider returns citizens there)"
                    .to_owned(),
            ),
            Some(u) if !crate::oidc::secure_url(u) => out.push(format!(
                "--public-url {u} must be https:// (plain http only on a loopback address)"
            )),
            Some(_) => {}
        }
        if self.trust_store.is_none() {
            out.push(
                "no trust store: give --trust-store FILE (the licensed CAs' certificates that dossier signatures must lead to)"
                    .to_owned(),
            );
        }
        out
    }
}

/// How deliveries to agencies' systems are paced (see `webhooks`).
#[derive(Clone, Debug)]
pub struct Delivery {
    /// How often each instance looks for new events and due deliveries.
    pub every: Duration,
    /// The first retry's delay; each next one doubles, up to `retry_max`, times a jitter of
    /// 0.5–1.5.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// After this long without success a delivery is dead.
    pub give_up: Duration,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// How long a worker holds a delivery it is calling for (longer than `timeout`).
    pub lease: Duration,
    /// Deliveries called at once per instance.
    pub batch: i64,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            every: Duration::from_millis(250),
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(3 * 3600),
            give_up: Duration::from_secs(26 * 3600),
            timeout: Duration::from_secs(15),
            lease: Duration::from_secs(35),
            batch: 16,
        }
    }
}

/// What becomes of a signature whose revocation status cannot be had now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnTryLater {
    /// Accept the dossier, flag the signature for the official, check again.
    Hold,
    /// Refuse the submission (the citizen tries again later).
    Refuse,
}

/// The signature validation policy (`eform serve --signing-window … --on-revocation-unknown …`).
#[derive(Clone, Debug)]
pub struct Policy {
    /// How long before the receipt the claimed signing time may lie (seconds).
    pub signing_window_s: u64,
    pub on_try_later: OnTryLater,
    /// The time-stamping authority (RFC 3161 over HTTP) asked for a signature-time-stamp over
    /// each accepted signature (CAdES B-T); none: signatures are kept as B-B.
    pub tsa_url: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            signing_window_s: form_core::sign::verify::SIGNING_WINDOW,
            on_try_later: OnTryLater::Hold,
            tsa_url: None,
        }
    }
}

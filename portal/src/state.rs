//! What the handlers share (`AppState`, axum's state), and the client's address as the
//! handlers see it. Built by `startup`; every feature module takes it, none is taken by it.

use crate::catalog::Catalog;
use crate::config::Config;
use crate::db::Db;
use crate::writer::Writer;
use axum::http::HeaderMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    /// Where the built web apps are (`app/`, `builder/`).
    pub web_dir: PathBuf,
    pub db: Db,
    /// The intake queue (group commit of submissions and amendments).
    pub writer: Writer,
    pub config: Arc<Config>,
    /// The certification-portal bridge (signing).
    pub bridge: Arc<crate::bridge::Bridge>,
    /// What signatures on dossiers must lead to: `--trust-store` and, in development mode, the
    /// development signer's CA.
    pub trust: Arc<form_core::sign::TrustStore>,
    /// The agency directory (names by code).
    pub agencies: Arc<crate::agencies::Directory>,
    /// The identity provider (production); none in development mode without one.
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
    /// The rate limits' counters.
    pub limits: Arc<crate::limits::Limits>,
    /// The key of the signed links to attachments (from the database, on first use).
    pub link_key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
    /// Revocation data for signature validation, fetched and cached (see `revocation`).
    pub revocation: Arc<crate::revocation::Revocation>,
    /// The key drafts saved on the portal are sealed with (none: drafts stay in browsers).
    pub drafts: Option<Arc<crate::seal::Sealer>>,
}

/// The client's address: the connection's peer, or — when the peer is one of the trusted
/// proxies (`--trusted-proxy`) — the last address of `X-Forwarded-For` that is not one of them.
pub fn client_address(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> String {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let Some(peer) = peer else {
        return "local".into();
    };
    let trusted = |ip: &std::net::IpAddr| state.config.trusted_proxies.contains(ip);
    let ip = if trusted(&peer) {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .rev()
            .find(|ip| !trusted(ip))
            .unwrap_or(peer)
    } else {
        peer
    };
    // An IPv6 client holds a whole /64: count it as one.
    match ip {
        std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        other => other.to_string(),
    }
}

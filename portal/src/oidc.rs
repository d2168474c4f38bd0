//! Sign-in through an OpenID Connect provider: the national single sign-on (VNeID through the
//! national public-service portal) in production; the tests run a real provider
//! (`oidc-provider`, `tests/oidc/provider.mjs`).
//!
//! The authorization code flow with PKCE (S256), `state` and `nonce`, as the `openidconnect`
//! crate does it: the provider found through `/.well-known/openid-configuration`, the ID token's
//! signature checked against its JWKS (RS256 or ES256 only; an unknown key id fetches the JWKS
//! again, once, so that keys the provider rotates are followed), `iss`, `aud`, `exp`, `nonce`
//! checked by the crate and `iat` here. The PKCE verifier and the nonce of a sign-in in flight
//! stay in the database (`oidc_logins`, keyed by the SHA-256 of `state`), so any instance
//! finishes what another started; the browser holds only `state`, in a short-lived cookie that
//! binds the way back to the browser that left. The HTTP client follows no redirects.
//!
//! What a provider's claims mean to eform is configuration ([`ClaimNames`]): which claim holds
//! the 12-digit personal ID number, the display name, the role and agency of officials, and the
//! assurance levels (`acr`) that let a citizen in. VNeID's claim names are not public: the
//! defaults are assumptions, to be confirmed with the national SSO's integration contract.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreResponseType,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationContextClass, AuthenticationFlow, AuthorizationCode,
    ClaimsVerificationError, Client, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields,
    EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IdTokenFields,
    IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a sign-in may take at the provider before its way back is refused.
pub const LOGIN_MAX_AGE_MS: i64 = 10 * 60 * 1000;
/// How far an ID token's `iat` may lie ahead of our clock (the provider's clock may run ahead)
/// and how old it may be.
const IAT_AHEAD_S: i64 = 120;
const IAT_MAX_AGE_S: i64 = 10 * 60;
/// Discovery (with the JWKS) is fetched again at most this often for unknown key ids.
const REDISCOVER_AFTER: Duration = Duration::from_secs(30);
/// …and in any case when older than this (a key the provider withdrew stops being trusted).
const DISCOVERY_LIFETIME: Duration = Duration::from_secs(3600);

/// Which claims carry what eform needs.
#[derive(Clone, Debug)]
pub struct ClaimNames {
    /// The 12-digit personal ID number (CCCD) of the person.
    pub personal_id: String,
    /// The display name.
    pub name: String,
    /// The role (`official` for officials; anything else or absent: citizen).
    pub role: String,
    /// An official's agency code (in the agency directory).
    pub agency: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        ClaimNames {
            personal_id: "personal_id".into(),
            name: "name".into(),
            role: "eform_role".into(),
            agency: "agency_code".into(),
        }
    }
}

/// The identity provider's settings. `Debug` leaves the secret out.
#[derive(Clone)]
pub struct Settings {
    /// The issuer URL (discovery at `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    /// From `EFORM_OIDC_CLIENT_SECRET` only.
    pub client_secret: String,
    pub claims: ClaimNames,
    /// The `acr` values that let anyone in (officials too); production needs at least one.
    pub citizen_acr: Vec<String>,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("claims", &self.claims)
            .field("citizen_acr", &self.citizen_acr)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Settings {
    /// What these settings lack, one line each.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !secure_url(&self.issuer) {
            out.push(format!(
                "--oidc-issuer {} must be https:// (plain http only on a loopback address)",
                self.issuer
            ));
        }
        if self.client_id.trim().is_empty() {
            out.push("no --oidc-client-id".to_owned());
        }
        if self.client_secret.is_empty() {
            out.push("no client secret: set EFORM_OIDC_CLIENT_SECRET".to_owned());
        }
        if self.citizen_acr.is_empty() {
            out.push(
                "no assurance level: give --oidc-citizen-acr (the acr value of the level dossiers need, e.g. VNeID level 2)"
                    .to_owned(),
            );
        }
        out
    }
}

/// `https://…`, or `http://` to a loopback address (a provider or portal on this machine).
pub fn secure_url(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    match u.scheme() {
        "https" => u.host_str().is_some(),
        "http" => match u.host() {
            Some(openidconnect::url::Host::Domain(d)) => d == "localhost",
            Some(openidconnect::url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(openidconnect::url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// Claims beyond the standard ones, as they come (the names are configuration).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Extra {
    #[serde(flatten)]
    pub claims: serde_json::Map<String, Value>,
}

impl AdditionalClaims for Extra {}

type Fields = IdTokenFields<
    Extra,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type Token =
    IdToken<Extra, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type OidcClient = Client<
    Extra,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider as discovered: the client (with the JWKS) and where to sign out.
struct Discovered {
    client: OidcClient,
    end_session: Option<EndSessionUrl>,
    at: Instant,
}

/// Why a sign-in did not finish.
#[derive(Debug)]
pub enum Failure {
    /// The provider could not be reached or answered nonsense: try again later (503).
    Unavailable(String),
    /// The provider's answer was refused: a bad or replayed code, a token that does not verify
    /// (401). The text is for the log.
    Refused(String),
    /// The person is known but may not sign in here (403): the text is for them.
    NotAllowed(form_core::Text),
}

/// Who the provider says signed in.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The provider's subject identifier.
    pub subject: String,
    pub personal_id: Option<String>,
    pub name: Option<String>,
    pub acr: Option<String>,
    pub role: Option<String>,
    pub agency: Option<String>,
    /// The ID token as received (the hint when signing out at the provider).
    pub id_token: String,
}

/// A sign-in about to leave for the provider.
pub struct Begun {
    /// The provider's authorization URL to redirect the browser to.
    pub url: String,
    /// The `state` value (the browser keeps it in a cookie; the database its hash).
    pub state: String,
    pub verifier: String,
    pub nonce: String,
}

/// The portal's side of OpenID Connect.
pub struct Oidc {
    settings: Settings,
    redirect: RedirectUrl,
    post_logout: Option<PostLogoutRedirectUrl>,
    http: reqwest::Client,
    discovered: tokio::sync::RwLock<Option<Arc<Discovered>>>,
    /// When the keys were last fetched again because a token named an unknown one.
    refreshed: std::sync::Mutex<Option<Instant>>,
}

impl Oidc {
    /// The client for `settings`; `public_url` is the portal's address (the way back is
    /// `{public_url}/auth/callback`). Nothing is fetched yet.
    pub fn new(settings: Settings, public_url: &str) -> Result<Oidc, String> {
        let base = public_url.trim_end_matches('/');
        let redirect = RedirectUrl::new(format!("{base}/auth/callback"))
            .map_err(|e| format!("--public-url {public_url}: {e}"))?;
        let post_logout = PostLogoutRedirectUrl::new(format!("{base}/")).ok();
        let http = reqwest::Client::builder()
            // Following redirects would send the client secret wherever a response points.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            // A fresh connection per request: a pooled one the provider has just closed
            // (its keep-alive ran out) fails the request, and a citizen would be told the
            // provider is not answering. A sign-in makes two or three requests; a new
            // connection costs a handshake.
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| format!("the HTTP client: {e}"))?;
        Ok(Oidc {
            settings,
            redirect,
            post_logout,
            http,
            discovered: tokio::sync::RwLock::new(None),
            refreshed: std::sync::Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The discovered provider: cached; `fresh` fetches it again (a key id its JWKS lacked) —
    /// at most once per [`REDISCOVER_AFTER`], so that tokens naming made-up keys cannot make the
    /// portal hammer the provider.
    async fn provider(&self, fresh: bool) -> Result<Arc<Discovered>, Failure> {
        if !fresh
            && let Some(d) = self.discovered.read().await.as_ref()
            && d.at.elapsed() < DISCOVERY_LIFETIME
        {
            return Ok(d.clone());
        }
        let mut slot = self.discovered.write().await;
        if let Some(d) = slot.as_ref()
            && d.at.elapsed() < DISCOVERY_LIFETIME
        {
            let mut last = self
                .refreshed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match (fresh, *last) {
                (false, _) => return Ok(d.clone()),
                (true, Some(at)) if at.elapsed() < REDISCOVER_AFTER => return Ok(d.clone()),
                (true, _) => *last = Some(Instant::now()),
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| Failure::Unavailable(format!("issuer URL: {e}")))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| Failure::Unavailable(format!("discovery: {}", chain(&e))))?;
        let end_session_url = metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()
            .map(|u| u.as_str().to_owned());
        for url in [
            Some(metadata.authorization_endpoint().as_str()),
            metadata.token_endpoint().map(|u| u.as_str()),
            Some(metadata.jwks_uri().as_str()),
            end_session_url.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            if !secure_url(url) {
                return Err(Failure::Unavailable(format!(
                    "the provider names an endpoint that is not https: {url}"
                )));
            }
        }
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect.clone());
        let d = Arc::new(Discovered {
            client,
            end_session,
            at: Instant::now(),
        });
        *slot = Some(d.clone());
        Ok(d)
    }

    /// Starts a sign-in: the provider's URL with a fresh `state`, `nonce` and PKCE challenge.
    pub async fn begin(&self) -> Result<Begun, Failure> {
        let d = self.provider(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = d
            .client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in &self.settings.scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        // The assurance levels wanted, as `acr_values` (voluntary: the provider says in `acr`
        // what it achieved, and the callback judges that).
        for acr in &self.settings.citizen_acr {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Begun {
            url: url.to_string(),
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        })
    }

    /// Finishes a sign-in: the code exchanged (with the PKCE verifier), the ID token verified.
    pub async fn finish(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<Identity, Failure> {
        let d = self.provider(false).await?;
        let exchange = d
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| Failure::Unavailable(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()));
        let tokens = exchange
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    Failure::Refused(format!("the token endpoint refused the code: {r}"))
                }
                RequestTokenError::Request(e) => {
                    Failure::Unavailable(format!("the token endpoint: {}", chain(&e)))
                }
                other => {
                    Failure::Refused(format!("the token endpoint's answer: {}", chain(&other)))
                }
            })?;
        let Some(token) = tokens.extra_fields().id_token() else {
            return Err(Failure::Refused(
                "the token response has no ID token".into(),
            ));
        };
        let nonce = Nonce::new(nonce.to_owned());
        let identity = match self.verify(&d, token, &nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey
                | SignatureVerificationError::CryptoError(_),
            )) => {
                // A key the provider rotated in since discovery (a new key id, or a key id
                // reused for new key material): fetch its keys again, once.
                let d = self.provider(true).await?;
                self.verify(&d, token, &nonce)
            }
            other => other,
        }
        .map_err(|e| Failure::Refused(format!("the ID token: {}", chain(&e))))?;
        Ok(identity)
    }

    fn verify(
        &self,
        d: &Discovered,
        token: &Token,
        nonce: &Nonce,
    ) -> Result<Identity, ClaimsVerificationError> {
        let verifier = d
            .client
            .id_token_verifier()
            .set_allowed_algs([
                CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            ])
            .set_issue_time_verifier_fn(|iat| {
                let now = crate::clock::now_ms() / 1000;
                let t = iat.timestamp();
                if t > now + IAT_AHEAD_S {
                    Err(format!("issued in the future ({t}, now {now})"))
                } else if t < now - IAT_MAX_AGE_S {
                    Err(format!("issued too long ago ({t}, now {now})"))
                } else {
                    Ok(())
                }
            });
        let claims = token.claims(&verifier, nonce)?;
        let extra = &claims.additional_claims().claims;
        let text = |name: &str| -> Option<String> {
            match extra.get(name)? {
                Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let names = &self.settings.claims;
        let standard_name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned());
        let name = if names.name == "name" {
            standard_name
        } else {
            text(&names.name).or(standard_name)
        };
        Ok(Identity {
            subject: claims.subject().as_str().to_owned(),
            personal_id: if names.personal_id == "sub" {
                Some(claims.subject().as_str().to_owned())
            } else {
                text(&names.personal_id)
            },
            name,
            acr: claims.auth_context_ref().map(|a| a.as_str().to_owned()),
            role: text(&names.role),
            agency: text(&names.agency),
            id_token: token.to_string(),
        })
    }

    /// Where to send the browser to sign out at the provider too (RP-initiated logout), if it
    /// has an end-session endpoint.
    pub async fn logout_url(&self, id_token: Option<&str>) -> Option<String> {
        let d = self.provider(false).await.ok()?;
        let mut request = LogoutRequest::from(d.end_session.clone()?)
            .set_client_id(ClientId::new(self.settings.client_id.clone()));
        if let Some(t) = id_token.and_then(|t| t.parse::<Token>().ok()) {
            request = request.set_id_token_hint(&t);
        }
        if let Some(back) = &self.post_logout {
            request = request.set_post_logout_redirect_uri(back.clone());
        }
        Some(request.http_get_url().to_string())
    }
}

/// An error with its causes, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback() {
        assert!(secure_url("https://sso.example.gov.vn"));
        assert!(secure_url("http://127.0.0.1:4000"));
        assert!(secure_url("http://localhost:4000/oidc"));
        assert!(secure_url("http://[::1]:4000"));
        assert!(!secure_url("http://sso.example.gov.vn"));
        assert!(!secure_url("http://10.0.0.1"));
        assert!(!secure_url("ftp://127.0.0.1"));
        assert!(!secure_url("not a url"));
    }

    #[test]
    fn the_secret_is_not_printed() {
        let s = Settings {
            issuer: "https://sso.example".into(),
            client_id: "eform".into(),
            client_secret: "hunter2".into(),
            claims: ClaimNames::default(),
            citizen_acr: vec!["urn:vneid:loa:2".into()],
            scopes: vec![],
        };
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(s.problems().is_empty(), "{:?}", s.problems());
        let bad = Settings {
            issuer: "http://sso.example".into(),
            client_secret: String::new(),
            ..s
        };
        assert_eq!(bad.problems().len(), 2, "{:?}", bad.problems());
    }
}

//! The Cloud Signature Consortium API v2 adapter: a remote signing service provider (RSSP)
//! holding citizens' keys. The portal authenticates as a signature application with OAuth2
//! client credentials (`oauth2/token`, at the OAuth2 base `info` names); a citizen's
//! credentials are found by `userID` — their personal ID number — with `credentials/list` and
//! `credentials/info` (chain, key algorithms); signing is `credentials/authorize` (the RSSP
//! asks the citizen out of band — its phone app — and answers with the Signature Activation
//! Data once they approve) then `signatures/signHash` with that SAD.
//!
//! Errors follow the specification's `{error, error_description}`: `access_denied` is the
//! citizen's refusal, `expired_*` / `invalid_request` with an expiry description are taken as
//! expiry; anything else fails the transaction (and is logged).

use super::{Credential, Outcome, SHA256_OID, SignRequest, certificates, post_json};
use crate::db::UserRow;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use form_core::sign::SignAlgo;
use serde_json::{Value, json};
use std::sync::Mutex;

/// A deployment's CSC settings. `Debug` leaves the secret out.
#[derive(Clone)]
pub struct Settings {
    /// The service's base URI, ending in `/csc/v2` (e.g. `https://rssp.example.vn/csc/v2`).
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

pub struct Csc {
    settings: Settings,
    http: reqwest::Client,
    /// The access token and when it stops being used (ms).
    token: Mutex<Option<(String, i64)>>,
}

/// The error code and description of a CSC error answer.
fn error_of(v: &Value) -> (&str, &str) {
    (
        v["error"].as_str().unwrap_or_default(),
        v["error_description"].as_str().unwrap_or_default(),
    )
}

impl Csc {
    pub fn new(settings: Settings) -> anyhow::Result<Csc> {
        anyhow::ensure!(
            crate::oidc::secure_url(&settings.url),
            "--signer-url {} must be https:// (plain http only on a loopback address)",
            settings.url
        );
        Ok(Csc {
            settings: Settings {
                url: settings.url.trim_end_matches('/').to_owned(),
                ..settings
            },
            http: super::http_client()?,
            token: Mutex::new(None),
        })
    }

    /// An access token for the portal (client credentials), kept until shortly before expiry.
    async fn token(&self, renew: bool) -> anyhow::Result<String> {
        let now = crate::clock::now_ms();
        if !renew
            && let Ok(t) = self.token.lock()
            && let Some((token, until)) = t.as_ref()
            && now < *until
        {
            return Ok(token.clone());
        }
        // `info` names the OAuth2 server (the service's own base when it does not).
        let (_, info) = post_json(
            &self.http,
            &format!("{}/info", self.settings.url),
            None,
            &json!({}),
        )
        .await?;
        let oauth = info["oauth2"]
            .as_str()
            .unwrap_or(&self.settings.url)
            .trim_end_matches('/')
            .to_owned();
        // The secret goes only to an https address (plain http on loopback, for tests): an
        // `info` answer naming anything else is refused (review M9).
        anyhow::ensure!(
            crate::oidc::secure_url(&oauth),
            "the service's info names an OAuth2 server that is not https: {oauth}"
        );
        let answer = self
            .http
            .post(format!("{oauth}/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.settings.client_id),
                ("client_secret", &self.settings.client_secret),
            ])
            .send()
            .await?;
        let status = answer.status();
        let v: Value = serde_json::from_slice(&answer.bytes().await?).unwrap_or_default();
        let token = v["access_token"]
            .as_str()
            .filter(|_| status.is_success())
            .ok_or_else(|| {
                let (e, d) = error_of(&v);
                anyhow::anyhow!("oauth2/token: {status} {e} {d}")
            })?
            .to_owned();
        let life_ms = v["expires_in"].as_i64().unwrap_or(3600) * 1000;
        if let Ok(mut t) = self.token.lock() {
            *t = Some((token.clone(), now + life_ms - life_ms / 10));
        }
        Ok(token)
    }

    /// A CSC method call with the portal's token (renewed once when refused as expired).
    async fn call(&self, method: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        let url = format!("{}/{method}", self.settings.url);
        let token = self.token(false).await?;
        let (status, v) = post_json(&self.http, &url, Some(&token), body).await?;
        if status == 401 {
            let token = self.token(true).await?;
            return post_json(&self.http, &url, Some(&token), body).await;
        }
        Ok((status, v))
    }

    async fn ok(&self, method: &str, body: &Value) -> anyhow::Result<Value> {
        let (status, v) = self.call(method, body).await?;
        if status != 200 {
            let (e, d) = error_of(&v);
            anyhow::bail!("{method}: {status} {e} {d}");
        }
        Ok(v)
    }

    /// The citizen's enabled credentials with valid certificates (none without an ID number).
    pub async fn credentials(&self, user: &UserRow) -> anyhow::Result<Vec<Credential>> {
        let Some(pid) = &user.personal_id else {
            return Ok(Vec::new());
        };
        let list = self.ok("credentials/list", &json!({"userID": pid})).await?;
        let mut out = Vec::new();
        for id in list["credentialIDs"].as_array().into_iter().flatten() {
            let Some(id) = id.as_str() else { continue };
            let info = self
                .ok(
                    "credentials/info",
                    &json!({"credentialID": id, "certificates": "chain", "certInfo": true, "authInfo": true}),
                )
                .await?;
            if info["key"]["status"] != "enabled" || info["cert"]["status"] != "valid" {
                continue;
            }
            let chain = certificates(
                info["cert"]["certificates"]
                    .as_array()
                    .into_iter()
                    .flatten(),
            )?;
            let algos: Vec<SignAlgo> = info["key"]["algo"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| SignAlgo::from_oid(a.as_str()?))
                .collect();
            if chain.is_empty() || algos.is_empty() {
                continue;
            }
            out.push(Credential {
                id: id.to_owned(),
                chain,
                algos,
                handle: String::new(),
            });
        }
        Ok(out)
    }

    /// Authorises (the citizen approves on their phone) and signs the hash.
    pub async fn sign(&self, cred: &Credential, req: &SignRequest) -> Outcome {
        match self.try_sign(cred, req).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(format!("{e:#}")),
        }
    }

    async fn try_sign(&self, cred: &Credential, req: &SignRequest) -> anyhow::Result<Outcome> {
        let hashes = [B64.encode(req.hash)];
        let (status, auth) = self
            .call(
                "credentials/authorize",
                &json!({
                    "credentialID": cred.id,
                    "numSignatures": 1,
                    "hashes": hashes,
                    "hashAlgorithmOID": SHA256_OID,
                    "description": req.description,
                    "clientData": req.transaction_id,
                }),
            )
            .await?;
        if status != 200 {
            let (e, d) = error_of(&auth);
            return Ok(match e {
                "access_denied" => Outcome::Rejected,
                _ if e.starts_with("expired") || d.to_ascii_lowercase().contains("expired") => {
                    Outcome::Expired
                }
                _ => Outcome::Failed(format!("credentials/authorize: {status} {e} {d}")),
            });
        }
        let Some(sad) = auth["SAD"].as_str() else {
            anyhow::bail!("credentials/authorize: no SAD");
        };
        let mut body = json!({
            "credentialID": cred.id,
            "SAD": sad,
            "hashes": hashes,
            "hashAlgorithmOID": SHA256_OID,
            "signAlgo": req.algo.oid(),
            "operationMode": "S",
            "clientData": req.transaction_id,
        });
        if req.algo == SignAlgo::RsaPssSha256 {
            body["signAlgoParams"] = json!(B64.encode(form_core::sign::cades::PSS_SHA256_PARAMS));
        }
        let signed = self.ok("signatures/signHash", &body).await?;
        let signature = signed["signatures"][0]
            .as_str()
            .and_then(|s| B64.decode(s).ok())
            .ok_or_else(|| anyhow::anyhow!("signatures/signHash: no signature"))?;
        Ok(Outcome::Completed(signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review finding M9: the secret is never printed, and never sent to a plain-http address.
    #[test]
    fn the_secret_stays_secret() {
        let settings = Settings {
            url: "https://rssp.example.vn/csc/v2".into(),
            client_id: "portal".into(),
            client_secret: "s3cret-value".into(),
        };
        assert!(!format!("{settings:?}").contains("s3cret-value"));
        assert!(Csc::new(settings.clone()).is_ok());
        let plain = Settings {
            url: "http://rssp.example.vn/csc/v2".into(),
            ..settings
        };
        assert!(Csc::new(plain).is_err());
    }
}

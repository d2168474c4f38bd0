//! The national eSign gateway adapter (the public signature-certification gateway's
//! hash-signing API): the portal is a service provider with an `sp_id` and `sp_password`; a
//! citizen's certificates are found by their personal ID number (`user_id`) and the licensed
//! CA's name (`ca_name`) with `get_certificate`; `sign` sends the hash as hex
//! `data_to_be_signed` with `sign_type: "hash"`, the citizen approves in their CA's app, and
//! the gateway answers at once (`signed_files`) or later, asked with `get_sign_status`.
//!
//! Every answer is the envelope `{status_code, message, data}`. Status codes as this adapter
//! reads them: 200 with `signed_files` — signed; 202, or 200 without files — waiting for the
//! citizen; 408 — expired; 409 — refused by the citizen; anything else — failed (401: wrong SP
//! credentials, 403: certificate revoked, 500: gateway error), logged with the message.

use super::{Credential, Outcome, SignRequest, certificates, post_json};
use crate::db::UserRow;
use crate::encode::hex;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use form_core::sign::SignAlgo;
use serde_json::{Value, json};
use std::time::Duration;

/// A deployment's gateway settings. `Debug` leaves the password out.
#[derive(Clone)]
pub struct Settings {
    /// The gateway's base URL (the methods are `{url}/get_certificate`, `{url}/sign`,
    /// `{url}/get_sign_status`).
    pub url: String,
    pub sp_id: String,
    pub sp_password: String,
    /// The licensed CA whose certificates are used (none: every CA the gateway knows).
    pub ca_name: Option<String>,
    /// How often a pending signature is asked about.
    pub poll: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("url", &self.url)
            .field("sp_id", &self.sp_id)
            .field("sp_password", &"***")
            .field("ca_name", &self.ca_name)
            .field("poll", &self.poll)
            .finish()
    }
}

pub struct Esign {
    settings: Settings,
    http: reqwest::Client,
}

/// The envelope's status code (the HTTP status when the body has none) and message.
fn status_of(http: u16, v: &Value) -> (u64, String) {
    (
        v["status_code"].as_u64().unwrap_or(u64::from(http)),
        v["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The first signed file's signature, if the answer has one.
fn signature_of(v: &Value) -> Option<Vec<u8>> {
    B64.decode(v["data"]["signed_files"][0]["signature_value"].as_str()?)
        .ok()
}

impl Esign {
    pub fn new(settings: Settings) -> anyhow::Result<Esign> {
        anyhow::ensure!(
            crate::oidc::secure_url(&settings.url),
            "--signer-url {} must be https:// (plain http only on a loopback address)",
            settings.url
        );
        Ok(Esign {
            settings: Settings {
                url: settings.url.trim_end_matches('/').to_owned(),
                ..settings
            },
            http: super::http_client()?,
        })
    }

    async fn post(&self, method: &str, mut body: Value) -> anyhow::Result<(u64, String, Value)> {
        body["sp_id"] = json!(self.settings.sp_id);
        body["sp_password"] = json!(self.settings.sp_password);
        if let Some(ca) = &self.settings.ca_name {
            body["ca_name"] = json!(ca);
        }
        let (http, v) = post_json(
            &self.http,
            &format!("{}/{method}", self.settings.url),
            None,
            &body,
        )
        .await?;
        let (status, message) = status_of(http, &v);
        Ok((status, message, v))
    }

    /// The citizen's certificates at the gateway (none without an ID number).
    pub async fn credentials(&self, user: &UserRow) -> anyhow::Result<Vec<Credential>> {
        let Some(pid) = &user.personal_id else {
            return Ok(Vec::new());
        };
        let tx = crate::encode::new_token().map_err(|e| anyhow::anyhow!("{e}"))?;
        let (status, message, v) = self
            .post(
                "get_certificate",
                json!({"user_id": pid, "transaction_id": tx}),
            )
            .await?;
        if status != 200 {
            anyhow::bail!("get_certificate: {status} {message}");
        }
        // `data.user_certificates`, or `data` as the list itself.
        let list = v["data"]["user_certificates"]
            .as_array()
            .or_else(|| v["data"].as_array())
            .cloned()
            .unwrap_or_default();
        let mut out = Vec::new();
        for c in &list {
            let chain = certificates(
                std::iter::once(&c["cert_data"])
                    .chain(c["chain_data"].as_array().into_iter().flatten()),
            )?;
            // Hash signing at the gateway is PKCS#1 v1.5 for RSA keys; ECDSA for EC keys.
            let algos: Vec<SignAlgo> = SignAlgo::for_certificate(&chain[0])
                .into_iter()
                .filter(|a| *a != SignAlgo::RsaPssSha256)
                .collect();
            let (Some(id), Some(serial)) = (c["cert_id"].as_str(), c["serial_number"].as_str())
            else {
                continue;
            };
            if algos.is_empty() {
                continue;
            }
            out.push(Credential {
                id: id.to_owned(),
                chain,
                algos,
                handle: serial.to_owned(),
            });
        }
        Ok(out)
    }

    /// Sends the hash and follows the transaction to its end.
    pub async fn sign(&self, user: &UserRow, cred: &Credential, req: &SignRequest) -> Outcome {
        match self.try_sign(user, cred, req).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(format!("{e:#}")),
        }
    }

    fn outcome(method: &str, status: u64, message: &str, v: &Value) -> Option<Outcome> {
        match status {
            200 => signature_of(v).map(Outcome::Completed),
            202 => None,
            408 => Some(Outcome::Expired),
            409 => Some(Outcome::Rejected),
            _ => Some(Outcome::Failed(format!("{method}: {status} {message}"))),
        }
    }

    async fn try_sign(
        &self,
        user: &UserRow,
        cred: &Credential,
        req: &SignRequest,
    ) -> anyhow::Result<Outcome> {
        let now = crate::clock::rfc3339(crate::clock::now_ms());
        // YYYYMMDDHHmmss (UTC) from the RFC 3339 time.
        let time_stamp: String = now.chars().filter(char::is_ascii_digit).take(14).collect();
        let (status, message, v) = self
            .post(
                "sign",
                json!({
                    "user_id": user.personal_id,
                    "transaction_id": req.transaction_id,
                    "transaction_desc": req.description,
                    "serial_number": cred.handle,
                    "time_stamp": time_stamp,
                    "sign_files": [{
                        "data_to_be_signed": hex(&req.hash),
                        "doc_id": req.doc_id.as_deref().unwrap_or(&req.transaction_id),
                        "file_options": {"file_type": "json", "sign_type": "hash"},
                    }],
                }),
            )
            .await?;
        if let Some(done) = Self::outcome("sign", status, &message, &v) {
            return Ok(done);
        }
        // Asynchronous: ask until it ends (the bridge's timeout ends the wait at expiry).
        let tx = v["data"]["transaction_id"]
            .as_str()
            .unwrap_or(&req.transaction_id)
            .to_owned();
        // A few lost answers in a row are tolerated (the gateway or the network hiccups).
        let mut lost = 0;
        loop {
            tokio::time::sleep(self.settings.poll).await;
            match self
                .post("get_sign_status", json!({"transaction_id": tx}))
                .await
            {
                Ok((status, message, v)) => {
                    lost = 0;
                    if let Some(done) = Self::outcome("get_sign_status", status, &message, &v) {
                        return Ok(done);
                    }
                }
                Err(e) if lost >= 4 => return Err(e),
                Err(_) => lost += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review finding M9: the password is never printed, and never sent to a plain-http address.
    #[test]
    fn the_password_stays_secret() {
        let settings = Settings {
            url: "https://gateway.example.vn/api".into(),
            sp_id: "DVC".into(),
            sp_password: "p4ssword-value".into(),
            ca_name: None,
            poll: Duration::from_secs(2),
        };
        assert!(!format!("{settings:?}").contains("p4ssword-value"));
        assert!(Esign::new(settings.clone()).is_ok());
        let plain = Settings {
            url: "http://gateway.example.vn/api".into(),
            ..settings
        };
        assert!(Esign::new(plain).is_err());
    }
}

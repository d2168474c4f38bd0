//! Webhooks to agencies' back-office systems, signed as the Standard Webhooks specification
//! says (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "id.timestamp.body">`). A worker on every instance fans the outbox out into deliveries,
//! leases due ones, posts them, and records the answer: 2xx delivered; anything else retried
//! with exponential backoff and jitter until the give-up window has passed, then dead (an
//! administrator replays it: `eform deliveries replay`). Every attempt of an event carries its
//! same id, so a receiver drops repeats.

use crate::config::Delivery as Settings;
use crate::db::delivery::Claimed;
use crate::links::{LINK_VALID_MS, link_key, link_token};
use crate::state::AppState;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A new endpoint secret: `whsec_` and 24 random bytes in base64.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    Ok(format!("whsec_{}", B64.encode(bytes)))
}

/// The `webhook-signature` value of `body` sent as message `id` at `timestamp` (seconds).
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = B64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// The delay before attempt `attempts + 1` (after `attempts` failures).
pub fn backoff(s: &Settings, attempts: i64, jitter: f64) -> Duration {
    let base = s.retry_base.as_millis() as f64;
    let exp = 2f64.powi(i32::try_from(attempts.clamp(0, 30)).unwrap_or(30));
    let ms = (base * exp).min(s.retry_max.as_millis() as f64) * (0.5 + jitter.clamp(0.0, 1.0));
    Duration::from_millis(ms as u64)
}

/// Starts the delivery worker of this instance.
pub fn start(state: AppState) {
    let settings = state.config.delivery.clone();
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the webhook client cannot start");
                return;
            }
        };
        let mut every = tokio::time::interval(settings.every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = pass(&state, &client, &settings).await {
                tracing::warn!(error = %e, "delivering webhooks");
            }
        }
    });
}

/// One pass: fan out, lease what is due, call the receivers, record the answers.
pub async fn pass(
    state: &AppState,
    client: &reqwest::Client,
    s: &Settings,
) -> Result<usize, sqlx::Error> {
    let now = crate::clock::now_ms();
    state.db.fan_out(now).await?;
    let lease = i64::try_from(s.lease.as_millis()).unwrap_or(60_000);
    let claimed = state.db.claim_deliveries(now, lease, s.batch).await?;
    let n = claimed.len();
    let mut calls = tokio::task::JoinSet::new();
    for c in claimed {
        let (state, client, s) = (state.clone(), client.clone(), s.clone());
        calls.spawn(async move { deliver(&state, &client, &s, c).await });
    }
    while let Some(done) = calls.join_next().await {
        match done {
            Ok(r) => r?,
            Err(e) => tracing::error!(error = %e, "a webhook delivery task failed"),
        }
    }
    Ok(n)
}

/// Calls the receiver for one delivery and records the outcome.
async fn deliver(
    state: &AppState,
    client: &reqwest::Client,
    s: &Settings,
    c: Claimed,
) -> Result<(), sqlx::Error> {
    let (agency, seq) = (c.event.event.agency_code.clone(), c.event.seq);
    let outcome = match body(state, &c).await {
        Ok(body) => post(client, &c, body).await,
        Err(e) => Err(format!("building the body: {e}")),
    };
    let now = crate::clock::now_ms();
    match outcome {
        Ok(()) => {
            metrics::counter!("eform_webhook_deliveries_total", "outcome" => "delivered")
                .increment(1);
            tracing::info!(agency = %agency, seq, event = %c.event.id, attempts = c.attempts + 1, "webhook delivered");
            state.db.delivered(&agency, seq, now).await
        }
        Err(e) => {
            let give_up = i64::try_from(s.give_up.as_millis()).unwrap_or(i64::MAX);
            let mut r = [0u8; 2];
            let _ = getrandom::fill(&mut r);
            let jitter = f64::from(u16::from_le_bytes(r)) / f64::from(u16::MAX);
            let delay = i64::try_from(backoff(s, c.attempts, jitter).as_millis()).unwrap_or(0);
            let next = (now - c.first_at < give_up).then_some(now + delay);
            let outcome = if next.is_some() { "retry" } else { "dead" };
            metrics::counter!("eform_webhook_deliveries_total", "outcome" => outcome).increment(1);
            tracing::warn!(agency = %agency, seq, event = %c.event.id, attempts = c.attempts + 1, error = %e, outcome, "webhook not delivered");
            state.db.delivery_failed(&agency, seq, &e, next).await
        }
    }
}

/// POSTs `body` signed; `Ok` on a 2xx answer.
async fn post(client: &reqwest::Client, c: &Claimed, body: Vec<u8>) -> Result<(), String> {
    let id = &c.event.id;
    let timestamp = crate::clock::now_ms() / 1000;
    let sig = signature(&c.webhook.secret, id, timestamp, &body)
        .ok_or_else(|| "the endpoint secret is not base64".to_owned())?;
    let res = client
        .post(&c.webhook.url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", sig)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "no answer in time".to_owned()
            } else {
                format!("{e}")
            }
        })?;
    let status = res.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("answered {status}"))
    }
}

/// The body: `{"type", "timestamp", "data"}` — the event, and (but for an erased dossier)
/// the dossier as its agency's officials read it, attachments with links valid for a day.
async fn body(state: &AppState, c: &Claimed) -> Result<Vec<u8>, String> {
    let mut data = crate::events::event_json(&c.event);
    if c.event.event.kind != "dossier.erased" {
        let key = link_key(state).await.map_err(|e| e.to_string())?;
        let dossier = crate::intake::agency_document(state, &c.event.event.dossier_code)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(mut dossier) = dossier {
            let expires = crate::clock::now_ms() + LINK_VALID_MS;
            let public = state.config.public_url.clone().unwrap_or_default();
            let code = c.event.event.dossier_code.clone();
            link_files(&mut dossier, &|sha: &str| {
                let token = link_token(&key, sha, &code, expires);
                format!(
                    "{}/api/v1/attachments/{sha}?dossier={code}&expires={expires}&token={token}",
                    public.trim_end_matches('/')
                )
            });
            data["dossier"] = dossier;
        }
    }
    let v = json!({
        "type": c.event.event.kind,
        "timestamp": crate::clock::rfc3339(c.event.event.at),
        "data": data,
    });
    serde_json::to_vec(&v).map_err(|e| e.to_string())
}

/// Adds a `url` beside every `sha256` of the dossier's versions' attachments and its
/// history's result documents.
fn link_files(dossier: &mut Value, url: &dyn Fn(&str) -> String) {
    if let Some(versions) = dossier["versionList"].as_array_mut() {
        for v in versions {
            if let Some(files) = v["attachments"].as_array_mut() {
                for f in files {
                    if let Some(sha) = f["sha256"].as_str().map(str::to_owned) {
                        f["url"] = json!(url(&sha));
                    }
                }
            }
        }
    }
    if let Some(history) = dossier["history"].as_array_mut() {
        for h in history {
            if let Some(sha) = h["attachment"].as_str().map(str::to_owned) {
                h["attachmentUrl"] = json!(url(&sha));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn retries_back_off_to_a_ceiling() {
        let s = Settings::default();
        assert_eq!(backoff(&s, 0, 0.5), Duration::from_secs(10));
        assert_eq!(backoff(&s, 3, 0.5), Duration::from_secs(80));
        assert_eq!(backoff(&s, 20, 0.5), Duration::from_secs(3 * 3600));
        assert_eq!(backoff(&s, 1, 0.0), Duration::from_secs(10));
        assert_eq!(backoff(&s, 1, 1.0), Duration::from_secs(30));
        // From the first failure to the last retry the 26-hour window holds at least 10 tries.
        let mut t = Duration::ZERO;
        let mut tries = 0;
        while t < s.give_up {
            t += backoff(&s, tries, 1.0);
            tries += 1;
        }
        assert!(tries >= 10, "{tries}");
    }
}

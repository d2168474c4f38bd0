//! Signed links to a dossier's attachments (HMAC-SHA256 over the file, the dossier and the
//! expiry, with a key kept in the database): what webhooks hand to agencies' systems, checked
//! when the link is followed.

use crate::state::AppState;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The key that signs attachment links (shared by the instances through the database; read
/// once per process, kept in `state`).
pub async fn link_key(state: &AppState) -> Result<Vec<u8>, sqlx::Error> {
    state
        .link_key
        .get_or_try_init(|| async {
            let mut fresh = [0u8; 32];
            getrandom::fill(&mut fresh).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            let key = state
                .db
                .portal_key(
                    "attachment-links",
                    &B64.encode(fresh),
                    crate::clock::now_ms(),
                )
                .await?;
            B64.decode(key)
                .map_err(|e| sqlx::Error::Protocol(format!("the attachment-link key: {e}")))
        })
        .await
        .cloned()
}

/// The token of a link to file `sha` of dossier `code` valid until `expires` (ms).
pub fn link_token(key: &[u8], sha: &str, code: &str, expires: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(format!("{sha}|{code}|{expires}").as_bytes());
    crate::encode::hex(&mac.finalize().into_bytes())
}

/// Whether `token` is the link token of (`sha`, `code`, `expires`) (compared in constant time).
pub fn link_token_ok(key: &[u8], sha: &str, code: &str, expires: i64, token: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return false;
    };
    mac.update(format!("{sha}|{code}|{expires}").as_bytes());
    let Some(bytes) = (0..token.len() / 2)
        .map(|i| u8::from_str_radix(token.get(2 * i..2 * i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    mac.verify_slice(&bytes).is_ok()
}

/// How long an attachment link in a webhook stays valid.
pub const LINK_VALID_MS: i64 = 24 * 3600 * 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_bind_file_dossier_and_time() {
        let key = [7u8; 32];
        let t = link_token(&key, "ab", "C-1", 99);
        assert!(link_token_ok(&key, "ab", "C-1", 99, &t));
        assert!(!link_token_ok(&key, "ab", "C-2", 99, &t));
        assert!(!link_token_ok(&key, "ab", "C-1", 100, &t));
        assert!(!link_token_ok(&[8u8; 32], "ab", "C-1", 99, &t));
        assert!(!link_token_ok(&key, "ab", "C-1", 99, "zz"));
    }
}

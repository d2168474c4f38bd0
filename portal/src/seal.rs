//! The key drafts saved on the portal are sealed with (AES-256-GCM): read from the key file,
//! or one of the process's own in development mode.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

/// The drafts' key.
pub struct Sealer(Aes256Gcm);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

impl Sealer {
    /// The key in `path`: 64 hexadecimal digits (`openssl rand -hex 32`), spaces around ignored.
    pub fn from_file(path: &std::path::Path) -> Result<Sealer, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("the draft key {}: {e}", path.display()))?;
        let text = text.trim();
        let key: Vec<u8> = (0..text.len())
            .step_by(2)
            .map(|i| {
                text.get(i..i + 2)
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<_>>()
            .filter(|k: &Vec<u8>| k.len() == 32 && text.len() == 64)
            .ok_or_else(|| {
                format!(
                    "the draft key {} must be 64 hexadecimal digits (openssl rand -hex 32)",
                    path.display()
                )
            })?;
        Ok(Sealer::new(&key))
    }

    /// A new random key as 64 hexadecimal digits (what [`Sealer::from_file`] reads).
    pub fn new_key_hex() -> Result<String, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(crate::encode::hex(&key))
    }

    /// A key of this process alone (development mode without a key file: drafts do not
    /// survive a restart).
    pub fn random() -> Result<Sealer, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(Sealer::new(&key))
    }

    fn new(key: &[u8]) -> Sealer {
        Sealer(Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(key)))
    }

    /// The associated data: each part with its length, so no two (owner, form) pairs
    /// give the same bytes.
    fn aad(owner: &str, form_id: &str, version: i64) -> Vec<u8> {
        let mut out = b"eform-draft-v1".to_vec();
        for part in [owner.as_bytes(), form_id.as_bytes(), &version.to_be_bytes()] {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part);
        }
        out
    }

    /// (nonce, sealed data).
    pub fn seal(
        &self,
        owner: &str,
        form_id: &str,
        version: i64,
        plain: &[u8],
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).ok()?;
        let aad = Self::aad(owner, form_id, version);
        let sealed = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .ok()?;
        Some((nonce.to_vec(), sealed))
    }

    pub fn open(
        &self,
        owner: &str,
        form_id: &str,
        version: i64,
        nonce: &[u8],
        sealed: &[u8],
    ) -> Option<Vec<u8>> {
        if nonce.len() != 12 {
            return None;
        }
        let aad = Self::aad(owner, form_id, version);
        self.0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .ok()
    }
}

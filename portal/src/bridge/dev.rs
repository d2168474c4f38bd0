//! The development signer: a test CA (root → "citizen CA") made at first start, and a P-256
//! key and certificate per citizen, whose subject carries their name and personal ID number.
//! Kept in the database (`dev_signer_keys`: the CA's key with the chain CA + root in one row,
//! and one row per citizen), so that every instance signs with the same CA; the root's key is
//! dropped once it has issued the CA. The two CA certificates are also written to
//! the development folder (`root.pem`, `ca.pem`) for `eform verify --dev` and openssl. Never for
//! production: its keys sit in the database in clear.
use super::Credential;
use crate::db::{Db, UserRow};
use form_core::sign::SignAlgo;
use form_core::sign::cades::der_time;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::EncodePem;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

const YEAR_S: u64 = 365 * 86_400;

pub struct DevSigner {
    db: Db,
    pub root: Certificate,
    pub ca: Certificate,
    ca_key: SigningKey,
    citizens: Mutex<HashMap<String, (SigningKey, Certificate)>>,
}

/// Stores `fresh` (a key and certificates) as `name` unless it exists, and reads back what is
/// stored.
async fn keep(
    db: &Db,
    name: &str,
    fresh: Option<(&SigningKey, &[&Certificate])>,
) -> anyhow::Result<Option<(SigningKey, Vec<Certificate>)>> {
    let pems = match fresh {
        Some((key, certs)) => {
            let mut chain = String::new();
            for c in certs {
                chain.push_str(&c.to_pem(LineEnding::LF)?);
            }
            Some((key.to_pkcs8_pem(LineEnding::LF)?.to_string(), chain))
        }
        None => None,
    };
    let stored = db
        .dev_signer_keys(
            name,
            pems.as_ref().map(|(k, c)| (Some(k.as_str()), c.as_str())),
            crate::clock::now_ms(),
        )
        .await?;
    let Some((Some(key), chain)) = stored else {
        return Ok(None);
    };
    Ok(Some((
        SigningKey::from_pkcs8_pem(&key)?,
        Certificate::load_pem_chain(chain.as_bytes())?,
    )))
}

fn now_s() -> u64 {
    u64::try_from(crate::clock::now_ms() / 1000).unwrap_or_default()
}

fn new_key() -> SigningKey {
    SigningKey::random(&mut p256::elliptic_curve::rand_core::OsRng)
}

fn serial() -> anyhow::Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    bytes[0] &= 0x7f; // positive
    Ok(SerialNumber::new(&bytes)?)
}

/// A value for an RFC 4514 name string.
fn rdn_value(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl DevSigner {
    /// Opens the development signer of `db`, making the test CA on first use; writes the CA
    /// certificates to `dir` when given.
    pub async fn open(db: &Db, dir: Option<&Path>) -> anyhow::Result<DevSigner> {
        // One row holds the CA's key and the chain (CA, root): two instances starting at once
        // cannot mix one's CA with the other's root.
        let stored = match keep(db, "ca", None).await? {
            Some(found) => found,
            None => {
                let now = now_s();
                let root_key = new_key();
                let root_name =
                    Name::from_str("CN=eform development root CA,O=eform (development only),C=VN")?;
                let root = CertificateBuilder::new(
                    Profile::Root,
                    serial()?,
                    Validity {
                        not_before: der_time(now - 86_400)?,
                        not_after: der_time(now + 10 * YEAR_S)?,
                    },
                    root_name.clone(),
                    SubjectPublicKeyInfoOwned::from_key(*root_key.verifying_key())?,
                    &root_key,
                )?
                .build::<p256::ecdsa::DerSignature>()?;
                let ca_key = new_key();
                let ca = CertificateBuilder::new(
                    Profile::SubCA {
                        issuer: root_name,
                        path_len_constraint: Some(0),
                    },
                    serial()?,
                    Validity {
                        not_before: der_time(now - 86_400)?,
                        not_after: der_time(now + 5 * YEAR_S)?,
                    },
                    Name::from_str(
                        "CN=eform development citizen CA,O=eform (development only),C=VN",
                    )?,
                    SubjectPublicKeyInfoOwned::from_key(*ca_key.verifying_key())?,
                    &root_key,
                )?
                .build::<p256::ecdsa::DerSignature>()?;
                // The root's key goes out of scope here: it is never stored.
                keep(db, "ca", Some((&ca_key, &[&ca, &root])))
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("the development CA could not be stored"))?
            }
        };
        let (ca_key, mut chain) = stored;
        anyhow::ensure!(
            chain.len() == 2,
            "the stored development CA is not CA + root"
        );
        let (root, ca) = (chain.remove(1), chain.remove(0));
        let stored = (root, ca_key, ca);
        let (root, ca_key, ca) = stored;
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join("root.pem"), root.to_pem(LineEnding::LF)?)?;
            std::fs::write(dir.join("ca.pem"), ca.to_pem(LineEnding::LF)?)?;
        }
        Ok(DevSigner {
            db: db.clone(),
            root,
            ca,
            ca_key,
            citizens: Mutex::new(HashMap::new()),
        })
    }

    async fn key_and_cert(&self, user: &UserRow) -> anyhow::Result<(SigningKey, Certificate)> {
        if let Ok(cache) = self.citizens.lock()
            && let Some(kc) = cache.get(&user.id)
        {
            return Ok(kc.clone());
        }
        let name = format!("citizen:{}", user.id);
        let stored = match keep(&self.db, &name, None).await? {
            Some(kc) => kc,
            None => {
                let key = new_key();
                let now = now_s();
                let mut subject = format!("CN={}", rdn_value(&user.name));
                if let Some(id) = &user.personal_id {
                    subject.push_str(&format!(",serialNumber=CCCD:{}", rdn_value(id)));
                }
                subject.push_str(",C=VN");
                let cert = CertificateBuilder::new(
                    Profile::Leaf {
                        issuer: self.ca.tbs_certificate.subject.clone(),
                        enable_key_agreement: false,
                        enable_key_encipherment: false,
                    },
                    serial()?,
                    Validity {
                        not_before: der_time(now - 86_400)?,
                        not_after: der_time(now + 2 * YEAR_S)?,
                    },
                    Name::from_str(&subject)?,
                    SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())?,
                    &self.ca_key,
                )?
                .build::<p256::ecdsa::DerSignature>()?;
                keep(&self.db, &name, Some((&key, &[&cert])))
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("a citizen's key could not be stored"))?
            }
        };
        let (key, mut chain) = stored;
        anyhow::ensure!(!chain.is_empty(), "a stored citizen key has no certificate");
        let cert = chain.remove(0);
        if let Ok(mut cache) = self.citizens.lock() {
            cache.insert(user.id.clone(), (key.clone(), cert.clone()));
        }
        Ok((key, cert))
    }

    /// The citizen's credential (made on first use).
    pub async fn credential(&self, user: &UserRow) -> anyhow::Result<Credential> {
        let (_, cert) = self.key_and_cert(user).await?;
        Ok(Credential {
            id: format!("dev-{}", user.id),
            chain: vec![cert, self.ca.clone()],
            algos: vec![SignAlgo::EcdsaP256Sha256],
            handle: String::new(),
        })
    }

    /// Signs a SHA-256 hash with the citizen's key (DER ECDSA signature).
    pub async fn sign(&self, user: &UserRow, hash: &[u8; 32]) -> anyhow::Result<Vec<u8>> {
        let (key, _) = self.key_and_cert(user).await?;
        let sig: p256::ecdsa::Signature =
            key.sign_prehash(hash).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

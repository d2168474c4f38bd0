//! The development signer: a test CA (root → "citizen CA") generated at first start in the
//! portal's data folder, and a P-256 key and certificate per citizen, whose subject carries
//! their name and personal ID number. Never for production: its keys sit in files.
use super::Credential;
use crate::db::UserRow;
use form_core::sign::SignAlgo;
use form_core::sign::cades::der_time;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{DecodePem, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

const YEAR_S: u64 = 365 * 86_400;

pub struct DevSigner {
    dir: PathBuf,
    pub root: Certificate,
    pub ca: Certificate,
    ca_key: SigningKey,
    citizens: Mutex<HashMap<String, (SigningKey, Certificate)>>,
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

fn load(dir: &Path, name: &str) -> Option<(SigningKey, Certificate)> {
    let key = std::fs::read_to_string(dir.join(format!("{name}.key.pem"))).ok()?;
    let cert = std::fs::read_to_string(dir.join(format!("{name}.pem"))).ok()?;
    Some((
        SigningKey::from_pkcs8_pem(&key).ok()?,
        Certificate::from_pem(cert.as_bytes()).ok()?,
    ))
}

fn save(dir: &Path, name: &str, key: &SigningKey, cert: &Certificate) -> anyhow::Result<()> {
    write_private(
        &dir.join(format!("{name}.key.pem")),
        &key.to_pkcs8_pem(LineEnding::LF)?,
    )?;
    std::fs::write(
        dir.join(format!("{name}.pem")),
        cert.to_pem(LineEnding::LF)?,
    )?;
    Ok(())
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
    /// Opens the signer's folder, making the test CA on first use.
    pub fn open(dir: &Path) -> anyhow::Result<DevSigner> {
        std::fs::create_dir_all(dir.join("citizens"))?;
        let (root, (ca_key, ca)) = match (load(dir, "root"), load(dir, "ca")) {
            (Some((_, root)), Some(ca)) => (root, ca),
            _ => {
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
                save(dir, "root", &root_key, &root)?;
                save(dir, "ca", &ca_key, &ca)?;
                (root, (ca_key, ca))
            }
        };
        Ok(DevSigner {
            dir: dir.to_owned(),
            root,
            ca,
            ca_key,
            citizens: Mutex::new(HashMap::new()),
        })
    }

    fn key_and_cert(&self, user: &UserRow) -> anyhow::Result<(SigningKey, Certificate)> {
        let mut cache = self
            .citizens
            .lock()
            .map_err(|_| anyhow::anyhow!("lock poisoned"))?;
        if let Some(kc) = cache.get(&user.id) {
            return Ok(kc.clone());
        }
        let dir = self.dir.join("citizens");
        let name = format!(
            "citizen-{}",
            user.id
                .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
        );
        let kc = match load(&dir, &name) {
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
                save(&dir, &name, &key, &cert)?;
                (key, cert)
            }
        };
        cache.insert(user.id.clone(), kc.clone());
        Ok(kc)
    }

    /// The citizen's credential (made on first use).
    pub fn credential(&self, user: &UserRow) -> anyhow::Result<Credential> {
        let (_, cert) = self.key_and_cert(user)?;
        Ok(Credential {
            id: format!("dev-{}", user.id),
            chain: vec![cert, self.ca.clone()],
            algos: vec![SignAlgo::EcdsaP256Sha256],
            handle: String::new(),
        })
    }

    /// Signs a SHA-256 hash with the citizen's key (DER ECDSA signature).
    pub fn sign(&self, user: &UserRow, hash: &[u8; 32]) -> anyhow::Result<Vec<u8>> {
        let (key, _) = self.key_and_cert(user)?;
        let sig: p256::ecdsa::Signature =
            key.sign_prehash(hash).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

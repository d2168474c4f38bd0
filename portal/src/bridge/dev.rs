//! The development signer: a test CA (root → "citizen CA") made at first start, and a P-256
//! key and certificate per citizen, whose subject carries their name and personal ID number.
//! Kept in the database (`dev_signer_keys`: the CA's key with the chain CA + root in one row,
//! and one row per citizen), so that every instance signs with the same CA; the root's key is
//! dropped once it has issued the CA. The two CA certificates are also written to
//! the development folder (`root.pem`, `ca.pem`) for `eform verify --dev` and openssl. The CA
//! answers for its citizens' certificates as an OCSP responder would (in process, a signed
//! OCSP response), and the root's one CRL, made with the CA before the root's key is dropped,
//! says the CA is not revoked: dossiers signed in development go through the same revocation
//! checks as in production. Never for production: its keys sit in the database in clear.
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
    /// The root's CRL (DER), valid as long as the CA; none for a CA made before there was one.
    root_crl: Option<Vec<u8>>,
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
                // The root's one CRL, for as long as the CA lives: the CA is not revoked.
                let crl = root_crl(&root, &root_key, now, now + 5 * YEAR_S)?;
                db.dev_signer_keys(
                    &crl_row(&root),
                    Some((None, crl.as_str())),
                    crate::clock::now_ms(),
                )
                .await?;
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
        let root_crl = match db.dev_signer_keys(&crl_row(&root), None, 0).await? {
            Some((_, pem)) => Some(pem_der(&pem)?),
            None => None,
        };
        Ok(DevSigner {
            db: db.clone(),
            root,
            ca,
            ca_key,
            root_crl,
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

impl DevSigner {
    /// The revocation data the development CA gives for `need`: a signed OCSP answer "good"
    /// for a citizen's certificate (echoing `nonce`), the root's CRL for the CA.
    pub fn revocation(
        &self,
        need: &form_core::sign::Need,
        nonce: &[u8],
    ) -> Option<form_core::sign::revocation::Fetched> {
        use form_core::sign::revocation::Fetched;
        if need.issuer == self.ca {
            let now = now_s();
            ocsp_good(&need.cert, &self.ca, &self.ca_key, now, nonce)
                .ok()
                .map(|der| {
                    Fetched::Ocsp(form_core::sign::OcspAnswer {
                        der,
                        nonce: Some(nonce.to_vec()),
                    })
                })
        } else if need.issuer == self.root && need.cert == self.ca {
            self.root_crl.clone().map(Fetched::Crl)
        } else {
            None
        }
    }
}

/// The row of the root's CRL: named by the root (two instances making a CA at once each store
/// theirs; the one whose root won is read).
fn crl_row(root: &Certificate) -> String {
    format!(
        "root-crl:{}",
        crate::encode::hex(root.tbs_certificate.serial_number.as_bytes())
    )
}

fn pem_der(pem: &str) -> anyhow::Result<Vec<u8>> {
    let (_, der) = x509_cert::der::pem::decode_vec(pem.as_bytes())
        .map_err(|e| anyhow::anyhow!("stored CRL: {e}"))?;
    Ok(der)
}

const ECDSA_WITH_SHA256: x509_cert::der::oid::ObjectIdentifier =
    x509_cert::der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

fn ecdsa_sha256() -> x509_cert::spki::AlgorithmIdentifierOwned {
    x509_cert::spki::AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA256,
        parameters: None,
    }
}

fn signed(key: &SigningKey, tbs: &[u8]) -> anyhow::Result<x509_cert::der::asn1::BitString> {
    use p256::ecdsa::signature::Signer;
    let sig: p256::ecdsa::DerSignature = key.sign(tbs);
    Ok(x509_cert::der::asn1::BitString::from_bytes(sig.as_bytes())?)
}

/// The root's CRL with no entry, PEM.
fn root_crl(root: &Certificate, key: &SigningKey, from: u64, until: u64) -> anyhow::Result<String> {
    use x509_cert::crl::{CertificateList, TbsCertList};
    use x509_cert::der::Encode;
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: ecdsa_sha256(),
        issuer: root.tbs_certificate.subject.clone(),
        this_update: der_time(from - 86_400)?,
        next_update: Some(der_time(until)?),
        revoked_certificates: None,
        crl_extensions: None,
    };
    let crl = CertificateList {
        signature: signed(key, &tbs.to_der()?)?,
        tbs_cert_list: tbs,
        signature_algorithm: ecdsa_sha256(),
    };
    x509_cert::der::pem::encode_string("X509 CRL", LineEnding::LF, &crl.to_der()?)
        .map_err(|e| anyhow::anyhow!("CRL PEM: {e}"))
}

/// A basic OCSP response "good" for `cert`, signed by its issuer `ca`: valid an hour.
fn ocsp_good(
    cert: &Certificate,
    ca: &Certificate,
    key: &SigningKey,
    now: u64,
    nonce: &[u8],
) -> anyhow::Result<Vec<u8>> {
    use x509_cert::der::Encode;
    use x509_cert::der::asn1::{GeneralizedTime, OctetString};
    use x509_ocsp::{
        BasicOcspResponse, CertStatus, OcspGeneralizedTime, OcspResponse, OcspResponseStatus,
        ResponderId, ResponseBytes, ResponseData, SingleResponse, Version,
    };
    let time = |t: u64| -> anyhow::Result<OcspGeneralizedTime> {
        Ok(OcspGeneralizedTime(GeneralizedTime::from_unix_duration(
            std::time::Duration::from_secs(t),
        )?))
    };
    let data = ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByName(ca.tbs_certificate.subject.clone()),
        produced_at: time(now)?,
        responses: vec![SingleResponse {
            cert_id: form_core::sign::revocation::cert_id(cert, ca)?,
            cert_status: CertStatus::good(),
            this_update: time(now)?,
            next_update: Some(time(now + 3600)?),
            single_extensions: None,
        }],
        response_extensions: Some(vec![form_core::sign::revocation::nonce_extension(nonce)?]),
    };
    let basic = BasicOcspResponse {
        signature: signed(key, &data.to_der()?)?,
        tbs_response_data: data,
        signature_algorithm: ecdsa_sha256(),
        certs: None,
    };
    Ok(OcspResponse {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(ResponseBytes {
            response_type: x509_cert::der::oid::ObjectIdentifier::new_unwrap(
                "1.3.6.1.5.5.7.48.1.1",
            ),
            response: OctetString::new(basic.to_der()?)?,
        }),
    }
    .to_der()?)
}

//! Verifying a detached CAdES signature over a dossier's content: the content's digest, the
//! signature over the signed attributes, the signing certificate attribute, the chain to a
//! trust anchor, every certificate's validity at the signing time, CA constraints, and the
//! signer's key usage. Revocation (CRL/OCSP) is the caller's hook: form-core does no IO.

use super::cades::{
    ECDSA_WITH_SHA256, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
    ID_SIGNING_CERTIFICATE_V2, ID_SIGNING_TIME, RSASSA_PSS, SHA256_WITH_RSA, SignAlgo,
    SigningCertificateV2,
};
use crate::text::Text;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::OctetString;
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::Time;

const ID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const ID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const ID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const ID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
/// `UID`, where several Vietnamese CAs put the holder's `CCCD:`/`CMND:` number.
const ID_UID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
/// Longest chain followed.
const MAX_DEPTH: usize = 8;

/// One reason a signature is not valid.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub code: &'static str,
    pub message: Text,
}

/// Who signed, as their certificate says.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Signer {
    /// The subject's common name.
    pub name: String,
    /// The subject's serialNumber attribute, or else its UID (the personal ID number on
    /// Vietnamese citizen certificates, possibly with a prefix such as `CCCD:`).
    pub serial_number: Option<String>,
    /// The issuer's common name.
    pub issuer: String,
    /// Validity, seconds since the epoch.
    pub not_before: u64,
    pub not_after: u64,
}

/// The verifier's answer.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Verdict {
    /// Every check passed.
    pub valid: bool,
    /// Why not, when not (the first failing checks; a broken structure stops early).
    pub problems: Vec<Problem>,
    pub signer: Option<Signer>,
    /// The signing time the signer claimed (signed attribute), seconds since the epoch.
    pub signing_time: Option<u64>,
    pub algorithm: Option<SignAlgo>,
}

fn problem(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem {
        code,
        message: Text::new(vi.into(), en.into()),
    }
}

fn malformed(what: &str) -> Problem {
    problem(
        "malformed",
        format!("Chữ ký không đọc được ({what})."),
        format!("The signature cannot be read ({what})."),
    )
}

/// What a verifier trusts: the roots (trust anchors), and CA certificates below them checked
/// once when added (a deployment's licensed CAs), whose links are then not checked again for
/// every dossier.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    anchor_hashes: Vec<[u8; 32]>,
    intermediates: Vec<Certificate>,
    /// (certificate, its issuer) by SHA-256 of their DER: signatures already verified.
    links: Links,
    /// Links between CAs met in signatures' own chains and verified once (the licensed CAs a
    /// deployment did not list): shared by clones, bounded. Citizens' certificates are never
    /// kept here — each signer certificate's signature is checked every time.
    seen: std::sync::Arc<std::sync::Mutex<Links>>,
}

/// (certificate, issuer) pairs by the SHA-256 of their DER.
type Links = std::collections::BTreeSet<([u8; 32], [u8; 32])>;

/// How many CA links `TrustStore::seen` keeps before starting afresh.
const SEEN_MAX: usize = 1024;

fn hash_of(cert: &Certificate) -> [u8; 32] {
    cert.to_der()
        .map(|d| Sha256::digest(&d).into())
        .unwrap_or_default()
}

impl TrustStore {
    pub fn new(anchors: Vec<Certificate>) -> TrustStore {
        TrustStore {
            anchor_hashes: anchors.iter().map(hash_of).collect(),
            anchors,
            ..TrustStore::default()
        }
    }

    /// Adds CA certificates that chain to an anchor (their signatures and CA constraints
    /// checked now); gives back those that do not.
    pub fn add_intermediates(&mut self, mut certs: Vec<Certificate>) -> Vec<Certificate> {
        loop {
            let before = certs.len();
            certs.retain(|c| {
                let ca =
                    extension::<BasicConstraints>(c, ID_BASIC_CONSTRAINTS).is_some_and(|b| b.ca);
                let parent = self
                    .anchors
                    .iter()
                    .chain(self.intermediates.iter())
                    .find(|p| issued_by(c, p))
                    .map(hash_of);
                match parent {
                    Some(p) if ca => {
                        self.links.insert((hash_of(c), p));
                        self.intermediates.push(c.clone());
                        false
                    }
                    _ => true,
                }
            });
            if certs.len() == before {
                return certs;
            }
        }
    }

    fn is_anchor(&self, cert: &Certificate) -> bool {
        self.anchor_hashes.contains(&hash_of(cert))
    }

    /// `cert`'s issuer among the store and `extra` (the signature's own certificates): a known
    /// link first, else one whose key verifies the signature.
    fn issuer_of(&self, cert: &Certificate, extra: &[Certificate]) -> Option<Certificate> {
        let own = hash_of(cert);
        let candidates: Vec<(&Certificate, [u8; 32])> = self
            .anchors
            .iter()
            .chain(self.intermediates.iter())
            .chain(extra.iter())
            .filter(|p| p.tbs_certificate.subject == cert.tbs_certificate.issuer)
            .map(|p| (p, hash_of(p)))
            .filter(|(_, h)| *h != own)
            .collect();
        if let Ok(seen) = self.seen.lock()
            && let Some((p, _)) = candidates
                .iter()
                .find(|(_, h)| self.links.contains(&(own, *h)) || seen.contains(&(own, *h)))
        {
            return Some((*p).clone());
        }
        let (p, h) = candidates.into_iter().find(|(p, _)| issued_by(cert, p))?;
        let ca = extension::<BasicConstraints>(cert, ID_BASIC_CONSTRAINTS).is_some_and(|b| b.ca);
        if ca && let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= SEEN_MAX {
                seen.clear();
            }
            seen.insert((own, h));
        }
        Some(p.clone())
    }
}

/// Verifies `signature` (DER CMS ContentInfo, detached) over `content` against `trust`.
pub fn verify(signature: &[u8], content: &[u8], trust: &TrustStore) -> Verdict {
    let mut verdict = Verdict::default();
    match check(signature, content, trust, &mut verdict) {
        Ok(()) => {}
        Err(p) => verdict.problems.push(p),
    }
    verdict.valid = verdict.problems.is_empty();
    verdict
}

fn check(
    signature: &[u8],
    content: &[u8],
    trust: &TrustStore,
    verdict: &mut Verdict,
) -> Result<(), Problem> {
    let info = ContentInfo::from_der(signature).map_err(|_| malformed("ContentInfo"))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(malformed("not SignedData"));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|_| malformed("SignedData"))?;
    if signed.encap_content_info.econtent.is_some() {
        return Err(problem(
            "not-detached",
            "Chữ ký phải tách rời nội dung (detached).",
            "The signature must be detached from the content.",
        ));
    }
    let certs: Vec<Certificate> = signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c.clone()),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let infos: Vec<&SignerInfo> = signed.signer_infos.0.iter().collect();
    let [info] = infos.as_slice() else {
        return Err(malformed("exactly one signer expected"));
    };
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &info.sid else {
        return Err(malformed("signer identified by key identifier"));
    };
    let signer = certs
        .iter()
        .find(|c| {
            c.tbs_certificate.issuer == sid.issuer
                && c.tbs_certificate.serial_number == sid.serial_number
        })
        .ok_or_else(|| {
            problem(
                "signer-certificate-missing",
                "Chữ ký không kèm chứng thư số của người ký.",
                "The signature does not carry the signer's certificate.",
            )
        })?;
    verdict.signer = Some(describe(signer));
    let algo = algorithm_of(&info.signature_algorithm).ok_or_else(unsupported)?;
    verdict.algorithm = Some(algo);
    let attrs = info.signed_attrs.as_ref().ok_or_else(|| {
        problem(
            "signed-attributes-missing",
            "Chữ ký không có thuộc tính ký (không phải CAdES).",
            "The signature has no signed attributes (not CAdES).",
        )
    })?;
    let find = |oid: ObjectIdentifier| {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (Some(a), None) if a.values.len() == 1 => a.values.get(0).cloned(),
            _ => None,
        }
    };
    // content-type: id-data.
    let content_type = find(ID_CONTENT_TYPE)
        .and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| malformed("content-type attribute"))?;
    if content_type != ID_DATA {
        return Err(malformed("content-type is not id-data"));
    }
    // message-digest: the content's SHA-256.
    let digest = find(ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| malformed("message-digest attribute"))?;
    if digest.as_bytes() != Sha256::digest(content).as_slice() {
        verdict.problems.push(problem(
            "digest-mismatch",
            "Nội dung đã bị thay đổi sau khi ký (mã băm không khớp).",
            "The content was changed after signing (the digest does not match).",
        ));
    }
    let signing_time = find(ID_SIGNING_TIME)
        .and_then(|v| v.to_der().ok())
        .and_then(|der| Time::from_der(&der).ok())
        .map(|t| t.to_unix_duration().as_secs())
        .ok_or_else(|| {
            problem(
                "signing-time-missing",
                "Chữ ký không ghi thời điểm ký.",
                "The signature does not say when it was made.",
            )
        })?;
    verdict.signing_time = Some(signing_time);
    // The signature over the DER of the attributes as a SET OF.
    let set = attrs.to_der().map_err(|_| malformed("signed attributes"))?;
    let hash: [u8; 32] = Sha256::digest(&set).into();
    if !verifies(
        algo,
        &signer.tbs_certificate.subject_public_key_info,
        &hash,
        info.signature.as_bytes(),
    ) {
        verdict.problems.push(problem(
            "signature-invalid",
            "Chữ ký không đúng với khóa của chứng thư số (chữ ký hoặc thuộc tính ký đã bị thay đổi).",
            "The signature does not match the certificate's key (the signature or its signed attributes were changed).",
        ));
    }
    // signing-certificate-v2 names this certificate.
    let named = find(ID_SIGNING_CERTIFICATE_V2)
        .and_then(|v| v.decode_as::<SigningCertificateV2>().ok())
        .and_then(|s| s.certs.into_iter().next())
        .map(|id| {
            signer
                .to_der()
                .is_ok_and(|der| id.cert_hash.as_bytes() == Sha256::digest(&der).as_slice())
        });
    if named != Some(true) {
        verdict.problems.push(problem(
            "signing-certificate-mismatch",
            "Thuộc tính signing-certificate-v2 không chỉ đúng chứng thư số của người ký.",
            "The signing-certificate-v2 attribute does not name the signer's certificate.",
        ));
    }
    // The signer's key usage: digitalSignature or nonRepudiation (when the extension is there;
    // RFC 5280: no extension, no restriction).
    if let Some(ku) = extension::<KeyUsage>(signer, ID_KEY_USAGE)
        && !(ku.0.contains(KeyUsages::DigitalSignature) || ku.0.contains(KeyUsages::NonRepudiation))
    {
        verdict.problems.push(problem(
            "key-usage",
            "Chứng thư số không được dùng để ký (thiếu digitalSignature / nonRepudiation).",
            "The certificate is not for signing (no digitalSignature or nonRepudiation).",
        ));
    }
    chain(signer, &certs, trust, signing_time, verdict);
    Ok(())
}

fn unsupported() -> Problem {
    problem(
        "unsupported-algorithm",
        "Thuật toán ký không được hỗ trợ (cần RSA PKCS#1 v1.5, RSASSA-PSS hoặc ECDSA P-256, với SHA-256).",
        "The signature algorithm is not supported (RSA PKCS#1 v1.5, RSASSA-PSS or ECDSA P-256, with SHA-256).",
    )
}

/// The algorithm of a SignerInfo's `signatureAlgorithm` (rsaEncryption counts as PKCS#1 v1.5,
/// as many tools write it).
fn algorithm_of(id: &AlgorithmIdentifierOwned) -> Option<SignAlgo> {
    match id.oid {
        SHA256_WITH_RSA | super::cades::RSA_ENCRYPTION => Some(SignAlgo::RsaPkcs1Sha256),
        ECDSA_WITH_SHA256 => Some(SignAlgo::EcdsaP256Sha256),
        RSASSA_PSS => {
            // Only SHA-256 / MGF1-SHA-256 parameters.
            let params = id.parameters.as_ref()?.to_der().ok()?;
            let ours = SignAlgo::RsaPssSha256.identifier().ok()?;
            let ours = ours.parameters?.to_der().ok()?;
            let p = rsa::pkcs1::RsaPssParams::from_der(&params).ok()?;
            let o = rsa::pkcs1::RsaPssParams::from_der(&ours).ok()?;
            (p.hash == o.hash && p.mask_gen == o.mask_gen).then_some(SignAlgo::RsaPssSha256)
        }
        _ => None,
    }
}

/// Whether `signature` by the key of `spki` signs the SHA-256 `hash`.
fn verifies(
    algo: SignAlgo,
    spki: &SubjectPublicKeyInfoOwned,
    hash: &[u8; 32],
    signature: &[u8],
) -> bool {
    let key = spki.subject_public_key.raw_bytes();
    match algo {
        SignAlgo::RsaPkcs1Sha256 | SignAlgo::RsaPssSha256 => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            let Ok(pk) = rsa::RsaPublicKey::from_pkcs1_der(key) else {
                return false;
            };
            if algo == SignAlgo::RsaPkcs1Sha256 {
                pk.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), hash, signature)
                    .is_ok()
            } else {
                pk.verify(rsa::Pss::new::<Sha256>(), hash, signature)
                    .is_ok()
            }
        }
        SignAlgo::EcdsaP256Sha256 => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let (Ok(vk), Ok(sig)) = (
                p256::ecdsa::VerifyingKey::from_sec1_bytes(key),
                p256::ecdsa::Signature::from_der(signature),
            ) else {
                return false;
            };
            vk.verify_prehash(hash, &sig).is_ok()
        }
    }
}

/// Whether `issuer`'s key signed `cert`.
fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let Some(algo) = algorithm_of(&cert.signature_algorithm) else {
        return false;
    };
    let (Ok(tbs), Some(sig)) = (cert.tbs_certificate.to_der(), cert.signature.as_bytes()) else {
        return false;
    };
    let hash: [u8; 32] = Sha256::digest(&tbs).into();
    cert.tbs_certificate.issuer == issuer.tbs_certificate.subject
        && verifies(
            algo,
            &issuer.tbs_certificate.subject_public_key_info,
            &hash,
            sig,
        )
}

fn extension<'a, T: Decode<'a>>(cert: &'a Certificate, oid: ObjectIdentifier) -> Option<T> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)
        .and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

fn validity(cert: &Certificate) -> (u64, u64) {
    let v = &cert.tbs_certificate.validity;
    (
        v.not_before.to_unix_duration().as_secs(),
        v.not_after.to_unix_duration().as_secs(),
    )
}

/// Follows issuers from the signer to a trust anchor: each link's signature, each certificate
/// valid at the signing time, every issuer a CA.
fn chain(
    signer: &Certificate,
    certs: &[Certificate],
    trust: &TrustStore,
    at: u64,
    verdict: &mut Verdict,
) {
    let mut current = signer.clone();
    for depth in 0..MAX_DEPTH {
        let (from, until) = validity(&current);
        let name = common_name(&current.tbs_certificate.subject);
        if at < from {
            verdict.problems.push(problem(
                "not-yet-valid",
                format!("Chứng thư số \"{name}\" chưa có hiệu lực tại thời điểm ký."),
                format!("The certificate \"{name}\" was not yet valid at the signing time."),
            ));
        } else if at > until {
            verdict.problems.push(problem(
                "expired",
                format!("Chứng thư số \"{name}\" đã hết hạn tại thời điểm ký."),
                format!("The certificate \"{name}\" had expired at the signing time."),
            ));
        }
        if depth > 0 {
            let ca =
                extension::<BasicConstraints>(&current, ID_BASIC_CONSTRAINTS).is_some_and(|b| b.ca);
            if !ca {
                verdict.problems.push(problem(
                    "not-a-ca",
                    format!("Chứng thư số \"{name}\" không phải của tổ chức cấp chứng thư (CA)."),
                    format!("The certificate \"{name}\" is not a certification authority's."),
                ));
                return;
            }
        }
        // A trust anchor: the same certificate as a configured root.
        if trust.is_anchor(&current) {
            return;
        }
        match trust.issuer_of(&current, certs) {
            Some(i) => current = i,
            None => break,
        }
    }
    verdict.problems.push(problem(
        "untrusted",
        "Chứng thư số không dẫn tới tổ chức cấp chứng thư được tin cậy.",
        "The certificate does not lead to a trusted certification authority.",
    ));
}

fn attribute_text(name: &x509_cert::name::Name, oid: ObjectIdentifier) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|a| a.oid == oid)
        .and_then(|a| {
            a.value
                .decode_as::<der::asn1::Utf8StringRef<'_>>()
                .map(|s| s.as_str().to_owned())
                .or_else(|_| {
                    a.value
                        .decode_as::<der::asn1::PrintableStringRef<'_>>()
                        .map(|s| s.as_str().to_owned())
                })
                .or_else(|_| {
                    a.value
                        .decode_as::<der::asn1::Ia5StringRef<'_>>()
                        .map(|s| s.as_str().to_owned())
                })
                .ok()
        })
}

fn common_name(name: &x509_cert::name::Name) -> String {
    attribute_text(name, ID_COMMON_NAME).unwrap_or_else(|| name.to_string())
}

/// Who a certificate names (the signer view of a verdict), e.g. to show before signing.
pub fn describe(cert: &Certificate) -> Signer {
    let (not_before, not_after) = validity(cert);
    Signer {
        name: common_name(&cert.tbs_certificate.subject),
        serial_number: attribute_text(&cert.tbs_certificate.subject, ID_SERIAL_NUMBER)
            .or_else(|| attribute_text(&cert.tbs_certificate.subject, ID_UID)),
        issuer: common_name(&cert.tbs_certificate.issuer),
        not_before,
        not_after,
    }
}

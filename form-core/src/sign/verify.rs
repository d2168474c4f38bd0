//! Verifying a detached CAdES signature over a dossier's content, as ETSI EN 319 102-1 does: the
//! format, the content's digest, the signature over the signed attributes, the signing
//! certificate attribute, the signer's key usage, the claimed signing time against the trusted
//! time, the chain to a trust anchor, every certificate's validity at the trusted time, and each
//! certificate's revocation status from the OCSP answers and CRLs handed in (form-core does no
//! IO: the caller fetches what `revocation_needs` lists), and — when the signature carries a
//! signature-time-stamp (CAdES B-T) — that token (`timestamp::verify_token`). The answer is an
//! indication (TOTAL-PASSED, TOTAL-FAILED, INDETERMINATE), a sub-indication, and every check's
//! result.
//!
//! The trusted time is always the caller's (`Context::at`): a valid time-stamp is reported, not
//! used in its place — the portal passes the token's time as `at` when it has one.
//!
//! Long on purpose: the ETSI EN 319 102-1 validation in the standard's order, read against it in
//! one place (revocation and time-stamps are apart).

use super::cades::{
    ECDSA_WITH_SHA256, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
    ID_SIGNING_CERTIFICATE_V2, ID_SIGNING_TIME, RSASSA_PSS, SHA256_WITH_RSA, SignAlgo,
    SigningCertificateV2,
};
use super::revocation;
use super::timestamp::{self, TimeStamp};
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

pub(super) const ID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
pub(super) const ID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const ID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const ID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const ID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
/// `UID`, where several Vietnamese CAs put the holder's `CCCD:`/`CMND:` number.
const ID_UID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
/// Longest chain followed.
const MAX_DEPTH: usize = 8;

/// The ETSI EN 319 102-1 main status of a validation (ordered: worse is greater).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Indication {
    #[default]
    TotalPassed,
    Indeterminate,
    TotalFailed,
}

impl Indication {
    pub fn as_str(self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::Indeterminate => "INDETERMINATE",
            Indication::TotalFailed => "TOTAL-FAILED",
        }
    }
}

/// The ETSI EN 319 102-1 sub-indications this verifier gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubIndication {
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    NotYetValid,
    SigConstraintsFailure,
    ChainConstraintsFailure,
    CryptoConstraintsFailure,
    CertificateChainGeneralFailure,
    NoSigningCertificateFound,
    NoCertificateChainFound,
    RevokedNoPoe,
    RevokedCaNoPoe,
    OutOfBoundsNoPoe,
    TryLater,
    /// The signature-time-stamp's time lies before the claimed signing time.
    TimestampOrderFailure,
}

impl SubIndication {
    pub fn as_str(self) -> &'static str {
        match self {
            SubIndication::FormatFailure => "FORMAT_FAILURE",
            SubIndication::HashFailure => "HASH_FAILURE",
            SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            SubIndication::Revoked => "REVOKED",
            SubIndication::NotYetValid => "NOT_YET_VALID",
            SubIndication::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SubIndication::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            SubIndication::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            SubIndication::RevokedNoPoe => "REVOKED_NO_POE",
            SubIndication::RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            SubIndication::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            SubIndication::TryLater => "TRY_LATER",
            SubIndication::TimestampOrderFailure => "TIMESTAMP_ORDER_FAILURE",
        }
    }
}

/// The checks of a report, in the order they are listed (`timestamp`: not-checked when the
/// signature carries no signature-time-stamp).
pub const CHECKS: [&str; 10] = [
    "format",
    "digest",
    "signature",
    "signing-certificate",
    "key-usage",
    "chain",
    "validity",
    "signing-time",
    "revocation",
    "timestamp",
];

/// One reason a signature is not valid: the check that found it, its own code, and what it
/// makes of the whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub check: &'static str,
    pub code: &'static str,
    pub message: Text,
    pub indication: Indication,
    pub sub_indication: SubIndication,
}

/// How one check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    Passed,
    Failed,
    Indeterminate,
    /// Not run: an earlier failure made it meaningless, or the caller asked for no such check.
    NotChecked,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::Indeterminate => "indeterminate",
            CheckStatus::NotChecked => "not-checked",
        }
    }
}

/// A check's line in the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub id: &'static str,
    pub status: CheckStatus,
    /// What was found (a passed check's facts, or the first problem's message).
    pub detail: Option<Text>,
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

/// The revocation status used for one certificate of the path.
#[derive(Clone, Debug, PartialEq)]
pub struct RevocationUsed {
    /// The certificate's subject common name.
    pub subject: String,
    pub found: revocation::Found,
}

/// The signature's format, as ETSI EN 319 122-1 names its levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CAdES-B-B: signed attributes, no (valid) time-stamp.
    CadesBB,
    /// CAdES-B-T: with a valid signature-time-stamp.
    CadesBT,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CadesBB => "CAdES-B-B",
            Format::CadesBT => "CAdES-B-T",
        }
    }
}

/// The verifier's answer: an ETSI EN 319 102-1 validation report.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Verdict {
    /// The indication is TOTAL-PASSED.
    pub valid: bool,
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    /// Why not, when not: every problem found, in check order (a broken structure stops early).
    pub problems: Vec<Problem>,
    /// Every check of `CHECKS` with its status.
    pub checks: Vec<Check>,
    pub signer: Option<Signer>,
    /// The signing time the signer claimed (signed attribute), seconds since the epoch.
    pub signing_time: Option<u64>,
    /// The trusted time the certificates were judged at.
    pub validation_time: u64,
    pub algorithm: Option<SignAlgo>,
    /// The certification path, signer first, trust anchor last (when one was found).
    pub chain: Vec<Signer>,
    /// The revocation answers used, one per certificate of the path below the anchor.
    pub revocation: Vec<RevocationUsed>,
    /// The format read (once the structure and the signed attributes were): B-T when the
    /// signature carries a valid signature-time-stamp, else B-B.
    pub format: Option<Format>,
    /// The signature-time-stamp, when the signature carries one and it is valid.
    pub timestamp: Option<TimeStamp>,
}

impl Verdict {
    /// Adds a problem found by a check outside this module (the portal's: the signer's ID
    /// number against the applicant's) and recomputes the indication.
    pub fn add(&mut self, problem: Problem) {
        if let Some(c) = self.checks.iter_mut().find(|c| c.id == problem.check) {
            c.status = status_of(problem.indication);
            c.detail = Some(problem.message.clone());
        } else {
            self.checks.push(Check {
                id: problem.check,
                status: status_of(problem.indication),
                detail: Some(problem.message.clone()),
            });
        }
        self.problems.push(problem);
        self.conclude();
    }

    /// Adds a passed check of the caller's.
    pub fn passed(&mut self, id: &'static str, detail: Option<Text>) {
        self.checks.push(Check {
            id,
            status: CheckStatus::Passed,
            detail,
        });
    }

    fn conclude(&mut self) {
        self.indication = self
            .problems
            .iter()
            .map(|p| p.indication)
            .max()
            .unwrap_or_default();
        self.sub_indication = self
            .problems
            .iter()
            .find(|p| p.indication == self.indication)
            .map(|p| p.sub_indication);
        self.valid = self.indication == Indication::TotalPassed;
    }
}

fn status_of(indication: Indication) -> CheckStatus {
    match indication {
        Indication::TotalPassed => CheckStatus::Passed,
        Indication::Indeterminate => CheckStatus::Indeterminate,
        Indication::TotalFailed => CheckStatus::Failed,
    }
}

/// Builds a problem of `check` (for callers adding their own checks to a verdict).
pub fn problem(
    check: &'static str,
    code: &'static str,
    (indication, sub_indication): (Indication, SubIndication),
    vi: impl Into<String>,
    en: impl Into<String>,
) -> Problem {
    Problem {
        check,
        code,
        message: Text::new(vi.into(), en.into()),
        indication,
        sub_indication,
    }
}

use Indication::{Indeterminate as INDET, TotalFailed as FAILED};

fn malformed(what: &str) -> Problem {
    problem(
        "format",
        "malformed",
        (FAILED, SubIndication::FormatFailure),
        format!("Chữ ký không đọc được ({what})."),
        format!("The signature cannot be read ({what})."),
    )
}

/// What a validation is judged against.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The trusted time (seconds since the epoch): the portal's receipt, or a time-stamp's time.
    /// Every certificate of the path must be valid then.
    pub at: u64,
    /// How long before `at` the claimed signing time may lie (seconds).
    pub signing_window: u64,
    /// How long after `at` it may lie (clock skew, seconds).
    pub signing_skew: u64,
    /// Revocation data for the path; `None`: revocation not checked (the report says so).
    pub revocation: Option<&'a revocation::Evidence>,
    pub freshness: revocation::Freshness,
}

/// The default window for the claimed signing time before the receipt: 30 minutes (the remote
/// signer's approval and the submission after it).
pub const SIGNING_WINDOW: u64 = 30 * 60;
/// The default clock skew allowed after the receipt: 2 minutes.
pub const SIGNING_SKEW: u64 = 2 * 60;

impl Context<'static> {
    /// Judged at `at`, the default signing-time window, no revocation check.
    pub fn at(at: u64) -> Context<'static> {
        Context {
            at,
            signing_window: SIGNING_WINDOW,
            signing_skew: SIGNING_SKEW,
            revocation: None,
            freshness: revocation::Freshness::default(),
        }
    }
}

impl<'a> Context<'a> {
    /// The same, with revocation data: no usable answer for a certificate is INDETERMINATE.
    pub fn with_revocation(self, evidence: &'a revocation::Evidence) -> Context<'a> {
        Context {
            revocation: Some(evidence),
            ..self
        }
    }
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

/// Verifies `signature` (DER CMS ContentInfo, detached) over `content` against `trust`, at the
/// context's trusted time, with its revocation data: an ETSI validation report. A
/// signature-time-stamp, when there is one, is judged too (its TSA chaining to the same `trust`,
/// not dated after the time of checking, not before the claimed signing time): valid, it is
/// reported (`Verdict::timestamp`, format B-T); not, the `timestamp` check says why
/// (INDETERMINATE: the signature's time is not proven).
pub fn verify(signature: &[u8], content: &[u8], trust: &TrustStore, ctx: &Context) -> Verdict {
    let mut verdict = Verdict {
        validation_time: ctx.at,
        ..Verdict::default()
    };
    let mut ran: Vec<&'static str> = Vec::new();
    if let Err(p) = check(signature, content, trust, ctx, &mut verdict, &mut ran) {
        verdict.problems.push(p);
    }
    if ran.contains(&"format")
        && let Some(token) = timestamp::token_of(signature)
    {
        ran.push("timestamp");
        let now = ctx.freshness.now.unwrap_or(ctx.at).max(ctx.at);
        match timestamp::verify_token(&token, signature, trust, now) {
            Ok(ts)
                if verdict
                    .signing_time
                    .is_some_and(|t| ts.gen_time + ctx.signing_skew < t) =>
            {
                let when = datetime(ts.gen_time);
                verdict.problems.push(problem(
                    "timestamp",
                    "timestamp-before-signing-time",
                    (INDET, SubIndication::TimestampOrderFailure),
                    format!("Dấu thời gian ({when}) sớm hơn thời điểm ký ghi trong chữ ký."),
                    format!(
                        "The time-stamp ({when}) is earlier than the signing time in the signature."
                    ),
                ));
            }
            Ok(ts) => {
                verdict.timestamp = Some(ts);
                verdict.format = Some(Format::CadesBT);
            }
            Err(p) => verdict.problems.push(p),
        }
    }
    verdict.checks = CHECKS
        .iter()
        .map(
            |&id| match verdict.problems.iter().find(|p| p.check == id) {
                Some(p) => Check {
                    id,
                    status: status_of(p.indication),
                    detail: Some(p.message.clone()),
                },
                None => Check {
                    id,
                    status: if ran.contains(&id) {
                        CheckStatus::Passed
                    } else {
                        CheckStatus::NotChecked
                    },
                    detail: None,
                },
            },
        )
        .collect();
    verdict.conclude();
    verdict
}

/// A signature's parts the checks read.
struct Parsed {
    certs: Vec<Certificate>,
    info: SignerInfo,
    signer: Certificate,
}

fn parse(signature: &[u8]) -> Result<Parsed, Problem> {
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
            "format",
            "not-detached",
            (FAILED, SubIndication::FormatFailure),
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
        .cloned()
        .ok_or_else(|| {
            problem(
                "signing-certificate",
                "signer-certificate-missing",
                (INDET, SubIndication::NoSigningCertificateFound),
                "Chữ ký không kèm chứng thư số của người ký.",
                "The signature does not carry the signer's certificate.",
            )
        })?;
    Ok(Parsed {
        info: (*info).clone(),
        certs,
        signer,
    })
}

/// A certificate of a signature's path whose revocation status is to be fetched: with its
/// issuer (for the OCSP request and to judge the answers) and the sources it names.
#[derive(Clone, Debug)]
pub struct Need {
    pub cert: Certificate,
    pub issuer: Certificate,
    pub sources: revocation::Sources,
}

/// The certificates of `signature`'s path below the trust anchor, each with its issuer: what
/// revocation data a validation wants. Empty when the signature or its path cannot be read
/// (the verification will say why).
pub fn revocation_needs(signature: &[u8], trust: &TrustStore) -> Vec<Need> {
    let Ok(parsed) = parse(signature) else {
        return Vec::new();
    };
    let Some(path) = path(&parsed.signer, &parsed.certs, trust) else {
        return Vec::new();
    };
    path.windows(2)
        .map(|w| Need {
            sources: revocation::sources(&w[0]),
            cert: w[0].clone(),
            issuer: w[1].clone(),
        })
        .collect()
}

fn check(
    signature: &[u8],
    content: &[u8],
    trust: &TrustStore,
    ctx: &Context,
    verdict: &mut Verdict,
    ran: &mut Vec<&'static str>,
) -> Result<(), Problem> {
    let Parsed {
        certs,
        info,
        signer,
    } = parse(signature)?;
    let signer = &signer;
    verdict.signer = Some(describe(signer));
    let algo = algorithm_of(&info.signature_algorithm).ok_or_else(unsupported)?;
    verdict.algorithm = Some(algo);
    let attrs = info.signed_attrs.as_ref().ok_or_else(|| {
        problem(
            "format",
            "signed-attributes-missing",
            (FAILED, SubIndication::FormatFailure),
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
    let signing_time = find(ID_SIGNING_TIME)
        .and_then(|v| v.to_der().ok())
        .and_then(|der| Time::from_der(&der).ok())
        .map(|t| t.to_unix_duration().as_secs())
        .ok_or_else(|| {
            problem(
                "format",
                "signing-time-missing",
                (FAILED, SubIndication::FormatFailure),
                "Chữ ký không ghi thời điểm ký.",
                "The signature does not say when it was made.",
            )
        })?;
    ran.push("format");
    verdict.format = Some(Format::CadesBB);
    verdict.signing_time = Some(signing_time);
    ran.push("digest");
    if digest.as_bytes() != Sha256::digest(content).as_slice() {
        verdict.problems.push(problem(
            "digest",
            "digest-mismatch",
            (FAILED, SubIndication::HashFailure),
            "Nội dung đã bị thay đổi sau khi ký (mã băm không khớp).",
            "The content was changed after signing (the digest does not match).",
        ));
    }
    // The signature over the DER of the attributes as a SET OF.
    let set = attrs.to_der().map_err(|_| malformed("signed attributes"))?;
    let hash: [u8; 32] = Sha256::digest(&set).into();
    ran.push("signature");
    if !verifies(
        algo,
        &signer.tbs_certificate.subject_public_key_info,
        &hash,
        info.signature.as_bytes(),
    ) {
        verdict.problems.push(problem(
            "signature",
            "signature-invalid",
            (FAILED, SubIndication::SigCryptoFailure),
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
    ran.push("signing-certificate");
    if named != Some(true) {
        verdict.problems.push(problem(
            "signing-certificate",
            "signing-certificate-mismatch",
            (INDET, SubIndication::NoSigningCertificateFound),
            "Thuộc tính signing-certificate-v2 không chỉ đúng chứng thư số của người ký.",
            "The signing-certificate-v2 attribute does not name the signer's certificate.",
        ));
    }
    // The signer's key usage: digitalSignature or nonRepudiation (when the extension is there;
    // RFC 5280: no extension, no restriction).
    ran.push("key-usage");
    if let Some(ku) = extension::<KeyUsage>(signer, ID_KEY_USAGE)
        && !(ku.0.contains(KeyUsages::DigitalSignature) || ku.0.contains(KeyUsages::NonRepudiation))
    {
        verdict.problems.push(problem(
            "key-usage",
            "key-usage",
            (INDET, SubIndication::SigConstraintsFailure),
            "Chứng thư số không được dùng để ký (thiếu digitalSignature / nonRepudiation).",
            "The certificate is not for signing (no digitalSignature or nonRepudiation).",
        ));
    }
    // The claimed signing time lies in the window before the trusted time.
    ran.push("signing-time");
    if signing_time + ctx.signing_window < ctx.at {
        verdict.problems.push(problem(
            "signing-time",
            "signing-time-backdated",
            (INDET, SubIndication::SigConstraintsFailure),
            format!(
                "Thời điểm ký ghi trong chữ ký sớm hơn thời điểm nhận quá {} phút.",
                ctx.signing_window / 60
            ),
            format!(
                "The signing time in the signature is more than {} minutes before its receipt.",
                ctx.signing_window / 60
            ),
        ));
    } else if signing_time > ctx.at + ctx.signing_skew {
        verdict.problems.push(problem(
            "signing-time",
            "signing-time-future",
            (INDET, SubIndication::SigConstraintsFailure),
            "Thời điểm ký ghi trong chữ ký ở tương lai.",
            "The signing time in the signature lies in the future.",
        ));
    }
    ran.push("chain");
    let Some(path) = path(signer, &certs, trust) else {
        verdict.problems.push(chain_problem(signer, &certs, trust));
        return Ok(());
    };
    verdict.chain = path.iter().map(describe).collect();
    ran.push("validity");
    for (depth, cert) in path.iter().enumerate() {
        validity_at(cert, depth, signing_time, ctx.at, verdict);
    }
    if let Some(evidence) = ctx.revocation {
        ran.push("revocation");
        for (depth, w) in path.windows(2).enumerate() {
            revoked(&w[0], &w[1], depth, signing_time, ctx, evidence, verdict);
        }
    }
    Ok(())
}

/// Each certificate of the path valid at the trusted time; the signer's also at the claimed
/// signing time.
fn validity_at(cert: &Certificate, depth: usize, signed: u64, at: u64, verdict: &mut Verdict) {
    let (from, until) = validity(cert);
    let name = common_name(&cert.tbs_certificate.subject);
    if at < from || (depth == 0 && signed < from) {
        let sub = if depth == 0 {
            (FAILED, SubIndication::NotYetValid)
        } else {
            (INDET, SubIndication::OutOfBoundsNoPoe)
        };
        verdict.problems.push(problem(
            "validity",
            "not-yet-valid",
            sub,
            format!("Chứng thư số \"{name}\" chưa có hiệu lực tại thời điểm ký."),
            format!("The certificate \"{name}\" was not yet valid at the signing time."),
        ));
    } else if at > until {
        verdict.problems.push(problem(
            "validity",
            "expired",
            (INDET, SubIndication::OutOfBoundsNoPoe),
            format!("Chứng thư số \"{name}\" đã hết hạn trước thời điểm nhận chữ ký."),
            format!("The certificate \"{name}\" had expired before the signature was received."),
        ));
    }
}

/// The revocation status of `cert` (issued by `issuer`, `depth` 0 the signer) at the trusted
/// time from the evidence.
fn revoked(
    cert: &Certificate,
    issuer: &Certificate,
    depth: usize,
    signed: u64,
    ctx: &Context,
    evidence: &revocation::Evidence,
    verdict: &mut Verdict,
) {
    let name = common_name(&cert.tbs_certificate.subject);
    match revocation::status_of(evidence, cert, issuer, ctx.at, ctx.freshness) {
        Ok(found) => {
            match found.status {
                revocation::Status::Good => {}
                revocation::Status::Revoked { at, .. } if at > ctx.at => {}
                // Suspended (certificateHold): it may be lifted — not known yet (ETSI EN 319
                // 102-1: TRY_LATER).
                revocation::Status::Revoked {
                    reason: Some(revocation::CERTIFICATE_HOLD),
                    ..
                } => verdict.problems.push(problem(
                    "revocation",
                    "suspended",
                    (INDET, SubIndication::TryLater),
                    format!("Chứng thư số \"{name}\" đang bị tạm dừng hiệu lực."),
                    format!("The certificate \"{name}\" is suspended."),
                )),
                revocation::Status::Revoked { at, .. } => {
                    let when = datetime(at);
                    let sub = match depth {
                        0 if at <= signed => (FAILED, SubIndication::Revoked),
                        0 => (INDET, SubIndication::RevokedNoPoe),
                        _ => (INDET, SubIndication::RevokedCaNoPoe),
                    };
                    verdict.problems.push(problem(
                        "revocation",
                        "revoked",
                        sub,
                        format!("Chứng thư số \"{name}\" đã bị thu hồi lúc {when}."),
                        format!("The certificate \"{name}\" was revoked at {when}."),
                    ));
                }
                revocation::Status::Unknown => verdict.problems.push(problem(
                    "revocation",
                    "revocation-unknown",
                    (INDET, SubIndication::CertificateChainGeneralFailure),
                    format!("Máy chủ OCSP không biết chứng thư số \"{name}\"."),
                    format!("The OCSP responder does not know the certificate \"{name}\"."),
                )),
            }
            verdict.revocation.push(RevocationUsed {
                subject: name,
                found,
            });
        }
        Err(why) => {
            let (vi, en) = match why.first() {
                Some(r) => (r.message.vi.clone(), r.message.en.clone()),
                None if revocation::sources(cert) == revocation::Sources::default() => (
                    "Chứng thư số không chỉ nơi tra cứu tình trạng thu hồi.".to_owned(),
                    "The certificate names no place to ask for its revocation status.".to_owned(),
                ),
                None => (
                    "Không liên lạc được với máy chủ OCSP / nơi phát hành CRL.".to_owned(),
                    "The OCSP responder / CRL distribution point could not be reached.".to_owned(),
                ),
            };
            let code = why.first().map_or("revocation-unavailable", |r| r.code);
            verdict.problems.push(problem(
                "revocation",
                code,
                (INDET, SubIndication::TryLater),
                format!("Chưa xác định được chứng thư số \"{name}\" có bị thu hồi không: {vi}"),
                format!("Whether the certificate \"{name}\" is revoked is not known yet: {en}"),
            ));
        }
    }
}

fn unsupported() -> Problem {
    problem(
        "signature",
        "unsupported-algorithm",
        (INDET, SubIndication::CryptoConstraintsFailure),
        "Thuật toán ký không được hỗ trợ (cần RSA PKCS#1 v1.5, RSASSA-PSS hoặc ECDSA P-256, với SHA-256).",
        "The signature algorithm is not supported (RSA PKCS#1 v1.5, RSASSA-PSS or ECDSA P-256, with SHA-256).",
    )
}

/// The algorithm of a SignerInfo's `signatureAlgorithm` (rsaEncryption counts as PKCS#1 v1.5,
/// as many tools write it).
pub(super) fn algorithm_of(id: &AlgorithmIdentifierOwned) -> Option<SignAlgo> {
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
pub(super) fn verifies(
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
pub(super) fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
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

pub(super) fn extension<'a, T: Decode<'a>>(
    cert: &'a Certificate,
    oid: ObjectIdentifier,
) -> Option<T> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)
        .and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

pub(super) fn validity(cert: &Certificate) -> (u64, u64) {
    let v = &cert.tbs_certificate.validity;
    (
        v.not_before.to_unix_duration().as_secs(),
        v.not_after.to_unix_duration().as_secs(),
    )
}

/// The certification path from the signer to a trust anchor (signer first, anchor last): each
/// link's signature verified, every issuer a CA. `None` when there is none.
pub(super) fn path(
    signer: &Certificate,
    certs: &[Certificate],
    trust: &TrustStore,
) -> Option<Vec<Certificate>> {
    let mut current = signer.clone();
    let mut path = vec![current.clone()];
    for depth in 0..MAX_DEPTH {
        if depth > 0 && !is_ca(&current) {
            return None;
        }
        if trust.is_anchor(&current) {
            return Some(path);
        }
        current = trust.issuer_of(&current, certs)?;
        path.push(current.clone());
    }
    None
}

fn is_ca(cert: &Certificate) -> bool {
    extension::<BasicConstraints>(cert, ID_BASIC_CONSTRAINTS).is_some_and(|b| b.ca)
}

/// Why there is no path: an issuer that is not a CA, or no trusted anchor.
pub(super) fn chain_problem(
    signer: &Certificate,
    certs: &[Certificate],
    trust: &TrustStore,
) -> Problem {
    let mut current = signer.clone();
    for depth in 0..MAX_DEPTH {
        if depth > 0 && !is_ca(&current) {
            let name = common_name(&current.tbs_certificate.subject);
            return problem(
                "chain",
                "not-a-ca",
                (INDET, SubIndication::ChainConstraintsFailure),
                format!("Chứng thư số \"{name}\" không phải của tổ chức cấp chứng thư (CA)."),
                format!("The certificate \"{name}\" is not a certification authority's."),
            );
        }
        if trust.is_anchor(&current) {
            break;
        }
        match trust.issuer_of(&current, certs) {
            Some(i) => current = i,
            None => break,
        }
    }
    problem(
        "chain",
        "untrusted",
        (INDET, SubIndication::NoCertificateChainFound),
        "Chứng thư số không dẫn tới tổ chức cấp chứng thư được tin cậy.",
        "The certificate does not lead to a trusted certification authority.",
    )
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

pub(super) fn common_name(name: &x509_cert::name::Name) -> String {
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

/// `2026-12-05T10:00:00Z` for seconds since the epoch.
pub fn datetime(secs: u64) -> String {
    der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map(|d| d.to_string())
        .unwrap_or_else(|_| secs.to_string())
}

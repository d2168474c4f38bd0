//! Revocation as data (RFC 6960 OCSP, RFC 5280 CRLs): where a certificate says to ask, the OCSP
//! request to send, and the judgement of the answers the caller fetched. No IO: the portal
//! fetches, caches and stores; this module says what an answer proves at a given time.

use super::verify::{ID_EXT_KEY_USAGE, algorithm_of, extension, issued_by, verifies};
use crate::text::Text;
use der::asn1::{Null, OctetString};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints, ExtendedKeyUsage};
use x509_cert::ext::{Extension, Extensions};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    ResponderId, TbsRequest, Version,
};

const ID_AIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const ID_CRL_DP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const ID_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const ID_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
const ID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// A CRL's issuing-distribution-point and delta indicator: CRLs with either are partial, and
/// not what this checker reads as complete.
const ID_DELTA_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");

/// Where a certificate says its revocation status is published.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// OCSP responders (authority information access, `id-ad-ocsp`), http(s) only.
    pub ocsp: Vec<String>,
    /// CRL distribution points (full names), http(s) only.
    pub crls: Vec<String>,
}

fn http_uri(name: &GeneralName) -> Option<String> {
    match name {
        GeneralName::UniformResourceIdentifier(uri) => {
            let s = uri.as_str();
            (s.starts_with("http://") || s.starts_with("https://")).then(|| s.to_owned())
        }
        _ => None,
    }
}

/// The revocation sources `cert` names.
pub fn sources(cert: &Certificate) -> Sources {
    let ocsp = extension::<AuthorityInfoAccessSyntax>(cert, ID_AIA)
        .map(|aia| {
            aia.0
                .iter()
                .filter(|d| d.access_method == ID_AD_OCSP)
                .filter_map(|d| http_uri(&d.access_location))
                .collect()
        })
        .unwrap_or_default();
    let crls = extension::<CrlDistributionPoints>(cert, ID_CRL_DP)
        .map(|dps| {
            dps.0
                .iter()
                .filter_map(|dp| match &dp.distribution_point {
                    Some(DistributionPointName::FullName(names)) => Some(names),
                    _ => None,
                })
                .flatten()
                .filter_map(http_uri)
                .collect()
        })
        .unwrap_or_default();
    Sources { ocsp, crls }
}

fn sha1(bytes: &[u8]) -> Vec<u8> {
    sha1::Sha1::digest(bytes).to_vec()
}

/// The CertID of `cert` issued by `issuer`, with SHA-1 (RFC 5019: what every responder
/// understands; an identifier, not a security check).
pub fn cert_id(cert: &Certificate, issuer: &Certificate) -> Result<CertId, der::Error> {
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: OctetString::new(sha1(&issuer.tbs_certificate.subject.to_der()?))?,
        issuer_key_hash: OctetString::new(sha1(
            issuer
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes(),
        ))?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

/// Whether `id` (of any supported hash) names `cert` issued by `issuer`.
fn names(id: &CertId, cert: &Certificate, issuer: &Certificate) -> bool {
    let hash = |b: &[u8]| match id.hash_algorithm.oid {
        ID_SHA1 => Some(sha1(b)),
        ID_SHA256 => Some(Sha256::digest(b).to_vec()),
        _ => None,
    };
    let Ok(name) = issuer.tbs_certificate.subject.to_der() else {
        return false;
    };
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    id.serial_number == cert.tbs_certificate.serial_number
        && hash(&name).as_deref() == Some(id.issuer_name_hash.as_bytes())
        && hash(key).as_deref() == Some(id.issuer_key_hash.as_bytes())
}

/// The DER OCSP request for `cert` (issued by `issuer`) carrying `nonce` (RFC 8954: 1–32 bytes).
pub fn ocsp_request(
    cert: &Certificate,
    issuer: &Certificate,
    nonce: &[u8],
) -> Result<Vec<u8>, der::Error> {
    let nonce = nonce_extension(nonce)?;
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id(cert, issuer)?,
                single_request_extensions: None,
            }],
            request_extensions: Some(vec![nonce]),
        },
        optional_signature: None,
    }
    .to_der()
}

/// The OCSP nonce extension (RFC 8954) carrying `nonce`.
pub fn nonce_extension(nonce: &[u8]) -> Result<Extension, der::Error> {
    Ok(Extension {
        extn_id: ID_OCSP_NONCE,
        critical: false,
        extn_value: OctetString::new(OctetString::new(nonce)?.to_der()?)?,
    })
}

/// One piece of revocation data as fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    Ocsp(OcspAnswer),
    Crl(Vec<u8>),
}

/// One OCSP answer handed in: its DER and the nonce of the request it answers (`None` for an
/// answer from a cache, whose request is not this one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspAnswer {
    pub der: Vec<u8>,
    pub nonce: Option<Vec<u8>>,
}

/// The revocation data a verification may use: OCSP answers and CRLs as fetched, and what could
/// not be fetched (each a source and why, for the report).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    pub ocsp: Vec<OcspAnswer>,
    pub crls: Vec<Vec<u8>>,
    pub unreachable: Vec<String>,
}

/// A certificate's status as an answer states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Good,
    /// Revoked at (seconds since the epoch), with the CRL reason code when given.
    Revoked {
        at: u64,
        reason: Option<u8>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

impl Status {
    /// Revoked for good (every reason but `certificateHold`, a suspension that may be lifted).
    pub fn is_final_revocation(self) -> bool {
        matches!(self, Status::Revoked { reason, .. } if reason != Some(CERTIFICATE_HOLD))
    }
}

/// The CRL reason code of a suspension (RFC 5280 §5.3.1).
pub const CERTIFICATE_HOLD: u8 = 6;

/// Where a status came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Ocsp,
    Crl,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Ocsp => "ocsp",
            Via::Crl => "crl",
        }
    }
}

/// An answer that was judged and used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub status: Status,
    pub via: Via,
    /// When the answer's information was known to be correct, and when newer is promised.
    pub this_update: u64,
    pub next_update: Option<u64>,
    /// SHA-256 of the answer's DER (OCSP response or CRL), by which it is stored.
    pub sha256: [u8; 32],
}

/// Why an answer could not be used.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    pub code: &'static str,
    pub message: Text,
}

fn rejected(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Rejected {
    Rejected {
        code,
        message: Text::new(vi.into(), en.into()),
    }
}

/// How fresh an answer must be at the validation time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Freshness {
    /// The time of checking, when later than the validation time (an answer fetched after the
    /// receipt, or kept evidence re-read): no answer may be dated after it. `None`: the
    /// validation time.
    pub now: Option<u64>,
    /// Clocks of responders and the portal may differ by this much (seconds).
    pub skew: u64,
    /// An answer without `nextUpdate` is used for this long after its `thisUpdate` (seconds).
    pub max_age: u64,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            now: None,
            skew: 300,
            max_age: 3600,
        }
    }
}

fn secs(t: &der::asn1::GeneralizedTime) -> u64 {
    t.to_unix_duration().as_secs()
}

fn fresh(
    this_update: u64,
    next_update: Option<u64>,
    at: u64,
    freshness: Freshness,
) -> Result<(), Rejected> {
    if this_update > freshness.now.unwrap_or(at) + freshness.skew {
        return Err(rejected(
            "revocation-answer-from-the-future",
            "Câu trả lời về tình trạng thu hồi ghi thời điểm ở tương lai.",
            "The revocation answer is dated in the future.",
        ));
    }
    let until = next_update.unwrap_or(this_update + freshness.max_age);
    if until + freshness.skew < at {
        return Err(rejected(
            "revocation-answer-stale",
            "Câu trả lời về tình trạng thu hồi đã cũ (quá thời điểm cập nhật tiếp theo).",
            "The revocation answer is out of date (past its next update).",
        ));
    }
    Ok(())
}

/// Judges an OCSP answer for `cert` (issued by `issuer`) at time `at`: a successful basic
/// response, signed by the issuer or by a responder the issuer authorised (`id-kp-OCSPSigning`),
/// answering for this certificate, fresh, echoing the nonce sent.
pub fn ocsp_status(
    answer: &OcspAnswer,
    cert: &Certificate,
    issuer: &Certificate,
    at: u64,
    freshness: Freshness,
) -> Result<Found, Rejected> {
    let unreadable = || {
        rejected(
            "ocsp-malformed",
            "Không đọc được câu trả lời OCSP.",
            "The OCSP answer cannot be read.",
        )
    };
    let response = OcspResponse::from_der(&answer.der).map_err(|_| unreadable())?;
    if response.response_status != OcspResponseStatus::Successful {
        let status = format!("{:?}", response.response_status);
        return Err(rejected(
            "ocsp-unsuccessful",
            format!("Máy chủ OCSP không trả lời được ({status})."),
            format!("The OCSP responder could not answer ({status})."),
        ));
    }
    let bytes = response.response_bytes.ok_or_else(unreadable)?;
    if bytes.response_type != ID_OCSP_BASIC {
        return Err(unreadable());
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(|_| unreadable())?;
    let data = &basic.tbs_response_data;
    let single = data
        .responses
        .iter()
        .find(|r| names(&r.cert_id, cert, issuer))
        .ok_or_else(|| {
            rejected(
                "ocsp-other-certificate",
                "Câu trả lời OCSP không nói về chứng thư số này.",
                "The OCSP answer is not about this certificate.",
            )
        })?;
    // Who signed: the issuer itself, or a delegated responder certificate it issued.
    let responder = std::iter::once(issuer.clone())
        .chain(basic.certs.iter().flatten().cloned())
        .find(|c| match &data.responder_id {
            ResponderId::ByName(name) => c.tbs_certificate.subject == *name,
            ResponderId::ByKey(hash) => {
                sha1(
                    c.tbs_certificate
                        .subject_public_key_info
                        .subject_public_key
                        .raw_bytes(),
                ) == hash.as_bytes()
            }
        });
    let wrong_responder = || {
        rejected(
            "ocsp-responder-not-authorised",
            "Câu trả lời OCSP không do tổ chức cấp chứng thư hoặc máy chủ được tổ chức đó ủy quyền ký.",
            "The OCSP answer is not signed by the certificate's issuer or a responder it authorised.",
        )
    };
    let responder = responder.ok_or_else(wrong_responder)?;
    let delegated = responder != *issuer;
    if delegated {
        let authorised = issued_by(&responder, issuer)
            && extension::<ExtendedKeyUsage>(&responder, ID_EXT_KEY_USAGE)
                .is_some_and(|eku| eku.0.contains(&ID_KP_OCSP_SIGNING));
        if !authorised {
            return Err(wrong_responder());
        }
        let v = &responder.tbs_certificate.validity;
        let produced = secs(&data.produced_at.0);
        if produced < v.not_before.to_unix_duration().as_secs()
            || produced > v.not_after.to_unix_duration().as_secs()
        {
            return Err(rejected(
                "ocsp-responder-expired",
                "Chứng thư số của máy chủ OCSP không còn hiệu lực khi trả lời.",
                "The OCSP responder's certificate was not valid when it answered.",
            ));
        }
    }
    let tbs = data.to_der().map_err(|_| unreadable())?;
    let signed = algorithm_of(&basic.signature_algorithm).is_some_and(|algo| {
        basic.signature.as_bytes().is_some_and(|sig| {
            verifies(
                algo,
                &responder.tbs_certificate.subject_public_key_info,
                &Sha256::digest(&tbs).into(),
                sig,
            )
        })
    });
    if !signed {
        return Err(rejected(
            "ocsp-signature-invalid",
            "Chữ ký trên câu trả lời OCSP không đúng.",
            "The OCSP answer's signature does not verify.",
        ));
    }
    if let Some(sent) = &answer.nonce
        && let Some(echoed) = basic.nonce()
        && echoed.0.as_bytes() != sent.as_slice()
    {
        return Err(rejected(
            "ocsp-nonce-mismatch",
            "Câu trả lời OCSP không khớp với yêu cầu (nonce khác): có thể là câu trả lời cũ bị phát lại.",
            "The OCSP answer does not match the request (another nonce): possibly an old answer replayed.",
        ));
    }
    let this_update = secs(&single.this_update.0);
    let next_update = single.next_update.as_ref().map(|t| secs(&t.0));
    let status = match &single.cert_status {
        CertStatus::Good(_) => Status::Good,
        CertStatus::Revoked(info) => Status::Revoked {
            at: secs(&info.revocation_time.0),
            reason: info.revocation_reason.map(|r| r as u8),
        },
        CertStatus::Unknown(_) => Status::Unknown,
    };
    // A revocation stays a revocation: an old signed answer proving one is used however old.
    if !status.is_final_revocation() {
        fresh(this_update, next_update, at, freshness)?;
    }
    Ok(Found {
        status,
        via: Via::Ocsp,
        this_update,
        next_update,
        sha256: Sha256::digest(&answer.der).into(),
    })
}

/// Judges a CRL for `cert` (issued by `issuer`) at time `at`: a complete CRL from that issuer,
/// signed by its key, fresh; the certificate's entry if any.
pub fn crl_status(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    at: u64,
    freshness: Freshness,
) -> Result<Found, Rejected> {
    let crl = CertificateList::from_der(der).map_err(|_| {
        rejected(
            "crl-malformed",
            "Không đọc được danh sách thu hồi (CRL).",
            "The certificate revocation list (CRL) cannot be read.",
        )
    })?;
    let tbs = &crl.tbs_cert_list;
    if tbs.issuer != cert.tbs_certificate.issuer {
        return Err(rejected(
            "crl-other-issuer",
            "Danh sách thu hồi không do tổ chức cấp chứng thư này phát hành.",
            "The revocation list is not from this certificate's issuer.",
        ));
    }
    if tbs
        .crl_extensions
        .iter()
        .flatten()
        .any(|e| e.extn_id == ID_DELTA_CRL || (e.critical && !known_crl_extension(e.extn_id)))
    {
        return Err(rejected(
            "crl-unsupported",
            "Danh sách thu hồi là loại không được hỗ trợ (CRL delta hoặc có phần mở rộng bắt buộc lạ).",
            "The revocation list is of an unsupported kind (a delta CRL, or an unknown critical extension).",
        ));
    }
    let signed = tbs.to_der().is_ok_and(|t| {
        algorithm_of(&crl.signature_algorithm).is_some_and(|algo| {
            crl.signature.as_bytes().is_some_and(|sig| {
                verifies(
                    algo,
                    &issuer.tbs_certificate.subject_public_key_info,
                    &Sha256::digest(&t).into(),
                    sig,
                )
            })
        })
    });
    if !signed {
        return Err(rejected(
            "crl-signature-invalid",
            "Chữ ký trên danh sách thu hồi không đúng.",
            "The revocation list's signature does not verify.",
        ));
    }
    let this_update = tbs.this_update.to_unix_duration().as_secs();
    let next_update = tbs.next_update.map(|t| t.to_unix_duration().as_secs());
    in_scope(tbs.crl_extensions.as_ref(), cert)?;
    let entry = tbs
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| r.serial_number == cert.tbs_certificate.serial_number);
    let status = match entry {
        None => Status::Good,
        Some(r) => Status::Revoked {
            at: r.revocation_date.to_unix_duration().as_secs(),
            reason: reason_code(r.crl_entry_extensions.as_ref()),
        },
    };
    if !status.is_final_revocation() {
        fresh(this_update, next_update, at, freshness)?;
    }
    Ok(Found {
        status,
        via: Via::Crl,
        this_update,
        next_update,
        sha256: Sha256::digest(der).into(),
    })
}

/// A CRL with an issuing distribution point covers `cert` only if it is not limited to other
/// kinds of certificates, to some reasons, or to another distribution point, and is not
/// indirect (RFC 5280 §5.2.5, §6.3.3).
fn in_scope(exts: Option<&Extensions>, cert: &Certificate) -> Result<(), Rejected> {
    use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
    let Some(idp) = exts
        .into_iter()
        .flatten()
        .find(|e| e.extn_id == ObjectIdentifier::new_unwrap("2.5.29.28"))
    else {
        return Ok(());
    };
    let out_of_scope = || {
        rejected(
            "crl-out-of-scope",
            "Danh sách thu hồi này không bao gồm chứng thư số (chỉ cho loại, lý do hoặc điểm phân phối khác).",
            "This revocation list does not cover the certificate (it is limited to other kinds, reasons or distribution points).",
        )
    };
    let idp = IssuingDistributionPoint::from_der(idp.extn_value.as_bytes())
        .map_err(|_| out_of_scope())?;
    let ca = extension::<x509_cert::ext::pkix::BasicConstraints>(
        cert,
        ObjectIdentifier::new_unwrap("2.5.29.19"),
    )
    .is_some_and(|b| b.ca);
    if idp.only_some_reasons.is_some()
        || idp.indirect_crl
        || idp.only_contains_attribute_certs
        || (idp.only_contains_ca_certs && !ca)
        || (idp.only_contains_user_certs && ca)
    {
        return Err(out_of_scope());
    }
    if let Some(DistributionPointName::FullName(names)) = &idp.distribution_point {
        let points = sources(cert).crls;
        if !names
            .iter()
            .filter_map(http_uri)
            .any(|u| points.contains(&u))
        {
            return Err(out_of_scope());
        }
    }
    Ok(())
}

/// CRL extensions read or harmless to ignore: authority key identifier, CRL number, issuing
/// distribution point (a full CRL for the point in the certificate is what was fetched).
fn known_crl_extension(oid: ObjectIdentifier) -> bool {
    ["2.5.29.35", "2.5.29.20", "2.5.29.28"]
        .iter()
        .any(|o| ObjectIdentifier::new_unwrap(o) == oid)
}

fn reason_code(exts: Option<&Extensions>) -> Option<u8> {
    let reason = ObjectIdentifier::new_unwrap("2.5.29.21");
    exts?
        .iter()
        .find(|e| e.extn_id == reason)
        .and_then(|e| x509_cert::ext::pkix::CrlReason::from_der(e.extn_value.as_bytes()).ok())
        .map(|r| r as u8)
}

/// The first usable answer about `cert` among `evidence` (OCSP first, then CRLs), else why
/// none could be used.
pub fn status_of(
    evidence: &Evidence,
    cert: &Certificate,
    issuer: &Certificate,
    at: u64,
    freshness: Freshness,
) -> Result<Found, Vec<Rejected>> {
    let mut why = Vec::new();
    for answer in &evidence.ocsp {
        match ocsp_status(answer, cert, issuer, at, freshness) {
            Ok(found) => return Ok(found),
            Err(r) if r.code == "ocsp-other-certificate" => {}
            Err(r) => why.push(r),
        }
    }
    for crl in &evidence.crls {
        match crl_status(crl, cert, issuer, at, freshness) {
            Ok(found) => return Ok(found),
            Err(r) if r.code == "crl-other-issuer" => {}
            Err(r) => why.push(r),
        }
    }
    Err(why)
}

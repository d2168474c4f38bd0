//! Signature time-stamps (RFC 3161, CAdES B-T as ETSI EN 319 122-1 §5.3 defines it): the
//! time-stamp request over a signature's value, the TSA's answer read, the token judged (the
//! imprint, the TSA's signature, its certificate's role and chain, the time), and the token put
//! into (and read back from) the signature as the unsigned attribute
//! `id-aa-signatureTimeStampToken`. No IO: the caller sends the request and hands in the answer.
//!
//! The ASN.1 types are written here with `der`'s derive rather than taken from RustCrypto's
//! `x509-tsp` 0.1: its `TSTInfo.genTime` is `der`'s `GeneralizedTime`, which refuses fractional
//! seconds — RFC 3161 §2.4.2 allows them and many TSAs write them (OpenSSL with
//! `clock_precision_digits`), so such tokens would not even decode; and it would bring the CMP
//! crates (`cmpv2`, `crmf`) only for the response's `PKIStatusInfo`.

use super::SignError;
use super::cades::{ID_MESSAGE_DIGEST, ID_SHA256, ID_SIGNED_DATA, IssuerSerial};
use super::verify::{
    ID_EXT_KEY_USAGE, ID_KEY_USAGE, Indication, Problem, SubIndication, TrustStore, algorithm_of,
    chain_problem, common_name, datetime, extension, path, problem, validity, verifies,
};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{BitString, Int, OctetString, SetOfVec, Uint};
use der::oid::ObjectIdentifier;
use der::{
    Any, Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag,
    Writer,
};
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::spki::AlgorithmIdentifierOwned;

/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A): the unsigned attribute carrying a
/// signature's time-stamp token.
pub const ID_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// `id-ct-TSTInfo`: the content type of a time-stamp token's SignedData.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// `id-kp-timeStamping` (RFC 3161 §2.3).
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// ESS `id-aa-signingCertificate` (RFC 2634, SHA-1 identifiers), what RFC 3161 asks of a TSA;
/// RFC 5816 allows `id-aa-signingCertificateV2` (`cades::ID_SIGNING_CERTIFICATE_V2`) instead.
pub const ID_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier = super::cades::ID_SIGNING_CERTIFICATE_V2;
const ID_CONTENT_TYPE: ObjectIdentifier = super::cades::ID_CONTENT_TYPE;
const ID_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
/// How far in the future of the checking time a token's time may lie (clock skew): 5 minutes.
pub const FUTURE_SKEW: u64 = 5 * 60;

/// What a valid signature time-stamp proves: the signature existed at `gen_time`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TimeStamp {
    /// The TSA's time (seconds since the epoch; fractions of a second dropped).
    pub gen_time: u64,
    /// The common name of the TSA certificate's subject.
    pub tsa: String,
    /// The TSA policy under which the token was made (OID, dotted).
    pub policy: String,
    /// The token's serial number (lower-case hex, no sign byte).
    pub serial: String,
}

/// ```text
/// MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct MessageImprint {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub hashed_message: OctetString,
}

/// RFC 3161 §2.4.1 (`version` is 1).
///
/// ```text
/// TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
///     reqPolicy TSAPolicyId OPTIONAL, nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE,
///     extensions [0] IMPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampReq {
    pub version: u8,
    pub message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    pub nonce: Option<Uint>,
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// ```text
/// Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
///     micros [1] INTEGER (1..999) OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Accuracy {
    #[asn1(optional = "true")]
    pub seconds: Option<u64>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

/// RFC 3161 §2.4.2.
///
/// ```text
/// TSTInfo ::= SEQUENCE { version INTEGER { v1(1) }, policy TSAPolicyId,
///     messageImprint MessageImprint, serialNumber INTEGER, genTime GeneralizedTime,
///     accuracy Accuracy OPTIONAL, ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL,
///     tsa [0] GeneralName OPTIONAL, extensions [1] IMPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    pub version: u8,
    pub policy: ObjectIdentifier,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    pub gen_time: GenTime,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// A GeneralizedTime as RFC 3161 §2.4.2 writes `genTime`: `YYYYMMDDhhmmss[.s…]Z`, fractions of
/// a second allowed (and dropped: the whole seconds since the epoch are kept).
#[derive(Clone, Copy, Debug, Eq, PartialEq, PartialOrd, Ord)]
pub struct GenTime(pub u64);

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GenTime {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_vec(header.length)?;
        let bad = || der::Error::from(der::ErrorKind::DateTime);
        let (whole, rest) = bytes.split_at_checked(14).ok_or_else(bad)?;
        let fraction = match rest {
            [b'Z'] => &[][..],
            [b'.', f @ .., b'Z'] if !f.is_empty() => f,
            _ => return Err(bad()),
        };
        if !whole.iter().chain(fraction).all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let n = |r: std::ops::Range<usize>| {
            whole[r]
                .iter()
                .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'))
        };
        let small = |r| u8::try_from(n(r)).map_err(|_| bad());
        let dt = der::DateTime::new(
            n(0..4),
            small(4..6)?,
            small(6..8)?,
            small(8..10)?,
            small(10..12)?,
            small(12..14)?,
        )?;
        Ok(GenTime(dt.unix_duration().as_secs()))
    }
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        Ok(Length::new(15))
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(self.0))?;
        let text = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}Z",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minutes(),
            dt.seconds()
        );
        writer.write(text.as_bytes())
    }
}

/// ```text
/// PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
///     failInfo PKIFailureInfo OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkiStatusInfo {
    pub status: u8,
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

/// ```text
/// TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
/// ```
/// The token kept as it came (a `ContentInfo`).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampResp {
    pub status: PkiStatusInfo,
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<Any>,
}

/// ESSCertID (RFC 2634): a SHA-1 certificate hash.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// SigningCertificate (RFC 2634), policies not read.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<Vec<Any>>,
}

/// ESSCertIDv2 (RFC 5035) with its hash algorithm when written (SHA-256 when not).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// SigningCertificateV2 (RFC 5035), policies not read.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Vec<Any>>,
}

/// The single SignerInfo of a CMS SignedData (DER `ContentInfo`), with the SignedData.
fn signer_info(cms: &[u8]) -> Result<(SignedData, SignerInfo), SignError> {
    let info = ContentInfo::from_der(cms).map_err(SignError::der)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(SignError::Der("not a SignedData".into()));
    }
    let signed: SignedData = info.content.decode_as().map_err(SignError::der)?;
    let mut infos = signed.signer_infos.0.iter();
    let (Some(one), None) = (infos.next(), infos.next()) else {
        return Err(SignError::Der("exactly one signer expected".into()));
    };
    let one = one.clone();
    Ok((signed, one))
}

/// What a signature-time-stamp covers (ETSI EN 319 122-1 §5.3, RFC 3161 Appendix A): the
/// SHA-256 of the value of the `signature` field of the CMS's SignerInfo (its contents, without
/// the OCTET STRING's tag and length).
pub fn imprint_of(signature: &[u8]) -> Result<[u8; 32], SignError> {
    let (_, info) = signer_info(signature)?;
    Ok(Sha256::digest(info.signature.as_bytes()).into())
}

/// The DER TimeStampReq (RFC 3161 §2.4.1) for a signature-time-stamp of `signature` (a DER CMS
/// with one signer): version 1, the SHA-256 imprint of its signature value (`imprint_of`),
/// `nonce` (a big-endian unsigned integer; none when empty), and `certReq` TRUE so the token
/// carries the TSA's certificate.
pub fn request(signature: &[u8], nonce: &[u8]) -> Result<Vec<u8>, SignError> {
    let imprint = imprint_of(signature)?;
    TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            // RFC 5754 §2: SHA-2 identifiers are written without parameters.
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: ID_SHA256,
                parameters: None,
            },
            hashed_message: OctetString::new(imprint.to_vec()).map_err(SignError::der)?,
        },
        req_policy: None,
        nonce: if nonce.is_empty() {
            None
        } else {
            Some(Uint::new(nonce).map_err(SignError::der)?)
        },
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .map_err(SignError::der)
}

use Indication::Indeterminate as INDET;

/// A problem of the `timestamp` check. Always INDETERMINATE: a time-stamp that proves nothing
/// does not make the signature itself wrong, it leaves its time unproven (ETSI EN 319 102-1
/// §5.5 drops such a token); the sub-indication is what the token's own validation (§5.4)
/// found.
fn ts_problem(
    code: &'static str,
    sub: SubIndication,
    vi: impl Into<String>,
    en: impl Into<String>,
) -> Problem {
    problem("timestamp", code, (INDET, sub), vi, en)
}

fn malformed(what: &str) -> Problem {
    ts_problem(
        "timestamp-malformed",
        SubIndication::FormatFailure,
        format!("Dấu thời gian không đọc được ({what})."),
        format!("The time-stamp cannot be read ({what})."),
    )
}

/// The token out of a TSA's DER TimeStampResp to `request` (the DER this module made): the
/// status granted (or granted with modifications), the token's imprint and nonce those of the
/// request — an answer to another request, or an old one replayed, is refused. The token is
/// judged by `verify_token`.
pub fn response_token(response: &[u8], request: &[u8]) -> Result<Vec<u8>, Problem> {
    let resp = TimeStampResp::from_der(response).map_err(|_| malformed("TimeStampResp"))?;
    if resp.status.status > 1 {
        let why = resp.status.status_string.unwrap_or_default().join("; ");
        let status = resp.status.status;
        return Err(ts_problem(
            "timestamp-rejected",
            SubIndication::TryLater,
            format!("Máy chủ cấp dấu thời gian từ chối yêu cầu (trạng thái {status}: {why})."),
            format!("The time-stamping authority refused the request (status {status}: {why})."),
        ));
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| malformed("no token"))?
        .to_der()
        .map_err(|_| malformed("token"))?;
    let req = TimeStampReq::from_der(request).map_err(|_| malformed("request"))?;
    let (_, _, tst, _) = parse_token(&token)?;
    if tst.message_imprint != req.message_imprint {
        return Err(imprint_mismatch());
    }
    // Both as DER INTEGERs (the TSTInfo's read signed, the request's written unsigned).
    let echoed = tst.nonce.as_ref().map(Encode::to_der).transpose();
    let sent = req.nonce.as_ref().map(Encode::to_der).transpose();
    let (Ok(echoed), Ok(sent)) = (echoed, sent) else {
        return Err(malformed("nonce"));
    };
    if echoed != sent {
        return Err(ts_problem(
            "timestamp-nonce-mismatch",
            SubIndication::FormatFailure,
            "Dấu thời gian không trả lời yêu cầu đã gửi (nonce khác): có thể là câu trả lời cũ bị phát lại.",
            "The time-stamp does not answer the request sent (another nonce): possibly an old answer replayed.",
        ));
    }
    Ok(token)
}

fn imprint_mismatch() -> Problem {
    ts_problem(
        "timestamp-imprint-mismatch",
        SubIndication::HashFailure,
        "Dấu thời gian không phải cho chữ ký này (mã băm của chữ ký không khớp).",
        "The time-stamp is not for this signature (the signature's hash does not match).",
    )
}

/// A token's SignedData, its SignerInfo, its TSTInfo and the eContent bytes it was read from.
fn parse_token(token: &[u8]) -> Result<(SignedData, SignerInfo, TstInfo, Vec<u8>), Problem> {
    let info = ContentInfo::from_der(token).map_err(|_| malformed("ContentInfo"))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(malformed("not SignedData"));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|_| malformed("SignedData"))?;
    let encap = &signed.encap_content_info;
    if encap.econtent_type != ID_CT_TST_INFO {
        return Err(malformed("content is not TSTInfo"));
    }
    let econtent = encap
        .econtent
        .as_ref()
        .and_then(|e| e.decode_as::<OctetString>().ok())
        .ok_or_else(|| malformed("no TSTInfo"))?
        .into_bytes();
    let tst = TstInfo::from_der(&econtent).map_err(|_| malformed("TSTInfo"))?;
    if tst.version != 1 {
        return Err(malformed("TSTInfo version"));
    }
    let mut infos = signed.signer_infos.0.iter();
    let (Some(one), None) = (infos.next(), infos.next()) else {
        return Err(malformed("exactly one signer expected"));
    };
    let one = one.clone();
    Ok((signed, one, tst, econtent))
}

fn unsupported() -> Problem {
    ts_problem(
        "timestamp-unsupported-algorithm",
        SubIndication::CryptoConstraintsFailure,
        "Thuật toán ký dấu thời gian không được hỗ trợ (cần RSA hoặc ECDSA P-256 với SHA-256).",
        "The time-stamp's signature algorithm is not supported (RSA or ECDSA P-256 with SHA-256).",
    )
}

fn signature_invalid() -> Problem {
    ts_problem(
        "timestamp-signature-invalid",
        SubIndication::SigCryptoFailure,
        "Chữ ký của máy chủ cấp dấu thời gian không đúng (dấu thời gian đã bị thay đổi).",
        "The time-stamping authority's signature does not verify (the time-stamp was changed).",
    )
}

/// Whether `cert` is the one `sid` names.
fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            cert.tbs_certificate.issuer == is.issuer
                && cert.tbs_certificate.serial_number == is.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            extension::<SubjectKeyIdentifier>(cert, ID_SUBJECT_KEY_IDENTIFIER)
                .is_some_and(|own| own == *ski)
        }
    }
}

/// Whether an ESS certificate identifier (`hash` by `algorithm`, and the optional issuer and
/// serial) names `cert`.
fn names(
    algorithm: ObjectIdentifier,
    hash: &OctetString,
    issuer_serial: Option<&IssuerSerial>,
    cert: &Certificate,
) -> bool {
    let Ok(der) = cert.to_der() else {
        return false;
    };
    let own = match algorithm {
        ID_SHA1 => sha1::Sha1::digest(&der).to_vec(),
        ID_SHA256 => Sha256::digest(&der).to_vec(),
        ID_SHA384 => Sha384::digest(&der).to_vec(),
        ID_SHA512 => Sha512::digest(&der).to_vec(),
        _ => return false,
    };
    own == hash.as_bytes()
        && issuer_serial.is_none_or(|is| {
            is.serial_number == cert.tbs_certificate.serial_number
                && is.issuer.iter().any(|n| match n {
                    GeneralName::DirectoryName(name) => *name == cert.tbs_certificate.issuer,
                    _ => false,
                })
        })
}

/// RFC 3161 §2.3: the TSA's certificate has exactly one extended key usage extension, critical,
/// whose only purpose is `id-kp-timeStamping`; its key usage, when there is one, allows
/// digitalSignature or nonRepudiation.
fn is_tsa(cert: &Certificate) -> bool {
    let ekus: Vec<_> = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == ID_EXT_KEY_USAGE)
        .collect();
    let [eku] = ekus.as_slice() else {
        return false;
    };
    let only_time_stamping = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes())
        .is_ok_and(|p| p.0 == [ID_KP_TIME_STAMPING]);
    let key_usage = extension::<KeyUsage>(cert, ID_KEY_USAGE).is_none_or(|ku| {
        ku.0.contains(KeyUsages::DigitalSignature) || ku.0.contains(KeyUsages::NonRepudiation)
    });
    eku.critical && only_time_stamping && key_usage
}

/// Judges `token` (a DER RFC 3161 TimeStampToken: CMS SignedData over a TSTInfo) as a
/// signature-time-stamp of `signature` (the DER CMS it stamps), at `now` (seconds since the
/// epoch): the token's SignerInfo signs its signed attributes with the TSA certificate the token
/// carries (message-digest of the TSTInfo, ESS signing-certificate or signing-certificate-v2
/// naming that certificate); the imprint is the SHA-256 of the signature's value; the
/// certificate is a TSA's (RFC 3161 §2.3: `id-kp-timeStamping`, the only purpose, critical) and
/// chains to `trust`, every certificate of its path valid at the token's time; that time is not
/// more than `FUTURE_SKEW` after `now`. The TSA certificate's revocation is not checked here.
/// Every problem is of the `timestamp` check, INDETERMINATE (see `ts_problem`).
pub fn verify_token(
    token: &[u8],
    signature: &[u8],
    trust: &TrustStore,
    now: u64,
) -> Result<TimeStamp, Problem> {
    let imprint = imprint_of(signature).map_err(|_| malformed("the stamped signature"))?;
    let (signed, info, tst, econtent) = parse_token(token)?;
    let certs: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let tsa = certs
        .iter()
        .find(|c| identifies(&info.sid, c))
        .ok_or_else(|| {
            ts_problem(
                "timestamp-tsa-certificate-missing",
                SubIndication::NoSigningCertificateFound,
                "Dấu thời gian không kèm chứng thư số của máy chủ cấp dấu thời gian.",
                "The time-stamp does not carry the time-stamping authority's certificate.",
            )
        })?;
    // The TSA's signature over the signed attributes, which bind the TSTInfo.
    let algo = algorithm_of(&info.signature_algorithm).ok_or_else(unsupported)?;
    if info.digest_alg.oid != ID_SHA256 {
        return Err(unsupported());
    }
    let attrs = info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| malformed("no signed attributes"))?;
    let find = |oid: ObjectIdentifier| {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (Some(a), None) if a.values.len() == 1 => a.values.get(0).cloned(),
            _ => None,
        }
    };
    let content_type = find(ID_CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok());
    if content_type != Some(ID_CT_TST_INFO) {
        return Err(malformed("content-type attribute"));
    }
    let digest = find(ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| malformed("message-digest attribute"))?;
    let set = attrs.to_der().map_err(|_| malformed("signed attributes"))?;
    let signed_ok = digest.as_bytes() == Sha256::digest(&econtent).as_slice()
        && verifies(
            algo,
            &tsa.tbs_certificate.subject_public_key_info,
            &Sha256::digest(&set).into(),
            info.signature.as_bytes(),
        );
    if !signed_ok {
        return Err(signature_invalid());
    }
    // ESS: the signed attributes name the TSA certificate (v2 preferred when both are there).
    let v2 = find(ID_SIGNING_CERTIFICATE_V2)
        .and_then(|v| v.decode_as::<SigningCertificateV2>().ok())
        .and_then(|s| s.certs.into_iter().next())
        .map(|id| {
            let algorithm = id.hash_algorithm.map_or(ID_SHA256, |a| a.oid);
            names(algorithm, &id.cert_hash, id.issuer_serial.as_ref(), tsa)
        });
    let v1 = || {
        find(ID_SIGNING_CERTIFICATE)
            .and_then(|v| v.decode_as::<SigningCertificate>().ok())
            .and_then(|s| s.certs.into_iter().next())
            .map(|id| names(ID_SHA1, &id.cert_hash, id.issuer_serial.as_ref(), tsa))
    };
    if v2.or_else(v1) != Some(true) {
        return Err(ts_problem(
            "timestamp-signing-certificate-mismatch",
            SubIndication::NoSigningCertificateFound,
            "Dấu thời gian không chỉ đúng chứng thư số của máy chủ cấp dấu thời gian (thuộc tính signing-certificate).",
            "The time-stamp's signing-certificate attribute does not name the time-stamping authority's certificate.",
        ));
    }
    // What it stamps: this signature's value.
    if tst.message_imprint.hash_algorithm.oid != ID_SHA256
        || tst.message_imprint.hashed_message.as_bytes() != imprint.as_slice()
    {
        return Err(imprint_mismatch());
    }
    let name = common_name(&tsa.tbs_certificate.subject);
    if !is_tsa(tsa) {
        return Err(ts_problem(
            "timestamp-not-tsa",
            SubIndication::SigConstraintsFailure,
            format!(
                "Chứng thư số \"{name}\" không phải của máy chủ cấp dấu thời gian (cần duy nhất mục đích timeStamping, đánh dấu critical)."
            ),
            format!(
                "The certificate \"{name}\" is not a time-stamping authority's (timeStamping must be its only extended key usage, critical)."
            ),
        ));
    }
    let Some(path) = path(tsa, &certs, trust) else {
        let sub = chain_problem(tsa, &certs, trust).sub_indication;
        return Err(ts_problem(
            "timestamp-untrusted",
            sub,
            format!(
                "Chứng thư số của máy chủ cấp dấu thời gian \"{name}\" không dẫn tới tổ chức cấp chứng thư được tin cậy."
            ),
            format!(
                "The time-stamping authority's certificate \"{name}\" does not lead to a trusted certification authority."
            ),
        ));
    };
    let at = tst.gen_time.0;
    let when = datetime(at);
    for cert in &path {
        let (from, until) = validity(cert);
        let name = common_name(&cert.tbs_certificate.subject);
        if at < from {
            return Err(ts_problem(
                "timestamp-tsa-not-yet-valid",
                SubIndication::NotYetValid,
                format!(
                    "Chứng thư số \"{name}\" chưa có hiệu lực lúc {when}, thời điểm ghi trong dấu thời gian."
                ),
                format!(
                    "The certificate \"{name}\" was not yet valid at {when}, the time-stamp's time."
                ),
            ));
        }
        if at > until {
            return Err(ts_problem(
                "timestamp-tsa-expired",
                SubIndication::OutOfBoundsNoPoe,
                format!(
                    "Chứng thư số \"{name}\" đã hết hạn lúc {when}, thời điểm ghi trong dấu thời gian."
                ),
                format!("The certificate \"{name}\" had expired at {when}, the time-stamp's time."),
            ));
        }
    }
    if at > now + FUTURE_SKEW {
        return Err(ts_problem(
            "timestamp-future",
            SubIndication::SigConstraintsFailure,
            format!("Dấu thời gian ghi thời điểm ở tương lai ({when})."),
            format!("The time-stamp is dated in the future ({when})."),
        ));
    }
    let serial = tst.serial_number.as_bytes();
    let serial = match serial {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => serial,
    };
    Ok(TimeStamp {
        gen_time: at,
        tsa: name,
        policy: tst.policy.to_string(),
        serial: serial.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// `cms` (a DER CMS SignedData with one signer) with `token` added to its SignerInfo as the
/// unsigned attribute `id-aa-signatureTimeStampToken` (CAdES B-B → B-T). Nothing signed
/// changes: the signed attributes, the signature value, the certificates are written back as
/// they were (a CMS that does not re-encode to its own bytes is refused rather than changed).
/// A signature already time-stamped is refused too (`token_of` reads the one token).
pub fn with_timestamp(cms: &[u8], token: &[u8]) -> Result<Vec<u8>, SignError> {
    let (mut signed, mut one) = signer_info(cms)?;
    let info = ContentInfo::from_der(cms).map_err(SignError::der)?;
    let same = info.to_der().map_err(SignError::der)? == cms
        && signed.to_der().map_err(SignError::der)?
            == info.content.to_der().map_err(SignError::der)?;
    if !same {
        return Err(SignError::Der("the signature is not in DER".into()));
    }
    let token = Any::from_der(token).map_err(SignError::der)?;
    ContentInfo::from_der(&token.to_der().map_err(SignError::der)?).map_err(SignError::der)?;
    let mut unsigned = one.unsigned_attrs.take().unwrap_or_default();
    if unsigned
        .iter()
        .any(|a| a.oid == ID_SIGNATURE_TIME_STAMP_TOKEN)
    {
        return Err(SignError::Der(
            "the signature is already time-stamped".into(),
        ));
    }
    let mut values = SetOfVec::new();
    values.insert(token).map_err(SignError::der)?;
    unsigned
        .insert(Attribute {
            oid: ID_SIGNATURE_TIME_STAMP_TOKEN,
            values,
        })
        .map_err(SignError::der)?;
    one.unsigned_attrs = Some(unsigned);
    let mut infos = SetOfVec::new();
    infos.insert(one).map_err(SignError::der)?;
    signed.signer_infos.0 = infos;
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(SignError::der)?,
    }
    .to_der()
    .map_err(SignError::der)
}

/// The signature-time-stamp token (DER) `cms` carries, if any (the first when several).
pub fn token_of(cms: &[u8]) -> Option<Vec<u8>> {
    let (_, info) = signer_info(cms).ok()?;
    info.unsigned_attrs?
        .iter()
        .find(|a| a.oid == ID_SIGNATURE_TIME_STAMP_TOKEN)?
        .values
        .get(0)?
        .to_der()
        .ok()
}

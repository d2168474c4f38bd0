//! CAdES B-B by hash signing: build the signed attributes (content-type, message-digest,
//! signing-time, signing-certificate-v2), hash their DER encoding *as a SET OF* (tag 0x31 — not
//! the `[0]` form they take inside SignerInfo), let a remote signer sign that hash, then
//! assemble a detached CMS SignedData with the certificate chain.

use super::SignError;
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::time::Time;

pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
pub const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
pub const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// The signature algorithms eform takes, by their Cloud Signature Consortium `signAlgo` OID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignAlgo {
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt (the draft Vietnamese circular's
    /// choice for RSA).
    RsaPssSha256,
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256Sha256,
}

impl SignAlgo {
    /// The CSC `signAlgo` value.
    pub fn oid(self) -> &'static str {
        match self {
            SignAlgo::RsaPkcs1Sha256 => "1.2.840.113549.1.1.11",
            SignAlgo::RsaPssSha256 => "1.2.840.113549.1.1.10",
            SignAlgo::EcdsaP256Sha256 => "1.2.840.10045.4.3.2",
        }
    }

    /// From a CSC `signAlgo` value (`rsaEncryption` counts as PKCS#1 v1.5).
    pub fn from_oid(oid: &str) -> Option<SignAlgo> {
        match oid {
            "1.2.840.113549.1.1.11" | "1.2.840.113549.1.1.1" => Some(SignAlgo::RsaPkcs1Sha256),
            "1.2.840.113549.1.1.10" => Some(SignAlgo::RsaPssSha256),
            "1.2.840.10045.4.3.2" => Some(SignAlgo::EcdsaP256Sha256),
            _ => None,
        }
    }

    /// The algorithms a certificate's key can sign with (RSA: PSS first).
    pub fn for_certificate(cert: &Certificate) -> Vec<SignAlgo> {
        match cert.tbs_certificate.subject_public_key_info.algorithm.oid {
            RSA_ENCRYPTION => vec![SignAlgo::RsaPssSha256, SignAlgo::RsaPkcs1Sha256],
            EC_PUBLIC_KEY => vec![SignAlgo::EcdsaP256Sha256],
            _ => Vec::new(),
        }
    }

    /// `signatureAlgorithm` of the SignerInfo.
    pub fn identifier(self) -> Result<AlgorithmIdentifierOwned, SignError> {
        Ok(match self {
            SignAlgo::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
            SignAlgo::RsaPssSha256 => AlgorithmIdentifierOwned {
                oid: RSASSA_PSS,
                parameters: Some(Any::from_der(&PSS_SHA256_PARAMS).map_err(SignError::der)?),
            },
            SignAlgo::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            },
        })
    }
}

/// RSASSA-PSS-params for SHA-256, MGF1 with SHA-256, a 32-byte salt, the default trailer (RFC
/// 4055 §3.1): fixed bytes, so the browser needs no RSA code (a test checks them against the
/// `rsa` crate's encoding).
pub const PSS_SHA256_PARAMS: [u8; 54] = [
    0x30, 0x34, // SEQUENCE
    0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, // [0] sha256, NULL
    0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
    0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, // [1] mgf1(sha256)
    0xa2, 0x03, 0x02, 0x01, 0x20, // [2] salt 32
];

/// ESSCertIDv2 (RFC 5035) with the default hash algorithm (SHA-256), so no `hashAlgorithm`
/// field: DER leaves a DEFAULT value out.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    pub cert_hash: OctetString,
    pub issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// SigningCertificateV2 without policies.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(SignError::der)?;
    Ok(Attribute { oid, values })
}

/// The signing-certificate-v2 value of a certificate: its SHA-256 and issuer + serial.
pub fn signing_certificate_v2(cert: &Certificate) -> Result<SigningCertificateV2, SignError> {
    let der = cert.to_der().map_err(SignError::der)?;
    Ok(SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(&der).to_vec()).map_err(SignError::der)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
    })
}

/// What the browser keeps while the citizen approves: the signed attributes (DER, as a SET OF)
/// and the hash that goes to the signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub signed_attributes: Vec<u8>,
    pub hash: [u8; 32],
}

/// Builds the CAdES B-B signed attributes for content of digest `content_digest`, signed at
/// `signing_time` (seconds since the Unix epoch, given by the caller: form-core reads no
/// clock) by `signer`.
pub fn prepare(
    content_digest: &[u8; 32],
    signing_time: u64,
    signer: &Certificate,
) -> Result<Prepared, SignError> {
    let time = der_time(signing_time)?;
    let mut attrs: SignedAttributes = SetOfVec::new();
    for a in [
        attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&ID_DATA).map_err(SignError::der)?,
        )?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_digest.to_vec()).map_err(SignError::der)?)
                .map_err(SignError::der)?,
        )?,
        attribute(
            ID_SIGNING_TIME,
            Any::encode_from(&time).map_err(SignError::der)?,
        )?,
        attribute(
            ID_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&signing_certificate_v2(signer)?).map_err(SignError::der)?,
        )?,
    ] {
        attrs.insert(a).map_err(SignError::der)?;
    }
    let set = attrs.to_der().map_err(SignError::der)?;
    Ok(Prepared {
        hash: Sha256::digest(&set).into(),
        signed_attributes: set,
    })
}

/// Seconds since the epoch as a certificate-style time: UTCTime until 2049, GeneralizedTime
/// from 2050 (RFC 5280 §4.1.2.5, which CMS signing-time follows).
pub fn der_time(seconds: u64) -> Result<Time, SignError> {
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(seconds))
        .map_err(SignError::der)?;
    Ok(if dt.year() < 2050 {
        Time::UtcTime(der::asn1::UtcTime::from_date_time(dt).map_err(SignError::der)?)
    } else {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
    })
}

/// The signature as CMS carries it: ECDSA as DER `Ecdsa-Sig-Value`, whatever the signer returned
/// (DER already, or the raw 64-byte `r ‖ s`); RSA as is.
pub fn signature_value(algo: SignAlgo, signature: &[u8]) -> Result<Vec<u8>, SignError> {
    match algo {
        SignAlgo::EcdsaP256Sha256 if signature.len() == 64 => {
            // SEQUENCE { INTEGER r, INTEGER s }, each minimal and positive. Written by hand so
            // the browser needs no elliptic-curve code (a test checks it against `p256`).
            let int = |half: &[u8]| {
                let start = half.iter().position(|&b| b != 0).unwrap_or(half.len() - 1);
                let mut v = half[start..].to_vec();
                if v[0] & 0x80 != 0 {
                    v.insert(0, 0);
                }
                let mut out = vec![0x02, v.len() as u8];
                out.extend(v);
                out
            };
            let (r, s) = (int(&signature[..32]), int(&signature[32..]));
            let mut out = vec![0x30, (r.len() + s.len()) as u8];
            out.extend(r);
            out.extend(s);
            Ok(out)
        }
        // DER already (a SEQUENCE): kept as the signer gave it; the verifier checks it.
        SignAlgo::EcdsaP256Sha256 if signature.first() == Some(&0x30) => Ok(signature.to_vec()),
        SignAlgo::EcdsaP256Sha256 => Err(SignError::BadSignature),
        _ => Ok(signature.to_vec()),
    }
}

/// Assembles the detached CMS SignedData (DER `ContentInfo`) from the prepared attributes, the
/// signer's signature over their hash, and the chain (signer first).
pub fn assemble(
    prepared: &Prepared,
    algo: SignAlgo,
    signature: &[u8],
    chain: &[Certificate],
) -> Result<Vec<u8>, SignError> {
    let signer = chain.first().ok_or(SignError::NoCertificate)?;
    let signed_attrs =
        SignedAttributes::from_der(&prepared.signed_attributes).map_err(SignError::der)?;
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer.tbs_certificate.issuer.clone(),
            serial_number: signer.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: algo.identifier()?,
        signature: OctetString::new(signature_value(algo, signature)?).map_err(SignError::der)?,
        unsigned_attrs: None,
    };
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256).map_err(SignError::der)?;
    let mut certificates = SetOfVec::new();
    for c in chain {
        certificates
            .insert(cms::cert::CertificateChoices::Certificate(c.clone()))
            .map_err(SignError::der)?;
    }
    let mut infos = SetOfVec::new();
    infos.insert(info).map_err(SignError::der)?;
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(SignError::der)?,
    }
    .to_der()
    .map_err(SignError::der)
}

//! RFC 3161 signature time-stamps (CAdES B-T): the request over a signature's value, tokens made
//! here by a test TSA (TSTInfo written with RustCrypto's `x509-tsp` types, independent of
//! form-core's, signed with P-256) judged by `verify_token` — good ones pass and round-trip
//! through `with_timestamp` / `token_of`; a changed imprint or TSA signature, a certificate that
//! is not a TSA's, an untrusted TSA, an imprint over other bytes, a time in the future are
//! refused with their reason — `verify` reporting them; and interop with OpenSSL's TSA
//! (`openssl ts -reply` answering our request, `openssl ts -verify` accepting the pair, `openssl
//! cms -verify -cades` the time-stamped signature).
//!
//! Long on purpose: the time-stamp tests around one test TSA.

// Native: the test PKI's key generation wants the system's randomness; OpenSSL runs as a process.
#![cfg(not(target_arch = "wasm32"))]

mod pki;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{GeneralizedTime, Int, OctetString, SetOfVec};
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Any, Decode, Encode, Sequence};
use form_core::sign::timestamp::{self, GenTime};
use form_core::sign::{self, Indication, SubIndication, TrustStore};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use pki::*;
use sha2::{Digest, Sha256};
use std::str::FromStr;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::AsExtension;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::time::Validity;

const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const POLICY: &str = "1.2.3.4.1";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// An extended key usage extension with the criticality chosen (x509-cert's own marks it
/// critical unless anyExtendedKeyUsage is there).
struct Eku {
    purposes: Vec<ObjectIdentifier>,
    critical: bool,
}

impl AssociatedOid for Eku {
    const OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
}

impl Encode for Eku {
    fn encoded_len(&self) -> der::Result<der::Length> {
        ExtendedKeyUsage(self.purposes.clone()).encoded_len()
    }
    fn encode(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        ExtendedKeyUsage(self.purposes.clone()).encode(writer)
    }
}

impl AsExtension for Eku {
    fn critical(&self, _: &Name, _: &[x509_cert::ext::Extension]) -> bool {
        self.critical
    }
}

/// A TSA certificate under `ca` with the given extended key usage (`None`: no extension).
fn tsa_under(ca: &Ca, seed: u64, eku: Option<Eku>, valid: Validity) -> Ca {
    let key = p256_key(seed);
    let mut b = CertificateBuilder::new(
        Profile::Leaf {
            issuer: ca.cert.tbs_certificate.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(200 + seed as u32),
        valid,
        Name::from_str("CN=eform test TSA,O=eform test").unwrap(),
        spki_of(&key),
        &ca.key,
    )
    .unwrap();
    if let Some(eku) = eku {
        b.add_extension(&eku).unwrap();
    }
    let cert = b.build::<p256::ecdsa::DerSignature>().unwrap();
    Ca { cert, key }
}

/// RFC 3161 §2.3's TSA certificate: timeStamping, the only purpose, critical.
fn tsa(root: &Ca) -> Ca {
    tsa_under(
        root,
        20,
        Some(Eku {
            purposes: vec![TIME_STAMPING],
            critical: true,
        }),
        validity(NOW - 365 * DAY, NOW + 365 * DAY),
    )
}

/// A citizen's signature at NOW, the test PKI's root, the TSA's certificate and key.
struct Case {
    root: Ca,
    tsa: Ca,
    content: Vec<u8>,
    p7s: Vec<u8>,
}

fn case() -> Case {
    let root = make_root(1);
    let ca = intermediate(&root);
    let (key, cert) = citizen(&ca, validity(NOW - DAY, NOW + 365 * DAY));
    let content = dossier();
    let p7s = sign_p256(&content, &key, &[cert, ca.cert.clone()], NOW);
    Case {
        tsa: tsa(&root),
        root,
        content,
        p7s,
    }
}

/// The signature value of a CMS's single SignerInfo (read independently of form-core).
fn signature_value(p7s: &[u8]) -> Vec<u8> {
    signer_info(p7s).signature.as_bytes().to_vec()
}

fn signer_info(p7s: &[u8]) -> SignerInfo {
    let info = ContentInfo::from_der(p7s).unwrap();
    let sd: SignedData = info.content.decode_as().unwrap();
    sd.signer_infos.0.get(0).unwrap().clone()
}

/// How the token's signed attributes name the TSA certificate.
#[derive(Clone, Copy)]
enum Ess<'a> {
    /// signing-certificate-v2, SHA-256 (form-core's own encoder for it).
    V2(&'a Certificate),
    /// signing-certificate (RFC 2634), SHA-1, as OpenSSL writes by default.
    V1(&'a Certificate),
}

#[derive(Sequence)]
struct EssCertId {
    cert_hash: OctetString,
}

#[derive(Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
}

/// What a test token says and who signs it.
struct Spec<'a> {
    tsa: &'a Ca,
    /// The certificates the token carries.
    certs: Vec<Certificate>,
    imprint: Vec<u8>,
    gen_time: u64,
    ess: Ess<'a>,
}

impl<'a> Spec<'a> {
    fn new(tsa: &'a Ca, p7s: &[u8], gen_time: u64) -> Spec<'a> {
        Spec {
            tsa,
            certs: vec![tsa.cert.clone()],
            imprint: Sha256::digest(signature_value(p7s)).to_vec(),
            gen_time,
            ess: Ess::V2(&tsa.cert),
        }
    }
}

fn attribute(oid: &str, value: Any) -> Attribute {
    let mut values = SetOfVec::new();
    values.insert(value).unwrap();
    Attribute {
        oid: ObjectIdentifier::new_unwrap(oid),
        values,
    }
}

/// A TimeStampToken as a TSA makes it: TSTInfo in a SignedData signed by the TSA's key.
fn token(spec: &Spec) -> Vec<u8> {
    let tst = x509_tsp::TstInfo {
        version: x509_tsp::TspVersion::V1,
        policy: ObjectIdentifier::new_unwrap(POLICY),
        message_imprint: x509_tsp::MessageImprint {
            hash_algorithm: x509_cert::spki::AlgorithmIdentifier {
                oid: ID_SHA256,
                parameters: None,
            },
            hashed_message: OctetString::new(spec.imprint.clone()).unwrap(),
        },
        serial_number: Int::new(&[0x01, 0x23]).unwrap(),
        gen_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(
            spec.gen_time,
        ))
        .unwrap(),
        accuracy: Some(x509_tsp::Accuracy {
            seconds: Some(1),
            millis: None,
            micros: None,
        }),
        ordering: false,
        nonce: Some(Int::new(&[0x42, 0x17]).unwrap()),
        tsa: None,
        extensions: None,
    }
    .to_der()
    .unwrap();
    let ess = match spec.ess {
        Ess::V2(cert) => attribute(
            "1.2.840.113549.1.9.16.2.47",
            Any::encode_from(&sign::cades::signing_certificate_v2(cert).unwrap()).unwrap(),
        ),
        Ess::V1(cert) => attribute(
            "1.2.840.113549.1.9.16.2.12",
            Any::encode_from(&SigningCertificate {
                certs: vec![EssCertId {
                    cert_hash: OctetString::new(
                        sha1::Sha1::digest(cert.to_der().unwrap()).to_vec(),
                    )
                    .unwrap(),
                }],
            })
            .unwrap(),
        ),
    };
    let mut attrs = SetOfVec::new();
    for a in [
        attribute(
            "1.2.840.113549.1.9.3",
            Any::encode_from(&timestamp::ID_CT_TST_INFO).unwrap(),
        ),
        attribute(
            "1.2.840.113549.1.9.4",
            Any::encode_from(&OctetString::new(Sha256::digest(&tst).to_vec()).unwrap()).unwrap(),
        ),
        ess,
    ] {
        attrs.insert(a).unwrap();
    }
    let hash = Sha256::digest(attrs.to_der().unwrap());
    let sig: p256::ecdsa::Signature = spec.tsa.key.sign_prehash(&hash).unwrap();
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: spec.tsa.cert.tbs_certificate.issuer.clone(),
            serial_number: spec.tsa.cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
            parameters: None,
        },
        signature: OctetString::new(sig.to_der().as_bytes()).unwrap(),
        unsigned_attrs: None,
    };
    let mut digests = SetOfVec::new();
    digests.insert(sha256).unwrap();
    let mut certs = SetOfVec::new();
    for c in &spec.certs {
        certs
            .insert(CertificateChoices::Certificate(c.clone()))
            .unwrap();
    }
    let mut infos = SetOfVec::new();
    infos.insert(info).unwrap();
    let sd = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: timestamp::ID_CT_TST_INFO,
            econtent: Some(Any::encode_from(&OctetString::new(tst).unwrap()).unwrap()),
        },
        certificates: (!spec.certs.is_empty()).then_some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    ContentInfo {
        content_type: ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2"),
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

fn position(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("part found")
}

#[test]
fn a_good_token_verifies_and_round_trips() {
    let c = case();
    let trust = TrustStore::new(vec![c.root.cert.clone()]);
    // The request: v1, SHA-256 of the SignerInfo's signature value, the nonce, certReq.
    let req = timestamp::request(&c.p7s, &[0x00, 0x93, 0x17]).unwrap();
    let parsed = x509_tsp::TimeStampReq::from_der(&req).unwrap();
    assert_eq!(parsed.version, x509_tsp::TspVersion::V1);
    assert_eq!(parsed.message_imprint.hash_algorithm.oid, ID_SHA256);
    assert_eq!(parsed.message_imprint.hash_algorithm.parameters, None);
    assert_eq!(
        parsed.message_imprint.hashed_message.as_bytes(),
        Sha256::digest(signature_value(&c.p7s)).as_slice()
    );
    // Leading zeros dropped, a sign byte added: the positive integer 0x9317.
    assert_eq!(parsed.nonce.unwrap().as_bytes(), [0x00, 0x93, 0x17]);
    assert!(parsed.cert_req);
    assert_eq!(parsed.req_policy, None);

    let good = token(&Spec::new(&c.tsa, &c.p7s, NOW + 30));
    let ts = timestamp::verify_token(&good, &c.p7s, &trust, NOW + 60).unwrap();
    assert_eq!(
        ts,
        timestamp::TimeStamp {
            gen_time: NOW + 30,
            tsa: "eform test TSA".into(),
            policy: POLICY.into(),
            serial: "0123".into(),
        }
    );
    // signing-certificate (v1, SHA-1) names the TSA as well as v2 does.
    let v1 = token(&Spec {
        ess: Ess::V1(&c.tsa.cert),
        ..Spec::new(&c.tsa, &c.p7s, NOW + 30)
    });
    assert_eq!(
        timestamp::verify_token(&v1, &c.p7s, &trust, NOW + 60),
        Ok(ts.clone())
    );
    // A TSA under the intermediate, the intermediate carried in the token.
    let ca = intermediate(&c.root);
    let lower = tsa_under(
        &ca,
        21,
        Some(Eku {
            purposes: vec![TIME_STAMPING],
            critical: true,
        }),
        validity(NOW - DAY, NOW + DAY),
    );
    let spec = Spec {
        certs: vec![lower.cert.clone(), ca.cert.clone()],
        ..Spec::new(&lower, &c.p7s, NOW)
    };
    assert!(timestamp::verify_token(&token(&spec), &c.p7s, &trust, NOW).is_ok());

    // Into the signature and back; nothing signed changed.
    assert_eq!(sign::token_of(&c.p7s), None);
    let stamped = sign::with_timestamp(&c.p7s, &good).unwrap();
    assert_eq!(sign::token_of(&stamped), Some(good.clone()));
    let (before, after) = (signer_info(&c.p7s), signer_info(&stamped));
    assert_eq!(before.signed_attrs, after.signed_attrs);
    assert_eq!(before.signature, after.signature);
    assert_eq!(
        after.unsigned_attrs.unwrap().get(0).unwrap().oid,
        timestamp::ID_SIGNATURE_TIME_STAMP_TOKEN
    );
    let unwrapped = |p7s: &[u8]| -> SignedData {
        ContentInfo::from_der(p7s)
            .unwrap()
            .content
            .decode_as()
            .unwrap()
    };
    assert_eq!(
        unwrapped(&c.p7s).certificates,
        unwrapped(&stamped).certificates
    );
    // The imprint is over the signature value: still the same after stamping.
    assert_eq!(
        timestamp::imprint_of(&stamped).unwrap(),
        timestamp::imprint_of(&c.p7s).unwrap()
    );
    assert!(timestamp::verify_token(&good, &stamped, &trust, NOW + 60).is_ok());
    // Once only; and not something that is not a token.
    assert!(sign::with_timestamp(&stamped, &good).is_err());
    assert!(sign::with_timestamp(&c.p7s, b"\x30\x03\x02\x01\x01").is_err());
    assert!(sign::with_timestamp(b"MIIB", &good).is_err());
}

/// genTime with fractions of a second (RFC 3161 §2.4.2; `der`'s GeneralizedTime refuses them).
#[test]
fn gen_time_may_carry_fractions_of_a_second() {
    let read = |s: &str| {
        let mut der = vec![0x18, s.len() as u8];
        der.extend_from_slice(s.as_bytes());
        GenTime::from_der(&der).map(|t| t.0)
    };
    assert_eq!(read("20261125000000Z"), Ok(NOW));
    assert_eq!(read("20261125000000.5Z"), Ok(NOW));
    assert_eq!(read("20261125000059.123456Z"), Ok(NOW + 59));
    for bad in [
        "20261125000000",
        "20261125000000.Z",
        "2026112500000Z",
        "20261125000000+0700",
        "20261325000000Z",
        "2026112500000aZ",
    ] {
        assert!(read(bad).is_err(), "{bad}");
    }
    assert_eq!(
        GenTime(NOW).to_der().unwrap()[2..],
        *b"20261125000000Z".as_slice()
    );
}

/// Any flipped byte of the imprint the token carries, or of the TSA's signature value, makes
/// the token fail (every position).
#[test]
fn every_flipped_byte_of_the_imprint_or_the_tsa_signature_fails() {
    let c = case();
    let trust = TrustStore::new(vec![c.root.cert.clone()]);
    let good = token(&Spec::new(&c.tsa, &c.p7s, NOW));
    assert!(timestamp::verify_token(&good, &c.p7s, &trust, NOW).is_ok());
    let imprint = Sha256::digest(signature_value(&c.p7s));
    let tsa_signature = signer_info(&good).signature.as_bytes().to_vec();
    let mut flipped = 0;
    for (what, part) in [
        ("imprint", imprint.as_slice()),
        ("TSA signature", &tsa_signature),
    ] {
        let start = position(&good, part);
        for i in start..start + part.len() {
            for bit in [0x01, 0x80] {
                let mut t = good.clone();
                t[i] ^= bit;
                let p = timestamp::verify_token(&t, &c.p7s, &trust, NOW).unwrap_err();
                assert_eq!(p.check, "timestamp");
                // The imprint is inside the signed TSTInfo: its message-digest no longer
                // matches, the TSA signature is what fails first.
                assert_eq!(p.code, "timestamp-signature-invalid", "{what} byte {i}");
                assert_eq!(p.indication, Indication::Indeterminate);
                assert_eq!(p.sub_indication, SubIndication::SigCryptoFailure);
                flipped += 1;
            }
        }
    }
    assert!(flipped > 200, "{flipped}");
    // And the signature stamped: a flipped byte of its value leaves the imprint wrong.
    let sig = signature_value(&c.p7s);
    let at = position(&c.p7s, &sig);
    for i in at..at + sig.len() {
        let mut other = c.p7s.clone();
        other[i] ^= 0x01;
        assert_eq!(
            timestamp::verify_token(&good, &other, &trust, NOW)
                .unwrap_err()
                .code,
            "timestamp-imprint-mismatch",
            "signature byte {i}"
        );
    }
}

fn refused(
    token: &[u8],
    p7s: &[u8],
    trust: &TrustStore,
    now: u64,
) -> (&'static str, SubIndication) {
    let p = timestamp::verify_token(token, p7s, trust, now).unwrap_err();
    assert_eq!(p.check, "timestamp");
    assert_eq!(p.indication, Indication::Indeterminate, "{}", p.code);
    assert!(!p.message.vi.is_empty() && !p.message.en.is_empty());
    (p.code, p.sub_indication)
}

#[test]
fn tokens_that_prove_nothing_are_refused_with_their_reason() {
    let c = case();
    let trust = TrustStore::new(vec![c.root.cert.clone()]);
    let valid = validity(NOW - 365 * DAY, NOW + 365 * DAY);
    let by = |tsa: &Ca| token(&Spec::new(tsa, &c.p7s, NOW));
    // Not a TSA's certificate: no extended key usage; timeStamping not critical; timeStamping
    // with another purpose.
    for (seed, eku) in [
        (30, None),
        (
            31,
            Some(Eku {
                purposes: vec![TIME_STAMPING],
                critical: false,
            }),
        ),
        (
            32,
            Some(Eku {
                purposes: vec![TIME_STAMPING, CLIENT_AUTH],
                critical: true,
            }),
        ),
        (
            33,
            Some(Eku {
                purposes: vec![CLIENT_AUTH],
                critical: true,
            }),
        ),
    ] {
        let t = tsa_under(&c.root, seed, eku, valid);
        assert_eq!(
            refused(&by(&t), &c.p7s, &trust, NOW),
            ("timestamp-not-tsa", SubIndication::SigConstraintsFailure),
            "seed {seed}"
        );
    }
    // A TSA under another root.
    let stranger = tsa(&make_root(99));
    assert_eq!(
        refused(&by(&stranger), &c.p7s, &trust, NOW),
        (
            "timestamp-untrusted",
            SubIndication::NoCertificateChainFound
        )
    );
    // A TSA certificate issued by a non-CA (the citizen's own certificate).
    let ca = intermediate(&c.root);
    let (key, cert) = citizen(&ca, valid);
    let fake = Ca { cert, key };
    let forged = tsa_under(
        &fake,
        34,
        Some(Eku {
            purposes: vec![TIME_STAMPING],
            critical: true,
        }),
        valid,
    );
    let spec = Spec {
        certs: vec![forged.cert.clone(), fake.cert.clone(), ca.cert.clone()],
        ..Spec::new(&forged, &c.p7s, NOW)
    };
    assert_eq!(
        refused(&token(&spec), &c.p7s, &trust, NOW),
        (
            "timestamp-untrusted",
            SubIndication::ChainConstraintsFailure
        )
    );
    // The imprint of other bytes (the signature's whole DER, not its value; another signature).
    for other in [c.p7s.clone(), signature_value(&case_other())] {
        let spec = Spec {
            imprint: Sha256::digest(&other).to_vec(),
            ..Spec::new(&c.tsa, &c.p7s, NOW)
        };
        assert_eq!(
            refused(&token(&spec), &c.p7s, &trust, NOW),
            ("timestamp-imprint-mismatch", SubIndication::HashFailure)
        );
    }
    // In the future: more than 5 minutes after now; 4 minutes is clock skew.
    let at = |t| token(&Spec::new(&c.tsa, &c.p7s, t));
    assert_eq!(
        refused(&at(NOW + 6 * 60), &c.p7s, &trust, NOW),
        ("timestamp-future", SubIndication::SigConstraintsFailure)
    );
    assert!(timestamp::verify_token(&at(NOW + 4 * 60), &c.p7s, &trust, NOW).is_ok());
    // The TSA's certificate not valid at the token's time.
    let old = tsa_under(
        &c.root,
        35,
        Some(Eku {
            purposes: vec![TIME_STAMPING],
            critical: true,
        }),
        validity(NOW - 100 * DAY, NOW - DAY),
    );
    assert_eq!(
        refused(&by(&old), &c.p7s, &trust, NOW),
        ("timestamp-tsa-expired", SubIndication::OutOfBoundsNoPoe)
    );
    assert_eq!(
        refused(
            &token(&Spec::new(&c.tsa, &c.p7s, NOW - 400 * DAY)),
            &c.p7s,
            &trust,
            NOW
        ),
        ("timestamp-tsa-not-yet-valid", SubIndication::NotYetValid)
    );
    // The signed attributes name another certificate (v2 and v1).
    for ess in [Ess::V2(&stranger.cert), Ess::V1(&stranger.cert)] {
        let spec = Spec {
            ess,
            ..Spec::new(&c.tsa, &c.p7s, NOW)
        };
        assert_eq!(
            refused(&token(&spec), &c.p7s, &trust, NOW),
            (
                "timestamp-signing-certificate-mismatch",
                SubIndication::NoSigningCertificateFound
            )
        );
    }
    // Signed by another key than the certificate's.
    let impostor = Ca {
        cert: c.tsa.cert.clone(),
        key: p256_key(55),
    };
    assert_eq!(
        refused(&by(&impostor), &c.p7s, &trust, NOW),
        (
            "timestamp-signature-invalid",
            SubIndication::SigCryptoFailure
        )
    );
    // Without the TSA's certificate.
    let spec = Spec {
        certs: vec![],
        ..Spec::new(&c.tsa, &c.p7s, NOW)
    };
    assert_eq!(
        refused(&token(&spec), &c.p7s, &trust, NOW),
        (
            "timestamp-tsa-certificate-missing",
            SubIndication::NoSigningCertificateFound
        )
    );
    // Not a token: a signature (SignedData of id-data), garbage.
    for junk in [c.p7s.as_slice(), b"MIIB", b""] {
        assert_eq!(
            refused(junk, &c.p7s, &trust, NOW),
            ("timestamp-malformed", SubIndication::FormatFailure)
        );
    }
}

/// Another citizen signature (another key): its value differs.
fn case_other() -> Vec<u8> {
    let root = make_root(1);
    let ca = intermediate(&root);
    let key = p256_key(77);
    let cert = leaf(&ca, spki_of(&key), 77, validity(NOW - DAY, NOW + DAY));
    sign_p256(&dossier(), &key, &[cert, ca.cert], NOW)
}

#[test]
fn verify_reports_a_valid_time_stamp_and_a_broken_one_leaves_the_signature_intact() {
    let c = case();
    let trust = TrustStore::new(vec![c.root.cert.clone()]);
    let listed = |v: &sign::Verdict| -> Vec<(&str, &str)> {
        v.checks.iter().map(|c| (c.id, c.status.as_str())).collect()
    };
    // No token: B-B, the timestamp check not run.
    let v = sign::verify(&c.p7s, &c.content, &trust, &sign::Context::at(NOW));
    assert!(v.valid, "{:?}", v.problems);
    assert_eq!(v.format, Some(sign::Format::CadesBB));
    assert_eq!(v.timestamp, None);
    assert_eq!(listed(&v).last(), Some(&("timestamp", "not-checked")));
    assert_eq!(v.checks.len(), sign::verify::CHECKS.len());

    // A good token, 20 s after the signing time, the validation at its time.
    let good = token(&Spec::new(&c.tsa, &c.p7s, NOW + 20));
    let stamped = sign::with_timestamp(&c.p7s, &good).unwrap();
    let v = sign::verify(&stamped, &c.content, &trust, &sign::Context::at(NOW + 20));
    assert!(v.valid, "{:?}", v.problems);
    assert_eq!(v.format, Some(sign::Format::CadesBT));
    assert_eq!(v.format.unwrap().as_str(), "CAdES-B-T");
    assert_eq!(v.timestamp.as_ref().unwrap().gen_time, NOW + 20);
    assert_eq!(v.timestamp.as_ref().unwrap().tsa, "eform test TSA");
    assert_eq!(v.validation_time, NOW + 20);
    assert_eq!(
        listed(&v),
        [
            ("format", "passed"),
            ("digest", "passed"),
            ("signature", "passed"),
            ("signing-certificate", "passed"),
            ("key-usage", "passed"),
            ("chain", "passed"),
            ("validity", "passed"),
            ("signing-time", "passed"),
            ("revocation", "not-checked"),
            ("timestamp", "passed"),
        ]
    );
    // The content changed: the signature fails, the time-stamp (over its value) still holds.
    let mut changed = c.content.clone();
    changed[3] ^= 0x01;
    let v = sign::verify(&stamped, &changed, &trust, &sign::Context::at(NOW + 20));
    assert_eq!(v.indication, Indication::TotalFailed);
    assert!(v.timestamp.is_some());

    // A flipped byte of the token (its TSA signature): the timestamp check fails, the
    // signature's own checks pass; INDETERMINATE, no time-stamp reported, B-B.
    let sig = signer_info(&good).signature.as_bytes().to_vec();
    let mut broken = stamped.clone();
    let at = position(&broken, &sig) + 10;
    broken[at] ^= 0x01;
    let v = sign::verify(&broken, &c.content, &trust, &sign::Context::at(NOW + 20));
    assert_eq!(
        v.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        ["timestamp-signature-invalid"]
    );
    assert_eq!(v.indication, Indication::Indeterminate);
    assert_eq!(v.sub_indication, Some(SubIndication::SigCryptoFailure));
    assert_eq!(v.timestamp, None);
    assert_eq!(v.format, Some(sign::Format::CadesBB));
    let status = |id: &str| v.checks.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(status("signature"), sign::CheckStatus::Passed);
    assert_eq!(status("digest"), sign::CheckStatus::Passed);
    assert_eq!(status("timestamp"), sign::CheckStatus::Indeterminate);

    // A time-stamp before the signing time (beyond the clock skew): TIMESTAMP_ORDER_FAILURE.
    let early = token(&Spec::new(&c.tsa, &c.p7s, NOW - 10 * 60));
    let v = sign::verify(
        &sign::with_timestamp(&c.p7s, &early).unwrap(),
        &c.content,
        &trust,
        &sign::Context::at(NOW),
    );
    assert_eq!(
        v.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        ["timestamp-before-signing-time"]
    );
    assert_eq!(v.sub_indication, Some(SubIndication::TimestampOrderFailure));
    assert_eq!(v.timestamp, None);
    // One minute before it is clock skew.
    let close = token(&Spec::new(&c.tsa, &c.p7s, NOW - 60));
    let v = sign::verify(
        &sign::with_timestamp(&c.p7s, &close).unwrap(),
        &c.content,
        &trust,
        &sign::Context::at(NOW),
    );
    assert!(v.valid, "{:?}", v.problems);

    // The TSA's time is judged against the time of checking when it is later than `at`.
    let later = token(&Spec::new(&c.tsa, &c.p7s, NOW + 3600));
    let stamped = sign::with_timestamp(&c.p7s, &later).unwrap();
    let ctx = sign::Context::at(NOW);
    let v = sign::verify(&stamped, &c.content, &trust, &ctx);
    assert_eq!(
        v.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        ["timestamp-future"]
    );
    let ctx = sign::Context {
        freshness: sign::revocation::Freshness {
            now: Some(NOW + 7200),
            ..Default::default()
        },
        ..ctx
    };
    assert!(sign::verify(&stamped, &c.content, &trust, &ctx).valid);
}

/// The TSA's answer: the token out of a TimeStampResp, refused when it answers another request.
#[test]
fn the_token_is_taken_from_the_answer_to_our_request() {
    let c = case();
    let good = token(&Spec::new(&c.tsa, &c.p7s, NOW));
    let resp = |status: u8, token: Option<&[u8]>| {
        timestamp::TimeStampResp {
            status: timestamp::PkiStatusInfo {
                status,
                status_string: (status > 1).then(|| vec!["busy".to_owned()]),
                fail_info: None,
            },
            time_stamp_token: token.map(|t| Any::from_der(t).unwrap()),
        }
        .to_der()
        .unwrap()
    };
    // The test tokens carry the nonce 0x4217.
    let req = timestamp::request(&c.p7s, &[0x42, 0x17]).unwrap();
    assert_eq!(
        timestamp::response_token(&resp(0, Some(&good)), &req),
        Ok(good.clone())
    );
    let code = |resp: &[u8], req: &[u8]| timestamp::response_token(resp, req).unwrap_err().code;
    let other_nonce = timestamp::request(&c.p7s, &[0x42, 0x18]).unwrap();
    assert_eq!(
        code(&resp(0, Some(&good)), &other_nonce),
        "timestamp-nonce-mismatch"
    );
    let other_signature = timestamp::request(&case_other(), &[0x42, 0x17]).unwrap();
    assert_eq!(
        code(&resp(0, Some(&good)), &other_signature),
        "timestamp-imprint-mismatch"
    );
    assert_eq!(code(&resp(2, None), &req), "timestamp-rejected");
    assert!(
        timestamp::response_token(&resp(2, None), &req)
            .unwrap_err()
            .message
            .en
            .contains("busy")
    );
    assert_eq!(code(&resp(0, None), &req), "timestamp-malformed");
    assert_eq!(code(b"junk", &req), "timestamp-malformed");
}

/// Runs `openssl` with `args` in `dir`; its exit status and stderr.
fn openssl(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs (Debian package openssl)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pem(cert: &Certificate) -> String {
    use der::EncodePem;
    cert.to_pem(der::pem::LineEnding::LF).unwrap()
}

/// The genTime of the (first) TSTInfo in `der`, as written: a GeneralizedTime of 15 to 24
/// characters, 14 digits first, `Z` last.
fn gen_time_text(der: &[u8]) -> String {
    der.windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] == 0x18 && (15..=24).contains(&w[1]))
        .map(|(i, w)| &der[i + 2..(i + 2 + w[1] as usize).min(der.len())])
        .find(|t| t.len() >= 15 && t[..14].iter().all(u8::is_ascii_digit) && t.ends_with(b"Z"))
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .expect("a genTime")
}

/// Interop with OpenSSL's TSA: `openssl ts -reply` answers our request (signing-certificate v1
/// with SHA-1 by default, v2 with SHA-256 when configured; genTime in whole seconds and with
/// milliseconds); we take and judge its token; `openssl ts -verify` accepts our request with its
/// reply; the signature time-stamped with it still verifies with `openssl cms -verify -cades`
/// and with ours (B-T).
#[test]
fn openssl_time_stamps_our_requests_and_we_verify_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| {
        let (ok, err) = openssl(d, args);
        assert!(ok, "openssl {args:?}: {err}");
    };
    std::fs::write(
        d.join("ca.cnf"),
        "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
         [tsa_cert]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
         extendedKeyUsage=critical,timeStamping\n",
    )
    .unwrap();
    std::fs::write(
        d.join("tsa.cnf"),
        "[tsa]\ndefault_tsa = sha1_whole\n\
         [sha1_whole]\nserial = ./tsaserial\nsigner_cert = ./tsa.pem\nsigner_key = ./tsa.key\n\
         signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384\n\
         accuracy = secs:1\nclock_precision_digits = 0\ness_cert_id_chain = no\n\
         [sha256_millis]\nserial = ./tsaserial\nsigner_cert = ./tsa.pem\nsigner_key = ./tsa.key\n\
         signer_digest = sha256\ndefault_policy = 1.2.3.4.2\ndigests = sha256\n\
         accuracy = millisecs:500\nclock_precision_digits = 3\ntsa_name = yes\n\
         ess_cert_id_alg = sha256\n",
    )
    .unwrap();
    std::fs::write(d.join("tsaserial"), "7F\n").unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "tsaroot.pem",
        "-days",
        "30",
        "-subj",
        "/CN=openssl test TSA root",
        "-extensions",
        "ca",
        "-config",
        "ca.cnf",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        "/CN=openssl test TSA/O=eform test",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "tsaroot.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "tsa.pem",
        "-days",
        "30",
        "-extfile",
        "ca.cnf",
        "-extensions",
        "tsa_cert",
    ]);
    let tsa_root = {
        use der::DecodePem;
        Certificate::from_pem(std::fs::read(d.join("tsaroot.pem")).unwrap()).unwrap()
    };

    // Our signature, made now (OpenSSL checks certificates at the time of verification).
    let root = make_root(1);
    let ca = intermediate(&root);
    let (key, cert) = citizen(&ca, validity(NOW - 3650 * DAY, NOW + 3650 * DAY));
    let content = dossier();
    let signed_at = now();
    let p7s = sign_p256(&content, &key, &[cert, ca.cert.clone()], signed_at);
    std::fs::write(d.join("content.json"), &content).unwrap();
    std::fs::write(d.join("root.pem"), pem(&root.cert)).unwrap();
    let req = timestamp::request(&p7s, &[0x5e, 0xed, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06]).unwrap();
    std::fs::write(d.join("our.tsq"), &req).unwrap();
    // OpenSSL reads our request as we meant it.
    let out = std::process::Command::new("openssl")
        .args(["ts", "-query", "-in", "our.tsq", "-text"])
        .current_dir(d)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Hash Algorithm: sha256"), "{text}");
    assert!(text.contains("Nonce: 0x5EED010203040506"), "{text}");
    assert!(text.contains("Certificate required: yes"), "{text}");

    let trust = TrustStore::new(vec![tsa_root.clone()]);
    for (section, policy) in [("sha1_whole", "1.2.3.4.1"), ("sha256_millis", "1.2.3.4.2")] {
        let reply = format!("{section}.tsr");
        let token_file = format!("{section}.tst");
        // With milliseconds genTime has a fraction — unless the clock read .000, which OpenSSL
        // writes without one: then ask again.
        for _ in 0..5 {
            run(&[
                "ts",
                "-reply",
                "-config",
                "tsa.cnf",
                "-section",
                section,
                "-queryfile",
                "our.tsq",
                "-out",
                &reply,
            ]);
            let response = std::fs::read(d.join(&reply)).unwrap();
            if section == "sha1_whole" || gen_time_text(&response).contains('.') {
                break;
            }
        }
        let text = gen_time_text(&std::fs::read(d.join(&reply)).unwrap());
        assert_eq!(text.contains('.'), section == "sha256_millis", "{text}");
        run(&[
            "ts",
            "-reply",
            "-in",
            &reply,
            "-token_out",
            "-out",
            &token_file,
        ]);
        // OpenSSL accepts its reply to our request.
        run(&[
            "ts",
            "-verify",
            "-queryfile",
            "our.tsq",
            "-in",
            &reply,
            "-CAfile",
            "tsaroot.pem",
        ]);
        let response = std::fs::read(d.join(&reply)).unwrap();
        let token = timestamp::response_token(&response, &req).unwrap();
        assert_eq!(
            token,
            std::fs::read(d.join(&token_file)).unwrap(),
            "{section}"
        );
        let checked_at = now();
        let ts = timestamp::verify_token(&token, &p7s, &trust, checked_at)
            .unwrap_or_else(|p| panic!("{section}: {}", p.message.en));
        assert_eq!(ts.tsa, "openssl test TSA");
        assert_eq!(ts.policy, policy);
        assert!(
            signed_at <= ts.gen_time && ts.gen_time <= checked_at,
            "{section}"
        );
        assert!(!ts.serial.is_empty());
        // Not for another signature; not under another root.
        assert_eq!(
            timestamp::verify_token(&token, &case_other(), &trust, checked_at)
                .unwrap_err()
                .code,
            "timestamp-imprint-mismatch"
        );
        assert_eq!(
            timestamp::verify_token(
                &token,
                &p7s,
                &TrustStore::new(vec![root.cert.clone()]),
                checked_at
            )
            .unwrap_err()
            .code,
            "timestamp-untrusted"
        );

        // Time-stamped: OpenSSL still verifies the signature; ours reports B-T.
        let stamped = sign::with_timestamp(&p7s, &token).unwrap();
        std::fs::write(d.join("stamped.p7s"), &stamped).unwrap();
        run(&[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "stamped.p7s",
            "-content",
            "content.json",
            "-CAfile",
            "root.pem",
            "-purpose",
            "any",
            "-cades",
            "-out",
            "/dev/null",
        ]);
        let v = sign::verify(
            &stamped,
            &content,
            &TrustStore::new(vec![root.cert.clone(), tsa_root.clone()]),
            &sign::Context::at(ts.gen_time),
        );
        assert!(v.valid, "{section}: {:?}", v.problems);
        assert_eq!(v.format, Some(sign::Format::CadesBT));
        assert_eq!(v.timestamp, Some(ts));
    }
    // OpenSSL's token for our request does not answer another request.
    let other = timestamp::request(&p7s, &[0x01]).unwrap();
    let response = std::fs::read(d.join("sha1_whole.tsr")).unwrap();
    assert_eq!(
        timestamp::response_token(&response, &other)
            .unwrap_err()
            .code,
        "timestamp-nonce-mismatch"
    );
}

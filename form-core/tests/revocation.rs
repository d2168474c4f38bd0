//! Revocation and ETSI verdicts against OCSP answers and CRLs made here (signed by the test
//! PKI's keys): good, revoked before signing, revoked between signing and receipt, revoked after
//! the receipt, unknown, stale, from the future, a responder the CA did not authorise, a
//! delegated responder it did, a replayed nonce, a revoked CA (by CRL), and no answer at all.
//! The same cases against OpenSSL's own responder run in the portal's tests.
#![cfg(not(target_arch = "wasm32"))]

mod pki;

use der::asn1::{BitString, GeneralizedTime, Null, OctetString};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use form_core::sign::{self, Evidence, Indication, OcspAnswer, SubIndication, TrustStore};
use p256::ecdsa::signature::Signer as _;
use pki::*;
use sha1::Digest;
use std::str::FromStr;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspResponse, OcspResponseStatus,
    ResponderId, ResponseBytes, ResponseData, RevokedInfo, SingleResponse, Version,
};

const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");

fn gtime(t: u64) -> OcspGeneralizedTime {
    OcspGeneralizedTime(
        GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(t)).unwrap(),
    )
}

fn ecdsa() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ECDSA_SHA256,
        parameters: None,
    }
}

fn sign_der(key: &p256::ecdsa::SigningKey, tbs: &[u8]) -> BitString {
    let sig: p256::ecdsa::DerSignature = key.sign(tbs);
    BitString::from_bytes(sig.as_bytes()).unwrap()
}

fn cert_id(cert: &Certificate, issuer: &Certificate) -> CertId {
    let h = |b: &[u8]| OctetString::new(sha1::Sha1::digest(b).to_vec()).unwrap();
    CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
            parameters: Some(Null.into()),
        },
        issuer_name_hash: h(&issuer.tbs_certificate.subject.to_der().unwrap()),
        issuer_key_hash: h(issuer
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    }
}

/// What one OCSP answer says and who signs it.
struct Answer<'a> {
    status: CertStatus,
    this_update: u64,
    next_update: Option<u64>,
    nonce: Option<&'a [u8]>,
    /// The key signing, the certificate named as responder, and whether it is included.
    signer: (&'a p256::ecdsa::SigningKey, &'a Certificate, bool),
}

fn ocsp(cert: &Certificate, issuer: &Certificate, a: Answer) -> Vec<u8> {
    let (key, responder, include) = a.signer;
    let data = ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByName(responder.tbs_certificate.subject.clone()),
        produced_at: gtime(a.this_update),
        responses: vec![SingleResponse {
            cert_id: cert_id(cert, issuer),
            cert_status: a.status,
            this_update: gtime(a.this_update),
            next_update: a.next_update.map(gtime),
            single_extensions: None,
        }],
        response_extensions: a.nonce.map(|n| {
            vec![Extension {
                extn_id: NONCE,
                critical: false,
                extn_value: OctetString::new(OctetString::new(n).unwrap().to_der().unwrap())
                    .unwrap(),
            }]
        }),
    };
    let basic = BasicOcspResponse {
        signature: sign_der(key, &data.to_der().unwrap()),
        tbs_response_data: data,
        signature_algorithm: ecdsa(),
        certs: include.then(|| vec![responder.clone()]),
    };
    OcspResponse {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(ResponseBytes {
            response_type: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1"),
            response: OctetString::new(basic.to_der().unwrap()).unwrap(),
        }),
    }
    .to_der()
    .unwrap()
}

fn revoked(at: u64) -> CertStatus {
    CertStatus::Revoked(RevokedInfo {
        revocation_time: gtime(at),
        revocation_reason: None,
    })
}

/// A CRL by `ca` listing `serials` revoked at the given times.
fn crl(ca: &Ca, revoked: &[(u32, u64)], this_update: u64, next_update: u64) -> Vec<u8> {
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: ecdsa(),
        issuer: ca.cert.tbs_certificate.subject.clone(),
        this_update: der_time(this_update),
        next_update: Some(der_time(next_update)),
        revoked_certificates: (!revoked.is_empty()).then(|| {
            revoked
                .iter()
                .map(|(s, at)| RevokedCert {
                    serial_number: SerialNumber::from(*s),
                    revocation_date: der_time(*at),
                    crl_entry_extensions: None,
                })
                .collect()
        }),
        crl_extensions: None,
    };
    CertificateList {
        signature: sign_der(&ca.key, &tbs.to_der().unwrap()),
        tbs_cert_list: tbs,
        signature_algorithm: ecdsa(),
    }
    .to_der()
    .unwrap()
}

fn der_time(t: u64) -> x509_cert::time::Time {
    form_core::sign::cades::der_time(t).unwrap()
}

/// A delegated responder certificate issued by `ca`, with or without `id-kp-OCSPSigning`.
fn responder(ca: &Ca, seed: u64, ocsp_signing: bool) -> Ca {
    let key = p256_key(seed);
    let mut b = CertificateBuilder::new(
        Profile::Leaf {
            issuer: ca.cert.tbs_certificate.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(100 + seed as u32),
        validity(NOW - 100 * DAY, NOW + 100 * DAY),
        Name::from_str(&format!("CN=eform test OCSP {seed}")).unwrap(),
        spki_of(&key),
        &ca.key,
    )
    .unwrap();
    let purpose = if ocsp_signing {
        "1.3.6.1.5.5.7.3.9"
    } else {
        "1.3.6.1.5.5.7.3.2"
    };
    b.add_extension(&ExtendedKeyUsage(vec![ObjectIdentifier::new_unwrap(
        purpose,
    )]))
    .unwrap();
    let cert = b.build::<p256::ecdsa::DerSignature>().unwrap();
    Ca { cert, key }
}

struct Case {
    root: Ca,
    ca: Ca,
    key: p256::ecdsa::SigningKey,
    cert: Certificate,
    content: Vec<u8>,
    p7s: Vec<u8>,
}

/// A citizen signing at NOW − 60 s, received at NOW.
fn case() -> Case {
    let root = make_root(1);
    let ca = intermediate(&root);
    let (key, cert) = citizen(&ca, validity(NOW - 100 * DAY, NOW + 300 * DAY));
    let content = dossier();
    let p7s = sign_p256(&content, &key, &[cert.clone(), ca.cert.clone()], NOW - 60);
    Case {
        root,
        ca,
        key,
        cert,
        content,
        p7s,
    }
}

impl Case {
    /// A good CRL for the intermediate, from the root.
    fn root_crl(&self) -> Vec<u8> {
        crl(&self.root, &[], NOW - DAY, NOW + 6 * DAY)
    }

    fn verify(&self, ocsp: Vec<Vec<u8>>, nonce: Option<&[u8]>) -> sign::Verdict {
        let evidence = Evidence {
            ocsp: ocsp
                .into_iter()
                .map(|der| OcspAnswer {
                    der,
                    nonce: nonce.map(<[u8]>::to_vec),
                })
                .collect(),
            crls: vec![self.root_crl()],
            unreachable: vec![],
        };
        self.verify_with(&evidence)
    }

    fn verify_with(&self, evidence: &Evidence) -> sign::Verdict {
        sign::verify(
            &self.p7s,
            &self.content,
            &TrustStore::new(vec![self.root.cert.clone()]),
            &sign::Context::at(NOW).with_revocation(evidence),
        )
    }

    fn by_ca(&self, status: CertStatus, this_update: u64, next_update: Option<u64>) -> Vec<u8> {
        ocsp(
            &self.cert,
            &self.ca.cert,
            Answer {
                status,
                this_update,
                next_update,
                nonce: Some(b"n1"),
                signer: (&self.ca.key, &self.ca.cert, false),
            },
        )
    }
}

fn outcome(v: &sign::Verdict) -> (Indication, Option<SubIndication>, Vec<&'static str>) {
    (
        v.indication,
        v.sub_indication,
        v.problems.iter().map(|p| p.code).collect(),
    )
}

#[test]
fn a_good_answer_passes_and_is_reported() {
    let c = case();
    let v = c.verify(
        vec![c.by_ca(CertStatus::good(), NOW - 10, Some(NOW + 3600))],
        Some(b"n1"),
    );
    assert!(v.valid, "{:?}", v.problems);
    assert_eq!(v.indication, Indication::TotalPassed);
    // One answer per certificate below the anchor: the citizen's by OCSP, the CA's by CRL.
    let used: Vec<_> = v
        .revocation
        .iter()
        .map(|r| (r.subject.as_str(), r.found.via.as_str()))
        .collect();
    assert_eq!(
        used,
        [("Nguyễn Văn An", "ocsp"), ("eform test citizen CA", "crl")]
    );
    let rev = v.checks.iter().find(|c| c.id == "revocation").unwrap();
    assert_eq!(rev.status, sign::CheckStatus::Passed);
    // What to fetch: both certificates, with their issuers.
    let needs = sign::revocation_needs(&c.p7s, &TrustStore::new(vec![c.root.cert.clone()]));
    assert_eq!(needs.len(), 2);
    assert_eq!(needs[0].cert, c.cert);
    assert_eq!(needs[1].issuer, c.root.cert);
    // The request a responder gets names the certificate and carries the nonce.
    let req = sign::revocation::ocsp_request(&needs[0].cert, &needs[0].issuer, b"n1").unwrap();
    let req = x509_ocsp::OcspRequest::from_der(&req).unwrap();
    assert_eq!(req.nonce().unwrap().0.as_bytes(), b"n1");
    assert_eq!(
        req.tbs_request.request_list[0].req_cert,
        cert_id(&c.cert, &c.ca.cert)
    );
}

#[test]
fn revocation_before_signing_fails_between_signing_and_receipt_is_indeterminate_after_is_good() {
    let c = case();
    let v = c.verify(vec![c.by_ca(revoked(NOW - DAY), NOW, None)], None);
    assert_eq!(
        outcome(&v),
        (
            Indication::TotalFailed,
            Some(SubIndication::Revoked),
            vec!["revoked"]
        )
    );
    let v = c.verify(vec![c.by_ca(revoked(NOW - 30), NOW, None)], None);
    assert_eq!(
        outcome(&v),
        (
            Indication::Indeterminate,
            Some(SubIndication::RevokedNoPoe),
            vec!["revoked"]
        )
    );
    // An answer made later (kept evidence re-read) saying it was revoked after the receipt.
    let later = c.by_ca(revoked(NOW + DAY), NOW, Some(NOW + 3600));
    assert!(c.verify(vec![later], None).valid);
}

#[test]
fn unknown_stale_future_and_unauthorised_answers_leave_it_indeterminate() {
    let c = case();
    let unknown = c.by_ca(CertStatus::unknown(), NOW, None);
    assert_eq!(
        outcome(&c.verify(vec![unknown], None)),
        (
            Indication::Indeterminate,
            Some(SubIndication::CertificateChainGeneralFailure),
            vec!["revocation-unknown"]
        )
    );
    let stale = c.by_ca(CertStatus::good(), NOW - 3 * DAY, Some(NOW - 2 * DAY));
    let future = c.by_ca(CertStatus::good(), NOW + DAY, None);
    let no_next_old = c.by_ca(CertStatus::good(), NOW - 2 * 3600, None);
    for (answer, code) in [
        (stale, "revocation-answer-stale"),
        (future, "revocation-answer-from-the-future"),
        (no_next_old, "revocation-answer-stale"),
    ] {
        assert_eq!(
            outcome(&c.verify(vec![answer], None)),
            (
                Indication::Indeterminate,
                Some(SubIndication::TryLater),
                vec![code]
            )
        );
    }
    // Signed by a key the CA did not authorise: a stranger root, and a certificate of the CA
    // without id-kp-OCSPSigning.
    let stranger = make_root(77);
    let not_ocsp = responder(&c.ca, 8, false);
    for (key, cert) in [
        (&stranger.key, &stranger.cert),
        (&not_ocsp.key, &not_ocsp.cert),
    ] {
        let answer = ocsp(
            &c.cert,
            &c.ca.cert,
            Answer {
                status: CertStatus::good(),
                this_update: NOW,
                next_update: None,
                nonce: None,
                signer: (key, cert, true),
            },
        );
        assert_eq!(
            outcome(&c.verify(vec![answer], None)),
            (
                Indication::Indeterminate,
                Some(SubIndication::TryLater),
                vec!["ocsp-responder-not-authorised"]
            )
        );
    }
    // The CA's own signature on an answer about a certificate it did not issue's twin, with
    // another nonce than the one sent: replayed.
    let answer = c.by_ca(CertStatus::good(), NOW, None);
    assert_eq!(
        outcome(&c.verify(vec![answer], Some(b"other"))),
        (
            Indication::Indeterminate,
            Some(SubIndication::TryLater),
            vec!["ocsp-nonce-mismatch"]
        )
    );
}

#[test]
fn a_delegated_responder_is_accepted_and_a_forged_signature_is_not() {
    let c = case();
    let delegated = responder(&c.ca, 9, true);
    let answer = ocsp(
        &c.cert,
        &c.ca.cert,
        Answer {
            status: CertStatus::good(),
            this_update: NOW,
            next_update: Some(NOW + 600),
            nonce: Some(b"n1"),
            signer: (&delegated.key, &delegated.cert, true),
        },
    );
    assert!(c.verify(vec![answer.clone()], Some(b"n1")).valid);
    // The same answer with its last signature byte changed.
    let mut forged = answer;
    let n = forged.len();
    // The responder certificate comes last; flip a byte inside the response signature instead:
    // find the BasicOCSPResponse's signature by re-encoding.
    let resp = OcspResponse::from_der(&forged).unwrap();
    let mut basic =
        BasicOcspResponse::from_der(resp.response_bytes.as_ref().unwrap().response.as_bytes())
            .unwrap();
    let mut sig = basic.signature.raw_bytes().to_vec();
    let last = sig.len() - 1;
    sig[last] ^= 1;
    basic.signature = BitString::from_bytes(&sig).unwrap();
    forged = OcspResponse {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(ResponseBytes {
            response_type: resp.response_bytes.unwrap().response_type,
            response: OctetString::new(basic.to_der().unwrap()).unwrap(),
        }),
    }
    .to_der()
    .unwrap();
    assert!(forged.len() + 2 >= n);
    assert_eq!(
        outcome(&c.verify(vec![forged], None)).2,
        ["ocsp-signature-invalid"]
    );
}

#[test]
fn crls_revoke_the_ca_and_serve_for_the_signer_without_ocsp() {
    let c = case();
    // The citizen's status from the CA's CRL (no OCSP answer at all).
    let evidence = Evidence {
        ocsp: vec![],
        crls: vec![
            crl(&c.ca, &[(4, NOW - DAY)], NOW - 60, NOW + DAY),
            c.root_crl(),
        ],
        unreachable: vec![],
    };
    assert!(c.verify_with(&evidence).valid);
    let evidence = Evidence {
        crls: vec![
            crl(&c.ca, &[(3, NOW - DAY)], NOW - 60, NOW + DAY),
            c.root_crl(),
        ],
        ..Evidence::default()
    };
    assert_eq!(
        outcome(&c.verify_with(&evidence)),
        (
            Indication::TotalFailed,
            Some(SubIndication::Revoked),
            vec!["revoked"]
        )
    );
    // The intermediate revoked by the root.
    let good = c.by_ca(CertStatus::good(), NOW, None);
    let evidence = Evidence {
        ocsp: vec![OcspAnswer {
            der: good,
            nonce: None,
        }],
        crls: vec![crl(&c.root, &[(2, NOW - 10 * DAY)], NOW - 60, NOW + DAY)],
        unreachable: vec![],
    };
    assert_eq!(
        outcome(&c.verify_with(&evidence)),
        (
            Indication::Indeterminate,
            Some(SubIndication::RevokedCaNoPoe),
            vec!["revoked"]
        )
    );
    // A CRL signed by another key than its issuer's.
    let stranger = Ca {
        cert: c.ca.cert.clone(),
        key: p256_key(55),
    };
    let evidence = Evidence {
        crls: vec![crl(&stranger, &[], NOW - 60, NOW + DAY), c.root_crl()],
        ..Evidence::default()
    };
    assert_eq!(
        outcome(&c.verify_with(&evidence)).2,
        ["crl-signature-invalid"]
    );
}

#[test]
fn no_answer_at_all_is_try_later_and_says_what_was_unreachable() {
    let c = case();
    let evidence = Evidence {
        crls: vec![c.root_crl()],
        unreachable: vec!["http://127.0.0.1:9/".into()],
        ..Evidence::default()
    };
    let v = c.verify_with(&evidence);
    assert_eq!(
        outcome(&v),
        (
            Indication::Indeterminate,
            Some(SubIndication::TryLater),
            vec!["revocation-unavailable"]
        )
    );
    assert!(v.problems[0].message.en.contains("not known yet"));
    // TRY_LATER does not hide a worse verdict: a changed content is TOTAL-FAILED/HASH_FAILURE.
    let mut other = c;
    other.content[3] ^= 1;
    let v = other.verify_with(&evidence);
    assert_eq!(v.indication, Indication::TotalFailed);
    assert_eq!(v.sub_indication, Some(SubIndication::HashFailure));
    let _ = &other.key;
}

#[test]
fn a_suspension_is_not_known_yet_and_an_old_revocation_still_counts() {
    let c = case();
    let hold = CertStatus::Revoked(RevokedInfo {
        revocation_time: gtime(NOW - DAY),
        revocation_reason: Some(x509_cert::ext::pkix::CrlReason::CertificateHold),
    });
    assert_eq!(
        outcome(&c.verify(vec![c.by_ca(hold, NOW, None)], None)),
        (
            Indication::Indeterminate,
            Some(SubIndication::TryLater),
            vec!["suspended"]
        )
    );
    // A signed answer proving a revocation is used however old (a revocation is for good).
    let old = c.by_ca(revoked(NOW - 5 * DAY), NOW - 3 * DAY, Some(NOW - 2 * DAY));
    assert_eq!(
        outcome(&c.verify(vec![old], None)),
        (
            Indication::TotalFailed,
            Some(SubIndication::Revoked),
            vec!["revoked"]
        )
    );
}

#[test]
fn a_crl_limited_to_ca_certificates_does_not_clear_a_citizen() {
    use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
    let c = case();
    let idp = IssuingDistributionPoint {
        distribution_point: None,
        only_contains_user_certs: false,
        only_contains_ca_certs: true,
        only_some_reasons: None,
        indirect_crl: false,
        only_contains_attribute_certs: false,
    };
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: ecdsa(),
        issuer: c.ca.cert.tbs_certificate.subject.clone(),
        this_update: der_time(NOW - 60),
        next_update: Some(der_time(NOW + DAY)),
        revoked_certificates: None,
        crl_extensions: Some(vec![Extension {
            extn_id: ObjectIdentifier::new_unwrap("2.5.29.28"),
            critical: true,
            extn_value: OctetString::new(idp.to_der().unwrap()).unwrap(),
        }]),
    };
    let ca_only = CertificateList {
        signature: sign_der(&c.ca.key, &tbs.to_der().unwrap()),
        tbs_cert_list: tbs,
        signature_algorithm: ecdsa(),
    }
    .to_der()
    .unwrap();
    let evidence = Evidence {
        crls: vec![ca_only, c.root_crl()],
        ..Evidence::default()
    };
    assert_eq!(
        outcome(&c.verify_with(&evidence)),
        (
            Indication::Indeterminate,
            Some(SubIndication::TryLater),
            vec!["crl-out-of-scope"]
        )
    );
}

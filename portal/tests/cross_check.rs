//! An independent validator agrees on the certificate-path verdicts: for each case the test
//! PKI (`common::pki`: `openssl ca`, OpenSSL's OCSP responder, `openssl ca -gencrl`) makes the
//! certificates and the revocation data — the running responder's answer for the signer, the
//! intermediate's CRL, the root's CRL for the intermediate — then form-core's `sign::verify`
//! judges a signature by the citizen at the validation time, and pyhanko-certvalidator (PyPI,
//! `tests/pyhanko/validate.py`, "hard-fail", nothing fetched) judges the same certificates with
//! the same data at the same time. Both verdicts, put in one vocabulary (valid, revoked,
//! expired, not-yet-valid, no-path, revocation-unavailable), must be the same, and the one the
//! case expects.
//!
//! pyhanko runs from the virtual environment `cargo xtask setup` makes in
//! `target/pyhanko-venv` (pinned in `xtask/src/setup.rs`). Without it the tests are skipped with
//! a message — unless `EFORM_REQUIRE_PYHANKO=1` (`cargo xtask test` sets it), which makes them
//! fail.

mod common;

use common::pki::{Citizen, OcspMode, Pki, now_unix, openssl_time};
use form_core::sign::{
    self, Context, Evidence, Indication, OcspAnswer, SubIndication, TrustStore, Verdict,
};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use x509_cert::Certificate;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const DAY: u64 = 86_400;
const AN_ID: &str = "001090012345";

/// The virtual environment's interpreter (`setup::PYHANKO_VENV` in xtask).
const PYTHON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../target/pyhanko-venv/bin/python"
);
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/pyhanko/validate.py");

/// Whether pyhanko can run (see the module's comment).
fn pyhanko_available() -> bool {
    if Path::new(PYTHON).is_file() {
        return true;
    }
    assert!(
        std::env::var("EFORM_REQUIRE_PYHANKO").as_deref() != Ok("1"),
        "EFORM_REQUIRE_PYHANKO=1 but {PYTHON} is missing: run `cargo xtask setup` (it installs \
         pyhanko-certvalidator in target/pyhanko-venv)"
    );
    eprintln!(
        "skipped: {PYTHON} is missing (`cargo xtask setup` installs pyhanko-certvalidator there)"
    );
    false
}

/// What a case hands both validators.
struct Job<'a> {
    pki: &'a Pki,
    citizen: &'a Citizen,
    /// The trust anchors' PEM files.
    anchors: Vec<PathBuf>,
    evidence: Evidence,
    /// The validation time (seconds since the epoch).
    at: u64,
    /// The signing time written in the signature.
    signed: u64,
    /// pyhanko's `retroactive_revinfo` (revocation data issued after the validation time used).
    retroactive: bool,
}

impl<'a> Job<'a> {
    /// The signer judged at `at`, signed then, trusting `pki`'s root, with `evidence`.
    fn new(pki: &'a Pki, citizen: &'a Citizen, evidence: Evidence, at: u64) -> Job<'a> {
        Job {
            pki,
            citizen,
            anchors: vec![pki.root_pem()],
            evidence,
            at,
            signed: at,
            retroactive: false,
        }
    }
}

/// One verdict in the common vocabulary, with what it came from.
#[derive(Debug)]
struct Said {
    verdict: String,
    detail: String,
}

/// The revocation data a relying party gathers: the running responder's answer for the
/// signer (when `ocsp` and a responder runs), the intermediate's CRL (when `leaf_crl`), and
/// the root's CRL (for the intermediate).
fn gather(pki: &Pki, c: &Citizen, ocsp: bool, leaf_crl: bool) -> Evidence {
    let mut evidence = Evidence::default();
    if ocsp && pki.ocsp_mode().is_some() {
        evidence.ocsp.push(OcspAnswer {
            der: pki.ocsp_response_der(c),
            nonce: None,
        });
    }
    if leaf_crl {
        evidence.crls.push(pki.crl_der());
    }
    evidence.crls.push(pki.root_crl_der());
    evidence
}

/// Now, one second on: no answer gathered so far is dated after it (pyhanko refuses data
/// issued after the validation time, with a second's tolerance).
fn after_gathering() -> u64 {
    now_unix() + 1
}

/// A detached CAdES signature of CT01 by `c` (as the portal's signing flow makes it) and the
/// content it signs.
fn signature(pki: &Pki, c: &Citizen, signing_time: u64) -> (Vec<u8>, Vec<u8>) {
    let body = common::ct01();
    let content = sign::content("ct01", 1, &body["data"]).unwrap();
    let p7s = pki.sign(c, &content, signing_time);
    (p7s, content)
}

fn pem_cert(path: &Path) -> Certificate {
    use x509_cert::der::DecodePem;
    Certificate::from_pem(std::fs::read(path).unwrap()).unwrap()
}

/// form-core's verdict on a signature made by the job's citizen.
fn form_core(job: &Job) -> Said {
    let (p7s, content) = signature(job.pki, job.citizen, job.signed);
    let trust = TrustStore::new(job.anchors.iter().map(|p| pem_cert(p)).collect());
    let ctx = Context::at(job.at).with_revocation(&job.evidence);
    let v = sign::verify(&p7s, &content, &trust, &ctx);
    Said {
        verdict: category(&v).to_owned(),
        detail: format!(
            "{}/{} [{}]",
            v.indication.as_str(),
            v.sub_indication.map_or("-", |s| s.as_str()),
            v.problems
                .iter()
                .map(|p| format!("{}:{}", p.check, p.code))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An ETSI verdict in the common vocabulary.
fn category(v: &Verdict) -> &'static str {
    let code = |c: &str| v.problems.iter().any(|p| p.code == c);
    match (v.indication, v.sub_indication) {
        (Indication::TotalPassed, _) => "valid",
        (_, Some(SubIndication::Revoked | SubIndication::RevokedNoPoe)) => "revoked",
        (_, Some(SubIndication::OutOfBoundsNoPoe)) if code("expired") => "expired",
        (_, Some(SubIndication::OutOfBoundsNoPoe)) if code("not-yet-valid") => "not-yet-valid",
        (_, Some(SubIndication::NotYetValid)) => "not-yet-valid",
        (_, Some(SubIndication::NoCertificateChainFound)) => "no-path",
        (_, Some(SubIndication::TryLater)) => "revocation-unavailable",
        _ => "other",
    }
}

/// pyhanko-certvalidator's verdict on the job's certificates (`tests/pyhanko/validate.py`).
fn pyhanko(job: &Job) -> Said {
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let input = json!({
        "trust_roots": job.anchors.iter().map(|p| read(p)).collect::<Vec<_>>(),
        "intermediates": [read(&job.pki.intermediate_pem())],
        "leaf": read(&job.citizen.cert_pem),
        "validation_time": job.at,
        "ocsps": job.evidence.ocsp.iter().map(|a| base64(&a.der)).collect::<Vec<_>>(),
        "crls": job.evidence.crls.iter().map(|c| base64(c)).collect::<Vec<_>>(),
        "revocation": "hard-fail",
        "retroactive_revinfo": job.retroactive,
    });
    let mut child = Command::new(PYTHON)
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {PYTHON}: {e} (cargo xtask setup)"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{SCRIPT} failed ({}; is pyhanko-certvalidator installed? cargo xtask setup):\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("{SCRIPT} printed no verdict:\n{stdout}"));
    Said {
        verdict: answer["verdict"].as_str().unwrap_or("").to_owned(),
        detail: answer["detail"].as_str().unwrap_or("").to_owned(),
    }
}

fn base64(der: &[u8]) -> String {
    use base64::Engine;
    B64.encode(der)
}

/// Both validators on `job`; both must say `expected`.
fn agree(case: &str, job: &Job, expected: &str) {
    let (ours, theirs) = (form_core(job), pyhanko(job));
    println!(
        "{case}: form-core {} ({}) | pyhanko {} ({})",
        ours.verdict, ours.detail, theirs.verdict, theirs.detail
    );
    assert_eq!(
        ours.verdict, theirs.verdict,
        "{case}: the validators disagree\n  form-core: {ours:?}\n  pyhanko:   {theirs:?}"
    );
    assert_eq!(
        ours.verdict, expected,
        "{case}: both validators say {}, the case expects {expected}\n  form-core: {ours:?}\n  \
         pyhanko:   {theirs:?}",
        ours.verdict
    );
}

/// A PKI with its OCSP responder running in `mode`.
fn pki_with(mode: OcspMode) -> Pki {
    let mut pki = Pki::new();
    pki.start_ocsp(mode);
    pki
}

#[test]
fn good() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let evidence = gather(&pki, &c, true, true);
    agree(
        "good",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "valid",
    );
}

#[test]
fn revoked_before_signing() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    pki.revoke(&c, now_unix() - 3600);
    let evidence = gather(&pki, &c, true, true);
    agree(
        "revoked before signing",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "revoked",
    );
}

/// Signed ten minutes before the validation time, revoked five minutes before it: form-core
/// says INDETERMINATE/REVOKED_NO_POE (no proof the signature came before the revocation);
/// pyhanko, judging the certificate at the validation time, says revoked.
#[test]
fn revoked_between_signing_and_validation() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    pki.revoke(&c, now_unix() - 300);
    let evidence = gather(&pki, &c, true, true);
    let at = after_gathering();
    let job = Job {
        signed: at - 600,
        ..Job::new(&pki, &c, evidence, at)
    };
    agree("revoked between signing and validation", &job, "revoked");
}

/// The revocation lies after the validation time (a day later, already announced by the OCSP
/// answer and the CRL gathered now): at the validation time the certificate was good. form-core
/// takes the OCSP answer's future revocation as good then; pyhanko does not take a "revoked"
/// OCSP answer as good (it only refuses to call it revoked) and falls back to the CRL, whose
/// entry it likewise ignores as later than the validation time.
#[test]
fn revoked_after_the_validation_time() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    pki.revoke(&c, now_unix() + DAY);
    let evidence = gather(&pki, &c, true, true);
    agree(
        "revoked after the validation time",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "valid",
    );
}

/// The same with the OCSP answer alone (no CRL for the signer). form-core: valid, as above.
/// pyhanko differs by design: a "revoked" OCSP answer whose revocation time lies after the
/// validation time is neither revoked nor good to it, so without another source the status is
/// unavailable (hard-fail).
#[test]
fn revoked_after_the_validation_time_ocsp_only() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    pki.revoke(&c, now_unix() + DAY);
    let evidence = gather(&pki, &c, true, false);
    let job = Job::new(&pki, &c, evidence, after_gathering());
    let case = "revoked after the validation time, OCSP only";
    let (ours, theirs) = (form_core(&job), pyhanko(&job));
    println!(
        "{case}: form-core {} ({}) | pyhanko {} ({})",
        ours.verdict, ours.detail, theirs.verdict, theirs.detail
    );
    assert_eq!(ours.verdict, "valid", "{case}: form-core {ours:?}");
    assert_eq!(
        theirs.verdict, "revocation-unavailable",
        "{case}: pyhanko (by design: a later revocation is not a good status) {theirs:?}"
    );
}

/// The answers are made after the validation time (two minutes later, within form-core's
/// five-minute clock skew), and the revocation they report lies between the two. form-core:
/// valid (good at the validation time). pyhanko differs by design: its default ("legacy")
/// freshness model uses an OCSP answer or a CRL only inside [thisUpdate, nextUpdate] around
/// the validation time (one second's tolerance), so data issued after the validation time is
/// "too new" and, in hard-fail mode, the status is unavailable. With `retroactive_revinfo`
/// (thisUpdate ignored) it agrees: valid.
#[test]
fn revoked_after_the_validation_time_answers_made_later() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let at = now_unix() - 120;
    pki.revoke(&c, at + 60);
    let evidence = gather(&pki, &c, true, true);
    let mut job = Job::new(&pki, &c, evidence, at);
    let case = "revoked after the validation time, answers made later";
    let (ours, theirs) = (form_core(&job), pyhanko(&job));
    println!(
        "{case}: form-core {} ({}) | pyhanko {} ({})",
        ours.verdict, ours.detail, theirs.verdict, theirs.detail
    );
    assert_eq!(ours.verdict, "valid", "{case}: form-core {ours:?}");
    assert_eq!(
        theirs.verdict, "revocation-unavailable",
        "{case}: pyhanko (by design: revocation data newer than the validation time is not \
         used) {theirs:?}"
    );
    assert!(theirs.detail.contains("too recent"), "{theirs:?}");
    job.retroactive = true;
    agree(
        "revoked after the validation time, answers made later (pyhanko retroactive)",
        &job,
        "valid",
    );
}

#[test]
fn revoked_crl_only() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = Pki::new();
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    pki.revoke(&c, now_unix() - 3600);
    let evidence = gather(&pki, &c, false, true);
    agree(
        "revoked, CRL only",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "revoked",
    );
}

#[test]
fn expired() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let now = now_unix();
    let c = pki.citizen(
        "Nguyễn Văn An",
        AN_ID,
        &openssl_time(now - 400 * DAY),
        &openssl_time(now - DAY),
    );
    let evidence = gather(&pki, &c, true, true);
    agree(
        "expired",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "expired",
    );
}

#[test]
fn not_yet_valid() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let now = now_unix();
    let c = pki.citizen(
        "Nguyễn Văn An",
        AN_ID,
        &openssl_time(now + DAY),
        &openssl_time(now + 730 * DAY),
    );
    let evidence = gather(&pki, &c, true, true);
    agree(
        "not yet valid",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "not-yet-valid",
    );
}

#[test]
fn untrusted_root() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Good);
    let other = Pki::new();
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let evidence = gather(&pki, &c, true, true);
    let job = Job {
        anchors: vec![other.root_pem()],
        ..Job::new(&pki, &c, evidence, after_gathering())
    };
    agree("untrusted root", &job, "no-path");
}

#[test]
fn no_revocation_data() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = Pki::new();
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    agree(
        "no revocation data",
        &Job::new(&pki, &c, Evidence::default(), after_gathering()),
        "revocation-unavailable",
    );
}

#[test]
fn stale_ocsp_no_crl() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Stale);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let evidence = gather(&pki, &c, true, false);
    agree(
        "stale OCSP answer, no CRL for the signer",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "revocation-unavailable",
    );
}

/// A stale OCSP answer beside a fresh CRL: both fall back to the CRL.
#[test]
fn stale_ocsp_with_crl() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::Stale);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let evidence = gather(&pki, &c, true, true);
    agree(
        "stale OCSP answer, the CRL fresh",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "valid",
    );
}

#[test]
fn wrong_responder_no_crl() {
    if !pyhanko_available() {
        return;
    }
    let mut pki = pki_with(OcspMode::WrongResponder);
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let evidence = gather(&pki, &c, true, false);
    agree(
        "OCSP answer from a responder nobody authorised, no CRL for the signer",
        &Job::new(&pki, &c, evidence, after_gathering()),
        "revocation-unavailable",
    );
}

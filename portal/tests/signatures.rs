//! Signature validation at receipt against a real PKI (`common::pki`: certificates made by
//! `openssl ca`, OpenSSL's own OCSP responder, CRLs from `openssl ca -gencrl` served over
//! HTTP): good, revoked before signing, revoked after the receipt, expired, not yet valid,
//! backdated and future signing times, the responder unreachable (with and without the CRL),
//! a stale answer and a responder nobody authorised — each with its ETSI indication and
//! sub-indication; the policy for TRY_LATER (hold and check again, or refuse); the report kept
//! and `eform verify` giving the same verdict from the download alone.

mod common;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::pki::{Citizen, OcspMode, Pki, openssl_time};
use common::{Backend, TestPortal};
use form_core::sign;
use portal::Config;
use serde_json::{Value, json};

on_both!(
    verdicts_at_receipt_follow_the_certificate_and_its_revocation,
    unknown_revocation_is_held_and_checked_again_or_refused,
);

const AN_ID: &str = "001090012345";

fn now() -> u64 {
    u64::try_from(portal::clock::now_ms() / 1000).unwrap()
}

/// CT01 signed by `c` with `signing_time` written in the signature.
fn signed_ct01(pki: &Pki, c: &Citizen, signing_time: u64) -> Value {
    let mut body = common::ct01();
    let content = sign::content("ct01", 1, &body["data"]).unwrap();
    let p7s = pki.sign(c, &content, signing_time);
    body["signature"] = json!({"cms": B64.encode(p7s)});
    body
}

async fn portal_trusting(b: Backend, pki: &Pki, on_unknown: &str) -> TestPortal {
    let mut config = Config::development();
    config.trust_store = Some(pki.root_pem());
    config.signatures.tsa_url = Some(pki.tsa_url());
    if on_unknown == "refuse" {
        config.signatures.on_try_later = portal::config::OnTryLater::Refuse;
    }
    TestPortal::start_with(b, config).await
}

/// Submits; gives (status, indication/sub-indication, the first problem's code, the answer).
async fn submit(
    p: &TestPortal,
    token: &str,
    key: &str,
    body: &Value,
) -> (StatusCode, String, String, Value) {
    let a = p.post("/api/v1/dossiers", token, Some(key), body).await;
    let (ind, sub) = if a.status == StatusCode::CREATED {
        let code = a.json["dossierCode"].as_str().unwrap();
        let got = p.get(&format!("/api/v1/dossiers/{code}"), token).await;
        let r = got.json["versionList"][0]["signature"]["validation"].clone();
        (r["indication"].clone(), r["subIndication"].clone())
    } else {
        (
            a.json["indication"].clone(),
            a.json["subIndication"].clone(),
        )
    };
    let verdict = match sub.as_str() {
        Some(s) => format!("{}/{s}", ind.as_str().unwrap_or("-")),
        None => ind.as_str().unwrap_or("-").to_owned(),
    };
    let first = a.json["problems"][0]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    (a.status, verdict, first, a.json)
}

async fn verdicts_at_receipt_follow_the_certificate_and_its_revocation(b: Backend) {
    let mut pki = Pki::new();
    pki.start_ocsp(OcspMode::Good);
    let p = portal_trusting(b, &pki, "hold").await;
    let an = p.token("citizen-an").await;
    let t = now();

    // Good: TOTAL-PASSED, the citizen's status by OCSP, the CA's by the root's CRL.
    let good = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let (status, verdict, _, a) = submit(&p, &an, "good", &signed_ct01(&pki, &good, t)).await;
    assert_eq!(
        (status, verdict.as_str()),
        (StatusCode::CREATED, "TOTAL-PASSED"),
        "{a}"
    );
    let code = a["dossierCode"].as_str().unwrap().to_owned();
    let got = p.get(&format!("/api/v1/dossiers/{code}"), &an).await;
    let report = &got.json["versionList"][0]["signature"]["validation"];
    let sources: Vec<(&str, &str, &str)> = report["revocation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["certificate"].as_str().unwrap(),
                r["source"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("Nguyễn Văn An", "ocsp", "good"),
            ("eform test citizen CA", "crl", "good")
        ],
        "{report}"
    );
    let checks: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert!(checks.iter().all(|(_, s)| *s == "passed"), "{checks:?}");
    assert_eq!(checks.len(), 11, "{checks:?}");
    assert_eq!(checks[9].0, "timestamp");
    assert_eq!(checks[10].0, "signer-id");
    // Time-stamped at receipt by the TSA (OpenSSL's `ts -reply`): CAdES B-T.
    assert_eq!(report["format"], "CAdES-B-T", "{report}");
    assert_eq!(report["timestamp"]["tsa"], "eform test TSA", "{report}");
    assert_eq!(
        got.json["versionList"][0]["signature"]["format"],
        "CAdES-B-T"
    );
    assert_eq!(pki.tsa_requests(), 1);

    // The TSA down: the dossier is received all the same, kept as B-B, the report says why.
    pki.set_tsa_unavailable(true);
    let again = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    let (status, verdict, _, a) =
        submit(&p, &an, "no-tsa", &signed_ct01(&pki, &again, now())).await;
    assert_eq!(
        (status, verdict.as_str()),
        (StatusCode::CREATED, "TOTAL-PASSED"),
        "{a}"
    );
    let r = self::report(&p, &an, a["dossierCode"].as_str().unwrap()).await;
    assert_eq!(r["format"], "CAdES-B-B", "{r}");
    assert!(r["timestampError"].as_str().unwrap().contains("503"), "{r}");
    pki.set_tsa_unavailable(false);

    // The same signature with the signing time moved: backdated beyond the window, and ahead.
    for (when, code) in [
        (t - 2 * 3600, "signing-time-backdated"),
        (t + 3600, "signing-time-future"),
    ] {
        let (status, verdict, first, a) = submit(
            &p,
            &an,
            &format!("at-{when}"),
            &signed_ct01(&pki, &good, when),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{a}");
        assert_eq!(verdict, "INDETERMINATE/SIG_CONSTRAINTS_FAILURE");
        assert_eq!(first, code);
    }

    // Expired before the receipt, and not yet valid.
    let day = 86_400;
    let expired = pki.citizen(
        "Nguyễn Văn An",
        AN_ID,
        &openssl_time(t - 400 * day),
        &openssl_time(t - day),
    );
    let (status, verdict, first, a) =
        submit(&p, &an, "expired", &signed_ct01(&pki, &expired, t)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{a}");
    assert_eq!(
        (verdict.as_str(), first.as_str()),
        ("INDETERMINATE/OUT_OF_BOUNDS_NO_POE", "expired")
    );
    let early = pki.citizen(
        "Nguyễn Văn An",
        AN_ID,
        &openssl_time(t + day),
        &openssl_time(t + 400 * day),
    );
    let (status, verdict, _, a) = submit(&p, &an, "early", &signed_ct01(&pki, &early, t)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{a}");
    assert_eq!(verdict, "TOTAL-FAILED/NOT_YET_VALID");

    // Revoked before signing (its key reported lost yesterday): TOTAL-FAILED/REVOKED.
    let lost = pki.valid_citizen("Nguyễn Văn An", AN_ID);
    pki.revoke(&lost, t - day);
    let (status, verdict, first, a) = submit(&p, &an, "lost", &signed_ct01(&pki, &lost, t)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{a}");
    assert_eq!(
        (verdict.as_str(), first.as_str()),
        ("TOTAL-FAILED/REVOKED", "revoked")
    );

    // Revoked after the receipt: new signatures are refused, the dossier received before keeps
    // its verdict — `eform verify` on the download alone (the answers kept at receipt) agrees.
    pki.revoke(&good, now());
    p.state.revocation.forget();
    let (_, verdict, _, _) = submit(&p, &an, "after", &signed_ct01(&pki, &good, now() + 1)).await;
    assert_eq!(verdict, "TOTAL-FAILED/REVOKED");
    let download = p
        .call(
            "GET",
            &format!("/api/v1/dossiers/{code}/download"),
            Some(&an),
            &[],
            None,
        )
        .await;
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("dossier.json"), &download.bytes).unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_eform"))
        .args(["verify", "dossier.json", "--trust-store"])
        .arg(pki.root_pem())
        .current_dir(out.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(said.contains("signature valid — TOTAL-PASSED"), "{said}");
    assert!(said.contains("timestamp            passed"), "{said}");
    assert!(
        said.contains("revocation: Nguyễn Văn An — good (ocsp"),
        "{said}"
    );
    // OpenSSL verifies the good signature too (CAdES, the same root).
    let p7s = B64
        .decode(
            serde_json::from_slice::<Value>(&download.bytes).unwrap()["versionList"][0]["signature"]
                ["cms"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    std::fs::write(out.path().join("signature.p7s"), p7s).unwrap();
    std::fs::write(
        out.path().join("content.json"),
        sign::content("ct01", 1, &common::ct01()["data"]).unwrap(),
    )
    .unwrap();
    let openssl = std::process::Command::new("openssl")
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "signature.p7s",
            "-content",
            "content.json",
            "-CAfile",
        ])
        .arg(pki.root_pem())
        .args(["-purpose", "any", "-cades", "-out", "/dev/null"])
        .current_dir(out.path())
        .output()
        .unwrap();
    assert!(
        openssl.status.success(),
        "{}",
        String::from_utf8_lossy(&openssl.stderr)
    );

    // A certificate of another person: the ID number check fails.
    let other = pki.valid_citizen("Trần Thị Bình", "056185004321");
    let (status, verdict, first, _) =
        submit(&p, &an, "other", &signed_ct01(&pki, &other, now())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (verdict.as_str(), first.as_str()),
        (
            "INDETERMINATE/SIG_CONSTRAINTS_FAILURE",
            "signer-not-applicant"
        )
    );
}

async fn unknown_revocation_is_held_and_checked_again_or_refused(b: Backend) {
    let mut pki = Pki::new();
    let p = portal_trusting(b, &pki, "hold").await;
    let an = p.token("citizen-an").await;
    let c = pki.valid_citizen("Nguyễn Văn An", AN_ID);

    // The responder down, the CRL served: the CA's CRL answers for the citizen.
    let (status, verdict, _, a) = submit(&p, &an, "crl", &signed_ct01(&pki, &c, now())).await;
    assert_eq!(
        (status, verdict.as_str()),
        (StatusCode::CREATED, "TOTAL-PASSED"),
        "{a}"
    );

    // Nothing answers: INDETERMINATE/TRY_LATER, held (accepted, flagged, checked again).
    pki.set_crl_unavailable(true);
    p.state.revocation.forget();
    let (status, verdict, _, a) = submit(&p, &an, "held", &signed_ct01(&pki, &c, now())).await;
    assert_eq!(
        (status, verdict.as_str()),
        (StatusCode::CREATED, "INDETERMINATE/TRY_LATER"),
        "{a}"
    );
    let code = a["dossierCode"].as_str().unwrap().to_owned();
    let r = report(&p, &an, &code).await;
    assert_eq!(r["recheck"], true, "{r}");
    // The agency's inbox flags it.
    let ha = p.token("official-ha").await;
    let flag = |list: &Value| {
        list["items"]
            .as_array()
            .or(list.as_array())
            .into_iter()
            .flatten()
            .find(|d| d["code"] == code.as_str())
            .map(|d| d["signatureCheck"].clone())
    };
    let inbox = p.get("/api/v1/dossiers", &ha).await;
    assert_eq!(flag(&inbox.json), Some(json!("pending")), "{}", inbox.json);
    assert!(!r["unreachable"].as_array().unwrap().is_empty(), "{r}");
    // `eform verify` on the download of a held dossier: not proven valid (no answer kept).
    let download = p
        .call(
            "GET",
            &format!("/api/v1/dossiers/{code}/download"),
            Some(&an),
            &[],
            None,
        )
        .await;
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("dossier.json"), &download.bytes).unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_eform"))
        .args(["verify", "dossier.json", "--trust-store"])
        .arg(pki.root_pem())
        .current_dir(out.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout).into_owned();
    assert_eq!(run.status.code(), Some(1), "{said}");
    assert!(
        said.contains("signature NOT proven valid — INDETERMINATE/TRY_LATER"),
        "{said}"
    );
    // Checked again while nothing answers: still held; a second taking while the first holds
    // its lease takes nothing.
    let later = portal::clock::now_ms() + 2 * 60_000;
    assert_eq!(
        portal::signatures::recheck(&p.state, later).await.unwrap(),
        1
    );
    assert_eq!(report(&p, &an, &code).await["recheck"], true);
    assert_eq!(
        p.state
            .db
            .due_rechecks(later + 90_000, 300_000, 5)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        portal::signatures::recheck(&p.state, later + 90_000)
            .await
            .unwrap(),
        0
    );

    // A stale answer, and one signed by a responder the CA did not authorise: still TRY_LATER,
    // each with its reason.
    for (mode, reason) in [
        (OcspMode::Stale, "revocation-answer-stale"),
        (OcspMode::WrongResponder, "ocsp-responder-not-authorised"),
    ] {
        pki.start_ocsp(mode);
        p.state.revocation.forget();
        let refusing = portal_trusting(b, &pki, "refuse").await;
        let an2 = refusing.token("citizen-an").await;
        let (status, verdict, first, a) =
            submit(&refusing, &an2, "refused", &signed_ct01(&pki, &c, now())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{mode:?}: {a}");
        assert_eq!(
            (verdict.as_str(), first.as_str()),
            ("INDETERMINATE/TRY_LATER", reason),
            "{mode:?}"
        );
    }

    // The responder and the CRLs answer again: the next check settles the held signature.
    pki.start_ocsp(OcspMode::Good);
    pki.set_crl_unavailable(false);
    p.state.revocation.forget();
    let later = portal::clock::now_ms() + 10 * 60_000;
    assert_eq!(
        portal::signatures::recheck(&p.state, later).await.unwrap(),
        1
    );
    let r = report(&p, &an, &code).await;
    assert_eq!(
        (r["indication"].as_str(), r["recheck"].as_bool()),
        (Some("TOTAL-PASSED"), Some(false)),
        "{r}"
    );
    let inbox = p.get("/api/v1/dossiers", &ha).await;
    assert_eq!(flag(&inbox.json), Some(Value::Null), "{}", inbox.json);
    assert_eq!(
        portal::signatures::recheck(&p.state, later + 3_600_000)
            .await
            .unwrap(),
        0
    );
}

/// The validation report of a dossier's first version.
async fn report(p: &TestPortal, token: &str, code: &str) -> Value {
    p.get(&format!("/api/v1/dossiers/{code}"), token).await.json["versionList"][0]["signature"]
        ["validation"]
        .clone()
}

//! Validating dossier signatures at receipt (design §5; review H2), as ETSI EN 319 102-1 does:
//! the certificates judged at the portal's receipt time, the claimed signing time within the
//! policy's window before it, each certificate's revocation status fetched now (see
//! `revocation`), and the signer's personal ID number against the applicant's. The result is
//! an indication, a sub-indication and every check's result — the validation report stored
//! with the dossier version, with the revocation data it used kept as evidence
//! (`validation_data`).
//!
//! The policy: TOTAL-PASSED is accepted; TOTAL-FAILED and every INDETERMINATE except TRY_LATER
//! are refused. INDETERMINATE/TRY_LATER (no usable revocation answer) is, by default, accepted
//! and held: the official sees it, and the portal validates the signature again (at the same
//! receipt time) until an answer can be had; `--on-revocation-unknown refuse` refuses it.

use crate::db::RECHECK_FIRST_MS;
use crate::state::AppState;
use form_core::Text;
use form_core::sign::revocation::Evidence;
use form_core::sign::{Context, Indication, SubIndication, Verdict};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Rechecks back off, doubling up to this.
const RECHECK_MAX_MS: i64 = 6 * 3600 * 1000;

/// A validation: the report and the revocation data fetched for it.
pub struct Validated {
    pub verdict: Verdict,
    pub evidence: Evidence,
    /// The policy's signing-time window it was judged with (seconds).
    pub window_s: u64,
    /// Why the time-stamping authority gave no time-stamp, when it was asked and did not.
    pub timestamp_error: Option<String>,
}

impl Validated {
    /// Only TRY_LATER stands between this signature and TOTAL-PASSED.
    pub fn only_try_later(&self) -> bool {
        self.verdict.indication == Indication::Indeterminate
            && self
                .verdict
                .problems
                .iter()
                .all(|p| p.sub_indication == SubIndication::TryLater)
    }

    /// The revocation data the report names, to keep: (sha256 hex, kind, DER).
    pub fn used_data(&self) -> Vec<(String, &'static str, Vec<u8>)> {
        let named: Vec<[u8; 32]> = self
            .verdict
            .revocation
            .iter()
            .map(|r| r.found.sha256)
            .collect();
        let ocsp = self.evidence.ocsp.iter().map(|a| ("ocsp", &a.der));
        let crls = self.evidence.crls.iter().map(|d| ("crl", d));
        let mut out: Vec<(String, &'static str, Vec<u8>)> = Vec::new();
        for (kind, der) in ocsp.chain(crls) {
            let sha: [u8; 32] = Sha256::digest(der).into();
            let hex = crate::encode::hex(&sha);
            if named.contains(&sha) && !out.iter().any(|(h, _, _)| *h == hex) {
                out.push((hex, kind, der.clone()));
            }
        }
        out
    }

    /// The validation report (JSON), stored in the signature's record as `validation`.
    pub fn report(&self, held: bool) -> Value {
        let v = &self.verdict;
        let secs = |s: u64| crate::clock::rfc3339(i64::try_from(s).unwrap_or_default() * 1000);
        json!({
            "format": v.format.map(|f| f.as_str()),
            "indication": v.indication.as_str(),
            "subIndication": v.sub_indication.map(SubIndication::as_str),
            "validationTime": secs(v.validation_time),
            "signingTime": v.signing_time.map(secs),
            "checks": v.checks.iter().map(|c| json!({
                "id": c.id,
                "status": c.status.as_str(),
                "detail": c.detail,
            })).collect::<Vec<_>>(),
            "chain": v.chain.iter().map(|c| json!({
                "name": c.name,
                "serialNumber": c.serial_number,
                "issuer": c.issuer,
                "notBefore": secs(c.not_before),
                "notAfter": secs(c.not_after),
            })).collect::<Vec<_>>(),
            "revocation": v.revocation.iter().map(|r| {
                let (status, revoked_at) = match r.found.status {
                    form_core::sign::revocation::Status::Good => ("good", None),
                    form_core::sign::revocation::Status::Revoked { at, .. } => ("revoked", Some(secs(at))),
                    form_core::sign::revocation::Status::Unknown => ("unknown", None),
                };
                json!({
                    "certificate": r.subject,
                    "status": status,
                    "revokedAt": revoked_at,
                    "source": r.found.via.as_str(),
                    "thisUpdate": secs(r.found.this_update),
                    "nextUpdate": r.found.next_update.map(secs),
                    "sha256": crate::encode::hex(&r.found.sha256),
                })
            }).collect::<Vec<_>>(),
            "timestamp": v.timestamp.as_ref().map(|t| json!({
                "genTime": secs(t.gen_time),
                "tsa": t.tsa,
                "policy": t.policy,
                "serialNumber": t.serial,
            })),
            "timestampError": self.timestamp_error,
            "unreachable": self.evidence.unreachable,
            "policy": {"signingWindowSeconds": self.window_s},
            "recheck": held,
        })
    }
}

/// Validates `cms` over `content` at `at` (seconds: the receipt) under the portal's policy,
/// fetching revocation data now; `applicant_id`: the personal ID number the certificate must
/// carry.
pub async fn validate(
    state: &AppState,
    cms: Vec<u8>,
    content: Vec<u8>,
    at: u64,
    applicant_id: Option<String>,
) -> Result<Validated, axum::response::Response> {
    let evidence = state
        .revocation
        .evidence(&cms, &state.trust, state.bridge.dev())
        .await;
    judge(state, cms, content, at, applicant_id, evidence).await
}

/// The verdict on `cms` with the revocation data already fetched.
async fn judge(
    state: &AppState,
    cms: Vec<u8>,
    content: Vec<u8>,
    at: u64,
    applicant_id: Option<String>,
    evidence: Evidence,
) -> Result<Validated, axum::response::Response> {
    let (trust, policy, kept) = (
        state.trust.clone(),
        state.config.signatures.clone(),
        evidence.clone(),
    );
    let window_s = policy.signing_window_s;
    let now = u64::try_from(crate::clock::now_ms() / 1000).unwrap_or_default();
    let verdict = crate::work::cpu(crate::work::DEADLINE, move || {
        let mut ctx = Context::at(at).with_revocation(&kept);
        ctx.signing_window = policy.signing_window_s;
        ctx.freshness.now = Some(now.max(at));
        let mut v = form_core::sign::verify(&cms, &content, &trust, &ctx);
        signer_is_applicant(&mut v, applicant_id.as_deref());
        v
    })
    .await?;
    Ok(Validated {
        verdict,
        evidence,
        window_s,
        timestamp_error: None,
    })
}

/// An accepted signature, time-stamped when the policy names a time-stamping authority: the
/// CMS to keep (B-T, or B-B when the authority gave nothing — the report says why) and its
/// validation, judged again on the stamped CMS with the same revocation data.
pub async fn stamp(
    state: &AppState,
    cms: Vec<u8>,
    content: Vec<u8>,
    at: u64,
    applicant_id: Option<String>,
    validated: Validated,
) -> Result<(Vec<u8>, Validated), axum::response::Response> {
    let Some(url) = state.config.signatures.tsa_url.as_deref() else {
        return Ok((cms, validated));
    };
    match state.revocation.stamp(url, &cms).await {
        Ok(stamped) => {
            let again = judge(
                state,
                stamped.clone(),
                content,
                at,
                applicant_id,
                validated.evidence.clone(),
            )
            .await?;
            if again.verdict.timestamp.is_some() {
                return Ok((stamped, again));
            }
            let why = again
                .verdict
                .problems
                .iter()
                .find(|p| p.check == "timestamp")
                .map(|p| p.message.en.clone())
                .unwrap_or_else(|| "the time-stamp was not valid".into());
            tracing::warn!(tsa = url, error = %why, "time-stamp refused; the signature is kept as CAdES B-B");
            Ok((
                cms,
                Validated {
                    timestamp_error: Some(why),
                    ..validated
                },
            ))
        }
        Err(e) => {
            tracing::warn!(tsa = url, error = %e, "no time-stamp; the signature is kept as CAdES B-B");
            Ok((
                cms,
                Validated {
                    timestamp_error: Some(e),
                    ..validated
                },
            ))
        }
    }
}

/// The certificate must be the applicant's own: its serialNumber (or UID) ends with their
/// personal ID number.
pub fn signer_is_applicant(v: &mut Verdict, id: Option<&str>) {
    let Some(id) = id else {
        return;
    };
    let Some(signer) = &v.signer else {
        return;
    };
    if signer
        .serial_number
        .as_deref()
        .is_some_and(|s| s.ends_with(id))
    {
        v.passed(
            "signer-id",
            Some(Text::new(
                format!("Số định danh trong chứng thư số khớp với người nộp ({id})."),
                format!("The ID number in the certificate is the applicant's ({id})."),
            )),
        );
    } else {
        v.add(form_core::sign::verify::problem(
            "signer-id",
            "signer-not-applicant",
            (
                Indication::Indeterminate,
                SubIndication::SigConstraintsFailure,
            ),
            "Chứng thư số không phải của người nộp hồ sơ (số định danh khác).",
            "The certificate is not the applicant's (another personal ID number).",
        ));
    }
}

/// Validates held signatures again, and ends co-signings past their deadline, every 30 s on
/// every instance (both are idempotent).
pub fn start(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = recheck(&state, crate::clock::now_ms()).await {
                tracing::warn!(error = %e, "validating held signatures again");
            }
            match state.db.expire_co_signatures(crate::clock::now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(dossiers = n, "co-signing deadlines passed"),
                Err(e) => tracing::warn!(error = %e, "ending co-signings past their deadline"),
            }
        }
    });
}

/// How long a held signature is checked again before the portal gives up (its report then
/// stays INDETERMINATE/TRY_LATER for the official, with why).
const RECHECK_FOR_MS: i64 = 30 * 24 * 3600 * 1000;

/// Validates the held signatures due at `now` (ms) again, at the time of their first
/// validation; a taken one is leased for five minutes and only that taking records its
/// outcome. Once the signer's certificate has expired (a CA may then drop it from its CRLs and
/// OCSP, and a "good" answer would prove nothing) or after [`RECHECK_FOR_MS`], the portal stops
/// and says so in the report. Gives how many were taken.
pub async fn recheck(state: &AppState, now: i64) -> Result<usize, sqlx::Error> {
    use base64::Engine;
    let due = state.db.due_rechecks(now, 5 * 60_000, 5).await?;
    let n = due.len();
    for r in due {
        let Ok(mut record) = serde_json::from_str::<Value>(&r.signature) else {
            state
                .db
                .rechecked(&r.code, r.version, r.lease, &r.signature, None)
                .await?;
            continue;
        };
        let previous = record["validation"].clone();
        let at_ms = previous["validationTime"]
            .as_str()
            .and_then(crate::clock::parse_rfc3339)
            .unwrap_or(r.submitted_at);
        let expired = previous["chain"][0]["notAfter"]
            .as_str()
            .and_then(crate::clock::parse_rfc3339)
            .is_some_and(|until| until < now);
        if expired || now - at_ms > RECHECK_FOR_MS {
            record["validation"]["recheck"] = json!(false);
            record["validation"]["recheckEnded"] = json!(if expired {
                Text::new(
                    "Chứng thư số đã hết hạn trước khi tra cứu được tình trạng thu hồi; cổng ngừng kiểm tra lại.",
                    "The certificate expired before its revocation status could be had; the portal stopped checking.",
                )
            } else {
                Text::new(
                    "Sau 30 ngày vẫn chưa tra cứu được tình trạng thu hồi; cổng ngừng kiểm tra lại.",
                    "The revocation status could not be had within 30 days; the portal stopped checking.",
                )
            });
            state
                .db
                .rechecked(&r.code, r.version, r.lease, &record.to_string(), None)
                .await?;
            continue;
        }
        let cms = record["cms"]
            .as_str()
            .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok());
        let data = serde_json::from_str::<Value>(&r.data).ok();
        let content = data.and_then(|d| {
            form_core::sign::content(&r.form_id, u32::try_from(r.form_version).ok()?, &d).ok()
        });
        let (Some(cms), Some(content)) = (cms, content) else {
            state
                .db
                .rechecked(&r.code, r.version, r.lease, &r.signature, None)
                .await?;
            continue;
        };
        // The ID number checked at receipt (the owner's may have changed since).
        let applicant = record["applicantId"]
            .as_str()
            .map(str::to_owned)
            .or(r.personal_id.clone());
        let at = u64::try_from(at_ms / 1000).unwrap_or_default();
        let Ok(mut validated) = validate(state, cms, content, at, applicant).await else {
            continue;
        };
        validated.timestamp_error = previous["timestampError"].as_str().map(str::to_owned);
        state
            .db
            .keep_validation_data(&validated.used_data(), now)
            .await?;
        let still = validated.only_try_later();
        record["validation"] = validated.report(still);
        let next = still.then(|| {
            now + (RECHECK_FIRST_MS << r.attempts.clamp(0, 20) as u32).min(RECHECK_MAX_MS)
        });
        let recorded = state
            .db
            .rechecked(&r.code, r.version, r.lease, &record.to_string(), next)
            .await?;
        tracing::info!(
            dossier = %r.code,
            version = r.version,
            indication = validated.verdict.indication.as_str(),
            sub_indication = validated.verdict.sub_indication.map(SubIndication::as_str),
            recorded,
            "held signature validated again"
        );
    }
    Ok(n)
}

/// Adds to each signed version of a dossier document (the download) the revocation data its
/// report names, as `signature.validationData` (`[{sha256, kind, der}]`, DER in base64): the
/// file alone lets `eform verify` give the same verdict years later.
pub async fn attach_validation_data(state: &AppState, doc: &mut Value) -> Result<(), sqlx::Error> {
    let Some(versions) = doc["versionList"].as_array_mut() else {
        return Ok(());
    };
    for v in versions {
        attach_to(state, &mut v["signature"]).await?;
        if let Some(parties) = v["coSignatures"].as_array_mut() {
            for p in parties {
                attach_to(state, &mut p["signature"]).await?;
            }
        }
    }
    Ok(())
}

/// Puts the revocation data a signature's report names beside it (`validationData`).
async fn attach_to(state: &AppState, signature: &mut Value) -> Result<(), sqlx::Error> {
    use base64::Engine;
    let shas: Vec<String> = signature["validation"]["revocation"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["sha256"].as_str().map(str::to_owned))
        .collect();
    if shas.is_empty() {
        return Ok(());
    }
    let data = state.db.validation_data(&shas).await?;
    signature["validationData"] = data
        .into_iter()
        .map(|(sha, kind, der)| {
            json!({"sha256": sha, "kind": kind, "der": base64::engine::general_purpose::STANDARD.encode(der)})
        })
        .collect();
    Ok(())
}

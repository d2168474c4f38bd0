//! `eform verify`: a dossier file's signatures judged again from the file alone.

use anyhow::{Context, Result};
use form_core::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

/// `eform verify`.
pub(crate) fn verify(
    path: &std::path::Path,
    trust_store: Option<PathBuf>,
    data_dir: &std::path::Path,
    version: Option<i64>,
    lang: &str,
) -> Result<ExitCode> {
    let lang = Lang::parse(lang).unwrap_or(Lang::En);
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let d: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let form_id = d["formId"].as_str().context("no formId")?;
    let form_version = d["formVersion"]
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .context("no formVersion")?;
    let versions = d["versionList"].as_array().context("no versionList")?;
    let v = match version {
        Some(n) => versions.iter().find(|v| v["version"].as_i64() == Some(n)),
        None => versions.last(),
    }
    .context("no such version")?;
    if v["signature"]["cms"].as_str().is_none() {
        say!("{}: version {} is not signed", path.display(), v["version"]);
        return Ok(ExitCode::FAILURE);
    }
    let content = form_core::sign::content(form_id, form_version, &v["data"])
        .map_err(|e| anyhow::anyhow!("{}", e.render(lang)))?;
    let files = match trust_store {
        Some(f) => vec![f],
        None => vec![
            data_dir.join("dev-signer/root.pem"),
            data_dir.join("dev-signer/ca.pem"),
        ],
    };
    let (mut roots, mut cas) = (Vec::new(), Vec::new());
    for f in files.iter().filter(|f| f.exists()) {
        for c in portal::bridge::pem_certificates(f)? {
            if c.tbs_certificate.subject == c.tbs_certificate.issuer {
                roots.push(c);
            } else {
                cas.push(c);
            }
        }
    }
    anyhow::ensure!(!roots.is_empty(), "no trusted root (give --trust-store)");
    let mut store = form_core::sign::TrustStore::new(roots);
    store.add_intermediates(cas);
    let code = d["code"].as_str().unwrap_or_default();
    let title = format!("{code} version {}", v["version"]);
    let applicant = v["signature"]["applicantId"].as_str();
    let mut all = judge(
        &v["signature"],
        v,
        &content,
        &store,
        lang,
        &title,
        applicant,
    )?;
    // Each co-signer's own signature over the same content (see docs/signing.md).
    for p in v["coSignatures"].as_array().into_iter().flatten() {
        let part = p["label"][if lang == Lang::Vi { "vi" } else { "en" }]
            .as_str()
            .unwrap_or("co-signer");
        let who = format!(
            "{title} co-signer {part}, {}",
            p["name"].as_str().unwrap_or_default()
        );
        // The certificate must carry the ID number the signed data gives for this party.
        let id = p["at"]
            .as_str()
            .and_then(|at| v["data"].pointer(at))
            .and_then(serde_json::Value::as_str)
            .map(str::trim);
        if p["status"] == "signed" {
            all &= judge(&p["signature"], v, &content, &store, lang, &who, id)?;
        } else {
            say!(
                "{who}: not signed ({})",
                p["status"].as_str().unwrap_or_default()
            );
            all = false;
        }
    }
    Ok(if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Judges one signature record of version `v` (the applicant's or a co-signer's) over
/// `content` as at its receipt, prints the verdict under `who`, and says whether it is valid,
/// made with the certificate of `id` (a personal ID number), and agrees with the portal's
/// stored report and time-stamp.
pub(crate) fn judge(
    signature: &serde_json::Value,
    v: &serde_json::Value,
    content: &[u8],
    store: &form_core::sign::TrustStore,
    lang: Lang,
    who: &str,
    id: Option<&str>,
) -> Result<bool> {
    use base64::Engine;
    let cms = signature["cms"]
        .as_str()
        .context("a signature without its CMS")?;
    let cms = base64::engine::general_purpose::STANDARD
        .decode(cms)
        .context("the signature is not base64")?;
    // The validation as at the receipt: its time, the policy's window and the revocation
    // data kept with the dossier (none kept: revocation is reported as not checked).
    let report = &signature["validation"];
    let at_ms = report["validationTime"]
        .as_str()
        .or(v["submittedAt"].as_str())
        .and_then(portal::clock::parse_rfc3339)
        .context("no validation time (validationTime / submittedAt)")?;
    let mut evidence = form_core::sign::Evidence::default();
    for item in signature["validationData"].as_array().into_iter().flatten() {
        let der = item["der"]
            .as_str()
            .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
            .context("validationData: der is not base64")?;
        match item["kind"].as_str() {
            Some("ocsp") => evidence
                .ocsp
                .push(form_core::sign::OcspAnswer { der, nonce: None }),
            Some("crl") => evidence.crls.push(der),
            _ => {}
        }
    }
    let mut ctx = form_core::sign::Context::at(u64::try_from(at_ms / 1000).unwrap_or_default());
    if let Some(w) = report["policy"]["signingWindowSeconds"].as_u64() {
        ctx.signing_window = w;
    }
    ctx.signing_window = ctx.signing_window.min(24 * 3600);
    ctx.freshness.now = Some(u64::try_from(portal::clock::now_ms() / 1000).unwrap_or_default());
    // Revocation is always judged, from the answers kept: none kept (a signature held, or a
    // dossier from before there were reports) is INDETERMINATE, never valid.
    let ctx = ctx.with_revocation(&evidence);
    let mut verdict = form_core::sign::verify(&cms, content, store, &ctx);
    // The certificate must carry the ID number of the party it was taken for.
    portal::signatures::signer_is_applicant(&mut verdict, id);
    say!(
        "{who}: {} — {}{}",
        match verdict.indication {
            form_core::sign::Indication::TotalPassed => "signature valid",
            form_core::sign::Indication::TotalFailed => "signature NOT valid",
            form_core::sign::Indication::Indeterminate => "signature NOT proven valid",
        },
        verdict.indication.as_str(),
        verdict
            .sub_indication
            .map(|s| format!("/{}", s.as_str()))
            .unwrap_or_default()
    );
    if let Some(s) = &verdict.signer {
        say!(
            "  signer: {}{}, issued by {}",
            s.name,
            s.serial_number
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            s.issuer
        );
    }
    if let Some(t) = verdict.signing_time {
        say!(
            "  signed at: {}",
            portal::clock::rfc3339(i64::try_from(t).unwrap_or_default() * 1000)
        );
    }
    say!("  validated at: {}", portal::clock::rfc3339(at_ms));
    for c in &verdict.checks {
        say!(
            "  {:<20} {:<13} {}",
            c.id,
            c.status.as_str(),
            c.detail.as_ref().map(|d| d.get(lang)).unwrap_or_default()
        );
    }
    for r in &verdict.revocation {
        say!(
            "  revocation: {} — {} ({}, {})",
            r.subject,
            match r.found.status {
                form_core::sign::revocation::Status::Good => "good".to_owned(),
                form_core::sign::revocation::Status::Revoked { at, .. } => format!(
                    "revoked at {}",
                    portal::clock::rfc3339(i64::try_from(at).unwrap_or_default() * 1000)
                ),
                form_core::sign::revocation::Status::Unknown => "unknown".to_owned(),
            },
            r.found.via.as_str(),
            portal::clock::rfc3339(i64::try_from(r.found.this_update).unwrap_or_default() * 1000)
        );
    }
    for p in &verdict.problems {
        say!("  problem [{}]: {}", p.code, p.message.get(lang));
    }
    // The receipt time is the portal's word; a time-stamp's time is the TSA's: they must agree.
    let mut agrees = true;
    if let Some(ts) = &verdict.timestamp
        && ctx.at.abs_diff(ts.gen_time) > 600
    {
        say!(
            "  the validation time differs from the time-stamp's ({}) by more than 10 minutes",
            portal::clock::rfc3339(i64::try_from(ts.gen_time).unwrap_or_default() * 1000)
        );
        agrees = false;
    }
    // The stored report's own verdict must be this one (a held signature, another policy, or a
    // changed file say so and fail).
    if let Some(stored) = report["indication"].as_str()
        && stored != verdict.indication.as_str()
    {
        say!("  the portal's stored report says {stored}: the verdicts differ");
        agrees = false;
    }
    Ok(verdict.valid && agrees)
}

//! The administration commands on the database: `eform officials`, `webhooks`, `deliveries`,
//! `service-accounts`, `retention`.

use crate::serve::redact;
use crate::{
    DbArgs, DeliveryAction, OfficialsAction, RetentionAction, ServiceAction, WebhookAction,
};
use anyhow::{Context, Result};
use std::process::ExitCode;

/// `eform officials …`.
pub(crate) async fn officials(db: portal::db::Db, action: OfficialsAction) -> Result<ExitCode> {
    let code = match action {
        OfficialsAction::Add {
            personal_id,
            agency,
            name,
        } => {
            anyhow::ensure!(
                personal_id.len() == 12 && personal_id.bytes().all(|b| b.is_ascii_digit()),
                "{personal_id} is not a personal ID number (12 digits)"
            );
            anyhow::ensure!(!name.trim().is_empty(), "--name is empty");
            let agencies = db.agencies().await?;
            anyhow::ensure!(
                agencies.iter().any(|(c, _)| *c == agency),
                "there is no agency {agency} in the directory ({} agencies; load it with eform serve --agencies FILE)",
                agencies.len()
            );
            db.add_official(&portal::db::OfficialRow {
                personal_id: personal_id.clone(),
                agency_code: agency.clone(),
                name: name.trim().to_owned(),
                added_at: portal::clock::now_ms(),
            })
            .await?;
            say!("official {personal_id} ({}) of {agency}", name.trim());
            ExitCode::SUCCESS
        }
        OfficialsAction::Remove { personal_id } => {
            if db.remove_official(&personal_id).await? {
                say!("official {personal_id} removed; their sessions ended");
                ExitCode::SUCCESS
            } else {
                say!("no official {personal_id}");
                ExitCode::FAILURE
            }
        }
        OfficialsAction::List => {
            for o in db.officials().await? {
                say!(
                    "{}\t{}\t{}\tadded {}",
                    o.personal_id,
                    o.agency_code,
                    o.name,
                    portal::clock::rfc3339(o.added_at)
                );
            }
            ExitCode::SUCCESS
        }
    };
    Ok(code)
}

/// Runs an administration command on the database of `--database-url` (or `--data-dir`),
/// closing it after.
pub(crate) fn with_db<F, Fut>(args: DbArgs, f: F) -> Result<ExitCode>
where
    F: FnOnce(portal::db::Db) -> Fut,
    Fut: std::future::Future<Output = Result<ExitCode>>,
{
    let url = args.url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = portal::db::Db::connect(&url)
            .await
            .with_context(|| format!("opening the database {}", redact(&url)))?;
        let done = f(db.clone()).await;
        db.close().await;
        done
    })
}

/// `eform webhooks …`.
pub(crate) async fn webhooks(db: portal::db::Db, action: WebhookAction) -> Result<ExitCode> {
    match action {
        WebhookAction::Set {
            agency,
            url,
            events,
        } => {
            anyhow::ensure!(
                portal::oidc::secure_url(&url),
                "--url {url} must be https:// (plain http only on a loopback address)"
            );
            anyhow::ensure!(
                db.agencies().await?.iter().any(|(c, _)| *c == agency),
                "there is no agency {agency} in the directory"
            );
            let events: Vec<&str> = events.split([' ', ',']).filter(|e| !e.is_empty()).collect();
            for e in &events {
                anyhow::ensure!(
                    *e == "*" || portal::db::outbox::KINDS.contains(e),
                    "{e} is not an event type (one of {}, or *)",
                    portal::db::outbox::KINDS.join(", ")
                );
            }
            let events = if events.is_empty() || events.contains(&"*") {
                "*".to_owned()
            } else {
                events.join(" ")
            };
            let secret = portal::webhooks::new_secret()?;
            db.set_webhook(&portal::db::delivery::Webhook {
                agency_code: agency.clone(),
                url: url.clone(),
                secret: secret.clone(),
                events: events.clone(),
                created_at: portal::clock::now_ms(),
            })
            .await?;
            eprintln!(
                "{agency}: events {events} go to {url}; the signing secret (shown only now):"
            );
            say!("{secret}");
        }
        WebhookAction::Remove { agency } => {
            if !db.remove_webhook(&agency).await? {
                say!("{agency} has no webhook");
                return Ok(ExitCode::FAILURE);
            }
            say!("{agency}: webhook removed");
        }
        WebhookAction::List => {
            for w in db.webhooks().await? {
                say!(
                    "{}\t{}\t{}\tset {}",
                    w.agency_code,
                    w.url,
                    w.events,
                    portal::clock::rfc3339(w.created_at)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `eform deliveries …`.
pub(crate) async fn deliveries(db: portal::db::Db, action: DeliveryAction) -> Result<ExitCode> {
    match action {
        DeliveryAction::List {
            state,
            agency,
            limit,
        } => {
            for d in db
                .deliveries(state.as_deref(), agency.as_deref(), limit.clamp(1, 10_000))
                .await?
            {
                say!(
                    "{}\t{}\t{}\t{}\t{}\tattempts {}\t{}",
                    d.event_id,
                    d.kind,
                    d.dossier_code,
                    d.state,
                    match (d.state.as_str(), d.delivered_at) {
                        ("delivered", Some(at)) => format!("at {}", portal::clock::rfc3339(at)),
                        ("pending", _) => format!("next {}", portal::clock::rfc3339(d.next_at)),
                        _ => String::new(),
                    },
                    d.attempts,
                    d.last_error.unwrap_or_default()
                );
            }
        }
        DeliveryAction::Replay { agency, seq } => {
            let n = db
                .replay_deliveries(agency.as_deref(), seq, portal::clock::now_ms())
                .await?;
            say!("{n} delivery(ies) sent again (the portal delivers them within a second)");
            if n == 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `eform service-accounts …`.
pub(crate) async fn service_accounts(
    db: portal::db::Db,
    action: ServiceAction,
) -> Result<ExitCode> {
    let now = portal::clock::now_ms();
    async {
        match action {
            ServiceAction::Add { name, agency } => {
                anyhow::ensure!(
                    (1..=64).contains(&name.len())
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                    "{name:?}: use lower-case letters, digits and hyphens (1–64)"
                );
                let agencies = db.agencies().await?;
                anyhow::ensure!(
                    agencies.iter().any(|(c, _)| *c == agency),
                    "there is no agency {agency} in the directory"
                );
                let key = format!(
                    "{}{}",
                    portal::auth::SERVICE_KEY_PREFIX,
                    portal::encode::new_token()?
                );
                let user = portal::db::UserRow {
                    id: format!("service:{name}"),
                    role: "official".into(),
                    name: format!("{name} (service account)"),
                    agency_code: Some(agency.clone()),
                    personal_id: None,
                };
                if !db
                    .add_service_account(&user, &portal::auth::token_hash(&key), now)
                    .await?
                {
                    anyhow::bail!(
                        "service:{name} exists already (revoke it and choose another name)"
                    );
                }
                eprintln!("service account service:{name} of {agency}; its key (shown only now):");
                say!("{key}");
            }
            ServiceAction::Revoke { name } => {
                let id = if name.starts_with("service:") {
                    name
                } else {
                    format!("service:{name}")
                };
                if !db.revoke_service_account(&id, now).await? {
                    say!("no live service account {id}");
                    return Ok(ExitCode::FAILURE);
                }
                say!("{id} revoked");
            }
            ServiceAction::List => {
                for (id, agency, created, revoked) in db.service_accounts().await? {
                    say!(
                        "{id}\t{agency}\tcreated {}{}",
                        portal::clock::rfc3339(created),
                        revoked
                            .map(|r| format!("\trevoked {}", portal::clock::rfc3339(r)))
                            .unwrap_or_default()
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
    .await
}

/// `eform retention …`.
pub(crate) async fn retention(db: portal::db::Db, action: RetentionAction) -> Result<ExitCode> {
    let now = portal::clock::now_ms();
    async {
        match action {
            RetentionAction::Set {
                form_id,
                days,
                action,
                files_days,
                audit_days,
                drafts_days,
            } => {
                let action = action.unwrap_or_else(|| "anonymise".into());
                anyhow::ensure!(
                    portal::db::RETENTION_ACTIONS.contains(&action.as_str()),
                    "--action {action}: give anonymise or delete"
                );
                anyhow::ensure!(
                    days.is_some()
                        || files_days.is_some()
                        || audit_days.is_some()
                        || drafts_days.is_some(),
                    "give --days (with --action), --files-days, --audit-days or --drafts-days"
                );
                anyhow::ensure!(
                    !form_id.is_empty()
                        && form_id.len() <= 128
                        && !form_id.contains(char::is_whitespace),
                    "{form_id:?} is not a form id (or * for the default)"
                );
                if form_id != "*" && !db.form_recorded(&form_id).await? {
                    eprintln!(
                        "warning: no version of {form_id} has been served yet (a typo?); the policy applies once it is"
                    );
                }
                let policy = portal::db::RetentionPolicy {
                    form_id: form_id.clone(),
                    days: days.map(i64::from),
                    action,
                    files_days: files_days.map(i64::from),
                    audit_days: audit_days.map(i64::from),
                    drafts_days: drafts_days.map(i64::from),
                    set_at: now,
                };
                db.set_retention(&policy).await?;
                say!("{}", describe_retention(&policy));
                let due = db.due_for_erasure(now, 1_000_000).await?.len();
                say!("{due} dossier(s) past their retention now (the portal erases them within the hour; or eform retention run)");
            }
            RetentionAction::Clear { form_id } => {
                if !db.clear_retention(&form_id).await? {
                    say!("{form_id} has no retention policy");
                    return Ok(ExitCode::FAILURE);
                }
                say!("{form_id}: no retention policy (dossiers kept)");
            }
            RetentionAction::List => {
                for p in db.retention_policies().await? {
                    say!(
                        "{}\tset {}",
                        describe_retention(&p),
                        portal::clock::rfc3339(p.set_at)
                    );
                }
                let due = db.due_for_erasure(now, 1_000_000).await?.len();
                say!("{due} dossier(s) past their retention now");
            }
            RetentionAction::Run => {
                let e = db.apply_retention(now).await?;
                say!(
                    "{} dossier(s) anonymised, {} deleted, {} file(s) removed, {} data-store log entries removed",
                    e.anonymised, e.deleted, e.files, e.log_entries
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    }
    .await
}

/// One line of `eform retention list`: the form, then each setting it has.
pub(crate) fn describe_retention(p: &portal::db::RetentionPolicy) -> String {
    let mut line = p.form_id.clone();
    if let Some(d) = p.days {
        line.push_str(&format!(
            "\tdossiers {}d {d} days after the result",
            p.action
        ));
    }
    if let Some(d) = p.files_days {
        line.push_str(&format!("\tfiles removed {d} days after the result"));
    }
    if let Some(d) = p.audit_days {
        line.push_str(&format!("\tdata-store log kept {d} days"));
    }
    if let Some(d) = p.drafts_days {
        line.push_str(&format!("\tdrafts kept {d} days after their last save"));
    }
    line
}

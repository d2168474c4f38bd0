//! The retention schedule: how long each procedure's dossiers are kept once their result is
//! issued, and the erasure of those past it (Decree 45/2020 Art. 17 leaves the period to each
//! procedure's own law; Decree 13/2023 asks that personal data be kept no longer than needed).

use super::{Db, Row};

/// A procedure's retention (`form_id` `*`: the default for forms without their own). A
/// setting left `None` falls back to the default's; without either, the data are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub form_id: String,
    /// Days after the result was issued that the dossier is kept.
    pub days: Option<i64>,
    /// `delete` (the dossier goes) or `anonymise` (its personal data go, its figures stay).
    pub action: String,
    /// Days after the result that the dossier's files are kept (when shorter than `days`).
    pub files_days: Option<i64>,
    /// Days the citizen's data-store log keeps its entries of reads for this form.
    pub audit_days: Option<i64>,
    /// Days a draft saved on the portal is kept after its last save (default 30).
    pub drafts_days: Option<i64>,
    pub set_at: i64,
}

/// What one pass of the schedule removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erasure {
    pub anonymised: u64,
    pub deleted: u64,
    /// Files no dossier refers to any more, removed with them or before them.
    pub files: u64,
    /// Data-store log entries removed.
    pub log_entries: u64,
}

/// The actions a policy may take.
pub const ACTIONS: &[&str] = &["delete", "anonymise"];

/// The actor the access audit names for the schedule's erasures.
pub const RETENTION_ACTOR: &str = "system:retention";

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Inside the write transaction `$tx`: unlinks dossier `$code`'s files and removes those no
/// other dossier has (with their uploaders' records); (files unlinked, files removed).
macro_rules! unlink_files {
    ($tx:ident, $code:expr) => {{
        let code: &str = $code;
        let files: Vec<String> = sqlx::query("SELECT sha256 FROM dossier_blobs WHERE code = $1")
            .bind(code)
            .fetch_all(&mut *$tx)
            .await?
            .iter()
            .map(|r| r.try_get("sha256"))
            .collect::<Result<_, _>>()?;
        let mut gone: u64 = 0;
        if !files.is_empty() {
            sqlx::query("DELETE FROM dossier_blobs WHERE code = $1")
                .bind(code)
                .execute(&mut *$tx)
                .await?;
            for sha in &files {
                sqlx::query(
                    "DELETE FROM blob_owners WHERE sha256 = $1 \
                     AND NOT EXISTS (SELECT 1 FROM dossier_blobs l WHERE l.sha256 = $1)",
                )
                .bind(sha)
                .execute(&mut *$tx)
                .await?;
                gone += sqlx::query(
                    "DELETE FROM blobs WHERE sha256 = $1 \
                     AND NOT EXISTS (SELECT 1 FROM dossier_blobs l WHERE l.sha256 = $1)",
                )
                .bind(sha)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
            }
        }
        (files.len(), gone)
    }};
}

impl Db {
    /// Sets a procedure's retention (replacing the one it had).
    pub async fn set_retention(&self, p: &RetentionPolicy) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO retention_policies (form_id, days, action, files_days, audit_days, drafts_days, set_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (form_id) DO UPDATE SET days = excluded.days, action = excluded.action, \
                 files_days = excluded.files_days, audit_days = excluded.audit_days, \
                 drafts_days = excluded.drafts_days, set_at = excluded.set_at",
            )
            .bind(&p.form_id)
            .bind(p.days)
            .bind(&p.action)
            .bind(p.files_days)
            .bind(p.audit_days)
            .bind(p.drafts_days)
            .bind(p.set_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Removes a procedure's retention; `false` when it had none.
    pub async fn clear_retention(&self, form_id: &str) -> Result<bool, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query("DELETE FROM retention_policies WHERE form_id = $1")
                .bind(form_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Every retention policy, by form id (`*` first).
    pub async fn retention_policies(&self) -> Result<Vec<RetentionPolicy>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT form_id, days, action, files_days, audit_days, drafts_days, set_at FROM retention_policies \
                 ORDER BY form_id",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(RetentionPolicy {
                    form_id: r.try_get("form_id")?,
                    days: r.try_get("days")?,
                    action: r.try_get("action")?,
                    files_days: r.try_get("files_days")?,
                    audit_days: r.try_get("audit_days")?,
                    drafts_days: r.try_get("drafts_days")?,
                    set_at: r.try_get("set_at")?,
                })
            })
            .collect()
        })
    }

    /// Whether any version of `form_id` was ever recorded (served or published).
    pub async fn form_recorded(&self, form_id: &str) -> Result<bool, sqlx::Error> {
        read!(self, |pool| {
            Ok(
                sqlx::query("SELECT 1 AS one FROM form_versions WHERE form_id = $1 LIMIT 1")
                    .bind(form_id)
                    .fetch_optional(pool)
                    .await?
                    .is_some(),
            )
        })
    }

    /// The dossiers past their retention at `now` (result issued — or ended without their
    /// co-signatures — not yet erased), oldest
    /// first, at most `limit`: (code, action).
    pub async fn due_for_erasure(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT d.code, CASE WHEN p.days IS NOT NULL THEN p.action ELSE dflt.action END AS action \
                 FROM dossiers d \
                 LEFT JOIN retention_policies p ON p.form_id = d.form_id \
                 LEFT JOIN retention_policies dflt ON dflt.form_id = '*' \
                 WHERE d.status IN ('result-issued', 'co-signature-declined', 'co-signature-expired') \
                 AND d.erased_at IS NULL AND COALESCE(p.days, dflt.days) IS NOT NULL \
                 AND d.status_at <= $1 - COALESCE(p.days, dflt.days) * $2 \
                 ORDER BY d.status_at, d.code LIMIT $3",
            )
            .bind(now)
            .bind(DAY_MS)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("action")?)))
            .collect()
        })
    }

    /// Erases one dossier by `action` at `now`: its versions (data, signatures), its history
    /// (officials' messages), its files when no other dossier has them; `delete` removes the
    /// dossier too, `anonymise` keeps its figures and cuts the link to the citizen. The access
    /// audit records it. Nothing happens to a dossier erased already (by another instance).
    pub async fn erase_dossier(
        &self,
        code: &str,
        action: &str,
        now: i64,
    ) -> Result<Erasure, sqlx::Error> {
        let out = write_tx!(self, |tx| {
            let mut out = Erasure::default();
            // Claims the dossier (in PostgreSQL the row stays locked until the end): a second
            // instance finds it erased and does nothing.
            let claimed = sqlx::query(
                "UPDATE dossiers SET erased_at = $2 WHERE code = $1 AND erased_at IS NULL",
            )
            .bind(code)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 1 {
                let d = sqlx::query(
                    "SELECT agency_code, status, resume_status FROM dossiers WHERE code = $1",
                )
                .bind(code)
                .fetch_one(&mut *tx)
                .await?;
                let agency: String = d.try_get("agency_code")?;
                let status: String = d.try_get("status")?;
                // A dossier that ended before its co-signers all signed never reached the
                // agency: there is nothing to tell it.
                let had_it = d.try_get::<Option<String>, _>("resume_status")?.is_some()
                    || ![
                        super::cosign::AWAITING,
                        super::cosign::DECLINED,
                        super::cosign::EXPIRED,
                    ]
                    .contains(&status.as_str());
                if had_it {
                    outbox_append!(
                        tx,
                        &super::OutboxEvent {
                            agency_code: agency,
                            at: now,
                            dossier_code: code.to_owned(),
                            kind: "dossier.erased".into(),
                            version: None,
                            status: None,
                            signed: false,
                        }
                    );
                }
                out.files += unlink_files!(tx, code).1;
                for table in [
                    "DELETE FROM signature_rechecks WHERE code = $1",
                    "DELETE FROM co_signatures WHERE code = $1",
                    "DELETE FROM dossier_versions WHERE code = $1",
                    "DELETE FROM dossier_events WHERE code = $1",
                ] {
                    sqlx::query(table).bind(code).execute(&mut *tx).await?;
                }
                if action == "delete" {
                    sqlx::query("DELETE FROM dossiers WHERE code = $1")
                        .bind(code)
                        .execute(&mut *tx)
                        .await?;
                    out.deleted = 1;
                } else {
                    sqlx::query(
                        "UPDATE dossiers SET owner_id = 'erased', versions = 0, events = 0, \
                         results = 0 WHERE code = $1",
                    )
                    .bind(code)
                    .execute(&mut *tx)
                    .await?;
                    out.anonymised = 1;
                }
                sqlx::query(
                    "INSERT INTO access_audit (at, actor_id, action, dossier_code) VALUES ($1, $2, $3, $4)",
                )
                .bind(now)
                .bind(RETENTION_ACTOR)
                .bind(if action == "delete" {
                    "deleted"
                } else {
                    "anonymised"
                })
                .bind(code)
                .execute(&mut *tx)
                .await?;
            }
            out
        });
        Ok(out)
    }

    /// Dossiers whose files are past their retention at `now` (result issued, files still
    /// there, not erased), oldest first, at most `limit`.
    pub async fn due_for_file_removal(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT d.code FROM dossiers d \
                 LEFT JOIN retention_policies p ON p.form_id = d.form_id \
                 LEFT JOIN retention_policies dflt ON dflt.form_id = '*' \
                 WHERE d.status = 'result-issued' AND d.erased_at IS NULL \
                 AND COALESCE(p.files_days, dflt.files_days) IS NOT NULL \
                 AND d.status_at <= $1 - COALESCE(p.files_days, dflt.files_days) * $2 \
                 AND EXISTS (SELECT 1 FROM dossier_blobs l WHERE l.code = d.code) \
                 ORDER BY d.status_at, d.code LIMIT $3",
            )
            .bind(now)
            .bind(DAY_MS)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get("code"))
            .collect()
        })
    }

    /// Removes a dossier's files (those no other dossier has) and records it in the access
    /// audit; the dossier stays. How many files went.
    pub async fn remove_dossier_files(&self, code: &str, now: i64) -> Result<u64, sqlx::Error> {
        let gone = write_tx!(self, |tx| {
            let (linked, gone) = unlink_files!(tx, code);
            if linked > 0 {
                sqlx::query(
                    "INSERT INTO access_audit (at, actor_id, action, dossier_code, object) \
                     VALUES ($1, $2, 'files-removed', $3, $4)",
                )
                .bind(now)
                .bind(RETENTION_ACTOR)
                .bind(code)
                .bind(format!("{linked} file(s)"))
                .execute(&mut *tx)
                .await?;
            }
            gone
        });
        Ok(gone)
    }

    /// Removes the data-store log entries past each policy's `audit_days` (a form's own, else
    /// the default's), each removal recorded in the access audit. How many entries went.
    pub async fn purge_datastore_log(&self, now: i64) -> Result<u64, sqlx::Error> {
        let policies = self.retention_policies().await?;
        let own: Vec<String> = policies
            .iter()
            .filter(|p| p.form_id != "*" && p.audit_days.is_some())
            .map(|p| p.form_id.clone())
            .collect();
        let mut total = 0;
        for p in policies.iter().filter(|p| p.audit_days.is_some()) {
            let before = now - p.audit_days.unwrap_or_default() * DAY_MS;
            let n = write_tx!(self, |tx| {
                let n = if p.form_id == "*" {
                    // Entries of forms without their own setting (and of no form).
                    let mut n = 0;
                    let rows =
                        sqlx::query("SELECT DISTINCT form_id FROM datastore_audit WHERE at < $1")
                            .bind(before)
                            .fetch_all(&mut *tx)
                            .await?;
                    for r in rows {
                        let form: Option<String> = r.try_get("form_id")?;
                        if form.as_ref().is_some_and(|f| own.contains(f)) {
                            continue;
                        }
                        n += sqlx::query(
                            "DELETE FROM datastore_audit WHERE at < $1 \
                             AND (form_id = $2 OR ($2 IS NULL AND form_id IS NULL))",
                        )
                        .bind(before)
                        .bind(&form)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    }
                    n
                } else {
                    sqlx::query("DELETE FROM datastore_audit WHERE at < $1 AND form_id = $2")
                        .bind(before)
                        .bind(&p.form_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                };
                if n > 0 {
                    sqlx::query(
                        "INSERT INTO access_audit (at, actor_id, action, object) \
                         VALUES ($1, $2, 'datastore-log-purged', $3)",
                    )
                    .bind(now)
                    .bind(RETENTION_ACTOR)
                    .bind(format!("{}: {n} entries", p.form_id))
                    .execute(&mut *tx)
                    .await?;
                }
                n
            });
            total += n;
        }
        Ok(total)
    }

    /// One pass of the retention schedule at `now`: erases every dossier past its retention,
    /// in batches, removes files past theirs and old data-store log entries. Safe on several
    /// instances at once.
    pub async fn apply_retention(&self, now: i64) -> Result<Erasure, sqlx::Error> {
        let mut total = Erasure::default();
        for code in self.due_for_file_removal(now, 10_000).await? {
            total.files += self.remove_dossier_files(&code, now).await?;
        }
        total.log_entries = self.purge_datastore_log(now).await?;
        loop {
            let due = self.due_for_erasure(now, 200).await?;
            let mut progressed = false;
            for (code, action) in &due {
                let e = self.erase_dossier(code, action, now).await?;
                progressed |= e.anonymised + e.deleted > 0;
                total.anonymised += e.anonymised;
                total.deleted += e.deleted;
                total.files += e.files;
            }
            if due.len() < 200 || !progressed {
                return Ok(total);
            }
        }
    }
}

//! What signatures' validation keeps (see `signatures.rs`): the revocation data used, by
//! SHA-256, and the signatures held for a later revocation check.

use super::{Db, Row};

/// A held signature due for another check.
#[derive(Clone, Debug)]
pub struct Recheck {
    pub code: String,
    pub version: i64,
    pub attempts: i64,
    pub form_id: String,
    pub form_version: i64,
    pub submitted_at: i64,
    pub data: String,
    pub signature: String,
    /// The applicant's personal ID number (the certificate must carry it).
    pub personal_id: Option<String>,
    /// This taking's lease (the row's new due time): only its holder records the outcome.
    pub lease: i64,
}

impl Db {
    /// Keeps revocation data (sha256 hex, kind `ocsp`/`crl`, DER); what is kept already stays.
    pub async fn keep_validation_data(
        &self,
        items: &[(String, &'static str, Vec<u8>)],
        now: i64,
    ) -> Result<(), sqlx::Error> {
        if items.is_empty() {
            return Ok(());
        }
        write_tx!(self, |tx| {
            for (sha, kind, der) in items {
                sqlx::query(
                    "INSERT INTO validation_data (sha256, kind, der, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                )
                .bind(sha)
                .bind(*kind)
                .bind(der)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// The kept revocation data named (those found): (sha256 hex, kind, DER).
    pub async fn validation_data(
        &self,
        shas: &[String],
    ) -> Result<Vec<(String, String, Vec<u8>)>, sqlx::Error> {
        let mut out = Vec::new();
        for sha in shas {
            let row = read!(self, |pool| {
                sqlx::query("SELECT sha256, kind, der FROM validation_data WHERE sha256 = $1")
                    .bind(sha)
                    .fetch_optional(pool)
                    .await?
                    .map(|r| -> Result<_, sqlx::Error> {
                        Ok((r.try_get("sha256")?, r.try_get("kind")?, r.try_get("der")?))
                    })
                    .transpose()?
            });
            out.extend(row);
        }
        Ok(out)
    }

    /// Takes up to `limit` held signatures due at `now`, moving each one's next check to
    /// `now + lease` (another instance does not take it meanwhile).
    pub async fn due_rechecks(
        &self,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<Recheck>, sqlx::Error> {
        let due = write_tx!(self, |tx| {
            let rows = sqlx::query(
                "SELECT r.code, r.version, r.attempts, d.form_id, d.form_version, \
                 v.submitted_at, v.data, v.signature, u.personal_id \
                 FROM signature_rechecks r JOIN dossiers d ON d.code = r.code \
                 JOIN users u ON u.id = d.owner_id \
                 JOIN dossier_versions v ON v.code = r.code AND v.version = r.version \
                 WHERE r.due_at <= $1 AND v.signature IS NOT NULL ORDER BY r.due_at LIMIT $2",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            let mut due = Vec::new();
            for r in rows {
                let c = Recheck {
                    code: r.try_get("code")?,
                    version: r.try_get("version")?,
                    attempts: r.try_get("attempts")?,
                    form_id: r.try_get("form_id")?,
                    form_version: r.try_get("form_version")?,
                    submitted_at: r.try_get("submitted_at")?,
                    data: r.try_get("data")?,
                    signature: r.try_get("signature")?,
                    personal_id: r.try_get("personal_id")?,
                    lease: now + lease,
                };
                // Taken only if still due (another instance may have taken it meanwhile).
                let taken = sqlx::query(
                    "UPDATE signature_rechecks SET due_at = $3 \
                     WHERE code = $1 AND version = $2 AND due_at <= $4",
                )
                .bind(&c.code)
                .bind(c.version)
                .bind(c.lease)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if taken == 1 {
                    due.push(c);
                }
            }
            due
        });
        Ok(due)
    }

    /// Records a held signature's new validation (its record rewritten) while `lease` is still
    /// this taking's; `next`: when to check again, `None`: settled. Gives whether it was
    /// recorded (an expired lease taken by another instance records nothing).
    pub async fn rechecked(
        &self,
        code: &str,
        version: i64,
        lease: i64,
        signature: &str,
        next: Option<i64>,
    ) -> Result<bool, sqlx::Error> {
        let recorded = write_tx!(self, |tx| {
            let held = match next {
                Some(at) => sqlx::query(
                    "UPDATE signature_rechecks SET due_at = $4, attempts = attempts + 1 \
                     WHERE code = $1 AND version = $2 AND due_at = $3",
                )
                .bind(code)
                .bind(version)
                .bind(lease)
                .bind(at),
                None => sqlx::query(
                    "DELETE FROM signature_rechecks WHERE code = $1 AND version = $2 AND due_at = $3",
                )
                .bind(code)
                .bind(version)
                .bind(lease),
            }
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if held {
                sqlx::query(
                    "UPDATE dossier_versions SET signature = $3 WHERE code = $1 AND version = $2",
                )
                .bind(code)
                .bind(version)
                .bind(signature)
                .execute(&mut *tx)
                .await?;
            }
            held
        });
        Ok(recorded)
    }
}

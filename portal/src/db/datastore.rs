//! The citizen's data store: attributes (verified and declared), consent, mistake reports,
//! and the data log.

use super::*;

impl Db {
    // --- the citizen's data store ---

    /// Every attribute of a citizen.
    pub async fn attributes(&self, owner: &str) -> Result<Vec<AttributeRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT key, value, source, verified, updated_at FROM attributes \
                 WHERE owner_id = $1 ORDER BY key",
            )
            .bind(owner)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(AttributeRow {
                    key: r.try_get("key")?,
                    value: r.try_get("value")?,
                    source: r.try_get("source")?,
                    verified: r.try_get::<i64, _>("verified")? != 0,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
        })
    }

    /// Stores a value from a register (demo data, a registry sync) unless the citizen's store
    /// already has that key.
    pub async fn seed_attribute(&self, owner: &str, a: &AttributeRow) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO attributes (owner_id, key, value, source, verified, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (owner_id, key) DO NOTHING",
            )
            .bind(owner)
            .bind(&a.key)
            .bind(&a.value)
            .bind(&a.source)
            .bind(i64::from(a.verified))
            .bind(a.updated_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Erases what the citizen declared under `keys` (every declared value when `keys` is
    /// empty) — verified register values stay — and logs the erasure, in one transaction. The
    /// keys erased.
    pub async fn erase_declared(
        &self,
        owner: &str,
        keys: &[String],
        now: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        let erased = write_tx!(self, |tx| {
            let rows = sqlx::query(
                "SELECT key FROM attributes WHERE owner_id = $1 AND verified = 0 ORDER BY key",
            )
            .bind(owner)
            .fetch_all(&mut *tx)
            .await?;
            let mut erased = Vec::new();
            for r in &rows {
                let key: String = r.try_get("key")?;
                if keys.is_empty() || keys.contains(&key) {
                    sqlx::query(
                        "DELETE FROM attributes WHERE owner_id = $1 AND key = $2 AND verified = 0",
                    )
                    .bind(owner)
                    .bind(&key)
                    .execute(&mut *tx)
                    .await?;
                    erased.push(key);
                }
            }
            if !erased.is_empty() {
                sqlx::query(
                    "INSERT INTO datastore_audit (owner_id, at, kind, keys, form_id, form_version) \
                     VALUES ($1, $2, 'erase', $3, NULL, NULL)",
                )
                .bind(owner)
                .bind(now)
                .bind(serde_json::to_string(&erased).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
            }
            erased
        });
        Ok(erased)
    }

    /// Stores a value a source vouches for (the identity provider at sign-in): it replaces what
    /// the store held under that key, unless the value is the same.
    pub async fn put_verified_attribute(
        &self,
        owner: &str,
        a: &AttributeRow,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO attributes (owner_id, key, value, source, verified, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (owner_id, key) DO UPDATE SET \
                 value = excluded.value, source = excluded.source, verified = excluded.verified, \
                 updated_at = excluded.updated_at WHERE attributes.value <> excluded.value \
                 OR attributes.verified <> excluded.verified",
            )
            .bind(owner)
            .bind(&a.key)
            .bind(&a.value)
            .bind(&a.source)
            .bind(i64::from(a.verified))
            .bind(a.updated_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Stores citizen-declared values with the consent they were given under, and logs the
    /// write — one transaction.
    pub async fn declare_attributes(
        &self,
        owner: &str,
        values: &[(String, String)],
        consent: &Consent,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let keys = serde_json::to_string(&values.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .unwrap_or_default();
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO consents (owner_id, form_id, form_version, given_at, recorded_at, keys) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(owner)
            .bind(&consent.form_id)
            .bind(consent.form_version)
            .bind(&consent.given_at)
            .bind(now)
            .bind(&keys)
            .execute(&mut *tx)
            .await?;
            for (key, value) in values {
                sqlx::query(
                    "INSERT INTO attributes (owner_id, key, value, source, verified, updated_at) \
                     VALUES ($1, $2, $3, 'citizen-declared', 0, $4) \
                     ON CONFLICT (owner_id, key) DO UPDATE SET value = excluded.value, \
                     source = excluded.source, verified = 0, updated_at = excluded.updated_at",
                )
                .bind(owner)
                .bind(key)
                .bind(value)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO datastore_audit (owner_id, at, kind, keys, form_id, form_version) \
                 VALUES ($1, $2, 'write', $3, $4, $5)",
            )
            .bind(owner)
            .bind(now)
            .bind(&keys)
            .bind(&consent.form_id)
            .bind(consent.form_version)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Keeps a citizen's report of a mistake in a verified value (and shows it in their audit).
    pub async fn report_mistake(
        &self,
        owner: &str,
        key: &str,
        message: &str,
        form: Option<(&str, i64)>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let keys = serde_json::to_string(&[key]).unwrap_or_default();
        let (form_id, form_version) = (form.map(|f| f.0), form.map(|f| f.1));
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO mistake_reports (owner_id, at, key, message, form_id, form_version) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(owner)
            .bind(now)
            .bind(key)
            .bind(message)
            .bind(form_id)
            .bind(form_version)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO datastore_audit (owner_id, at, kind, keys, form_id, form_version) \
                 VALUES ($1, $2, 'report', $3, $4, $5)",
            )
            .bind(owner)
            .bind(now)
            .bind(&keys)
            .bind(form_id)
            .bind(form_version)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// A citizen's audit log, newest first (at most `limit` entries).
    /// A citizen's data-store log, newest first: `limit` entries from the cursor `(at, skip)`
    /// (entries at or before `at`, the first `skip` of those at `at` left out: they were on
    /// the page before).
    pub async fn audit(
        &self,
        owner: &str,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, sqlx::Error> {
        let (at, skip) = before.map_or((None, 0), |(a, k)| (Some(a), k));
        read!(self, |pool| {
            sqlx::query(
                "SELECT at, kind, keys, form_id, form_version FROM ( \
                   SELECT at, kind, keys, form_id, form_version, \
                          ROW_NUMBER() OVER (PARTITION BY at ORDER BY kind, keys, form_id, form_version) AS n \
                   FROM datastore_audit WHERE owner_id = $1 AND ($2 IS NULL OR at <= $2)) e \
                 WHERE $2 IS NULL OR at < $2 OR n > $3 \
                 ORDER BY at DESC, kind, keys, form_id, form_version LIMIT $4",
            )
            .bind(owner)
            .bind(at)
            .bind(skip)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(AuditRow {
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    keys: r.try_get("keys")?,
                    form_id: r.try_get("form_id")?,
                    form_version: r.try_get("form_version")?,
                })
            })
            .collect()
        })
    }
}

/// A stored attribute of a citizen's data store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeRow {
    pub key: String,
    /// JSON text.
    pub value: String,
    pub source: String,
    pub verified: bool,
    pub updated_at: i64,
}

/// The consent under which declared values are kept.
#[derive(Clone, Debug)]
pub struct Consent {
    pub form_id: String,
    pub form_version: i64,
    /// As the browser gave it (RFC 3339).
    pub given_at: String,
}

/// An entry of a citizen's audit log.
#[derive(Clone, Debug)]
pub struct AuditRow {
    pub at: i64,
    pub kind: String,
    pub keys: String,
    pub form_id: Option<String>,
    pub form_version: Option<i64>,
}

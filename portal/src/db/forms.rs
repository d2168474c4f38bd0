//! Form versions (the definitions dossiers were filed on) and the builder's drafts and
//! publications.

use super::*;

impl Db {
    // --- form versions ---

    /// Records a form version as served. `Ok(false)` when that version was recorded before with
    /// another text (a published version must never change: the stored one is kept).
    pub async fn record_form_version(
        &self,
        id: &str,
        version: i64,
        definition: &str,
    ) -> Result<bool, sqlx::Error> {
        let stored: String = write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO form_versions (form_id, version, definition, recorded_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (form_id, version) DO NOTHING",
            )
            .bind(id)
            .bind(version)
            .bind(definition)
            .bind(clock::now_ms())
            .execute(&mut *tx)
            .await?;
            sqlx::query("SELECT definition FROM form_versions WHERE form_id = $1 AND version = $2")
                .bind(id)
                .bind(version)
                .fetch_one(&mut *tx)
                .await?
                .try_get("definition")?
        });
        Ok(stored == definition)
    }

    /// When version `version` of form `id` was superseded: the time a later version was first
    /// recorded. `Ok(None)`: no later version; `Some(None)`: one whose time is not known (recorded
    /// before times were kept).
    pub async fn superseded_at(
        &self,
        id: &str,
        version: i64,
    ) -> Result<Option<Option<i64>>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(recorded_at) AS at, \
                 SUM(CASE WHEN recorded_at IS NULL THEN 1 ELSE 0 END) AS unknown \
                 FROM form_versions WHERE form_id = $1 AND version > $2",
            )
            .bind(id)
            .bind(version)
            .fetch_one(pool)
            .await?;
            let n: i64 = row.try_get("n")?;
            let unknown: Option<i64> = row.try_get("unknown")?;
            let at: Option<i64> = row.try_get("at")?;
            Ok(match (n, unknown.unwrap_or(0)) {
                (0, _) => None,
                (_, 0) => Some(at),
                _ => Some(None),
            })
        })
    }

    pub async fn form_version(
        &self,
        id: &str,
        version: i64,
    ) -> Result<Option<String>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT definition FROM form_versions WHERE form_id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version)
            .fetch_optional(pool)
            .await?;
            row.map(|r| r.try_get("definition")).transpose()
        })
    }

    // --- the builder: drafts and publications ---

    /// A form's draft in the builder.
    pub async fn builder_draft(&self, id: &str) -> Result<Option<DraftRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT form_id, agency_code, draft, rev, updated_at, updated_by FROM builder_forms WHERE form_id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            row.map(|r| DraftRow::from_row(&r)).transpose()
        })
    }

    /// The drafts of an agency's forms.
    pub async fn builder_drafts(&self, agency: &str) -> Result<Vec<DraftRow>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(
                "SELECT form_id, agency_code, draft, rev, updated_at, updated_by FROM builder_forms \
                 WHERE agency_code = $1 ORDER BY form_id",
            )
            .bind(agency)
            .fetch_all(pool)
            .await?;
            rows.iter().map(DraftRow::from_row).collect()
        })
    }

    /// Creates a draft; `Ok(false)` when the form has one already.
    pub async fn create_draft(&self, d: &DraftRow) -> Result<bool, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO builder_forms (form_id, agency_code, draft, rev, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (form_id) DO NOTHING",
            )
            .bind(&d.form_id)
            .bind(&d.agency_code)
            .bind(&d.draft)
            .bind(d.rev)
            .bind(d.updated_at)
            .bind(&d.updated_by)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Saves a draft over revision `rev`: the new revision, or `None` when the stored one is
    /// another (someone saved in between).
    pub async fn save_draft(
        &self,
        id: &str,
        rev: i64,
        draft: &str,
        at: i64,
        by: &str,
    ) -> Result<Option<i64>, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE builder_forms SET draft = $1, rev = rev + 1, updated_at = $2, updated_by = $3 \
                 WHERE form_id = $4 AND rev = $5",
            )
            .bind(draft)
            .bind(at)
            .bind(by)
            .bind(id)
            .bind(rev)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok((n == 1).then_some(rev + 1))
    }

    /// Publishes `definition` as `version` of form `id` with its change summary, in one
    /// transaction; `Ok(false)` when that version exists already (published in between).
    pub async fn publish(
        &self,
        id: &str,
        version: i64,
        definition: &str,
        changes: &str,
        at: i64,
        by: &str,
    ) -> Result<bool, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            let n = sqlx::query(
                "INSERT INTO form_versions (form_id, version, definition, recorded_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (form_id, version) DO NOTHING",
            )
            .bind(id)
            .bind(version)
            .bind(definition)
            .bind(clock::now_ms())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query(
                    "INSERT INTO form_publications (form_id, version, published_at, published_by, changes) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(version)
                .bind(at)
                .bind(by)
                .bind(changes)
                .execute(&mut *tx)
                .await?;
            }
            n
        });
        Ok(n == 1)
    }

    /// The publications of a form, newest first.
    pub async fn publications(&self, id: &str) -> Result<Vec<PublicationRow>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(
                "SELECT form_id, version, published_at, published_by, changes FROM form_publications \
                 WHERE form_id = $1 ORDER BY version DESC",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(PublicationRow::from_row).collect()
        })
    }

    /// The latest published definition of every form published in the builder.
    /// Every form's latest recorded version (publications and forms served from files, by
    /// any instance): (form id, version).
    pub async fn latest_form_versions(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT form_id, MAX(version) AS version FROM form_versions GROUP BY form_id",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("form_id")?, r.try_get("version")?)))
            .collect()
        })
    }

    pub async fn latest_publications(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(
                "SELECT v.form_id, v.definition FROM form_versions v JOIN ( \
                   SELECT form_id, MAX(version) AS version FROM form_publications GROUP BY form_id \
                 ) p ON p.form_id = v.form_id AND p.version = v.version ORDER BY v.form_id",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("form_id")?, r.try_get("definition")?)))
                .collect()
        })
    }
}

/// A form being edited in the builder.
#[derive(Clone, Debug)]
pub struct DraftRow {
    pub form_id: String,
    pub agency_code: String,
    /// The definition as last saved (it may have errors).
    pub draft: String,
    /// Bumped by every save (a save over a stale revision is refused).
    pub rev: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

impl DraftRow {
    pub(super) fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(DraftRow {
            form_id: r.try_get("form_id")?,
            agency_code: r.try_get("agency_code")?,
            draft: r.try_get("draft")?,
            rev: r.try_get("rev")?,
            updated_at: r.try_get("updated_at")?,
            updated_by: r.try_get("updated_by")?,
        })
    }
}

/// A published version of a form.
#[derive(Clone, Debug)]
pub struct PublicationRow {
    pub form_id: String,
    pub version: i64,
    pub published_at: i64,
    pub published_by: String,
    /// JSON: form-core's change summary from the version before.
    pub changes: String,
}

impl PublicationRow {
    pub(super) fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(PublicationRow {
            form_id: r.try_get("form_id")?,
            version: r.try_get("version")?,
            published_at: r.try_get("published_at")?,
            published_by: r.try_get("published_by")?,
            changes: r.try_get("changes")?,
        })
    }
}

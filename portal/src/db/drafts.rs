//! Drafts saved on the portal (see `drafts.rs`): stored sealed, one per citizen and form.

use super::{Db, Row};

/// Days a draft is kept after its last save when no retention policy says otherwise.
pub const DEFAULT_DRAFT_DAYS: i64 = 30;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// A stored draft, still sealed.
#[derive(Clone, Debug)]
pub struct CitizenDraft {
    pub form_id: String,
    pub form_version: i64,
    pub saved_at: i64,
    pub expires_at: i64,
    pub nonce: Vec<u8>,
    pub data: Vec<u8>,
}

impl CitizenDraft {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        Vec<u8>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(CitizenDraft {
            form_id: r.try_get("form_id")?,
            form_version: r.try_get("form_version")?,
            saved_at: r.try_get("saved_at")?,
            expires_at: r.try_get("expires_at")?,
            nonce: r.try_get("nonce")?,
            data: r.try_get("data")?,
        })
    }
}

impl Db {
    /// Saves (replaces) `owner`'s draft of `form_id` at `now`; it is kept for the form's
    /// `drafts_days` (its retention policy, else the default policy's, else
    /// [`DEFAULT_DRAFT_DAYS`]) from now. Gives the expiry.
    pub async fn save_citizen_draft(
        &self,
        owner: &str,
        form_id: &str,
        form_version: i64,
        nonce: &[u8],
        sealed: &[u8],
        now: i64,
    ) -> Result<i64, sqlx::Error> {
        let expires = write_tx!(self, |tx| {
            let days: Option<i64> = sqlx::query(
                "SELECT COALESCE((SELECT drafts_days FROM retention_policies WHERE form_id = $1), \
                 (SELECT drafts_days FROM retention_policies WHERE form_id = '*')) AS days",
            )
            .bind(form_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("days")?;
            let expires = now + days.unwrap_or(DEFAULT_DRAFT_DAYS) * DAY_MS;
            sqlx::query(
                "INSERT INTO drafts (owner_id, form_id, form_version, saved_at, expires_at, nonce, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (owner_id, form_id) DO UPDATE SET form_version = excluded.form_version, \
                 saved_at = excluded.saved_at, expires_at = excluded.expires_at, \
                 nonce = excluded.nonce, data = excluded.data",
            )
            .bind(owner)
            .bind(form_id)
            .bind(form_version)
            .bind(now)
            .bind(expires)
            .bind(nonce)
            .bind(sealed)
            .execute(&mut *tx)
            .await?;
            expires
        });
        Ok(expires)
    }

    /// `owner`'s draft of `form_id`, unless expired at `now`.
    pub async fn citizen_draft(
        &self,
        owner: &str,
        form_id: &str,
        now: i64,
    ) -> Result<Option<CitizenDraft>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT form_id, form_version, saved_at, expires_at, nonce, data FROM drafts \
                 WHERE owner_id = $1 AND form_id = $2 AND expires_at > $3",
            )
            .bind(owner)
            .bind(form_id)
            .bind(now)
            .fetch_optional(pool)
            .await?
            .map(|r| CitizenDraft::from_row(&r))
            .transpose()
        })
    }

    /// Every draft of `owner` not expired at `now`, the last saved first.
    pub async fn citizen_drafts(
        &self,
        owner: &str,
        now: i64,
    ) -> Result<Vec<CitizenDraft>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT form_id, form_version, saved_at, expires_at, nonce, data FROM drafts \
                 WHERE owner_id = $1 AND expires_at > $2 ORDER BY saved_at DESC LIMIT 100",
            )
            .bind(owner)
            .bind(now)
            .fetch_all(pool)
            .await?
            .iter()
            .map(CitizenDraft::from_row)
            .collect()
        })
    }

    /// Removes `owner`'s draft of `form_id`; `false` when there was none.
    pub async fn delete_citizen_draft(
        &self,
        owner: &str,
        form_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query("DELETE FROM drafts WHERE owner_id = $1 AND form_id = $2")
                .bind(owner)
                .bind(form_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Removes the drafts expired at `now`; how many.
    pub async fn forget_citizen_drafts(&self, now: i64) -> Result<u64, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query("DELETE FROM drafts WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(n)
    }
}

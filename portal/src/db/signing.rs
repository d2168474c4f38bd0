//! Signing transactions of the certification-portal bridge, in the database so that every
//! instance sees them: the one that follows the provider writes the outcome, any one answers
//! the citizen's poll or the development signer's page.

use super::{Db, Row};

/// One signing transaction. `state`: `pending`, `completed` (with `signature`, base64),
/// `rejected`, `expired` or `failed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningRow {
    pub id: String,
    pub owner_id: String,
    pub credential_id: String,
    /// The SHA-256 to sign, hex.
    pub hash: String,
    pub description: Option<String>,
    pub doc_id: Option<String>,
    pub created_at: i64,
    pub state: String,
    pub signature: Option<String>,
}

impl SigningRow {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        Option<String>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(SigningRow {
            id: r.try_get("id")?,
            owner_id: r.try_get("owner_id")?,
            credential_id: r.try_get("credential_id")?,
            hash: r.try_get("hash")?,
            description: r.try_get("description")?,
            doc_id: r.try_get("doc_id")?,
            created_at: r.try_get("created_at")?,
            state: r.try_get("state")?,
            signature: r.try_get("signature")?,
        })
    }
}

/// `SELECT` of a transaction's columns, then `$rest`.
macro_rules! signing_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, owner_id, credential_id, hash, description, doc_id, created_at, state, ",
            "signature FROM signing_transactions ",
            $rest
        )
    };
}

impl Db {
    /// Records a new pending transaction unless its owner already has `max_pending` pending
    /// ones created after `live_since` (then `false`). Transactions created before `forget_before`
    /// are removed on the way.
    pub async fn start_signing(
        &self,
        t: &SigningRow,
        live_since: i64,
        max_pending: i64,
        forget_before: i64,
    ) -> Result<bool, sqlx::Error> {
        let started = write_tx!(self, |tx| {
            sqlx::query("DELETE FROM signing_transactions WHERE created_at < $1")
                .bind(forget_before)
                .execute(&mut *tx)
                .await?;
            // In PostgreSQL two instances could count at once: the owner's rows are locked
            // first (a no-op update on SQLite, whose writer is alone anyway).
            sqlx::query("UPDATE users SET id = id WHERE id = $1")
                .bind(&t.owner_id)
                .execute(&mut *tx)
                .await?;
            let waiting: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM signing_transactions \
                 WHERE owner_id = $1 AND state = 'pending' AND created_at >= $2",
            )
            .bind(&t.owner_id)
            .bind(live_since)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if waiting >= max_pending {
                false
            } else {
                sqlx::query(
                    "INSERT INTO signing_transactions \
                     (id, owner_id, credential_id, hash, description, doc_id, created_at, state) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')",
                )
                .bind(&t.id)
                .bind(&t.owner_id)
                .bind(&t.credential_id)
                .bind(&t.hash)
                .bind(&t.description)
                .bind(&t.doc_id)
                .bind(t.created_at)
                .execute(&mut *tx)
                .await?;
                true
            }
        });
        Ok(started)
    }

    /// A transaction by id.
    pub async fn signing(&self, id: &str) -> Result<Option<SigningRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(signing_select!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .map(|r| SigningRow::from_row(&r))
                .transpose()
        })
    }

    /// A citizen's pending transactions created after `live_since`, oldest first.
    pub async fn pending_signings(
        &self,
        owner: &str,
        live_since: i64,
    ) -> Result<Vec<SigningRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(signing_select!(
                "WHERE owner_id = $1 AND state = 'pending' AND created_at >= $2 ORDER BY created_at"
            ))
            .bind(owner)
            .bind(live_since)
            .fetch_all(pool)
            .await?
            .iter()
            .map(SigningRow::from_row)
            .collect()
        })
    }

    /// How many transactions wait, created after `live_since` (for the metrics).
    pub async fn pending_signing_count(&self, live_since: i64) -> Result<i64, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT COUNT(*) AS n FROM signing_transactions \
                 WHERE state = 'pending' AND created_at >= $1",
            )
            .bind(live_since)
            .fetch_one(pool)
            .await?
            .try_get("n")
        })
    }

    /// Ends a pending transaction with `state` (and the signature, base64, when completed);
    /// `false` when it was not pending any more (ended by another instance).
    pub async fn finish_signing(
        &self,
        id: &str,
        state: &str,
        signature: Option<&str>,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE signing_transactions SET state = $2, signature = $3, decided_at = $4 \
                 WHERE id = $1 AND state = 'pending'",
            )
            .bind(id)
            .bind(state)
            .bind(signature)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}

impl Db {
    /// The development signer's key (PEM, when kept) and certificate `name`, storing the
    /// given ones first unless another instance stored that name before: whoever came first
    /// wins, and everyone reads the winner's.
    pub async fn dev_signer_keys(
        &self,
        name: &str,
        fresh: Option<(Option<&str>, &str)>,
        now: i64,
    ) -> Result<Option<(Option<String>, String)>, sqlx::Error> {
        let found = write_tx!(self, |tx| {
            if let Some((key, cert)) = fresh {
                sqlx::query(
                    "INSERT INTO dev_signer_keys (name, key_pem, cert_pem, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
                )
                .bind(name)
                .bind(key)
                .bind(cert)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("SELECT key_pem, cert_pem FROM dev_signer_keys WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| -> Result<_, sqlx::Error> {
                    Ok((r.try_get("key_pem")?, r.try_get("cert_pem")?))
                })
                .transpose()?
        });
        Ok(found)
    }
}

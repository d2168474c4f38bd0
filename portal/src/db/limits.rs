//! Rate limits shared by the instances (PostgreSQL): one GCRA statement per limited request
//! on the unlogged `rate_limits` table (see `limits.rs`).

use super::{Db, Row};

impl Db {
    /// One request under a shared GCRA limit (`interval` ms between requests, `tolerance` ms
    /// of burst) at `now`: `None` when allowed (and counted), else how many ms to wait.
    pub async fn rate_limit(
        &self,
        key: &str,
        now: i64,
        interval: i64,
        tolerance: i64,
    ) -> Result<Option<i64>, sqlx::Error> {
        let waited = write_tx!(self, |tx| {
            let allowed = sqlx::query(
                "INSERT INTO rate_limits (key, tat) VALUES ($1, $2 + $3) \
                 ON CONFLICT (key) DO UPDATE SET \
                 tat = (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) + $3 \
                 WHERE (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) - $2 <= $4 \
                 RETURNING tat",
            )
            .bind(key)
            .bind(now)
            .bind(interval)
            .bind(tolerance)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            if allowed {
                None
            } else {
                let tat: i64 = sqlx::query("SELECT tat FROM rate_limits WHERE key = $1")
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("tat")?;
                Some((tat - tolerance - now).max(1))
            }
        });
        Ok(waited)
    }

    /// Forgets shared limits that have refilled by `now`.
    pub async fn forget_rate_limits(&self, now: i64) -> Result<u64, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query("DELETE FROM rate_limits WHERE tat < $1")
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(n)
    }
}

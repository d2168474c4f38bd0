//! Webhook endpoints, their deliveries (fanned out from the outbox, leased by workers on every
//! instance, retried, dead-lettered, replayed) and the keys the instances share.

use super::outbox::StoredEvent;
use super::{Db, Row};

/// An agency's webhook endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub agency_code: String,
    pub url: String,
    /// `whsec_<base64>` (Standard Webhooks).
    pub secret: String,
    /// Event types, space-separated, or `*`.
    pub events: String,
    pub created_at: i64,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("agency_code", &self.agency_code)
            .field("url", &self.url)
            .field("secret", &"***")
            .field("events", &self.events)
            .finish()
    }
}

/// A delivery a worker holds the lease of: its event, where it goes, how it went so far.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub event: StoredEvent,
    pub webhook: Webhook,
    pub attempts: i64,
    pub first_at: i64,
}

/// A delivery as listed (`eform deliveries list`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRow {
    pub agency_code: String,
    pub seq: i64,
    pub event_id: String,
    pub kind: String,
    pub dossier_code: String,
    pub state: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

/// A leased delivery's row: (agency, seq, attempts, first_at).
fn leased<R: Row>(r: &R) -> Result<(String, i64, i64, i64), sqlx::Error>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok((
        r.try_get("agency_code")?,
        r.try_get("seq")?,
        r.try_get("attempts")?,
        r.try_get("first_at")?,
    ))
}

impl Db {
    /// Sets (or replaces) an agency's webhook. A new one takes the events from now on.
    pub async fn set_webhook(&self, w: &Webhook) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            let current: i64 = sqlx::query(
                "SELECT COALESCE(MAX(n), 0) AS n FROM outbox_counters WHERE agency_code = $1",
            )
            .bind(&w.agency_code)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            sqlx::query(
                "INSERT INTO webhooks (agency_code, url, secret, events, fanned_seq, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (agency_code) DO UPDATE SET \
                 url = excluded.url, secret = excluded.secret, events = excluded.events",
            )
            .bind(&w.agency_code)
            .bind(&w.url)
            .bind(&w.secret)
            .bind(&w.events)
            .bind(current)
            .bind(w.created_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Removes an agency's webhook (its pending deliveries stay, and wait for a new one).
    pub async fn remove_webhook(&self, agency: &str) -> Result<bool, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query("DELETE FROM webhooks WHERE agency_code = $1")
                .bind(agency)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Every webhook.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT agency_code, url, secret, events, created_at FROM webhooks ORDER BY agency_code",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Webhook {
                    agency_code: r.try_get("agency_code")?,
                    url: r.try_get("url")?,
                    secret: r.try_get("secret")?,
                    events: r.try_get("events")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
        })
    }

    /// Makes the deliveries of events that came after each webhook's mark (those of the types
    /// it takes), and moves the mark — in one transaction per webhook, so that two instances
    /// doing it at once make each delivery once. How many were made.
    pub async fn fan_out(&self, now: i64) -> Result<u64, sqlx::Error> {
        let mut made = 0;
        // Only webhooks whose agency has events past the mark (a read: most passes have none).
        let behind: Vec<String> = read!(self, |pool| {
            sqlx::query(
                "SELECT w.agency_code FROM webhooks w JOIN outbox_counters c \
                 ON c.agency_code = w.agency_code WHERE c.n > w.fanned_seq",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get("agency_code"))
            .collect::<Result<_, _>>()?
        });
        if behind.is_empty() {
            return Ok(0);
        }
        for w in self
            .webhooks()
            .await?
            .into_iter()
            .filter(|w| behind.contains(&w.agency_code))
        {
            made += write_tx!(self, |tx| {
                // The mark, locked (PostgreSQL) until the commit.
                let mark: Option<i64> = sqlx::query(
                    "UPDATE webhooks SET fanned_seq = fanned_seq WHERE agency_code = $1 RETURNING fanned_seq",
                )
                .bind(&w.agency_code)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("fanned_seq"))
                .transpose()?;
                // Removed meanwhile: nothing to do (an empty range below).
                let mark = mark.unwrap_or(i64::MAX);
                let rows = sqlx::query(
                    "SELECT seq, kind FROM outbox WHERE agency_code = $1 AND seq > $2 ORDER BY seq LIMIT 1000",
                )
                .bind(&w.agency_code)
                .bind(mark)
                .fetch_all(&mut *tx)
                .await?;
                let mut made = 0;
                let mut last = mark;
                for r in &rows {
                    let seq: i64 = r.try_get("seq")?;
                    let kind: String = r.try_get("kind")?;
                    last = seq;
                    if w.events != "*" && !w.events.split_whitespace().any(|k| k == kind) {
                        continue;
                    }
                    made += sqlx::query(
                        "INSERT INTO deliveries (agency_code, seq, state, first_at, next_at) \
                         VALUES ($1, $2, 'pending', $3, $3) ON CONFLICT (agency_code, seq) DO NOTHING",
                    )
                    .bind(&w.agency_code)
                    .bind(seq)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                if last > mark {
                    sqlx::query("UPDATE webhooks SET fanned_seq = $2 WHERE agency_code = $1")
                        .bind(&w.agency_code)
                        .bind(last)
                        .execute(&mut *tx)
                        .await?;
                }
                made
            });
        }
        Ok(made)
    }

    /// Leases up to `limit` due deliveries until `now + lease_ms` (PostgreSQL: `FOR UPDATE
    /// SKIP LOCKED`, so workers on several instances take different ones).
    pub async fn claim_deliveries(
        &self,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, sqlx::Error> {
        // Most passes find nothing due: a read first, so that the writer (SQLite's only
        // one) is taken only when there is work.
        let due = read!(self, |pool| {
            sqlx::query(
                "SELECT 1 AS one FROM deliveries WHERE state = 'pending' AND next_at <= $1 \
                 AND (leased_until IS NULL OR leased_until < $1) LIMIT 1",
            )
            .bind(now)
            .fetch_optional(pool)
            .await?
            .is_some()
        });
        if !due {
            return Ok(Vec::new());
        }
        let until = now + lease_ms;
        let claimed: Vec<(String, i64, i64, i64)> = match self {
            Db::Sqlite { write, .. } => {
                let mut tx = write.begin_with("BEGIN IMMEDIATE").await?;
                let rows = sqlx::query(
                    "UPDATE deliveries SET leased_until = $2 WHERE rowid IN ( \
                       SELECT d.rowid FROM deliveries d JOIN webhooks w ON w.agency_code = d.agency_code \
                       WHERE d.state = 'pending' AND d.next_at <= $1 \
                       AND (d.leased_until IS NULL OR d.leased_until < $1) ORDER BY d.next_at LIMIT $3) \
                     RETURNING agency_code, seq, attempts, first_at",
                )
                .bind(now)
                .bind(until)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.iter().map(leased).collect::<Result<_, _>>()?
            }
            Db::Pg(pool) => {
                let rows = sqlx::query(
                    "UPDATE deliveries d SET leased_until = $2 FROM ( \
                       SELECT x.agency_code, x.seq FROM deliveries x JOIN webhooks w ON w.agency_code = x.agency_code \
                       WHERE x.state = 'pending' AND x.next_at <= $1 \
                       AND (x.leased_until IS NULL OR x.leased_until < $1) \
                       ORDER BY x.next_at LIMIT $3 FOR UPDATE OF x SKIP LOCKED) c \
                     WHERE d.agency_code = c.agency_code AND d.seq = c.seq \
                     RETURNING d.agency_code, d.seq, d.attempts, d.first_at",
                )
                .bind(now)
                .bind(until)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                rows.iter().map(leased).collect::<Result<_, _>>()?
            }
        };
        let hooks = self.webhooks().await?;
        let mut out = Vec::with_capacity(claimed.len());
        for (agency, seq, attempts, first_at) in claimed {
            let (Some(event), Some(webhook)) = (
                self.events_after(&agency, seq - 1, 1)
                    .await?
                    .into_iter()
                    .find(|e| e.seq == seq),
                hooks.iter().find(|w| w.agency_code == agency),
            ) else {
                continue;
            };
            out.push(Claimed {
                event,
                webhook: webhook.clone(),
                attempts,
                first_at,
            });
        }
        Ok(out)
    }

    /// Records a delivery the receiver acknowledged.
    pub async fn delivered(&self, agency: &str, seq: i64, now: i64) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE deliveries SET state = 'delivered', delivered_at = $3, attempts = attempts + 1, \
                 leased_until = NULL, last_error = NULL WHERE agency_code = $1 AND seq = $2 AND state = 'pending'",
            )
            .bind(agency)
            .bind(seq)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Records a failed attempt: tried again at `next_at`, or dead-lettered (`next_at` None).
    pub async fn delivery_failed(
        &self,
        agency: &str,
        seq: i64,
        error: &str,
        next_at: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        let error: String = error.chars().take(500).collect();
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE deliveries SET attempts = attempts + 1, leased_until = NULL, last_error = $3, \
                 state = CASE WHEN $4 IS NULL THEN 'dead' ELSE 'pending' END, \
                 next_at = COALESCE($4, next_at) \
                 WHERE agency_code = $1 AND seq = $2 AND state = 'pending'",
            )
            .bind(agency)
            .bind(seq)
            .bind(&error)
            .bind(next_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Deliveries of `state` (any when None), of one agency or all, newest first.
    pub async fn deliveries(
        &self,
        state: Option<&str>,
        agency: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT d.agency_code, d.seq, o.id, o.kind, o.dossier_code, d.state, d.attempts, \
                 d.next_at, d.last_error, d.delivered_at FROM deliveries d \
                 JOIN outbox o ON o.agency_code = d.agency_code AND o.seq = d.seq \
                 WHERE ($1 IS NULL OR d.state = $1) AND ($2 IS NULL OR d.agency_code = $2) \
                 ORDER BY d.first_at DESC, d.seq DESC LIMIT $3",
            )
            .bind(state)
            .bind(agency)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(DeliveryRow {
                    agency_code: r.try_get("agency_code")?,
                    seq: r.try_get("seq")?,
                    event_id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    dossier_code: r.try_get("dossier_code")?,
                    state: r.try_get("state")?,
                    attempts: r.try_get("attempts")?,
                    next_at: r.try_get("next_at")?,
                    last_error: r.try_get("last_error")?,
                    delivered_at: r.try_get("delivered_at")?,
                })
            })
            .collect()
        })
    }

    /// Sends deliveries again from `now`, with a new give-up window: with `seq`, that event of
    /// the agency whatever its state (unless pending); without, every dead one of the agency
    /// (or of every agency). How many.
    pub async fn replay_deliveries(
        &self,
        agency: Option<&str>,
        seq: Option<i64>,
        now: i64,
    ) -> Result<u64, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE deliveries SET state = 'pending', first_at = $3, next_at = $3, \
                 leased_until = NULL WHERE ($1 IS NULL OR agency_code = $1) \
                 AND (($2 IS NULL AND state = 'dead') OR ($2 IS NOT NULL AND seq = $2 AND state <> 'pending'))",
            )
            .bind(agency)
            .bind(seq)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(n)
    }

    /// When a dossier's submission reached its agency's system (its `dossier.received`
    /// delivery acknowledged), if it did.
    pub async fn delivered_at(&self, code: &str) -> Result<Option<i64>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT MIN(d.delivered_at) AS at FROM deliveries d JOIN outbox o \
                 ON o.agency_code = d.agency_code AND o.seq = d.seq \
                 WHERE o.dossier_code = $1 AND o.kind = 'dossier.received' AND d.state = 'delivered'",
            )
            .bind(code)
            .fetch_one(pool)
            .await?;
            row.try_get("at")
        })
    }

    /// The shared key `name`: made (from `fresh`) by the first instance that asks, the same
    /// for every instance after.
    pub async fn portal_key(
        &self,
        name: &str,
        fresh: &str,
        now: i64,
    ) -> Result<String, sqlx::Error> {
        let key = write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO portal_keys (name, key, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(fresh)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let key: String = sqlx::query("SELECT key FROM portal_keys WHERE name = $1")
                .bind(name)
                .fetch_one(&mut *tx)
                .await?
                .try_get("key")?;
            key
        });
        Ok(key)
    }
}

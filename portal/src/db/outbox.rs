//! The outbox (dossier events for agencies' systems) and the service accounts that read it.

use super::{Db, Row, UserRow};

/// A dossier event as written: `kind` is `dossier.received`, `dossier.amended`,
/// `dossier.status-changed`, `dossier.result-issued` or `dossier.erased`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEvent {
    pub agency_code: String,
    pub at: i64,
    pub dossier_code: String,
    pub kind: String,
    /// The dossier version it concerns (received, amended).
    pub version: Option<i64>,
    /// The dossier's status after it.
    pub status: Option<String>,
    /// Whether that version carries a signature.
    pub signed: bool,
}

impl OutboxEvent {
    /// A version reaching the agency (status `submitted`): `dossier.amended` when the agency
    /// had the dossier before, `dossier.received` otherwise.
    pub fn arrived(
        agency_code: String,
        at: i64,
        dossier_code: String,
        version: i64,
        amended: bool,
        signed: bool,
    ) -> OutboxEvent {
        OutboxEvent {
            agency_code,
            at,
            dossier_code,
            kind: if amended {
                "dossier.amended"
            } else {
                "dossier.received"
            }
            .into(),
            version: Some(version),
            status: Some("submitted".into()),
            signed,
        }
    }
}

/// Every event type.
pub const KINDS: &[&str] = &[
    "dossier.received",
    "dossier.amended",
    "dossier.status-changed",
    "dossier.result-issued",
    "dossier.erased",
];

/// An event as read back, with its number and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub id: String,
    pub event: OutboxEvent,
}

/// The id of an agency's event `seq`: stable, so that every delivery of it (retries, replays,
/// the pull API) carries the same id and a receiver can drop repeats.
pub fn event_id(agency: &str, seq: i64) -> String {
    format!("evt_{agency}_{seq}")
}

impl Db {
    /// An agency's events after number `after`, oldest first, at most `limit`.
    pub async fn events_after(
        &self,
        agency: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT agency_code, seq, id, at, dossier_code, kind, version, status, signed \
                 FROM outbox WHERE agency_code = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .bind(agency)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(StoredEvent {
                    seq: r.try_get("seq")?,
                    id: r.try_get("id")?,
                    event: OutboxEvent {
                        agency_code: r.try_get("agency_code")?,
                        at: r.try_get("at")?,
                        dossier_code: r.try_get("dossier_code")?,
                        kind: r.try_get("kind")?,
                        version: r.try_get("version")?,
                        status: r.try_get("status")?,
                        signed: r.try_get::<i64, _>("signed")? != 0,
                    },
                })
            })
            .collect()
        })
    }

    /// Adds a service account `user` (role official, of its agency) with the SHA-256 of its
    /// key; `false` when the name is taken.
    pub async fn add_service_account(
        &self,
        user: &UserRow,
        key_hash: &str,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let added = write_tx!(self, |tx| {
            let taken = sqlx::query("SELECT 1 AS one FROM users WHERE id = $1")
                .bind(&user.id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if taken {
                false
            } else {
                sqlx::query(
                    "INSERT INTO users (id, role, name, agency_code) VALUES ($1, 'official', $2, $3)",
                )
                .bind(&user.id)
                .bind(&user.name)
                .bind(&user.agency_code)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO service_accounts (user_id, agency_code, key_hash, created_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&user.id)
                .bind(&user.agency_code)
                .bind(key_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                true
            }
        });
        Ok(added)
    }

    /// Revokes a service account's key; `false` when there is no such live account.
    pub async fn revoke_service_account(&self, id: &str, now: i64) -> Result<bool, sqlx::Error> {
        let n = write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE service_accounts SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// The service accounts: (user id, agency, created, revoked).
    pub async fn service_accounts(
        &self,
    ) -> Result<Vec<(String, String, i64, Option<i64>)>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT user_id, agency_code, created_at, revoked_at FROM service_accounts ORDER BY user_id",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("user_id")?,
                    r.try_get("agency_code")?,
                    r.try_get("created_at")?,
                    r.try_get("revoked_at")?,
                ))
            })
            .collect()
        })
    }

    /// The live service account whose key has this SHA-256.
    pub async fn service_account(&self, key_hash: &str) -> Result<Option<UserRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT u.id, u.role, u.name, u.agency_code, u.personal_id FROM service_accounts s \
                 JOIN users u ON u.id = s.user_id WHERE s.key_hash = $1 AND s.revoked_at IS NULL",
            )
            .bind(key_hash)
            .fetch_optional(pool)
            .await?
            .map(|r| UserRow::from_row(&r))
            .transpose()
        })
    }
}

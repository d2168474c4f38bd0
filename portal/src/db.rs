//! The portal's database: an SQLite file by default (embedded, nothing to set up), PostgreSQL
//! with `--database-url postgres://…`. Both run the same statements (`$1` placeholders work on
//! both); only the DDL differs (`migrations/sqlite`, `migrations/postgres`), and how a write
//! transaction starts.
//!
//! SQLite: WAL journal with `synchronous = FULL`, so a committed transaction is on disk before
//! the portal acknowledges it; one writer connection (writes queue in the process instead of
//! failing with SQLITE_BUSY), write transactions start with `BEGIN IMMEDIATE`; a pool of
//! read-only connections beside it.

use crate::clock;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, SqlSafeStr};
use std::borrow::Cow;
use std::time::Duration;

/// A held signature's first recheck comes a minute after the receipt.
pub const RECHECK_FIRST_MS: i64 = 60_000;

/// A connection pool of either backend. Cloning shares the pools.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        /// One connection: every write goes through it, in order.
        write: SqlitePool,
        /// Read-only connections (WAL lets them read while a write goes on).
        read: SqlitePool,
    },
    Pg(PgPool),
}

/// `SELECT` of a dossier's columns, then the rest (literals, or macros giving literals: the
/// statement stays static text).
macro_rules! dossier_select {
    ($($rest:tt)+) => {
        concat!(
            "SELECT code, owner_id, agency_code, form_id, form_version, received_at, status, ",
            "status_at, versions, events, results, rated, erased_at, resume_status, ",
            "(SELECT COUNT(*) FROM signature_rechecks r WHERE r.code = dossiers.code) AS held ",
            "FROM dossiers ",
            $($rest)+
        )
    };
}

/// The SQL condition "the dossier reached its agency" (see [`DossierRow::with_agency`]) on
/// the dossiers table under the alias prefix `$p` (`""` or `"d."`).
macro_rules! with_agency {
    ($p:literal) => {
        concat!(
            "(",
            $p,
            "resume_status IS NOT NULL OR ",
            $p,
            "status NOT IN ",
            "('awaiting-co-signature', 'co-signature-declined', 'co-signature-expired'))"
        )
    };
}

/// Runs `$body` with `$pool` bound to a pool to read from.
macro_rules! read {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            Db::Sqlite { read: $pool, .. } => $body,
            Db::Pg($pool) => $body,
        }
    };
}

/// Runs `$body` in a write transaction bound to `$tx`, committed when the body succeeds (an
/// error returned with `?` rolls it back).
macro_rules! write_tx {
    ($db:expr, |$tx:ident| $body:block) => {
        match $db {
            Db::Sqlite { write, .. } => {
                let mut $tx = write.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            Db::Pg(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

/// Appends a dossier event to the outbox inside the write transaction `$tx` (see
/// `migrations/*/0009_outbox.sql`): takes the agency's next number — locking its counter row
/// until the commit — and inserts the event.
macro_rules! outbox_append {
    ($tx:ident, $e:expr) => {{
        let e: &crate::db::OutboxEvent = $e;
        let seq: i64 = sqlx::query(
            "INSERT INTO outbox_counters (agency_code, n) VALUES ($1, 1) \
             ON CONFLICT (agency_code) DO UPDATE SET n = outbox_counters.n + 1 RETURNING n",
        )
        .bind(&e.agency_code)
        .fetch_one(&mut *$tx)
        .await?
        .try_get("n")?;
        sqlx::query(
            "INSERT INTO outbox (agency_code, seq, id, at, dossier_code, kind, version, status, signed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&e.agency_code)
        .bind(seq)
        .bind(crate::db::event_id(&e.agency_code, seq))
        .bind(e.at)
        .bind(&e.dossier_code)
        .bind(&e.kind)
        .bind(e.version)
        .bind(&e.status)
        .bind(i64::from(e.signed))
        .execute(&mut *$tx)
        .await?;
    }};
}

pub mod cosign;
pub mod delivery;
pub mod drafts;
mod limits;
pub mod outbox;
pub use outbox::{OutboxEvent, event_id};
mod retention;
mod signing;
pub mod validation;
pub use retention::{ACTIONS as RETENTION_ACTIONS, Erasure, RETENTION_ACTOR, RetentionPolicy};
pub use signing::SigningRow;

impl Db {
    /// Opens the database named by `url` (`postgres://…`, `sqlite:<path>` or a file path),
    /// creating an SQLite file when missing, and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Db::Pg(pool)
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"));
            let file = path.unwrap_or(url);
            // A new database file is the portal's alone (review L10): SQLite gives its WAL and
            // shared-memory files the same mode.
            if !file.starts_with(':') && !std::path::Path::new(file).exists() {
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(file)
                    .map_err(sqlx::Error::Io)?;
            }
            let options = SqliteConnectOptions::new()
                .filename(file)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            // Checkpoints (WAL → database file, synced) run on the writer's commits: small,
            // frequent ones (every 200 pages, not SQLite's 1,000) stall a commit for less. The
            // data store bench's p99 over 30 s: 3.1–3.7 ms (default: 4.3–4.5; 8,000 pages: 16).
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options.clone().pragma("wal_autocheckpoint", "200"))
                .await?;
            // The file exists now (and is in WAL mode): the readers open it read-only.
            let read = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.read_only(true).create_if_missing(false))
                .await?;
            Db::Sqlite { write, read }
        };
        db.migrate().await?;
        Ok(db)
    }

    /// One round trip to the database (`SELECT 1`) through the pool that writes.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite { write, .. } => sqlx::query("SELECT 1").execute(write).await.map(|_| ()),
            Db::Pg(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        }
    }

    /// A consistent copy of an SQLite database, taken while the portal runs (`VACUUM INTO`: a
    /// snapshot of one transaction, written to `path`, which must not exist). PostgreSQL is
    /// backed up with its own tools (`pg_dump`, base backups).
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite { read, .. } => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path.display().to_string())
                    .execute(read)
                    .await?;
                Ok(())
            }
            Db::Pg(_) => Err(sqlx::Error::Configuration(
                "PostgreSQL is backed up with pg_dump or a base backup, not eform backup".into(),
            )),
        }
    }

    /// Which backend this is, for logs and reports.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Pg(_) => "postgres",
        }
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        /// The migrations in order: (version, name, SQLite DDL, PostgreSQL DDL).
        macro_rules! migrations {
            ($(($v:literal, $name:literal, $file:literal)),* $(,)?) => {
                [$(($v, $name,
                    include_str!(concat!("../migrations/sqlite/", $file)),
                    include_str!(concat!("../migrations/postgres/", $file)))),*]
            };
        }
        const ALL: [(i64, &str, &str, &str); 15] = migrations![
            (1, "intake", "0001_intake.sql"),
            (2, "datastore", "0002_datastore.sql"),
            (3, "reports", "0003_reports.sql"),
            (4, "builder", "0004_builder.sql"),
            (5, "identity", "0005_identity.sql"),
            (6, "audit and officials", "0006_audit_officials.sql"),
            (7, "retention", "0007_retention.sql"),
            (8, "signing", "0008_signing.sql"),
            (9, "outbox", "0009_outbox.sql"),
            (10, "webhooks", "0010_webhooks.sql"),
            (11, "development signer", "0011_dev_signer.sql"),
            (12, "rate limits", "0012_rate_limits.sql"),
            (13, "signature validation", "0013_signature_validation.sql"),
            (14, "co-signatures", "0014_co_signatures.sql"),
            (15, "drafts", "0015_drafts.sql"),
        ];
        let migrator = |postgres: bool| Migrator {
            migrations: Cow::Owned(
                ALL.iter()
                    .map(|&(version, name, sqlite, pg)| {
                        let sql = if postgres { pg } else { sqlite };
                        Migration::new(
                            version,
                            Cow::Borrowed(name),
                            MigrationType::Simple,
                            sql.into_sql_str(),
                            false,
                        )
                    })
                    .collect(),
            ),
            // A database a newer release migrated still opens (rolling upgrades and
            // roll-backs): migrations only add (expand), never remove what an older release
            // reads.
            ignore_missing: true,
            ..Migrator::DEFAULT
        };
        match self {
            Db::Sqlite { write, .. } => migrator(false).run(write).await?,
            Db::Pg(pool) => migrator(true).run(pool).await?,
        }
        Ok(())
    }

    /// Closes the pools (waits for connections in use).
    pub async fn close(&self) {
        match self {
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Db::Pg(pool) => pool.close().await,
        }
    }

    // --- users and sessions ---

    /// Adds a user or updates their name, role and agency.
    pub async fn upsert_user(&self, u: &UserRow) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO users (id, role, name, agency_code, personal_id) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (id) DO UPDATE SET role = excluded.role, name = excluded.name, \
                 agency_code = excluded.agency_code, personal_id = excluded.personal_id",
            )
            .bind(&u.id)
            .bind(&u.role)
            .bind(&u.name)
            .bind(&u.agency_code)
            .bind(&u.personal_id)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    pub async fn user(&self, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT id, role, name, agency_code, personal_id FROM users WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            row.map(|r| UserRow::from_row(&r)).transpose()
        })
    }

    /// Opens a session (`id_token`: the provider's ID token, kept for signing out there).
    /// Expired sessions are purged on the way.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        now: i64,
        expires_at: i64,
        id_token: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, id_token, last_seen) \
                 VALUES ($1, $2, $3, $4, $5, $3)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .bind(id_token)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The user of a session that has not expired.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserRow>, sqlx::Error> {
        Ok(self.session(token_hash, now).await?.map(|s| s.user))
    }

    /// A session that has not expired: its user, when it was last used, its ID token.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<SessionRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT u.id, u.role, u.name, u.agency_code, u.personal_id, s.last_seen, s.id_token \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?;
            row.map(|r| {
                Ok(SessionRow {
                    user: UserRow::from_row(&r)?,
                    last_seen: r.try_get("last_seen")?,
                    id_token: r.try_get("id_token")?,
                })
            })
            .transpose()
        })
    }

    /// Records that a session was used at `now` (for the idle timeout).
    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE sessions SET last_seen = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// The citizen whose personal ID number is `personal_id`, if any.
    pub async fn citizen_by_personal_id(
        &self,
        personal_id: &str,
    ) -> Result<Option<UserRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT id, role, name, agency_code, personal_id FROM users \
                 WHERE personal_id = $1 AND role = 'citizen' ORDER BY id LIMIT 1",
            )
            .bind(personal_id)
            .fetch_optional(pool)
            .await?;
            row.map(|r| UserRow::from_row(&r)).transpose()
        })
    }

    // --- the access audit ---

    /// Appends an official's read to the access audit.
    pub async fn record_access(&self, a: &AccessRow) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO access_audit (at, actor_id, agency_code, action, dossier_code, object) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(a.at)
            .bind(&a.actor_id)
            .bind(&a.agency_code)
            .bind(&a.action)
            .bind(&a.dossier_code)
            .bind(&a.object)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The reads of dossier `code`, newest first (at most `limit`, before the entry id
    /// `before`), with the readers' names and each entry's id.
    pub async fn access_of(
        &self,
        code: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(AccessRow, Option<String>, i64)>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(
                "SELECT a.id, a.at, a.actor_id, a.agency_code, a.action, a.dossier_code, a.object, u.name \
                 FROM access_audit a LEFT JOIN users u ON u.id = a.actor_id \
                 WHERE a.dossier_code = $1 AND ($2 IS NULL OR a.id < $2) ORDER BY a.id DESC LIMIT $3",
            )
            .bind(code)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        AccessRow {
                            at: r.try_get("at")?,
                            actor_id: r.try_get("actor_id")?,
                            agency_code: r.try_get("agency_code")?,
                            action: r.try_get("action")?,
                            dossier_code: r.try_get("dossier_code")?,
                            object: r.try_get("object")?,
                        },
                        r.try_get("name")?,
                        r.try_get("id")?,
                    ))
                })
                .collect()
        })
    }

    // --- provisioned officials ---

    /// Adds an official (or moves them to another agency, renames them).
    pub async fn add_official(&self, o: &OfficialRow) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO officials (personal_id, agency_code, name, added_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (personal_id) DO UPDATE SET agency_code = excluded.agency_code, name = excluded.name",
            )
            .bind(&o.personal_id)
            .bind(&o.agency_code)
            .bind(&o.name)
            .bind(o.added_at)
            .execute(&mut *tx)
            .await?;
            // Moved or renamed: the user row follows now, and their sessions end (they sign in
            // again into the new agency).
            sqlx::query(
                "UPDATE users SET agency_code = $2, name = $3 WHERE personal_id = $1 AND role = 'official'",
            )
            .bind(&o.personal_id)
            .bind(&o.agency_code)
            .bind(&o.name)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM sessions WHERE user_id IN \
                 (SELECT id FROM users WHERE personal_id = $1 AND role = 'official')",
            )
            .bind(&o.personal_id)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Removes an official: their official sessions end at once. Whether there was one.
    pub async fn remove_official(&self, personal_id: &str) -> Result<bool, sqlx::Error> {
        let removed = write_tx!(self, |tx| {
            let n = sqlx::query("DELETE FROM officials WHERE personal_id = $1")
                .bind(personal_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(
                "DELETE FROM sessions WHERE user_id IN \
                 (SELECT id FROM users WHERE personal_id = $1 AND role = 'official')",
            )
            .bind(personal_id)
            .execute(&mut *tx)
            .await?;
            n > 0
        });
        Ok(removed)
    }

    /// The provisioned official with this personal ID number, if any.
    pub async fn official(&self, personal_id: &str) -> Result<Option<OfficialRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT personal_id, agency_code, name, added_at FROM officials WHERE personal_id = $1",
            )
            .bind(personal_id)
            .fetch_optional(pool)
            .await?;
            row.map(|r| {
                Ok(OfficialRow {
                    personal_id: r.try_get("personal_id")?,
                    agency_code: r.try_get("agency_code")?,
                    name: r.try_get("name")?,
                    added_at: r.try_get("added_at")?,
                })
            })
            .transpose()
        })
    }

    /// Every provisioned official, by agency and name.
    pub async fn officials(&self) -> Result<Vec<OfficialRow>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(
                "SELECT personal_id, agency_code, name, added_at FROM officials ORDER BY agency_code, name",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(OfficialRow {
                        personal_id: r.try_get("personal_id")?,
                        agency_code: r.try_get("agency_code")?,
                        name: r.try_get("name")?,
                        added_at: r.try_get("added_at")?,
                    })
                })
                .collect()
        })
    }

    // --- the agency directory ---

    /// Adds an agency or renames it.
    pub async fn upsert_agency(
        &self,
        code: &str,
        name: &form_core::Text,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO agencies (code, name_vi, name_en) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en",
            )
            .bind(code)
            .bind(&name.vi)
            .bind(&name.en)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Every agency of the directory, by code.
    pub async fn agencies(&self) -> Result<Vec<(String, form_core::Text)>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query("SELECT code, name_vi, name_en FROM agencies ORDER BY code")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get("code")?,
                        form_core::Text::new(
                            r.try_get::<String, _>("name_vi")?,
                            r.try_get::<String, _>("name_en")?,
                        ),
                    ))
                })
                .collect()
        })
    }

    // --- sign-ins through the identity provider ---

    /// Remembers a sign-in started at `now` (and forgets those older than `max_age_ms`).
    pub async fn start_login(
        &self,
        login: &LoginRow,
        now: i64,
        max_age_ms: i64,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
                .bind(now - max_age_ms)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO oidc_logins (state_hash, verifier, nonce, next_path, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&login.state_hash)
            .bind(&login.verifier)
            .bind(&login.nonce)
            .bind(&login.next)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Takes a sign-in in flight: it can be finished once only.
    pub async fn take_login(&self, state_hash: &str) -> Result<Option<LoginRow>, sqlx::Error> {
        // One statement: two callbacks at once cannot both take it.
        let login = write_tx!(self, |tx| {
            let row = sqlx::query(
                "DELETE FROM oidc_logins WHERE state_hash = $1 \
                 RETURNING state_hash, verifier, nonce, next_path, created_at",
            )
            .bind(state_hash)
            .fetch_optional(&mut *tx)
            .await?;
            row.map(|r| LoginRow::from_row(&r)).transpose()?
        });
        Ok(login)
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

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

    // --- dossiers ---

    /// Applies a batch of submissions and amendments in one transaction: one disk sync for
    /// all of them (group commit). Each job's outcome, in order. An `Err` means nothing of the
    /// batch was stored.
    pub async fn apply_batch(&self, jobs: &[Job], now: i64) -> Result<Vec<Outcome>, sqlx::Error> {
        let day = clock::yymmdd(now);
        let outcomes = write_tx!(self, |tx| {
            let mut outcomes = Vec::with_capacity(jobs.len());
            for job in jobs {
                if let Job::Audit(a) = job {
                    sqlx::query(
                        "INSERT INTO datastore_audit (owner_id, at, kind, keys, form_id, form_version) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&a.owner_id)
                    .bind(now)
                    .bind(&a.kind)
                    .bind(&a.keys)
                    .bind(&a.form_id)
                    .bind(a.form_version)
                    .execute(&mut *tx)
                    .await?;
                    outcomes.push(Outcome::Logged(now));
                    continue;
                }
                let v = job.version();
                let earlier = sqlx::query(
                    "SELECT code, version, request_hash, submitted_at FROM dossier_versions \
                     WHERE owner_id = $1 AND idem_key = $2",
                )
                .bind(&v.owner_id)
                .bind(&v.idem_key)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(r) = earlier {
                    let code: String = r.try_get("code")?;
                    let version: i64 = r.try_get("version")?;
                    let same_target = match job {
                        Job::Amend { code: c, .. } => *c == code,
                        Job::Submit { .. } | Job::Audit(_) => version == 1,
                    };
                    let same_request = r.try_get::<String, _>("request_hash")? == v.request_hash;
                    // A retried submission: a draft saved again meanwhile goes too.
                    if let (Job::Submit { form_id, .. }, true) = (job, same_target && same_request)
                    {
                        sqlx::query("DELETE FROM drafts WHERE owner_id = $1 AND form_id = $2")
                            .bind(&v.owner_id)
                            .bind(form_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    outcomes.push(if same_target && same_request {
                        Outcome::Replayed(Stored {
                            code,
                            version,
                            at: r.try_get("submitted_at")?,
                        })
                    } else {
                        Outcome::KeyReused
                    });
                    continue;
                }
                let co_signing = !v.co_signers.is_empty();
                let new_status = if co_signing {
                    cosign::AWAITING
                } else {
                    "submitted"
                };
                // Whether the agency has had the dossier before this version (an amendment
                // of one it has is announced as such).
                let (code, version, events, agency, reached) = match job {
                    Job::Submit {
                        form_id,
                        form_version,
                        agency_code,
                        ..
                    } => {
                        let n: i64 = sqlx::query(
                            "INSERT INTO code_counters (agency_code, day, n) VALUES ($1, $2, 1) \
                             ON CONFLICT (agency_code, day) DO UPDATE SET n = code_counters.n + 1 \
                             RETURNING n",
                        )
                        .bind(agency_code)
                        .bind(&day)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("n")?;
                        let code = format!("{agency_code}-{day}-{n:04}");
                        sqlx::query(
                            "INSERT INTO dossiers (code, owner_id, agency_code, form_id, form_version, \
                             received_at, status, status_at, versions, events) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $6, 1, 1)",
                        )
                        .bind(&code)
                        .bind(&v.owner_id)
                        .bind(agency_code)
                        .bind(form_id)
                        .bind(form_version)
                        .bind(now)
                        .bind(new_status)
                        .execute(&mut *tx)
                        .await?;
                        // What was saved on the portal as the draft of it goes with it.
                        sqlx::query("DELETE FROM drafts WHERE owner_id = $1 AND form_id = $2")
                            .bind(&v.owner_id)
                            .bind(form_id)
                            .execute(&mut *tx)
                            .await?;
                        (code, 1_i64, 1_i64, agency_code.clone(), false)
                    }
                    Job::Audit(_) => unreachable!("handled above"),
                    Job::Amend { code, .. } => {
                        let row = sqlx::query(
                            "SELECT owner_id, agency_code, status, versions, events, resume_status \
                             FROM dossiers WHERE code = $1",
                        )
                        .bind(code)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let Some(row) = row else {
                            outcomes.push(Outcome::NotFound);
                            continue;
                        };
                        if row.try_get::<String, _>("owner_id")? != v.owner_id {
                            outcomes.push(Outcome::NotFound);
                            continue;
                        }
                        let status: String = row.try_get("status")?;
                        if status == "result-issued" {
                            outcomes.push(Outcome::Closed);
                            continue;
                        }
                        if status == cosign::DECLINED || status == cosign::EXPIRED {
                            outcomes.push(Outcome::Ended(status));
                            continue;
                        }
                        let resume: Option<String> = row.try_get("resume_status")?;
                        // What the dossier was at the agency before co-signing began.
                        let at_agency = if status == cosign::AWAITING {
                            resume
                        } else {
                            Some(status)
                        };
                        let version = row.try_get::<i64, _>("versions")? + 1;
                        let events = row.try_get::<i64, _>("events")? + 1;
                        sqlx::query(
                            "UPDATE dossiers SET versions = $2, events = $3, status = $5, \
                             status_at = $4, resume_status = $6 WHERE code = $1",
                        )
                        .bind(code)
                        .bind(version)
                        .bind(events)
                        .bind(now)
                        .bind(new_status)
                        .bind(if co_signing { at_agency.clone() } else { None })
                        .execute(&mut *tx)
                        .await?;
                        // A newer version replaces what the co-signers were asked to sign.
                        sqlx::query(
                            "UPDATE co_signatures SET status = 'superseded', decided_at = $2 \
                             WHERE code = $1 AND status = 'waiting'",
                        )
                        .bind(code)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        let agency: String = row.try_get("agency_code")?;
                        (code.clone(), version, events, agency, at_agency.is_some())
                    }
                };
                sqlx::query(
                    "INSERT INTO dossier_versions (code, version, owner_id, idem_key, request_hash, \
                     submitted_at, data, attachments, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&code)
                .bind(version)
                .bind(&v.owner_id)
                .bind(&v.idem_key)
                .bind(&v.request_hash)
                .bind(now)
                .bind(&v.data)
                .bind(&v.attachments)
                .bind(&v.signature)
                .execute(&mut *tx)
                .await?;
                if v.recheck {
                    sqlx::query(
                        "INSERT INTO signature_rechecks (code, version, due_at) VALUES ($1, $2, $3)",
                    )
                    .bind(&code)
                    .bind(version)
                    .bind(now + RECHECK_FIRST_MS)
                    .execute(&mut *tx)
                    .await?;
                }
                let kind = if version == 1 { "submitted" } else { "amended" };
                sqlx::query(
                    "INSERT INTO dossier_events (code, seq, at, actor_id, kind, status) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&code)
                .bind(events)
                .bind(now)
                .bind(&v.owner_id)
                .bind(kind)
                .bind(new_status)
                .execute(&mut *tx)
                .await?;
                for (n, c) in v.co_signers.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO co_signatures (code, version, n, at, id_number, name, label, due_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&code)
                    .bind(version)
                    .bind(i64::try_from(n).unwrap_or(i64::MAX))
                    .bind(&c.at)
                    .bind(&c.id_number)
                    .bind(&c.name)
                    .bind(&c.label)
                    .bind(now.saturating_add(v.co_sign_for))
                    .execute(&mut *tx)
                    .await?;
                }
                for sha in &v.blobs {
                    sqlx::query(
                        "INSERT INTO dossier_blobs (code, sha256) VALUES ($1, $2) \
                         ON CONFLICT (code, sha256) DO NOTHING",
                    )
                    .bind(&code)
                    .bind(sha)
                    .execute(&mut *tx)
                    .await?;
                }
                // The agency hears of a version once its co-signers have all signed
                // (`decide_co_signature`), not before.
                if !co_signing {
                    outbox_append!(
                        tx,
                        &OutboxEvent::arrived(
                            agency,
                            now,
                            code.clone(),
                            version,
                            reached,
                            v.signature.is_some(),
                        )
                    );
                }
                outcomes.push(Outcome::Stored(Stored {
                    code,
                    version,
                    at: now,
                }));
            }
            outcomes
        });
        Ok(outcomes)
    }

    pub async fn dossier(&self, code: &str) -> Result<Option<DossierRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(dossier_select!("WHERE code = $1"))
                .bind(code)
                .fetch_optional(pool)
                .await?;
            row.map(|r| DossierRow::from_row(&r)).transpose()
        })
    }

    /// A citizen's dossiers, newest first, after the cursor `before` (`received_at`, code).
    pub async fn dossiers_of_owner(
        &self,
        owner: &str,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<DossierRow>, sqlx::Error> {
        let (at, code) = before.map_or((None, None), |(a, c)| (Some(a), Some(c)));
        read!(self, |pool| {
            sqlx::query(dossier_select!(
                "WHERE owner_id = $1 AND ($2 IS NULL OR received_at < $2 OR (received_at = $2 AND code < $3)) \
                 ORDER BY received_at DESC, code DESC LIMIT $4",
            ))
            .bind(owner)
            .bind(at)
            .bind(code)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(DossierRow::from_row)
            .collect()
        })
    }

    /// An agency's dossiers, newest first, optionally of one status, after the cursor `before`.
    pub async fn dossiers_of_agency(
        &self,
        agency: &str,
        status: Option<&str>,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<DossierRow>, sqlx::Error> {
        let (at, code) = before.map_or((None, None), |(a, c)| (Some(a), Some(c)));
        read!(self, |pool| {
            sqlx::query(dossier_select!(
                "WHERE agency_code = $1 AND erased_at IS NULL AND ($2 IS NULL OR status = $2) AND ",
                with_agency!(""),
                " AND ($3 IS NULL OR received_at < $3 OR (received_at = $3 AND code < $4)) \
                 ORDER BY received_at DESC, code DESC LIMIT $5",
            ))
            .bind(agency)
            .bind(status)
            .bind(at)
            .bind(code)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(DossierRow::from_row)
            .collect()
        })
    }

    pub async fn versions(&self, code: &str) -> Result<Vec<VersionRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT version, submitted_at, data, attachments, signature FROM dossier_versions \
                 WHERE code = $1 ORDER BY version",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
            .iter()
            .map(VersionRow::from_row)
            .collect()
        })
    }

    pub async fn events(&self, code: &str) -> Result<Vec<EventRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(
                "SELECT seq, at, actor_id, kind, status, message, result_code, attachment \
                 FROM dossier_events WHERE code = $1 ORDER BY seq",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
            .iter()
            .map(EventRow::from_row)
            .collect()
        })
    }

    /// An official of `agency` sets the status of a dossier of that agency. A result
    /// (`result-issued`) gets the next code `<dossier code>-KQ<n>` and links its document to
    /// the dossier.
    pub async fn set_status(
        &self,
        change: &StatusChange,
        now: i64,
    ) -> Result<StatusOutcome, sqlx::Error> {
        let outcome = write_tx!(self, |tx| {
            let row = sqlx::query(concat!(
                "SELECT status, events, results FROM dossiers WHERE code = $1 AND agency_code = $2 AND ",
                with_agency!(""),
            ))
            .bind(&change.code)
            .bind(&change.agency_code)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                None => StatusOutcome::NotFound,
                Some(row) => {
                    let current: String = row.try_get("status")?;
                    if current == "result-issued" && change.status != "result-issued" {
                        StatusOutcome::Closed
                    } else if current == cosign::AWAITING {
                        // An amendment awaits its co-signers: the agency acts once it is
                        // complete or dropped (the deadline is days, not weeks).
                        StatusOutcome::AwaitingCoSignature
                    } else {
                        let events = row.try_get::<i64, _>("events")? + 1;
                        let mut results = row.try_get::<i64, _>("results")?;
                        let result_code = (change.status == "result-issued").then(|| {
                            results += 1;
                            format!("{}-KQ{results}", change.code)
                        });
                        sqlx::query(
                            "UPDATE dossiers SET status = $2, status_at = $3, events = $4, results = $5 WHERE code = $1",
                        )
                        .bind(&change.code)
                        .bind(&change.status)
                        .bind(now)
                        .bind(events)
                        .bind(results)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "INSERT INTO dossier_events (code, seq, at, actor_id, kind, status, message, result_code, attachment) \
                             VALUES ($1, $2, $3, $4, 'status', $5, $6, $7, $8)",
                        )
                        .bind(&change.code)
                        .bind(events)
                        .bind(now)
                        .bind(&change.actor_id)
                        .bind(&change.status)
                        .bind(&change.message)
                        .bind(&result_code)
                        .bind(&change.attachment)
                        .execute(&mut *tx)
                        .await?;
                        if let Some(sha) = &change.attachment {
                            sqlx::query(
                                "INSERT INTO dossier_blobs (code, sha256) VALUES ($1, $2) ON CONFLICT (code, sha256) DO NOTHING",
                            )
                            .bind(&change.code)
                            .bind(sha)
                            .execute(&mut *tx)
                            .await?;
                        }
                        outbox_append!(
                            tx,
                            &OutboxEvent {
                                agency_code: change.agency_code.clone(),
                                at: now,
                                dossier_code: change.code.clone(),
                                kind: if change.status == "result-issued" {
                                    "dossier.result-issued"
                                } else {
                                    "dossier.status-changed"
                                }
                                .into(),
                                version: None,
                                status: Some(change.status.clone()),
                                signed: false,
                            }
                        );
                        StatusOutcome::Set { result_code }
                    }
                }
            }
        });
        Ok(outcome)
    }

    /// Records a satisfaction rating for a dossier of `owner`, once. The rating row itself
    /// names neither the citizen nor the dossier, and keeps only the day.
    pub async fn rate(
        &self,
        code: &str,
        owner: &str,
        score: Option<i64>,
        comment: Option<&str>,
        now: i64,
    ) -> Result<RateOutcome, sqlx::Error> {
        let outcome = write_tx!(self, |tx| {
            let row = sqlx::query(
                "UPDATE dossiers SET rated = 1 WHERE code = $1 AND owner_id = $2 AND rated = 0 \
                 RETURNING form_id, agency_code",
            )
            .bind(code)
            .bind(owner)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                Some(row) => {
                    sqlx::query(
                        "INSERT INTO ratings (form_id, agency_code, day, score, comment) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(row.try_get::<String, _>("form_id")?)
                    .bind(row.try_get::<String, _>("agency_code")?)
                    .bind(clock::day(now))
                    .bind(score)
                    .bind(comment)
                    .execute(&mut *tx)
                    .await?;
                    RateOutcome::Recorded
                }
                None => {
                    let exists =
                        sqlx::query("SELECT rated FROM dossiers WHERE code = $1 AND owner_id = $2")
                            .bind(code)
                            .bind(owner)
                            .fetch_optional(&mut *tx)
                            .await?
                            .is_some();
                    if exists {
                        RateOutcome::AlreadyRated
                    } else {
                        RateOutcome::NotFound
                    }
                }
            }
        });
        Ok(outcome)
    }

    /// Every rating of an agency's forms: (form id, day, score, comment).
    pub async fn ratings(
        &self,
        agency: &str,
    ) -> Result<Vec<(String, String, Option<i64>, Option<String>)>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query("SELECT form_id, day, score, comment FROM ratings WHERE agency_code = $1 ORDER BY day DESC")
                .bind(agency)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("form_id")?, r.try_get("day")?, r.try_get("score")?, r.try_get("comment")?)))
                .collect()
        })
    }

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

    // --- files ---

    /// Stores a file under the SHA-256 of its content (once, whoever uploads it again) and
    /// records that `user` uploaded it as `name`.
    pub async fn put_blob(
        &self,
        blob: &BlobRow,
        content: &[u8],
        user: &str,
        name: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO blobs (sha256, media_type, size, content, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&blob.sha256)
            .bind(&blob.media_type)
            .bind(blob.size)
            .bind(content)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO blob_owners (sha256, user_id, name) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256, user_id) DO UPDATE SET name = excluded.name",
            )
            .bind(&blob.sha256)
            .bind(user)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The dossiers of `agency` that refer to the file `sha256` (for the access audit).
    pub async fn dossiers_with_blob(
        &self,
        sha256: &str,
        agency: &str,
    ) -> Result<Vec<String>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(concat!(
                "SELECT d.code FROM dossier_blobs b JOIN dossiers d ON d.code = b.code \
                 WHERE b.sha256 = $1 AND d.agency_code = $2 AND ",
                with_agency!("d."),
                " ORDER BY d.code",
            ))
            .bind(sha256)
            .bind(agency)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| r.try_get("code")).collect()
        })
    }

    /// What `user` uploaded that no dossier refers to yet: (files, bytes).
    pub async fn unattached_of(&self, user: &str) -> Result<(i64, i64), sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(b.size), 0) AS BIGINT) AS bytes FROM blob_owners o \
                 JOIN blobs b ON b.sha256 = o.sha256 WHERE o.user_id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM dossier_blobs d WHERE d.sha256 = o.sha256)",
            )
            .bind(user)
            .fetch_one(pool)
            .await?;
            Ok((row.try_get("n")?, row.try_get::<i64, _>("bytes")?))
        })
    }

    /// Removes the files no dossier refers to that were uploaded before `before` (ms): the
    /// clean-up of abandoned uploads. How many files and bytes went.
    pub async fn collect_garbage(&self, before: i64) -> Result<(u64, i64), sqlx::Error> {
        let gone = write_tx!(self, |tx| {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM blobs b \
                 WHERE b.created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM dossier_blobs d WHERE d.sha256 = b.sha256)",
            )
            .bind(before)
            .fetch_one(&mut *tx)
            .await?;
            let bytes: i64 = row.try_get("bytes")?;
            sqlx::query(
                "DELETE FROM blob_owners WHERE sha256 IN (SELECT b.sha256 FROM blobs b \
                 WHERE b.created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM dossier_blobs d WHERE d.sha256 = b.sha256))",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query(
                "DELETE FROM blobs WHERE created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM dossier_blobs d WHERE d.sha256 = blobs.sha256)",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            (n, bytes)
        });
        Ok(gone)
    }

    /// A file `user` uploaded: its type and size.
    pub async fn uploaded_blob(
        &self,
        sha256: &str,
        user: &str,
    ) -> Result<Option<BlobRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT b.sha256, b.media_type, b.size FROM blobs b JOIN blob_owners o ON o.sha256 = b.sha256 \
                 WHERE b.sha256 = $1 AND o.user_id = $2",
            )
            .bind(sha256)
            .bind(user)
            .fetch_optional(pool)
            .await?;
            row.map(|r| BlobRow::from_row(&r)).transpose()
        })
    }

    /// A file's content, when `user` may read it: they uploaded it, or it belongs to a dossier
    /// they own, or (an official) to a dossier of their agency.
    pub async fn readable_blob(
        &self,
        sha256: &str,
        user: &str,
        agency: Option<&str>,
    ) -> Result<Option<(BlobRow, Vec<u8>)>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(concat!(
                "SELECT sha256, media_type, size, content FROM blobs WHERE sha256 = $1 AND ( \
                   EXISTS (SELECT 1 FROM blob_owners o WHERE o.sha256 = $1 AND o.user_id = $2) \
                   OR EXISTS (SELECT 1 FROM dossier_blobs l JOIN dossiers d ON d.code = l.code \
                              WHERE l.sha256 = $1 AND (d.owner_id = $2 OR (d.agency_code = $3 AND ",
                with_agency!("d."),
                "))))",
            ))
            .bind(sha256)
            .bind(user)
            .bind(agency)
            .fetch_optional(pool)
            .await?;
            row.map(|r| Ok((BlobRow::from_row(&r)?, r.try_get("content")?)))
                .transpose()
        })
    }

    /// The number of dossiers and of versions stored (for tests and reports).
    pub async fn counts(&self) -> Result<(i64, i64), sqlx::Error> {
        read!(self, |pool| {
            let d: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dossiers")
                .fetch_one(pool)
                .await?
                .try_get("n")?;
            let v: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dossier_versions")
                .fetch_one(pool)
                .await?
                .try_get("n")?;
            Ok((d, v))
        })
    }
}

/// An official provisioned by an administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficialRow {
    pub personal_id: String,
    pub agency_code: String,
    pub name: String,
    pub added_at: i64,
}

/// One entry of the access audit: who read what, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRow {
    pub at: i64,
    pub actor_id: String,
    pub agency_code: Option<String>,
    /// `read`, `download`, `signed-content`, `signed-signature`, `signed-validation-report`,
    /// `attachment`.
    pub action: String,
    pub dossier_code: Option<String>,
    /// What else names the thing read (an attachment's SHA-256, a version).
    pub object: Option<String>,
}

/// A session as stored (no `Debug`: it holds an ID token).
#[derive(Clone)]
pub struct SessionRow {
    pub user: UserRow,
    /// When the session was last used (milliseconds; recorded at most once a minute).
    pub last_seen: i64,
    /// The identity provider's ID token of the sign-in (none for development sessions).
    pub id_token: Option<String>,
}

/// A sign-in through the identity provider, between the redirect there and the way back (no
/// `Debug`: it holds the PKCE verifier).
#[derive(Clone)]
pub struct LoginRow {
    /// SHA-256 (hex) of the `state` parameter.
    pub state_hash: String,
    /// The PKCE code verifier.
    pub verifier: String,
    pub nonce: String,
    /// Where to go after signing in (a local path).
    pub next: String,
    pub created_at: i64,
}

impl LoginRow {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(LoginRow {
            state_hash: r.try_get("state_hash")?,
            verifier: r.try_get("verifier")?,
            nonce: r.try_get("nonce")?,
            next: r.try_get("next_path")?,
            created_at: r.try_get("created_at")?,
        })
    }
}

/// A user as stored: citizen or official.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    /// `citizen` or `official`.
    pub role: String,
    pub name: String,
    pub agency_code: Option<String>,
    pub personal_id: Option<String>,
}

impl UserRow {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(UserRow {
            id: r.try_get("id")?,
            role: r.try_get("role")?,
            name: r.try_get("name")?,
            agency_code: r.try_get("agency_code")?,
            personal_id: r.try_get("personal_id")?,
        })
    }
}

/// A dossier's current state.
#[derive(Clone, Debug)]
pub struct DossierRow {
    pub code: String,
    pub owner_id: String,
    pub agency_code: String,
    pub form_id: String,
    pub form_version: i64,
    pub received_at: i64,
    pub status: String,
    pub status_at: i64,
    pub versions: i64,
    pub events: i64,
    pub results: i64,
    pub rated: bool,
    /// When the retention schedule removed its personal data (the dossier is anonymised).
    pub erased_at: Option<i64>,
    /// A version's signature is held: its revocation status is not known yet (see
    /// `signatures`).
    pub signature_held: bool,
    /// While an amendment awaits co-signatures: the status the dossier had, and returns to if
    /// they do not all come (`None` for a first submission the agency has not got yet).
    pub resume_status: Option<String>,
}

impl DossierRow {
    /// Whether the dossier reached its agency: a first submission still awaiting its
    /// co-signatures, or ended without them, never did (officials neither list nor read it).
    pub fn with_agency(&self) -> bool {
        self.resume_status.is_some()
            || ![cosign::AWAITING, cosign::DECLINED, cosign::EXPIRED]
                .contains(&self.status.as_str())
    }
}

impl DossierRow {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        Option<i64>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(DossierRow {
            code: r.try_get("code")?,
            owner_id: r.try_get("owner_id")?,
            agency_code: r.try_get("agency_code")?,
            form_id: r.try_get("form_id")?,
            form_version: r.try_get("form_version")?,
            received_at: r.try_get("received_at")?,
            status: r.try_get("status")?,
            status_at: r.try_get("status_at")?,
            versions: r.try_get("versions")?,
            events: r.try_get("events")?,
            results: r.try_get("results")?,
            rated: r.try_get::<i64, _>("rated")? != 0,
            erased_at: r.try_get("erased_at")?,
            signature_held: r.try_get::<i64, _>("held")? > 0,
            resume_status: r.try_get("resume_status")?,
        })
    }
}

/// One version of a dossier's content.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub version: i64,
    pub submitted_at: i64,
    pub data: String,
    pub attachments: String,
    pub signature: Option<String>,
}

impl VersionRow {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(VersionRow {
            version: r.try_get("version")?,
            submitted_at: r.try_get("submitted_at")?,
            data: r.try_get("data")?,
            attachments: r.try_get("attachments")?,
            signature: r.try_get("signature")?,
        })
    }
}

/// One entry of a dossier's history.
#[derive(Clone, Debug)]
pub struct EventRow {
    pub seq: i64,
    pub at: i64,
    pub actor_id: String,
    /// `submitted`, `amended` or `status`.
    pub kind: String,
    pub status: String,
    pub message: Option<String>,
    pub result_code: Option<String>,
    pub attachment: Option<String>,
}

impl EventRow {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(EventRow {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            actor_id: r.try_get("actor_id")?,
            kind: r.try_get("kind")?,
            status: r.try_get("status")?,
            message: r.try_get("message")?,
            result_code: r.try_get("result_code")?,
            attachment: r.try_get("attachment")?,
        })
    }
}

/// A stored file's description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRow {
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
}

impl BlobRow {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(BlobRow {
            sha256: r.try_get("sha256")?,
            media_type: r.try_get("media_type")?,
            size: r.try_get("size")?,
        })
    }
}

/// The content of a new dossier version (a submission or an amendment), checked.
#[derive(Clone, Debug)]
pub struct NewVersion {
    pub owner_id: String,
    pub idem_key: String,
    /// SHA-256 of the request: the same key with another request is refused.
    pub request_hash: String,
    pub data: String,
    /// JSON array of the attached files.
    pub attachments: String,
    /// SHA-256 of every file the version refers to (uploaded by its owner).
    pub blobs: Vec<String>,
    pub signature: Option<String>,
    /// The signature's revocation status could not be had: check it again later.
    pub recheck: bool,
    /// Who must sign the version after the applicant (empty: nobody; the dossier goes to the
    /// agency at once).
    pub co_signers: Vec<cosign::NewCoSigner>,
    /// How long they have (ms).
    pub co_sign_for: i64,
}

/// A read or write of a citizen's data store, for their audit log.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub owner_id: String,
    /// `read` or `write`.
    pub kind: String,
    /// JSON array of the keys.
    pub keys: String,
    pub form_id: Option<String>,
    pub form_version: Option<i64>,
}

/// A write of the intake queue.
#[derive(Clone, Debug)]
pub enum Job {
    /// An entry of a citizen's data-store audit log (group-committed like dossiers: the read is
    /// answered once its entry is stored).
    Audit(AuditEntry),
    Submit {
        version: NewVersion,
        form_id: String,
        form_version: i64,
        agency_code: String,
    },
    Amend {
        version: NewVersion,
        code: String,
    },
}

impl Job {
    /// The dossier version a submission or amendment carries.
    ///
    /// # Panics
    /// For an audit entry, which carries none (`apply_batch` handles those first).
    pub fn version(&self) -> &NewVersion {
        match self {
            Job::Submit { version, .. } | Job::Amend { version, .. } => version,
            Job::Audit(_) => panic!("an audit entry has no dossier version"),
        }
    }
}

/// Where a stored version is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub code: String,
    pub version: i64,
    /// When it was stored (ms).
    pub at: i64,
}

/// What became of a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored now.
    Stored(Stored),
    /// The idempotency key was used before for this very request: what it stored then.
    Replayed(Stored),
    /// The idempotency key was used before for another request.
    KeyReused,
    /// No such dossier of this citizen.
    NotFound,
    /// The dossier has its result: no more amendments.
    Closed,
    /// The dossier ended without reaching the agency (its status: a co-signer declined, or
    /// the co-signers' deadline passed): no more amendments.
    Ended(String),
    /// An audit entry was stored at this time.
    Logged(i64),
}

/// An official's status change.
#[derive(Clone, Debug)]
pub struct StatusChange {
    pub code: String,
    pub agency_code: String,
    pub actor_id: String,
    pub status: String,
    pub message: Option<String>,
    pub attachment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusOutcome {
    Set { result_code: Option<String> },
    NotFound,
    Closed,
    AwaitingCoSignature,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RateOutcome {
    Recorded,
    AlreadyRated,
    NotFound,
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
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
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
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
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

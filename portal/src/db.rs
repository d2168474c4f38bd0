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
mod datastore;
pub mod delivery;
mod dossiers;
pub mod drafts;
mod files;
mod forms;
mod limits;
pub mod outbox;
pub use outbox::{OutboxEvent, event_id};
mod retention;
mod signing;
mod users;
pub mod validation;
pub use datastore::*;
pub use dossiers::*;
pub use files::*;
pub use forms::*;
pub use retention::{ACTIONS as RETENTION_ACTIONS, Erasure, RETENTION_ACTOR, RetentionPolicy};
pub use signing::SigningRow;
pub use users::*;

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

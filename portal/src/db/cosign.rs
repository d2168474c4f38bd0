//! Co-signatures (definition `signature.coSigners`, see `cosign.rs`): the parties who must sign
//! a dossier version after its applicant, each from their own session. The dossier waits in
//! `awaiting-co-signature` until every party of its newest version has signed; then it goes to
//! the agency (`submitted`, the outbox event). A decline or the deadline ends a first
//! submission (`co-signature-declined`, `co-signature-expired`); an amendment of a dossier the
//! agency already has is dropped instead, the dossier back in the status it had.

use super::{Db, OutboxEvent, Row};

/// Waiting for the party.
pub const WAITING: &str = "waiting";
/// The dossier's status while co-signatures are missing.
pub const AWAITING: &str = "awaiting-co-signature";
/// A first submission a co-signer declined: ended, never sent to the agency.
pub const DECLINED: &str = "co-signature-declined";
/// A first submission whose co-signers did not all sign in time: ended likewise.
pub const EXPIRED: &str = "co-signature-expired";
/// Who ends a dossier at its deadline (the history's actor).
pub const EXPIRY_ACTOR: &str = "system:co-signing";

/// A party to sign a new version (from `SignatureRequirement::parties`).
#[derive(Clone, Debug)]
pub struct NewCoSigner {
    /// The data pointer their ID number was read at.
    pub at: String,
    pub id_number: String,
    pub name: Option<String>,
    /// Their part, JSON `{"vi", "en"}`.
    pub label: String,
}

/// One party of a version and where they stand.
#[derive(Clone, Debug)]
pub struct CoSignatureRow {
    pub code: String,
    pub version: i64,
    pub n: i64,
    pub at: String,
    pub id_number: String,
    pub name: Option<String>,
    pub label: String,
    /// `waiting`, `signed`, `declined`, `expired`, `superseded` (a newer version replaced
    /// it) or `cancelled` (another party declined).
    pub status: String,
    pub due_at: i64,
    pub decided_at: Option<i64>,
    /// The verified signature's record (JSON), once signed.
    pub signature: Option<String>,
    pub reason: Option<String>,
}

impl CoSignatureRow {
    fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(CoSignatureRow {
            code: r.try_get("code")?,
            version: r.try_get("version")?,
            n: r.try_get("n")?,
            at: r.try_get("at")?,
            id_number: r.try_get("id_number")?,
            name: r.try_get("name")?,
            label: r.try_get("label")?,
            status: r.try_get("status")?,
            due_at: r.try_get("due_at")?,
            decided_at: r.try_get("decided_at")?,
            signature: r.try_get("signature")?,
            reason: r.try_get("reason")?,
        })
    }
}

/// `SELECT` of co-signature rows, then `$rest` (a literal: the statement stays static text).
macro_rules! co_select {
    ($rest:literal) => {
        concat!(
            "SELECT code, version, n, at, id_number, name, label, status, due_at, decided_at, ",
            "signature, reason FROM co_signatures ",
            $rest
        )
    };
}

/// A co-signer's answer.
#[derive(Clone, Debug)]
pub enum Decision {
    /// Signed: the verified signature's record (JSON).
    Signed(String),
    /// Declined, with the reason they gave (if any).
    Declined(Option<String>),
}

/// What became of a co-signer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decided {
    /// Recorded; `complete` when it was the last signature (the dossier went to the agency).
    Recorded { complete: bool },
    /// Their part is no longer waiting: its status now (`expired` when the deadline passed).
    NotWaiting(String),
}

impl Db {
    /// Every party of every version of a dossier, by version and order.
    pub async fn co_signatures(&self, code: &str) -> Result<Vec<CoSignatureRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(co_select!("WHERE code = $1 ORDER BY version, n"))
                .bind(code)
                .fetch_all(pool)
                .await?
                .iter()
                .map(CoSignatureRow::from_row)
                .collect()
        })
    }

    /// The parts waiting for the person of `id_number`, oldest first (at most 100).
    pub async fn co_sign_tasks(&self, id_number: &str) -> Result<Vec<CoSignatureRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(co_select!(
                "WHERE id_number = $1 AND status = 'waiting' ORDER BY due_at, code LIMIT 100"
            ))
            .bind(id_number)
            .fetch_all(pool)
            .await?
            .iter()
            .map(CoSignatureRow::from_row)
            .collect()
        })
    }

    /// The part of the person of `id_number` in the newest version of dossier `code` that
    /// names them.
    pub async fn co_sign_task(
        &self,
        code: &str,
        id_number: &str,
    ) -> Result<Option<CoSignatureRow>, sqlx::Error> {
        read!(self, |pool| {
            sqlx::query(co_select!(
                "WHERE code = $1 AND id_number = $2 ORDER BY version DESC LIMIT 1"
            ))
            .bind(code)
            .bind(id_number)
            .fetch_optional(pool)
            .await?
            .map(|r| CoSignatureRow::from_row(&r))
            .transpose()
        })
    }

    /// Records the answer of party `n` of `version` of dossier `code` (`actor`: the signed-in
    /// co-signer) at `now`, if still waiting and before its deadline. The last signature sends
    /// the dossier to its agency (status `submitted`, outbox event); a decline ends it, or drops
    /// the amendment. One transaction; a second answer finds the part decided.
    pub async fn decide_co_signature(
        &self,
        code: &str,
        version: i64,
        n: i64,
        actor: &str,
        decision: &Decision,
        now: i64,
    ) -> Result<Decided, sqlx::Error> {
        let (status, signature, reason) = match decision {
            Decision::Signed(record) => ("signed", Some(record.as_str()), None),
            Decision::Declined(reason) => ("declined", None, reason.as_deref()),
        };
        let out = write_tx!(self, |tx| {
            // The dossier's row first (PostgreSQL: locked to the commit), as intake takes it:
            // answers, amendments and the deadline pass on one dossier go one after another.
            sqlx::query("UPDATE dossiers SET events = events WHERE code = $1")
                .bind(code)
                .execute(&mut *tx)
                .await?;
            let taken = sqlx::query(
                "UPDATE co_signatures SET status = $4, decided_at = $5, signer_id = $6, \
                 signature = $7, reason = $8 \
                 WHERE code = $1 AND version = $2 AND n = $3 AND status = 'waiting' AND due_at > $5",
            )
            .bind(code)
            .bind(version)
            .bind(n)
            .bind(status)
            .bind(now)
            .bind(actor)
            .bind(signature)
            .bind(reason)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if taken == 0 {
                let row = sqlx::query(
                    "SELECT status, due_at FROM co_signatures WHERE code = $1 AND version = $2 AND n = $3",
                )
                .bind(code)
                .bind(version)
                .bind(n)
                .fetch_optional(&mut *tx)
                .await?;
                let now_status = match row {
                    Some(r) => {
                        let s: String = r.try_get("status")?;
                        if s == WAITING && r.try_get::<i64, _>("due_at")? <= now {
                            "expired".to_owned()
                        } else {
                            s
                        }
                    }
                    None => "missing".to_owned(),
                };
                Decided::NotWaiting(now_status)
            } else {
                let d = sqlx::query(
                    "SELECT agency_code, resume_status, events FROM dossiers WHERE code = $1",
                )
                .bind(code)
                .fetch_one(&mut *tx)
                .await?;
                let agency: String = d.try_get("agency_code")?;
                let resume: Option<String> = d.try_get("resume_status")?;
                let events = d.try_get::<i64, _>("events")? + 1;
                let left: i64 = sqlx::query(
                    "SELECT COUNT(*) AS left_ FROM co_signatures \
                     WHERE code = $1 AND version = $2 AND status <> 'signed'",
                )
                .bind(code)
                .bind(version)
                .fetch_one(&mut *tx)
                .await?
                .try_get("left_")?;
                let (kind, new_status, complete) = match decision {
                    Decision::Signed(_) if left == 0 => ("co-signed", "submitted".to_owned(), true),
                    Decision::Signed(_) => ("co-signed", AWAITING.to_owned(), false),
                    Decision::Declined(_) => (
                        "co-signature-declined",
                        resume.clone().unwrap_or_else(|| DECLINED.to_owned()),
                        false,
                    ),
                };
                if matches!(decision, Decision::Declined(_)) {
                    sqlx::query(
                        "UPDATE co_signatures SET status = 'cancelled', decided_at = $3 \
                         WHERE code = $1 AND version = $2 AND status = 'waiting'",
                    )
                    .bind(code)
                    .bind(version)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                let ends = complete || matches!(decision, Decision::Declined(_));
                // A first submission reaches the agency now: its inbox orders it by this time.
                let arrives = complete && resume.is_none();
                sqlx::query(
                    "UPDATE dossiers SET events = $2, status = $3, \
                     status_at = CASE WHEN $4 = 1 THEN $5 ELSE status_at END, \
                     resume_status = CASE WHEN $4 = 1 THEN NULL ELSE resume_status END, \
                     received_at = CASE WHEN $6 = 1 THEN $5 ELSE received_at END \
                     WHERE code = $1",
                )
                .bind(code)
                .bind(events)
                .bind(&new_status)
                .bind(i64::from(ends))
                .bind(now)
                .bind(i64::from(arrives))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO dossier_events (code, seq, at, actor_id, kind, status, message) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(code)
                .bind(events)
                .bind(now)
                .bind(actor)
                .bind(kind)
                .bind(&new_status)
                .bind(reason)
                .execute(&mut *tx)
                .await?;
                if complete {
                    outbox_append!(
                        tx,
                        &OutboxEvent::arrived(
                            agency,
                            now,
                            code.to_owned(),
                            version,
                            resume.is_some(),
                            true,
                        )
                    );
                }
                Decided::Recorded { complete }
            }
        });
        Ok(out)
    }

    /// Ends, at `now`, every version whose co-signers' deadline passed with a part still
    /// waiting (at most 100 per call): a first submission becomes `co-signature-expired`, an
    /// amendment is dropped (the dossier back in its earlier status). Each in its own
    /// transaction; another instance doing the same finds nothing left. How many ended.
    pub async fn expire_co_signatures(&self, now: i64) -> Result<u64, sqlx::Error> {
        let due: Vec<(String, i64)> = read!(self, |pool| {
            sqlx::query(
                "SELECT DISTINCT code, version FROM co_signatures \
                 WHERE status = 'waiting' AND due_at <= $1 LIMIT 100",
            )
            .bind(now)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("version")?)))
            .collect::<Result<_, sqlx::Error>>()?
        });
        let mut ended = 0;
        for (code, version) in due {
            let done = write_tx!(self, |tx| {
                sqlx::query("UPDATE dossiers SET events = events WHERE code = $1")
                    .bind(&code)
                    .execute(&mut *tx)
                    .await?;
                let n = sqlx::query(
                    "UPDATE co_signatures SET status = 'expired', decided_at = $3 \
                     WHERE code = $1 AND version = $2 AND status = 'waiting' AND due_at <= $3",
                )
                .bind(&code)
                .bind(version)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n > 0 {
                    let d =
                        sqlx::query("SELECT resume_status, events FROM dossiers WHERE code = $1")
                            .bind(&code)
                            .fetch_one(&mut *tx)
                            .await?;
                    let resume: Option<String> = d.try_get("resume_status")?;
                    let events = d.try_get::<i64, _>("events")? + 1;
                    let status = resume.unwrap_or_else(|| EXPIRED.to_owned());
                    sqlx::query(
                        "UPDATE dossiers SET events = $2, status = $3, status_at = $4, \
                         resume_status = NULL WHERE code = $1",
                    )
                    .bind(&code)
                    .bind(events)
                    .bind(&status)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO dossier_events (code, seq, at, actor_id, kind, status) \
                         VALUES ($1, $2, $3, $4, 'co-signature-expired', $5)",
                    )
                    .bind(&code)
                    .bind(events)
                    .bind(now)
                    .bind(EXPIRY_ACTOR)
                    .bind(&status)
                    .execute(&mut *tx)
                    .await?;
                }
                n > 0
            });
            ended += u64::from(done);
        }
        Ok(ended)
    }
}

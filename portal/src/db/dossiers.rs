//! Dossiers: the intake batch (submissions, amendments, audit entries) in one transaction,
//! reads for owners and agencies, status changes, ratings; their rows and the writer's jobs.

use super::*;

impl Db {
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
                    // A replay answers as the first answer did: the status the version was
                    // filed in (co-signers named: it waited for them).
                    "SELECT v.code, v.version, v.request_hash, v.submitted_at, \
                     CASE WHEN EXISTS (SELECT 1 FROM co_signatures c \
                       WHERE c.code = v.code AND c.version = v.version) \
                     THEN 'awaiting-co-signature' ELSE 'submitted' END AS status \
                     FROM dossier_versions v WHERE v.owner_id = $1 AND v.idem_key = $2",
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
                            status: r.try_get("status")?,
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
                    status: new_status.to_owned(),
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
    pub(super) fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
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
    pub(super) fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
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
    pub(super) fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
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
    /// The status the version was filed in: `submitted`, or `awaiting-co-signature` when it
    /// named co-signers (a replayed request gets the same, wherever the dossier has got to).
    pub status: String,
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

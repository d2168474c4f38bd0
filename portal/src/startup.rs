//! Starting the portal: the database opened, forms recorded, the demo data seeded (development
//! mode), the signing provider, the draft key, and the background work (the catalog followed,
//! garbage and retention, rate-limit counters, deliveries, signature re-checks).

use crate::catalog::{Catalog, Entry};
use crate::config::{Config, Signing};
use crate::db::Db;
use crate::state::AppState;
use crate::writer::Writer;
use std::path::PathBuf;
use std::sync::Arc;

impl AppState {
    /// Opens the database, records the catalog's form versions, seeds the demo users (in
    /// development mode) and starts the intake writer. Must run inside a Tokio runtime.
    pub async fn new(
        catalog: Catalog,
        web_dir: PathBuf,
        database_url: &str,
        config: Config,
    ) -> Result<AppState, sqlx::Error> {
        let refuse = |what: String| sqlx::Error::Configuration(what.into());
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(refuse(format!(
                "production mode (the default; --dev for a development portal) is not configured: {}",
                problems.join("; ")
            )));
        }
        let directory = match &config.agencies {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| refuse(format!("reading --agencies {}: {e}", path.display())))?;
                crate::agencies::parse(&text)
                    .map_err(|e| refuse(format!("--agencies {}: {e}", path.display())))?
            }
            None if config.dev => crate::agencies::demo(),
            None => Vec::new(),
        };
        let oidc = match (&config.oidc, &config.public_url) {
            (Some(settings), Some(public)) => Some(Arc::new(
                crate::oidc::Oidc::new(settings.clone(), public).map_err(refuse)?,
            )),
            (Some(_), None) => {
                return Err(refuse(
                    "an identity provider needs --public-url (its way back)".into(),
                ));
            }
            _ => None,
        };
        let db = Db::connect(database_url).await?;
        for a in &directory {
            db.upsert_agency(&a.code, &a.name).await?;
        }
        let agencies = crate::agencies::Directory::new(db.agencies().await?);
        if !config.dev && agencies.is_empty() {
            return Err(refuse(
                "the agency directory is empty: give --agencies FILE (a JSON list of {\"code\", \"name\": {\"vi\", \"en\"}})".into(),
            ));
        }
        for (id, entry) in catalog.snapshot() {
            if let Entry::Ready(r) = entry {
                let version = i64::from(r.form.definition().version);
                if !db.record_form_version(&id, version, &r.json).await? {
                    tracing::warn!(form = %id, version, "this version was published before with another definition; dossiers keep the earlier one — give the form a new version number");
                }
            }
        }
        // Then every form's latest version, whoever recorded it (builder publications, another
        // instance's files) — and again every FOLLOW_EVERY while the portal runs.
        let catalog = Arc::new(catalog);
        let mut tried = std::collections::HashSet::new();
        crate::catalog::follow(&catalog, &db, &mut tried).await?;
        {
            let (catalog, db) = (Arc::downgrade(&catalog), db.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(crate::catalog::FOLLOW_EVERY);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    every.tick().await;
                    let Some(catalog) = catalog.upgrade() else {
                        break;
                    };
                    if let Err(e) = crate::catalog::follow(&catalog, &db, &mut tried).await {
                        tracing::warn!(error = %e, "following the forms recorded in the database");
                    }
                }
            });
        }
        if config.dev {
            for u in crate::auth::demo_users() {
                db.upsert_user(&u).await?;
            }
            crate::datastore::seed_demo(&db).await?;
        }
        let writer = Writer::start(db.clone());
        use crate::bridge::{Provider, csc::Csc, esign::Esign};
        let remote = |e: anyhow::Error| sqlx::Error::Configuration(e.into());
        let provider = match (&config.signing, &config.signer_dir, config.dev) {
            (Some(Signing::Csc(s)), _, _) => {
                Some(Provider::Csc(Csc::new(s.clone()).map_err(remote)?))
            }
            (Some(Signing::Esign(s)), _, _) => {
                Some(Provider::Esign(Esign::new(s.clone()).map_err(remote)?))
            }
            (None, Some(dir), true) => {
                match crate::bridge::dev::DevSigner::open(&db, Some(dir)).await {
                    Ok(d) => Some(Provider::Dev(Box::new(d))),
                    Err(e) => {
                        tracing::error!(error = %e, dir = %dir.display(), "the development signer cannot start");
                        None
                    }
                }
            }
            _ => None,
        };
        let bridge = crate::bridge::Bridge::new(provider);
        let drafts = match (&config.draft_key, config.dev) {
            (Some(path), _) => Some(Arc::new(
                crate::seal::Sealer::from_file(path)
                    .map_err(|e| sqlx::Error::Configuration(e.into()))?,
            )),
            (None, true) => {
                Some(Arc::new(crate::seal::Sealer::random().map_err(|e| {
                    sqlx::Error::Configuration(e.to_string().into())
                })?))
            }
            (None, false) => {
                tracing::warn!(
                    "no --draft-key-file: citizens' drafts stay in their browsers (no resuming on another device)"
                );
                None
            }
        };
        let trust = crate::bridge::trust_store(config.trust_store.as_deref(), &bridge)
            .map_err(|e| sqlx::Error::Configuration(e.into()))?;
        // Abandoned uploads go after a day, dossiers past their retention (checked every
        // hour, on every instance: both are idempotent).
        {
            let db = db.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    every.tick().await;
                    let before = crate::clock::now_ms() - crate::intake::UNATTACHED_KEPT_MS;
                    match db.collect_garbage(before).await {
                        Ok((0, _)) => {}
                        Ok((files, bytes)) => {
                            tracing::info!(files, bytes, "abandoned uploads removed")
                        }
                        Err(e) => tracing::warn!(error = %e, "removing abandoned uploads"),
                    }
                    if let Err(e) = db.forget_rate_limits(crate::clock::now_ms()).await {
                        tracing::warn!(error = %e, "forgetting refilled rate limits");
                    }
                    match db.forget_citizen_drafts(crate::clock::now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(drafts = n, "drafts past their keeping removed"),
                        Err(e) => tracing::warn!(error = %e, "removing expired drafts"),
                    }
                    // Dossiers past their procedure's retention (`eform retention`).
                    match db.apply_retention(crate::clock::now_ms()).await {
                        Ok(e) if e == crate::db::Erasure::default() => {}
                        Ok(e) => tracing::info!(
                            anonymised = e.anonymised,
                            deleted = e.deleted,
                            files = e.files,
                            log_entries = e.log_entries,
                            "data past their retention erased"
                        ),
                        Err(e) => tracing::warn!(error = %e, "applying the retention schedule"),
                    }
                }
            });
        }
        // Counts shared by the instances on PostgreSQL; SQLite serves one instance.
        let shared = matches!(db, Db::Pg(_)).then(|| db.clone());
        let limits = Arc::new(crate::limits::Limits::shared(&config.rates, shared));
        {
            let limits = Arc::downgrade(&limits);
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
                loop {
                    every.tick().await;
                    match limits.upgrade() {
                        Some(l) => l.forget_idle(),
                        None => break,
                    }
                }
            });
        }
        let state = AppState {
            link_key: Arc::new(tokio::sync::OnceCell::new()),
            drafts,
            revocation: Arc::new(crate::revocation::Revocation::default()),
            limits,
            agencies: Arc::new(agencies),
            oidc,
            trust: Arc::new(trust),
            bridge: Arc::new(bridge),
            catalog,
            web_dir,
            db,
            writer,
            config: Arc::new(config),
        };
        crate::webhooks::start(state.clone());
        crate::signatures::start(state.clone());
        Ok(state)
    }
}

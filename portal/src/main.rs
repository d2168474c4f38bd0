//! `eform`: the reference portal (`eform serve`) and definition tools (`eform check`,
//! `eform validate`).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use form_core::Lang;
use portal::{AppState, Catalog, router};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// `println!` that ends the program quietly when its reader has gone (`eform validate … |
/// head`): a closed pipe is not an error of the command.
macro_rules! say {
    ($($arg:tt)*) => {
        say(format_args!($($arg)*))
    };
}

fn say(line: std::fmt::Arguments) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(line).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing the output: {e}");
        std::process::exit(2);
    }
}

#[derive(Parser)]
#[command(
    name = "eform",
    version,
    about = "eform reference portal and form definition tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start: the size of the `serve` variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Serve the portal: citizen app, builder, form definitions, data checks.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Where the portal keeps its files; extra form definitions go in `<data-dir>/forms/`.
        #[arg(long, default_value = "eform-data")]
        data_dir: PathBuf,
        /// The built web apps (`app/`, `builder/`), as `cargo xtask` builds them.
        #[arg(long, default_value = "target/web")]
        web_dir: PathBuf,
        /// The database: `postgres://user@host/db`, or an SQLite file (`sqlite:<path>`);
        /// by default the SQLite file `<data-dir>/eform.db`. Prefer the environment variable
        /// (a password on the command line shows in process lists).
        #[arg(long, env = "EFORM_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        /// Development mode: demo users and agencies, sign-in as anyone at `/signin`, `/dev/*`
        /// routes, a development signing CA. Only on a loopback address. Without it the portal
        /// runs in production mode and refuses to start while its configuration is incomplete.
        #[arg(long)]
        dev: bool,
        /// The portal's public address (`https://…`): where the identity provider sends people
        /// back, and the QR codes of receipts. Required in production.
        #[arg(long, env = "EFORM_PUBLIC_URL")]
        public_url: Option<String>,
        /// The agency directory: a JSON file, `[{"code": "…", "name": {"vi": "…", "en": "…"}}]`,
        /// loaded into the database at start.
        #[arg(long, env = "EFORM_AGENCIES")]
        agencies: Option<PathBuf>,
        /// The identity provider's issuer URL (OpenID Connect; discovery at
        /// `<issuer>/.well-known/openid-configuration`). Required in production.
        #[arg(long, env = "EFORM_OIDC_ISSUER")]
        oidc_issuer: Option<String>,
        /// The portal's client id at the identity provider; its secret is read from
        /// `EFORM_OIDC_CLIENT_SECRET` only.
        #[arg(long, env = "EFORM_OIDC_CLIENT_ID", default_value = "")]
        oidc_client_id: String,
        /// The client secret: from the environment only, so that it never shows in a process list.
        #[arg(skip = std::env::var("EFORM_OIDC_CLIENT_SECRET").unwrap_or_default())]
        oidc_client_secret: String,
        /// The claim holding the 12-digit personal ID number (`sub` for the subject itself).
        #[arg(long, default_value = "personal_id")]
        oidc_claim_personal_id: String,
        /// The claim holding the display name.
        #[arg(long, default_value = "name")]
        oidc_claim_name: String,
        /// The claim holding the role (`official` for officials).
        #[arg(long, default_value = "eform_role")]
        oidc_claim_role: String,
        /// The claim holding an official's agency code.
        #[arg(long, default_value = "agency_code")]
        oidc_claim_agency: String,
        /// An assurance level (`acr`) that lets a citizen in; repeat for several. None: any.
        #[arg(long = "oidc-citizen-acr")]
        oidc_citizen_acr: Vec<String>,
        /// Scopes to ask for besides `openid` (comma-separated).
        #[arg(long, default_value = "profile", value_delimiter = ',')]
        oidc_scopes: Vec<String>,
        /// How many hours a form version still takes new dossiers after a later version is
        /// published (drafts already started); 0 retires it at once.
        #[arg(long, default_value_t = 24)]
        form_grace_hours: u32,
        /// The origin of a host portal that embeds forms through its own reverse proxy
        /// (`https://dichvucong.example.gov.vn`); repeat for several. Other origins' requests that
        /// change anything are refused.
        #[arg(long = "allowed-origin")]
        allowed_origins: Vec<String>,
        /// A rate limit: `KIND=N/s|m|h` or `KIND=off` (kinds: submit, amend, upload, sign,
        /// datastore, check), or `off` for none; repeat for several. Defaults: submit, amend
        /// and sign 30/h, upload 120/h per citizen, datastore 120/m per citizen, check 60/m per
        /// client address.
        #[arg(long = "rate-limit")]
        rate_limits: Vec<String>,
        /// A reverse proxy in front of the portal (its IP address): its `X-Forwarded-For` names
        /// the client for the per-address limits. Repeat for several.
        #[arg(long = "trusted-proxy")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Where to serve Prometheus metrics (`/metrics`), e.g. `127.0.0.1:9464`: a listener of
        /// its own, never the public one. None: no metrics listener.
        #[arg(long, env = "EFORM_METRICS_ADDR")]
        metrics_addr: Option<SocketAddr>,
        /// Log lines as `json` (one object a line, for a log collector; the default in
        /// production) or `text` (the default with --dev).
        #[arg(long, value_parser = ["json", "text"])]
        log_format: Option<String>,
        /// Seconds a client has to send a request's headers (from connecting, or from the last
        /// answer on a kept-alive connection); slower ones are disconnected.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        header_timeout: u64,
        /// Connections open at once; more wait to be accepted.
        #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        max_connections: u64,
        /// Hours a webhook delivery is retried (with backoff) before it is dead-lettered
        /// (`eform deliveries replay` sends it again).
        #[arg(long, default_value_t = 26, value_parser = clap::value_parser!(u64).range(1..=24 * 60))]
        webhook_give_up_hours: u64,
        /// Seconds before a failed webhook delivery is tried again the first time (each next
        /// wait doubles, up to 3 hours, times a random 0.5–1.5).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        webhook_retry_seconds: u64,
        /// The longest wait between two tries of a webhook delivery, in seconds.
        #[arg(long, default_value_t = 3 * 3600, value_parser = clap::value_parser!(u64).range(1..=24 * 3600))]
        webhook_retry_max_seconds: u64,
        /// Seconds a webhook receiver has to answer.
        #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
        webhook_timeout_seconds: u64,
        /// How many minutes before its receipt a signature's claimed signing time may lie.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=24 * 60))]
        signing_window_minutes: u64,
        /// What becomes of a signed dossier whose certificate's revocation status cannot be had
        /// now (INDETERMINATE/TRY_LATER): `hold` accepts it, flags it for the official and checks
        /// again until it can; `refuse` refuses the submission.
        #[arg(long, default_value = "hold", value_parser = ["hold", "refuse"])]
        on_revocation_unknown: String,
        /// A time-stamping authority (RFC 3161 over HTTP, e.g. the national root CA's TSA) asked
        /// for a signature-time-stamp over every accepted signature (CAdES B-T). Its root must be
        /// in the trust store.
        #[arg(long, env = "EFORM_TSA_URL")]
        tsa_url: Option<String>,
        /// The key citizens' drafts saved on the portal are encrypted with: a file of 64
        /// hexadecimal digits (`openssl rand -hex 32`), the same for every instance, kept
        /// outside the database. Without it, production keeps drafts in browsers only (no
        /// resuming on another device); development mode makes `<data-dir>/draft.key`.
        #[arg(long, env = "EFORM_DRAFT_KEY_FILE")]
        draft_key_file: Option<PathBuf>,
        /// The agency code of forms that name none.
        #[arg(long, default_value = "000.00.18.H56")]
        default_agency: String,
        /// Certificates trusted for dossier signatures (PEM: the roots, and the licensed CAs'
        /// certificates below them). Development mode adds the development signer's CA.
        #[arg(long)]
        trust_store: Option<PathBuf>,
        /// The signing provider: `csc` (a Cloud Signature Consortium API v2 service) or
        /// `esign` (the national eSign gateway). None: the development signer in development
        /// mode, no signing in production.
        #[arg(long, value_parser = ["csc", "esign"], requires = "signer_url")]
        signer: Option<String>,
        /// The provider's base URL (CSC: ending in `/csc/v2`).
        #[arg(long, env = "EFORM_SIGNER_URL")]
        signer_url: Option<String>,
        /// The portal's account at the provider: the OAuth2 client id (CSC) or `sp_id` (eSign);
        /// its secret (client secret or `sp_password`) is read from `EFORM_SIGNER_SECRET` only.
        #[arg(long, env = "EFORM_SIGNER_CLIENT_ID", default_value = "")]
        signer_client_id: String,
        /// Its secret: from the environment only, so that it never shows in a process list.
        #[arg(skip = std::env::var("EFORM_SIGNER_SECRET").unwrap_or_default())]
        signer_secret: String,
        /// eSign: the licensed CA whose certificates are used (`ca_name`).
        #[arg(long, env = "EFORM_ESIGN_CA_NAME")]
        esign_ca_name: Option<String>,
    },
    /// Provision officials: people who sign in through the identity provider and work for an
    /// agency of the directory, matched by personal ID number (for providers that do not say
    /// who is an official).
    Officials {
        #[command(subcommand)]
        action: OfficialsAction,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The retention schedule: how long each procedure's dossiers are kept after their
    /// result is issued, and whether they are then deleted or anonymised. The portal applies
    /// it every hour; nothing is erased for a form without a policy (nor a `*` default).
    Retention {
        #[command(subcommand)]
        action: RetentionAction,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Service accounts: API keys with which an agency's back-office system reads its
    /// dossiers and events (`GET /api/v1/agency/events`) as `Authorization: Bearer <key>`.
    ServiceAccounts {
        #[command(subcommand)]
        action: ServiceAction,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Webhooks: each agency's back-office endpoint that dossier events are pushed to.
    Webhooks {
        #[command(subcommand)]
        action: WebhookAction,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Webhook deliveries: list them (failed and dead ones first of all) and send them again.
    Deliveries {
        #[command(subcommand)]
        action: DeliveryAction,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Back up the SQLite database while the portal runs: a consistent copy in one file
    /// (`VACUUM INTO`). PostgreSQL: use pg_dump or base backups.
    Backup {
        /// Where to write the copy (must not exist).
        to: PathBuf,
        #[arg(long, env = "EFORM_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        #[arg(long, default_value = "eform-data")]
        data_dir: PathBuf,
    },
    /// Check a form definition: print every diagnostic; exit 1 when there is an error.
    Check {
        definition: PathBuf,
        /// Language of the messages (vi or en).
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Verify the signature of a dossier downloaded from the portal (its JSON): print the
    /// verdict, the signer and the signing time; exit 1 when it is not valid.
    Verify {
        dossier: PathBuf,
        /// Trusted certificates (PEM: roots and the CAs below them).
        #[arg(long, required_unless_present = "dev")]
        trust_store: Option<PathBuf>,
        /// Trust the development signer's CA (`<data-dir>/dev-signer/*.pem`, written by a
        /// development portal): for a development portal's dossiers.
        #[arg(long)]
        dev: bool,
        #[arg(long, default_value = "eform-data")]
        data_dir: PathBuf,
        /// Which version of the dossier (by default the latest).
        #[arg(long)]
        version: Option<i64>,
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Validate data against a form definition: print every error; exit 1 when there is one.
    Validate {
        definition: PathBuf,
        data: PathBuf,
        #[arg(long, default_value = "en")]
        lang: String,
        /// The day the rules take as today (YYYY-MM-DD); by default, today in Vietnam.
        #[arg(long)]
        today: Option<String>,
    },
}

/// Where an administration command finds the database (as for `eform serve`).
#[derive(clap::Args)]
struct DbArgs {
    /// The database: `postgres://…` or `sqlite:<path>`; by default `<data-dir>/eform.db`.
    #[arg(
        long,
        env = "EFORM_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    database_url: Option<String>,
    #[arg(long, default_value = "eform-data", global = true)]
    data_dir: PathBuf,
}

#[derive(Subcommand)]
enum OfficialsAction {
    /// Add an official (or move them to another agency): `eform officials add 001185001122
    /// --agency 000.00.18.H56 --name "Phạm Thu Hà"`.
    Add {
        /// The 12-digit personal ID number the identity provider gives for them.
        personal_id: String,
        /// Their agency's code (in the agency directory).
        #[arg(long)]
        agency: String,
        /// Their name as shown to citizens and colleagues.
        #[arg(long)]
        name: String,
    },
    /// Remove an official: their official sessions end at once.
    Remove { personal_id: String },
    /// List the provisioned officials.
    List,
}

#[derive(Subcommand)]
enum RetentionAction {
    /// Set a procedure's retention: `eform retention set ct01 --days 1825 --action anonymise
    /// --files-days 365 --audit-days 730`; the form id `*` sets the default of forms without
    /// their own (a setting left out falls back to it).
    Set {
        form_id: String,
        /// Days the dossier is kept after its result is issued.
        #[arg(long, requires = "action", value_parser = clap::value_parser!(u32).range(1..))]
        days: Option<u32>,
        /// What happens then: `anonymise` (the personal data go; agency, form, dates and
        /// status stay for statistics) or `delete` (the dossier goes).
        #[arg(long, requires = "days")]
        action: Option<String>,
        /// Days the dossier's files are kept after its result (when shorter than --days).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        files_days: Option<u32>,
        /// Days the citizens' data-store log keeps its entries of reads for this form.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        audit_days: Option<u32>,
        /// Days a citizen's draft saved on the portal is kept after its last save (default 30;
        /// applies from each draft's next save).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=365))]
        drafts_days: Option<u32>,
    },
    /// Remove a procedure's retention (its dossiers are kept, or follow `*`).
    Clear { form_id: String },
    /// List the policies and how many dossiers are past them now.
    List,
    /// Apply the schedule now (the portal does it every hour).
    Run,
}

#[derive(Subcommand)]
enum ServiceAction {
    /// Create an account for an agency's system and print its key (shown once; only its hash
    /// is kept): `eform service-accounts add motcua-hanoi --agency 000.00.18.H56`.
    Add {
        /// A name: lower-case letters, digits and hyphens.
        name: String,
        #[arg(long)]
        agency: String,
    },
    /// Revoke an account's key (at once, on every instance).
    Revoke { name: String },
    /// List the accounts.
    List,
}

#[derive(Subcommand)]
enum WebhookAction {
    /// Set an agency's endpoint and print its new signing secret (shown once): `eform webhooks
    /// set 000.00.18.H56 --url https://motcua.example.gov.vn/eform`. Events from now on are
    /// delivered.
    Set {
        agency: String,
        /// `https://…` (plain http only on a loopback address).
        #[arg(long)]
        url: String,
        /// The event types to send, space- or comma-separated (`dossier.received`,
        /// `dossier.amended`, `dossier.status-changed`, `dossier.result-issued`,
        /// `dossier.erased`), or `*` for all.
        #[arg(long, default_value = "*")]
        events: String,
    },
    /// Remove an agency's endpoint (its undelivered events wait for a new one).
    Remove { agency: String },
    /// List the endpoints.
    List,
}

#[derive(Subcommand)]
enum DeliveryAction {
    /// List deliveries, newest first.
    List {
        /// Only `pending`, `delivered` or `dead` ones.
        #[arg(long, value_parser = ["pending", "delivered", "dead"])]
        state: Option<String>,
        #[arg(long)]
        agency: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Send again: every dead delivery (of `--agency`, or all), or one event (`--agency` and
    /// `--seq`) whatever its state. The event keeps its id, so the receiver can drop repeats.
    Replay {
        #[arg(long)]
        agency: Option<String>,
        #[arg(long, requires = "agency")]
        seq: Option<i64>,
    },
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            addr,
            data_dir,
            web_dir,
            database_url,
            dev,
            public_url,
            agencies,
            oidc_issuer,
            oidc_client_id,
            oidc_client_secret,
            oidc_claim_personal_id,
            oidc_claim_name,
            oidc_claim_role,
            oidc_claim_agency,
            oidc_citizen_acr,
            oidc_scopes,
            form_grace_hours,
            allowed_origins,
            rate_limits,
            trusted_proxies,
            metrics_addr,
            log_format,
            header_timeout,
            max_connections,
            webhook_give_up_hours,
            webhook_retry_seconds,
            webhook_retry_max_seconds,
            webhook_timeout_seconds,
            signing_window_minutes,
            on_revocation_unknown,
            tsa_url,
            draft_key_file,
            default_agency,
            trust_store,
            signer,
            signer_url,
            signer_client_id,
            signer_secret,
            esign_ca_name,
        } => {
            let url = signer_url.unwrap_or_default();
            let signing = match signer.as_deref() {
                Some("csc") => Some(portal::Signing::Csc(portal::bridge::csc::Settings {
                    url,
                    client_id: signer_client_id,
                    client_secret: signer_secret,
                })),
                Some(_) => Some(portal::Signing::Esign(portal::bridge::esign::Settings {
                    url,
                    sp_id: signer_client_id,
                    sp_password: signer_secret,
                    ca_name: esign_ca_name,
                    poll: std::time::Duration::from_secs(2),
                })),
                None => None,
            };
            let database_url = database_url
                .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("eform.db").display()));
            if dev && !addr.ip().is_loopback() {
                anyhow::bail!(
                    "--dev lets anyone sign in as anyone: it listens on a loopback address only, not {addr}"
                );
            }
            let mut rates = portal::limits::Rates::default();
            for setting in &rate_limits {
                rates
                    .set(setting)
                    .map_err(|e| anyhow::anyhow!("--rate-limit {e}"))?;
            }
            let oidc = oidc_issuer.map(|issuer| portal::oidc::Settings {
                issuer,
                client_id: oidc_client_id,
                client_secret: oidc_client_secret,
                claims: portal::oidc::ClaimNames {
                    personal_id: oidc_claim_personal_id,
                    name: oidc_claim_name,
                    role: oidc_claim_role,
                    agency: oidc_claim_agency,
                },
                citizen_acr: oidc_citizen_acr,
                scopes: oidc_scopes.into_iter().filter(|s| !s.is_empty()).collect(),
            });
            let config = portal::Config {
                dev,
                default_agency,
                public_url,
                signer_dir: dev.then(|| data_dir.join("dev-signer")),
                trust_store,
                signing,
                oidc,
                agencies,
                form_grace_ms: i64::from(form_grace_hours) * 3600 * 1000,
                allowed_origins,
                rates,
                trusted_proxies,
                delivery: portal::config::Delivery {
                    give_up: std::time::Duration::from_secs(webhook_give_up_hours * 3600),
                    retry_base: std::time::Duration::from_secs(webhook_retry_seconds),
                    retry_max: std::time::Duration::from_secs(
                        webhook_retry_max_seconds.max(webhook_retry_seconds),
                    ),
                    timeout: std::time::Duration::from_secs(webhook_timeout_seconds),
                    // A worker that died mid-call frees its deliveries after this.
                    lease: std::time::Duration::from_secs(2 * webhook_timeout_seconds + 5),
                    ..portal::config::Delivery::default()
                },
                signatures: portal::config::Policy {
                    signing_window_s: signing_window_minutes * 60,
                    on_try_later: if on_revocation_unknown == "refuse" {
                        portal::config::OnTryLater::Refuse
                    } else {
                        portal::config::OnTryLater::Hold
                    },
                    tsa_url,
                },
                draft_key: match (draft_key_file, dev) {
                    (Some(f), _) => Some(f),
                    (None, true) => Some(dev_draft_key(&data_dir)?),
                    (None, false) => None,
                },
            };
            let problems = config.problems();
            if !problems.is_empty() {
                anyhow::bail!(
                    "eform serve runs in production mode unless --dev is given, and production needs:\n  - {}",
                    problems.join("\n  - ")
                );
            }
            let json_logs = log_format.as_deref().map_or(!dev, |f| f == "json");
            serve(
                addr,
                data_dir,
                web_dir,
                &database_url,
                config,
                Extra {
                    metrics_addr,
                    json_logs,
                    connections: portal::server::ConnectionLimits {
                        header_read_timeout: std::time::Duration::from_secs(header_timeout),
                        max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
                    },
                },
            )
        }
        Command::Verify {
            dossier,
            trust_store,
            dev: _,
            data_dir,
            version,
            lang,
        } => verify(&dossier, trust_store, &data_dir, version, &lang),
        Command::Officials { action, db } => with_db(db, |db| officials(db, action)),
        Command::Retention { action, db } => with_db(db, |db| retention(db, action)),
        Command::ServiceAccounts { action, db } => with_db(db, |db| service_accounts(db, action)),
        Command::Webhooks { action, db } => with_db(db, |db| webhooks(db, action)),
        Command::Deliveries { action, db } => with_db(db, |db| deliveries(db, action)),
        Command::Backup {
            to,
            database_url,
            data_dir,
        } => {
            anyhow::ensure!(!to.exists(), "{} exists already", to.display());
            let url = database_url
                .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("eform.db").display()));
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let db = portal::db::Db::connect(&url)
                    .await
                    .with_context(|| format!("opening the database {}", redact(&url)))?;
                let done = db.backup_to(&to).await;
                db.close().await;
                done.with_context(|| format!("writing {}", to.display()))?;
                say!("backed up {} to {}", redact(&url), to.display());
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Check { definition, lang } => {
            let lang = Lang::parse(&lang).unwrap_or(Lang::En);
            let text = std::fs::read_to_string(&definition)
                .with_context(|| format!("reading {}", definition.display()))?;
            let mut loaded = form_core::load(&text);
            if let Some(form) = &loaded.form {
                // Prefill bindings against the data store's key catalogue.
                loaded
                    .diagnostics
                    .extend(form_core::datastore::check_bindings(
                        form,
                        &portal::keys::CATALOGUE,
                    ));
            }
            for d in &loaded.diagnostics {
                say!("{}: {}", definition.display(), d.render(lang));
            }
            let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = loaded.diagnostics.len() - errors;
            say!(
                "{}: {errors} error(s), {warnings} warning(s)",
                definition.display()
            );
            Ok(if errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Validate {
            definition,
            data,
            lang,
            today,
        } => {
            let today = match today {
                Some(t) => form_core::format::parse_date(&t)
                    .map(|(y, m, d)| (y as i32, m, d))
                    .with_context(|| format!("--today {t} is not a date (YYYY-MM-DD)"))?,
                None => portal::catalog::today_in_vietnam(),
            };
            let lang = Lang::parse(&lang).unwrap_or(Lang::En);
            let text = std::fs::read_to_string(&definition)
                .with_context(|| format!("reading {}", definition.display()))?;
            let catalog = Catalog::default();
            catalog.add(
                &definition
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                &text,
            );
            let Some((_, entry)) = catalog.snapshot().into_iter().next() else {
                anyhow::bail!("no definition")
            };
            let ready = match entry {
                portal::Entry::Ready(r) => r,
                portal::Entry::Broken { diagnostics, .. } => {
                    for d in &diagnostics {
                        say!("{}: {}", definition.display(), d.render(lang));
                    }
                    anyhow::bail!("the definition has errors; fix them first (eform check)");
                }
            };
            let data_text = std::fs::read_to_string(&data)
                .with_context(|| format!("reading {}", data.display()))?;
            let value: serde_json::Value = serde_json::from_str(&data_text)
                .with_context(|| format!("{} is not valid JSON", data.display()))?;
            let diags = ready.validate(&value, today);
            for d in &diags {
                say!("{}: {}", data.display(), d.render(lang));
            }
            say!("{}: {} error(s)", data.display(), diags.len());
            Ok(if diags.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// `eform officials …`.
async fn officials(db: portal::db::Db, action: OfficialsAction) -> Result<ExitCode> {
    let code = match action {
        OfficialsAction::Add {
            personal_id,
            agency,
            name,
        } => {
            anyhow::ensure!(
                personal_id.len() == 12 && personal_id.bytes().all(|b| b.is_ascii_digit()),
                "{personal_id} is not a personal ID number (12 digits)"
            );
            anyhow::ensure!(!name.trim().is_empty(), "--name is empty");
            let agencies = db.agencies().await?;
            anyhow::ensure!(
                agencies.iter().any(|(c, _)| *c == agency),
                "there is no agency {agency} in the directory ({} agencies; load it with eform serve --agencies FILE)",
                agencies.len()
            );
            db.add_official(&portal::db::OfficialRow {
                personal_id: personal_id.clone(),
                agency_code: agency.clone(),
                name: name.trim().to_owned(),
                added_at: portal::clock::now_ms(),
            })
            .await?;
            say!("official {personal_id} ({}) of {agency}", name.trim());
            ExitCode::SUCCESS
        }
        OfficialsAction::Remove { personal_id } => {
            if db.remove_official(&personal_id).await? {
                say!("official {personal_id} removed; their sessions ended");
                ExitCode::SUCCESS
            } else {
                say!("no official {personal_id}");
                ExitCode::FAILURE
            }
        }
        OfficialsAction::List => {
            for o in db.officials().await? {
                say!(
                    "{}\t{}\t{}\tadded {}",
                    o.personal_id,
                    o.agency_code,
                    o.name,
                    portal::clock::rfc3339(o.added_at)
                );
            }
            ExitCode::SUCCESS
        }
    };
    Ok(code)
}

/// Runs an administration command on the database of `--database-url` (or `--data-dir`),
/// closing it after.
fn with_db<F, Fut>(args: DbArgs, f: F) -> Result<ExitCode>
where
    F: FnOnce(portal::db::Db) -> Fut,
    Fut: std::future::Future<Output = Result<ExitCode>>,
{
    let url = args
        .database_url
        .unwrap_or_else(|| format!("sqlite:{}", args.data_dir.join("eform.db").display()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = portal::db::Db::connect(&url)
            .await
            .with_context(|| format!("opening the database {}", redact(&url)))?;
        let done = f(db.clone()).await;
        db.close().await;
        done
    })
}

/// `eform webhooks …`.
async fn webhooks(db: portal::db::Db, action: WebhookAction) -> Result<ExitCode> {
    match action {
        WebhookAction::Set {
            agency,
            url,
            events,
        } => {
            anyhow::ensure!(
                portal::oidc::secure_url(&url),
                "--url {url} must be https:// (plain http only on a loopback address)"
            );
            anyhow::ensure!(
                db.agencies().await?.iter().any(|(c, _)| *c == agency),
                "there is no agency {agency} in the directory"
            );
            let events: Vec<&str> = events.split([' ', ',']).filter(|e| !e.is_empty()).collect();
            for e in &events {
                anyhow::ensure!(
                    *e == "*" || portal::db::outbox::KINDS.contains(e),
                    "{e} is not an event type (one of {}, or *)",
                    portal::db::outbox::KINDS.join(", ")
                );
            }
            let events = if events.is_empty() || events.contains(&"*") {
                "*".to_owned()
            } else {
                events.join(" ")
            };
            let secret = portal::webhooks::new_secret()?;
            db.set_webhook(&portal::db::delivery::Webhook {
                agency_code: agency.clone(),
                url: url.clone(),
                secret: secret.clone(),
                events: events.clone(),
                created_at: portal::clock::now_ms(),
            })
            .await?;
            eprintln!(
                "{agency}: events {events} go to {url}; the signing secret (shown only now):"
            );
            say!("{secret}");
        }
        WebhookAction::Remove { agency } => {
            if !db.remove_webhook(&agency).await? {
                say!("{agency} has no webhook");
                return Ok(ExitCode::FAILURE);
            }
            say!("{agency}: webhook removed");
        }
        WebhookAction::List => {
            for w in db.webhooks().await? {
                say!(
                    "{}\t{}\t{}\tset {}",
                    w.agency_code,
                    w.url,
                    w.events,
                    portal::clock::rfc3339(w.created_at)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `eform deliveries …`.
async fn deliveries(db: portal::db::Db, action: DeliveryAction) -> Result<ExitCode> {
    match action {
        DeliveryAction::List {
            state,
            agency,
            limit,
        } => {
            for d in db
                .deliveries(state.as_deref(), agency.as_deref(), limit.clamp(1, 10_000))
                .await?
            {
                say!(
                    "{}\t{}\t{}\t{}\t{}\tattempts {}\t{}",
                    d.event_id,
                    d.kind,
                    d.dossier_code,
                    d.state,
                    match (d.state.as_str(), d.delivered_at) {
                        ("delivered", Some(at)) => format!("at {}", portal::clock::rfc3339(at)),
                        ("pending", _) => format!("next {}", portal::clock::rfc3339(d.next_at)),
                        _ => String::new(),
                    },
                    d.attempts,
                    d.last_error.unwrap_or_default()
                );
            }
        }
        DeliveryAction::Replay { agency, seq } => {
            let n = db
                .replay_deliveries(agency.as_deref(), seq, portal::clock::now_ms())
                .await?;
            say!("{n} delivery(ies) sent again (the portal delivers them within a second)");
            if n == 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `eform service-accounts …`.
async fn service_accounts(db: portal::db::Db, action: ServiceAction) -> Result<ExitCode> {
    let now = portal::clock::now_ms();
    async {
        match action {
            ServiceAction::Add { name, agency } => {
                anyhow::ensure!(
                    (1..=64).contains(&name.len())
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                    "{name:?}: use lower-case letters, digits and hyphens (1–64)"
                );
                let agencies = db.agencies().await?;
                anyhow::ensure!(
                    agencies.iter().any(|(c, _)| *c == agency),
                    "there is no agency {agency} in the directory"
                );
                let key = format!(
                    "{}{}",
                    portal::auth::SERVICE_KEY_PREFIX,
                    portal::encode::new_token()?
                );
                let user = portal::db::UserRow {
                    id: format!("service:{name}"),
                    role: "official".into(),
                    name: format!("{name} (service account)"),
                    agency_code: Some(agency.clone()),
                    personal_id: None,
                };
                if !db
                    .add_service_account(&user, &portal::auth::token_hash(&key), now)
                    .await?
                {
                    anyhow::bail!(
                        "service:{name} exists already (revoke it and choose another name)"
                    );
                }
                eprintln!("service account service:{name} of {agency}; its key (shown only now):");
                say!("{key}");
            }
            ServiceAction::Revoke { name } => {
                let id = if name.starts_with("service:") {
                    name
                } else {
                    format!("service:{name}")
                };
                if !db.revoke_service_account(&id, now).await? {
                    say!("no live service account {id}");
                    return Ok(ExitCode::FAILURE);
                }
                say!("{id} revoked");
            }
            ServiceAction::List => {
                for (id, agency, created, revoked) in db.service_accounts().await? {
                    say!(
                        "{id}\t{agency}\tcreated {}{}",
                        portal::clock::rfc3339(created),
                        revoked
                            .map(|r| format!("\trevoked {}", portal::clock::rfc3339(r)))
                            .unwrap_or_default()
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
    .await
}

/// `eform retention …`.
async fn retention(db: portal::db::Db, action: RetentionAction) -> Result<ExitCode> {
    let now = portal::clock::now_ms();
    async {
        match action {
            RetentionAction::Set {
                form_id,
                days,
                action,
                files_days,
                audit_days,
                drafts_days,
            } => {
                let action = action.unwrap_or_else(|| "anonymise".into());
                anyhow::ensure!(
                    portal::db::RETENTION_ACTIONS.contains(&action.as_str()),
                    "--action {action}: give anonymise or delete"
                );
                anyhow::ensure!(
                    days.is_some()
                        || files_days.is_some()
                        || audit_days.is_some()
                        || drafts_days.is_some(),
                    "give --days (with --action), --files-days, --audit-days or --drafts-days"
                );
                anyhow::ensure!(
                    !form_id.is_empty()
                        && form_id.len() <= 128
                        && !form_id.contains(char::is_whitespace),
                    "{form_id:?} is not a form id (or * for the default)"
                );
                if form_id != "*" && !db.form_recorded(&form_id).await? {
                    eprintln!(
                        "warning: no version of {form_id} has been served yet (a typo?); the policy applies once it is"
                    );
                }
                let policy = portal::db::RetentionPolicy {
                    form_id: form_id.clone(),
                    days: days.map(i64::from),
                    action,
                    files_days: files_days.map(i64::from),
                    audit_days: audit_days.map(i64::from),
                    drafts_days: drafts_days.map(i64::from),
                    set_at: now,
                };
                db.set_retention(&policy).await?;
                say!("{}", describe_retention(&policy));
                let due = db.due_for_erasure(now, 1_000_000).await?.len();
                say!("{due} dossier(s) past their retention now (the portal erases them within the hour; or eform retention run)");
            }
            RetentionAction::Clear { form_id } => {
                if !db.clear_retention(&form_id).await? {
                    say!("{form_id} has no retention policy");
                    return Ok(ExitCode::FAILURE);
                }
                say!("{form_id}: no retention policy (dossiers kept)");
            }
            RetentionAction::List => {
                for p in db.retention_policies().await? {
                    say!(
                        "{}\tset {}",
                        describe_retention(&p),
                        portal::clock::rfc3339(p.set_at)
                    );
                }
                let due = db.due_for_erasure(now, 1_000_000).await?.len();
                say!("{due} dossier(s) past their retention now");
            }
            RetentionAction::Run => {
                let e = db.apply_retention(now).await?;
                say!(
                    "{} dossier(s) anonymised, {} deleted, {} file(s) removed, {} data-store log entries removed",
                    e.anonymised, e.deleted, e.files, e.log_entries
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    }
    .await
}

/// One line of `eform retention list`: the form, then each setting it has.
fn describe_retention(p: &portal::db::RetentionPolicy) -> String {
    let mut line = p.form_id.clone();
    if let Some(d) = p.days {
        line.push_str(&format!(
            "\tdossiers {}d {d} days after the result",
            p.action
        ));
    }
    if let Some(d) = p.files_days {
        line.push_str(&format!("\tfiles removed {d} days after the result"));
    }
    if let Some(d) = p.audit_days {
        line.push_str(&format!("\tdata-store log kept {d} days"));
    }
    if let Some(d) = p.drafts_days {
        line.push_str(&format!("\tdrafts kept {d} days after their last save"));
    }
    line
}

/// `eform verify`.
fn verify(
    path: &std::path::Path,
    trust_store: Option<PathBuf>,
    data_dir: &std::path::Path,
    version: Option<i64>,
    lang: &str,
) -> Result<ExitCode> {
    let lang = Lang::parse(lang).unwrap_or(Lang::En);
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let d: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let form_id = d["formId"].as_str().context("no formId")?;
    let form_version = d["formVersion"]
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .context("no formVersion")?;
    let versions = d["versionList"].as_array().context("no versionList")?;
    let v = match version {
        Some(n) => versions.iter().find(|v| v["version"].as_i64() == Some(n)),
        None => versions.last(),
    }
    .context("no such version")?;
    if v["signature"]["cms"].as_str().is_none() {
        say!("{}: version {} is not signed", path.display(), v["version"]);
        return Ok(ExitCode::FAILURE);
    }
    let content = form_core::sign::content(form_id, form_version, &v["data"])
        .map_err(|e| anyhow::anyhow!("{}", e.render(lang)))?;
    let files = match trust_store {
        Some(f) => vec![f],
        None => vec![
            data_dir.join("dev-signer/root.pem"),
            data_dir.join("dev-signer/ca.pem"),
        ],
    };
    let (mut roots, mut cas) = (Vec::new(), Vec::new());
    for f in files.iter().filter(|f| f.exists()) {
        for c in portal::bridge::pem_certificates(f)? {
            if c.tbs_certificate.subject == c.tbs_certificate.issuer {
                roots.push(c);
            } else {
                cas.push(c);
            }
        }
    }
    anyhow::ensure!(!roots.is_empty(), "no trusted root (give --trust-store)");
    let mut store = form_core::sign::TrustStore::new(roots);
    store.add_intermediates(cas);
    let code = d["code"].as_str().unwrap_or_default();
    let title = format!("{code} version {}", v["version"]);
    let applicant = v["signature"]["applicantId"].as_str();
    let mut all = judge(
        &v["signature"],
        v,
        &content,
        &store,
        lang,
        &title,
        applicant,
    )?;
    // Each co-signer's own signature over the same content (see docs/signing.md).
    for p in v["coSignatures"].as_array().into_iter().flatten() {
        let part = p["label"][if lang == Lang::Vi { "vi" } else { "en" }]
            .as_str()
            .unwrap_or("co-signer");
        let who = format!(
            "{title} co-signer {part}, {}",
            p["name"].as_str().unwrap_or_default()
        );
        // The certificate must carry the ID number the signed data gives for this party.
        let id = p["at"]
            .as_str()
            .and_then(|at| v["data"].pointer(at))
            .and_then(serde_json::Value::as_str)
            .map(str::trim);
        if p["status"] == "signed" {
            all &= judge(&p["signature"], v, &content, &store, lang, &who, id)?;
        } else {
            say!(
                "{who}: not signed ({})",
                p["status"].as_str().unwrap_or_default()
            );
            all = false;
        }
    }
    Ok(if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Judges one signature record of version `v` (the applicant's or a co-signer's) over
/// `content` as at its receipt, prints the verdict under `who`, and says whether it is valid,
/// made with the certificate of `id` (a personal ID number), and agrees with the portal's
/// stored report and time-stamp.
fn judge(
    signature: &serde_json::Value,
    v: &serde_json::Value,
    content: &[u8],
    store: &form_core::sign::TrustStore,
    lang: Lang,
    who: &str,
    id: Option<&str>,
) -> Result<bool> {
    use base64::Engine;
    let cms = signature["cms"]
        .as_str()
        .context("a signature without its CMS")?;
    let cms = base64::engine::general_purpose::STANDARD
        .decode(cms)
        .context("the signature is not base64")?;
    // The validation as at the receipt: its time, the policy's window and the revocation
    // data kept with the dossier (none kept: revocation is reported as not checked).
    let report = &signature["validation"];
    let at_ms = report["validationTime"]
        .as_str()
        .or(v["submittedAt"].as_str())
        .and_then(portal::clock::parse_rfc3339)
        .context("no validation time (validationTime / submittedAt)")?;
    let mut evidence = form_core::sign::Evidence::default();
    for item in signature["validationData"].as_array().into_iter().flatten() {
        let der = item["der"]
            .as_str()
            .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
            .context("validationData: der is not base64")?;
        match item["kind"].as_str() {
            Some("ocsp") => evidence
                .ocsp
                .push(form_core::sign::OcspAnswer { der, nonce: None }),
            Some("crl") => evidence.crls.push(der),
            _ => {}
        }
    }
    let mut ctx = form_core::sign::Context::at(u64::try_from(at_ms / 1000).unwrap_or_default());
    if let Some(w) = report["policy"]["signingWindowSeconds"].as_u64() {
        ctx.signing_window = w;
    }
    ctx.signing_window = ctx.signing_window.min(24 * 3600);
    ctx.freshness.now = Some(u64::try_from(portal::clock::now_ms() / 1000).unwrap_or_default());
    // Revocation is always judged, from the answers kept: none kept (a signature held, or a
    // dossier from before there were reports) is INDETERMINATE, never valid.
    let ctx = ctx.with_revocation(&evidence);
    let mut verdict = form_core::sign::verify(&cms, content, store, &ctx);
    // The certificate must carry the ID number of the party it was taken for.
    portal::signatures::signer_is_applicant(&mut verdict, id);
    say!(
        "{who}: {} — {}{}",
        match verdict.indication {
            form_core::sign::Indication::TotalPassed => "signature valid",
            form_core::sign::Indication::TotalFailed => "signature NOT valid",
            form_core::sign::Indication::Indeterminate => "signature NOT proven valid",
        },
        verdict.indication.as_str(),
        verdict
            .sub_indication
            .map(|s| format!("/{}", s.as_str()))
            .unwrap_or_default()
    );
    if let Some(s) = &verdict.signer {
        say!(
            "  signer: {}{}, issued by {}",
            s.name,
            s.serial_number
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            s.issuer
        );
    }
    if let Some(t) = verdict.signing_time {
        say!(
            "  signed at: {}",
            portal::clock::rfc3339(i64::try_from(t).unwrap_or_default() * 1000)
        );
    }
    say!("  validated at: {}", portal::clock::rfc3339(at_ms));
    for c in &verdict.checks {
        say!(
            "  {:<20} {:<13} {}",
            c.id,
            c.status.as_str(),
            c.detail.as_ref().map(|d| d.get(lang)).unwrap_or_default()
        );
    }
    for r in &verdict.revocation {
        say!(
            "  revocation: {} — {} ({}, {})",
            r.subject,
            match r.found.status {
                form_core::sign::revocation::Status::Good => "good".to_owned(),
                form_core::sign::revocation::Status::Revoked { at, .. } => format!(
                    "revoked at {}",
                    portal::clock::rfc3339(i64::try_from(at).unwrap_or_default() * 1000)
                ),
                form_core::sign::revocation::Status::Unknown => "unknown".to_owned(),
            },
            r.found.via.as_str(),
            portal::clock::rfc3339(i64::try_from(r.found.this_update).unwrap_or_default() * 1000)
        );
    }
    for p in &verdict.problems {
        say!("  problem [{}]: {}", p.code, p.message.get(lang));
    }
    // The receipt time is the portal's word; a time-stamp's time is the TSA's: they must agree.
    let mut agrees = true;
    if let Some(ts) = &verdict.timestamp
        && ctx.at.abs_diff(ts.gen_time) > 600
    {
        say!(
            "  the validation time differs from the time-stamp's ({}) by more than 10 minutes",
            portal::clock::rfc3339(i64::try_from(ts.gen_time).unwrap_or_default() * 1000)
        );
        agrees = false;
    }
    // The stored report's own verdict must be this one (a held signature, another policy, or a
    // changed file say so and fail).
    if let Some(stored) = report["indication"].as_str()
        && stored != verdict.indication.as_str()
    {
        say!("  the portal's stored report says {stored}: the verdicts differ");
        agrees = false;
    }
    Ok(verdict.valid && agrees)
}

/// Development mode's draft key: `<data-dir>/draft.key`, made (0600) on first start, so drafts
/// survive a restart.
fn dev_draft_key(data_dir: &std::path::Path) -> Result<PathBuf> {
    let file = data_dir.join("draft.key");
    if !file.exists() {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::create_dir_all(data_dir)?;
        let key = portal::seal::Sealer::new_key_hex()?;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&file)
            .and_then(|mut f| f.write_all(key.as_bytes()))
            .with_context(|| format!("making {}", file.display()))?;
    }
    Ok(file)
}

/// What `serve` takes besides the portal's configuration.
struct Extra {
    metrics_addr: Option<SocketAddr>,
    json_logs: bool,
    connections: portal::server::ConnectionLimits,
}

fn serve(
    addr: SocketAddr,
    data_dir: PathBuf,
    web_dir: PathBuf,
    database_url: &str,
    config: portal::Config,
    extra: Extra,
) -> Result<ExitCode> {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if extra.json_logs {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let _ = portal::observe::handle();
    let forms_dir = data_dir.join("forms");
    {
        // A new data directory is the portal's alone (review L10).
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
    }
    std::fs::create_dir_all(&forms_dir)
        .with_context(|| format!("creating {}", forms_dir.display()))?;
    let catalog = Catalog::load(Some(&forms_dir))
        .with_context(|| format!("reading {}", forms_dir.display()))?;
    for (id, entry) in catalog.snapshot() {
        match entry {
            portal::Entry::Ready(r) => {
                tracing::info!(form = %id, version = r.form.definition().version, "form ready")
            }
            portal::Entry::Broken {
                source,
                diagnostics,
            } => {
                tracing::warn!(form = %id, %source, errors = diagnostics.len(), "form definition has errors; it answers 422")
            }
        }
    }
    if !web_dir.join("app/index.html").is_file() {
        tracing::warn!(web_dir = %web_dir.display(), "the web apps are not built; run `cargo xtask run`");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let dev = config.dev;
        let state = AppState::new(catalog, web_dir, database_url, config)
            .await
            .with_context(|| format!("opening the database {}", redact(database_url)))?;
        tracing::info!(
            database = state.db.backend(),
            development = dev,
            "database ready"
        );
        let db = state.db.clone();
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let local = listener.local_addr()?;
        if let Some(at) = extra.metrics_addr {
            let metrics = tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("listening on {at} for metrics"))?;
            say!("  metrics:      http://{}/metrics", metrics.local_addr()?);
            let app = portal::observe::metrics_router(state.clone());
            tokio::spawn(async move {
                if let Err(e) = axum::serve(metrics, app).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            });
        }
        // One line that scripts (cargo xtask test) wait for.
        say!("eform portal listening on http://{local}/");
        say!("  citizen app:  http://{local}/f/ct01");
        say!("  form list:    http://{local}/");
        say!("  builder:      http://{local}/builder/");
        say!("  sign in:      http://{local}/signin");
        // SIGTERM (systemd, containers) or Ctrl-C: stop taking connections, let the requests
        // in flight finish — for at most SHUTDOWN_DEADLINE — then close the database.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut server = tokio::spawn(portal::server::serve(
            listener,
            router(state),
            extra.connections,
            async move {
                let mut stopped = stopped;
                let _ = stopped.wait_for(|s| *s).await;
            },
        ));
        tokio::select! {
            result = &mut server => result?,
            signal = stop_signal() => {
                tracing::info!(signal, "stopping: finishing the requests in flight");
                let _ = stop.send(true);
                match tokio::time::timeout(SHUTDOWN_DEADLINE, &mut server).await {
                    Ok(result) => result?,
                    Err(_) => {
                        tracing::warn!(seconds = SHUTDOWN_DEADLINE.as_secs(), "requests still in flight after the deadline are cut");
                        server.abort();
                    }
                }
            }
        }
        db.close().await;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// How long requests in flight may take to finish once the portal is asked to stop.
const SHUTDOWN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);

/// Waits for SIGTERM or SIGINT (Ctrl-C); which one came.
async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        },
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

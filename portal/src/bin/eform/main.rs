//! `eform`: the reference portal (`eform serve`) and definition tools (`eform check`,
//! `eform validate`).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use form_core::Lang;
use portal::Catalog;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// `println!` that ends the program quietly when its reader has gone (`eform validate … |
/// head`): a closed pipe is not an error of the command.
macro_rules! say {
    ($($arg:tt)*) => {
        crate::say(format_args!($($arg)*))
    };
}

mod admin;
mod serve;
mod verify;

use admin::{deliveries, officials, retention, service_accounts, webhooks, with_db};
use serve::{Extra, dev_draft_key, redact, serve};
use verify::verify;

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

impl DbArgs {
    /// The database's URL: the one given, or `<data-dir>/eform.db`.
    fn url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("eform.db").display()))
    }
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
            let args = DbArgs {
                database_url,
                data_dir,
            };
            let url = args.url();
            with_db(args, |db| async move {
                db.backup_to(&to)
                    .await
                    .with_context(|| format!("writing {}", to.display()))?;
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

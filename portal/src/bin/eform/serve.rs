//! `eform serve`: the portal started, served until SIGTERM or Ctrl-C, stopped gracefully.

use anyhow::{Context, Result};
use portal::{AppState, Catalog, router};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Development mode's draft key: `<data-dir>/draft.key`, made (0600) on first start, so drafts
/// survive a restart.
pub(crate) fn dev_draft_key(data_dir: &std::path::Path) -> Result<PathBuf> {
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
pub(crate) struct Extra {
    pub metrics_addr: Option<SocketAddr>,
    pub json_logs: bool,
    pub connections: portal::server::ConnectionLimits,
}

pub(crate) fn serve(
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
    for build in ["app", "account", "embed", "builder"] {
        if !web_dir.join(build).join("index.html").is_file() {
            tracing::warn!(web_dir = %web_dir.display(), build, "a web app is not built (its pages answer 503); run `cargo xtask run`");
        }
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
pub(crate) const SHUTDOWN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);

/// Waits for SIGTERM or SIGINT (Ctrl-C); which one came.
pub(crate) async fn stop_signal() -> &'static str {
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
pub(crate) fn redact(url: &str) -> String {
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

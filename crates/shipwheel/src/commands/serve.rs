//! `shipwheel serve`: the embedded PyPI-compatible index, plus `serve yank|unyank` to edit what
//! it stores.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use shipwheel_index::Secret;
use shipwheel_serve::{Server, ServerConfig, Store};

use crate::cli::GlobalArgs;
use crate::commands::judge::{JudgeArgs, parse_size};
use crate::commands::{ExitStatus, UsageError};
use crate::output;

#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Index: http://ADDR/simple/ (PEP 503 HTML and PEP 691 JSON), JSON API: \
                  http://ADDR/pypi/NAME/json, uploads: http://ADDR/legacy/ with user __token__. \
                  Files live under --root as plain files. Details: docs/serve.md."
)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub action: Option<ServeAction>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Directory holding the index's files (created when missing).
    #[arg(
        long,
        value_name = "DIR",
        default_value = "shipwheel-index",
        env = "SHIPWHEEL_SERVE_ROOT"
    )]
    pub root: PathBuf,
    /// Address to listen on. Port 0 picks a free port (the chosen one is printed).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8089")]
    pub bind: SocketAddr,
    /// Listen on this port instead of the one in --bind (0 picks a free port).
    #[arg(long)]
    pub port: Option<u16>,
    /// Upload token (repeatable). Uploads then need user `__token__` and one of these as the
    /// password. Without any token, anyone who can reach the server may upload.
    #[arg(
        long = "token",
        value_name = "TOKEN",
        env = "SHIPWHEEL_SERVE_TOKEN",
        hide_env_values = true
    )]
    pub tokens: Vec<Secret>,
    /// Open uploads without a token on an address other machines may reach (by default the
    /// server refuses to start there without --token).
    #[arg(long)]
    pub allow_anonymous_uploads: bool,
    /// How uploads are judged (the same flags and rules as `shipwheel check`); --max-file-size
    /// is also the upload limit.
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// Limit on the total size of one project's files. PyPI's default is 10 GiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "10GiB")]
    pub max_project_size: u64,
}

#[derive(clap::Subcommand, Debug)]
pub enum ServeAction {
    /// Mark every file of a release yanked (PEP 592); installers skip it unless pinned.
    Yank(YankArgs),
    /// Undo a yank.
    Unyank(YankArgs),
}

#[derive(clap::Args, Debug)]
pub struct YankArgs {
    /// The index's directory (the --root the server runs with).
    #[arg(
        long,
        value_name = "DIR",
        default_value = "shipwheel-index",
        env = "SHIPWHEEL_SERVE_ROOT"
    )]
    pub root: PathBuf,
    /// Project name (any spelling; it is normalised).
    pub name: String,
    /// The version to (un)yank.
    pub version: String,
    /// Why it was yanked (shown by installers).
    #[arg(long)]
    pub reason: Option<String>,
}

pub fn run(args: ServeArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    match args.action {
        Some(ServeAction::Yank(a)) => yank(a, true, global),
        Some(ServeAction::Unyank(a)) => yank(a, false, global),
        None => serve(args.run, global),
    }
}

fn yank(args: YankArgs, yanked: bool, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let store = Store::open_existing(&args.root).map_err(|e| {
        UsageError(format!(
            "cannot open the index at {}: {e}; pass the --root the server uses",
            args.root.display()
        ))
    })?;
    let changed = store
        .set_yanked(&args.name, &args.version, yanked, args.reason.as_deref())
        .with_context(|| format!("cannot update the index at {}", args.root.display()))?;
    let verb = if yanked { "yanked" } else { "unyanked" };
    if changed.is_empty() {
        output::eprintln(&format!(
            "error: {} has no files for version {} in {}; list them with: ls {}",
            args.name,
            args.version,
            args.root.display(),
            args.root
                .join(shipwheel_dist::pep::normalize_name(&args.name))
                .display()
        ));
        return Ok(ExitStatus::Failure);
    }
    if !global.quiet {
        for f in &changed {
            output::println(&format!("{verb} {f}"));
        }
    }
    Ok(ExitStatus::Success)
}

fn serve(args: RunArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let mut bind = args.bind;
    if let Some(port) = args.port {
        bind.set_port(port);
    }
    if args.tokens.iter().any(|t| t.expose().trim().is_empty()) {
        return Err(UsageError("--token / SHIPWHEEL_SERVE_TOKEN must not be empty".into()).into());
    }
    // Refused before the store is opened or anything is bound: no traffic at all.
    if args.tokens.is_empty()
        && !args.allow_anonymous_uploads
        && !bind.ip().to_canonical().is_loopback()
    {
        return Err(UsageError(format!(
            "uploads would be open to anyone who can reach {bind}: require a token with --token \
             (or SHIPWHEEL_SERVE_TOKEN), bind to 127.0.0.1, or pass --allow-anonymous-uploads to \
             open them on purpose"
        ))
        .into());
    }
    let config = ServerConfig {
        root: args.root.clone(),
        bind,
        tokens: args.tokens.clone(),
        // The digests of an upload are taken while it streams in.
        check: args.judge.options(false, false)?,
        max_project_size: args.max_project_size,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = match Server::bind(config).await {
            Ok(s) => s,
            Err(err) => return Err(UsageError(format!("{err}; choose another --root or --bind (port 0 picks a free port)")).into()),
        };
        let stop = shutdown_signal().context("cannot listen for SIGINT/SIGTERM")?;
        let addr = server.local_addr();
        let base = format!("http://{addr}");
        output::println(&format!("shipwheel serve: files in {}", args.root.display()));
        output::println(&format!("  index:  {base}/simple/"));
        output::println(&format!("  upload: {base}/legacy/"));
        output::println(&format!("  port:   {}", addr.port()));
        if args.tokens.is_empty() {
            output::println(
                "  uploads are open to anyone who can reach this address (require a token with --token or SHIPWHEEL_SERVE_TOKEN)",
            );
        } else {
            output::println(&format!(
                "  uploads need user __token__ and one of the {} configured token(s)",
                args.tokens.len()
            ));
        }
        if !addr.ip().is_loopback() {
            output::eprintln(&format!(
                "warning: listening on {addr}, which other machines may reach"
            ));
        }
        if !global.quiet {
            output::println("Press Ctrl-C to stop.");
        }
        server
            .run(stop)
            .await
            .context("the server stopped with an error")?;
        if !global.quiet {
            output::println("shipwheel serve: stopped");
        }
        Ok(ExitStatus::Success)
    })
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are registered when this is called, so
/// a signal sent as soon as the URLs are printed already stops the server cleanly.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

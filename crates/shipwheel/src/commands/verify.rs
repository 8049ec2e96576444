//! `shipwheel verify`: wait until the index serves the release, then install it into a fresh
//! environment and import it.
//!
//! Exit 0 when every step passed, 1 when one failed (the failing step's output is shown), 2 on
//! bad usage.

use std::time::Duration;

use anyhow::Context;
use shipwheel_index::secret::RedactedUrl;
use shipwheel_verify::{Installer, Step, Target, VerifyOptions, VerifyReport};

use crate::cli::GlobalArgs;
use crate::commands::{ExitStatus, UsageError};
use crate::output;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 = the release is served with the expected hashes, \
                        installs and imports; 1 = a step failed; 2 = bad usage. Details: docs/verify.md."
)]
pub struct VerifyArgs {
    /// NAME==VERSION, or the distribution files that were published (their sha256 must match
    /// what the index serves).
    #[arg(required = true, value_name = "NAME==VERSION | FILES")]
    pub targets: Vec<String>,
    /// The simple index the release went to (e.g. http://127.0.0.1:8089/simple/).
    #[arg(
        long,
        value_name = "URL",
        env = "SHIPWHEEL_VERIFY_INDEX_URL",
        hide_env_values = true
    )]
    pub index_url: RedactedUrl,
    /// An index dependencies may come from (repeatable). The package itself is only taken with
    /// the hashes the verified index lists.
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<RedactedUrl>,
    /// How long to wait for the index to serve the files, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
    /// How long each tool run (creating the environment, each install, the import, the smoke
    /// test) may take, in seconds; one still running then is stopped with everything it started.
    #[arg(long, value_name = "SECONDS", default_value_t = shipwheel_verify::DEFAULT_INSTALL_TIMEOUT.as_secs())]
    pub install_timeout: u64,
    /// Interpreter to verify with (repeatable: one fresh environment each).
    #[arg(long, value_name = "PYTHON", default_value = "python3")]
    pub python: Vec<String>,
    /// Environment builder: uv (SHIPWHEEL_UV or `uv` on PATH) when found, else venv + pip.
    #[arg(long, value_enum, default_value_t = InstallerChoice::Auto)]
    pub installer: InstallerChoice,
    /// A shell command to run inside the environment after the imports (e.g. "mytool --help").
    #[arg(long, value_name = "COMMAND")]
    pub smoke: Option<String>,
    /// Only wait for the index; do not install.
    #[arg(long)]
    pub no_install: bool,
    /// Output format: steps as they finish, or one JSON document.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallerChoice {
    Auto,
    Uv,
    Pip,
}

pub fn run(args: VerifyArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let target = Target::from_args(&args.targets).map_err(|e| UsageError(e.to_string()))?;
    if let Target::Files { files, .. } = &target {
        for f in files {
            if !f.path.is_file() {
                return Err(UsageError(format!("{} is not a file", f.path.display())).into());
            }
        }
    }
    if args.install_timeout == 0 {
        return Err(UsageError("--install-timeout must be at least 1 second".into()).into());
    }
    let installer = match args.installer {
        InstallerChoice::Pip => Installer::Pip,
        InstallerChoice::Uv => Installer::Uv(shipwheel_verify::find_uv().ok_or_else(|| {
            UsageError(
                "--installer uv: no uv found (set SHIPWHEEL_UV or put uv on PATH), or use --installer pip"
                    .into(),
            )
        })?),
        InstallerChoice::Auto => shipwheel_verify::find_uv()
            .map(Installer::Uv)
            .unwrap_or(Installer::Pip),
    };
    let opts = VerifyOptions {
        index_url: args.index_url.clone(),
        extra_index_urls: args.extra_index_url.clone(),
        target,
        timeout: Duration::from_secs(args.timeout),
        pythons: if args.no_install {
            Vec::new()
        } else {
            args.python.clone()
        },
        installer,
        smoke: args.smoke.clone(),
        poll_interval: Duration::from_millis(500),
        install_timeout: Duration::from_secs(args.install_timeout),
    };
    let (project, version) = opts.target.project_version();
    let human = args.format == Format::Human;
    if human && !global.quiet {
        output::println(&format!(
            "verify {project} {version} on {} (installer: {})",
            opts.index_url,
            opts.installer.name()
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let quiet = global.quiet;
    let mut print_step = |step: &Step| {
        if human && (!quiet || !step.ok) {
            print_human_step(step);
        }
    };
    let mut report = runtime.block_on(shipwheel_verify::verify(&opts, &mut print_step));
    if args.no_install {
        report.ok = report.steps.iter().all(|s| s.ok) && !report.steps.is_empty();
    }
    match args.format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&report).context("cannot write JSON")?;
            output::println(&text);
        }
        Format::Human => print_summary(&report, &args),
    }
    Ok(if report.ok {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn print_human_step(step: &Step) {
    let mark = if step.ok { "ok  " } else { "FAIL" };
    output::println(&format!(
        "  {mark} {:<40} {:>7.2}s  {}",
        step.name, step.seconds, step.detail
    ));
    if let Some(out) = &step.output {
        for line in out.lines() {
            output::println(&format!("       | {line}"));
        }
    }
}

fn print_summary(report: &VerifyReport, args: &VerifyArgs) {
    if report.ok {
        let how: Vec<String> = report
            .installs
            .iter()
            .map(|i| {
                format!(
                    "{} via {}{}",
                    i.python,
                    i.installer,
                    i.installed_kind
                        .as_ref()
                        .map(|k| format!(" from the {k}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        let propagation = report
            .propagation_seconds
            .map(|s| format!(" (index served it after {s:.1}s)"))
            .unwrap_or_default();
        if how.is_empty() {
            output::println(&format!(
                "verified: {} {} is served with the expected hashes{propagation}",
                report.project, report.version
            ));
        } else {
            output::println(&format!(
                "verified: {} {} installs and imports ({}){propagation}",
                report.project,
                report.version,
                how.join("; ")
            ));
        }
        return;
    }
    let failed = report.steps.iter().find(|s| !s.ok);
    let next = match failed {
        Some(s) if s.name == "wait for index" && s.detail.starts_with("timed out") => format!(
            "shipwheel verify --index-url {} --timeout {} {}",
            args.index_url,
            args.timeout.saturating_mul(2).max(60),
            args.targets.join(" ")
        ),
        Some(s) if s.name == "wait for index" && s.detail.contains("serves different bytes") => {
            "check what was uploaded, fix the release and publish a new version".to_string()
        }
        Some(s) if s.name == "wait for index" => format!(
            "check that {} is the simple index the release went to (it usually ends in /simple/) and that it answers",
            args.index_url
        ),
        Some(s) if s.detail.contains("stopped at the --install-timeout") => format!(
            "check that {} and any --extra-index-url answer; if the install or build is just slow, re-run with --install-timeout {}",
            args.index_url,
            args.install_timeout.saturating_mul(2)
        ),
        Some(s) if s.name.starts_with("create environment") => format!(
            "check the interpreter: each --python must be a Python on PATH or a path to one (tried {})",
            args.python.join(", ")
        ),
        Some(s) if s.name.starts_with("install ") && s.detail.contains("did not build from its sdist") => {
            "if the output above says the build backend was not found, add --extra-index-url for an index that has it; otherwise fix the sdist and release a new version".to_string()
        }
        Some(s) if s.name.starts_with("install dependencies") => {
            "the dependencies are not on the verified index: add --extra-index-url for the index that has them (e.g. PyPI for a TestPyPI release)".to_string()
        }
        _ => "fix the package (see the output above), then release a new version".to_string(),
    };
    output::println(&format!(
        "verify failed: {} {} on {}",
        report.project, report.version, report.index_url
    ));
    output::println(&format!("next: {next}"));
}

//! `shipwheel verify`: prove a release is really there and really works.
//!
//! 1. [`wait::wait_for_release`]: poll the index (PEP 691/503, with backoff) until it serves every
//!    expected file with the expected sha256; a different hash fails at once.
//! 2. [`install::verify_install`]: in a fresh virtual environment per interpreter (uv when found,
//!    else `python -m venv` + pip), install exactly `NAME==VERSION`, with no cache, pinned to the
//!    hashes the index listed, import every top-level module and check the installed version.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use shipwheel_index::secret::RedactedUrl;

pub mod install;
pub mod process;
pub mod target;
pub mod wait;

pub use target::{LocalFile, Target};

/// Everything `verify` needs.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The simple index the release was published to (`…/simple/`). Credentials in it are
    /// used but never shown, and reach installers through their environment, never argv.
    pub index_url: RedactedUrl,
    /// Indexes dependencies may come from (the package itself never does).
    pub extra_index_urls: Vec<RedactedUrl>,
    pub target: Target,
    /// How long to wait for the files to appear.
    pub timeout: Duration,
    /// Interpreters to verify with (each gets its own environment).
    pub pythons: Vec<String>,
    pub installer: Installer,
    /// A shell command run inside the environment after the imports.
    pub smoke: Option<String>,
    /// First polling delay (it grows up to [`wait::MAX_DELAY`]).
    pub poll_interval: Duration,
    /// How long one tool run (creating the environment, an install, the import check, the
    /// smoke test) may take before it is killed with everything it started.
    pub install_timeout: Duration,
}

/// The default for [`VerifyOptions::install_timeout`]: an sdist that compiles for a while fits,
/// an installer stuck on an index that never answers does not hang a CI job for hours.
pub const DEFAULT_INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// Which tool builds the environments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Installer {
    /// `uv venv` + `uv pip install` with this uv binary.
    Uv(PathBuf),
    /// `python -m venv` + pip.
    Pip,
}

impl Installer {
    pub fn name(&self) -> &'static str {
        match self {
            Installer::Uv(_) => "uv",
            Installer::Pip => "pip",
        }
    }
}

/// uv from `SHIPWHEEL_UV`, else the first `uv` on PATH.
pub fn find_uv() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SHIPWHEEL_UV").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("uv"))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// One step of the verification, as shown to the user.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// e.g. `wait for index`, `install (python3.11, uv)`.
    pub name: String,
    pub ok: bool,
    pub seconds: f64,
    /// One line on what happened.
    pub detail: String,
    /// The output of the failing tool (traceback, installer error), when the step failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

/// The result of one interpreter's install-and-import run.
#[derive(Clone, Debug, Serialize)]
pub struct InstallReport {
    pub python: String,
    pub installer: String,
    /// `wheel` or `sdist`, when the install got that far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_kind: Option<String>,
    /// The file that was installed, when it can be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_version: Option<String>,
    pub modules: Vec<String>,
    pub ok: bool,
}

/// The whole verification.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub project: String,
    pub version: String,
    pub index_url: String,
    /// Seconds from the start until the index served every expected file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation_seconds: Option<f64>,
    /// The files the index serves for the release.
    pub files: Vec<shipwheel_index::RemoteFile>,
    pub installs: Vec<InstallReport>,
    pub steps: Vec<Step>,
}

/// Run everything, reporting each step to `on_step` as it finishes.
pub async fn verify(opts: &VerifyOptions, on_step: &mut dyn FnMut(&Step)) -> VerifyReport {
    let (project, version) = opts.target.project_version();
    let mut report = VerifyReport {
        ok: false,
        project: project.clone(),
        version: version.clone(),
        index_url: opts.index_url.to_string(),
        propagation_seconds: None,
        files: Vec::new(),
        installs: Vec::new(),
        steps: Vec::new(),
    };
    let mut push = |report: &mut VerifyReport, step: Step| {
        on_step(&step);
        report.steps.push(step);
    };
    let waited = wait::wait_for_release(opts).await;
    match waited {
        Ok(found) => {
            report.propagation_seconds = Some(found.elapsed.as_secs_f64());
            push(
                &mut report,
                Step {
                    name: "wait for index".into(),
                    ok: true,
                    seconds: found.elapsed.as_secs_f64(),
                    detail: format!(
                        "{} file(s) served with the expected sha256 after {:.1}s ({} poll(s))",
                        found.files.len(),
                        found.elapsed.as_secs_f64(),
                        found.polls
                    ),
                    output: None,
                },
            );
            report.files = found.files;
        }
        Err(failure) => {
            push(
                &mut report,
                Step {
                    name: "wait for index".into(),
                    ok: false,
                    seconds: failure.elapsed.as_secs_f64(),
                    detail: failure.error.to_string(),
                    output: None,
                },
            );
            return report;
        }
    }
    let mut all_ok = true;
    for python in &opts.pythons {
        let (install, steps) =
            install::verify_install(opts, python, &project, &version, &report.files).await;
        for s in steps {
            push(&mut report, s);
        }
        all_ok &= install.ok;
        report.installs.push(install);
    }
    report.ok = all_ok && !opts.pythons.is_empty();
    report
}

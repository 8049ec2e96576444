//! `shipwheel publish`: upload distribution files so that a release ends complete: check every
//! file and ask the index what it already has before the first byte is sent, then upload wheels
//! (in parallel) and the sdist last, with retries that never upload a file twice.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use shipwheel_dist::DistKind;
use shipwheel_index::oidc::{GithubOidc, OidcError, TrustedPublisher};
use shipwheel_index::publish::{
    Auth, FileOutcome, FileStatus, Presence, ProjectPages, PublishFile, Reporter, TokenSource,
    UploadOptions, fetch_projects, preflight_with, present_outcome,
};
use shipwheel_index::secret::{RedactedUrl, redact_url, split_userinfo};
use shipwheel_index::targets::IndexTarget;
use shipwheel_index::{Credentials, IndexClient, Secret};

use crate::cli::GlobalArgs;
use crate::commands::{ExitStatus, UsageError};
use crate::output;
use crate::progress::{BarReporter, LineReporter, bytes, outcome_line};

#[derive(clap::Args, Debug)]
pub struct PublishArgs {
    /// Files or glob patterns (default: dist/*). Wheels go first, sdists last.
    pub paths: Vec<String>,
    /// Index to upload to: `pypi`, `testpypi`, or a section of ~/.pypirc (or --config-file).
    /// Default: $TWINE_REPOSITORY, else pypi.
    #[arg(short = 'r', long)]
    pub repository: Option<String>,
    /// Legacy upload URL (overrides --repository). Also $TWINE_REPOSITORY_URL, $UV_PUBLISH_URL.
    #[arg(long, visible_alias = "publish-url")]
    pub repository_url: Option<RedactedUrl>,
    /// The index's simple API, used to see what it already has. Derived for pypi/testpypi and
    /// by convention for devpi and pypiserver when not given.
    #[arg(long, visible_alias = "check-url")]
    pub index_url: Option<RedactedUrl>,
    /// The .pypirc file to read (default ~/.pypirc).
    #[arg(long)]
    pub config_file: Option<PathBuf>,
    /// API token (sent as user `__token__`). Also $UV_PUBLISH_TOKEN.
    #[arg(short = 't', long)]
    pub token: Option<Secret>,
    /// Username. Also $TWINE_USERNAME, $UV_PUBLISH_USERNAME.
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// Password. Also $TWINE_PASSWORD, $UV_PUBLISH_PASSWORD.
    #[arg(short = 'p', long)]
    pub password: Option<Secret>,
    /// Trusted publishing (OIDC): `auto` uses it on GitHub Actions when no token is given.
    #[arg(long, value_enum, default_value_t = TrustedPublishing::Auto)]
    pub trusted_publishing: TrustedPublishing,
    /// Upload even when `check` finds errors.
    #[arg(long)]
    pub no_check: bool,
    /// How the files are judged before the upload (the same flags as `shipwheel check`).
    #[command(flatten)]
    pub judge: crate::commands::judge::JudgeArgs,
    /// Do everything except the uploads.
    #[arg(long)]
    pub dry_run: bool,
    /// Accepted for twine compatibility: files already on the index are always skipped.
    #[arg(long, hide = true)]
    pub skip_existing: bool,
    /// Do not send PEP 740 attestations even with trusted publishing.
    #[arg(long)]
    pub no_attestations: bool,
    /// Parallel uploads.
    #[arg(short = 'j', long, default_value_t = 4)]
    pub jobs: usize,
    /// Seconds one upload request may take in total.
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
    /// Retries per file after the first attempt (connection errors, timeouts, 5xx, 429).
    #[arg(long, default_value_t = 4)]
    pub retries: u32,
    /// First retry delay in milliseconds (it doubles each time, with jitter).
    #[arg(
        long,
        hide = true,
        env = "SHIPWHEEL_RETRY_BASE_MS",
        default_value_t = 500
    )]
    pub retry_base_ms: u64,
    /// Skip asking the index before uploading (the upload path is then exercised alone; the
    /// index is still consulted when it answers "exists"). For testing.
    #[arg(long, hide = true)]
    pub no_preflight: bool,
    /// Never prompt for credentials.
    #[arg(long)]
    pub non_interactive: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustedPublishing {
    Auto,
    Always,
    Never,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Where to upload, resolved from flags, environment and pypirc.
struct Target {
    /// What the user named (`pypi`, a pypirc section, or the URL).
    label: String,
    /// How to point a re-run at the same place.
    resume_flag: Vec<String>,
    upload_url: url::Url,
    known: Option<IndexTarget>,
    pypirc_username: Option<String>,
    pypirc_password: Option<Secret>,
    url_credentials: Option<Credentials>,
}

/// Every variable `env` reads: one set to something that is not UTF-8 is a usage error up front.
const ENV_VARS: &[&str] = &[
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "CI",
    "HOME",
    "TWINE_PASSWORD",
    "TWINE_REPOSITORY",
    "TWINE_REPOSITORY_URL",
    "TWINE_USERNAME",
    "UV_PUBLISH_PASSWORD",
    "UV_PUBLISH_TOKEN",
    "UV_PUBLISH_URL",
    "UV_PUBLISH_USERNAME",
];

fn env(name: &str) -> Option<String> {
    debug_assert!(ENV_VARS.contains(&name), "{name} is missing from ENV_VARS");
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn run(args: PublishArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(args, global))
}

async fn run_async(args: PublishArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    crate::env::require_utf8(ENV_VARS)?;
    if args.jobs == 0 {
        return Err(UsageError("--jobs must be at least 1".into()).into());
    }
    let paths = expand_paths(&args.paths)?;
    let target = resolve_target(&args)?;
    let json = args.format == Format::Json;
    let gh = shipwheel_github::actions::Env::from_process().map_err(UsageError::from)?;

    // 1. Check every file (and read its metadata) before anything is uploaded.
    let static_creds = resolve_credentials(&args, &target)?;
    let check_paths = paths.clone();
    // Digests are needed for the upload form.
    let check_options = args.judge.options(false, true)?;
    let check = tokio::task::spawn_blocking(move || {
        shipwheel_dist::check_files(&check_paths, &check_options)
    });
    // One client for the index reads and the uploads (see `shared_http_client`); building it may
    // load the TLS roots, which happens while the files are checked.
    let upload_timeout = Duration::from_secs(args.timeout.max(1));
    let connect_timeout = Duration::from_secs(args.timeout.clamp(1, 10));
    let (candidate_urls, certain) = index_candidate_urls(&args, &target)?;
    let http = {
        let upload_url = target.upload_url.clone();
        let read_urls = candidate_urls.clone();
        tokio::task::spawn_blocking(move || {
            shipwheel_index::upload::shared_http_client(&upload_url, &read_urls, connect_timeout)
        })
        .await
        .context("building the HTTP client crashed")?
        .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    let uploader = shipwheel_index::upload::Uploader::with_http_client(
        &target.upload_url,
        http.clone(),
        upload_timeout,
    );
    let candidates = index_clients(
        &candidate_urls,
        &target,
        static_creds.clone(),
        http,
        args.timeout,
    )?;
    // Read the index while the files are checked: the requests only need the project names,
    // which the filenames give.
    let locate = tokio::spawn(locate_index(
        candidates,
        certain,
        paths
            .iter()
            .filter_map(|p| project_from_filename(p))
            .collect(),
        args.no_preflight,
    ));
    let report = check.await.context("the check crashed")?;
    if report.has_errors() {
        let mut text = String::new();
        for f in report.findings().filter(|f| f.is_error()) {
            text.push_str(&format!("  {} [{}] {}\n", f.file, f.rule, f.message));
            if !f.hint.is_empty() {
                text.push_str(&format!("      hint: {}\n", f.hint));
            }
        }
        if args.no_check {
            if !global.quiet {
                output::eprintln(&format!(
                    "warning: uploading despite check errors (--no-check):\n{}",
                    text.trim_end()
                ));
            }
        } else {
            output::eprintln(&format!(
                "error: check found problems PyPI would refuse; nothing was uploaded:\n{}\nFix them and run `shipwheel check {}` to confirm, or pass --no-check to upload anyway.",
                text.trim_end(),
                shell_join(paths.iter().map(|p| p.display().to_string()))
            ));
            if json {
                let reasons: Vec<String> = report
                    .findings()
                    .filter(|f| f.is_error())
                    .map(|f| format!("{} [{}] {}", f.file, f.rule, f.message))
                    .collect();
                print_json(&target, &args, &[], false, None, &reasons);
            }
            return Ok(ExitStatus::Failure);
        }
    }

    // 2. Digests (from the check's single streaming pass) and what the form needs.
    let mut files = Vec::with_capacity(paths.len());
    let trusted_wanted = args.trusted_publishing != TrustedPublishing::Never;
    for fr in &report.files {
        let kind = fr
            .kind
            .or_else(|| shipwheel_dist::filename::kind_from_extension(&fr.filename));
        let (Some(kind), Some(metadata)) = (kind, fr.metadata.clone()) else {
            output::eprintln(&format!(
                "error: cannot read the metadata of {}; nothing was uploaded. Run `shipwheel check {}` for details.",
                fr.path.display(),
                shell_quote(&fr.path.display().to_string())
            ));
            return Ok(ExitStatus::Failure);
        };
        let project = fr
            .name
            .clone()
            .or_else(|| metadata.get("Name").map(str::to_string))
            .unwrap_or_default();
        let version = fr
            .version
            .clone()
            .or_else(|| metadata.get("Version").map(str::to_string))
            .unwrap_or_default();
        // The check already hashed the file in its single pass; hash here only if it could not.
        let digests = match (&fr.sha256, &fr.blake2_256) {
            (Some(sha256), Some(blake2_256)) if fr.size > 0 => shipwheel_index::upload::Digests {
                sha256: sha256.clone(),
                blake2_256: blake2_256.clone(),
                size: fr.size,
            },
            _ => shipwheel_index::upload::hash_file(&fr.path)
                .await
                .with_context(|| format!("reading {}", fr.path.display()))?,
        };
        let attestations = if trusted_wanted && !args.no_attestations {
            read_attestations(&fr.path, &fr.filename)?
        } else {
            None
        };
        files.push(PublishFile {
            path: fr.path.clone(),
            filename: fr.filename.clone(),
            kind,
            project,
            version,
            metadata,
            digests,
            attestations,
        });
    }
    // Wheels first, then sdists; by filename within each.
    files.sort_by(|a, b| {
        (a.kind != DistKind::Wheel, &a.filename).cmp(&(b.kind != DistKind::Wheel, &b.filename))
    });

    // 3. Credentials.
    let warehouse = target.known.as_ref().is_some_and(IndexTarget::is_warehouse);
    let github = GithubOidc::from_env(env);
    let use_trusted = match args.trusted_publishing {
        TrustedPublishing::Never => false,
        TrustedPublishing::Always => {
            if static_creds.is_some() {
                return Err(UsageError(
                    "--trusted-publishing always cannot be combined with a token or password"
                        .into(),
                )
                .into());
            }
            if github.is_none() {
                output::eprintln(&format!("error: {}", OidcError::NoAmbientCredentials));
                return Ok(ExitStatus::Error);
            }
            true
        }
        TrustedPublishing::Auto => static_creds.is_none() && github.is_some(),
    };
    let static_creds = match static_creds {
        Some(c) => Some(c),
        None if !use_trusted => prompt_credentials(&args, &target, warehouse)?,
        None => None,
    };
    if static_creds.is_none() && !use_trusted && warehouse {
        return Err(UsageError(format!(
            "no credentials for {}: pass --token (or set TWINE_PASSWORD / UV_PUBLISH_TOKEN), or publish from GitHub Actions with trusted publishing (`permissions: id-token: write`)",
            target.label
        ))
        .into());
    }
    if !use_trusted {
        if files.iter().any(|f| f.attestations.is_some()) && !global.quiet {
            output::eprintln(
                "note: attestation files are not sent: indexes accept PEP 740 attestations only from uploads made with trusted publishing",
            );
        }
        for f in &mut files {
            f.attestations = None;
        }
    }

    // 4. Ask the index what it has (its pages were being read while the files were checked).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let located = match locate.await {
        Ok(result) => result,
        Err(e) => return Err(anyhow::anyhow!("reading the index crashed: {e}")),
    };
    let preflight = async {
        let (checker, pages) = located?;
        // With --no-preflight the index is located (for checks after a failed attempt) but
        // nothing is compared.
        let compare_with = checker.as_ref().filter(|_| !args.no_preflight);
        let pre = preflight_with(&files, compare_with, pages, warehouse, now).await?;
        Ok::<_, shipwheel_index::ReadError>((checker, pre))
    };
    let (checker, pre) = match preflight.await {
        Ok(found) => found,
        Err(e) => {
            let next = match e {
                shipwheel_index::ReadError::Redirected { .. } => {
                    "Pass the URLs the index redirects to (--repository-url, --index-url)."
                }
                _ => "Retry later, or pass --index-url with the index's simple URL.",
            };
            output::eprintln(&format!(
                "error: cannot ask the index what it already has, so nothing was uploaded: {e}\n{next}"
            ));
            if json {
                print_json(&target, &args, &[], false, None, &[e.to_string()]);
            }
            return Ok(ExitStatus::Failure);
        }
    };
    if checker.is_none() && !global.quiet && !args.no_preflight {
        output::eprintln(
            "warning: shipwheel cannot find this index's simple API, so it cannot check what is already there; pass --index-url to enable the preflight check",
        );
    }
    if !pre.refusals.is_empty() {
        let mut text = String::from("error: refusing the whole batch; nothing was uploaded:\n");
        for r in &pre.refusals {
            text.push_str(&format!("  {r}\n"));
        }
        output::eprintln(text.trim_end());
        let reasons: Vec<String> = pre.refusals.iter().map(|r| r.to_string()).collect();
        if json {
            print_json(&target, &args, &[], false, None, &reasons);
        }
        if gh.is_github_actions() {
            let _ = append_summary(
                &gh,
                &format!(
                    "### shipwheel publish: batch refused, nothing uploaded\n\n{}\n",
                    reasons
                        .iter()
                        .map(|r| format!("- {r}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            );
        }
        return Ok(ExitStatus::Failure);
    }

    let mut outcomes: Vec<(usize, FileOutcome)> = Vec::new();
    let mut todo = Vec::new();
    for (i, (f, p)) in files.iter().zip(&pre.presence).enumerate() {
        match p {
            Presence::Identical(remote) => outcomes.push((i, present_outcome(f, remote))),
            _ => todo.push(i),
        }
    }
    if !json && !global.quiet {
        for (_, o) in &outcomes {
            output::eprintln(&outcome_line(o));
        }
    }

    // 5. Dry run stops here.
    if args.dry_run {
        for i in &todo {
            if let Some(f) = files.get(*i) {
                let mut o = FileOutcome::new(f, FileStatus::WouldUpload);
                o.message = Some("dry run: not uploaded".into());
                if !json && !global.quiet {
                    output::eprintln(&outcome_line(&o));
                }
                outcomes.push((*i, o));
            }
        }
        outcomes.sort_by_key(|(i, _)| *i);
        let list: Vec<FileOutcome> = outcomes.into_iter().map(|(_, o)| o).collect();
        if json {
            print_json(&target, &args, &list, true, None, &[]);
        } else if !global.quiet {
            output::println(&format!(
                "Dry run: {} file(s) would be uploaded to {}, {} already there. Nothing was sent.",
                todo.len(),
                redact_url(target.upload_url.as_str()),
                list.len() - todo.len()
            ));
        }
        return Ok(ExitStatus::Success);
    }

    // 6. Authentication for the uploads.
    let auth = if use_trusted && !todo.is_empty() {
        let github = github
            .clone()
            .ok_or_else(|| UsageError(OidcError::NoAmbientCredentials.to_string()))?;
        let publisher = TrustedPublisher::new(&target.upload_url, github, Duration::from_secs(30))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let on_actions = gh.is_github_actions();
        let source = Arc::new(TokenSource::new(
            publisher,
            Duration::from_secs(300),
            Arc::new(move |token: &Secret| {
                if on_actions {
                    output::add_mask(token);
                }
            }),
        ));
        // Mint now, so a refused exchange stops the run before any upload.
        match source.token().await {
            Ok(_) => Auth::Trusted(source),
            Err(OidcError::NotSupported { url, detail })
                if args.trusted_publishing == TrustedPublishing::Auto =>
            {
                if !global.quiet {
                    output::eprintln(&format!(
                        "note: {url} does not offer trusted publishing ({detail}); uploading without credentials"
                    ));
                }
                for f in &mut files {
                    f.attestations = None;
                }
                Auth::None
            }
            Err(e) => {
                output::eprintln(&format!("error: {e}\nNothing was uploaded."));
                if gh.is_github_actions() {
                    let _ = append_summary(
                        &gh,
                        &format!(
                            "### shipwheel publish: trusted publishing refused\n\n```\n{e}\n```\n"
                        ),
                    );
                }
                return Ok(ExitStatus::Failure);
            }
        }
    } else {
        match &static_creds {
            Some(c) => Auth::Static(c.clone()),
            None => Auth::None,
        }
    };

    // 7. Upload.
    let opts = UploadOptions {
        jobs: args.jobs,
        retries: args.retries,
        backoff_base: Duration::from_millis(args.retry_base_ms),
        backoff_max: Duration::from_secs(30).max(Duration::from_millis(args.retry_base_ms)),
        ..UploadOptions::default()
    };
    let files = Arc::new(files);
    let tty = std::io::stderr().is_terminal() && !json && !global.quiet;
    let bars = tty.then(|| Arc::new(BarReporter::new(&files, &todo)));
    let reporter: Arc<dyn Reporter> = match &bars {
        Some(b) => b.clone(),
        None => Arc::new(LineReporter {
            per_file: !json && !global.quiet,
            verbose: global.verbose > 0,
        }),
    };
    let uploaded = shipwheel_index::publish::upload_all(
        files.clone(),
        todo.clone(),
        uploader,
        checker,
        auth,
        &opts,
        reporter,
        json,
    )
    .await;
    if let Some(b) = &bars {
        b.finish();
    }
    outcomes.extend(uploaded);
    outcomes.sort_by_key(|(i, _)| *i);
    let list: Vec<FileOutcome> = outcomes.into_iter().map(|(_, o)| o).collect();

    // 8. Summary.
    let pending: Vec<&FileOutcome> = list.iter().filter(|o| !o.status.is_done()).collect();
    let resume = (!pending.is_empty()).then(|| resume_command(&args, &target, &pending));
    if gh.is_github_actions() {
        let _ = append_summary(&gh, &step_summary(&target, &list, resume.as_deref()));
    }
    if json {
        print_json(&target, &args, &list, false, resume.as_deref(), &[]);
    }
    let done_new = list
        .iter()
        .filter(|o| o.status == FileStatus::Uploaded)
        .count();
    let present = list
        .iter()
        .filter(|o| o.status == FileStatus::AlreadyPresent)
        .count();
    match &resume {
        None => {
            if !json && !global.quiet {
                output::println(&format!(
                    "Published to {}: {done_new} uploaded, {present} already there. Every file is on the index.",
                    redact_url(target.upload_url.as_str())
                ));
            }
            Ok(ExitStatus::Success)
        }
        Some(cmd) => {
            if !json {
                output::eprintln(&format!(
                    "Not finished: {} of {} file(s) are not on the index ({done_new} uploaded, {present} already there).\nFix the cause above, then resume with (files already on the index are skipped):\n  {cmd}",
                    pending.len(),
                    list.len()
                ));
            }
            Ok(ExitStatus::Failure)
        }
    }
}

fn is_dist(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| shipwheel_dist::filename::kind_from_extension(n).is_some())
}

/// Expand globs; a pattern that matches nothing, or a named file that is not a distribution,
/// is a usage error. Non-distribution files matched by a glob (attestations, signatures) are
/// skipped.
fn expand_paths(patterns: &[String]) -> anyhow::Result<Vec<PathBuf>> {
    let defaulted = patterns.is_empty();
    let patterns: Vec<String> = if defaulted {
        vec!["dist/*".into()]
    } else {
        patterns.to_vec()
    };
    let mut out: Vec<PathBuf> = Vec::new();
    for pat in &patterns {
        let direct = Path::new(pat);
        if direct.is_file() {
            if !is_dist(direct) {
                return Err(UsageError(format!(
                    "{pat} is not a distribution file (.whl, .tar.gz or .zip)"
                ))
                .into());
            }
            out.push(direct.to_path_buf());
            continue;
        }
        let matches =
            glob::glob(pat).map_err(|e| UsageError(format!("invalid pattern `{pat}`: {e}")))?;
        let mut found = false;
        for m in matches.flatten() {
            if m.is_file() && is_dist(&m) {
                found = true;
                out.push(m);
            }
        }
        if !found {
            return Err(UsageError(if defaulted {
                "no distribution files in dist/: build first (e.g. `uv build`), or name the files"
                    .into()
            } else {
                format!("`{pat}` matches no distribution file")
            })
            .into());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn read_attestations(path: &Path, filename: &str) -> anyhow::Result<Option<String>> {
    let Some(dir) = path.parent() else {
        return Ok(None);
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{filename}.");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.starts_with(&prefix)
                            && n.ends_with(".attestation")
                            && n.len() > prefix.len() + ".attestation".len()
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if found.is_empty() {
        return Ok(None);
    }
    found.sort();
    let mut items = Vec::new();
    for p in &found {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| UsageError(format!("{} is not valid JSON: {e}", p.display())))?;
        items.push(value);
    }
    Ok(Some(serde_json::Value::Array(items).to_string()))
}

fn parse_url(text: &str, what: &str) -> anyhow::Result<url::Url> {
    let u = url::Url::parse(text)
        .map_err(|e| UsageError(format!("{what} `{}` is not a URL: {e}", redact_url(text))))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(UsageError(format!("{what} must be http or https")).into());
    }
    Ok(u)
}

fn resolve_target(args: &PublishArgs) -> anyhow::Result<Target> {
    let from_env = || {
        env("TWINE_REPOSITORY_URL")
            .or_else(|| env("UV_PUBLISH_URL"))
            .map(|text| {
                RedactedUrl::parse(&text).map_err(|e| UsageError(format!("the repository URL {e}")))
            })
            .transpose()
    };
    let url = match &args.repository_url {
        Some(u) => Some(u.clone()),
        None => from_env()?,
    };
    if let Some(url) = url {
        let upload_url = url.without_credentials().clone();
        let url_credentials = url.credentials().cloned();
        let known = ["pypi", "testpypi"]
            .into_iter()
            .filter_map(IndexTarget::known)
            .find(|t| {
                t.upload_url.trim_end_matches('/') == upload_url.as_str().trim_end_matches('/')
            });
        let shown = redact_url(upload_url.as_str());
        return Ok(Target {
            label: shown.clone(),
            resume_flag: vec!["--repository-url".into(), shown],
            upload_url,
            known,
            pypirc_username: None,
            pypirc_password: None,
            url_credentials,
        });
    }
    let name = args
        .repository
        .clone()
        .or_else(|| env("TWINE_REPOSITORY"))
        .unwrap_or_else(|| "pypi".into());
    let config_path = args
        .config_file
        .clone()
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".pypirc")));
    let mut section = None;
    // Why a section that is in the file cannot be used, for the error below.
    let mut unusable = None;
    if let Some(path) = &config_path {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let repos = shipwheel_index::pypirc::parse_pypirc(&text)
                    .map_err(|e| UsageError(format!("{} cannot be read: {e}", path.display())))?;
                section = repos.into_iter().find(|r| r.name == name);
                let in_file = shipwheel_index::pypirc::parse_ini(&text)
                    .is_ok_and(|sections| sections.contains_key(&name));
                unusable = match &section {
                    None if in_file => Some(format!(
                        "[{name}] in {} is not listed in `index-servers` under [distutils]: add `{name}` there",
                        path.display()
                    )),
                    Some(s) if s.repository.is_none() => Some(format!(
                        "[{name}] in {} has no `repository = URL`: add the index's upload URL there",
                        path.display()
                    )),
                    _ => None,
                };
            }
            Err(e) if args.config_file.is_some() => {
                return Err(UsageError(format!("cannot read {}: {e}", path.display())).into());
            }
            Err(_) => {}
        }
    }
    let known = IndexTarget::known(&name);
    let url_text = section
        .as_ref()
        .and_then(|s| s.repository.clone())
        .or_else(|| known.as_ref().map(|k| k.upload_url.clone()))
        .ok_or_else(|| {
            if let Some(why) = &unusable {
                return UsageError(format!("repository `{name}` cannot be used: {why}"));
            }
            UsageError(format!(
                "unknown repository `{name}`: it is not pypi or testpypi and has no section in {}; pass --repository-url URL or add [{name}] with `repository = URL`",
                config_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "~/.pypirc".into())
            ))
        })?;
    let parsed = parse_url(&url_text, "the repository URL")?;
    let (upload_url, url_credentials) = split_userinfo(&parsed);
    let known = known
        .filter(|k| k.upload_url == upload_url.as_str())
        .or_else(|| {
            ["pypi", "testpypi"]
                .into_iter()
                .filter_map(IndexTarget::known)
                .find(|t| t.upload_url == upload_url.as_str())
        });
    let mut resume_flag = vec!["--repository".into(), name.clone()];
    if let Some(c) = &args.config_file {
        resume_flag.push("--config-file".into());
        resume_flag.push(c.display().to_string());
    }
    Ok(Target {
        label: name,
        resume_flag,
        upload_url,
        known,
        pypirc_username: section.as_ref().and_then(|s| s.username.clone()),
        pypirc_password: section.and_then(|s| s.password),
        url_credentials,
    })
}

fn resolve_credentials(args: &PublishArgs, target: &Target) -> anyhow::Result<Option<Credentials>> {
    let token = args
        .token
        .clone()
        .or_else(|| env("UV_PUBLISH_TOKEN").map(Secret::new));
    if let Some(token) = token {
        return Ok(Some(Credentials::token(token)));
    }
    let username = args
        .username
        .clone()
        .or_else(|| env("TWINE_USERNAME"))
        .or_else(|| env("UV_PUBLISH_USERNAME"))
        .or_else(|| target.pypirc_username.clone());
    let password = args
        .password
        .clone()
        .or_else(|| env("TWINE_PASSWORD").map(Secret::new))
        .or_else(|| env("UV_PUBLISH_PASSWORD").map(Secret::new))
        .or_else(|| target.pypirc_password.clone());
    match (username, password) {
        (Some(u), Some(p)) => Ok(Some(Credentials::new(u, p))),
        (None, Some(p)) => {
            if target.known.is_some() || p.expose().starts_with("pypi-") {
                Ok(Some(Credentials::token(p)))
            } else {
                Err(UsageError(
                    "a password was given without a username: pass --username (or TWINE_USERNAME), or use --token for an API token".into(),
                )
                .into())
            }
        }
        (Some(_), None) | (None, None) => Ok(target.url_credentials.clone()),
    }
}

/// Ask on a terminal, never in CI or with --non-interactive.
fn prompt_credentials(
    args: &PublishArgs,
    target: &Target,
    warehouse: bool,
) -> anyhow::Result<Option<Credentials>> {
    let interactive = !args.non_interactive
        && env("CI").is_none()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal();
    if !interactive || !warehouse && args.username.is_none() && env("TWINE_USERNAME").is_none() {
        return Ok(None);
    }
    let username = args
        .username
        .clone()
        .or_else(|| env("TWINE_USERNAME"))
        .unwrap_or_else(|| "__token__".into());
    let text = format!(
        "{} for {username} on {}: ",
        if username == "__token__" {
            "API token"
        } else {
            "Password"
        },
        target.label
    );
    let secret = read_hidden(&text)?;
    if secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credentials::new(username, Secret::new(secret))))
}

/// Prompt on the terminal and read a line without echo (rpassword, which opens /dev/tty).
///
/// rpassword reads Ctrl-C as a key and raises SIGINT while the terminal is still in raw mode;
/// with the default action the process would die there and leave the terminal without echo.
/// So SIGINT is caught from here on: at the prompt, rpassword then restores the terminal and
/// returns `Interrupted`, and the run ends (exit 1, nothing uploaded); later, a Ctrl-C ends the
/// run at once as before.
fn read_hidden(prompt: &str) -> anyhow::Result<String> {
    #[cfg(unix)]
    let interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    match rpassword::prompt_password(prompt) {
        Ok(line) => {
            // Only now: the Ctrl-C that ended a prompt would also reach this listener.
            #[cfg(unix)]
            if let Ok(mut interrupt) = interrupt {
                tokio::spawn(async move {
                    if interrupt.recv().await.is_some() {
                        std::process::exit(130);
                    }
                });
            }
            Ok(line)
        }
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            output::eprintln("interrupted at the password prompt; nothing was uploaded");
            std::process::exit(ExitStatus::Failure as i32);
        }
        Err(e) => Err(anyhow::Error::new(e).context("reading the password from the terminal")),
    }
}

/// Where the simple API may be: --index-url or the known one (`true`: certain), else the
/// conventional candidates in order (`false`: to be confirmed).
fn index_candidate_urls(
    args: &PublishArgs,
    target: &Target,
) -> anyhow::Result<(Vec<url::Url>, bool)> {
    if let Some(u) = &args.index_url {
        // Whole, for the reading client to take the credentials out again (it never prints
        // them).
        return Ok((vec![parse_url(&u.expose(), "--index-url")?], true));
    }
    if let Some(k) = &target.known {
        return Ok((
            vec![parse_url(&k.simple_url, "the index's simple URL")?],
            true,
        ));
    }
    Ok((simple_url_candidates(&target.upload_url), false))
}

/// A reading client per candidate URL, on the run's shared HTTP client.
fn index_clients(
    urls: &[url::Url],
    target: &Target,
    creds: Option<Credentials>,
    http: shipwheel_index::HttpClient,
    timeout: u64,
) -> anyhow::Result<Vec<IndexClient>> {
    let timeout = Duration::from_secs(timeout.clamp(1, 60));
    // Upload credentials go only to the upload host, and never to PyPI's public reads.
    let same_host = |u: &url::Url| {
        u.host_str() == target.upload_url.host_str()
            && u.port_or_known_default() == target.upload_url.port_or_known_default()
    };
    urls.iter()
        .map(|url| {
            let client = IndexClient::with_http_client(url.as_str(), http.clone(), timeout)
                .map_err(|e| UsageError(e.to_string()))?;
            Ok(if target.known.is_none() && same_host(url) {
                client.with_credentials(creds.clone())
            } else {
                client
            })
        })
        .collect()
}

/// Find the simple API and read the pages of `projects` from it (started while the files are
/// still being checked). A candidate is confirmed when it knows one of the projects, or else when
/// its root answers 200 (one extra request, only for a first release). Returns the client (None
/// when no candidate is a simple API) and the pages read.
async fn locate_index(
    candidates: Vec<IndexClient>,
    certain: bool,
    projects: Vec<String>,
    skip_preflight: bool,
) -> Result<(Option<IndexClient>, ProjectPages), shipwheel_index::ReadError> {
    if skip_preflight {
        for c in candidates {
            if certain || c.probe().await {
                return Ok((Some(c), ProjectPages::new()));
            }
        }
        return Ok((None, ProjectPages::new()));
    }
    for c in candidates {
        match fetch_projects(&c, projects.iter().cloned()).await {
            Ok(pages) if certain || pages.values().any(Option::is_some) || c.probe().await => {
                return Ok((Some(c), pages));
            }
            Ok(_) => continue,
            Err(e) if certain => return Err(e),
            // A wrong guess answers errors (405, 500, ...); try the next one.
            Err(_) => continue,
        }
    }
    Ok((None, ProjectPages::new()))
}

/// The project a distribution's filename names, to start reading the index before the files'
/// metadata is read (the preflight compares with the metadata's name later).
fn project_from_filename(path: &Path) -> Option<String> {
    let parsed = shipwheel_dist::DistFilename::parse(path.file_name()?.to_str()?).ok()?;
    Some(parsed.name().to_string())
}

/// Conventions: `…/legacy/` → `…/simple/` (Warehouse and shipwheel serve); devpi's
/// `/<user>/<index>/` → `/<user>/<index>/+simple/`; pypiserver's `/` → `/simple/`.
fn simple_url_candidates(upload: &url::Url) -> Vec<url::Url> {
    let mut out = Vec::new();
    let path = upload.path();
    let dir = if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    };
    let mut push = |p: &str| {
        let mut u = upload.clone();
        u.set_path(p);
        u.set_query(None);
        if !out.contains(&u) {
            out.push(u);
        }
    };
    if let Some(parent) = dir.strip_suffix("legacy/") {
        push(&format!("{parent}simple/"));
    }
    let segments = dir
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .count();
    if segments == 2 {
        push(&format!("{dir}+simple/"));
    }
    push(&format!("{dir}simple/"));
    push("/simple/");
    out
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+%,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn shell_join(parts: impl IntoIterator<Item = String>) -> String {
    parts
        .into_iter()
        .map(|p| shell_quote(&p))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The command that finishes the job: same target, the files not yet on the index. Secrets are
/// never part of it; they come from the environment or flags as before.
fn resume_command(args: &PublishArgs, target: &Target, pending: &[&FileOutcome]) -> String {
    let mut parts: Vec<String> = vec!["shipwheel".into(), "publish".into()];
    parts.extend(target.resume_flag.iter().cloned());
    if let Some(u) = &args.index_url {
        parts.push("--index-url".into());
        parts.push(u.to_string());
    }
    if args.trusted_publishing != TrustedPublishing::Auto {
        parts.push("--trusted-publishing".into());
        parts.push(format!("{:?}", args.trusted_publishing).to_ascii_lowercase());
    }
    if args.no_check {
        parts.push("--no-check".into());
    }
    if let Some(u) = &args.username {
        parts.push("--username".into());
        parts.push(u.clone());
    }
    parts.extend(pending.iter().map(|o| o.path.display().to_string()));
    let mut cmd = shell_join(parts);
    if args.token.is_some() || args.password.is_some() {
        cmd.push_str(
            "  # plus the same --token/--password (or set UV_PUBLISH_TOKEN / TWINE_PASSWORD)",
        );
    } else if target.url_credentials.is_some() {
        cmd.push_str(
            "  # plus the credentials that were in the URL (user:password@ is not repeated here; or set TWINE_USERNAME / TWINE_PASSWORD)",
        );
    }
    cmd
}

fn print_json(
    target: &Target,
    args: &PublishArgs,
    files: &[FileOutcome],
    dry_run: bool,
    resume: Option<&str>,
    refusals: &[String],
) {
    let ok = refusals.is_empty()
        && !files.is_empty()
        && files.iter().all(|f| f.status.is_done() || dry_run);
    let value = serde_json::json!({
        "schema_version": 1,
        "repository": target.label,
        "upload_url": redact_url(target.upload_url.as_str()),
        "dry_run": dry_run,
        "ok": ok,
        "files": files,
        "refusals": refusals,
        "resume_command": resume,
        "jobs": args.jobs,
    });
    output::println(&serde_json::to_string_pretty(&value).unwrap_or_default());
}

/// Append to the step summary, with every secret redacted (it holds the index's messages).
fn append_summary(gh: &shipwheel_github::actions::Env, markdown: &str) -> std::io::Result<bool> {
    gh.append_step_summary(&shipwheel_index::secret::redact(markdown))
}

fn step_summary(target: &Target, files: &[FileOutcome], resume: Option<&str>) -> String {
    let mut md = format!(
        "### shipwheel publish to {}\n\n| File | Result | Size | SHA256 |\n|---|---|---|---|\n",
        redact_url(target.upload_url.as_str())
    );
    for f in files {
        let status = match f.status {
            FileStatus::Uploaded => "uploaded",
            FileStatus::AlreadyPresent => "already present, identical",
            FileStatus::WouldUpload => "would upload (dry run)",
            FileStatus::Failed => "**failed**",
            FileStatus::NotAttempted => "not attempted",
        };
        md.push_str(&format!(
            "| `{}` | {} | {} | `{}` |\n",
            f.filename,
            status,
            bytes(f.size),
            f.sha256
        ));
    }
    if let Some(cmd) = resume {
        md.push_str(&format!(
            "\nNot finished. Resume with:\n\n```\n{cmd}\n```\n"
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_url_conventions() {
        let c = |u: &str| -> Vec<String> {
            simple_url_candidates(&url::Url::parse(u).unwrap())
                .into_iter()
                .map(|u| u.to_string())
                .collect()
        };
        assert_eq!(c("http://h:1/")[0], "http://h:1/simple/");
        assert_eq!(
            c("http://h:1/uploader/stable/")[0],
            "http://h:1/uploader/stable/+simple/"
        );
        assert_eq!(c("http://h:1/legacy/")[0], "http://h:1/simple/");
        assert_eq!(c("http://h:1/x/legacy/")[0], "http://h:1/x/simple/");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("dist/a-1.0.tar.gz"), "dist/a-1.0.tar.gz");
        assert_eq!(shell_quote("my file"), "'my file'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}

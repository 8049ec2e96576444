//! `shipwheel plan`: decide what this CI event may publish, and under which version.

use std::path::PathBuf;
use std::str::FromStr;

use clap::ValueEnum;
use shipwheel_github::actions::Env;
use shipwheel_index::IndexClient;
use shipwheel_index::secret::redact_url;
use shipwheel_index::targets::IndexTarget;
use shipwheel_project::config::Pyproject;
use shipwheel_project::event;
use shipwheel_project::facts::{gather, tag_pattern};
use shipwheel_project::git::Git;
use shipwheel_project::localdist::local_files;
use shipwheel_project::plan::{
    Allow, EventSummary, IndexFacts, IndexFile, Intent, Plan, TargetUrls, decide, filename_version,
    intent, render_markdown, render_text,
};
use shipwheel_project::uv_pep440::Version;
use shipwheel_project::version::VersionError;

use crate::cli::GlobalArgs;
use crate::commands::{ExitStatus, UsageError};
use crate::output;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 whether or not it publishes, 1 when a requested publish is \
                        refused, 2 on usage or configuration errors. See docs/plan.md."
)]
pub struct PlanArgs {
    /// The project directory (holding pyproject.toml, inside the git checkout).
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Read this simple index instead of the target's (e.g. a mirror or a local index).
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Do not read the index: the already-published and latest-version checks are skipped.
    #[arg(long)]
    pub offline: bool,
    /// Built files to compare with the index (default: dist/ in the project, when present).
    #[arg(long, value_name = "DIR")]
    pub dist: Option<PathBuf>,
    /// Allow releasing a version lower than the latest release on the index.
    #[arg(long)]
    pub allow_older: bool,
    /// Allow releasing a tag whose commit is not on the default or a release branch.
    #[arg(long)]
    pub allow_off_branch: bool,
    /// Allow a dispatched dev build of a commit that is not on the default branch.
    #[arg(long)]
    pub allow_any_branch: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

pub fn run(args: PlanArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let mut py = Pyproject::load(&args.project).map_err(|e| usage(e.to_string()))?;
    let git = Git::new(&args.project);
    // Without a configured tag-pattern, a project versioned by git tags uses its backend's.
    py.shipwheel.tag_pattern = tag_pattern(&py, Some(&git)).map_err(|e| usage(e.to_string()))?;
    let config = &py.shipwheel;
    let github = Env::from_process().map_err(UsageError::from)?;
    let ci_event = event::from_env(crate::env::vars(event::EVENT_VARS)?).map_err(usage)?;
    let allow = Allow {
        older: args.allow_older,
        off_branch: args.allow_off_branch,
        any_branch: args.allow_any_branch,
    };
    let summary = EventSummary::from_event(&ci_event, config);
    let wanted = intent(&ci_event, config).map_err(|e| usage(e.0))?;

    let plan = match &wanted {
        Intent::Nothing { .. } => decide(&wanted, &empty_facts(), summary, config, &allow),
        Intent::Dev { target, .. } | Intent::Release { target, .. } => {
            let mut facts = gather(&wanted, &py, &git, &ci_event).map_err(|e| match e {
                VersionError::Config(m) | VersionError::Disagree(m) => usage(m),
            })?;
            let known = IndexTarget::known(target)
                .ok_or_else(|| usage(format!("unknown target {target}")))?;
            let simple_url = match (&args.index_url, config.index_urls.get(target)) {
                (Some(url), _) => url.clone(),
                (None, Some(url)) => url.clone(),
                (None, None) => known.simple_url.clone(),
            };
            let overridden = simple_url != known.simple_url;
            facts.target_urls = Some(TargetUrls {
                simple_url: redact_url(&simple_url),
                upload_url: (!overridden).then(|| known.upload_url.clone()),
            });
            let dist = args
                .dist
                .clone()
                .unwrap_or_else(|| args.project.join("dist"));
            if args.dist.is_some() && !dist.is_dir() {
                return Err(usage(format!(
                    "--dist {} is not a directory",
                    dist.display()
                )));
            }
            facts.local_files = local_files(&dist)
                .map_err(|e| usage(format!("cannot read {}: {e}", dist.display())))?;
            facts.dist_dir = Some(dist.display().to_string());
            facts.index = if args.offline {
                IndexFacts::Offline
            } else {
                let project = facts.project.clone().ok_or_else(|| {
                    usage("pyproject.toml has no [project] name, so the index cannot be read")
                })?;
                read_index(&simple_url, &project)?
            };
            decide(&wanted, &facts, summary, config, &allow)
        }
    };

    match args.format {
        Format::Json => output::println(&serde_json::to_string_pretty(&plan)?),
        Format::Text => {
            if !global.quiet || plan.refused() {
                output::print(&render_text(&plan));
            }
        }
    }
    write_github(&github, &plan)?;
    Ok(if plan.refused() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn empty_facts() -> shipwheel_project::plan::Facts {
    shipwheel_project::plan::Facts {
        project: None,
        project_version: Err(String::new()),
        version_source: String::new(),
        vcs: false,
        version_tagged: false,
        commit: None,
        head: None,
        commit_time: None,
        shallow: false,
        default_branch: None,
        branches: Vec::new(),
        index: IndexFacts::Offline,
        target_urls: None,
        local_files: Vec::new(),
        dist_dir: None,
    }
}

fn read_index(simple_url: &str, project: &str) -> anyhow::Result<IndexFacts> {
    let client = IndexClient::new(simple_url).map_err(|e| usage(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let files = runtime
        .block_on(client.project_files(project))
        .map_err(|e| {
            usage(format!(
                "{e}\n  (to plan without the index, pass --offline)"
            ))
        })?;
    Ok(match files {
        None => IndexFacts::Unknown,
        Some(files) => IndexFacts::Files(
            files
                .into_iter()
                .map(|f| IndexFile {
                    version: f
                        .version
                        .as_deref()
                        .and_then(|v| Version::from_str(v).ok())
                        .or_else(|| filename_version(&f.filename)),
                    filename: f.filename,
                    sha256: f.sha256,
                    yanked: f.yanked,
                })
                .collect(),
        ),
    })
}

/// On GitHub Actions: step outputs and the step summary.
fn write_github(env: &Env, plan: &Plan) -> anyhow::Result<()> {
    if !env.is_github_actions() {
        return Ok(());
    }
    let publish = plan.publish.to_string();
    let prerelease = plan.prerelease.to_string();
    let pairs = [
        ("publish", publish.as_str()),
        ("target", plan.target.as_deref().unwrap_or("")),
        ("version", plan.version.as_deref().unwrap_or("")),
        ("prerelease", prerelease.as_str()),
        ("index_url", plan.index_url.as_deref().unwrap_or("")),
    ];
    env.write_outputs(&pairs)
        .map_err(|e| anyhow::anyhow!("cannot write $GITHUB_OUTPUT: {e}"))?;
    env.append_step_summary(&render_markdown(plan))
        .map_err(|e| anyhow::anyhow!("cannot write $GITHUB_STEP_SUMMARY: {e}"))?;
    Ok(())
}

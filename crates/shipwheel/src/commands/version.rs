//! `shipwheel version`: show, bump or set the project's version; dev versions for CI.

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use shipwheel_project::bump::{Bump, auto_level, bump, parse_pre_kind};
use shipwheel_project::config::Pyproject;
use shipwheel_project::devversion::{dev_version, override_env};
use shipwheel_project::facts::{ProjectVersion, project_version, tag_pattern};
use shipwheel_project::git::Git;
use shipwheel_project::uv_pep440::Version;
use shipwheel_project::version::{VersionError, write_version};

use crate::cli::GlobalArgs;
use crate::commands::{ExitStatus, UsageError};
use crate::output;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Without a subcommand, prints the version on stdout and where it comes from on stderr.\n\
                  Dev versions: `shipwheel version dev` (see docs/version.md)."
)]
pub struct VersionArgs {
    #[command(subcommand)]
    pub action: Option<VersionAction>,
    /// The project directory (holding pyproject.toml).
    #[arg(long, default_value = ".", global = true)]
    pub project: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    /// `NAME=value` lines with the backends' override variables (for `version dev`).
    Env,
}

#[derive(Subcommand, Debug)]
pub enum VersionAction {
    /// Bump the version: major, minor, patch, pre [a|b|rc], post, dev, release or auto.
    Bump {
        /// What to bump.
        #[arg(value_enum)]
        part: Part,
        /// Pre-release kind for `pre`: a, b or rc.
        kind: Option<String>,
        /// Print what would change, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// For versions taken from git tags: create the tag on HEAD (not pushed).
        #[arg(long)]
        create_tag: bool,
    },
    /// Set the version in every place that holds it (e.g. in a CI build copy).
    Set {
        /// The new version (PEP 440).
        version: String,
        /// Print what would change, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The dev version of HEAD for TestPyPI: `<next release>.dev<UTC committer time>`.
    Dev {
        /// Also write it into the project's files (for a throw-away CI checkout; never commit it).
        #[arg(long)]
        apply: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Major,
    Minor,
    Patch,
    Pre,
    Post,
    Dev,
    Release,
    /// From conventional commits since the last release tag.
    Auto,
}

fn load(project: &std::path::Path) -> anyhow::Result<(Pyproject, Git, ProjectVersion)> {
    let mut py = Pyproject::load(project).map_err(|e| UsageError(e.to_string()))?;
    let git = Git::new(project);
    py.shipwheel.tag_pattern = tag_pattern(&py, Some(&git)).map_err(version_error)?;
    let pv = project_version(&py, Some(&git)).map_err(version_error)?;
    Ok((py, git, pv))
}

fn version_error(e: VersionError) -> anyhow::Error {
    UsageError(e.to_string()).into()
}

/// Disagreeing places are a refusal (exit 1); a version that cannot be read is a
/// configuration error (exit 2), the same for every subcommand.
fn agreed(pv: &ProjectVersion) -> anyhow::Result<Result<Version, ExitStatus>> {
    match &pv.version {
        Ok(v) => Ok(Ok(v.clone())),
        Err(VersionError::Config(e)) => Err(UsageError(e.clone()).into()),
        Err(e @ VersionError::Disagree(_)) => {
            output::eprintln(&format!("error: {e}"));
            Ok(Err(ExitStatus::Failure))
        }
    }
}

pub fn run(args: VersionArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let (py, git, pv) = load(&args.project)?;
    match args.action {
        None => show(&pv, args.format, global),
        Some(VersionAction::Bump {
            part,
            kind,
            dry_run,
            create_tag,
        }) => {
            let current = match agreed(&pv)? {
                Ok(v) => v,
                Err(status) => return Ok(status),
            };
            let how = match part {
                Part::Major => Bump::Major,
                Part::Minor => Bump::Minor,
                Part::Patch => Bump::Patch,
                Part::Post => Bump::Post,
                Part::Dev => Bump::Dev,
                Part::Release => Bump::Release,
                Part::Pre => Bump::Pre(match kind.as_deref() {
                    None => None,
                    Some(k) => Some(parse_pre_kind(k).ok_or_else(|| {
                        UsageError(format!("pre-release kind {k:?} is not one of a, b, rc"))
                    })?),
                }),
                Part::Auto => {
                    let since = if pv.discovery.vcs.is_some() {
                        pv.vcs_tag.as_ref().map(|t| t.tag.clone())
                    } else {
                        let tag = py.shipwheel.tag_pattern.tag_for(&current.to_string());
                        git.tag_exists(&tag).unwrap_or(false).then_some(tag)
                    };
                    let messages = git
                        .messages_since(since.as_deref())
                        .context("reading commit messages for `bump auto`")?;
                    match auto_level(&current, &messages) {
                        Ok(level) => level,
                        Err(e) => {
                            output::eprintln(&format!("error: {e}"));
                            return Ok(ExitStatus::Failure);
                        }
                    }
                }
            };
            if kind.is_some() && part != Part::Pre {
                return Err(
                    UsageError("a pre-release kind only goes with `bump pre`".into()).into(),
                );
            }
            let new = match bump(&current, how) {
                Ok(v) => v,
                Err(e) => {
                    output::eprintln(&format!("error: {e}"));
                    return Ok(ExitStatus::Failure);
                }
            };
            change(
                &py,
                &git,
                &pv,
                &current.to_string(),
                &new,
                dry_run,
                create_tag,
                args.format,
                global,
            )
        }
        Some(VersionAction::Set { version, dry_run }) => {
            let new = Version::from_str(&version)
                .map_err(|e| UsageError(format!("{version:?} is not a PEP 440 version: {e}")))?;
            if new.is_local() {
                return Err(UsageError(format!(
                    "{new} has a local part (+...), which PyPI and TestPyPI reject"
                ))
                .into());
            }
            let old = pv
                .discovery
                .places
                .first()
                .map(|p| p.text.clone())
                .unwrap_or_else(|| pv.display.clone());
            change(
                &py,
                &git,
                &pv,
                &old,
                &new,
                dry_run,
                false,
                args.format,
                global,
            )
        }
        Some(VersionAction::Dev { apply }) => {
            let head = git
                .head()
                .map_err(|e| UsageError(format!("`version dev` needs a git repository: {e}")))?;
            let time = git.committer_time(&head)?;
            let (base, released) = match (&pv.discovery.vcs, &pv.vcs_tag) {
                (Some(_), Some(tag)) => (tag.version.clone(), true),
                (Some(_), None) => (Version::from_str("0.1.dev0")?, false),
                (None, _) => match agreed(&pv)? {
                    Ok(v) => (v, pv.tagged),
                    Err(status) => return Ok(status),
                },
            };
            let dev = dev_version(&base, released, time).map_err(UsageError)?;
            if apply {
                if pv.discovery.vcs.is_some() {
                    output::eprintln(
                        "error: the version comes from git tags, so there is no file to write; \
                         export the backend's override instead: `shipwheel version dev --format env >> \"$GITHUB_ENV\"`",
                    );
                    return Ok(ExitStatus::Failure);
                }
                let files =
                    write_version(&py.root, &pv.discovery.places, &dev).map_err(version_error)?;
                if !global.quiet {
                    for f in files {
                        output::eprintln(&format!("wrote {dev} to {}", f.display()));
                    }
                }
            }
            match args.format {
                Format::Text => output::println(&dev.to_string()),
                Format::Env => {
                    for (k, v) in override_env(py.name(), &dev) {
                        output::println(&format!("{k}={v}"));
                    }
                }
                Format::Json => {
                    output::println(&serde_json::to_string_pretty(&serde_json::json!({
                        "schema": 1,
                        "version": dev.to_string(),
                        "base": base.to_string(),
                        "released": released,
                        "commit": head,
                        "committer_time": time,
                        "env": override_env(py.name(), &dev).into_iter().collect::<std::collections::BTreeMap<_, _>>(),
                    }))?)
                }
            }
            Ok(ExitStatus::Success)
        }
    }
}

fn show(pv: &ProjectVersion, format: Format, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let places: Vec<serde_json::Value> = pv
        .discovery
        .places
        .iter()
        .map(|p| {
            serde_json::json!({
                "file": p.file.display().to_string(),
                "label": p.label,
                "text": p.text,
            })
        })
        .collect();
    match format {
        Format::Json => {
            let status = match &pv.version {
                Ok(_) => ExitStatus::Success,
                Err(VersionError::Disagree(_)) => ExitStatus::Failure,
                Err(VersionError::Config(_)) => ExitStatus::Error,
            };
            output::println(&serde_json::to_string_pretty(&serde_json::json!({
                "schema": 1,
                "version": pv.version.as_ref().ok().map(|v| v.to_string()),
                "display": pv.display,
                "source": pv.source,
                "vcs": pv.discovery.vcs.map(|b| b.to_string()),
                "places": places,
                "error": pv.version.as_ref().err().map(|e| e.to_string()),
            }))?);
            if let Err(e) = &pv.version {
                output::eprintln(&format!("error: {e}"));
            }
            Ok(status)
        }
        Format::Text | Format::Env => {
            let version = match agreed(pv)? {
                Ok(_) => pv.display.clone(),
                Err(status) => return Ok(status),
            };
            output::println(&version);
            if !global.quiet {
                if pv.discovery.places.is_empty() {
                    output::eprintln(&format!("  from {}", pv.source));
                }
                for p in &pv.discovery.places {
                    output::eprintln(&format!("  from {}", p.label));
                }
            }
            Ok(ExitStatus::Success)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn change(
    py: &Pyproject,
    git: &Git,
    pv: &ProjectVersion,
    old: &str,
    new: &Version,
    dry_run: bool,
    create_tag: bool,
    format: Format,
    global: &GlobalArgs,
) -> anyhow::Result<ExitStatus> {
    if let Some(backend) = pv.discovery.vcs {
        let tag = py.shipwheel.tag_pattern.tag_for(&new.to_string());
        if create_tag && !dry_run {
            git.create_tag(&tag)
                .with_context(|| format!("creating tag {tag}"))?;
            output::println(&new.to_string());
            output::eprintln(&format!(
                "the version comes from git tags ({backend}): created tag {tag} on HEAD; publish it with `git push origin {tag}`"
            ));
            return Ok(ExitStatus::Success);
        }
        output::println(&new.to_string());
        output::eprintln(&format!(
            "the version comes from git tags ({backend}): {old} -> {new} means a new tag, nothing to edit.\n\
             create it: `git tag {tag} && git push origin {tag}` (or re-run with --create-tag)"
        ));
        return Ok(ExitStatus::Success);
    }
    let files = if dry_run {
        let mut f: Vec<PathBuf> = pv.discovery.places.iter().map(|p| p.file.clone()).collect();
        f.dedup();
        f
    } else {
        write_version(&py.root, &pv.discovery.places, new).map_err(version_error)?
    };
    match format {
        Format::Json => output::println(&serde_json::to_string_pretty(&serde_json::json!({
            "schema": 1,
            "old": old,
            "new": new.to_string(),
            "dry_run": dry_run,
            "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        }))?),
        _ => {
            output::println(&new.to_string());
            if !global.quiet {
                let verb = if dry_run { "would change" } else { "changed" };
                output::eprintln(&format!("{old} -> {new}"));
                for f in &files {
                    output::eprintln(&format!("  {verb} {}", f.display()));
                }
            }
        }
    }
    Ok(ExitStatus::Success)
}

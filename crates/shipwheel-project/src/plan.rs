//! The plan: what a CI event may publish, and under which version. Pure: data in, data out.
//!
//! Two steps, with I/O between them done by the caller:
//! 1. [`intent`] reads the event and the configuration and says what is being asked for
//!    (nothing, a dev build for TestPyPI, or a release of a tag) and which facts are needed.
//! 2. [`decide`] takes those facts (git ancestry, the project's version, the index's files,
//!    local files) and produces the [`Plan`] with every check and reason.

use std::str::FromStr;

use serde::Serialize;
use uv_pep440::Version;

use crate::config::ShipwheelConfig;
use crate::devversion::dev_version;
use crate::event::{CiEvent, GitRef, Trigger};
use crate::git::Ancestry;

/// Version of the JSON document; bumped on incompatible changes.
pub const SCHEMA: u32 = 1;

/// Explicit permissions to bypass a rule (each printed in the plan).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allow {
    /// Release a version lower than the latest on the index (`--allow-older`).
    pub older: bool,
    /// Release a tag whose commit is not on the default or a release branch (`--allow-off-branch`).
    pub off_branch: bool,
    /// Publish a dev build of a commit that is not on the default branch (`--allow-any-branch`).
    pub any_branch: bool,
}

impl Allow {
    fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.older {
            out.push("--allow-older".into());
        }
        if self.off_branch {
            out.push("--allow-off-branch".into());
        }
        if self.any_branch {
            out.push("--allow-any-branch".into());
        }
        out
    }
}

/// What the event asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Publish nothing. `refused` = something was requested and cannot be done (exit 1).
    Nothing { reasons: Vec<String>, refused: bool },
    /// A dev build of a commit to the dev target.
    Dev {
        target: String,
        /// Revision to build (a commit id or a ref name).
        rev: String,
        /// True when the event itself proves the commit is on the default branch (a push to it).
        on_default_by_event: bool,
        reasons: Vec<String>,
    },
    /// A release of a tag.
    Release {
        target: String,
        tag: String,
        tag_version: Version,
        reasons: Vec<String>,
    },
}

/// Usage or configuration errors found while reading the event (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IntentError(pub String);

/// Step 1: what does this event ask for?
pub fn intent(event: &CiEvent, config: &ShipwheelConfig) -> Result<Intent, IntentError> {
    let nothing = |reason: String| Intent::Nothing {
        reasons: vec![reason],
        refused: false,
    };
    if matches!(event.trigger, Trigger::Local) {
        return Ok(nothing(
            "not running in GitHub Actions (GITHUB_EVENT_NAME is not set): nothing to publish"
                .into(),
        ));
    }
    if event.repository_is_fork {
        return Ok(nothing(format!(
            "{} is a fork: forks never publish",
            event.repository.as_deref().unwrap_or("this repository")
        )));
    }
    let default_branch = event
        .default_branch
        .clone()
        .or_else(|| config.default_branch.clone());
    let release = |tag: &str, reasons: Vec<String>| -> Intent {
        let pattern = &config.tag_pattern;
        match pattern.tag_version(tag) {
            Ok(None) => nothing(format!(
                "tag {tag} does not match {}: not a release tag",
                pattern.origin()
            )),
            Err(e) => nothing(format!(
                "tag {tag} matches {} but {e}: not a release tag",
                pattern.origin()
            )),
            Ok(Some(tag_version)) => {
                let mut reasons = reasons;
                reasons.push(format!(
                    "tag {tag} matches {}: release {tag_version} to {}",
                    pattern.origin(),
                    config.release_target
                ));
                Intent::Release {
                    target: config.release_target.clone(),
                    tag: tag.to_string(),
                    tag_version,
                    reasons,
                }
            }
        }
    };
    let dev_target = |why: String| -> Result<String, Intent> {
        match &config.dev_target {
            Some(t) => Ok(t.clone()),
            None => Err(nothing(format!(
                "{why}, but dev-target = \"none\": nothing to publish"
            ))),
        }
    };

    Ok(match &event.trigger {
        Trigger::Local => nothing("not running in CI".into()),
        Trigger::Other => nothing(format!(
            "event {} never publishes (only pushes, tags, releases and workflow_dispatch do)",
            event.name.as_deref().unwrap_or("?")
        )),
        Trigger::PullRequest { number, from_fork } => {
            let pr = number.map_or_else(
                || "pull request".to_string(),
                |n| format!("pull request #{n}"),
            );
            if *from_fork {
                nothing(format!(
                    "{pr} comes from a fork: pull requests never publish"
                ))
            } else {
                nothing(format!("{pr}: pull requests never publish"))
            }
        }
        Trigger::Push { ref_, deleted } => {
            if *deleted {
                return Ok(nothing(format!(
                    "the push deleted {}: nothing to publish",
                    ref_.full()
                )));
            }
            match ref_ {
                GitRef::Tag(tag) => release(tag, Vec::new()),
                GitRef::Branch(branch) => {
                    let Some(default) = &default_branch else {
                        return Err(IntentError(
                            "the event does not say which branch is the default one; set [tool.shipwheel] default-branch".into(),
                        ));
                    };
                    if branch == default {
                        let why = format!("push to the default branch {branch}");
                        match dev_target(why.clone()) {
                            Err(n) => n,
                            Ok(target) => Intent::Dev {
                                rev: event.sha.clone().unwrap_or_else(|| "HEAD".into()),
                                on_default_by_event: true,
                                reasons: vec![format!("{why}: dev build to {target}")],
                                target,
                            },
                        }
                    } else {
                        nothing(format!(
                            "push to branch {branch}: only the default branch ({default}) publishes dev builds, and only tags publish releases"
                        ))
                    }
                }
                GitRef::Other(r) => nothing(format!(
                    "push to {r}: not a branch or tag, nothing to publish"
                )),
            }
        }
        Trigger::IgnoredRelease { action } => nothing(format!(
            "release event with action {action}: only a published release publishes"
        )),
        Trigger::Release { tag } => {
            release(tag, vec![format!("GitHub release published for tag {tag}")])
        }
        Trigger::Dispatch {
            ref_,
            target,
            ref_input,
        } => {
            let target = target.as_deref().unwrap_or("none");
            let rev_name = ref_input.clone().unwrap_or_else(|| match ref_ {
                GitRef::Branch(b) => b.clone(),
                GitRef::Tag(t) => t.clone(),
                GitRef::Other(o) => event.sha.clone().unwrap_or_else(|| o.clone()),
            });
            let shown = format!("workflow_dispatch (target {target}, ref {rev_name})");
            match target {
                "none" => nothing(format!("{shown}: target none, nothing to publish")),
                "pypi" => {
                    let tag = rev_name
                        .strip_prefix("refs/tags/")
                        .unwrap_or(&rev_name)
                        .to_string();
                    match release(&tag, vec![shown.clone()]) {
                        Intent::Nothing { reasons, .. } => {
                            let mut reasons = reasons;
                            reasons.insert(
                                0,
                                format!(
                                    "{shown}: a release needs a tag matching \"{}\"",
                                    config.tag_pattern.as_str()
                                ),
                            );
                            Intent::Nothing {
                                reasons,
                                refused: true,
                            }
                        }
                        Intent::Release {
                            tag,
                            tag_version,
                            reasons,
                            ..
                        } => Intent::Release {
                            target: target.to_string(),
                            tag,
                            tag_version,
                            reasons,
                        },
                        other => other,
                    }
                }
                "testpypi" => {
                    // Without a `ref` input the run's own commit is the one to build.
                    let rev = match (ref_input, &event.sha) {
                        (None, Some(sha)) => sha.clone(),
                        _ => rev_name
                            .strip_prefix("refs/heads/")
                            .unwrap_or(&rev_name)
                            .to_string(),
                    };
                    let on_default = ref_input.is_none()
                        && matches!((ref_, &default_branch), (GitRef::Branch(b), Some(d)) if b == d);
                    Intent::Dev {
                        target: "testpypi".into(),
                        rev,
                        on_default_by_event: on_default,
                        reasons: vec![format!("{shown}: dev build to testpypi")],
                    }
                }
                other => {
                    return Err(IntentError(format!(
                        "workflow_dispatch input target = {other:?} is not one of none, testpypi, pypi"
                    )));
                }
            }
        }
    })
}

/// Which kind of branch a check was made against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BranchKind {
    Default,
    Release,
    Maintenance,
}

/// Whether the commit is on one branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchCheck {
    pub branch: String,
    pub kind: BranchKind,
    pub ancestry: Ancestry,
}

/// One file on the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexFile {
    pub filename: String,
    pub sha256: Option<String>,
    pub version: Option<Version>,
    pub yanked: bool,
}

/// What the target index has for the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexFacts {
    /// `--offline`: not read.
    Offline,
    /// The project is not on the index.
    Unknown,
    Files(Vec<IndexFile>),
}

/// A local distribution file (from `dist/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalFile {
    pub filename: String,
    pub sha256: String,
}

/// The version of a distribution filename (wheel or sdist), if it has one.
pub fn filename_version(filename: &str) -> Option<Version> {
    let text = if let Some(stem) = filename.strip_suffix(".whl") {
        stem.split('-').nth(1)?
    } else {
        let stem = filename
            .strip_suffix(".tar.gz")
            .or_else(|| filename.strip_suffix(".zip"))?;
        stem.rsplit_once('-')?.1
    };
    Version::from_str(text).ok()
}

/// Where the plan's target lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetUrls {
    pub simple_url: String,
    pub upload_url: Option<String>,
}

/// The facts gathered for an [`Intent`] (by the caller, with I/O).
#[derive(Clone, Debug)]
pub struct Facts {
    pub project: Option<String>,
    /// The project's version at the checked-out commit (static places or VCS-derived).
    pub project_version: Result<Version, String>,
    /// Where the version came from, for the report.
    pub version_source: String,
    /// The version comes from git tags (hatch-vcs, setuptools-scm, pdm scm).
    pub vcs: bool,
    /// For a static version: does the release tag for it exist? For VCS: is there a tag?
    pub version_tagged: bool,
    /// The commit being published (resolved), if it could be resolved.
    pub commit: Option<String>,
    /// The checked-out commit.
    pub head: Option<String>,
    /// Committer time of `commit` (for the dev number).
    pub commit_time: Option<i64>,
    pub shallow: bool,
    pub default_branch: Option<String>,
    pub branches: Vec<BranchCheck>,
    pub index: IndexFacts,
    pub target_urls: Option<TargetUrls>,
    pub local_files: Vec<LocalFile>,
    /// `--dist` was given or `dist/` exists: local files were looked at.
    pub dist_dir: Option<String>,
}

/// One check and its result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub skipped: bool,
    pub detail: String,
}

/// What was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Build and publish.
    Publish,
    /// Nothing to publish for this event.
    Nothing,
    /// Every file is already on the index with the same hashes.
    AlreadyPublished,
    /// A publish was requested and is refused (exit 1).
    Refused,
}

/// The event, as the plan understood it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventSummary {
    pub name: Option<String>,
    #[serde(rename = "ref")]
    pub ref_: Option<String>,
    pub sha: Option<String>,
    pub repository: Option<String>,
    pub default_branch: Option<String>,
}

impl EventSummary {
    pub fn from_event(e: &CiEvent, config: &ShipwheelConfig) -> Self {
        EventSummary {
            name: e.name.clone(),
            ref_: e.ref_full.clone(),
            sha: e.sha.clone(),
            repository: e.repository.clone(),
            default_branch: e
                .default_branch
                .clone()
                .or_else(|| config.default_branch.clone()),
        }
    }
}

/// The plan document (`--format json`, schema 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub schema: u32,
    pub publish: bool,
    pub outcome: Outcome,
    pub target: Option<String>,
    pub version: Option<String>,
    pub prerelease: bool,
    pub index_url: Option<String>,
    pub upload_url: Option<String>,
    pub project: Option<String>,
    pub tag: Option<String>,
    pub commit: Option<String>,
    pub version_source: Option<String>,
    pub event: EventSummary,
    pub reasons: Vec<String>,
    pub checks: Vec<Check>,
    pub allowed: Vec<String>,
    pub offline: bool,
    /// Local files already on the index with the same hashes.
    pub already_uploaded: Vec<String>,
}

impl Plan {
    /// A plan that publishes nothing.
    pub fn nothing(
        event: EventSummary,
        reasons: Vec<String>,
        refused: bool,
        allow: &Allow,
    ) -> Plan {
        Plan {
            schema: SCHEMA,
            publish: false,
            outcome: if refused {
                Outcome::Refused
            } else {
                Outcome::Nothing
            },
            target: None,
            version: None,
            prerelease: false,
            index_url: None,
            upload_url: None,
            project: None,
            tag: None,
            commit: None,
            version_source: None,
            event,
            reasons,
            checks: Vec::new(),
            allowed: allow.flags(),
            offline: false,
            already_uploaded: Vec::new(),
        }
    }

    /// Exit status: 1 when a requested publish is refused, else 0.
    pub fn refused(&self) -> bool {
        self.outcome == Outcome::Refused
    }
}

struct Checks(Vec<Check>);

impl Checks {
    fn add(&mut self, name: &str, ok: bool, detail: impl Into<String>) -> bool {
        self.0.push(Check {
            name: name.into(),
            ok,
            skipped: false,
            detail: detail.into(),
        });
        ok
    }
    fn skip(&mut self, name: &str, detail: impl Into<String>) {
        self.0.push(Check {
            name: name.into(),
            ok: true,
            skipped: true,
            detail: detail.into(),
        });
    }
}

const SHALLOW_HINT: &str = "the clone is shallow, so git cannot see the branch history: check out with \
`actions/checkout` and `fetch-depth: 0` (or run `git fetch --unshallow origin`)";

/// How the index relates to the candidate version.
enum IndexVerdict {
    NotThere,
    AllSame(Vec<String>),
    Partial { same: Vec<String> },
    Conflict(String),
    ThereUncompared(usize),
    OtherFilesThere(usize),
}

fn index_verdict(files: &[IndexFile], version: &Version, local: &[LocalFile]) -> IndexVerdict {
    let remote: Vec<&IndexFile> = files
        .iter()
        .filter(|f| f.version.as_ref() == Some(version))
        .collect();
    if remote.is_empty() {
        return IndexVerdict::NotThere;
    }
    let local: Vec<&LocalFile> = local
        .iter()
        .filter(|f| filename_version(&f.filename).as_ref() == Some(version))
        .collect();
    if local.is_empty() {
        return IndexVerdict::ThereUncompared(remote.len());
    }
    let mut same = Vec::new();
    for l in &local {
        if let Some(r) = remote.iter().find(|r| r.filename == l.filename) {
            match &r.sha256 {
                Some(h) if h.eq_ignore_ascii_case(&l.sha256) => same.push(l.filename.clone()),
                Some(h) => {
                    return IndexVerdict::Conflict(format!(
                        "{} is on the index with different contents (sha256 {} there, {} here)",
                        l.filename, h, l.sha256
                    ));
                }
                None => {
                    return IndexVerdict::Conflict(format!(
                        "{} is on the index without a sha256, so shipwheel cannot tell whether it is the same file",
                        l.filename
                    ));
                }
            }
        }
    }
    if same.len() == local.len() {
        IndexVerdict::AllSame(same)
    } else if same.is_empty() {
        IndexVerdict::OtherFilesThere(remote.len())
    } else {
        IndexVerdict::Partial { same }
    }
}

/// The highest non-yanked final release on the index other than `candidate` (pre- and dev
/// releases don't count as "latest", as on PyPI's project page; the candidate itself is judged
/// by the already-published check, not compared with itself).
fn latest_release(files: &[IndexFile], candidate: &Version) -> Option<Version> {
    let mut versions: Vec<&Version> = files
        .iter()
        .filter(|f| !f.yanked)
        .filter_map(|f| f.version.as_ref())
        .filter(|v| *v != candidate)
        .collect();
    versions.sort();
    versions
        .iter()
        .rev()
        .find(|v| !v.is_pre() && !v.is_dev())
        .map(|v| (*v).clone())
}

/// Step 2: decide.
pub fn decide(
    intent: &Intent,
    facts: &Facts,
    event: EventSummary,
    config: &ShipwheelConfig,
    allow: &Allow,
) -> Plan {
    let (target, mut reasons) = match intent {
        Intent::Nothing { reasons, refused } => {
            return Plan::nothing(event, reasons.clone(), *refused, allow);
        }
        Intent::Dev {
            target, reasons, ..
        }
        | Intent::Release {
            target, reasons, ..
        } => (target.clone(), reasons.clone()),
    };
    let mut checks = Checks(Vec::new());
    let mut plan = Plan::nothing(event, Vec::new(), false, allow);
    plan.target = Some(target.clone());
    plan.project = facts.project.clone();
    plan.commit = facts.commit.clone();
    plan.version_source = Some(facts.version_source.clone());
    plan.index_url = facts.target_urls.as_ref().map(|t| t.simple_url.clone());
    plan.upload_url = facts
        .target_urls
        .as_ref()
        .and_then(|t| t.upload_url.clone());
    plan.offline = matches!(facts.index, IndexFacts::Offline);
    for flag in allow.flags() {
        reasons.push(format!(
            "{flag} was given: the rule it names is bypassed where it applies"
        ));
    }
    let mut ok = true;

    // The checked-out tree must be the commit being published: the version is read from it.
    match (&facts.commit, &facts.head) {
        (Some(c), Some(h)) if c == h => {
            checks.add("checkout", true, format!("HEAD is {}", short(c)));
        }
        (Some(c), Some(h)) => {
            ok &= checks.add(
                "checkout",
                false,
                format!(
                    "HEAD is {} but the event is about {}; check out that commit first (actions/checkout with `ref:`)",
                    short(h),
                    short(c)
                ),
            );
        }
        (_, None) => {
            ok &= checks.add("checkout", false, "not inside a git repository");
        }
        (None, _) => {
            ok &= checks.add(
                "checkout",
                false,
                "the commit to publish is not in the local repository; fetch it (actions/checkout with `fetch-depth: 0`)",
            );
        }
    }

    let project_version = match &facts.project_version {
        Ok(v) => Some(v.clone()),
        Err(e) => {
            ok &= checks.add("project-version", false, e.clone());
            None
        }
    };

    let index_files: Option<&[IndexFile]> = match &facts.index {
        IndexFacts::Files(f) => Some(f),
        IndexFacts::Unknown => Some(&[]),
        IndexFacts::Offline => None,
    };

    let candidate: Option<Version> = match intent {
        Intent::Dev {
            on_default_by_event,
            rev,
            ..
        } => {
            // On the default branch?
            if *on_default_by_event {
                checks.add(
                    "on-default-branch",
                    true,
                    format!(
                        "pushed to the default branch {}",
                        facts.default_branch.as_deref().unwrap_or("?")
                    ),
                );
            } else {
                let default = facts.default_branch.as_deref().unwrap_or("?");
                let found = facts
                    .branches
                    .iter()
                    .find(|b| b.kind == BranchKind::Default)
                    .map(|b| b.ancestry.clone());
                match found {
                    Some(Ancestry::Contained) => {
                        checks.add("on-default-branch", true, format!("{rev} is on {default}"));
                    }
                    _ if allow.any_branch => {
                        checks.add(
                            "on-default-branch",
                            true,
                            format!("{rev} is not known to be on {default}; allowed by --allow-any-branch"),
                        );
                    }
                    other => {
                        let detail = ancestry_detail(rev, default, other.as_ref(), facts.shallow);
                        ok &= checks.add(
                            "on-default-branch",
                            false,
                            format!("{detail}; dev builds come from the default branch (or pass --allow-any-branch)"),
                        );
                    }
                }
            }
            match (&project_version, facts.commit_time) {
                (Some(v), Some(time)) => {
                    // Released already? Then the dev build leads to the next release.
                    let on_index = index_files
                        .is_some_and(|files| files.iter().any(|f| f.version.as_ref() == Some(v)));
                    match dev_version(v, facts.version_tagged || on_index, time) {
                        Ok(dev) => {
                            checks.add(
                                "dev-version",
                                true,
                                format!(
                                    "{dev}: next release after {v}{} plus the commit's UTC committer time",
                                    if facts.version_tagged || on_index { " (already released)" } else { "" }
                                ),
                            );
                            Some(dev)
                        }
                        Err(e) => {
                            ok &= checks.add("dev-version", false, e);
                            None
                        }
                    }
                }
                (Some(_), None) => {
                    ok &= checks.add("dev-version", false, "the commit's time could not be read");
                    None
                }
                (None, _) => None,
            }
        }
        Intent::Release {
            tag, tag_version, ..
        } => {
            plan.tag = Some(tag.clone());
            checks.add(
                "tag-pattern",
                true,
                format!(
                    "{tag} matches \"{}\" (version {tag_version})",
                    config.tag_pattern.as_str()
                ),
            );
            if let Some(v) = &project_version {
                if v == tag_version {
                    checks.add(
                        "tag-matches-version",
                        true,
                        format!(
                            "tag version {tag_version} equals the project version {v} ({})",
                            facts.version_source
                        ),
                    );
                } else {
                    let fix = if facts.vcs {
                        "check out the tagged commit itself (the version is derived from git)"
                            .to_string()
                    } else {
                        format!(
                            "set the version and tag again: `shipwheel version set {tag_version}`, commit, then move the tag \
                             (`git tag -f {tag} && git push -f origin {tag}`), or delete the tag (`git push --delete origin {tag}`)"
                        )
                    };
                    ok &= checks.add(
                        "tag-matches-version",
                        false,
                        format!(
                            "tag {tag} is version {tag_version} but the project says {v} ({}); {fix}",
                            facts.version_source
                        ),
                    );
                }
            }
            // On the default branch or a release branch?
            let contained: Vec<&BranchCheck> = facts
                .branches
                .iter()
                .filter(|b| b.ancestry == Ancestry::Contained)
                .collect();
            if let Some(b) = contained.first() {
                let kind = match b.kind {
                    BranchKind::Default => "the default branch",
                    BranchKind::Release => "release branch",
                    BranchKind::Maintenance => "maintenance branch",
                };
                checks.add(
                    "on-release-branch",
                    true,
                    format!("{tag} is on {kind} {}", b.branch),
                );
            } else if allow.off_branch {
                checks.add(
                    "on-release-branch",
                    true,
                    format!("{tag} is not known to be on a release branch; allowed by --allow-off-branch"),
                );
            } else {
                let names: Vec<&str> = facts.branches.iter().map(|b| b.branch.as_str()).collect();
                let missing = facts.branches.is_empty()
                    || facts.branches.iter().all(|b| {
                        matches!(b.ancestry, Ancestry::BranchMissing | Ancestry::Unknown(_))
                    });
                let detail = if facts.shallow || missing {
                    if facts.shallow {
                        format!(
                            "cannot tell whether {tag} is on {}: {SHALLOW_HINT}",
                            names_or(&names, facts)
                        )
                    } else {
                        format!(
                            "cannot tell whether {tag} is on {}: the branch is not in the local clone; fetch it (`fetch-depth: 0` in actions/checkout)",
                            names_or(&names, facts)
                        )
                    }
                } else {
                    format!(
                        "{tag} is not on {} (git merge-base --is-ancestor); tag a commit of the default branch, \
                         add the branch to [tool.shipwheel] release-branches, or pass --allow-off-branch",
                        names_or(&names, facts)
                    )
                };
                ok &= checks.add("on-release-branch", false, detail);
            }
            Some(tag_version.clone())
        }
        Intent::Nothing { .. } => None,
    };

    // The index.
    let mut outcome_already = false;
    if let Some(candidate) = &candidate {
        plan.version = Some(candidate.to_string());
        plan.prerelease = candidate.is_pre() || candidate.is_dev();
        if plan.prerelease {
            reasons.push(format!(
                "{candidate} is a pre-release (pip installs it only with --pre)"
            ));
        }
        match index_files {
            None => {
                checks.skip(
                    "not-on-index",
                    "skipped: --offline (the index was not read)",
                );
                if matches!(intent, Intent::Release { .. }) {
                    checks.skip(
                        "newer-than-latest",
                        "skipped: --offline (the index was not read)",
                    );
                }
                reasons.push("--offline: the index was not read, so it is not known whether this version is already there".into());
            }
            Some(files) => {
                match index_verdict(files, candidate, &facts.local_files) {
                    IndexVerdict::NotThere => {
                        checks.add(
                            "not-on-index",
                            true,
                            format!("{candidate} is not on {target} yet"),
                        );
                    }
                    IndexVerdict::AllSame(same) => {
                        checks.add(
                            "not-on-index",
                            true,
                            format!(
                                "{candidate} is already on {target} with the same {} file(s)",
                                same.len()
                            ),
                        );
                        plan.already_uploaded = same;
                        outcome_already = true;
                    }
                    IndexVerdict::Partial { same } => {
                        checks.add(
                            "not-on-index",
                            true,
                            format!(
                                "{} of the local files are already on {target} with the same hashes; the rest will be uploaded",
                                same.len()
                            ),
                        );
                        plan.already_uploaded = same;
                    }
                    IndexVerdict::Conflict(detail) => {
                        ok &= checks.add(
                            "not-on-index",
                            false,
                            format!("{detail}; an index never accepts different bytes under the same name: release a new version"),
                        );
                    }
                    IndexVerdict::ThereUncompared(n) => {
                        checks.add(
                            "not-on-index",
                            true,
                            format!(
                                "{candidate} is already on {target} ({n} file(s)); no local files to compare{}",
                                facts
                                    .dist_dir
                                    .as_deref()
                                    .map(|d| format!(" in {d}"))
                                    .unwrap_or_default()
                            ),
                        );
                        outcome_already = true;
                    }
                    IndexVerdict::OtherFilesThere(n) => {
                        ok &= checks.add(
                            "not-on-index",
                            false,
                            format!(
                                "{candidate} is already on {target} with {n} other file(s) and none of the local files: \
                                 it was released from another build; release a new version"
                            ),
                        );
                    }
                }
                if let Intent::Release { .. } = intent {
                    let maintenance = facts.branches.iter().find(|b| {
                        b.kind == BranchKind::Maintenance && b.ancestry == Ancestry::Contained
                    });
                    match latest_release(files, candidate) {
                        None => {
                            checks.add(
                                "newer-than-latest",
                                true,
                                format!("no earlier release on {target}"),
                            );
                        }
                        Some(latest) if *candidate > latest => {
                            checks.add(
                                "newer-than-latest",
                                true,
                                format!("{candidate} > latest release {latest}"),
                            );
                        }
                        Some(latest) => {
                            if let Some(m) = maintenance {
                                checks.add(
                                    "newer-than-latest",
                                    true,
                                    format!("{candidate} < latest release {latest}, allowed on maintenance branch {}", m.branch),
                                );
                            } else if allow.older {
                                checks.add(
                                    "newer-than-latest",
                                    true,
                                    format!("{candidate} < latest release {latest}, allowed by --allow-older"),
                                );
                            } else {
                                ok &= checks.add(
                                    "newer-than-latest",
                                    false,
                                    format!(
                                        "{candidate} is lower than the latest release {latest} on {target}; release from a branch listed in \
                                         [tool.shipwheel] maintenance-branches, or pass --allow-older"
                                    ),
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    plan.checks = checks.0;
    if !ok {
        plan.outcome = Outcome::Refused;
        plan.publish = false;
        for c in plan.checks.iter().filter(|c| !c.ok) {
            reasons.push(format!("refused: {}", c.detail));
        }
    } else if outcome_already {
        plan.outcome = Outcome::AlreadyPublished;
        plan.publish = false;
        reasons.push(format!(
            "already published, nothing to do: {} is on {target}",
            plan.version.as_deref().unwrap_or("?")
        ));
    } else {
        plan.outcome = Outcome::Publish;
        plan.publish = true;
        reasons.push(format!(
            "publish {} {} to {target}",
            plan.project.as_deref().unwrap_or("the project"),
            plan.version.as_deref().unwrap_or("?")
        ));
    }
    plan.reasons = reasons;
    plan
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn names_or(names: &[&str], facts: &Facts) -> String {
    if names.is_empty() {
        facts
            .default_branch
            .clone()
            .unwrap_or_else(|| "the default branch".into())
    } else {
        names.join(", ")
    }
}

fn ancestry_detail(rev: &str, branch: &str, ancestry: Option<&Ancestry>, shallow: bool) -> String {
    match ancestry {
        Some(Ancestry::NotContained) => format!("{rev} is not on {branch}"),
        _ if shallow => format!("cannot tell whether {rev} is on {branch}: {SHALLOW_HINT}"),
        Some(Ancestry::Unknown(e)) => format!("cannot tell whether {rev} is on {branch}: {e}"),
        _ => format!(
            "cannot tell whether {rev} is on {branch}: the branch is not in the local clone"
        ),
    }
}

/// Plain-text table of a plan (the default output).
pub fn render_text(plan: &Plan) -> String {
    let mut out = String::new();
    let decision = match plan.outcome {
        Outcome::Publish => format!(
            "PUBLISH {} {} to {}",
            plan.project.as_deref().unwrap_or(""),
            plan.version.as_deref().unwrap_or("?"),
            plan.target.as_deref().unwrap_or("?")
        ),
        Outcome::Nothing => "NOTHING TO PUBLISH".to_string(),
        Outcome::AlreadyPublished => format!(
            "ALREADY PUBLISHED {} on {}: nothing to do",
            plan.version.as_deref().unwrap_or("?"),
            plan.target.as_deref().unwrap_or("?")
        ),
        Outcome::Refused => match (&plan.version, &plan.target) {
            (Some(v), Some(t)) => format!(
                "REFUSED to publish {} {v} to {t}",
                plan.project.as_deref().unwrap_or("")
            ),
            _ => "REFUSED".to_string(),
        },
    };
    out.push_str(&format!("plan: {}\n", decision.replace("  ", " ")));
    let mut rows: Vec<(&str, String)> = vec![
        (
            "event",
            plan.event.name.clone().unwrap_or_else(|| "-".into()),
        ),
        ("ref", plan.event.ref_.clone().unwrap_or_else(|| "-".into())),
    ];
    if let Some(t) = &plan.target {
        rows.push(("target", t.clone()));
    }
    if let Some(v) = &plan.version {
        rows.push((
            "version",
            format!(
                "{v}{}",
                if plan.prerelease {
                    " (pre-release)"
                } else {
                    ""
                }
            ),
        ));
    }
    if let Some(t) = &plan.tag {
        rows.push(("tag", t.clone()));
    }
    if let Some(u) = &plan.index_url {
        rows.push(("index", u.clone()));
    }
    if !plan.allowed.is_empty() {
        rows.push(("allowed", plan.allowed.join(" ")));
    }
    for (k, v) in rows {
        out.push_str(&format!("  {k:<8} {v}\n"));
    }
    if !plan.checks.is_empty() {
        out.push_str("checks:\n");
        for c in &plan.checks {
            let mark = if c.skipped {
                "skip"
            } else if c.ok {
                "ok"
            } else {
                "FAIL"
            };
            out.push_str(&format!("  {mark:<4} {:<20} {}\n", c.name, c.detail));
        }
    }
    out.push_str("reasons:\n");
    for r in &plan.reasons {
        out.push_str(&format!("  - {r}\n"));
    }
    out
}

/// Markdown for the GitHub step summary.
pub fn render_markdown(plan: &Plan) -> String {
    let mut out = String::from("### shipwheel plan\n\n");
    let head = match plan.outcome {
        Outcome::Publish => format!(
            "**Publish** `{}` to **{}**",
            plan.version.as_deref().unwrap_or("?"),
            plan.target.as_deref().unwrap_or("?")
        ),
        Outcome::Nothing => "**Nothing to publish**".into(),
        Outcome::AlreadyPublished => format!(
            "**Already published** `{}`: nothing to do",
            plan.version.as_deref().unwrap_or("?")
        ),
        Outcome::Refused => "**Refused**".into(),
    };
    out.push_str(&head);
    out.push_str("\n\n");
    if !plan.checks.is_empty() {
        out.push_str("| check | result | detail |\n|---|---|---|\n");
        for c in &plan.checks {
            let mark = if c.skipped {
                "skipped"
            } else if c.ok {
                "ok"
            } else {
                "failed"
            };
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                c.name,
                mark,
                md_cell(&c.detail)
            ));
        }
        out.push('\n');
    }
    for r in &plan.reasons {
        out.push_str(&format!("- {}\n", md_cell(r)));
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests;

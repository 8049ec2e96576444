//! Gathering what the plan needs from the work tree and git (the I/O side of [`crate::plan`]).

use std::str::FromStr;

use uv_pep440::Version;

use crate::config::{Pyproject, branch_matches};
use crate::event::CiEvent;
use crate::git::{Ancestry, Git, GitError};
use crate::plan::{BranchCheck, BranchKind, Facts, IndexFacts, Intent};
use crate::version::{Discovery, VersionError, discover, vcs_version};

/// The project's version and where it comes from.
#[derive(Clone, Debug)]
pub struct ProjectVersion {
    pub discovery: Discovery,
    /// The version (static: the agreed one; VCS: derived from git).
    pub version: Result<Version, String>,
    /// What a VCS backend would print (with `+g<sha>`), else the version.
    pub display: String,
    pub source: String,
    /// Static: the release tag for this version exists. VCS: a release tag exists.
    pub tagged: bool,
    /// VCS: the nearest tag and the distance to it.
    pub vcs_tag: Option<(String, u64)>,
}

/// Read the version: static places must agree (a disagreement is returned in `version`);
/// a VCS source is derived with `git describe`.
pub fn project_version(py: &Pyproject, git: Option<&Git>) -> Result<ProjectVersion, VersionError> {
    let discovery = discover(py)?;
    let pattern = &py.shipwheel.tag_pattern;
    if let Some(backend) = discovery.vcs {
        let Some(git) = git.filter(|g| g.is_repo()) else {
            return Err(VersionError::Config(format!(
                "the version comes from git tags ({backend}) but {} is not in a git repository",
                py.root.display()
            )));
        };
        let git_err = |e: GitError| VersionError::Config(e.to_string());
        let describe = git.describe(&pattern.glob()).map_err(git_err)?;
        let count = if describe.is_none() {
            git.commit_count().map_err(git_err)?
        } else {
            0
        };
        let derived = vcs_version(describe.as_ref(), pattern, count);
        return Ok(match derived {
            Ok(v) => ProjectVersion {
                display: v.display.clone(),
                source: match &v.tag {
                    Some(tag) if v.distance == 0 => format!("git tag {tag} ({backend})"),
                    Some(tag) => format!(
                        "git describe: {} commit(s) after {tag} ({backend})",
                        v.distance
                    ),
                    None => format!("git: no tag matching {} yet ({backend})", pattern.glob()),
                },
                tagged: v.tag.is_some(),
                vcs_tag: v.tag.clone().map(|t| (t, v.distance)),
                version: Ok(v
                    .tag_version
                    .clone()
                    .filter(|_| v.distance == 0)
                    .unwrap_or(v.version)),
                discovery,
            },
            Err(e) => ProjectVersion {
                display: String::new(),
                source: backend.to_string(),
                tagged: false,
                vcs_tag: None,
                version: Err(e),
                discovery,
            },
        });
    }
    let source = discovery
        .places
        .iter()
        .map(|p| p.label.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let version = discovery.agreed().map_err(|e| e.to_string());
    let mut tagged = false;
    if let (Ok(v), Some(git)) = (&version, git.filter(|g| g.is_repo())) {
        let mut names = vec![pattern.tag_for(&v.to_string())];
        if let Some(p) = discovery.places.first() {
            names.push(pattern.tag_for(&p.text));
        }
        for name in names {
            if git.tag_exists(&name).unwrap_or(false) {
                tagged = true;
            }
        }
    }
    Ok(ProjectVersion {
        display: version.as_ref().map(|v| v.to_string()).unwrap_or_default(),
        source,
        tagged,
        vcs_tag: None,
        version,
        discovery,
    })
}

/// Branch names known locally that match a pattern; literal names are kept even when missing
/// (so the plan can say the branch is not in the clone).
fn matching_branches(pattern: &str, known: &[String]) -> Vec<String> {
    if pattern.contains('*') {
        known
            .iter()
            .filter(|b| branch_matches(pattern, b))
            .cloned()
            .collect()
    } else {
        vec![pattern.to_string()]
    }
}

/// Gather the facts for an intent (everything except the index and local files).
pub fn gather(
    intent: &Intent,
    py: &Pyproject,
    git: &Git,
    event: &CiEvent,
) -> Result<Facts, VersionError> {
    let config = &py.shipwheel;
    let in_repo = git.is_repo();
    let git_err = |e: GitError| VersionError::Config(e.to_string());
    let head = if in_repo { git.head().ok() } else { None };
    let shallow = in_repo && git.is_shallow().map_err(git_err)?;
    let default_branch = event
        .default_branch
        .clone()
        .or_else(|| config.default_branch.clone());
    let pv = project_version(py, in_repo.then_some(git))?;

    let (commit, mut project_version, mut version_tagged) = match intent {
        Intent::Release {
            tag, tag_version, ..
        } => {
            let commit = if in_repo {
                git.resolve_commit(&format!("refs/tags/{tag}"))
                    .map_err(git_err)?
            } else {
                None
            };
            let mut version = pv.version.clone();
            // With a VCS source the tag *is* the version when it points at the checkout.
            if pv.discovery.vcs.is_some() && commit.is_some() && commit == head {
                version = Ok(tag_version.clone());
            }
            (commit, version, pv.tagged)
        }
        Intent::Dev { rev, .. } => {
            let commit = if in_repo {
                // A branch named in a dispatch input is usually only a remote-tracking branch.
                match git.resolve_commit(rev).map_err(git_err)? {
                    Some(c) => Some(c),
                    None => git
                        .resolve_commit(&format!("refs/remotes/origin/{rev}"))
                        .map_err(git_err)?,
                }
            } else {
                None
            };
            let version = match (&pv.discovery.vcs, &pv.vcs_tag, &pv.version) {
                // A dev build of a VCS project leads on from the last tag.
                (Some(_), Some((tag, _)), _) => config
                    .tag_pattern
                    .version_text(tag)
                    .and_then(|t| Version::from_str(t).ok())
                    .ok_or_else(|| format!("tag {tag} is not a version")),
                (Some(_), None, _) => Version::from_str("0.1.dev0").map_err(|e| e.to_string()),
                (None, _, v) => v.clone(),
            };
            (commit, version, pv.tagged)
        }
        Intent::Nothing { .. } => (None, pv.version.clone(), pv.tagged),
    };
    if pv.discovery.vcs.is_some() && matches!(intent, Intent::Dev { .. }) {
        version_tagged = pv.vcs_tag.is_some();
    }
    if let Err(e) = &project_version {
        project_version = Err(e.clone());
    }

    let commit_time = match &commit {
        Some(c) => Some(git.committer_time(c).map_err(git_err)?),
        None => None,
    };

    let mut branches = Vec::new();
    let wants_branches = match intent {
        Intent::Release { .. } => true,
        Intent::Dev {
            on_default_by_event,
            ..
        } => !on_default_by_event,
        Intent::Nothing { .. } => false,
    };
    if wants_branches && in_repo {
        let known = git.branches().map_err(git_err)?;
        let mut wanted: Vec<(String, BranchKind)> = Vec::new();
        if let Some(d) = &default_branch {
            wanted.push((d.clone(), BranchKind::Default));
        }
        if matches!(intent, Intent::Release { .. }) {
            for p in &config.release_branches {
                for b in matching_branches(p, &known) {
                    wanted.push((b, BranchKind::Release));
                }
            }
            for p in &config.maintenance_branches {
                for b in matching_branches(p, &known) {
                    wanted.push((b, BranchKind::Maintenance));
                }
            }
        }
        // A branch listed twice keeps its most permissive kind (maintenance).
        wanted.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp_rank().cmp(&a.1.cmp_rank())));
        wanted.dedup_by(|a, b| a.0 == b.0);
        for (branch, kind) in wanted {
            let ancestry = match &commit {
                Some(c) => git.ancestry(c, &branch).map_err(git_err)?,
                None => Ancestry::Unknown("the commit is not in the local repository".into()),
            };
            branches.push(BranchCheck {
                branch,
                kind,
                ancestry,
            });
        }
        branches.sort_by_key(|b| b.kind.cmp_rank());
    }

    Ok(Facts {
        project: py.name().map(str::to_string),
        project_version,
        version_source: pv.source.clone(),
        vcs: pv.discovery.vcs.is_some(),
        version_tagged,
        commit,
        head,
        commit_time,
        shallow,
        default_branch,
        branches,
        index: IndexFacts::Offline,
        target_urls: None,
        local_files: Vec::new(),
        dist_dir: None,
    })
}

impl BranchKind {
    fn cmp_rank(self) -> u8 {
        match self {
            BranchKind::Default => 0,
            BranchKind::Release => 1,
            BranchKind::Maintenance => 2,
        }
    }
}

//! Gathering what the plan needs from the work tree and git (the I/O side of [`crate::plan`]).

use std::path::Path;
use std::str::FromStr;

use uv_pep440::Version;

use crate::config::{Pyproject, TagPattern, branch_matches};
use crate::event::CiEvent;
use crate::git::{Ancestry, Git, GitError};
use crate::plan::{BranchCheck, BranchKind, Facts, IndexFacts, Intent};
use crate::scm::{Flavor, GitState, ScmSettings, derive, pkg_info_version, settings};
use crate::version::{Discovery, VersionError, detect_vcs, discover};

/// The project's version and where it comes from.
#[derive(Clone, Debug)]
pub struct ProjectVersion {
    pub discovery: Discovery,
    /// The version (static: the agreed one; VCS: derived from git, without its local part).
    /// A disagreement of the places is `Disagree`; a place that cannot be read is `Config`.
    pub version: Result<Version, VersionError>,
    /// What the build backend would produce (VCS: with the `+g<node>` local part), else the
    /// version.
    pub display: String,
    pub source: String,
    /// Static: the release tag for this version exists. VCS: a release tag exists.
    pub tagged: bool,
    /// VCS: the nearest tag the backend uses.
    pub vcs_tag: Option<VcsTag>,
}

/// The nearest tag of a project versioned by git tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VcsTag {
    pub tag: String,
    /// The version the backend reads from the tag.
    pub version: Version,
    /// Commits since the tag.
    pub distance: u64,
}

/// The time the backend formats into `.d<date>`: setuptools-scm honours `SOURCE_DATE_EPOCH`,
/// pdm-backend always takes the current time.
fn backend_now(flavor: Flavor) -> i64 {
    let epoch = match flavor {
        Flavor::SetuptoolsScm => std::env::var("SOURCE_DATE_EPOCH").ok(),
        Flavor::Pdm => None,
    };
    epoch
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A VCS-versioned project outside git: what the backend falls back to.
fn outside_git(
    py: &Pyproject,
    discovery: Discovery,
    scm: &ScmSettings,
    why: &str,
) -> Result<ProjectVersion, VersionError> {
    let backend = scm.backend;
    let pkg_info = py.root.join("PKG-INFO");
    let from_pkg_info = if scm.flavor == Flavor::SetuptoolsScm && pkg_info.is_file() {
        let text = std::fs::read_to_string(&pkg_info).map_err(|e| {
            VersionError::Config(format!("cannot read {}: {e}", pkg_info.display()))
        })?;
        let text = pkg_info_version(&text).map(str::to_string).ok_or_else(|| {
            VersionError::Config(format!("{} has no Version field", pkg_info.display()))
        })?;
        Some((text, "PKG-INFO".to_string()))
    } else {
        None
    };
    let (text, origin) = match (from_pkg_info, &scm.fallback_version) {
        (Some(found), _) => found,
        (None, Some(f)) => (f.clone(), "the backend's fallback version".to_string()),
        (None, None) => {
            return Err(VersionError::Config(format!(
                "the version comes from git tags ({backend}) but {why}, and there is no PKG-INFO (an unpacked sdist) \
                 or fallback version; run shipwheel in the git checkout of the project"
            )));
        }
    };
    let version = Version::from_str(&text)
        .map_err(|e| VersionError::Config(format!("{origin}: {text:?} is not PEP 440: {e}")))?;
    Ok(ProjectVersion {
        display: version.to_string(),
        source: format!("{origin} ({why}; {backend} reads the version there)"),
        tagged: false,
        vcs_tag: None,
        version: Ok(version.without_local()),
        discovery,
    })
}

/// The release tags `plan` and `version` use: `[tool.shipwheel] tag-pattern` when written,
/// else for a project versioned by git tags the backend's own rules (new tags written like the
/// nearest one), else `v{version}`.
pub fn tag_pattern(py: &Pyproject, git: Option<&Git>) -> Result<TagPattern, VersionError> {
    if py.shipwheel.tag_pattern_configured {
        return Ok(py.shipwheel.tag_pattern.clone());
    }
    let Some(backend) = detect_vcs(py) else {
        return Ok(py.shipwheel.tag_pattern.clone());
    };
    let scm = settings(py, backend)?;
    let nearest = match git.filter(|g| g.is_repo()) {
        Some(g) => g.describe(&scm.glob).ok().flatten(),
        None => None,
    };
    let template = nearest
        .and_then(|d| scm.template_of(&d.tag))
        .unwrap_or_else(|| "v{version}".to_string());
    Ok(TagPattern::from_backend(&scm, &template))
}

/// Read the version: static places must agree (a disagreement is returned in `version`);
/// a VCS source is derived from git the way its backend does it.
pub fn project_version(py: &Pyproject, git: Option<&Git>) -> Result<ProjectVersion, VersionError> {
    let discovery = discover(py)?;
    let pattern = &py.shipwheel.tag_pattern;
    if let Some(scm) = discovery.scm.clone() {
        let backend = scm.backend;
        let git_err = |e: GitError| VersionError::Config(e.to_string());
        let Some(git) = git.filter(|g| g.is_repo()) else {
            let why = format!("{} is not in a git repository", py.root.display());
            return outside_git(py, discovery, &scm, &why);
        };
        if scm.needs_git_top {
            let top = git.toplevel().map_err(git_err)?;
            if !same_dir(&top, &py.root) {
                let why = format!(
                    "{} is not the top of its git work tree ({}) and setuptools-scm looks for git only there \
                     (set `root` in its options for a project in a subdirectory)",
                    py.root.display(),
                    top.display()
                );
                return outside_git(py, discovery, &scm, &why);
            }
        }
        let describe = git.describe(&scm.glob).map_err(git_err)?;
        let head = git.resolve_commit("HEAD").map_err(git_err)?;
        let state = GitState {
            commit_count: if describe.is_none() && head.is_some() {
                git.commit_count().map_err(git_err)?
            } else {
                0
            },
            worktree_dirty: describe.is_none() && git.is_dirty().unwrap_or(false),
            head_short: if scm.flavor == Flavor::Pdm {
                git.head_short().map_err(git_err)?
            } else {
                None
            },
            head,
            describe,
        };
        let v = derive(&scm, &state, backend_now(scm.flavor)).map_err(VersionError::Config)?;
        let dirty = if v.dirty { ", uncommitted changes" } else { "" };
        return Ok(ProjectVersion {
            display: v.version.to_string(),
            source: match &v.tag {
                Some((tag, _)) if v.distance == 0 => format!("git tag {tag}{dirty} ({backend})"),
                Some((tag, _)) => format!(
                    "git describe: {} commit(s) after {tag}{dirty} ({backend})",
                    v.distance
                ),
                None => format!(
                    "git: no tag matching {} that {} reads as a version yet{dirty} ({backend})",
                    scm.glob, scm.regex_origin
                ),
            },
            tagged: v.tag.is_some(),
            vcs_tag: v.tag.clone().map(|(tag, version)| VcsTag {
                tag,
                version,
                distance: v.distance,
            }),
            version: Ok(v.public()),
            discovery,
        });
    }
    let source = discovery
        .places
        .iter()
        .map(|p| p.label.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let version = discovery.agreed();
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
    // A version that cannot be read is a configuration error; only a disagreement is a refusal.
    if let Err(VersionError::Config(e)) = &pv.version {
        return Err(VersionError::Config(e.clone()));
    }
    let pv_version = pv.version.clone().map_err(|e| e.to_string());

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
            let mut version = pv_version.clone();
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
            let version = match (&pv.discovery.vcs, &pv.vcs_tag, &pv_version) {
                // A dev build of a VCS project leads on from the last tag.
                (Some(_), Some(tag), _) => Ok(tag.version.clone()),
                (Some(_), None, _) => Version::from_str("0.1.dev0").map_err(|e| e.to_string()),
                (None, _, v) => v.clone(),
            };
            (commit, version, pv.tagged)
        }
        Intent::Nothing { .. } => (None, pv_version.clone(), pv.tagged),
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

//! The local git repository, by running `git` (what CI checkouts and users have), with typed
//! results. Nothing here changes the repository except [`Git::create_tag`].

use std::path::{Path, PathBuf};
use std::process::Command;

/// A git command that failed or could not run.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("could not run git: {0}; is git installed and on PATH?")]
    Spawn(std::io::Error),
    #[error("`git {args}` failed: {stderr}")]
    Failed { args: String, stderr: String },
    #[error("`git {args}` printed something unexpected: {output}")]
    Parse { args: String, output: String },
}

/// The output of `git describe --tags --long`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Describe {
    pub tag: String,
    /// Commits since the tag.
    pub distance: u64,
    pub sha: String,
    pub dirty: bool,
}

/// Parse `<tag>-<distance>-g<sha>[-dirty]`.
pub fn parse_describe(out: &str) -> Option<Describe> {
    let out = out.trim();
    let (out, dirty) = match out.strip_suffix("-dirty") {
        Some(rest) => (rest, true),
        None => (out, false),
    };
    let (rest, sha) = out.rsplit_once("-g")?;
    let (tag, distance) = rest.rsplit_once('-')?;
    Some(Describe {
        tag: tag.to_string(),
        distance: distance.parse().ok()?,
        sha: sha.to_string(),
        dirty,
    })
}

/// Ancestry of a commit relative to a branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ancestry {
    /// The commit is in the branch's history.
    Contained,
    /// The commit is not in the branch's history.
    NotContained,
    /// The branch is not present locally (typical of shallow or single-branch clones).
    BranchMissing,
    /// git could not answer (objects missing in a shallow clone, for example).
    Unknown(String),
}

/// A repository (any directory inside a work tree).
#[derive(Clone, Debug)]
pub struct Git {
    dir: PathBuf,
}

impl Git {
    pub fn new(dir: &Path) -> Self {
        Git {
            dir: dir.to_path_buf(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C")
            .arg(&self.dir)
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C");
        cmd
    }

    /// Run git; Ok((exit code, stdout)) whatever the exit code.
    fn status(&self, args: &[&str]) -> Result<(i32, String, String), GitError> {
        let out = self.command(args).output().map_err(GitError::Spawn)?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }

    /// Run git and require success; returns trimmed stdout.
    fn run(&self, args: &[&str]) -> Result<String, GitError> {
        let (code, stdout, stderr) = self.status(args)?;
        if code != 0 {
            return Err(GitError::Failed {
                args: args.join(" "),
                stderr,
            });
        }
        Ok(stdout.trim().to_string())
    }

    /// True when the directory is inside a git work tree.
    pub fn is_repo(&self) -> bool {
        matches!(self.status(&["rev-parse", "--is-inside-work-tree"]), Ok((0, out, _)) if out.trim() == "true")
    }

    /// The full commit id a revision names, or None when it names nothing.
    pub fn resolve_commit(&self, rev: &str) -> Result<Option<String>, GitError> {
        let spec = format!("{rev}^{{commit}}");
        let (code, out, _) = self.status(&["rev-parse", "--verify", "--quiet", &spec])?;
        Ok((code == 0).then(|| out.trim().to_string()))
    }

    pub fn head(&self) -> Result<String, GitError> {
        self.run(&["rev-parse", "HEAD"])
    }

    /// Committer time of a commit, seconds since the epoch.
    pub fn committer_time(&self, rev: &str) -> Result<i64, GitError> {
        let args = ["show", "-s", "--format=%ct", rev];
        let out = self.run(&args)?;
        out.parse().map_err(|_| GitError::Parse {
            args: args.join(" "),
            output: out,
        })
    }

    /// `git rev-parse --is-shallow-repository`.
    pub fn is_shallow(&self) -> Result<bool, GitError> {
        Ok(self.run(&["rev-parse", "--is-shallow-repository"])? == "true")
    }

    /// True when the tag exists locally.
    pub fn tag_exists(&self, tag: &str) -> Result<bool, GitError> {
        let (code, _, _) = self.status(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("refs/tags/{tag}"),
        ])?;
        Ok(code == 0)
    }

    /// Tags (matching a glob) that point at a commit.
    pub fn tags_at(&self, commit: &str, glob: &str) -> Result<Vec<String>, GitError> {
        let out = self.run(&["tag", "--points-at", commit, "--list", glob])?;
        Ok(out.lines().map(str::to_string).collect())
    }

    /// The local ref for a branch: the remote-tracking `origin/<b>` (what CI checkouts have),
    /// else a local branch.
    pub fn branch_ref(&self, branch: &str) -> Result<Option<String>, GitError> {
        for candidate in [
            format!("refs/remotes/origin/{branch}"),
            format!("refs/heads/{branch}"),
        ] {
            if self.resolve_commit(&candidate)?.is_some() {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    /// Every branch name known locally (local and `origin/*`), without duplicates.
    pub fn branches(&self) -> Result<Vec<String>, GitError> {
        let out = self.run(&[
            "for-each-ref",
            "--format=%(refname)",
            "refs/heads",
            "refs/remotes/origin",
        ])?;
        let mut names: Vec<String> = out
            .lines()
            .filter_map(|r| {
                r.strip_prefix("refs/heads/")
                    .or_else(|| r.strip_prefix("refs/remotes/origin/"))
            })
            .filter(|n| *n != "HEAD")
            .map(str::to_string)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Is `commit` in the history of `branch`? (`git merge-base --is-ancestor`)
    pub fn ancestry(&self, commit: &str, branch: &str) -> Result<Ancestry, GitError> {
        let Some(branch_ref) = self.branch_ref(branch)? else {
            return Ok(Ancestry::BranchMissing);
        };
        let (code, _, stderr) =
            self.status(&["merge-base", "--is-ancestor", commit, &branch_ref])?;
        Ok(match code {
            0 => Ancestry::Contained,
            1 => Ancestry::NotContained,
            _ => Ancestry::Unknown(stderr),
        })
    }

    /// `git describe --tags --long` limited to tags of a glob; None when no tag matches.
    pub fn describe(&self, glob: &str) -> Result<Option<Describe>, GitError> {
        let args = [
            "describe",
            "--tags",
            "--long",
            "--dirty",
            "--abbrev=40",
            "--match",
            glob,
        ];
        let (code, out, stderr) = self.status(&args)?;
        if code != 0 {
            if stderr.contains("No names found")
                || stderr.contains("No tags can describe")
                || stderr.contains("cannot describe")
            {
                return Ok(None);
            }
            return Err(GitError::Failed {
                args: args.join(" "),
                stderr,
            });
        }
        parse_describe(&out)
            .map(Some)
            .ok_or_else(|| GitError::Parse {
                args: args.join(" "),
                output: out,
            })
    }

    /// Tracked files differ from HEAD (`git status --porcelain --untracked-files=no`).
    pub fn is_dirty(&self) -> Result<bool, GitError> {
        Ok(!self
            .run(&["status", "--porcelain", "--untracked-files=no"])?
            .is_empty())
    }

    /// HEAD abbreviated as git does by default; None without commits.
    pub fn head_short(&self) -> Result<Option<String>, GitError> {
        let (code, out, _) =
            self.status(&["rev-parse", "--verify", "--quiet", "--short", "HEAD"])?;
        Ok((code == 0).then(|| out.trim().to_string()))
    }

    /// The top directory of the work tree.
    pub fn toplevel(&self) -> Result<PathBuf, GitError> {
        self.run(&["rev-parse", "--show-toplevel"])
            .map(PathBuf::from)
    }

    /// Number of commits reachable from HEAD.
    pub fn commit_count(&self) -> Result<u64, GitError> {
        let out = self.run(&["rev-list", "--count", "HEAD"])?;
        out.parse().map_err(|_| GitError::Parse {
            args: "rev-list --count HEAD".into(),
            output: out,
        })
    }

    /// Full messages of the commits in `since..HEAD` (all of HEAD's history when `since` is None).
    pub fn messages_since(&self, since: Option<&str>) -> Result<Vec<String>, GitError> {
        let range = since.map_or_else(|| "HEAD".to_string(), |s| format!("{s}..HEAD"));
        let out = self.run(&["log", "--format=%B%x00", &range])?;
        Ok(out
            .split('\0')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// `git tag <name>` on HEAD (the only write shipwheel does to a repository, on request).
    pub fn create_tag(&self, name: &str) -> Result<(), GitError> {
        self.run(&["tag", name]).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_output() {
        assert_eq!(
            parse_describe("v1.2.0-3-gabc123\n"),
            Some(Describe {
                tag: "v1.2.0".into(),
                distance: 3,
                sha: "abc123".into(),
                dirty: false
            })
        );
        let d = parse_describe("release-1-x-0-gdeadbeef-dirty").unwrap();
        assert_eq!(
            (d.tag.as_str(), d.distance, d.dirty),
            ("release-1-x", 0, true)
        );
        assert_eq!(parse_describe("garbage"), None);
    }
}

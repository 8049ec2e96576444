//! Real git repositories in temp dirs, GitHub-shaped events, and running `shipwheel` on them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

/// 2026-01-01T00:00:00Z: commits get fixed, increasing dates from here.
pub const EPOCH: i64 = 1_767_225_600;

pub fn git_in(dir: &Path, args: &[&str], date: i64) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", format!("@{date} +0000"))
        .env("GIT_COMMITTER_DATE", format!("@{date} +0000"))
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository whose commits have fixed dates, one minute apart.
pub struct Repo {
    _tmp: tempfile::TempDir,
    pub path: PathBuf,
    pub clock: i64,
}

pub fn pyproject(version: &str, extra: &str) -> String {
    format!(
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
         [project]\nname = \"demo-pkg\"\nversion = \"{version}\"  # keep this comment\n\n{extra}"
    )
}

impl Repo {
    /// `git init` on main with a pyproject.toml and one commit.
    pub fn new(pyproject_text: &str) -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("repo");
        std::fs::create_dir_all(&path).unwrap();
        let mut repo = Repo {
            _tmp: tmp,
            path,
            clock: EPOCH,
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.write("pyproject.toml", pyproject_text);
        repo.commit("initial");
        repo
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(&self.path, args, self.clock)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, text).unwrap();
    }

    /// Commit everything (or nothing) one minute after the previous commit; returns the sha.
    pub fn commit(&mut self, message: &str) -> String {
        self.clock += 60;
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.sha("HEAD")
    }

    pub fn sha(&self, rev: &str) -> String {
        self.git(&["rev-parse", &format!("{rev}^{{commit}}")])
    }

    pub fn tag(&self, name: &str) {
        self.git(&["tag", name]);
    }

    pub fn annotated_tag(&self, name: &str) {
        self.git(&["tag", "-a", name, "-m", name]);
    }

    pub fn checkout(&self, rev: &str) {
        self.git(&["checkout", "-q", rev]);
    }

    pub fn branch(&self, name: &str) {
        self.git(&["checkout", "-q", "-b", name]);
    }

    /// A clone like actions/checkout makes: `depth` None = full history (fetch-depth: 0).
    pub fn clone_at(&self, rev: &str, depth: Option<u32>) -> Clone {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dest = tmp.path().join("checkout");
        let url = format!("file://{}", self.path.display());
        let mut args: Vec<String> = vec!["clone".into(), "-q".into()];
        if let Some(d) = depth {
            args.push("--depth".into());
            args.push(d.to_string());
            args.push("--branch".into());
            args.push(rev.into());
        }
        args.push(url);
        args.push(dest.display().to_string());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        git_in(tmp.path(), &refs, self.clock);
        if depth.is_none() {
            git_in(&dest, &["checkout", "-q", rev], self.clock);
        }
        Clone {
            _tmp: tmp,
            path: dest,
        }
    }
}

pub struct Clone {
    _tmp: tempfile::TempDir,
    pub path: PathBuf,
}

/// A GitHub Actions event: the variables and the payload.
#[derive(Clone, Debug)]
pub struct Event {
    pub name: String,
    pub ref_full: String,
    pub sha: String,
    pub payload: Value,
}

pub fn repository(fork: bool) -> Value {
    json!({"full_name": "acme/demo", "default_branch": "main", "fork": fork, "private": false})
}

pub fn push_branch(branch: &str, sha: &str) -> Event {
    Event {
        name: "push".into(),
        ref_full: format!("refs/heads/{branch}"),
        sha: sha.into(),
        payload: json!({"ref": format!("refs/heads/{branch}"), "before": "0".repeat(40), "after": sha,
            "created": false, "deleted": false, "forced": false, "repository": repository(false),
            "head_commit": {"id": sha, "message": "change"}}),
    }
}

pub fn push_tag(tag: &str, sha: &str) -> Event {
    Event {
        name: "push".into(),
        ref_full: format!("refs/tags/{tag}"),
        sha: sha.into(),
        payload: json!({"ref": format!("refs/tags/{tag}"), "before": "0".repeat(40), "after": sha,
            "created": true, "deleted": false, "forced": false, "base_ref": null,
            "repository": repository(false), "head_commit": {"id": sha}}),
    }
}

pub fn delete_ref(full: &str) -> Event {
    Event {
        name: "push".into(),
        ref_full: full.into(),
        sha: "0".repeat(40),
        payload: json!({"ref": full, "before": "1".repeat(40), "after": "0".repeat(40),
            "created": false, "deleted": true, "forced": false, "repository": repository(false),
            "head_commit": null}),
    }
}

pub fn pull_request(number: u64, sha: &str, fork: bool) -> Event {
    let head_repo = if fork {
        json!({"full_name": "someone/demo", "fork": true})
    } else {
        json!({"full_name": "acme/demo", "fork": false})
    };
    Event {
        name: "pull_request".into(),
        ref_full: format!("refs/pull/{number}/merge"),
        sha: sha.into(),
        payload: json!({"action": "opened", "number": number, "pull_request": {"number": number,
            "head": {"ref": "feature", "sha": sha, "repo": head_repo},
            "base": {"ref": "main", "repo": {"full_name": "acme/demo", "fork": false}}},
            "repository": repository(false)}),
    }
}

pub fn dispatch(on_branch: &str, sha: &str, target: &str, ref_input: Option<&str>) -> Event {
    let mut inputs = json!({"target": target});
    if let Some(r) = ref_input {
        inputs["ref"] = json!(r);
    }
    Event {
        name: "workflow_dispatch".into(),
        ref_full: format!("refs/heads/{on_branch}"),
        sha: sha.into(),
        payload: json!({"inputs": inputs, "ref": format!("refs/heads/{on_branch}"),
            "repository": repository(false), "workflow": ".github/workflows/release.yml"}),
    }
}

pub fn release_published(tag: &str, sha: &str) -> Event {
    Event {
        name: "release".into(),
        ref_full: format!("refs/tags/{tag}"),
        sha: sha.into(),
        payload: json!({"action": "published", "release": {"tag_name": tag, "prerelease": false,
            "draft": false}, "repository": repository(false)}),
    }
}

pub fn other_event(name: &str, sha: &str) -> Event {
    Event {
        name: name.into(),
        ref_full: "refs/heads/main".into(),
        sha: sha.into(),
        payload: json!({"schedule": "0 0 * * *", "repository": repository(false)}),
    }
}

/// What one `shipwheel plan` run produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub github_output: String,
    pub step_summary: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// A command with every inherited GitHub variable removed (tests may run inside Actions).
pub fn shipwheel() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("shipwheel"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("GITHUB_") || k.starts_with("RUNNER_") || k == "CI" {
            cmd.env_remove(&*k);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Run `shipwheel <args>` in `dir` as GitHub Actions would for `event` (None = not in CI).
pub fn run_with_event(
    dir: &Path,
    event: Option<&Event>,
    args: &[&str],
    extra_env: &[(&str, &str)],
) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let out_file = tmp.path().join("github_output");
    let summary_file = tmp.path().join("step_summary");
    let mut cmd = shipwheel();
    cmd.current_dir(dir).args(args);
    if let Some(e) = event {
        let payload_path = tmp.path().join("event.json");
        std::fs::write(
            &payload_path,
            serde_json::to_vec_pretty(&e.payload).unwrap(),
        )
        .unwrap();
        let (ref_name, ref_type) = if let Some(b) = e.ref_full.strip_prefix("refs/heads/") {
            (b.to_string(), "branch")
        } else if let Some(t) = e.ref_full.strip_prefix("refs/tags/") {
            (t.to_string(), "tag")
        } else {
            (e.ref_full.trim_start_matches("refs/").to_string(), "branch")
        };
        cmd.env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("GITHUB_EVENT_NAME", &e.name)
            .env("GITHUB_EVENT_PATH", &payload_path)
            .env("GITHUB_REF", &e.ref_full)
            .env("GITHUB_REF_NAME", ref_name)
            .env("GITHUB_REF_TYPE", ref_type)
            .env("GITHUB_SHA", &e.sha)
            .env("GITHUB_REPOSITORY", "acme/demo")
            .env("GITHUB_RUN_ID", "1000")
            .env("GITHUB_RUN_ATTEMPT", "1")
            .env("GITHUB_OUTPUT", &out_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file);
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run shipwheel");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        github_output: std::fs::read_to_string(&out_file).unwrap_or_default(),
        step_summary: std::fs::read_to_string(&summary_file).unwrap_or_default(),
    }
}

/// A pypiserver from the peers venv on a free loopback port; killed on drop.
pub struct PypiServer {
    child: std::process::Child,
    _tmp: tempfile::TempDir,
    pub packages: PathBuf,
    pub simple_url: String,
}

impl PypiServer {
    pub fn start() -> PypiServer {
        let tmp = tempfile::tempdir().unwrap();
        let packages = tmp.path().join("packages");
        std::fs::create_dir_all(&packages).unwrap();
        let port = test_support::free_port();
        let child = Command::new(test_support::peer_bin("pypi-server"))
            .args([
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "-a",
                ".",
                "-P",
                ".",
                "--disable-fallback",
            ])
            .arg(&packages)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start pypi-server from the peers venv");
        let server = PypiServer {
            child,
            _tmp: tmp,
            packages,
            simple_url: format!("http://127.0.0.1:{port}/simple/"),
        };
        // Wait until it accepts connections (readiness, not a timing assertion).
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("pypi-server did not start on port {port}");
    }

    pub fn add(&self, filename: &str, bytes: &[u8]) {
        std::fs::write(self.packages.join(filename), bytes).unwrap();
    }
}

impl Drop for PypiServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! Every command with an environment variable that is not UTF-8: an unrelated one changes
//! nothing, a needed one is a usage error (exit 2) naming it.

mod plan_support;

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStringExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use test_support::builder::WheelBuilder;
use test_support::peer_bin;

/// `a\xffb`: not UTF-8.
fn not_utf8() -> OsString {
    OsString::from_vec(vec![b'a', 0xff, b'b'])
}

/// `shipwheel` with no inherited GitHub or upload settings, and an unrelated non-UTF-8 variable.
fn shipwheel() -> Command {
    let mut cmd = plan_support::shipwheel();
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("TWINE_") || k.starts_with("UV_") || k.starts_with("ACTIONS_") {
            cmd.env_remove(&*k);
        }
    }
    cmd.env("SHIPWHEEL_TEST_NOT_UTF8", not_utf8());
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

struct Serve {
    child: Child,
    index_url: String,
    upload_url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path, token: &str) -> Serve {
    let mut child = shipwheel()
        .args(["serve", "--bind", "127.0.0.1:0", "--root"])
        .arg(root)
        .env("SHIPWHEEL_SERVE_TOKEN", token)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let (mut index_url, mut upload_url) = (String::new(), String::new());
    while index_url.is_empty() || upload_url.is_empty() {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("serve exited early: {:?}", child.wait());
        }
        if let Some(u) = line.trim().strip_prefix("index:") {
            index_url = u.trim().to_string();
        }
        if let Some(u) = line.trim().strip_prefix("upload:") {
            upload_url = u.trim().to_string();
        }
    }
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    Serve {
        child,
        index_url,
        upload_url,
    }
}

#[test]
fn an_unrelated_non_utf8_variable_changes_nothing_in_any_command() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let outputs = tmp.path().join("outputs");
    let dist = tmp.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let wheel = WheelBuilder::new("env-pkg", "1.0").write_to(&dist);
    let actions = |cmd: &mut Command| {
        cmd.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs);
    };

    let mut check = shipwheel();
    check.arg("check").arg(&wheel);
    actions(&mut check);
    let out = check.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "check: {}", text(&out));
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("| passed |")
    );

    let server = serve(&tmp.path().join("index"), "pypi-env-token");
    let mut publish = shipwheel();
    publish
        .args(["publish", "--non-interactive", "--repository-url"])
        .arg(&server.upload_url)
        .args(["--index-url", &server.index_url, "-t", "pypi-env-token"])
        .arg(&wheel);
    actions(&mut publish);
    let out = publish.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "publish: {}", text(&out));

    let out = shipwheel()
        .args(["verify", "--index-url", &server.index_url, "--python"])
        .arg(peer_bin("python"))
        .env("SHIPWHEEL_UV", peer_bin("uv"))
        .arg("env-pkg==1.0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "verify: {}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("verified: env-pkg 1.0"));

    let repo = plan_support::Repo::new(&plan_support::pyproject("2.3.0", ""));
    let out = shipwheel()
        .current_dir(&repo.path)
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "version: {}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2.3.0");

    let mut plan = shipwheel();
    plan.current_dir(&repo.path).args(["plan", "--offline"]);
    actions(&mut plan);
    let out = plan.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "plan: {}", text(&out));
    assert!(
        std::fs::read_to_string(&outputs)
            .unwrap()
            .contains("publish=false")
    );
}

/// Run `shipwheel args` with `name` set to a non-UTF-8 value: exit 2 naming the variable.
fn refused(name: &str, args: &[&str], dir: &Path) {
    let out = shipwheel()
        .current_dir(dir)
        .args(args)
        .env(name, not_utf8())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "the environment variable {name} is not valid UTF-8"
        )),
        "{name}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_needed_non_utf8_variable_is_a_usage_error_naming_it() {
    let repo = plan_support::Repo::new(&plan_support::pyproject("2.3.0", ""));
    let dist = repo.path.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let wheel = WheelBuilder::new("env-pkg", "1.0").write_to(&dist);
    let wheel = wheel.to_str().unwrap();
    let upload = "http://127.0.0.1:9/legacy/";

    refused("GITHUB_ACTIONS", &["check", wheel], &repo.path);
    refused("GITHUB_REF", &["plan", "--offline"], &repo.path);
    refused("GITHUB_ACTIONS", &["plan", "--offline"], &repo.path);
    for name in ["TWINE_PASSWORD", "UV_PUBLISH_TOKEN", "TWINE_USERNAME"] {
        refused(
            name,
            &[
                "publish",
                "--non-interactive",
                "--repository-url",
                upload,
                wheel,
            ],
            &repo.path,
        );
    }
    refused(
        "SHIPWHEEL_SERVE_TOKEN",
        &["serve", "--bind", "127.0.0.1:0", "--root", "index"],
        &repo.path,
    );
    refused(
        "SHIPWHEEL_VERIFY_INDEX_URL",
        &["verify", "env-pkg==1.0"],
        &repo.path,
    );
    refused("SHIPWHEEL_COLOR", &["version"], &repo.path);
    refused("RUST_LOG", &["version"], &repo.path);
}

//! Shared helpers for the `shipwheel check` integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use test_support::builder::{SdistBuilder, WheelBuilder};

/// The real binary, isolated from the caller's CI environment and colour settings.
pub fn shipwheel(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("shipwheel").expect("shipwheel binary");
    cmd.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("SHIPWHEEL_COLOR")
        .env_remove("SHIPWHEEL_PYTHON")
        .env("NO_COLOR", "1");
    cmd
}

/// `shipwheel check ARGS` in `dir`, with the built-in reStructuredText renderer unless the
/// arguments choose one.
pub fn check(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = shipwheel(dir);
    cmd.arg("check");
    if !args.iter().any(|a| a.starts_with("--rst-renderer")) {
        cmd.args(["--rst-renderer", "native"]);
    }
    cmd.args(args);
    let out = cmd.output().expect("run shipwheel");
    assert_no_panic(&out);
    out
}

/// `shipwheel check --format json ARGS`, parsed.
pub fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = check(dir, &all);
    let code = out.status.code().unwrap_or(-1);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); exit {code}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, doc)
}

pub fn assert_no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "shipwheel panicked:\n{stderr}"
    );
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every (rule, severity) reported for the file named `filename` (batch findings excluded).
pub fn findings_of(doc: &Value, filename: &str) -> Vec<(String, String)> {
    doc["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["filename"] == filename)
        .flat_map(|f| f["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Rule ids reported for `filename`.
pub fn rules_of(doc: &Value, filename: &str) -> Vec<String> {
    findings_of(doc, filename)
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

pub fn errors_of(doc: &Value, filename: &str) -> Vec<String> {
    findings_of(doc, filename)
        .into_iter()
        .filter(|(_, s)| s == "error")
        .map(|(r, _)| r)
        .collect()
}

/// A project with a clean README that renders everywhere.
pub fn good_wheel(name: &str, version: &str) -> WheelBuilder {
    WheelBuilder::new(name, version)
        .header("Description-Content-Type", "text/markdown")
        .header("License-Expression", "MIT")
        .header("Requires-Python", ">=3.9")
        .description("# Title\n\nSome text.\n")
}

pub fn good_sdist(name: &str, version: &str) -> SdistBuilder {
    SdistBuilder::new(name, version)
        .header("Description-Content-Type", "text/markdown")
        .header("License-Expression", "MIT")
        .header("Requires-Python", ">=3.9")
        .description("# Title\n\nSome text.\n")
}

/// A temp dir with `dist/` inside.
pub fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).expect("mkdir dist");
    (dir, dist)
}

//! Snapshots of every `shipwheel check` output format on one fixed set of builder-made files:
//! a clean wheel, a wheel with check-wheel-contents warnings, an sdist whose reStructuredText
//! does not render, and a second sdist of the same release.

mod check_common;

use std::path::Path;

use check_common::*;
use test_support::builder::SdistBuilder;

fn fixture() -> tempfile::TempDir {
    let (dir, dist) = workdir();
    good_wheel("clean", "1.0").write_to(&dist);
    good_wheel("messy", "2.0")
        .file("tests/__init__.py", "")
        .file("tests/test_messy.py", "def test(): pass\n")
        .file("messy/__pycache__/__init__.cpython-311.pyc", [0u8, 1, 2])
        .write_to(&dist);
    SdistBuilder::new("rsty", "0.1")
        .header("Description-Content-Type", "text/x-rst")
        .header("License-Expression", "MIT")
        .description("Title\n=====\n\nThis is *broken.\n")
        .write_to(&dist);
    good_sdist("rsty", "0.1")
        .filename("rsty-0.1.0.tar.gz")
        .top_dir("rsty-0.1.0")
        .write_to(&dist);
    dir
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = check(dir, args);
    assert_eq!(out.status.code(), Some(1), "the fixture has errors");
    stdout(&out)
}

#[test]
fn human_format() {
    let dir = fixture();
    insta::assert_snapshot!(run(dir.path(), &[]));
}

#[test]
fn human_format_quiet() {
    let dir = fixture();
    let out = shipwheel(dir.path())
        .args(["-q", "check", "--rst-renderer", "native"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn json_format() {
    let dir = fixture();
    let doc: serde_json::Value =
        serde_json::from_str(&run(dir.path(), &["--format", "json"])).unwrap();
    insta::assert_json_snapshot!(doc, {
        ".tool.version" => "[version]",
        ".files[].sha256" => "[sha256]",
        ".files[].size" => "[size]",
    });
}

#[test]
fn sarif_format() {
    let dir = fixture();
    let doc: serde_json::Value =
        serde_json::from_str(&run(dir.path(), &["--format", "sarif"])).unwrap();
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), shipwheel_dist::rules::all_rules().len());
    insta::assert_json_snapshot!(doc, {
        ".runs[].tool.driver.version" => "[version]",
        ".runs[].tool.driver.semanticVersion" => "[version]",
        ".runs[].tool.driver.rules" => "[every rule in the registry]",
        ".runs[].results[].ruleIndex" => "[index into rules]",
    });
}

#[test]
fn github_format() {
    let dir = fixture();
    insta::assert_snapshot!(run(dir.path(), &["--format", "github"]));
}

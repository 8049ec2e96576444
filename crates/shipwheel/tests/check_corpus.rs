//! No false errors on real packages: every wheel and sdist of the corpus (scripts/corpus.sh)
//! passes `shipwheel check`, and the check-wheel-contents rules agree with the real tool.

mod check_common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use check_common::*;
use test_support::{corpus_dir, peer_bin};

fn corpus_files() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let dir = corpus_dir();
    let list = |sub: &str, ext: &str| {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(ext))
            .collect();
        v.sort();
        v
    };
    let wheels = list("wheels", ".whl");
    let sdists = list("sdists", ".tar.gz");
    assert!(wheels.len() >= 20, "corpus wheels missing");
    assert!(sdists.len() >= 5, "corpus sdists missing");
    (wheels, sdists)
}

fn args_for(files: &[PathBuf]) -> Vec<String> {
    files.iter().map(|p| p.display().to_string()).collect()
}

fn assert_no_errors(extra: &[&str]) {
    let (wheels, sdists) = corpus_files();
    let files: Vec<PathBuf> = wheels.into_iter().chain(sdists).collect();
    let paths = args_for(&files);
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(paths.iter().map(String::as_str));
    let dir = tempfile::tempdir().unwrap();
    let (code, doc) = check_json(dir.path(), &args);
    let mut false_errors = Vec::new();
    for f in doc["files"].as_array().unwrap() {
        for finding in f["findings"].as_array().unwrap() {
            if finding["severity"] == "error" {
                false_errors.push(format!(
                    "{}: {} {}",
                    f["filename"], finding["rule"], finding["message"]
                ));
            }
        }
    }
    for finding in doc["batch"].as_array().unwrap() {
        if finding["severity"] == "error" {
            false_errors.push(format!("batch: {} {}", finding["rule"], finding["message"]));
        }
    }
    assert!(
        false_errors.is_empty(),
        "errors on packages PyPI accepted:\n{}",
        false_errors.join("\n")
    );
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["files"].as_u64(), Some(files.len() as u64));
}

#[test]
fn real_packages_pass() {
    assert_no_errors(&[]);
}

#[test]
fn real_packages_pass_with_hash_verification() {
    assert_no_errors(&["--verify-hashes"]);
}

/// check id -> how many times check-wheel-contents reported it, per wheel filename.
type Codes = BTreeMap<String, BTreeMap<String, usize>>;

#[test]
fn wheel_contents_rules_agree_with_check_wheel_contents() {
    let (wheels, _) = corpus_files();
    let out = Command::new(peer_bin("check-wheel-contents"))
        .args(&wheels)
        .output()
        .expect("run check-wheel-contents");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut theirs: Codes = BTreeMap::new();
    for w in &wheels {
        theirs.insert(
            w.file_name().unwrap().to_string_lossy().into_owned(),
            BTreeMap::new(),
        );
    }
    for line in text.lines().filter(|l| !l.starts_with(' ')) {
        let Some((path, rest)) = line.split_once(".whl: ") else {
            continue;
        };
        let filename = format!("{}.whl", path.rsplit('/').next().unwrap_or(path));
        if rest == "OK" {
            continue;
        }
        let code = rest.split(':').next().unwrap().to_string();
        *theirs.get_mut(&filename).unwrap().entry(code).or_default() += 1;
    }
    // The peer's findings documented for this corpus (peers.md) are all there.
    assert_eq!(
        theirs["attrs-26.1.0-py3-none-any.whl"]
            .keys()
            .collect::<Vec<_>>(),
        ["W009"]
    );

    let dir = tempfile::tempdir().unwrap();
    let paths = args_for(&wheels);
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (_, doc) = check_json(dir.path(), &args);
    let mut ours: Codes = BTreeMap::new();
    for f in doc["files"].as_array().unwrap() {
        let entry = ours
            .entry(f["filename"].as_str().unwrap().to_string())
            .or_default();
        for finding in f["findings"].as_array().unwrap() {
            let rule = finding["rule"].as_str().unwrap();
            if rule.starts_with('W') && rule.len() == 4 {
                *entry.entry(rule.to_string()).or_default() += 1;
            }
        }
    }
    assert_eq!(
        ours, theirs,
        "shipwheel's W-rules versus check-wheel-contents on the corpus"
    );
}

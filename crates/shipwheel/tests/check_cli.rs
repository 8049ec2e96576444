//! `shipwheel check` command-line behaviour: inputs, exit codes, flags and output formats.

mod check_common;

use check_common::*;
use test_support::builder::WheelBuilder;

/// A wheel PyPI accepts that check-wheel-contents warns about (two top-level packages: W009).
fn two_package_wheel() -> WheelBuilder {
    good_wheel("twopkg", "1.0").file("other/__init__.py", "x = 2\n")
}

#[test]
fn default_is_dist_glob_and_clean_files_pass() {
    let (dir, dist) = workdir();
    good_wheel("clean", "1.0").write_to(&dist);
    good_sdist("clean", "1.0").write_to(&dist);
    // A dotfile next to them (uv build writes dist/.gitignore) is not a distribution.
    std::fs::write(dist.join(".gitignore"), "*\n").unwrap();
    let out = check(dir.path(), &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("dist/clean-1.0-py3-none-any.whl: PASSED"),
        "{text}"
    );
    assert!(text.contains("dist/clean-1.0.tar.gz: PASSED"), "{text}");
    assert!(
        text.contains("2 files checked: 0 errors, 0 warnings"),
        "{text}"
    );
    assert!(text.contains("OK: PyPI would accept every file"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn nothing_to_check_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no distribution files match `dist/*`"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("python -m build"), "says what to do");

    let out = check(dir.path(), &["nothing-*.whl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no distribution files match `nothing-*.whl`"));

    let out = check(dir.path(), &["missing-1.0-py3-none-any.whl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("cannot read missing-1.0-py3-none-any.whl: no such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn globs_and_directories_expand_without_repeats() {
    let (dir, dist) = workdir();
    good_wheel("globbed", "1.0").write_to(&dist);
    good_sdist("globbed", "1.0").write_to(&dist);
    std::fs::write(dist.join("globbed-1.0.tar.gz.asc"), "sig").unwrap();
    let (code, doc) = check_json(
        dir.path(),
        &["dist/*.whl", "dist", "dist/globbed-1.0.tar.gz"],
    );
    assert_eq!(code, 0, "{doc:#}");
    let names: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["globbed-1.0-py3-none-any.whl", "globbed-1.0.tar.gz"]
    );
}

#[test]
fn errors_exit_1_and_say_what_to_do() {
    let (dir, dist) = workdir();
    // Two sdists of one release: PyPI keeps the first and refuses the second.
    good_sdist("twice", "1.0").write_to(&dist);
    good_sdist("twice", "1.0")
        .filename("twice-1.0.0.tar.gz")
        .top_dir("twice-1.0.0")
        .write_to(&dist);
    let out = check(dir.path(), &["dist/*"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error[B001] Only one sdist may be uploaded per release."),
        "{text}"
    );
    assert!(text.contains("FAILED: "), "{text}");
    assert!(
        text.contains("run `shipwheel check dist/*` again"),
        "{text}"
    );
}

/// PyPI scans every upload for encrypted code; the command as typed (no flags) does too.
#[test]
fn encrypted_code_in_a_wheel_fails_without_flags() {
    let (dir, dist) = workdir();
    good_wheel("armored", "1.0")
        .file(
            "armored/core.py",
            "__pyarmor__(__name__, __file__, b'...')\n",
        )
        .write_to(&dist);
    let out = shipwheel(dir.path()).arg("check").output().unwrap();
    assert_no_panic(&out);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("error[A027] Invalid distribution file. PyArmor-encrypted content"),
        "{text}"
    );
    assert!(text.contains("armored/core.py"), "{text}");
}

#[test]
fn strict_fails_on_warnings_and_ignore_drops_rules() {
    let (dir, dist) = workdir();
    two_package_wheel().write_to(&dist);
    let out = check(dir.path(), &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "warnings alone pass: {text}");
    assert!(text.contains("PASSED with warnings"), "{text}");
    assert!(
        text.contains("warning[W009] Wheel contains multiple toplevel library entries"),
        "{text}"
    );

    let out = check(dir.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("FAILED due to warnings (--strict)"));

    let (code, doc) = check_json(dir.path(), &["--strict", "--ignore", "W009"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["ignored"], serde_json::json!(["W009"]));
    assert!(!rules_of(&doc, "twopkg-1.0-py3-none-any.whl").contains(&"W009".to_string()));

    let out = check(dir.path(), &["--ignore", "Z999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown rule `Z999`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_document_follows_the_schema() {
    let (dir, dist) = workdir();
    two_package_wheel().write_to(&dist);
    let (code, doc) = check_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["tool"]["name"], "shipwheel");
    assert!(doc["tool"]["version"].is_string());
    assert_eq!(doc["rst_renderer"], "native");
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["strict"], false);
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(doc["summary"]["errors"], 0);
    let file = &doc["files"][0];
    assert_eq!(file["path"], "dist/twopkg-1.0-py3-none-any.whl");
    assert_eq!(file["filename"], "twopkg-1.0-py3-none-any.whl");
    assert_eq!(file["kind"], "wheel");
    assert_eq!(file["name"], "twopkg");
    assert_eq!(file["version"], "1.0");
    assert_eq!(file["sha256"].as_str().map(str::len), Some(64));
    assert!(file["size"].as_u64().unwrap() > 0);
    let w009 = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "W009")
        .expect("W009 reported");
    assert_eq!(w009["severity"], "warning");
    assert_eq!(w009["name"], "multiple-toplevel-entries");
    assert_eq!(w009["file"], "twopkg-1.0-py3-none-any.whl");
    assert!(w009["hint"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(doc["summary"]["warnings"].as_u64().unwrap() >= 1);
    assert!(doc["batch"].as_array().unwrap().is_empty());
}

#[test]
fn sarif_names_rules_and_files() {
    let (dir, dist) = workdir();
    two_package_wheel().write_to(&dist);
    let out = check(dir.path(), &["--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "W009"));
    assert!(rules.iter().any(|r| r["id"] == "B001"));
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "W009")
        .expect("W009 result");
    assert_eq!(result["level"], "warning");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "W009");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "dist/twopkg-1.0-py3-none-any.whl"
    );
    assert_eq!(loc["region"]["startLine"], 1);
}

#[test]
fn github_annotations_in_actions_and_as_a_format() {
    let (dir, dist) = workdir();
    two_package_wheel().write_to(&dist);
    let out = shipwheel(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "--rst-renderer", "native"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("PASSED with warnings"),
        "human output first: {text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with(
            "::warning file=dist/twopkg-1.0-py3-none-any.whl,title=W009 multiple-toplevel-entries::"
        )),
        "{text}"
    );

    // The step summary gets a table of files.
    let summary = dir.path().join("summary.md");
    let out = shipwheel(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--rst-renderer", "native", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("### shipwheel check\n"), "{md}");
    assert!(
        md.contains("| `dist/twopkg-1.0-py3-none-any.whl` | failed | 0 |"),
        "{md}"
    );
    assert!(
        md.contains("- **warning** `W009` twopkg-1.0-py3-none-any.whl: "),
        "{md}"
    );
    assert!(md.contains("**FAILED**"), "{md}");

    // JSON on stdout stays a clean document even in Actions.
    let out = shipwheel(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "--rst-renderer", "native", "--format", "json"])
        .output()
        .unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());

    // --strict turns warnings into error annotations.
    let out = check(dir.path(), &["--format", "github", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("::error file=dist/twopkg-1.0-py3-none-any.whl,title=W009"),
        "{text}"
    );
    assert!(text.trim_end().ends_with(": FAILED"), "{text}");
}

#[test]
fn output_file_gets_the_report() {
    let (dir, dist) = workdir();
    good_wheel("outfile", "1.0").write_to(&dist);
    let out = check(
        dir.path(),
        &["--format", "sarif", "--output", "report.sarif"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("report written to report.sarif"));
    let text = std::fs::read_to_string(dir.path().join("report.sarif")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], "2.1.0");
}

#[test]
fn max_file_size_accepts_units_and_limits_files() {
    let (dir, dist) = workdir();
    good_wheel("big", "1.0")
        .file("big/data.bin", vec![7u8; 4096])
        .stored()
        .write_to(&dist);
    let (code, doc) = check_json(dir.path(), &["--max-file-size", "2KiB"]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(
        !errors_of(&doc, "big-1.0-py3-none-any.whl").is_empty(),
        "{doc:#}"
    );
    let (code, _) = check_json(dir.path(), &["--max-file-size", "50MB"]);
    assert_eq!(code, 0);
    let out = check(dir.path(), &["--max-file-size", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not a size"), "{}", stderr(&out));
}

#[test]
fn python_renderer_that_cannot_run_is_a_usage_error() {
    let (dir, dist) = workdir();
    good_wheel("rst", "1.0").write_to(&dist);
    // No other interpreter to fall back to: no $SHIPWHEEL_PYTHON, no python3 on PATH.
    let empty = tempfile::tempdir().unwrap();
    let out = shipwheel(dir.path())
        .env("PATH", empty.path())
        .args([
            "check",
            "--rst-renderer",
            "python",
            "--python",
            "/nonexistent/python3",
        ])
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("readme-renderer"), "{}", stderr(&out));
}

#[test]
fn python_renderer_is_named_in_the_output() {
    let (dir, dist) = workdir();
    good_wheel("rst", "1.0").write_to(&dist);
    let python = test_support::peer_bin("python");
    let (code, doc) = check_json(
        dir.path(),
        &[
            "--rst-renderer",
            "python",
            "--python",
            python.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert!(
        doc["rst_renderer"]
            .as_str()
            .unwrap()
            .contains("readme-renderer"),
        "{doc:#}"
    );
}

#[test]
fn color_only_when_asked() {
    let (dir, dist) = workdir();
    two_package_wheel().write_to(&dist);
    let out = shipwheel(dir.path())
        .env_remove("NO_COLOR")
        .args(["--color", "always", "check", "--rst-renderer", "native"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains('\u{1b}'),
        "colour with --color always"
    );
    let out = shipwheel(dir.path())
        .args(["check", "--rst-renderer", "native"])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains('\u{1b}'));
}

#[test]
fn wheel_and_sdist_of_one_release_must_agree() {
    let (dir, dist) = workdir();
    good_sdist("agree", "1.0").write_to(&dist);
    good_wheel("agree", "1.0")
        .header("Summary", "Something else")
        .write_to(&dist);
    let (code, doc) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "a warning only: {doc:#}");
    let batch = doc["batch"].as_array().unwrap();
    assert_eq!(batch.len(), 1, "{doc:#}");
    assert_eq!(batch[0]["rule"], "B006");
    assert_eq!(batch[0]["location"], "Summary");
    assert_eq!(
        batch[0]["message"],
        "Summary differs from the sdist agree-1.0.tar.gz: Something else in the wheel, A test package in the sdist"
    );
}

/// Paths that exist but are not readable distribution files are unreadable input: exit 2,
/// never a hang (a FIFO blocks whoever opens it) and never "1 error".
#[cfg(unix)]
#[test]
fn unreadable_paths_exit_2() {
    let (dir, dist) = workdir();
    good_wheel("fine", "1.0").write_to(&dist);

    let fifo = dist.join("pipe-1.0-py3-none-any.whl");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    // A hang guard, not a timing assertion: the bug this catches blocks forever.
    let out = shipwheel(dir.path())
        .args([
            "check",
            "--rst-renderer",
            "native",
            "dist/pipe-1.0-py3-none-any.whl",
        ])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run shipwheel");
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    // The glob and directory forms skip it and check the real file.
    assert_eq!(check(dir.path(), &["dist/*"]).status.code(), Some(0));
    assert_eq!(check(dir.path(), &["dist"]).status.code(), Some(0));
    std::fs::remove_file(&fifo).unwrap();

    // A directory named like a distribution, given explicitly.
    std::fs::create_dir(dist.join("dir-1.0.tar.gz")).unwrap();
    let out = check(dir.path(), &["dist/dir-1.0.tar.gz"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // A path nobody can open, root included: a symlink loop named like a wheel.
    std::os::unix::fs::symlink(
        "loop-1.0-py3-none-any.whl",
        dist.join("loop-1.0-py3-none-any.whl"),
    )
    .unwrap();
    let out = check(dir.path(), &["dist/loop-1.0-py3-none-any.whl"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read dist/loop-1.0-py3-none-any.whl"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(dist.join("loop-1.0-py3-none-any.whl")).unwrap();

    // No read permission. Root reads anything through CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so
    // when this test runs as root (CI containers do) shipwheel runs without those two
    // capabilities (util-linux setpriv) and the file is as unreadable to it as to anyone.
    use std::os::unix::fs::PermissionsExt;
    let wheel = dist.join("fine-1.0-py3-none-any.whl");
    std::fs::set_permissions(&wheel, std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::File::open(&wheel).is_ok();
    let out = if privileged {
        let caps = "-dac_override,-dac_read_search";
        std::process::Command::new("setpriv")
            .arg(format!("--inh-caps={caps}"))
            .arg(format!("--bounding-set={caps}"))
            .arg(assert_cmd::cargo::cargo_bin!("shipwheel"))
            .args([
                "check",
                "--rst-renderer",
                "native",
                "dist/fine-1.0-py3-none-any.whl",
            ])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run shipwheel under setpriv (util-linux), which a root test run needs")
    } else {
        check(dir.path(), &["dist/fine-1.0-py3-none-any.whl"])
    };
    assert_no_panic(&out);
    std::fs::set_permissions(&wheel, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read dist/fine-1.0-py3-none-any.whl: permission denied"),
        "{}",
        stderr(&out)
    );
}

/// Annotations stay one line each and keep their properties intact whatever the path and the
/// message hold (`,` `:` in paths; `%`, quotes and line breaks in values).
#[test]
fn github_annotations_escape_paths_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("out,dir:1");
    std::fs::create_dir(&odd).unwrap();
    good_wheel("esc", "1.0")
        .header("Classifier", "Programming Language :: 100% \"Pythn\"")
        .write_to(&odd);
    let out = check(dir.path(), &["--format", "github", "out,dir:1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("TC001"))
        .unwrap_or_else(|| panic!("no TC001 annotation: {text}"));
    assert!(
        line.starts_with("::error file=out%2Cdir%3A1/esc-1.0-py3-none-any.whl,title=TC001 "),
        "{line}"
    );
    let (_, message) = line
        .split_once("::")
        .and_then(|(_, r)| r.split_once("::"))
        .unwrap();
    assert!(message.contains("100%25"), "{message}");
    assert!(!message.contains("100% "), "unescaped percent: {message}");
    // Every line of output is an annotation or the summary: nothing leaked onto its own line.
    for l in text.lines() {
        assert!(
            l.starts_with("::") || l.starts_with("shipwheel check: "),
            "stray line {l:?} in {text}"
        );
    }
}

/// The SARIF log is structurally valid SARIF 2.1.0 (the properties the schema requires, with the
/// types and value sets it allows), also for paths with characters that are special in URIs.
#[test]
fn sarif_is_structurally_valid_for_odd_paths() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("dist #1: ü%");
    std::fs::create_dir(&odd).unwrap();
    good_wheel("odd", "1.0")
        .header("Classifier", "Programming Language :: Pythn")
        .write_to(&odd);
    two_package_wheel().write_to(&odd);
    let out = check(dir.path(), &["--format", "sarif", "dist #1: ü%"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "shipwheel");
    if let Some(info) = driver.get("informationUri") {
        let info = info.as_str().expect("informationUri is a string");
        assert!(info.starts_with("https://"), "absolute URI: {info:?}");
    }
    let rules = driver["rules"].as_array().expect("rules");
    for r in rules {
        assert!(r["id"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
        assert!(r["shortDescription"]["text"].is_string(), "{r}");
    }
    let results = runs[0]["results"].as_array().expect("results");
    assert!(results.len() >= 2, "{doc}");
    let mut saw_tc001 = false;
    for res in results {
        assert!(
            res["message"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        assert!(
            ["none", "note", "warning", "error"].contains(&res["level"].as_str().unwrap()),
            "{res}"
        );
        let index = res["ruleIndex"]
            .as_u64()
            .expect("ruleIndex is a non-negative integer");
        let rule = &rules[usize::try_from(index).unwrap()];
        assert_eq!(rule["id"], res["ruleId"], "ruleIndex points at ruleId");
        for loc in res["locations"].as_array().expect("locations") {
            let phys = &loc["physicalLocation"];
            let uri = phys["artifactLocation"]["uri"].as_str().expect("uri");
            // A relative reference whose first segment has no `:` (it would read as a scheme),
            // and nothing that starts a query or fragment or needs escaping.
            assert!(
                uri.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
                "unescaped character in {uri:?}"
            );
            assert!(uri.starts_with("dist%20%231%3A%20%C3%BC%25/"), "{uri:?}");
            if let Some(line) = phys["region"].get("startLine") {
                assert!(line.as_u64().is_some_and(|n| n >= 1), "{res}");
            }
        }
        saw_tc001 |= res["ruleId"] == "TC001";
    }
    assert!(saw_tc001, "{doc}");
}

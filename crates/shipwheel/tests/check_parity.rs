//! Parity with the real tools: on the same builder-made files, every problem `twine check` and
//! `check-wheel-contents` report is also reported by `shipwheel check`, under a known rule id.

mod check_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use check_common::*;
use test_support::builder::{SdistBuilder, WheelBuilder};
use test_support::peer_bin;

/// One problem a peer reported, and the rule shipwheel must report for it.
#[derive(Debug)]
struct PeerProblem {
    tool: &'static str,
    /// The peer refused the file (twine ERROR); a warning otherwise.
    error: bool,
    message: String,
    rule: &'static str,
}

/// twine refuses files with unknown metadata fields, but PyPI ignores unknown form fields, so
/// shipwheel (which judges what PyPI accepts) reports them as a warning.
const TWINE_ONLY_REFUSALS: &[&str] = &["M002"];

/// The rule shipwheel reports for a `twine check` message. An unknown message fails the test,
/// so a new twine behaviour is noticed rather than ignored.
fn twine_rule(message: &str) -> &'static str {
    let table: &[(&str, &str)] = &[
        ("is not a valid metadata version", "M003"),
        ("is invalid for 'version'", "M006"),
        ("is invalid for 'name'", "M005"),
        ("unrecognized or malformed field", "M002"),
        ("'description-content-type'", "M010"),
        ("introduced in metadata version", "M004"),
        ("'summary' must be a single line", "M009"),
        ("is invalid for 'requires-dist'", "M014"),
        ("is invalid for 'requires-python'", "M013"),
        ("has syntax errors in markup", "D001"),
        ("`long_description_content_type` missing", "D002"),
        ("`long_description` missing", "D003"),
    ];
    table
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map(|(_, rule)| *rule)
        .unwrap_or_else(|| panic!("no shipwheel rule mapped for twine's message: {message}"))
}

/// Problems `twine check` reports for one file (it stops at the first metadata error).
fn twine_check(path: &Path) -> Vec<PeerProblem> {
    let out = Command::new(peer_bin("twine"))
        .args(["--no-color", "check"])
        .arg(path)
        .env("COLUMNS", "1000")
        .env("NO_COLOR", "1")
        .output()
        .expect("run twine check");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut problems = Vec::new();
    for line in text.lines() {
        // "Checking f: ERROR    msg" (metadata) or "ERROR    msg" / "WARNING  msg" (description).
        let rest = line
            .split_once(": ERROR ")
            .map(|(_, r)| ("ERROR", r))
            .or_else(|| {
                line.strip_prefix("ERROR ")
                    .map(|r| ("ERROR", r))
                    .or_else(|| line.strip_prefix("WARNING ").map(|r| ("WARNING", r)))
            });
        if let Some((level, msg)) = rest {
            let msg = msg.trim().to_string();
            problems.push(PeerProblem {
                tool: "twine",
                error: level == "ERROR" && !TWINE_ONLY_REFUSALS.contains(&twine_rule(&msg)),
                rule: twine_rule(&msg),
                message: msg,
            });
        }
    }
    let failed = !out.status.success();
    assert_eq!(
        failed,
        text.contains("ERROR "),
        "twine's exit status and its messages disagree:\n{text}"
    );
    problems
}

/// Check ids `check-wheel-contents` reports for one wheel (W001..W010), with repeats (W002 is
/// reported once per group of duplicates).
fn cwc_check(path: &Path) -> Vec<PeerProblem> {
    let out = Command::new(peer_bin("check-wheel-contents"))
        .arg(path)
        .output()
        .expect("run check-wheel-contents");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut problems = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with(' ')) {
        let Some((_, rest)) = line.split_once(".whl: ") else {
            continue;
        };
        if rest == "OK" {
            continue;
        }
        let code = rest.split(':').next().unwrap_or("");
        let rule = match code {
            "W001" => "W001",
            "W002" => "W002",
            "W003" => "W003",
            "W004" => "W004",
            "W005" => "W005",
            "W006" => "W006",
            "W007" => "W007",
            "W008" => "W008",
            "W009" => "W009",
            "W010" => "W010",
            other => panic!("unexpected check-wheel-contents output `{other}` in: {line}"),
        };
        problems.push(PeerProblem {
            tool: "check-wheel-contents",
            error: false,
            message: rest.to_string(),
            rule,
        });
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("invalid wheel"),
        "fixture is not readable by check-wheel-contents: {stderr}"
    );
    problems
}

/// Every peer problem is reported by shipwheel under the mapped rule; a peer error is an
/// error in shipwheel too. Returns shipwheel's findings for further checks.
fn assert_parity(dir: &Path, file: &Path, problems: &[PeerProblem]) -> Vec<(String, String)> {
    let python = peer_bin("python");
    let (code, doc) = check_json(
        dir,
        &[
            "--rst-renderer",
            "auto",
            "--python",
            python.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    );
    let filename = file.file_name().unwrap().to_str().unwrap();
    let ours = findings_of(&doc, filename);
    for p in problems {
        let matching: Vec<_> = ours.iter().filter(|(r, _)| r == p.rule).collect();
        assert!(
            !matching.is_empty(),
            "{} reports `{}` on {filename}, shipwheel has no {}: {ours:?}",
            p.tool,
            p.message,
            p.rule
        );
        if p.error {
            assert!(
                matching.iter().any(|(_, s)| s == "error"),
                "{} refuses {filename} (`{}`), shipwheel only warns ({}): {ours:?}",
                p.tool,
                p.message,
                p.rule
            );
        }
    }
    if problems.iter().any(|p| p.error) {
        assert_eq!(code, 1, "a refused file must fail the check: {doc:#}");
    }
    ours
}

fn cases_twine(dist: &Path) -> Vec<PathBuf> {
    let rst = "Title\n=====\n\nThis is *broken.\n";
    vec![
        WheelBuilder::new("brokenrst", "1.0")
            .header("Description-Content-Type", "text/x-rst")
            .description(rst)
            .write_to(dist),
        SdistBuilder::new("brokenrst", "1.0")
            .header("Description-Content-Type", "text/x-rst")
            .description(rst)
            .write_to(dist),
        // No content type: rendered as reStructuredText, and broken.
        WheelBuilder::new("nodctbroken", "1.0")
            .description(rst)
            .write_to(dist),
        WheelBuilder::new("nodct", "1.0")
            .description("Plain words render as RST.\n")
            .write_to(dist),
        SdistBuilder::new("nodct", "1.0")
            .description("Plain words render as RST.\n")
            .write_to(dist),
        WheelBuilder::new("nodesc", "1.0")
            .header("Description-Content-Type", "text/markdown")
            .write_to(dist),
        WheelBuilder::new("badmv", "1.0")
            .header("Metadata-Version", "3.0")
            .write_to(dist),
        SdistBuilder::new("badmv", "1.0")
            .header("Metadata-Version", "2.0")
            .write_to(dist),
        WheelBuilder::new("badver", "1.0")
            .header("Version", "1.0-foo-bar")
            .write_to(dist),
        WheelBuilder::new("unkfield", "1.0")
            .header("Foo-Bar", "x")
            .write_to(dist),
        WheelBuilder::new("badct", "1.0")
            .header("Description-Content-Type", "text/html")
            .description("<p>hi</p>")
            .write_to(dist),
        WheelBuilder::new("toonew", "1.0")
            .header("Metadata-Version", "2.1")
            .header("License-Expression", "MIT")
            .write_to(dist),
        WheelBuilder::new("badreq", "1.0")
            .header("Requires-Dist", "foo >>> 1")
            .write_to(dist),
        WheelBuilder::new("badpy", "1.0")
            .header("Requires-Python", ">=3.x")
            .write_to(dist),
    ]
}

#[test]
fn everything_twine_check_reports_is_reported() {
    let (dir, dist) = workdir();
    let files = cases_twine(&dist);
    let mut seen_rules = Vec::new();
    for file in &files {
        let problems = twine_check(file);
        assert!(
            !problems.is_empty(),
            "fixture {} must trip twine",
            file.display()
        );
        seen_rules.extend(problems.iter().map(|p| p.rule));
        assert_parity(dir.path(), file, &problems);
    }
    // Every mapped twine message was exercised by at least one fixture.
    for rule in [
        "M003", "M006", "M002", "M010", "M004", "M014", "M013", "D001", "D002", "D003",
    ] {
        assert!(seen_rules.contains(&rule), "no fixture exercised {rule}");
    }
}

fn cases_cwc(dist: &Path) -> Vec<PathBuf> {
    let w = |name: &str| good_wheel(name, "1.0");
    vec![
        w("pycfiles")
            .file("pycfiles/__pycache__/__init__.cpython-311.pyc", [1u8, 2, 3])
            .write_to(dist),
        w("dupes")
            .file("dupes/a.py", "x = 1\n")
            .file("dupes/b.py", "x = 1\n")
            .write_to(dist),
        w("toplevelfile").file("README.md", "# hi\n").write_to(dist),
        w("badmodule")
            .file("badmodule/migrations/__init__.py", "x = 0\n")
            .file("badmodule/migrations/0001_initial.py", "x = 1\n")
            .write_to(dist),
        w("hastests")
            .file("tests/__init__.py", "")
            .file("tests/test_a.py", "def test(): pass\n")
            .write_to(dist),
        w("topinit")
            .no_files()
            .file("__init__.py", "x = 1\n")
            .write_to(dist),
        w("emptylib").no_files().write_to(dist),
        w("twotop")
            .file("second/__init__.py", "y = 2\n")
            .write_to(dist),
        w("withassets")
            .file("assets/logo.svg", "<svg/>")
            .write_to(dist),
        w("cleanone").file("cleanone/py.typed", "").write_to(dist),
    ]
}

#[test]
fn everything_check_wheel_contents_reports_is_reported() {
    let (dir, dist) = workdir();
    let files = cases_cwc(&dist);
    let mut seen = Vec::new();
    for file in &files {
        let problems = cwc_check(file);
        seen.extend(problems.iter().map(|p| p.rule));
        let ours = assert_parity(dir.path(), file, &problems);
        // And the other way round: no W-rule that check-wheel-contents does not report.
        let mut ours_w: Vec<&str> = ours
            .iter()
            .map(|(r, _)| r.as_str())
            .filter(|r| r.starts_with('W'))
            .collect();
        let mut theirs: Vec<&str> = problems.iter().map(|p| p.rule).collect();
        ours_w.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours_w, theirs, "W-rules differ on {}", file.display());
        assert!(
            ours.iter()
                .filter(|(r, _)| r.starts_with('W'))
                .all(|(_, s)| s == "warning"),
            "check-wheel-contents findings are warnings: {ours:?}"
        );
    }
    for rule in [
        "W001", "W002", "W003", "W004", "W005", "W006", "W007", "W008", "W009", "W010",
    ] {
        assert!(seen.contains(&rule), "no fixture exercised {rule}");
    }
}

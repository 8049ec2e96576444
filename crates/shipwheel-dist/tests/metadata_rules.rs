//! Metadata rules on real files built with test-support, through the engine (`check_file`),
//! next to twine's own verdict (`PackageFile.from_filename`, the code path of `twine check`
//! and `twine upload`) from the peers venv.
//!
//! packaging-level rules must agree with twine exactly; Warehouse-only rules (which twine does
//! not run) must fail with shipwheel while twine lets them through to PyPI.

use std::path::PathBuf;

use shipwheel_dist::{CheckOptions, Severity, check_file};
use test_support::builder::{SdistBuilder, WheelBuilder};

/// twine's verdict per file: `None` when it accepts the file, else its error text.
fn twine_verdicts(files: &[PathBuf]) -> Vec<Option<String>> {
    const SCRIPT: &str = r#"
import json, sys
from twine.package import PackageFile
from twine.exceptions import InvalidDistribution
out = []
for f in json.load(sys.stdin):
    try:
        PackageFile.from_filename(f, comment=None)
        out.append(None)
    except InvalidDistribution as e:
        out.append(str(e))
print(json.dumps(out))
"#;
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    test_support::peer_python_json(SCRIPT, &names)
}

/// The errors of this crate's metadata, license, classifier and description rules.
fn metadata_errors(path: &std::path::Path) -> Vec<String> {
    let report = check_file(path, &CheckOptions::default());
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter(|f| {
            f.rule.starts_with('M')
                || f.rule.starts_with('L')
                || f.rule.starts_with("TC")
                || f.rule.starts_with('D')
        })
        .map(|f| format!("{} {}", f.rule, f.message))
        .collect()
}

fn wheel(headers: &[(&str, &str)]) -> WheelBuilder {
    let mut b = WheelBuilder::new("demo", "1.0").description("# Demo\n");
    if !headers
        .iter()
        .any(|(k, _)| *k == "Description-Content-Type")
    {
        b = b.header("Description-Content-Type", "text/markdown");
    }
    for (k, v) in headers {
        b = b.header(k, v);
    }
    b
}

enum Expect {
    /// Accepted by twine and shipwheel.
    Clean,
    /// packaging rejects it: twine and shipwheel both refuse, shipwheel with this rule.
    Both(&'static str),
    /// Only Warehouse rejects it: twine passes it on, shipwheel refuses with this rule.
    PypiOnly(&'static str),
}

#[test]
fn packaging_rules_agree_with_twine_and_pypi_rules_go_further() {
    let cases: Vec<(&str, WheelBuilder, Expect)> = vec![
        ("baseline", wheel(&[]), Expect::Clean),
        (
            "bad name",
            wheel(&[("Name", "-demo")]),
            Expect::Both("M005"),
        ),
        (
            "bad version",
            wheel(&[("Version", "1.0.dev.a1")]),
            Expect::Both("M006"),
        ),
        (
            "folded summary",
            wheel(&[("Summary", "one\n  two")]),
            Expect::Both("M009"),
        ),
        (
            "html description",
            wheel(&[("Description-Content-Type", "text/html")]),
            Expect::Both("M010"),
        ),
        (
            "dynamic version",
            wheel(&[("Dynamic", "Version")]),
            Expect::Both("M011"),
        ),
        (
            "dynamic summary",
            wheel(&[("Dynamic", "Summary")]),
            Expect::Clean,
        ),
        (
            "bad extra",
            wheel(&[("Provides-Extra", "-x")]),
            Expect::Both("M012"),
        ),
        (
            "bad requires-python",
            wheel(&[("Requires-Python", ">=3.9.*")]),
            Expect::Both("M013"),
        ),
        (
            "good requires-python",
            wheel(&[("Requires-Python", ">=3.9")]),
            Expect::Clean,
        ),
        (
            "bad requirement",
            wheel(&[("Requires-Dist", "foo>=>1")]),
            Expect::Both("M014"),
        ),
        (
            "bad license expression",
            wheel(&[("License-Expression", "MIT-ish")]),
            Expect::Both("L001"),
        ),
        (
            "good license expression",
            wheel(&[("License-Expression", "MIT OR Apache-2.0")]),
            Expect::Clean,
        ),
        (
            "license file outside",
            wheel(&[("License-File", "../LICENSE")]),
            Expect::Both("M018"),
        ),
        (
            "too new field",
            wheel(&[("Metadata-Version", "2.1"), ("License-Expression", "MIT")]),
            Expect::Both("M004"),
        ),
        (
            "metadata 2.0",
            wheel(&[("Metadata-Version", "2.0")]),
            Expect::Both("M003"),
        ),
        (
            "import name keyword",
            wheel(&[("Metadata-Version", "2.5"), ("Import-Name", "demo.class")]),
            Expect::Both("M023"),
        ),
        (
            "local version",
            wheel(&[("Version", "1.0+local")]).filename("demo-1.0+local-py3-none-any.whl"),
            Expect::PypiOnly("M007"),
        ),
        (
            "long summary",
            wheel(&[("Summary", &"x".repeat(513))]),
            Expect::PypiOnly("M009"),
        ),
        (
            "direct url",
            wheel(&[("Requires-Dist", "foo @ https://example.org/foo.tar.gz")]),
            Expect::PypiOnly("M015"),
        ),
        (
            "license and expression",
            wheel(&[("License", "MIT"), ("License-Expression", "MIT")]),
            Expect::PypiOnly("M017"),
        ),
        (
            "bad email",
            wheel(&[("Author-email", "jane@localhost")]),
            Expect::PypiOnly("M020"),
        ),
        (
            "bad home page",
            wheel(&[("Home-page", "example.org")]),
            Expect::PypiOnly("M021"),
        ),
        (
            "long url label",
            wheel(&[(
                "Project-URL",
                &format!("{}, https://example.org", "L".repeat(33)),
            )]),
            Expect::PypiOnly("M022"),
        ),
        (
            "bad classifier",
            wheel(&[("Classifier", "Programming Language :: Pyton")]),
            Expect::PypiOnly("TC001"),
        ),
        (
            "deprecated classifier",
            wheel(&[("Classifier", "Natural Language :: Ukranian")]),
            Expect::PypiOnly("TC002"),
        ),
        (
            "private classifier",
            wheel(&[("Classifier", "Private :: Do Not Upload")]),
            Expect::PypiOnly("TC003"),
        ),
        (
            "good classifier",
            wheel(&[("Classifier", "Natural Language :: Ukrainian")]),
            Expect::Clean,
        ),
        (
            "license file missing",
            wheel(&[("License-File", "LICENSE")]),
            Expect::PypiOnly("M019"),
        ),
        (
            "license file present",
            wheel(&[("License-File", "LICENSE")]).dist_info_file("licenses/LICENSE", "MIT\n"),
            Expect::Clean,
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let mut paths = Vec::new();
    for (i, (_, builder, _)) in cases.iter().enumerate() {
        let sub = dir.path().join(i.to_string());
        std::fs::create_dir_all(&sub).expect("mkdir");
        paths.push(builder.write_to(&sub));
    }
    let twine = twine_verdicts(&paths);
    let mut problems = Vec::new();
    for (((name, _, expect), path), twine) in cases.iter().zip(&paths).zip(twine) {
        let ours = metadata_errors(path);
        let has = |rule: &str| ours.iter().any(|e| e.split(' ').next() == Some(rule));
        match expect {
            Expect::Clean => {
                if !ours.is_empty() || twine.is_some() {
                    problems.push(format!(
                        "{name}: expected clean, shipwheel {ours:?}, twine {twine:?}"
                    ));
                }
            }
            Expect::Both(rule) => {
                if !has(rule) || twine.is_none() {
                    problems.push(format!("{name}: expected {rule} and a twine refusal, shipwheel {ours:?}, twine {twine:?}"));
                }
            }
            Expect::PypiOnly(rule) => {
                if !has(rule) || twine.is_some() {
                    problems.push(format!("{name}: expected {rule} with twine passing, shipwheel {ours:?}, twine {twine:?}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn sdist_license_files_are_looked_up_under_the_top_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = SdistBuilder::new("demo", "1.0").header("License-File", "LICENSE");
    let present = missing.clone().file("LICENSE", "MIT\n");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).expect("mkdir");
    std::fs::create_dir_all(&b).expect("mkdir");
    let missing = missing.write_to(&a);
    let present = present.write_to(&b);
    assert_eq!(
        metadata_errors(&missing),
        vec!["M019 License-File LICENSE does not exist in distribution file demo-1.0.tar.gz at demo-1.0/LICENSE".to_string()]
    );
    assert!(metadata_errors(&present).is_empty());
}

#[test]
fn entry_points_are_judged_through_the_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good =
        wheel(&[]).dist_info_file("entry_points.txt", "[console_scripts]\ndemo = demo:main\n");
    let bad = wheel(&[]).dist_info_file(
        "entry_points.txt",
        "[console_scripts]\ndemo = demo:main\ndemo = demo:other\n",
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).expect("mkdir");
    std::fs::create_dir_all(&b).expect("mkdir");
    assert!(metadata_errors(&good.write_to(&a)).is_empty());
    assert_eq!(
        metadata_errors(&bad.write_to(&b)),
        vec!["M025 Wheel 'demo-1.0-py3-none-any.whl' has invalid entry points defined in the entry_points.txt file".to_string()]
    );
}

#[test]
fn rst_descriptions_fail_through_the_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = WheelBuilder::new("demo", "1.0")
        .header("Description-Content-Type", "text/x-rst")
        .description("Title\n====\n\ntext\n");
    let good = WheelBuilder::new("demo", "1.0")
        .header("Description-Content-Type", "text/x-rst")
        .description("Title\n=====\n\ntext\n");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).expect("mkdir");
    std::fs::create_dir_all(&b).expect("mkdir");
    assert_eq!(
        metadata_errors(&bad.write_to(&a)),
        vec!["D001 `long_description` has syntax errors in markup and would not be rendered on PyPI. line 2: Warning: Title underline too short.".to_string()]
    );
    assert!(metadata_errors(&good.write_to(&b)).is_empty());
}

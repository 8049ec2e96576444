//! Rule pairs through the real engine: for each rule a file (or batch) that gets the rule next to
//! a near-identical one that does not, written with the test builders and read by `check_file` /
//! `check_files` exactly as `shipwheel check` reads them. Plus a guard that every registered
//! rule id is exercised by some test.

use std::path::{Path, PathBuf};

use shipwheel_dist::{
    CheckOptions, FileReport, Finding, Report, Severity, check_file, check_files,
};
use test_support::builder::{Record, SdistBuilder, WheelBuilder, record_hash};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Write a wheel into its own subdirectory of `dir` (so two files may share a filename).
fn write_wheel(dir: &Path, sub: &str, w: &WheelBuilder) -> PathBuf {
    let d = dir.join(sub);
    std::fs::create_dir_all(&d).expect("mkdir");
    w.write_to(&d)
}

fn write_sdist(dir: &Path, sub: &str, s: &SdistBuilder) -> PathBuf {
    let d = dir.join(sub);
    std::fs::create_dir_all(&d).expect("mkdir");
    s.write_to(&d)
}

fn check_wheel(w: &WheelBuilder) -> FileReport {
    let d = tmp();
    check_file(&write_wheel(d.path(), "w", w), &CheckOptions::default())
}

fn batch(paths: &[PathBuf]) -> Report {
    check_files(paths, &CheckOptions::default())
}

fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>, rule: &str) -> Vec<&'a Finding> {
    findings.into_iter().filter(|f| f.rule == rule).collect()
}

#[track_caller]
fn has<'a>(r: &'a FileReport, rule: &str) -> &'a Finding {
    let found = of(&r.findings, rule);
    assert!(
        !found.is_empty(),
        "{}: expected {rule}, got {:#?}",
        r.filename,
        r.findings
    );
    found[0]
}

#[track_caller]
fn lacks(r: &FileReport, rule: &str) {
    let found = of(&r.findings, rule);
    assert!(
        found.is_empty(),
        "{}: unexpected {rule}: {found:#?}",
        r.filename
    );
}

#[track_caller]
fn no_errors(r: &FileReport) {
    let errors: Vec<&Finding> = r.findings.iter().filter(|f| f.is_error()).collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", r.filename);
}

fn wheel() -> WheelBuilder {
    WheelBuilder::new("demo", "1.0")
}

/// A wheel with a Markdown description, so only the rule under test is about the description.
fn md_wheel() -> WheelBuilder {
    wheel()
        .header("Description-Content-Type", "text/markdown")
        .description("# Demo\n\nText.\n")
}

// ---------------------------------------------------------------- batch rules

#[test]
fn b002_pair() {
    let d = tmp();
    let a = write_wheel(d.path(), "a", &wheel());
    // Same filename, different content (a stale build left in another directory).
    let b = write_wheel(d.path(), "b", &wheel().file("demo/extra.py", "x = 1\n"));
    let bad = batch(&[a.clone(), b]);
    let found = of(&bad.batch, "B002");
    assert_eq!(found.len(), 1, "{:#?}", bad.batch);
    assert_eq!(found[0].severity, Severity::Error);
    assert!(bad.has_errors());

    // The wheel next to its sdist: distinct filenames.
    let s = write_sdist(d.path(), "s", &SdistBuilder::new("demo", "1.0"));
    let good = batch(&[a, s]);
    assert!(of(&good.batch, "B002").is_empty(), "{:#?}", good.batch);
    assert!(
        !good.has_errors(),
        "{:#?}",
        good.findings().collect::<Vec<_>>()
    );
}

#[test]
fn b004_pair() {
    let d = tmp();
    let a = write_wheel(d.path(), "a", &wheel());
    let other = write_wheel(d.path(), "b", &WheelBuilder::new("other", "1.0"));
    let bad = batch(&[a.clone(), other]);
    let found = of(&bad.batch, "B004");
    assert_eq!(found.len(), 1, "{:#?}", bad.batch);
    assert_eq!(found[0].severity, Severity::Warning);

    let s = write_sdist(d.path(), "s", &SdistBuilder::new("demo", "1.0"));
    let good = batch(&[a, s]);
    assert!(of(&good.batch, "B004").is_empty(), "{:#?}", good.batch);
}

#[test]
fn b005_pair() {
    let d = tmp();
    let a = write_wheel(d.path(), "a", &wheel());
    let newer = write_wheel(d.path(), "b", &WheelBuilder::new("demo", "1.1"));
    let bad = batch(&[a.clone(), newer]);
    let found = of(&bad.batch, "B005");
    assert_eq!(found.len(), 1, "{:#?}", bad.batch);
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(of(&bad.batch, "B004").is_empty(), "{:#?}", bad.batch);

    let s = write_sdist(d.path(), "s", &SdistBuilder::new("demo", "1.0"));
    let good = batch(&[a, s]);
    assert!(of(&good.batch, "B005").is_empty(), "{:#?}", good.batch);
}

// ---------------------------------------------------------------- description rules

#[test]
fn d004_pair() {
    // Old-style folded header: every continuation line starts with 8 spaces and '|'.
    let bad = check_wheel(
        &wheel()
            .header("Description-Content-Type", "text/markdown")
            .header("Description", "Title\n        |\n        |Text"),
    );
    assert_eq!(has(&bad, "D004").severity, Severity::Warning);

    // The same description as the message body.
    let good = check_wheel(
        &wheel()
            .header("Description-Content-Type", "text/markdown")
            .description("Title\n\nText\n"),
    );
    lacks(&good, "D004");
    no_errors(&good);
}

#[test]
fn d005_pair() {
    let bad = check_wheel(
        &wheel()
            .header(
                "Description-Content-Type",
                "text/markdown; variant=CommonMark",
            )
            .description("# Hi\n"),
    );
    assert_eq!(has(&bad, "D005").severity, Severity::Warning);

    let good = check_wheel(
        &wheel()
            .header("Description-Content-Type", "text/markdown; variant=GFM")
            .description("# Hi\n"),
    );
    lacks(&good, "D005");
    no_errors(&good);
}

// ---------------------------------------------------------------- license rules

#[test]
fn l002_pair() {
    let bad = check_wheel(&md_wheel().header("License-Expression", "mit"));
    let f = has(&bad, "L002");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("'MIT'"), "{}", f.message);
    lacks(&bad, "L001");

    let good = check_wheel(&md_wheel().header("License-Expression", "MIT"));
    lacks(&good, "L002");
    no_errors(&good);
}

#[test]
fn l003_pair() {
    let bad = check_wheel(&md_wheel().header("License-Expression", "GPL-3.0"));
    assert_eq!(has(&bad, "L003").severity, Severity::Warning);
    lacks(&bad, "L001");

    let good = check_wheel(&md_wheel().header("License-Expression", "GPL-3.0-only"));
    lacks(&good, "L003");
    no_errors(&good);
}

#[test]
fn l004_pair() {
    let bad = check_wheel(
        &md_wheel()
            .header("License-Expression", "MIT")
            .header("Classifier", "License :: OSI Approved :: MIT License"),
    );
    assert_eq!(has(&bad, "L004").severity, Severity::Warning);

    let good = check_wheel(
        &md_wheel()
            .header("License-Expression", "MIT")
            .header("Classifier", "Programming Language :: Python :: 3"),
    );
    lacks(&good, "L004");
    no_errors(&good);
}

// ---------------------------------------------------------------- metadata rules

#[test]
fn m008_pair() {
    // The filename carries the normalized version; METADATA writes it the long way.
    let bad = check_wheel(&WheelBuilder::new("demo", "1.0rc1").header("Version", "1.0-RC1"));
    let f = has(&bad, "M008");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("'1.0rc1'"), "{}", f.message);

    let good = check_wheel(&WheelBuilder::new("demo", "1.0rc1"));
    lacks(&good, "M008");
    no_errors(&good);
}

#[test]
fn m016_pair() {
    let bad = check_wheel(&md_wheel().header("Requires-Dist", "pytest; extra == \"test\""));
    let f = has(&bad, "M016");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("'test'"), "{}", f.message);

    let good = check_wheel(
        &md_wheel()
            .header("Provides-Extra", "test")
            .header("Requires-Dist", "pytest; extra == \"test\""),
    );
    lacks(&good, "M016");
    no_errors(&good);
}

#[test]
fn m024_pair() {
    let bad = check_wheel(&md_wheel().header("Home-page", "https://example.org/demo"));
    let f = has(&bad, "M024");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.location.as_deref(), Some("Home-page"));

    let good = check_wheel(&md_wheel().header("Project-URL", "Homepage, https://example.org/demo"));
    lacks(&good, "M024");
    no_errors(&good);
}

#[test]
fn m025_pair() {
    // entry_points.txt that is not UTF-8 (Latin-1 `é` in a script name): PyPI cannot parse it.
    let bad = check_wheel(&md_wheel().dist_info_file(
        "entry_points.txt",
        b"[console_scripts]\ndemo\xe9 = demo:main\n".as_slice(),
    ));
    let f = has(&bad, "M025");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.location.as_deref(), Some("entry_points.txt"));
    assert!(f.hint.contains("UTF-8"), "{}", f.hint);

    let good = check_wheel(&md_wheel().dist_info_file(
        "entry_points.txt",
        b"[console_scripts]\ndemo = demo:main\n".as_slice(),
    ));
    lacks(&good, "M025");
    no_errors(&good);
}

// ---------------------------------------------------------------- wheel contents

#[test]
fn w000_pair() {
    // RECORD lists the module twice: check-wheel-contents cannot build a file tree from it
    // ("Conflicting occurrences of path"), although every member is present and hashed.
    let base = md_wheel();
    let module = b"__version__ = '0'\n";
    let auto = String::from_utf8(
        zip_member(&base.build_bytes(), "demo-1.0.dist-info/RECORD").expect("RECORD"),
    )
    .expect("utf-8 RECORD");
    let dup = format!(
        "demo/__init__.py,sha256={},{}\n",
        record_hash(module),
        module.len()
    );
    let bad = check_wheel(&base.clone().record(Record::Text(format!("{dup}{auto}"))));
    let f = has(&bad, "W000");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.starts_with("invalid wheel:"), "{}", f.message);

    let good = check_wheel(&base.record(Record::Text(auto)));
    lacks(&good, "W000");
    no_errors(&good);
}

/// One member of a zip, read back.
fn zip_member(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    z.by_name(name).ok()?.read_to_end(&mut out).ok()?;
    Some(out)
}

// ---------------------------------------------------------------- guard

/// Every `.rs` file below `dir`, recursively.
fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rule_has_a_pair_somewhere() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut test_text = String::new();
    let mut files = Vec::new();
    for dir in [manifest.join("tests"), manifest.join("../shipwheel/tests")] {
        rust_sources(&dir, &mut files);
    }
    for path in &files {
        test_text.push_str(&std::fs::read_to_string(path).expect("read test source"));
    }
    // In src only the unit-test modules count: the rule consts themselves name every id.
    let mut src_files = Vec::new();
    rust_sources(&manifest.join("src"), &mut src_files);
    for path in &src_files {
        let text = std::fs::read_to_string(path).expect("read source");
        if let Some(at) = text.find("#[cfg(test)]") {
            test_text.push_str(&text[at..]);
        }
    }
    assert!(
        files.len() > 1 && src_files.len() > 1,
        "test sources not found below {}",
        manifest.display()
    );
    // `"M008"` as a rule id on its own, or `"M025 ...` leading a "<id> <message>" string.
    let missing: Vec<&str> = shipwheel_dist::rules::all_rules()
        .into_iter()
        .map(|r| r.id)
        .filter(|id| {
            !test_text.contains(&format!("\"{id}\"")) && !test_text.contains(&format!("\"{id} "))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "rules without any test naming them: {missing:?}"
    );
}

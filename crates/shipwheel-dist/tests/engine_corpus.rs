//! The engine on real, popular wheels and sdists: PyPI accepted every one of them, so none may
//! get an error from the filename, archive or engine rules.

use std::path::PathBuf;

use shipwheel_dist::{CheckOptions, Report, Severity, check_files};

fn corpus(sub: &str, ext: &str) -> Vec<PathBuf> {
    let dir = test_support::corpus_dir().join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    files.sort();
    files
}

fn engine_rule(id: &str) -> bool {
    id.starts_with('F') || id.starts_with('A')
}

fn assert_no_engine_errors(paths: &[PathBuf], verify: bool) -> Report {
    let opts = CheckOptions {
        verify_hashes: verify,
        ..CheckOptions::default()
    };
    let report = check_files(paths, &opts);
    assert_eq!(report.files.len(), paths.len());
    let mut bad = Vec::new();
    for (f, p) in report.files.iter().zip(paths) {
        assert_eq!(&f.path, p, "reports keep input order");
        assert!(f.sha256.as_deref().is_some_and(|h| h.len() == 64));
        assert!(f.blake2_256.as_deref().is_some_and(|h| h.len() == 64));
        assert!(f.metadata_bytes.is_some(), "{}: metadata read", f.filename);
        assert!(f.name.is_some() && f.version.is_some(), "{}", f.filename);
        for finding in &f.findings {
            if engine_rule(finding.rule) && finding.severity == Severity::Error {
                bad.push(format!(
                    "{}: {} {}",
                    f.filename, finding.rule, finding.message
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "errors on files PyPI accepted:\n{}",
        bad.join("\n")
    );
    report
}

#[test]
fn corpus_wheels_have_no_engine_errors() {
    let wheels = corpus("wheels", ".whl");
    assert!(wheels.len() >= 20);
    assert_no_engine_errors(&wheels, false);
}

#[test]
fn corpus_wheels_verify_their_record_hashes() {
    let wheels = corpus("wheels", ".whl");
    let report = assert_no_engine_errors(&wheels, true);
    let hash_findings: Vec<String> = report
        .findings()
        .filter(|f| f.rule == "A024" || f.rule == "A025" || f.rule == "A026")
        .map(|f| format!("{}: {}", f.file, f.message))
        .collect();
    assert!(hash_findings.is_empty(), "{}", hash_findings.join("\n"));
}

#[test]
fn corpus_sdists_have_no_engine_errors() {
    let sdists = corpus("sdists", ".tar.gz");
    assert!(sdists.len() >= 5);
    assert_no_engine_errors(&sdists, false);
}

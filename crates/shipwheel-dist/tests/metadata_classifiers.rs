//! The embedded trove-classifier, SPDX and docutils punctuation tables must equal what the
//! generator produces from the pinned peers (trove-classifiers 2026.9.21.13, packaging, docutils)
//! — regenerated here and compared.

use std::process::Command;

fn generate(which: &str) -> String {
    let root = test_support::workspace_root();
    let output = Command::new(test_support::peer_bin("python"))
        .arg(root.join("scripts/gen-classifiers.py"))
        .args(["--print", which])
        .output()
        .expect("run scripts/gen-classifiers.py with the peers python");
    assert!(
        output.status.success(),
        "gen-classifiers.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("generator output is UTF-8")
}

fn committed(path: &str) -> String {
    let root = test_support::workspace_root();
    std::fs::read_to_string(root.join(path)).expect("read the committed table")
}

#[test]
fn classifier_table_matches_pinned_trove_classifiers() {
    let fresh = generate("classifiers");
    assert!(
        fresh.contains("trove-classifiers 2026.9.21.13"),
        "unexpected pin: {}",
        fresh.lines().next().unwrap_or_default()
    );
    assert_eq!(
        committed("crates/shipwheel-dist/src/classifiers/data.rs"),
        fresh,
        "run `target/peers/venv/bin/python scripts/gen-classifiers.py` and commit the result"
    );
}

#[test]
fn spdx_table_matches_pinned_packaging() {
    let fresh = generate("spdx");
    assert_eq!(
        committed("crates/shipwheel-dist/src/license/spdx_data.rs"),
        fresh,
        "run `target/peers/venv/bin/python scripts/gen-classifiers.py` and commit the result"
    );
}

#[test]
fn punctuation_table_matches_pinned_docutils() {
    let fresh = generate("punctuation");
    assert!(
        fresh.contains("docutils 0.23"),
        "unexpected pin: {}",
        fresh.lines().next().unwrap_or_default()
    );
    assert_eq!(
        committed("crates/shipwheel-dist/src/description/rst/punctuation.rs"),
        fresh,
        "run `target/peers/venv/bin/python scripts/gen-classifiers.py` and commit the result"
    );
}

#[test]
fn table_agrees_with_the_python_package_on_membership() {
    use shipwheel_dist::classifiers;
    let output = Command::new(test_support::peer_bin("python"))
        .args(["-c", "import trove_classifiers as t; print(len(t.sorted_classifiers)); print(len(t.deprecated_classifiers))"])
        .output()
        .expect("run the peers python");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut counts = text
        .lines()
        .map(|l| l.trim().parse::<usize>().unwrap_or(usize::MAX));
    assert_eq!(counts.next(), Some(classifiers::CLASSIFIERS.len()));
    assert_eq!(counts.next(), Some(classifiers::DEPRECATED.len()));
    assert!(classifiers::is_valid("Programming Language :: Python :: 3"));
    assert!(!classifiers::is_valid("Natural Language :: Ukranian"));
    assert_eq!(
        classifiers::deprecated("Natural Language :: Ukranian"),
        Some(&["Natural Language :: Ukrainian"][..])
    );
}

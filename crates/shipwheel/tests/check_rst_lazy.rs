//! `shipwheel check --rst-renderer auto` looks for readme-renderer only when a reStructuredText
//! description needs rendering, and at most once per run. Every interpreter shipwheel could start
//! (`--python`, `$SHIPWHEEL_PYTHON`, `python3` on PATH) is a script that logs each start.
#![cfg(unix)]

mod check_common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use check_common::{assert_no_panic, good_sdist, good_wheel, shipwheel, stdout, workdir};
use test_support::builder::WheelBuilder;

/// These tests write scripts and then run them; running them one at a time keeps a script from
/// being executed while another test's fork still holds it open for writing (ETXTBSY).
static SERIAL: Mutex<()> = Mutex::new(());

/// An interpreter at `dir/name` that appends `NAME probe` or `NAME server` to `log` on every start,
/// then runs `real` (or fails, without one).
fn logging_python(dir: &Path, name: &str, log: &Path, real: Option<&Path>) -> PathBuf {
    let path = dir.join(name);
    let then = match real {
        Some(real) => format!("exec '{}' \"$@\"", real.display()),
        None => "exit 1".to_string(),
    };
    let script = format!(
        "#!/bin/sh\ncase \"$2\" in\n  *importlib.metadata*) echo '{name} probe' >> '{log}' ;;\n  *) echo '{name} server' >> '{log}' ;;\nesac\n{then}\n",
        log = log.display()
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn starts(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A clean wheel whose description is `text` of type `content_type`.
fn wheel(name: &str, content_type: &str, text: &str) -> WheelBuilder {
    WheelBuilder::new(name, "1.0")
        .header("Description-Content-Type", content_type)
        .header("License-Expression", "MIT")
        .header("Requires-Python", ">=3.9")
        .description(text)
}

fn rst_wheel(name: &str, text: &str) -> WheelBuilder {
    wheel(name, "text/x-rst", text)
}

/// `shipwheel check --rst-renderer auto --python PYTHON --format FORMAT` in `dir`, with
/// `$SHIPWHEEL_PYTHON` and PATH's `python3` logging to `log` and failing.
fn check_auto(dir: &Path, python: &Path, log: &Path, format: &str) -> std::process::Output {
    let bin = tempfile::tempdir().unwrap();
    let env_python = logging_python(bin.path(), "env-python", log, None);
    logging_python(bin.path(), "python3", log, None);
    let out = shipwheel(dir)
        .env("SHIPWHEEL_PYTHON", &env_python)
        .env("PATH", bin.path())
        .args(["check", "--rst-renderer", "auto", "--format", format])
        .arg("--python")
        .arg(python)
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

#[test]
fn auto_starts_no_python_without_restructuredtext() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (dir, dist) = workdir();
    good_wheel("md-one", "1.0").write_to(&dist);
    good_wheel("md-two", "1.0").write_to(&dist);
    good_sdist("md-one", "1.0").write_to(&dist);
    wheel("plain", "text/plain", "Title\n====\n").write_to(&dist);
    // No description at all (a warning, nothing to render).
    wheel("bare", "text/markdown", "").write_to(&dist);
    let scripts = tempfile::tempdir().unwrap();
    let log = scripts.path().join("starts.log");
    let python = logging_python(scripts.path(), "python", &log, None);

    let out = check_auto(dir.path(), &python, &log, "human");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("(reStructuredText: not needed)"),
        "{}",
        stdout(&out)
    );
    let out = check_auto(dir.path(), &python, &log, "json");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["rst_renderer"], "not needed", "{doc:#}");
    assert_eq!(starts(&log), Vec::<String>::new());
}

/// The native checker's verdict is final where it models every construct (real READMEs:
/// sections, lists, links, badges, code blocks): no interpreter is started for them, and an
/// error it is certain of is reported as such.
#[test]
fn auto_starts_no_python_for_descriptions_judged_exactly() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (dir, dist) = workdir();
    rst_wheel("rst-one", "Title\n=====\n\nSome *text*.\n").write_to(&dist);
    rst_wheel(
        "rst-two",
        "Other\n=====\n\n.. image:: https://x.org/b.svg\n   :target: https://x.org\n   :alt: badge\n\n- a\n- `b <https://x.org>`_\n\n.. code-block:: python\n\n   x = 1\n",
    )
    .write_to(&dist);
    // An unknown directive: PyPI refuses it, and the native checker is certain of it.
    rst_wheel("rst-bad", "a\n\n.. foo:: bar\n").write_to(&dist);
    good_wheel("md", "1.0").write_to(&dist);
    let scripts = tempfile::tempdir().unwrap();
    let log = scripts.path().join("starts.log");
    let real = test_support::peer_bin("python");
    let python = logging_python(scripts.path(), "python", &log, Some(&real));

    let out = check_auto(dir.path(), &python, &log, "json");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["rst_renderer"], "native", "{doc:#}");
    let failed = check_common::errors_of(&doc, "rst_bad-1.0-py3-none-any.whl");
    assert_eq!(failed, vec!["D001".to_string()], "{doc:#}");
    assert!(check_common::rules_of(&doc, "rst_one-1.0-py3-none-any.whl").is_empty());
    assert!(check_common::rules_of(&doc, "rst_two-1.0-py3-none-any.whl").is_empty());
    assert_eq!(starts(&log), Vec::<String>::new(), "no interpreter started");
}

/// Descriptions the native checker cannot judge exactly go to readme-renderer: one probe and
/// one renderer process for all of them, and its verdicts are the ones reported.
#[test]
fn auto_sends_only_uncertain_descriptions_to_readme_renderer() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (dir, dist) = workdir();
    // readme-renderer refuses :linenos: (not an option of docutils' code directive).
    rst_wheel(
        "rst-linenos",
        "T\n=\n\n.. code-block:: python\n   :linenos:\n\n   x = 1\n",
    )
    .write_to(&dist);
    // An option the native checker does not model either, which renders.
    rst_wheel("rst-class", "T\n=\n\n.. note::\n   :class: tip\n\n   Hi.\n").write_to(&dist);
    rst_wheel("rst-plain", "T\n=\n\nPlain.\n").write_to(&dist);
    let scripts = tempfile::tempdir().unwrap();
    let log = scripts.path().join("starts.log");
    let real = test_support::peer_bin("python");
    let python = logging_python(scripts.path(), "python", &log, Some(&real));

    let out = check_auto(dir.path(), &python, &log, "json");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let renderer = doc["rst_renderer"].as_str().unwrap_or_default();
    assert!(renderer.starts_with("readme-renderer "), "{doc:#}");
    assert_eq!(
        check_common::errors_of(&doc, "rst_linenos-1.0-py3-none-any.whl"),
        vec!["D001".to_string()],
        "{doc:#}"
    );
    let message = doc["files"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["filename"] == "rst_linenos-1.0-py3-none-any.whl")
        .and_then(|f| f["findings"][0]["message"].as_str())
        .unwrap_or_default();
    assert!(message.contains("code-block"), "docutils' message: {doc:#}");
    assert!(check_common::rules_of(&doc, "rst_class-1.0-py3-none-any.whl").is_empty());
    assert!(check_common::rules_of(&doc, "rst_plain-1.0-py3-none-any.whl").is_empty());
    assert_eq!(starts(&log), vec!["python probe", "python server"]);
}

/// Without readme-renderer, a description the native checker cannot judge exactly is neither
/// failed (no false error) nor passed silently: a D006 warning says the verdict is not final.
#[test]
fn auto_without_readme_renderer_says_which_verdicts_are_uncertain() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (dir, dist) = workdir();
    rst_wheel("rst-bad", "Title\n====\n\ntext\n").write_to(&dist);
    rst_wheel("rst-good", "Title\n=====\n\ntext\n").write_to(&dist);
    rst_wheel(
        "rst-unsure",
        "T\n=\n\n.. code-block:: python\n   :linenos:\n\n   x = 1\n",
    )
    .write_to(&dist);
    let scripts = tempfile::tempdir().unwrap();
    let log = scripts.path().join("starts.log");
    let python = logging_python(scripts.path(), "python", &log, None);

    let out = check_auto(dir.path(), &python, &log, "json");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["rst_renderer"], "native", "{doc:#}");
    assert_eq!(
        check_common::errors_of(&doc, "rst_bad-1.0-py3-none-any.whl"),
        vec!["D001".to_string()]
    );
    assert!(check_common::rules_of(&doc, "rst_good-1.0-py3-none-any.whl").is_empty());
    assert_eq!(
        check_common::findings_of(&doc, "rst_unsure-1.0-py3-none-any.whl"),
        vec![("D006".to_string(), "warning".to_string())],
        "{doc:#}"
    );
    // Each candidate probed once, in order, for the uncertain description; no renderer process.
    assert_eq!(
        starts(&log),
        vec!["python probe", "env-python probe", "python3 probe"]
    );

    // The human report says what to do; --strict fails on the uncertain verdict alone.
    std::fs::remove_file(dist.join("rst_bad-1.0-py3-none-any.whl")).unwrap();
    let out = check_auto(dir.path(), &python, &log, "human");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("warning[D006]"), "{text}");
    assert!(text.contains("pip install readme-renderer"), "{text}");
    let bin = tempfile::tempdir().unwrap();
    let out = shipwheel(dir.path())
        .env("PATH", bin.path())
        .args(["check", "--strict", "--python"])
        .arg(&python)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

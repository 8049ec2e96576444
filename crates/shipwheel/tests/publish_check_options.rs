//! `publish` judges the files with the options `check` builds, from the same flags:
//! `--max-file-size` (a project PyPI granted a larger limit needs no `--no-check`) and
//! `--rst-renderer`/`--python`.

mod publish_common;

use publish_common::{FakeIndex, shipwheel, text, wheel};
use test_support::builder::WheelBuilder;
use test_support::peer_bin;
use test_support::sparse::sparse_wheel;

#[test]
fn max_file_size_is_honoured_both_ways() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let publish = |args: &[&str], file: &std::path::Path| {
        shipwheel(home.path())
            .args(["publish", "--repository-url", &index.upload_url])
            .args(args)
            .arg(file)
            .output()
            .unwrap()
    };

    // A lower limit refuses a small file...
    let small = wheel(dist.path(), "limited", "1.0");
    let out = publish(&["--max-file-size", "100"], &small);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("[A030] File too large. Limit for project 'limited' is 0 MB."),
        "{}",
        text(&out)
    );
    assert!(index.posts().is_empty(), "nothing is sent");

    // ...and a raised one accepts a file over PyPI's default 100 MiB, which the default refuses.
    let big = sparse_wheel(
        dist.path(),
        &WheelBuilder::new("bigdata", "1.0"),
        100 * 1024 * 1024 + 1,
    );
    assert!(std::fs::metadata(&big).unwrap().len() > 100 * 1024 * 1024);
    let out = publish(&["--dry-run"], &big);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("[A030] File too large. Limit for project 'bigdata' is 100 MB."),
        "{}",
        text(&out)
    );
    let out = publish(&["--dry-run", "--max-file-size", "1GiB"], &big);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("A030"), "{}", text(&out));
    assert!(index.posts().is_empty(), "a dry run sends nothing");
}

/// readme-renderer refuses a code-block with `:linenos:`; the built-in checker does not model
/// that option, so only the renderer the flags choose can tell.
fn linenos_wheel() -> WheelBuilder {
    WheelBuilder::new("lines", "1.0")
        .header("Description-Content-Type", "text/x-rst")
        .description("Title\n=====\n\n.. code-block:: python\n   :linenos:\n\n   x = 1\n")
}

#[test]
fn rst_renderer_and_python_are_honoured() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let file = linenos_wheel().write_to(dist.path());
    // No interpreter on PATH, so only --python can provide readme-renderer.
    let empty_path = tempfile::tempdir().unwrap();
    let publish = |args: &[&str]| {
        shipwheel(home.path())
            .env("PATH", empty_path.path())
            .env_remove("SHIPWHEEL_PYTHON")
            .args(["publish", "--repository-url", &index.upload_url])
            .args(args)
            .arg(&file)
            .output()
            .unwrap()
    };

    let out = publish(&[
        "--rst-renderer",
        "python",
        "--python",
        "/nonexistent/python3",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("readme-renderer is not importable with /nonexistent/python3"),
        "{}",
        text(&out)
    );

    let python = peer_bin("python");
    let python = python.to_str().unwrap();
    let out = publish(&["--rst-renderer", "python", "--python", python]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("[D001]") && text(&out).contains("code-block"),
        "{}",
        text(&out)
    );
    assert!(index.posts().is_empty(), "nothing is sent");

    // The default (auto) finds the same renderer through --python.
    let out = publish(&["--python", python]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("[D001]"), "{}", text(&out));
    assert!(index.posts().is_empty(), "nothing is sent");
}

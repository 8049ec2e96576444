//! The upload form shipwheel sends carries the same fields and values as twine 7's for the same
//! files: both upload to a recording fake index and the field maps are compared.

mod publish_common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use publish_common::*;
use test_support::builder::{SdistBuilder, WheelBuilder};
use test_support::peer_bin;

type FieldMap = BTreeMap<String, Vec<String>>;

fn field_maps(index: &FakeIndex) -> BTreeMap<String, (FieldMap, String)> {
    index
        .posts()
        .into_iter()
        .map(|p| {
            let mut map = FieldMap::new();
            for (k, v) in p.fields {
                map.entry(k).or_default().push(v);
            }
            (p.filename, (map, p.sha256))
        })
        .collect()
}

/// The files: a hatchling build of the bundled example, plus hand-made files that use every
/// metadata field the form carries.
fn files(dir: &Path) -> Vec<PathBuf> {
    let root = test_support::workspace_root();
    let src = dir.join("spinwheel");
    let copy = Command::new("cp")
        .arg("-r")
        .arg(root.join("examples/spinwheel"))
        .arg(&src)
        .status()
        .unwrap();
    assert!(copy.success());
    let built = Command::new(peer_bin("python"))
        .args(["-m", "build", "--no-isolation", "-o"])
        .arg(dir.join("dist"))
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir.join("dist"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();

    let headers: &[(&str, &str)] = &[
        ("Metadata-Version", "2.4"),
        ("Summary", "Every field the upload form reads"),
        ("Keywords", "release,pypi , upload"),
        ("Home-page", "https://example.invalid/home"),
        ("Download-URL", "https://example.invalid/dl"),
        ("Author", "Ada Lovelace"),
        ("Author-email", "Ada <ada@example.org>"),
        ("Maintainer", "Grace Hopper"),
        ("Maintainer-email", "grace@example.org"),
        ("License-Expression", "MIT OR Apache-2.0"),
        ("License-File", "LICENSE"),
        ("Classifier", "Programming Language :: Python :: 3"),
        ("Classifier", "Operating System :: OS Independent"),
        ("Platform", "any"),
        ("Supported-Platform", "linux-x86_64"),
        ("Requires-Dist", "requests>=2.0"),
        ("Requires-Dist", "rich; extra == \"fancy\""),
        ("Provides-Extra", "fancy"),
        ("Requires-Python", ">=3.9"),
        ("Requires-External", "libfoo (>=1.0)"),
        ("Provides-Dist", "form-demo-compat"),
        ("Obsoletes-Dist", "form-demo-old"),
        ("Project-URL", "Source, https://example.invalid/src"),
        ("Project-URL", "Issues,https://example.invalid/issues"),
        ("Description-Content-Type", "text/markdown"),
        ("Dynamic", "Obsoletes-Dist"),
    ];
    let mut w = WheelBuilder::new("form_demo", "2.0.1")
        .dist_info_file("licenses/LICENSE", "MIT\n")
        .description("# Form demo\n\nLine one.\n\n  indented line\n");
    for (k, v) in headers {
        w = w.header(k, v);
    }
    out.push(w.write_to(dir));
    let s = SdistBuilder::new("form-demo", "2.0.1")
        .header("Metadata-Version", "2.1")
        .header("License-File", "LICENSE")
        .file("LICENSE", "MIT\n");
    out.push(s.write_to(dir));
    // Larger than the in-memory limit, so this one is streamed from disk (incompressible
    // content, stored, so the file really is that big).
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..(3 << 19))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let big = WheelBuilder::new("big_demo", "1.0")
        .file("big_demo/data.bin", noise)
        .stored()
        .write_to(dir);
    assert!(
        std::fs::metadata(&big).unwrap().len() > shipwheel_index::upload::IN_MEMORY_BODY_MAX,
        "the big wheel must take the streamed path"
    );
    out.push(big);
    out.sort();
    out
}

#[test]
fn shipwheel_sends_the_same_form_as_twine() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let files = files(dir.path());
    assert_eq!(files.len(), 5);

    let twine_index = FakeIndex::start();
    let out = Command::new(peer_bin("twine"))
        .args(["upload", "--disable-progress-bar", "--non-interactive"])
        .args([
            "--repository-url",
            &twine_index.upload_url,
            "-u",
            "__token__",
            "-p",
            "pypi-x",
        ])
        .args(&files)
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "twine: {}", text(&out));

    let ours = FakeIndex::start();
    let out = shipwheel(home.path())
        .args([
            "publish",
            "--repository-url",
            &ours.upload_url,
            "--token",
            "pypi-x",
        ])
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "shipwheel: {}", text(&out));

    let theirs = field_maps(&twine_index);
    let mine = field_maps(&ours);
    assert_eq!(theirs.len(), 5);
    assert_eq!(
        theirs.keys().collect::<Vec<_>>(),
        mine.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (file, (twine_fields, twine_sha)) in &theirs {
        let (my_fields, my_sha) = &mine[file];
        assert_eq!(twine_sha, my_sha, "{file}: the bytes sent differ");
        let keys: std::collections::BTreeSet<&String> =
            twine_fields.keys().chain(my_fields.keys()).collect();
        let mut diffs = Vec::new();
        for k in keys {
            if twine_fields.get(k) != my_fields.get(k) {
                diffs.push(format!(
                    "  {k}:\n    twine:     {:?}\n    shipwheel: {:?}",
                    twine_fields.get(k),
                    my_fields.get(k)
                ));
            }
        }
        assert!(
            diffs.is_empty(),
            "{file}: form fields differ:\n{}",
            diffs.join("\n")
        );
    }
    // The rich wheel really exercised the multi-value and renamed fields.
    let (rich, _) = &mine["form_demo-2.0.1-py3-none-any.whl"];
    for k in [
        "classifiers",
        "project_urls",
        "license_file",
        "platform",
        "supported_platform",
        "requires_dist",
        "keywords",
        "description",
    ] {
        assert!(rich.contains_key(k), "{k} missing");
    }
}

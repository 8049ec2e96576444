//! Malformed input never panics: truncated, empty, random, directory, missing and hostile files
//! end in exit 1 (PyPI would refuse the file) or 2 (cannot be read), with a message.

mod check_common;

use std::path::Path;

use check_common::*;
use test_support::builder::{SdistBuilder, WheelBuilder, tar_gz_bytes, zip_bytes};

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed & 0xff) as u8
        })
        .collect()
}

fn assert_refused(dir: &Path, file: &str) {
    let out = check(dir, &[file]);
    let code = out.status.code();
    assert!(
        code == Some(1) || code == Some(2),
        "{file}: exit {code:?}\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("error"), "{file}: no message:\n{said}");
}

#[test]
fn broken_files_are_refused_without_panicking() {
    let (dir, dist) = workdir();
    let good = WheelBuilder::new("trunc", "1.0").build_bytes();
    let sdist = SdistBuilder::new("trunc", "1.0").build_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty-1.0-py3-none-any.whl", Vec::new()),
        ("empty-1.0.tar.gz", Vec::new()),
        (
            "trunc-1.0-py3-none-any.whl",
            good[..good.len() / 2].to_vec(),
        ),
        (
            "trunc2-1.0-py3-none-any.whl",
            good[..good.len() - 10].to_vec(),
        ),
        ("trunc-1.0.tar.gz", sdist[..sdist.len() / 2].to_vec()),
        ("noise-1.0-py3-none-any.whl", noise(4096, 1)),
        ("noise-1.0.tar.gz", noise(4096, 2)),
        // A gzip stream around noise, and a zip that holds only noise.
        (
            "gznoise-1.0.tar.gz",
            tar_gz_bytes(&[]).into_iter().chain(noise(100, 3)).collect(),
        ),
        (
            "zipnoise-1.0-py3-none-any.whl",
            zip_bytes(&[("x".into(), noise(1000, 4))], false),
        ),
        // A tar.gz where a wheel is expected and the other way round.
        ("swapped-1.0-py3-none-any.whl", sdist.clone()),
        ("swapped-1.0.tar.gz", good.clone()),
        ("notes.txt", b"not a distribution".to_vec()),
    ];
    for (name, bytes) in &cases {
        std::fs::write(dist.join(name), bytes).unwrap();
    }
    for (name, _) in &cases {
        assert_refused(dir.path(), &format!("dist/{name}"));
    }
    // All at once too (batch rules on files without name or version).
    let out = check(dir.path(), &["dist/*"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn hostile_counts_and_sizes_do_not_panic() {
    let (dir, dist) = workdir();
    // An end-of-central-directory record claiming 65535 entries at a bogus offset.
    let mut eocd = vec![0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
    eocd.extend_from_slice(&u32::MAX.to_le_bytes());
    eocd.extend_from_slice(&u32::MAX.to_le_bytes());
    eocd.extend_from_slice(&[0, 0]);
    std::fs::write(dist.join("eocd-1.0-py3-none-any.whl"), &eocd).unwrap();
    assert_refused(dir.path(), "dist/eocd-1.0-py3-none-any.whl");

    // A RECORD with many rows and absurd sizes, and a huge METADATA header count.
    let mut record = String::new();
    for i in 0..20_000 {
        record.push_str(&format!("many/m{i}.py,sha256=AAAA,18446744073709551615\n"));
    }
    let mut meta = String::from("Metadata-Version: 2.4\nName: many\nVersion: 1.0\n");
    // Header counts stay moderate: metadata rules scale with headers x fields, which is slow
    // in debug builds.
    for i in 0..500 {
        meta.push_str(&format!("Classifier: Bogus :: {i}\n"));
    }
    for i in 0..2_000 {
        meta.push_str(&format!("Keywords-Bogus-{i}: x\n"));
    }
    WheelBuilder::new("many", "1.0")
        .metadata_text(&meta)
        .record(test_support::builder::Record::Text(record))
        .write_to(&dist);
    let out = check(
        dir.path(),
        &["dist/many-1.0-py3-none-any.whl", "--verify-hashes"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn a_directory_or_missing_file_is_a_usage_error() {
    let (dir, dist) = workdir();
    std::fs::create_dir(dist.join("sub")).unwrap();
    let out = check(dir.path(), &["dist/sub"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is a directory without distribution files"),
        "{}",
        stderr(&out)
    );

    let out = check(dir.path(), &["dist/nothing-1.0.tar.gz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read dist/nothing-1.0.tar.gz"),
        "{}",
        stderr(&out)
    );
    assert_no_panic(&out);
}

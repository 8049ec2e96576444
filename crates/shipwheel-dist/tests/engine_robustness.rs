//! The engine never panics, whatever the bytes: truncations, flipped bytes and random data built
//! from real wheels and sdists, plus hand-made hostile archives (huge claimed counts and sizes).

use std::path::Path;

use proptest::prelude::*;
use shipwheel_dist::archive::{inspect, parse_record};
use shipwheel_dist::filename::{DistFilename, check_filename};
use shipwheel_dist::{CheckOptions, check_file};
use test_support::builder::{SdistBuilder, WheelBuilder};
use test_support::rawzip::{RawEntry, RawZip, entries_of};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let wheel = WheelBuilder::new("demo", "1.0")
        .file("demo/data.txt", "some data\n".repeat(50))
        .dist_info_file("entry_points.txt", "[console_scripts]\ndemo = demo:main\n");
    let sdist = SdistBuilder::new("demo", "1.0").file("src/demo/x.py", "x = 1\n".repeat(100));
    let mut out = vec![
        ("demo-1.0-py3-none-any.whl", wheel.build_bytes()),
        (
            "demo-1.0-py3-none-any.whl",
            wheel.clone().stored().build_bytes(),
        ),
        ("demo-1.0.tar.gz", sdist.build_bytes()),
        (
            "demo-1.0.zip",
            test_support::builder::zip_bytes(&sdist.members(), false),
        ),
    ];
    // A real wheel as well. Without the corpus this test fails: a seed that quietly went
    // missing would leave the real-world archive shapes unfuzzed behind a green run.
    let six = test_support::corpus_dir().join("wheels/six-1.17.0-py2.py3-none-any.whl");
    let bytes = std::fs::read(&six).unwrap_or_else(|e| {
        panic!(
            "the corpus seed {} cannot be read ({e}): run `bash scripts/corpus.sh`",
            six.display()
        )
    });
    out.push(("six-1.17.0-py2.py3-none-any.whl", bytes));
    out
}

fn run(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    for verify in [false, true] {
        let r = check_file(
            &path,
            &CheckOptions {
                verify_hashes: verify,
                ..CheckOptions::default()
            },
        );
        assert_eq!(r.size, bytes.len() as u64);
    }
}

#[test]
fn truncations_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in seeds() {
        let step = (bytes.len() / 60).max(1);
        let mut cut = 0;
        while cut < bytes.len() {
            run(dir.path(), name, &bytes[..cut]);
            cut += step;
        }
        // The tail is where the end records live: cut it byte by byte.
        for back in 1..40.min(bytes.len()) {
            run(dir.path(), name, &bytes[..bytes.len() - back]);
        }
    }
}

#[test]
fn mutations_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for (name, bytes) in seeds() {
        for _ in 0..120 {
            let mut m = bytes.clone();
            match rng.below(4) {
                0 => {
                    for _ in 0..1 + rng.below(8) {
                        let i = rng.below(m.len());
                        m[i] = rng.next() as u8;
                    }
                }
                1 => {
                    // Rewrite a 32-bit field with an extreme value.
                    let i = rng.below(m.len().saturating_sub(4));
                    let v = [0u32, 1, 0x7fff_ffff, 0xffff_ffff, 0xffff_fffe][rng.below(5)];
                    m[i..i + 4].copy_from_slice(&v.to_le_bytes());
                }
                2 => {
                    let i = rng.below(m.len());
                    let n = rng.below(64);
                    let junk: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                    m.splice(i..i, junk);
                }
                _ => {
                    let i = rng.below(m.len());
                    let n = rng.below(64).min(m.len() - i);
                    m.drain(i..i + n);
                }
            }
            run(dir.path(), name, &m);
        }
    }
}

#[test]
fn hostile_archives_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "demo-1.0-py3-none-any.whl";
    // An end record claiming 65535 entries in a 4 GiB directory at offset 0.
    let mut eocd = b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\0\0\0\0\0\0".to_vec();
    run(dir.path(), name, &eocd);
    // A ZIP64 end record claiming 10^9 entries and an 8 EiB directory.
    let mut z64 = b"PK\x06\x06".to_vec();
    z64.extend_from_slice(&44u64.to_le_bytes());
    z64.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    z64.extend_from_slice(&1_000_000_000u64.to_le_bytes());
    z64.extend_from_slice(&1_000_000_000u64.to_le_bytes());
    z64.extend_from_slice(&(u64::MAX / 2).to_le_bytes());
    z64.extend_from_slice(&(u64::MAX - 5).to_le_bytes());
    z64.extend_from_slice(b"PK\x06\x07\0\0\0\0");
    z64.extend_from_slice(&0u64.to_le_bytes());
    z64.extend_from_slice(&1u32.to_le_bytes());
    z64.append(&mut eocd);
    run(dir.path(), name, &z64);
    // Sizes that overflow when added to offsets.
    let mut entries = entries_of(&WheelBuilder::new("demo", "1.0").build_bytes());
    entries[0].local_extra = vec![
        1, 0, 16, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 127,
    ];
    run(dir.path(), name, &RawZip::new(entries.clone()).build());
    entries[0].central_extra = vec![1, 0, 8, 0, 255, 255, 255, 255, 255, 255, 255, 255];
    entries[0].central_size = Some(u32::MAX);
    run(dir.path(), name, &RawZip::new(entries).build());
    // A very deep member path.
    let deep = "a/".repeat(30_000) + "x.py";
    let z = RawZip::new(vec![RawEntry::new(&deep, "x")]).build();
    run(dir.path(), name, &z);
    // Tar headers with an 8 GiB size, a negative base-256 size, and garbage after the first.
    let sdist = SdistBuilder::new("demo", "1.0");
    let mut tar = Vec::new();
    {
        let mut b = tar::Builder::new(&mut tar);
        for (p, c) in sdist.members() {
            let mut h = tar::Header::new_gnu();
            h.set_size(c.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, p, c.as_slice()).expect("tar");
        }
        b.finish().expect("tar finish");
    }
    for (at, field) in [
        (124usize, b"77777777777\0".to_vec()),
        (124, vec![0xff; 12]),
        (
            124,
            vec![
                0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            ],
        ),
    ] {
        let mut t = tar.clone();
        t[at..at + 12].copy_from_slice(&field);
        // Fix the checksum so the header is read.
        t[148..156].copy_from_slice(b"        ");
        let sum: u32 = t[..512].iter().map(|&b| u32::from(b)).sum();
        t[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &t).expect("gz");
        run(dir.path(), "demo-1.0.tar.gz", &gz.finish().expect("gz"));
    }
    // Empty files of every kind.
    for n in [
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
        "demo-1.0.zip",
        "x.egg",
    ] {
        run(dir.path(), n, b"");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), zip in any::<bool>()) {
        let mut data = bytes;
        if zip {
            // Give the random data a plausible end record so the directory parser runs.
            data.extend_from_slice(b"PK\x05\x06\0\0\0\0\x02\0\x02\0\x5c\0\0\0\0\0\0\0\0\0");
        }
        for name in ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz", "demo-1.0.zip"] {
            let parsed = DistFilename::parse(name).ok();
            let _ = inspect(&data, name, parsed.as_ref());
        }
    }

    #[test]
    fn any_filename_or_record_never_panics(s in "\\PC{0,80}") {
        let _ = check_filename(&s);
        let _ = DistFilename::parse(&s);
        let _ = parse_record(&s);
        let _ = shipwheel_dist::tarfmt::commonpath(s.split(' '));
    }
}

/// Hostile sizes in METADATA: tens of thousands of headers must be checked in linear-ish time
/// (this test only has to finish in a normal run; it once took minutes) and every one reported.
#[test]
fn huge_header_counts_are_checked_quickly_and_completely() {
    const N: usize = 20_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wheel = WheelBuilder::new("huge", "1.0");
    for i in 0..N {
        wheel = wheel
            .header(&format!("X-Unknown-{i}"), "v")
            .header(
                "Classifier",
                &format!("Programming Language :: Pythn :: 3.{i}"),
            )
            .header("Provides-Extra", &format!("extra{i}"))
            .header("Project-URL", &format!("Link {i}, https://example.com/{i}"));
    }
    // Case and spacing mistakes still get their suggestion.
    wheel = wheel.header("Classifier", "programming language ::  python :: 3");
    let path = wheel.write_to(dir.path());
    let report = check_file(
        &path,
        &CheckOptions {
            rst_renderer: None,
            ..CheckOptions::default()
        },
    );
    let count = |rule: &str| report.findings.iter().filter(|f| f.rule == rule).count();
    assert_eq!(
        count("M002"),
        N,
        "one unrecognized-field warning per header"
    );
    assert_eq!(count("TC001"), N + 1, "one error per invalid classifier");
    assert!(
        report.findings.iter().any(|f| f.rule == "TC001"
            && f.hint == "Did you mean 'Programming Language :: Python :: 3'?"),
        "near-match suggestion kept"
    );
}

//! Every filename and archive rule: a file PyPI rejects (or a warning case) next to a
//! near-identical file that passes the same rule.

use std::path::{Path, PathBuf};

use shipwheel_dist::{CheckOptions, FileReport, Finding, Severity, check_file};
use test_support::builder::{Record, SdistBuilder, WheelBuilder, record_hash, zip_bytes};
use test_support::rawzip::{RawEntry, RawZip, entries_of};

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Dir(tempfile::tempdir().expect("tempdir"))
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }
}

fn check(path: &Path) -> FileReport {
    check_file(path, &CheckOptions::default())
}

fn verify(path: &Path) -> FileReport {
    check_file(
        path,
        &CheckOptions {
            verify_hashes: true,
            ..CheckOptions::default()
        },
    )
}

fn check_bytes(name: &str, bytes: &[u8]) -> FileReport {
    let d = Dir::new();
    check(&d.write(name, bytes))
}

fn verify_bytes(name: &str, bytes: &[u8]) -> FileReport {
    let d = Dir::new();
    verify(&d.write(name, bytes))
}

fn of<'a>(r: &'a FileReport, rule: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

#[track_caller]
fn one<'a>(r: &'a FileReport, rule: &str) -> &'a Finding {
    let found = of(r, rule);
    assert!(
        !found.is_empty(),
        "{}: expected {rule}, got {:#?}",
        r.filename,
        r.findings
    );
    found[0]
}

#[track_caller]
fn none(r: &FileReport, rule: &str) {
    assert!(
        of(r, rule).is_empty(),
        "{}: unexpected {rule}: {:#?}",
        r.filename,
        of(r, rule)
    );
}

/// No filename/archive/engine errors at all.
#[track_caller]
fn clean(r: &FileReport) {
    let errors: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Error && (f.rule.starts_with('F') || f.rule.starts_with('A'))
        })
        .collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", r.filename);
}

fn wheel() -> WheelBuilder {
    WheelBuilder::new("demo", "1.0")
}

fn wheel_bytes() -> Vec<u8> {
    wheel().build_bytes()
}

const WHEEL: &str = "demo-1.0-py3-none-any.whl";

// ---------------------------------------------------------------- filename rules

#[test]
fn baseline_wheel_and_sdist_are_clean() {
    let r = check_bytes(WHEEL, &wheel_bytes());
    clean(&r);
    assert_eq!(r.name.as_deref(), Some("demo"));
    assert_eq!(r.version.as_deref(), Some("1.0"));
    assert!(r.metadata.is_some() && r.metadata_bytes.is_some());
    assert_eq!(r.unreadable(), None);
    let s = SdistBuilder::new("demo", "1.0");
    let r = check_bytes(&s.sdist_filename(), &s.build_bytes());
    clean(&r);
    assert_eq!(r.version.as_deref(), Some("1.0"));
}

#[test]
fn digests_are_lowercase_hex_of_the_file() {
    use sha2::Digest;
    let bytes = wheel_bytes();
    let r = check_bytes(WHEEL, &bytes);
    assert_eq!(
        r.sha256.as_deref(),
        Some(hex::encode(sha2::Sha256::digest(&bytes)).as_str())
    );
    let blake = <blake2::Blake2b<blake2::digest::consts::U32> as Digest>::digest(&bytes);
    assert_eq!(r.blake2_256.as_deref(), Some(hex::encode(blake).as_str()));
    assert_eq!(r.size, bytes.len() as u64);
}

#[test]
fn f001_control_characters_in_filename() {
    let r = check_bytes("de\u{1}mo-1.0-py3-none-any.whl", &wheel_bytes());
    assert_eq!(
        one(&r, "F001").message,
        "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL character (ordinal 127) in the name."
    );
    assert_eq!(one(&r, "F001").severity, Severity::Error);
    none(&check_bytes(WHEEL, &wheel_bytes()), "F001");
    let (_, f) = shipwheel_dist::filename::check_filename("a\\b-1.0.tar.gz");
    assert_eq!(
        f[0].message,
        "Cannot upload a file with '/' or '\\' in the name."
    );
}

#[test]
fn f002_extension_not_allowed() {
    for name in ["demo-1.0.egg", "demo-1.0.tar.bz2", "demo-1.0.exe"] {
        let r = check_bytes(name, &wheel_bytes());
        assert_eq!(
            one(&r, "F002").message,
            "Invalid file extension: Use .tar.gz, .whl or .zip extension. See https://www.python.org/dev/peps/pep-0527 and https://peps.python.org/pep-0715/ for more information"
        );
    }
    let r = check_bytes("demo-1.0-py3-none-any.WHL", &wheel_bytes());
    assert!(
        one(&r, "F002")
            .message
            .contains("Extension .WHL is invalid for filetype bdist_wheel")
    );
    none(&check_bytes(WHEEL, &wheel_bytes()), "F002");
}

#[test]
fn f003_wheel_filename_invalid() {
    let r = check_bytes("demo-1.0-any.whl", &wheel_bytes());
    assert_eq!(
        one(&r, "F003").message,
        "Invalid wheel filename (wrong number of parts): 'demo-1.0-any'"
    );
    let r = check_bytes("demo-1.0-x1-py3-none-any.whl", &wheel_bytes());
    assert_eq!(
        one(&r, "F003").message,
        "Invalid build number: x1 in 'demo-1.0-x1-py3-none-any'"
    );
    let ok = wheel().build_tag("1x");
    let r = check_bytes(&ok.wheel_filename(), &ok.build_bytes());
    none(&r, "F003");
}

#[test]
fn f004_sdist_filename_invalid() {
    let s = SdistBuilder::new("demo", "1.0");
    let r = check_bytes("demo.tar.gz", &s.build_bytes());
    assert_eq!(
        one(&r, "F004").message,
        "Invalid source distribution filename: demo.tar.gz"
    );
    none(&check_bytes("demo-1.0.tar.gz", &s.build_bytes()), "F004");
}

#[test]
fn f005_sdist_not_pep625() {
    let s = SdistBuilder::new("demo", "1.0");
    let zip = zip_bytes(&s.members(), false);
    let r = check_bytes("demo-1.0.zip", &zip);
    let f = one(&r, "F005");
    assert_eq!(
        f.message,
        "Filename 'demo-1.0.zip' is invalid, should be 'demo-1.0.tar.gz'."
    );
    assert_eq!(f.severity, Severity::Error);
    let s2 = SdistBuilder::new("Demo", "1.0").top_dir("Demo-1.0");
    let r = check_bytes("Demo-1.0.tar.gz", &s2.build_bytes());
    assert_eq!(
        one(&r, "F005").message,
        "Filename 'Demo-1.0.tar.gz' is invalid, should be 'demo-1.0.tar.gz'."
    );
    let s3 = SdistBuilder::new("demo", "1.0.0");
    let r = check_bytes("demo-1.0.tar.gz", &s3.build_bytes());
    assert!(
        one(&r, "F005")
            .message
            .contains("should be 'demo-1.0.0.tar.gz'")
    );
    none(&check_bytes("demo-1.0.tar.gz", &s.build_bytes()), "F005");
}

#[test]
fn f006_sdist_name_mismatch() {
    let s = SdistBuilder::new("demo", "1.0").top_dir("other-1.0");
    let r = check_bytes("other-1.0.tar.gz", &s.build_bytes());
    assert_eq!(
        one(&r, "F006").message,
        "Start filename for 'demo' with 'demo'."
    );
    // A post-release written with a hyphen is still the same project.
    let post = SdistBuilder::new("demo", "1.0.post1").top_dir("demo-1.0-1");
    let r = check_bytes("demo-1.0-1.tar.gz", &post.build_bytes());
    none(&r, "F006");
    none(
        &check_bytes(
            "demo-1.0.tar.gz",
            &SdistBuilder::new("demo", "1.0").build_bytes(),
        ),
        "F006",
    );
}

#[test]
fn f007_platform_tag_not_on_allow_list() {
    let bad = wheel().tag("cp311-cp311-linux_x86_64");
    let r = check_bytes(&bad.wheel_filename(), &bad.build_bytes());
    let f = one(&r, "F007");
    assert_eq!(
        f.message,
        "Binary wheel 'demo-1.0-cp311-cp311-linux_x86_64.whl' has an unsupported platform tag 'linux_x86_64'."
    );
    assert_eq!(f.severity, Severity::Error);
    let ok = wheel().tag("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64");
    let r = check_bytes(&ok.wheel_filename(), &ok.build_bytes());
    none(&r, "F007");
    clean(&r);
}

#[test]
fn f008_wheel_name_mismatch() {
    let w = wheel().filename("other-1.0-py3-none-any.whl");
    let r = check_bytes("other-1.0-py3-none-any.whl", &w.build_bytes());
    assert_eq!(
        one(&r, "F008").message,
        "Start filename for 'demo' with 'demo'."
    );
    none(&check_bytes(WHEEL, &wheel_bytes()), "F008");
}

#[test]
fn f009_wheel_name_not_normalized() {
    let w = WheelBuilder::new("Demo.Pkg", "1.0")
        .filename("Demo.Pkg-1.0-py3-none-any.whl")
        .dist_info_dir("Demo.Pkg-1.0.dist-info");
    let r = check_bytes("Demo.Pkg-1.0-py3-none-any.whl", &w.build_bytes());
    assert_eq!(
        one(&r, "F009").message,
        "Filename 'Demo.Pkg-1.0-py3-none-any.whl' should contain the normalized project name 'demo_pkg', not 'Demo.Pkg'."
    );
    let ok = WheelBuilder::new("Demo.Pkg", "1.0");
    let r = check_bytes(&ok.wheel_filename(), &ok.build_bytes());
    none(&r, "F009");
    clean(&r);
}

#[test]
fn f010_version_mismatch() {
    let w = wheel().header("Version", "1.1");
    let r = check_bytes(WHEEL, &w.build_bytes());
    assert_eq!(
        one(&r, "F010").message,
        "Version in filename should be '1.1' not '1.0'."
    );
    // PEP 440 equality: 1.0.0 == 1.0.
    let w = WheelBuilder::new("demo", "1.0.0").header("Version", "1.0");
    let r = check_bytes(&w.wheel_filename(), &w.build_bytes());
    none(&r, "F010");
}

#[test]
fn f011_filename_too_long() {
    // 250 bytes: a valid name on this disk, but no room for PyPI's `.metadata` sidecar.
    let long = wheel().build_tag(&format!("1{}", "a".repeat(223)));
    assert_eq!(long.wheel_filename().len(), 250);
    let r = check_bytes(&long.wheel_filename(), &long.build_bytes());
    assert!(
        one(&r, "F011")
            .message
            .starts_with("Filename is too long: 'demo-1.0-1aaa")
    );
    none(&check_bytes(WHEEL, &wheel_bytes()), "F011");
}

#[test]
fn f012_version_not_normalized_is_a_warning() {
    let w = WheelBuilder::new("demo", "1.0.RC1");
    let r = check_bytes(&w.wheel_filename(), &w.build_bytes());
    let f = one(&r, "F012");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("'1.0rc1'"));
    let w = WheelBuilder::new("demo", "1.0rc1");
    none(&check_bytes(&w.wheel_filename(), &w.build_bytes()), "F012");
}

#[test]
fn f013_unsorted_tags_is_a_warning() {
    let w = wheel().tag("py3.py2-none-any");
    let r = check_bytes(&w.wheel_filename(), &w.build_bytes());
    assert_eq!(one(&r, "F013").severity, Severity::Warning);
    let w = wheel().tag("py2.py3-none-any");
    none(&check_bytes(&w.wheel_filename(), &w.build_bytes()), "F013");
}

#[test]
fn f014_empty_tag_component_is_a_warning() {
    let w = wheel().tag("py3.-none-any");
    let r = check_bytes(&w.wheel_filename(), &w.build_bytes());
    assert_eq!(one(&r, "F014").severity, Severity::Warning);
    none(&check_bytes(WHEEL, &wheel_bytes()), "F014");
}

// ---------------------------------------------------------------- archive rules

#[test]
fn a000_unreadable_path() {
    let d = Dir::new();
    let r = check(&d.0.path().join("missing-1.0-py3-none-any.whl"));
    assert!(r.unreadable().is_some());
    assert_eq!(r.findings.len(), 1);
    assert_eq!(one(&r, "A000").severity, Severity::Error);
    let r = check(d.0.path());
    assert!(r.unreadable().unwrap().contains("directory"));
    assert!(check_bytes(WHEEL, &wheel_bytes()).unreadable().is_none());
}

#[test]
fn a001_not_a_zip() {
    let r = check_bytes(WHEEL, b"this is not a zip file at all");
    assert_eq!(
        one(&r, "A001").message,
        "Invalid distribution file. File is not a zipfile"
    );
    none(&check_bytes(WHEEL, &wheel_bytes()), "A001");
    // An end record whose directory is garbage: Python raises BadZipFile, PyPI says "None".
    let mut bad = vec![b'x'; 100];
    bad.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0\x2e\0\0\0\x10\0\0\0\0\0");
    let r = check_bytes(WHEEL, &bad);
    assert_eq!(one(&r, "A001").message, "Invalid distribution file. None");
}

#[test]
fn a002_zip_tar_polyglot() {
    let mut bytes = {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "x", &b"abc"[..]).unwrap();
        b.into_inner().unwrap()
    };
    bytes.extend_from_slice(&wheel_bytes());
    let r = check_bytes(WHEEL, &bytes);
    assert_eq!(
        one(&r, "A002").message,
        "Invalid distribution file. File is both a zip and a tar file"
    );
    none(&check_bytes(WHEEL, &wheel_bytes()), "A002");
}

#[test]
fn a003_compression_ratio() {
    let mut entries = entries_of(&wheel_bytes());
    let mut big = RawEntry::new("demo/big.bin", vec![0u8; 1000]);
    big.central_size = Some(65 * 1024 * 1024);
    entries.push(big);
    let r = check_bytes(WHEEL, &RawZip::new(entries).build());
    assert_eq!(
        one(&r, "A003").message,
        "Invalid distribution file. File exceeds compression ratio of 50"
    );
    let mut entries = entries_of(&wheel_bytes());
    let mut small = RawEntry::new("demo/big.bin", vec![0u8; 1000]);
    small.central_size = Some(60 * 1024 * 1024);
    entries.push(small);
    none(&check_bytes(WHEEL, &RawZip::new(entries).build()), "A003");
}

#[test]
fn a004_compression_method() {
    let mut entries = entries_of(&wheel_bytes());
    entries[0].method = 12;
    let r = check_bytes(WHEEL, &RawZip::new(entries).build());
    assert_eq!(
        one(&r, "A004").message,
        "Invalid distribution file. File does not use a supported compression type"
    );
    let mut entries = entries_of(&wheel_bytes());
    entries[0].method = 0;
    let r = check_bytes(WHEEL, &RawZip::new(entries).build());
    none(&r, "A004");
    clean(&r);
}

#[test]
fn a005_sdist_not_gzip_tar() {
    let r = check_bytes("demo-1.0.tar.gz", b"not a tarball");
    assert_eq!(
        one(&r, "A005").message,
        "Invalid distribution file. File is not a tarfile"
    );
    // An uncompressed tar named .tar.gz: tarfile.is_tarfile says yes, r:gz fails.
    let raw = {
        let mut b = tar::Builder::new(Vec::new());
        for (p, c) in SdistBuilder::new("demo", "1.0").members() {
            let mut h = tar::Header::new_gnu();
            h.set_size(c.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, p, c.as_slice()).unwrap();
        }
        b.into_inner().unwrap()
    };
    let r = check_bytes("demo-1.0.tar.gz", &raw);
    assert_eq!(one(&r, "A005").message, "Invalid distribution file. None");
    // Truncated gzip data: tarfile fails reading.
    let full = SdistBuilder::new("demo", "1.0")
        .file("big.bin", vec![7u8; 50_000])
        .build_bytes();
    let r = check_bytes("demo-1.0.tar.gz", &full[..full.len() / 2]);
    assert_eq!(one(&r, "A005").message, "Invalid distribution file. None");
    none(&check_bytes("demo-1.0.tar.gz", &full), "A005");
}

/// A gzip'd tar of the sdist where member `index` gets type flag `flag` and mode `mode`.
fn patched_sdist(index: usize, flag: u8, mode: Option<u32>) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (i, (p, c)) in SdistBuilder::new("demo", "1.0")
        .members()
        .into_iter()
        .enumerate()
    {
        let mut h = tar::Header::new_gnu();
        h.set_size(c.len() as u64);
        h.set_mode(if i == index {
            mode.unwrap_or(0o644)
        } else {
            0o644
        });
        if i == index {
            h.set_entry_type(tar::EntryType::new(flag));
        }
        b.append_data(&mut h, p, c.as_slice()).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn a006_sparse_tar_member() {
    let r = check_bytes("demo-1.0.tar.gz", &patched_sdist(1, b'S', None));
    assert_eq!(
        one(&r, "A006").message,
        "Invalid distribution file. tar archive not accepted: Sparse members are not allowed."
    );
    none(
        &check_bytes("demo-1.0.tar.gz", &patched_sdist(1, b'0', None)),
        "A006",
    );
}

#[test]
fn a007_sdist_top_level() {
    let s = SdistBuilder::new("demo", "1.0").raw_member("other/x.txt", "x");
    let r = check_bytes("demo-1.0.tar.gz", &s.build_bytes());
    assert_eq!(
        one(&r, "A007").message,
        "Invalid distribution file. Incorrect number of top-level directories in sdist"
    );
    let zip = zip_bytes(&s.members(), false);
    assert!(!of(&check_bytes("demo-1.0.zip", &zip), "A007").is_empty());
    none(
        &check_bytes(
            "demo-1.0.tar.gz",
            &SdistBuilder::new("demo", "1.0").build_bytes(),
        ),
        "A007",
    );
}

#[test]
fn a008_sdist_pkg_info() {
    let s = SdistBuilder::new("demo", "1.0").no_pkg_info();
    let r = check_bytes("demo-1.0.tar.gz", &s.build_bytes());
    assert_eq!(
        one(&r, "A008").message,
        "Invalid distribution file. PKG-INFO not found at demo-1.0/PKG-INFO"
    );
    let s = SdistBuilder::new("demo", "1.0").pkg_info_text("Name: demo\nVersion: 1.0\n");
    let r = check_bytes("demo-1.0.tar.gz", &s.build_bytes());
    assert_eq!(
        one(&r, "A008").message,
        "No PKG-INFO in archive or PKG-INFO missing 'Metadata-Version': demo-1.0.tar.gz"
    );
    let zip = zip_bytes(
        &SdistBuilder::new("demo", "1.0").no_pkg_info().members(),
        false,
    );
    assert!(!of(&check_bytes("demo-1.0.zip", &zip), "A008").is_empty());
    none(
        &check_bytes(
            "demo-1.0.tar.gz",
            &SdistBuilder::new("demo", "1.0").build_bytes(),
        ),
        "A008",
    );
}

#[test]
fn a009_wheel_file_missing() {
    let w = wheel().dist_info_dir("wrong-1.0.dist-info");
    let r = check_bytes(WHEEL, &w.build_bytes());
    assert_eq!(
        one(&r, "A009").message,
        "Invalid distribution file. WHEEL not found at demo-1.0.dist-info/WHEEL"
    );
    // PyPI uses the raw filename parts: a non-normalized version in the filename must match.
    let w = WheelBuilder::new("demo", "1.0.0");
    let r = check_bytes("demo-1.0-py3-none-any.whl", &w.build_bytes());
    assert!(!of(&r, "A009").is_empty());
    none(&check_bytes(WHEEL, &wheel_bytes()), "A009");
}

#[test]
fn a010_wheel_metadata_missing() {
    let entries: Vec<RawEntry> = entries_of(&wheel_bytes())
        .into_iter()
        .filter(|e| !e.name.ends_with(b"/METADATA"))
        .collect();
    let r = check_bytes(WHEEL, &RawZip::new(entries).build());
    let msgs: Vec<&str> = of(&r, "A010").iter().map(|f| f.message.as_str()).collect();
    assert!(msgs.contains(
        &"Wheel 'demo-1.0-py3-none-any.whl' does not contain the required METADATA file: demo-1.0.dist-info/METADATA"
    ));
    assert!(msgs.iter().any(|m| m.starts_with("No METADATA in archive")));
    none(&check_bytes(WHEEL, &wheel_bytes()), "A010");
}

#[test]
fn a011_wheel_record_missing() {
    let r = check_bytes(WHEEL, &wheel().record(Record::Omit).build_bytes());
    assert_eq!(
        one(&r, "A011").message,
        "Wheel 'demo-1.0-py3-none-any.whl' does not contain the required RECORD file: demo-1.0.dist-info/RECORD"
    );
    let mut entries = entries_of(&wheel_bytes());
    let rec = entries
        .iter_mut()
        .find(|e| e.name.ends_with(b"/RECORD"))
        .unwrap();
    rec.data = vec![0xff, 0xfe, b','];
    assert!(!of(&check_bytes(WHEEL, &RawZip::new(entries).build()), "A011").is_empty());
    none(&check_bytes(WHEEL, &wheel_bytes()), "A011");
}

fn framing(r: &FileReport, rule: &str, err: &str) {
    assert_eq!(
        one(r, rule).message,
        format!("Invalid distribution file. ZIP archive not accepted: {err}.")
    );
    assert_eq!(one(r, rule).severity, Severity::Error);
}

fn raw_wheel(change: impl FnOnce(&mut RawZip)) -> FileReport {
    let mut z = RawZip::new(entries_of(&wheel_bytes()));
    change(&mut z);
    check_bytes(WHEEL, &z.build())
}

#[test]
fn rawzip_baseline_is_clean() {
    let r = raw_wheel(|_| {});
    clean(&r);
    let r = raw_wheel(|z| z.entries[0].local_extra = vec![0x55, 0x54, 5, 0, 1, 0, 0, 0, 0]);
    clean(&r);
    // An archive comment is tolerated by PyPI's framing walk.
    let r = raw_wheel(|z| z.archive_comment = b"built by hand".to_vec());
    clean(&r);
}

#[test]
fn a012_malformed_zip_records() {
    let r = raw_wheel(|z| z.entries[0].local_extra = vec![0x01, 0x00, 4, 0, 0, 0, 0, 0]);
    framing(&r, "A012", "Malformed zip file");
    let r = raw_wheel(|z| z.entries[0].local_extra = vec![0x01, 0x00]);
    framing(&r, "A012", "Malformed zip file");
    let r = raw_wheel(|z| {
        z.entries[0].local_extra = vec![
            0x75, 0x70, 6, 0, 1, 0, 0, 0, 0, b'a', 0x75, 0x70, 6, 0, 1, 0, 0, 0, 0, b'a',
        ]
    });
    framing(&r, "A012", "Invalid duplicate extra in local file");
}

#[test]
fn a013_data_descriptor() {
    let r = raw_wheel(|z| z.entries[0].data_descriptor = true);
    framing(&r, "A013", "ZIP contains a data descriptor");
    none(&raw_wheel(|_| {}), "A013");
}

#[test]
fn a014_entry_comment() {
    let r = raw_wheel(|z| z.entries[1].comment = b"hi".to_vec());
    framing(&r, "A014", "Comment in central directory");
    none(&raw_wheel(|_| {}), "A014");
}

#[test]
fn a015_duplicate_names() {
    let r = raw_wheel(|z| {
        let dup = z.entries[0].clone();
        z.entries.insert(1, dup);
    });
    framing(&r, "A015", "Duplicate filename in local headers");
    none(&raw_wheel(|_| {}), "A015");
}

#[test]
fn a016_local_and_central_disagree() {
    let r = raw_wheel(|z| z.entries[0].local_name = Some(b"demo/other.py".to_vec()));
    framing(&r, "A016", "Filename not in central directory");
    let r = raw_wheel(|z| z.entries[0].local_size = Some(3));
    framing(&r, "A016", "Mis-matched file size");
    let r = raw_wheel(|z| z.entries[0].skip_central = true);
    framing(&r, "A016", "Filename not in central directory");
    // A non-ASCII name without the UTF-8 flag decodes as cp437 in the directory.
    let r = raw_wheel(|z| {
        let mut e = RawEntry::new("demo/caf\u{e9}.txt", "x");
        e.no_utf8_flag = true;
        z.entries.insert(0, e);
    });
    framing(&r, "A016", "Filename not in central directory");
    let r = raw_wheel(|z| {
        z.entries
            .insert(0, RawEntry::new("demo/caf\u{e9}.txt", "x"))
    });
    none(&r, "A016");
}

#[test]
fn a017_unexpected_bytes() {
    let r = raw_wheel(|z| z.prefix = b"#!/bin/sh\nexec python \"$0\"\n".to_vec());
    framing(&r, "A017", "Unknown record signature");
    // Python still reads it, so the metadata is checked too.
    assert_eq!(r.name.as_deref(), Some("demo"));
    let r = raw_wheel(|z| z.suffix = b"appended".to_vec());
    framing(&r, "A017", "Trailing data");
    none(&raw_wheel(|_| {}), "A017");
}

#[test]
fn a018_end_record_mismatch() {
    let r = raw_wheel(|z| z.eocd_count = Some(2));
    framing(&r, "A018", "Mismatched central directory records");
    none(&raw_wheel(|_| {}), "A018");
}

#[test]
fn a019_member_name_characters() {
    let r = raw_wheel(|z| z.entries.insert(0, RawEntry::new("demo/a\u{1}b.txt", "x")));
    framing(&r, "A019", "Invalid character in filename");
    none(
        &raw_wheel(|z| z.entries.insert(0, RawEntry::new("demo/ab.txt", "x"))),
        "A019",
    );
}

#[test]
fn a020_wheel_file_contents() {
    let w = wheel().wheel_text(
        "Wheel-Version: 1.0\nGenerator: x\nRoot-Is-Purelib: maybe\nTag: py2-none-any\n",
    );
    let r = check_bytes(WHEEL, &w.build_bytes());
    let msgs: Vec<&str> = of(&r, "A020").iter().map(|f| f.message.as_str()).collect();
    assert!(
        msgs.contains(&"Invalid Root-Is-Purelib value in WHEEL file: 'maybe'"),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("missing: py3-none-any")
            && m.contains("not in the filename: py2-none-any"))
    );
    assert!(
        of(&r, "A020")
            .iter()
            .all(|f| f.severity == Severity::Warning)
    );
    let w = wheel().wheel_text("Wheel-Version: 2.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
    assert!(
        of(&check_bytes(WHEEL, &w.build_bytes()), "A020")[0]
            .message
            .contains("2.0")
    );
    none(&check_bytes(WHEEL, &wheel_bytes()), "A020");
}

#[test]
fn a021_twine_and_pypi_read_different_metadata() {
    let w = wheel().file(
        "METADATA",
        "Metadata-Version: 2.4\nName: demo\nVersion: 9.0\n",
    );
    let r = check_bytes(WHEEL, &w.build_bytes());
    assert_eq!(one(&r, "A021").severity, Severity::Warning);
    // twine sends the shallow one, so that is what PyPI validates.
    assert_eq!(r.version.as_deref(), Some("9.0"));
    assert!(!of(&r, "F010").is_empty());
    none(&check_bytes(WHEEL, &wheel_bytes()), "A021");
}

#[test]
fn a022_metadata_too_large() {
    let r = raw_wheel(|z| {
        let m = z
            .entries
            .iter_mut()
            .find(|e| e.name.ends_with(b"/METADATA"))
            .unwrap();
        m.central_size = Some(17 * 1024 * 1024);
    });
    assert_eq!(one(&r, "A022").severity, Severity::Warning);
    none(&raw_wheel(|_| {}), "A022");
}

#[test]
fn a023_record_mismatch() {
    let text = "demo-1.0.dist-info/METADATA,,\ndemo-1.0.dist-info/WHEEL,,\ndemo/gone.py,,\ndemo-1.0.dist-info/RECORD,,\n";
    let r = check_bytes(
        WHEEL,
        &wheel().record(Record::Text(text.into())).build_bytes(),
    );
    let msgs: Vec<&str> = of(&r, "A023").iter().map(|f| f.message.as_str()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("missing 1 file(s)") && m.contains("demo/__init__.py")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("demo/gone.py")));
    assert!(
        of(&r, "A023")
            .iter()
            .all(|f| f.severity == Severity::Warning)
    );
    none(&check_bytes(WHEEL, &wheel_bytes()), "A023");
}

fn record_for(members: &[(&str, &[u8])], hash: impl Fn(&[u8]) -> String) -> String {
    let mut out = String::new();
    for (p, c) in members {
        out.push_str(&format!("{p},{},{}\n", hash(c), c.len()));
    }
    out.push_str("demo-1.0.dist-info/RECORD,,\n");
    out
}

fn wheel_with_record(record: String) -> Vec<u8> {
    wheel().record(Record::Text(record)).build_bytes()
}

fn members_of_default_wheel() -> Vec<(String, Vec<u8>)> {
    entries_of(&wheel_bytes())
        .into_iter()
        .filter(|e| !e.name.ends_with(b"/RECORD"))
        .map(|e| (String::from_utf8(e.name).unwrap(), e.data))
        .collect()
}

#[test]
fn a024_record_hash_mismatch_with_verify_hashes() {
    let members = members_of_default_wheel();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let bad = record_for(&refs, |c| {
        if c.starts_with(b"__version__") {
            format!("sha256={}", record_hash(b"something else"))
        } else {
            format!("sha256={}", record_hash(c))
        }
    });
    let r = verify_bytes(WHEEL, &wheel_with_record(bad.clone()));
    let f = one(&r, "A024");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.location.as_deref(), Some("demo/__init__.py"));
    // Without --verify-hashes the member is not inflated, so its hash is not compared.
    none(&check_bytes(WHEEL, &wheel_with_record(bad)), "A024");
    let sizes =
        record_for(&refs, |c| format!("sha256={}", record_hash(c))).replace(",18\n", ",19\n");
    let f = one(
        &verify_bytes(WHEEL, &wheel_with_record(sizes.clone())),
        "A024",
    )
    .clone();
    assert!(f.message.contains("bytes"));
    // A size or a missing or malformed hash is read from RECORD and the zip directory alone:
    // the default check reports it the same way.
    assert_eq!(
        one(&check_bytes(WHEEL, &wheel_with_record(sizes)), "A024"),
        &f
    );
    let unhashed = record_for(&refs, |c| {
        if c.starts_with(b"__version__") {
            String::new()
        } else {
            format!("sha256={}", record_hash(c))
        }
    });
    assert_eq!(
        one(&check_bytes(WHEEL, &wheel_with_record(unhashed)), "A024").message,
        "RECORD has no hash for demo/__init__.py"
    );
    let malformed = record_for(&refs, |c| format!("sha256={}", &record_hash(c)[..10]));
    assert!(
        one(&check_bytes(WHEEL, &wheel_with_record(malformed)), "A024")
            .message
            .starts_with("RECORD has a malformed hash for ")
    );
    none(&verify_bytes(WHEEL, &wheel_bytes()), "A024");
}

#[test]
fn a025_weak_record_hash() {
    let members = members_of_default_wheel();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let md5ish = record_for(&refs, |_| "md5=1B2M2Y8AsgTpgAmY7PhCfg".to_string());
    let r = verify_bytes(WHEEL, &wheel_with_record(md5ish.clone()));
    assert_eq!(one(&r, "A025").severity, Severity::Warning);
    // RECORD alone says it: no flag needed.
    let r = check_bytes(WHEEL, &wheel_with_record(md5ish));
    assert_eq!(one(&r, "A025").severity, Severity::Warning);
    let sha512 = record_for(&refs, |c| {
        use base64::Engine;
        use sha2::Digest;
        format!(
            "sha512={}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha512::digest(c))
        )
    });
    let r = verify_bytes(WHEEL, &wheel_with_record(sha512));
    none(&r, "A025");
    none(&r, "A024");
}

#[test]
fn a026_corrupt_member() {
    // A damaged .py member fails PyPI's scan read: an error, with no flag, since PyPI's scan
    // reads every .py/.pye member of every upload.
    let r = raw_wheel(|z| {
        let e = z
            .entries
            .iter_mut()
            .find(|e| e.name.ends_with(b".py"))
            .unwrap();
        e.crc32 = Some(1);
    });
    assert_eq!(one(&r, "A026").severity, Severity::Error);
    assert_eq!(
        one(&r, "A026").location.as_deref(),
        Some("demo/__init__.py")
    );
    let mut z = RawZip::new(entries_of(&wheel_bytes()));
    z.entries
        .iter_mut()
        .find(|e| e.name.ends_with(b".py"))
        .unwrap()
        .crc32 = Some(1);
    let r = verify_bytes(WHEEL, &z.build());
    assert_eq!(one(&r, "A026").severity, Severity::Error);
    // A damaged data file is not read by PyPI: a warning.
    let mut z = RawZip::new(entries_of(
        &wheel().file("demo/data.txt", "abc").build_bytes(),
    ));
    z.entries
        .iter_mut()
        .find(|e| e.name.ends_with(b"data.txt"))
        .unwrap()
        .crc32 = Some(1);
    let r = verify_bytes(WHEEL, &z.build());
    assert_eq!(one(&r, "A026").severity, Severity::Warning);
    // Without --verify-hashes only the members PyPI's scan reads are inflated: the damaged
    // data file is not looked at, so the default check costs what those members cost.
    none(&check_bytes(WHEEL, &z.build()), "A026");
    // A damaged WHEEL is read by PyPI even without --verify-hashes.
    let r = raw_wheel(|z| {
        z.entries
            .iter_mut()
            .find(|e| e.name.ends_with(b"/WHEEL"))
            .unwrap()
            .crc32 = Some(1);
    });
    assert_eq!(one(&r, "A026").message, "Invalid distribution file. None");
    none(&verify_bytes(WHEEL, &wheel_bytes()), "A026");
}

#[test]
fn a027_encrypted_code() {
    let s = SdistBuilder::new("demo", "1.0").file("src/demo/x.py", "__pyarmor_enter__(1)\n");
    let r = check_bytes("demo-1.0.tar.gz", &s.build_bytes());
    assert!(
        one(&r, "A027")
            .message
            .starts_with("Invalid distribution file. PyArmor-encrypted content is not allowed.")
    );
    let w = wheel().file(
        "demo/x.pye",
        "---BEGIN PYE FILE---\nxx\n---END PYE FILE---\n",
    );
    let r = verify_bytes(WHEEL, &w.build_bytes());
    assert!(one(&r, "A027").message.contains("SourceDefender"));
    let ok = SdistBuilder::new("demo", "1.0").file("src/demo/x.py", "pyarmor = 1\n");
    none(&check_bytes("demo-1.0.tar.gz", &ok.build_bytes()), "A027");
}

/// PyPI scans every upload, so the default check (no --verify-hashes) scans a wheel's
/// .py/.pye members too, compressed or stored, and names every member that trips the scan.
#[test]
fn a027_encrypted_code_in_a_wheel_without_flags() {
    let w = wheel()
        .file(
            "demo/armored.py",
            "from .pyarmor_runtime import __pyarmor__\n__pyarmor__(__name__, __file__, b'x')\n",
        )
        .file(
            "demo/defended.PYE",
            "---BEGIN PYE FILE---\nxx\n---END PYE FILE---\n",
        );
    let r = check_bytes(WHEEL, &w.build_bytes());
    let found = of(&r, "A027");
    let at: Vec<Option<&str>> = found.iter().map(|f| f.location.as_deref()).collect();
    assert_eq!(
        at,
        [Some("demo/armored.py"), Some("demo/defended.PYE")],
        "{:#?}",
        r.findings
    );
    assert!(found.iter().all(|f| f.severity == Severity::Error));
    assert!(
        found[0]
            .message
            .starts_with("Invalid distribution file. PyArmor-encrypted content is not allowed.")
    );
    assert!(found[1].message.contains("SourceDefender"));
    let r = check_bytes(WHEEL, &w.stored().build_bytes());
    assert_eq!(of(&r, "A027").len(), 2, "{:#?}", r.findings);
    // The markers in a member the scan does not read (not .py/.pye) are not PyPI's business.
    let data = wheel().file("demo/notes.txt", "__pyarmor_enter__\n");
    none(&check_bytes(WHEEL, &data.build_bytes()), "A027");
    // PyPI skips members over 5 MiB.
    let mut big = b"__pyarmor_enter__\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b'#');
    let r = check_bytes(WHEEL, &wheel().file("demo/big.py", big).build_bytes());
    none(&r, "A027");
    let mut fits = b"__pyarmor_enter__\n".to_vec();
    fits.resize(5 * 1024 * 1024, b'#');
    let r = check_bytes(WHEEL, &wheel().file("demo/big.py", fits).build_bytes());
    one(&r, "A027");
}

#[test]
fn a028_record_blank_line() {
    let members = members_of_default_wheel();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let rec = record_for(&refs, |c| format!("sha256={}", record_hash(c)));
    let blank = rec.replacen('\n', "\n\n", 1);
    let r = check_bytes(WHEEL, &wheel_with_record(blank));
    assert_eq!(one(&r, "A028").line, Some(2));
    none(&check_bytes(WHEEL, &wheel_with_record(rec)), "A028");
}

#[test]
fn a029_unsafe_tar_member() {
    let r = check_bytes("demo-1.0.tar.gz", &patched_sdist(1, b'0', Some(0o4755)));
    assert_eq!(one(&r, "A029").severity, Severity::Warning);
    let r = check_bytes("demo-1.0.tar.gz", &patched_sdist(1, b'0', Some(0o755)));
    none(&r, "A029");
}

#[test]
fn a030_file_too_large() {
    let d = Dir::new();
    let p = d.write(WHEEL, &wheel_bytes());
    let r = check_file(
        &p,
        &CheckOptions {
            max_file_size: 100,
            ..CheckOptions::default()
        },
    );
    assert_eq!(
        one(&r, "A030").message,
        "File too large. Limit for project 'demo' is 0 MB."
    );
    none(&check(&p), "A030");
    let big = wheel()
        .file("demo/blob.bin", vec![1u8; 2 * 1024 * 1024])
        .stored();
    let p = d.write(WHEEL, &big.build_bytes());
    let r = check_file(
        &p,
        &CheckOptions {
            max_file_size: 1024 * 1024,
            ..CheckOptions::default()
        },
    );
    assert_eq!(
        one(&r, "A030").message,
        "File too large. Limit for project 'demo' is 1 MB."
    );
}

#[test]
fn a031_sdist_top_dir_name() {
    let s = SdistBuilder::new("demo", "1.0").top_dir("demo-1.0-src");
    let r = check_bytes("demo-1.0.tar.gz", &s.build_bytes());
    assert_eq!(
        one(&r, "A031").message,
        "The sdist's top-level directory is demo-1.0-src, not demo-1.0"
    );
    assert_eq!(one(&r, "A031").severity, Severity::Warning);
    none(
        &check_bytes(
            "demo-1.0.tar.gz",
            &SdistBuilder::new("demo", "1.0").build_bytes(),
        ),
        "A031",
    );
}

#[test]
fn a032_sdist_pyproject_missing() {
    let mut s = SdistBuilder::new("demo", "1.0");
    s.files.retain(|(p, _)| p != "pyproject.toml");
    let r = check_bytes("demo-1.0.tar.gz", &s.build_bytes());
    assert_eq!(one(&r, "A032").severity, Severity::Warning);
    none(
        &check_bytes(
            "demo-1.0.tar.gz",
            &SdistBuilder::new("demo", "1.0").build_bytes(),
        ),
        "A032",
    );
}

#[test]
fn zip_sdists_are_read_for_reporting() {
    let s = SdistBuilder::new("demo", "1.0");
    let r = check_bytes("demo-1.0.zip", &zip_bytes(&s.members(), false));
    assert_eq!(r.name.as_deref(), Some("demo"));
    assert!(!of(&r, "F005").is_empty());
    none(&r, "A007");
    none(&r, "A008");
}

#[test]
fn check_files_keeps_input_order() {
    let d = Dir::new();
    let mut paths = Vec::new();
    for i in 0..6 {
        let w = WheelBuilder::new("demo", &format!("1.{i}"));
        paths.push(d.write(&w.wheel_filename(), &w.build_bytes()));
    }
    paths.push(d.0.path().join("missing.whl"));
    let report = shipwheel_dist::check_files(
        &paths,
        &CheckOptions {
            verify_hashes: true,
            ..CheckOptions::default()
        },
    );
    let got: Vec<&Path> = report.files.iter().map(|f| f.path.as_path()).collect();
    let want: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    assert_eq!(got, want);
    assert!(report.files[6].unreadable().is_some());
    for f in &report.files[..6] {
        clean(f);
    }
}

#[test]
fn without_digests_only_same_size_files_are_hashed_and_batch_rules_still_see_copies() {
    let dir = tempfile::tempdir().unwrap();
    let a = wheel().write_to(dir.path());
    // The same bytes under another (valid) name: a content collision B003 must still catch.
    let copy = dir.path().join("pkg-1.0-py3-none-any.whl");
    std::fs::copy(&a, &copy).unwrap();
    let other = SdistBuilder::new("other", "2.0").write_to(dir.path());
    let paths = vec![a, copy, other];
    let opts = CheckOptions {
        digests: false,
        ..CheckOptions::default()
    };
    let report = shipwheel_dist::check_files(&paths, &opts);
    assert!(report.files[0].sha256.is_some() && report.files[1].sha256.is_some());
    assert_eq!(
        report.files[2].sha256, None,
        "a file of unique size is not hashed"
    );
    assert!(
        report.batch.iter().any(|f| f.rule == "B003"),
        "{:?}",
        report.batch
    );
    let with = shipwheel_dist::check_files(&paths, &CheckOptions::default());
    assert!(
        with.files
            .iter()
            .all(|f| f.sha256.is_some() && f.blake2_256.is_some())
    );
}

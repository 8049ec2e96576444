//! Archive rules: how PyPI opens a wheel or sdist (`_is_valid_dist_file`, the ZIP framing walk,
//! the tar reader) and where it and twine look for METADATA, WHEEL, RECORD and PKG-INFO.
//!
//! Only the central directory and the few metadata members of a wheel are read here; members are
//! streamed, never read whole beyond [`METADATA_CAP`]. An sdist is decompressed once, streaming,
//! as PyPI does.

use std::io::Read;

use crate::filename::{DistFilename, WheelFilename};
use crate::finding::{Finding, Rule, Severity};
use crate::tarfmt::{self, TarError, TarMember};
use crate::zipfmt::{self, CdEntry, MemberError, ReadAt, ZipDir, ZipOpenError};

/// The largest metadata member (METADATA, PKG-INFO, WHEEL, RECORD, entry_points.txt) read.
pub const METADATA_CAP: u64 = 16 * 1024 * 1024;
/// PyPI's decompression-bomb rule: over 64 MiB uncompressed and a ratio over 50.
pub const COMPRESSION_RATIO_MIN_SIZE: u64 = 64 * 1024 * 1024;
pub const COMPRESSION_RATIO_THRESHOLD: u64 = 50;
/// PyPI's malware scan reads `.py`/`.pye` members up to this size.
pub const SCAN_MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

const ARCHIVES_HINT: &str = "PyPI's archive documentation (the /archives page of its user docs) lists the framing it accepts; rebuild the file with a standard build backend (python -m build, uv build) and do not post-process it with other zip tools";

macro_rules! rule {
    ($konst:ident, $id:literal, $name:literal, $sev:ident, $summary:literal, $hint:expr) => {
        pub const $konst: Rule = Rule {
            id: $id,
            name: $name,
            severity: Severity::$sev,
            summary: $summary,
            hint: $hint,
        };
    };
}

rule!(
    NOT_A_ZIP,
    "A001",
    "not-a-zip",
    Error,
    "A .whl (or .zip sdist) is a ZIP file that Python's zipfile can open",
    "the file is not a ZIP archive or is damaged; rebuild it"
);
rule!(
    POLYGLOT,
    "A002",
    "zip-tar-polyglot",
    Error,
    "The file is not both a ZIP and a tar archive",
    "rebuild the file; a file that is both a zip and a tar is refused"
);
rule!(
    COMPRESSION_RATIO,
    "A003",
    "compression-ratio",
    Error,
    "Over 64 MiB uncompressed, the ZIP's compression ratio is at most 50",
    "PyPI refuses likely decompression bombs; avoid huge, highly compressible members"
);
rule!(
    COMPRESSION_METHOD,
    "A004",
    "compression-method",
    Error,
    "ZIP members are STORED or DEFLATED (no bzip2, lzma, zstd)",
    "rebuild with a standard build backend, which uses DEFLATE"
);
rule!(
    NOT_A_TARFILE,
    "A005",
    "not-a-tarfile",
    Error,
    "A .tar.gz sdist is a gzip-compressed tar archive Python's tarfile reads without error",
    "rebuild the sdist with a standard build backend (python -m build --sdist)"
);
rule!(
    TAR_SPARSE,
    "A006",
    "tar-sparse-member",
    Error,
    "The sdist tar has no sparse members",
    "create the tar without --sparse (GNU tar) or use a build backend"
);
rule!(
    SDIST_TOP_LEVEL,
    "A007",
    "sdist-top-level",
    Error,
    "All sdist members are under one top-level directory",
    "an sdist holds exactly one directory {name}-{version}/ with everything inside"
);
rule!(
    SDIST_PKG_INFO,
    "A008",
    "sdist-pkg-info-missing",
    Error,
    "The sdist has {top}/PKG-INFO as a regular file holding 'Metadata-Version'",
    "build the sdist with a PEP 517 backend, which writes PKG-INFO"
);
rule!(
    WHEEL_FILE_MISSING,
    "A009",
    "wheel-file-missing",
    Error,
    "The wheel has {name}-{version}.dist-info/WHEEL, named by the filename's first two parts",
    "the .dist-info directory must be named exactly like the filename's name and version parts"
);
rule!(
    WHEEL_METADATA_MISSING,
    "A010",
    "wheel-metadata-missing",
    Error,
    "The wheel has {name}-{version}.dist-info/METADATA (and twine finds a METADATA holding 'Metadata-Version')",
    "the .dist-info directory must be named exactly like the filename's name and version parts"
);
rule!(
    WHEEL_RECORD_MISSING,
    "A011",
    "wheel-record-missing",
    Error,
    "The wheel has {name}-{version}.dist-info/RECORD, UTF-8 and valid CSV",
    "rebuild the wheel; build backends write RECORD last"
);
rule!(
    ZIP_MALFORMED,
    "A012",
    "zip-malformed",
    Error,
    "ZIP records are complete and their extra fields well-formed",
    ARCHIVES_HINT
);
rule!(
    ZIP_DATA_DESCRIPTOR,
    "A013",
    "zip-data-descriptor",
    Error,
    "No ZIP member uses a data descriptor (general-purpose flag bit 3)",
    "streaming zip writers add data descriptors; write the wheel to a seekable file (python -m build, uv build)"
);
rule!(
    ZIP_ENTRY_COMMENT,
    "A014",
    "zip-entry-comment",
    Error,
    "No ZIP member has a per-file comment in the central directory",
    "remove the member comments (zip -c was used?) or rebuild the file"
);
rule!(
    ZIP_DUPLICATE_NAME,
    "A015",
    "zip-duplicate-name",
    Error,
    "No ZIP member name appears twice",
    "rebuild the file; a name added twice means the build wrote a file twice"
);
rule!(
    ZIP_LOCAL_CENTRAL_MISMATCH,
    "A016",
    "zip-local-central-mismatch",
    Error,
    "Local headers and the central directory list the same names and sizes",
    ARCHIVES_HINT
);
rule!(
    ZIP_UNEXPECTED_BYTES,
    "A017",
    "zip-unexpected-bytes",
    Error,
    "The ZIP starts with a local header and ends with its end record: no prepended, gap or trailing bytes",
    "do not prepend a launcher or append data; rebuild the file"
);
rule!(
    ZIP_EOCD_MISMATCH,
    "A018",
    "zip-end-record-mismatch",
    Error,
    "The end-of-central-directory record agrees with the central directory (count, offset, size)",
    ARCHIVES_HINT
);
rule!(
    ZIP_MEMBER_NAME,
    "A019",
    "zip-member-name",
    Error,
    "ZIP member names are UTF-8 (flag bit 11 set when non-ASCII) with no control characters",
    "rename the files with control characters; build with a tool that marks UTF-8 names"
);
rule!(
    WHEEL_FILE_CONTENTS,
    "A020",
    "wheel-file-contents",
    Warning,
    "WHEEL has Wheel-Version 1.x, Root-Is-Purelib true/false, Tag lines equal to the filename's tags, Build equal to the build tag",
    "rebuild the wheel so WHEEL and the filename agree (retagging tools must update both)"
);
rule!(
    METADATA_AMBIGUOUS,
    "A021",
    "metadata-ambiguous",
    Warning,
    "twine sends the same METADATA that PyPI finds at {name}-{version}.dist-info/METADATA",
    "remove the extra METADATA files; twine uploads the shallowest one, PyPI stores the .dist-info one"
);
rule!(
    METADATA_TOO_LARGE,
    "A022",
    "metadata-too-large",
    Warning,
    "METADATA/PKG-INFO, WHEEL and RECORD are at most 16 MiB, so they can be checked",
    "a metadata file this large is almost certainly a packaging mistake (embedded binary README?)"
);
rule!(
    RECORD_MISMATCH,
    "A023",
    "record-mismatch",
    Warning,
    "RECORD lists exactly the wheel's files (PyPI only e-mails the owners; installers may fail)",
    "rebuild the wheel instead of editing it; tools that add files must rewrite RECORD"
);
rule!(
    RECORD_HASH,
    "A024",
    "record-hash-mismatch",
    Warning,
    "RECORD's hashes are well-formed and its sizes right; with --verify-hashes every hash matches its member",
    "rebuild the wheel; a member changed after RECORD was written and pip will refuse to install it"
);
rule!(
    RECORD_WEAK_HASH,
    "A025",
    "record-weak-hash",
    Warning,
    "RECORD hashes use sha256 or stronger, never md5 or sha1 (wheel spec)",
    "rebuild with a current build backend, which writes sha256 hashes"
);
rule!(
    MEMBER_CORRUPT,
    "A026",
    "member-corrupt",
    Error,
    "Every member inflates and matches its CRC-32 (a damaged .py member fails PyPI's scan)",
    "the archive is damaged; rebuild it and upload the new file"
);
rule!(
    ENCRYPTED_CONTENT,
    "A027",
    "obfuscated-code",
    Error,
    "No PyArmor or SourceDefender encrypted code in .py/.pye members (PyPI's acceptable-use scan)",
    "PyPI refuses encrypted or obfuscated code; publish the plain source"
);
rule!(
    RECORD_SERVER_ERROR,
    "A028",
    "record-blank-line",
    Error,
    "RECORD has no blank lines (PyPI's RECORD reader fails on them)",
    "rebuild the wheel; RECORD must have one CSV row per line and no empty lines"
);
rule!(
    TAR_UNSAFE_MEMBER,
    "A029",
    "tar-unsafe-member",
    Warning,
    "sdist members are safe to extract (PEP 721): no absolute paths, '..', escaping links, devices, or setuid bits",
    "rebuild the sdist with a standard build backend"
);
rule!(
    FILE_UNREADABLE,
    "A000",
    "file-unreadable",
    Error,
    "The file exists and can be read",
    "check the path (globs are expanded by shipwheel; quote them in CI)"
);
rule!(
    FILE_TOO_LARGE,
    "A030",
    "file-too-large",
    Error,
    "The file is at most the project's upload limit (100 MiB unless PyPI raised it)",
    "shrink the file (strip debug symbols, exclude data) or request a limit increase (PyPI user docs: project-management/storage-limits) and pass --max-file-size"
);
rule!(
    SDIST_TOP_DIR_NAME,
    "A031",
    "sdist-top-dir-name",
    Warning,
    "The sdist's top-level directory is {normalized_name}-{version} (source distribution spec)",
    "rebuild the sdist with a current build backend"
);
rule!(
    SDIST_PYPROJECT_MISSING,
    "A032",
    "sdist-pyproject-missing",
    Warning,
    "The sdist has {top}/pyproject.toml (source distribution spec)",
    "add a pyproject.toml with a [build-system] table so installers build it the PEP 517 way"
);

/// The rules this module owns.
pub const RULES: &[Rule] = &[
    FILE_UNREADABLE,
    NOT_A_ZIP,
    POLYGLOT,
    COMPRESSION_RATIO,
    COMPRESSION_METHOD,
    NOT_A_TARFILE,
    TAR_SPARSE,
    SDIST_TOP_LEVEL,
    SDIST_PKG_INFO,
    WHEEL_FILE_MISSING,
    WHEEL_METADATA_MISSING,
    WHEEL_RECORD_MISSING,
    ZIP_MALFORMED,
    ZIP_DATA_DESCRIPTOR,
    ZIP_ENTRY_COMMENT,
    ZIP_DUPLICATE_NAME,
    ZIP_LOCAL_CENTRAL_MISMATCH,
    ZIP_UNEXPECTED_BYTES,
    ZIP_EOCD_MISMATCH,
    ZIP_MEMBER_NAME,
    WHEEL_FILE_CONTENTS,
    METADATA_AMBIGUOUS,
    METADATA_TOO_LARGE,
    RECORD_MISMATCH,
    RECORD_HASH,
    RECORD_WEAK_HASH,
    MEMBER_CORRUPT,
    ENCRYPTED_CONTENT,
    RECORD_SERVER_ERROR,
    TAR_UNSAFE_MEMBER,
    FILE_TOO_LARGE,
    SDIST_TOP_DIR_NAME,
    SDIST_PYPROJECT_MISSING,
];

/// One member of an archive as its directory (zip central directory / tar header) lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    /// The member's path inside the archive, `/`-separated.
    pub name: String,
    /// Uncompressed size in bytes.
    pub size: u64,
    /// Compressed size in bytes (equal to `size` for tar members).
    pub compressed_size: u64,
    pub is_dir: bool,
}

/// One row of a wheel's RECORD file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RecordEntry {
    pub path: String,
    /// `algorithm=urlsafe-b64-digest`, as written.
    pub hash: Option<String>,
    pub size: Option<u64>,
}

/// Why [`read_named`] could not return a member.
#[derive(Debug, thiserror::Error)]
pub enum ReadNamedError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0} is not a readable archive: {1}")]
    Archive(String, String),
    #[error("{0} has no member {1}")]
    Missing(String, String),
    #[error("{1} in {0} is larger than {2} bytes")]
    TooLarge(String, String, u64),
    #[error("{1} in {0} cannot be read: {2}")]
    Corrupt(String, String, String),
}

/// Read one member of a wheel, zip sdist or `.tar.gz` sdist by its exact name, at most `cap`
/// bytes (streamed; a larger member is an error, never read whole).
pub fn read_named(path: &std::path::Path, name: &str, cap: u64) -> Result<Vec<u8>, ReadNamedError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| ReadNamedError::Io(shown.clone(), e))?;
    let src = zipfmt::FileSource::new(file).map_err(|e| ReadNamedError::Io(shown.clone(), e))?;
    let lower = path.to_string_lossy().to_ascii_lowercase();
    if lower.ends_with(".tar.gz") {
        let reader = std::io::BufReader::new(zipfmt::SectionReader::new(&src, 0, src.size()));
        let gz = flate2::read::MultiGzDecoder::new(reader);
        let mut found: Option<Result<Vec<u8>, ReadNamedError>> = None;
        tarfmt::walk(gz, |m, data| {
            if m.name == name {
                found = Some(if m.size > cap {
                    Err(ReadNamedError::TooLarge(shown.clone(), name.into(), cap))
                } else {
                    let mut buf = Vec::new();
                    data.take(cap).read_to_end(&mut buf)?;
                    Ok(buf)
                });
            }
            Ok(())
        })
        .map_err(|e| ReadNamedError::Archive(shown.clone(), format!("{e:?}")))?;
        return found.unwrap_or_else(|| Err(ReadNamedError::Missing(shown.clone(), name.into())));
    }
    let dir = zipfmt::read_central_directory(&src)
        .map_err(|e| ReadNamedError::Archive(shown.clone(), format!("{e:?}")))?;
    let entry = dir
        .entries
        .iter()
        .rev()
        .find(|e| e.name == name)
        .ok_or_else(|| ReadNamedError::Missing(shown.clone(), name.into()))?;
    zipfmt::read_member(&src, entry, cap).map_err(|e| match e {
        MemberError::TooLarge => ReadNamedError::TooLarge(shown.clone(), name.into(), cap),
        MemberError::Corrupt(why) => ReadNamedError::Corrupt(shown.clone(), name.into(), why),
    })
}

/// Invalid distribution file, as PyPI words it.
fn invalid(msg: impl std::fmt::Display) -> String {
    format!("Invalid distribution file. {msg}")
}

/// What opening an archive found: its members, the metadata files where PyPI and twine look,
/// and the findings about the archive itself.
#[derive(Debug, Default)]
pub struct Inspection {
    pub members: Vec<Member>,
    pub findings: Vec<Finding>,
    /// METADATA (the one twine sends) or PKG-INFO.
    pub metadata: Option<Vec<u8>>,
    /// Where `metadata` came from.
    pub metadata_path: Option<String>,
    /// RECORD, parsed (wheels only).
    pub record: Option<Vec<RecordEntry>>,
    /// `.dist-info/entry_points.txt`, raw (wheels only).
    pub entry_points: Option<Vec<u8>>,
    /// The ZIP directory, for hash verification (wheels and zip sdists).
    pub zip: Option<ZipDir>,
    /// False when the archive could not be listed at all (nothing further can be checked).
    pub readable: bool,
}

/// Open `src` as the kind its filename says and apply the archive rules.
pub fn inspect(src: &dyn ReadAt, file: &str, parsed: Option<&DistFilename>) -> Inspection {
    if file.ends_with(".whl") || file.ends_with(".zip") {
        inspect_zip(src, file, parsed)
    } else {
        inspect_tar_gz(src, file)
    }
}

fn zip_open_finding(file: &str, e: &ZipOpenError) -> Finding {
    match e {
        ZipOpenError::NotZip => NOT_A_ZIP.finding(file, invalid("File is not a zipfile")),
        ZipOpenError::Bad(why) => NOT_A_ZIP.finding(file, invalid("None")).hint(format!(
            "Python's zipfile cannot read it: {why}; rebuild the file"
        )),
        ZipOpenError::Io(why) => NOT_A_ZIP.finding(file, format!("The file cannot be read: {why}")),
    }
}

/// A framing error from Warehouse's walk, under the rule for its cause.
fn framing_finding(file: &str, err: &str) -> Finding {
    let rule = match err {
        "ZIP contains a data descriptor" => &ZIP_DATA_DESCRIPTOR,
        "Comment in central directory" => &ZIP_ENTRY_COMMENT,
        "Duplicate filename in central directory" | "Duplicate filename in local headers" => {
            &ZIP_DUPLICATE_NAME
        }
        "Mis-matched data size"
        | "Mis-matched file size"
        | "Filename not in central directory"
        | "Missing filename in local headers"
        | "Mis-matched local headers and central directory" => &ZIP_LOCAL_CENTRAL_MISMATCH,
        "Unknown record signature" | "Trailing data" => &ZIP_UNEXPECTED_BYTES,
        "Mismatched central directory records"
        | "Mismatched central directory offset"
        | "Mismatched central directory size"
        | "ZIP64 extensible data not allowed" => &ZIP_EOCD_MISMATCH,
        "Invalid character in filename" | "Filename not valid UTF-8" | "Filename not unicode" => {
            &ZIP_MEMBER_NAME
        }
        _ => &ZIP_MALFORMED,
    };
    rule.finding(file, invalid(format!("ZIP archive not accepted: {err}.")))
}

/// Python's `os.path.join(top, "PKG-INFO")`.
fn join(top: &str, name: &str) -> String {
    if top.is_empty() || top.ends_with('/') {
        format!("{top}{name}")
    } else {
        format!("{top}/{name}")
    }
}

fn looks_like_tar(src: &dyn ReadAt) -> bool {
    let mut head = [0u8; 512];
    let Ok(n) = zipfmt::read_full_at(src, &mut head, 0) else {
        return false;
    };
    if n == 512 && zipfmt::is_tar_header(&head) {
        return true;
    }
    // A gzip'd tar: inflate the first block.
    if n >= 2 && head[..2] == [0x1f, 0x8b] {
        let r = zipfmt::SectionReader::new(src, 0, src.size());
        let mut gz = flate2::read::MultiGzDecoder::new(r);
        let mut block = [0u8; 512];
        let mut got = 0;
        while got < 512 {
            match gz.read(&mut block[got..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => got += k,
            }
        }
        return got == 512 && zipfmt::is_tar_header(&block);
    }
    false
}

fn inspect_zip(src: &dyn ReadAt, file: &str, parsed: Option<&DistFilename>) -> Inspection {
    let mut out = Inspection::default();
    let is_tar = looks_like_tar(src);
    let dir = match zipfmt::read_central_directory(src) {
        Ok(d) => d,
        Err(e) => {
            if is_tar && e != ZipOpenError::NotZip {
                out.findings
                    .push(POLYGLOT.finding(file, invalid("File is both a zip and a tar file")));
            }
            out.findings.push(zip_open_finding(file, &e));
            return out;
        }
    };
    out.readable = true;
    if is_tar {
        out.findings
            .push(POLYGLOT.finding(file, invalid("File is both a zip and a tar file")));
    }
    out.members = dir
        .entries
        .iter()
        .map(|e| Member {
            name: e.name.clone(),
            size: e.size,
            compressed_size: e.compressed_size,
            is_dir: e.is_dir(),
        })
        .collect();

    let total: u64 = dir
        .entries
        .iter()
        .fold(0u64, |a, e| a.saturating_add(e.size));
    let file_size = src.size().max(1);
    // Python compares floats: total / size > 50.
    if total > COMPRESSION_RATIO_MIN_SIZE
        && u128::from(total) > u128::from(COMPRESSION_RATIO_THRESHOLD) * u128::from(file_size)
    {
        out.findings.push(
            COMPRESSION_RATIO
                .finding(file, invalid("File exceeds compression ratio of 50"))
                .at(format!("{total} bytes uncompressed in {file_size}")),
        );
    }
    if let Some(e) = dir.entries.iter().find(|e| e.method != 0 && e.method != 8) {
        out.findings.push(
            COMPRESSION_METHOD
                .finding(
                    file,
                    invalid("File does not use a supported compression type"),
                )
                .at(e.name.clone()),
        );
    }

    let lookup = |name: &str| dir.entries.iter().rev().find(|e| e.name == name);
    let read = |e: &CdEntry, out: &mut Inspection| -> Option<Vec<u8>> {
        match zipfmt::read_member(src, e, METADATA_CAP) {
            Ok(b) => Some(b),
            Err(MemberError::TooLarge) => {
                out.findings.push(
                    METADATA_TOO_LARGE
                        .finding(
                            file,
                            format!(
                                "{} is {} bytes, more than shipwheel reads ({METADATA_CAP}); it was not checked",
                                e.name, e.size
                            ),
                        )
                        .at(e.name.clone()),
                );
                None
            }
            Err(MemberError::Corrupt(why)) => {
                out.findings.push(
                    MEMBER_CORRUPT
                        .finding(file, invalid("None"))
                        .at(e.name.clone())
                        .hint(format!(
                            "Python's zipfile fails reading it: {why}; rebuild the file"
                        )),
                );
                None
            }
        }
    };

    if file.ends_with(".zip") {
        sdist_layout_zip(&dir, file, &mut out, &lookup, &read);
    } else {
        wheel_layout(src, &dir, file, parsed, &mut out, &lookup, &read);
    }

    if let Err(err) = zipfmt::validate_framing(src, &dir) {
        out.findings.push(framing_finding(file, err));
    }
    out.zip = Some(dir);
    out
}

fn sdist_layout_zip<'d>(
    dir: &'d ZipDir,
    file: &str,
    out: &mut Inspection,
    lookup: &dyn Fn(&str) -> Option<&'d CdEntry>,
    read: &dyn Fn(&CdEntry, &mut Inspection) -> Option<Vec<u8>>,
) {
    let top = tarfmt::commonpath(dir.entries.iter().map(|e| e.name.as_str()));
    let Some(top) = top.filter(|t| !matches!(t.as_str(), "" | "." | "/")) else {
        out.findings.push(SDIST_TOP_LEVEL.finding(
            file,
            invalid("Incorrect number of top-level directories in sdist"),
        ));
        return;
    };
    let target = join(&top, "PKG-INFO");
    match lookup(&target) {
        None => out
            .findings
            .push(SDIST_PKG_INFO.finding(file, invalid(format!("PKG-INFO not found at {target}")))),
        Some(e) => {
            if let Some(bytes) = read(e, out) {
                accept_pkg_info(file, &target, bytes, out);
            }
        }
    }
}

fn accept_pkg_info(file: &str, path: &str, bytes: Vec<u8>, out: &mut Inspection) {
    if memchr::memmem::find(&bytes, b"Metadata-Version").is_none() {
        out.findings.push(
            SDIST_PKG_INFO
                .finding(
                    file,
                    format!(
                        "No PKG-INFO in archive or PKG-INFO missing 'Metadata-Version': {file}"
                    ),
                )
                .at(path.to_string())
                .hint("twine refuses this sdist; rebuild it with a PEP 517 build backend"),
        );
    }
    out.metadata_path = Some(path.to_string());
    out.metadata = Some(bytes);
}

fn wheel_layout<'d>(
    src: &dyn ReadAt,
    dir: &'d ZipDir,
    file: &str,
    parsed: Option<&DistFilename>,
    out: &mut Inspection,
    lookup: &dyn Fn(&str) -> Option<&'d CdEntry>,
    read: &dyn Fn(&CdEntry, &mut Inspection) -> Option<Vec<u8>>,
) {
    // PyPI: `name, version, _ = filename.split("-", 2)`.
    let mut parts = file.splitn(3, '-');
    let (Some(name), Some(version), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        out.findings.push(WHEEL_FILE_MISSING.finding(
            file,
            invalid("Unable to parse name and version from wheel filename"),
        ));
        return;
    };
    let dist_info = format!("{name}-{version}.dist-info");

    let wheel_path = format!("{dist_info}/WHEEL");
    match lookup(&wheel_path) {
        None => out.findings.push(
            WHEEL_FILE_MISSING.finding(file, invalid(format!("WHEEL not found at {wheel_path}"))),
        ),
        Some(e) => {
            if let Some(bytes) = read(e, out)
                && let Some(DistFilename::Wheel(w)) = parsed
            {
                out.findings
                    .extend(check_wheel_file(file, &wheel_path, &bytes, w));
            }
        }
    }

    let record_path = format!("{dist_info}/RECORD");
    let record_missing = || {
        WHEEL_RECORD_MISSING.finding(
            file,
            format!("Wheel '{file}' does not contain the required RECORD file: {record_path}"),
        )
    };
    match lookup(&record_path) {
        None => out.findings.push(record_missing()),
        Some(e) => {
            if let Some(bytes) = read(e, out) {
                match std::str::from_utf8(&bytes) {
                    Err(_) => out
                        .findings
                        .push(record_missing().hint("RECORD is not valid UTF-8; rebuild the wheel")),
                    Ok(text) => match parse_record(text) {
                        Err(RecordError::Csv(why)) => out.findings.push(
                            record_missing().hint(format!("RECORD is not valid CSV ({why}); rebuild the wheel")),
                        ),
                        Err(RecordError::BlankLine(line)) => out.findings.push(
                            RECORD_SERVER_ERROR
                                .finding(
                                    file,
                                    format!("RECORD line {line} is blank; PyPI's RECORD check fails on blank lines (the upload ends in a server error)"),
                                )
                                .at(record_path.clone())
                                .line(u32::try_from(line).unwrap_or(u32::MAX)),
                        ),
                        Ok(entries) => {
                            out.findings
                                .extend(check_record_names(file, &dist_info, dir, &entries));
                            out.record = Some(entries);
                        }
                    },
                }
            }
        }
    }

    if let Some(e) = lookup(&format!("{dist_info}/entry_points.txt")) {
        out.entry_points = read(e, out);
    }

    // PyPI stores {dist_info}/METADATA; twine sends the shallowest member whose path holds
    // "METADATA" and whose bytes hold "Metadata-Version".
    let exact_path = format!("{dist_info}/METADATA");
    let exact = lookup(&exact_path);
    if exact.is_none() {
        out.findings.push(WHEEL_METADATA_MISSING.finding(
            file,
            format!("Wheel '{file}' does not contain the required METADATA file: {exact_path}"),
        ));
    }
    let mut candidates: Vec<(usize, Vec<&str>)> = dir
        .entries
        .iter()
        .filter(|e| e.name.contains("METADATA"))
        .map(|e| {
            let parts: Vec<&str> = e.name.split('/').collect();
            (parts.len(), parts)
        })
        .collect();
    candidates.sort();
    candidates.dedup();
    let mut searched = Vec::new();
    let mut twine_pick: Option<(String, Vec<u8>)> = None;
    for (_, parts) in candidates {
        let path = parts.join("/");
        let Some(e) = lookup(&path) else { continue };
        let Some(bytes) = read(e, out) else { continue };
        if memchr::memmem::find(&bytes, b"Metadata-Version").is_some() {
            twine_pick = Some((path, bytes));
            break;
        }
        searched.push(path);
    }
    match twine_pick {
        None => out.findings.push(
            WHEEL_METADATA_MISSING
                .finding(
                    file,
                    format!(
                        "No METADATA in archive or METADATA missing 'Metadata-Version': {file} (searched {})",
                        searched.join(",")
                    ),
                )
                .hint("twine refuses this wheel; rebuild it with a standard build backend"),
        ),
        Some((path, bytes)) => {
            if path != exact_path
                && let Some(e) = exact
                && let Ok(exact_bytes) = zipfmt::read_member(src, e, METADATA_CAP)
                && exact_bytes != bytes
            {
                out.findings.push(
                    METADATA_AMBIGUOUS
                        .finding(
                            file,
                            format!("twine would send the metadata in {path}, but PyPI stores {exact_path}, which differs"),
                        )
                        .at(path.clone()),
                );
            }
            out.metadata_path = Some(path);
            out.metadata = Some(bytes);
        }
    }
}

/// The WHEEL file: Wheel-Version 1.x, Root-Is-Purelib, Tag lines vs the filename, Build.
pub fn check_wheel_file(file: &str, path: &str, bytes: &[u8], w: &WheelFilename) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |msg: String| {
        out.push(WHEEL_FILE_CONTENTS.finding(file, msg).at(path.to_string()));
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        push("WHEEL is not valid UTF-8".into());
        return out;
    };
    let mut version = None;
    let mut purelib = None;
    let mut build = None;
    let mut tags = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k.trim().to_ascii_lowercase().as_str() {
            "wheel-version" => version = Some(v.to_string()),
            "root-is-purelib" => purelib = Some(v.to_string()),
            "build" => build = Some(v.to_string()),
            "tag" => tags.push(v.to_lowercase()),
            _ => {}
        }
    }
    match version.as_deref() {
        None => push("WHEEL has no Wheel-Version".into()),
        Some(v) if v.split('.').next() != Some("1") => push(format!(
            "WHEEL has Wheel-Version {v}; installers support only 1.x"
        )),
        _ => {}
    }
    match purelib.as_deref() {
        None => push("Root-Is-Purelib header not found in WHEEL file".into()),
        Some(v) if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") => {
            push(format!(
                "Invalid Root-Is-Purelib value in WHEEL file: {}",
                crate::pep::py_repr(v)
            ))
        }
        _ => {}
    }
    let mut expected = w.tag_strings();
    expected.sort();
    expected.dedup();
    let mut declared = tags.clone();
    declared.sort();
    declared.dedup();
    if declared != expected {
        let missing: Vec<&String> = expected.iter().filter(|t| !declared.contains(t)).collect();
        let extra: Vec<&String> = declared.iter().filter(|t| !expected.contains(t)).collect();
        let list = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        let mut msg = String::from("WHEEL's Tag lines do not match the filename's tags");
        if !missing.is_empty() {
            msg.push_str(&format!("; missing: {}", list(&missing)));
        }
        if !extra.is_empty() {
            msg.push_str(&format!("; not in the filename: {}", list(&extra)));
        }
        push(msg);
    }
    if build != w.build {
        push(format!(
            "WHEEL's Build is {} but the filename's build tag is {}",
            build
                .as_deref()
                .map(crate::pep::py_repr)
                .unwrap_or_else(|| "absent".into()),
            w.build
                .as_deref()
                .map(crate::pep::py_repr)
                .unwrap_or_else(|| "absent".into())
        ));
    }
    out
}

/// RECORD paths against the archive's file names, as PyPI compares them (directories and
/// RECORD.jws/.p7s excluded, `\` read as `/`).
fn check_record_names(
    file: &str,
    dist_info: &str,
    dir: &ZipDir,
    entries: &[RecordEntry],
) -> Vec<Finding> {
    use std::collections::BTreeSet;
    let exempt = [
        format!("{dist_info}/RECORD.jws"),
        format!("{dist_info}/RECORD.p7s"),
    ];
    let recorded: BTreeSet<String> = entries.iter().map(|e| e.path.replace('\\', "/")).collect();
    let actual: BTreeSet<String> = dir
        .entries
        .iter()
        .filter(|e| !e.name.ends_with('/') && !e.name.ends_with('\\'))
        .filter(|e| !exempt.contains(&e.name))
        .map(|e| e.name.clone())
        .collect();
    let mut out = Vec::new();
    let not_recorded: Vec<&String> = actual.difference(&recorded).collect();
    let not_present: Vec<&String> = recorded.difference(&actual).collect();
    let list = |v: &[&String]| {
        let shown: Vec<&str> = v.iter().take(10).map(|s| s.as_str()).collect();
        let more = v.len().saturating_sub(10);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if !not_recorded.is_empty() {
        out.push(
            RECORD_MISMATCH
                .finding(
                    file,
                    format!(
                        "RECORD is missing {} file(s) in the wheel: {}",
                        not_recorded.len(),
                        list(&not_recorded)
                    ),
                )
                .at(format!("{dist_info}/RECORD")),
        );
    }
    if !not_present.is_empty() {
        out.push(
            RECORD_MISMATCH
                .finding(
                    file,
                    format!(
                        "RECORD lists {} file(s) the wheel does not contain: {}",
                        not_present.len(),
                        list(&not_present)
                    ),
                )
                .at(format!("{dist_info}/RECORD")),
        );
    }
    out
}

/// Why RECORD cannot be read the way PyPI reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// `csv.Error` (PyPI: "does not contain the required RECORD file").
    Csv(String),
    /// A blank line (1-based): PyPI's reader raises an uncaught error on it.
    BlankLine(usize),
}

/// Python's `str.splitlines()` boundaries.
fn split_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        out.push(&text[start..i]);
        let mut next = i + c.len_utf8();
        if c == '\r'
            && let Some(&(j, '\n')) = chars.peek()
        {
            chars.next();
            next = j + 1;
        }
        start = next;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Parse RECORD with Python's `csv.reader` (excel dialect) over `splitlines()`, as PyPI does.
pub fn parse_record(text: &str) -> Result<Vec<RecordEntry>, RecordError> {
    const FIELD_LIMIT: usize = 131_072;
    let lines = split_lines(text);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        let mut row: Vec<String> = Vec::new();
        let mut field = String::new();
        let mut field_chars = 0usize;
        let mut in_quotes = false;
        let mut after_quote = false;
        let mut any = false;
        loop {
            let line = lines.get(i).copied().unwrap_or("");
            let mut it = line.chars().peekable();
            while let Some(c) = it.next() {
                any = true;
                if in_quotes {
                    if c == '"' {
                        if it.peek() == Some(&'"') {
                            it.next();
                            field.push('"');
                            field_chars += 1;
                        } else {
                            in_quotes = false;
                            after_quote = true;
                        }
                    } else {
                        field.push(c);
                        field_chars += 1;
                    }
                } else if c == ',' {
                    row.push(std::mem::take(&mut field));
                    field_chars = 0;
                    after_quote = false;
                } else if c == '"' && field.is_empty() && !after_quote {
                    in_quotes = true;
                } else {
                    field.push(c);
                    field_chars += 1;
                }
                if field_chars > FIELD_LIMIT {
                    return Err(RecordError::Csv(format!(
                        "field larger than field limit ({FIELD_LIMIT})"
                    )));
                }
            }
            i += 1;
            if in_quotes && i < lines.len() {
                // A quoted field continues on the next line.
                field.push('\n');
                field_chars += 1;
                continue;
            }
            break;
        }
        if !any {
            return Err(RecordError::BlankLine(line_no));
        }
        row.push(field);
        rows.push(row);
    }
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let (hash, size) = if row.len() == 3 {
                let size = row.pop().and_then(|s| s.parse::<u64>().ok());
                let hash = row.pop().filter(|h| !h.is_empty());
                (hash, size)
            } else {
                (None, None)
            };
            RecordEntry {
                path: row.into_iter().next().unwrap_or_default(),
                hash,
                size,
            }
        })
        .collect())
}

/// The source-distribution spec's layout advice for an sdist whose PKG-INFO sits at
/// `pkg_info_path`: the top directory's name and a pyproject.toml.
pub fn check_sdist_layout(
    file: &str,
    pkg_info_path: &str,
    members: &[Member],
    name: Option<&str>,
    version: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(top) = pkg_info_path.strip_suffix("/PKG-INFO") else {
        return out;
    };
    let pyproject = join(top, "pyproject.toml");
    if !members.iter().any(|m| m.name == pyproject) {
        out.push(
            SDIST_PYPROJECT_MISSING
                .finding(file, format!("The sdist has no {pyproject}"))
                .at(pyproject),
        );
    }
    if let (Some(name), Some(version)) = (name, version)
        && crate::pep::is_valid_name(name)
        && let Ok(v) = version.parse::<crate::pep::Version>()
    {
        let expected = format!(
            "{}-{v}",
            crate::pep::canonicalize_name(name).replace('-', "_")
        );
        if top != expected {
            out.push(
                SDIST_TOP_DIR_NAME
                    .finding(
                        file,
                        format!("The sdist's top-level directory is {top}, not {expected}"),
                    )
                    .at(top.to_string()),
            );
        }
    }
    out
}

/// Scan one member's bytes for the encrypted-code markers PyPI's YARA rules look for.
pub fn scan_for_encrypted(data: &[u8]) -> Option<&'static str> {
    const PYARMOR: &[&[u8]] = &[
        b"__pyarmor__(__name__, __file__,",
        b"__pyarmor_enter__",
        b"__pyarmor_exit__",
        b"__pyarmor_assert__",
        b"__pyarmor_bcc__",
    ];
    if PYARMOR
        .iter()
        .any(|m| memchr::memmem::find(data, m).is_some())
    {
        return Some("PyArmor-encrypted content is not allowed.");
    }
    if memchr::memmem::find(data, b"---BEGIN PYE FILE---").is_some()
        && memchr::memmem::find(data, b"---END PYE FILE---").is_some()
    {
        return Some("SourceDefender-encrypted content is not allowed.");
    }
    None
}

/// Whether PyPI's scanner reads this member (`.py`/`.pye`, case-insensitive suffix).
pub fn is_scanned(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    // pathlib's suffix: the part from the last '.', unless the name starts with it.
    match base.rfind('.') {
        Some(0) | None => false,
        Some(i) => {
            let ext = base[i..].to_ascii_lowercase();
            ext == ".py" || ext == ".pye"
        }
    }
}

pub fn encrypted_finding(file: &str, member: &str, msg: &str) -> Finding {
    ENCRYPTED_CONTENT
        .finding(
            file,
            invalid(format!(
                "{msg} See the acceptable use policy on PyPI for more information."
            )),
        )
        .at(member.to_string())
}

fn inspect_tar_gz(src: &dyn ReadAt, file: &str) -> Inspection {
    let mut out = Inspection::default();
    // tarfile.is_tarfile tries every compression; zipfile.is_zipfile looks for an end record.
    let is_zip = matches!(zipfmt::find_eocd(src), Ok(Some(_)));
    let mut head = [0u8; 6];
    let n = zipfmt::read_full_at(src, &mut head, 0).unwrap_or(0);
    let gzip = n >= 2 && head[..2] == [0x1f, 0x8b];
    if !gzip {
        let raw_tar = looks_like_tar(src)
            || head.starts_with(b"BZh")
            || head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0])
            || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
        if raw_tar && is_zip {
            out.findings
                .push(POLYGLOT.finding(file, invalid("File is both a zip and a tar file")));
        }
        let f = if raw_tar {
            NOT_A_TARFILE
                .finding(file, invalid("None"))
                .hint("the sdist is a tar archive but not gzip-compressed; PyPI opens .tar.gz as gzip only")
        } else {
            NOT_A_TARFILE.finding(file, invalid("File is not a tarfile"))
        };
        out.findings.push(f);
        return out;
    }

    let reader = std::io::BufReader::with_capacity(
        256 * 1024,
        zipfmt::SectionReader::new(src, 0, src.size()),
    );
    let gz = flate2::read::MultiGzDecoder::new(reader);
    let mut pkg_infos: Vec<(String, Vec<u8>, bool)> = Vec::new();
    let mut encrypted: Option<(String, &'static str)> = None;
    let mut too_large: Vec<String> = Vec::new();
    let mut scan_buf = Vec::new();
    let walked = tarfmt::walk(gz, |m: &TarMember, data: &mut dyn Read| {
        let base = m.name.rsplit('/').next().unwrap_or(&m.name);
        if base == "PKG-INFO" {
            if m.size > METADATA_CAP {
                too_large.push(m.name.clone());
            } else {
                let mut buf = Vec::new();
                data.take(METADATA_CAP).read_to_end(&mut buf)?;
                // Keep the last of each path, and never more than a few in memory: the one
                // PyPI reads is `{top}/PKG-INFO`, known only at the end.
                pkg_infos.retain(|(n, _, _)| *n != m.name);
                pkg_infos.push((m.name.clone(), buf, m.is_file()));
                let mut total: u64 = pkg_infos.iter().map(|(_, b, _)| b.len() as u64).sum();
                while total > 2 * METADATA_CAP && pkg_infos.len() > 1 {
                    // Deeper paths are less likely to be `{top}/PKG-INFO`.
                    let deepest = pkg_infos
                        .iter()
                        .enumerate()
                        .max_by_key(|(_, (n, _, _))| n.matches('/').count())
                        .map(|(i, _)| i)
                        .unwrap_or(0);
                    let (_, b, _) = pkg_infos.remove(deepest);
                    total -= b.len() as u64;
                }
            }
        }
        if encrypted.is_none() && is_scanned(&m.name) && m.size <= SCAN_MAX_FILE_SIZE {
            scan_buf.clear();
            data.take(SCAN_MAX_FILE_SIZE).read_to_end(&mut scan_buf)?;
            if let Some(msg) = scan_for_encrypted(&scan_buf) {
                encrypted = Some((m.name.clone(), msg));
            }
        }
        Ok(())
    });
    let members = match walked {
        Ok(m) => m,
        Err(TarError::NotTar(why)) => {
            // An end record alone does not make a polyglot: tarfile must read it too.
            out.findings.push(
                NOT_A_TARFILE
                    .finding(file, invalid("File is not a tarfile"))
                    .hint(format!(
                        "the gzip stream does not hold a tar archive ({why})"
                    )),
            );
            return out;
        }
        Err(TarError::Read(why)) => {
            if is_zip {
                out.findings
                    .push(POLYGLOT.finding(file, invalid("File is both a zip and a tar file")));
            }
            out.findings
                .push(NOT_A_TARFILE.finding(file, invalid("None")).hint(format!(
                    "Python's tarfile fails reading it ({why}); rebuild the sdist"
                )));
            return out;
        }
    };
    out.readable = true;
    if is_zip {
        out.findings
            .push(POLYGLOT.finding(file, invalid("File is both a zip and a tar file")));
    }
    out.members = members
        .iter()
        .map(|m| Member {
            name: m.name.clone(),
            size: m.size,
            compressed_size: m.size,
            is_dir: m.is_dir(),
        })
        .collect();
    if let Some(m) = members.iter().find(|m| m.sparse) {
        out.findings.push(
            TAR_SPARSE
                .finding(
                    file,
                    invalid("tar archive not accepted: Sparse members are not allowed."),
                )
                .at(m.name.clone()),
        );
    }
    out.findings.extend(unsafe_members(file, &members));
    let top = tarfmt::commonpath(members.iter().map(|m| m.name.as_str()));
    let top = match top {
        Some(t) if !matches!(t.as_str(), "" | "." | "/") => t,
        _ => {
            out.findings.push(SDIST_TOP_LEVEL.finding(
                file,
                invalid("Incorrect number of top-level directories in sdist"),
            ));
            return out;
        }
    };
    let target = join(&top, "PKG-INFO");
    // tar.getmember: the last member of that name.
    let Some(member) = members.iter().rev().find(|m| m.name == target) else {
        out.findings
            .push(SDIST_PKG_INFO.finding(file, invalid(format!("PKG-INFO not found at {target}"))));
        return out;
    };
    if let Some((name, msg)) = encrypted {
        out.findings.push(encrypted_finding(file, &name, msg));
    }
    if too_large.contains(&target) {
        out.findings.push(
            METADATA_TOO_LARGE
                .finding(
                    file,
                    format!("{target} is {} bytes, more than shipwheel reads ({METADATA_CAP}); it was not checked", member.size),
                )
                .at(target),
        );
        return out;
    }
    if !member.is_file() {
        out.findings.push(
            SDIST_PKG_INFO
                .finding(file, format!("PKG-INFO is not a regular file: {file}"))
                .at(target)
                .hint("twine refuses this sdist; PKG-INFO must be a regular file"),
        );
        return out;
    }
    if let Some((_, bytes, _)) = pkg_infos.into_iter().rev().find(|(n, _, _)| *n == target) {
        accept_pkg_info(file, &target, bytes, &mut out);
    }
    out
}

/// PEP 721's safe-extraction expectations, as warnings (PyPI does not check them).
fn unsafe_members(file: &str, members: &[TarMember]) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in members {
        let why = if m.name.starts_with('/') {
            Some("has an absolute path")
        } else if m.name.split('/').any(|p| p == "..") {
            Some("has a '..' path component")
        } else if matches!(m.typeflag, b'3' | b'4' | b'6') {
            Some("is a device or FIFO")
        } else if m.mode & 0o7000 != 0 {
            Some("has setuid, setgid or sticky mode bits")
        } else if matches!(m.typeflag, b'1' | b'2')
            && (m.linkname.starts_with('/') || escapes(&m.name, &m.linkname, m.typeflag == b'2'))
        {
            Some("links outside the archive")
        } else {
            None
        };
        if let Some(why) = why {
            out.push(
                TAR_UNSAFE_MEMBER
                    .finding(file, format!("sdist member {} {why}", m.name))
                    .at(m.name.clone()),
            );
            if out.len() >= 10 {
                break;
            }
        }
    }
    out
}

/// Whether a link target leaves the archive root (symlinks resolve from the link's directory).
fn escapes(name: &str, target: &str, symlink: bool) -> bool {
    let mut depth: i64 = 0;
    if symlink {
        depth = name
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .count() as i64
            - 1;
    }
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_parses_like_python_csv() {
        let rows = parse_record("a.py,sha256=x,3\n\"b,c.py\",,\nRECORD,,\n").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].hash.as_deref(), Some("sha256=x"));
        assert_eq!(rows[0].size, Some(3));
        assert_eq!(rows[1].path, "b,c.py");
        assert_eq!(rows[1].hash, None);
        assert_eq!(
            parse_record("a,b,1\n\nc,d,2\n"),
            Err(RecordError::BlankLine(2))
        );
        assert!(parse_record("a\r\nb\r\n").is_ok());
        let big = format!("{},,\n", "x".repeat(200_000));
        assert!(matches!(parse_record(&big), Err(RecordError::Csv(_))));
    }

    #[test]
    fn scanner_markers() {
        assert!(scan_for_encrypted(b"x = __pyarmor_enter__(1)").is_some());
        assert!(scan_for_encrypted(b"---BEGIN PYE FILE---").is_none());
        assert!(scan_for_encrypted(b"---BEGIN PYE FILE---\n---END PYE FILE---").is_some());
        assert!(is_scanned("a/b.PY"));
        assert!(!is_scanned("a/.py"));
        assert!(!is_scanned("a/b.pyc"));
    }

    #[test]
    fn reads_named_members_of_wheels_and_sdists() {
        let dir = tempfile::tempdir().unwrap();
        let w = test_support::builder::WheelBuilder::new("demo", "1.0");
        let wp = w.write_to(dir.path());
        let meta = read_named(&wp, "demo-1.0.dist-info/METADATA", 1 << 20).unwrap();
        assert!(meta.starts_with(b"Metadata-Version"));
        assert!(matches!(
            read_named(&wp, "demo-1.0.dist-info/METADATA", 4),
            Err(ReadNamedError::TooLarge(..))
        ));
        assert!(matches!(
            read_named(&wp, "nope", 10),
            Err(ReadNamedError::Missing(..))
        ));
        let s = test_support::builder::SdistBuilder::new("demo", "1.0");
        let sp = s.write_to(dir.path());
        let pkg = read_named(&sp, "demo-1.0/PKG-INFO", 1 << 20).unwrap();
        assert!(pkg.starts_with(b"Metadata-Version"));
        assert!(matches!(
            read_named(&sp, "demo-1.0/PKG-INFO", 3),
            Err(ReadNamedError::TooLarge(..))
        ));
    }

    #[test]
    fn link_escapes() {
        assert!(escapes("top/a", "../../x", true));
        assert!(!escapes("top/a", "../top/b", true));
        assert!(escapes("top/a", "../x", false));
    }
}

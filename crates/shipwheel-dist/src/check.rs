//! The check engine: one file at a time (framing, filename, metadata, contents), then batch rules.
//!
//! Per file: size and the sha256/blake2b-256 digests (streamed), the filename rules, the archive
//! as PyPI opens it (only the ZIP central directory, the local headers and the few metadata
//! members of a wheel are read; an sdist is decompressed once, streaming), then the metadata,
//! description and wheel-contents rules of the other modules. Then the members PyPI's upload scan
//! reads (`.py`/`.pye`) are inflated, in parallel across the members of all files, largest
//! first, and checked against their CRC-32 and the encrypted-code scan, as PyPI does for every
//! upload; with `verify_hashes` every member is inflated and RECORD's hash and size checked too.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use blake2::Blake2b;
use blake2::digest::consts::U32;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::archive::{self, RecordEntry};
use crate::description::RstRenderer;
use crate::filename::{DistFilename, DistKind};
use crate::finding::{Finding, Severity};
use crate::metadata::{DistContext, RawMetadata};
use crate::zipfmt::{CdEntry, FileSource, ReadAt, ZipDir};

/// PyPI's default per-file upload limit.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

#[derive(Clone)]
pub struct CheckOptions {
    /// Per-file size limit in bytes (PyPI: 100 MiB unless the project has a raised limit).
    pub max_file_size: u64,
    /// Also inflate every member (not only the `.py`/`.pye` members PyPI's scan reads, which
    /// are always inflated and scanned) and check it against its CRC-32 and RECORD's hash and
    /// size.
    pub verify_hashes: bool,
    /// An external reStructuredText renderer (readme-renderer) to agree with PyPI exactly;
    /// the native checker is used when this is `None`.
    pub rst_renderer: Option<Arc<dyn RstRenderer + Send + Sync>>,
    /// Fill `sha256`/`blake2_256` for every file. Hashing whole files is most of a check's cost,
    /// so `shipwheel check` turns it off unless its output shows digests; the batch rules still
    /// get the sha256 of any files whose sizes collide (all they need to compare contents).
    pub digests: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            verify_hashes: false,
            rst_renderer: None,
            digests: true,
        }
    }
}

/// What the check found about one file, plus what later stages need from it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    pub filename: String,
    pub kind: Option<DistKind>,
    pub size: u64,
    pub sha256: Option<String>,
    pub blake2_256: Option<String>,
    /// Project name as the metadata gives it (not normalised).
    pub name: Option<String>,
    pub version: Option<String>,
    #[serde(skip)]
    pub metadata: Option<RawMetadata>,
    /// The raw bytes of METADATA / PKG-INFO, for PEP 658 serving and the upload form.
    #[serde(skip)]
    pub metadata_bytes: Option<Vec<u8>>,
    pub findings: Vec<Finding>,
}

impl FileReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }

    /// Why the file could not be read at all (missing, a directory, permission denied), or
    /// `None`. Such a file has one [`FILE_UNREADABLE`] finding and nothing else was checked;
    /// the CLI exits 2 for it (unreadable input), not 1.
    pub fn unreadable(&self) -> Option<&str> {
        self.findings
            .iter()
            .find(|f| f.rule == FILE_UNREADABLE.id)
            .map(|f| f.message.as_str())
    }
}

/// The whole check over a batch of files.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub files: Vec<FileReport>,
    /// Findings about the batch as a whole (one sdist per version, mixed projects, ...).
    pub batch: Vec<Finding>,
    /// Which reStructuredText renderer judged long descriptions (`native` or `readme-renderer X`).
    pub rst_renderer: String,
}

impl Report {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter())
            .chain(self.batch.iter())
    }

    pub fn has_errors(&self) -> bool {
        self.findings().any(Finding::is_error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings().filter(|f| f.severity == severity).count()
    }
}

pub use crate::archive::{FILE_TOO_LARGE, FILE_UNREADABLE};

/// What phase one of a file check keeps for phase two, which inflates members.
struct VerifyPlan {
    path: PathBuf,
    file: String,
    dir: ZipDir,
    record: Option<Vec<RecordEntry>>,
    /// Whether RECORD comparisons apply (wheels); zip sdists get CRC and scan checks only.
    wheel: bool,
}

fn empty_report(path: &Path, filename: String) -> FileReport {
    FileReport {
        path: path.to_path_buf(),
        filename,
        kind: None,
        size: 0,
        sha256: None,
        blake2_256: None,
        name: None,
        version: None,
        metadata: None,
        metadata_bytes: None,
        findings: Vec::new(),
    }
}

/// sha256 and blake2b-256 of a file (what the upload form carries), as lowercase hex,
/// streamed in constant memory.
pub fn digests(path: &Path) -> std::io::Result<(String, String)> {
    let src = FileSource::new(std::fs::File::open(path)?)?;
    file_digests(&src)
}

/// sha256 and blake2b-256 of a whole file in constant memory, as lowercase hex.
fn file_digests(src: &dyn ReadAt) -> std::io::Result<(String, String)> {
    let mut sha = Sha256::new();
    let mut blake = Blake2b::<U32>::new();
    // Sized to the file (up to 1 MiB): zeroing a 1 MiB buffer for every small wheel of a batch
    // would cost more than hashing it. One byte more than the file, so the loop sees the end.
    let len = usize::try_from(src.size().saturating_add(1)).unwrap_or(usize::MAX);
    let mut buf = vec![0u8; len.clamp(4096, 1 << 20)];
    let mut offset = 0u64;
    loop {
        let n = crate::zipfmt::read_full_at(src, &mut buf, offset)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        sha.update(chunk);
        blake.update(chunk);
        offset += n as u64;
        if n < buf.len() {
            break;
        }
    }
    Ok((hex::encode(sha.finalize()), hex::encode(blake.finalize())))
}

/// Phase one: everything but hash verification.
fn check_file_inner(path: &Path, opts: &CheckOptions) -> (FileReport, Option<VerifyPlan>) {
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file_label = if filename.is_empty() {
        path.display().to_string()
    } else {
        filename.clone()
    };
    let mut report = empty_report(path, filename.clone());
    let unreadable = |report: &mut FileReport, why: String| {
        report.findings.push(FILE_UNREADABLE.finding(
            file_label.clone(),
            format!("cannot read {}: {why}", path.display()),
        ));
    };
    // Look before opening: opening a FIFO would block.
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            unreadable(&mut report, "it is a directory".into());
            return (report, None);
        }
        Ok(m) if !m.is_file() => {
            unreadable(&mut report, "it is not a regular file".into());
            return (report, None);
        }
        Ok(_) => {}
        Err(e) => {
            unreadable(&mut report, e.to_string());
            return (report, None);
        }
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            unreadable(&mut report, e.to_string());
            return (report, None);
        }
    };
    let src = match FileSource::new(file) {
        Ok(s) => s,
        Err(e) => {
            unreadable(&mut report, e.to_string());
            return (report, None);
        }
    };
    report.size = src.size();
    if opts.digests {
        match file_digests(&src) {
            Ok((sha, blake)) => {
                report.sha256 = Some(sha);
                report.blake2_256 = Some(blake);
            }
            Err(e) => {
                unreadable(&mut report, e.to_string());
                return (report, None);
            }
        }
    }

    let file = file_label.as_str();
    let (parsed, findings) = crate::filename::check_filename(&filename);
    report.findings.extend(findings);
    report.kind = parsed
        .as_ref()
        .map(DistFilename::kind)
        .or_else(|| crate::filename::kind_from_extension(&filename));
    let Some(kind) = report.kind else {
        // Not a distribution by its name: nothing more PyPI would look at.
        return (report, None);
    };

    let inspection = archive::inspect(&src, &filename, parsed.as_ref());
    report.findings.extend(inspection.findings);
    let members = inspection.members;

    if let Some(bytes) = inspection.metadata {
        match RawMetadata::parse(&bytes) {
            Ok(meta) => {
                report.name = meta.get("Name").map(|s| s.trim().to_string());
                report.version = meta.get("Version").map(|s| s.trim().to_string());
                let ctx = DistContext {
                    file,
                    kind,
                    filename: parsed.as_ref(),
                    members: &members,
                };
                report
                    .findings
                    .extend(crate::metadata::check_metadata(&meta, &ctx));
                report
                    .findings
                    .extend(crate::description::check_description(
                        &meta,
                        file,
                        opts.rst_renderer.as_deref(),
                    ));
                if let Some(p) = &parsed {
                    report
                        .findings
                        .extend(crate::filename::check_filename_against_metadata(
                            file,
                            p,
                            report.name.as_deref(),
                            report.version.as_deref(),
                        ));
                }
                report.metadata = Some(meta);
            }
            Err(e) => {
                let mut f = crate::metadata::M001.finding(file, e.to_string());
                if let Some(p) = &inspection.metadata_path {
                    f = f.at(p.clone());
                }
                report.findings.push(f);
            }
        }
        report.metadata_bytes = Some(bytes);
    }

    if kind == DistKind::Sdist
        && let Some(pkg_info) = &inspection.metadata_path
    {
        // A wrongly named file already says the name or version is off; the directory
        // advice would repeat it.
        let misnamed = report.findings.iter().any(|f| {
            f.rule == crate::filename::SDIST_FILENAME_NOT_PEP625.id
                || f.rule == crate::filename::SDIST_NAME_MISMATCH.id
        });
        report.findings.extend(archive::check_sdist_layout(
            file,
            pkg_info,
            &members,
            report.name.as_deref().filter(|_| !misnamed),
            report.version.as_deref(),
        ));
    }

    if kind == DistKind::Wheel && inspection.readable {
        if let Some(ep) = &inspection.entry_points {
            match std::str::from_utf8(ep) {
                Ok(text) => report
                    .findings
                    .extend(crate::metadata::check_entry_points(file, text)),
                Err(_) => report.findings.push(
                    crate::metadata::M025
                        .finding(
                            file,
                            format!("Wheel '{file}' has invalid entry points defined in the entry_points.txt file"),
                        )
                        .at("entry_points.txt")
                        .hint("entry_points.txt is not valid UTF-8"),
                ),
            }
        }
        report
            .findings
            .extend(crate::contents::check_wheel_contents(
                file,
                &members,
                inspection.record.as_deref(),
            ));
    }

    if kind == DistKind::Wheel
        && let (Some(dir), Some(record)) = (&inspection.zip, &inspection.record)
    {
        report.findings.extend(record_rows(file, dir, record));
    }

    if report.size > opts.max_file_size {
        let project = report
            .name
            .clone()
            .or_else(|| parsed.as_ref().map(|p| p.name().to_string()))
            .unwrap_or_default();
        report.findings.push(FILE_TOO_LARGE.finding(
            file,
            format!(
                "File too large. Limit for project {} is {} MB.",
                crate::pep::py_repr(&project),
                opts.max_file_size / (1024 * 1024)
            ),
        ));
    }

    let plan = inspection.zip.map(|dir| VerifyPlan {
        path: path.to_path_buf(),
        file: file_label.clone(),
        dir,
        record: inspection.record,
        wheel: kind == DistKind::Wheel,
    });
    (report, plan)
}

/// Check one file.
///
/// Never panics on any input. A path that cannot be read gives a report whose only finding is
/// [`FILE_UNREADABLE`] (see [`FileReport::unreadable`]).
pub fn check_file(path: &Path, opts: &CheckOptions) -> FileReport {
    let (mut report, plan) = check_file_inner(path, opts);
    if let Some(plan) = plan {
        let mut found = verify_plans(std::slice::from_ref(&plan), opts.verify_hashes, threads());
        if let Some(f) = found.pop() {
            report.findings.extend(f);
        }
    }
    report
}

fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Run `work` over `0..n` on up to `threads` threads; results in index order.
fn parallel_map<T: Send>(n: usize, threads: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        return (0..n).map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let chunks: Vec<Vec<(usize, T)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        done.push((i, work(i)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    for (i, t) in chunks.into_iter().flatten() {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(t);
        }
    }
    slots.into_iter().flatten().collect()
}

/// Check a batch of files: each file (in parallel, output in input order), then the inflated
/// members (scanned ones, or all with `verify_hashes`) of all files together, then the batch
/// rules across them.
pub fn check_files(paths: &[PathBuf], opts: &CheckOptions) -> Report {
    let threads = threads();
    let results = parallel_map(paths.len(), threads, |i| check_file_inner(&paths[i], opts));
    let (mut files, plans): (Vec<FileReport>, Vec<Option<VerifyPlan>>) =
        results.into_iter().unzip();
    let index: Vec<usize> = plans
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().map(|_| i))
        .collect();
    let plans: Vec<VerifyPlan> = plans.into_iter().flatten().collect();
    let found = verify_plans(&plans, opts.verify_hashes, threads);
    for (i, f) in index.into_iter().zip(found) {
        if let Some(r) = files.get_mut(i) {
            r.findings.extend(f);
        }
    }
    if !opts.digests {
        hash_size_collisions(&mut files);
    }
    let batch = crate::batch::check_batch(&files, opts);
    let rst_renderer = opts
        .rst_renderer
        .as_ref()
        .map(|r| r.name())
        .unwrap_or_else(|| "native".to_string());
    Report {
        files,
        batch,
        rst_renderer,
    }
}

/// Without digests, the batch rules still need to know whether two files have the same content;
/// only files of equal size can, so hash just those.
fn hash_size_collisions(files: &mut [FileReport]) {
    let mut by_size: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for f in files.iter().filter(|f| f.unreadable().is_none()) {
        *by_size.entry(f.size).or_default() += 1;
    }
    for f in files.iter_mut() {
        if f.sha256.is_none()
            && f.unreadable().is_none()
            && by_size.get(&f.size).is_some_and(|n| *n > 1)
            && let Ok((sha, blake)) = digests(&f.path)
        {
            f.sha256 = Some(sha);
            f.blake2_256 = Some(blake);
        }
    }
}

/// One RECORD hash, decoded.
enum Expected {
    Sha256(Vec<u8>),
    Sha384(Vec<u8>),
    Sha512(Vec<u8>),
    /// md5/sha1 (weak) or an unknown algorithm: named, not verified.
    Other(String),
    Malformed(String),
}

fn parse_hash(h: &str) -> Expected {
    let Some((algo, digest)) = h.split_once('=') else {
        return Expected::Malformed(h.to_string());
    };
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(digest.trim_end_matches('='))
        .ok();
    match (algo, decoded) {
        ("sha256", Some(d)) if d.len() == 32 => Expected::Sha256(d),
        ("sha384", Some(d)) if d.len() == 48 => Expected::Sha384(d),
        ("sha512", Some(d)) if d.len() == 64 => Expected::Sha512(d),
        ("sha256" | "sha384" | "sha512", _) => Expected::Malformed(h.to_string()),
        (other, _) => Expected::Other(other.to_string()),
    }
}

enum Hasher {
    None,
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::None => {}
            Hasher::Sha256(h) => h.update(b),
            Hasher::Sha384(h) => h.update(b),
            Hasher::Sha512(h) => h.update(b),
        }
    }
    fn finish(self) -> Option<Vec<u8>> {
        match self {
            Hasher::None => None,
            Hasher::Sha256(h) => Some(h.finalize().to_vec()),
            Hasher::Sha384(h) => Some(h.finalize().to_vec()),
            Hasher::Sha512(h) => Some(h.finalize().to_vec()),
        }
    }
}

/// Inflate one member, streaming: CRC, size, RECORD hash, and PyPI's encrypted-code scan.
fn verify_member(
    src: &dyn ReadAt,
    plan: &VerifyPlan,
    entry: &CdEntry,
    record: Option<&RecordEntry>,
    buf: &mut [u8],
) -> Vec<Finding> {
    let file = plan.file.as_str();
    let mut out = Vec::new();
    let expected = record.and_then(|r| r.hash.as_deref()).map(parse_hash);
    let mut hasher = match &expected {
        Some(Expected::Sha256(_)) => Hasher::Sha256(Sha256::new()),
        Some(Expected::Sha384(_)) => Hasher::Sha384(Sha384::new()),
        Some(Expected::Sha512(_)) => Hasher::Sha512(Sha512::new()),
        _ => Hasher::None,
    };
    let scanned = archive::is_scanned(&entry.name);
    let mut scan = Vec::new();
    let mut crc = crc32fast::Hasher::new();
    let mut size: u64 = 0;
    let corrupt = |why: String| {
        let f = archive::MEMBER_CORRUPT
            .finding(file, "Invalid distribution file. None".to_string())
            .at(entry.name.clone())
            .hint(format!("{why}; the archive is damaged, rebuild it"));
        // Only the members PyPI reads (its scan reads every .py/.pye) make it refuse the file.
        if scanned { f } else { f.warning() }
    };
    let mut reader = match crate::zipfmt::member_reader(src, entry) {
        Ok(r) => r,
        Err(why) => {
            out.push(corrupt(why));
            return out;
        }
    };
    loop {
        match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                size += n as u64;
                crc.update(chunk);
                hasher.update(chunk);
                if scanned && (scan.len() as u64) < archive::SCAN_MAX_FILE_SIZE + 1 {
                    scan.extend_from_slice(chunk);
                }
                // A member inflating past its declared size is damaged (or a bomb).
                if size > entry.size {
                    out.push(corrupt(format!(
                        "{} inflates past its declared size of {} bytes",
                        entry.name, entry.size
                    )));
                    return out;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                out.push(corrupt(format!("Error -3 while decompressing data: {e}")));
                return out;
            }
        }
    }
    if size != entry.size || crc.finalize() != entry.crc32 {
        out.push(corrupt(format!(
            "Bad CRC-32 for file {}",
            crate::pep::py_repr(&entry.name)
        )));
        return out;
    }
    if scanned
        && size <= archive::SCAN_MAX_FILE_SIZE
        && let Some(msg) = archive::scan_for_encrypted(&scan)
    {
        out.push(archive::encrypted_finding(file, &entry.name, msg));
    }
    // What RECORD says without the content (algorithm, form, size) was judged in phase one.
    if let Some(Expected::Sha256(want) | Expected::Sha384(want) | Expected::Sha512(want)) = expected
        && hasher.finish().as_deref() != Some(want.as_slice())
    {
        out.push(
            archive::RECORD_HASH
                .finding(
                    file,
                    format!("RECORD hash does not match the content of {}", entry.name),
                )
                .at(entry.name.clone()),
        );
    }
    out
}

/// RECORD's rows judged against the zip directory alone, no member inflated: a weak, malformed
/// or missing hash, or a size other than the member's. Comparing hashes needs the content
/// (`verify_hashes`); a member whose content differs from its directory size fails its CRC.
fn record_rows(file: &str, dir: &ZipDir, record: &[RecordEntry]) -> Vec<Finding> {
    let rows: HashMap<String, &RecordEntry> = record
        .iter()
        .map(|r| (r.path.replace('\\', "/"), r))
        .collect();
    let mut out = Vec::new();
    for entry in dir.entries.iter().filter(|e| !e.is_dir()) {
        let Some(r) = rows.get(&entry.name) else {
            continue;
        };
        let at = |f: Finding| f.at(entry.name.clone());
        match r.hash.as_deref().map(parse_hash) {
            Some(Expected::Other(algo)) => out.push(at(archive::RECORD_WEAK_HASH.finding(
                file,
                format!(
                    "RECORD hashes {} with {algo}; the wheel spec requires sha256 or stronger",
                    entry.name
                ),
            ))),
            Some(Expected::Malformed(h)) => out.push(at(archive::RECORD_HASH.finding(
                file,
                format!(
                    "RECORD has a malformed hash for {}: {}",
                    entry.name,
                    crate::pep::py_repr(&h)
                ),
            ))),
            Some(_) => {}
            None => {
                if !entry.name.ends_with(".dist-info/RECORD")
                    && !entry.name.ends_with(".dist-info/RECORD.jws")
                    && !entry.name.ends_with(".dist-info/RECORD.p7s")
                {
                    out.push(at(archive::RECORD_HASH
                        .finding(file, format!("RECORD has no hash for {}", entry.name))));
                }
            }
        }
        if let Some(want) = r.size
            && want != entry.size
        {
            out.push(at(archive::RECORD_HASH.finding(
                file,
                format!(
                    "RECORD says {} is {want} bytes but it is {}",
                    entry.name, entry.size
                ),
            )));
        }
    }
    out
}

/// Phase two: inflate the members of every plan that PyPI's scan reads (with `all`, every
/// member) across `threads` threads, biggest first so one huge member does not finish last.
/// Findings come back per plan in member order.
fn verify_plans(plans: &[VerifyPlan], all: bool, threads: usize) -> Vec<Vec<Finding>> {
    let mut tasks: Vec<(usize, usize, u64)> = plans
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            p.dir
                .entries
                .iter()
                .enumerate()
                .filter(move |(_, e)| {
                    // Python's zipfile cannot read other methods; A004 already refuses them.
                    !e.is_dir()
                        && (e.method == 0 || e.method == 8)
                        && (all || archive::is_scanned(&e.name))
                })
                .map(move |(ei, e)| (pi, ei, e.compressed_size))
        })
        .collect();
    tasks.sort_by_key(|t| std::cmp::Reverse(t.2));
    let mut busy = vec![false; plans.len()];
    for t in &tasks {
        if let Some(b) = busy.get_mut(t.0) {
            *b = true;
        }
    }
    // Only files with something to inflate are opened again.
    let sources: Vec<Option<FileSource>> = plans
        .iter()
        .zip(&busy)
        .map(|(p, busy)| {
            if !busy {
                return None;
            }
            std::fs::File::open(&p.path)
                .ok()
                .and_then(|f| FileSource::new(f).ok())
        })
        .collect();
    let records: Vec<HashMap<String, &RecordEntry>> = plans
        .iter()
        .map(|p| {
            p.record
                .iter()
                .flatten()
                .map(|r| (r.path.replace('\\', "/"), r))
                .collect()
        })
        .collect();
    let per_task = parallel_map(tasks.len(), threads, |t| {
        let Some(&(pi, ei, _)) = tasks.get(t) else {
            return Vec::new();
        };
        let (Some(plan), Some(Some(src)), Some(entry)) = (
            plans.get(pi),
            sources.get(pi),
            plans.get(pi).and_then(|p| p.dir.entries.get(ei)),
        ) else {
            return Vec::new();
        };
        // RECORD's hashes are compared only when asked (PyPI never compares them).
        let record = if all && plan.wheel && plan.record.is_some() {
            records.get(pi).and_then(|m| m.get(&entry.name)).copied()
        } else {
            None
        };
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 256 * 1024]);
        }
        BUF.with(|b| {
            let mut b = b.borrow_mut();
            verify_member(src, plan, entry, record, &mut b)
        })
    });
    let mut out: Vec<Vec<(usize, Finding)>> = plans.iter().map(|_| Vec::new()).collect();
    for (t, findings) in per_task.into_iter().enumerate() {
        if let Some(&(pi, ei, _)) = tasks.get(t)
            && let Some(v) = out.get_mut(pi)
        {
            v.extend(findings.into_iter().map(|f| (ei, f)));
        }
    }
    for (pi, plan) in plans.iter().enumerate() {
        if sources.get(pi).is_some_and(Option::is_none)
            && busy.get(pi).copied().unwrap_or(false)
            && let Some(v) = out.get_mut(pi)
        {
            v.push((
                0,
                FILE_UNREADABLE.finding(
                    plan.file.clone(),
                    format!("cannot reopen {} to read its members", plan.path.display()),
                ),
            ));
        }
    }
    out.into_iter()
        .map(|mut v| {
            v.sort_by_key(|(ei, _)| *ei);
            v.into_iter().map(|(_, f)| f).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest buffer is sized to the file: sizes around its edges hash like a one-shot hash.
    #[test]
    fn digests_match_one_shot_hashes_at_buffer_edges() {
        let dir = tempfile::tempdir().unwrap();
        for len in [
            0usize,
            1,
            4095,
            4096,
            4097,
            (1 << 20) - 1,
            1 << 20,
            (1 << 20) + 1,
            (3 << 20) + 7,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &bytes).unwrap();
            let (sha, blake) = digests(&path).unwrap();
            assert_eq!(
                sha,
                hex::encode(Sha256::digest(&bytes)),
                "sha256 of {len} bytes"
            );
            assert_eq!(
                blake,
                hex::encode(Blake2b::<U32>::digest(&bytes)),
                "blake2b-256 of {len} bytes"
            );
        }
    }
}

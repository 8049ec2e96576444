//! The check engine: one file at a time (framing, filename, metadata, contents), then batch rules.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::description::RstRenderer;
use crate::filename::DistKind;
use crate::finding::{Finding, Severity};
use crate::metadata::RawMetadata;

/// PyPI's default per-file upload limit.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

#[derive(Clone)]
pub struct CheckOptions {
    /// Per-file size limit in bytes (PyPI: 100 MiB unless the project has a raised limit).
    pub max_file_size: u64,
    /// Also inflate every member and check it against RECORD's hash and size.
    pub verify_hashes: bool,
    /// An external reStructuredText renderer (readme-renderer) to agree with PyPI exactly;
    /// the native checker is used when this is `None`.
    pub rst_renderer: Option<Arc<dyn RstRenderer + Send + Sync>>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            verify_hashes: false,
            rst_renderer: None,
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

/// Check one file.
pub fn check_file(path: &Path, _opts: &CheckOptions) -> FileReport {
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
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

/// Check a batch of files: each file, then the batch rules across them.
pub fn check_files(paths: &[PathBuf], opts: &CheckOptions) -> Report {
    let files: Vec<FileReport> = paths.iter().map(|p| check_file(p, opts)).collect();
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

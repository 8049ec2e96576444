//! The on-disk store: a plain directory a person can read.
//!
//! ```text
//! ROOT/<normalized-project>/<filename>            the distribution file
//! ROOT/<normalized-project>/<filename>.metadata   its core metadata (PEP 658), when it has one
//! ROOT/<normalized-project>/<filename>.json       the sidecar: digests, upload time, yanked, ...
//! ROOT/.incoming/                                 uploads being received (cleared on start)
//! ```
//!
//! The sidecar is written last and is the commit point: a file without a sidecar is not served.
//! Every write goes to a temporary file in the same directory, is fsynced, then renamed, so a
//! crash or a dropped connection never leaves a partial file behind a sidecar.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use shipwheel_dist::RawMetadata;
use shipwheel_dist::pep::{Version, normalize_name};

/// Directory (under the root) where uploads are streamed before they are judged.
pub const INCOMING_DIR: &str = ".incoming";
const SIDECAR_EXT: &str = ".json";
const METADATA_EXT: &str = ".metadata";
const TMP_PREFIX: &str = ".tmp-";

/// Cached listings are only trusted when the directory was last changed this long before the
/// listing was read: file times are coarse, so a change in the same tick would go unnoticed.
const RACY_WINDOW: Duration = Duration::from_secs(2);

/// The sidecar stored next to every distribution file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub filename: String,
    /// The project name as uploaded (not normalised).
    pub name: String,
    pub version: String,
    /// `bdist_wheel` or `sdist`, as PyPI's JSON API names it.
    pub packagetype: String,
    /// The upload form's `pyversion` (`source` for an sdist).
    pub python_version: String,
    pub size: u64,
    pub sha256: String,
    pub blake2_256: String,
    pub md5: String,
    /// RFC 3339, UTC, microseconds (`2026-01-02T03:04:05.123456Z`).
    pub upload_time: String,
    #[serde(default)]
    pub requires_python: Option<String>,
    /// sha256 of the stored `.metadata` file; `None` when the file has no readable metadata.
    #[serde(default)]
    pub metadata_sha256: Option<String>,
    #[serde(default)]
    pub yanked: bool,
    #[serde(default)]
    pub yanked_reason: Option<String>,
}

impl FileRecord {
    pub fn is_sdist(&self) -> bool {
        self.packagetype == "sdist"
    }
}

/// One stored file with its parsed metadata (for the JSON API).
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub record: FileRecord,
    pub metadata: Option<Arc<RawMetadata>>,
    /// The parsed version, for ordering (`None` when it does not parse).
    pub parsed_version: Option<Version>,
}

/// A project as the store has it: files ordered by version, then filename.
#[derive(Clone, Debug)]
pub struct Project {
    /// Normalised name (the directory name).
    pub normalized: String,
    /// The name as the newest upload gave it.
    pub display_name: String,
    pub files: Vec<StoredFile>,
}

impl Project {
    /// Distinct versions, oldest first.
    pub fn versions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.files {
            if !out.contains(&f.record.version.as_str()) {
                out.push(f.record.version.as_str());
            }
        }
        out
    }

    /// The files of one version (PEP 440 equality, so `1.0` finds `1.0.0`).
    pub fn files_of(&self, version: &str) -> Vec<&StoredFile> {
        let wanted = version.parse::<Version>().ok();
        self.files
            .iter()
            .filter(|f| match (&wanted, &f.parsed_version) {
                (Some(w), Some(v)) => w == v,
                _ => f.record.version == version,
            })
            .collect()
    }

    /// The version PyPI's JSON API reports as current: the newest version that has a file that
    /// is not yanked, preferring final releases over pre-releases; the newest of all otherwise.
    pub fn latest_version(&self) -> Option<&str> {
        let candidates = |final_only: bool| {
            self.files
                .iter()
                .filter(|f| !f.record.yanked)
                .filter(|f| {
                    !final_only
                        || f.parsed_version
                            .as_ref()
                            .is_some_and(|v| !v.any_prerelease())
                })
                .max_by(|a, b| compare_versions(a, b))
                .map(|f| f.record.version.as_str())
        };
        candidates(true)
            .or_else(|| candidates(false))
            .or_else(|| self.files.last().map(|f| f.record.version.as_str()))
    }
}

fn compare_versions(a: &StoredFile, b: &StoredFile) -> std::cmp::Ordering {
    match (&a.parsed_version, &b.parsed_version) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (None, None) => a.record.version.cmp(&b.record.version),
    }
    .then_with(|| a.record.filename.cmp(&b.record.filename))
}

/// What committing an upload did.
#[derive(Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    Stored,
    /// The same filename with the same bytes is already stored (PyPI answers 200).
    Identical,
    /// The filename exists with other bytes, or these bytes exist under another filename.
    Exists,
    /// The release already has an sdist.
    SdistExists,
}

/// A file ready to be committed: already received, hashed and judged.
pub struct PendingFile<'a> {
    /// The received file (inside `ROOT/.incoming`).
    pub path: &'a Path,
    pub record: FileRecord,
    pub metadata: Option<Vec<u8>>,
}

struct CachedProject {
    mtime: SystemTime,
    loaded_at: SystemTime,
    project: Option<Arc<Project>>,
}

/// The store. Cheap to share behind an `Arc`.
pub struct Store {
    root: PathBuf,
    cache: Mutex<HashMap<String, CachedProject>>,
    /// Serialises the check-then-rename step of commits (receiving runs concurrently).
    commit_lock: Mutex<()>,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name for a temporary file that no other writer (thread or process) uses.
pub fn unique_tmp_name(hint: &str) -> String {
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{TMP_PREFIX}{}-{n}-{nanos}-{hint}", std::process::id())
}

impl Store {
    /// Open (creating if needed) the store at `root`, and clear what an interrupted run left
    /// behind: received-but-uncommitted uploads and temporary files.
    pub fn open(root: &Path) -> io::Result<Store> {
        fs::create_dir_all(root)?;
        let incoming = root.join(INCOMING_DIR);
        if incoming.exists() {
            fs::remove_dir_all(&incoming)?;
        }
        fs::create_dir_all(&incoming)?;
        for entry in fs::read_dir(root)? {
            let entry = entry?;
            if !entry.file_type()?.is_dir() || is_hidden(&entry.file_name()) {
                continue;
            }
            for inner in fs::read_dir(entry.path())? {
                let inner = inner?;
                if inner.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    let _ = fs::remove_file(inner.path());
                }
            }
        }
        Ok(Store {
            root: root.to_path_buf(),
            cache: Mutex::new(HashMap::new()),
            commit_lock: Mutex::new(()),
        })
    }

    /// Open a store for an offline edit (yank) without clearing uploads in flight.
    pub fn open_existing(root: &Path) -> io::Result<Store> {
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(Store {
            root: root.to_path_buf(),
            cache: Mutex::new(HashMap::new()),
            commit_lock: Mutex::new(()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn incoming_dir(&self) -> PathBuf {
        self.root.join(INCOMING_DIR)
    }

    /// Normalised names of every project with at least one committed file, sorted.
    pub fn project_names(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name();
            if is_hidden(&name) || !entry.file_type()?.is_dir() {
                continue;
            }
            // Only projects with a committed file (a crash can leave an empty directory).
            if let Some(name) = name.to_str()
                && self.project(name)?.is_some()
            {
                out.push(name.to_string());
            }
        }
        out.sort();
        Ok(out)
    }

    /// The project with this normalised name, or `None` when nothing is stored for it.
    pub fn project(&self, normalized: &str) -> io::Result<Option<Arc<Project>>> {
        if !is_safe_component(normalized) {
            return Ok(None);
        }
        let dir = self.root.join(normalized);
        let mtime = match fs::metadata(&dir) {
            Ok(m) => m.modified()?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        if let Ok(cache) = self.cache.lock()
            && let Some(c) = cache.get(normalized)
            && c.mtime == mtime
            && c.loaded_at
                .duration_since(mtime)
                .is_ok_and(|d| d > RACY_WINDOW)
        {
            return Ok(c.project.clone());
        }
        let loaded_at = SystemTime::now();
        let project = load_project(&dir, normalized)?.map(Arc::new);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(
                normalized.to_string(),
                CachedProject {
                    mtime,
                    loaded_at,
                    project: project.clone(),
                },
            );
        }
        Ok(project)
    }

    /// Path of a stored file (or its `.metadata`), when the names are safe.
    pub fn file_path(&self, normalized: &str, filename: &str) -> Option<PathBuf> {
        if is_safe_component(normalized) && is_safe_component(filename) {
            Some(self.root.join(normalized).join(filename))
        } else {
            None
        }
    }

    /// Commit a received file: refuse a clash with what is stored, else move it into place
    /// (file, then `.metadata`, then the sidecar, each atomically).
    pub fn commit(&self, pending: PendingFile<'_>) -> io::Result<CommitOutcome> {
        let record = &pending.record;
        let normalized = normalize_name(&record.name);
        if !is_safe_component(&normalized) || !is_safe_component(&record.filename) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "unsafe project or file name",
            ));
        }
        let _guard = self
            .commit_lock
            .lock()
            .map_err(|_| io::Error::other("store lock poisoned"))?;
        let dir = self.root.join(&normalized);
        fs::create_dir_all(&dir)?;
        let existing = load_project(&dir, &normalized)?;
        if let Some(project) = &existing {
            if let Some(same) = project
                .files
                .iter()
                .find(|f| f.record.filename == record.filename)
            {
                return Ok(
                    if same.record.sha256 == record.sha256
                        && same.record.blake2_256 == record.blake2_256
                    {
                        CommitOutcome::Identical
                    } else {
                        CommitOutcome::Exists
                    },
                );
            }
            if project
                .files
                .iter()
                .any(|f| f.record.blake2_256 == record.blake2_256)
            {
                return Ok(CommitOutcome::Exists);
            }
            if record.is_sdist()
                && project
                    .files_of(&record.version)
                    .iter()
                    .any(|f| f.record.is_sdist())
            {
                return Ok(CommitOutcome::SdistExists);
            }
        }
        let target = dir.join(&record.filename);
        sync_file(pending.path)?;
        fs::rename(pending.path, &target)?;
        let metadata_name = format!("{}{METADATA_EXT}", record.filename);
        match &pending.metadata {
            Some(bytes) => write_atomic(&dir, &metadata_name, bytes)?,
            None => {
                let _ = fs::remove_file(dir.join(&metadata_name));
            }
        }
        let sidecar = serde_json::to_vec_pretty(record).map_err(io::Error::other)?;
        write_atomic(&dir, &format!("{}{SIDECAR_EXT}", record.filename), &sidecar)?;
        sync_dir(&dir)?;
        sync_dir(&self.root)?;
        self.forget(&normalized);
        Ok(CommitOutcome::Stored)
    }

    /// Mark every file of `version` yanked (with an optional reason) or not yanked. Returns the
    /// filenames changed; an empty list means the version has no files.
    pub fn set_yanked(
        &self,
        project: &str,
        version: &str,
        yanked: bool,
        reason: Option<&str>,
    ) -> io::Result<Vec<String>> {
        let normalized = normalize_name(project);
        if !is_safe_component(&normalized) {
            return Ok(Vec::new());
        }
        let _guard = self
            .commit_lock
            .lock()
            .map_err(|_| io::Error::other("store lock poisoned"))?;
        let dir = self.root.join(&normalized);
        let Some(project) = load_project(&dir, &normalized)? else {
            return Ok(Vec::new());
        };
        let mut changed = Vec::new();
        for file in project.files_of(version) {
            let mut record = file.record.clone();
            record.yanked = yanked;
            record.yanked_reason = if yanked {
                reason.map(str::to_string)
            } else {
                None
            };
            let sidecar = serde_json::to_vec_pretty(&record).map_err(io::Error::other)?;
            write_atomic(&dir, &format!("{}{SIDECAR_EXT}", record.filename), &sidecar)?;
            changed.push(record.filename);
        }
        sync_dir(&dir)?;
        self.forget(&normalized);
        Ok(changed)
    }

    fn forget(&self, normalized: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(normalized);
        }
    }
}

fn load_project(dir: &Path, normalized: &str) -> io::Result<Option<Project>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with(TMP_PREFIX) || !name.ends_with(SIDECAR_EXT) {
            continue;
        }
        let bytes = match fs::read(entry.path()) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let record: FileRecord = match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(err) => {
                tracing::warn!(
                    "skipping unreadable sidecar {}: {err}",
                    entry.path().display()
                );
                continue;
            }
        };
        // The sidecar names its file; both must be there for the file to be served.
        if format!("{}{SIDECAR_EXT}", record.filename) != name
            || !dir.join(&record.filename).is_file()
        {
            continue;
        }
        let metadata = if record.metadata_sha256.is_some() {
            fs::read(dir.join(format!("{}{METADATA_EXT}", record.filename)))
                .ok()
                .and_then(|b| RawMetadata::parse(&b).ok())
                .map(Arc::new)
        } else {
            None
        };
        let parsed_version = record.version.parse::<Version>().ok();
        files.push(StoredFile {
            record,
            metadata,
            parsed_version,
        });
    }
    if files.is_empty() {
        return Ok(None);
    }
    files.sort_by(compare_versions);
    let display_name = files
        .iter()
        .max_by(|a, b| a.record.upload_time.cmp(&b.record.upload_time))
        .map(|f| f.record.name.clone())
        .unwrap_or_else(|| normalized.to_string());
    Ok(Some(Project {
        normalized: normalized.to_string(),
        display_name,
        files,
    }))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// A single path component we are willing to join onto the root.
pub fn is_safe_component(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && !s.starts_with('.')
        && !s.contains(['/', '\\', '\0'])
        && !s.chars().any(char::is_control)
}

/// Write `bytes` to `dir/name` atomically: temporary file in `dir`, fsync, rename.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(unique_tmp_name(name));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join(name))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn sync_file(path: &Path) -> io::Result<()> {
    fs::OpenOptions::new().read(true).open(path)?.sync_all()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Directories can be opened read-only and fsynced on Unix; elsewhere this is best effort.
    match fs::File::open(dir) {
        Ok(f) => {
            let _ = f.sync_all();
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, version: &str, filename: &str, hash: &str) -> FileRecord {
        FileRecord {
            filename: filename.into(),
            name: name.into(),
            version: version.into(),
            packagetype: if filename.ends_with(".whl") {
                "bdist_wheel".into()
            } else {
                "sdist".into()
            },
            python_version: "py3".into(),
            size: 3,
            sha256: hash.into(),
            blake2_256: hash.into(),
            md5: hash.into(),
            upload_time: "2026-01-01T00:00:00.000000Z".into(),
            requires_python: None,
            metadata_sha256: None,
            yanked: false,
            yanked_reason: None,
        }
    }

    fn commit(store: &Store, rec: FileRecord, body: &[u8]) -> CommitOutcome {
        let path = store.incoming_dir().join(unique_tmp_name("x"));
        fs::write(&path, body).unwrap();
        store
            .commit(PendingFile {
                path: &path,
                record: rec,
                metadata: None,
            })
            .unwrap()
    }

    #[test]
    fn commit_detects_identical_conflicting_and_second_sdist() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let r = record("Foo_Bar", "1.0", "foo_bar-1.0.tar.gz", "aa");
        assert_eq!(commit(&store, r.clone(), b"abc"), CommitOutcome::Stored);
        assert_eq!(commit(&store, r.clone(), b"abc"), CommitOutcome::Identical);
        let other = record("Foo_Bar", "1.0", "foo_bar-1.0.tar.gz", "bb");
        assert_eq!(commit(&store, other, b"xyz"), CommitOutcome::Exists);
        let zip = record("Foo_Bar", "1.0.0", "foo_bar-1.0.0.zip", "cc");
        assert_eq!(commit(&store, zip, b"zip"), CommitOutcome::SdistExists);
        let same_bytes = record("Foo_Bar", "2.0", "foo_bar-2.0.tar.gz", "aa");
        assert_eq!(commit(&store, same_bytes, b"abc"), CommitOutcome::Exists);
        let p = store.project("foo-bar").unwrap().unwrap();
        assert_eq!(p.files.len(), 1);
        assert_eq!(p.display_name, "Foo_Bar");
        assert_eq!(
            fs::read(dir.path().join("foo-bar/foo_bar-1.0.tar.gz")).unwrap(),
            b"abc"
        );
    }

    #[test]
    fn yank_and_reopen_keeps_state_and_drops_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        commit(
            &store,
            record("p", "1.0", "p-1.0-py3-none-any.whl", "a1"),
            b"1",
        );
        commit(
            &store,
            record("p", "2.0rc1", "p-2.0rc1-py3-none-any.whl", "a2"),
            b"2",
        );
        let changed = store
            .set_yanked("P", "1.0.0", true, Some("broken"))
            .unwrap();
        assert_eq!(changed, vec!["p-1.0-py3-none-any.whl".to_string()]);
        // A leftover upload and a file without a sidecar are not served after a restart.
        fs::write(store.incoming_dir().join("half.whl"), b"half").unwrap();
        fs::write(dir.path().join("p/p-3.0-py3-none-any.whl"), b"no sidecar").unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert!(!store.incoming_dir().join("half.whl").exists());
        let p = store.project("p").unwrap().unwrap();
        assert_eq!(p.versions(), vec!["1.0", "2.0rc1"]);
        assert!(p.files[0].record.yanked);
        assert_eq!(p.files[0].record.yanked_reason.as_deref(), Some("broken"));
        // Only a yanked final and a pre-release: the pre-release is current.
        assert_eq!(p.latest_version(), Some("2.0rc1"));
        assert!(store.project("nope").unwrap().is_none());
        fs::create_dir(dir.path().join("ghost")).unwrap();
        assert_eq!(store.project_names().unwrap(), vec!["p".to_string()]);
        assert!(store.project("..").unwrap().is_none());
    }
}

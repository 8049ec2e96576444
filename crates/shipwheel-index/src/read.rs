//! Reading an index: which files a project has, with their hashes.

/// One file an index lists for a project.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RemoteFile {
    pub filename: String,
    /// Absolute download URL (fragment removed).
    pub url: String,
    /// Lowercase hex sha256, when the index gives one.
    pub sha256: Option<String>,
    pub size: Option<u64>,
    /// RFC 3339 upload time, when the index gives one (PEP 700 / JSON API).
    pub upload_time: Option<String>,
    pub yanked: bool,
    /// The version, parsed from the filename (or given by the JSON API).
    pub version: Option<String>,
}

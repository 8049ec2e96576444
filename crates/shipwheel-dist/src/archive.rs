//! archive rules.

use crate::finding::Rule;

/// The rules this module owns.
pub const RULES: &[Rule] = &[];

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

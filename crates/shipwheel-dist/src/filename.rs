//! Distribution filenames: wheel (PEP 427/491) and sdist (PEP 625) naming, tags, platform rules.

use crate::finding::Rule;

/// The rules this module owns.
pub const RULES: &[Rule] = &[];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DistKind {
    Wheel,
    Sdist,
}

/// A parsed distribution filename.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DistFilename {
    Wheel(WheelFilename),
    Sdist(SdistFilename),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WheelFilename {
    pub name: String,
    pub version: String,
    pub build: Option<String>,
    pub python_tags: Vec<String>,
    pub abi_tags: Vec<String>,
    pub platform_tags: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdistFilename {
    pub name: String,
    pub version: String,
    /// `.tar.gz` or `.zip`.
    pub extension: String,
}

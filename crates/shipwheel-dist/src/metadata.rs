//! Core metadata (METADATA / PKG-INFO): parsing into raw headers, and the metadata rules.

use crate::filename::{DistFilename, DistKind};
use crate::finding::{Finding, Rule};

/// The rules this module owns.
pub const RULES: &[Rule] = &[];

/// Core metadata as the upload form will carry it: headers in file order, plus the body
/// (the long description when it is not given as a `Description` header).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RawMetadata {
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("metadata is not valid UTF-8")]
    NotUtf8,
    #[error("metadata headers cannot be parsed: {0}")]
    Headers(String),
}

impl RawMetadata {
    /// Parse RFC 822-style core metadata.
    pub fn parse(bytes: &[u8]) -> Result<Self, MetadataError> {
        let text = std::str::from_utf8(bytes).map_err(|_| MetadataError::NotUtf8)?;
        let (headers, body_start) = mailparse::parse_headers(text.as_bytes())
            .map_err(|e| MetadataError::Headers(e.to_string()))?;
        let headers = headers
            .iter()
            .map(|h| (h.get_key(), h.get_value()))
            .collect();
        let body = text
            .get(body_start..)
            .filter(|b| !b.trim().is_empty())
            .map(str::to_string);
        Ok(RawMetadata { headers, body })
    }

    /// The first value of a header (case-insensitive name).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a multiple-use header, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The long description: the body, else the `Description` header.
    pub fn description(&self) -> Option<&str> {
        self.body.as_deref().or_else(|| self.get("Description"))
    }
}

/// What the metadata rules may know about the file the metadata came from.
#[derive(Clone, Copy, Debug)]
pub struct DistContext<'a> {
    /// The distribution file's name, for findings.
    pub file: &'a str,
    pub kind: DistKind,
    /// The parsed filename, when it parsed.
    pub filename: Option<&'a DistFilename>,
    /// Every member path in the archive (for License-File presence and similar rules).
    pub members: &'a [crate::archive::Member],
}

/// Judge core metadata the way PyPI's upload form does.
pub fn check_metadata(_meta: &RawMetadata, _ctx: &DistContext<'_>) -> Vec<Finding> {
    Vec::new()
}

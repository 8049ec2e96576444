//! Core metadata (METADATA / PKG-INFO): parsing into raw headers, and the metadata rules.
//!
//! Parsing mirrors what twine sends to PyPI: Python's `email` parser (compat32 policy) read by
//! `packaging.metadata.parse_email`. Folded header values keep their line breaks and
//! indentation (PyPI sees them verbatim), the body after the first blank line is the long
//! description, and a value that is not UTF-8 is kept (lossily) but marked as malformed.
//!
//! The rules follow packaging 26.2 (what PyPI runs) first, then Warehouse's own checks. A field
//! whose stripped value is exactly `UNKNOWN` is dropped before validation, as PyPI does.

use crate::filename::{DistFilename, DistKind};
use crate::finding::{Finding, Rule, Severity};

pub mod pyfmt;

use pyfmt::repr;

pub const M001: Rule = Rule {
    id: "M001",
    name: "metadata-malformed",
    severity: Severity::Error,
    summary: "A metadata field cannot be parsed: not UTF-8, a single-use field repeated, \
              Keywords repeated, duplicate Project-URL labels, or Description as both header and body",
    hint: "Rebuild with a current build backend; each single-use field must appear once and be UTF-8",
};
pub const M002: Rule = Rule {
    id: "M002",
    name: "metadata-unknown-field",
    severity: Severity::Warning,
    summary: "A header that is not a core-metadata field (PyPI ignores it; twine refuses the file)",
    hint: "Remove the header, or rebuild with a current build backend",
};
pub const M003: Rule = Rule {
    id: "M003",
    name: "metadata-version",
    severity: Severity::Error,
    summary: "Metadata-Version is missing or not one PyPI accepts (1.0, 1.1, 1.2, 2.1-2.5)",
    hint: "Rebuild with a build backend that writes Metadata-Version 2.1 to 2.5",
};
pub const M004: Rule = Rule {
    id: "M004",
    name: "metadata-field-too-new",
    severity: Severity::Error,
    summary: "A field newer than the declared Metadata-Version",
    hint: "Raise Metadata-Version (a current build backend does it) or drop the field",
};
pub const M005: Rule = Rule {
    id: "M005",
    name: "metadata-name",
    severity: Severity::Error,
    summary: "Name is missing or not a valid project name (PEP 508 / PEP 503)",
    hint: "Use letters, digits, '.', '_' and '-' only, starting and ending with a letter or digit",
};
pub const M006: Rule = Rule {
    id: "M006",
    name: "metadata-version-invalid",
    severity: Severity::Error,
    summary: "Version is missing or not a valid PEP 440 version",
    hint: "Use a PEP 440 version such as 1.2.0, 1.2.0rc1 or 1.2.0.post1",
};
pub const M007: Rule = Rule {
    id: "M007",
    name: "local-version",
    severity: Severity::Error,
    summary: "Version has a local segment (+...), which PyPI refuses",
    hint: "Build from a clean tagged commit so the version has no '+local' part",
};
pub const M008: Rule = Rule {
    id: "M008",
    name: "version-not-normalized",
    severity: Severity::Warning,
    summary: "Version is not written in its PEP 440 normalized form",
    hint: "Write the version in normalized form",
};
pub const M009: Rule = Rule {
    id: "M009",
    name: "summary",
    severity: Severity::Error,
    summary: "Summary has a line break or is longer than 512 characters",
    hint: "Make the summary one short line (512 characters at most)",
};
pub const M010: Rule = Rule {
    id: "M010",
    name: "description-content-type",
    severity: Severity::Error,
    summary: "Description-Content-Type is not text/plain, text/x-rst or text/markdown, has a \
              charset other than UTF-8, or an unknown Markdown variant",
    hint: "Use text/markdown, text/x-rst or text/plain (charset=UTF-8, variant=GFM or CommonMark)",
};
pub const M011: Rule = Rule {
    id: "M011",
    name: "dynamic",
    severity: Severity::Error,
    summary: "Dynamic names Name, Version or Metadata-Version, or a field that does not exist",
    hint: "List only real core-metadata fields other than Name, Version and Metadata-Version",
};
pub const M012: Rule = Rule {
    id: "M012",
    name: "provides-extra",
    severity: Severity::Error,
    summary: "Provides-Extra is not a valid name (warning: not normalized at 2.3+, or duplicated)",
    hint: "Use normalized extra names: lowercase letters, digits and single '-'",
};
pub const M013: Rule = Rule {
    id: "M013",
    name: "requires-python",
    severity: Severity::Error,
    summary: "Requires-Python is not a valid PEP 440 specifier set",
    hint: "Write it like `>=3.9` or `>=3.9,<4`",
};
pub const M014: Rule = Rule {
    id: "M014",
    name: "requires-dist",
    severity: Severity::Error,
    summary: "Requires-Dist is not a valid PEP 508 requirement",
    hint: "Write requirements like `name[extra]>=1.0; python_version >= \"3.9\"`",
};
pub const M015: Rule = Rule {
    id: "M015",
    name: "direct-url-dependency",
    severity: Severity::Error,
    summary: "Requires-Dist, Provides-Dist or Obsoletes-Dist uses a direct URL (`name @ url`), \
              or Provides-Dist/Obsoletes-Dist is not a valid requirement",
    hint: "PyPI refuses `name @ url` dependencies: publish the dependency to an index and \
           depend on it by name and version",
};
pub const M016: Rule = Rule {
    id: "M016",
    name: "undeclared-extra",
    severity: Severity::Warning,
    summary: "A Requires-Dist marker tests an extra that Provides-Extra does not declare",
    hint: "Declare the extra (optional-dependencies) or fix the marker",
};
pub const M017: Rule = Rule {
    id: "M017",
    name: "license-and-expression",
    severity: Severity::Error,
    summary: "License and License-Expression are both present",
    hint: "Keep only License-Expression (remove the `license = {text = ...}` / License field)",
};
pub const M018: Rule = Rule {
    id: "M018",
    name: "license-file-path",
    severity: Severity::Error,
    summary: "A License-File path is absolute, has '..' or '*', or uses '\\'",
    hint: "License-File paths are relative, resolved and '/'-separated",
};
pub const M019: Rule = Rule {
    id: "M019",
    name: "license-file-missing",
    severity: Severity::Error,
    summary: "A License-File is not in the archive where PyPI looks for it",
    hint: "Include the file (wheels: under .dist-info/licenses/; sdists: under the top directory)",
};
pub const M020: Rule = Rule {
    id: "M020",
    name: "email",
    severity: Severity::Error,
    summary: "Author-email or Maintainer-email is not a valid e-mail address",
    hint: "Write `Name <user@example.org>` or a plain address with a real domain",
};
pub const M021: Rule = Rule {
    id: "M021",
    name: "url",
    severity: Severity::Error,
    summary: "Home-page or Download-URL is not a valid http(s) URL",
    hint: "Use a full http:// or https:// URL",
};
pub const M022: Rule = Rule {
    id: "M022",
    name: "project-url",
    severity: Severity::Error,
    summary: "Project-URL has no label, a label over 32 characters, or no valid http(s) URL",
    hint: "Write `Label, https://...` with a label of at most 32 characters",
};
pub const M023: Rule = Rule {
    id: "M023",
    name: "import-name",
    severity: Severity::Error,
    summary: "Import-Name/Import-Namespace is not a dotted identifier (with an optional `; private`)",
    hint: "Use dotted Python identifiers that are not keywords",
};
pub const M024: Rule = Rule {
    id: "M024",
    name: "deprecated-field",
    severity: Severity::Warning,
    summary: "A deprecated field is used (Home-page, Download-URL, Requires, Provides, \
              Obsoletes, or License at Metadata-Version 2.4+)",
    hint: "Use Project-URL, Requires-Dist, Provides-Dist, Obsoletes-Dist or License-Expression",
};
pub const M025: Rule = Rule {
    id: "M025",
    name: "entry-points",
    severity: Severity::Error,
    summary: "entry_points.txt is not valid INI, or a console/gui script name is not [\\w.-]+",
    hint: "Use `[section]` headers, one `name = module:attr` per line, no duplicates",
};

/// The rules this module owns.
pub const RULES: &[Rule] = &[
    M001, M002, M003, M004, M005, M006, M007, M008, M009, M010, M011, M012, M013, M014, M015, M016,
    M017, M018, M019, M020, M021, M022, M023, M024, M025,
];

/// Core metadata as the upload form will carry it: headers in file order, plus the body
/// (the long description when it is not given as a `Description` header).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RawMetadata {
    /// `(name as written, value)`; folded values keep their line breaks and indentation.
    pub headers: Vec<(String, String)>,
    /// Everything after the first blank line, verbatim (`None` when empty).
    pub body: Option<String>,
    /// Lowercased names of headers whose value is not UTF-8 (`description` for the body);
    /// their values above are decoded lossily.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_utf8: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("metadata is not valid UTF-8")]
    NotUtf8,
    #[error("metadata headers cannot be parsed: {0}")]
    Headers(String),
}

/// Split into lines, each with its terminator (`\r\n`, `\r` or `\n`), like Python's parser.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&bytes[start..=i]);
                start = i + 1;
            }
            b'\r' => {
                let end = if bytes.get(i + 1) == Some(&b'\n') {
                    i + 1
                } else {
                    i
                };
                lines.push(&bytes[start..=end]);
                i = end;
                start = end + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(&bytes[start..]);
    }
    lines
}

fn strip_eol(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &line[..end]
}

impl RawMetadata {
    /// Parse RFC 822-style core metadata the way Python's `email` parser (compat32) does.
    ///
    /// This never fails: problems (non-UTF-8 values, lines that end the headers early) are
    /// kept in the result so the rules can report them with PyPI's wording.
    pub fn parse(bytes: &[u8]) -> Result<Self, MetadataError> {
        let lines = split_lines(bytes);
        let mut raw_headers: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut body_start = bytes.len();
        let mut offset = 0;
        for (index, line) in lines.iter().enumerate() {
            let content = strip_eol(line);
            if content.is_empty() {
                // The blank line that ends the headers.
                body_start = offset + line.len();
                break;
            }
            if matches!(content[0], b' ' | b'\t') {
                // A continuation line: kept verbatim, terminator included.
                if let Some((_, value)) = raw_headers.last_mut() {
                    value.extend_from_slice(line);
                }
                offset += line.len();
                continue;
            }
            if content.starts_with(b"From ") {
                // A Unix "From " line: never a header.
                offset += line.len();
                continue;
            }
            let colon = content.iter().position(|&b| b == b':');
            let name_ok = colon.is_some_and(|c| {
                content[..c]
                    .iter()
                    .all(|&b| (0x21..=0x7e).contains(&b) && b != b':')
            });
            match colon {
                Some(0) => {
                    // Python drops a header line with an empty name.
                }
                Some(c) if name_ok => {
                    let name = content[..c].to_vec();
                    let rest = &line[c + 1..];
                    let skip = rest
                        .iter()
                        .position(|&b| b != b' ' && b != b'\t')
                        .unwrap_or(rest.len());
                    raw_headers.push((name, rest[skip..].to_vec()));
                }
                _ => {
                    // Not a header line: Python treats it as the start of the body.
                    body_start = offset;
                    break;
                }
            }
            offset += line.len();
            if index + 1 == lines.len() {
                body_start = bytes.len();
            }
        }

        let mut invalid_utf8 = Vec::new();
        let mut headers = Vec::with_capacity(raw_headers.len());
        for (name, value) in raw_headers {
            let name = String::from_utf8_lossy(&name).into_owned();
            let value = strip_eol(&value);
            let value = match std::str::from_utf8(value) {
                Ok(v) => v.to_string(),
                Err(_) => {
                    let key = name.to_ascii_lowercase();
                    if !invalid_utf8.contains(&key) {
                        invalid_utf8.push(key);
                    }
                    String::from_utf8_lossy(value).into_owned()
                }
            };
            headers.push((name, value));
        }
        let body_bytes = bytes.get(body_start..).unwrap_or_default();
        let body = if body_bytes.is_empty() {
            None
        } else {
            match std::str::from_utf8(body_bytes) {
                Ok(b) => Some(b.to_string()),
                Err(_) => {
                    invalid_utf8.push("description".to_string());
                    Some(String::from_utf8_lossy(body_bytes).into_owned())
                }
            }
        };
        Ok(RawMetadata {
            headers,
            body,
            invalid_utf8,
        })
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

    /// A single-use field as PyPI sees it: absent when its stripped value is `UNKNOWN`, or
    /// empty (Warehouse drops a form field whose only value is the empty string).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !is_unknown(v) && !v.is_empty())
    }

    /// A multiple-use field as PyPI sees it (values that are exactly `UNKNOWN` dropped; a lone
    /// empty value is dropped like a missing field).
    pub fn fields<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let lone_empty = {
            let mut all = self.get_all(name);
            matches!((all.next(), all.next()), (Some(""), None))
        };
        self.get_all(name)
            .filter(move |v| !lone_empty && !is_unknown(v))
    }
}

/// PyPI deletes form values whose stripped text is exactly `UNKNOWN` (old setuptools wrote it).
fn is_unknown(v: &str) -> bool {
    v.trim() == "UNKNOWN"
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Single,
    Multi,
    Keywords,
    ProjectUrl,
}

/// Every core-metadata field packaging knows: lowercase name, version added, kind.
const FIELDS: &[(&str, &str, Kind)] = &[
    ("metadata-version", "1.0", Kind::Single),
    ("name", "1.0", Kind::Single),
    ("version", "1.0", Kind::Single),
    ("dynamic", "2.2", Kind::Multi),
    ("platform", "1.0", Kind::Multi),
    ("supported-platform", "1.1", Kind::Multi),
    ("summary", "1.0", Kind::Single),
    ("description", "1.0", Kind::Single),
    ("description-content-type", "2.1", Kind::Single),
    ("keywords", "1.0", Kind::Keywords),
    ("home-page", "1.0", Kind::Single),
    ("download-url", "1.1", Kind::Single),
    ("author", "1.0", Kind::Single),
    ("author-email", "1.0", Kind::Single),
    ("maintainer", "1.2", Kind::Single),
    ("maintainer-email", "1.2", Kind::Single),
    ("license", "1.0", Kind::Single),
    ("license-expression", "2.4", Kind::Single),
    ("license-file", "2.4", Kind::Multi),
    ("classifier", "1.1", Kind::Multi),
    ("requires-dist", "1.2", Kind::Multi),
    ("requires-python", "1.2", Kind::Single),
    ("requires-external", "1.2", Kind::Multi),
    ("project-url", "1.2", Kind::ProjectUrl),
    ("provides-extra", "2.1", Kind::Multi),
    ("provides-dist", "1.2", Kind::Multi),
    ("obsoletes-dist", "1.2", Kind::Multi),
    ("import-name", "2.5", Kind::Multi),
    ("import-namespace", "2.5", Kind::Multi),
    ("requires", "1.1", Kind::Multi),
    ("provides", "1.1", Kind::Multi),
    ("obsoletes", "1.1", Kind::Multi),
];

/// The Metadata-Version values PyPI accepts today (packaging 26.2; 2.0 never existed).
pub const SUPPORTED_METADATA_VERSIONS: &[&str] =
    &["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"];

fn field_info(name: &str) -> Option<(&'static str, Kind)> {
    FIELDS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, added, kind)| (*added, *kind))
}

fn version_rank(v: &str) -> Option<usize> {
    SUPPORTED_METADATA_VERSIONS.iter().position(|s| *s == v)
}

fn spec_message(msg: &str) -> String {
    let mut m = msg.to_string();
    if !m.ends_with('.') {
        m.push('.');
    }
    m
}

/// Judge core metadata the way PyPI's upload form does.
pub fn check_metadata(meta: &RawMetadata, ctx: &DistContext<'_>) -> Vec<Finding> {
    let file = ctx.file;
    let mut out = Vec::new();
    check_structure(meta, file, &mut out);

    let mv = meta.field("metadata-version");
    let mv_rank = mv.and_then(version_rank);
    check_metadata_version(meta, mv, mv_rank, file, &mut out);
    check_name(meta, file, &mut out);
    check_version(meta, file, &mut out);
    check_summary(meta, file, &mut out);
    check_content_type(meta, file, &mut out);
    check_dynamic(meta, file, &mut out);
    check_extras(meta, mv_rank, file, &mut out);
    check_requires(meta, mv_rank, file, &mut out);
    check_license_fields(meta, mv_rank, ctx, &mut out);
    check_emails(meta, file, &mut out);
    check_urls(meta, file, &mut out);
    check_import_names(meta, file, &mut out);
    check_deprecated(meta, mv_rank, file, &mut out);
    out.extend(crate::license::check_license(meta, file));
    out.extend(crate::classifiers::check_classifiers(meta, file));
    out
}

fn check_structure(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    for key in &meta.invalid_utf8 {
        out.push(
            M001.finding(file, format!("{} has invalid data", repr(key)))
                .at(key.clone())
                .hint("The value is not UTF-8 (twine: \"unrecognized or malformed field\"); rebuild with UTF-8 metadata"),
        );
    }
    // Sets, not lists: a hostile METADATA can carry tens of thousands of headers.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (name, _) in &meta.headers {
        let key = name.to_ascii_lowercase();
        if !seen.insert(key.clone()) {
            continue;
        }
        match field_info(&key) {
            None => out.push(
                M002.finding(file, format!("unrecognized field: {}", repr(&key)))
                    .at(name.clone()),
            ),
            Some((_, kind)) => {
                let count = meta.get_all(&key).count();
                if count > 1 && matches!(kind, Kind::Single | Kind::Keywords) {
                    out.push(
                        M001.finding(file, format!("{} has invalid data", repr(&key)))
                            .at(name.clone())
                            .hint(format!("{name} may appear only once")),
                    );
                }
                if kind == Kind::ProjectUrl {
                    let mut labels: std::collections::HashSet<&str> =
                        std::collections::HashSet::new();
                    for v in meta.get_all(&key) {
                        let label = v.split_once(',').map_or(v, |(l, _)| l).trim();
                        if !labels.insert(label) {
                            out.push(
                                M001.finding(file, format!("{} has invalid data", repr(&key)))
                                    .at(name.clone())
                                    .hint(format!(
                                        "Project-URL label {} appears twice; labels must be unique",
                                        repr(label)
                                    )),
                            );
                            break;
                        }
                    }
                }
            }
        }
    }
    if meta.body.is_some() && meta.get("description").is_some() {
        out.push(
            M001.finding(file, format!("{} has invalid data", repr("description")))
                .at("Description")
                .hint("The description is given both as a Description header and as the message body; keep one"),
        );
    }
}

fn check_metadata_version(
    meta: &RawMetadata,
    mv: Option<&str>,
    mv_rank: Option<usize>,
    file: &str,
    out: &mut Vec<Finding>,
) {
    let Some(rank) = mv_rank else {
        let shown = mv.map_or_else(|| "None".to_string(), repr);
        let mut f = M003
            .finding(
                file,
                spec_message(&format!("{shown} is not a valid metadata version")),
            )
            .at("Metadata-Version");
        if mv == Some("2.6") {
            f = f.hint(
                "PyPI (packaging 26.2) does not accept 2.6 yet; pin a build backend that writes 2.5",
            );
        }
        out.push(f);
        return;
    };
    let Some(mv) = mv else { return };
    // One pass over the headers (a hostile METADATA can have tens of thousands): the fields
    // that carry a value PyPI keeps, each reported once at its first header.
    let mut reported: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (name, value) in &meta.headers {
        // Values PyPI drops (UNKNOWN, a lone empty value) cannot be too new.
        if is_unknown(value) || value.is_empty() {
            continue;
        }
        let key = name.to_ascii_lowercase();
        if reported.contains(&key) {
            continue;
        }
        let Some((added, _)) = field_info(&key) else {
            continue;
        };
        let Some(added_rank) = version_rank(added) else {
            continue;
        };
        if added_rank > rank {
            reported.insert(key.clone());
            let msg = format!("{key} introduced in metadata version {added}, not {mv}");
            let mut f = M004.finding(file, spec_message(&msg)).at(name.clone());
            if key == "license-file" {
                // twine drops License-File below 2.4 (setuptools wrote it at 2.1).
                f = f.warning().hint(
                    "twine drops License-File below Metadata-Version 2.4, so PyPI never sees it; \
                     a current build backend writes 2.4",
                );
            }
            out.push(f);
        }
    }
}

/// PEP 508 / PyPI name regex: `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, ASCII, any case.
pub fn is_valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

fn check_name(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    match meta.field("name") {
        None | Some("") => out.push(
            M005.finding(file, spec_message("'name' is a required field"))
                .at("Name"),
        ),
        Some(name) if !is_valid_name(name) => out.push(
            M005.finding(
                file,
                spec_message(&format!("{} is invalid for 'name'", repr(name))),
            )
            .at("Name"),
        ),
        Some(_) => {}
    }
}

fn check_version(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    let Some(raw) = meta.field("version").filter(|v| !v.is_empty()) else {
        out.push(
            M006.finding(file, spec_message("'version' is a required field"))
                .at("Version"),
        );
        return;
    };
    // packaging strips surrounding whitespace before matching.
    let Ok(version) = raw.trim().parse::<crate::pep::Version>() else {
        out.push(
            M006.finding(
                file,
                spec_message(&format!("{} is invalid for 'version'", repr(raw))),
            )
            .at("Version"),
        );
        return;
    };
    if version.is_local() {
        out.push(
            M007.finding(
                file,
                format!("The use of local versions in '{version}' is not allowed."),
            )
            .at("Version")
            .hint("See https://packaging.python.org/en/latest/specifications/version-specifiers/#local-version-identifiers; build from a clean tagged commit"),
        );
    }
    let normalized = version.to_string();
    if normalized != raw {
        out.push(
            M008.finding(
                file,
                format!(
                    "Version {} is not normalized; its normalized form is {}",
                    repr(raw),
                    repr(&normalized)
                ),
            )
            .at("Version"),
        );
    }
}

fn check_summary(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    let Some(summary) = meta.field("summary") else {
        return;
    };
    if summary.contains('\n') {
        out.push(
            M009.finding(file, spec_message("'summary' must be a single line"))
                .at("Summary"),
        );
    } else if summary.contains([
        '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}', '\u{2029}',
    ]) {
        // packaging 26.3 rejects these too; PyPI's 26.2 does not yet.
        out.push(
            M009.finding(file, spec_message("'summary' must be a single line"))
                .at("Summary")
                .warning()
                .hint("PyPI accepts this today, but packaging 26.3 (twine with it) rejects line boundaries other than \\n"),
        );
    }
    let chars = summary.chars().count();
    if chars > 512 {
        out.push(
            M009.finding(file, "'summary' field must be 512 characters or less.")
                .at("Summary")
                .hint(format!(
                    "The summary has {chars} characters; shorten it to 512 or fewer"
                )),
        );
    }
}

/// A parsed MIME content type: lowercased `type/subtype` and its parameters (names lowercased).
struct ContentType {
    mime: String,
    params: Vec<(String, String)>,
}

fn parse_content_type(value: &str) -> ContentType {
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_ascii_lowercase(), v.to_string())
        })
        .collect();
    ContentType { mime, params }
}

pub(crate) fn content_type_param(value: &str, param: &str) -> Option<String> {
    parse_content_type(value)
        .params
        .into_iter()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v)
}

pub(crate) fn content_type_mime(value: &str) -> String {
    parse_content_type(value).mime
}

fn check_content_type(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    let Some(value) = meta.field("description-content-type") else {
        return;
    };
    let ct = parse_content_type(value);
    let allowed = ["text/plain", "text/x-rst", "text/markdown"];
    let valid_mime = ct.mime.split('/').count() == 2
        && !ct.mime.contains(char::is_whitespace)
        && allowed.contains(&ct.mime.as_str());
    if !valid_mime {
        out.push(
            M010.finding(
                file,
                spec_message(&format!(
                    "'description-content-type' must be one of {}, not {}",
                    pyfmt::repr_list(&allowed),
                    repr(value)
                )),
            )
            .at("Description-Content-Type"),
        );
        return;
    }
    let param = |name: &str| {
        ct.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(charset) = param("charset")
        && charset != "UTF-8"
    {
        let mut f = M010
            .finding(
                file,
                spec_message(&format!(
                    "'description-content-type' can only specify the UTF-8 charset, not {}",
                    repr(charset)
                )),
            )
            .at("Description-Content-Type");
        if charset.eq_ignore_ascii_case("utf-8") {
            f = f.hint(
                "PyPI (packaging 26.2) compares the charset case-sensitively: write charset=UTF-8",
            );
        }
        out.push(f);
    }
    if ct.mime == "text/markdown"
        && let Some(variant) = param("variant")
        && variant != "GFM"
        && variant != "CommonMark"
    {
        out.push(
            M010.finding(
                file,
                spec_message(&format!(
                    "valid Markdown variants for 'description-content-type' are ['GFM', 'CommonMark'], not {}",
                    repr(variant)
                )),
            )
            .at("Description-Content-Type"),
        );
    }
}

fn check_dynamic(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    for value in meta.fields("dynamic") {
        let field = value.to_ascii_lowercase();
        let msg = if matches!(field.as_str(), "name" | "version" | "metadata-version") {
            format!("{} is not allowed as a dynamic field", repr(&field))
        } else if field_info(&field).is_none() {
            format!("{} is not a valid dynamic field", repr(&field))
        } else if field == "dynamic" {
            format!(
                "Dynamic field {} is not a valid dynamic field.",
                repr(&field)
            )
        } else {
            continue;
        };
        out.push(M011.finding(file, spec_message(&msg)).at("Dynamic"));
    }
}

/// PEP 685 normalization of an extra name (same as a project name).
fn normalize(name: &str) -> String {
    crate::pep::normalize_name(name)
}

fn check_extras(meta: &RawMetadata, mv_rank: Option<usize>, file: &str, out: &mut Vec<Finding>) {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let at_least_23 = mv_rank.is_some_and(|r| r >= 5);
    for extra in meta.fields("provides-extra") {
        if !is_valid_name(extra) {
            out.push(
                M012.finding(
                    file,
                    spec_message(&format!("{} is invalid for 'provides-extra'", repr(extra))),
                )
                .at("Provides-Extra"),
            );
            continue;
        }
        let norm = normalize(extra);
        if !seen.insert(norm.clone()) {
            out.push(
                M012.finding(
                    file,
                    format!(
                        "Provides-Extra {} duplicates another extra after normalization",
                        repr(extra)
                    ),
                )
                .at("Provides-Extra")
                .warning(),
            );
        } else if at_least_23 && norm != extra {
            out.push(
                M012.finding(
                    file,
                    format!(
                        "Provides-Extra {} is not normalized (Metadata-Version 2.3+ requires {})",
                        repr(extra),
                        repr(&norm)
                    ),
                )
                .at("Provides-Extra")
                .warning(),
            );
        }
    }
}

/// The URL of a `name ... @ url` requirement, found without a full parse.
fn direct_url(req: &str) -> Option<&str> {
    let head = req.split(';').next().unwrap_or(req);
    let at = head.find('@')?;
    let before = head[..at].trim();
    // A requirement's name (and extras) precede `@`; a version specifier never holds `@`.
    if before.is_empty() || before.contains(['<', '>', '=', '!', '~']) {
        return None;
    }
    Some(head[at + 1..].trim())
}

fn check_requires(meta: &RawMetadata, mv_rank: Option<usize>, file: &str, out: &mut Vec<Finding>) {
    if let Some(rp) = meta.field("requires-python") {
        let valid = rp
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .all(|s| s.parse::<crate::pep::VersionSpecifier>().is_ok());
        if !valid {
            out.push(
                M013.finding(
                    file,
                    spec_message(&format!("{} is invalid for 'requires-python'", repr(rp))),
                )
                .at("Requires-Python"),
            );
        }
    }
    let declared: Vec<String> = meta.fields("provides-extra").map(normalize).collect();
    for req in meta.fields("requires-dist") {
        if let Some(url) = direct_url(req) {
            out.push(
                M015.finding(
                    file,
                    spec_message(&format!("Can't have direct dependency: {}", packaging_str(req))),
                )
                    .at("Requires-Dist")
                    .hint(format!("PyPI refuses `@ {url}`: publish that dependency to an index and depend on it by name and version")),
            );
            continue;
        }
        match req.parse::<crate::pep::Requirement>() {
            Err(e) => out.push(
                M014.finding(
                    file,
                    spec_message(&format!("{} is invalid for 'requires-dist'", repr(req))),
                )
                .at("Requires-Dist")
                .hint(first_line(&e.to_string())),
            ),
            Ok(parsed) => {
                // Only meaningful when the metadata declares extras at all (2.1+).
                if mv_rank.is_some_and(|r| r >= 3) {
                    let mut missing = Vec::new();
                    parsed.marker.visit_extras(|_, extra| {
                        let name = extra.to_string();
                        if !declared.contains(&normalize(&name)) && !missing.contains(&name) {
                            missing.push(name);
                        }
                    });
                    for extra in missing {
                        out.push(
                            M016.finding(
                                file,
                                format!(
                                    "Requires-Dist {} tests extra {} that Provides-Extra does not declare",
                                    repr(req),
                                    repr(&extra)
                                ),
                            )
                            .at("Requires-Dist"),
                        );
                    }
                }
            }
        }
    }
    for (field, label) in [
        ("provides-dist", "Provides-Dist"),
        ("obsoletes-dist", "Obsoletes-Dist"),
    ] {
        for req in meta.fields(field) {
            if direct_url(req).is_some() {
                out.push(
                    M015.finding(
                        file,
                        spec_message(&format!("Can't have direct dependency: {}", repr(req))),
                    )
                    .at(label),
                );
            } else if let Err(e) = req.parse::<crate::pep::Requirement>() {
                out.push(
                    M015.finding(
                        file,
                        spec_message(&format!(
                            "{} is invalid: {}",
                            repr(req),
                            first_line(&e.to_string())
                        )),
                    )
                    .at(label),
                );
            }
        }
    }
}

/// How packaging prints a `name[extras] @ url ; marker` requirement (`str(Requirement)`):
/// extras sorted, ` ; ` before the marker, marker values in double quotes.
fn packaging_str(req: &str) -> String {
    let (head, marker) = match req.split_once(';') {
        Some((h, m)) => (h, Some(m.trim())),
        None => (req, None),
    };
    let Some((name_part, url)) = head.split_once('@') else {
        return req.trim().to_string();
    };
    let (name, extras) = match name_part.split_once('[') {
        Some((n, e)) => {
            let mut extras: Vec<&str> = e
                .trim_end()
                .trim_end_matches(']')
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .collect();
            extras.sort_unstable();
            (n.trim(), format!("[{}]", extras.join(",")))
        }
        None => (name_part.trim(), String::new()),
    };
    let mut out = format!("{name}{extras} @ {}", url.trim());
    if let Some(m) = marker.filter(|m| !m.is_empty()) {
        out.push_str(&format!(" ; {}", m.replace('\'', "\"")));
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

fn check_license_fields(
    meta: &RawMetadata,
    mv_rank: Option<usize>,
    ctx: &DistContext<'_>,
    out: &mut Vec<Finding>,
) {
    let file = ctx.file;
    if meta.field("license").is_some() && meta.field("license-expression").is_some() {
        out.push(
            M017.finding(
                file,
                "License is deprecated when License-Expression is present. Only License-Expression should be present.",
            )
            .at("License"),
        );
    }
    // twine drops License-File below 2.4, so neither rule applies there.
    if mv_rank.is_none_or(|r| r < 6) {
        return;
    }
    for path in meta.fields("license-file") {
        let reason = if path.contains("..") {
            Some("parent directory indicators are not allowed")
        } else if path.contains('*') {
            Some("paths must be resolved")
        } else if is_absolute_any(path) {
            Some("paths must be relative")
        } else if path.contains('\\') {
            Some("paths must use '/' delimiter")
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(
                M018.finding(
                    file,
                    spec_message(&format!(
                        "{} is invalid for 'license-file', {reason}",
                        repr(path)
                    )),
                )
                .at("License-File"),
            );
            continue;
        }
        if let Some(expected) = license_file_location(ctx, path)
            && !ctx.members.iter().any(|m| !m.is_dir && m.name == expected)
        {
            out.push(
                M019.finding(
                    file,
                    format!(
                        "License-File {path} does not exist in distribution file {} at {expected}",
                        basename(file)
                    ),
                )
                .at("License-File"),
            );
        }
    }
}

/// Where PyPI looks for a License-File: `{name}-{version}.dist-info/licenses/{path}` with the
/// raw filename parts for wheels, `{top}/{path}` for sdists. `None` when it cannot be known.
fn license_file_location(ctx: &DistContext<'_>, path: &str) -> Option<String> {
    match ctx.kind {
        DistKind::Wheel => {
            let stem = basename(ctx.file).strip_suffix(".whl")?;
            let mut parts = stem.split('-');
            let name = parts.next()?;
            let version = parts.next()?;
            Some(format!("{name}-{version}.dist-info/licenses/{path}"))
        }
        DistKind::Sdist => {
            let top = ctx
                .members
                .iter()
                .find_map(|m| m.name.split('/').next().filter(|t| !t.is_empty()))?;
            if ctx
                .members
                .iter()
                .any(|m| m.name.split('/').next() != Some(top))
            {
                return None;
            }
            Some(format!("{top}/{path}"))
        }
    }
}

/// The file name of a path as given (`dist/x.whl` -> `x.whl`).
fn basename(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// Absolute for POSIX or Windows (`/x`, `\x`, `C:\x`, `C:/x`, UNC).
fn is_absolute_any(path: &str) -> bool {
    let b = path.as_bytes();
    if b.first().is_some_and(|c| *c == b'/') {
        return true;
    }
    // Windows: a drive with a root, or a UNC path.
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'/' | b'\\') {
        return true;
    }
    path.starts_with("\\\\") || path.starts_with("//")
}

/// The address Python's `email.utils.parseaddr` would pick, when it is one simple address.
/// `None` when the value holds several addresses or is too unusual to judge safely.
fn single_address(value: &str) -> Option<&str> {
    let v = value.trim();
    if v.contains(['"', '(', ')']) {
        return None;
    }
    if v.contains(',') {
        // Several addresses: PyPI's strict parseaddr yields nothing to validate.
        return None;
    }
    if let Some(open) = v.find('<') {
        let close = v.rfind('>')?;
        if close < open || v[close + 1..].trim() != "" {
            return None;
        }
        return Some(v[open + 1..close].trim());
    }
    if v.contains(char::is_whitespace) {
        return None;
    }
    Some(v)
}

const SPECIAL_USE_DOMAINS: &[&str] = &["arpa", "invalid", "local", "localhost", "onion", "test"];

/// email-validator's syntax verdict for an ASCII address (`None` = valid or not judged).
fn email_problem(addr: &str) -> Option<String> {
    if !addr.is_ascii() {
        return None;
    }
    let ats = addr.matches('@').count();
    if ats == 0 {
        return Some("An email address must have an @-sign.".into());
    }
    let (local, domain) = addr.split_once('@')?;
    // `email.utils.parseaddr` yields no address at all for `a@` or `a@b@c` (so PyPI validates
    // nothing and accepts the field), but does yield `@example.com`.
    if ats > 1 || domain.is_empty() {
        return None;
    }
    if local.is_empty() {
        return Some("There must be something before the @-sign.".into());
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    if let Some(bad) = invalid_chars(local, atext) {
        return Some(format!(
            "The email address contains invalid characters before the @-sign: {bad}."
        ));
    }
    if local.starts_with('.') {
        return Some("An email address cannot start with a period.".into());
    }
    if local.ends_with('.') {
        return Some("An email address cannot have a period immediately before the @-sign.".into());
    }
    if local.contains("..") {
        return Some("An email address cannot have two periods in a row.".into());
    }
    if let Some(bad) = invalid_chars(domain, |c| {
        c.is_ascii_alphanumeric() || c == '-' || c == '.'
    }) {
        return Some(format!(
            "The part after the @-sign contains invalid characters: {bad}."
        ));
    }
    if domain.ends_with('.') {
        return Some("An email address cannot end with a period.".into());
    }
    if domain.starts_with('.') {
        return Some("An email address cannot have a period immediately after the @-sign.".into());
    }
    if domain.contains("..") {
        return Some("An email address cannot have two periods in a row.".into());
    }
    if domain.ends_with('-') {
        return Some("An email address cannot end with a hyphen.".into());
    }
    if domain.starts_with('-') {
        return Some("An email address cannot have a hyphen immediately after the @-sign.".into());
    }
    if domain.contains(".-") || domain.contains("-.") {
        return Some(
            "An email address cannot have a period and a hyphen next to each other.".into(),
        );
    }
    if !domain.contains('.') {
        return Some("The part after the @-sign is not valid. It should have a period.".into());
    }
    let lower = domain.to_ascii_lowercase();
    let tld = lower.rsplit('.').next().unwrap_or_default();
    if !tld.starts_with(|c: char| c.is_ascii_alphabetic()) && !tld.starts_with("xn--") {
        return Some(
            "The part after the @-sign is not valid. It is not within a valid top-level domain."
                .into(),
        );
    }
    if SPECIAL_USE_DOMAINS
        .iter()
        .any(|d| lower == *d || lower.ends_with(&format!(".{d}")))
    {
        return Some(
            "The part after the @-sign is a special-use or reserved name that cannot be used with email."
                .into(),
        );
    }
    None
}

fn check_emails(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    for (field, label) in [
        ("author-email", "Author-email"),
        ("maintainer-email", "Maintainer-email"),
    ] {
        let Some(value) = meta.field(field) else {
            continue;
        };
        let Some(addr) = single_address(value).filter(|a| !a.is_empty()) else {
            continue;
        };
        if let Some(problem) = email_problem(addr) {
            out.push(
                M020.finding(
                    file,
                    spec_message(&format!(
                        "{} is not a valid email address: {problem}",
                        repr(addr)
                    )),
                )
                .at(label),
            );
        }
    }
}

/// Warehouse's `is_valid_uri(require_authority=False)`: an http(s) scheme and only characters
/// RFC 3986 allows. Non-ASCII text is not judged (accepted) to stay on the safe side.
pub fn is_valid_http_uri(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return false;
    }
    let allowed = |c: char| {
        !c.is_ascii() || c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
    };
    if !rest.chars().all(allowed) {
        return false;
    }
    // A percent sign must start an escape.
    let b = rest.as_bytes();
    for (i, c) in b.iter().enumerate() {
        if *c == b'%'
            && !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return false;
        }
    }
    if let Some(after) = rest.strip_prefix("//") {
        let authority = after.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if !host_port.starts_with('[')
            && let Some((_, port)) = host_port.rsplit_once(':')
            && !port.chars().all(|c| c.is_ascii_digit())
        {
            return false;
        }
    }
    true
}

fn check_urls(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    for (field, label) in [("home-page", "Home-page"), ("download-url", "Download-URL")] {
        if let Some(url) = meta.field(field)
            && !is_valid_http_uri(url)
        {
            out.push(
                M021.finding(
                    file,
                    spec_message(&format!("{} is not a valid url.", repr(url))),
                )
                .at(label),
            );
        }
    }
    for value in meta.fields("project-url") {
        let (label, url) = value.split_once(',').unwrap_or((value, ""));
        let (label, url) = (label.trim(), url.trim());
        let msg = if label.is_empty() {
            "Must have a label".to_string()
        } else if label.chars().count() > 32 {
            format!("{} must be 32 characters or less.", repr(label))
        } else if url.is_empty() {
            "Must have a URL".to_string()
        } else if !is_valid_http_uri(url) {
            format!("{} is not a valid url", repr(url))
        } else {
            continue;
        };
        out.push(M022.finding(file, spec_message(&msg)).at("Project-URL"));
    }
}

const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// `str.isidentifier()` for ASCII; non-ASCII letters are accepted (not judged).
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || first.is_alphabetic()) && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn check_import_names(meta: &RawMetadata, file: &str, out: &mut Vec<Finding>) {
    for (field, label) in [
        ("import-name", "Import-Name"),
        ("import-namespace", "Import-Namespace"),
    ] {
        for value in meta.get_all(field) {
            if value.trim().is_empty() && field == "import-name" {
                continue;
            }
            let (name, private) = match value.split_once(';') {
                Some((n, p)) => (n.trim_end(), Some(p)),
                None => (value, None),
            };
            let mut problem = None;
            for ident in name.split('.') {
                if !is_identifier(ident) {
                    problem = Some(format!(
                        "{} is invalid for {}; {} is not a valid identifier",
                        repr(name),
                        repr(field),
                        repr(ident)
                    ));
                    break;
                } else if PY_KEYWORDS.contains(&ident) {
                    problem = Some(format!(
                        "{} is invalid for {}; {} is a keyword",
                        repr(name),
                        repr(field),
                        repr(ident)
                    ));
                    break;
                }
            }
            if problem.is_none()
                && let Some(p) = private
                && p.trim_start() != "private"
            {
                problem = Some(format!(
                    "{} is invalid for {}; the only valid option is 'private'",
                    repr(value),
                    repr(field)
                ));
            }
            if let Some(p) = problem {
                out.push(M023.finding(file, spec_message(&p)).at(label));
            }
        }
    }
}

fn check_deprecated(
    meta: &RawMetadata,
    mv_rank: Option<usize>,
    file: &str,
    out: &mut Vec<Finding>,
) {
    let mut deprecated = vec![
        (
            "home-page",
            "Home-page",
            "use Project-URL (e.g. `Homepage, https://...`)",
        ),
        (
            "download-url",
            "Download-URL",
            "use Project-URL (e.g. `Download, https://...`)",
        ),
        ("requires", "Requires", "use Requires-Dist"),
        ("provides", "Provides", "use Provides-Dist"),
        ("obsoletes", "Obsoletes", "use Obsoletes-Dist"),
    ];
    if mv_rank.is_some_and(|r| r >= 6) {
        deprecated.push(("license", "License", "use License-Expression"));
    }
    for (field, label, instead) in deprecated {
        if meta.field(field).is_some() {
            let mut f = M024
                .finding(file, format!("{label} is deprecated; {instead}"))
                .at(label);
            if field == "license" {
                // The generic hint lists every replacement; this one says how to get there.
                f = f.hint(
                    "Give an SPDX expression instead of free text (pyproject: `license = \"MIT\"`, \
                     not `license = {text = ...}`); PyPI still accepts License, so this is a warning",
                );
            }
            out.push(f);
        }
    }
}

/// Judge a wheel's `.dist-info/entry_points.txt` the way PyPI does (configparser with `=` as
/// the only delimiter, case-sensitive keys, no duplicates; script names match `[\w.-]+`).
pub fn check_entry_points(file: &str, text: &str) -> Vec<Finding> {
    match entry_points_problem(text) {
        None => Vec::new(),
        Some((line, why)) => vec![
            M025.finding(
                file,
                format!(
                    "Wheel '{file}' has invalid entry points defined in the entry_points.txt file"
                ),
            )
            .at("entry_points.txt")
            .line(line)
            .hint(why),
        ],
    }
}

/// Python's `configparser` (`delimiters=("=",)`, case-sensitive keys, strict), line for line:
/// a line indented deeper than the option line above it continues that option's value (blank
/// and comment lines in between do not end it); anything else is a section header or an option.
fn entry_points_problem(text: &str) -> Option<(u32, String)> {
    let mut sections: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut keys: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut current: Option<String> = None;
    // The indentation of the option line whose value continues, if any.
    let mut option_indent: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let lineno = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if option_indent.is_some_and(|level| indent > level) {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[')
            && let Some(close) = rest.rfind(']')
            && close > 0
        {
            let name = rest[..close].to_string();
            // Python lets DEFAULT appear again; any other section only once.
            if name != "DEFAULT" && !sections.insert(name.clone()) {
                return Some((lineno, format!("section [{name}] appears twice")));
            }
            current = Some(name);
            keys.clear();
            option_indent = None;
            continue;
        }
        let Some(section) = &current else {
            return Some((lineno, "a line before the first [section] header".into()));
        };
        let Some((key, _)) = trimmed.split_once('=') else {
            return Some((lineno, format!("`{trimmed}` has no `=`")));
        };
        let key = key.trim().to_string();
        if key.is_empty() {
            return Some((lineno, format!("`{trimmed}` has no name before `=`")));
        }
        if keys.contains(&key) {
            return Some((lineno, format!("`{key}` appears twice in [{section}]")));
        }
        if matches!(section.as_str(), "console_scripts" | "gui_scripts")
            && !key
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return Some((lineno, format!("script name `{key}` must match [\\w.-]+")));
        }
        keys.insert(key);
        option_indent = Some(indent);
    }
    None
}

/// The characters of `s` that `ok` rejects, each as Python's repr, sorted and deduplicated and
/// joined as email-validator lists them; `None` when every character is fine.
fn invalid_chars(s: &str, ok: impl Fn(char) -> bool) -> Option<String> {
    let mut bad: Vec<String> = s
        .chars()
        .filter(|c| !ok(*c))
        .map(|c| repr(&c.to_string()))
        .collect();
    bad.sort();
    bad.dedup();
    (!bad.is_empty()).then(|| bad.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(text: &str) -> RawMetadata {
        RawMetadata::parse(text.as_bytes()).unwrap_or_default()
    }

    fn ctx() -> DistContext<'static> {
        DistContext {
            file: "demo-1.0-py3-none-any.whl",
            kind: DistKind::Wheel,
            filename: None,
            members: &[],
        }
    }

    const BASE: &str = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n";

    fn rules_for(extra: &str) -> Vec<(String, Severity, String)> {
        let m = meta(&format!("{BASE}{extra}"));
        check_metadata(&m, &ctx())
            .into_iter()
            .map(|f| (f.rule.to_string(), f.severity, f.message))
            .collect()
    }

    fn errors(extra: &str) -> Vec<String> {
        rules_for(extra)
            .into_iter()
            .filter(|(_, s, _)| *s == Severity::Error)
            .map(|(r, _, m)| format!("{r}: {m}"))
            .collect()
    }

    #[test]
    fn parses_like_python_email() {
        let m = meta(
            "Metadata-Version: 2.1\nName: foo\nSummary: a\n  b\nDescription: line1\n        |line2\n\nbody\n",
        );
        assert_eq!(m.get("summary"), Some("a\n  b"));
        assert_eq!(m.get("Description"), Some("line1\n        |line2"));
        assert_eq!(m.body.as_deref(), Some("body\n"));
        let m = meta("Metadata-Version: 2.1\r\nName: foo\r\n\r\nbody\r\nline\r\n");
        assert_eq!(m.get("name"), Some("foo"));
        assert_eq!(m.body.as_deref(), Some("body\r\nline\r\n"));
        let m = meta("Name:   foo  \nVersion:1\nSummary:\n\n\n\nbody\n");
        assert_eq!(m.get("name"), Some("foo  "));
        assert_eq!(m.get("version"), Some("1"));
        assert_eq!(m.get("summary"), Some(""));
        assert_eq!(m.body.as_deref(), Some("\n\nbody\n"));
        // A line that is not a header ends the headers.
        let m = meta("Name: foo\nBad line\nVersion: 1\n");
        assert_eq!(m.get("version"), None);
        assert_eq!(m.body.as_deref(), Some("Bad line\nVersion: 1\n"));
        let m = meta("Name: foo\nVersion: 1\n");
        assert_eq!(m.body, None);
    }

    #[test]
    fn non_utf8_is_malformed() {
        let m =
            RawMetadata::parse(b"Metadata-Version: 2.1\nName: foo\nVersion: 1\nAuthor: J\xe9r\n")
                .unwrap_or_default();
        assert_eq!(m.invalid_utf8, vec!["author".to_string()]);
        let f = check_metadata(&m, &ctx());
        assert!(
            f.iter()
                .any(|f| f.rule == "M001" && f.message == "'author' has invalid data")
        );
        let ok = meta("Metadata-Version: 2.1\nName: foo\nVersion: 1\nAuthor: Jérôme\n");
        assert!(check_metadata(&ok, &ctx()).is_empty());
    }

    #[test]
    fn repeated_single_fields() {
        assert_eq!(
            errors("Summary: a\nSummary: b\n"),
            vec!["M001: 'summary' has invalid data"]
        );
        assert!(errors("Classifier: Programming Language :: Python\nClassifier: Programming Language :: Python :: 3\n").is_empty());
        assert_eq!(
            errors("Keywords: a\nKeywords: b\n"),
            vec!["M001: 'keywords' has invalid data"]
        );
        assert_eq!(
            errors("Project-URL: Docs, https://a.example\nProject-URL: Docs, https://b.example\n"),
            vec!["M001: 'project-url' has invalid data"]
        );
        assert!(
            errors(
                "Project-URL: Docs, https://a.example\nProject-URL: Source, https://b.example\n"
            )
            .is_empty()
        );
        let both = meta(&format!("{BASE}Description: x\n\nbody\n"));
        assert!(
            check_metadata(&both, &ctx())
                .iter()
                .any(|f| f.rule == "M001")
        );
    }

    #[test]
    fn unknown_fields_warn() {
        let r = rules_for("Foo: bar\n");
        assert_eq!(
            r,
            vec![(
                "M002".to_string(),
                Severity::Warning,
                "unrecognized field: 'foo'".to_string()
            )]
        );
        assert!(rules_for("Requires-External: libfoo\n").is_empty());
    }

    #[test]
    fn metadata_versions() {
        let check = |mv: &str| {
            let m = meta(&format!(
                "Metadata-Version: {mv}\nName: demo\nVersion: 1.0\n"
            ));
            check_metadata(&m, &ctx())
                .into_iter()
                .filter(|f| f.rule == "M003")
                .map(|f| f.message)
                .collect::<Vec<_>>()
        };
        assert_eq!(check("2.0"), vec!["'2.0' is not a valid metadata version."]);
        assert_eq!(check("2.6"), vec!["'2.6' is not a valid metadata version."]);
        for ok in SUPPORTED_METADATA_VERSIONS {
            assert!(check(ok).is_empty(), "{ok}");
        }
        let m = meta("Name: demo\nVersion: 1.0\n");
        let f = check_metadata(&m, &ctx());
        assert!(
            f.iter()
                .any(|f| f.message == "None is not a valid metadata version.")
        );
    }

    #[test]
    fn fields_newer_than_metadata_version() {
        let m = meta("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense-Expression: MIT\n");
        let f = check_metadata(&m, &ctx());
        assert!(f.iter().any(|f| f.rule == "M004"
            && f.is_error()
            && f.message == "license-expression introduced in metadata version 2.4, not 2.1."));
        let m = meta("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nLicense-Expression: MIT\n");
        assert!(check_metadata(&m, &ctx()).is_empty());
        // License-File below 2.4 is dropped by twine: a warning only.
        let m = meta("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense-File: LICENSE\n");
        let f = check_metadata(&m, &ctx());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "M004");
        assert!(!f[0].is_error());
        let m = meta("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nDynamic: Summary\n");
        assert!(
            check_metadata(&m, &ctx())
                .iter()
                .any(|f| f.rule == "M004" && f.is_error())
        );
    }

    #[test]
    fn names() {
        let m = meta("Metadata-Version: 2.1\nName: -demo\nVersion: 1\n");
        let f = check_metadata(&m, &ctx());
        assert_eq!(f[0].message, "'-demo' is invalid for 'name'.");
        let m = meta("Metadata-Version: 2.1\nName: de.mo_x-y\nVersion: 1\n");
        assert!(check_metadata(&m, &ctx()).is_empty());
        let m = meta("Metadata-Version: 2.1\nVersion: 1\n");
        assert_eq!(
            check_metadata(&m, &ctx())[0].message,
            "'name' is a required field."
        );
        assert!(!is_valid_name("dé"));
        assert!(is_valid_name("A"));
    }

    #[test]
    fn versions() {
        let check = |v: &str| {
            let m = meta(&format!(
                "Metadata-Version: 2.1\nName: demo\nVersion: {v}\n"
            ));
            check_metadata(&m, &ctx())
                .into_iter()
                .map(|f| (f.rule, f.severity, f.message))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            check("1.0.dev.a1"),
            vec![(
                "M006",
                Severity::Error,
                "'1.0.dev.a1' is invalid for 'version'.".to_string()
            )]
        );
        assert_eq!(
            check("1.0+abc"),
            vec![(
                "M007",
                Severity::Error,
                "The use of local versions in '1.0+abc' is not allowed.".to_string()
            )]
        );
        assert!(check("1.0").is_empty());
        assert_eq!(check("1.0-rc1")[0].0, "M008");
        assert_eq!(check("1.0-rc1")[0].1, Severity::Warning);
    }

    #[test]
    fn summaries() {
        assert_eq!(
            errors("Summary: a\n  b\n"),
            vec!["M009: 'summary' must be a single line."]
        );
        assert!(errors("Summary: a b\n").is_empty());
        let long = "x".repeat(513);
        assert_eq!(
            errors(&format!("Summary: {long}\n")),
            vec!["M009: 'summary' field must be 512 characters or less."]
        );
        assert!(errors(&format!("Summary: {}\n", "é".repeat(512))).is_empty());
        // Vertical tab: rejected only by packaging 26.3.
        let r = rules_for("Summary: a\u{b}b\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1, Severity::Warning);
    }

    #[test]
    fn content_types() {
        assert!(errors("Description-Content-Type: text/markdown\n").is_empty());
        assert!(
            errors("Description-Content-Type: text/markdown; charset=UTF-8; variant=GFM\n")
                .is_empty()
        );
        assert!(errors("Description-Content-Type: TEXT/X-RST\n").is_empty());
        assert_eq!(
            errors("Description-Content-Type: text/html\n"),
            vec![
                "M010: 'description-content-type' must be one of ['text/plain', 'text/x-rst', 'text/markdown'], not 'text/html'."
            ]
        );
        assert_eq!(
            errors("Description-Content-Type: text/markdown; charset=utf-8\n"),
            vec![
                "M010: 'description-content-type' can only specify the UTF-8 charset, not 'utf-8'."
            ]
        );
        assert_eq!(
            errors("Description-Content-Type: text/markdown; variant=gfm\n"),
            vec![
                "M010: valid Markdown variants for 'description-content-type' are ['GFM', 'CommonMark'], not 'gfm'."
            ]
        );
        assert!(errors("Description-Content-Type: text/markdown; variant=CommonMark\n").is_empty());
    }

    #[test]
    fn dynamic_fields() {
        assert_eq!(
            errors("Dynamic: Version\n"),
            vec!["M011: 'version' is not allowed as a dynamic field."]
        );
        assert_eq!(
            errors("Dynamic: Foo\n"),
            vec!["M011: 'foo' is not a valid dynamic field."]
        );
        assert_eq!(
            errors("Dynamic: Dynamic\n"),
            vec!["M011: Dynamic field 'dynamic' is not a valid dynamic field."]
        );
        assert!(errors("Dynamic: Requires-Dist\nDynamic: summary\n").is_empty());
    }

    #[test]
    fn extras() {
        assert_eq!(
            errors("Provides-Extra: -bad\n"),
            vec!["M012: '-bad' is invalid for 'provides-extra'."]
        );
        assert!(rules_for("Provides-Extra: test\n").is_empty());
        let r = rules_for("Provides-Extra: Test_X\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1, Severity::Warning);
    }

    #[test]
    fn requirements() {
        assert!(rules_for("Requires-Python: >=3.9\n").is_empty());
        assert!(rules_for("Requires-Python: >=3.9, <4,\n").is_empty());
        assert_eq!(
            errors("Requires-Python: >=3.9.*\n"),
            vec!["M013: '>=3.9.*' is invalid for 'requires-python'."]
        );
        assert!(
            rules_for("Requires-Dist: requests[socks]>=2.0; python_version >= \"3.8\"\n")
                .is_empty()
        );
        assert_eq!(
            errors("Requires-Dist: requests>=>2\n"),
            vec!["M014: 'requests>=>2' is invalid for 'requires-dist'."]
        );
        assert_eq!(
            errors("Requires-Dist: foo @ https://example.org/foo-1.0.tar.gz\n"),
            vec!["M015: Can't have direct dependency: foo @ https://example.org/foo-1.0.tar.gz."]
        );
        assert!(errors("Provides-Dist: foo (1.0)\n").len() <= 1);
        assert_eq!(
            errors("Obsoletes-Dist: foo @ https://example.org/x\n"),
            vec!["M015: Can't have direct dependency: 'foo @ https://example.org/x'."]
        );
        assert!(errors("Obsoletes-Dist: foo<1.0\n").is_empty());
    }

    #[test]
    fn direct_urls_print_like_packaging() {
        assert_eq!(
            packaging_str("foo@https://x.org/f.whl"),
            "foo @ https://x.org/f.whl"
        );
        assert_eq!(
            packaging_str("Foo [b, a] @ https://x.org/f.whl ; python_version >= '3.8'"),
            "Foo[a,b] @ https://x.org/f.whl ; python_version >= \"3.8\""
        );
    }

    #[test]
    fn undeclared_extras() {
        let r = rules_for("Requires-Dist: pytest; extra == \"test\"\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, "M016");
        assert!(
            rules_for("Provides-Extra: test\nRequires-Dist: pytest; extra == \"test\"\n")
                .is_empty()
        );
    }

    #[test]
    fn license_and_expression() {
        assert_eq!(
            errors("License: MIT\nLicense-Expression: MIT\n"),
            vec![
                "M017: License is deprecated when License-Expression is present. Only License-Expression should be present."
            ]
        );
        assert!(errors("License: UNKNOWN\nLicense-Expression: MIT\n").is_empty());
    }

    #[test]
    fn license_file_paths() {
        let e = |p: &str| {
            let m = meta(&format!("{BASE}License-File: {p}\n"));
            check_metadata(&m, &ctx())
                .into_iter()
                .filter(|f| f.rule == "M018")
                .map(|f| f.message)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            e("../LICENSE"),
            vec![
                "'../LICENSE' is invalid for 'license-file', parent directory indicators are not allowed."
            ]
        );
        assert_eq!(
            e("LICEN*"),
            vec!["'LICEN*' is invalid for 'license-file', paths must be resolved."]
        );
        assert_eq!(
            e("/LICENSE"),
            vec!["'/LICENSE' is invalid for 'license-file', paths must be relative."]
        );
        assert_eq!(
            e("C:\\LICENSE"),
            vec!["'C:\\\\LICENSE' is invalid for 'license-file', paths must be relative."]
        );
        assert_eq!(
            e("a\\LICENSE"),
            vec!["'a\\\\LICENSE' is invalid for 'license-file', paths must use '/' delimiter."]
        );
        assert!(e("licenses/LICENSE.txt").is_empty());
    }

    fn member(name: &str) -> crate::archive::Member {
        crate::archive::Member {
            name: name.into(),
            size: 1,
            compressed_size: 1,
            is_dir: false,
        }
    }

    #[test]
    fn license_file_presence() {
        let m = meta(&format!("{BASE}License-File: LICENSE\n"));
        let missing = [member("demo-1.0.dist-info/LICENSE")];
        let present = [member("demo-1.0.dist-info/licenses/LICENSE")];
        let mut c = ctx();
        c.members = &missing;
        let f = check_metadata(&m, &c);
        assert_eq!(
            f.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(),
            vec![
                "License-File LICENSE does not exist in distribution file demo-1.0-py3-none-any.whl at demo-1.0.dist-info/licenses/LICENSE"
            ]
        );
        c.members = &present;
        assert!(check_metadata(&m, &c).is_empty());
        // The file may be given as a path.
        c.file = "dist/demo-1.0-py3-none-any.whl";
        assert!(check_metadata(&m, &c).is_empty());
        c.members = &missing;
        assert!(
            check_metadata(&m, &c)[0]
                .message
                .contains("distribution file demo-1.0-py3-none-any.whl at")
        );

        let sdist_missing = [member("demo-1.0/PKG-INFO")];
        let sdist_present = [member("demo-1.0/PKG-INFO"), member("demo-1.0/LICENSE")];
        let mut s = DistContext {
            file: "demo-1.0.tar.gz",
            kind: DistKind::Sdist,
            filename: None,
            members: &sdist_missing,
        };
        assert_eq!(check_metadata(&m, &s)[0].rule, "M019");
        s.members = &sdist_present;
        assert!(check_metadata(&m, &s).is_empty());
    }

    #[test]
    fn emails() {
        assert!(errors("Author-email: Jane <jane@example.org>\n").is_empty());
        assert!(
            errors("Author-email: \"Jane, D\" <jane@example.org>, bob@example.org\n").is_empty()
        );
        assert_eq!(
            errors("Author-email: jane@localhost\n"),
            vec![
                "M020: 'jane@localhost' is not a valid email address: The part after the @-sign is not valid. It should have a period."
            ]
        );
        assert_eq!(
            errors("Maintainer-email: Jane <jane@example.test>\n"),
            vec![
                "M020: 'jane@example.test' is not a valid email address: The part after the @-sign is a special-use or reserved name that cannot be used with email."
            ]
        );
        assert_eq!(
            errors("Author-email: jane.example.org\n"),
            vec![
                "M020: 'jane.example.org' is not a valid email address: An email address must have an @-sign."
            ]
        );
        assert!(errors("Author-email: UNKNOWN\n").is_empty());
        // parseaddr yields no address for these, so PyPI validates nothing.
        assert!(errors("Author-email: jane@\n").is_empty());
        assert!(errors("Author-email: jane@example.org@example.org\n").is_empty());
        assert_eq!(
            errors("Author-email: @example.org\n"),
            vec![
                "M020: '@example.org' is not a valid email address: There must be something before the @-sign."
            ]
        );
    }

    #[test]
    fn empty_fields_are_absent_as_on_pypi() {
        // Warehouse drops a form field whose only value is "": none of these is refused.
        for header in [
            "Home-page: \n",
            "Download-URL: \n",
            "Author-email: \n",
            "Maintainer-email: \n",
            "Requires-Python: \n",
            "Description-Content-Type: \n",
            "Classifier: \n",
            "Requires-Dist: \n",
            "Provides-Extra: \n",
        ] {
            assert!(
                errors(header).is_empty(),
                "{header:?}: {:?}",
                errors(header)
            );
        }
        let m = meta("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense-Expression: \n");
        assert!(check_metadata(&m, &ctx()).is_empty());
        // A real value next to an empty one is still judged.
        assert!(!errors("Classifier: \nClassifier: Nope :: Nope\n").is_empty());
    }

    #[test]
    fn urls() {
        assert!(errors("Home-page: https://example.org/x?y=1#z\n").is_empty());
        assert_eq!(
            errors("Home-page: example.org\n"),
            vec!["M021: 'example.org' is not a valid url."]
        );
        assert_eq!(
            errors("Download-URL: ftp://example.org/x\n"),
            vec!["M021: 'ftp://example.org/x' is not a valid url."]
        );
        assert_eq!(
            errors("Home-page: https://example.org/a b\n"),
            vec!["M021: 'https://example.org/a b' is not a valid url."]
        );
        assert!(errors("Project-URL: Source, https://example.org/src\n").is_empty());
        assert_eq!(
            errors("Project-URL: , https://example.org\n"),
            vec!["M022: Must have a label."]
        );
        assert_eq!(
            errors("Project-URL: Source\n"),
            vec!["M022: Must have a URL."]
        );
        let label = "L".repeat(33);
        assert_eq!(
            errors(&format!("Project-URL: {label}, https://example.org\n")),
            vec![format!("M022: '{label}' must be 32 characters or less.")]
        );
        assert!(
            errors(&format!(
                "Project-URL: {}, https://example.org\n",
                "L".repeat(32)
            ))
            .is_empty()
        );
        assert_eq!(
            errors("Project-URL: Docs, docs.example.org\n"),
            vec!["M022: 'docs.example.org' is not a valid url."]
        );
    }

    #[test]
    fn import_names() {
        let m = |v: &str| {
            format!("Metadata-Version: 2.5\nName: demo\nVersion: 1.0\nImport-Name: {v}\n")
        };
        let errs = |v: &str| {
            check_metadata(&meta(&m(v)), &ctx())
                .into_iter()
                .filter(|f| f.is_error())
                .map(|f| f.message)
                .collect::<Vec<_>>()
        };
        assert!(errs("demo.sub").is_empty());
        assert!(errs("demo._x; private").is_empty());
        assert_eq!(
            errs("demo.class"),
            vec!["'demo.class' is invalid for 'import-name'; 'class' is a keyword."]
        );
        assert_eq!(
            errs("demo-x"),
            vec!["'demo-x' is invalid for 'import-name'; 'demo-x' is not a valid identifier."]
        );
        assert_eq!(
            errs("demo; public"),
            vec![
                "'demo; public' is invalid for 'import-name'; the only valid option is 'private'."
            ]
        );
    }

    #[test]
    fn deprecated_fields() {
        let r = rules_for("Home-page: https://example.org\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, "M024");
        assert_eq!(r[0].1, Severity::Warning);
        let r = rules_for("License: MIT\n");
        assert_eq!(r.len(), 1);
        let m = meta("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense: MIT\n");
        assert!(check_metadata(&m, &ctx()).is_empty());
        // At 2.4 the License warning says how to move to License-Expression.
        let m = meta("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nLicense: MIT\n");
        let found = check_metadata(&m, &ctx());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].hint.contains("license = \"MIT\""), "{found:?}");
    }

    #[test]
    fn entry_points() {
        let ok = "[console_scripts]\ndemo = demo.cli:main\n\n[demo.plugins]\nx = demo.x:X\n";
        assert!(check_entry_points("d.whl", ok).is_empty());
        for bad in [
            "demo = demo:main\n",
            "[console_scripts]\ndemo = a:b\ndemo = a:c\n",
            "[console_scripts]\ndemo: a:b\n",
            "[console_scripts]\nde mo = a:b\n",
            "[a]\n[a]\n",
        ] {
            let f = check_entry_points("d.whl", bad);
            assert_eq!(f.len(), 1, "{bad:?}");
            assert_eq!(
                f[0].message,
                "Wheel 'd.whl' has invalid entry points defined in the entry_points.txt file"
            );
        }
        // Names are case-sensitive: `Demo` and `demo` are different keys.
        assert!(
            check_entry_points("d.whl", "[console_scripts]\nDemo = a:b\ndemo = a:c\n").is_empty()
        );
    }
}

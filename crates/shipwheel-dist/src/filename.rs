//! Distribution filenames: wheel (PEP 427/491) and sdist (PEP 625) naming, tags, platform rules.
//!
//! Parsing follows packaging 26.2 (`parse_wheel_filename`, `parse_sdist_filename`), the version
//! PyPI runs; messages are PyPI's own where it has one.

use crate::finding::{Finding, Rule, Severity};
use crate::pep::{Version, canonicalize_name, is_valid_name, py_repr};

const PEP527: &str = "https://www.python.org/dev/peps/pep-0527";

pub const FILENAME_CHARACTERS: Rule = Rule {
    id: "F001",
    name: "filename-characters",
    severity: Severity::Error,
    summary: "The filename has no control characters (0-31, 127) and no '/' or '\\'",
    hint: "rename the file to the name the build backend gives it",
};
pub const FILENAME_EXTENSION: Rule = Rule {
    id: "F002",
    name: "filename-extension",
    severity: Severity::Error,
    summary: "The file ends in .whl (wheel) or .tar.gz (sdist); other formats are not accepted",
    hint: "upload only wheels (.whl) and .tar.gz sdists, with lowercase extensions",
};
pub const WHEEL_FILENAME_INVALID: Rule = Rule {
    id: "F003",
    name: "wheel-filename-invalid",
    severity: Severity::Error,
    summary: "The wheel filename parses as name-version(-build)?-python-abi-platform.whl",
    hint: "use the filename the build backend wrote; do not rename wheels",
};
pub const SDIST_FILENAME_INVALID: Rule = Rule {
    id: "F004",
    name: "sdist-filename-invalid",
    severity: Severity::Error,
    summary: "The sdist filename parses as name-version.tar.gz with a PEP 440 version",
    hint: "use the filename the build backend wrote; do not rename sdists",
};
pub const SDIST_FILENAME_NOT_PEP625: Rule = Rule {
    id: "F005",
    name: "sdist-filename-not-normalized",
    severity: Severity::Error,
    summary: "The sdist filename is exactly {normalized_name}-{normalized_version}.tar.gz (PEP 625)",
    hint: "rebuild the sdist with a current build backend; PyPI accepts only PEP 625 names and .tar.gz",
};
pub const SDIST_NAME_MISMATCH: Rule = Rule {
    id: "F006",
    name: "sdist-name-mismatch",
    severity: Severity::Error,
    summary: "The sdist filename starts with the project's name from the metadata",
    hint: "the filename and the metadata Name must name the same project",
};
pub const PLATFORM_TAG_UNSUPPORTED: Rule = Rule {
    id: "F007",
    name: "platform-tag-unsupported",
    severity: Severity::Error,
    summary: "Every platform tag is on PyPI's allow-list (manylinux/musllinux, macosx, win, ...)",
    hint: "repair Linux wheels with auditwheel (manylinux/musllinux tags); PyPI rejects linux_* tags",
};
pub const WHEEL_NAME_MISMATCH: Rule = Rule {
    id: "F008",
    name: "wheel-name-mismatch",
    severity: Severity::Error,
    summary: "The wheel filename's name is the metadata Name",
    hint: "the filename and the metadata Name must name the same project",
};
pub const WHEEL_NAME_NOT_NORMALIZED: Rule = Rule {
    id: "F009",
    name: "wheel-name-not-normalized",
    severity: Severity::Error,
    summary: "The wheel filename's name is the normalized project name with '_' for '-' (PEP 427/503)",
    hint: "rebuild with a current build backend, which writes the normalized name",
};
pub const VERSION_MISMATCH: Rule = Rule {
    id: "F010",
    name: "version-mismatch",
    severity: Severity::Error,
    summary: "The filename's version equals the metadata Version (PEP 440 equality)",
    hint: "rebuild so the filename and the metadata carry the same version",
};
pub const FILENAME_TOO_LONG: Rule = Rule {
    id: "F011",
    name: "filename-too-long",
    severity: Severity::Error,
    summary: "The wheel filename leaves room for PyPI's '.metadata' sidecar (at most 246 bytes)",
    hint: "shorten the tags (compressed tag sets) or the version",
};
pub const VERSION_NOT_NORMALIZED: Rule = Rule {
    id: "F012",
    name: "filename-version-not-normalized",
    severity: Severity::Warning,
    summary: "The wheel filename's version is in normalized form",
    hint: "rebuild with a current build backend, which writes the normalized version",
};
pub const TAGS_UNSORTED: Rule = Rule {
    id: "F013",
    name: "tags-unsorted",
    severity: Severity::Warning,
    summary: "Compressed tag set components are sorted (PEP 425)",
    hint: "sort each '.'-separated tag component, e.g. py2.py3 rather than py3.py2",
};
pub const TAG_MALFORMED: Rule = Rule {
    id: "F014",
    name: "wheel-filename-future-invalid",
    severity: Severity::Warning,
    summary: "The wheel filename has no empty name or tag component (packaging 26.3+ rejects them)",
    hint: "use the filename the build backend wrote; newer installers will refuse this one",
};

/// The rules this module owns.
pub const RULES: &[Rule] = &[
    FILENAME_CHARACTERS,
    FILENAME_EXTENSION,
    WHEEL_FILENAME_INVALID,
    SDIST_FILENAME_INVALID,
    SDIST_FILENAME_NOT_PEP625,
    SDIST_NAME_MISMATCH,
    PLATFORM_TAG_UNSUPPORTED,
    WHEEL_NAME_MISMATCH,
    WHEEL_NAME_NOT_NORMALIZED,
    VERSION_MISMATCH,
    FILENAME_TOO_LONG,
    VERSION_NOT_NORMALIZED,
    TAGS_UNSORTED,
    TAG_MALFORMED,
];

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

/// A wheel filename, with every part as written (not normalized).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WheelFilename {
    pub name: String,
    pub version: String,
    pub build: Option<String>,
    pub python_tags: Vec<String>,
    pub abi_tags: Vec<String>,
    pub platform_tags: Vec<String>,
}

/// An sdist filename, split on the last `-` as packaging does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdistFilename {
    pub name: String,
    pub version: String,
    /// `.tar.gz` or `.zip`.
    pub extension: String,
}

/// Why a filename does not parse; `Display` is PyPI's (or packaging's) message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilenameError {
    #[error(
        "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL character (ordinal 127) in the name."
    )]
    NonPrintable,
    #[error("Cannot upload a file with '/' or '\\' in the name.")]
    PathSeparator,
    #[error(
        "Invalid file extension: Use .tar.gz, .whl or .zip extension. See {PEP527} and https://peps.python.org/pep-0715/ for more information"
    )]
    UnknownExtension,
    /// A known extension in the wrong case (`.WHL`); PyPI compares case-sensitively.
    #[error(
        "Invalid file extension: Extension {extension} is invalid for filetype {filetype}. See {PEP527} for more information."
    )]
    ExtensionCase {
        extension: String,
        filetype: &'static str,
    },
    /// packaging's `InvalidWheelFilename` text.
    #[error("{0}")]
    Wheel(String),
    #[error("Invalid source distribution filename: {0}")]
    Sdist(String),
}

impl FilenameError {
    /// The rule this error violates.
    pub fn rule(&self) -> &'static Rule {
        match self {
            FilenameError::NonPrintable | FilenameError::PathSeparator => &FILENAME_CHARACTERS,
            FilenameError::UnknownExtension | FilenameError::ExtensionCase { .. } => {
                &FILENAME_EXTENSION
            }
            FilenameError::Wheel(_) => &WHEEL_FILENAME_INVALID,
            FilenameError::Sdist(_) => &SDIST_FILENAME_INVALID,
        }
    }

    pub fn finding(&self, file: &str) -> Finding {
        self.rule().finding(file, self.to_string())
    }
}

impl DistFilename {
    /// Parse a distribution's filename (a basename, not a path).
    pub fn parse(filename: &str) -> Result<DistFilename, FilenameError> {
        validate_characters(filename)?;
        let (stem, ext) = split_extension(filename).ok_or(FilenameError::UnknownExtension)?;
        match ext {
            ".whl" => parse_wheel(filename, stem).map(DistFilename::Wheel),
            ".tar.gz" | ".zip" => parse_sdist(filename, stem, ext).map(DistFilename::Sdist),
            other => Err(FilenameError::ExtensionCase {
                extension: other.to_string(),
                filetype: if other.eq_ignore_ascii_case(".whl") {
                    "bdist_wheel"
                } else {
                    "sdist"
                },
            }),
        }
    }

    pub fn kind(&self) -> DistKind {
        match self {
            DistFilename::Wheel(_) => DistKind::Wheel,
            DistFilename::Sdist(_) => DistKind::Sdist,
        }
    }

    /// The name part as written.
    pub fn name(&self) -> &str {
        match self {
            DistFilename::Wheel(w) => &w.name,
            DistFilename::Sdist(s) => &s.name,
        }
    }

    /// The version part as written.
    pub fn version(&self) -> &str {
        match self {
            DistFilename::Wheel(w) => &w.version,
            DistFilename::Sdist(s) => &s.version,
        }
    }
}

impl WheelFilename {
    /// Every (python, abi, platform) triple of the compressed tag set, lowercased as
    /// packaging's `Tag` does.
    pub fn tags(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for py in &self.python_tags {
            for abi in &self.abi_tags {
                for plat in &self.platform_tags {
                    out.push((py.to_lowercase(), abi.to_lowercase(), plat.to_lowercase()));
                }
            }
        }
        out
    }

    /// The expanded tags as `py-abi-plat` strings, in filename order.
    pub fn tag_strings(&self) -> Vec<String> {
        self.tags()
            .into_iter()
            .map(|(p, a, s)| format!("{p}-{a}-{s}"))
            .collect()
    }

    /// The `{name}-{version}` prefix PyPI uses to find `.dist-info` (the raw first two parts).
    pub fn dist_info_prefix(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }
}

/// Which kind a filename claims by its extension alone (case-sensitive, as twine decides).
pub fn kind_from_extension(filename: &str) -> Option<DistKind> {
    if filename.ends_with(".whl") {
        Some(DistKind::Wheel)
    } else if filename.ends_with(".tar.gz") || filename.ends_with(".zip") {
        Some(DistKind::Sdist)
    } else {
        None
    }
}

fn validate_characters(filename: &str) -> Result<(), FilenameError> {
    if filename.chars().any(|c| (c as u32) < 32 || c as u32 == 127) {
        return Err(FilenameError::NonPrintable);
    }
    if filename.contains(['/', '\\']) {
        return Err(FilenameError::PathSeparator);
    }
    Ok(())
}

/// Warehouse's `.+?(\.(tar\.gz|zip|whl))$` (case-insensitive): the stem and the extension as written.
fn split_extension(filename: &str) -> Option<(&str, &str)> {
    let lower = filename.to_ascii_lowercase();
    for ext in [".tar.gz", ".zip", ".whl"] {
        if lower.ends_with(ext) && filename.len() > ext.len() {
            let at = filename.len() - ext.len();
            // Lowercasing ASCII keeps byte offsets, so `at` is a char boundary.
            return Some((filename.get(..at)?, filename.get(at..)?));
        }
    }
    None
}

/// packaging 26.2 `parse_wheel_filename`.
fn parse_wheel(filename: &str, stem: &str) -> Result<WheelFilename, FilenameError> {
    let dashes = stem.matches('-').count();
    if dashes != 4 && dashes != 5 {
        return Err(FilenameError::Wheel(format!(
            "Invalid wheel filename (wrong number of parts): {}",
            py_repr(stem)
        )));
    }
    let parts: Vec<&str> = stem.splitn(dashes - 1, '-').collect();
    let (name, version, rest) = match parts.as_slice() {
        [name, version, .., rest] => (*name, *version, *rest),
        _ => {
            return Err(FilenameError::Wheel(format!(
                "Invalid wheel filename (wrong number of parts): {}",
                py_repr(stem)
            )));
        }
    };
    // `^[\w\d._]*$` with Unicode `\w`.
    if name.contains("__")
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        return Err(FilenameError::Wheel(format!(
            "Invalid project name: {}",
            py_repr(stem)
        )));
    }
    if version.parse::<Version>().is_err() {
        return Err(FilenameError::Wheel(format!(
            "Invalid wheel filename (invalid version): {}",
            py_repr(stem)
        )));
    }
    let build = if dashes == 5 {
        let build = parts.get(2).copied().unwrap_or_default();
        if !build.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(FilenameError::Wheel(format!(
                "Invalid build number: {build} in {}",
                py_repr(stem)
            )));
        }
        Some(build.to_string())
    } else {
        None
    };
    let mut tag_parts = rest.split('-');
    let (Some(py), Some(abi), Some(plat)) = (tag_parts.next(), tag_parts.next(), tag_parts.next())
    else {
        return Err(FilenameError::Wheel(format!(
            "Invalid wheel filename (wrong number of parts): {}",
            py_repr(filename)
        )));
    };
    let split = |s: &str| s.split('.').map(str::to_string).collect::<Vec<_>>();
    Ok(WheelFilename {
        name: name.to_string(),
        version: version.to_string(),
        build,
        python_tags: split(py),
        abi_tags: split(abi),
        platform_tags: split(plat),
    })
}

/// packaging 26.2 `parse_sdist_filename` (split on the last `-`).
fn parse_sdist(filename: &str, stem: &str, ext: &str) -> Result<SdistFilename, FilenameError> {
    let Some((name, version)) = stem.rsplit_once('-') else {
        return Err(FilenameError::Sdist(filename.to_string()));
    };
    if version.parse::<Version>().is_err() {
        return Err(FilenameError::Sdist(filename.to_string()));
    }
    Ok(SdistFilename {
        name: name.to_string(),
        version: version.to_string(),
        extension: ext.to_string(),
    })
}

/// Warehouse's `_valid_platform_tag` allow-list (the tag is already lowercased).
pub fn is_allowed_platform(tag: &str) -> bool {
    const STATIC: &[&str] = &[
        "any",
        "win32",
        "win_arm64",
        "win_amd64",
        "win_ia64",
        "manylinux1_x86_64",
        "manylinux1_i686",
        "manylinux2010_x86_64",
        "manylinux2010_i686",
        "manylinux2014_x86_64",
        "manylinux2014_i686",
        "manylinux2014_aarch64",
        "manylinux2014_armv7l",
        "manylinux2014_ppc64",
        "manylinux2014_ppc64le",
        "manylinux2014_s390x",
        "linux_armv6l",
        "linux_armv7l",
    ];
    const MACOS_ARCHES: &[&str] = &[
        "ppc",
        "ppc64",
        "i386",
        "x86_64",
        "arm64",
        "intel",
        "fat",
        "fat3",
        "fat64",
        "universal",
        "universal2",
    ];
    const MACOS_MAJORS: &[&str] = &["11", "12", "13", "14", "15", "26"];
    const JOINT_LINUX: &[&str] = &[
        "x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64",
    ];
    if STATIC.contains(&tag) {
        return true;
    }
    // Python's `re.match` anchors at the start only; `(?P<arch>.*)` takes the rest.
    if let Some(rest) = tag.strip_prefix("macosx_")
        && let Some((major, rest)) = split_digits(rest)
        && let Some((minor, arch)) = rest.strip_prefix('_').and_then(split_digits)
        && let Some(arch) = arch.strip_prefix('_')
    {
        if major == "10" && MACOS_ARCHES.contains(&arch) {
            return true;
        }
        if MACOS_MAJORS.contains(&major) && minor == "0" && MACOS_ARCHES.contains(&arch) {
            return true;
        }
    }
    for (prefix, extra) in [("manylinux_", Some("ppc64")), ("musllinux_", None)] {
        if let Some(rest) = tag.strip_prefix(prefix)
            && let Some((_, rest)) = split_digits(rest)
            && let Some((_, arch)) = rest.strip_prefix('_').and_then(split_digits)
            && let Some(arch) = arch.strip_prefix('_')
        {
            return JOINT_LINUX.contains(&arch) || Some(arch) == extra;
        }
    }
    if let Some(rest) = tag.strip_prefix("ios_")
        && let Some((_, rest)) = split_digits(rest)
        && let Some((_, rest)) = rest.strip_prefix('_').and_then(split_digits)
        && let Some(rest) = rest.strip_prefix('_')
    {
        // `(?P<arch>.*)_(iphoneos|iphonesimulator)` under `re.match`: the greedy arch ends at
        // the last place either sdk suffix starts, and anything may follow it.
        let at = [rest.rfind("_iphoneos"), rest.rfind("_iphonesimulator")]
            .into_iter()
            .flatten()
            .max();
        if let Some(arch) = at.and_then(|at| rest.get(..at))
            && ["arm64", "x86_64"].contains(&arch)
        {
            return true;
        }
    }
    if let Some(rest) = tag.strip_prefix("android_")
        && let Some((_, rest)) = split_digits(rest)
        && let Some(arch) = rest.strip_prefix('_')
        && ["armeabi_v7a", "arm64_v8a", "x86", "x86_64"].contains(&arch)
    {
        return true;
    }
    if let Some(rest) = tag.strip_prefix("pyemscripten_")
        && let Some((_, rest)) = split_digits(rest)
        && let Some((_, rest)) = rest.strip_prefix('_').and_then(split_digits)
        && rest.starts_with("_wasm32")
    {
        return true;
    }
    false
}

/// Split a leading run of ASCII digits (`\d+` in Python also takes other Unicode digits, which
/// no real tag holds) off `s`.
fn split_digits(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        None
    } else {
        Some((s.get(..end)?, s.get(end..)?))
    }
}

/// The rules that need only the filename: characters, extension, parse, platform tags, length,
/// and the advisory naming warnings. Returns the parsed name when it parses.
pub fn check_filename(file: &str) -> (Option<DistFilename>, Vec<Finding>) {
    let parsed = match DistFilename::parse(file) {
        Ok(p) => p,
        Err(e) => return (None, vec![e.finding(file)]),
    };
    let mut findings = Vec::new();
    if let DistFilename::Wheel(w) = &parsed {
        let mut seen = Vec::new();
        for (_, _, plat) in w.tags() {
            if !is_allowed_platform(&plat) && !seen.contains(&plat) {
                findings.push(
                    PLATFORM_TAG_UNSUPPORTED
                        .finding(
                            file,
                            format!(
                                "Binary wheel '{file}' has an unsupported platform tag '{plat}'."
                            ),
                        )
                        .at(plat.clone()),
                );
                seen.push(plat);
            }
        }
        // PyPI writes `{filename}.metadata` next to the upload; NAME_MAX is 255 bytes.
        if file.len() + ".metadata".len() > 255 {
            findings
                .push(FILENAME_TOO_LONG.finding(file, format!("Filename is too long: '{file}'")));
        }
        if let Ok(v) = w.version.parse::<Version>() {
            let normalized = v.to_string();
            if normalized != w.version {
                findings.push(VERSION_NOT_NORMALIZED.finding(
                    file,
                    format!(
                        "The version in the filename is {} but its normalized form is {}",
                        py_repr(&w.version),
                        py_repr(&normalized)
                    ),
                ));
            }
        }
        for component in [&w.python_tags, &w.abi_tags, &w.platform_tags] {
            let mut sorted = component.clone();
            sorted.sort();
            if &sorted != component {
                findings.push(TAGS_UNSORTED.finding(
                    file,
                    format!(
                        "Tag component {} is not in sorted order per PEP 425",
                        py_repr(&component.join("."))
                    ),
                ));
            }
        }
        let empty_tag = [&w.python_tags, &w.abi_tags, &w.platform_tags]
            .iter()
            .any(|c| c.iter().any(String::is_empty));
        if w.name.is_empty() || empty_tag {
            findings.push(TAG_MALFORMED.finding(
                file,
                format!(
                    "The wheel filename {} has an empty name or tag component",
                    py_repr(file)
                ),
            ));
        }
    }
    (Some(parsed), findings)
}

/// The rules tying the filename to the metadata's Name and Version (PyPI's checks after it has
/// parsed the metadata). `name`/`version` are the metadata values; rules whose input is invalid
/// are left to the metadata rules.
pub fn check_filename_against_metadata(
    file: &str,
    parsed: &DistFilename,
    name: Option<&str>,
    version: Option<&str>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let name = name.map(str::trim).filter(|n| is_valid_name(n));
    let meta_version = version.and_then(|v| v.parse::<Version>().ok());
    match parsed {
        DistFilename::Wheel(w) => {
            if let Some(name) = name {
                let canonical = canonicalize_name(name);
                let expected = canonical.replace('-', "_");
                if canonicalize_name(&w.name) != canonical {
                    findings.push(WHEEL_NAME_MISMATCH.finding(
                        file,
                        format!(
                            "Start filename for {} with {}.",
                            py_repr(name),
                            py_repr(&expected)
                        ),
                    ));
                } else if w.name != expected {
                    findings.push(WHEEL_NAME_NOT_NORMALIZED.finding(
                        file,
                        format!(
                            "Filename {} should contain the normalized project name {}, not {}.",
                            py_repr(file),
                            py_repr(&expected),
                            py_repr(&w.name)
                        ),
                    ));
                }
            }
            if let (Some(meta_version), Ok(file_version)) =
                (&meta_version, w.version.parse::<Version>())
                && *meta_version != file_version
            {
                findings.push(VERSION_MISMATCH.finding(
                    file,
                    format!(
                        "Version in filename should be {} not {}.",
                        py_repr(&meta_version.to_string()),
                        py_repr(&file_version.to_string())
                    ),
                ));
            }
        }
        DistFilename::Sdist(s) => {
            let Some(name) = name else {
                return findings;
            };
            let canonical = canonicalize_name(name);
            let mut name_from_filename = canonicalize_name(&s.name);
            // Warehouse's special case: a post-release written with a hyphen (`1.0-1`).
            if let Some(v) = &meta_version
                && v.is_post()
                && name_from_filename != canonical
                && file.matches('-').count() >= 2
                && let Some((head, _)) = file.rsplit_once('-')
                && let Some((candidate, _)) = head.rsplit_once('-')
                && let Some(ver) = file
                    .get(candidate.len() + 1..)
                    .and_then(|t| t.strip_suffix(s.extension.as_str()))
                && ver.parse::<Version>().is_ok()
            {
                name_from_filename = canonicalize_name(candidate);
            }
            let expected_name = canonical.replace('-', "_");
            if name_from_filename != canonical {
                findings.push(SDIST_NAME_MISMATCH.finding(
                    file,
                    format!(
                        "Start filename for {} with {}.",
                        py_repr(name),
                        py_repr(&expected_name)
                    ),
                ));
                return findings;
            }
            if let Some(v) = &meta_version {
                let expected = format!("{expected_name}-{v}.tar.gz");
                if file != expected {
                    let mut f = SDIST_FILENAME_NOT_PEP625.finding(
                        file,
                        format!(
                            "Filename {} is invalid, should be {}.",
                            py_repr(file),
                            py_repr(&expected)
                        ),
                    );
                    if s.extension == ".zip" {
                        f = f.hint(
                            "PyPI accepts sdists only as .tar.gz (PEP 625); build a .tar.gz sdist",
                        );
                    }
                    findings.push(f);
                }
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel(f: &str) -> WheelFilename {
        match DistFilename::parse(f) {
            Ok(DistFilename::Wheel(w)) => w,
            other => panic!("{f}: {other:?}"),
        }
    }

    #[test]
    fn parses_wheels() {
        let w = wheel("foo_bar-1.0-2abc-py2.py3-none-any.whl");
        assert_eq!(w.name, "foo_bar");
        assert_eq!(w.version, "1.0");
        assert_eq!(w.build.as_deref(), Some("2abc"));
        assert_eq!(w.python_tags, ["py2", "py3"]);
        assert_eq!(w.tag_strings(), ["py2-none-any", "py3-none-any"]);
        assert_eq!(w.dist_info_prefix(), "foo_bar-1.0");
    }

    #[test]
    fn wheel_errors_match_packaging() {
        let err = |f: &str| DistFilename::parse(f).unwrap_err().to_string();
        assert_eq!(
            err("foo-1.0-py3-any.whl"),
            "Invalid wheel filename (wrong number of parts): 'foo-1.0-py3-any'"
        );
        assert_eq!(
            err("foo__bar-1.0-py3-none-any.whl"),
            "Invalid project name: 'foo__bar-1.0-py3-none-any'"
        );
        assert_eq!(
            err("foo-bar-1.0-py3-none-any.whl"),
            "Invalid wheel filename (invalid version): 'foo-bar-1.0-py3-none-any'"
        );
        assert_eq!(
            err("foo-1.0-abc-py3-none-any.whl"),
            "Invalid build number: abc in 'foo-1.0-abc-py3-none-any'"
        );
        assert!(DistFilename::parse("foo-1.0-1-py3-none-any.whl").is_ok());
    }

    #[test]
    fn sdists_split_on_last_dash() {
        match DistFilename::parse("foo-bar-1.0.tar.gz").unwrap() {
            DistFilename::Sdist(s) => {
                assert_eq!((s.name.as_str(), s.version.as_str()), ("foo-bar", "1.0"));
                assert_eq!(s.extension, ".tar.gz");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            DistFilename::parse("foo.tar.gz").unwrap_err().to_string(),
            "Invalid source distribution filename: foo.tar.gz"
        );
    }

    #[test]
    fn extensions() {
        assert_eq!(
            DistFilename::parse("foo-1.0.egg").unwrap_err(),
            FilenameError::UnknownExtension
        );
        assert_eq!(
            DistFilename::parse("foo-1.0.tar.bz2").unwrap_err(),
            FilenameError::UnknownExtension
        );
        assert_eq!(
            DistFilename::parse("foo-1.0-py3-none-any.WHL")
                .unwrap_err()
                .to_string(),
            "Invalid file extension: Extension .WHL is invalid for filetype bdist_wheel. See https://www.python.org/dev/peps/pep-0527 for more information."
        );
        assert_eq!(
            DistFilename::parse("a\u{7f}-1.0.tar.gz").unwrap_err(),
            FilenameError::NonPrintable
        );
    }

    #[test]
    fn platform_allow_list() {
        for ok in [
            "any",
            "win_amd64",
            "manylinux2014_x86_64",
            "manylinux_2_17_x86_64",
            "manylinux_2_28_ppc64",
            "musllinux_1_2_riscv64",
            "macosx_10_9_x86_64",
            "macosx_11_0_arm64",
            "macosx_26_0_universal2",
            "ios_13_0_arm64_iphoneos",
            "ios_13_0_x86_64_iphonesimulator",
            "android_21_arm64_v8a",
            "pyemscripten_2024_0_wasm32",
            "linux_armv7l",
        ] {
            assert!(is_allowed_platform(ok), "{ok}");
        }
        for bad in [
            "linux_x86_64",
            "linux_aarch64",
            "macosx_11_1_arm64",
            "musllinux_1_2_ppc64",
            "emscripten_3_1_58_wasm32",
            "manylinux_2_17",
            "macosx_10_9_sparc",
        ] {
            assert!(!is_allowed_platform(bad), "{bad}");
        }
    }

    #[test]
    fn versions_compare_by_pep440() {
        let parsed = DistFilename::parse("foo-1.0.0-py3-none-any.whl").unwrap();
        assert!(check_filename_against_metadata("f", &parsed, Some("foo"), Some("1.0")).is_empty());
        let f = check_filename_against_metadata("f", &parsed, Some("foo"), Some("1.1"));
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "Version in filename should be '1.1' not '1.0.0'."
        );
    }
}

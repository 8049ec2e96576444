//! Where a Python project keeps its version, reading it, and rewriting it byte-exactly.
//!
//! Every place is located as a byte range in its file; an edit replaces that range and nothing
//! else, so comments, quoting and layout survive.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use regex::Regex;
use uv_pep440::Version;

use crate::config::Pyproject;
use crate::scm::{ScmSettings, settings};

/// Why the version could not be found or changed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum VersionError {
    /// Configuration or file problem (exit 2).
    #[error("{0}")]
    Config(String),
    /// The places disagree (exit 1).
    #[error("{0}")]
    Disagree(String),
}

/// Which mechanism a place belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// `[project] version`
    Project,
    /// `[tool.poetry] version`
    Poetry,
    /// `[tool.hatch.version] path`
    Hatch,
    /// `[tool.setuptools.dynamic] version = { attr = ... }`
    SetuptoolsAttr,
    /// `[tool.setuptools.dynamic] version = { file = ... }`
    SetuptoolsFile,
    /// flit's `__version__`
    Flit,
    /// `[tool.pdm.version] source = "file"`
    PdmFile,
    /// `[tool.shipwheel] version-files`
    VersionFile,
}

/// A VCS-derived version backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VcsBackend {
    HatchVcs,
    SetuptoolsScm,
    PdmScm,
}

impl fmt::Display for VcsBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VcsBackend::HatchVcs => "hatch-vcs ([tool.hatch.version] source = \"vcs\")",
            VcsBackend::SetuptoolsScm => "setuptools-scm",
            VcsBackend::PdmScm => "pdm-backend ([tool.pdm.version] source = \"scm\")",
        })
    }
}

/// One place that holds the version.
#[derive(Clone, Debug)]
pub struct Place {
    pub kind: SourceKind,
    /// Relative to the project root.
    pub file: PathBuf,
    /// Human description, e.g. `pyproject.toml [project].version`.
    pub label: String,
    /// Byte range of the version text inside the file.
    pub range: Range<usize>,
    /// The text as written.
    pub text: String,
}

impl Place {
    pub fn version(&self) -> Result<Version, String> {
        Version::from_str(&self.text).map_err(|e| {
            format!(
                "{}: {:?} is not a PEP 440 version: {e}",
                self.label, self.text
            )
        })
    }
}

/// Everything known about the project's version.
#[derive(Clone, Debug)]
pub struct Discovery {
    pub places: Vec<Place>,
    pub vcs: Option<VcsBackend>,
    /// How the backend derives the version from git (with `vcs`).
    pub scm: Option<ScmSettings>,
}

impl Discovery {
    /// The one version all static places agree on.
    pub fn agreed(&self) -> Result<Version, VersionError> {
        let mut parsed = Vec::new();
        let mut errors = Vec::new();
        for place in &self.places {
            match place.version() {
                Ok(v) => parsed.push((place, v)),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(VersionError::Config(errors.join("\n")));
        }
        let Some((_, first)) = parsed.first() else {
            return Err(VersionError::Config("no version found".into()));
        };
        if parsed.iter().all(|(_, v)| v == first) {
            return Ok(first.clone());
        }
        let mut msg = String::from("the version is not the same everywhere:");
        for (place, _) in &parsed {
            msg.push_str(&format!("\n  {} = {}", place.label, place.text));
        }
        msg.push_str(
            "\nmake them agree, e.g. `shipwheel version set <VERSION>` rewrites all of them",
        );
        Err(VersionError::Disagree(msg))
    }
}

/// Assignment of a version string to one of the given names in Python source.
fn assignment_regex(names: &str) -> Regex {
    Regex::new(&format!(
        r#"(?m)^[ \t]*(?:{names})[ \t]*(?::[^=\n]*)?=[ \t]*[rRuU]?["'](?P<version>[^"'\n]*)["']"#
    ))
    .unwrap_or_else(|_| unreachable!("built from fixed identifiers"))
}

fn identifier(name: &str) -> Result<&str, VersionError> {
    if !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
    {
        Ok(name)
    } else {
        Err(VersionError::Config(format!(
            "{name:?} is not a Python identifier"
        )))
    }
}

fn read(root: &Path, rel: &Path) -> Result<String, VersionError> {
    std::fs::read_to_string(root.join(rel))
        .map_err(|e| VersionError::Config(format!("cannot read {}: {e}", root.join(rel).display())))
}

/// Find the version in a file's text with a regex that has a `version` group.
fn find_with(
    regex: &Regex,
    text: &str,
    kind: SourceKind,
    file: &Path,
    label: String,
) -> Option<Place> {
    let caps = regex.captures(text)?;
    let m = caps.name("version")?;
    Some(Place {
        kind,
        file: file.to_path_buf(),
        label,
        range: m.range(),
        text: m.as_str().to_string(),
    })
}

/// A version assigned in a Python file (`__version__ = "..."`), or a bare VERSION text file.
fn python_place(
    root: &Path,
    rel: &Path,
    names: &str,
    kind: SourceKind,
    label: String,
) -> Result<Place, VersionError> {
    let text = read(root, rel)?;
    if let Some(place) = find_with(
        &assignment_regex(names),
        &text,
        kind.clone(),
        rel,
        label.clone(),
    ) {
        return Ok(place);
    }
    let trimmed = text.trim();
    if !trimmed.is_empty()
        && !trimmed.contains(char::is_whitespace)
        && rel.extension().is_none_or(|e| e != "py")
    {
        let start = text.find(trimmed).unwrap_or(0);
        return Ok(Place {
            kind,
            file: rel.to_path_buf(),
            label,
            range: start..start + trimmed.len(),
            text: trimmed.to_string(),
        });
    }
    Err(VersionError::Config(format!(
        "{}: no `{}` assignment with a literal string found in {}",
        label,
        names.replace('|', "` or `"),
        rel.display()
    )))
}

/// A string value in pyproject.toml located with toml_edit's spans.
fn toml_place(
    py: &Pyproject,
    keys: &[&str],
    kind: SourceKind,
) -> Result<Option<Place>, VersionError> {
    let doc = toml_edit::Document::parse(py.text.as_str())
        .map_err(|e| VersionError::Config(format!("{}: {e}", py.path.display())))?;
    let mut item: &toml_edit::Item = doc.as_item();
    for key in keys {
        match item.get(key) {
            Some(next) => item = next,
            None => return Ok(None),
        }
    }
    let label = format!(
        "pyproject.toml [{}].{}",
        keys[..keys.len() - 1].join("."),
        keys[keys.len() - 1]
    );
    let Some(value) = item.as_value() else {
        return Err(VersionError::Config(format!("{label} must be a string")));
    };
    let (Some(text), Some(span)) = (value.as_str(), value.span()) else {
        return Err(VersionError::Config(format!("{label} must be a string")));
    };
    let raw = py.text.get(span.clone()).unwrap_or("");
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    let inner = span.start + quote..span.end.saturating_sub(quote);
    if py.text.get(inner.clone()) != Some(text) {
        return Err(VersionError::Config(format!(
            "{label}: write the version without escapes so it can be edited in place"
        )));
    }
    Ok(Some(Place {
        kind,
        file: PathBuf::from("pyproject.toml"),
        label,
        range: inner,
        text: text.to_string(),
    }))
}

/// Python module file for a dotted module path, searched in the usual layouts.
fn module_file(root: &Path, module: &str, package_dirs: &[String]) -> Option<PathBuf> {
    let parts: Vec<&str> = module.split('.').collect();
    let rel = parts.join("/");
    let mut bases: Vec<String> = package_dirs.to_vec();
    for b in ["src", ""] {
        if !bases.iter().any(|x| x == b) {
            bases.push(b.to_string());
        }
    }
    for base in bases {
        let base = PathBuf::from(base);
        for candidate in [
            base.join(&rel).join("__init__.py"),
            base.join(format!("{rel}.py")),
        ] {
            if root.join(&candidate).is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Find every place the project keeps its version.
pub fn discover(py: &Pyproject) -> Result<Discovery, VersionError> {
    let root = py.root.as_path();
    let mut places = Vec::new();
    let vcs = detect_vcs(py);

    if let Some(p) = toml_place(py, &["project", "version"], SourceKind::Project)? {
        places.push(p);
    }
    if let Some(p) = toml_place(py, &["tool", "poetry", "version"], SourceKind::Poetry)? {
        places.push(p);
    }

    let dynamic = py.version_is_dynamic();
    if dynamic {
        let backend = py.build_backend().unwrap_or("");
        let hatch = py.get(&["tool", "hatch", "version"]);
        let setuptools = py.get(&["tool", "setuptools", "dynamic", "version"]);
        let pdm = py.get(&["tool", "pdm", "version"]);
        if let Some(hatch) = hatch.and_then(|h| h.as_table()) {
            let source = hatch
                .get("source")
                .and_then(|s| s.as_str())
                .unwrap_or("regex");
            match source {
                "vcs" => {}
                "regex" => {
                    let path = hatch.get("path").and_then(|p| p.as_str()).ok_or_else(|| {
                        VersionError::Config(
                            "[tool.hatch.version] needs `path` (or source = \"vcs\")".into(),
                        )
                    })?;
                    let label = format!("{path} (from [tool.hatch.version] path)");
                    let place = match hatch.get("pattern").and_then(|p| p.as_str()) {
                        Some(pattern) => {
                            let re = Regex::new(pattern).map_err(|e| {
                                VersionError::Config(format!("[tool.hatch.version] pattern: {e}"))
                            })?;
                            let text = read(root, Path::new(path))?;
                            find_with(&re, &text, SourceKind::Hatch, Path::new(path), label.clone())
                                .ok_or_else(|| {
                                    VersionError::Config(format!(
                                        "{label}: [tool.hatch.version] pattern does not match (it needs a `version` group)"
                                    ))
                                })?
                        }
                        None => python_place(
                            root,
                            Path::new(path),
                            "__version__|VERSION",
                            SourceKind::Hatch,
                            label,
                        )?,
                    };
                    places.push(place);
                }
                other => {
                    return Err(VersionError::Config(format!(
                        "[tool.hatch.version] source = {other:?} is not supported; use \"regex\" (path = ...) or \"vcs\""
                    )));
                }
            }
        } else if let Some(pdm) = pdm.and_then(|p| p.as_table()) {
            match pdm.get("source").and_then(|s| s.as_str()) {
                Some("scm") => {}
                Some("file") => {
                    let path = pdm.get("path").and_then(|p| p.as_str()).ok_or_else(|| {
                        VersionError::Config(
                            "[tool.pdm.version] source = \"file\" needs `path`".into(),
                        )
                    })?;
                    places.push(python_place(
                        root,
                        Path::new(path),
                        "__version__",
                        SourceKind::PdmFile,
                        format!("{path} (from [tool.pdm.version] path)"),
                    )?);
                }
                other => {
                    return Err(VersionError::Config(format!(
                        "[tool.pdm.version] source = {other:?} is not supported; use \"file\" or \"scm\""
                    )));
                }
            }
        } else if let Some(setuptools) = setuptools.and_then(|s| s.as_table()) {
            if let Some(attr) = setuptools.get("attr").and_then(|a| a.as_str()) {
                let (module, name) = attr.rsplit_once('.').ok_or_else(|| {
                    VersionError::Config(format!(
                        "[tool.setuptools.dynamic] version attr {attr:?} must be module.attribute"
                    ))
                })?;
                let name = identifier(name)?;
                let mut package_dirs = Vec::new();
                if let Some(d) = py.get_str(&["tool", "setuptools", "package-dir", ""]) {
                    package_dirs.push(d.to_string());
                }
                let file = module_file(root, module, &package_dirs).ok_or_else(|| {
                    VersionError::Config(format!(
                        "[tool.setuptools.dynamic] version attr {attr:?}: module {module} not found under src/ or the project root"
                    ))
                })?;
                places.push(python_place(
                    root,
                    &file,
                    name,
                    SourceKind::SetuptoolsAttr,
                    format!(
                        "{} (from [tool.setuptools.dynamic] attr {attr})",
                        file.display()
                    ),
                )?);
            } else if let Some(file) = setuptools.get("file") {
                let file = file
                    .as_str()
                    .or_else(|| {
                        file.as_array()
                            .and_then(|a| a.first())
                            .and_then(|f| f.as_str())
                    })
                    .ok_or_else(|| {
                        VersionError::Config(
                            "[tool.setuptools.dynamic] version file must be a path".into(),
                        )
                    })?;
                let text = read(root, Path::new(file))?;
                let trimmed = text.trim();
                let start = text.find(trimmed).unwrap_or(0);
                places.push(Place {
                    kind: SourceKind::SetuptoolsFile,
                    file: PathBuf::from(file),
                    label: format!("{file} (from [tool.setuptools.dynamic] file)"),
                    range: start..start + trimmed.len(),
                    text: trimmed.to_string(),
                });
            } else {
                return Err(VersionError::Config(
                    "[tool.setuptools.dynamic] version needs `attr` or `file`".into(),
                ));
            }
        } else if vcs.is_some() {
            // setuptools-scm: nothing to find in files.
        } else if backend.starts_with("flit_core") {
            let module = py
                .get_str(&["tool", "flit", "module", "name"])
                .map(str::to_string)
                .or_else(|| py.name().map(|n| n.replace(['-', '.'], "_")))
                .ok_or_else(|| VersionError::Config("flit project without a name".into()))?;
            let file = module_file(root, &module, &[]).ok_or_else(|| {
                VersionError::Config(format!(
                    "flit: module {module} not found (looked for {module}/__init__.py and {module}.py, also under src/)"
                ))
            })?;
            places.push(python_place(
                root,
                &file,
                "__version__",
                SourceKind::Flit,
                format!("{} (flit __version__)", file.display()),
            )?);
        } else if places.is_empty() {
            return Err(VersionError::Config(format!(
                "[project] dynamic lists \"version\" but shipwheel cannot tell where the build backend ({}) gets it; \
                 list the file in [tool.shipwheel] version-files",
                if backend.is_empty() {
                    "unknown"
                } else {
                    backend
                }
            )));
        }
    }

    if vcs.is_none() {
        for vf in &py.shipwheel.version_files {
            let label = format!(
                "{} (from [tool.shipwheel] version-files)",
                vf.path.display()
            );
            let place = match &vf.pattern {
                Some(pattern) => {
                    let re =
                        Regex::new(pattern).map_err(|e| VersionError::Config(e.to_string()))?;
                    let text = read(root, &vf.path)?;
                    find_with(&re, &text, SourceKind::VersionFile, &vf.path, label.clone())
                        .ok_or_else(|| {
                            VersionError::Config(format!("{label}: the pattern does not match"))
                        })?
                }
                None => python_place(
                    root,
                    &vf.path,
                    "__version__|VERSION|version|release",
                    SourceKind::VersionFile,
                    label,
                )?,
            };
            places.push(place);
        }
    }

    if places.is_empty() && vcs.is_none() {
        return Err(VersionError::Config(format!(
            "no version found in {}: set [project] version, or list \"version\" in [project] dynamic with a build-backend source",
            py.path.display()
        )));
    }
    let scm = vcs.map(|backend| settings(py, backend)).transpose()?;
    Ok(Discovery { places, vcs, scm })
}

/// The VCS backend that derives the version, when `[project] dynamic` lists it and the
/// backend's configuration says it comes from git tags.
pub fn detect_vcs(py: &Pyproject) -> Option<VcsBackend> {
    if !py.version_is_dynamic() {
        return None;
    }
    let source = |keys: &[&str]| {
        py.get(keys)
            .and_then(|t| t.as_table())
            .map(|t| t.get("source").and_then(|s| s.as_str()))
    };
    if let Some(hatch) = source(&["tool", "hatch", "version"]) {
        return (hatch == Some("vcs")).then_some(VcsBackend::HatchVcs);
    }
    if let Some(pdm) = source(&["tool", "pdm", "version"]) {
        return (pdm == Some("scm")).then_some(VcsBackend::PdmScm);
    }
    if py
        .get(&["tool", "setuptools", "dynamic", "version"])
        .is_some_and(|v| v.is_table())
    {
        return None;
    }
    let scm = py.get(&["tool", "setuptools_scm"]).is_some()
        || py.build_requires().iter().any(|r| {
            r.to_ascii_lowercase()
                .replace('_', "-")
                .starts_with("setuptools-scm")
        });
    scm.then_some(VcsBackend::SetuptoolsScm)
}

/// Rewrite one file's text with the given ranges replaced by `new` (ranges must not overlap).
pub fn replace_ranges(text: &str, ranges: &[Range<usize>], new: &str) -> Result<String, String> {
    let mut sorted: Vec<&Range<usize>> = ranges.iter().collect();
    sorted.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len() + new.len());
    let mut pos = 0;
    for r in sorted {
        if r.start < pos
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            return Err("version ranges overlap or lie outside the file".into());
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(new);
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

/// The new contents of every file that holds the version (pure; nothing written).
pub fn edits(
    root: &Path,
    places: &[Place],
    new: &Version,
) -> Result<Vec<(PathBuf, String)>, VersionError> {
    let new_text = new.to_string();
    let mut files: Vec<PathBuf> = places.iter().map(|p| p.file.clone()).collect();
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for file in files {
        let text = read(root, &file)?;
        let ranges: Vec<Range<usize>> = places
            .iter()
            .filter(|p| p.file == file)
            .map(|p| p.range.clone())
            .collect();
        let edited = replace_ranges(&text, &ranges, &new_text)
            .map_err(|e| VersionError::Config(format!("{}: {e}", file.display())))?;
        out.push((file, edited));
    }
    Ok(out)
}

/// Write the version to every place. All new contents are computed first and each file is
/// replaced by a rename, so an error leaves no half-edited project behind.
pub fn write_version(
    root: &Path,
    places: &[Place],
    new: &Version,
) -> Result<Vec<PathBuf>, VersionError> {
    let planned = edits(root, places, new)?;
    let mut staged = Vec::new();
    for (file, text) in &planned {
        let target = root.join(file);
        let tmp = target.with_file_name(format!(
            ".{}.shipwheel-tmp",
            target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("version")
        ));
        if let Err(e) = std::fs::write(&tmp, text) {
            for (t, _) in &staged {
                let _ = std::fs::remove_file(t);
            }
            return Err(VersionError::Config(format!(
                "cannot write {}: {e}",
                tmp.display()
            )));
        }
        if let Ok(meta) = std::fs::metadata(&target) {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        staged.push((tmp, target));
    }
    for (tmp, target) in &staged {
        std::fs::rename(tmp, target).map_err(|e| {
            VersionError::Config(format!("cannot replace {}: {e}", target.display()))
        })?;
    }
    Ok(planned.into_iter().map(|(f, _)| f).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_replace_only_the_version() {
        let t = "a = '1.0'\nb = \"1.0\"\n";
        let out = replace_ranges(t, &[15..18, 5..8], "2.0").unwrap();
        assert_eq!(out, "a = '2.0'\nb = \"2.0\"\n");
        assert!(replace_ranges(t, &[5..8, 6..9], "x").is_err());
        let outside: Vec<std::ops::Range<usize>> = std::iter::once(5..80).collect();
        assert!(replace_ranges(t, &outside, "x").is_err());
    }

    #[test]
    fn python_assignments() {
        let re = assignment_regex("__version__|VERSION");
        let src = "\"\"\"doc\"\"\"\n__version__: str = '1.2.3'  # keep\n";
        let c = re.captures(src).unwrap();
        assert_eq!(&c["version"], "1.2.3");
        assert!(re.captures("x__version__ = '1'\n").is_none());
        assert_eq!(&re.captures("VERSION=\"2\"").unwrap()["version"], "2");
    }
}

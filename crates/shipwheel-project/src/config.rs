//! `pyproject.toml` and the `[tool.shipwheel]` table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::str::FromStr;

use regex::Regex;
use uv_pep440::Version;

use crate::scm::{ScmSettings, TagRegex};

/// A problem with the project's configuration (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}{}", read_hint(source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

fn read_hint(e: &std::io::Error) -> &'static str {
    if e.kind() == std::io::ErrorKind::NotFound {
        "; run shipwheel in the project's directory or pass --project DIR"
    } else {
        ""
    }
}

/// The keys `[tool.shipwheel]` understands here; sub-tables belong to other commands.
const KNOWN_KEYS: &[&str] = &[
    "tag-pattern",
    "default-branch",
    "release-branches",
    "maintenance-branches",
    "dev-target",
    "release-target",
    "version-files",
    "index-urls",
];

/// Which tags are release tags, and the version each one stands for: a `{version}` template
/// such as `v{version}` (`[tool.shipwheel] tag-pattern`), or the build backend's own tag rules
/// for projects versioned by git tags.
#[derive(Clone, Debug)]
pub struct TagPattern {
    /// As configured: the template, or the backend's regex.
    pattern: String,
    /// Where the pattern comes from, for messages, e.g. `tag-pattern "v{version}"`.
    origin: String,
    /// The tag a new version gets.
    template: String,
    matcher: Matcher,
}

#[derive(Clone, Debug)]
enum Matcher {
    Template(TagRegex),
    Backend(Box<ScmSettings>),
}

impl TagPattern {
    /// Parse a pattern: it must contain `{version}` exactly once.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let parts: Vec<&str> = pattern.split("{version}").collect();
        let [prefix, suffix] = parts.as_slice() else {
            return Err(format!(
                "tag-pattern {pattern:?} must contain {{version}} exactly once, e.g. \"v{{version}}\""
            ));
        };
        if prefix.contains(['{', '}']) || suffix.contains(['{', '}']) {
            return Err(format!(
                "tag-pattern {pattern:?} may only use the {{version}} placeholder"
            ));
        }
        let regex = TagRegex::compile(
            &format!(
                "^{}(?P<version>.+?){}$",
                regex::escape(prefix),
                regex::escape(suffix)
            ),
            "tag-pattern",
        )?;
        Ok(TagPattern {
            pattern: pattern.to_string(),
            origin: format!("tag-pattern \"{pattern}\""),
            template: pattern.to_string(),
            matcher: Matcher::Template(regex),
        })
    }

    /// The backend's tag rules (for a project versioned by git tags without a `tag-pattern`).
    /// New tags follow `template` (e.g. the form of the latest tag).
    pub fn from_backend(settings: &ScmSettings, template: &str) -> Self {
        TagPattern {
            pattern: settings.regex.as_str().to_string(),
            origin: format!(
                "{} \"{}\" (as {} reads tags)",
                settings.regex_origin,
                settings.regex.as_str(),
                settings.backend
            ),
            template: template.to_string(),
            matcher: Matcher::Backend(Box::new(settings.clone())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Where the pattern comes from, quoted, for messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// True for the build backend's own tag rules.
    pub fn is_backend(&self) -> bool {
        matches!(self.matcher, Matcher::Backend(_))
    }

    /// The version a tag stands for: `None` when the tag is not a release tag; an error when
    /// the tag looks like one but its version cannot be read.
    pub fn tag_version(&self, tag: &str) -> Result<Option<Version>, String> {
        match &self.matcher {
            Matcher::Template(regex) => match regex.captures(tag).and_then(|m| m.version) {
                None => Ok(None),
                Some(text) => Version::from_str(text)
                    .map(Some)
                    .map_err(|e| format!("{text:?} is not a PEP 440 version ({e})")),
            },
            Matcher::Backend(settings) => settings.tag_version(tag),
        }
    }

    /// The tag for a version.
    pub fn tag_for(&self, version: &str) -> String {
        self.template.replace("{version}", version)
    }

    /// A `git describe --match` / `git tag -l` glob for tags of this pattern.
    pub fn glob(&self) -> String {
        match &self.matcher {
            Matcher::Template(_) => self.template.replace("{version}", "*"),
            Matcher::Backend(settings) => settings.glob.clone(),
        }
    }
}

impl Default for TagPattern {
    fn default() -> Self {
        // The default pattern is a constant that always parses.
        TagPattern::new("v{version}").unwrap_or_else(|_| unreachable!())
    }
}

/// An extra file that carries the version (`[tool.shipwheel] version-files`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionFile {
    /// Relative to the project root.
    pub path: PathBuf,
    /// A regex with a `version` named group; `None` = the default assignment pattern.
    pub pattern: Option<String>,
}

/// `[tool.shipwheel]`, with defaults filled in.
#[derive(Clone, Debug)]
pub struct ShipwheelConfig {
    pub tag_pattern: TagPattern,
    /// `tag-pattern` was written in `[tool.shipwheel]` (otherwise a project versioned by git
    /// tags uses its backend's tag rules).
    pub tag_pattern_configured: bool,
    /// Used only when the CI event does not say which branch is the default one.
    pub default_branch: Option<String>,
    /// Branches (glob `*` allowed) whose commits may be released besides the default branch.
    pub release_branches: Vec<String>,
    /// Release branches from which older versions than the latest may be released.
    pub maintenance_branches: Vec<String>,
    /// Target for pushes to the default branch: `testpypi` (default) or `none`.
    pub dev_target: Option<String>,
    /// Target for release tags: `pypi` (default) or `testpypi`.
    pub release_target: String,
    pub version_files: Vec<VersionFile>,
    /// Simple-index URL overrides by target name.
    pub index_urls: BTreeMap<String, String>,
}

impl Default for ShipwheelConfig {
    fn default() -> Self {
        ShipwheelConfig {
            tag_pattern: TagPattern::default(),
            tag_pattern_configured: false,
            default_branch: None,
            release_branches: Vec::new(),
            maintenance_branches: Vec::new(),
            dev_target: Some("testpypi".into()),
            release_target: "pypi".into(),
            version_files: Vec::new(),
            index_urls: BTreeMap::new(),
        }
    }
}

/// A loaded `pyproject.toml`.
#[derive(Clone, Debug)]
pub struct Pyproject {
    /// Directory holding pyproject.toml.
    pub root: PathBuf,
    pub path: PathBuf,
    pub text: String,
    pub table: toml::Table,
    pub shipwheel: ShipwheelConfig,
}

impl Pyproject {
    /// Read `<root>/pyproject.toml`.
    pub fn load(root: &Path) -> Result<Self, ConfigError> {
        let path = root.join("pyproject.toml");
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Self::parse(root, text)
    }

    /// Parse pyproject text that lives in `root`.
    pub fn parse(root: &Path, text: String) -> Result<Self, ConfigError> {
        let path = root.join("pyproject.toml");
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::Toml {
                path: path.clone(),
                message: e.to_string().trim_end().to_string(),
            })?;
        let shipwheel = parse_shipwheel(&table).map_err(|message| ConfigError::Invalid {
            path: path.clone(),
            message,
        })?;
        Ok(Pyproject {
            root: root.to_path_buf(),
            path,
            text,
            table,
            shipwheel,
        })
    }

    /// Look up a dotted path of tables, e.g. `["tool", "hatch", "version"]`.
    pub fn get(&self, keys: &[&str]) -> Option<&toml::Value> {
        let (first, rest) = keys.split_first()?;
        let mut value = self.table.get(*first)?;
        for key in rest {
            value = value.as_table()?.get(*key)?;
        }
        Some(value)
    }

    pub fn get_str(&self, keys: &[&str]) -> Option<&str> {
        self.get(keys).and_then(toml::Value::as_str)
    }

    /// The project name from `[project]` or `[tool.poetry]`.
    pub fn name(&self) -> Option<&str> {
        self.get_str(&["project", "name"])
            .or_else(|| self.get_str(&["tool", "poetry", "name"]))
    }

    /// True when `[project] dynamic` lists `version`.
    pub fn version_is_dynamic(&self) -> bool {
        self.get(&["project", "dynamic"])
            .and_then(toml::Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("version")))
    }

    /// `[build-system] build-backend`.
    pub fn build_backend(&self) -> Option<&str> {
        self.get_str(&["build-system", "build-backend"])
    }

    /// `[build-system] requires`, as written.
    pub fn build_requires(&self) -> Vec<&str> {
        self.get(&["build-system", "requires"])
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
            .unwrap_or_default()
    }
}

fn string_list(table: &toml::Table, key: &str) -> Result<Vec<String>, String> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("[tool.shipwheel] {key} must be a list of strings"))
            })
            .collect(),
        Some(_) => Err(format!("[tool.shipwheel] {key} must be a list of strings")),
    }
}

fn opt_string(table: &toml::Table, key: &str) -> Result<Option<String>, String> {
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("[tool.shipwheel] {key} must be a string")),
    }
}

fn target_name(key: &str, value: &str, allow_none: bool) -> Result<(), String> {
    let allowed: &[&str] = if allow_none {
        &["testpypi", "pypi", "none"]
    } else {
        &["testpypi", "pypi"]
    };
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "[tool.shipwheel] {key} = {value:?} is not one of {}",
            allowed.join(", ")
        ))
    }
}

/// Parse `[tool.shipwheel]` (missing = defaults). Unknown keys are errors so typos are caught;
/// sub-tables other than `index-urls` belong to other commands and are left alone.
pub fn parse_shipwheel(pyproject: &toml::Table) -> Result<ShipwheelConfig, String> {
    let mut config = ShipwheelConfig::default();
    let Some(value) = pyproject
        .get("tool")
        .and_then(|t| t.as_table())
        .and_then(|t| t.get("shipwheel"))
    else {
        return Ok(config);
    };
    let table = value.as_table().ok_or("[tool.shipwheel] must be a table")?;
    for (key, value) in table {
        if !KNOWN_KEYS.contains(&key.as_str()) && !value.is_table() {
            return Err(format!(
                "unknown key {key:?} in [tool.shipwheel]; known keys: {}",
                KNOWN_KEYS.join(", ")
            ));
        }
    }
    if let Some(pattern) = opt_string(table, "tag-pattern")? {
        config.tag_pattern = TagPattern::new(&pattern)?;
        config.tag_pattern_configured = true;
    }
    config.default_branch = opt_string(table, "default-branch")?;
    config.release_branches = string_list(table, "release-branches")?;
    config.maintenance_branches = string_list(table, "maintenance-branches")?;
    if let Some(dev) = opt_string(table, "dev-target")? {
        target_name("dev-target", &dev, true)?;
        config.dev_target = (dev != "none").then_some(dev);
    }
    if let Some(release) = opt_string(table, "release-target")? {
        target_name("release-target", &release, false)?;
        config.release_target = release;
    }
    if let Some(files) = table.get("version-files") {
        let items = files
            .as_array()
            .ok_or("[tool.shipwheel] version-files must be a list")?;
        for item in items {
            config.version_files.push(match item {
                toml::Value::String(path) => VersionFile {
                    path: PathBuf::from(path),
                    pattern: None,
                },
                toml::Value::Table(t) => {
                    let path = t.get("path").and_then(|v| v.as_str()).ok_or(
                        "[tool.shipwheel] version-files entries need a path, e.g. { path = \"docs/conf.py\" }",
                    )?;
                    let pattern = match t.get("pattern") {
                        None => None,
                        Some(toml::Value::String(p)) => {
                            let re = Regex::new(p).map_err(|e| {
                                format!("version-files pattern for {path}: {e}")
                            })?;
                            if !re.capture_names().any(|n| n == Some("version")) {
                                return Err(format!(
                                    "version-files pattern for {path} needs a (?P<version>...) group"
                                ));
                            }
                            Some(p.clone())
                        }
                        Some(_) => {
                            return Err(format!("version-files pattern for {path} must be a string"));
                        }
                    };
                    VersionFile {
                        path: PathBuf::from(path),
                        pattern,
                    }
                }
                _ => {
                    return Err(
                        "[tool.shipwheel] version-files entries are paths or { path, pattern } tables"
                            .into(),
                    );
                }
            });
        }
    }
    if let Some(urls) = table.get("index-urls") {
        let urls = urls
            .as_table()
            .ok_or("[tool.shipwheel.index-urls] must be a table of target = URL")?;
        for (name, url) in urls {
            target_name("index-urls", name, false)?;
            let url = url.as_str().ok_or_else(|| {
                format!("[tool.shipwheel.index-urls] {name} must be a URL string")
            })?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "[tool.shipwheel.index-urls] {name} = {url:?} must be an http(s) URL"
                ));
            }
            config.index_urls.insert(name.clone(), url.to_string());
        }
    }
    Ok(config)
}

/// Match a branch name against a pattern where `*` matches any run of characters.
pub fn branch_matches(pattern: &str, branch: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == branch;
    }
    let mut rest = branch;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ShipwheelConfig, String> {
        parse_shipwheel(&text.parse::<toml::Table>().unwrap())
    }

    #[test]
    fn defaults_without_table() {
        let c = parse("[project]\nname='x'\n").unwrap();
        assert_eq!(c.tag_pattern.as_str(), "v{version}");
        assert_eq!(c.dev_target.as_deref(), Some("testpypi"));
        assert_eq!(c.release_target, "pypi");
    }

    #[test]
    fn tag_patterns() {
        let p = TagPattern::new("release-{version}").unwrap();
        let v = |p: &TagPattern, t: &str| p.tag_version(t).unwrap().map(|v| v.to_string());
        assert_eq!(v(&p, "release-1.2").as_deref(), Some("1.2"));
        assert_eq!(v(&p, "v1.2"), None);
        assert!(p.tag_version("release-x").is_err());
        assert_eq!(p.tag_for("1.2"), "release-1.2");
        assert_eq!(p.glob(), "release-*");
        let bare = TagPattern::new("{version}").unwrap();
        assert_eq!(v(&bare, "1.0").as_deref(), Some("1.0"));
        assert!(TagPattern::new("v").is_err());
        assert!(TagPattern::new("{version}-{version}").is_err());
        assert!(TagPattern::new("{name}-{version}").is_err());
        assert_eq!(
            v(&TagPattern::default(), "v2.0rc1").as_deref(),
            Some("2.0rc1")
        );
    }

    #[test]
    fn full_table() {
        let c = parse(
            r#"
[tool.shipwheel]
tag-pattern = "{version}"
release-branches = ["release/*"]
maintenance-branches = ["maint/*"]
dev-target = "none"
version-files = ["src/x/__init__.py", { path = "docs/conf.py", pattern = 'release = "(?P<version>[^"]+)"' }]
[tool.shipwheel.index-urls]
testpypi = "http://127.0.0.1:1/simple/"
[tool.shipwheel.publish]
anything = 1
"#,
        )
        .unwrap();
        assert_eq!(c.dev_target, None);
        assert_eq!(c.release_branches, ["release/*"]);
        assert_eq!(c.version_files.len(), 2);
        assert!(c.version_files[1].pattern.is_some());
        assert_eq!(c.index_urls["testpypi"], "http://127.0.0.1:1/simple/");
    }

    #[test]
    fn typos_are_errors() {
        let e = parse("[tool.shipwheel]\ntag-patern = 'v{version}'\n").unwrap_err();
        assert!(e.contains("unknown key \"tag-patern\""), "{e}");
        assert!(parse("[tool.shipwheel]\ndev-target = 'prod'\n").is_err());
        assert!(parse("[tool.shipwheel]\nrelease-branches = 'main'\n").is_err());
        assert!(
            parse("[tool.shipwheel]\nversion-files = [{ path = 'a', pattern = 'x' }]\n").is_err()
        );
        assert!(parse("[tool.shipwheel.index-urls]\npypi = 'ftp://x'\n").is_err());
    }

    #[test]
    fn branch_globs() {
        assert!(branch_matches("main", "main"));
        assert!(!branch_matches("main", "main2"));
        assert!(branch_matches("release/*", "release/1.x"));
        assert!(!branch_matches("release/*", "feature/x"));
        assert!(branch_matches("*-maint", "1.x-maint"));
        assert!(branch_matches("a*b*c", "axxbyyc"));
        assert!(!branch_matches("a*b*c", "axxbyy"));
    }
}

//! Versions from git tags, computed the way the build backend computes them.
//!
//! Two implementations exist in the wild and they differ in details that change the version:
//! setuptools-scm (also what hatch-vcs calls) and pdm-backend's own adaptation of it. Both read
//! the nearest tag from `git describe`, take the version out of it with a Python regex, and
//! format the version with "guess the next release, then `.dev<distance>`" plus a local part.
//! The tag regexes are Python's; they are compiled with the `regex` crate after translating the
//! little that differs, and a regex it cannot run is a configuration error.

use std::str::FromStr;

use regex::Regex;
use uv_pep440::Version;

use crate::config::Pyproject;
use crate::git::Describe;
use crate::version::{VcsBackend, VersionError};

/// setuptools-scm's (and pdm-backend's) default tag regex: an optional `name-` prefix, an
/// optional `v`/`V`, then a version; a `+local` suffix is kept apart.
pub const DEFAULT_TAG_REGEX: &str =
    r"^(?:[\w-]+-)?(?P<version>[vV]?\d+(?:\.\d+){0,2}[^\+]*)(?:\+.*)?$";

/// Which implementation derives the version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// setuptools-scm, also under hatch-vcs.
    SetuptoolsScm,
    /// pdm-backend's own copy (`pdm.backend.hooks.version.scm`).
    Pdm,
}

/// Which capture group holds the version (Python: the only group, else the one named `version`).
#[derive(Clone, Debug)]
enum Key {
    Index(usize),
    Version,
}

/// A Python tag regex, applied like Python's `re.match` (anchored at the start only).
#[derive(Clone, Debug)]
pub struct TagRegex {
    source: String,
    regex: Regex,
    key: Key,
}

/// What a tag regex found in a tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagMatch<'a> {
    /// The version group; None when the group took no part in the match or matched nothing.
    pub version: Option<&'a str>,
    /// The matched text after the version group (`+local` with the default regex).
    pub suffix: &'a str,
}

/// Python regex syntax the `regex` crate spells differently.
fn translate_python(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // Python's `\Z` is the very end of the text, the `regex` crate's `\z`.
            Some('Z') => out.push_str(r"\z"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

impl TagRegex {
    /// Compile a Python tag regex; `setting` names where it was configured, for messages.
    pub fn compile(source: &str, setting: &str) -> Result<Self, String> {
        // `\A(?:...)` gives `re.match`'s anchoring without changing the group numbers.
        let regex = Regex::new(&format!(r"\A(?:{})", translate_python(source))).map_err(|e| {
            format!(
                "{setting} = {source:?} cannot be used: {}\n  shipwheel runs Python tag regexes with Rust's regex engine, which has no look-around or \
                 back-references; write the regex without them",
                e.to_string().lines().last().unwrap_or("invalid regex")
            )
        })?;
        let groups = regex.captures_len() - 1;
        let has_version = regex.capture_names().any(|n| n == Some("version"));
        let key = if groups == 1 {
            Key::Index(1)
        } else if groups > 1 && has_version {
            Key::Version
        } else {
            return Err(format!(
                "{setting} = {source:?} needs a single group or a group named `version` (e.g. \"^v(?P<version>.+)$\"), as the build backend requires"
            ));
        };
        Ok(TagRegex {
            source: source.to_string(),
            regex,
            key,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Python's `regex.match(tag)` and the version group.
    pub fn captures<'a>(&self, tag: &'a str) -> Option<TagMatch<'a>> {
        let caps = self.regex.captures(tag)?;
        let group = match self.key {
            Key::Index(i) => caps.get(i),
            Key::Version => caps.name("version"),
        };
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        Some(match group {
            Some(m) if !m.as_str().is_empty() => TagMatch {
                version: Some(m.as_str()),
                suffix: &tag[m.end()..whole.end],
            },
            _ => TagMatch {
                version: None,
                suffix: "",
            },
        })
    }
}

/// `git describe --match` patterns (wildmatch without slashes: `*`, `?`, `[...]`).
pub fn glob_matches(glob: &str, text: &str) -> bool {
    fn class(p: &[char], c: char) -> Option<(bool, usize)> {
        // Returns (matched, length of the class in the pattern).
        let mut i = 1;
        let negate = matches!(p.get(1), Some('!') | Some('^'));
        if negate {
            i += 1;
        }
        let mut matched = false;
        let mut first = true;
        while i < p.len() {
            if p[i] == ']' && !first {
                return Some((matched != negate, i + 1));
            }
            first = false;
            if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
                if p[i] <= c && c <= p[i + 2] {
                    matched = true;
                }
                i += 3;
            } else {
                if p[i] == c {
                    matched = true;
                }
                i += 1;
            }
        }
        None
    }
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).any(|k| go(&p[1..], &t[k..])),
            Some('?') => !t.is_empty() && go(&p[1..], &t[1..]),
            Some('[') => match (t.first(), class(p, t.first().copied().unwrap_or('\0'))) {
                (Some(_), Some((true, len))) => go(&p[len..], &t[1..]),
                (Some(_), Some((false, _))) => false,
                (None, Some(_)) => false,
                (_, None) => t.first() == Some(&'[') && go(&p[1..], &t[1..]),
            },
            Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&p[2..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    let p: Vec<char> = glob.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

/// setuptools-scm's version schemes that shipwheel computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionScheme {
    GuessNextDev,
    NoGuessDev,
    PostRelease,
    OnlyVersion,
}

/// setuptools-scm's local schemes that shipwheel computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalScheme {
    NodeAndDate,
    NodeAndTimestamp,
    DirtyTag,
    NoLocalVersion,
}

/// How the backend of this project turns git into a version.
#[derive(Clone, Debug)]
pub struct ScmSettings {
    pub backend: VcsBackend,
    pub flavor: Flavor,
    pub regex: TagRegex,
    /// Where the regex comes from (a setting, or the backend's default), for messages.
    pub regex_origin: String,
    /// setuptools-scm's `tag.prefix`: stripped before the regex is applied.
    pub prefix: String,
    /// `git describe --match` pattern.
    pub glob: String,
    pub fallback_version: Option<String>,
    pub version_scheme: VersionScheme,
    pub local_scheme: LocalScheme,
    /// setuptools-scm only looks at the git work tree whose top is the project directory,
    /// unless `root` or `search_parent_directories` says otherwise.
    pub needs_git_top: bool,
}

fn table<'a>(py: &'a Pyproject, keys: &[&str]) -> Option<&'a toml::Table> {
    py.get(keys).and_then(toml::Value::as_table)
}

fn opt_str(t: Option<&toml::Table>, key: &str, setting: &str) -> Result<Option<String>, String> {
    match t.and_then(|t| t.get(key)) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{setting}.{key} must be a string")),
    }
}

fn scheme(t: Option<&toml::Table>, setting: &str) -> Result<(VersionScheme, LocalScheme), String> {
    let version = match opt_str(t, "version_scheme", setting)?.as_deref() {
        None | Some("guess-next-dev") => VersionScheme::GuessNextDev,
        Some("no-guess-dev") => VersionScheme::NoGuessDev,
        Some("post-release") => VersionScheme::PostRelease,
        Some("only-version") => VersionScheme::OnlyVersion,
        Some(other) => {
            return Err(format!(
                "{setting}.version_scheme = {other:?} is not computed by shipwheel (it knows guess-next-dev, no-guess-dev, \
                 post-release, only-version); give the build the version instead: `shipwheel version set` does not apply, \
                 export SETUPTOOLS_SCM_PRETEND_VERSION"
            ));
        }
    };
    let local = match opt_str(t, "local_scheme", setting)?.as_deref() {
        None | Some("node-and-date") => LocalScheme::NodeAndDate,
        Some("node-and-timestamp") => LocalScheme::NodeAndTimestamp,
        Some("dirty-tag") => LocalScheme::DirtyTag,
        Some("no-local-version") => LocalScheme::NoLocalVersion,
        Some(other) => {
            return Err(format!(
                "{setting}.local_scheme = {other:?} is not computed by shipwheel (it knows node-and-date, \
                 node-and-timestamp, dirty-tag, no-local-version)"
            ));
        }
    };
    Ok((version, local))
}

/// Read the backend's settings from pyproject.toml.
pub fn settings(py: &Pyproject, backend: VcsBackend) -> Result<ScmSettings, VersionError> {
    read_settings(py, backend).map_err(VersionError::Config)
}

fn read_settings(py: &Pyproject, backend: VcsBackend) -> Result<ScmSettings, String> {
    let default_regex = || TagRegex::compile(DEFAULT_TAG_REGEX, "default tag regex");
    match backend {
        VcsBackend::SetuptoolsScm | VcsBackend::HatchVcs => {
            let (options, setting) = if backend == VcsBackend::HatchVcs {
                (
                    table(py, &["tool", "hatch", "version", "raw-options"]),
                    "[tool.hatch.version] raw-options",
                )
            } else {
                (
                    table(py, &["tool", "setuptools_scm"]),
                    "[tool.setuptools_scm]",
                )
            };
            let tag = options
                .and_then(|o| o.get("tag"))
                .and_then(|t| t.as_table());
            let tag_setting = format!("{setting}.tag");
            let mut regex_src = opt_str(options, "tag_regex", setting)?
                .map(|r| (r, format!("{setting} tag_regex")));
            if let Some(r) = opt_str(tag, "regex", &tag_setting)? {
                regex_src = Some((r, format!("{tag_setting}.regex")));
            }
            let mut fallback = opt_str(options, "fallback_version", setting)?;
            if backend == VcsBackend::HatchVcs {
                let hatch = table(py, &["tool", "hatch", "version"]);
                let s = "[tool.hatch.version]";
                // hatch-vcs passes non-empty `tag-pattern`/`fallback-version` over raw-options.
                if let Some(p) = opt_str(hatch, "tag-pattern", s)?.filter(|p| !p.is_empty()) {
                    regex_src = Some((p, format!("{s} tag-pattern")));
                }
                if let Some(f) = opt_str(hatch, "fallback-version", s)?.filter(|f| !f.is_empty()) {
                    fallback = Some(f);
                }
            }
            // An empty regex means the default in setuptools-scm.
            let (regex, regex_origin) = match regex_src.filter(|(r, _)| !r.is_empty()) {
                Some((src, origin)) => (TagRegex::compile(&src, &origin)?, origin),
                None => (
                    default_regex()?,
                    "setuptools-scm's default tag regex".into(),
                ),
            };
            let prefix = opt_str(tag, "prefix", &tag_setting)?.unwrap_or_default();
            let strict = match tag.and_then(|t| t.get("strict")) {
                None => false,
                Some(toml::Value::Boolean(b)) => *b,
                Some(_) => return Err(format!("{tag_setting}.strict must be true or false")),
            };
            let glob = if strict {
                format!("{prefix}*[0-9]*.*[0-9]*")
            } else {
                format!("{prefix}*[0-9]*")
            };
            let (version_scheme, local_scheme) = scheme(options, setting)?;
            let needs_git_top = !options.is_some_and(|o| {
                o.contains_key("root")
                    || o.get("search_parent_directories")
                        .and_then(toml::Value::as_bool)
                        .unwrap_or(false)
            });
            Ok(ScmSettings {
                backend,
                flavor: Flavor::SetuptoolsScm,
                regex,
                regex_origin,
                prefix,
                glob,
                fallback_version: fallback,
                version_scheme,
                local_scheme,
                needs_git_top,
            })
        }
        VcsBackend::PdmScm => {
            let s = "[tool.pdm.version]";
            let pdm = table(py, &["tool", "pdm", "version"]);
            if opt_str(pdm, "version_format", s)?.is_some() {
                return Err(format!(
                    "{s} version_format calls Python code, which shipwheel cannot run; \
                     export PDM_BUILD_SCM_VERSION for the build instead"
                ));
            }
            let (regex, regex_origin) =
                match opt_str(pdm, "tag_regex", s)?.filter(|r| !r.is_empty()) {
                    Some(src) => {
                        let origin = format!("{s} tag_regex");
                        (TagRegex::compile(&src, &origin)?, origin)
                    }
                    None => (default_regex()?, "pdm-backend's default tag regex".into()),
                };
            let glob = opt_str(pdm, "tag_filter", s)?
                .filter(|g| !g.is_empty())
                .unwrap_or_else(|| "*.*".into());
            Ok(ScmSettings {
                backend,
                flavor: Flavor::Pdm,
                regex,
                regex_origin,
                prefix: String::new(),
                glob,
                fallback_version: opt_str(pdm, "fallback_version", s)?,
                version_scheme: VersionScheme::GuessNextDev,
                local_scheme: LocalScheme::NodeAndDate,
                needs_git_top: false,
            })
        }
    }
}

impl ScmSettings {
    /// The version a tag stands for, as the backend reads it. `Ok(None)`: the backend does not
    /// consider the tag at all (its `git describe --match` skips it). An error: the backend
    /// would fail on this tag (setuptools-scm) when it is the nearest one.
    pub fn tag_version(&self, tag: &str) -> Result<Option<Version>, String> {
        if !glob_matches(&self.glob, tag) {
            return Ok(None);
        }
        let stripped = tag.strip_prefix(self.prefix.as_str()).unwrap_or(tag);
        let found = self.regex.captures(stripped);
        let fail = |why: &str| {
            format!(
                "tag {tag} {why} ({} {:?}); the build backend fails on it the same way: \
                 delete or move the tag, or set a tag regex that skips it",
                self.regex_origin,
                self.regex.as_str()
            )
        };
        match self.flavor {
            Flavor::SetuptoolsScm => {
                let Some(m) = found else {
                    return Err(fail("does not match the tag regex"));
                };
                let Some(text) = m.version else {
                    return Err(fail("matches the tag regex but its version group is empty"));
                };
                let version = Version::from_str(text).map_err(|_| {
                    fail(&format!("has version part {text:?}, which is not PEP 440"))
                })?;
                // setuptools-scm keeps a suffix (`+local`) when the whole still parses.
                if !m.suffix.is_empty()
                    && let Ok(v) = Version::from_str(&format!("{text}{}", m.suffix))
                {
                    return Ok(Some(v));
                }
                Ok(Some(version))
            }
            Flavor::Pdm => match found.and_then(|m| m.version) {
                // pdm-backend takes a tag it cannot read as 0.0.0.
                None => Ok(Some(Version::new([0, 0, 0]))),
                Some(text) => Version::from_str(text)
                    .map(Some)
                    .map_err(|_| fail(&format!("has version part {text:?}, which is not PEP 440"))),
            },
        }
    }
}

impl ScmSettings {
    /// The `{version}` template a tag follows, so a new tag can be written like it
    /// (`v1.2.3` -> `v{version}`, `26.1.0` -> `{version}`, `pkg-v1.0` -> `pkg-v{version}`).
    pub fn template_of(&self, tag: &str) -> Option<String> {
        let stripped = tag.strip_prefix(self.prefix.as_str())?;
        let text = self.regex.captures(stripped)?.version?;
        // The version group is a slice of `stripped`, so its offset is a pointer difference.
        let start = text.as_ptr() as usize - stripped.as_ptr() as usize;
        let mut before = format!("{}{}", self.prefix, &stripped[..start]);
        // The default regex puts an optional `v` inside the version group.
        if text.starts_with(['v', 'V']) {
            before.push_str(&text[..1]);
        }
        let after = &stripped[start + text.len()..];
        let after = if after.starts_with('+') { "" } else { after };
        let template = format!("{before}{{version}}{after}");
        // Only a template whose tags read back as their version is any use.
        let probe = template.replace("{version}", "1.2.3");
        (self.tag_version(&probe).ok()?? == Version::new([1, 2, 3])).then_some(template)
    }
}

/// What git says about HEAD, read by the caller.
#[derive(Clone, Debug, Default)]
pub struct GitState {
    /// `git describe --tags --long --dirty --abbrev=40 --match <glob>`.
    pub describe: Option<Describe>,
    /// Commits reachable from HEAD.
    pub commit_count: u64,
    /// Full id of HEAD (None in a repository without commits).
    pub head: Option<String>,
    /// HEAD abbreviated the way `git` does by default (pdm-backend's node).
    pub head_short: Option<String>,
    /// Tracked files changed (`git status --porcelain --untracked-files=no`).
    pub worktree_dirty: bool,
}

/// A version derived from git.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScmVersion {
    /// The full version the backend builds, local part included.
    pub version: Version,
    /// The nearest tag the backend uses, and the version it reads from it.
    pub tag: Option<(String, Version)>,
    pub distance: u64,
    pub dirty: bool,
}

impl ScmVersion {
    /// The version without its local part (what an index accepts).
    pub fn public(&self) -> Version {
        self.version.clone().without_local()
    }
}

/// setuptools-scm's `guess_next_version` on a version's normalized text.
fn guess_next(version: &Version) -> Result<String, String> {
    let text = version.clone().without_local().to_string();
    if let Some(bumped) = bump_dev(&text)? {
        return Ok(bumped);
    }
    bump_last_number(&text)
}

fn bump_dev(text: &str) -> Result<Option<String>, String> {
    match text.rsplit_once(".dev") {
        None => Ok(None),
        Some((prefix, "0")) => Ok(Some(prefix.to_string())),
        Some(_) => Err(format!(
            "{text} cannot be bumped: the build backend only continues from tags ending in .dev0"
        )),
    }
}

/// `(.*?)(\d+)$` with the number incremented (digits of any length, like Python's int).
fn bump_last_number(text: &str) -> Result<String, String> {
    let digits = text.len() - text.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return Err(format!("{text} does not end with a number to bump"));
    }
    let (prefix, number) = text.split_at(text.len() - digits);
    let mut out: Vec<u8> = number.trim_start_matches('0').bytes().collect();
    if out.is_empty() {
        out.push(b'0');
    }
    let mut i = out.len();
    loop {
        if i == 0 {
            out.insert(0, b'1');
            break;
        }
        i -= 1;
        if out[i] == b'9' {
            out[i] = b'0';
        } else {
            out[i] += 1;
            break;
        }
    }
    Ok(format!("{prefix}{}", String::from_utf8_lossy(&out)))
}

fn utc(now_unix: i64, fmt: &str) -> Result<String, String> {
    let t = time::OffsetDateTime::from_unix_timestamp(now_unix)
        .map_err(|e| format!("time {now_unix} is out of range: {e}"))?;
    let date = format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day());
    Ok(match fmt {
        "date" => date,
        _ => format!("{date}{:02}{:02}{:02}", t.hour(), t.minute(), t.second()),
    })
}

/// Join local parts the way setuptools-scm does (segments once each, in order).
fn with_local(main: &str, parts: &[&str]) -> String {
    let (public, existing) = main.split_once('+').unwrap_or((main, ""));
    let mut segments: Vec<&str> = existing.split('.').filter(|s| !s.is_empty()).collect();
    for part in parts {
        for s in part.trim_matches('+').split('.') {
            if !s.is_empty() && !segments.contains(&s) {
                segments.push(s);
            }
        }
    }
    if segments.is_empty() {
        public.to_string()
    } else {
        format!("{public}+{}", segments.join("."))
    }
}

/// Derive the version (pure). `now_unix` is what the backend uses for `.d<date>`: the current
/// time, or `SOURCE_DATE_EPOCH`.
pub fn derive(s: &ScmSettings, git: &GitState, now_unix: i64) -> Result<ScmVersion, String> {
    let (tag, base, distance, dirty, node) = match &git.describe {
        Some(d) => {
            let v = match s.tag_version(&d.tag)? {
                Some(v) => v,
                None => return Err(format!("tag {} does not match {}", d.tag, s.glob)),
            };
            let node = match s.flavor {
                Flavor::SetuptoolsScm => Some(format!("g{}", d.sha)),
                Flavor::Pdm => git.head_short.as_ref().map(|h| format!("g{h}")),
            };
            (
                Some((d.tag.clone(), v.clone())),
                v,
                d.distance,
                d.dirty,
                node,
            )
        }
        None => {
            let start = match (s.flavor, &s.fallback_version) {
                (Flavor::SetuptoolsScm, Some(f)) => Version::from_str(f)
                    .map_err(|e| format!("fallback_version {f:?} is not PEP 440: {e}"))?,
                _ => Version::new([0, 0]),
            };
            let node = git.head.as_ref().map(|h| match s.flavor {
                Flavor::SetuptoolsScm => format!("g{h}"),
                Flavor::Pdm => format!("g{}", &h[..h.len().min(7)]),
            });
            let (distance, dirty) = match node {
                Some(_) => (git.commit_count, git.worktree_dirty),
                None => (0, s.flavor == Flavor::SetuptoolsScm || git.worktree_dirty),
            };
            (None, start, distance, dirty, node)
        }
    };
    let text = match s.flavor {
        Flavor::SetuptoolsScm => {
            setuptools_scm_format(s, &base, distance, dirty, node.as_deref(), now_unix)?
        }
        Flavor::Pdm => pdm_format(&base, &tag, distance, dirty, node.as_deref(), now_unix)?,
    };
    let version = Version::from_str(&text)
        .map_err(|e| format!("the derived version {text:?} is not PEP 440: {e}"))?;
    Ok(ScmVersion {
        version,
        tag,
        distance,
        dirty,
    })
}

fn setuptools_scm_format(
    s: &ScmSettings,
    base: &Version,
    distance: u64,
    dirty: bool,
    node: Option<&str>,
    now: i64,
) -> Result<String, String> {
    let exact = distance == 0 && !dirty;
    let public = base.clone().without_local();
    let tag_text = public.to_string();
    let main = match s.version_scheme {
        VersionScheme::OnlyVersion => tag_text,
        _ if exact => tag_text,
        VersionScheme::GuessNextDev => format!("{}.dev{distance}", guess_next(&public)?),
        VersionScheme::NoGuessDev => {
            let next = match bump_dev(&tag_text)? {
                Some(b) => b,
                None if tag_text.contains("post") => {
                    return Err(format!(
                        "{tag_text} already is a post release; no-guess-dev cannot continue from it"
                    ));
                }
                None => format!("{tag_text}.post1"),
            };
            format!("{next}.dev{distance}")
        }
        VersionScheme::PostRelease => format!("{tag_text}.post{distance}"),
    };
    // setuptools-scm shows 10 characters of the node: `g` and 9 hex digits.
    let node = node.map(|n| n.chars().take(10).collect::<String>());
    let timed = |fmt: &str| -> Result<String, String> {
        let t = utc(now, fmt)?;
        Ok(match (&node, exact, dirty) {
            (Some(n), false, true) => format!("+{n}.d{t}"),
            (Some(n), false, false) => format!("+{n}"),
            (_, _, true) => format!("+d{t}"),
            (_, _, false) => String::new(),
        })
    };
    let local = match s.local_scheme {
        LocalScheme::NodeAndDate => timed("date")?,
        LocalScheme::NodeAndTimestamp => timed("timestamp")?,
        LocalScheme::DirtyTag if dirty => "+dirty".into(),
        LocalScheme::DirtyTag | LocalScheme::NoLocalVersion => String::new(),
    };
    let original_local = base.local().to_string();
    Ok(with_local(
        &main,
        &[original_local.as_str(), local.as_str()],
    ))
}

fn pdm_format(
    base: &Version,
    tag: &Option<(String, Version)>,
    distance: u64,
    dirty: bool,
    node: Option<&str>,
    now: i64,
) -> Result<String, String> {
    // pdm-backend reports distance 0 after a tag as "no distance"; without a tag it stays 0.
    let distance = (tag.is_none() || distance > 0).then_some(distance);
    let main = match distance {
        None => base.to_string(),
        Some(d) => format!("{}.dev{d}", guess_next(base)?),
    };
    let date = utc(now, "date")?;
    let local = match (distance, node, dirty) {
        (Some(_), Some(n), true) => format!("+{n}.d{date}"),
        (Some(_), Some(n), false) => format!("+{n}"),
        (_, _, true) => format!("+d{date}"),
        (_, _, false) => String::new(),
    };
    Ok(format!("{main}{local}"))
}

/// The `Version:` field of an sdist's `PKG-INFO` (what setuptools-scm falls back to outside git).
pub fn pkg_info_version(text: &str) -> Option<&str> {
    for line in text.lines() {
        if line.is_empty() {
            break; // the headers end at the first empty line
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("version")
        {
            return Some(value.trim()).filter(|v| !v.is_empty() && *v != "UNKNOWN");
        }
    }
    None
}

#[cfg(test)]
mod tests;

//! The GitHub Actions runtime: `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`, workflow commands.
//!
//! Workflow commands are written to stdout by the caller; this module only formats them, so the
//! binary keeps control of where output goes.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A variable shipwheel needs is set to something that is not UTF-8 text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the environment variable {0} is not valid UTF-8; set it to UTF-8 text or unset it, then re-run"
)]
pub struct NotUnicode(pub String);

/// Read one variable as text: unset or empty is `None`; set but not UTF-8 is an error naming it.
pub fn var_from(
    lookup: impl Fn(&str) -> Option<OsString>,
    name: &str,
) -> Result<Option<String>, NotUnicode> {
    match lookup(name) {
        None => Ok(None),
        Some(value) => value
            .into_string()
            .map(|v| Some(v).filter(|v| !v.is_empty()))
            .map_err(|_| NotUnicode(name.to_string())),
    }
}

/// [`var_from`] on the process environment.
pub fn var(name: &str) -> Result<Option<String>, NotUnicode> {
    var_from(|n| std::env::var_os(n), name)
}

/// The part of the process environment the Actions runtime cares about, and nothing else: the
/// rest of the environment (tokens and passwords included) is never read into it.
#[derive(Clone, Debug, Default)]
pub struct Env {
    github_actions: bool,
    /// `$GITHUB_OUTPUT`: a path, so any bytes the OS allows.
    output: Option<PathBuf>,
    /// `$GITHUB_STEP_SUMMARY`.
    step_summary: Option<PathBuf>,
}

impl Env {
    /// The real process environment.
    pub fn from_process() -> Result<Self, NotUnicode> {
        Self::from_lookup(|n| std::env::var_os(n))
    }

    /// Read the variables the runtime needs through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Self, NotUnicode> {
        let path = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        Ok(Env {
            github_actions: var_from(&lookup, "GITHUB_ACTIONS")?.as_deref() == Some("true"),
            output: path("GITHUB_OUTPUT"),
            step_summary: path("GITHUB_STEP_SUMMARY"),
        })
    }

    /// An environment made of the given pairs (tests).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let pairs: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        })
        .expect("pairs of strings are UTF-8")
    }

    /// True when running inside GitHub Actions (`GITHUB_ACTIONS=true`).
    pub fn is_github_actions(&self) -> bool {
        self.github_actions
    }

    /// Append `key=value` pairs to `$GITHUB_OUTPUT`. Returns false when there is no such file.
    pub fn write_outputs(&self, pairs: &[(&str, &str)]) -> std::io::Result<bool> {
        append(self.output.as_deref(), &format_outputs(pairs))
    }

    /// Append Markdown to `$GITHUB_STEP_SUMMARY`. Returns false when there is no such file.
    pub fn append_step_summary(&self, markdown: &str) -> std::io::Result<bool> {
        append(self.step_summary.as_deref(), markdown)
    }
}

fn append(path: Option<&Path>, text: &str) -> std::io::Result<bool> {
    let Some(path) = path else {
        return Ok(false);
    };
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        file.write_all(b"\n")?;
    }
    Ok(true)
}

/// Format outputs for `$GITHUB_OUTPUT`; multi-line values use a random heredoc delimiter that
/// cannot occur in the value (GitHub's documented form).
pub fn format_outputs(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if value.contains('\n') || value.contains('\r') {
            let mut delim = format!("ghadelimiter_{:016x}", rand::random::<u64>());
            while value.contains(&delim) {
                delim = format!("ghadelimiter_{:016x}", rand::random::<u64>());
            }
            out.push_str(&format!("{key}<<{delim}\n{value}\n{delim}\n"));
        } else {
            out.push_str(&format!("{key}={value}\n"));
        }
    }
    out
}

/// Annotation level of a workflow command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// An annotation to render as `::error file=..,line=..,title=..::message`.
#[derive(Clone, Debug, Default)]
pub struct Annotation<'a> {
    pub file: Option<&'a str>,
    pub line: Option<u32>,
    pub title: Option<&'a str>,
    pub message: &'a str,
}

/// Render an annotation workflow command, escaped as the runner expects.
pub fn annotation(level: Level, a: &Annotation<'_>) -> String {
    let mut props = Vec::new();
    if let Some(file) = a.file {
        props.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = a.line {
        props.push(format!("line={line}"));
    }
    if let Some(title) = a.title {
        props.push(format!("title={}", escape_property(title)));
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(","))
    };
    format!("::{}{}::{}", level.command(), props, escape_data(a.message))
}

/// `::add-mask::` for a secret, so the runner hides it in every later log line.
pub fn add_mask(secret: &str) -> String {
    format!("::add-mask::{}", escape_data(secret))
}

/// Escape a workflow command's message part.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_like_the_runner() {
        let a = Annotation {
            file: Some("dist/a,b.whl"),
            line: Some(3),
            title: Some("M001: bad"),
            message: "50% done\nnext",
        };
        assert_eq!(
            annotation(Level::Error, &a),
            "::error file=dist/a%2Cb.whl,line=3,title=M001%3A bad::50%25 done%0Anext"
        );
        assert_eq!(
            annotation(
                Level::Notice,
                &Annotation {
                    message: "hi",
                    ..Default::default()
                }
            ),
            "::notice::hi"
        );
    }

    #[test]
    fn outputs_use_heredoc_for_multiline() {
        let s = format_outputs(&[("a", "1"), ("b", "x\ny")]);
        assert!(s.starts_with("a=1\nb<<ghadelimiter_"));
        assert!(s.contains("\nx\ny\nghadelimiter_"));
    }

    #[test]
    fn writes_outputs_and_summary_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let sum = dir.path().join("sum");
        let env = Env::from_pairs([
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", out.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", sum.to_str().unwrap()),
        ]);
        assert!(env.is_github_actions());
        assert!(env.write_outputs(&[("publish", "true")]).unwrap());
        assert!(env.append_step_summary("# Plan").unwrap());
        assert_eq!(std::fs::read_to_string(out).unwrap(), "publish=true\n");
        assert_eq!(std::fs::read_to_string(sum).unwrap(), "# Plan\n");
        assert!(!Env::default().write_outputs(&[("a", "b")]).unwrap());
    }

    #[test]
    fn reads_only_its_own_variables_and_names_a_non_utf8_one() {
        use std::os::unix::ffi::OsStringExt;
        let not_utf8 = || OsString::from_vec(vec![b'a', 0xff, b'b']);
        let process = |name: &str| -> Option<OsString> {
            match name {
                "GITHUB_ACTIONS" => Some("true".into()),
                "GITHUB_STEP_SUMMARY" => Some(OsString::from_vec(b"/tmp/sum\xff".to_vec())),
                "TWINE_PASSWORD" => Some("pypi-twine-secret".into()),
                "UV_PUBLISH_TOKEN" => Some("pypi-uv-secret".into()),
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN" => Some("oidc-request-secret".into()),
                "UNRELATED" => Some(not_utf8()),
                _ => None,
            }
        };
        let env = Env::from_lookup(process).unwrap();
        assert!(env.is_github_actions());
        let debug = format!("{env:?}");
        for secret in ["pypi-twine-secret", "pypi-uv-secret", "oidc-request-secret"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(!debug.contains("UNRELATED"), "{debug}");

        let err = Env::from_lookup(|name| {
            (name == "GITHUB_ACTIONS")
                .then(not_utf8)
                .or_else(|| process(name))
        })
        .unwrap_err();
        assert_eq!(err, NotUnicode("GITHUB_ACTIONS".into()));
        assert!(
            err.to_string()
                .contains("GITHUB_ACTIONS is not valid UTF-8")
        );
        assert_eq!(
            var_from(process, "UNRELATED"),
            Err(NotUnicode("UNRELATED".into()))
        );
        assert_eq!(var_from(process, "MISSING"), Ok(None));
    }
}

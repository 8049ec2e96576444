//! reStructuredText checking through Python's readme-renderer, to agree with PyPI exactly.
//!
//! One Python process serves every description of a run: it is started on first use, reads one
//! JSON request per line on stdin and answers one JSON line on stdout, and is killed when the
//! renderer is dropped. With `--rst-renderer auto` ([`AutoRst`]) the native checker judges
//! first, and only a description it cannot judge exactly makes shipwheel look for
//! readme-renderer, so a run whose descriptions are all judged exactly starts no Python at all.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long one description may take to render before the native checker takes over.
const RENDER_TIMEOUT: Duration = Duration::from_secs(60);

use shipwheel_dist::description::{RstJudgement, RstMessage, RstRenderer, native_judgement};

/// Prints `readme-renderer-version docutils-version`, or fails when readme-renderer is missing.
const PROBE: &str = "import importlib.metadata as m, docutils, readme_renderer.rst\n\
print(m.version('readme-renderer'), docutils.__version__)";

/// The long-running checker: the same call twine check makes (`readme_renderer.rst.render`
/// with a warning stream), one request per line.
const SERVER: &str = r#"
import io, json, sys
from readme_renderer.rst import render
for line in sys.stdin:
    try:
        text = json.loads(line)["text"]
        stream = io.StringIO()
        ok = render(text, stream=stream) is not None
        reply = {"ok": ok, "stream": stream.getvalue()}
    except Exception as exc:
        reply = {"error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
"#;

struct Server {
    child: Child,
    stdin: ChildStdin,
    /// Reply lines, read by a thread so a stuck renderer cannot block shipwheel.
    replies: Receiver<Result<String, String>>,
}

/// Why a request failed: the process died (worth one restart) or took too long (not).
enum AskError {
    Died(String),
    TimedOut,
}

/// readme-renderer run by one Python interpreter.
pub struct PythonRst {
    python: PathBuf,
    name: String,
    timeout: Duration,
    server: Mutex<Option<Server>>,
}

impl PythonRst {
    fn start(&self) -> Result<Server, String> {
        let mut child = Command::new(&self.python)
            .arg("-c")
            .arg(SERVER)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.python.display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("cannot talk to the Python process".into());
        };
        let (tx, replies) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                let reply = match reader.read_line(&mut line) {
                    Ok(0) => Err("the Python process exited".to_string()),
                    Ok(_) => Ok(line),
                    Err(e) => Err(format!("cannot read from Python: {e}")),
                };
                let last = reply.is_err();
                if tx.send(reply).is_err() || last {
                    break;
                }
            }
        });
        Ok(Server {
            child,
            stdin,
            replies,
        })
    }

    fn ask(server: &mut Server, text: &str, timeout: Duration) -> Result<String, AskError> {
        let request = serde_json::json!({ "text": text }).to_string();
        writeln!(server.stdin, "{request}")
            .and_then(|()| server.stdin.flush())
            .map_err(|e| AskError::Died(format!("cannot send to Python: {e}")))?;
        match server.replies.recv_timeout(timeout) {
            Ok(reply) => reply.map_err(AskError::Died),
            Err(RecvTimeoutError::Timeout) => Err(AskError::TimedOut),
            Err(RecvTimeoutError::Disconnected) => {
                Err(AskError::Died("the Python process exited".into()))
            }
        }
    }
}

impl Drop for PythonRst {
    fn drop(&mut self) {
        let server = match self.server.get_mut() {
            Ok(s) => s.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(mut server) = server {
            let _ = server.child.kill();
            let _ = server.child.wait();
        }
    }
}

impl RstRenderer for PythonRst {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn check(&self, text: &str) -> Result<Vec<RstMessage>, String> {
        let mut guard = self
            .server
            .lock()
            .map_err(|_| "the Python renderer failed earlier".to_string())?;
        // One retry with a fresh process if the old one died.
        for attempt in 0..2 {
            if guard.is_none() {
                *guard = Some(self.start()?);
            }
            let Some(server) = guard.as_mut() else { break };
            let result = Self::ask(server, text, self.timeout);
            if result.is_err()
                && let Some(mut dead) = guard.take()
            {
                let _ = dead.child.kill();
                let _ = dead.child.wait();
            }
            match result {
                Ok(line) => return parse_reply(&line),
                Err(AskError::TimedOut) => {
                    return Err(format!(
                        "readme-renderer took longer than {} s",
                        self.timeout.as_secs()
                    ));
                }
                Err(AskError::Died(e)) if attempt == 1 => return Err(e),
                Err(AskError::Died(_)) => {}
            }
        }
        Err("the Python process stopped answering".to_string())
    }
}

/// Turn the server's JSON reply into docutils messages.
fn parse_reply(line: &str) -> Result<Vec<RstMessage>, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("unreadable reply from Python: {e}"))?;
    if let Some(error) = value.get("error").and_then(|e| e.as_str()) {
        return Err(format!("readme-renderer raised {error}"));
    }
    if value.get("ok").and_then(serde_json::Value::as_bool) == Some(true) {
        return Ok(Vec::new());
    }
    let stream = value
        .get("stream")
        .and_then(|s| s.as_str())
        .unwrap_or_default();
    Ok(parse_stream(stream))
}

/// docutils' warning stream: `<string>:LINE: (LEVEL/N) message`, then the source echoed after
/// a blank line. The stream has one message (PyPI's halt level stops at the first); without
/// one it holds readme-renderer's own text ("No content rendered from RST source.").
fn parse_stream(stream: &str) -> Vec<RstMessage> {
    let mut out = Vec::new();
    for chunk in stream.split("<string>:").skip(1) {
        let Some((line, rest)) = chunk.split_once(": (") else {
            continue;
        };
        let Some((level, message)) = rest.split_once(") ") else {
            continue;
        };
        let level = level.split('/').next().unwrap_or_default().to_string();
        let message = message
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .trim_end()
            .to_string();
        out.push(RstMessage {
            line: line.parse().ok(),
            level,
            message,
        });
    }
    if out.is_empty() {
        let text = stream.trim();
        out.push(RstMessage {
            line: None,
            level: "ERROR".into(),
            message: if text.is_empty() {
                "No content rendered from RST source.".into()
            } else {
                text.to_string()
            },
        });
    }
    out
}

/// Ask `python` for its readme-renderer and docutils versions.
fn probe(python: &Path) -> Option<String> {
    let output = Command::new(python)
        .arg("-c")
        .arg(PROBE)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.split_whitespace();
    let (renderer, docutils) = (parts.next()?, parts.next()?);
    Some(format!("readme-renderer {renderer} (docutils {docutils})"))
}

pub(crate) fn detect_from(candidates: &[PathBuf]) -> Option<PythonRst> {
    candidates.iter().find_map(|python| {
        probe(python).map(|name| PythonRst {
            python: python.clone(),
            name,
            timeout: RENDER_TIMEOUT,
            server: Mutex::new(None),
        })
    })
}

/// Interpreters to try, in order: `python` (e.g. `--python`), `$SHIPWHEEL_PYTHON`, and
/// `python3` on PATH.
pub(crate) fn candidates(python: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    out.extend(python.map(Path::to_path_buf));
    if let Some(env) = std::env::var_os("SHIPWHEEL_PYTHON").filter(|v| !v.is_empty()) {
        out.push(PathBuf::from(env));
    }
    out.push(PathBuf::from("python3"));
    out
}

/// The first Python with readme-renderer importable among [`candidates`]. `None` means the
/// native checker is used.
pub fn detect(python: Option<&Path>) -> Option<Arc<dyn RstRenderer + Send + Sync>> {
    detect_from(&candidates(python)).map(|r| Arc::new(r) as Arc<dyn RstRenderer + Send + Sync>)
}

/// What [`AutoRst`] reports when no description needed rendering: it never looked for
/// readme-renderer, so it cannot say which renderer would have judged.
pub const NOT_NEEDED: &str = "not needed";

/// `--rst-renderer auto`: the native checker's verdict where it is certain (it models every
/// construct of the description exactly), readme-renderer for the other descriptions when an
/// interpreter has it, else the native verdict marked uncertain. The interpreters are probed on
/// the first description that needs them, once per run, whichever thread gets there first (the
/// others wait for its answer).
pub struct AutoRst {
    candidates: Vec<PathBuf>,
    found: OnceLock<Option<PythonRst>>,
    /// The native checker gave a final verdict on some description.
    native_judged: AtomicBool,
}

impl AutoRst {
    pub fn new(python: Option<&Path>) -> AutoRst {
        AutoRst::trying(candidates(python))
    }

    /// Probing exactly these interpreters, in order.
    pub(crate) fn trying(candidates: Vec<PathBuf>) -> AutoRst {
        AutoRst {
            candidates,
            found: OnceLock::new(),
            native_judged: AtomicBool::new(false),
        }
    }

    fn python(&self) -> Option<&PythonRst> {
        self.found
            .get_or_init(|| detect_from(&self.candidates))
            .as_ref()
    }
}

impl RstRenderer for AutoRst {
    /// What judged: readme-renderer's name (it judged the descriptions the native checker
    /// could not), `native` (the native checker judged them all, exactly or, without
    /// readme-renderer, as far as it can), or [`NOT_NEEDED`] (no reStructuredText at all).
    fn name(&self) -> String {
        match self.found.get() {
            Some(Some(python)) => python.name(),
            Some(None) => "native".to_string(),
            None if self.native_judged.load(Ordering::Relaxed) => "native".to_string(),
            None => NOT_NEEDED.to_string(),
        }
    }

    fn check(&self, text: &str) -> Result<Vec<RstMessage>, String> {
        self.judge(text).map(|j| j.messages)
    }

    fn judge(&self, text: &str) -> Result<RstJudgement, String> {
        let native = native_judgement(text);
        if native.certain {
            self.native_judged.store(true, Ordering::Relaxed);
            return Ok(native);
        }
        match self.python() {
            Some(python) => python.judge(text),
            // No readme-renderer: the native verdict, marked as not final.
            None => Ok(native),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peers() -> Arc<dyn RstRenderer + Send + Sync> {
        let python = test_support::peer_bin("python");
        match detect(Some(&python)) {
            Some(r) => r,
            None => panic!(
                "readme-renderer is not importable from {}",
                python.display()
            ),
        }
    }

    #[test]
    fn detects_the_peers_readme_renderer() {
        let r = peers();
        assert!(
            r.name().starts_with("readme-renderer 46.0 (docutils 0.23"),
            "{}",
            r.name()
        );
    }

    #[test]
    fn reports_docutils_messages_with_lines() {
        let r = peers();
        assert_eq!(r.check("Title\n=====\n\nSome *text*.\n"), Ok(vec![]));
        assert_eq!(
            r.check("Title\n====\n\ntext\n"),
            Ok(vec![RstMessage {
                line: Some(2),
                level: "WARNING".into(),
                message: "Title underline too short.".into(),
            }])
        );
        // The same process answers again, including for an unknown directive.
        assert_eq!(
            r.check("a\n\n.. foo:: bar\n"),
            Ok(vec![RstMessage {
                line: Some(3),
                level: "ERROR".into(),
                message: "Unknown directive type \"foo\".".into(),
            }])
        );
        let empty = r.check(".. just a comment\n").unwrap_or_default();
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].message, "No content rendered from RST source.");
    }

    #[test]
    fn no_candidate_means_native() {
        assert!(detect_from(&[PathBuf::from("/nonexistent/python3")]).is_none());
        // A Python without readme-renderer is not a candidate either.
        let missing = std::env::temp_dir().join("shipwheel-no-such-python-here");
        assert!(detect_from(&[missing]).is_none());
    }

    /// readme-renderer refuses `:linenos:`; the native checker does not model options.
    const UNMODELLED: &str = ".. code-block:: python\n   :linenos:\n\n   x = 1\n";

    #[test]
    fn auto_judges_natively_where_certain_and_probes_only_for_the_rest() {
        let auto = AutoRst::trying(vec![PathBuf::from("/nonexistent/python3")]);
        assert_eq!(auto.name(), NOT_NEEDED);
        // Certain: the native verdict, final, without looking for Python.
        let bad = "Title\n====\n\ntext\n";
        let judged = auto.judge(bad).expect("native");
        assert!(judged.certain);
        assert_eq!(judged.messages, native_judgement(bad).messages);
        assert!(!judged.messages.is_empty());
        assert!(auto.found.get().is_none(), "no probe for a certain verdict");
        assert_eq!(auto.name(), "native");
        // Uncertain and no readme-renderer: the native verdict, marked uncertain.
        let judged = auto.judge(UNMODELLED).expect("native");
        assert!(!judged.certain);
        assert!(judged.messages.is_empty());
        assert!(matches!(auto.found.get(), Some(None)), "probed once");
        assert_eq!(auto.name(), "native");

        // With readme-renderer: the uncertain description goes to it, and its answer is final.
        let auto = AutoRst::trying(vec![test_support::peer_bin("python")]);
        assert!(
            auto.judge("Title\n=====\n\ntext\n")
                .expect("native")
                .certain
        );
        assert!(auto.found.get().is_none());
        let judged = auto.judge(UNMODELLED).expect("readme-renderer");
        assert!(judged.certain);
        assert_eq!(judged.messages.len(), 1, "{judged:?}");
        assert!(
            judged.messages[0].message.contains("code-block"),
            "{judged:?}"
        );
        assert!(
            auto.name().starts_with("readme-renderer "),
            "{}",
            auto.name()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_stuck_renderer_times_out_instead_of_hanging() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let script = dir.path().join("python");
        std::fs::write(&script, "#!/bin/sh\nexec sleep 30\n").expect("write script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let stuck = PythonRst {
            python: script,
            name: "stuck".into(),
            timeout: Duration::from_secs(1),
            server: Mutex::new(None),
        };
        let result = stuck.check("text");
        assert_eq!(
            result,
            Err("readme-renderer took longer than 1 s".to_string())
        );
    }

    #[test]
    fn parses_the_warning_stream() {
        let m = parse_stream(
            "<string>:3: (ERROR/3) Malformed table.\nRight border not aligned or missing.\n\n+--+\n",
        );
        assert_eq!(m[0].line, Some(3));
        assert_eq!(m[0].level, "ERROR");
        assert_eq!(
            m[0].message,
            "Malformed table.\nRight border not aligned or missing."
        );
        let m = parse_stream("No content rendered from RST source.");
        assert_eq!(m[0].line, None);
        assert_eq!(m[0].message, "No content rendered from RST source.");
    }
}

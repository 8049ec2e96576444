//! Writing to the terminal: every print goes through here so colour and piping are handled once.

use std::io::{IsTerminal, Write};

use crate::cli::ColorChoice;

/// Whether to colour output written to stdout.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    }
}

// Everything printed goes through `redact`: text from servers, tools and errors may carry a
// secret shipwheel was given, in any of its forms.
use shipwheel_index::secret::redact;

/// Write a line to stdout, ignoring a closed pipe (e.g. `| head`).
pub fn println(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", redact(text));
}

/// Write text to stdout (secrets redacted).
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(redact(text).as_bytes());
    let _ = out.flush();
}

/// Write a line to stderr.
pub fn eprintln(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", redact(text));
}

/// `::add-mask::` for a secret on GitHub Actions: the one line written with a secret in it,
/// since it is what makes the runner hide the value. On stderr, so stdout stays one JSON
/// document with `--format json`; the runner reads workflow commands from stderr as well
/// (actions/runner's ScriptHandler hands both streams to an OutputManager, which runs
/// `TryProcessCommand` on every line).
pub fn add_mask(secret: &shipwheel_index::Secret) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{}",
        shipwheel_github::actions::add_mask(secret.expose())
    );
}

/// A writer for logs: collects one record and writes it redacted when dropped (a log line from
/// a dependency may hold a header or URL with a secret).
pub struct RedactingStderr(Vec<u8>);

impl RedactingStderr {
    pub fn new() -> Self {
        RedactingStderr(Vec::new())
    }
}

impl Write for RedactingStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingStderr {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let text = redact(&String::from_utf8_lossy(&self.0));
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

pub mod check_human;
pub mod check_json;
pub mod github;
pub mod sarif;

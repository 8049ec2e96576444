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

/// Write a line to stdout, ignoring a closed pipe (e.g. `| head`).
pub fn println(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

/// Write text to stdout as is.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Write a line to stderr.
pub fn eprintln(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

pub mod check_human;
pub mod check_json;
pub mod github;
pub mod sarif;

//! Reading the process environment: only the variables a command needs, by name.
//!
//! `std::env::vars()` panics on the first variable that is not UTF-8, whoever it belongs to;
//! reading by name as `OsString` leaves unrelated variables alone, and a needed one that is not
//! UTF-8 is a usage error naming it.

use std::ffi::OsString;

use shipwheel_github::actions::NotUnicode;

use crate::commands::UsageError;

impl From<NotUnicode> for UsageError {
    fn from(e: NotUnicode) -> Self {
        UsageError(e.to_string())
    }
}

/// One variable as text: unset or empty is `None`.
pub fn var(name: &str) -> Result<Option<String>, UsageError> {
    Ok(shipwheel_github::actions::var(name)?)
}

/// The named variables that are set (and not empty), as text.
pub fn vars(names: &[&str]) -> Result<Vec<(String, String)>, UsageError> {
    let mut out = Vec::new();
    for name in names {
        if let Some(value) = var(name)? {
            out.push((name.to_string(), value));
        }
    }
    Ok(out)
}

/// Refuse any of `names` that is set to something that is not UTF-8.
pub fn require_utf8(names: &[&str]) -> Result<(), UsageError> {
    for name in names {
        var(name)?;
    }
    Ok(())
}

/// The variables clap reads for this command line (`#[arg(env = ...)]` of the global arguments
/// and of the subcommands named in `argv`), plus `RUST_LOG`: a value that is not UTF-8 is named
/// here, where clap would only say "invalid UTF-8 was detected".
pub fn check_cli_env(
    cmd: &clap::Command,
    argv: &[OsString],
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<(), NotUnicode> {
    let mut names: Vec<String> = vec!["RUST_LOG".into()];
    let mut current = cmd;
    let mut push_envs = |c: &clap::Command| {
        for arg in c.get_arguments() {
            if let Some(name) = arg.get_env().and_then(|n| n.to_str()) {
                names.push(name.to_string());
            }
        }
    };
    push_envs(current);
    for word in argv.iter().skip(1) {
        let Some(word) = word.to_str() else { continue };
        if let Some(sub) = current.find_subcommand(word) {
            current = sub;
            push_envs(current);
        }
    }
    for name in &names {
        shipwheel_github::actions::var_from(&lookup, name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::ffi::OsStringExt;

    use clap::CommandFactory;

    use super::*;

    fn lookup(bad: &'static str) -> impl Fn(&str) -> Option<OsString> {
        move |name| (name == bad).then(|| OsString::from_vec(vec![0xff]))
    }

    fn argv(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn names_a_variable_of_the_command_being_run_only() {
        let cmd = crate::cli::Cli::command();
        let serve = argv(&["shipwheel", "serve", "--bind", "127.0.0.1:0"]);
        assert_eq!(
            check_cli_env(&cmd, &serve, lookup("SHIPWHEEL_SERVE_TOKEN")),
            Err(NotUnicode("SHIPWHEEL_SERVE_TOKEN".into()))
        );
        let check = argv(&["shipwheel", "check", "dist/*"]);
        assert_eq!(
            check_cli_env(&cmd, &check, lookup("SHIPWHEEL_SERVE_TOKEN")),
            Ok(())
        );
        assert_eq!(
            check_cli_env(&cmd, &check, lookup("SHIPWHEEL_COLOR")),
            Err(NotUnicode("SHIPWHEEL_COLOR".into()))
        );
        assert_eq!(
            check_cli_env(&cmd, &check, lookup("RUST_LOG")),
            Err(NotUnicode("RUST_LOG".into()))
        );
    }
}

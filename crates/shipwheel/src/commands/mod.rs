//! One module per subcommand. Each returns an [`ExitStatus`]; errors are printed here.

use crate::cli::{Cli, Command, GlobalArgs};

pub mod check;
pub mod judge;
pub mod plan;
pub mod publish;
pub mod serve;
pub mod verify;
pub mod version;

/// Process exit codes shared by every command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// Done (or nothing to do).
    Success = 0,
    /// Refused or failed: the output says why and what to run next.
    Failure = 1,
    /// Usage or configuration error, or unreadable input.
    Error = 2,
}

/// An error caused by how shipwheel was called or configured (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn dispatch(cli: Cli) -> ExitStatus {
    let global = cli.global.clone();
    let result = match cli.command {
        Command::Check(args) => check::run(args, &global),
        Command::Publish(args) => publish::run(*args, &global),
        Command::Verify(args) => verify::run(args, &global),
        Command::Serve(args) => serve::run(args, &global),
        Command::Version(args) => version::run(args, &global),
        Command::Plan(args) => plan::run(args, &global),
    };
    match result {
        Ok(status) => status,
        Err(err) => {
            report_error(&err, &global);
            ExitStatus::Error
        }
    }
}

/// Print an error chain: the error, then each cause on its own line.
pub fn report_error(err: &anyhow::Error, _global: &GlobalArgs) {
    let mut text = format!("error: {err}");
    for cause in err.chain().skip(1) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    crate::output::eprintln(&text);
}

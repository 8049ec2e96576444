//! `shipwheel`: a fast, safe release tool for Python packages.

use std::process::ExitCode;

use clap::{CommandFactory, Parser as _};

mod cli;
mod commands;
mod env;
mod output;
mod progress;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(e) = env::check_cli_env(&cli::Cli::command(), &argv, |n| std::env::var_os(n)) {
        output::eprintln(&format!("error: {e}"));
        return ExitCode::from(commands::ExitStatus::Error as u8);
    }
    let cli = match cli::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        // A usage error may repeat an argument, e.g. an index URL with a password in it.
        Err(e) if e.use_stderr() => {
            output::eprintln(&shipwheel_index::secret::redact_userinfo(
                e.render().to_string().trim_end(),
            ));
            return ExitCode::from(commands::ExitStatus::Error as u8);
        }
        Err(e) => e.exit(),
    };
    cli::init_logging(cli.global.verbose, cli.global.quiet);
    let status = commands::dispatch(cli);
    ExitCode::from(status as u8)
}

//! `shipwheel`: a fast, safe release tool for Python packages.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

mod cli;
mod commands;
mod env;
mod output;
mod progress;
mod rst_python;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(e) = env::check_cli_env(&cli::Cli::command(), &argv, |n| std::env::var_os(n)) {
        output::eprintln(&format!("error: {e}"));
        return ExitCode::from(commands::ExitStatus::Error as u8);
    }
    let cli = cli::Cli::parse_from(argv);
    cli::init_logging(cli.global.verbose, cli.global.quiet);
    let status = commands::dispatch(cli);
    ExitCode::from(status as u8)
}

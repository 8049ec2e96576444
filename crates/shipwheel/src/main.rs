//! `shipwheel`: a fast, safe release tool for Python packages.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;
mod output;
mod progress;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    cli::init_logging(cli.global.verbose, cli.global.quiet);
    let status = commands::dispatch(cli);
    ExitCode::from(status as u8)
}

//! Command-line definition shared by every subcommand.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

#[derive(Parser, Debug)]
#[command(
    name = "shipwheel",
    version,
    about = "A fast, safe release tool for Python packages",
    long_about = "A fast, safe release tool for Python packages: plan, check, publish, verify and \
                  release, with an embedded PyPI-compatible index for offline rehearsals."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// More log output (-v, -vv). Secrets are never printed at any level.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only print errors and the final result.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, env = "SHIPWHEEL_COLOR")]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Judge distribution files exactly as PyPI's upload will, before a byte is sent.
    Check(commands::check::CheckArgs),
    /// Upload distribution files; all files or none, and a re-run finishes the job.
    // Boxed: its URLs carry their credentials apart, which makes it the largest by far.
    Publish(Box<commands::publish::PublishArgs>),
    /// Install a published version back from the index and prove it imports.
    Verify(commands::verify::VerifyArgs),
    /// Run the embedded PyPI-compatible index.
    Serve(commands::serve::ServeArgs),
    /// Show, bump or set the project's version.
    Version(commands::version::VersionArgs),
    /// Decide what this CI event may publish, and under which version.
    Plan(commands::plan::PlanArgs),
}

/// Logs go to stderr; `RUST_LOG` overrides the level chosen by -v/-q.
pub fn init_logging(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::output::RedactingStderr::new)
        .with_target(false)
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::Cli;

    #[test]
    fn parsed_arguments_never_show_a_credential() {
        for argv in [
            &[
                "shipwheel",
                "publish",
                "--repository-url",
                "http://u:SENTINEL1@127.0.0.1:1/legacy/",
                "--index-url",
                "http://u:SENTINEL2@127.0.0.1:1/simple/",
                "--token",
                "SENTINEL3",
                "--password",
                "SENTINEL4",
            ][..],
            &[
                "shipwheel",
                "verify",
                "--index-url",
                "http://u:SENTINEL5@127.0.0.1:1/simple/",
                "--extra-index-url",
                "https://u:SENTINEL6@127.0.0.1:2/simple/",
                "demo==1.0",
            ],
            &[
                "shipwheel",
                "serve",
                "--token",
                "SENTINEL7",
                "--token",
                "SENTINEL8",
            ],
        ] {
            let cli = Cli::try_parse_from(argv).unwrap();
            let debug = format!("{cli:?}");
            assert!(!debug.contains("SENTINEL"), "{debug}");
            assert!(debug.contains("****"), "{debug}");
        }
    }
}

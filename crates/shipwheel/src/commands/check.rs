//! `shipwheel check`: judge distribution files exactly as PyPI's upload will.

use crate::cli::GlobalArgs;
use crate::commands::ExitStatus;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or glob patterns (default: dist/*).
    pub paths: Vec<String>,
}

pub fn run(_args: CheckArgs, _global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("check is being built")
}

//! `shipwheel version`.

use crate::cli::GlobalArgs;
use crate::commands::ExitStatus;

#[derive(clap::Args, Debug)]
pub struct VersionArgs {}

pub fn run(_args: VersionArgs, _global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("version is being built")
}

//! `shipwheel serve`.

use crate::cli::GlobalArgs;
use crate::commands::ExitStatus;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs, _global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("serve is being built")
}

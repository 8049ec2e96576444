//! `shipwheel plan`.

use crate::cli::GlobalArgs;
use crate::commands::ExitStatus;

#[derive(clap::Args, Debug)]
pub struct PlanArgs {}

pub fn run(_args: PlanArgs, _global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("plan is being built")
}

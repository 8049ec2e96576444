//! `shipwheel verify`.

use crate::cli::GlobalArgs;
use crate::commands::ExitStatus;

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {}

pub fn run(_args: VerifyArgs, _global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("verify is being built")
}

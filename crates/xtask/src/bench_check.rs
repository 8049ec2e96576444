//! `cargo xtask bench-check`.

use std::path::Path;

pub fn run(_root: &Path, _args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("bench-check is being written")
}

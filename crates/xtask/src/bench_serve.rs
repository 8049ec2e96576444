//! `cargo xtask bench-serve`.

use std::path::Path;

pub fn run(_root: &Path, _args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("bench-serve is being written")
}

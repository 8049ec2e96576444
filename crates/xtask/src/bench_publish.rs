//! `cargo xtask bench-publish`.

use std::path::Path;

pub fn run(_root: &Path, _args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("bench-publish is being written")
}

//! Shared benchmark plumbing: timing commands and writing a section of docs/benchmarks.md.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context as _;

/// Run `cmd` `n` times and return the median wall-clock duration. Fails if any run fails
/// unexpectedly (exit status outside `ok_codes`).
pub fn median_time(
    n: usize,
    ok_codes: &[i32],
    mut make: impl FnMut() -> Command,
) -> anyhow::Result<Duration> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let mut cmd = make();
        let start = Instant::now();
        let out = cmd.output()?;
        times.push(start.elapsed());
        let code = out.status.code().unwrap_or(-1);
        if !ok_codes.contains(&code) {
            anyhow::bail!(
                "{:?} exited {code}: {}",
                cmd,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// Replace (or append) the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in
/// docs/benchmarks.md, so each benchmark rewrites only its own results.
pub fn write_section(root: &Path, name: &str, markdown: &str) -> anyhow::Result<()> {
    let path = root.join("docs/benchmarks.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Benchmarks\n\nEvery number here comes from `cargo xtask bench-*`, which runs shipwheel and \
         the peers side by side in one run on the same machine.\n"
            .to_string()
    });
    let start = format!("<!-- bench:{name} -->");
    let end = format!("<!-- /bench:{name} -->");
    let block = format!("{start}\n{}\n{end}", markdown.trim_end());
    let new = match (text.find(&start), text.find(&end)) {
        (Some(s), Some(e)) if e > s => format!("{}{}{}", &text[..s], block, &text[e + end.len()..]),
        _ => format!("{}\n{}\n", text.trim_end(), block),
    };
    std::fs::write(&path, new)?;
    Ok(())
}

/// Milliseconds with one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Build shipwheel in release mode and return the binary's path (honours CARGO_TARGET_DIR).
pub fn build_release(root: &Path, task: &str) -> anyhow::Result<std::path::PathBuf> {
    eprintln!("{task}: building shipwheel (release)");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "-p", "shipwheel"])
        .current_dir(root)
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run cargo build: {e}"))?;
    if !status.success() {
        anyhow::bail!("cargo build --release -p shipwheel failed");
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target_dir.join("release/shipwheel"))
}

/// `[--runs N]` (default 9), the one option of the timing tasks.
pub fn parse_runs(task: &str, args: &[String]) -> anyhow::Result<usize> {
    match args {
        [] => Ok(9),
        [flag, n] if flag == "--runs" => {
            let n: usize = n.parse().context("--runs takes a number")?;
            if n == 0 {
                anyhow::bail!("--runs must be at least 1");
            }
            Ok(n)
        }
        _ => anyhow::bail!("usage: cargo xtask {task} [--runs N]"),
    }
}

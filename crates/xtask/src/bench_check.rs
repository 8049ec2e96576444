//! `cargo xtask bench-check [--runs N]`: `shipwheel check` against `twine check` plus
//! `check-wheel-contents`, and `shipwheel check --verify-hashes` against `unzip -tq`, on the
//! corpus wheels, in one run on this machine. Writes the `check` section of docs/benchmarks.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::common::{median_time, ms, write_section};

/// Targets the results are held to.
const TARGET_SPEEDUP: f64 = 30.0;
const TARGET_VERIFY_RATIO: f64 = 0.5;

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let runs = crate::common::parse_runs("bench-check", args)?;

    let wheels = corpus_wheels(root)?;
    let total: u64 = wheels
        .iter()
        .map(|w| std::fs::metadata(w).map(|m| m.len()).unwrap_or(0))
        .sum();
    let venv = root.join("target/peers/venv/bin");
    for tool in ["twine", "check-wheel-contents", "python"] {
        if !venv.join(tool).exists() {
            bail!(
                "{tool} is missing from {}: run `bash scripts/peers.sh`",
                venv.display()
            );
        }
    }
    if Command::new("unzip").arg("-v").output().is_err() {
        bail!(
            "unzip is not installed: run `apt-get install -y unzip` (the benchmark times `unzip -tq`)"
        );
    }

    let shipwheel = crate::common::build_release(root, "bench-check")?;

    let shipwheel_check = |extra: &[&str]| {
        let mut cmd = Command::new(&shipwheel);
        cmd.args(["--quiet", "check"])
            .args(extra)
            .args(&wheels)
            .env_remove("GITHUB_ACTIONS");
        cmd
    };
    let python = venv.join("python");
    let python_arg = python.display().to_string();

    eprintln!(
        "bench-check: {} wheels, {:.1} MiB, median of {runs} runs each",
        wheels.len(),
        total as f64 / 1048576.0
    );
    // Warm the page cache so the first timed tool does not pay for disk reads.
    for w in &wheels {
        std::fs::read(w)?;
    }

    let ours = median_time(runs, &[0], || {
        shipwheel_check(&["--rst-renderer", "native"])
    })?;
    let ours_python = median_time(runs, &[0], || {
        shipwheel_check(&["--rst-renderer", "python", "--python", &python_arg])
    })?;
    let twine = median_time(runs, &[0], || {
        let mut cmd = Command::new(venv.join("twine"));
        cmd.arg("check").args(&wheels);
        cmd
    })?;
    // check-wheel-contents exits 1 when it has warnings, which the corpus has.
    let cwc = median_time(runs, &[0, 1], || {
        let mut cmd = Command::new(venv.join("check-wheel-contents"));
        cmd.args(&wheels);
        cmd
    })?;
    let ours_verify = median_time(runs, &[0], || {
        shipwheel_check(&["--rst-renderer", "native", "--verify-hashes"])
    })?;
    // unzip tests one archive per invocation.
    let unzip = median_time(runs, &[0], || {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(r#"for f in "$@"; do unzip -tq "$f" >/dev/null || exit 1; done"#)
            .arg("sh")
            .args(&wheels);
        cmd
    })?;

    let peers = twine + cwc;
    let speedup = secs(peers) / secs(ours).max(1e-9);
    let speedup_python = secs(peers) / secs(ours_python).max(1e-9);
    let verify_ratio = secs(ours_verify) / secs(unzip).max(1e-9);
    let met = |ok: bool| if ok { "yes" } else { "**no**" };
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);

    let md = format!(
        "## check\n\n\
         `cargo xtask bench-check`: {n} corpus wheels ({mib:.1} MiB, `target/corpus/wheels`), \
         median of {runs} runs, page cache warm, {cpus} CPUs, shipwheel built with `--release`. \
         All tools run in the same invocation of the benchmark.\n\n\
         | Task | shipwheel | peer | ratio | target | met |\n\
         |---|---:|---:|---:|---:|:---:|\n\
         | `shipwheel check` vs `twine check` + `check-wheel-contents` | {ours} | {peers} ({twine} + {cwc}) | {speedup:.1}x faster | >= {TARGET_SPEEDUP:.0}x faster | {m1} |\n\
         | `shipwheel check --verify-hashes` vs `unzip -tq` (each wheel) | {verify} | {unzip} | {verify_ratio:.2}x the time | <= {TARGET_VERIFY_RATIO}x | {m2} |\n\
         | `shipwheel check --rst-renderer python` (readme-renderer, as PyPI) vs the same peers | {ours_py} | {peers} | {speedup_python:.1}x faster | (information) | |\n\n\
         `shipwheel check` uses the built-in reStructuredText checker in the first two rows; the \
         third row starts readme-renderer through Python for the files whose description is \
         reStructuredText. `--verify-hashes` inflates every member and compares it with RECORD \
         (SHA-256 and size); `unzip -tq` inflates every member and checks its CRC-32.\n",
        n = wheels.len(),
        mib = total as f64 / 1048576.0,
        ours = ms(ours),
        peers = ms(peers),
        twine = ms(twine),
        cwc = ms(cwc),
        verify = ms(ours_verify),
        unzip = ms(unzip),
        ours_py = ms(ours_python),
        m1 = met(speedup >= TARGET_SPEEDUP),
        m2 = met(verify_ratio <= TARGET_VERIFY_RATIO),
    );
    write_section(root, "check", &md)?;
    println!("{md}");
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn corpus_wheels(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let dir = root.join("target/corpus/wheels");
    let mut wheels: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| {
            format!(
                "cannot read {}: run `bash scripts/corpus.sh` first",
                dir.display()
            )
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    wheels.sort();
    if wheels.len() < 20 {
        bail!(
            "expected 20 wheels in {}, found {}: run `bash scripts/corpus.sh`",
            dir.display(),
            wheels.len()
        );
    }
    Ok(wheels)
}

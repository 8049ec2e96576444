//! `cargo xtask bench-check [--runs N]`: `shipwheel check` as a user types it (no flags)
//! against `twine check` plus `check-wheel-contents`, once with a `python3` on PATH that has
//! readme-renderer and once with one that has not; the faster non-default modes in rows of
//! their own; and `shipwheel check --verify-hashes` against `unzip -tq`; on the corpus wheels,
//! in one run on this machine. Writes the `check` section of docs/benchmarks.md.

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
    // The pinned peers, where the tests find them too.
    let venv = std::env::var_os("SHIPWHEEL_PEERS_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target/peers/venv"))
        .join("bin");
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
    let python = venv.join("python");
    let python_arg = python.display().to_string();

    // Two machines for the default command: PATH's python3 with readme-renderer (the peers
    // venv) and without it (a fresh venv of the system's python3).
    let bench = root.join("target/bench-check");
    let with_rr = bench.join("with-readme-renderer");
    let without_rr = bench.join("without-readme-renderer");
    // A wrapper, not a symlink: a venv's interpreter finds its venv from the path it runs as.
    let wrapper = |dir: &Path, target: &Path| -> anyhow::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir)?;
        let path = dir.join("python3");
        let _ = std::fs::remove_file(&path);
        std::fs::write(
            &path,
            format!("#!/bin/sh\nexec '{}' \"$@\"\n", target.display()),
        )?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        Ok(())
    };
    wrapper(&with_rr, &python)?;
    let plain_venv = bench.join("plain-venv");
    if !plain_venv.join("bin/python3").exists() {
        let status = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(&plain_venv)
            .status()
            .context("cannot run python3 -m venv")?;
        if !status.success() {
            bail!("python3 -m venv {} failed", plain_venv.display());
        }
    }
    wrapper(&without_rr, &plain_venv.join("bin/python3"))?;
    let has_rr = |dir: &Path| {
        Command::new(dir.join("python3"))
            .args(["-c", "import readme_renderer"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if !has_rr(&with_rr) || has_rr(&without_rr) {
        bail!("cannot set up a python3 with and one without readme-renderer");
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path_with = |dir: &Path| {
        let mut dirs = vec![dir.to_path_buf()];
        dirs.extend(std::env::split_paths(&path));
        std::env::join_paths(dirs).unwrap_or_default()
    };
    let (path_rr, path_plain) = (path_with(&with_rr), path_with(&without_rr));

    let shipwheel_check = |extra: &[&str], path: &std::ffi::OsStr| {
        let mut cmd = Command::new(&shipwheel);
        cmd.arg("check")
            .args(extra)
            .args(&wheels)
            .env("PATH", path)
            .env_remove("SHIPWHEEL_PYTHON")
            .env_remove("GITHUB_ACTIONS");
        cmd
    };

    eprintln!(
        "bench-check: {} wheels, {:.1} MiB, median of {runs} runs each",
        wheels.len(),
        total as f64 / 1048576.0
    );
    // Warm the page cache so the first timed tool does not pay for disk reads.
    for w in &wheels {
        std::fs::read(w)?;
    }

    let ours_rr = median_time(runs, &[0], || shipwheel_check(&[], &path_rr))?;
    let ours_plain = median_time(runs, &[0], || shipwheel_check(&[], &path_plain))?;
    let ours_native = median_time(runs, &[0], || {
        shipwheel_check(&["--rst-renderer", "native"], &path_plain)
    })?;
    let ours_python = median_time(runs, &[0], || {
        shipwheel_check(
            &["--rst-renderer", "python", "--python", &python_arg],
            &path_plain,
        )
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
        shipwheel_check(
            &["--rst-renderer", "native", "--verify-hashes"],
            &path_plain,
        )
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
    let speed = |d: Duration| secs(peers) / secs(d).max(1e-9);
    let (speedup_rr, speedup_plain) = (speed(ours_rr), speed(ours_plain));
    let (speedup_native, speedup_python) = (speed(ours_native), speed(ours_python));
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
         | `shipwheel check` (no flags; `python3` on PATH has readme-renderer) vs `twine check` + `check-wheel-contents` | {ours_rr} | {peers} ({twine} + {cwc}) | {speedup_rr:.1}x faster | >= {TARGET_SPEEDUP:.0}x faster | {m1} |\n\
         | `shipwheel check` (no flags; `python3` on PATH has no readme-renderer) vs the same peers | {ours_plain} | {peers} | {speedup_plain:.1}x faster | >= {TARGET_SPEEDUP:.0}x faster | {m1b} |\n\
         | `shipwheel check --rst-renderer native` (non-default: built-in checker only) vs the same peers | {ours_native} | {peers} | {speedup_native:.1}x faster | (information) | |\n\
         | `shipwheel check --rst-renderer python` (non-default: readme-renderer on every reStructuredText description) vs the same peers | {ours_py} | {peers} | {speedup_python:.1}x faster | (information) | |\n\
         | `shipwheel check --rst-renderer native --verify-hashes` vs `unzip -tq` (each wheel) | {verify} | {unzip} | {verify_ratio:.2}x the time | <= {TARGET_VERIFY_RATIO}x | {m2} |\n\n\
         The first two rows are the command as typed, on two machines: with the default \
         `--rst-renderer auto`, the built-in checker's verdict is final for every corpus \
         description it models exactly (here all seven reStructuredText ones), so no Python is \
         started whether or not readme-renderer is installed; it also inflates and scans every \
         `.py`/`.pye` member, as PyPI's upload does; that scan is most of its time (over half of \
         its CPU time inflates those members, which the peers do not read). \
         `--rst-renderer python` starts \
         readme-renderer for every reStructuredText description. `--verify-hashes` inflates every \
         member and compares it with RECORD; `unzip -tq` inflates every member and checks its \
         CRC-32.\n",
        n = wheels.len(),
        mib = total as f64 / 1048576.0,
        ours_rr = ms(ours_rr),
        ours_plain = ms(ours_plain),
        ours_native = ms(ours_native),
        peers = ms(peers),
        twine = ms(twine),
        cwc = ms(cwc),
        verify = ms(ours_verify),
        unzip = ms(unzip),
        ours_py = ms(ours_python),
        m1 = met(speedup_rr >= TARGET_SPEEDUP),
        m1b = met(speedup_plain >= TARGET_SPEEDUP),
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

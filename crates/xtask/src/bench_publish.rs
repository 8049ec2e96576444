//! `cargo xtask bench-publish [--runs N]`: `shipwheel publish` against `uv publish` and
//! `twine upload`, side by side in one run, uploading to a local pypiserver (loopback), to
//! `shipwheel serve`, and to the same pypiserver through a loopback latency proxy (20 and 80 ms
//! round trips): one small wheel, a batch of 20 wheels, and peak RSS for one large file
//! (64/128/256 MiB). Writes the `publish` section of docs/benchmarks.md.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use test_support::builder::WheelBuilder;
use test_support::servers::{Pypiserver, PypiserverOptions};

use crate::common::{ms, write_section};
use crate::delay_proxy::DelayProxy;

const TOOLS: [&str; 3] = ["shipwheel", "uv", "twine"];
/// The 20-file case also runs shipwheel with `--jobs 1`, to show what parallel uploads cost or
/// gain against a server that shares this machine's CPUs.
const BATCH_TOOLS: [&str; 4] = ["shipwheel", "shipwheel-j1", "uv", "twine"];

/// Deterministic incompressible bytes (xorshift), so stored and deflated sizes match.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A release matrix: 5 CPython versions × 4 platforms.
fn matrix_tags() -> Vec<String> {
    let mut tags = Vec::new();
    for py in ["cp39", "cp310", "cp311", "cp312", "cp313"] {
        for plat in [
            "manylinux_2_17_x86_64",
            "manylinux_2_17_aarch64",
            "musllinux_1_2_x86_64",
            "win_amd64",
        ] {
            tags.push(format!("{py}-{py}-{plat}"));
        }
    }
    tags
}

fn make_wheel(dir: &Path, name: &str, version: &str, payload: usize) -> PathBuf {
    make_tagged_wheel(dir, name, version, payload, "py3-none-any")
}

fn make_tagged_wheel(dir: &Path, name: &str, version: &str, payload: usize, tag: &str) -> PathBuf {
    let module = name.replace('-', "_");
    let mut b = WheelBuilder::new(name, version).tag(tag);
    if payload > 0 {
        b = b
            .file(
                &format!("{module}/data.bin"),
                noise(payload, payload as u64 ^ 0x9e37),
            )
            .stored();
    }
    b.write_to(dir)
}

#[derive(Clone)]
struct Env {
    shipwheel: PathBuf,
    uv: PathBuf,
    twine: PathBuf,
    server_url: String,
    user: String,
    password: String,
    home: PathBuf,
}

impl Env {
    /// The upload command of `tool` for `files`.
    fn command(&self, tool: &str, files: &[PathBuf], extra_shipwheel: &[&str]) -> Command {
        let mut cmd = match tool {
            "shipwheel" | "shipwheel-j1" => {
                let mut c = Command::new(&self.shipwheel);
                c.args([
                    "--quiet",
                    "publish",
                    "--non-interactive",
                    "--repository-url",
                ])
                .arg(&self.server_url)
                .args(["-u", &self.user, "-p", &self.password])
                .args(extra_shipwheel);
                if tool == "shipwheel-j1" {
                    c.args(["--jobs", "1"]);
                }
                c
            }
            "uv" => {
                let mut c = Command::new(&self.uv);
                c.args([
                    "publish",
                    "--quiet",
                    "--trusted-publishing",
                    "never",
                    "--publish-url",
                ])
                .arg(&self.server_url)
                .args(["-u", &self.user, "-p", &self.password])
                .env("UV_NO_CONFIG", "1");
                c
            }
            _ => {
                let mut c = Command::new(&self.twine);
                c.args([
                    "upload",
                    "--disable-progress-bar",
                    "--non-interactive",
                    "--repository-url",
                ])
                .arg(&self.server_url)
                .args(["-u", &self.user, "-p", &self.password]);
                c
            }
        };
        cmd.args(files)
            .env("HOME", &self.home)
            .env_remove("GITHUB_ACTIONS")
            .env_remove("TWINE_USERNAME")
            .env_remove("TWINE_PASSWORD")
            .env_remove("UV_PUBLISH_TOKEN")
            .stdout(std::process::Stdio::null());
        cmd
    }
}

/// Peak RSS in KiB of one run, via `/usr/bin/time -v`.
fn peak_rss_kib(cmd: Command) -> anyhow::Result<u64> {
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let envs: Vec<_> = cmd
        .get_envs()
        .map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned())))
        .collect();
    let mut timed = Command::new("/usr/bin/time");
    timed.arg("-v").arg(&program).args(&args);
    for (k, v) in envs {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let out = timed.output().context("cannot run /usr/bin/time")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("{:?} failed: {stderr}", program);
    }
    stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes):")
                .and_then(|v| v.trim().parse().ok())
        })
        .context("no peak RSS in /usr/bin/time output")
}

/// The 1-minute load average, as context for the timings.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Time every tool on the same server state: `sets[t][0]` is tool t's untimed warm-up (its
/// project then exists on the index), `sets[t][1..]` one fresh set of files per timed run.
/// Rounds are interleaved with the starting tool rotated, and each timed run's files are removed
/// from the server afterwards (pypiserver reads its directory on every request, so a growing
/// directory would slow down whichever tool runs later). Returns each tool's median.
fn time_interleaved(
    env: &Env,
    packages_dir: Option<&Path>,
    tools: &[&'static str],
    runs: usize,
    sets: &[Vec<Vec<PathBuf>>],
) -> anyhow::Result<Vec<(&'static str, Duration)>> {
    time_with_server_cpu(env, packages_dir, None, tools, runs, sets).map(|(wall, _)| wall)
}

/// CPU time a process has used so far, all threads, from the scheduler's nanosecond counters.
fn process_cpu(pid: u32) -> anyhow::Result<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .with_context(|| format!("reading the threads of process {pid}"))?
    {
        let stat = std::fs::read_to_string(task?.path().join("schedstat")).unwrap_or_default();
        total += stat
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Ok(Duration::from_nanos(total))
}

/// [`time_interleaved`], also measuring the CPU time the server process `server_pid` spends
/// during each run. Returns each tool's median wall time and median server CPU time.
fn time_with_server_cpu(
    env: &Env,
    packages_dir: Option<&Path>,
    server_pid: Option<u32>,
    tools: &[&'static str],
    runs: usize,
    sets: &[Vec<Vec<PathBuf>>],
) -> anyhow::Result<(Timings, Timings)> {
    for (tool, files) in tools.iter().zip(sets) {
        let warm = files.first().context("no warm-up files")?;
        let status = env.command(tool, warm, &[]).status()?;
        if !status.success() {
            bail!("{tool}: warm-up upload failed");
        }
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); tools.len()];
    let mut server: Vec<Vec<Duration>> = vec![Vec::new(); tools.len()];
    for round in 1..=runs {
        for k in 0..tools.len() {
            let t = (round + k) % tools.len();
            let (Some(tool), Some(files)) = (tools.get(t), sets.get(t).and_then(|s| s.get(round)))
            else {
                bail!("missing files for round {round}");
            };
            let mut cmd = env.command(tool, files, &[]);
            let cpu_before = server_pid.map(process_cpu).transpose()?;
            let start = Instant::now();
            let out = cmd.output()?;
            let elapsed = start.elapsed();
            if let (Some(pid), Some(before), Some(list)) =
                (server_pid, cpu_before, server.get_mut(t))
            {
                list.push(process_cpu(pid)?.saturating_sub(before));
            }
            if !out.status.success() {
                bail!(
                    "{tool} failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            if let Some(list) = times.get_mut(t) {
                list.push(elapsed);
            }
            for f in files {
                if let (Some(dir), Some(name)) = (packages_dir, f.file_name()) {
                    std::fs::remove_file(dir.join(name))
                        .with_context(|| format!("{tool} did not store {}", f.display()))?;
                }
            }
        }
    }
    let medians = |lists: Vec<Vec<Duration>>| -> Timings {
        tools
            .iter()
            .zip(lists)
            .map(|(tool, mut list)| {
                list.sort();
                (*tool, list.get(list.len() / 2).copied().unwrap_or_default())
            })
            .collect()
    };
    let wall = medians(times);
    let cpu = if server_pid.is_some() {
        medians(server)
    } else {
        Vec::new()
    };
    Ok((wall, cpu))
}

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let runs = crate::common::parse_runs("bench-publish", args)?;
    let venv = root.join("target/peers/venv/bin");
    for tool in ["uv", "twine", "pypi-server"] {
        if !venv.join(tool).exists() {
            bail!(
                "{tool} is missing from {}: run `bash scripts/peers.sh`",
                venv.display()
            );
        }
    }
    if !Path::new("/usr/bin/time").exists() {
        bail!(
            "/usr/bin/time is missing: run `apt-get install -y time` (peak RSS is measured with it)"
        );
    }
    let shipwheel = crate::common::build_release(root, "bench-publish")?;
    let load_before = load_average();

    let server = Pypiserver::start(PypiserverOptions::default());
    let work = tempfile::tempdir()?;
    let home = work.path().join("home");
    std::fs::create_dir_all(&home)?;
    let env = Env {
        shipwheel,
        uv: venv.join("uv"),
        twine: venv.join("twine"),
        server_url: server.upload_url.clone(),
        user: server.user.clone(),
        password: server.password.clone(),
        home,
    };

    // 1. One small wheel; every run uploads a new version (an upload, not a skip).
    eprintln!("bench-publish: one wheel, median of {runs} runs per tool");
    let one = time_interleaved(
        &env,
        Some(&server.packages_dir),
        &TOOLS,
        runs,
        &one_sets(work.path(), "direct", runs)?,
    )?;

    // 2. Twenty wheels in one command (one release's build matrix): small ones, where the
    // clients' own overhead shows, and 256 KiB ones, where the server's work dominates.
    let batch_runs = runs.div_ceil(2).max(3);
    // The same batches against shipwheel's own index too: a server that is not bound by the CPU
    // these clients share with it.
    let serve = ServeProcess::start(&env.shipwheel, work.path())?;
    let serve_env = Env {
        server_url: serve.upload_url.clone(),
        user: "__token__".into(),
        password: serve.token.clone(),
        ..env.clone()
    };
    let mut batches = Vec::new();
    // pypiserver's own CPU time per run: no client can finish before the server has done its
    // share, so it bounds what any client could gain over uv against this server.
    let mut server_cpu = Vec::new();
    for (server_label, run_env, packages_dir, pid) in [
        (
            "pypiserver",
            &env,
            Some(server.packages_dir.as_path()),
            Some(server.pid()),
        ),
        ("serve", &serve_env, None, None),
    ] {
        for (label, payload) in BATCH_SIZES {
            eprintln!(
                "bench-publish: 20 {label} wheels to {server_label}, median of {batch_runs} runs per tool"
            );
            let (wall, cpu) = time_with_server_cpu(
                run_env,
                packages_dir,
                pid,
                &BATCH_TOOLS,
                batch_runs,
                &batch_sets(
                    work.path(),
                    &format!("{server_label}-{label}"),
                    payload,
                    batch_runs,
                )?,
            )?;
            batches.push(wall);
            if pid.is_some() {
                server_cpu.push(cpu);
            }
        }
    }
    let [small_cpu, large_cpu] = server_cpu.as_slice() else {
        bail!("expected two server CPU results");
    };
    drop(serve);
    let [small_batch, batch, serve_small, serve_large] = batches.as_slice() else {
        bail!("expected four batch results");
    };

    // 3. The same uploads to the same pypiserver through the latency proxy: what round trips to
    // a remote index add, while the server's work stays the same.
    let upstream = SocketAddr::from((Ipv4Addr::LOCALHOST, server.port));
    let mut proxied: Vec<(u64, Timings, Timings, Timings)> = Vec::new();
    for rtt_ms in PROXY_RTTS_MS {
        let proxy = DelayProxy::start(upstream, Duration::from_millis(rtt_ms) / 2)?;
        let proxy_env = Env {
            server_url: format!("http://{}/", proxy.addr()),
            ..env.clone()
        };
        let key = format!("rtt{rtt_ms}");
        eprintln!("bench-publish: one wheel, {rtt_ms} ms RTT, median of {runs} runs per tool");
        let one = time_interleaved(
            &proxy_env,
            Some(&server.packages_dir),
            &TOOLS,
            runs,
            &one_sets(work.path(), &key, runs)?,
        )?;
        let mut sized = Vec::new();
        for (label, payload) in BATCH_SIZES {
            eprintln!(
                "bench-publish: 20 {label} wheels, {rtt_ms} ms RTT, median of {batch_runs} runs per tool"
            );
            sized.push(time_interleaved(
                &proxy_env,
                Some(&server.packages_dir),
                &BATCH_TOOLS,
                batch_runs,
                &batch_sets(work.path(), &format!("{key}-{label}"), payload, batch_runs)?,
            )?);
        }
        drop(proxy);
        let [small, large] = <[Timings; 2]>::try_from(sized)
            .map_err(|_| anyhow::anyhow!("expected two batch results"))?;
        proxied.push((rtt_ms, one, small, large));
    }

    // 4. Peak RSS for one large file. shipwheel runs with --no-check: the files exceed PyPI's
    // 100 MiB default limit, which `check` reports as an error.
    eprintln!("bench-publish: peak RSS for 64/128/256 MiB files");
    let mut rss: Vec<(u64, Vec<(&str, u64)>)> = Vec::new();
    for size_mib in [64u64, 128, 256] {
        let mut row = Vec::new();
        for tool in TOOLS {
            let dir = work.path().join(format!("big-{tool}-{size_mib}"));
            std::fs::create_dir_all(&dir)?;
            let file = make_wheel(
                &dir,
                &format!("bench-big-{tool}"),
                &format!("{size_mib}.0"),
                (size_mib * 1024 * 1024) as usize,
            );
            let kib =
                peak_rss_kib(env.command(tool, std::slice::from_ref(&file), &["--no-check"]))?;
            row.push((tool, kib));
            std::fs::remove_dir_all(&dir)?;
            for stored in server.stored_files() {
                if stored.starts_with("bench_big") {
                    let _ = std::fs::remove_file(server.packages_dir.join(stored));
                }
            }
        }
        rss.push((size_mib, row));
    }

    let versions = {
        let v = |c: &Path, a: &str| {
            Command::new(c)
                .arg(a)
                .output()
                .map(|o| {
                    let text = String::from_utf8_lossy(&o.stdout).to_string();
                    let first = text.lines().next().unwrap_or("").trim().to_string();
                    // `twine version 7.0.0 (readme-renderer: …)` → `twine version 7.0.0`
                    first.split(" (").next().unwrap_or("").to_string()
                })
                .unwrap_or_default()
        };
        format!(
            "{}, {}, {}",
            v(&env.shipwheel, "--version"),
            v(&env.uv, "--version"),
            v(&env.twine, "--version")
        )
    };
    let load_after = load_average();
    let vs_uv = |list: &Timings| ratio(get(list, "shipwheel"), get(list, "uv"));
    let goal = |list: &Timings| {
        let r = vs_uv(list);
        format!("{r:.2}× ({})", if r >= 2.0 { "met" } else { "not met" })
    };

    let mut md = String::new();
    md.push_str("## publish\n\n");
    md.push_str(&format!(
        "`cargo xtask bench-publish`: `shipwheel publish`, `uv publish` and `twine upload` \
         upload the same kinds of files to a local pypiserver 2.4.2 (loopback, password auth), \
         directly and through a loopback latency proxy, and to `shipwheel serve`, on this \
         machine ({} CPUs). Every timed run uploads new files (a new version), so nothing is \
         skipped. shipwheel's times include its `check` of every file and its preflight request \
         to the index. The tools take turns round by round (the first tool rotates), after one \
         untimed warm-up upload each, and each run's files are deleted from the server \
         afterwards, so every run meets the same server state. Versions: {versions}.\n\n",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    ));
    md.push_str(&format!(
        "### Wall time (median of {runs} runs; 20 files: median of {batch_runs})\n\n\
         Load average (1 min) when the runs started: {load_before}; when they ended: \
         {load_after}. The servers share the CPUs with the clients, so other load on the \
         machine slows every tool down and narrows the gaps.\n\n\
         The goal for a release of 20 files is an upload at least 2× as fast as `uv publish`. \
         In this run, shipwheel (default `--jobs 4`) against `uv publish`, 20 files:\n\n\
         - straight to pypiserver: {} with small wheels, {} with 256 KiB wheels;\n\
         - to `shipwheel serve`: {} small, {} 256 KiB;\n",
        goal(small_batch),
        goal(batch),
        goal(serve_small),
        goal(serve_large),
    ));
    for (rtt_ms, _, small, large) in &proxied {
        md.push_str(&format!(
            "- to pypiserver through the proxy, {rtt_ms} ms round trip: {} small, {} 256 KiB;\n",
            goal(small),
            goal(large)
        ));
    }
    md.push_str(
        "\nWhat each setup measures, and so what its ratio says about the goal, is below each \
         table.\n\n",
    );

    md.push_str("#### Straight to pypiserver (loopback, no added latency)\n\n");
    md.push_str(&table(&[
        ("1 wheel (1.5 KiB)".into(), &one, "shipwheel"),
        (
            "20 wheels of one release (about 1.5 KiB each)".into(),
            small_batch,
            "shipwheel",
        ),
        (
            "same 20 small wheels, shipwheel `--jobs 1`".into(),
            small_batch,
            "shipwheel-j1",
        ),
        (
            "20 wheels of one release (256 KiB each)".into(),
            batch,
            "shipwheel",
        ),
        (
            "same 20 wheels, shipwheel `--jobs 1`".into(),
            batch,
            "shipwheel-j1",
        ),
    ]));
    let share = |list: &Timings| {
        let (j4, j1) = (get(list, "shipwheel"), get(list, "shipwheel-j1"));
        format!(
            "{:.0} %",
            100.0 * j4.as_secs_f64() / j1.as_secs_f64().max(1e-9)
        )
    };
    md.push_str(&format!(
        "\nThe 20-wheel rows are one release's build matrix (5 CPython versions × 4 platforms) in \
         one command. shipwheel uploads 4 files at a time (`--jobs 4`, the default); uv and \
         twine upload one after another; the `--jobs 1` rows are the same batches sent by \
         shipwheel one file at a time (their runs take turns with the others). What this \
         measures: each client's whole command against a server with no network in between. \
         pypiserver handles every request in a single Python process on the same CPUs as the \
         clients, so its CPU time bounds every client, and sending 4 uploads at a time gains at \
         most what the client's own work can overlap with the server's on two cores: in this \
         run `--jobs 4` took {} of the `--jobs 1` time with small wheels and {} with 256 KiB \
         wheels. What it means for the goal: this setup cannot show what parallel uploads gain \
         over a network; the ratio against uv here is mostly the clients' own overhead \
         (start-up, check, building requests) next to the server's time.\n\n",
        share(small_batch),
        share(batch),
    ));
    let ms_of = |list: &Timings, tool: &str| ms(get(list, tool));
    // The least CPU time the server needed for one batch, whichever client sent it.
    let least = |cpu: &Timings| {
        cpu.iter()
            .map(|(_, d)| *d)
            .filter(|d| !d.is_zero())
            .min()
            .unwrap_or_default()
    };
    let ceiling = |wall: &Timings, cpu: &Timings| ratio(least(cpu), get(wall, "uv"));
    let (small_ceiling, large_ceiling) =
        (ceiling(small_batch, small_cpu), ceiling(batch, large_cpu));
    let j1_faster = |list: &Timings| get(list, "shipwheel-j1") < get(list, "shipwheel");
    let jobs_note = if j1_faster(small_batch) && j1_faster(batch) {
        "Concurrent uploads also make this server work harder (compare shipwheel's `--jobs 4` \
         and `--jobs 1` CPU times), and in this run `--jobs 1` was the faster setting in both \
         cases: against a single-process index on the same machine, pass `--jobs 1`. "
    } else {
        ""
    };
    let verdict = if small_ceiling < 2.0 && large_ceiling < 2.0 {
        "So against this server on this machine no client can reach the 2× goal; what the rows \
         compare is how close each client comes to the server's own time."
    } else if small_ceiling < 2.0 || large_ceiling < 2.0 {
        "So against this server on this machine no client can reach the 2× goal in at least one \
         of the two cases."
    } else {
        "So the server leaves room for the 2× goal here; the rows show how much of it each \
         client takes."
    };
    md.push_str(&format!(
        "pypiserver's own CPU time during the 20-wheel runs (median, all its threads, from \
         `/proc/<pid>/task/*/schedstat`), small wheels: {} with shipwheel, {} with \
         `--jobs 1`, {} with uv, {} with twine; 256 KiB wheels: {}, {}, {}, {}. pypiserver runs \
         its Python code under one interpreter lock, so it serves the requests essentially one \
         after another, and no client can finish before the server has done its work: the most \
         any client could gain over uv's {} and {} is about uv's time divided by the least \
         server CPU time any client's batch needed ({} and {}): {small_ceiling:.2}× with small \
         wheels and {large_ceiling:.2}× with 256 KiB wheels, before counting any client's own \
         start-up, check and requests. {jobs_note}{verdict}\n\n",
        ms_of(small_cpu, "shipwheel"),
        ms_of(small_cpu, "shipwheel-j1"),
        ms_of(small_cpu, "uv"),
        ms_of(small_cpu, "twine"),
        ms_of(large_cpu, "shipwheel"),
        ms_of(large_cpu, "shipwheel-j1"),
        ms_of(large_cpu, "uv"),
        ms_of(large_cpu, "twine"),
        ms_of(small_batch, "uv"),
        ms_of(batch, "uv"),
        ms(least(small_cpu)),
        ms(least(large_cpu)),
    ));

    md.push_str("#### To `shipwheel serve` instead of pypiserver\n\n");
    md.push_str(&table(&[
        ("20 small wheels".into(), serve_small, "shipwheel"),
        (
            "same 20 small wheels, shipwheel `--jobs 1`".into(),
            serve_small,
            "shipwheel-j1",
        ),
        ("20 wheels of 256 KiB".into(), serve_large, "shipwheel"),
        (
            "same 20 wheels, shipwheel `--jobs 1`".into(),
            serve_large,
            "shipwheel-j1",
        ),
    ]));
    md.push_str(
        "\nThe same batches to `shipwheel serve` (the same release build, as its own process, \
         token auth; it judges every upload by its full rule set and fsyncs the file before it \
         answers). uv and twine upload to it with the same flags as to pypiserver. What this \
         measures: a server whose answer to each upload waits for the disk, a wait that \
         overlapping uploads can hide (compare the `--jobs 1` rows). What it means for the goal: it shows what `--jobs 4` gains when the \
         server is not bound by the clients' CPUs, but the waiting is this machine's disk under \
         shipwheel's own server, not a network, so it is no measurement of an upload to a \
         remote index.\n\n",
    );

    md.push_str("#### To pypiserver through a loopback latency proxy\n\n");
    let mut rows: Vec<(String, &Timings, &str)> = Vec::new();
    for (rtt_ms, one, small, large) in &proxied {
        rows.push((
            format!("{rtt_ms} ms RTT: 1 wheel (1.5 KiB)"),
            one,
            "shipwheel",
        ));
        rows.push((
            format!("{rtt_ms} ms RTT: 20 wheels (about 1.5 KiB each)"),
            small,
            "shipwheel",
        ));
        rows.push((
            format!("{rtt_ms} ms RTT: same 20 small wheels, shipwheel `--jobs 1`"),
            small,
            "shipwheel-j1",
        ));
        rows.push((
            format!("{rtt_ms} ms RTT: 20 wheels (256 KiB each)"),
            large,
            "shipwheel",
        ));
        rows.push((
            format!("{rtt_ms} ms RTT: same 20 wheels, shipwheel `--jobs 1`"),
            large,
            "shipwheel-j1",
        ));
    }
    md.push_str(&table(&rows));
    let rtt_list = PROXY_RTTS_MS
        .iter()
        .map(|r| format!("{r} ms"))
        .collect::<Vec<_>>()
        .join(" and ");
    let floor = PROXY_RTTS_MS
        .iter()
        .map(|r| format!("{} ms at {r} ms", 20 * r))
        .collect::<Vec<_>>()
        .join(", ");
    // The rows in round trips, so they read the same at every RTT.
    let in_rtts = |d: Duration, rtt_ms: u64| d.as_secs_f64() * 1000.0 / rtt_ms as f64;
    let mut rtt_lines = String::new();
    for (rtt_ms, one, small, large) in &proxied {
        let r = |list: &Timings, tool: &str| in_rtts(get(list, tool), *rtt_ms);
        rtt_lines.push_str(&format!(
            "- {rtt_ms} ms: 1 wheel: shipwheel {:.1}, uv {:.1}, twine {:.1}; 20 small wheels: \
             shipwheel {:.1} (`--jobs 1`: {:.1}), uv {:.1}, twine {:.1}; 20 wheels of 256 KiB: \
             shipwheel {:.1} (`--jobs 1`: {:.1}), uv {:.1}, twine {:.1}.\n",
            r(one, "shipwheel"),
            r(one, "uv"),
            r(one, "twine"),
            r(small, "shipwheel"),
            r(small, "shipwheel-j1"),
            r(small, "uv"),
            r(small, "twine"),
            r(large, "shipwheel"),
            r(large, "shipwheel-j1"),
            r(large, "uv"),
            r(large, "twine"),
        ));
    }
    let one_wheel = proxied
        .iter()
        .map(|(rtt_ms, one, _, _)| {
            let extra = in_rtts(get(one, "shipwheel"), *rtt_ms) - in_rtts(get(one, "uv"), *rtt_ms);
            if extra > 0.0 {
                format!("{extra:.1} round trips more than uv at {rtt_ms} ms")
            } else {
                format!("{:.1} round trips fewer than uv at {rtt_ms} ms", -extra)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    md.push_str(&format!(
        "\nThe same files to the same pypiserver, through a proxy in the xtask \
         (`crates/xtask/src/delay_proxy.rs`, on 127.0.0.1). It delivers every chunk of bytes, in \
         each direction, a fixed one-way delay (half the round trip) after it read it, in order \
         and with no bandwidth cap, and holds a new connection's first bytes for one more round \
         trip, as a TCP handshake would. So every request costs at least one round trip and \
         every new connection one more, as over a network, while the server does the same work \
         as in the first table. A client that sends one file at a time needs at least 20 round \
         trips for 20 files ({floor}); one that keeps 4 uploads in flight can overlap them. \
         Round trips of {rtt_list}: 20 ms is the order of a round trip from a cloud CI runner to \
         an index in a nearby region or to a nearby CDN edge; 80 ms the order of one across a \
         continent or an ocean, which an upload may pay because it is answered by the index's \
         own servers rather than by a cache at the edge.\n\n\
         The same medians counted in round trips (wall time ÷ RTT; this includes each tool's \
         own start-up and CPU time, which the first table shows without latency):\n\n\
         {rtt_lines}\n\
         What it means for the goal: of the three setups this is the closest to an upload from \
         CI to a remote index, and its 20-file ratios are the proxy lines of the goal list \
         above. The 1-wheel rows include the price of shipwheel's preflight over a network: it \
         reads the project's page on the index before it uploads, which uv (without \
         `--check-url`) and twine do not; in wall time ÷ RTT, shipwheel took {one_wheel}.\n\n\
         What the proxy does not model: TLS (an HTTPS connection costs one or two more round \
         trips before its first request, which favours clients that reuse connections), \
         bandwidth limits and TCP slow start (the 256 KiB files cross as fast as loopback \
         allows), packet loss, and a real index's own processing time per upload. PyPI \
         validates and stores every upload, which is likely to take far longer than \
         pypiserver's few milliseconds and would favour overlapping uploads even more; nothing \
         here measures that.\n\n"
    ));

    md.push_str("### Peak RSS for one large wheel (`/usr/bin/time -v`)\n\n");
    md.push_str("| File size | shipwheel | uv publish | twine upload |\n|---|---|---|---|\n");
    for (size, row) in &rss {
        let g = |tool: &str| {
            row.iter()
                .find(|(t, _)| *t == tool)
                .map(|(_, k)| *k)
                .unwrap_or(0)
        };
        md.push_str(&format!(
            "| {size} MiB | {} | {} | {} |\n",
            mib(g("shipwheel")),
            mib(g("uv")),
            mib(g("twine"))
        ));
    }
    md.push_str(
        "\nshipwheel takes sha256 and blake2-256 from the check's single streaming pass over the \
         file and streams the file into the request body (256 KiB chunks), so its peak stays flat \
         as the file grows. For these files \
         shipwheel ran with `--no-check`, because they exceed PyPI's 100 MiB default limit, which \
         `check` reports as an error (the check still reads the metadata).\n",
    );
    write_section(root, "publish", &md)?;
    eprintln!("{md}");
    Ok(())
}

type Timings = Vec<(&'static str, Duration)>;

/// Payload sizes of the 20-wheel batches.
const BATCH_SIZES: [(&str, usize); 2] = [("small", 0), ("large", 256 * 1024)];

/// Round-trip times the latency proxy adds, in ms (why these two: see the text in `run`).
const PROXY_RTTS_MS: [u64; 2] = [20, 80];

/// One small wheel per run for each of TOOLS (set 0 is the warm-up); `key` keeps the project
/// names of different cases apart.
fn one_sets(work: &Path, key: &str, runs: usize) -> anyhow::Result<Vec<Vec<Vec<PathBuf>>>> {
    TOOLS
        .iter()
        .map(|tool| {
            let dir = work.join(format!("one-{key}-{tool}"));
            std::fs::create_dir_all(&dir)?;
            Ok((0..=runs)
                .map(|i| {
                    vec![make_wheel(
                        &dir,
                        &format!("bench-one-{key}-{tool}"),
                        &format!("1.0.{i}"),
                        0,
                    )]
                })
                .collect())
        })
        .collect()
}

/// One release's 20 wheels per run for each of BATCH_TOOLS (set 0 is the warm-up).
fn batch_sets(
    work: &Path,
    key: &str,
    payload: usize,
    runs: usize,
) -> anyhow::Result<Vec<Vec<Vec<PathBuf>>>> {
    BATCH_TOOLS
        .iter()
        .map(|tool| {
            let dir = work.join(format!("batch-{key}-{tool}"));
            std::fs::create_dir_all(&dir)?;
            Ok((0..=runs)
                .map(|r| {
                    matrix_tags()
                        .iter()
                        .map(|tag| {
                            make_tagged_wheel(
                                &dir,
                                &format!("bench-batch-{key}-{tool}"),
                                &format!("1.0.{r}"),
                                payload,
                                tag,
                            )
                        })
                        .collect()
                })
                .collect())
        })
        .collect()
}

fn get(list: &[(&str, Duration)], tool: &str) -> Duration {
    list.iter()
        .find(|(t, _)| *t == tool)
        .map(|(_, d)| *d)
        .unwrap_or_default()
}

/// How many times faster `a` is than `b`.
fn ratio(a: Duration, b: Duration) -> f64 {
    b.as_secs_f64() / a.as_secs_f64().max(1e-9)
}

/// A wall-time table; each row is (label, timings, which shipwheel variant to show).
fn table(rows: &[(String, &Timings, &str)]) -> String {
    let mut md = String::from(
        "| Case | shipwheel | uv publish | twine upload | vs uv | vs twine |\n\
         |---|---|---|---|---|---|\n",
    );
    for (label, list, variant) in rows {
        let (s, u, t) = (get(list, variant), get(list, "uv"), get(list, "twine"));
        md.push_str(&format!(
            "| {label} | {} | {} | {} | {:.1}× | {:.1}× |\n",
            ms(s),
            ms(u),
            ms(t),
            ratio(s, u),
            ratio(s, t)
        ));
    }
    md
}

/// `shipwheel serve` as a separate process on a free port, for the upload benchmarks.
struct ServeProcess {
    child: std::process::Child,
    upload_url: String,
    token: String,
}

impl ServeProcess {
    fn start(shipwheel: &Path, work: &Path) -> anyhow::Result<Self> {
        use std::io::BufRead;
        let token = format!("bench-{}", std::process::id());
        let mut child = Command::new(shipwheel)
            .args(["serve", "--bind", "127.0.0.1:0", "--root"])
            .arg(work.join("serve-root"))
            .env("SHIPWHEEL_SERVE_TOKEN", &token)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("cannot start shipwheel serve")?;
        let stdout = child
            .stdout
            .take()
            .context("no stdout from shipwheel serve")?;
        let mut upload_url = None;
        for line in std::io::BufReader::new(stdout).lines().take(20) {
            let line = line?;
            if let Some(url) = line.trim().strip_prefix("upload:") {
                upload_url = Some(url.trim().to_string());
                break;
            }
        }
        let Some(upload_url) = upload_url else {
            let _ = child.kill();
            bail!("shipwheel serve did not print its upload URL");
        };
        Ok(ServeProcess {
            child,
            upload_url,
            token,
        })
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

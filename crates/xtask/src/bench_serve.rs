//! `cargo xtask bench-serve [--seconds N] [--connections N]`: read throughput and p99 latency of
//! `shipwheel serve` against pypiserver and devpi-server, all on loopback, all serving the same
//! 50 projects (2 releases each, wheel + sdist). Writes the `serve` section of
//! docs/benchmarks.md.
//!
//! The load generator is here (plain threads, HTTP/1.1 keep-alive over loopback): each
//! connection sends one request at a time, cycling through the 50 projects, for a fixed time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use test_support::builder::{SdistBuilder, WheelBuilder};
use test_support::servers::{Devpi, Pypiserver, PypiserverOptions};

use crate::common::write_section;

const PROJECTS: usize = 50;
/// Throughput the issue asks for, relative to pypiserver.
const TARGET_RATIO: f64 = 5.0;

struct Settings {
    seconds: f64,
    connections: usize,
}

fn parse_args(args: &[String]) -> anyhow::Result<Settings> {
    let mut s = Settings {
        seconds: 3.0,
        connections: 8,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next().with_context(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--seconds" => s.seconds = value.parse().context("--seconds takes a number")?,
            "--connections" => {
                s.connections = value.parse().context("--connections takes a number")?
            }
            other => bail!("unknown option {other} (use --seconds N, --connections N)"),
        }
    }
    if !(0.2..=120.0).contains(&s.seconds) || !(1..=256).contains(&s.connections) {
        bail!("--seconds must be 0.2..120 and --connections 1..256");
    }
    Ok(s)
}

/// One HTTP/1.1 keep-alive connection.
struct Conn {
    host: String,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(host: &str) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(host)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Conn {
            host: host.to_string(),
            reader: BufReader::new(stream),
        })
    }

    /// GET `path`; returns the status. Reconnects when the server closes the connection.
    fn get(&mut self, path: &str, accept: &str) -> std::io::Result<u16> {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: {accept}\r\nUser-Agent: shipwheel-bench\r\n\r\n",
            self.host
        );
        self.reader.get_mut().write_all(req.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length: Option<usize> = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().ok();
            } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            } else if lower.starts_with("connection:") && lower.contains("close") {
                close = true;
            }
        }
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                let mut buf = vec![0u8; size + 2];
                self.reader.read_exact(&mut buf)?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            let mut buf = vec![0u8; n];
            self.reader.read_exact(&mut buf)?;
        } else {
            let mut sink = Vec::new();
            self.reader.read_to_end(&mut sink)?;
            close = true;
        }
        if close {
            *self = Conn::open(&self.host)?;
        }
        Ok(status)
    }
}

struct Load {
    requests: usize,
    errors: usize,
    seconds: f64,
    p50: Duration,
    p99: Duration,
}

impl Load {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Drive `paths` round-robin over `connections` keep-alive connections for `seconds`.
fn load(host: &str, paths: &[String], accept: &str, s: &Settings) -> anyhow::Result<Load> {
    // Warm-up (caches, lazy loads) outside the measured window.
    let mut warm = Conn::open(host)?;
    for p in paths {
        let status = warm.get(p, accept)?;
        if status != 200 {
            bail!("GET http://{host}{p} answered {status} during warm-up");
        }
    }
    let deadline = Instant::now() + Duration::from_secs_f64(s.seconds);
    let start = Instant::now();
    let handles: Vec<_> = (0..s.connections)
        .map(|worker| {
            let host = host.to_string();
            let paths = paths.to_vec();
            let accept = accept.to_string();
            std::thread::spawn(move || -> std::io::Result<(Vec<Duration>, usize)> {
                let mut conn = Conn::open(&host)?;
                let mut latencies = Vec::with_capacity(100_000);
                let mut errors = 0;
                let mut i = worker;
                while Instant::now() < deadline && latencies.len() < 2_000_000 {
                    let path = &paths[i % paths.len()];
                    i += 1;
                    let t = Instant::now();
                    match conn.get(path, &accept) {
                        Ok(200) => latencies.push(t.elapsed()),
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            conn = Conn::open(&host)?;
                        }
                    }
                }
                Ok((latencies, errors))
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (lat, err) = h
            .join()
            .map_err(|_| anyhow::anyhow!("a load thread panicked"))??;
        all.extend(lat);
        errors += err;
    }
    let seconds = start.elapsed().as_secs_f64();
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Load {
        requests: all.len(),
        errors,
        seconds,
        p50: pick(0.50),
        p99: pick(0.99),
    })
}

fn project_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for i in 0..PROJECTS {
        let name = format!("bench-project-{i:02}");
        for version in ["1.0.0", "1.1.0"] {
            files.push(
                WheelBuilder::new(&name, version)
                    .header("Summary", "A benchmark project")
                    .header("Requires-Python", ">=3.9")
                    .write_to(dir),
            );
            files.push(SdistBuilder::new(&name, version).write_to(dir));
        }
    }
    Ok(files)
}

fn uv_publish(
    root: &Path,
    url: &str,
    user: &str,
    password: &str,
    files: &[PathBuf],
) -> anyhow::Result<()> {
    let out = Command::new(root.join("target/peers/venv/bin/uv"))
        .args([
            "publish",
            "--no-config",
            "--trusted-publishing",
            "never",
            "--publish-url",
            url,
        ])
        .args(["-u", user, "-p", password])
        .args(files)
        .env_remove("UV_PUBLISH_URL")
        .output()
        .context("cannot run uv publish")?;
    if !out.status.success() {
        bail!(
            "uv publish to {url} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

struct ServeProcess(Child);

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_shipwheel(binary: &Path, root: &Path) -> anyhow::Result<(ServeProcess, String)> {
    let mut child = Command::new(binary)
        .args(["serve", "--bind", "127.0.0.1:0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start shipwheel serve")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let guard = ServeProcess(child);
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            bail!("shipwheel serve exited before printing its address");
        }
        if let Some(url) = line.trim().strip_prefix("index:") {
            let host = url
                .trim()
                .trim_start_matches("http://")
                .trim_end_matches("/simple/")
                .to_string();
            std::thread::spawn(move || {
                let mut sink = String::new();
                while reader.read_line(&mut sink).unwrap_or(0) > 0 {
                    sink.clear();
                }
            });
            return Ok((guard, host));
        }
    }
}

fn host_of(url: &str) -> String {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let settings = parse_args(args)?;
    let venv = root.join("target/peers/venv/bin");
    for tool in ["uv", "pypi-server", "devpi-server"] {
        if !venv.join(tool).exists() {
            bail!(
                "{tool} is missing from {}: run `bash scripts/peers.sh target/peers/venv`",
                venv.display()
            );
        }
    }
    let binary = crate::common::build_release(root, "bench-serve")?;

    let work = tempfile::tempdir()?;
    let dist = work.path().join("dist");
    std::fs::create_dir_all(&dist)?;
    let files = project_files(&dist)?;
    eprintln!("bench-serve: {} files for {PROJECTS} projects", files.len());
    let names: Vec<String> = (0..PROJECTS)
        .map(|i| format!("bench-project-{i:02}"))
        .collect();

    // shipwheel serve, filled through its upload endpoint.
    let store = work.path().join("store");
    let (ours, ours_host) = start_shipwheel(&binary, &store)?;
    uv_publish(
        root,
        &format!("http://{ours_host}/legacy/"),
        "__token__",
        "unused",
        &files,
    )?;

    // pypiserver reads its directory: drop the same files in.
    let pypi = Pypiserver::start(PypiserverOptions {
        auth: false,
        ..PypiserverOptions::default()
    });
    for f in &files {
        if let Some(name) = f.file_name() {
            std::fs::copy(f, pypi.packages_dir.join(name))?;
        }
    }
    let pypi_host = host_of(&pypi.url);

    // devpi, through its upload endpoint.
    let devpi = Devpi::start();
    uv_publish(root, &devpi.upload_url, &devpi.user, &devpi.token, &files)?;
    let devpi_host = host_of(&devpi.url);
    let devpi_prefix = devpi
        .index_url
        .trim_start_matches("http://")
        .split_once('/')
        .map(|(_, p)| format!("/{p}"))
        .unwrap_or_default();
    let devpi_index_path = devpi_prefix.trim_end_matches("+simple/").to_string();

    let html = "text/html";
    let pep691 = "application/vnd.pypi.simple.v1+json";
    let json = "application/json";
    let paths = |f: &dyn Fn(&str) -> String| names.iter().map(|n| f(n)).collect::<Vec<_>>();

    struct Row {
        what: &'static str,
        server: &'static str,
        load: Option<Load>,
        note: &'static str,
    }
    let mut rows = Vec::new();
    let mut measure = |what: &'static str,
                       server: &'static str,
                       host: &str,
                       p: Vec<String>,
                       accept: &str,
                       note: &'static str|
     -> anyhow::Result<()> {
        eprintln!("bench-serve: {what} / {server}");
        let l = load(host, &p, accept, &settings)?;
        rows.push(Row {
            what,
            server,
            load: Some(l),
            note,
        });
        Ok(())
    };
    measure(
        "simple page (HTML)",
        "shipwheel serve",
        &ours_host,
        paths(&|n| format!("/simple/{n}/")),
        html,
        "",
    )?;
    measure(
        "simple page (HTML)",
        "pypiserver 2.4.2",
        &pypi_host,
        paths(&|n| format!("/simple/{n}/")),
        html,
        "",
    )?;
    measure(
        "simple page (HTML)",
        "devpi-server 6.20.3",
        &devpi_host,
        paths(&|n| format!("{devpi_prefix}{n}/")),
        html,
        "",
    )?;
    measure(
        "simple page (PEP 691 JSON)",
        "shipwheel serve",
        &ours_host,
        paths(&|n| format!("/simple/{n}/")),
        pep691,
        "",
    )?;
    measure(
        "simple page (PEP 691 JSON)",
        "devpi-server 6.20.3",
        &devpi_host,
        paths(&|n| format!("{devpi_prefix}{n}/")),
        pep691,
        "",
    )?;
    measure(
        "JSON API",
        "shipwheel serve",
        &ours_host,
        paths(&|n| format!("/pypi/{n}/json")),
        json,
        "`/pypi/NAME/json`",
    )?;
    measure(
        "JSON API",
        "pypiserver 2.4.2",
        &pypi_host,
        paths(&|n| format!("/{n}/json")),
        json,
        "`/NAME/json` (versions and URLs only)",
    )?;
    measure(
        "JSON API",
        "devpi-server 6.20.3",
        &devpi_host,
        paths(&|n| format!("{devpi_index_path}{n}")),
        json,
        "`/USER/INDEX/NAME` with `Accept: application/json`",
    )?;
    rows.push(Row {
        what: "simple page (PEP 691 JSON)",
        server: "pypiserver 2.4.2",
        load: None,
        note: "serves HTML only",
    });
    let order = [
        "simple page (HTML)",
        "simple page (PEP 691 JSON)",
        "JSON API",
    ];
    rows.sort_by_key(|r| order.iter().position(|o| *o == r.what));
    drop(ours);

    let rps = |what: &str, server: &str| {
        rows.iter()
            .find(|r| r.what == what && r.server == server)
            .and_then(|r| r.load.as_ref())
            .map(Load::rps)
    };
    let mut md = String::new();
    md.push_str("## serve: index reads (`cargo xtask bench-serve`)\n\n");
    md.push_str(&format!(
        "{PROJECTS} projects, 2 releases each (wheel + sdist), the same files on every server. Loopback, \
         {} keep-alive connections, {:.0} s per row after a warm-up pass, one request in flight per \
         connection. The load generator runs on the same machine ({} CPU cores) and competes for \
         the CPU, equally for every server. shipwheel is the release build.\n\n",
        settings.connections,
        settings.seconds,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    ));
    md.push_str("| Request | Server | Requests/s | p50 | p99 | Errors | vs pypiserver | Notes |\n");
    md.push_str("|---|---|---:|---:|---:|---:|---:|---|\n");
    for r in &rows {
        match &r.load {
            Some(l) => {
                let vs = rps(r.what, "pypiserver 2.4.2")
                    .or_else(|| rps("simple page (HTML)", "pypiserver 2.4.2"))
                    .map(|base| format!("{:.1}x", l.rps() / base))
                    .unwrap_or_default();
                md.push_str(&format!(
                    "| {} | {} | {:.0} | {:.2} ms | {:.2} ms | {} | {} | {} |\n",
                    r.what,
                    r.server,
                    l.rps(),
                    l.p50.as_secs_f64() * 1000.0,
                    l.p99.as_secs_f64() * 1000.0,
                    l.errors,
                    vs,
                    r.note
                ));
            }
            None => md.push_str(&format!(
                "| {} | {} | n/a | | | | | {} |\n",
                r.what, r.server, r.note
            )),
        }
    }
    let simple = rps("simple page (HTML)", "shipwheel serve")
        .zip(rps("simple page (HTML)", "pypiserver 2.4.2"))
        .map(|(a, b)| a / b)
        .unwrap_or(0.0);
    let api = rps("JSON API", "shipwheel serve")
        .zip(rps("JSON API", "pypiserver 2.4.2"))
        .map(|(a, b)| a / b)
        .unwrap_or(0.0);
    let met = |x: f64| if x >= TARGET_RATIO { "met" } else { "NOT met" };
    md.push_str(&format!(
        "\nTarget: at least {TARGET_RATIO:.0}x pypiserver's throughput. Simple page: {simple:.1}x ({}); \
         JSON API: {api:.1}x ({}). The PEP 691 row compares with pypiserver's HTML page, since \
         pypiserver has no JSON simple API.\n",
        met(simple),
        met(api)
    ));
    eprintln!("{md}");
    write_section(root, "serve", &md)?;
    eprintln!("bench-serve: wrote the serve section of docs/benchmarks.md");
    Ok(())
}

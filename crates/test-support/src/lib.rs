//! Test helpers shared by every crate's tests: where the pinned peers live, free loopback ports,
//! and builders that write wheels and sdists from code (see [`builder`]).

use std::path::{Path, PathBuf};

/// The workspace root (the directory holding the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .expect("crates/test-support has a workspace root")
        .to_path_buf()
}

/// The venv with the pinned Python peers (twine, uv, pip, pypiserver, devpi-server, ...),
/// installed by `scripts/peers.sh` (which `scripts/test.sh` runs first).
///
/// Panics with the command to run when it is missing: tests against real peers must not pass
/// silently without them.
pub fn peers_venv() -> PathBuf {
    let venv = std::env::var_os("SHIPWHEEL_PEERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/peers/venv"));
    if !venv.join("bin/python").exists() {
        panic!(
            "the peers venv is missing at {}: run `bash scripts/peers.sh {}` (scripts/test.sh does it)",
            venv.display(),
            venv.display()
        );
    }
    venv
}

/// Path of an executable in the peers venv (`python`, `twine`, `uv`, `pypi-server`, ...).
pub fn peer_bin(name: &str) -> PathBuf {
    peers_venv().join("bin").join(name)
}

/// Run `script` (`python -c`) with the peers' Python, `input` sent as JSON on its stdin, and
/// parse what it prints as JSON: one process for a whole batch of differential cases. Panics
/// (these are test helpers) when Python fails or its reply is not the JSON expected.
pub fn peer_python_json<T: serde::de::DeserializeOwned>(
    script: &str,
    input: &impl serde::Serialize,
) -> T {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(peer_bin("python"))
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the peers python (run scripts/peers.sh)");
    let json = serde_json::to_vec(input).expect("encode the input as JSON");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&json)
        .expect("send the input");
    let output = child.wait_with_output().expect("python output");
    assert!(
        output.status.success(),
        "the peers python failed on its script"
    );
    serde_json::from_slice(&output.stdout).expect("a JSON reply of the expected shape")
}

/// Upload `files` with the pinned `uv publish`: no config file, no trusted publishing and no
/// `UV_*` settings from the environment, so only the given URL and credentials count.
pub fn uv_publish(
    upload_url: &str,
    user: &str,
    password: &str,
    files: &[&Path],
) -> std::process::Output {
    let mut cmd = std::process::Command::new(peer_bin("uv"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("UV_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(["publish", "--no-config", "--trusted-publishing", "never"])
        .args(["--publish-url", upload_url, "-u", user, "-p", password])
        .args(files)
        .output()
        .expect("run uv publish")
}

/// [`uv_publish`], panicking with uv's output unless it succeeded.
pub fn uv_publish_ok(upload_url: &str, user: &str, password: &str, files: &[&Path]) {
    let out = uv_publish(upload_url, user, password, files);
    assert!(
        out.status.success(),
        "uv publish to {upload_url} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The real-package corpus downloaded by `scripts/corpus.sh` (`wheels/` and `sdists/`).
pub fn corpus_dir() -> PathBuf {
    let dir = workspace_root().join("target/corpus");
    if !dir.join(".stamp").exists() {
        panic!(
            "the corpus is missing at {}: run `bash scripts/corpus.sh`",
            dir.display()
        );
    }
    dir
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

pub mod builder;
pub mod rawzip;
pub mod servers;
pub mod sparse;

//! `shipwheel serve` as a process: prints its URLs, takes uploads with its token, yanks through
//! `serve yank`, and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use test_support::builder::WheelBuilder;
use test_support::peer_bin;
use test_support::servers::http_request;

struct Serve {
    child: Child,
    index_url: String,
    upload_url: String,
    lines: Vec<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn shipwheel() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("shipwheel"))
}

fn start(root: &Path, token: &str) -> Serve {
    start_with(root, token, &[])
}

fn start_with(root: &Path, token: &str, args: &[&str]) -> Serve {
    let mut child = shipwheel()
        .args(["serve", "--bind", "127.0.0.1:0", "--root"])
        .arg(root)
        .args(args)
        .env("SHIPWHEEL_SERVE_TOKEN", token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let mut lines = Vec::new();
    let (mut index_url, mut upload_url) = (String::new(), String::new());
    while index_url.is_empty() || upload_url.is_empty() {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("serve exited early: {lines:?}");
        }
        if let Some(u) = line.trim().strip_prefix("index:") {
            index_url = u.trim().to_string();
        }
        if let Some(u) = line.trim().strip_prefix("upload:") {
            upload_url = u.trim().to_string();
        }
        lines.push(line);
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    Serve {
        child,
        index_url,
        upload_url,
        lines,
    }
}

fn upload(url: &str, token: &str, file: &Path) -> std::process::Output {
    let mut cmd = Command::new(peer_bin("uv"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("UV_") {
            cmd.env_remove(k);
        }
    }
    cmd.args([
        "publish",
        "--no-config",
        "--trusted-publishing",
        "never",
        "--publish-url",
        url,
    ])
    .args(["-u", "__token__", "-p", token])
    .arg(file)
    .output()
    .unwrap()
}

#[test]
fn serve_prints_urls_takes_uploads_yanks_and_stops_on_sigterm() {
    let root = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let secret = "pypi-cli-secret-value";
    let mut serve = start(root.path(), secret);
    assert!(
        serve.index_url.starts_with("http://127.0.0.1:"),
        "{:?}",
        serve.lines
    );
    assert!(serve.index_url.ends_with("/simple/"));
    assert!(serve.upload_url.ends_with("/legacy/"));
    assert!(
        !serve.lines.concat().contains(secret),
        "the token was printed"
    );

    let wheel = WheelBuilder::new("cli-pkg", "1.0").write_to(dist.path());
    let out = upload(&serve.upload_url, "wrong", &wheel);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Invalid or non-existent authentication")
    );
    let out = upload(&serve.upload_url, secret, &wheel);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        root.path()
            .join("cli-pkg/cli_pkg-1.0-py3-none-any.whl")
            .is_file()
    );
    assert!(
        root.path()
            .join("cli-pkg/cli_pkg-1.0-py3-none-any.whl.json")
            .is_file()
    );

    // Yank while it runs; the running server shows it.
    let out = shipwheel()
        .args(["serve", "yank", "--root"])
        .arg(root.path())
        .args(["CLI_Pkg", "1.0", "--reason", "broken build"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("yanked cli_pkg-1.0-py3-none-any.whl"));
    let (status, body) = http_request(
        "GET",
        &format!("{}cli-pkg/", serve.index_url),
        &[("Accept", "application/vnd.pypi.simple.v1+json")],
        b"",
    )
    .unwrap();
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page["files"][0]["yanked"], "broken build");

    let out = shipwheel()
        .args(["serve", "unyank", "--root"])
        .arg(root.path())
        .args(["cli-pkg", "1.0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = shipwheel()
        .args(["serve", "yank", "--root"])
        .arg(root.path())
        .args(["cli-pkg", "9.9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no files for version 9.9"));

    // SIGTERM: clean stop, exit 0.
    let pid = serve.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = serve.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn serve_refuses_an_address_in_use() {
    let root = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let out = shipwheel()
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(root.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on"));
}

#[test]
fn sigint_stops_cleanly_and_the_token_is_never_printed() {
    let root = tempfile::tempdir().unwrap();
    let mut serve = start(root.path(), "pypi-never-shown-42");
    let printed = serve.lines.concat();
    let pid = serve.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = serve.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    if let Some(mut e) = serve.child.stderr.take() {
        use std::io::Read;
        e.read_to_string(&mut stderr).unwrap();
    }
    assert!(!printed.contains("pypi-never-shown-42"), "{printed}");
    assert!(!stderr.contains("pypi-never-shown-42"), "{stderr}");
}

/// The upload endpoint judges long descriptions as `shipwheel check` does, with the same flags:
/// readme-renderer (here through --python) refuses a code-block with `:linenos:`, which the
/// built-in checker alone does not model.
#[test]
fn serve_judges_descriptions_like_check() {
    let root = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let python = peer_bin("python");
    let python = python.to_str().unwrap();
    let wheel = WheelBuilder::new("linenos", "1.0")
        .header("Description-Content-Type", "text/x-rst")
        .description("Title\n=====\n\n.. code-block:: python\n   :linenos:\n\n   x = 1\n")
        .write_to(dist.path());
    let good = WheelBuilder::new("plainrst", "1.0")
        .header("Description-Content-Type", "text/x-rst")
        .description("Title\n=====\n\nSome *text*.\n")
        .write_to(dist.path());

    let check = |file: &Path| {
        shipwheel()
            .args(["check", "--python", python])
            .arg(file)
            .env_remove("SHIPWHEEL_PYTHON")
            .output()
            .unwrap()
    };
    let checked = check(&wheel);
    assert_eq!(checked.status.code(), Some(1));
    let check_text = String::from_utf8_lossy(&checked.stdout).into_owned();
    assert!(check_text.contains("error[D001]"), "{check_text}");
    assert_eq!(check(&good).status.code(), Some(0));

    let serve = start_with(root.path(), "tok", &["--python", python]);
    let out = upload(&serve.upload_url, "tok", &wheel);
    assert!(!out.status.success(), "serve took what check refuses");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("code-block"), "{said}");
    let out = upload(&serve.upload_url, "tok", &good);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A renderer that cannot be had is refused at start-up, as `check` refuses it.
    let out = shipwheel()
        .args(["serve", "--bind", "127.0.0.1:0", "--root"])
        .arg(root.path())
        .args([
            "--rst-renderer",
            "python",
            "--python",
            "/nonexistent/python3",
        ])
        .env("PATH", dist.path())
        .env_remove("SHIPWHEEL_PYTHON")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("readme-renderer is not importable"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

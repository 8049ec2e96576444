//! `shipwheel verify` as a process, against `shipwheel serve` running in-process.

use std::path::Path;

use shipwheel_serve::{Server, ServerConfig};
use test_support::builder::WheelBuilder;
use test_support::peer_bin;

fn verify() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("shipwheel").unwrap();
    cmd.arg("verify")
        .env("SHIPWHEEL_UV", peer_bin("uv"))
        .arg("--python")
        .arg(peer_bin("python"));
    cmd
}

#[test]
fn verify_passes_then_reports_json_and_fails_on_a_broken_import() {
    let root = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let good = WheelBuilder::new("cli-good", "2.1").write_to(dist.path());
    publish(&server.upload_url(), &good);

    let out = verify()
        .args(["--index-url", &server.index_url()])
        .arg(&good)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ok   wait for index"), "{stdout}");
    assert!(
        stdout.contains("verified: cli-good 2.1 installs and imports"),
        "{stdout}"
    );
    assert!(stdout.contains("from the wheel"), "{stdout}");

    // Credentials in the index URL are used, never shown.
    let with_secret = server
        .index_url()
        .replace("http://", "http://someone:hunter2-secret@");
    let out = verify()
        .args([
            "--index-url",
            &with_secret,
            "--format",
            "json",
            "--installer",
            "pip",
        ])
        .arg("cli-good==2.1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2-secret"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2-secret"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["installs"][0]["installer"], "pip");
    assert_eq!(json["installs"][0]["installed_kind"], "wheel");
    assert!(json["propagation_seconds"].is_number());

    let bad = WheelBuilder::new("cli-bad", "0.1")
        .no_files()
        .file(
            "cli_bad/__init__.py",
            "import definitely_not_a_module_here\n",
        )
        .write_to(dist.path());
    publish(&server.upload_url(), &bad);
    let out = verify()
        .args(["--index-url", &server.index_url()])
        .arg(&bad)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL import"), "{stdout}");
    assert!(
        stdout.contains("ModuleNotFoundError: No module named 'definitely_not_a_module_here'"),
        "{stdout}"
    );
    assert!(stdout.contains("verify failed: cli-bad 0.1"), "{stdout}");
}

#[test]
fn verify_times_out_with_the_next_command() {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let out = verify()
        .args([
            "--index-url",
            &server.index_url(),
            "--timeout",
            "0",
            "ghost==1.0",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("timed out after 0s waiting for any file of ghost 1.0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("next: shipwheel verify --index-url"),
        "{stdout}"
    );
}

#[test]
fn verify_usage_errors_exit_2() {
    let out = verify()
        .args([
            "--index-url",
            "http://127.0.0.1:9/simple/",
            "a==1",
            "b-1.0.tar.gz",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not both"));
}

/// A loopback server that answers every request with the same canned response; stopped on drop.
struct Canned {
    addr: std::net::SocketAddr,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Canned {
    fn start(response: Vec<u8>) -> Canned {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let _ = conn.write_all(&response);
            }
        });
        Canned {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Canned {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn http_response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Broken index replies: a clear failure (exit 1) with a next step, never a panic, and the
/// credentials in --index-url never shown.
#[test]
fn verify_fails_cleanly_on_malformed_index_replies() {
    let json = "application/vnd.pypi.simple.v1+json";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "invalid JSON",
            http_response("200 OK", json, br#"{"files": [{"filename": 5"#),
            "sent a reply shipwheel cannot read",
        ),
        (
            "JSON of the wrong shape",
            http_response("200 OK", json, br#"{"files": {"a": 1}, "meta": []}"#),
            "sent a reply shipwheel cannot read",
        ),
        (
            "a listed hash that is not a sha256",
            http_response(
                "200 OK",
                json,
                br#"{"meta": {"api-version": "1.0"}, "name": "pkg", "files": [{"filename": "pkg-1.0-py3-none-any.whl", "url": "f/pkg-1.0-py3-none-any.whl", "hashes": {"sha256": "zz"}}]}"#,
            ),
            "which is not a sha256 digest",
        ),
        (
            "a server error with binary garbage",
            http_response("500 Internal Server Error", "text/plain", b"\xff\xfe\x00garbage"),
            "timed out after",
        ),
    ];
    for (label, response, says) in cases {
        let server = Canned::start(response);
        let index = format!("http://reader:hunter2-secret@{}/simple/", server.addr);
        let out = verify()
            .args([
                "--index-url",
                &index,
                "--timeout",
                "1",
                "--installer",
                "pip",
            ])
            .arg("pkg==1.0")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "[{label}] {stdout}{stderr}");
        assert!(stdout.contains(says), "[{label}] {stdout}");
        assert!(stdout.contains("\nnext: "), "[{label}] {stdout}");
        assert!(!stderr.contains("panicked"), "[{label}] {stderr}");
        assert!(
            !stdout.contains("hunter2-secret") && !stderr.contains("hunter2-secret"),
            "[{label}] {stdout}{stderr}"
        );
    }
}

/// The next step fits the failure: a missing interpreter, a dependency no index has.
#[test]
fn verify_next_step_names_what_to_fix() {
    let root = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let good = WheelBuilder::new("cli-next", "1.0").write_to(dist.path());
    publish(&server.upload_url(), &good);
    let out = assert_cmd::Command::cargo_bin("shipwheel")
        .unwrap()
        .args([
            "verify",
            "--installer",
            "pip",
            "--python",
            "no-such-python3.99",
        ])
        .args(["--index-url", &server.index_url()])
        .arg(&good)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL create environment"), "{stdout}");
    assert!(
        stdout.contains("next: check the interpreter") && stdout.contains("no-such-python3.99"),
        "{stdout}"
    );

    let needs = WheelBuilder::new("cli-needs", "1.0")
        .header("Requires-Dist", "not-on-any-index>=1")
        .write_to(dist.path());
    publish(&server.upload_url(), &needs);
    let out = verify()
        .args(["--index-url", &server.index_url()])
        .arg(&needs)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL install dependencies"), "{stdout}");
    assert!(stdout.contains("not-on-any-index"), "{stdout}");
    assert!(
        stdout.contains(
            "next: the dependencies are not on the verified index: add --extra-index-url"
        ),
        "{stdout}"
    );

    // An sdist whose build backend no index has.
    let sdist = test_support::builder::SdistBuilder::new("cli-sdist", "1.0").write_to(dist.path());
    publish(&server.upload_url(), &sdist);
    let out = verify()
        .args(["--index-url", &server.index_url()])
        .arg(&sdist)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("did not build from its sdist"), "{stdout}");
    assert!(
        stdout.contains(
            "next: if the output above says the build backend was not found, add --extra-index-url"
        ),
        "{stdout}"
    );
}

fn publish(upload_url: &str, file: &Path) {
    test_support::uv_publish_ok(upload_url, "__token__", "x", &[file]);
}

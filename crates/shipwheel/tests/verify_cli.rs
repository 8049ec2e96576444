//! `shipwheel verify` as a process, against `shipwheel serve` running in-process.

use std::path::Path;
use std::process::Command;

use shipwheel_serve::{Server, ServerConfig};
use test_support::builder::WheelBuilder;
use test_support::peer_bin;

fn publish(upload_url: &str, file: &Path) {
    let mut cmd = Command::new(peer_bin("uv"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("UV_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd
        .args([
            "publish",
            "--no-config",
            "--trusted-publishing",
            "never",
            "--publish-url",
            upload_url,
        ])
        .args(["-u", "__token__", "-p", "x"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

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

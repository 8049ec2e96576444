//! `shipwheel verify` with an installer that hangs: it is stopped at `--install-timeout`, with
//! every process it started, and verify fails with what to do next.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use shipwheel_serve::{Server, ServerConfig};
use test_support::builder::WheelBuilder;
use test_support::peer_bin;

#[test]
fn a_hanging_installer_is_killed_at_the_install_timeout() {
    let root = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let wheel = WheelBuilder::new("hang-pkg", "1.0").write_to(work.path());
    test_support::uv_publish_ok(&server.upload_url(), "__token__", "x", &[&wheel]);

    // uv that makes environments but hangs on installs, with a child that would outlive it.
    let pidfile = work.path().join("hung.pid");
    let fake_uv = work.path().join("uv");
    std::fs::write(
        &fake_uv,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  venv) exec '{}' \"$@\" ;;\nesac\nsleep 300 &\necho $! > '{}'\necho 'Resolving hang-pkg...'\nwait\n",
            peer_bin("uv").display(),
            pidfile.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake_uv, std::fs::Permissions::from_mode(0o755)).unwrap();

    let started = Instant::now();
    let out = assert_cmd::Command::cargo_bin("shipwheel")
        .unwrap()
        .env("SHIPWHEEL_UV", &fake_uv)
        .args(["verify", "--installer", "uv", "--install-timeout", "2"])
        .args(["--index-url", &server.index_url(), "--python"])
        .arg(peer_bin("python"))
        .arg("hang-pkg==1.0")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(started.elapsed() < Duration::from_secs(60), "{stdout}");
    assert!(stdout.contains("FAIL install hang-pkg==1.0"), "{stdout}");
    assert!(
        stdout.contains("stopped at the --install-timeout of 2 s"),
        "{stdout}"
    );
    assert!(stdout.contains("Resolving hang-pkg..."), "{stdout}");
    assert!(
        stdout.contains("re-run with --install-timeout 4"),
        "{stdout}"
    );
    let hung = std::fs::read_to_string(&pidfile).unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", hung.trim()));
    assert!(
        stat.as_deref().map_or(true, |s| s.contains(") Z ")),
        "the installer's child still runs: {stat:?}"
    );
}

#[test]
fn a_zero_install_timeout_is_a_usage_error() {
    let out = assert_cmd::Command::cargo_bin("shipwheel")
        .unwrap()
        .args(["verify", "--install-timeout", "0"])
        .args(["--index-url", "http://127.0.0.1:9/simple/", "a==1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--install-timeout must be at least 1"));
}

//! `shipwheel publish` against real pypiserver and devpi-server started on free loopback ports.

mod publish_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use publish_common::{shipwheel, text};
use test_support::builder::{SdistBuilder, WheelBuilder};
use test_support::peer_bin;
use test_support::servers::{Devpi, Pypiserver, PypiserverOptions};

/// `uv pip install --no-deps` of `requirement` from `index_url` into `target`; it must succeed.
fn uv_install(index_url: &str, requirement: &str, target: &Path) {
    let uv = Command::new(peer_bin("uv"))
        .args([
            "pip",
            "install",
            "--no-cache",
            "--no-deps",
            "--index-url",
            index_url,
        ])
        .arg("--target")
        .arg(target)
        .arg(requirement)
        .env("UV_NO_CONFIG", "1")
        .output()
        .unwrap();
    assert!(uv.status.success(), "uv: {}", text(&uv));
}

/// A wheel and an sdist of `name` `version` (module `name` with a `hello()`).
fn dists(dir: &Path, name: &str, version: &str, marker: &str) -> (PathBuf, PathBuf) {
    let module = name.replace('-', "_");
    let code = format!("def hello():\n    return '{marker}'\n");
    let wheel = WheelBuilder::new(name, version)
        .no_files()
        .file(&format!("{module}/__init__.py"), code.as_bytes())
        .write_to(dir);
    let sdist = SdistBuilder::new(name, version).write_to(dir);
    (wheel, sdist)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

fn statuses(v: &serde_json::Value) -> Vec<(String, String)> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["filename"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn pypiserver_password_upload_reupload_and_install() {
    let server = Pypiserver::start(PypiserverOptions::default());
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let (wheel, sdist) = dists(dist.path(), "ship-demo", "1.0", "one");
    let run = || {
        shipwheel(home.path())
            .args([
                "publish",
                "--format",
                "json",
                "--repository-url",
                &server.upload_url,
            ])
            .args(["-u", &server.user, "-p", &server.password])
            .arg(&sdist)
            .arg(&wheel)
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success(), "{}", text(&out));
    let v = json(&out);
    // Wheels first, then the sdist.
    assert_eq!(
        statuses(&v),
        [
            ("ship_demo-1.0-py3-none-any.whl".into(), "uploaded".into()),
            ("ship_demo-1.0.tar.gz".into(), "uploaded".into())
        ]
    );
    assert_eq!(
        server.stored_files(),
        ["ship_demo-1.0-py3-none-any.whl", "ship_demo-1.0.tar.gz"]
    );
    for f in v["files"].as_array().unwrap() {
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(f["blake2_256"].as_str().unwrap().len(), 64);
    }

    // Identical re-upload: nothing sent, both "already present, identical", exit 0.
    let out = run();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        statuses(&json(&out)),
        [
            (
                "ship_demo-1.0-py3-none-any.whl".into(),
                "already-present".into()
            ),
            ("ship_demo-1.0.tar.gz".into(), "already-present".into())
        ]
    );

    // Installable with pip and uv.
    let target = tempfile::tempdir().unwrap();
    let pip = Command::new(peer_bin("python"))
        .args([
            "-m",
            "pip",
            "install",
            "-q",
            "--no-cache-dir",
            "--disable-pip-version-check",
        ])
        .args(["--no-deps", "--index-url", &server.index_url, "--target"])
        .arg(target.path().join("pip"))
        .arg("ship-demo==1.0")
        .env("PIP_FIND_LINKS", "")
        .output()
        .unwrap();
    assert!(pip.status.success(), "pip: {}", text(&pip));
    assert!(target.path().join("pip/ship_demo/__init__.py").exists());
    uv_install(
        &server.index_url,
        "ship-demo==1.0",
        &target.path().join("uv"),
    );
    assert!(target.path().join("uv/ship_demo/__init__.py").exists());
}

#[test]
fn pypiserver_409_for_identical_bytes_counts_as_present() {
    let server = Pypiserver::start(PypiserverOptions::default());
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let (wheel, _) = dists(dist.path(), "ship-dup", "1.0", "x");
    let publish = |extra: &[&str]| {
        shipwheel(home.path())
            .args([
                "publish",
                "--format",
                "json",
                "--repository-url",
                &server.upload_url,
            ])
            .args(["-u", &server.user, "-p", &server.password])
            .args(extra)
            .arg(&wheel)
            .output()
            .unwrap()
    };
    assert!(publish(&[]).status.success());
    // Skip the preflight so the POST happens and pypiserver answers 409.
    let out = publish(&["--no-preflight"]);
    assert!(out.status.success(), "{}", text(&out));
    let v = json(&out);
    assert_eq!(v["files"][0]["status"], "already-present", "{}", text(&out));
    assert_eq!(v["files"][0]["attempts"], 1);
}

#[test]
fn token_auth_and_wrong_credentials() {
    let token = "pypi-SENTINELtokenAAAA1234";
    let server = Pypiserver::start(PypiserverOptions {
        user: "__token__".into(),
        password: token.into(),
        ..PypiserverOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let (wheel, sdist) = dists(dist.path(), "ship-token", "2.0", "t");

    // Wrong token: refused, nothing stored, exit 1 with a resume command, no secret echoed.
    let wrong = "pypi-SENTINELwrongBBBB9876";
    let out = shipwheel(home.path())
        .args([
            "-vv",
            "publish",
            "--repository-url",
            &server.upload_url,
            "--token",
            wrong,
        ])
        .arg(&wheel)
        .arg(&sdist)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(!all.contains("SENTINEL"), "{all}");
    assert!(all.contains("403"), "{all}");
    assert!(all.contains("token"), "hint expected: {all}");
    assert!(all.contains("shipwheel publish --repository-url"), "{all}");
    assert!(
        all.contains("not attempted"),
        "sdist must wait for the wheels: {all}"
    );
    assert!(server.stored_files().is_empty());

    // The right token via UV_PUBLISH_TOKEN: both uploaded.
    let out = shipwheel(home.path())
        .args(["-vv", "publish", "--repository-url", &server.upload_url])
        .env("UV_PUBLISH_TOKEN", token)
        .arg(&wheel)
        .arg(&sdist)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("SENTINEL"), "{}", text(&out));
    assert_eq!(server.stored_files().len(), 2);
}

#[test]
fn devpi_token_upload_reupload_and_conflict() {
    let server = Devpi::start();
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let (wheel, sdist) = dists(dist.path(), "ship-devpi", "3.0", "a");
    let publish = |files: &[&Path], extra: &[&str]| {
        shipwheel(home.path())
            .args([
                "publish",
                "--format",
                "json",
                "--repository-url",
                &server.upload_url,
            ])
            .env("TWINE_USERNAME", &server.user)
            .env("TWINE_PASSWORD", &server.token)
            .args(extra)
            .args(files)
            .output()
            .unwrap()
    };
    let out = publish(&[&wheel, &sdist], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(statuses(&json(&out)).iter().all(|(_, s)| s == "uploaded"));

    // Identical again, through the preflight and through the POST (devpi answers 200).
    let out = publish(&[&wheel, &sdist], &[]);
    assert!(
        statuses(&json(&out))
            .iter()
            .all(|(_, s)| s == "already-present"),
        "{}",
        text(&out)
    );
    let out = publish(&[&wheel], &["--no-preflight"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        statuses(&json(&out))[0].1,
        "already-present",
        "{}",
        text(&out)
    );

    // Same filenames, other bytes (plus a new file): the whole batch is refused up front.
    let other = tempfile::tempdir().unwrap();
    let (wheel2, _) = dists(other.path(), "ship-devpi", "3.0", "b");
    let (new_wheel, _) = dists(other.path(), "ship-devpi-extra", "3.0", "c");
    let out = shipwheel(home.path())
        .args(["publish", "--repository-url", &server.upload_url])
        .args(["-u", &server.user, "-p", &server.token])
        .arg(&new_wheel)
        .arg(&wheel2)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("bump the version"), "{all}");
    assert!(all.contains("nothing was uploaded"), "{all}");
    // The new project was not uploaded either.
    let simple = format!("{}ship-devpi-extra/", server.index_url);
    let (code, _) = test_support::servers::http_request("GET", &simple, &[], b"").unwrap();
    assert_eq!(
        code, 404,
        "nothing of the refused batch may reach the index"
    );

    // Installable with uv from devpi.
    let target = tempfile::tempdir().unwrap();
    uv_install(&server.index_url, "ship-devpi==3.0", target.path());
}

#[test]
fn devpi_password_auth_and_wrong_password() {
    let server = Devpi::start();
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let (wheel, _) = dists(dist.path(), "ship-pw", "1.0", "p");
    let out = shipwheel(home.path())
        .args(["publish", "--repository-url", &server.upload_url])
        .args(["-u", &server.user, "-p", "SENTINEL-not-the-password"])
        .arg(&wheel)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!text(&out).contains("SENTINEL"));
    assert!(text(&out).contains("401"), "{}", text(&out));

    let out = shipwheel(home.path())
        .args(["publish", "--repository-url", &server.upload_url])
        .args(["-u", &server.user, "-p", &server.password])
        .arg(&wheel)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn pypirc_repository_and_dry_run() {
    let server = Pypiserver::start(PypiserverOptions::default());
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".pypirc"),
        format!(
            "[distutils]\nindex-servers =\n    local\n\n[local]\nrepository = {}\nusername = {}\npassword = {}\n",
            server.upload_url, server.user, server.password
        ),
    )
    .unwrap();
    let dist = tempfile::tempdir().unwrap();
    let (wheel, sdist) = dists(dist.path(), "ship-rc", "1.0", "r");
    let out = shipwheel(home.path())
        .args(["publish", "--dry-run", "-r", "local"])
        .arg(&wheel)
        .arg(&sdist)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("would upload"), "{}", text(&out));
    assert!(server.stored_files().is_empty(), "dry run sent something");

    let out = shipwheel(home.path())
        .args(["publish", "--repository", "local"])
        .arg(&wheel)
        .arg(&sdist)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(server.stored_files().len(), 2);

    let out = shipwheel(home.path())
        .args(["publish", "-r", "nowhere"])
        .arg(&wheel)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("nowhere"));
}

#[test]
fn usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = shipwheel(home.path())
        .current_dir(dir.path())
        .args(["publish", "--repository-url", "http://127.0.0.1:9/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("dist/"), "{}", text(&out));
    let out = shipwheel(home.path())
        .args(["publish", "--repository-url", "ftp://x/", "nothing-*.whl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

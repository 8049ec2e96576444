//! The real clients against `serve`: twine and `uv publish` upload, pip and uv install.

use std::path::Path;
use std::process::{Command, Output};

use shipwheel_serve::{RunningServer, Server, ServerConfig};
use test_support::builder::{SdistBuilder, WheelBuilder};
use test_support::peer_bin;

const TOKEN: &str = "pypi-test-token";

fn start(root: &Path) -> RunningServer {
    Server::start(ServerConfig::new(root).token(TOKEN)).unwrap()
}

/// A command with no inherited index configuration (this machine sets PIP_FIND_LINKS).
fn clean(cmd: &str) -> Command {
    let mut c = Command::new(peer_bin(cmd));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("PIP_") || k.starts_with("UV_") || k.starts_with("TWINE_") {
            c.env_remove(k);
        }
    }
    c.env("TWINE_NON_INTERACTIVE", "1");
    c
}

/// Both streams, with whitespace runs collapsed (clients wrap long messages).
fn text(out: &Output) -> String {
    let raw = format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn twine_upload(server: &RunningServer, token: &str, files: &[&Path]) -> Output {
    clean("twine")
        .args([
            "upload",
            "--disable-progress-bar",
            "--verbose",
            "--repository-url",
        ])
        .arg(server.upload_url())
        .args(["-u", "__token__", "-p", token])
        .args(files)
        .output()
        .unwrap()
}

fn uv_publish(server: &RunningServer, files: &[&Path]) -> Output {
    test_support::uv_publish(&server.upload_url(), "__token__", TOKEN, files)
}

fn package(dir: &Path, name: &str, version: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let module = name.replace('-', "_");
    let wheel = WheelBuilder::new(name, version)
        .no_files()
        .file(
            &format!("{module}/__init__.py"),
            format!("VERSION = '{version}'\n"),
        )
        .header("Requires-Python", ">=3.8")
        .write_to(dir);
    let sdist = SdistBuilder::new(name, version).write_to(dir);
    (wheel, sdist)
}

#[test]
fn twine_uploads_pip_and_uv_install() {
    let root = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let server = start(root.path());
    let (wheel, sdist) = package(dist.path(), "twine-made", "1.2.0");
    let out = twine_upload(&server, TOKEN, &[&wheel, &sdist]);
    assert!(out.status.success(), "{}", text(&out));

    // pip, into a fresh venv, from this index only.
    let venv = tempfile::tempdir().unwrap();
    let out = clean("python")
        .args(["-m", "venv"])
        .arg(venv.path().join("pip"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let pip_python = venv.path().join("pip/bin/python");
    let out = clean("python")
        .env("VIRTUAL_ENV", venv.path().join("pip"))
        .arg("-c")
        .arg("import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))")
        .arg(&pip_python)
        .args(["-m", "pip", "install", "--no-cache-dir", "--index-url"])
        .arg(server.index_url())
        .arg("twine-made==1.2.0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = Command::new(&pip_python)
        .args(["-c", "import twine_made; print(twine_made.VERSION)"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1.2.0",
        "{}",
        text(&out)
    );

    // uv, into another venv.
    let uv_env = venv.path().join("uv");
    let out = clean("uv")
        .args(["venv", "--no-config", "--python"])
        .arg(peer_bin("python"))
        .arg(&uv_env)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = clean("uv")
        .args(["pip", "install", "--no-config", "--no-cache", "--python"])
        .arg(uv_env.join("bin/python"))
        .args(["--index-url"])
        .arg(server.index_url())
        .arg("twine-made==1.2.0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = Command::new(uv_env.join("bin/python"))
        .args(["-c", "import twine_made; print(twine_made.VERSION)"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1.2.0",
        "{}",
        text(&out)
    );

    // The sdist path: pip downloads it and builds it with the metadata the index gave.
    let out = clean("python")
        .args([
            "-m",
            "pip",
            "download",
            "--no-cache-dir",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--no-build-isolation",
            "-d",
        ])
        .arg(dist.path().join("dl"))
        .arg("--index-url")
        .arg(server.index_url())
        .arg("twine-made==1.2.0")
        .output()
        .unwrap();
    assert!(
        dist.path().join("dl/twine_made-1.2.0.tar.gz").exists(),
        "{}",
        text(&out)
    );
}

#[test]
fn uv_publish_uploads_and_reuploads_identical_files() {
    let root = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let server = start(root.path());
    let (wheel, sdist) = package(dist.path(), "uv-made", "0.3.0");
    let out = uv_publish(&server, &[&wheel, &sdist]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        root.path()
            .join("uv-made/uv_made-0.3.0-py3-none-any.whl")
            .is_file()
    );
    assert!(root.path().join("uv-made/uv_made-0.3.0.tar.gz").is_file());
    // Same bytes again: PyPI answers 200, so both clients succeed.
    let out = uv_publish(&server, &[&wheel]);
    assert!(out.status.success(), "{}", text(&out));
    let out = twine_upload(&server, TOKEN, &[&wheel]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn clients_show_pypi_messages_for_refused_files() {
    let root = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let server = start(root.path());

    // Wrong token.
    let (wheel, _) = package(dist.path(), "refused", "1.0");
    let out = twine_upload(&server, "pypi-wrong", &[&wheel]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Invalid or non-existent authentication information"),
        "{}",
        text(&out)
    );

    // Different bytes under a name already taken.
    let out = twine_upload(&server, TOKEN, &[&wheel]);
    assert!(out.status.success(), "{}", text(&out));
    let other = tempfile::tempdir().unwrap();
    let changed = WheelBuilder::new("refused", "1.0")
        .file("refused/more.py", "X = 2\n")
        .write_to(other.path());
    let out = twine_upload(&server, TOKEN, &[&changed]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains(
            "400 File already exists ('refused-1.0-py3-none-any.whl', with blake2_256 hash"
        ),
        "{}",
        text(&out)
    );
    let out = uv_publish(&server, &[&changed]);
    assert!(!out.status.success());
    assert!(text(&out).contains("File already exists"), "{}", text(&out));

    // A wheel whose filename names another project than its metadata: PyPI refuses it.
    let misnamed = WheelBuilder::new("refused", "2.0")
        .filename("elsewhere-2.0-py3-none-any.whl")
        .write_to(other.path());
    let out = twine_upload(&server, TOKEN, &[&misnamed]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Start filename for 'refused' with 'refused'."),
        "{}",
        text(&out)
    );
    assert!(
        !root
            .path()
            .join("refused/elsewhere-2.0-py3-none-any.whl")
            .exists()
    );

    // A rule of the shared engine: PyPI takes no `linux_x86_64` wheels. Both clients show the
    // message.
    let linux = WheelBuilder::new("refused", "3.0")
        .tag("cp311-cp311-linux_x86_64")
        .write_to(other.path());
    let expected = "Binary wheel 'refused-3.0-cp311-cp311-linux_x86_64.whl' has an unsupported platform tag 'linux_x86_64'.";
    let out = twine_upload(&server, TOKEN, &[&linux]);
    assert!(!out.status.success());
    assert!(text(&out).contains(expected), "{}", text(&out));
    let out = uv_publish(&server, &[&linux]);
    assert!(!out.status.success());
    assert!(text(&out).contains(expected), "{}", text(&out));
    assert!(
        !root
            .path()
            .join("refused/refused-3.0-cp311-cp311-linux_x86_64.whl")
            .exists()
    );
}

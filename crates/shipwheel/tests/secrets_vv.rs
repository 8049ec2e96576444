//! Sentinel secrets at the highest verbosity: `-vv` turns on the debug logs of every dependency
//! (reqwest, hyper), and `RUST_LOG=trace` even more. No form of a secret (raw, percent-encoded,
//! base64, Basic-auth) may reach stdout or stderr, for every command that holds one: publish
//! with a token, a password or trusted publishing, and serve with tokens. (verify with a
//! credentialed URL is covered at `-vv` in verify_credentials.rs.)

mod publish_common;

use std::io::Read as _;
use std::process::{Command, Stdio};

use publish_common::*;

/// `-vv` alone, and `-vv` with every dependency's trace logs.
const LOG_LEVELS: [Option<&str>; 2] = [None, Some("trace")];

fn with_logs(mut cmd: Command, level: Option<&str>) -> Command {
    cmd.env_remove("RUST_LOG");
    if let Some(l) = level {
        cmd.env("RUST_LOG", l);
    }
    cmd
}

/// The logs were really on: a dependency's debug line is there.
fn assert_logged(all: &str) {
    assert!(all.contains("DEBUG"), "no debug logs at -vv:\n{all}");
}

#[test]
fn publish_with_a_token_or_a_password_logs_no_secret() {
    let cases = [
        ("__token__", "pypi-SENTINELvvToken", true),
        ("uploader", "SENTINEL vv p@ss/w:rd", false),
    ];
    for (user, password, as_token) in cases {
        for level in LOG_LEVELS {
            let index = FakeIndex::start();
            index.require_basic(user, password);
            let home = tempfile::tempdir().unwrap();
            let dir = tempfile::tempdir().unwrap();
            let w = wheel(dir.path(), "vv-demo", "1.0");
            let mut cmd = shipwheel(home.path());
            cmd.args(["-vv", "publish", "--repository-url", &index.upload_url]);
            cmd.args(["--index-url", &index.simple_url]);
            if as_token {
                cmd.args(["--token", password]);
            } else {
                cmd.args(["--username", user, "--password", password]);
            }
            let out = with_logs(cmd, level).arg(&w).output().unwrap();
            let all = text(&out);
            assert!(out.status.success(), "{all}");
            assert_eq!(index.stores(&file_name(&w)), 1, "{all}");
            assert_logged(&all);
            assert_no_form(&all, &secret_forms(user, password), &format!("{level:?}"));
            assert!(!all.contains("SENTINEL"), "{all}");
        }
    }
}

#[test]
fn trusted_publishing_logs_no_token() {
    for level in LOG_LEVELS {
        let index = FakeIndex::start();
        index.state.lock().unwrap().accepted_auth = Some(Default::default());
        let home = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let w = wheel(dir.path(), "vv-trusted", "1.0");
        let mut cmd = shipwheel(home.path());
        cmd.env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", &index.github_token_url)
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GITHUB_REQUEST_TOKEN)
            .args(["-vv", "publish", "--repository-url", &index.upload_url]);
        let out = with_logs(cmd, level).arg(&w).output().unwrap();
        let all = text(&out);
        assert!(out.status.success(), "{all}");
        assert_logged(&all);
        // The GitHub request token and the identity token (its signature says SENTINEL).
        assert!(!all.contains("SENTINEL"), "{all}");
        assert_no_form(
            &all,
            &secret_forms("x", GITHUB_REQUEST_TOKEN)[..2],
            &format!("{level:?}"),
        );
        // The minted token: only in the one line that masks it.
        let minted = "pypi-minted-1";
        let mask = format!("::add-mask::{minted}");
        let without_mask = all.replacen(&mask, "", 1);
        assert_no_form(
            &without_mask,
            &secret_forms("__token__", minted),
            &format!("{level:?}"),
        );
    }
}

#[test]
fn serve_logs_no_token() {
    const TOKEN: &str = "pypi-SENTINELserveVV";
    for level in LOG_LEVELS {
        let root = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("shipwheel"));
        cmd.args([
            "-vv",
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--token",
            TOKEN,
            "--root",
        ])
        .arg(root.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = with_logs(cmd, level).spawn().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        let upload_url = loop {
            assert_eq!(stdout.read(&mut byte).unwrap(), 1, "serve exited early");
            seen.push(byte[0]);
            let text = String::from_utf8_lossy(&seen);
            if let Some(line) = text.lines().find(|l| l.trim().starts_with("upload:"))
                && text.ends_with('\n')
            {
                break line.trim().trim_start_matches("upload:").trim().to_string();
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let w = wheel(dir.path(), "vv-serve", "1.0");
        // One upload with the token, one with a wrong one.
        let home = tempfile::tempdir().unwrap();
        for token in [TOKEN, "pypi-SENTINELwrongVV"] {
            let _ = shipwheel(home.path())
                .args(["publish", "--repository-url", &upload_url, "--token", token])
                .arg(&w)
                .output()
                .unwrap();
        }
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let out = child.wait_with_output().unwrap();
        let mut all = String::from_utf8_lossy(&seen).into_owned();
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push_str(&String::from_utf8_lossy(&out.stderr));
        assert!(
            all.contains("stored vv_serve-1.0-py3-none-any.whl"),
            "{all}"
        );
        // The server's dependencies log per connection only at trace level.
        if level.is_some() {
            assert!(all.contains("TRACE"), "no trace logs:\n{all}");
        }
        assert!(!all.contains("SENTINEL"), "{all}");
        assert_no_form(
            &all,
            &secret_forms("__token__", TOKEN),
            &format!("{level:?}"),
        );
    }
}

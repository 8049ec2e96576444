//! `shipwheel publish` as a user drives it: the environment variables of twine and uv, a
//! .pypirc given with --config-file, the default `dist/*`, the check before any upload,
//! progress bars on a terminal, and the password prompt. All against the in-process fake index.

mod publish_common;

use std::path::Path;
use std::process::Command;

use publish_common::{FakeIndex, file_name, json, shipwheel, text, wheel};
use test_support::builder::WheelBuilder;

/// A guard for tests where a broken option would fall back to PyPI: every non-loopback request
/// goes to a proxy that does not exist, so it fails instead of leaving the machine.
fn no_public_network(cmd: &mut Command) -> &mut Command {
    cmd.env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .env("NO_PROXY", "127.0.0.1,localhost")
}

fn stored(index: &FakeIndex) -> Vec<String> {
    index.state.lock().unwrap().files.keys().cloned().collect()
}

fn authorizations(index: &FakeIndex) -> Vec<Option<String>> {
    index.posts().into_iter().map(|p| p.authorization).collect()
}

#[test]
fn twine_and_uv_environment_variables_pick_the_index_and_credentials() {
    let index = FakeIndex::start();
    index.require_basic("envuser", "envpass");
    let expected = Some(test_support::servers::basic("envuser", "envpass"));
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();

    // TWINE_REPOSITORY_URL with UV_PUBLISH_USERNAME / UV_PUBLISH_PASSWORD.
    let a = wheel(dist.path(), "env-a", "1.0");
    let out = no_public_network(&mut shipwheel(home.path()))
        .args(["publish", "--non-interactive"])
        .env("TWINE_REPOSITORY_URL", &index.upload_url)
        .env("UV_PUBLISH_USERNAME", "envuser")
        .env("UV_PUBLISH_PASSWORD", "envpass")
        .arg(&a)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stored(&index), [file_name(&a)]);

    // UV_PUBLISH_URL with TWINE_USERNAME / TWINE_PASSWORD.
    let b = wheel(dist.path(), "env-b", "1.0");
    let out = no_public_network(&mut shipwheel(home.path()))
        .args(["publish", "--non-interactive"])
        .env("UV_PUBLISH_URL", &index.upload_url)
        .env("TWINE_USERNAME", "envuser")
        .env("TWINE_PASSWORD", "envpass")
        .arg(&b)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stored(&index), [file_name(&a), file_name(&b)]);

    // TWINE_REPOSITORY names a section of the file given with --config-file.
    let rc = home.path().join("custom-pypirc");
    std::fs::write(
        &rc,
        format!(
            "[distutils]\nindex-servers =\n    staging\n\n[staging]\nrepository = {}\nusername = envuser\npassword = envpass\n",
            index.upload_url
        ),
    )
    .unwrap();
    let c = wheel(dist.path(), "env-c", "1.0");
    let out = no_public_network(&mut shipwheel(home.path()))
        .args(["publish", "--non-interactive", "--config-file"])
        .arg(&rc)
        .env("TWINE_REPOSITORY", "staging")
        .arg(&c)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stored(&index),
        [file_name(&a), file_name(&b), file_name(&c)]
    );
    assert!(
        authorizations(&index).iter().all(|a| *a == expected),
        "every upload must carry the configured credentials"
    );
    assert!(!text(&out).contains("envpass"), "{}", text(&out));
}

#[test]
fn config_file_problems_are_usage_errors_that_say_what_to_fix() {
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let w = wheel(dist.path(), "rc-demo", "1.0");
    let run = |content: &[u8]| {
        let rc = home.path().join("rc");
        std::fs::write(&rc, content).unwrap();
        let out = no_public_network(&mut shipwheel(home.path()))
            .args([
                "publish",
                "--non-interactive",
                "-r",
                "local",
                "--config-file",
            ])
            .arg(&rc)
            .arg(&w)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let all = text(&out);
        assert!(!all.contains("panicked"), "{all}");
        assert!(!all.contains("SENTINEL"), "{all}");
        all
    };
    assert!(run(b"[local\nrepository = http://127.0.0.1:9/\n").contains("line 1"));
    assert!(run(b"repository = http://127.0.0.1:9/\n").contains("before any [section]"));
    assert!(run(b"\xff\xfe[local]\n").contains("UTF-8"));
    // A section the file has but does not list in index-servers (twine ignores it too).
    assert!(
        run(b"[local]\nrepository = http://127.0.0.1:9/\npassword = SENTINEL\n")
            .contains("index-servers")
    );
    // Listed, but without an upload URL.
    assert!(
        run(b"[distutils]\nindex-servers = local\n[local]\nusername = u\npassword = SENTINEL\n")
            .contains("repository = URL")
    );
    assert!(
        run(b"[distutils]\nindex-servers = local\n[local]\nrepository = not a url\n")
            .contains("not a URL")
    );
    // A --config-file that does not exist.
    let out = shipwheel(home.path())
        .args(["publish", "-r", "local", "--config-file"])
        .arg(home.path().join("missing"))
        .arg(&w)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("missing"), "{}", text(&out));
}

#[test]
fn check_errors_stop_the_batch_unless_no_check() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let good = wheel(dist.path(), "chk-good", "1.0");
    let bad = WheelBuilder::new("chk-bad", "1.0")
        .header("Classifier", "Not :: A :: Real :: Classifier")
        .write_to(dist.path());
    let publish = |extra: &[&str]| {
        shipwheel(home.path())
            .args(["publish", "--repository-url", &index.upload_url])
            .args(extra)
            .arg(&good)
            .arg(&bad)
            .output()
            .unwrap()
    };
    let out = publish(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("nothing was uploaded"), "{all}");
    assert!(all.contains("Not :: A :: Real :: Classifier"), "{all}");
    assert!(all.contains("shipwheel check"), "the next step: {all}");
    assert!(all.contains("--no-check"), "{all}");
    assert!(
        index.posts().is_empty(),
        "a file was sent despite the check"
    );

    let out = publish(&["--no-check", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("--no-check"),
        "a warning names the override"
    );
    assert_eq!(stored(&index), [file_name(&bad), file_name(&good)]);
    assert_eq!(json(&out)["ok"], true);
}

#[test]
fn default_paths_are_dist_and_skip_existing_is_accepted() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let dist = project.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let w = wheel(&dist, "dflt", "1.0");
    let s = publish_common::sdist(&dist, "dflt", "1.0");
    // Other files a build leaves in dist/ are not distributions and are not sent.
    std::fs::write(dist.join("SHA256SUMS.txt"), "x").unwrap();
    std::fs::write(dist.join(".gitignore"), "*").unwrap();
    let publish = || {
        shipwheel(home.path())
            .current_dir(project.path())
            .args([
                "publish",
                "--skip-existing",
                "--format",
                "json",
                "--repository-url",
                &index.upload_url,
            ])
            .output()
            .unwrap()
    };
    let out = publish();
    assert!(out.status.success(), "{}", text(&out));
    let posted: Vec<String> = index.posts().into_iter().map(|p| p.filename).collect();
    // The sdist goes last.
    assert_eq!(posted, [file_name(&w), file_name(&s)]);
    let out = publish();
    assert!(out.status.success(), "{}", text(&out));
    let v = json(&out);
    let statuses: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["already-present", "already-present"]);
    assert_eq!(index.posts().len(), 2, "nothing is sent again");
}

/// Run shipwheel with `command` under a pseudo-terminal (util-linux `script`), feeding `input`
/// to it. Returns the exit code and everything the terminal showed, or None when `script` is
/// not installed.
fn on_a_terminal(command: &[&str], envs: &[(&str, &str)], input: &str) -> (Option<i32>, String) {
    assert!(
        Command::new("script").arg("--version").output().is_ok(),
        "`script` (util-linux) is needed to run shipwheel on a terminal"
    );
    let quoted: Vec<String> = command
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let home = tempfile::tempdir().unwrap();
    let cmd = shipwheel(home.path());
    let mut script = Command::new("script");
    script
        .arg("-qec")
        .arg(format!(
            "'{}' {}",
            Path::new(cmd.get_program()).display(),
            quoted.join(" ")
        ))
        .arg("/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    script.envs(envs.iter().copied()).env("TERM", "xterm");
    let mut child = script.spawn().unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn progress_bars_on_a_terminal_and_plain_lines_otherwise() {
    let index = FakeIndex::start();
    let dist = tempfile::tempdir().unwrap();
    let a = wheel(dist.path(), "bars-a", "1.0");
    let b = wheel(dist.path(), "bars-b", "1.0");
    let args = [
        "publish",
        "--non-interactive",
        "--repository-url",
        &index.upload_url,
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ];
    let (code, shown) = on_a_terminal(&args, &[], "");
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("total ["), "no total bar: {shown}");
    for f in [&a, &b] {
        assert!(
            shown.contains(&format!("uploaded                    {}", file_name(f))),
            "{shown}"
        );
    }
    assert!(
        shown.contains("2 uploaded, 0 already there. Every file is on the index."),
        "{shown}"
    );

    // Not a terminal: the same lines, no bars.
    let c = wheel(dist.path(), "bars-c", "1.0");
    let home = tempfile::tempdir().unwrap();
    let out = shipwheel(home.path())
        .args(["publish", "--non-interactive", "--repository-url"])
        .arg(&index.upload_url)
        .arg(&c)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let all = text(&out);
    assert!(!all.contains("total ["), "{all}");
    assert!(all.contains(&format!("uploaded                    {}", file_name(&c))));
}

#[test]
fn prompts_for_the_password_on_a_terminal_but_never_in_ci() {
    let index = FakeIndex::start();
    index.require_basic("promptuser", "typed-secret");
    let dist = tempfile::tempdir().unwrap();
    let a = wheel(dist.path(), "prompted", "1.0");
    let args = [
        "publish",
        "--repository-url",
        &index.upload_url,
        "-u",
        "promptuser",
        a.to_str().unwrap(),
    ];
    let (code, shown) = on_a_terminal(&args, &[], "typed-secret\n");
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("Password for promptuser"), "{shown}");
    assert!(shown.contains("1 uploaded"), "{shown}");
    assert_eq!(
        authorizations(&index),
        [Some(test_support::servers::basic(
            "promptuser",
            "typed-secret"
        ))]
    );

    // CI=true: no prompt even on a terminal; the upload goes without a password and fails.
    let b = wheel(dist.path(), "unprompted", "1.0");
    let args = [
        "publish",
        "--repository-url",
        &index.upload_url,
        "-u",
        "promptuser",
        b.to_str().unwrap(),
    ];
    let (code, shown) = on_a_terminal(&args, &[("CI", "true")], "typed-secret\n");
    assert_eq!(code, Some(1), "{shown}");
    assert!(!shown.contains("Password for"), "{shown}");
    assert!(shown.contains("403"), "{shown}");
    assert_eq!(index.posts_for(&file_name(&b)), 1);
    assert!(stored(&index).iter().all(|f| *f != file_name(&b)));
}

#[test]
fn credentials_in_the_url_are_used_and_never_shown() {
    let index = FakeIndex::start();
    index.require_basic("urluser", "SENTINELurlpass");
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let ok = wheel(dist.path(), "url-ok", "1.0");
    let failing = wheel(dist.path(), "url-fail", "1.0");
    index.script(
        &file_name(&failing),
        vec![publish_common::Action::Status(500)],
    );
    let url = index
        .upload_url
        .replace("http://", "http://urluser:SENTINELurlpass@");
    let out = shipwheel(home.path())
        .args(["-vv", "publish", "--retries", "0", "--repository-url", &url])
        .arg(&ok)
        .arg(&failing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(!all.contains("SENTINEL"), "{all}");
    assert_eq!(stored(&index), [file_name(&ok)]);
    assert_eq!(
        authorizations(&index)[0],
        Some(test_support::servers::basic("urluser", "SENTINELurlpass"))
    );
    // The resume command cannot repeat the password, so it says that one is needed.
    assert!(all.contains("credentials that were in the URL"), "{all}");
}

/// `publish` of a fresh wheel named `name` to `url`, with a broken CA bundle and an empty CA
/// directory (a system without usable root certificates).
fn publish_without_ca_roots(name: &str, url: &str, auth: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let w = wheel(dist.path(), name, "1.0");
    let not_a_bundle = home.path().join("not-a-bundle.pem");
    std::fs::write(&not_a_bundle, "not a certificate\n").unwrap();
    let empty_dir = tempfile::tempdir().unwrap();
    shipwheel(home.path())
        .env("SSL_CERT_FILE", &not_a_bundle)
        .env("SSL_CERT_DIR", empty_dir.path())
        .args(["publish", "--non-interactive", "--repository-url", url])
        .args(auth)
        .arg(&w)
        .output()
        .unwrap()
}

#[test]
fn no_ca_certificates_is_a_clear_error() {
    // HTTPS needs the roots (nothing listens there: the run must stop before connecting).
    let out = publish_without_ca_roots(
        "no-roots",
        "https://127.0.0.1:9/",
        &["-u", "u", "-p", "SENTINEL"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("CA certificates"), "{all}");
    assert!(all.contains("SSL_CERT_FILE"), "the next step: {all}");
    assert!(
        !all.contains("SENTINEL") && !all.contains("panicked"),
        "{all}"
    );
}

#[test]
fn plain_http_needs_no_ca_certificates() {
    let index = FakeIndex::start();
    let out =
        publish_without_ca_roots("no-roots-needed", &index.upload_url, &["--token", "pypi-x"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(index.posts().len(), 1);
}

#[test]
fn an_index_that_redirects_plain_http_to_https_says_which_url_to_use() {
    use std::io::{Read as _, Write as _};
    // Answers every request with a redirect to HTTPS (nothing listens there).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://127.0.0.1:9/simple/moved/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let home = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    let w = wheel(dist.path(), "moved", "1.0");
    let out = shipwheel(home.path())
        .args([
            "publish",
            "--non-interactive",
            "--repository-url",
            &format!("http://127.0.0.1:{port}/legacy/"),
            "--index-url",
            &format!("http://127.0.0.1:{port}/simple/"),
            "--token",
            "pypi-SENTINEL",
        ])
        .arg(&w)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("nothing was uploaded"), "{all}");
    assert!(
        all.contains("https://127.0.0.1:9/simple/moved/"),
        "names the target: {all}"
    );
    assert!(
        all.contains("Pass the URLs the index redirects to"),
        "the next step: {all}"
    );
    assert!(!all.contains("SENTINEL"), "{all}");
}

//! Fault injection: a fake index that fails in scripted ways, and a proxy that breaks
//! connections. Every file must end on the index exactly once, or the run fails with a resume
//! command, and a re-run completes it.

mod publish_common;

use std::time::Duration;

use publish_common::*;

const TOKEN: &str = "pypi-SENTINEL-fault-token";

fn publish(index: &FakeIndex, home: &std::path::Path, upload_url: &str) -> std::process::Command {
    let mut cmd = shipwheel(home);
    cmd.args([
        "-vv",
        "publish",
        "--format",
        "json",
        "--repository-url",
        upload_url,
    ])
    .args(["--index-url", &index.simple_url, "--token", TOKEN]);
    cmd
}

/// Publish a fresh wheel `slug` 1.0 to `index`, which answers that file's POSTs with
/// `actions` (then normally); the file's name and the run's output.
fn publish_scripted(
    index: &FakeIndex,
    slug: &str,
    actions: Vec<Action>,
) -> (String, std::process::Output) {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = wheel(dir.path(), slug, "1.0");
    let name = file_name(&w);
    index.script(&name, actions);
    let out = publish(index, home.path(), &index.upload_url)
        .arg(&w)
        .output()
        .unwrap();
    (name, out)
}

fn status_of(v: &serde_json::Value, filename: &str) -> String {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["filename"] == filename)
        .map(|f| f["status"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

fn no_secret(out: &std::process::Output) {
    let all = text(out);
    assert!(!all.contains("SENTINEL"), "secret leaked:\n{all}");
}

#[test]
fn server_errors_are_retried_and_the_file_lands_once() {
    let index = FakeIndex::start();
    index.require_basic("__token__", TOKEN);
    let (name, out) = publish_scripted(
        &index,
        "fault-a",
        vec![
            Action::Status(500),
            Action::Status(502),
            Action::Status(503),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    no_secret(&out);
    assert_eq!(status_of(&json(&out), &name), "uploaded");
    assert_eq!(index.posts_for(&name), 4);
    assert_eq!(index.stores(&name), 1);
}

#[test]
fn a_503_after_the_index_stored_the_file_is_not_uploaded_again() {
    let index = FakeIndex::start();
    let (name, out) = publish_scripted(&index, "fault-b", vec![Action::StoreThen(503)]);
    assert!(out.status.success(), "{}", text(&out));
    let v = json(&out);
    assert_eq!(status_of(&v, &name), "uploaded");
    assert!(
        v["files"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("503"),
        "{}",
        text(&out)
    );
    assert_eq!(
        index.posts_for(&name),
        1,
        "the index was asked before re-sending"
    );
    assert_eq!(index.stores(&name), 1);
}

#[test]
fn too_many_requests_honours_retry_after() {
    let index = FakeIndex::start();
    let (name, out) = publish_scripted(&index, "fault-c", vec![Action::TooMany(1)]);
    assert!(out.status.success(), "{}", text(&out));
    let all = text(&out);
    // The wait printed is the server's Retry-After (1 s), not the 10 ms test backoff.
    assert!(all.contains("retrying in 1.0 s"), "{all}");
    assert!(all.contains("429"), "{all}");
    assert_eq!(index.stores(&name), 1);
}

#[test]
fn stalls_past_the_timeout_are_retried() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w1 = wheel(dir.path(), "fault-d", "1.0");
    let w2 = wheel(dir.path(), "fault-e", "1.0");
    let (n1, n2) = (file_name(&w1), file_name(&w2));
    // n1 stalls without storing; n2 stores, then stalls (outcome unknown to the client).
    index.script(&n1, vec![Action::Stall(Duration::from_secs(4))]);
    index.script(&n2, vec![Action::StoreThenStall(Duration::from_secs(4))]);
    let out = publish(&index, home.path(), &index.upload_url)
        .args(["--timeout", "1"])
        .arg(&w1)
        .arg(&w2)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let v = json(&out);
    assert_eq!(status_of(&v, &n1), "uploaded");
    assert_eq!(status_of(&v, &n2), "uploaded");
    assert_eq!(index.posts_for(&n1), 2);
    assert_eq!(index.stores(&n1), 1);
    assert_eq!(
        index.posts_for(&n2),
        1,
        "stored during the stall: no second POST"
    );
    assert_eq!(index.stores(&n2), 1);
}

#[test]
fn connection_reset_mid_body_is_retried() {
    let index = FakeIndex::start();
    let port: u16 = index
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let proxy = Proxy::start(port, Break::ResetRequestAfter(50_000), 2);
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = test_support::builder::WheelBuilder::new("fault-f", "1.0")
        .file("fault_f/data.bin", vec![7u8; 200_000])
        .stored()
        .write_to(dir.path());
    let name = file_name(&w);
    let out = publish(&index, home.path(), &format!("{}legacy/", proxy.url))
        .arg(&w)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    no_secret(&out);
    assert!(
        text(&out).contains("attempt 2 failed"),
        "both resets seen: {}",
        text(&out)
    );
    assert_eq!(status_of(&json(&out), &name), "uploaded");
    assert_eq!(index.stores(&name), 1);
}

#[test]
fn a_lost_response_after_storing_counts_once() {
    let index = FakeIndex::start();
    let port: u16 = index
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let proxy = Proxy::start(port, Break::DropResponse, 1);
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = wheel(dir.path(), "fault-g", "1.0");
    let name = file_name(&w);
    let out = publish(&index, home.path(), &format!("{}legacy/", proxy.url))
        .arg(&w)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let v = json(&out);
    assert_eq!(status_of(&v, &name), "uploaded");
    let message = v["files"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("interrupted attempt"), "{}", text(&out));
    assert_eq!(index.posts_for(&name), 1);
    assert_eq!(index.stores(&name), 1);
}

#[test]
fn persistent_failure_gives_a_resume_command_that_finishes_the_job() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = wheel(dir.path(), "fault-h", "1.0");
    let bad = test_support::builder::WheelBuilder::new("fault-h", "1.0")
        .tag("py2.py3-none-any")
        .write_to(dir.path());
    let sd = sdist(dir.path(), "fault-h", "1.0");
    let (ng, nb, ns) = (file_name(&good), file_name(&bad), file_name(&sd));
    index.script(&nb, vec![Action::Status(502); 10]);
    let out = shipwheel(home.path())
        .args(["-vv", "publish", "--repository-url", &index.upload_url])
        .args(["--index-url", &index.simple_url, "--retries", "2"])
        .env("UV_PUBLISH_TOKEN", TOKEN)
        .arg(&sd)
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    no_secret(&out);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(stderr.contains("502"), "{stderr}");
    let resume = stderr
        .lines()
        .skip_while(|l| !l.contains("resume with"))
        .nth(1)
        .unwrap_or_else(|| panic!("no resume command:\n{stderr}"))
        .trim()
        .to_string();
    assert!(
        resume.starts_with("shipwheel publish --repository-url"),
        "{resume}"
    );
    assert!(
        resume.contains(&nb) && resume.contains(&ns) && !resume.contains(&ng),
        "{resume}"
    );
    assert_eq!(index.stores(&ng), 1);
    assert_eq!(index.stores(&nb), 0);
    assert_eq!(index.stores(&ns), 0, "the sdist waits for every wheel");
    assert_eq!(index.posts_for(&nb), 3);

    // The index recovers; running the resume command finishes the release.
    index.script(&nb, vec![]);
    let args: Vec<String> = resume
        .split_whitespace()
        .skip(1)
        .map(|s| s.trim_matches('\'').to_string())
        .collect();
    let out = shipwheel(home.path())
        .args(&args)
        .env("UV_PUBLISH_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // A full re-run afterwards uploads nothing.
    let out = publish(&index, home.path(), &index.upload_url)
        .arg(&sd)
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let v = json(&out);
    for n in [&ng, &nb, &ns] {
        assert_eq!(status_of(&v, n), "already-present");
        assert_eq!(index.stores(n), 1, "{n} stored once");
    }
}

#[test]
fn unreachable_index_fails_cleanly_without_leaking() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = wheel(dir.path(), "fault-i", "1.0");
    let port = test_support::free_port();
    let out = shipwheel(home.path())
        .args(["-vv", "publish", "--retries", "1"])
        .arg("--repository-url")
        .arg(format!("http://__token__:{TOKEN}@127.0.0.1:{port}/legacy/"))
        .arg(&w)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    no_secret(&out);
    assert!(
        text(&out).contains("shipwheel publish --repository-url http://127.0.0.1:"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_token_never_appears_in_any_failure_path() {
    let index = FakeIndex::start();
    index.require_basic("__token__", TOKEN);
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let w = wheel(dir.path(), "leak-a", "1.0");
    let run = |args: &[&str], files: &[&std::path::Path], trace: bool| {
        let mut cmd = shipwheel(home.path());
        cmd.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(["-vv", "publish", "--repository-url", &index.upload_url])
            .args(["--index-url", &index.simple_url])
            .args(args)
            .args(files);
        if trace {
            cmd.env("RUST_LOG", "trace");
        }
        let out = cmd.output().unwrap();
        no_secret(&out);
        out
    };
    // Wrong token (403), at -vv and with every log target at trace level.
    for trace in [false, true] {
        let out = run(&["--token", "pypi-SENTINEL-wrong"], &[&w], trace);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    }
    // 400 refusal from the index.
    index.script(&file_name(&w), vec![Action::Status(400)]);
    let out = run(&["--token", TOKEN], &[&w], true);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // Retries exhausted.
    index.script(&file_name(&w), vec![Action::Status(500); 5]);
    let out = run(&["--token", TOKEN, "--retries", "1"], &[&w], false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // Uploaded, then other bytes under the same name: refused in preflight.
    index.script(&file_name(&w), vec![]);
    let out = run(&["--token", TOKEN], &[&w], false);
    assert!(out.status.success(), "{}", text(&out));
    let other = tempfile::tempdir().unwrap();
    let w2 = test_support::builder::WheelBuilder::new("leak-a", "1.0")
        .file("leak_a/extra.py", "x = 1\n")
        .write_to(other.path());
    let out = run(&["--token", TOKEN], &[&w2], true);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("bump the version"), "{}", text(&out));
    // A file the check refuses.
    let broken = dir.path().join("leak_b-1.0-py3-none-any.whl");
    std::fs::write(&broken, b"not a zip").unwrap();
    let out = run(&["--token", TOKEN], &[&broken], false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // Usage error with a password in the URL.
    let out = run(
        &["--token", TOKEN, "--index-url", "ftp://u:SENTINEL@x/"],
        &[&w],
        false,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(!md.contains("SENTINEL"), "{md}");
    assert!(md.contains("failed"), "{md}");
}

#[test]
fn a_refused_batch_is_reported_in_json_and_nothing_is_sent() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = wheel(dir.path(), "json-a", "1.0");
    let out = publish(&index, home.path(), &index.upload_url)
        .arg(&w)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let other = tempfile::tempdir().unwrap();
    let changed = test_support::builder::WheelBuilder::new("json-a", "1.0")
        .file("json_a/more.py", "y = 2\n")
        .write_to(other.path());
    let fresh = wheel(other.path(), "json-b", "1.0");
    let posts_before = index.posts().len();
    let out = publish(&index, home.path(), &index.upload_url)
        .arg(&fresh)
        .arg(&changed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    let refusals = v["refusals"].as_array().unwrap();
    assert_eq!(refusals.len(), 1, "{v}");
    assert!(
        refusals[0]
            .as_str()
            .unwrap()
            .contains("json_a-1.0-py3-none-any.whl")
    );
    assert_eq!(
        index.posts().len(),
        posts_before,
        "nothing of the batch was sent"
    );
}

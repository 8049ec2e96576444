//! A server that echoes the request's `Authorization` header (and the credentials decoded from
//! it, percent-encoded, and in a URL) in its status line or body: no form of any secret reaches
//! stdout, stderr, the JSON document or the step summary, in any output format at any verbosity.

mod publish_common;

use publish_common::*;

const TOKEN: &str = "pypi-SENTINELechoToken";
const USER: &str = "uploader";
/// Characters that percent-encoding, JSON and base64 all change.
const PASSWORD: &str = "SENTINEL p@ss/w:rd%+\"q";

struct Run {
    all: String,
    summary: String,
    stdout: Vec<u8>,
}

fn publish(server: &EchoServer, creds: &[&str], format: &str, verbosity: &str) -> Run {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let w = wheel(dir.path(), "echo-demo", "1.0");
    let mut cmd = shipwheel(home.path());
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary);
    if !verbosity.is_empty() {
        cmd.arg(verbosity);
    }
    let out = cmd
        .args(["publish", "--repository-url"])
        .arg(format!("{}legacy/", server.url))
        .args(["--format", format, "--retries", "1"])
        .args(creds)
        .arg(&w)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    if format == "json" {
        let v = json(&out);
        assert_eq!(v["files"][0]["status"], "failed", "{v}");
    }
    Run {
        all: text(&out),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        stdout: out.stdout,
    }
}

fn check_every_format_and_verbosity(mode: Echo) {
    let server = EchoServer::start(mode);
    let cases: [(&[&str], Vec<String>); 2] = [
        (&["--token", TOKEN], secret_forms("__token__", TOKEN)),
        (
            &["--username", USER, "--password", PASSWORD],
            secret_forms(USER, PASSWORD),
        ),
    ];
    for (creds, forms) in &cases {
        for format in ["text", "json"] {
            for verbosity in ["-q", "", "-v", "-vv"] {
                let before = server.requests();
                let run = publish(&server, creds, format, verbosity);
                let context = format!("{mode:?} {format} {verbosity:?}");
                assert!(server.requests() > before, "the server was not asked");
                assert_no_form(&run.all, forms, &context);
                assert_no_form(&run.summary, forms, &format!("{context} step summary"));
                assert!(!run.all.contains("SENTINEL"), "{context}:\n{}", run.all);
                // The echo itself arrived, with the secret replaced.
                if format == "json" {
                    let stdout = String::from_utf8_lossy(&run.stdout);
                    assert!(
                        stdout.contains("you sent [Basic ****]"),
                        "{context}:\n{stdout}"
                    );
                } else if verbosity != "-q" {
                    assert!(
                        run.all.contains("you sent [Basic ****]"),
                        "{context}:\n{}",
                        run.all
                    );
                }
            }
        }
    }
}

#[test]
fn an_echo_in_the_reason_phrase_is_redacted() {
    check_every_format_and_verbosity(Echo::InReason(403));
}

#[test]
fn an_echo_in_the_body_is_redacted() {
    check_every_format_and_verbosity(Echo::InBody(400));
}

#[test]
fn an_echo_in_a_retried_server_error_is_redacted() {
    check_every_format_and_verbosity(Echo::InReason(503));
}

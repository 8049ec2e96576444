//! Replies larger than shipwheel reads (an endless chunked project page, an oversized
//! trusted-publishing reply) fail cleanly, naming the URL and the cap, with bounded memory.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use shipwheel_index::oidc::{GithubOidc, TrustedPublisher};
use shipwheel_index::{IndexClient, ReadError, Secret};

const MIB: usize = 1024 * 1024;

/// A loopback server that answers every request with `respond(stream, request head)`.
fn scripted(respond: fn(&mut TcpStream, &str)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                respond(&mut stream, &String::from_utf8_lossy(&head));
            });
        }
    });
    addr
}

/// A chunked body of `filler` that goes on until 1 GiB or until the client hangs up.
fn endless_chunked(stream: &mut TcpStream, content_type: &str, filler: u8) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
    chunk.extend(std::iter::repeat_n(filler, 64 * 1024));
    chunk.extend_from_slice(b"\r\n");
    for _ in 0..16 * 1024 {
        if stream.write_all(&chunk).is_err() {
            return;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
}

/// Peak resident memory of this process so far, in MiB.
fn peak_rss_mib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .expect("VmHWM in /proc/self/status")
        .trim()
        .parse()
        .unwrap();
    kib / 1024
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_chunked_project_page_fails_cleanly_with_bounded_memory() {
    let addr =
        scripted(|stream, _| endless_chunked(stream, "application/vnd.pypi.simple.v1+json", b' '));
    let client = IndexClient::new(&format!("http://{addr}/simple/")).unwrap();
    let before = peak_rss_mib();
    let err = client.project_files("demo").await.unwrap_err();
    let grown = peak_rss_mib().saturating_sub(before);
    assert!(matches!(err, ReadError::TooLarge(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "the reply from http://{addr}/simple/demo/ is larger than 64 MiB"
        )),
        "{text}"
    );
    assert!(text.contains("a project page"), "{text}");
    assert!(
        grown < 64 + 96,
        "memory grew by {grown} MiB reading a page capped at 64 MiB"
    );
    assert!(
        !err.is_retryable(),
        "an oversized page is not worth retrying"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_oversized_project_page_fails_before_reading_it() {
    let addr = scripted(|stream, _| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n<html>",
            65 * MIB
        );
        let _ = stream.write_all(head.as_bytes());
        // Hold the connection open: reading the body would wait until the test times out.
        std::thread::sleep(Duration::from_secs(30));
    });
    let client = IndexClient::new(&format!("http://{addr}/simple/")).unwrap();
    let started = Instant::now();
    let err = client.project_files("demo").await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it read the body"
    );
    assert!(
        err.to_string().contains(&format!(
            "the reply from http://{addr}/simple/demo/ is larger than 64 MiB"
        )),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_trusted_publishing_reply_fails_cleanly() {
    let addr = scripted(|stream, _| endless_chunked(stream, "application/json", b' '));
    let github = GithubOidc {
        request_url: format!("http://{addr}/token"),
        request_token: Secret::new("oidc-request-secret".to_string()),
    };
    let upload = url::Url::parse(&format!("http://{addr}/legacy/")).unwrap();
    let publisher = TrustedPublisher::new(&upload, github, Duration::from_secs(30)).unwrap();
    let err = publisher.audience().await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "the reply from http://{addr}/_/oidc/audience is larger than 1 MiB, the most shipwheel reads for a trusted-publishing reply"
        )),
        "{text}"
    );
    assert!(!text.contains("oidc-request-secret"), "{text}");

    // The CI's token endpoint is read with the same cap.
    let err = publisher.identity_token("pypi").await.unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "the reply from http://{addr}/token is larger than 1 MiB"
        )),
        "{err}"
    );
}

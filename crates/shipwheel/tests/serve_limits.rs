//! `shipwheel serve` as a process under hostile uploads: its memory stays flat whatever one
//! request sends, and it refuses to open anonymous uploads to other machines.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const MIB: u64 = 1024 * 1024;
const BOUNDARY: &str = "----shipwheellimitboundary";

fn shipwheel() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("shipwheel"))
}

struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path) -> Serve {
    let mut child = shipwheel()
        .args(["serve", "--bind", "127.0.0.1:0", "--root"])
        .arg(root)
        .env_remove("SHIPWHEEL_SERVE_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut port = None;
    while port.is_none() {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("serve exited early: {:?}", child.wait());
        }
        port = line
            .trim()
            .strip_prefix("port:")
            .map(|p| p.trim().parse::<u16>().unwrap());
    }
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    Serve {
        addr: SocketAddr::from(([127, 0, 0, 1], port.unwrap())),
        child,
    }
}

/// A field of `/proc/PID/status` in KiB (`VmRSS`, or `VmHWM`: the peak RSS so far).
fn proc_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
        .trim()
        .parse()
        .unwrap()
}

/// The status line and body of a response, read until the server closes or 60 s pass.
fn read_response(mut stream: TcpStream) -> (String, String) {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        // The response is small: stop once the whole body (per Content-Length) is in.
        let text = String::from_utf8_lossy(&buf);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            });
            if length.is_some_and(|n| body.len() >= n) {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

/// POST a chunked multipart body to /legacy/: `head` (the form so far), then `filler_mib` MiB
/// of `filler` generated on the fly, then the closing boundary. Returns the answer and the
/// serve process's peak RSS growth in MiB.
fn stream_upload(server: &Serve, head: &str, filler: u8, filler_mib: u64) -> (String, String, u64) {
    let pid = server.child.id();
    // A first request so the peak counts the server's steady state, not its first answer.
    let _ = test_support::servers::http_request(
        "GET",
        &format!("http://{}/simple/", server.addr),
        &[],
        b"",
    );
    let before = proc_kib(pid, "VmHWM");

    let stream = TcpStream::connect(server.addr).unwrap();
    let reader = stream.try_clone().unwrap();
    let mut writer = stream;
    let addr = server.addr;
    let head = head.to_string();
    let sender = std::thread::spawn(move || -> u64 {
        let start = format!(
            "POST /legacy/ HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let chunk = |data: &[u8]| {
            let mut c = format!("{:x}\r\n", data.len()).into_bytes();
            c.extend_from_slice(data);
            c.extend_from_slice(b"\r\n");
            c
        };
        if writer.write_all(start.as_bytes()).is_err()
            || writer.write_all(&chunk(head.as_bytes())).is_err()
        {
            return 0;
        }
        let block = chunk(&vec![filler; 64 * 1024]);
        let mut sent = 0u64;
        for _ in 0..filler_mib * 16 {
            if writer.write_all(&block).is_err() {
                return sent;
            }
            sent += 64 * 1024;
        }
        let tail = format!("\r\n--{BOUNDARY}--\r\n");
        let _ = writer.write_all(&chunk(tail.as_bytes()));
        let _ = writer.write_all(b"0\r\n\r\n");
        sent
    });
    let (status, body) = read_response(reader);
    let sent = sender.join().unwrap();
    let after = proc_kib(pid, "VmHWM");
    assert!(sent > 0, "nothing was sent");
    (status, body, after.saturating_sub(before) / 1024)
}

fn text_field(name: &str, value: &str) -> String {
    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
}

#[test]
fn a_huge_text_field_is_refused_with_flat_memory() {
    let root = tempfile::tempdir().unwrap();
    let server = serve(root.path());
    let head = format!(
        "{}{}--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n",
        text_field(":action", "file_upload"),
        text_field("name", "huge"),
    );
    let (status, body, grown) = stream_upload(&server, &head, b'a', 512);
    assert!(grown < 48, "the server's peak RSS grew by {grown} MiB");
    assert!(
        status.starts_with("HTTP/1.1 400 description: the field is larger than 8 MB"),
        "{status}\n{body}"
    );
    assert!(body.contains("/help/#form-size-limit"), "{body}");
}

#[test]
fn endless_part_headers_are_refused_with_flat_memory() {
    let root = tempfile::tempdir().unwrap();
    let server = serve(root.path());
    let head = format!(
        "{}--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"summary\"\r\nX-Filler: ",
        text_field(":action", "file_upload"),
    );
    let (status, body, grown) = stream_upload(&server, &head, b'h', 256);
    assert!(grown < 48, "the server's peak RSS grew by {grown} MiB");
    assert!(
        status.starts_with(
            "HTTP/1.1 400 The upload form's boundaries and part headers are larger than 4 MB"
        ),
        "{status}\n{body}"
    );
}

#[test]
fn a_declared_length_over_the_request_limit_is_refused_before_reading() {
    let root = tempfile::tempdir().unwrap();
    let server = serve(root.path());
    let mut stream = TcpStream::connect(server.addr).unwrap();
    // 100 GiB announced, a few bytes sent: the answer must not wait for the rest.
    let request = format!(
        "POST /legacy/ HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n{}",
        server.addr,
        100 * 1024 * MIB,
        text_field(":action", "file_upload"),
    );
    stream.write_all(request.as_bytes()).unwrap();
    let (status, body) = read_response(stream);
    assert!(
        status.starts_with("HTTP/1.1 413 Request too large."),
        "{status}\n{body}"
    );
    assert!(body.contains("/help/#file-size-limit"), "{body}");
}

#[test]
fn anonymous_uploads_to_other_machines_are_refused_before_binding() {
    let root = tempfile::tempdir().unwrap();
    let index = root.path().join("index");
    // 192.0.2.1 (TEST-NET-1) is never this machine's: binding it could only fail, so the test
    // sends nothing anywhere whatever the code does.
    let run = |extra: &[&str]| {
        let out = shipwheel()
            .args(["serve", "--bind", "192.0.2.1:8089", "--root"])
            .arg(&index)
            .args(extra)
            .env_remove("SHIPWHEEL_SERVE_TOKEN")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("uploads would be open to anyone who can reach 192.0.2.1:8089"),
        "{stderr}"
    );
    assert!(stderr.contains("--token"), "{stderr}");
    assert!(stderr.contains("--allow-anonymous-uploads"), "{stderr}");
    assert!(
        !stderr.contains("cannot listen"),
        "it tried to bind: {stderr}"
    );
    assert!(!index.exists(), "the store was opened before refusing");

    // With a token, or the explicit opt-in, it goes on to bind (which fails here).
    for extra in [
        &["--token", "pypi-limit-token"][..],
        &["--allow-anonymous-uploads"],
    ] {
        let (code, stderr) = run(extra);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains("cannot listen on 192.0.2.1:8089"),
            "{extra:?}: {stderr}"
        );
    }
}

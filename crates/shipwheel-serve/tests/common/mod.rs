//! Helpers for the serve tests: building upload forms the way twine does.

#![allow(dead_code)]

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The form twine sends for a file (the fields that matter to the server).
pub fn form_fields(
    name: &str,
    version: &str,
    filename: &str,
    bytes: &[u8],
) -> Vec<(String, String)> {
    let sdist = filename.ends_with(".tar.gz") || filename.ends_with(".zip");
    vec![
        (":action".into(), "file_upload".into()),
        ("protocol_version".into(), "1".into()),
        ("name".into(), name.into()),
        ("version".into(), version.into()),
        ("metadata_version".into(), "2.1".into()),
        (
            "filetype".into(),
            if sdist { "sdist" } else { "bdist_wheel" }.into(),
        ),
        (
            "pyversion".into(),
            if sdist { "source" } else { "py3" }.into(),
        ),
        ("sha256_digest".into(), sha256_hex(bytes)),
    ]
}

/// POST a multipart upload; returns (status, reason phrase as sent, body).
pub async fn upload(
    url: &str,
    fields: &[(String, String)],
    filename: &str,
    bytes: &[u8],
    token: Option<&str>,
) -> (u16, String, String) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.clone(), v.clone());
    }
    let part = reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name(filename.to_string())
        .mime_str("application/octet-stream")
        .unwrap();
    form = form.part("content", part);
    let mut req = reqwest::Client::new().post(url).multipart(form);
    if let Some(t) = token {
        req = req.basic_auth("__token__", Some(t));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    (status, String::new(), body)
}

/// Send a raw HTTP/1.1 request and return the status line (to see the reason phrase, which
/// HTTP client libraries normalise away).
pub fn raw_status_line(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(request).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(2).any(|w| w == b"\r\n") {
            break;
        }
    }
    let end = buf
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// A raw multipart upload request (so tests can send exactly these bytes, or half of them).
pub fn raw_upload_request(
    addr: std::net::SocketAddr,
    fields: &[(String, String)],
    filename: &str,
    bytes: &[u8],
) -> Vec<u8> {
    let boundary = "----shipwheeltestboundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut req = format!(
        "POST /legacy/ HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    req
}

//! Crash safety: an upload cut off mid-body never leaves a file that is served, before or after
//! a restart, and does not block a later complete upload of the same file.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

use common::{form_fields, raw_upload_request};
use shipwheel_serve::{Server, ServerConfig};
use test_support::builder::WheelBuilder;

fn get_status(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.lines().next().unwrap_or_default().to_string()
}

#[test]
fn connection_dropped_mid_upload_leaves_nothing() {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    // Incompressible content so the file part is large and the cut lands inside it.
    let mut noise = Vec::with_capacity(512 * 1024);
    let mut x: u32 = 12345;
    for _ in 0..512 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        noise.push((x >> 16) as u8);
    }
    let wheel = WheelBuilder::new("half", "1.0")
        .file("half/blob.bin", &noise)
        .stored()
        .build_bytes();
    let name = "half-1.0-py3-none-any.whl";
    let request = raw_upload_request(
        server.addr(),
        &form_fields("half", "1.0", name, &wheel),
        name,
        &wheel,
    );

    // Send a little over half of the request, then drop the connection.
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(&request[..request.len() / 2 + 1000]).unwrap();
    s.flush().unwrap();
    s.shutdown(Shutdown::Both).unwrap();
    drop(s);

    // Not served while running.
    assert!(get_status(server.addr(), "/simple/half/").contains("404"));
    // Restart on the same directory: still nothing, and no leftovers from the upload.
    server.stop();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    assert!(get_status(server.addr(), "/simple/half/").contains("404"));
    assert!(!root.path().join("half").join(name).exists());
    let leftovers: Vec<_> = std::fs::read_dir(root.path().join(".incoming"))
        .unwrap()
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The complete upload then goes through.
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(&request).unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(get_status(server.addr(), "/simple/half/").contains("200"));
    assert_eq!(
        std::fs::read(root.path().join("half").join(name)).unwrap(),
        wheel
    );
}

//! IndexClient against real servers: pypiserver (PEP 503 HTML) and devpi-server (PEP 691 JSON).

use std::path::Path;

use sha2::{Digest, Sha256};
use shipwheel_index::{Credentials, IndexClient, ReadError};
use test_support::builder::{SdistBuilder, WheelBuilder};
use test_support::servers::{Devpi, Pypiserver, PypiserverOptions};

fn sha256_hex(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

#[tokio::test]
async fn reads_pypiserver_html() {
    let server = Pypiserver::start(PypiserverOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let wheel = WheelBuilder::new("Read_Demo", "1.0").write_to(dir.path());
    let sdist = SdistBuilder::new("read-demo", "1.0").write_to(dir.path());
    let other = WheelBuilder::new("read-demo", "1.1").write_to(dir.path());
    test_support::uv_publish_ok(
        &server.upload_url,
        &server.user,
        &server.password,
        &[&wheel, &sdist, &other],
    );

    let client = IndexClient::new(&server.index_url).unwrap();
    let mut files = client.project_files("READ.demo").await.unwrap().unwrap();
    files.sort_by(|a, b| a.filename.cmp(&b.filename));
    let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
    assert_eq!(
        names,
        [
            "read_demo-1.0-py3-none-any.whl",
            "read_demo-1.0.tar.gz",
            "read_demo-1.1-py3-none-any.whl"
        ]
    );
    let w = &files[0];
    assert_eq!(w.sha256.as_deref(), Some(sha256_hex(&wheel).as_str()));
    assert_eq!(w.version.as_deref(), Some("1.0"));
    assert!(w.url.starts_with(&server.url), "absolute URL: {}", w.url);
    assert!(!w.url.contains('#'));

    let release = client
        .release_files("read-demo", "1.0.0")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(release.len(), 2);

    assert!(
        client
            .project_files("nothing-here")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn reads_devpi_json_with_credentials() {
    let server = Devpi::start();
    let dir = tempfile::tempdir().unwrap();
    let wheel = WheelBuilder::new("read-demo", "2.0").write_to(dir.path());
    let sdist = SdistBuilder::new("read-demo", "2.0").write_to(dir.path());
    test_support::uv_publish_ok(
        &server.upload_url,
        &server.user,
        &server.token,
        &[&wheel, &sdist],
    );

    let client = IndexClient::new(&server.index_url)
        .unwrap()
        .with_credentials(Some(Credentials::new(&server.user, server.token.as_str())));
    let files = client
        .release_files("read-demo", "2.0")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(files.len(), 2);
    for f in &files {
        let local = if f.filename.ends_with(".whl") {
            &wheel
        } else {
            &sdist
        };
        assert_eq!(f.sha256.as_deref(), Some(sha256_hex(local).as_str()));
        assert!(f.url.starts_with(&server.url), "resolved: {}", f.url);
        assert!(!f.yanked);
    }
    assert!(
        client
            .project_files("unknown-project")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn unreachable_index_is_a_retryable_transport_error() {
    let port = test_support::free_port();
    let client =
        IndexClient::new(&format!("http://user:SENTINEL-pw@127.0.0.1:{port}/simple/")).unwrap();
    let err = client.project_files("demo").await.unwrap_err();
    assert!(matches!(err, ReadError::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    let text = format!("{err} {err:?}");
    assert!(!text.contains("SENTINEL"), "{text}");
}

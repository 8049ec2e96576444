//! Preflight against an in-process index serving PEP 691 JSON with PEP 700 upload times.

use std::path::Path;

use axum::Router;
use axum::routing::get;
use shipwheel_dist::{DistKind, RawMetadata};
use shipwheel_index::IndexClient;
use shipwheel_index::publish::{Presence, PublishFile, Refusal, preflight};
use shipwheel_index::upload::hash_file_blocking;

fn file(dir: &Path, filename: &str, bytes: &[u8], kind: DistKind) -> PublishFile {
    let path = dir.join(filename);
    std::fs::write(&path, bytes).unwrap();
    PublishFile {
        digests: hash_file_blocking(&path).unwrap(),
        path,
        filename: filename.into(),
        kind,
        project: "Demo_Pkg".into(),
        version: "1.0".into(),
        metadata: RawMetadata::parse(b"Metadata-Version: 2.4\nName: Demo_Pkg\nVersion: 1.0\n")
            .unwrap(),
        attestations: None,
    }
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

async fn serve(page: String) -> String {
    let app = Router::new().route(
        "/simple/demo-pkg/",
        get(move || {
            let page = page.clone();
            async move {
                (
                    [("content-type", "application/vnd.pypi.simple.v1+json")],
                    page,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://127.0.0.1:{port}/simple/")
}

fn page(files: &[(&str, &str, &str)]) -> String {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|(name, sha, time)| {
            serde_json::json!({"filename": name, "url": format!("/f/{name}"),
                "hashes": {"sha256": sha}, "upload-time": time})
        })
        .collect();
    serde_json::json!({"meta": {"api-version": "1.1"}, "name": "demo-pkg", "files": files})
        .to_string()
}

const NOW: i64 = 1_800_000_000; // 2027-01-15

#[tokio::test]
async fn identical_missing_and_conflicting_files() {
    let dir = tempfile::tempdir().unwrap();
    let same = file(
        dir.path(),
        "demo_pkg-1.0-py3-none-any.whl",
        b"wheel",
        DistKind::Wheel,
    );
    let other = file(
        dir.path(),
        "demo_pkg-1.0-cp311-cp311-linux_x86_64.whl",
        b"mine",
        DistKind::Wheel,
    );
    let new = file(
        dir.path(),
        "demo_pkg-1.0-cp312-cp312-linux_x86_64.whl",
        b"new",
        DistKind::Wheel,
    );
    let recent = "2027-01-14T00:00:00Z";
    let url = serve(page(&[
        ("demo_pkg-1.0-py3-none-any.whl", &sha(b"wheel"), recent),
        (
            "demo_pkg-1.0-cp311-cp311-linux_x86_64.whl",
            &sha(b"theirs"),
            recent,
        ),
        ("demo_pkg-2.0.tar.gz", &sha(b"x"), recent),
    ]))
    .await;
    let client = IndexClient::new(&url).unwrap();
    let files = vec![same, other, new];
    let pre = preflight(&files, Some(&client), true, NOW).await.unwrap();
    assert!(matches!(pre.presence[0], Presence::Identical(_)));
    assert!(matches!(pre.presence[1], Presence::Different { .. }));
    assert_eq!(pre.presence[2], Presence::Missing);
    assert_eq!(pre.refusals.len(), 1);
    assert!(
        matches!(&pre.refusals[0], Refusal::Conflict { filename, .. } if filename == "demo_pkg-1.0-cp311-cp311-linux_x86_64.whl")
    );
}

#[tokio::test]
async fn old_releases_are_refused_on_pypi_only() {
    let dir = tempfile::tempdir().unwrap();
    let new = file(
        dir.path(),
        "demo_pkg-1.0-cp312-cp312-linux_x86_64.whl",
        b"new",
        DistKind::Wheel,
    );
    let url = serve(page(&[(
        "demo_pkg-1.0-py3-none-any.whl",
        &sha(b"old"),
        "2026-12-01T00:00:00.000000Z",
    )]))
    .await;
    let client = IndexClient::new(&url).unwrap();
    let files = vec![new];
    let pre = preflight(&files, Some(&client), true, NOW).await.unwrap();
    assert!(
        matches!(&pre.refusals[..], [Refusal::ReleaseTooOld { version, .. }] if version == "1.0"),
        "{:?}",
        pre.refusals
    );
    // Other indexes have no such rule.
    let pre = preflight(&files, Some(&client), false, NOW).await.unwrap();
    assert!(pre.refusals.is_empty());
}

#[tokio::test]
async fn a_second_sdist_is_refused_and_unknown_projects_are_missing() {
    let dir = tempfile::tempdir().unwrap();
    let sdist = file(dir.path(), "demo_pkg-1.0.tar.gz", b"sd", DistKind::Sdist);
    let url = serve(page(&[(
        "demo-pkg-1.0.zip",
        &sha(b"zip"),
        "2027-01-14T00:00:00Z",
    )]))
    .await;
    let client = IndexClient::new(&url).unwrap();
    let pre = preflight(std::slice::from_ref(&sdist), Some(&client), false, NOW)
        .await
        .unwrap();
    assert!(
        matches!(&pre.refusals[..], [Refusal::SecondSdist { existing, .. }] if existing == "demo-pkg-1.0.zip")
    );

    let mut unknown = sdist.clone();
    unknown.project = "nothing-here".into();
    let pre = preflight(&[unknown], Some(&client), true, NOW)
        .await
        .unwrap();
    assert_eq!(pre.presence, vec![Presence::Missing]);
    assert!(pre.refusals.is_empty());

    let pre = preflight(&[sdist], None, true, NOW).await.unwrap();
    assert!(pre.unchecked);
}

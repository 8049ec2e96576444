//! The one HTTP client a publish run shares between index reads and uploads: reads follow
//! redirects, a POST to the upload URL never does, and a plain-HTTP client does not follow a
//! redirect to HTTPS (it has no root certificates to check it with).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::routing::{get, post};
use shipwheel_index::upload::{Uploader, shared_http_client};
use shipwheel_index::{IndexClient, ReadError};

const PAGE: &str = r#"{"meta": {"api-version": "1.1"}, "name": "demo", "files": [
  {"filename": "demo-1.0.tar.gz", "url": "/f/demo-1.0.tar.gz", "hashes": {"sha256": "00"}}]}"#;

/// An index whose upload URL redirects, whose old project page redirects to the new one, and
/// whose `/simple/tls/` redirects to HTTPS. Counts the hits on the redirect targets.
async fn serve() -> (String, Arc<AtomicUsize>) {
    let moved_posts = Arc::new(AtomicUsize::new(0));
    let hits = moved_posts.clone();
    let app = Router::new()
        .route(
            "/legacy/",
            post(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, "/moved/")],
                )
            }),
        )
        .route(
            "/moved/",
            post(move || {
                hits.fetch_add(1, Ordering::SeqCst);
                async { "uploaded" }
            })
            .get(|| async { "moved" }),
        )
        .route(
            "/simple/old/",
            get(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, "/simple/demo/")],
                )
            }),
        )
        .route(
            "/simple/demo/",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/vnd.pypi.simple.v1+json")],
                    PAGE,
                )
            }),
        )
        .route(
            "/simple/tls/",
            get(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, "https://127.0.0.1:9/simple/demo/")],
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://127.0.0.1:{port}"), moved_posts)
}

/// The upload URL, the simple root and the shared client for the index at `base`.
fn shared(base: &str) -> (url::Url, url::Url, shipwheel_index::HttpClient) {
    let upload_url = url::Url::parse(&format!("{base}/legacy/")).unwrap();
    let simple = url::Url::parse(&format!("{base}/simple/")).unwrap();
    let http = shared_http_client(
        &upload_url,
        std::slice::from_ref(&simple),
        Duration::from_secs(5),
    )
    .unwrap();
    (upload_url, simple, http)
}

#[tokio::test]
async fn reads_follow_redirects_and_uploads_never_do() {
    let (base, moved_posts) = serve().await;
    let (upload_url, simple, http) = shared(&base);

    let reader =
        IndexClient::with_http_client(simple.as_str(), http.clone(), Duration::from_secs(5))
            .unwrap();
    let files = reader.project_files("old").await.unwrap().unwrap();
    assert_eq!(files.len(), 1, "the read followed the redirect");
    assert_eq!(files[0].filename, "demo-1.0.tar.gz");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo-1.0.tar.gz");
    std::fs::write(&path, b"not really a tarball").unwrap();
    let uploader = Uploader::with_http_client(&upload_url, http, Duration::from_secs(5));
    let fields = vec![(":action".to_string(), "file_upload".to_string())];
    let answer = uploader
        .post(&path, "demo-1.0.tar.gz", 20, &fields, None, None)
        .await
        .unwrap();
    assert_eq!(answer.status, 301, "the redirect is reported, not followed");
    assert_eq!(answer.location.as_deref(), Some("/moved/"));
    assert_eq!(moved_posts.load(Ordering::SeqCst), 0, "nothing was re-sent");
}

#[tokio::test]
async fn a_plain_http_client_does_not_follow_a_redirect_to_https() {
    let (base, _) = serve().await;
    let (_, simple, http) = shared(&base);
    let reader =
        IndexClient::with_http_client(simple.as_str(), http, Duration::from_secs(5)).unwrap();
    match reader.project_files("tls").await {
        Err(e @ ReadError::Redirected { .. }) => {
            let text = e.to_string();
            assert!(text.contains("https://127.0.0.1:9/simple/demo/"), "{text}");
            assert!(text.contains("use the URL it redirects to"), "{text}");
        }
        other => panic!("expected the redirect as the answer, got {other:?}"),
    }
}

#[tokio::test]
async fn a_file_that_changed_since_the_check_is_not_sent() {
    let (base, _) = serve().await;
    let (upload_url, _, http) = shared(&base);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo-1.0.tar.gz");
    std::fs::write(&path, b"twenty bytes of data").unwrap();
    let uploader = Uploader::with_http_client(&upload_url, http, Duration::from_secs(5));
    // Checked (and hashed) at 5 bytes; 20 now.
    let err = uploader
        .post(&path, "demo-1.0.tar.gz", 5, &[], None, None)
        .await
        .unwrap_err();
    assert!(
        err.message.contains("changed while it was being uploaded"),
        "{}",
        err.message
    );
    assert!(err.message.contains("rebuild it"), "{}", err.message);
    assert!(!err.maybe_sent, "refused before anything was sent");
}

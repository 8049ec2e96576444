//! The upload loop at library level: every file handed to `upload_all` ends with an outcome,
//! even when its upload task panics instead of returning one.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use shipwheel_dist::{DistKind, RawMetadata};
use shipwheel_index::publish::{
    Auth, FileOutcome, FileStatus, PublishFile, Reporter, UploadOptions, upload_all,
};
use shipwheel_index::upload::{Uploader, hash_file_blocking, shared_http_client};

fn file(dir: &Path, filename: &str, kind: DistKind) -> PublishFile {
    let path = dir.join(filename);
    std::fs::write(&path, filename.as_bytes()).unwrap();
    PublishFile {
        digests: hash_file_blocking(&path).unwrap(),
        path,
        filename: filename.into(),
        kind,
        project: "demo".into(),
        version: "1.0".into(),
        metadata: RawMetadata::parse(b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n").unwrap(),
        attestations: None,
    }
}

/// An index that accepts every upload and counts them.
async fn serve(posts: Arc<Mutex<u32>>) -> url::Url {
    let app = Router::new().route(
        "/legacy/",
        post(move || {
            *posts.lock().unwrap() += 1;
            async { "OK" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url::Url::parse(&format!("http://127.0.0.1:{port}/legacy/")).unwrap()
}

/// Panics when the upload of `victim` starts, inside that file's upload task; records the
/// outcomes it is told about.
struct PanicsOn {
    victim: String,
    done: Mutex<Vec<(usize, FileStatus)>>,
}

impl Reporter for PanicsOn {
    fn on_start(&self, _index: usize, file: &PublishFile) {
        if file.filename == self.victim {
            panic!("injected failure for {}", file.filename);
        }
    }

    fn on_done(&self, index: usize, outcome: &FileOutcome) {
        self.done.lock().unwrap().push((index, outcome.status));
    }
}

#[tokio::test]
async fn a_panicking_upload_task_ends_as_a_failed_file() {
    let dir = tempfile::tempdir().unwrap();
    let files = Arc::new(vec![
        file(dir.path(), "demo-1.0-py3-none-any.whl", DistKind::Wheel),
        file(
            dir.path(),
            "demo-1.0-cp312-cp312-linux_x86_64.whl",
            DistKind::Wheel,
        ),
        file(dir.path(), "demo-1.0.tar.gz", DistKind::Sdist),
    ]);
    let posts = Arc::new(Mutex::new(0));
    let url = serve(posts.clone()).await;
    let http = shared_http_client(&url, &[], Duration::from_secs(5)).unwrap();
    let uploader = Uploader::with_http_client(&url, http, Duration::from_secs(10));
    let reporter = Arc::new(PanicsOn {
        victim: "demo-1.0-cp312-cp312-linux_x86_64.whl".into(),
        done: Mutex::new(Vec::new()),
    });
    let outcomes = upload_all(
        files.clone(),
        vec![0, 1, 2],
        uploader,
        None,
        Auth::None,
        &UploadOptions::default(),
        reporter.clone(),
        false,
    )
    .await;

    let statuses: Vec<(usize, FileStatus)> = outcomes.iter().map(|(i, o)| (*i, o.status)).collect();
    assert_eq!(
        statuses,
        [
            (0, FileStatus::Uploaded),
            (1, FileStatus::Failed),
            // A wheel did not end on the index, so the sdist waits (it goes last).
            (2, FileStatus::NotAttempted),
        ]
    );
    let failed = &outcomes[1].1;
    assert_eq!(failed.filename, "demo-1.0-cp312-cp312-linux_x86_64.whl");
    let message = failed.message.as_deref().unwrap_or_default();
    assert!(message.contains("panicked"), "{message}");
    assert!(
        failed
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("re-run"),
        "{failed:?}"
    );
    assert_eq!(*posts.lock().unwrap(), 1, "only the healthy wheel was sent");
    let mut told = reporter.done.lock().unwrap().clone();
    told.sort_by_key(|(i, _)| *i);
    assert_eq!(told, statuses, "the reporter hears of every file");
}

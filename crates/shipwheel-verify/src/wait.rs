//! Waiting for the index to serve the release: poll with backoff until every expected file is
//! listed with the expected sha256, or the time is up.

use std::time::{Duration, Instant};

use shipwheel_index::{IndexClient, ReadError, RemoteFile};

use crate::VerifyOptions;
use crate::target::Target;

/// The longest pause between two polls.
pub const MAX_DELAY: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct Found {
    pub files: Vec<RemoteFile>,
    pub elapsed: Duration,
    pub polls: u32,
}

#[derive(Debug)]
pub struct WaitFailure {
    pub error: WaitError,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error(
        "{filename} on the index has sha256 {served}, but the local file has {expected}: the index serves different bytes than were published; build a new version, since a file name can never be reused"
    )]
    HashMismatch {
        filename: String,
        expected: String,
        served: String,
    },
    #[error(
        "timed out after {waited}s waiting for {missing} at {index}; the index lists {seen}. If the upload succeeded the index may be slow: run again with a longer --timeout"
    )]
    Timeout {
        waited: u64,
        missing: String,
        index: String,
        seen: String,
    },
    #[error(
        "the index lists {filename} with sha256 {served:?}, which is not a sha256 digest (64 hex digits): the index is broken or is not a Python package index"
    )]
    MalformedHash { filename: String, served: String },
    #[error("{0}")]
    Index(ReadError),
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Poll until the release is served as expected.
pub async fn wait_for_release(opts: &VerifyOptions) -> Result<Found, WaitFailure> {
    let start = Instant::now();
    let fail = |error: WaitError| WaitFailure {
        error,
        elapsed: start.elapsed(),
    };
    // One slow request must not outlast the whole wait by much.
    let per_request = opts
        .timeout
        .clamp(Duration::from_secs(2), Duration::from_secs(30));
    let client = IndexClient::new(opts.index_url.without_credentials().as_str())
        .map(|c| c.with_credentials(opts.index_url.credentials().cloned()))
        .and_then(|c| c.with_timeout(per_request))
        .map_err(|e| fail(WaitError::Index(e)))?;
    let (project, version) = opts.target.project_version();
    let mut delay = opts.poll_interval.max(Duration::from_millis(10));
    let mut polls = 0u32;
    let mut seen: String;
    loop {
        polls += 1;
        match client.project_files(&project).await {
            Ok(Some(all)) => {
                seen = describe(&all);
                let release = shipwheel_index::read::filter_release(all, &version);
                match evaluate(&client, &opts.target, release).await {
                    Ok(Some(files)) => {
                        return Ok(Found {
                            files,
                            elapsed: start.elapsed(),
                            polls,
                        });
                    }
                    Ok(None) => {}
                    Err(e) => return Err(fail(e)),
                }
            }
            Ok(None) => seen = "nothing for this project (404)".into(),
            Err(e) if e.is_retryable() => seen = format!("nothing readable ({e})"),
            Err(e) => return Err(fail(WaitError::Index(e))),
        }
        let elapsed = start.elapsed();
        if elapsed >= opts.timeout {
            return Err(fail(WaitError::Timeout {
                waited: elapsed.as_secs(),
                missing: missing_text(&opts.target),
                index: opts.index_url.to_string(),
                seen,
            }));
        }
        let remaining = opts.timeout - elapsed;
        tokio::time::sleep(delay.min(remaining)).await;
        delay = (delay * 3 / 2).min(MAX_DELAY);
    }
}

fn describe(files: &[RemoteFile]) -> String {
    if files.is_empty() {
        return "no files".into();
    }
    let mut names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
    names.sort();
    if names.len() > 6 {
        format!("{} files ({}, ...)", names.len(), names[..6].join(", "))
    } else {
        names.join(", ")
    }
}

fn missing_text(target: &Target) -> String {
    match target {
        Target::Release { name, version } => format!("any file of {name} {version}"),
        Target::Files { files, .. } => files
            .iter()
            .map(|f| f.filename.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `Some(files)` when the release is complete as expected, `None` to keep waiting.
async fn evaluate(
    client: &IndexClient,
    target: &Target,
    mut release: Vec<RemoteFile>,
) -> Result<Option<Vec<RemoteFile>>, WaitError> {
    // Indexes that list no hash: hash what they serve. A listed hash that is not one would
    // otherwise be handed to the installer as the pin.
    for f in release.iter_mut() {
        if let Some(h) = f.sha256.as_deref().filter(|h| !is_sha256_hex(h)) {
            return Err(WaitError::MalformedHash {
                filename: f.filename.clone(),
                served: h.to_string(),
            });
        }
        if f.sha256.is_none() {
            match client.sha256_of(&f.url).await {
                Ok(h) => f.sha256 = Some(h),
                Err(e) if e.is_retryable() => return Ok(None),
                Err(e) => return Err(WaitError::Index(e)),
            }
        }
    }
    match target {
        Target::Release { .. } => Ok((!release.is_empty()).then_some(release)),
        Target::Files { files, .. } => {
            let mut out = Vec::new();
            for local in files {
                let Some(remote) = release.iter().find(|r| r.filename == local.filename) else {
                    return Ok(None);
                };
                let served = remote.sha256.clone().unwrap_or_default();
                if !served.eq_ignore_ascii_case(&local.sha256) {
                    return Err(WaitError::HashMismatch {
                        filename: local.filename.clone(),
                        expected: local.sha256.clone(),
                        served,
                    });
                }
                out.push(remote.clone());
            }
            Ok(Some(out))
        }
    }
}

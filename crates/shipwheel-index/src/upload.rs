//! The legacy upload protocol: the multipart form PyPI's `file_upload` reads, digests computed in
//! one streaming pass, and one POST per file with the file streamed from disk.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use shipwheel_dist::{DistKind, RawMetadata};

use crate::body::{BodyError, CappedBody, MAX_UPLOAD_REPLY};
use crate::read::error_chain_text;
use crate::secret::{Credentials, redact, redact_url};

/// Digests and size of a file, from one pass over it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Digests {
    pub sha256: String,
    pub blake2_256: String,
    pub size: u64,
}

/// Hash a file in constant memory (1 MiB buffer), on a blocking thread.
pub async fn hash_file(path: &Path) -> std::io::Result<Digests> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || hash_file_blocking(&path))
        .await
        .map_err(std::io::Error::other)?
}

pub fn hash_file_blocking(path: &Path) -> std::io::Result<Digests> {
    use blake2::digest::consts::U32;
    use sha2::Digest as _;
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut sha = sha2::Sha256::new();
    let mut blake = blake2::Blake2b::<U32>::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        sha.update(chunk);
        blake.update(chunk);
        size += n as u64;
    }
    Ok(Digests {
        sha256: hex::encode(sha.finalize()),
        blake2_256: hex::encode(blake.finalize()),
        size,
    })
}

/// Core-metadata header → (form field, multiple-use). The names PyPI's `parse_form_metadata`
/// reads; a field sent under any other name is silently ignored by PyPI, so this list matters.
const FIELD_MAP: &[(&str, &str, bool)] = &[
    ("metadata-version", "metadata_version", false),
    ("name", "name", false),
    ("version", "version", false),
    ("platform", "platform", true),
    ("supported-platform", "supported_platform", true),
    ("summary", "summary", false),
    ("keywords", "keywords", false),
    ("home-page", "home_page", false),
    ("download-url", "download_url", false),
    ("author", "author", false),
    ("author-email", "author_email", false),
    ("maintainer", "maintainer", false),
    ("maintainer-email", "maintainer_email", false),
    ("license", "license", false),
    ("license-expression", "license_expression", false),
    ("license-file", "license_file", true),
    ("classifier", "classifiers", true),
    ("requires", "requires", true),
    ("provides", "provides", true),
    ("obsoletes", "obsoletes", true),
    ("requires-dist", "requires_dist", true),
    ("provides-dist", "provides_dist", true),
    ("obsoletes-dist", "obsoletes_dist", true),
    ("requires-external", "requires_external", true),
    ("requires-python", "requires_python", false),
    ("project-url", "project_urls", true),
    (
        "description-content-type",
        "description_content_type",
        false,
    ),
    ("provides-extra", "provides_extra", true),
    ("dynamic", "dynamic", true),
];

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the metadata has no `{0}` field")]
    Missing(&'static str),
    #[error("`{0}` is not a wheel or sdist filename")]
    BadFilename(String),
}

/// `re.sub("[^A-Za-z0-9.]+", "-", name)`: the form of the name twine sends.
pub fn safe_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('-');
            in_run = true;
        }
    }
    out
}

/// `pyversion`: `source` for an sdist; for a wheel the python tag of its filename.
pub fn pyversion(filename: &str, kind: DistKind) -> Result<String, FormError> {
    match kind {
        DistKind::Sdist => Ok("source".into()),
        DistKind::Wheel => {
            let stem = filename
                .strip_suffix(".whl")
                .ok_or_else(|| FormError::BadFilename(filename.into()))?;
            let parts: Vec<&str> = stem.split('-').collect();
            if parts.len() != 5 && parts.len() != 6 {
                return Err(FormError::BadFilename(filename.into()));
            }
            parts
                .get(parts.len() - 3)
                .map(|s| s.to_string())
                .ok_or_else(|| FormError::BadFilename(filename.into()))
        }
    }
}

fn metadata_version_at_least(v: &str, major: u32, minor: u32) -> bool {
    let mut it = v.trim().split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

/// The metadata fields of the upload form, in metadata order, as twine 7 sends them.
pub fn metadata_fields(
    meta: &RawMetadata,
    filename: &str,
    kind: DistKind,
) -> Result<Vec<(String, String)>, FormError> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut seen_single: Vec<&str> = Vec::new();
    let metadata_version = meta
        .get("Metadata-Version")
        .ok_or(FormError::Missing("Metadata-Version"))?;
    let name = meta.get("Name").ok_or(FormError::Missing("Name"))?;
    meta.get("Version").ok_or(FormError::Missing("Version"))?;
    let license_files = metadata_version_at_least(metadata_version, 2, 4);
    let mut description_sent = false;
    for (key, value) in &meta.headers {
        let lower = key.to_ascii_lowercase();
        if lower == "description" {
            // The body wins when both exist; PyPI reads one description.
            if meta.body.is_none() && !description_sent {
                fields.push(("description".into(), value.clone()));
                description_sent = true;
            }
            continue;
        }
        let Some((_, field, multi)) = FIELD_MAP.iter().find(|(h, _, _)| *h == lower) else {
            continue;
        };
        if *field == "license_file" && !license_files {
            continue;
        }
        if !multi {
            if seen_single.contains(field) {
                continue;
            }
            seen_single.push(field);
        }
        let value = match *field {
            "name" => safe_name(name),
            "keywords" => value
                .split(',')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(", "),
            "project_urls" => match value.split_once(',') {
                Some((label, url)) => format!("{}, {}", label.trim(), url.trim()),
                None => value.clone(),
            },
            _ => value.clone(),
        };
        fields.push((field.to_string(), value));
    }
    if let Some(body) = &meta.body
        && !description_sent
    {
        fields.push(("description".into(), body.clone()));
    }
    fields.push(("pyversion".into(), pyversion(filename, kind)?));
    fields.push((
        "filetype".into(),
        match kind {
            DistKind::Wheel => "bdist_wheel",
            DistKind::Sdist => "sdist",
        }
        .into(),
    ));
    Ok(fields)
}

/// The whole form except the file part: metadata, digests, attestations, action, protocol.
pub fn form_fields(
    meta: &RawMetadata,
    filename: &str,
    kind: DistKind,
    digests: &Digests,
    attestations: Option<&str>,
) -> Result<Vec<(String, String)>, FormError> {
    let mut fields = metadata_fields(meta, filename, kind)?;
    fields.push(("sha256_digest".into(), digests.sha256.clone()));
    if let Some(a) = attestations {
        fields.push(("attestations".into(), a.to_string()));
    }
    fields.push(("blake2_256_digest".into(), digests.blake2_256.clone()));
    fields.push((":action".into(), "file_upload".into()));
    fields.push(("protocol_version".into(), "1".into()));
    Ok(fields)
}

/// What the index answered to one POST.
#[derive(Clone, Debug)]
pub struct UploadResponse {
    pub status: u16,
    /// The reason phrase as sent (PyPI and devpi put their message there).
    pub reason: String,
    /// The start of the body, for `-v` and for messages servers put only there.
    pub body: String,
    pub retry_after: Option<Duration>,
    pub location: Option<String>,
}

/// Why a POST got no response.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    pub message: String,
    /// Whether the request may have reached the server (then its outcome is unknown).
    pub maybe_sent: bool,
    pub timeout: bool,
}

/// How to read an index's answer to an upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted (2xx).
    Uploaded,
    /// Accepted, and the index says it already had these exact bytes (devpi).
    AlreadyIdentical,
    /// The filename exists (409, or 400 "already exists"): ask the index whether the bytes match.
    Exists,
    /// Worth trying again (5xx, 429, 408).
    Retry,
    /// Refused; trying again will not help.
    Rejected,
}

pub fn classify(resp: &UploadResponse) -> Verdict {
    let text = format!("{} {}", resp.reason, resp.body).to_ascii_lowercase();
    match resp.status {
        200..=299 if text.contains("identical") => Verdict::AlreadyIdentical,
        200..=299 => Verdict::Uploaded,
        409 => Verdict::Exists,
        400 | 403 if text.contains("already exist") => Verdict::Exists,
        408 | 429 | 500..=599 => Verdict::Retry,
        _ => Verdict::Rejected,
    }
}

/// One line of advice for a refusal, when there is something specific to say.
pub fn hint_for(resp: &UploadResponse, trusted_publishing: bool) -> Option<String> {
    let text = format!("{} {}", resp.reason, resp.body).to_ascii_lowercase();
    match resp.status {
        401 => Some("the index wants valid credentials: check --username/--password or --token (or TWINE_USERNAME/TWINE_PASSWORD, UV_PUBLISH_TOKEN)".into()),
        403 if trusted_publishing => Some("the minted token may not upload this project: check the trusted publisher on the index (repository, workflow file, environment)".into()),
        403 => Some("check the credentials: the password or API token must be valid, and a token scoped to this project (or use trusted publishing)".into()),
        400 if text.contains("classifier") => Some("run `shipwheel check` on the files: a classifier is not valid".into()),
        400 if text.contains("14 days") => Some("PyPI no longer accepts new files for this release: bump the version".into()),
        400 if text.contains("already exist") || text.contains("previously used") => Some("a file of this name exists with other content; filenames can never be reused: bump the version".into()),
        400 if text.contains("too large") => Some("ask the index for a larger file-size limit, or make the file smaller".into()),
        400 if text.contains("render") || text.contains("metadata") || text.contains("invalid") => Some("run `shipwheel check` on the files to see the problem before uploading".into()),
        405 => Some("this URL does not accept uploads: is it the simple index instead of the upload URL?".into()),
        300..=399 => Some(format!(
            "the index redirects uploads{}; use the final upload URL",
            resp.location.as_deref().map(|l| format!(" to {}", redact_url(l))).unwrap_or_default()
        )),
        _ => None,
    }
}

/// Parse `Retry-After`: seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Files up to this size are sent from one in-memory buffer; larger ones are streamed.
pub const IN_MEMORY_BODY_MAX: u64 = 1 << 20;

/// A multipart boundary with 128 random bits: no file or form value can contain it by chance.
fn new_boundary() -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    format!(
        "shipwheel-{:016x}{:016x}",
        rng.random::<u64>(),
        rng.random::<u64>()
    )
}

/// Quote a multipart parameter value the way browsers do (WHATWG): `"` and line breaks are
/// percent-encoded, so a value can never end the header early.
fn quote_param(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The whole `multipart/form-data` body: the text fields in order, then the file as `content`.
pub fn multipart_body(
    boundary: &str,
    fields: &[(String, String)],
    filename: &str,
    content: &[u8],
) -> Vec<u8> {
    let text_len: usize = fields
        .iter()
        .map(|(k, v)| boundary.len() + k.len() + v.len() + 64)
        .sum();
    let mut body = Vec::with_capacity(text_len + content.len() + filename.len() + 256);
    for (name, value) in fields {
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
        body.extend_from_slice(quote_param(name).as_bytes());
        body.extend_from_slice(b"\"\r\n\r\n");
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"content\"; filename=\"");
    body.extend_from_slice(quote_param(filename).as_bytes());
    body.extend_from_slice(b"\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    body
}

/// One HTTP client for a whole publish run: the index reads and the uploads share its connection
/// pool, so the first upload reuses the connection the preflight opened (one round trip less
/// over a network), and the TLS roots are loaded once. Each request sets its own timeout.
///
/// A request to `upload_url` never follows a redirect (a redirected POST would need the streamed
/// body twice; the answer is reported instead). When `upload_url` and every URL in `read_urls`
/// are plain HTTP, the system's root certificates are not loaded at all (a few ms of start-up)
/// and a redirect to HTTPS is not followed either, so the index's answer is reported as it is.
pub fn shared_http_client(
    upload_url: &url::Url,
    read_urls: &[url::Url],
    connect_timeout: Duration,
) -> Result<reqwest::Client, TransportError> {
    let plain = upload_url.scheme() == "http" && read_urls.iter().all(|u| u.scheme() == "http");
    let upload = upload_url.clone();
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().first() == Some(&upload)
            || (plain && attempt.url().scheme() != "http")
        {
            attempt.stop()
        } else if attempt.previous().len() > 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    });
    let mut builder = reqwest::Client::builder()
        .user_agent(crate::user_agent())
        .connect_timeout(connect_timeout)
        .redirect(policy);
    if plain {
        builder = builder.tls_certs_only(Vec::<reqwest::Certificate>::new());
    }
    builder.build().map_err(|e| TransportError {
        message: format!(
            "cannot set up the HTTP client: {}; {}",
            error_chain_text(&e),
            crate::read::CA_CERTIFICATES_HINT
        ),
        maybe_sent: false,
        timeout: false,
    })
}

/// Posts files to one upload URL.
#[derive(Clone, Debug)]
pub struct Uploader {
    http: reqwest::Client,
    url: url::Url,
    timeout: Duration,
}

/// Called with the number of bytes sent so far.
pub type ProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

impl Uploader {
    /// An uploader on a client from [`shared_http_client`] (built for this `upload_url`);
    /// `timeout` bounds each request as a whole.
    pub fn with_http_client(
        upload_url: &url::Url,
        http: reqwest::Client,
        timeout: Duration,
    ) -> Uploader {
        Uploader {
            http,
            url: upload_url.clone(),
            timeout,
        }
    }

    /// POST one file; `fields` come before the file part. A file of at most
    /// [`IN_MEMORY_BODY_MAX`] bytes goes as one buffer (the request leaves in one write, which
    /// saves the index a read per part); a larger one is streamed from disk in constant memory.
    pub async fn post(
        &self,
        path: &Path,
        filename: &str,
        size: u64,
        fields: &[(String, String)],
        credentials: Option<&Credentials>,
        progress: Option<ProgressFn>,
    ) -> Result<UploadResponse, TransportError> {
        let local = |message: String| TransportError {
            message,
            maybe_sent: false,
            timeout: false,
        };
        let request = self
            .http
            .post(self.url.clone())
            .timeout(self.timeout)
            .header(
                reqwest::header::ACCEPT,
                "application/json;q=0.9, text/plain;q=0.8, text/html;q=0.7",
            );
        let mut request = if size <= IN_MEMORY_BODY_MAX {
            let content = tokio::fs::read(path)
                .await
                .map_err(|e| local(format!("cannot read {}: {e}", path.display())))?;
            if content.len() as u64 != size {
                return Err(local(format!(
                    "{} changed while it was being uploaded ({} bytes, {} when checked); rebuild it and run again",
                    path.display(),
                    content.len(),
                    size
                )));
            }
            let boundary = new_boundary();
            let body = multipart_body(&boundary, fields, filename, &content);
            if let Some(p) = &progress {
                p(size);
            }
            request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body)
        } else {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| local(format!("cannot open {}: {e}", path.display())))?;
            let mut sent = 0u64;
            let stream =
                tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).map(move |chunk| {
                    if let Ok(c) = &chunk {
                        sent += c.len() as u64;
                        if let Some(p) = &progress {
                            p(sent);
                        }
                    }
                    chunk
                });
            let part = reqwest::multipart::Part::stream_with_length(
                reqwest::Body::wrap_stream(stream),
                size,
            )
            .file_name(filename.to_string())
            .mime_str("application/octet-stream")
            .map_err(|e| local(error_chain_text(&e)))?;
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in fields {
                form = form.text(k.clone(), v.clone());
            }
            request.multipart(form.part("content", part))
        };
        if let Some(c) = credentials {
            request = request.header(reqwest::header::AUTHORIZATION, c.authorization());
        }
        let response = request.send().await.map_err(|e| TransportError {
            message: redact(&error_chain_text(&e)),
            // A refused connection never reached the server; anything later might have.
            maybe_sent: !e.is_connect(),
            timeout: e.is_timeout(),
        })?;
        let status = response.status();
        let reason = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
            // A reason that is not UTF-8 arrives empty: fall back to the standard one.
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string());
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header(reqwest::header::RETRY_AFTER).and_then(|v| parse_retry_after(&v));
        let location = header(reqwest::header::LOCATION);
        // The body only matters for messages: one over the cap is replaced by what was wrong
        // with it, and one cut off by what was read.
        let body = match CappedBody::new(response, "an upload reply", MAX_UPLOAD_REPLY) {
            Err(e) => e.to_string(),
            Ok(mut reader) => {
                let mut read = Vec::new();
                loop {
                    match reader.chunk().await {
                        Ok(Some(c)) => read.extend_from_slice(&c),
                        Err(e @ BodyError::TooLarge { .. }) => break e.to_string(),
                        Ok(None) | Err(BodyError::Transport { .. }) => {
                            break String::from_utf8_lossy(&read).into_owned();
                        }
                    }
                }
            }
        };
        // A server or proxy may echo what it was sent (the Authorization header included):
        // nothing it says is kept with a secret in it.
        Ok(UploadResponse {
            status: status.as_u16(),
            reason: redact(&reason),
            body: redact(&body),
            retry_after,
            location: location.map(|l| redact(&l)),
        })
    }
}

/// The index's message for a refusal: the reason phrase when it says more than the standard
/// one, else a JSON `message`/`detail`, else the first line of a text body.
pub fn server_message(resp: &UploadResponse) -> String {
    let canonical = reqwest::StatusCode::from_u16(resp.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    if !resp.reason.is_empty() && resp.reason != canonical {
        return resp.reason.clone();
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&resp.body) {
        for key in ["message", "detail", "title"] {
            if let Some(s) = v.get(key).and_then(|m| m.as_str()) {
                return s.to_string();
            }
        }
    }
    let text = strip_html(&resp.body);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.eq_ignore_ascii_case(canonical) && *l != "None")
        .unwrap_or("");
    if line.is_empty() {
        resp.reason.clone()
    } else {
        line.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(500)
            .collect()
    }
}

/// `HTTP <status> <reason>`, plus the index's message when it says more than the reason.
pub fn describe(resp: &UploadResponse) -> String {
    let message = server_message(resp);
    let head = format!("HTTP {} {}", resp.status, resp.reason);
    if message.is_empty() || message == resp.reason {
        head
    } else {
        format!("{head}: {message}")
    }
}

fn strip_html(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push('\n');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, reason: &str, body: &str) -> UploadResponse {
        UploadResponse {
            status,
            reason: reason.into(),
            body: body.into(),
            retry_after: None,
            location: None,
        }
    }

    #[test]
    fn safe_name_matches_twine() {
        assert_eq!(safe_name("My_Pkg"), "My-Pkg");
        assert_eq!(safe_name("a__b..c"), "a-b..c");
        assert_eq!(safe_name("zope.interface"), "zope.interface");
    }

    #[test]
    fn pyversion_from_filename() {
        assert_eq!(
            pyversion("a-1.0-py2.py3-none-any.whl", DistKind::Wheel).unwrap(),
            "py2.py3"
        );
        assert_eq!(
            pyversion("a-1.0-1-cp311-cp311-linux_x86_64.whl", DistKind::Wheel).unwrap(),
            "cp311"
        );
        assert_eq!(
            pyversion("a-1.0.tar.gz", DistKind::Sdist).unwrap(),
            "source"
        );
        assert!(pyversion("a.whl", DistKind::Wheel).is_err());
    }

    #[test]
    fn form_maps_every_field_like_twine() {
        let meta = RawMetadata::parse(
            b"Metadata-Version: 2.4\nName: demo_pkg\nVersion: 1.0\nSummary: s\nKeywords: a,b , c\n\
Classifier: X :: Y\nClassifier: Z\nProject-URL: Home,https://h.invalid\nLicense-File: LICENSE\n\
Platform: any\nRequires-Dist: x>=1\nImport-Name: demo\nDescription-Content-Type: text/markdown\n\nBody text\n",
        )
        .unwrap();
        let d = Digests {
            sha256: "s".into(),
            blake2_256: "b".into(),
            size: 1,
        };
        let f = form_fields(
            &meta,
            "demo_pkg-1.0-py3-none-any.whl",
            DistKind::Wheel,
            &d,
            None,
        )
        .unwrap();
        let get = |k: &str| -> Vec<&str> {
            f.iter()
                .filter(|(a, _)| a == k)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(get("name"), ["demo-pkg"]);
        assert_eq!(get("keywords"), ["a, b, c"]);
        assert_eq!(get("classifiers"), ["X :: Y", "Z"]);
        assert_eq!(get("project_urls"), ["Home, https://h.invalid"]);
        assert_eq!(get("license_file"), ["LICENSE"]);
        assert_eq!(get("platform"), ["any"]);
        assert_eq!(get("description"), ["Body text\n"]);
        assert_eq!(get("pyversion"), ["py3"]);
        assert_eq!(get("filetype"), ["bdist_wheel"]);
        assert_eq!(get(":action"), ["file_upload"]);
        assert_eq!(get("protocol_version"), ["1"]);
        assert_eq!(get("sha256_digest"), ["s"]);
        assert_eq!(get("blake2_256_digest"), ["b"]);
        assert!(get("import_name").is_empty());
    }

    #[test]
    fn license_file_dropped_before_metadata_2_4() {
        let meta =
            RawMetadata::parse(b"Metadata-Version: 2.1\nName: a\nVersion: 1\nLicense-File: L\n")
                .unwrap();
        let f = metadata_fields(&meta, "a-1.tar.gz", DistKind::Sdist).unwrap();
        assert!(!f.iter().any(|(k, _)| k == "license_file"));
        assert!(f.iter().any(|(k, v)| k == "pyversion" && v == "source"));
    }

    #[test]
    fn missing_name_is_an_error() {
        let meta = RawMetadata::parse(b"Metadata-Version: 2.1\nVersion: 1\n").unwrap();
        assert!(metadata_fields(&meta, "a-1.tar.gz", DistKind::Sdist).is_err());
    }

    #[test]
    fn verdicts() {
        assert_eq!(classify(&resp(200, "OK", "")), Verdict::Uploaded);
        assert_eq!(
            classify(&resp(
                200,
                "Upload of identical file to non volatile index.",
                ""
            )),
            Verdict::AlreadyIdentical
        );
        assert_eq!(
            classify(&resp(409, "Conflict", "Package 'x' already exists!")),
            Verdict::Exists
        );
        assert_eq!(
            classify(&resp(
                400,
                "File already exists ('x', with blake2_256 hash 'y').",
                ""
            )),
            Verdict::Exists
        );
        assert_eq!(
            classify(&resp(503, "Service Unavailable", "")),
            Verdict::Retry
        );
        assert_eq!(
            classify(&resp(429, "Too Many Requests", "")),
            Verdict::Retry
        );
        assert_eq!(classify(&resp(403, "Forbidden", "")), Verdict::Rejected);
        assert_eq!(
            classify(&resp(400, "Invalid value for classifiers", "")),
            Verdict::Rejected
        );
    }

    #[test]
    fn messages_and_hints() {
        assert_eq!(
            server_message(&resp(400, "Invalid value for classifiers. Error: bad", "")),
            "Invalid value for classifiers. Error: bad"
        );
        assert_eq!(
            server_message(&resp(400, "Bad Request", "{\"message\": \"nope\"}")),
            "nope"
        );
        assert_eq!(
            server_message(&resp(
                403,
                "Forbidden",
                "<html><body><h1>Forbidden</h1>None</body></html>"
            )),
            "Forbidden"
        );
        assert!(
            hint_for(&resp(400, "Invalid classifier", ""), false)
                .unwrap()
                .contains("shipwheel check")
        );
        assert!(
            hint_for(&resp(403, "Forbidden", ""), true)
                .unwrap()
                .contains("trusted publisher")
        );
        assert!(
            hint_for(&resp(403, "Forbidden", ""), false)
                .unwrap()
                .contains("scoped")
        );
    }

    #[test]
    fn multipart_body_is_well_formed() {
        let fields = vec![
            (":action".to_string(), "file_upload".to_string()),
            (
                "description".to_string(),
                "line one\r\n\r\n--not-a-boundary\n".to_string(),
            ),
        ];
        let body = multipart_body("B0UND", &fields, "a\"b\r\n.whl", b"PK\x03\x04\r\n--");
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(
            "--B0UND\r\nContent-Disposition: form-data; name=\":action\"\r\n\r\nfile_upload\r\n"
        ));
        // The value is carried verbatim, line breaks included.
        assert!(text.contains(
            "name=\"description\"\r\n\r\nline one\r\n\r\n--not-a-boundary\n\r\n--B0UND\r\n"
        ));
        // A quote or line break in the filename cannot end the header early.
        assert!(text.contains("name=\"content\"; filename=\"a%22b%0D%0A.whl\"\r\nContent-Type: application/octet-stream\r\n\r\nPK\x03\x04\r\n--\r\n--B0UND--\r\n"));
        assert!(text.ends_with("--B0UND--\r\n"));
        assert_eq!(text.matches("--B0UND\r\n").count(), 3);
    }

    #[test]
    fn boundaries_are_random() {
        let a = new_boundary();
        assert_ne!(a, new_boundary());
        assert!(a.len() >= 40, "{a}");
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn hashes_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        let d = hash_file_blocking(&p).unwrap();
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            d.blake2_256,
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
        assert_eq!(d.size, 3);
    }
}

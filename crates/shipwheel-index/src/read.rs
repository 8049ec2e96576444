//! Reading an index: which files a project has, with their hashes.
//!
//! [`IndexClient`] asks a simple-API root (`…/simple/`) for a project's page. It prefers PEP 691
//! JSON and falls back to PEP 503 HTML (pypiserver serves HTML only), so the same code reads PyPI,
//! devpi, pypiserver and shipwheel's own `serve`.

use std::time::Duration;

use serde::Deserialize;

use crate::body::{BodyError, CappedBody};
use crate::secret::{Credentials, redact_url, split_userinfo};

/// One file an index lists for a project.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RemoteFile {
    pub filename: String,
    /// Absolute download URL (fragment removed).
    pub url: String,
    /// Lowercase hex sha256, when the index gives one.
    pub sha256: Option<String>,
    pub size: Option<u64>,
    /// RFC 3339 upload time, when the index gives one (PEP 700 / JSON API).
    pub upload_time: Option<String>,
    pub yanked: bool,
    /// The version, parsed from the filename (or given by the JSON API).
    pub version: Option<String>,
    /// The yank reason, when the index gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yanked_reason: Option<String>,
    /// `Requires-Python`, when the index gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requires_python: Option<String>,
}

/// Why reading the index failed. Messages never carry credentials.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("invalid index URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("could not reach the index at {url}: {message}")]
    Transport {
        url: String,
        message: String,
        /// A timeout or connection failure (worth retrying), not a protocol problem.
        retryable: bool,
    },
    #[error(
        "the index at {url} refused the credentials (HTTP {status}); check the username and password or token"
    )]
    Unauthorized { url: String, status: u16 },
    #[error("the index at {url} answered HTTP {status} {reason}")]
    Status {
        url: String,
        status: u16,
        reason: String,
    },
    #[error("the index at {url} sent a reply shipwheel cannot read: {message}")]
    Malformed { url: String, message: String },
    /// A redirect the client was built not to follow (a plain-HTTP client sent to HTTPS).
    #[error(
        "the index at {url} redirects (HTTP {status}) to {location}, which shipwheel does not follow from a plain-HTTP URL; use the URL it redirects to"
    )]
    Redirected {
        url: String,
        status: u16,
        location: String,
    },
    /// A reply larger than shipwheel reads for its kind ([`BodyError::TooLarge`]).
    #[error("{0}")]
    TooLarge(BodyError),
    /// The HTTP client could not be set up (usually: no CA certificates on the system).
    #[error("cannot set up the HTTP client: {message}; {CA_CERTIFICATES_HINT}")]
    Client { message: String },
}

impl From<BodyError> for ReadError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Transport {
                url,
                message,
                retryable,
            } => ReadError::Transport {
                url,
                message,
                retryable,
            },
            too_large @ BodyError::TooLarge { .. } => ReadError::TooLarge(too_large),
        }
    }
}

impl ReadError {
    /// Whether trying again later may help (timeouts, resets, 5xx, 429).
    pub fn is_retryable(&self) -> bool {
        match self {
            ReadError::Transport { retryable, .. } => *retryable,
            ReadError::Status { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// What to do when the HTTP client cannot be built: it needs the system's root certificates.
pub(crate) const CA_CERTIFICATES_HINT: &str = "shipwheel needs the system's CA certificates (install the ca-certificates package, or set SSL_CERT_FILE to a PEM bundle)";

const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, text/html;q=0.1";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A client for one simple-API root.
#[derive(Clone, Debug)]
pub struct IndexClient {
    http: reqwest::Client,
    base: url::Url,
    credentials: Option<Credentials>,
    timeout: Duration,
    user_agent: String,
}

impl IndexClient {
    /// A client for the simple-API root `simple_url` (e.g. `https://host/simple/`). Credentials
    /// in the URL's userinfo are taken out and sent as Basic auth.
    pub fn new(simple_url: &str) -> Result<IndexClient, ReadError> {
        // Validate the URL before paying for an HTTP client.
        url::Url::parse(simple_url).map_err(|e| ReadError::InvalidUrl {
            url: redact_url(simple_url),
            reason: e.to_string(),
        })?;
        let http = build_http(DEFAULT_TIMEOUT, &crate::user_agent())?;
        Self::with_http_client(simple_url, http, DEFAULT_TIMEOUT)
    }

    /// Like [`IndexClient::new`], reusing an HTTP client (building one costs a few
    /// milliseconds, mostly TLS setup), e.g. from [`crate::upload::shared_http_client`].
    pub fn with_http_client(
        simple_url: &str,
        http: reqwest::Client,
        timeout: Duration,
    ) -> Result<IndexClient, ReadError> {
        let parsed = url::Url::parse(simple_url).map_err(|e| ReadError::InvalidUrl {
            url: redact_url(simple_url),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ReadError::InvalidUrl {
                url: redact_url(simple_url),
                reason: "only http and https are supported".into(),
            });
        }
        let (mut base, credentials) = split_userinfo(&parsed);
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(IndexClient {
            http,
            base,
            credentials,
            timeout,
            user_agent: crate::user_agent(),
        })
    }

    /// Send these credentials (HTTP Basic) with every request.
    pub fn with_credentials(mut self, credentials: Option<Credentials>) -> Self {
        if credentials.is_some() {
            self.credentials = credentials;
        }
        self
    }

    /// Give up on a request after `timeout` (connect and whole request).
    pub fn with_timeout(mut self, timeout: Duration) -> Result<Self, ReadError> {
        self.timeout = timeout;
        self.http = build_http(self.timeout, &self.user_agent)?;
        Ok(self)
    }

    pub fn with_user_agent(mut self, user_agent: &str) -> Result<Self, ReadError> {
        self.user_agent = user_agent.to_string();
        self.http = build_http(self.timeout, &self.user_agent)?;
        Ok(self)
    }

    /// The simple-API root, without credentials.
    pub fn simple_url(&self) -> &str {
        self.base.as_str()
    }

    /// The URL of a project's page (`<root>/<normalized-name>/`).
    pub fn project_url(&self, project: &str) -> Result<url::Url, ReadError> {
        let name = shipwheel_dist::pep::normalize_name(project);
        if name.is_empty() || name.contains('/') {
            return Err(ReadError::InvalidUrl {
                url: self.base.to_string(),
                reason: format!("`{project}` is not a valid project name"),
            });
        }
        self.base
            .join(&format!("{name}/"))
            .map_err(|e| ReadError::InvalidUrl {
                url: self.base.to_string(),
                reason: e.to_string(),
            })
    }

    /// Every file the index lists for `project`; `None` when the index does not know it (404).
    pub async fn project_files(&self, project: &str) -> Result<Option<Vec<RemoteFile>>, ReadError> {
        let url = self.project_url(project)?;
        let shown = redact_url(url.as_str());
        let mut request = self
            .http
            .get(url.clone())
            .timeout(self.timeout)
            .header(reqwest::header::ACCEPT, ACCEPT)
            // Read what the index has now, not what a cache had.
            .header(reqwest::header::CACHE_CONTROL, "max-age=0");
        if let Some(c) = &self.credentials {
            request = request.header(reqwest::header::AUTHORIZATION, c.authorization());
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(&shown, &e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status.is_redirection()
            && let Some(location) = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
        {
            return Err(ReadError::Redirected {
                url: shown,
                status: status.as_u16(),
                location: redact_url(location),
            });
        }
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(ReadError::Unauthorized {
                url: shown,
                status: status.as_u16(),
            });
        }
        if !status.is_success() {
            return Err(ReadError::Status {
                url: shown,
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
            });
        }
        let final_url = response.url().clone();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let body = CappedBody::new(response, "a project page", crate::body::MAX_PAGE)?
            .bytes()
            .await?;
        let files =
            parse_project_page(&body, &content_type, &final_url, project).map_err(|message| {
                ReadError::Malformed {
                    url: shown.clone(),
                    message,
                }
            })?;
        Ok(Some(files))
    }

    /// Whether the simple-API root answers 200 (used to find an index's simple URL).
    pub async fn probe(&self) -> bool {
        let mut request = self
            .http
            .get(self.base.clone())
            .timeout(self.timeout)
            .header(reqwest::header::ACCEPT, ACCEPT);
        if let Some(c) = &self.credentials {
            request = request.header(reqwest::header::AUTHORIZATION, c.authorization());
        }
        matches!(request.send().await, Ok(r) if r.status().is_success())
    }

    /// Download a file the index lists and hash it (for indexes that give no sha256).
    pub async fn sha256_of(&self, file_url: &str) -> Result<String, ReadError> {
        use sha2::Digest as _;
        let shown = redact_url(file_url);
        let url = url::Url::parse(file_url).map_err(|e| ReadError::InvalidUrl {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        let mut request = self.http.get(url.clone()).timeout(self.timeout);
        // Only send credentials to the index's own host.
        if let Some(c) = &self.credentials
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
        {
            request = request.header(reqwest::header::AUTHORIZATION, c.authorization());
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(&shown, &e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ReadError::Status {
                url: shown,
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
            });
        }
        let mut hasher = sha2::Sha256::new();
        let mut body = CappedBody::new(response, "a distribution file", crate::body::MAX_DOWNLOAD)?;
        while let Some(chunk) = body.chunk().await? {
            hasher.update(&chunk);
        }
        Ok(hex::encode(hasher.finalize()))
    }

    /// The files of one release: those whose version equals `version` under PEP 440
    /// (`1.0` matches `1.0.0`). `None` when the project is unknown.
    pub async fn release_files(
        &self,
        project: &str,
        version: &str,
    ) -> Result<Option<Vec<RemoteFile>>, ReadError> {
        let Some(files) = self.project_files(project).await? else {
            return Ok(None);
        };
        Ok(Some(filter_release(files, version)))
    }
}

/// Keep the files whose version is PEP 440-equal to `version` (string equality when either
/// side does not parse).
pub fn filter_release(files: Vec<RemoteFile>, version: &str) -> Vec<RemoteFile> {
    files
        .into_iter()
        .filter(|f| {
            f.version
                .as_deref()
                .is_some_and(|v| shipwheel_dist::pep::same_version(v, version))
        })
        .collect()
}

fn build_http(timeout: Duration, user_agent: &str) -> Result<reqwest::Client, ReadError> {
    reqwest::Client::builder()
        .user_agent(user_agent)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| ReadError::Client {
            message: error_chain_text(&e.without_url()),
        })
}

/// A reqwest error as a message without the URL (it may carry credentials or a query).
pub(crate) fn transport_error(shown_url: &str, e: &reqwest::Error) -> ReadError {
    let retryable = e.is_timeout() || e.is_connect() || e.is_request() || e.is_body();
    ReadError::Transport {
        url: shown_url.to_string(),
        message: error_chain_text(e),
        retryable,
    }
}

/// An error and its sources on one line, without any URL reqwest would add.
pub(crate) fn error_chain_text(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    // reqwest's own Display names the URL, so describe the kind instead.
    let mut text = if e.is_timeout() {
        "timed out".to_string()
    } else {
        error_kind(e).to_string()
    };
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

fn error_kind(e: &reqwest::Error) -> &'static str {
    if e.is_connect() {
        "connection failed"
    } else if e.is_body() {
        "error sending or reading the body"
    } else if e.is_decode() {
        "error decoding the response"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_request() {
        "error sending the request"
    } else {
        "HTTP error"
    }
}

// ------------------------------------------------------------------ parsing (no I/O)

/// Parse a project page: PEP 691 JSON when it says so (or looks like it), else PEP 503 HTML.
pub fn parse_project_page(
    body: &[u8],
    content_type: &str,
    page_url: &url::Url,
    project: &str,
) -> Result<Vec<RemoteFile>, String> {
    let looks_json = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if content_type.contains("json") || (content_type.is_empty() && looks_json) {
        parse_json_page(body, page_url, project)
    } else {
        let text = std::str::from_utf8(body)
            .map_err(|_| "the HTML project page is not valid UTF-8".to_string())?;
        parse_html_page(text, page_url, project)
    }
}

#[derive(Deserialize)]
struct JsonPage {
    #[serde(default)]
    meta: Option<JsonMeta>,
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
struct JsonMeta {
    #[serde(rename = "api-version")]
    api_version: Option<String>,
}

#[derive(Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::BTreeMap<String, String>,
    #[serde(default, rename = "requires-python")]
    requires_python: Option<String>,
    #[serde(default)]
    yanked: Option<serde_json::Value>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default, rename = "upload-time")]
    upload_time: Option<String>,
}

/// PEP 691 JSON.
pub fn parse_json_page(
    body: &[u8],
    page_url: &url::Url,
    project: &str,
) -> Result<Vec<RemoteFile>, String> {
    let page: JsonPage =
        serde_json::from_slice(body).map_err(|e| format!("invalid PEP 691 JSON: {e}"))?;
    if let Some(v) = page.meta.and_then(|m| m.api_version)
        && !v.starts_with("1.")
    {
        return Err(format!(
            "unsupported simple API version {v} (shipwheel reads 1.x)"
        ));
    }
    let mut out = Vec::with_capacity(page.files.len());
    for f in page.files {
        let url = resolve(page_url, &f.url)?;
        let (yanked, yanked_reason) = match f.yanked {
            None | Some(serde_json::Value::Null) | Some(serde_json::Value::Bool(false)) => {
                (false, None)
            }
            Some(serde_json::Value::String(s)) => (true, Some(s).filter(|s| !s.is_empty())),
            Some(_) => (true, None),
        };
        let sha256 = f
            .hashes
            .get("sha256")
            .map(|h| h.to_ascii_lowercase())
            .or_else(|| fragment_sha256(&f.url));
        let version = version_from_filename(&f.filename, project);
        out.push(RemoteFile {
            filename: f.filename,
            url,
            sha256,
            size: f.size,
            upload_time: f.upload_time,
            yanked,
            version,
            yanked_reason,
            requires_python: f.requires_python.filter(|s| !s.is_empty()),
        });
    }
    Ok(out)
}

/// PEP 503 HTML: every `<a href>` is a file; `#sha256=` fragments, `data-yanked`,
/// `data-requires-python`; relative links resolve against the page (or its `<base href>`).
pub fn parse_html_page(
    text: &str,
    page_url: &url::Url,
    project: &str,
) -> Result<Vec<RemoteFile>, String> {
    let mut base = page_url.clone();
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(rel) = lower.get(pos..).and_then(|s| s.find('<')) {
        let start = pos + rel;
        let Some(tag) = parse_tag(text, start) else {
            pos = start + 1;
            continue;
        };
        pos = tag.end;
        match tag.name.as_str() {
            "base" => {
                if let Some(href) = tag.attr("href") {
                    base = page_url
                        .join(&href)
                        .map_err(|e| format!("invalid <base href> `{href}`: {e}"))?;
                }
            }
            "a" => {
                let Some(href) = tag.attr("href") else {
                    continue;
                };
                // Anchor text up to </a>.
                let text_end = lower
                    .get(pos..)
                    .and_then(|s| s.find("</a"))
                    .map(|i| pos + i)
                    .unwrap_or(pos);
                let inner = text.get(pos..text_end).unwrap_or("");
                let inner = unescape(strip_tags(inner).trim());
                let url = resolve(&base, &href)?;
                let filename = if inner.is_empty() {
                    last_segment(&url)
                } else {
                    inner
                };
                if filename.is_empty() {
                    continue;
                }
                let yanked_attr = tag.attr("data-yanked");
                let version = version_from_filename(&filename, project);
                out.push(RemoteFile {
                    sha256: fragment_sha256(&href),
                    url,
                    size: None,
                    upload_time: None,
                    yanked: yanked_attr.is_some(),
                    yanked_reason: yanked_attr.filter(|s| !s.is_empty()),
                    requires_python: tag.attr("data-requires-python").filter(|s| !s.is_empty()),
                    version,
                    filename,
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    /// Byte offset just after `>`.
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| unescape(v))
    }
}

/// Parse an opening tag at `start` (which points at `<`). Comments and closing tags give None.
fn parse_tag(text: &str, start: usize) -> Option<Tag> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    let name_start = i;
    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    let name = text.get(name_start..i)?.to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        if bytes[i] == b'>' {
            return Some(Tag {
                name,
                attrs,
                end: i + 1,
            });
        }
        let key_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let key = text.get(key_start..i)?.to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let v_start = i + 1;
                let v_end = v_start + bytes.get(v_start..)?.iter().position(|b| *b == quote)?;
                value = text.get(v_start..v_end)?.to_string();
                i = v_end + 1;
            } else {
                let v_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                value = text.get(v_start..i)?.to_string();
            }
        }
        if key.is_empty() {
            i += 1;
        } else {
            attrs.push((key, value));
        }
    }
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Decode the HTML character references a simple page uses.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|i| *i <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn resolve(base: &url::Url, href: &str) -> Result<String, String> {
    let mut u = base
        .join(href)
        .map_err(|e| format!("invalid file link `{href}`: {e}"))?;
    u.set_fragment(None);
    Ok(u.to_string())
}

fn fragment_sha256(href: &str) -> Option<String> {
    let frag = href.split_once('#')?.1;
    let hex = frag.strip_prefix("sha256=")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

fn last_segment(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let seg = path.rsplit('/').next().unwrap_or("");
    percent_encoding::percent_decode_str(seg)
        .decode_utf8_lossy()
        .into_owned()
}

/// The version in a distribution filename: wheels (`name-ver-…whl`), sdists (`name-ver.tar.gz`,
/// `.zip`, …) and eggs. `project` disambiguates legacy sdist names that contain `-`.
pub fn version_from_filename(filename: &str, project: &str) -> Option<String> {
    if let Some(stem) = filename.strip_suffix(".whl") {
        let parts: Vec<&str> = stem.split('-').collect();
        return (parts.len() == 5 || parts.len() == 6)
            .then(|| parts.get(1).map(|v| v.to_string()))
            .flatten();
    }
    if let Some(stem) = filename.strip_suffix(".egg") {
        return stem.split('-').nth(1).map(str::to_string);
    }
    const SDIST_EXTS: &[&str] = &[
        ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".tar.z", ".tar",
    ];
    let lower = filename.to_ascii_lowercase();
    let ext = SDIST_EXTS.iter().find(|e| lower.ends_with(**e))?;
    let stem = filename.get(..filename.len() - ext.len())?;
    let wanted = shipwheel_dist::pep::normalize_name(project);
    // Prefer the split whose left part is the project name.
    for (i, _) in stem.match_indices('-') {
        let (name, rest) = (&stem[..i], &stem[i + 1..]);
        if !rest.is_empty() && shipwheel_dist::pep::normalize_name(name) == wanted {
            return Some(rest.to_string());
        }
    }
    stem.rsplit_once('-')
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> url::Url {
        url::Url::parse("http://127.0.0.1:1/simple/demo/").unwrap()
    }

    const H: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_pep503_html_with_fragments_and_attributes() {
        let html = format!(
            r#"<!DOCTYPE html><html><head><title>Links for demo</title></head><body>
<h1>Links for demo</h1>
<a href="../../packages/demo-1.0-py3-none-any.whl#sha256={}" data-requires-python="&gt;=3.8">demo-1.0-py3-none-any.whl</a><br/>
<A HREF='/packages/demo-1.0.tar.gz' data-yanked="broken &amp; bad">demo-1.0.tar.gz</A>
<a href="https://files.example.invalid/x/demo-2.0rc1.zip#md5=abc" data-yanked>demo-2.0rc1.zip</a>
</body></html>"#,
            H.to_uppercase()
        );
        let files = parse_html_page(&html, &page(), "demo").unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].filename, "demo-1.0-py3-none-any.whl");
        assert_eq!(
            files[0].url,
            "http://127.0.0.1:1/packages/demo-1.0-py3-none-any.whl"
        );
        assert_eq!(files[0].sha256.as_deref(), Some(H));
        assert_eq!(files[0].requires_python.as_deref(), Some(">=3.8"));
        assert!(!files[0].yanked);
        assert_eq!(files[0].version.as_deref(), Some("1.0"));
        assert_eq!(files[1].url, "http://127.0.0.1:1/packages/demo-1.0.tar.gz");
        assert!(files[1].yanked);
        assert_eq!(files[1].yanked_reason.as_deref(), Some("broken & bad"));
        assert_eq!(files[1].sha256, None);
        assert!(files[2].yanked);
        assert_eq!(files[2].yanked_reason, None);
        assert_eq!(files[2].version.as_deref(), Some("2.0rc1"));
    }

    #[test]
    fn html_base_href_and_empty_anchor_text() {
        let html = r#"<base href="http://mirror.invalid/root/"><a href="f/demo-1.0.tar.gz"></a>"#;
        let files = parse_html_page(html, &page(), "demo").unwrap();
        assert_eq!(files[0].url, "http://mirror.invalid/root/f/demo-1.0.tar.gz");
        assert_eq!(files[0].filename, "demo-1.0.tar.gz");
    }

    #[test]
    fn truncated_html_does_not_panic() {
        for html in [
            "<a href=\"x",
            "<a",
            "<",
            "<a href=x>demo-1.0.tar.gz",
            "&#xZZ; &",
            "<a href='y'>&#99999999;</a>",
        ] {
            let _ = parse_html_page(html, &page(), "demo");
        }
    }

    #[test]
    fn parses_pep691_json() {
        let body = format!(
            r#"{{"meta":{{"api-version":"1.1"}},"name":"demo","versions":["1.0"],"files":[
            {{"filename":"demo-1.0-py3-none-any.whl","url":"../../+f/abc/demo-1.0-py3-none-any.whl","hashes":{{"sha256":"{H}"}},"requires-python":">=3.9","size":1616,"upload-time":"2026-01-02T03:04:05.000000Z","yanked":false}},
            {{"filename":"demo-1.0.tar.gz","url":"https://f.invalid/demo-1.0.tar.gz","hashes":{{}},"yanked":"security"}}]}}"#
        );
        let files = parse_project_page(
            body.as_bytes(),
            "application/vnd.pypi.simple.v1+json",
            &page(),
            "demo",
        )
        .unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(
            files[0].url,
            "http://127.0.0.1:1/+f/abc/demo-1.0-py3-none-any.whl"
        );
        assert_eq!(files[0].sha256.as_deref(), Some(H));
        assert_eq!(files[0].size, Some(1616));
        assert_eq!(
            files[0].upload_time.as_deref(),
            Some("2026-01-02T03:04:05.000000Z")
        );
        assert!(files[1].yanked);
        assert_eq!(files[1].yanked_reason.as_deref(), Some("security"));
        assert_eq!(files[1].version.as_deref(), Some("1.0"));
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        for body in [
            "{",
            "{\"files\": 3}",
            "{\"files\": [{\"filename\": 1}]}",
            "{\"meta\":{\"api-version\":\"2.0\"},\"files\":[]}",
        ] {
            let err = parse_project_page(
                body.as_bytes(),
                "application/vnd.pypi.simple.v1+json",
                &page(),
                "demo",
            )
            .unwrap_err();
            assert!(!err.is_empty());
        }
    }

    #[test]
    fn versions_from_filenames() {
        assert_eq!(
            version_from_filename("demo_pkg-1.2.3-py3-none-any.whl", "demo-pkg").as_deref(),
            Some("1.2.3")
        );
        assert_eq!(
            version_from_filename("demo_pkg-1.2.3-1-cp311-cp311-linux_x86_64.whl", "x").as_deref(),
            Some("1.2.3")
        );
        assert_eq!(
            version_from_filename("my-old-pkg-0.9.post1.tar.gz", "my.old_pkg").as_deref(),
            Some("0.9.post1")
        );
        assert_eq!(
            version_from_filename("demo-1.0.zip", "other").as_deref(),
            Some("1.0")
        );
        assert_eq!(version_from_filename("demo.whl", "demo"), None);
        assert_eq!(version_from_filename("README", "demo"), None);
    }

    #[test]
    fn release_filter_uses_pep440_equality() {
        let f = |name: &str| RemoteFile {
            filename: name.into(),
            url: String::new(),
            sha256: None,
            size: None,
            upload_time: None,
            yanked: false,
            version: version_from_filename(name, "demo"),
            yanked_reason: None,
            requires_python: None,
        };
        let files = vec![
            f("demo-1.0.0-py3-none-any.whl"),
            f("demo-1.0.tar.gz"),
            f("demo-1.0.1.tar.gz"),
        ];
        let kept = filter_release(files, "1.0");
        assert_eq!(kept.len(), 2);
    }

    #[test]
    fn project_url_normalizes() {
        let c = IndexClient::new("http://u:p@127.0.0.1:9/simple").unwrap();
        assert_eq!(c.simple_url(), "http://127.0.0.1:9/simple/");
        assert_eq!(
            c.project_url("Demo_Pkg").unwrap().as_str(),
            "http://127.0.0.1:9/simple/demo-pkg/"
        );
        assert!(IndexClient::new("ftp://x/").is_err());
        assert!(IndexClient::new("::").is_err());
    }
}

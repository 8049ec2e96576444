//! Routes, the read side, and the response helpers shared with the upload handler.

use std::io::SeekFrom;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use shipwheel_dist::CheckOptions;
use shipwheel_dist::pep::normalize_name;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::render;
use crate::store::{Project, Store};

pub struct AppState {
    pub store: Arc<Store>,
    pub tokens: Vec<shipwheel_index::Secret>,
    pub check: CheckOptions,
    pub max_project_size: u64,
    pub addr: SocketAddr,
}

pub type Shared = Arc<AppState>;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/help/", get(help))
        .route("/simple", get(|| async { redirect("/simple/") }))
        .route("/simple/", get(simple_index))
        .route("/simple/{project}", get(simple_project_no_slash))
        .route("/simple/{project}/", get(simple_project))
        .route("/files/{project}/{filename}", get(download))
        .route("/pypi/{project}/json", get(json_project))
        .route("/pypi/{project}/{version}/json", get(json_version))
        .route(
            "/legacy/",
            post(crate::upload::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/legacy", post(legacy_no_slash))
        .with_state(state)
}

/// The scheme and authority clients used to reach us, for absolute URLs in pages.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host)
            if !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(c)) =>
        {
            format!("http://{host}")
        }
        _ => format!("http://{}", state.addr),
    }
}

/// ISO-8859-1 bytes for an HTTP reason phrase (what Warehouse sends: `encode("latin-1",
/// "replace")`), with anything a status line cannot carry replaced by `?`.
fn reason_bytes(message: &str) -> Vec<u8> {
    message
        .chars()
        .map(|c| match c as u32 {
            0x09 | 0x20..=0x7e | 0xa0..=0xff => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// An error answer the way PyPI gives it: the message in the status line (`400 <message>`)
/// and in the body (JSON when the client prefers JSON, as uv does; HTML otherwise).
pub fn pypi_error(status: StatusCode, message: &str, headers: &HeaderMap) -> Response {
    let prefers_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            let json = quality(accept, "application/json");
            let html = quality(accept, "text/html").max(quality(accept, "text/plain"));
            json > 0.0 && json >= html
        });
    let title = status.canonical_reason().unwrap_or("Error");
    let mut response = if prefers_json {
        let body = serde_json::json!({
            "message": message,
            "code": format!("{} {message}", status.as_u16()),
            "title": title,
        });
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    } else {
        let body = format!(
            "<html>\n <head>\n  <title>{code} {title}</title>\n </head>\n <body>\n  <h1>{code} {title}</h1>\n  {msg}\n </body>\n</html>\n",
            code = status.as_u16(),
            title = render::escape_html(title),
            msg = render::escape_html(message),
        );
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
            body,
        )
            .into_response()
    };
    if let Ok(reason) = hyper::ext::ReasonPhrase::try_from(reason_bytes(message)) {
        response.extensions_mut().insert(reason);
    }
    response
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("404 Not Found: {what}\n"),
    )
        .into_response()
}

fn server_error(err: std::io::Error) -> Response {
    tracing::error!("store error: {err}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "500 Internal Server Error: the store could not be read\n",
    )
        .into_response()
}

async fn legacy_no_slash(State(_): State<Shared>, headers: HeaderMap) -> Response {
    let mut r = pypi_error(
        StatusCode::PERMANENT_REDIRECT,
        "An upload was attempted to /legacy but the expected upload URL is /legacy/ (with a trailing slash)",
        &headers,
    );
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/legacy/"));
    r
}

async fn home(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    let body = format!(
        "<!DOCTYPE html>\n<html>\n  <head><title>shipwheel serve</title></head>\n  <body>\n    <h1>shipwheel serve</h1>\n    <p>Index: <a href=\"/simple/\">{base}/simple/</a></p>\n    <p>Uploads: {base}/legacy/</p>\n  </body>\n</html>\n"
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

async fn help() -> Response {
    const BODY: &str = "<!DOCTYPE html>\n<html>\n  <head><title>shipwheel serve: help</title></head>\n  <body>\n\
<h2 id=\"file-name-reuse\">File name reuse</h2>\n<p>A file name can be uploaded once. Re-uploading the same bytes succeeds; different bytes under an existing name (or the same bytes under another name) are refused. Release a new version instead.</p>\n\
<h2 id=\"invalid-auth\">Invalid authentication</h2>\n<p>Uploads authenticate with the user name <code>__token__</code> and one of the tokens the server was started with (<code>--token</code> or <code>SHIPWHEEL_SERVE_TOKEN</code>).</p>\n\
<h2 id=\"apitoken\">API tokens</h2>\n<p>Use <code>__token__</code> as the user name and the token as the password.</p>\n\
<h2 id=\"file-size-limit\">File size limit</h2>\n<p>Each file is limited to the size the server was started with (100 MiB by default, as on PyPI).</p>\n\
<h2 id=\"project-size-limit\">Project size limit</h2>\n<p>The files of one project together are limited to the size the server was started with (<code>--max-project-size</code>, 10 GiB by default, as on PyPI).</p>\n";
    let form = format!(
        "<h2 id=\"form-size-limit\">Form size limit</h2>\n<p>Each text field of an upload form (the long description is the largest) is limited to {} MB, all text fields together to {} MB, and the form's boundaries and part headers to {} MB. One upload request may carry the file size limit, the text fields, and room to refuse a larger file.</p>\n  </body>\n</html>\n",
        crate::form::MAX_TEXT_FIELD >> 20,
        crate::form::MAX_FORM_TEXT >> 20,
        crate::form::MAX_HELD >> 20,
    );
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("{BODY}{form}"),
    )
        .into_response()
}

/// Which representation of a simple page to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `text/html` (PEP 503).
    Html,
    /// `application/vnd.pypi.simple.v1+html`.
    HtmlV1,
    /// `application/vnd.pypi.simple.v1+json` (PEP 691).
    JsonV1,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::HtmlV1 => "application/vnd.pypi.simple.v1+html",
            Format::JsonV1 => "application/vnd.pypi.simple.v1+json",
        }
    }
}

fn media_format(media: &str) -> Option<Format> {
    // An unescaped `+` in `?format=` arrives as a space.
    match media.trim().to_ascii_lowercase().replace(' ', "+").as_str() {
        "application/vnd.pypi.simple.v1+json" | "application/vnd.pypi.simple.latest+json" => {
            Some(Format::JsonV1)
        }
        "application/vnd.pypi.simple.v1+html" | "application/vnd.pypi.simple.latest+html" => {
            Some(Format::HtmlV1)
        }
        "text/html" | "text/*" | "*/*" => Some(Format::Html),
        _ => None,
    }
}

/// The q-value the Accept header gives `media` (exact match only; 0 when absent).
fn quality(accept: &str, media: &str) -> f32 {
    accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let m = parts.next()?.trim();
            if !m.eq_ignore_ascii_case(media) {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
                .next()
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some(q)
        })
        .fold(0.0, f32::max)
}

/// PEP 691 negotiation: `?format=` wins, else the best-quality acceptable type in `Accept`
/// (JSON preferred on ties), else HTML.
pub fn negotiate(query_format: Option<&str>, accept: Option<&str>) -> Format {
    if let Some(f) = query_format.and_then(media_format) {
        return f;
    }
    let Some(accept) = accept else {
        return Format::Html;
    };
    let mut best: Option<(f32, u8, Format)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let Some(format) = parts.next().and_then(media_format) else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
            .next()
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let rank = match format {
            Format::JsonV1 => 3,
            Format::HtmlV1 => 2,
            Format::Html => 1,
        };
        if best.is_none_or(|(bq, br, _)| q > bq || (q == bq && rank > br)) {
            best = Some((q, rank, format));
        }
    }
    best.map(|(_, _, f)| f).unwrap_or(Format::Html)
}

#[derive(serde::Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

fn simple_response(format: Format, body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (header::VARY, HeaderValue::from_static("Accept")),
        ],
        body,
    )
        .into_response()
}

fn accept_of(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())
}

async fn simple_index(
    State(state): State<Shared>,
    Query(q): Query<FormatQuery>,
    headers: HeaderMap,
) -> Response {
    let format = negotiate(q.format.as_deref(), accept_of(&headers));
    let store = state.store.clone();
    let names = match tokio::task::spawn_blocking(move || store.project_names()).await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return server_error(e),
        Err(_) => return server_error(std::io::Error::other("task failed")),
    };
    let body = match format {
        Format::JsonV1 => render::index_json(&names),
        _ => render::index_html(&names),
    };
    simple_response(format, body)
}

async fn simple_project_no_slash(Path(project): Path<String>) -> Response {
    let normalized = normalize_name(&project);
    if normalized.is_empty() {
        return not_found(&format!("no project named {project:?}"));
    }
    redirect(&format!("/simple/{}/", render::encode_segment(&normalized)))
}

async fn load(state: &AppState, normalized: &str) -> Result<Option<Arc<Project>>, Response> {
    let store = state.store.clone();
    let name = normalized.to_string();
    match tokio::task::spawn_blocking(move || store.project(&name)).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(server_error(e)),
        Err(_) => Err(server_error(std::io::Error::other("task failed"))),
    }
}

async fn simple_project(
    State(state): State<Shared>,
    Path(project): Path<String>,
    Query(q): Query<FormatQuery>,
    headers: HeaderMap,
) -> Response {
    let normalized = normalize_name(&project);
    if normalized.is_empty() {
        return not_found(&format!("no project named {project:?}"));
    }
    if normalized != project {
        let mut location = format!("/simple/{}/", render::encode_segment(&normalized));
        if let Some(f) = &q.format {
            location.push_str("?format=");
            location.push_str(&render::encode_segment(f));
        }
        return redirect(&location);
    }
    let project = match load(&state, &normalized).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(&format!("no project named {normalized}")),
        Err(r) => return r,
    };
    let format = negotiate(q.format.as_deref(), accept_of(&headers));
    let base = base_url(&state, &headers);
    let body = match format {
        Format::JsonV1 => render::project_json(&base, &project),
        _ => render::project_html(&base, &project),
    };
    simple_response(format, body)
}

async fn json_project(
    State(state): State<Shared>,
    Path(project): Path<String>,
    headers: HeaderMap,
) -> Response {
    json_api(state, project, None, headers).await
}

async fn json_version(
    State(state): State<Shared>,
    Path((project, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    json_api(state, project, Some(version), headers).await
}

async fn json_api(
    state: Shared,
    project: String,
    version: Option<String>,
    headers: HeaderMap,
) -> Response {
    let normalized = normalize_name(&project);
    if normalized.is_empty() {
        return not_found(&format!("no project named {project:?}"));
    }
    if normalized != project {
        let mut location = format!("/pypi/{}/", render::encode_segment(&normalized));
        if let Some(v) = &version {
            location.push_str(&render::encode_segment(v));
            location.push('/');
        }
        location.push_str("json");
        return redirect(&location);
    }
    let p = match load(&state, &normalized).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(&format!("no project named {normalized}")),
        Err(r) => return r,
    };
    let base = base_url(&state, &headers);
    match render::json_api(&base, &p, version.as_deref()) {
        Some(body) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            body,
        )
            .into_response(),
        None => not_found(&format!(
            "{normalized} has no version {}",
            version.unwrap_or_default()
        )),
    }
}

/// A single byte range from a `Range` header, resolved against `size`.
/// `Ok(None)`: serve the whole file; `Err(())`: unsatisfiable (416).
pub fn parse_range(value: &str, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        // Multiple ranges: answering with the whole file is allowed (RFC 9110 §14.2).
        return Ok(None);
    }
    let Some((start, end)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let (start, end) = (start.trim(), end.trim());
    let range = if start.is_empty() {
        let n: u64 = end.parse().map_err(|_| ())?;
        if n == 0 || size == 0 {
            return Err(());
        }
        (size.saturating_sub(n), size - 1)
    } else {
        let s: u64 = start.parse().map_err(|_| ())?;
        if s >= size {
            return Err(());
        }
        let e = if end.is_empty() {
            size - 1
        } else {
            end.parse::<u64>().map_err(|_| ())?.min(size - 1)
        };
        if e < s {
            return Err(());
        }
        (s, e)
    };
    Ok(Some(range))
}

async fn download(
    State(state): State<Shared>,
    Path((project, filename)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (data_name, is_metadata) = match filename.strip_suffix(".metadata") {
        Some(stem) => (stem.to_string(), true),
        None => (filename.clone(), false),
    };
    let p = match load(&state, &project).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(&filename),
        Err(r) => return r,
    };
    let Some(stored) = p.files.iter().find(|f| f.record.filename == data_name) else {
        return not_found(&filename);
    };
    if is_metadata && stored.record.metadata_sha256.is_none() {
        return not_found(&filename);
    }
    let Some(path) = state.store.file_path(&project, &filename) else {
        return not_found(&filename);
    };
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return not_found(&filename),
        Err(e) => return server_error(e),
    };
    let size = match file.metadata().await {
        Ok(m) => m.len(),
        Err(e) => return server_error(e),
    };
    let content_type = if is_metadata {
        "text/plain; charset=utf-8"
    } else if filename.ends_with(".whl") || filename.ends_with(".zip") {
        "application/zip"
    } else {
        "application/octet-stream"
    };
    let etag = if is_metadata {
        stored.record.metadata_sha256.clone().unwrap_or_default()
    } else {
        stored.record.sha256.clone()
    };
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(r) => parse_range(r, size),
        None => Ok(None),
    };
    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ETAG, format!("\"{etag}\""))
        .header(
            header::CACHE_CONTROL,
            "max-age=365000000, immutable, public",
        );
    let (status, start, len) = match range {
        Err(()) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response();
        }
        Ok(None) => (StatusCode::OK, 0, size),
        Ok(Some((s, e))) => {
            builder = builder.header(header::CONTENT_RANGE, format!("bytes {s}-{e}/{size}"));
            (StatusCode::PARTIAL_CONTENT, s, e - s + 1)
        }
    };
    if start > 0
        && let Err(e) = file.seek(SeekFrom::Start(start)).await
    {
        return server_error(e);
    }
    let stream = tokio_util::io::ReaderStream::new(file.take(len));
    builder
        .status(status)
        .header(header::CONTENT_LENGTH, len)
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_pep_691() {
        assert_eq!(negotiate(None, None), Format::Html);
        assert_eq!(
            negotiate(
                None,
                Some(
                    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
                )
            ),
            Format::JsonV1
        );
        assert_eq!(
            negotiate(
                None,
                Some("text/html, application/vnd.pypi.simple.v1+json;q=0.5")
            ),
            Format::Html
        );
        assert_eq!(negotiate(None, Some("application/xml")), Format::Html);
        assert_eq!(
            negotiate(
                Some("application/vnd.pypi.simple.latest+json"),
                Some("text/html")
            ),
            Format::JsonV1
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok(Some((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=50-500", 100), Ok(Some((50, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Ok(None));
        assert_eq!(parse_range("items=0-1", 100), Ok(None));
        assert_eq!(parse_range("bytes=x-1", 100), Err(()));
    }

    #[test]
    fn reason_phrase_is_latin1() {
        assert_eq!(
            reason_bytes("a\u{e9}\u{2603}\n"),
            vec![b'a', 0xe9, b'?', b'?']
        );
    }
}

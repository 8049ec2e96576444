//! The legacy upload endpoint (`POST /legacy/`), with Warehouse's checks in Warehouse's order
//! and its messages.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use shipwheel_dist::pep::{Version, normalize_name};
use shipwheel_dist::{CheckOptions, Severity, check_file};

use crate::form::{self, Form, ReadError};
use crate::http::{Shared, base_url, pypi_error};
use crate::inspect::{self, Ext};
use crate::store::{CommitOutcome, FileRecord, PendingFile};

const CORE_METADATA_HELP: &str = "https://packaging.python.org/specifications/core-metadata";
const LOCAL_VERSION_HELP: &str = "https://packaging.python.org/en/latest/specifications/version-specifiers/#local-version-identifiers";
const PEP_527: &str = "https://www.python.org/dev/peps/pep-0527";
const PEP_715: &str = "https://peps.python.org/pep-0715/";
/// Metadata versions PyPI accepts today.
const METADATA_VERSIONS: &[&str] = &["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"];

pub use shipwheel_dist::pep::py_repr;

fn is_valid_project_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Constant-time comparison, so response timing does not reveal how much of a token matched.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

enum Auth {
    Ok,
    Invalid,
    PasswordLogin,
}

fn authenticate(tokens: &[shipwheel_index::Secret], headers: &HeaderMap) -> Auth {
    if tokens.is_empty() {
        return Auth::Ok;
    }
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Auth::Invalid;
    };
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
    let presented = if scheme.eq_ignore_ascii_case("basic") {
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(rest.trim()) else {
            return Auth::Invalid;
        };
        let Ok(decoded) = String::from_utf8(decoded) else {
            return Auth::Invalid;
        };
        let Some((user, password)) = decoded.split_once(':') else {
            return Auth::Invalid;
        };
        if user != "__token__" {
            return Auth::PasswordLogin;
        }
        password.to_string()
    } else if scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer") {
        rest.trim().to_string()
    } else {
        return Auth::Invalid;
    };
    if tokens.iter().any(|t| same_secret(t.expose(), &presented)) {
        Auth::Ok
    } else {
        Auth::Invalid
    }
}

pub async fn upload(State(state): State<Shared>, headers: HeaderMap, request: Request) -> Response {
    let base = base_url(&state, &headers);
    let bad = |message: String| pypi_error(StatusCode::BAD_REQUEST, &message, &headers);
    let max = state.check.max_file_size;
    // An announced length over what the server would ever read is refused unread.
    if form::declared_length(&headers).is_some_and(|n| n > form::request_limit(max)) {
        return pypi_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &form::request_too_large(max, &base),
            &headers,
        );
    }
    let refusal = match authenticate(&state.tokens, &headers) {
        Auth::Ok => None,
        Auth::Invalid => Some(format!(
            "Invalid or non-existent authentication information. See {base}/help/#invalid-auth for more information."
        )),
        Auth::PasswordLogin => Some(format!(
            "Username/Password authentication is no longer supported. Migrate to API Tokens or Trusted Publishers instead. See {base}/help/#apitoken"
        )),
    };
    if let Some(message) = refusal {
        // Read (and drop) the body first: answering while the client is still sending makes it
        // see a broken pipe instead of the 403.
        drain(request, form::request_limit(max)).await;
        return pypi_error(StatusCode::FORBIDDEN, &message, &headers);
    }
    // Received files live in their own directory under ROOT/.incoming, removed on drop: an
    // upload that fails or is cut off leaves nothing behind.
    let workdir = match tempfile::Builder::new()
        .prefix(".tmp-upload-")
        .tempdir_in(state.store.incoming_dir())
    {
        Ok(d) => d,
        Err(e) => {
            tracing::error!("cannot create an upload directory: {e}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot store uploads").into_response();
        }
    };
    let form = match form::read_form(request, workdir.path(), max, &base).await {
        Ok(f) => f,
        Err(ReadError::Reply(status, message)) => {
            return pypi_error(status, &message, &headers);
        }
        Err(ReadError::Broken(why)) => {
            tracing::info!("upload aborted: {why}");
            return bad(format!("The upload could not be read: {why}"));
        }
    };
    if let Some(field) = &form.tuple_field {
        return bad(format!("{field}: Should not be a tuple."));
    }
    match form.get(":action") {
        Some("file_upload") => {}
        Some("submit") | Some("submit_pkg_info") => {
            return pypi_error(
                StatusCode::GONE,
                "Project pre-registration is no longer required or supported, upload your files instead.",
                &headers,
            );
        }
        Some("doc_upload") => {
            return pypi_error(
                StatusCode::GONE,
                "Uploading documentation is no longer supported, we recommend using https://readthedocs.org/.",
                &headers,
            );
        }
        other => {
            return bad(format!(
                "Unknown :action {}; the upload endpoint accepts file_upload.",
                py_repr(other.unwrap_or(""))
            ));
        }
    }
    if form.get("protocol_version").is_some_and(|v| v != "1") {
        return bad("Unknown protocol version.".into());
    }
    if let Err(message) = check_form(&form) {
        return bad(message);
    }
    let name = form.get("name").unwrap_or_default().to_string();
    let version = form.get("version").unwrap_or_default().to_string();
    let filetype = form.get("filetype").unwrap_or_default().to_string();
    let Some(received) = &form.content else {
        return bad("Upload payload does not have a file.".into());
    };
    // A part without a Content-Type is text/plain by default (RFC 7578), which PyPI accepts
    // (uv sends none); an empty or image type is refused.
    if received
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.trim().is_empty() || ct.trim().starts_with("image/"))
    {
        return bad("Invalid distribution file.".into());
    }
    let filename = received.filename.clone();
    if let Err(message) = check_filename(&filename, &filetype) {
        return bad(message);
    }
    if received.size > max {
        return bad(too_large(&name, max, &base));
    }
    let supplied = [
        form.get("md5_digest").map(|d| (d, &received.digests.md5)),
        form.get("sha256_digest")
            .map(|d| (d, &received.digests.sha256)),
        form.get("blake2_256_digest")
            .map(|d| (d, &received.digests.blake2_256)),
    ];
    if supplied
        .iter()
        .flatten()
        .any(|(given, actual)| !given.trim().eq_ignore_ascii_case(actual))
    {
        return bad(
            "The digest supplied does not match a digest calculated from the uploaded file.".into(),
        );
    }
    if let Err(message) = check_name_version(&filename, &name, &version) {
        return bad(message);
    }
    let exists = file_exists_message(&filename, &received.digests.blake2_256, &base);
    // Clashes with stored files come before the archive checks, as on PyPI.
    let store = state.store.clone();
    let normalized = normalize_name(&name);
    let project = match tokio::task::spawn_blocking(move || store.project(&normalized)).await {
        Ok(Ok(p)) => p,
        _ => return (StatusCode::INTERNAL_SERVER_ERROR, "store unreadable").into_response(),
    };
    // PyPI refuses these bytes under any other filename, in any project.
    let store = state.store.clone();
    let (blake2, own) = (received.digests.blake2_256.clone(), normalize_name(&name));
    let elsewhere = tokio::task::spawn_blocking(move || -> std::io::Result<bool> {
        for other in store.project_names()? {
            if other != own
                && let Some(p) = store.project(&other)?
                && p.files.iter().any(|f| f.record.blake2_256 == blake2)
            {
                return Ok(true);
            }
        }
        Ok(false)
    })
    .await;
    match elsewhere {
        Ok(Ok(true)) => return bad(exists),
        Ok(Ok(false)) => {}
        _ => return (StatusCode::INTERNAL_SERVER_ERROR, "store unreadable").into_response(),
    }
    if let Some(project) = &project {
        if let Some(same) = project.files.iter().find(|f| f.record.filename == filename) {
            if same.record.sha256 == received.digests.sha256
                && same.record.blake2_256 == received.digests.blake2_256
            {
                return (StatusCode::OK, "").into_response();
            }
            return bad(exists);
        }
        if project
            .files
            .iter()
            .any(|f| f.record.blake2_256 == received.digests.blake2_256)
        {
            return bad(exists);
        }
        if filetype == "sdist"
            && project
                .files_of(&version)
                .iter()
                .any(|f| f.record.is_sdist())
        {
            return bad("Only one sdist may be uploaded per release.".into());
        }
        let used: u64 = project.files.iter().map(|f| f.record.size).sum();
        if used.saturating_add(received.size) > state.max_project_size {
            return bad(project_too_large(&name, state.max_project_size, &base));
        }
    } else if received.size > state.max_project_size {
        return bad(project_too_large(&name, state.max_project_size, &base));
    }
    // The same rules as `shipwheel check`, on the file as received.
    let path = received.path.clone();
    // The digests were computed while the body streamed in; hashing the file again is waste.
    let options = CheckOptions {
        digests: false,
        ..state.check.clone()
    };
    let fname = filename.clone();
    let judged = tokio::task::spawn_blocking(move || {
        let report = check_file(&path, &options);
        let metadata = report
            .metadata_bytes
            .clone()
            .or_else(|| inspect::read_metadata(&path, &fname));
        (report, metadata)
    })
    .await;
    let Ok((report, metadata)) = judged else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the check failed").into_response();
    };
    if let Some(finding) = report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
    {
        return bad(finding.message.clone());
    }
    let parsed = metadata
        .as_deref()
        .and_then(|m| shipwheel_dist::RawMetadata::parse(m).ok());
    let requires_python = parsed
        .as_ref()
        .and_then(|m| m.get("Requires-Python"))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let record = FileRecord {
        filename: filename.clone(),
        name: report
            .name
            .clone()
            .or_else(|| {
                parsed
                    .as_ref()
                    .and_then(|m| m.get("Name").map(str::to_string))
            })
            .filter(|n| normalize_name(n) == normalize_name(&name))
            .unwrap_or_else(|| name.clone()),
        version: version.clone(),
        packagetype: if filetype == "sdist" {
            "sdist".into()
        } else {
            "bdist_wheel".into()
        },
        python_version: form
            .get("pyversion")
            .filter(|v| !v.is_empty())
            .unwrap_or(if filetype == "sdist" { "source" } else { "" })
            .to_string(),
        size: received.size,
        sha256: received.digests.sha256.clone(),
        blake2_256: received.digests.blake2_256.clone(),
        md5: received.digests.md5.clone(),
        upload_time: now_rfc3339(),
        requires_python,
        metadata_sha256: metadata.as_deref().map(inspect::sha256_hex),
        yanked: false,
        yanked_reason: None,
    };
    let store = state.store.clone();
    let path = received.path.clone();
    let committed = tokio::task::spawn_blocking(move || {
        store.commit(PendingFile {
            path: &path,
            record,
            metadata,
        })
    })
    .await;
    drop(workdir);
    match committed {
        Ok(Ok(CommitOutcome::Stored | CommitOutcome::Identical)) => {
            tracing::info!("stored {filename}");
            (StatusCode::OK, "").into_response()
        }
        Ok(Ok(CommitOutcome::Exists)) => bad(exists),
        Ok(Ok(CommitOutcome::SdistExists)) => {
            bad("Only one sdist may be uploaded per release.".into())
        }
        Ok(Err(e)) => {
            tracing::error!("cannot store {filename}: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the file could not be stored",
            )
                .into_response()
        }
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the file could not be stored",
        )
            .into_response(),
    }
}

async fn drain(request: Request, cap: u64) {
    use futures_util::StreamExt;
    let mut stream = request.into_body().into_data_stream();
    let mut total = 0u64;
    while let Some(Ok(chunk)) = stream.next().await {
        total += chunk.len() as u64;
        if total > cap {
            break;
        }
    }
}

fn file_exists_message(filename: &str, blake2: &str, base: &str) -> String {
    format!(
        "File already exists ({}, with blake2_256 hash {}). See {base}/help/#file-name-reuse for more information.",
        py_repr(filename),
        py_repr(blake2)
    )
}

pub(crate) fn too_large(name: &str, max: u64, base: &str) -> String {
    format!(
        "File too large. Limit for project {} is {} MB. See {base}/help/#file-size-limit for more information.",
        py_repr(name),
        max / (1024 * 1024)
    )
}

fn project_too_large(name: &str, max: u64, base: &str) -> String {
    format!(
        "Project size too large. Limit for project {} total size is {} GB. See {base}/help/#project-size-limit for more information.",
        py_repr(name),
        max / (1024 * 1024 * 1024)
    )
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000000Z".into())
}

/// `UploadForm` and the metadata fields the form itself must get right.
fn check_form(form: &Form) -> Result<(), String> {
    let name = form.get("name").unwrap_or("");
    if name.is_empty() {
        return Err(format!(
            "'' is an invalid value for Name. Error: This field is required. See {CORE_METADATA_HELP} for more information."
        ));
    }
    if !is_valid_project_name(name) {
        let shown = if name.chars().count() > 60 {
            let head: String = name.chars().take(30).collect();
            let tail: String = name
                .chars()
                .rev()
                .take(30)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("{head}...{tail}")
        } else {
            name.to_string()
        };
        return Err(format!(
            "{} is an invalid value for Name. Error: Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'. See {CORE_METADATA_HELP} for more information.",
            py_repr(&shown)
        ));
    }
    let filetype = form.get("filetype").unwrap_or("");
    if filetype.is_empty() {
        return Err("Invalid value for filetype. Error: This field is required.".into());
    }
    if filetype != "sdist" && filetype != "bdist_wheel" {
        return Err("Invalid value for filetype. Error: Use a known file type.".into());
    }
    let pyversion = form.get("pyversion").unwrap_or("");
    if filetype != "sdist" && pyversion.is_empty() {
        return Err(
            "Invalid value for pyversion. Error: Python version is required for binary distribution uploads."
                .into(),
        );
    }
    if filetype == "sdist" && !pyversion.is_empty() && pyversion != "source" {
        return Err(
            "Invalid value for pyversion. Error: Use 'source' as Python version for an sdist."
                .into(),
        );
    }
    let md5 = form.get("md5_digest").filter(|d| !d.is_empty());
    let sha256 = form.get("sha256_digest").filter(|d| !d.is_empty());
    let blake2 = form.get("blake2_256_digest").filter(|d| !d.is_empty());
    if md5.is_none() && sha256.is_none() && blake2.is_none() {
        return Err("Error: Include at least one message digest.".into());
    }
    if sha256.is_some_and(|d| !is_hex64(d)) {
        return Err(
            "Invalid value for sha256_digest. Error: Use a valid, hex-encoded, SHA256 message digest."
                .into(),
        );
    }
    if blake2.is_some_and(|d| !is_hex64(d)) {
        return Err(
            "Invalid value for blake2_256_digest. Error: Use a valid, hex-encoded, BLAKE2 message digest."
                .into(),
        );
    }
    match form.get("metadata_version") {
        None => {
            return Err(format!(
                "None is not a valid metadata version. See {CORE_METADATA_HELP} for more information."
            ));
        }
        Some(v) if !METADATA_VERSIONS.contains(&v) => {
            return Err(format!(
                "{} is not a valid metadata version. See {CORE_METADATA_HELP} for more information.",
                py_repr(v)
            ));
        }
        Some(_) => {}
    }
    let version = form.get("version").unwrap_or("");
    if version.is_empty() {
        return Err(format!(
            "'version' is a required field. See {CORE_METADATA_HELP} for more information."
        ));
    }
    let Ok(parsed) = version.parse::<Version>() else {
        return Err(format!(
            "{} is invalid for 'version'. See {CORE_METADATA_HELP} for more information.",
            py_repr(version)
        ));
    };
    if parsed.is_local() {
        return Err(format!(
            "The use of local versions in {} is not allowed. See {LOCAL_VERSION_HELP} for more information.",
            py_repr(version)
        ));
    }
    Ok(())
}

/// Filename characters and extension against the filetype (PEP 527 / 715).
fn check_filename(filename: &str, filetype: &str) -> Result<(), String> {
    if filename.chars().any(|c| (c as u32) < 32 || c as u32 == 127) {
        return Err("Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL character (ordinal 127) in the name.".into());
    }
    if filename.contains(['/', '\\']) {
        return Err("Cannot upload a file with '/' or '\\' in the name.".into());
    }
    let Some((_, ext)) = inspect::extension(filename) else {
        return Err(format!(
            "Invalid file extension: Use .tar.gz, .whl or .zip extension. See {PEP_527} and {PEP_715} for more information"
        ));
    };
    let allowed: &[&str] = if filetype == "sdist" {
        &[".zip", ".tar.gz"]
    } else {
        &[".whl"]
    };
    if !allowed.contains(&ext) {
        return Err(format!(
            "Invalid file extension: Extension {ext} is invalid for filetype {filetype}. See {PEP_527} for more information."
        ));
    }
    if !crate::store::is_safe_component(filename) {
        return Err(format!("Invalid source distribution filename: {filename}"));
    }
    Ok(())
}

/// The form's name and version against the filename (Warehouse compares the project it
/// resolved from the form with the filename).
fn check_name_version(filename: &str, name: &str, version: &str) -> Result<(), String> {
    let Some((ext, _)) = inspect::extension(filename) else {
        return Ok(());
    };
    let Some((file_name, file_version)) = inspect::name_version(filename) else {
        return Err(match ext {
            Ext::Wheel => format!(
                "Invalid wheel filename (wrong number of parts): {}",
                py_repr(filename)
            ),
            _ => format!("Invalid source distribution filename: {filename}"),
        });
    };
    let normalized = normalize_name(name);
    if normalize_name(file_name) != normalized {
        return Err(format!(
            "Start filename for {} with {}.",
            py_repr(name),
            py_repr(&normalized.replace('-', "_"))
        ));
    }
    if !shipwheel_dist::pep::same_version(version, file_version) {
        return Err(format!(
            "Version in filename should be {} not {}.",
            py_repr(version),
            py_repr(file_version)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_like_python() {
        assert_eq!(py_repr("foo"), "'foo'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'\""), "'a\\'\"'");
    }

    #[test]
    fn names_and_secrets() {
        assert!(is_valid_project_name("Foo.Bar_baz-1"));
        assert!(!is_valid_project_name("-foo"));
        assert!(!is_valid_project_name("foo bar"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn filename_against_form() {
        assert!(check_name_version("foo_bar-1.0-py3-none-any.whl", "Foo.Bar", "1.0.0").is_ok());
        assert_eq!(
            check_name_version("foo-1.0-py3-none-any.whl", "bar", "1.0").unwrap_err(),
            "Start filename for 'bar' with 'bar'."
        );
        assert_eq!(
            check_name_version("foo-1.0.tar.gz", "foo", "2.0").unwrap_err(),
            "Version in filename should be '2.0' not '1.0'."
        );
        assert!(check_filename("foo-1.0.egg", "bdist_wheel").is_err());
        assert!(check_filename("foo-1.0.whl", "sdist").is_err());
        assert!(check_filename("foo-1.0.tar.gz", "sdist").is_ok());
    }
}

//! Every form-level refusal of the upload endpoint, with PyPI's status code and exact message
//! (read from the JSON error body uv asks for, and from the status line twine reads).

mod common;

use common::{form_fields, raw_status_line};
use shipwheel_serve::{Server, ServerConfig};
use test_support::builder::{SdistBuilder, WheelBuilder};

const CORE_METADATA: &str =
    "See https://packaging.python.org/specifications/core-metadata for more information.";

/// One multipart upload with uv's Accept header; returns (status, JSON `message`).
async fn send(
    url: &str,
    fields: &[(String, String)],
    content: Content<'_>,
    extra_file_field: Option<&str>,
    auth: Option<(&str, &str)>,
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.clone(), v.clone());
    }
    if let Some(field) = extra_file_field {
        let part = reqwest::multipart::Part::bytes(b"1.0".to_vec()).file_name("x.txt");
        form = form.part(field.to_string(), part);
    }
    if let Some((filename, bytes, mime)) = content {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(filename.to_string())
            .mime_str(mime)
            .unwrap();
        form = form.part("content", part);
    }
    let mut req = reqwest::Client::new()
        .post(url)
        .header(
            "Accept",
            "application/json;q=0.9, text/plain;q=0.8, text/html;q=0.7",
        )
        .multipart(form);
    if let Some((user, password)) = auth {
        req = req.basic_auth(user, Some(password));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    (
        status,
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// A multipart `content` part: filename, bytes, content type.
type Content<'a> = Option<(&'a str, &'a [u8], &'a str)>;

/// label, form fields, content, expected status, expected message.
type Case<'a> = (&'a str, Vec<(String, String)>, Content<'a>, u16, String);

fn with(fields: &[(String, String)], key: &str, value: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields.iter().filter(|(k, _)| k != key).cloned().collect();
    if let Some(v) = value {
        out.push((key.to_string(), v.to_string()));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn form_refusals_have_pypi_codes_and_messages() {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let url = server.upload_url();
    let wheel = WheelBuilder::new("pkg", "1.0").build_bytes();
    let name = "pkg-1.0-py3-none-any.whl";
    let fields = form_fields("pkg", "1.0", name, &wheel);
    let file = Some((name, wheel.as_slice(), "application/octet-stream"));
    let long_name = format!("{}!", "a".repeat(70));

    let cases: Vec<Case> = vec![
        (
            "submit action",
            with(&fields, ":action", Some("submit")),
            file,
            410,
            "Project pre-registration is no longer required or supported, upload your files instead.".into(),
        ),
        (
            "doc_upload action",
            with(&fields, ":action", Some("doc_upload")),
            file,
            410,
            "Uploading documentation is no longer supported, we recommend using https://readthedocs.org/.".into(),
        ),
        (
            "name missing",
            with(&fields, "name", None),
            file,
            400,
            format!("'' is an invalid value for Name. Error: This field is required. {CORE_METADATA}"),
        ),
        (
            "name invalid",
            with(&fields, "name", Some("-pkg-")),
            file,
            400,
            format!("'-pkg-' is an invalid value for Name. Error: Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'. {CORE_METADATA}"),
        ),
        (
            "long name shown shortened",
            with(&fields, "name", Some(&long_name)),
            file,
            400,
            format!("'{}...{}!' is an invalid value for Name. Error: Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'. {CORE_METADATA}", "a".repeat(30), "a".repeat(29)),
        ),
        (
            "filetype missing",
            with(&fields, "filetype", None),
            file,
            400,
            "Invalid value for filetype. Error: This field is required.".into(),
        ),
        (
            "filetype unknown",
            with(&fields, "filetype", Some("bdist_egg")),
            file,
            400,
            "Invalid value for filetype. Error: Use a known file type.".into(),
        ),
        (
            "wheel without pyversion",
            with(&fields, "pyversion", None),
            file,
            400,
            "Invalid value for pyversion. Error: Python version is required for binary distribution uploads.".into(),
        ),
        (
            "sha256 not hex",
            with(&fields, "sha256_digest", Some("xyz")),
            file,
            400,
            "Invalid value for sha256_digest. Error: Use a valid, hex-encoded, SHA256 message digest.".into(),
        ),
        (
            "blake2 not hex",
            with(&fields, "blake2_256_digest", Some(&"g".repeat(64))),
            file,
            400,
            "Invalid value for blake2_256_digest. Error: Use a valid, hex-encoded, BLAKE2 message digest.".into(),
        ),
        (
            "blake2 mismatch",
            with(&fields, "blake2_256_digest", Some(&"0".repeat(64))),
            file,
            400,
            "The digest supplied does not match a digest calculated from the uploaded file.".into(),
        ),
        (
            "no file",
            fields.clone(),
            None,
            400,
            "Upload payload does not have a file.".into(),
        ),
        (
            "image content type",
            fields.clone(),
            Some((name, wheel.as_slice(), "image/png")),
            400,
            "Invalid distribution file.".into(),
        ),
        (
            "extension against filetype",
            with(&with(&fields, "filetype", Some("sdist")), "pyversion", Some("source")),
            file,
            400,
            "Invalid file extension: Extension .whl is invalid for filetype sdist. See https://www.python.org/dev/peps/pep-0527 for more information.".into(),
        ),
        (
            "local version",
            with(&fields, "version", Some("1.0+local")),
            file,
            400,
            "The use of local versions in '1.0+local' is not allowed. See https://packaging.python.org/en/latest/specifications/version-specifiers/#local-version-identifiers for more information.".into(),
        ),
    ];
    let mut failures = Vec::new();
    for (label, fields, content, want_status, want_message) in &cases {
        let (status, message) = send(&url, fields, *content, None, None).await;
        if status != *want_status || message != *want_message {
            failures.push(format!(
                "[{label}] got {status} {message:?}\n   want {want_status} {want_message:?}"
            ));
        }
    }
    // An sdist whose pyversion is not `source`.
    let sdist = SdistBuilder::new("pkg", "1.0").build_bytes();
    let sfields = with(
        &form_fields("pkg", "1.0", "pkg-1.0.tar.gz", &sdist),
        "pyversion",
        Some("py3"),
    );
    let (status, message) = send(
        &url,
        &sfields,
        Some(("pkg-1.0.tar.gz", &sdist, "application/octet-stream")),
        None,
        None,
    )
    .await;
    if (status, message.as_str())
        != (
            400,
            "Invalid value for pyversion. Error: Use 'source' as Python version for an sdist.",
        )
    {
        failures.push(format!("[sdist pyversion] got {status} {message:?}"));
    }
    // A text field sent as a file part.
    let (status, message) = send(
        &url,
        &with(&fields, "version", None),
        file,
        Some("version"),
        None,
    )
    .await;
    if (status, message.as_str()) != (400, "version: Should not be a tuple.") {
        failures.push(format!("[tuple field] got {status} {message:?}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing refused was stored.
    assert!(!root.path().join("pkg").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_refusals_and_the_trailing_slash_rule() {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path()).token("pypi-right")).unwrap();
    let wheel = WheelBuilder::new("pkg", "1.0").build_bytes();
    let name = "pkg-1.0-py3-none-any.whl";
    let fields = form_fields("pkg", "1.0", name, &wheel);
    let file = Some((name, wheel.as_slice(), "application/octet-stream"));
    let invalid = format!(
        "Invalid or non-existent authentication information. See {}/help/#invalid-auth for more information.",
        server.url()
    );
    let (status, message) = send(
        &server.upload_url(),
        &fields,
        file,
        None,
        Some(("__token__", "pypi-wrong")),
    )
    .await;
    assert_eq!((status, message.as_str()), (403, invalid.as_str()));
    assert!(!message.contains("pypi-right") && !message.contains("pypi-wrong"));
    let (status, message) = send(
        &server.upload_url(),
        &fields,
        file,
        None,
        Some(("alice", "pypi-right")),
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        message.starts_with("Username/Password authentication is no longer supported. Migrate to API Tokens or Trusted Publishers instead."),
        "{message}"
    );
    let (status, _) = send(
        &server.upload_url(),
        &fields,
        file,
        None,
        Some(("__token__", "pypi-right")),
    )
    .await;
    assert_eq!(status, 200);

    // POST /legacy (no slash): 308 with PyPI's text in the status line.
    let line = raw_status_line(
        server.addr(),
        format!(
            "POST /legacy HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            server.addr()
        )
        .as_bytes(),
    );
    assert_eq!(
        line,
        "HTTP/1.1 308 An upload was attempted to /legacy but the expected upload URL is /legacy/ (with a trailing slash)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn project_size_limit_counts_every_stored_file() {
    let root = tempfile::tempdir().unwrap();
    let first = WheelBuilder::new("quota", "1.0")
        .file("quota/a.bin", vec![1u8; 4096])
        .stored()
        .build_bytes();
    let second = WheelBuilder::new("quota", "1.1")
        .file("quota/b.bin", vec![2u8; 4096])
        .stored()
        .build_bytes();
    let mut config = ServerConfig::new(root.path());
    // Room for the first file, not for both.
    config.max_project_size = first.len() as u64 + second.len() as u64 - 1;
    let server = Server::start(config).unwrap();
    let n1 = "quota-1.0-py3-none-any.whl";
    let (status, message) = send(
        &server.upload_url(),
        &form_fields("quota", "1.0", n1, &first),
        Some((n1, &first, "application/octet-stream")),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{message}");
    let n2 = "quota-1.1-py3-none-any.whl";
    let (status, message) = send(
        &server.upload_url(),
        &form_fields("quota", "1.1", n2, &second),
        Some((n2, &second, "application/octet-stream")),
        None,
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        message,
        format!(
            "Project size too large. Limit for project 'quota' total size is 0 GB. See {}/help/#project-size-limit for more information.",
            server.url()
        )
    );
    // Another project is not affected by this one's size.
    let other = WheelBuilder::new("other", "1.0").build_bytes();
    let n3 = "other-1.0-py3-none-any.whl";
    let (status, message) = send(
        &server.upload_url(),
        &form_fields("other", "1.0", n3, &other),
        Some((n3, &other, "application/octet-stream")),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_that_normalizes_to_nothing_is_not_found() {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // (A client resolves `..` itself, so these are the names that reach the server.)
    for path in ["/simple/_-_/", "/simple/-.-", "/simple/___/"] {
        let r = client
            .get(format!("{}{path}", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
}

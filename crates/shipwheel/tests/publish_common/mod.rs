//! Shared by the publish tests: a scriptable fake index (axum, in-process) with fake trusted-
//! publishing endpoints and a fake GitHub OIDC endpoint, a TCP proxy that breaks connections,
//! and helpers to run the binary with a clean environment.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt as _;
use axum::extract::{Multipart, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sha2::{Digest, Sha256};
use test_support::builder::{SdistBuilder, WheelBuilder};

/// What the fake index does with one upload of a file.
#[derive(Clone, Debug)]
pub enum Action {
    /// Store it (PyPI rules: identical bytes → 200 without storing again; other bytes → 400).
    Accept,
    /// Answer this status without storing.
    Status(u16),
    /// Store it, then answer this status (the "503 after success" case).
    StoreThen(u16),
    /// Sleep, then answer 503 without storing (the client should time out first).
    Stall(Duration),
    /// Store it, then sleep before answering.
    StoreThenStall(Duration),
    /// 429 with `Retry-After: <secs>`.
    TooMany(u64),
}

#[derive(Clone, Debug)]
pub struct Post {
    pub fields: Vec<(String, String)>,
    pub filename: String,
    pub sha256: String,
    pub authorization: Option<String>,
}

#[derive(Default)]
pub struct IndexState {
    /// filename → (project, sha256)
    pub files: BTreeMap<String, (String, String)>,
    /// How many times each filename was stored.
    pub stores: BTreeMap<String, u32>,
    pub posts: Vec<Post>,
    /// Per filename, consumed one per POST; empty means Accept.
    pub script: HashMap<String, VecDeque<Action>>,
    /// When set, uploads need exactly one of these Authorization headers (else 403).
    pub accepted_auth: Option<HashSet<String>>,
    // trusted publishing
    pub audience_enabled: bool,
    pub refuse_mint: bool,
    pub token_lifetime: u64,
    pub github_requests: u32,
    pub mints: u32,
    pub used_jti: HashSet<String>,
}

pub struct FakeIndex {
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    pub upload_url: String,
    pub simple_url: String,
    /// For ACTIONS_ID_TOKEN_REQUEST_URL.
    pub github_token_url: String,
    pub state: Arc<Mutex<IndexState>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for FakeIndex {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

type Shared = Arc<Mutex<IndexState>>;

impl FakeIndex {
    pub fn start() -> FakeIndex {
        let state: Shared = Arc::new(Mutex::new(IndexState {
            audience_enabled: true,
            token_lifetime: 900,
            ..IndexState::default()
        }));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let app = Router::new()
            .route("/legacy/", post(upload))
            .route("/simple/", get(|| async { "<html><body></body></html>" }))
            .route("/simple/{project}/", get(simple_page))
            .route("/_/oidc/audience", get(audience))
            .route("/_/oidc/mint-token", post(mint))
            .route("/github/token", get(github_token))
            .layer(axum::extract::DefaultBodyLimit::max(512 * 1024 * 1024))
            .with_state(state.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let url = format!("http://127.0.0.1:{port}/");
        FakeIndex {
            upload_url: format!("{url}legacy/"),
            simple_url: format!("{url}simple/"),
            github_token_url: format!("{url}github/token?api-version=2.0"),
            url,
            state,
            runtime: Some(runtime),
        }
    }

    pub fn script(&self, filename: &str, actions: Vec<Action>) {
        self.state
            .lock()
            .unwrap()
            .script
            .insert(filename.to_string(), actions.into());
    }

    pub fn stores(&self, filename: &str) -> u32 {
        self.state
            .lock()
            .unwrap()
            .stores
            .get(filename)
            .copied()
            .unwrap_or(0)
    }

    pub fn posts_for(&self, filename: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .posts
            .iter()
            .filter(|p| p.filename == filename)
            .count()
    }

    pub fn posts(&self) -> Vec<Post> {
        self.state.lock().unwrap().posts.clone()
    }

    /// Require Basic auth with this user and password for uploads.
    pub fn require_basic(&self, user: &str, password: &str) {
        let header = test_support::servers::basic(user, password);
        self.state.lock().unwrap().accepted_auth = Some(HashSet::from([header]));
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().unwrap()
    }
}

fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

async fn upload(State(state): State<Shared>, headers: HeaderMap, mut form: Multipart) -> Response {
    let mut fields = Vec::new();
    let mut filename = String::new();
    let mut sha = String::new();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                if name == "content" {
                    filename = field.file_name().unwrap_or("").to_string();
                    match field.bytes().await {
                        Ok(b) => sha = hex::encode(Sha256::digest(&b)),
                        Err(_) => {
                            return (StatusCode::BAD_REQUEST, "truncated body").into_response();
                        }
                    }
                } else {
                    match field.text().await {
                        Ok(t) => fields.push((name, t)),
                        Err(_) => {
                            return (StatusCode::BAD_REQUEST, "truncated body").into_response();
                        }
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return (StatusCode::BAD_REQUEST, "malformed multipart").into_response(),
        }
    }
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let project = fields
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| normalize(v))
        .unwrap_or_default();
    let action = {
        let mut s = state.lock().unwrap();
        s.posts.push(Post {
            fields: fields.clone(),
            filename: filename.clone(),
            sha256: sha.clone(),
            authorization: authorization.clone(),
        });
        if let Some(accepted) = &s.accepted_auth
            && !authorization.as_ref().is_some_and(|a| accepted.contains(a))
        {
            return (
                StatusCode::FORBIDDEN,
                "Invalid or non-existent authentication information.",
            )
                .into_response();
        }
        s.script
            .get_mut(&filename)
            .and_then(|q| q.pop_front())
            .unwrap_or(Action::Accept)
    };
    let store = |state: &Shared| -> Option<Response> {
        let mut s = state.lock().unwrap();
        match s.files.get(&filename) {
            Some((_, existing)) if *existing == sha => None,
            Some(_) => Some(
                (
                    StatusCode::BAD_REQUEST,
                    format!("File already exists ('{filename}', with blake2_256 hash 'x')."),
                )
                    .into_response(),
            ),
            None => {
                s.files
                    .insert(filename.clone(), (project.clone(), sha.clone()));
                *s.stores.entry(filename.clone()).or_insert(0) += 1;
                None
            }
        }
    };
    match action {
        Action::Accept => store(&state).unwrap_or_else(|| "OK".into_response()),
        Action::Status(code) => status(code),
        Action::StoreThen(code) => {
            let _ = store(&state);
            status(code)
        }
        Action::Stall(d) => {
            tokio::time::sleep(d).await;
            status(503)
        }
        Action::StoreThenStall(d) => {
            let _ = store(&state);
            tokio::time::sleep(d).await;
            "OK".into_response()
        }
        Action::TooMany(secs) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", secs.to_string())],
            "slow down",
        )
            .into_response(),
    }
}

fn status(code: u16) -> Response {
    let code = StatusCode::from_u16(code).unwrap();
    (code, format!("fake index says {}", code.as_u16())).into_response()
}

async fn simple_page(State(state): State<Shared>, UrlPath(project): UrlPath<String>) -> Response {
    let s = state.lock().unwrap();
    let files: Vec<serde_json::Value> = s
        .files
        .iter()
        .filter(|(_, (p, _))| *p == normalize(&project))
        .map(|(name, (_, sha))| {
            serde_json::json!({
                "filename": name,
                "url": format!("../../files/{name}"),
                "hashes": {"sha256": sha},
            })
        })
        .collect();
    if files.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [("content-type", "application/vnd.pypi.simple.v1+json")],
        serde_json::json!({"meta": {"api-version": "1.1"}, "name": project, "files": files})
            .to_string(),
    )
        .into_response()
}

async fn audience(State(state): State<Shared>) -> Response {
    if state.lock().unwrap().audience_enabled {
        Json(serde_json::json!({"audience": "fakepypi"})).into_response()
    } else {
        (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"message": "Trusted publishing functionality not enabled"})),
        )
            .into_response()
    }
}

pub const GITHUB_REQUEST_TOKEN: &str = "SENTINEL-gh-request-token";

async fn github_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth != format!("bearer {GITHUB_REQUEST_TOKEN}") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let n = {
        let mut s = state.lock().unwrap();
        s.github_requests += 1;
        s.github_requests
    };
    let claims = serde_json::json!({
        "aud": q.get("audience").cloned().unwrap_or_default(),
        "jti": format!("jti-{n}"),
        "sub": "repo:octo/demo:environment:release",
        "repository": "octo/demo",
        "repository_owner": "octo",
        "workflow_ref": "octo/demo/.github/workflows/release.yml@refs/tags/v1.0",
        "job_workflow_ref": "octo/demo/.github/workflows/release.yml@refs/tags/v1.0",
        "ref": "refs/tags/v1.0",
        "environment": "release",
    });
    use base64::Engine as _;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwt = format!(
        "{}.{}.SENTINELsignature",
        e.encode(r#"{"alg":"RS256"}"#),
        e.encode(claims.to_string())
    );
    Json(serde_json::json!({"value": jwt})).into_response()
}

async fn mint(State(state): State<Shared>, Json(body): Json<serde_json::Value>) -> Response {
    let jwt = body
        .get("token")
        .and_then(|t| t.as_str())
        .unwrap_or("")
        .to_string();
    let mut s = state.lock().unwrap();
    let refuse = |code: &str, desc: &str| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({
                "message": "Token request failed",
                "errors": [{"code": code, "description": desc}],
            })),
        )
            .into_response()
    };
    if s.refuse_mint {
        return refuse(
            "invalid-publisher",
            "valid token, but no corresponding publisher (Publisher with matching claims was not found)",
        );
    }
    let claims = jwt.split('.').nth(1).unwrap_or("").to_string();
    if !s.used_jti.insert(claims) {
        return refuse("invalid-reuse-token", "invalid token: already used");
    }
    s.mints += 1;
    let token = format!("pypi-minted-{}", s.mints);
    let header = test_support::servers::basic("__token__", &token);
    s.accepted_auth
        .get_or_insert_with(HashSet::new)
        .insert(header);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Json(serde_json::json!({"success": true, "token": token, "expires": now + s.token_lifetime}))
        .into_response()
}

/// How the proxy breaks the first `count` connections.
#[derive(Clone, Copy, Debug)]
pub enum Break {
    /// Forward this many request bytes, then close both sides.
    ResetRequestAfter(usize),
    /// Forward the whole request, then close instead of relaying the response.
    DropResponse,
}

/// A loopback TCP proxy to `upstream` that breaks its first `count` connections.
pub struct Proxy {
    pub url: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Proxy {
    pub fn start(upstream_port: u16, mode: Break, count: usize) -> Proxy {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(0usize));
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let n = {
                    let mut s = seen.lock().unwrap();
                    *s += 1;
                    *s
                };
                let broken = n <= count;
                tokio::spawn(async move {
                    let Ok(upstream) =
                        tokio::net::TcpStream::connect(("127.0.0.1", upstream_port)).await
                    else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut ur, mut uw) = upstream.into_split();
                    let to_upstream = async {
                        let mut buf = vec![0u8; 16 * 1024];
                        let mut total = 0usize;
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if broken && let Break::ResetRequestAfter(limit) = mode {
                                let room = limit.saturating_sub(total);
                                let _ = uw.write_all(&buf[..n.min(room)]).await;
                                total += n;
                                if total >= limit {
                                    return;
                                }
                                continue;
                            }
                            if uw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    let to_client = async {
                        let mut buf = vec![0u8; 16 * 1024];
                        loop {
                            let n = match ur.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if broken && matches!(mode, Break::DropResponse) {
                                return;
                            }
                            if cw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    // Whichever side ends first closes the connection (dropping both halves).
                    tokio::select! {
                        _ = to_upstream => {},
                        _ = to_client => {},
                    }
                });
            }
        });
        Proxy {
            url: format!("http://127.0.0.1:{port}/"),
            runtime: Some(runtime),
        }
    }
}

/// shipwheel with a clean environment: no ambient credentials, no ~/.pypirc, not on Actions,
/// short retry delays.
pub fn shipwheel(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("shipwheel").unwrap();
    for (k, _) in std::env::vars() {
        if k.starts_with("TWINE_")
            || k.starts_with("UV_")
            || k.starts_with("GITHUB_")
            || k.starts_with("ACTIONS_")
            || k == "CI"
        {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("NO_COLOR", "1")
        .env("SHIPWHEEL_RETRY_BASE_MS", "10");
    cmd
}

pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// A small valid wheel.
pub fn wheel(dir: &Path, name: &str, version: &str) -> PathBuf {
    WheelBuilder::new(name, version).write_to(dir)
}

pub fn sdist(dir: &Path, name: &str, version: &str) -> PathBuf {
    SdistBuilder::new(name, version).write_to(dir)
}

pub fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// How [`EchoServer`] answers.
#[derive(Clone, Copy, Debug)]
pub enum Echo {
    /// This status with what the client sent in the reason phrase.
    InReason(u16),
    /// This status with its standard reason and what the client sent in the body.
    InBody(u16),
}

/// A server (or a proxy in front of one) that echoes each request's `Authorization` header,
/// the credentials decoded from it, their percent-encoded form and a URL with them as
/// userinfo, in its status line or body. Every request is answered the same way, except reads
/// (GET), which get a 403 with the echo in the reason phrase.
pub struct EchoServer {
    pub url: String,
    pub requests: Arc<Mutex<u32>>,
}

/// Percent-encode every byte but ASCII letters and digits.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl EchoServer {
    pub fn start(mode: Echo) -> EchoServer {
        use std::io::{BufRead as _, BufReader, Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/",
            listener.local_addr().unwrap().port()
        );
        let requests = Arc::new(Mutex::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut writer = stream;
                    loop {
                        let mut method = String::new();
                        let mut auth = String::new();
                        let mut length = 0usize;
                        let mut first = true;
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            let line = line.trim_end();
                            if line.is_empty() {
                                break;
                            }
                            if first {
                                method = line.split(' ').next().unwrap_or("").to_string();
                                first = false;
                            } else if let Some((k, v)) = line.split_once(':') {
                                match k.trim().to_ascii_lowercase().as_str() {
                                    "authorization" => auth = v.trim().to_string(),
                                    "content-length" => length = v.trim().parse().unwrap_or(0),
                                    _ => {}
                                }
                            }
                        }
                        let mut body = vec![0u8; length];
                        if reader.read_exact(&mut body).is_err() {
                            return;
                        }
                        *counter.lock().unwrap() += 1;
                        use base64::Engine as _;
                        let decoded = auth
                            .strip_prefix("Basic ")
                            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                            .unwrap_or_default();
                        let (user, password) = decoded.split_once(':').unwrap_or(("", ""));
                        let echo = format!(
                            "you sent [{auth}] = [{decoded}] pct [{}] url [http://{}:{}@127.0.0.1/simple/]",
                            percent_encode(password),
                            percent_encode(user),
                            percent_encode(password)
                        );
                        let (status, reason, text) = match (method.as_str(), mode) {
                            ("GET", _) => (403, format!("Denied {echo}"), String::new()),
                            (_, Echo::InReason(s)) => (s, format!("Denied {echo}"), String::new()),
                            (_, Echo::InBody(s)) => (
                                s,
                                axum::http::StatusCode::from_u16(s)
                                    .unwrap()
                                    .canonical_reason()
                                    .unwrap_or("")
                                    .to_string(),
                                format!("{{\"message\": {}}}", serde_json::json!(echo)),
                            ),
                        };
                        let reply = format!(
                            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
                            text.len()
                        );
                        if writer.write_all(reply.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        EchoServer { url, requests }
    }

    pub fn requests(&self) -> u32 {
        *self.requests.lock().unwrap()
    }
}

/// Every form `password` (sent as `user`) can travel in: raw, percent-encoded, and the
/// Basic-auth base64 of `user:password` (standard and URL-safe, padded or not).
pub fn secret_forms(user: &str, password: &str) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let pair = format!("{user}:{password}");
    vec![
        password.to_string(),
        percent_encode(password),
        STANDARD.encode(&pair),
        STANDARD_NO_PAD.encode(&pair),
        URL_SAFE_NO_PAD.encode(&pair),
        STANDARD.encode(password),
    ]
}

/// Fails when any of `forms` appears in `haystack`.
pub fn assert_no_form(haystack: &str, forms: &[String], context: &str) {
    for f in forms {
        assert!(
            !haystack.contains(f.as_str()),
            "a form of the secret ({f}) leaked in {context}:\n{haystack}"
        );
    }
}

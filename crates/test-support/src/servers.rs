//! Real index servers from the peers venv (pypiserver, devpi-server), started on free loopback
//! ports in private temporary directories and stopped (the whole process group) on drop.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_port, peer_bin};

/// A child process in its own process group, killed with the group on drop.
struct Guard {
    child: Child,
}

impl Guard {
    /// Spawn with stdout and stderr appended to `log`.
    fn spawn(mut cmd: Command, log: &Path) -> std::io::Result<Guard> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let err = out.try_clone()?;
        cmd.process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        Ok(Guard {
            child: cmd.spawn()?,
        })
    }

    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    fn stop(&mut self) {
        if self.exited() {
            return;
        }
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.exited() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Minimal HTTP/1.1 request over loopback (no client crate here). Returns status and body.
pub fn http_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::other("only http:// URLs"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP header end"))?;
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no HTTP status"))?;
    let mut body = raw[head_end + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_hex, 16) else {
            break;
        };
        data = &data[line_end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
    out
}

/// Wait until `url` answers 200, the process dies, or `limit` passes.
fn wait_ready(guard: &mut Guard, url: &str, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    loop {
        if guard.exited() {
            return Err("the server process exited".into());
        }
        if let Ok((200, _)) = http_request("GET", url, &[], b"") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{url} did not answer 200 within {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// How to start pypiserver.
#[derive(Clone, Debug)]
pub struct PypiserverOptions {
    /// Protect uploads with a password (`-a update -P htpasswd`); off means anyone may upload.
    pub auth: bool,
    /// `--overwrite`: allow re-uploads of an existing filename.
    pub overwrite: bool,
    /// With `auth`, reads need the password too (`-a list,download,update`).
    pub protect_reads: bool,
    pub user: String,
    pub password: String,
}

impl Default for PypiserverOptions {
    fn default() -> Self {
        PypiserverOptions {
            auth: true,
            overwrite: false,
            protect_reads: false,
            user: "uploader".into(),
            password: "s3cret".into(),
        }
    }
}

/// A running pypiserver 2.4 (PEP 503 HTML only; uploads with `POST /`).
pub struct Pypiserver {
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    /// The legacy upload URL (the root).
    pub upload_url: String,
    /// The simple index (`…/simple/`).
    pub index_url: String,
    pub user: String,
    pub password: String,
    /// Where uploaded files land.
    pub packages_dir: PathBuf,
    pub port: u16,
    guard: Guard,
    _dir: tempfile::TempDir,
}

impl Pypiserver {
    /// Start pypiserver; panics (with its log) when it cannot come up after a few ports.
    pub fn start(opts: PypiserverOptions) -> Pypiserver {
        let dir = tempfile::Builder::new()
            .prefix("shipwheel-pypiserver-")
            .tempdir()
            .expect("temp dir");
        let packages_dir = dir.path().join("packages");
        std::fs::create_dir_all(&packages_dir).expect("packages dir");
        let htpasswd = dir.path().join("htpasswd");
        if opts.auth {
            let status = Command::new(peer_bin("python"))
                .args([
                    "-c",
                    "import sys\nfrom passlib.apache import HtpasswdFile as H\n\
                     h = H(sys.argv[1], new=True, default_scheme='apr_md5_crypt')\n\
                     h.set_password(sys.argv[2], sys.argv[3])\nh.save()",
                ])
                .arg(&htpasswd)
                .arg(&opts.user)
                .arg(&opts.password)
                .status()
                .expect("run the peers python");
            assert!(status.success(), "writing htpasswd failed");
        }
        let log = dir.path().join("server.log");
        let mut last_err = String::new();
        for _ in 0..5 {
            let port = free_port();
            let mut cmd = Command::new(peer_bin("pypi-server"));
            cmd.args(["run", "--host", "127.0.0.1", "--port", &port.to_string()]);
            if opts.auth {
                let actions = if opts.protect_reads {
                    "list,download,update"
                } else {
                    "update"
                };
                cmd.args(["--authenticate", actions, "--passwords"])
                    .arg(&htpasswd);
            } else {
                cmd.args(["--authenticate", ".", "--passwords", "."]);
            }
            cmd.arg("--disable-fallback");
            if opts.overwrite {
                cmd.arg("--overwrite");
            }
            cmd.arg("--log-file").arg(&log).arg(&packages_dir);
            let mut guard =
                Guard::spawn(cmd, &dir.path().join("stdout.log")).expect("spawn pypi-server");
            let url = format!("http://127.0.0.1:{port}/");
            match wait_ready(&mut guard, &format!("{url}health"), Duration::from_secs(30)) {
                Ok(()) => {
                    return Pypiserver {
                        upload_url: url.clone(),
                        index_url: format!("{url}simple/"),
                        url,
                        user: opts.user,
                        password: opts.password,
                        packages_dir,
                        port,
                        guard,
                        _dir: dir,
                    };
                }
                Err(e) => {
                    last_err = format!(
                        "{e}\n{}\n{}",
                        tail(&log),
                        tail(&dir.path().join("stdout.log"))
                    )
                }
            }
        }
        panic!("pypiserver did not start: {last_err}");
    }

    /// Filenames in the packages directory, sorted.
    pub fn stored_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.packages_dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Stop the server now (it is also stopped on drop).
    pub fn stop(&mut self) {
        self.guard.stop();
    }

    /// The server's process id (the Python process itself), e.g. to read its CPU time.
    pub fn pid(&self) -> u32 {
        self.guard.child.id()
    }
}

/// A running devpi-server 6 with user `uploader` and a non-volatile index `uploader/stable`
/// (plus a volatile `uploader/dev`). It serves PEP 691 JSON.
pub struct Devpi {
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    /// Upload URL of the non-volatile index (`…/uploader/stable/`).
    pub upload_url: String,
    /// Its simple index (`…/uploader/stable/+simple/`).
    pub index_url: String,
    pub volatile_upload_url: String,
    pub volatile_index_url: String,
    pub user: String,
    pub password: String,
    /// A login token; as the Basic-auth password it skips devpi's slow password hashing.
    pub token: String,
    pub port: u16,
    guard: Guard,
    _dir: tempfile::TempDir,
}

impl Devpi {
    /// Start devpi-server; panics (with its log) when it cannot come up.
    pub fn start() -> Devpi {
        let user = "uploader".to_string();
        let password = "s3cret".to_string();
        let dir = tempfile::Builder::new()
            .prefix("shipwheel-devpi-")
            .tempdir()
            .expect("temp dir");
        let serverdir = dir.path().join("server");
        let out = Command::new(peer_bin("devpi-init"))
            .arg("--serverdir")
            .arg(&serverdir)
            .args(["--no-root-pypi", "--root-passwd", "root-pw"])
            .output()
            .expect("run devpi-init");
        assert!(
            out.status.success(),
            "devpi-init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let secret = dir.path().join("secret");
        let out = Command::new(peer_bin("devpi-gen-secret"))
            .arg("--secretfile")
            .arg(&secret)
            .output()
            .expect("run devpi-gen-secret");
        assert!(out.status.success(), "devpi-gen-secret failed");
        let log = dir.path().join("server.log");
        let mut last_err = String::new();
        for _ in 0..5 {
            let port = free_port();
            let mut cmd = Command::new(peer_bin("devpi-server"));
            cmd.arg("--serverdir")
                .arg(&serverdir)
                .arg("--secretfile")
                .arg(&secret)
                // Hidden options devpi's own tests use: start in ~0.4 s instead of ~4.5 s.
                .args([
                    "--argon2-memory-cost",
                    "8",
                    "--argon2-time-cost",
                    "1",
                    "--argon2-parallelism",
                    "1",
                ])
                .args(["--host", "127.0.0.1", "--port", &port.to_string()]);
            let mut guard = Guard::spawn(cmd, &log).expect("spawn devpi-server");
            let url = format!("http://127.0.0.1:{port}/");
            if let Err(e) = wait_ready(&mut guard, &format!("{url}+api"), Duration::from_secs(60)) {
                last_err = format!("{e}\n{}", tail(&log));
                continue;
            }
            let json = [("Content-Type", "application/json")];
            let body = format!(r#"{{"password":"{password}","email":"{user}@example.invalid"}}"#);
            let (code, _) = http_request("PUT", &format!("{url}{user}"), &json, body.as_bytes())
                .expect("create devpi user");
            assert!(
                matches!(code, 201 | 409),
                "creating the devpi user gave {code}"
            );
            let auth = basic(&user, &password);
            let headers = [
                ("Content-Type", "application/json"),
                ("Authorization", auth.as_str()),
            ];
            for (index, volatile) in [("stable", false), ("dev", true)] {
                let body = format!(r#"{{"type":"stage","bases":[],"volatile":{volatile}}}"#);
                let (code, _) = http_request(
                    "PUT",
                    &format!("{url}{user}/{index}"),
                    &headers,
                    body.as_bytes(),
                )
                .expect("create devpi index");
                assert!(
                    matches!(code, 200 | 201 | 409),
                    "creating devpi index {index} gave {code}"
                );
            }
            let body = format!(r#"{{"user":"{user}","password":"{password}"}}"#);
            let (code, reply) =
                http_request("POST", &format!("{url}+login"), &json, body.as_bytes())
                    .expect("devpi login");
            assert_eq!(code, 200, "devpi login failed");
            let token = extract_login_token(&String::from_utf8_lossy(&reply))
                .expect("a token in devpi's login reply");
            return Devpi {
                upload_url: format!("{url}{user}/stable/"),
                index_url: format!("{url}{user}/stable/+simple/"),
                volatile_upload_url: format!("{url}{user}/dev/"),
                volatile_index_url: format!("{url}{user}/dev/+simple/"),
                url,
                user,
                password,
                token,
                port,
                guard,
                _dir: dir,
            };
        }
        panic!("devpi-server did not start: {last_err}");
    }

    /// Stop the server now (it is also stopped on drop).
    pub fn stop(&mut self) {
        self.guard.stop();
    }
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// devpi answers `{"result": {"password": "<token>", …}, …}`.
fn extract_login_token(reply: &str) -> Option<String> {
    let at = reply.find("\"password\"")?;
    let rest = &reply[at + "\"password\"".len()..];
    let open = rest.find('"')?;
    let mut out = String::new();
    let mut chars = rest[open + 1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            _ => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_devpi_token() {
        let reply =
            r#"{"result": {"password": "[\"uploader\", [], true].aw.MN", "expiration": 36000}}"#;
        assert_eq!(
            extract_login_token(reply).as_deref(),
            Some(r#"["uploader", [], true].aw.MN"#)
        );
    }

    #[test]
    fn dechunks() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), b"abcde");
    }
}

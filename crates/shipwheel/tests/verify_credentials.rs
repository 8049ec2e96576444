//! `shipwheel verify` against an index that needs credentials to read (pypiserver with
//! `-a list,download,update`): the install passes with both installers, and the credentials
//! never appear in any process's arguments (what `ps` shows) nor in any output.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use test_support::builder::WheelBuilder;
use test_support::peer_bin;
use test_support::servers::{Pypiserver, PypiserverOptions};

const USER: &str = "reader";
/// Characters a URL's userinfo must percent-encode.
const PASSWORD: &str = "SENTINEL-vfy+p@ss/w:rd";

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The forms the password can travel in: raw, percent-encoded, Basic-auth base64.
fn forms() -> Vec<String> {
    use base64::Engine as _;
    let e = base64::engine::general_purpose::STANDARD;
    vec![
        PASSWORD.to_string(),
        percent_encode(PASSWORD),
        e.encode(format!("{USER}:{PASSWORD}")),
        "SENTINEL".to_string(),
    ]
}

/// Every command line seen while it runs: all processes' `/proc/PID/cmdline`, polled.
struct ArgvWatch {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ArgvWatch {
    fn start() -> ArgvWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, v) = (stop.clone(), seen.clone());
        let thread = std::thread::spawn(move || {
            let mut known = std::collections::HashSet::new();
            while !s.load(Ordering::Relaxed) {
                for entry in std::fs::read_dir("/proc").unwrap().flatten() {
                    let name = entry.file_name();
                    if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
                        continue;
                    }
                    let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
                        continue;
                    };
                    let line = String::from_utf8_lossy(&raw).replace('\0', " ");
                    if known.insert(line.clone()) {
                        v.lock().unwrap().push(line);
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        });
        ArgvWatch {
            stop,
            seen,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.seen.lock().unwrap().clone()
    }
}

fn verify(index_url: &str, installer: &str, uv: &Path) -> std::process::Output {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("shipwheel"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PIP_") || k.starts_with("UV_") {
            cmd.env_remove(k);
        }
    }
    // The URL with its password goes in through the environment, as a workflow would pass it.
    cmd.env("SHIPWHEEL_VERIFY_INDEX_URL", index_url)
        .env("SHIPWHEEL_UV", uv)
        .env("NO_COLOR", "1")
        .args(["-vv", "verify", "--timeout", "20", "--installer", installer])
        .arg("--python")
        .arg(peer_bin("python"))
        .arg("guarded-pkg==1.0")
        .output()
        .unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_credentialed_index_installs_with_the_password_in_no_argv_and_no_output() {
    let pypi = Pypiserver::start(PypiserverOptions {
        auth: true,
        protect_reads: true,
        user: USER.into(),
        password: PASSWORD.into(),
        ..PypiserverOptions::default()
    });
    let dist = tempfile::tempdir().unwrap();
    let wheel = WheelBuilder::new("guarded-pkg", "1.0").write_to(dist.path());
    test_support::uv_publish_ok(&pypi.upload_url, USER, PASSWORD, &[&wheel]);

    // uv through a wrapper that records its exact arguments.
    let tools = tempfile::tempdir().unwrap();
    let argv_log = tools.path().join("uv-argv.log");
    let wrapper = tools.path().join("uv");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            argv_log.display(),
            peer_bin("uv").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();

    let base = pypi.index_url.trim_start_matches("http://");
    let with_password = format!("http://{USER}:{}@{base}", percent_encode(PASSWORD));

    // Reads really need the password: without it the index refuses.
    let out = verify(&pypi.index_url, "pip", &wrapper);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    for installer in ["uv", "pip"] {
        let watch = ArgvWatch::start();
        let out = verify(&with_password, installer, &wrapper);
        let argvs = watch.finish();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(0), "{installer}: {all}");
        assert!(
            all.contains("verified: guarded-pkg 1.0 installs and imports"),
            "{installer}: {all}"
        );
        for form in forms() {
            assert!(
                !all.contains(&form),
                "{installer}: {form} in the output:\n{all}"
            );
            for argv in &argvs {
                assert!(
                    !argv.contains(&form),
                    "{installer}: {form} in a command line: {argv}"
                );
            }
        }
        // The watch did see the installer run (so its silence means something).
        assert!(
            argvs
                .iter()
                .any(|a| a.contains("pip install") && a.contains("--require-hashes")),
            "{installer}: no installer command line seen: {argvs:#?}"
        );
    }
    let uv_argv = std::fs::read_to_string(&argv_log).unwrap();
    assert!(uv_argv.contains("pip install"), "{uv_argv}");
    for form in forms() {
        assert!(
            !uv_argv.contains(&form),
            "{form} in uv's arguments:\n{uv_argv}"
        );
    }
}

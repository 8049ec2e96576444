//! The password prompt on a real pseudo-terminal (util-linux `script`): it reads without echo,
//! and Ctrl-C at the prompt leaves the terminal as it was (echo, canonical mode, signals on).

mod publish_common;

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use publish_common::*;

/// Runs `shipwheel publish ARGS` on a terminal, then `stty -a` on the same terminal. Types
/// `keys` once the prompt shows. Returns what the terminal showed.
fn at_the_prompt(args: &[&str], keys: &[u8]) -> String {
    assert!(
        Command::new("script").arg("--version").output().is_ok(),
        "`script` (util-linux) is needed to run shipwheel on a terminal"
    );
    let home = tempfile::tempdir().unwrap();
    let cmd = shipwheel(home.path());
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    // The shell survives the Ctrl-C (a handler, which children do not inherit) to report the
    // terminal's state afterwards.
    let line = format!(
        "trap : INT; '{}' publish {}; echo \"exit=$?\"; stty -a",
        Path::new(cmd.get_program()).display(),
        quoted.join(" ")
    );
    let mut script = Command::new("script");
    script
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    script.env("TERM", "xterm").env("SHELL", "/bin/sh");
    let mut child = script.spawn().unwrap();
    let shown = Arc::new(Mutex::new(Vec::new()));
    let mut stdout = child.stdout.take().unwrap();
    let sink = shown.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let started = Instant::now();
    while !String::from_utf8_lossy(&shown.lock().unwrap()).contains("Password for") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no prompt: {}",
            String::from_utf8_lossy(&shown.lock().unwrap())
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the prompt set up the terminal before the keys arrive.
    std::thread::sleep(Duration::from_millis(300));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(keys).unwrap();
    stdin.flush().unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    reader.join().unwrap();
    let text = String::from_utf8_lossy(&shown.lock().unwrap()).into_owned();
    assert!(status.success(), "{text}");
    text
}

/// The local flags `stty -a` printed.
fn flags(shown: &str) -> Vec<String> {
    shown
        .split_whitespace()
        .map(|w| w.trim_end_matches(';').to_string())
        .collect()
}

#[test]
fn ctrl_c_at_the_prompt_restores_the_terminal() {
    let index = FakeIndex::start();
    let dist = tempfile::tempdir().unwrap();
    let w = wheel(dist.path(), "prompt-ctrl-c", "1.0");
    let shown = at_the_prompt(
        &[
            "--repository-url",
            &index.upload_url,
            "-u",
            "someone",
            w.to_str().unwrap(),
        ],
        b"abc\x03",
    );
    assert!(shown.contains("exit=1"), "{shown}");
    assert!(shown.contains("nothing was uploaded"), "{shown}");
    let f = flags(&shown);
    for on in ["echo", "icanon", "isig"] {
        assert!(
            f.iter().any(|x| x == on),
            "{on} is off after Ctrl-C:\n{shown}"
        );
    }
    assert!(index.posts().is_empty());
}

#[test]
fn the_prompt_reads_a_password_without_echo() {
    let index = FakeIndex::start();
    index.require_basic("someone", "typed-SENTINEL");
    let dist = tempfile::tempdir().unwrap();
    let w = wheel(dist.path(), "prompt-read", "1.0");
    let shown = at_the_prompt(
        &[
            "--repository-url",
            &index.upload_url,
            "-u",
            "someone",
            w.to_str().unwrap(),
        ],
        b"typed-SENTINEL\r",
    );
    assert!(shown.contains("exit=0"), "{shown}");
    assert!(shown.contains("1 uploaded"), "{shown}");
    assert!(
        !shown.contains("SENTINEL"),
        "the password was echoed:\n{shown}"
    );
    let f = flags(&shown);
    assert!(f.iter().any(|x| x == "echo"), "{shown}");
    assert_eq!(
        index.posts()[0].authorization,
        Some(test_support::servers::basic("someone", "typed-SENTINEL"))
    );
}

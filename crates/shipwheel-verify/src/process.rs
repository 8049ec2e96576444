//! Running the installers, the import check and the smoke test with a time limit: a tool that
//! hangs (an index that never answers, a prompt, a deadlocked import) is killed together with
//! everything it started, and the step says so.

use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::time::{Instant, timeout_at};

/// The end of each output stream that is kept (the error is at the end).
const KEEP: usize = 1 << 20;
/// How long the output pipes may stay open once the tool's process group was killed.
const AFTER_KILL: Duration = Duration::from_secs(5);

/// How a tool ended.
pub struct Finished {
    /// `None`: it was still running at the time limit and was killed.
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Run `cmd` to completion, or kill it and every process it started once `limit` has passed.
/// Output is collected as it comes, so what a killed tool printed is kept.
pub async fn run_within(mut cmd: Command, limit: Duration) -> std::io::Result<Finished> {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Its own process group, so a timeout reaches the tool's children (pip's build backends,
    // uv's workers, a smoke test's subshells) as well.
    #[cfg(unix)]
    cmd.process_group(0);
    let deadline = Instant::now() + limit;
    let mut child = cmd.spawn()?;
    let pid = child.id();
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let mut readers = [
        tokio::spawn(collect(child.stdout.take(), stdout.clone())),
        tokio::spawn(collect(child.stderr.take(), stderr.clone())),
    ];
    let status = match timeout_at(deadline, child.wait()).await {
        Ok(status) => Some(status?),
        Err(_) => {
            kill_group(pid);
            let _ = child.start_kill();
            let _ = child.wait().await;
            None
        }
    };
    // The pipes close when every process holding them is gone; one the tool left running past
    // the limit is killed too.
    let until = if status.is_some() {
        deadline
    } else {
        Instant::now() + AFTER_KILL
    };
    let drained = timeout_at(until, async {
        for reader in &mut readers {
            let _ = reader.await;
        }
    })
    .await;
    if drained.is_err() {
        kill_group(pid);
        for reader in &readers {
            reader.abort();
        }
    }
    let take = |buf: &Arc<Mutex<Vec<u8>>>| {
        std::mem::take(&mut *buf.lock().unwrap_or_else(|e| e.into_inner()))
    };
    Ok(Finished {
        status,
        stdout: take(&stdout),
        stderr: take(&stderr),
    })
}

/// Read a stream to its end into `into`, keeping its last [`KEEP`] bytes at most.
async fn collect(stream: Option<impl AsyncRead + Unpin>, into: Arc<Mutex<Vec<u8>>>) {
    let Some(mut stream) = stream else { return };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let mut kept = into.lock().unwrap_or_else(|e| e.into_inner());
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > 2 * KEEP {
                    let cut = kept.len() - KEEP;
                    kept.drain(..cut);
                }
            }
        }
    }
}

/// SIGKILL the process group led by `pid` (the tool and everything it started).
fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid
        .and_then(|p| i32::try_from(p).ok())
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// `10 min`, `90 s`: a limit as the user gave it.
pub fn show_limit(limit: Duration) -> String {
    let secs = limit.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        cmd
    }

    #[tokio::test]
    async fn a_tool_that_finishes_gives_its_status_and_output() {
        let done = run_within(
            sh("echo out; echo err >&2; exit 3"),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        assert_eq!(done.status.and_then(|s| s.code()), Some(3));
        assert_eq!(done.stdout, b"out\n");
        assert_eq!(done.stderr, b"err\n");
    }

    #[tokio::test]
    async fn a_hanging_tool_and_its_children_are_killed_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("child.pid");
        // A child in the background that would outlive its parent, and a parent that hangs.
        let script = format!(
            "sleep 300 & echo $! > {}; echo started; wait",
            pidfile.display()
        );
        let started = std::time::Instant::now();
        let done = run_within(sh(&script), Duration::from_millis(500))
            .await
            .unwrap();
        assert!(done.status.is_none(), "not reported as timed out");
        assert!(started.elapsed() < Duration::from_secs(20));
        assert_eq!(done.stdout, b"started\n", "output before the kill is kept");
        let child = std::fs::read_to_string(&pidfile).unwrap();
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.trim()));
        // Gone, or a zombie waiting for init to reap it.
        assert!(
            stat.as_deref().map_or(true, |s| s.contains(") Z ")),
            "the background child still runs: {stat:?}"
        );
    }

    #[test]
    fn limits_read_as_given() {
        assert_eq!(show_limit(Duration::from_secs(600)), "10 min");
        assert_eq!(show_limit(Duration::from_secs(90)), "90 s");
    }
}

//! Upload progress: indicatif bars (one per file plus a total) on a terminal, plain lines
//! otherwise. What the bars print is redacted like every other output.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use shipwheel_index::publish::{FileOutcome, FileStatus, PublishFile, Reporter};

/// Human-readable byte count.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// One line describing a finished file.
pub fn outcome_line(o: &FileOutcome) -> String {
    let what = match o.status {
        FileStatus::Uploaded => "uploaded",
        FileStatus::AlreadyPresent => "already present, identical",
        FileStatus::WouldUpload => "would upload",
        FileStatus::Failed => "FAILED",
        FileStatus::NotAttempted => "not attempted",
    };
    let mut line = format!("{what:<27} {} ({})", o.filename, bytes(o.size));
    if o.status == FileStatus::Uploaded
        && let Some(url) = &o.url
    {
        line.push_str(&format!(" -> {url}"));
    }
    if matches!(o.status, FileStatus::Failed | FileStatus::NotAttempted) {
        if let Some(m) = &o.message {
            line.push_str(&format!("\n    {m}"));
        }
        if let Some(h) = &o.hint {
            line.push_str(&format!("\n    hint: {h}"));
        }
    }
    line
}

/// Plain lines to stderr (not a terminal, or `--format json`).
pub struct LineReporter {
    /// Print each finished file (text format); JSON prints only at the end.
    pub per_file: bool,
    pub verbose: bool,
}

impl Reporter for LineReporter {
    fn on_start(&self, _index: usize, file: &PublishFile) {
        if self.verbose {
            crate::output::eprintln(&format!(
                "uploading {} ({})",
                file.filename,
                bytes(file.digests.size)
            ));
        }
    }

    fn on_retry(&self, _index: usize, attempt: u32, reason: &str, wait: Duration) {
        crate::output::eprintln(&format!(
            "attempt {attempt} failed ({reason}); retrying in {:.1} s",
            wait.as_secs_f64()
        ));
    }

    fn on_done(&self, _index: usize, outcome: &FileOutcome) {
        if self.per_file {
            crate::output::eprintln(&outcome_line(outcome));
        }
    }
}

/// Bars per file and in total, on a terminal.
pub struct BarReporter {
    multi: MultiProgress,
    total: ProgressBar,
    bars: Mutex<Vec<Option<ProgressBar>>>,
    sent: Mutex<Vec<u64>>,
}

impl BarReporter {
    pub fn new(files: &[PublishFile], todo: &[usize]) -> BarReporter {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let total_bytes: u64 = todo
            .iter()
            .filter_map(|i| files.get(*i))
            .map(|f| f.digests.size)
            .sum();
        let total = multi.add(ProgressBar::new(total_bytes));
        total.set_style(
            ProgressStyle::with_template(
                "{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        total.set_prefix("total");
        BarReporter {
            multi,
            total,
            bars: Mutex::new(vec![None; files.len()]),
            sent: Mutex::new(vec![0; files.len()]),
        }
    }

    pub fn finish(&self) {
        self.total.finish_and_clear();
        let _ = self.multi.clear();
    }
}

impl Reporter for BarReporter {
    fn on_start(&self, index: usize, file: &PublishFile) {
        let bar = self
            .multi
            .insert_before(&self.total, ProgressBar::new(file.digests.size));
        bar.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix("uploading");
        bar.set_message(file.filename.clone());
        if let Ok(mut bars) = self.bars.lock()
            && let Some(slot) = bars.get_mut(index)
        {
            *slot = Some(bar);
        }
    }

    fn on_progress(&self, index: usize, sent: u64) {
        let delta = if let Ok(mut s) = self.sent.lock()
            && let Some(prev) = s.get_mut(index)
        {
            // A retry starts again from zero; count only forward progress in the total.
            let d = sent.saturating_sub(*prev);
            *prev = (*prev).max(sent);
            d
        } else {
            0
        };
        self.total.inc(delta);
        if let Ok(bars) = self.bars.lock()
            && let Some(Some(bar)) = bars.get(index)
        {
            bar.set_position(sent);
        }
    }

    fn on_retry(&self, _index: usize, attempt: u32, reason: &str, wait: Duration) {
        let _ = self.multi.println(shipwheel_index::secret::redact(&format!(
            "attempt {attempt} failed ({reason}); retrying in {:.1} s",
            wait.as_secs_f64()
        )));
    }

    fn on_done(&self, index: usize, outcome: &FileOutcome) {
        if let Ok(mut bars) = self.bars.lock()
            && let Some(slot) = bars.get_mut(index)
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        let _ = self
            .multi
            .println(shipwheel_index::secret::redact(&outcome_line(outcome)));
    }
}

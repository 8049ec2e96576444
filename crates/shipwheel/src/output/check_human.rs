//! `shipwheel check --format human`: findings grouped by file, then a summary and what to do.

use owo_colors::OwoColorize;
use shipwheel_dist::{FileReport, Finding, Severity};

use crate::commands::check::Outcome;

/// Render the outcome for a terminal (`color`) or a log. `quiet` drops warnings and files
/// without errors, keeping the errors and the final result.
pub fn render(outcome: &Outcome, color: bool, quiet: bool) -> String {
    let mut out = String::new();
    let paint = Paint { color };
    for file in &outcome.report.files {
        render_file(&mut out, file, outcome, paint, quiet);
    }
    let batch: Vec<&Finding> = outcome
        .report
        .batch
        .iter()
        .filter(|f| !quiet || f.is_error())
        .collect();
    if !batch.is_empty() {
        out.push_str(&format!("{}\n", paint.bold("batch (all files together)")));
        for f in batch {
            render_finding(&mut out, f, paint);
        }
    }
    render_summary(&mut out, outcome, paint);
    out
}

fn render_file(out: &mut String, file: &FileReport, outcome: &Outcome, paint: Paint, quiet: bool) {
    let errors = file.findings.iter().filter(|f| f.is_error()).count();
    let warnings = file.findings.len() - errors;
    if quiet && errors == 0 {
        return;
    }
    let status = if errors > 0 {
        paint.red("FAILED")
    } else if warnings > 0 && outcome.strict {
        paint.red("FAILED due to warnings (--strict)")
    } else if warnings > 0 {
        paint.yellow("PASSED with warnings")
    } else {
        paint.green("PASSED")
    };
    out.push_str(&format!(
        "{}: {status}\n",
        paint.bold(&file.path.display().to_string())
    ));
    for f in file.findings.iter().filter(|f| !quiet || f.is_error()) {
        render_finding(out, f, paint);
    }
}

fn render_finding(out: &mut String, f: &Finding, paint: Paint) {
    let label = match f.severity {
        Severity::Error => paint.red(&format!("error[{}]", f.rule)),
        Severity::Warning => paint.yellow(&format!("warning[{}]", f.rule)),
    };
    out.push_str(&format!("  {label} {}\n", indent_continuation(&f.message)));
    if let Some(location) = location(f) {
        out.push_str(&format!("    {} {location}\n", paint.dim("at:")));
    }
    if !f.hint.is_empty() {
        out.push_str(&format!(
            "    {} {}\n",
            paint.dim("hint:"),
            indent_continuation(&f.hint)
        ));
    }
}

/// `member:line`, `member`, or `line N` (of the long description).
pub fn location(f: &Finding) -> Option<String> {
    match (&f.location, f.line) {
        (Some(l), Some(n)) => Some(format!("{l}:{n}")),
        (Some(l), None) => Some(l.clone()),
        (None, Some(n)) => Some(format!("line {n}")),
        (None, None) => None,
    }
}

/// Multi-line messages (e.g. docutils output) stay under their finding.
fn indent_continuation(text: &str) -> String {
    text.trim_end().replace('\n', "\n      ")
}

fn render_summary(out: &mut String, outcome: &Outcome, paint: Paint) {
    let errors = outcome.errors();
    let warnings = outcome.warnings();
    let files = outcome.report.files.len();
    out.push_str(&format!(
        "\n{} checked: {}, {} (reStructuredText: {})\n",
        plural(files, "file"),
        plural(errors, "error"),
        plural(warnings, "warning"),
        outcome.report.rst_renderer
    ));
    let refused = outcome
        .report
        .files
        .iter()
        .filter(|f| f.has_errors())
        .count();
    let verdict = if outcome.ok() {
        paint.green("OK: PyPI would accept every file")
    } else if errors > 0 {
        let what = if refused > 0 {
            format!("PyPI would refuse {}", plural(refused, "file"))
        } else {
            "PyPI would refuse part of this batch".to_string()
        };
        paint.red(&format!(
            "FAILED: {what}; fix the errors above, rebuild, and run `{}` again",
            outcome.rerun
        ))
    } else {
        paint.red(&format!(
            "FAILED due to warnings (--strict); fix them, or drop a rule with `--ignore RULE`, and run `{}` again",
            outcome.rerun
        ))
    };
    out.push_str(&verdict);
    out.push('\n');
}

pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[derive(Clone, Copy)]
struct Paint {
    color: bool,
}

impl Paint {
    fn red(&self, s: &str) -> String {
        if self.color {
            s.red().bold().to_string()
        } else {
            s.to_string()
        }
    }
    fn yellow(&self, s: &str) -> String {
        if self.color {
            s.yellow().bold().to_string()
        } else {
            s.to_string()
        }
    }
    fn green(&self, s: &str) -> String {
        if self.color {
            s.green().bold().to_string()
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        if self.color {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    }
    fn dim(&self, s: &str) -> String {
        if self.color {
            s.dimmed().to_string()
        } else {
            s.to_string()
        }
    }
}

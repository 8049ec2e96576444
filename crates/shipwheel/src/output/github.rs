//! GitHub Actions workflow-command annotations for `shipwheel check` findings, so errors show
//! on the run page and in the pull request.

use shipwheel_dist::{Finding, Severity};
use shipwheel_github::actions::{Annotation, Level, annotation};

use crate::commands::check::Outcome;

/// One `::error`/`::warning` line per finding (batch findings name the first file involved),
/// then a plain summary line.
pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for file in &outcome.report.files {
        let path = file.path.display().to_string();
        for f in &file.findings {
            out.push_str(&line(f, &path, outcome.strict));
            out.push('\n');
        }
    }
    for f in &outcome.report.batch {
        let path = outcome.path_of(&f.file);
        out.push_str(&line(f, &path, outcome.strict));
        out.push('\n');
    }
    out.push_str(&format!(
        "shipwheel check: {} checked, {}, {}: {}\n",
        super::check_human::plural(outcome.report.files.len(), "file"),
        super::check_human::plural(outcome.errors(), "error"),
        super::check_human::plural(outcome.warnings(), "warning"),
        if outcome.ok() { "OK" } else { "FAILED" }
    ));
    out
}

/// Under `--strict` a warning fails the job, so it is annotated as an error.
fn line(f: &Finding, path: &str, strict: bool) -> String {
    let level = match f.severity {
        Severity::Error => Level::Error,
        Severity::Warning if strict => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let title = format!("{} {}", f.rule, f.name);
    let mut message = f.message.clone();
    if let Some(loc) = super::check_human::location(f).filter(|l| !f.message.contains(l.as_str())) {
        message.push_str(&format!(" (at {loc})"));
    }
    if !f.hint.is_empty() {
        message.push_str(&format!("\nhint: {}", f.hint));
    }
    annotation(
        level,
        &Annotation {
            file: Some(path),
            line: None,
            title: Some(&title),
            message: &message,
        },
    )
}

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

/// Most findings listed in the step summary; the rest are counted.
const SUMMARY_MAX_FINDINGS: usize = 50;

/// Markdown for `$GITHUB_STEP_SUMMARY`: one row per file, then the errors (and, under
/// `--strict`, the warnings) with their rule ids.
pub fn step_summary(outcome: &Outcome) -> String {
    let mut md = String::from(
        "### shipwheel check\n\n| File | Result | Errors | Warnings |\n|---|---|---:|---:|\n",
    );
    for f in &outcome.report.files {
        let errors = f.findings.iter().filter(|x| x.is_error()).count();
        let warnings = f.findings.len() - errors;
        let result = if errors > 0 || (outcome.strict && warnings > 0) {
            "failed"
        } else {
            "passed"
        };
        md.push_str(&format!(
            "| `{}` | {result} | {errors} | {warnings} |\n",
            cell(&f.path.display().to_string())
        ));
    }
    let listed: Vec<&Finding> = outcome
        .report
        .findings()
        .filter(|f| f.is_error() || outcome.strict)
        .collect();
    if !listed.is_empty() {
        md.push('\n');
        for f in listed.iter().take(SUMMARY_MAX_FINDINGS) {
            md.push_str(&format!(
                "- **{}** `{}` {}: {}\n",
                f.severity.as_str(),
                f.rule,
                cell(&f.file),
                cell(&f.message)
            ));
        }
        if listed.len() > SUMMARY_MAX_FINDINGS {
            md.push_str(&format!(
                "- and {} more\n",
                listed.len() - SUMMARY_MAX_FINDINGS
            ));
        }
    }
    md.push_str(&format!(
        "\n{}: {}, {} (reStructuredText: {})\n",
        if outcome.ok() { "**OK**" } else { "**FAILED**" },
        super::check_human::plural(outcome.errors(), "error"),
        super::check_human::plural(outcome.warnings(), "warning"),
        outcome.report.rst_renderer
    ));
    md
}

/// One line of Markdown table or list text.
fn cell(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
        .replace('|', "\\|")
        .replace('`', "'")
}

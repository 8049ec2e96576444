//! `shipwheel check --format json`: a versioned, documented schema (docs/check.md). Fields are
//! only ever added within one schema version; a removal or change of meaning bumps `schema`.

use serde::Serialize;
use shipwheel_dist::{FileReport, Finding};

use crate::commands::check::Outcome;

/// The schema version of this document.
pub const SCHEMA: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema: u32,
    tool: Tool,
    rst_renderer: &'a str,
    strict: bool,
    ignored: &'a [String],
    files: Vec<File<'a>>,
    batch: Vec<JsonFinding<'a>>,
    summary: Summary,
    ok: bool,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct File<'a> {
    path: String,
    filename: &'a str,
    kind: Option<&'static str>,
    size: u64,
    sha256: Option<&'a str>,
    name: Option<&'a str>,
    version: Option<&'a str>,
    ok: bool,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    location: Option<&'a str>,
    line: Option<u32>,
    hint: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
}

pub fn render(outcome: &Outcome) -> anyhow::Result<String> {
    let report = &outcome.report;
    let doc = Document {
        schema: SCHEMA,
        tool: Tool {
            name: "shipwheel",
            version: env!("CARGO_PKG_VERSION"),
        },
        rst_renderer: &report.rst_renderer,
        strict: outcome.strict,
        ignored: &outcome.ignored,
        files: report.files.iter().map(|f| file(f, outcome)).collect(),
        batch: report.batch.iter().map(finding).collect(),
        summary: Summary {
            files: report.files.len(),
            errors: outcome.errors(),
            warnings: outcome.warnings(),
        },
        ok: outcome.ok(),
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

fn file<'a>(f: &'a FileReport, outcome: &Outcome) -> File<'a> {
    let warnings = f.findings.iter().any(|x| !x.is_error());
    File {
        path: f.path.display().to_string(),
        filename: &f.filename,
        kind: f.kind.map(|k| match k {
            shipwheel_dist::DistKind::Wheel => "wheel",
            shipwheel_dist::DistKind::Sdist => "sdist",
        }),
        size: f.size,
        sha256: f.sha256.as_deref(),
        name: f.name.as_deref(),
        version: f.version.as_deref(),
        ok: !(f.has_errors() || (outcome.strict && warnings)),
        findings: f.findings.iter().map(finding).collect(),
    }
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: f.rule,
        name: f.name,
        severity: f.severity.as_str(),
        message: &f.message,
        file: &f.file,
        location: f.location.as_deref(),
        line: f.line,
        hint: &f.hint,
    }
}

//! `shipwheel check --format sarif`: SARIF 2.1.0 for GitHub code scanning
//! (`github/codeql-action/upload-sarif`). Rule descriptors come from the rule registry, so every
//! rule id a result uses is described.

use serde_json::{Value, json};
use shipwheel_dist::{Finding, Severity, rules::all_rules};

use crate::commands::check::Outcome;

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn render(outcome: &Outcome) -> anyhow::Result<String> {
    let rules = all_rules();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.hint },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": [area(r.id)] },
            })
        })
        .collect();
    let mut results = Vec::new();
    for file in &outcome.report.files {
        let path = file.path.display().to_string();
        for f in &file.findings {
            results.push(result(f, &path, &rules));
        }
    }
    for f in &outcome.report.batch {
        results.push(result(f, &outcome.path_of(&f.file), &rules));
    }
    let mut driver = json!({
        "name": "shipwheel",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": descriptors,
    });
    // `informationUri` must be an absolute URI when present; an empty one fails validation.
    let info = env!("CARGO_PKG_REPOSITORY");
    if !info.is_empty() {
        driver["informationUri"] = json!(info);
    }
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "properties": { "rstRenderer": outcome.report.rst_renderer },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

fn result(f: &Finding, path: &str, rules: &[&shipwheel_dist::Rule]) -> Value {
    let mut text = f.message.clone();
    if let Some(member) = f
        .location
        .as_ref()
        .filter(|m| !f.message.contains(m.as_str()))
    {
        text.push_str(&format!(" (in {member})"));
    }
    if !f.hint.is_empty() {
        text.push_str(&format!(" Hint: {}", f.hint));
    }
    // Code scanning needs a region on every result; an archive has no lines of its own, so a
    // finding without a line points at line 1.
    let line = f.line.filter(|l| *l > 0).unwrap_or(1);
    let physical = json!({
        "artifactLocation": { "uri": uri(path) },
        "region": { "startLine": line },
    });
    // Stable across runs of the same problem in the same file, so alerts are not duplicated.
    let fingerprint = format!(
        "{:016x}",
        fnv1a(&[
            f.rule,
            &f.file,
            f.location.as_deref().unwrap_or(""),
            &f.message
        ])
    );
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical }],
        "partialFingerprints": { "shipwheelFinding/v1": fingerprint },
    });
    if let Some(i) = rules.iter().position(|x| x.id == f.rule) {
        r["ruleIndex"] = json!(i);
    }
    if let Some(member) = &f.location {
        r["locations"][0]["logicalLocations"] = json!([{ "name": member, "kind": "member" }]);
    }
    r
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The rule family (the id's letters), e.g. `W` or `MD`, as a SARIF tag.
fn area(id: &str) -> String {
    id.chars().take_while(|c| c.is_ascii_alphabetic()).collect()
}

/// A relative URI reference for a path as given: `/` separators, and every byte outside RFC 3986's
/// unreserved set percent-encoded (`#`, `?`, `:`, spaces and non-ASCII would otherwise change
/// what the reference means).
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.strip_prefix("./").unwrap_or(&p);
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 64-bit FNV-1a over the parts (with a separator), a hash that never changes between builds.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

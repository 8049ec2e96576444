//! docs/check.md stays true: its rule table is the rule registry, rule for rule, and its JSON
//! schema tables name exactly the fields `--format json` writes.

mod check_common;

use std::collections::BTreeSet;

use check_common::*;
use serde_json::Value;
use shipwheel_dist::rules::all_rules;

const START: &str = "<!-- rules:start -->";
const END: &str = "<!-- rules:end -->";

fn table() -> String {
    let mut out = String::from("| Id | Name | Severity | What it checks |\n|---|---|---|---|\n");
    for r in all_rules() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.id,
            r.name,
            r.severity.as_str(),
            r.summary
                .replace('|', "\\|")
                .replace('\n', " ")
                .replace("__", "\\_\\_")
        ));
    }
    out
}

#[test]
fn docs_list_every_rule() {
    let path = test_support::workspace_root().join("docs/check.md");
    let text = std::fs::read_to_string(&path).expect("docs/check.md");
    let (Some(s), Some(e)) = (text.find(START), text.find(END)) else {
        panic!("docs/check.md lacks the {START} ... {END} markers");
    };
    let current = text[s + START.len()..e].trim();
    let wanted = table();
    if current != wanted.trim() {
        if std::env::var_os("SHIPWHEEL_UPDATE_DOCS").is_some() {
            let new = format!("{}{START}\n{wanted}{}", &text[..s], &text[e..]);
            std::fs::write(&path, new).expect("write docs/check.md");
        } else {
            panic!(
                "the rule table in docs/check.md is out of date: run \
                 `SHIPWHEEL_UPDATE_DOCS=1 cargo test -p shipwheel --test check_docs`"
            );
        }
    }
}

/// Field names (first column, in backticks) of the json section's tables: the document's
/// fields, and the finding's fields.
fn documented_json_fields(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let start = text.find("### `json`").expect("a json section");
    let rest = &text[start..];
    let end = rest
        .find("### `sarif`")
        .expect("the sarif section after json");
    let section = &rest[..end];
    let split = section
        .find("A **finding** has")
        .expect("the finding table");
    let names = |part: &str| -> BTreeSet<String> {
        part.lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split_once('`').map(|(name, _)| name.to_string()))
            .collect()
    };
    (names(&section[..split]), names(&section[split..]))
}

/// Key paths of a document: `a.b`, and `a[].b` inside arrays; findings are collected apart.
fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>, findings: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                if k == "findings" || (prefix.is_empty() && k == "batch") {
                    out.insert(path);
                    for f in child.as_array().into_iter().flatten() {
                        if let Value::Object(fm) = f {
                            findings.extend(fm.keys().cloned());
                        }
                    }
                    continue;
                }
                match child {
                    Value::Object(_) => key_paths(child, &path, out, findings),
                    Value::Array(items) if items.iter().any(Value::is_object) => {
                        out.insert(path.clone());
                        for item in items {
                            key_paths(item, &format!("{path}[]"), out, findings);
                        }
                    }
                    _ => {
                        out.insert(path);
                    }
                }
            }
        }
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

#[test]
fn docs_describe_every_json_field() {
    let (dir, dist) = workdir();
    // Findings with and without a location and a line, plus a batch finding.
    good_wheel("one", "1.0")
        .description("Title\n===\n\nText.\n")
        .file("tests/__init__.py", "")
        .write_to(&dist);
    good_wheel("two", "1.0").write_to(&dist);
    let (_, doc) = check_json(dir.path(), &["dist"]);
    let mut fields = BTreeSet::new();
    let mut finding_fields = BTreeSet::new();
    key_paths(&doc, "", &mut fields, &mut finding_fields);
    assert!(
        finding_fields.contains("line") && finding_fields.contains("location"),
        "the sample should produce located findings: {doc}"
    );
    assert!(!doc["batch"].as_array().unwrap().is_empty(), "{doc}");

    let text = std::fs::read_to_string(test_support::workspace_root().join("docs/check.md"))
        .expect("docs/check.md");
    let (doc_fields, doc_finding_fields) = documented_json_fields(&text);
    // Containers are documented by their members (e.g. `tool.name`), so compare leaves and
    // arrays only.
    let undocumented: Vec<&String> = fields.iter().filter(|f| !doc_fields.contains(*f)).collect();
    assert!(
        undocumented.is_empty(),
        "docs/check.md does not describe {undocumented:?}"
    );
    let stale: Vec<&String> = doc_fields.iter().filter(|f| !fields.contains(*f)).collect();
    assert!(
        stale.is_empty(),
        "docs/check.md describes fields never written: {stale:?}"
    );
    assert_eq!(
        finding_fields, doc_finding_fields,
        "finding fields written vs documented"
    );
}

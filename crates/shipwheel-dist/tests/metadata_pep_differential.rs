//! The metadata rules judge names, versions, specifiers, requirements and raw headers with Rust
//! code; packaging (from the peers venv, the library PyPI runs) is the reference. Each value
//! must get the same verdict from both, so no rule fails what PyPI accepts.

use shipwheel_dist::RawMetadata;
use shipwheel_dist::metadata::{DistContext, check_metadata};

fn python(script: &str, input: &serde_json::Value) -> serde_json::Value {
    test_support::peer_python_json(script, input)
}

const VALIDATE: &str = r#"
import json, sys
from packaging.metadata import Metadata
out = []
for field, value in json.load(sys.stdin):
    raw = {"metadata_version": "2.4", "name": "demo", "version": "1.0"}
    raw[field] = value
    try:
        Metadata.from_raw(raw)
        out.append(True)
    except Exception:
        out.append(False)
print(json.dumps(out))
"#;

/// (raw field, email header, value) to validate both ways.
const VALUES: &[(&str, &str, &str)] = &[
    ("name", "Name", "demo"),
    ("name", "Name", "Demo.Pkg_x-y"),
    ("name", "Name", "a"),
    ("name", "Name", "-demo"),
    ("name", "Name", "demo-"),
    ("name", "Name", "de mo"),
    ("name", "Name", "démo"),
    ("name", "Name", "9lives"),
    ("version", "Version", "1.0"),
    ("version", "Version", "1.0.0rc1"),
    ("version", "Version", "1.0-rc1"),
    ("version", "Version", "v1.0"),
    ("version", "Version", "1.0.post1.dev2"),
    ("version", "Version", "1!2.0"),
    ("version", "Version", "1.0.dev.a1"),
    ("version", "Version", "1.0+local.7"),
    ("version", "Version", "1.0_1"),
    ("version", "Version", " 1.0 "),
    ("version", "Version", "2026.09.21"),
    ("version", "Version", "1.0.*"),
    ("version", "Version", "abc"),
    ("requires_python", "Requires-Python", ">=3.9"),
    ("requires_python", "Requires-Python", ">=3.9,<4"),
    ("requires_python", "Requires-Python", ">= 3.9, < 4"),
    ("requires_python", "Requires-Python", "~=3.9"),
    ("requires_python", "Requires-Python", "==3.*"),
    ("requires_python", "Requires-Python", ">=3.9.*"),
    ("requires_python", "Requires-Python", "~=3"),
    ("requires_python", "Requires-Python", ">=3.9,"),
    ("requires_python", "Requires-Python", "3.9"),
    ("requires_python", "Requires-Python", ">3.9 <4"),
    ("requires_python", "Requires-Python", "!=3.0.*,>=2.7"),
    ("requires_python", "Requires-Python", "===3.9"),
    ("requires_dist", "Requires-Dist", "requests"),
    (
        "requires_dist",
        "Requires-Dist",
        "requests[socks,security]>=2.0,<3",
    ),
    ("requires_dist", "Requires-Dist", "requests (>=2.0)"),
    (
        "requires_dist",
        "Requires-Dist",
        "pytest; extra == \"test\"",
    ),
    (
        "requires_dist",
        "Requires-Dist",
        "pytest ; extra == 'test' and python_version < '3.12'",
    ),
    (
        "requires_dist",
        "Requires-Dist",
        "foo; sys_platform == \"win32\" or platform_machine == \"x86_64\"",
    ),
    ("requires_dist", "Requires-Dist", "foo>=1.0.*"),
    ("requires_dist", "Requires-Dist", "foo==1.0.*"),
    ("requires_dist", "Requires-Dist", "foo>=>1"),
    ("requires_dist", "Requires-Dist", "foo bar"),
    (
        "requires_dist",
        "Requires-Dist",
        "foo; python_version >= 3.8",
    ),
    ("requires_dist", "Requires-Dist", "foo; os.name == 'nt'"),
    (
        "requires_dist",
        "Requires-Dist",
        "foo; implementation_name == \"cpython\"",
    ),
    ("requires_dist", "Requires-Dist", "foo[]"),
    ("requires_dist", "Requires-Dist", "foo~=1"),
    ("requires_dist", "Requires-Dist", "foo===1.0"),
    (
        "requires_dist",
        "Requires-Dist",
        "foo; python_full_version >= '3.9.1'",
    ),
    (
        "requires_dist",
        "Requires-Dist",
        "foo; 'linux' in sys_platform",
    ),
    ("requires_dist", "Requires-Dist", "foo; extra == 'Test_X'"),
    ("requires_dist", "Requires-Dist", "foo!=1.0,>=0.5"),
    ("requires_dist", "Requires-Dist", "Foo.Bar_baz>=1"),
    ("provides_extra", "Provides-Extra", "test"),
    ("provides_extra", "Provides-Extra", "Test_X"),
    ("provides_extra", "Provides-Extra", "-x"),
    ("provides_extra", "Provides-Extra", "a b"),
];

#[test]
fn verdicts_match_packaging() {
    let input: Vec<serde_json::Value> = VALUES
        .iter()
        .map(|(field, _, value)| {
            let v = if matches!(*field, "requires_dist" | "provides_extra") {
                serde_json::json!([value])
            } else {
                serde_json::json!(value)
            };
            serde_json::json!([field, v])
        })
        .collect();
    let reference = python(VALIDATE, &serde_json::Value::Array(input));
    let reference = reference.as_array().expect("list");
    let mut mismatches = Vec::new();
    for ((field, header, value), ok) in VALUES.iter().zip(reference) {
        let ok = ok.as_bool().unwrap_or(false);
        let mut text = String::from("Metadata-Version: 2.4\n");
        if *field != "name" {
            text.push_str("Name: demo\n");
        }
        if *field != "version" {
            text.push_str("Version: 1.0\n");
        }
        text.push_str(&format!("{header}: {value}\n"));
        if *field == "requires_dist" {
            text.push_str("Provides-Extra: test\nProvides-Extra: test-x\n");
        }
        let meta = RawMetadata::parse(text.as_bytes()).expect("parse");
        let ctx = DistContext {
            file: "demo-1.0.tar.gz",
            kind: shipwheel_dist::DistKind::Sdist,
            filename: None,
            members: &[],
        };
        // packaging's verdict covers its own rules; local versions are Warehouse's (M007).
        let ours_ok = !check_metadata(&meta, &ctx)
            .iter()
            .any(|f| f.is_error() && f.rule != "M007");
        if ours_ok != ok {
            mismatches.push(format!(
                "{header}: {value:?}: packaging {ok}, shipwheel {ours_ok}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

const PARSE: &str = r#"
import base64, json, sys
from packaging.metadata import parse_email
out = []
for b in json.load(sys.stdin):
    raw, unparsed = parse_email(base64.b64decode(b))
    out.append({"raw": {k: v for k, v in raw.items() if isinstance(v, str)}, "unparsed": sorted(unparsed)})
print(json.dumps(out))
"#;

const DOCUMENTS: &[&[u8]] = &[
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\nSummary: a\n  b\nDescription: line1\n        |line2\n",
    b"Metadata-Version: 2.1\r\nName: foo\r\nVersion: 1\r\n\r\nbody\r\nline\r\n",
    b"Metadata-Version: 2.1\nName:   foo  \nVersion:1\nSummary:\n\n\n\nbody\n",
    b"Metadata-Version: 2.1\nName: foo\nBad line\nVersion: 1\n",
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\nAuthor: J\xe9r\n",
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\nAuthor: J\xc3\xa9r\xc3\xb4me\n\nCaf\xc3\xa9\n",
    b"Metadata-Version: 2.1\nName: foo\nName: bar\nVersion: 1\nFoo: x\n",
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\nDescription: head\n\nbody\n",
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\nKeywords: a,b\nKeywords: c\n",
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\nProject-URL: A, https://a\nProject-URL: A, https://b\n",
    b"Metadata-Version: 2.1\n\tcontinued\nName: foo\nVersion: 1\n",
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\n\n",
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\n\n\n",
    b"Metadata-Version: 2.1\nName: foo\nVersion: 1\n\nbody \xff\n",
];

#[test]
fn raw_headers_match_parse_email() {
    use base64::Engine;
    let input: Vec<String> = DOCUMENTS
        .iter()
        .map(|d| base64::engine::general_purpose::STANDARD.encode(d))
        .collect();
    let reference = python(PARSE, &serde_json::json!(input));
    let reference = reference.as_array().expect("list");
    let mut mismatches = Vec::new();
    for (doc, expected) in DOCUMENTS.iter().zip(reference) {
        let meta = RawMetadata::parse(doc).expect("parse");
        let shown = String::from_utf8_lossy(doc);
        let unparsed: Vec<&str> = expected["unparsed"]
            .as_array()
            .expect("unparsed")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        for (key, value) in expected["raw"].as_object().expect("raw") {
            let value = value.as_str().unwrap_or_default();
            let ours = if key == "description" {
                meta.description()
            } else {
                meta.get(&key.replace('_', "-"))
            };
            if ours != Some(value) {
                mismatches.push(format!(
                    "{shown:?}: {key}: packaging {value:?}, shipwheel {ours:?}"
                ));
            }
        }
        // Every field packaging leaves unparsed is reported by shipwheel (M001 or M002).
        let ctx = DistContext {
            file: "x.tar.gz",
            kind: shipwheel_dist::DistKind::Sdist,
            filename: None,
            members: &[],
        };
        let findings = check_metadata(&meta, &ctx);
        for key in unparsed {
            let reported = findings.iter().any(|f| {
                (f.rule == "M001" || f.rule == "M002") && f.message.contains(&format!("'{key}'"))
            });
            if !reported {
                mismatches.push(format!("{shown:?}: unparsed {key:?} not reported"));
            }
        }
        // And nothing is reported malformed that packaging parses.
        for f in findings.iter().filter(|f| f.rule == "M001") {
            let key = f.message.split('\'').nth(1).unwrap_or_default();
            if !expected["unparsed"]
                .as_array()
                .is_some_and(|u| u.iter().any(|v| v.as_str() == Some(key)))
            {
                mismatches.push(format!(
                    "{shown:?}: shipwheel calls {key:?} malformed, packaging parses it"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

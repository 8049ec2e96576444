//! Differential test of the native reStructuredText checker against the real readme-renderer
//! (the peers venv's readme-renderer 46.0 / docutils 0.23, called as twine check calls it).
//!
//! Two properties: the native checker never fails a document readme-renderer renders (a false
//! error would block a release), and it catches each listed failure kind with docutils' message
//! and line.

use shipwheel_dist::description::rst;

/// (text, the message the native checker must report — `None` when it must merely not
/// report anything readme-renderer accepts).
const CASES: &[(&str, Option<&str>)] = &[
    // Documents that render.
    (
        "Title\n=====\n\nText with *emphasis*, **strong** and ``code``.\n",
        None,
    ),
    ("- a\n- b\n\n  continued\n", None),
    ("1. one\n2. two\n", None),
    ("term\n   definition\n", None),
    ("Example::\n\n    code here\n\nAfter.\n", None),
    (
        ".. note:: Be careful.\n\n.. code-block:: python\n\n   x = 1\n",
        None,
    ),
    (
        "`Link <https://example.org>`_ and `Other`_\n\n.. _Other: https://example.org/other\n",
        None,
    ),
    ("A (*) star, a '*' and \"*\" quote.\n", None),
    ("snake_case and __dunder__ names.\n", None),
    ("Email a_b@example.org and http://example.org/x.\n", None),
    (":Author: Me\n:Version: 1\n\nBody.\n", None),
    ("+---+---+\n| a | b |\n+---+---+\n", None),
    ("=====  =====\na      b\n=====  =====\n", None),
    ("Title\n===\n", None),
    (
        "Section\n=======\n\nSub\n---\n\nSub2\n----\n\nSection2\n========\n",
        None,
    ),
    ("|name| here\n\n.. |name| replace:: value\n", None),
    ("See [1]_.\n\n.. [1] A footnote.\n", None),
    (":code:`x` and :math:`a^2` and :sup:`2`\n", None),
    (".. role:: custom\n\nUse :custom:`x`.\n", None),
    (">>> print(1)\n1\n", None),
    ("x\n\n__ http://a\n\n`a`__\n", None),
    ("Text \\*not emphasis\\*.\n", None),
    ("Unicode title é\n================\n\ntext\n", None),
    ("2 * 3 = 6 and a*b*c\n", None),
    ("Use `pip install foo` (`x`) here.\n", None),
    (
        "Section\n=======\n\n- item *one*\n- item two\n\n  More text.\n\nEnd.\n",
        None,
    ),
    (
        "A\n\n.. image:: https://example.org/x.png\n   :alt: x\n\nB\n",
        None,
    ),
    (
        "Title\n=====\n\n.. contents::\n\nUsage\n-----\n\nRun ``x``.\n",
        None,
    ),
    ("Café *crème* — “quoted” ‘*’\n", None),
    ("| line one\n| line two\n", None),
    ("-a  option a\n--bee  option b\n", None),
    ("See `the docs`_.\n\nThe docs\n--------\n\nHere.\n", None),
    (
        "A paragraph ending with a literal block::\n\n    $ pip install x\n",
        None,
    ),
    ("| line *one*\n| line two\n  continued\n\nAfter.\n", None),
    ("x\n\n----\n\ny\n", None),
    ("Title\n=====\n\ntext\n\n----\n\nSub\n---\n\nmore\n", None),
    (".. note:: hello\n   world\n\nx\n", None),
    (".. note::\n   :class: x\n\n   Text.\n", None),
    ("See [#]_ and [#]_.\n\n.. [#] one\n.. [#] two\n", None),
    ("Café *crème* « *x* » — *y*—z\n", None),
    ("Ein „*Zitat*“ und ‚*x*‘\n", None),
    // Failures the native checker must catch, with docutils' message.
    (
        "| a\n| b\nc\n",
        Some("Line block ends without a blank line."),
    ),
    // A Markdown table in a README without Description-Content-Type (rendered as RST).
    (
        "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        Some("Line block ends without a blank line."),
    ),
    (
        "x\n\n| one\n|\n|x\n",
        Some("Line block ends without a blank line."),
    ),
    ("x\n\n| one\n|\n|  two\n\nend\n", None),
    (
        "x\n\n| a *b\n",
        Some("Inline emphasis start-string without end-string."),
    ),
    (
        "x\n\n.. note::\n\ny\n",
        Some("Content block expected for the \"note\" directive; none found."),
    ),
    (
        "x\n\n.. code-block:: python\n\ny\n",
        Some("Content block expected for the \"code-block\" directive; none found."),
    ),
    (
        "x\n\n.. warning::\n   :class: a\n\ny\n",
        Some("Content block expected for the \"warning\" directive; none found."),
    ),
    (
        "a [#]_\n",
        Some("Too many autonumbered footnote references: only 0 corresponding footnote available."),
    ),
    (
        "a [#]_ [#]_ [#]_\n\n.. [#] x\n.. [#] y\n",
        Some(
            "Too many autonumbered footnote references: only 2 corresponding footnotes available.",
        ),
    ),
    (
        "x\n\ny\n\n----\n",
        Some("Transition at the end of the document."),
    ),
    (
        "----\n\nx\n",
        Some("Transition at the start of the document."),
    ),
    (
        "T\n=\n\n----\n\nx\n",
        Some("Transition at the start of the section."),
    ),
    (
        "x\n\n----\n\n----\n\ny\n",
        Some("At least one body element should separate transitions."),
    ),
    (
        "Café *crème\n",
        Some("Inline emphasis start-string without end-string."),
    ),
    (
        "*x\n",
        Some("Inline emphasis start-string without end-string."),
    ),
    (
        "The *args and **kwargs parameters\n",
        Some("Inline emphasis start-string without end-string."),
    ),
    (
        "a\n\n**x\n",
        Some("Inline strong start-string without end-string."),
    ),
    (
        "``x\n",
        Some("Inline literal start-string without end-string."),
    ),
    (
        "`x\n",
        Some("Inline interpreted text or phrase reference start-string without end-string."),
    ),
    (
        "|x\n",
        Some("Inline substitution_reference start-string without end-string."),
    ),
    (
        "a\n\n.. foo:: bar\n",
        Some("Unknown directive type \"foo\"."),
    ),
    (".. Foo:: x\n", Some("Unknown directive type \"Foo\".")),
    (":foo:`x`\n", Some("Unknown interpreted text role \"foo\".")),
    ("Title\n====\n\ntext\n", Some("Title underline too short.")),
    (
        "x\n\nTitle\n====\n\ntext\n",
        Some("Title underline too short."),
    ),
    ("a\n\nb\nc\n  d\n", Some("Unexpected indentation.")),
    (
        "  x\ny\n",
        Some("Block quote ends without a blank line; unexpected unindent."),
    ),
    (
        "x\n\n  q\n\n  r\nz\n",
        Some("Block quote ends without a blank line; unexpected unindent."),
    ),
    (
        ".. note:: hi\nx\n",
        Some("Explicit markup ends without a blank line; unexpected unindent."),
    ),
    ("a_\n", Some("Unknown target name: \"a\".")),
    ("`Foo Bar`_\n", Some("Unknown target name: \"foo bar\".")),
    (
        "http://example.com/foo_\n",
        Some("Unknown target name: \"foo\"."),
    ),
    (
        "See [2]_.\n\n.. [1] A footnote.\n",
        Some("Unknown target name: \"2\"."),
    ),
    (
        ".. _a: http://x\n.. _a: http://y\n\ntext\n",
        Some("Duplicate explicit target name: \"a\"."),
    ),
    (
        "+---+---+\n| a | b  |\n+---+---+\n",
        Some("Malformed table.\nRight border not aligned or missing."),
    ),
    (
        "+---+---+\n| a | b |\n+---+--+\n",
        Some("Malformed table.\nRight border not aligned or missing."),
    ),
    (
        "- a\n- b\nc\n",
        Some("Bullet list ends without a blank line; unexpected unindent."),
    ),
    (
        "- a\n* b\n",
        Some("Bullet list ends without a blank line; unexpected unindent."),
    ),
    (
        ":f: a\nb\n",
        Some("Field list ends without a blank line; unexpected unindent."),
    ),
    (
        "term\n  def\nnext\n",
        Some("Definition list ends without a blank line; unexpected unindent."),
    ),
    ("x::\n\ny\n", Some("Literal block expected; none found.")),
    (
        "a |b| c\n",
        Some("Undefined substitution referenced: \"b\"."),
    ),
    (
        "x__\n",
        Some(
            "Anonymous hyperlink mismatch: 1 references but 0 targets.\nSee \"backrefs\" attribute for IDs.",
        ),
    ),
    (
        "T\n=\n\nS\n-\n\nU\n~\n\nV\n=\n\nW\n~\n",
        Some("Inconsistent title style: skip from level 1 to 3."),
    ),
    (
        ".. raw:: html\n\n   <b>x</b>\n",
        Some("\"raw\" directive disabled."),
    ),
    (
        ".. include:: other.rst\n",
        Some("\"include\" directive disabled."),
    ),
    (
        ".. comment only\n",
        Some("No content rendered from RST source."),
    ),
    (
        ":foo:`x`_\n",
        Some("Mismatch: both interpreted text role prefix and reference suffix."),
    ),
    (
        "x\n\n.. note::\n   :class: x\n\n   *b\n",
        Some("Inline emphasis start-string without end-string."),
    ),
    (
        "- a\n\n  *b\n",
        Some("Inline emphasis start-string without end-string."),
    ),
    (
        ".. |a| foo:: b\n\n|a|\n",
        Some("Unknown directive type \"foo\"."),
    ),
    (
        "para\n\nline one\nline two *x\nline three\n",
        Some("Inline emphasis start-string without end-string."),
    ),
];

const RENDER: &str = r#"
import io, json, sys
from readme_renderer.rst import render
out = []
for text in json.load(sys.stdin):
    stream = io.StringIO()
    ok = render(text, stream=stream) is not None
    out.append({"ok": ok, "stream": stream.getvalue()})
json.dump(out, sys.stdout)
"#;

/// (renders, first message, its line) for every case, from one Python process.
fn readme_renderer(texts: &[&str]) -> Vec<(bool, String, Option<u32>)> {
    let replies: Vec<serde_json::Value> = test_support::peer_python_json(RENDER, &texts);
    replies
        .into_iter()
        .map(|r| {
            let ok = r["ok"].as_bool().unwrap_or(false);
            let stream = r["stream"].as_str().unwrap_or_default().to_string();
            match stream.strip_prefix("<string>:") {
                Some(rest) => {
                    let (line, rest) = rest.split_once(": (").unwrap_or(("", rest));
                    let message = rest.split_once(") ").map_or(rest, |(_, m)| m);
                    let message = message.split("\n\n").next().unwrap_or_default().trim_end();
                    (ok, message.to_string(), line.parse().ok())
                }
                None => (ok, stream.trim().to_string(), None),
            }
        })
        .collect()
}

#[test]
fn native_checker_agrees_with_readme_renderer() {
    assert!(CASES.len() >= 40);
    let texts: Vec<&str> = CASES.iter().map(|(t, _)| *t).collect();
    let reference = readme_renderer(&texts);
    let mut failures = Vec::new();
    for ((text, expected), (renders, rr_message, rr_line)) in CASES.iter().zip(reference) {
        let native = rst::check(text);
        if renders && !native.is_empty() {
            failures.push(format!("FALSE ERROR on {text:?}: native says {native:?}"));
            continue;
        }
        let Some(expected) = expected else {
            if !renders && native.is_empty() {
                // Allowed (the native checker is conservative), but the table says it renders.
                failures.push(format!(
                    "case {text:?} is listed as rendering, but readme-renderer says {rr_message:?}"
                ));
            }
            continue;
        };
        if renders {
            failures.push(format!(
                "case {text:?} renders with readme-renderer; expected {expected:?}"
            ));
            continue;
        }
        if rr_message != *expected {
            failures.push(format!(
                "readme-renderer says {rr_message:?} for {text:?}, table expects {expected:?}"
            ));
        }
        match native.first() {
            None => failures.push(format!("MISSED {expected:?} in {text:?}")),
            Some(p) => {
                if p.message != *expected {
                    failures.push(format!(
                        "native says {:?} for {text:?}, expected {expected:?}",
                        p.message
                    ));
                }
                if p.line.is_some() && p.line != rr_line {
                    failures.push(format!(
                        "native line {:?} vs docutils line {rr_line:?} for {text:?}",
                        p.line
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Constructs the native checker does not model exactly, each of which readme-renderer judges
/// differently from a plain reading: the native verdict on them must never be called certain.
const UNCERTAIN: &[&str] = &[
    ".. code-block:: python\n   :linenos:\n\n   x = 1\n",
    ".. list-table::\n\n   * - a\n     - b\n   * - c\n",
    ".. header:: x\n\nbody\n",
    ".. image:: https://x.org/i.png\n   :target: foo_\n\ntext\n",
    ".. |a| image:: https://x.org/i.png\n\n.. |a| image:: https://x.org/j.png\n\n|a|\n",
    ".. |a| image::\n\n|a|\n",
    "see :pep:`abc`\n",
    "see :index:`abc`\n",
    ".. [#] \n\ntext\n",
    "+---+\n| a |\n+---+\n",
    "=====  =====\na      b\n=====  =====\n",
    ".. note::\n   :class: x\n\n   hi\n",
    "Intro\n\nTitle\n=====\n\n=====\n",
];

/// Every document the native checker calls certain gets readme-renderer's verdict and, when
/// it fails, docutils' first message; the listed gaps are never called certain; real READMEs
/// of the corpus are (so `--rst-renderer auto` starts no Python for them).
#[test]
fn certain_verdicts_are_readme_renderers() {
    let mut texts: Vec<String> = CASES.iter().map(|(t, _)| t.to_string()).collect();
    texts.extend(UNCERTAIN.iter().map(|t| t.to_string()));
    let corpus = corpus_rst_descriptions();
    assert!(corpus.len() >= 7, "{} corpus descriptions", corpus.len());
    texts.extend(corpus.iter().map(|(_, t)| t.clone()));
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let reference = readme_renderer(&refs);
    let mut failures = Vec::new();
    let mut certain = 0;
    for (text, (renders, rr_message, _)) in texts.iter().zip(reference) {
        let v = rst::judge(text);
        if UNCERTAIN.contains(&text.as_str()) && v.certain {
            failures.push(format!("called certain: {text:?}"));
        }
        if !v.certain {
            continue;
        }
        certain += 1;
        match (renders, v.problems.first()) {
            (true, None) => {}
            (false, Some(p)) if p.message == rr_message => {}
            (r, p) => failures.push(format!(
                "certain but wrong on {text:?}: readme-renderer {} {rr_message:?}, native {p:?}",
                if r { "renders" } else { "fails" }
            )),
        }
    }
    for (name, text) in &corpus {
        if !rst::judge(text).certain {
            failures.push(format!("the corpus description of {name} is not certain"));
        }
    }
    assert!(certain * 2 > texts.len(), "only {certain} certain");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The reStructuredText long descriptions of the corpus wheels (Description-Content-Type
/// text/x-rst or missing), by wheel filename.
fn corpus_rst_descriptions() -> Vec<(String, String)> {
    let dir = test_support::corpus_dir().join("wheels");
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let report = shipwheel_dist::check_file(&path, &shipwheel_dist::CheckOptions::default());
        let meta = report.metadata.expect("corpus metadata parses");
        let rst = meta
            .field("description-content-type")
            .is_none_or(|t| t.starts_with("text/x-rst"));
        if let Some(d) = meta.description().filter(|d| rst && !d.trim().is_empty()) {
            out.push((report.filename.clone(), d.to_string()));
        }
    }
    out
}

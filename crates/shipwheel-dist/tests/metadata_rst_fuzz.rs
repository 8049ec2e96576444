//! Randomized differential test: thousands of generated reStructuredText documents (built from
//! the pieces that trip docutils) go through the real readme-renderer in one Python process;
//! the native checker must never fail a document readme-renderer renders. The generator is
//! seeded, so a failure reproduces exactly.

use shipwheel_dist::description::rst;

const PIECES: &[&str] = &[
    "word",
    "text",
    "x",
    " ",
    " ",
    " ",
    "\n",
    "\n",
    "\n\n",
    "\n\n",
    "  ",
    "   ",
    "*",
    "**",
    "``",
    "`",
    "|",
    "_",
    "__",
    ":code:",
    ":foo:",
    "::",
    "\n.. ",
    "\n- ",
    "\n* ",
    "\n1. ",
    "\n2. ",
    "\n=====\n",
    "\n----\n",
    "\n~~~\n",
    "<",
    ">",
    "(",
    ")",
    "'",
    "\"",
    "\\",
    "http://x.org/a_",
    "[1]_",
    "[#]_",
    "\n.. _a: http://x.org\n",
    "\n.. |s| replace:: y\n",
    "|s|",
    "a_",
    "`a`_",
    "`b <http://b.org>`_",
    "`c <a_>`_",
    "\n.. note:: ",
    "\n.. code-block:: python\n\n   x\n",
    ":f: ",
    "\n>>> ",
    "\n| ",
    "\n+---+\n| a |\n+---+\n",
    "é",
    "—",
    "«",
    "»",
    "-",
    "/",
    ".",
    ",",
    "?",
    "\n.. [1] note\n",
    "\n   ",
    "\n\t",
    "\n:: \n",
    "a@b.org",
    "1.0_",
    "(*)",
    "\"*\"",
    "\n.. image:: http://x.org/i.png\n",
    "\n.. _b:\n",
    "Title\n=====\n",
    "\nTerm\n  def\n",
];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn documents(seed: u64, count: usize) -> Vec<String> {
    let mut rng = Lcg(seed);
    (0..count)
        .map(|_| {
            let len = 1 + rng.below(14);
            let mut doc = String::from("Intro\n\n");
            for _ in 0..len {
                doc.push_str(PIECES[rng.below(PIECES.len())]);
            }
            doc.push('\n');
            doc
        })
        .collect()
}

/// Block-shaped pieces: whole lines with list markers, indentation, directives and titles,
/// so list, quote and directive nesting is exercised as READMEs use it.
const LINE_STARTS: &[&str] = &[
    "",
    "",
    "",
    "  ",
    "   ",
    "    ",
    "- ",
    "* ",
    "1. ",
    "2. ",
    "#. ",
    "  - ",
    "   * ",
    ":Field: ",
    ".. note:: ",
    ".. note::",
    ".. code-block:: python",
    ".. image:: x.png",
    ".. _t: http://t.org",
    ".. |s| replace:: sub",
    ".. [1] ",
    ".. [#] ",
    "| ",
    ">>> ",
    "-o  ",
    "Term",
    "   ",
    "..",
];
const LINE_ENDS: &[&str] = &[
    "text",
    "more words here",
    "*em*",
    "**strong**",
    "``code``",
    "`ref`_",
    "t_",
    "|s|",
    "[1]_",
    "[#]_",
    ":code:`x`",
    "`x <http://x.org>`_",
    "a::",
    "",
    "*",
    "`",
    "``",
    "|",
    "é *é*",
    "::",
    ":bad:`x`",
    "`anon`__",
    "x_",
];
const UNDERLINES: &[&str] = &["=====", "-----", "~~~~~", "===", "^^^^^^^^", "+---+---+"];

fn block_documents(seed: u64, count: usize) -> Vec<String> {
    let mut rng = Lcg(seed);
    (0..count)
        .map(|_| {
            let lines = 2 + rng.below(10);
            let mut doc = String::new();
            for _ in 0..lines {
                match rng.below(10) {
                    0 => doc.push('\n'),
                    1 => {
                        doc.push_str(UNDERLINES[rng.below(UNDERLINES.len())]);
                        doc.push('\n');
                    }
                    _ => {
                        doc.push_str(LINE_STARTS[rng.below(LINE_STARTS.len())]);
                        doc.push_str(LINE_ENDS[rng.below(LINE_ENDS.len())]);
                        doc.push('\n');
                    }
                }
            }
            doc
        })
        .collect()
}

const RENDER: &str = r#"
import io, json, sys
from readme_renderer.rst import render
print(json.dumps([render(t, stream=io.StringIO()) is not None for t in json.load(sys.stdin)]))
"#;

fn renders(texts: &[String]) -> Vec<bool> {
    test_support::peer_python_json(RENDER, &texts)
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn block_structures_never_fail_what_readme_renderer_renders() {
    let seed = env("SHIPWHEEL_RST_FUZZ_SEED", 0xb10c);
    let count = env("SHIPWHEEL_RST_FUZZ_COUNT", 2000) as usize;
    let docs = block_documents(seed, count);
    let verdicts = renders(&docs);
    let false_errors: Vec<String> = docs
        .iter()
        .zip(verdicts)
        .filter(|(_, ok)| *ok)
        .filter_map(|(doc, _)| {
            let native = rst::check(doc);
            (!native.is_empty()).then(|| format!("{doc:?} => {native:?}"))
        })
        .collect();
    assert!(
        false_errors.is_empty(),
        "{} false errors, e.g.:\n{}",
        false_errors.len(),
        false_errors
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn native_checker_never_fails_what_readme_renderer_renders() {
    // SHIPWHEEL_RST_FUZZ_SEED / _COUNT run other or longer sequences locally.
    let seed = env("SHIPWHEEL_RST_FUZZ_SEED", 0x5eed_2026);
    let count = env("SHIPWHEEL_RST_FUZZ_COUNT", 2500) as usize;
    let docs = documents(seed, count);
    let verdicts = renders(&docs);
    let mut false_errors = Vec::new();
    let (mut failing, mut caught) = (0, 0);
    for (doc, ok) in docs.iter().zip(verdicts) {
        let native = rst::check(doc);
        if ok && !native.is_empty() {
            false_errors.push(format!("{doc:?} => {native:?}"));
        }
        if !ok {
            failing += 1;
            if !native.is_empty() {
                caught += 1;
            }
        }
    }
    assert!(
        false_errors.is_empty(),
        "{} false errors, e.g.:\n{}",
        false_errors.len(),
        false_errors
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The checker must not be trivially silent: most generated failures are common kinds.
    assert!(
        failing * 10 > count,
        "the generator should produce failing documents ({failing})"
    );
    assert!(
        caught * 2 > failing,
        "caught only {caught} of {failing} failing documents"
    );
}

/// Where the native checker calls its verdict certain, readme-renderer agrees: it renders
/// exactly the documents the native checker passes (both generators). `--rst-renderer auto`
/// skips readme-renderer for these, so a disagreement here is a wrong final verdict.
#[test]
fn certain_verdicts_agree_with_readme_renderer() {
    let seed = env("SHIPWHEEL_RST_FUZZ_SEED", 0xce27_a1e5);
    let count = env("SHIPWHEEL_RST_FUZZ_COUNT", 2500) as usize;
    let mut docs = documents(seed, count);
    docs.extend(block_documents(seed ^ 0xb10c, count));
    let verdicts = renders(&docs);
    let mut wrong = Vec::new();
    let (mut certain, mut certain_failing) = (0, 0);
    for (doc, ok) in docs.iter().zip(verdicts) {
        let v = rst::judge(doc);
        if !v.certain {
            continue;
        }
        certain += 1;
        if !ok {
            certain_failing += 1;
        }
        if ok != v.problems.is_empty() {
            wrong.push(format!(
                "{doc:?}: readme-renderer {}, native (certain) {:?}",
                if ok { "renders" } else { "fails" },
                v.problems
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} certain verdicts disagree, e.g.:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Not trivially uncertain: a good share of documents, passing and failing, is decided.
    assert!(
        certain * 4 > docs.len(),
        "only {certain} of {} certain",
        docs.len()
    );
    assert!(
        certain_failing * 10 > certain,
        "{certain_failing} of {certain} certain ones fail"
    );
}

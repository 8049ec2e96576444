//! Differential test of the entry_points.txt rule against Python's own `configparser`, set up
//! the way PyPI validates wheels (`=` as the only delimiter, case-sensitive keys, strict), plus
//! PyPI's `[\w.-]+` rule for script names. A false error here blocks a release.

use shipwheel_dist::metadata::check_entry_points;

const CASES: &[&str] = &[
    "[console_scripts]\nfoo = foo:main\n",
    "# comment\n; other\n\n[console_scripts]\nfoo=foo:main\n  # indented comment\nbar = bar:main [x, y]\n\n[x.y]\na:b = c\nK = v\nk = w\n",
    "[console_scripts]\nfoo = foo:main\n    continued\n",
    "[console_scripts]\nfoo = foo:main\n\n    continued after a blank line\n",
    "[console_scripts]\nfoo = foo:main\n# comment\n    continued after a comment\n",
    "[DEFAULT]\nx = 1\n[console_scripts]\nfoo = foo:main\n",
    "[DEFAULT]\n[DEFAULT]\n[console_scripts]\nfoo = a:b\n",
    "  [console_scripts]\nfoo = foo:main\n",
    "[console_scripts]\n  foo = foo:main\n  bar = bar:main\n",
    "[console_scripts]\n  foo = foo:main\n  foo = bar:main\n",
    "[console_scripts]\n  foo = foo:main\n    bar baz\n",
    "[console_scripts]\r\nfoo = foo:main\r\n",
    "[console_scripts]\nfoo : foo:main\n",
    "[console_scripts]\nfoo bar = x:y\n",
    "[console_scripts]\nfoo-bar.baz_1 = x:y\n[gui_scripts]\nÜber = x:y\n",
    "[console_scripts]\n= x:y\n",
    "[plugins]\n= x:y\n",
    "[console_scripts]\nfoo =\n",
    "[a]\n[a]\n",
    "[console_scripts]\nfoo = a\nFOO = b\n",
    "",
    "[console_scripts] ; trailing\nfoo = a\n",
    "[console_scripts]\nfoo = a ; not a comment\n",
    "x = 1\n",
    "  x = 1\n",
    "[]\nx = 1\n",
    "[a]\nfoo = 1\n[b]\nfoo = 2\n",
    "[a]\n    foo = 1\nbar = 2\n",
];

const PARSE: &str = r#"
import configparser, json, re, sys
out = []
for text in json.load(sys.stdin):
    cp = configparser.ConfigParser(delimiters=("=",))
    cp.optionxform = str
    try:
        cp.read_string(text)
        ok = all(
            re.fullmatch(r"[\w.-]+", name)
            for group in ("console_scripts", "gui_scripts") if cp.has_section(group)
            for name in cp[group]
        )
    except configparser.Error:
        ok = False
    out.append(ok)
json.dump(out, sys.stdout)
"#;

fn python_verdicts(texts: &[&str]) -> Vec<bool> {
    test_support::peer_python_json(PARSE, &texts)
}

#[test]
fn entry_points_agree_with_configparser() {
    let verdicts = python_verdicts(CASES);
    assert_eq!(verdicts.len(), CASES.len());
    let mut failures = Vec::new();
    for (text, python_ok) in CASES.iter().zip(verdicts) {
        let found = check_entry_points("demo-1.0-py3-none-any.whl", text);
        match (python_ok, found.is_empty()) {
            (true, false) => failures.push(format!("FALSE ERROR on {text:?}: {found:?}")),
            (false, true) => failures.push(format!("MISSED {text:?} (configparser refuses it)")),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

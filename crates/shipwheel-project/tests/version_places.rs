//! Finding the version in every kind of project, and editing it byte-exactly (snapshots).

use std::path::Path;
use std::str::FromStr;

use shipwheel_project::config::Pyproject;
use shipwheel_project::uv_pep440::Version;
use shipwheel_project::version::{SourceKind, VersionError, discover, edits, write_version};

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn load(dir: &Path) -> Pyproject {
    Pyproject::load(dir).unwrap()
}

/// Edit to `new` and check that outside the version text not one byte changed.
fn edit_all(dir: &Path, new: &str) -> Vec<(String, String)> {
    let py = load(dir);
    let d = discover(&py).unwrap();
    let new_v = Version::from_str(new).unwrap();
    let out = edits(dir, &d.places, &new_v).unwrap();
    for (file, edited) in &out {
        let old = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut ranges: Vec<_> = d
            .places
            .iter()
            .filter(|p| &p.file == file)
            .map(|p| p.range.clone())
            .collect();
        ranges.sort_by_key(|r| r.start);
        // Rebuild the expected text from the old bytes around each range.
        let mut expected = String::new();
        let mut pos = 0;
        for r in &ranges {
            expected.push_str(&old[pos..r.start]);
            expected.push_str(&new_v.to_string());
            pos = r.end;
        }
        expected.push_str(&old[pos..]);
        assert_eq!(edited, &expected);
        assert_eq!(
            edited.len() as isize - old.len() as isize,
            ranges
                .iter()
                .map(|r| new_v.to_string().len() as isize - (r.end - r.start) as isize)
                .sum::<isize>()
        );
    }
    out.into_iter()
        .map(|(f, t)| (f.display().to_string(), t))
        .collect()
}

const PEP621: &str = r#"# Project file with comments and odd spacing
[build-system]
requires = ["hatchling>=1.20"]   # build dep
build-backend = "hatchling.build"

[project]
name    = "demo-pkg"
version = '1.4.0'  # the release version (literal string stays literal)
description = "Demo"
dependencies = [
  "requests>=2",  # http
]

[tool.shipwheel]
version-files = ["src/demo_pkg/__init__.py", { path = "docs/conf.py", pattern = 'release = "(?P<version>[^"]+)"' }]
"#;

const INIT: &str = "\"\"\"Demo package.\"\"\"\n\n__all__ = [\"main\"]\n__version__ = \"1.4.0\"   # keep me\n\n\ndef main() -> None:\n    print(__version__)\n";
const CONF: &str = "project = 'demo'\nversion = '1.4'\nrelease = \"1.4.0\"\r\nextensions = []\r\n";

#[test]
fn static_version_with_extra_files() {
    let dir = project(&[
        ("pyproject.toml", PEP621),
        ("src/demo_pkg/__init__.py", INIT),
        ("docs/conf.py", CONF),
    ]);
    let d = discover(&load(dir.path())).unwrap();
    assert_eq!(d.places.len(), 3);
    assert_eq!(d.places[0].kind, SourceKind::Project);
    assert_eq!(d.agreed().unwrap().to_string(), "1.4.0");
    let out = edit_all(dir.path(), "1.5.0rc1");
    for (file, text) in out {
        insta::assert_snapshot!(format!("static_{}", file.replace(['/', '.'], "_")), text);
    }
}

#[test]
fn disagreement_names_every_place() {
    let dir = project(&[
        ("pyproject.toml", PEP621),
        ("src/demo_pkg/__init__.py", &INIT.replace("1.4.0", "1.3.9")),
        ("docs/conf.py", CONF),
    ]);
    let d = discover(&load(dir.path())).unwrap();
    let err = d.agreed().unwrap_err();
    assert!(matches!(err, VersionError::Disagree(_)));
    let msg = err.to_string();
    assert!(
        msg.contains("pyproject.toml [project].version = 1.4.0"),
        "{msg}"
    );
    assert!(
        msg.contains("src/demo_pkg/__init__.py (from [tool.shipwheel] version-files) = 1.3.9"),
        "{msg}"
    );
    assert!(msg.contains("docs/conf.py"), "{msg}");
}

#[test]
fn hatch_path() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"h\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\npath = \"src/h/__about__.py\"\n",
        ),
        ("src/h/__about__.py", "# SPDX\n__version__ = \"0.9.1\"\n"),
    ]);
    let d = discover(&load(dir.path())).unwrap();
    assert_eq!(d.places[0].kind, SourceKind::Hatch);
    let out = edit_all(dir.path(), "0.10.0");
    insta::assert_snapshot!("hatch_about", &out[0].1);
}

#[test]
fn setuptools_attr_and_file() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"s\"\ndynamic = [\"version\"]\n\n[tool.setuptools.dynamic]\nversion = {attr = \"s.version.VERSION\"}\n",
        ),
        ("src/s/version.py", "VERSION: str = '2.0.0'\n"),
    ]);
    let d = discover(&load(dir.path())).unwrap();
    assert_eq!(d.places[0].kind, SourceKind::SetuptoolsAttr);
    assert_eq!(d.places[0].file, Path::new("src/s/version.py"));
    let out = edit_all(dir.path(), "2.0.1");
    insta::assert_snapshot!("setuptools_attr", &out[0].1);

    let dir = project(&[
        (
            "pyproject.toml",
            "[project]\nname = \"s\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = {file = \"VERSION.txt\"}\n",
        ),
        ("VERSION.txt", "3.1\n"),
    ]);
    let d = discover(&load(dir.path())).unwrap();
    assert_eq!(d.places[0].kind, SourceKind::SetuptoolsFile);
    let out = edit_all(dir.path(), "3.2");
    assert_eq!(out[0].1, "3.2\n");
}

#[test]
fn flit_module() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"flit_core>=3.4\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[project]\nname = \"flit-demo\"\ndynamic = [\"version\", \"description\"]\n",
        ),
        (
            "flit_demo/__init__.py",
            "\"\"\"A flit package.\"\"\"\n\n__version__ = '0.1.0'\n",
        ),
    ]);
    let d = discover(&load(dir.path())).unwrap();
    assert_eq!(d.places[0].kind, SourceKind::Flit);
    let out = edit_all(dir.path(), "0.2.0");
    insta::assert_snapshot!("flit_init", &out[0].1);
}

#[test]
fn poetry_table() {
    let text = "[tool.poetry]\nname = \"p\"\nversion = \"1.0.0\"    # bumped by CI\ndescription = \"\"\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n";
    let dir = project(&[("pyproject.toml", text)]);
    let d = discover(&load(dir.path())).unwrap();
    assert_eq!(d.places[0].kind, SourceKind::Poetry);
    let out = edit_all(dir.path(), "1.1.0");
    insta::assert_snapshot!("poetry", &out[0].1);
}

#[test]
fn vcs_backends_are_detected() {
    for (text, label) in [
        (
            "[project]\nname='x'\ndynamic=['version']\n[tool.hatch.version]\nsource = \"vcs\"\n",
            "hatch-vcs",
        ),
        (
            "[build-system]\nrequires=['setuptools>=64', 'setuptools_scm>=8']\n[project]\nname='x'\ndynamic=['version']\n",
            "setuptools-scm",
        ),
        (
            "[project]\nname='x'\ndynamic=['version']\n[tool.setuptools_scm]\n",
            "setuptools-scm",
        ),
        (
            "[project]\nname='x'\ndynamic=['version']\n[tool.pdm.version]\nsource = \"scm\"\n",
            "pdm-backend",
        ),
    ] {
        let dir = project(&[("pyproject.toml", text)]);
        let d = discover(&load(dir.path())).unwrap();
        assert!(d.places.is_empty());
        assert!(d.vcs.unwrap().to_string().starts_with(label), "{label}");
    }
}

#[test]
fn missing_and_broken_configuration_is_a_clear_error() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("pyproject.toml", "[project]\nname='x'\n")],
            "no version found",
        ),
        (
            &[(
                "pyproject.toml",
                "[project]\nname='x'\ndynamic=['version']\n[build-system]\nbuild-backend='maturin'\n",
            )],
            "version-files",
        ),
        (
            &[(
                "pyproject.toml",
                "[project]\nname='x'\ndynamic=['version']\n[tool.hatch.version]\npath='nope.py'\n",
            )],
            "cannot read",
        ),
        (
            &[
                (
                    "pyproject.toml",
                    "[project]\nname='x'\ndynamic=['version']\n[tool.hatch.version]\npath='a.py'\n",
                ),
                ("a.py", "__version__ = get()\n"),
            ],
            "no `__version__`",
        ),
        (
            &[(
                "pyproject.toml",
                "[project]\nname='x'\ndynamic=['version']\n[tool.setuptools.dynamic]\nversion={attr='missing.__version__'}\n",
            )],
            "module missing not found",
        ),
        (
            &[("pyproject.toml", "[project]\nname='x'\nversion=1\n")],
            "must be a string",
        ),
    ];
    for (files, needle) in cases {
        let dir = project(files);
        let err = discover(&load(dir.path())).unwrap_err().to_string();
        assert!(err.contains(needle), "{needle:?} not in {err:?}");
    }
    let dir = project(&[("pyproject.toml", "[project\nname='x'\n")]);
    let err = Pyproject::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("not valid TOML"), "{err}");
}

#[test]
fn write_is_all_or_nothing_and_writes_every_place() {
    let dir = project(&[
        ("pyproject.toml", PEP621),
        ("src/demo_pkg/__init__.py", INIT),
        ("docs/conf.py", CONF),
    ]);
    let py = load(dir.path());
    let d = discover(&py).unwrap();
    let files = write_version(dir.path(), &d.places, &Version::from_str("2.0").unwrap()).unwrap();
    assert_eq!(files.len(), 3);
    let d2 = discover(&load(dir.path())).unwrap();
    assert_eq!(d2.agreed().unwrap().to_string(), "2.0");
    // No temporary files are left behind.
    let leftovers: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|p| p.contains("shipwheel-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

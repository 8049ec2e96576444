//! `shipwheel version` on projects versioned by git tags gives what the real backend gives:
//! setuptools-scm, hatch-vcs and pdm-backend (pinned in the peers venv) on the same
//! repositories, over a table of tag layouts.

mod plan_support;

use std::path::Path;
use std::process::Command;

use plan_support::*;

/// 2026-11-27T01:02:03Z, for the `.d<date>` of a dirty tree (both sides read it).
const SOURCE_DATE_EPOCH: &str = "1795741323";

/// Ask the real backend for the version of the project in the current directory.
const BACKEND: &str = r#"
import sys, tomllib, warnings
warnings.simplefilter("ignore")
backend = sys.argv[1]
try:
    cfg = tomllib.load(open("pyproject.toml", "rb"))["tool"]
    if backend == "setuptools-scm":
        import subprocess
        out = subprocess.run([sys.executable, "-m", "setuptools_scm"], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
        print(out.stdout.strip())
    elif backend == "hatch-vcs":
        from hatch_vcs.version_source import VCSVersionSource
        print(VCSVersionSource(".", cfg["hatch"]["version"]).get_version_data()["version"])
    elif backend == "pdm":
        from pdm.backend._vendor.packaging.version import Version
        from pdm.backend.hooks.version.scm import default_version_formatter, get_version_from_scm
        pdm = cfg["pdm"]["version"]
        scm = get_version_from_scm(".", tag_regex=pdm.get("tag_regex"), tag_filter=pdm.get("tag_filter"))
        print(Version(default_version_formatter(scm)))
except Exception as e:
    print(f"ERROR: {e}")
    sys.exit(1)
"#;

fn backend_version(dir: &Path, backend: &str) -> Result<String, String> {
    let out = Command::new(test_support::peer_bin("python"))
        .args(["-c", BACKEND, backend])
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env_remove("SETUPTOOLS_SCM_PRETEND_VERSION")
        .env_remove("PDM_BUILD_SCM_VERSION")
        .output()
        .expect("run the peers python (scripts/peers.sh installs it)");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{text} {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `shipwheel version --format json`: Ok(display) on exit 0, Err(message) on exit 2.
fn shipwheel_version(dir: &Path) -> Result<String, String> {
    let out = shipwheel()
        .current_dir(dir)
        .args(["version", "--format", "json"])
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            Ok(v["display"].as_str().unwrap().to_string())
        }
        Some(2) => Err(stderr),
        other => panic!("exit {other:?}: {stderr}"),
    }
}

fn setuptools_scm(options: &str) -> String {
    format!(
        "[build-system]\nrequires = [\"setuptools>=64\", \"setuptools-scm>=8\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
         [project]\nname = \"scm-demo\"\ndynamic = [\"version\"]\n\n[tool.setuptools_scm]\n{options}"
    )
}

fn hatch_vcs(options: &str) -> String {
    format!(
        "[build-system]\nrequires = [\"hatchling\", \"hatch-vcs\"]\nbuild-backend = \"hatchling.build\"\n\n\
         [project]\nname = \"hatch-demo\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\nsource = \"vcs\"\n{options}"
    )
}

fn pdm(options: &str) -> String {
    format!(
        "[build-system]\nrequires = [\"pdm-backend\"]\nbuild-backend = \"pdm.backend\"\n\n\
         [project]\nname = \"pdm-demo\"\ndynamic = [\"version\"]\n\n[tool.pdm.version]\nsource = \"scm\"\n{options}"
    )
}

/// One repository layout: tags on successive commits, then extra commits, then maybe an edit.
struct Case {
    name: &'static str,
    tags: &'static [&'static str],
    after: u32,
    dirty: bool,
}

const fn case(name: &'static str, tags: &'static [&'static str], after: u32, dirty: bool) -> Case {
    Case {
        name,
        tags,
        after,
        dirty,
    }
}

/// Layouts every backend is compared on.
const LAYOUTS: &[Case] = &[
    case("v prefix, on the tag", &["v1.2.3"], 0, false),
    case("bare tag, the reported project", &["26.1.0"], 2, false),
    case("capital V, two parts", &["V1.2"], 1, false),
    case("name- prefix", &["name-1.2.3"], 1, false),
    case("name-v prefix, on the tag", &["mypkg-v2.0.0"], 0, false),
    case("prerelease", &["1.0.0rc1"], 3, false),
    case("post release", &["1.0.post1"], 1, false),
    case("dev0 tag", &["2.0.dev0"], 2, false),
    case("local part in the tag", &["1.0+build.7"], 0, false),
    case(
        "words without digits are skipped",
        &["1.0.0", "latest", "nightly"],
        0,
        false,
    ),
    case("newest of several", &["v0.9", "v1.0", "v1.1"], 4, false),
    case("dirty after a tag", &["1.2.3"], 2, true),
    case("dirty on the tag", &["1.2.3"], 0, true),
    case("no tag", &[], 2, false),
    case("no tag, dirty", &[], 1, true),
    case("single number tag", &["7"], 1, false),
    case("epoch", &["1!2.0"], 1, false),
];

fn build(pyproject: &str, c: &Case) -> Repo {
    let mut repo = Repo::new(pyproject);
    repo.write("src/mod.py", "x = 1\n");
    for tag in c.tags {
        repo.commit(&format!("release {tag}"));
        repo.tag(tag);
    }
    for i in 0..c.after {
        repo.commit(&format!("work {i}"));
    }
    if c.dirty {
        repo.write("src/mod.py", "x = 2\n");
    }
    repo
}

fn compare(backend: &str, pyproject: &str, cases: &[Case]) -> Vec<String> {
    let mut mismatches = Vec::new();
    for c in cases {
        let repo = build(pyproject, c);
        let want = backend_version(&repo.path, backend);
        let got = shipwheel_version(&repo.path);
        let same = match (&want, &got) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !same {
            mismatches.push(format!(
                "[{backend}] {} (tags {:?}, +{} commits, dirty {}): backend {want:?}, shipwheel {got:?}",
                c.name, c.tags, c.after, c.dirty
            ));
        }
    }
    mismatches
}

#[test]
fn setuptools_scm_default_regex_matches_the_real_one() {
    let m = compare("setuptools-scm", &setuptools_scm(""), LAYOUTS);
    assert!(m.is_empty(), "{}", m.join("\n"));
}

#[test]
fn hatch_vcs_matches_the_real_one() {
    let m = compare("hatch-vcs", &hatch_vcs(""), LAYOUTS);
    assert!(m.is_empty(), "{}", m.join("\n"));
}

#[test]
fn pdm_backend_matches_the_real_one() {
    let m = compare("pdm", &pdm(""), LAYOUTS);
    assert!(m.is_empty(), "{}", m.join("\n"));
}

#[test]
fn custom_tag_regexes_match_the_real_backends() {
    let release = &[
        case("custom regex, release/ tags", &["release/2.0.0"], 1, false),
        case("custom regex, on the tag", &["release/2.0.0"], 0, false),
        // The nearest tag does not match the custom regex: setuptools-scm fails, so must we.
        case(
            "custom regex, nearest tag not matching",
            &["release/2.0.0", "v3.0"],
            1,
            false,
        ),
    ];
    let mut m = compare(
        "setuptools-scm",
        &setuptools_scm("tag_regex = '^release/(?P<version>\\d+(?:\\.\\d+)*)$'\n"),
        release,
    );
    m.extend(compare(
        "hatch-vcs",
        &hatch_vcs("tag-pattern = '^release/(?P<version>\\d+(?:\\.\\d+)*)$'\n"),
        release,
    ));
    m.extend(compare(
        "pdm",
        &pdm("tag_regex = '^release/(?P<version>\\d+(?:\\.\\d+)*)$'\n"),
        release,
    ));
    // One unnamed group is the version too; `\Z` is Python's end of text.
    let one_group = &[case("single unnamed group", &["rel-4.5"], 2, false)];
    m.extend(compare(
        "setuptools-scm",
        &setuptools_scm("tag_regex = '^rel-(\\d+\\.\\d+)\\Z'\n"),
        one_group,
    ));
    // hatch-vcs passes raw-options to setuptools-scm; tag-pattern wins over them.
    m.extend(compare(
        "hatch-vcs",
        &hatch_vcs("raw-options = { local_scheme = \"no-local-version\" }\n"),
        &[case("raw-options local scheme", &["1.0"], 2, true)],
    ));
    m.extend(compare(
        "setuptools-scm",
        &setuptools_scm(
            "version_scheme = \"post-release\"\nlocal_scheme = \"node-and-timestamp\"\n",
        ),
        &[
            case("post-release scheme", &["1.0"], 2, false),
            case("timestamp local scheme, dirty", &["1.0"], 1, true),
        ],
    ));
    assert!(m.is_empty(), "{}", m.join("\n"));
}

#[test]
fn a_regex_rust_cannot_run_is_a_config_error() {
    let repo = build(
        &hatch_vcs("tag-pattern = '^(?P<version>(?!0)\\d+\\.\\d+)$'\n"),
        &case("look-ahead", &["1.0"], 0, false),
    );
    for args in [&["version"][..], &["version", "dev"], &["plan"]] {
        let out = shipwheel()
            .current_dir(&repo.path)
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("[tool.hatch.version] tag-pattern"), "{err}");
        assert!(err.contains("look-around"), "{err}");
    }
}

/// setuptools-scm reads git only at the top of the work tree unless `root` points there.
#[test]
fn project_in_a_subdirectory_follows_setuptools_scm() {
    let mut repo = Repo::new("");
    repo.write("pkg/pyproject.toml", &setuptools_scm(""));
    repo.commit("package in a subdirectory");
    repo.tag("1.0");
    repo.commit("more");
    let pkg = repo.path.join("pkg");
    assert!(backend_version(&pkg, "setuptools-scm").is_err());
    let err = shipwheel_version(&pkg).unwrap_err();
    assert!(err.contains("not the top of its git work tree"), "{err}");
    repo.write("pkg/pyproject.toml", &setuptools_scm("root = \"..\"\n"));
    repo.commit("root = ..");
    let want = backend_version(&pkg, "setuptools-scm").unwrap();
    assert_eq!(shipwheel_version(&pkg), Ok(want));
}

//! `shipwheel version` end to end, on real git repositories.

mod plan_support;

use plan_support::*;

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = shipwheel().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const OFFLINE: &[&str] = &["plan", "--format", "json", "--offline"];
const EXTRA: &str = "[tool.shipwheel]\nversion-files = [\"src/demo_pkg/__init__.py\"]\n";
const INIT: &str = "\"\"\"Demo.\"\"\"\n\n__version__ = '1.4.0'  # single quotes stay\n";

fn demo() -> Repo {
    let mut repo = Repo::new(&pyproject("1.4.0", EXTRA));
    repo.write("src/demo_pkg/__init__.py", INIT);
    repo.commit("add package");
    repo
}

#[test]
fn shows_version_and_every_place() {
    let repo = demo();
    let (code, out, err) = run(&repo.path, &["version"]);
    assert_eq!((code, out.as_str()), (0, "1.4.0"), "{err}");
    assert!(
        err.contains("from pyproject.toml [project].version"),
        "{err}"
    );
    assert!(
        err.contains("from src/demo_pkg/__init__.py (from [tool.shipwheel] version-files)"),
        "{err}"
    );
    let (_, json, _) = run(&repo.path, &["version", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["version"], "1.4.0");
    assert_eq!(json["places"].as_array().unwrap().len(), 2);
}

#[test]
fn bump_and_set_edit_every_place_and_nothing_else() {
    let repo = demo();
    let before = std::fs::read_to_string(repo.path.join("pyproject.toml")).unwrap();
    let (code, out, err) = run(&repo.path, &["version", "bump", "minor", "--dry-run"]);
    assert_eq!((code, out.as_str()), (0, "1.5.0"), "{err}");
    assert_eq!(
        std::fs::read_to_string(repo.path.join("pyproject.toml")).unwrap(),
        before
    );

    let (code, out, _) = run(&repo.path, &["version", "bump", "pre", "rc"]);
    assert_eq!((code, out.as_str()), (0, "1.4.1rc1"));
    let after = std::fs::read_to_string(repo.path.join("pyproject.toml")).unwrap();
    assert_eq!(after, before.replace("\"1.4.0\"", "\"1.4.1rc1\""));
    insta::assert_snapshot!(
        "cli_bump_pre_rc_init",
        std::fs::read_to_string(repo.path.join("src/demo_pkg/__init__.py")).unwrap()
    );

    let (code, out, _) = run(&repo.path, &["version", "bump", "release"]);
    assert_eq!((code, out.as_str()), (0, "1.4.1"));
    let (code, _, err) = run(&repo.path, &["version", "bump", "release"]);
    assert_eq!(code, 1, "release of a final release is refused");
    assert!(err.contains("already a final release"), "{err}");

    let (code, out, _) = run(&repo.path, &["version", "set", "2.0.0-RC2"]);
    assert_eq!((code, out.as_str()), (0, "2.0.0rc2"), "written normalized");
    let (_, out, _) = run(&repo.path, &["version"]);
    assert_eq!(out, "2.0.0rc2");

    let (code, _, err) = run(&repo.path, &["version", "set", "not-a-version"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a PEP 440 version"), "{err}");
    let (code, _, err) = run(&repo.path, &["version", "set", "1.0+local"]);
    assert_eq!(code, 2);
    assert!(err.contains("local part"), "{err}");
    let (code, _, _) = run(&repo.path, &["version", "bump", "minor", "rc"]);
    assert_eq!(code, 2, "a kind only goes with pre");
}

#[test]
fn disagreement_exits_1_and_set_repairs_it() {
    let repo = demo();
    repo.write("src/demo_pkg/__init__.py", &INIT.replace("1.4.0", "1.3.0"));
    let (code, _, err) = run(&repo.path, &["version"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("pyproject.toml [project].version = 1.4.0"),
        "{err}"
    );
    assert!(
        err.contains("src/demo_pkg/__init__.py (from [tool.shipwheel] version-files) = 1.3.0"),
        "{err}"
    );
    let (code, _, _) = run(&repo.path, &["version", "bump", "patch"]);
    assert_eq!(code, 1);
    let (code, _, _) = run(&repo.path, &["version", "set", "1.4.0"]);
    assert_eq!(code, 0);
    assert_eq!(run(&repo.path, &["version"]).1, "1.4.0");
}

#[test]
fn bump_auto_reads_conventional_commits_since_the_tag() {
    let mut repo = demo();
    repo.tag("v1.4.0");
    repo.commit("fix: a bug");
    let (_, out, _) = run(&repo.path, &["version", "bump", "auto", "--dry-run"]);
    assert_eq!(out, "1.4.1");
    repo.commit("feat(cli): a flag");
    let (_, out, _) = run(&repo.path, &["version", "bump", "auto", "--dry-run"]);
    assert_eq!(out, "1.5.0");
    repo.commit("refactor!: drop python 3.8");
    let (_, out, _) = run(&repo.path, &["version", "bump", "auto", "--dry-run"]);
    assert_eq!(out, "2.0.0");
}

#[test]
fn dev_version_env_and_apply() {
    let mut repo = demo();
    repo.tag("v1.4.0");
    repo.commit("next");
    // Released 1.4.0 is tagged, so the dev build leads to 1.4.1; the commit was made at 00:03:00.
    let (code, out, _) = run(&repo.path, &["version", "dev"]);
    assert_eq!((code, out.as_str()), (0, "1.4.1.dev20260101000300"));
    let (_, env, _) = run(&repo.path, &["version", "dev", "--format", "env"]);
    assert!(
        env.contains("SETUPTOOLS_SCM_PRETEND_VERSION=1.4.1.dev20260101000300\n"),
        "{env}"
    );
    assert!(
        env.contains("SETUPTOOLS_SCM_PRETEND_VERSION_FOR_DEMO_PKG=1.4.1.dev20260101000300"),
        "{env}"
    );
    let (code, out, _) = run(&repo.path, &["version", "dev", "--apply"]);
    assert_eq!((code, out.as_str()), (0, "1.4.1.dev20260101000300"));
    assert_eq!(run(&repo.path, &["version"]).1, "1.4.1.dev20260101000300");
    let init = std::fs::read_to_string(repo.path.join("src/demo_pkg/__init__.py")).unwrap();
    assert_eq!(init, INIT.replace("1.4.0", "1.4.1.dev20260101000300"));
}

#[test]
fn versions_from_git_tags() {
    let vcs_py = "[build-system]\nrequires = [\"setuptools>=64\", \"setuptools-scm>=8\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
                  [project]\nname = \"scm-demo\"\ndynamic = [\"version\"]\n\n[tool.setuptools_scm]\n";
    let mut repo = Repo::new(vcs_py);
    let (code, out, err) = run(&repo.path, &["version"]);
    // As setuptools-scm prints it: `g` and 9 hex digits of the commit.
    let first = repo.sha("HEAD");
    assert_eq!(
        (code, out),
        (0, format!("0.1.dev1+g{}", &first[..9])),
        "{err}"
    );
    repo.tag("v0.3.0");
    let (_, out, err) = run(&repo.path, &["version"]);
    assert_eq!(out, "0.3.0");
    assert!(err.contains("git tag v0.3.0 (setuptools-scm)"), "{err}");
    repo.commit("more");
    let sha = repo.sha("HEAD");
    let (_, out, _) = run(&repo.path, &["version"]);
    assert_eq!(out, format!("0.3.1.dev1+g{}", &sha[..9]));
    // A bump is a tag.
    let (code, out, err) = run(&repo.path, &["version", "bump", "minor"]);
    assert_eq!((code, out.as_str()), (0, "0.4.0"));
    assert!(
        err.contains("git tag v0.4.0 && git push origin v0.4.0"),
        "{err}"
    );
    let (code, _, _) = run(&repo.path, &["version", "bump", "minor", "--create-tag"]);
    assert_eq!(code, 0);
    assert_eq!(repo.sha("v0.4.0"), sha);
    assert_eq!(run(&repo.path, &["version"]).1, "0.4.0");
    // Nothing to edit: set and dev --apply are refused with the alternative.
    let (code, _, err) = run(&repo.path, &["version", "dev", "--apply"]);
    assert_eq!(code, 1);
    assert!(err.contains("--format env"), "{err}");
    let (code, out, _) = run(&repo.path, &["version", "dev", "--format", "env"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("SETUPTOOLS_SCM_PRETEND_VERSION_FOR_SCM_DEMO=0.4.1.dev20260101000200"),
        "{out}"
    );
}

#[test]
fn no_project_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(tmp.path(), &["version"]);
    assert_eq!(code, 2);
    assert!(err.contains("pyproject.toml"), "{err}");
    assert!(err.contains("pass --project DIR"), "{err}");
    // Broken input files: exit 2 with the file named, never a panic.
    for (label, text) in [
        ("bad TOML", b"[project\nname = 'x'\n".as_slice()),
        ("not UTF-8", b"\xff[project]\n".as_slice()),
        (
            "version not a string",
            b"[project]\nname = 'x'\nversion = 5\n".as_slice(),
        ),
    ] {
        std::fs::write(tmp.path().join("pyproject.toml"), text).unwrap();
        // (`plan` outside CI publishes nothing and needs no version, but must read the file.)
        let plan_too = label != "version not a string";
        for args in [&["version"][..], &["version", "bump", "patch"], &["plan"]] {
            if args == ["plan"] && !plan_too {
                continue;
            }
            let (code, _, err) = run(tmp.path(), args);
            assert_eq!(code, 2, "[{label}] {args:?}: {err}");
            assert!(err.contains("pyproject.toml"), "[{label}] {args:?}: {err}");
            assert!(!err.contains("panicked"), "[{label}] {args:?}: {err}");
        }
    }
}

/// A hatch-vcs project tagged without `v` (`26.1.0`): `version`, `bump` and `plan` all use
/// hatch-vcs's own tag rules, as its build does.
#[test]
fn bare_tags_count_when_the_backend_reads_them() {
    let hatch = "[build-system]\nrequires = [\"hatchling\", \"hatch-vcs\"]\nbuild-backend = \"hatchling.build\"\n\n\
                 [project]\nname = \"bare-demo\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\nsource = \"vcs\"\n";
    let mut repo = Repo::new(hatch);
    repo.tag("26.1.0");
    repo.commit("one");
    let sha = repo.commit("two");
    let (code, out, err) = run(&repo.path, &["version"]);
    assert_eq!(
        (code, out),
        (0, format!("26.1.1.dev2+g{}", &sha[..9])),
        "{err}"
    );
    assert!(err.contains("2 commit(s) after 26.1.0 (hatch-vcs"), "{err}");
    // A new tag is written like the existing ones.
    let (code, out, err) = run(&repo.path, &["version", "bump", "minor"]);
    assert_eq!((code, out.as_str()), (0, "26.2.0"), "{err}");
    assert!(
        err.contains("git tag 26.2.0 && git push origin 26.2.0"),
        "{err}"
    );
    // `version dev` continues from the tag the backend reads.
    let (code, out, err) = run(&repo.path, &["version", "dev"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("26.1.1.dev2026"), "{out}");
    // plan: without a tag-pattern the backend's regex decides what a release tag is.
    repo.tag("26.2.0");
    let run = run_with_event(&repo.path, Some(&push_tag("26.2.0", &sha)), OFFLINE, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let plan = run.json();
    assert_eq!(plan["outcome"], "publish", "{plan:#}");
    assert_eq!(plan["version"], "26.2.0");
    // A tag the backend does not read as a version is not a release.
    repo.tag("docs");
    let run = run_with_event(&repo.path, Some(&push_tag("docs", &sha)), OFFLINE, &[]);
    assert_eq!(run.json()["outcome"], "nothing");
    // A configured tag-pattern still decides for plan.
    let mut pinned = Repo::new(&format!(
        "{hatch}\n[tool.shipwheel]\ntag-pattern = \"v{{version}}\"\n"
    ));
    pinned.tag("26.2.0");
    let sha = pinned.commit("x");
    let run = run_with_event(&pinned.path, Some(&push_tag("26.2.0", &sha)), OFFLINE, &[]);
    assert_eq!(run.json()["outcome"], "nothing");
}

/// The same configuration mistake is exit 2 from every `version` form and from `plan`.
#[test]
fn config_mistakes_exit_2_everywhere() {
    let forms: &[&[&str]] = &[
        &["version"],
        &["version", "--format", "json"],
        &["version", "bump", "patch"],
        &["version", "set", "2.0"],
        &["version", "dev"],
        &["version", "dev", "--format", "json"],
    ];
    // No pyproject.toml at all, in a git repository and outside one.
    let tmp = tempfile::tempdir().unwrap();
    let bare = Repo::new("");
    std::fs::remove_file(bare.path.join("pyproject.toml")).unwrap();
    for dir in [tmp.path(), bare.path.as_path()] {
        for args in forms {
            let (code, _, err) = run(dir, args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains("pyproject.toml"), "{args:?}: {err}");
        }
        let run = run_with_event(dir, Some(&push_tag("v1.0", "0000")), OFFLINE, &[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
    }
    // A version that is not PEP 440 (`set` repairs it, so it is not in the list).
    let mut repo = Repo::new(&pyproject("one.two", ""));
    let sha = repo.commit("x");
    for args in forms.iter().filter(|a| a[..] != ["version", "set", "2.0"]) {
        let (code, _, err) = run(&repo.path, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("\"one.two\" is not a PEP 440 version"),
            "{args:?}: {err}"
        );
    }
    repo.tag("v1.0");
    for event in [push_tag("v1.0", &sha), push_branch("main", &sha)] {
        let run = run_with_event(&repo.path, Some(&event), OFFLINE, &[]);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("not a PEP 440 version"),
            "{}",
            run.stderr
        );
    }
}

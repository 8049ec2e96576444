//! `shipwheel plan` on real git repositories with GitHub-shaped events: a table of scenarios.
//! Scenarios that need an index read a real pypiserver from the peers venv.

mod plan_support;

use plan_support::*;
use serde_json::Value;

/// What a scenario expects.
struct Expect {
    code: i32,
    outcome: &'static str,
    target: Option<&'static str>,
    /// Exact version, or a prefix ending in `*`.
    version: Option<&'static str>,
    /// Text that must appear in a reason or a check detail.
    says: &'static str,
}

fn check(name: &str, run: &Run, want: &Expect, failures: &mut Vec<String>) -> Value {
    let fail = |msg: String, failures: &mut Vec<String>| {
        failures.push(format!(
            "[{name}] {msg}\n  stdout: {}\n  stderr: {}",
            run.stdout, run.stderr
        ));
    };
    if run.code != want.code {
        fail(format!("exit {} (want {})", run.code, want.code), failures);
    }
    let Ok(json) = serde_json::from_str::<Value>(&run.stdout) else {
        fail("stdout is not JSON".into(), failures);
        return Value::Null;
    };
    if json["schema"] != 1 {
        fail("schema is not 1".into(), failures);
    }
    if json["outcome"] != want.outcome {
        fail(
            format!("outcome {} (want {})", json["outcome"], want.outcome),
            failures,
        );
    }
    if json["publish"] != (want.outcome == "publish") {
        fail("publish does not match the outcome".into(), failures);
    }
    if json["target"].as_str() != want.target {
        fail(
            format!("target {} (want {:?})", json["target"], want.target),
            failures,
        );
    }
    match (want.version, json["version"].as_str()) {
        (None, None) => {}
        (Some(w), Some(g)) if w.ends_with('*') && g.starts_with(w.trim_end_matches('*')) => {}
        (Some(w), Some(g)) if w == g => {}
        (w, g) => fail(format!("version {g:?} (want {w:?})"), failures),
    }
    let text = format!("{} {}", json["reasons"], json["checks"]);
    if !text.contains(want.says) {
        fail(
            format!("reasons/checks do not say {:?}", want.says),
            failures,
        );
    }
    json
}

fn expect(
    code: i32,
    outcome: &'static str,
    target: Option<&'static str>,
    version: Option<&'static str>,
    says: &'static str,
) -> Expect {
    Expect {
        code,
        outcome,
        target,
        version,
        says,
    }
}

const OFFLINE: &[&str] = &["plan", "--format", "json", "--offline"];

/// A repository with history: v1.2.0 released on main, a feature branch, a release branch.
struct World {
    repo: Repo,
    main_tagged: String,
    main_head: String,
    feature: String,
    release_commit: String,
}

fn world(extra_config: &str) -> World {
    let mut repo = Repo::new(&pyproject("1.2.0", extra_config));
    let main_tagged = repo.commit("feat: ready for 1.2.0");
    repo.tag("v1.2.0");
    repo.tag("1.2.0");
    // A feature branch with a tag that is not on main.
    repo.branch("feature");
    repo.write("pyproject.toml", &pyproject("1.3.0", extra_config));
    let feature = repo.commit("feat: experiment");
    repo.tag("v1.3.0");
    // A release branch.
    repo.checkout("main");
    repo.branch("release/1.2");
    repo.write("pyproject.toml", &pyproject("1.2.1", extra_config));
    let release_commit = repo.commit("fix: backport");
    repo.tag("v1.2.1");
    // Main moves on, with the version bumped after the release.
    repo.checkout("main");
    repo.write("pyproject.toml", &pyproject("1.3.0", extra_config));
    repo.commit("chore: start 1.3.0");
    repo.write("pyproject.toml", &pyproject("2.0.0rc1", extra_config));
    let main_head = repo.commit("feat!: 2.0");
    repo.tag("v2.0.0rc1");
    repo.tag("v2.0");
    World {
        repo,
        main_tagged,
        main_head,
        feature,
        release_commit,
    }
}

#[test]
fn scenario_table() {
    let failures = std::cell::RefCell::new(Vec::new());
    let count = std::cell::Cell::new(0);
    let run_case = |name: &str,
                    dir: &std::path::Path,
                    event: Option<&Event>,
                    args: &[&str],
                    want: Expect|
     -> Value {
        count.set(count.get() + 1);
        let run = run_with_event(dir, event, args, &[]);
        check(name, &run, &want, &mut failures.borrow_mut())
    };

    let w = world("[tool.shipwheel]\nrelease-branches = [\"release/*\"]\n");
    let r = &w.repo;
    let dir = r.path.as_path();

    // --- pushes to branches
    r.checkout("main");
    run_case(
        "push to default branch",
        dir,
        Some(&push_branch("main", &w.main_head)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("testpypi"),
            Some("2.0.0rc2.dev*"),
            "push to the default branch main",
        ),
    );
    run_case(
        "push to default: dev version from committer time",
        dir,
        Some(&push_branch("main", &w.main_head)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("testpypi"),
            Some("2.0.0rc2.dev20260101000600"),
            "committer time",
        ),
    );
    r.checkout("feature");
    run_case(
        "push to other branch",
        dir,
        Some(&push_branch("feature", &w.feature)),
        OFFLINE,
        expect(
            0,
            "nothing",
            None,
            None,
            "only the default branch (main) publishes",
        ),
    );
    run_case(
        "deleted branch",
        dir,
        Some(&delete_ref("refs/heads/feature")),
        OFFLINE,
        expect(0, "nothing", None, None, "deleted refs/heads/feature"),
    );
    run_case(
        "deleted tag",
        dir,
        Some(&delete_ref("refs/tags/v9.9.9")),
        OFFLINE,
        expect(0, "nothing", None, None, "deleted refs/tags/v9.9.9"),
    );

    // --- tags
    r.checkout("v1.2.0");
    run_case(
        "tag on default branch",
        dir,
        Some(&push_tag("v1.2.0", &w.main_tagged)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.2.0"),
            "v1.2.0 is on the default branch main",
        ),
    );
    run_case(
        "tag without the v prefix does not match v{version}",
        dir,
        Some(&push_tag("1.2.0", &w.main_tagged)),
        OFFLINE,
        expect(0, "nothing", None, None, "does not match tag-pattern"),
    );
    r.checkout("v1.3.0");
    run_case(
        "tag off the default branch",
        dir,
        Some(&push_tag("v1.3.0", &w.feature)),
        OFFLINE,
        expect(
            1,
            "refused",
            Some("pypi"),
            Some("1.3.0"),
            "is not on main, release/1.2",
        ),
    );
    run_case(
        "tag off branch, --allow-off-branch",
        dir,
        Some(&push_tag("v1.3.0", &w.feature)),
        &[
            "plan",
            "--format",
            "json",
            "--offline",
            "--allow-off-branch",
        ],
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.3.0"),
            "--allow-off-branch",
        ),
    );
    r.checkout("v1.2.1");
    run_case(
        "tag on a release branch",
        dir,
        Some(&push_tag("v1.2.1", &w.release_commit)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.2.1"),
            "release branch release/1.2",
        ),
    );
    r.checkout("v2.0.0rc1");
    run_case(
        "pre-release tag",
        dir,
        Some(&push_tag("v2.0.0rc1", &w.main_head)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("2.0.0rc1"),
            "is a pre-release",
        ),
    );
    r.checkout("v1.2.0");
    r.tag("v1.2.5");
    run_case(
        "tag that does not match the version",
        dir,
        Some(&push_tag("v1.2.5", &w.main_tagged)),
        OFFLINE,
        expect(
            1,
            "refused",
            Some("pypi"),
            Some("1.2.5"),
            "but the project says 1.2.0",
        ),
    );
    r.tag("v1.2");
    run_case(
        "tag equal under PEP 440 (1.2 == 1.2.0)",
        dir,
        Some(&push_tag("v1.2", &w.main_tagged)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.2"),
            "equals the project version",
        ),
    );
    r.tag("vnext");
    run_case(
        "tag matching the pattern but not a version",
        dir,
        Some(&push_tag("vnext", &w.main_tagged)),
        OFFLINE,
        expect(0, "nothing", None, None, "is not a PEP 440 version"),
    );
    run_case(
        "GitHub release published",
        dir,
        Some(&release_published("v1.2.0", &w.main_tagged)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.2.0"),
            "GitHub release published for tag v1.2.0",
        ),
    );
    let mut edited = release_published("v1.2.0", &w.main_tagged);
    edited.payload["action"] = Value::String("edited".into());
    run_case(
        "GitHub release edited",
        dir,
        Some(&edited),
        OFFLINE,
        expect(
            0,
            "nothing",
            None,
            None,
            "only a published release publishes",
        ),
    );
    r.checkout("main");
    run_case(
        "tag pushed but another commit checked out",
        dir,
        Some(&push_tag("v1.2.0", &w.main_tagged)),
        OFFLINE,
        expect(
            1,
            "refused",
            Some("pypi"),
            Some("1.2.0"),
            "check out that commit first",
        ),
    );

    // --- pull requests, forks, other events
    run_case(
        "pull request",
        dir,
        Some(&pull_request(5, &w.main_head, false)),
        OFFLINE,
        expect(
            0,
            "nothing",
            None,
            None,
            "pull request #5: pull requests never publish",
        ),
    );
    run_case(
        "fork pull request",
        dir,
        Some(&pull_request(6, &w.main_head, true)),
        OFFLINE,
        expect(0, "nothing", None, None, "comes from a fork"),
    );
    let mut fork_push = push_branch("main", &w.main_head);
    fork_push.payload["repository"]["fork"] = Value::Bool(true);
    run_case(
        "push in a fork repository",
        dir,
        Some(&fork_push),
        OFFLINE,
        expect(0, "nothing", None, None, "forks never publish"),
    );
    run_case(
        "scheduled run",
        dir,
        Some(&other_event("schedule", &w.main_head)),
        OFFLINE,
        expect(0, "nothing", None, None, "event schedule never publishes"),
    );
    run_case(
        "not in CI",
        dir,
        None,
        OFFLINE,
        expect(0, "nothing", None, None, "GITHUB_EVENT_NAME is not set"),
    );

    // --- workflow_dispatch
    run_case(
        "dispatch target none",
        dir,
        Some(&dispatch("main", &w.main_head, "none", None)),
        OFFLINE,
        expect(0, "nothing", None, None, "target none"),
    );
    run_case(
        "dispatch target testpypi on main",
        dir,
        Some(&dispatch("main", &w.main_head, "testpypi", None)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("testpypi"),
            Some("2.0.0rc2.dev20260101000600"),
            "dev build to testpypi",
        ),
    );
    run_case(
        "dispatch target pypi from a branch",
        dir,
        Some(&dispatch("main", &w.main_head, "pypi", None)),
        OFFLINE,
        expect(1, "refused", None, None, "a release needs a tag matching"),
    );
    r.checkout("v1.2.0");
    run_case(
        "dispatch target pypi with ref tag",
        dir,
        Some(&dispatch("main", &w.main_head, "pypi", Some("v1.2.0"))),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.2.0"),
            "workflow_dispatch (target pypi, ref v1.2.0)",
        ),
    );
    run_case(
        "dispatch target pypi with refs/tags/ ref",
        dir,
        Some(&dispatch(
            "main",
            &w.main_head,
            "pypi",
            Some("refs/tags/v1.2.0"),
        )),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.2.0"),
            "v1.2.0 is on the default branch",
        ),
    );
    r.checkout("feature");
    run_case(
        "dispatch testpypi from a feature branch",
        dir,
        Some(&dispatch(
            "feature",
            &w.feature,
            "testpypi",
            Some("feature"),
        )),
        OFFLINE,
        expect(
            1,
            "refused",
            Some("testpypi"),
            Some("1.3.1.dev*"),
            "dev builds come from the default branch",
        ),
    );
    let json = run_case(
        "dispatch testpypi from a feature branch, --allow-any-branch",
        dir,
        Some(&dispatch(
            "feature",
            &w.feature,
            "testpypi",
            Some("feature"),
        )),
        &[
            "plan",
            "--format",
            "json",
            "--offline",
            "--allow-any-branch",
        ],
        expect(
            0,
            "publish",
            Some("testpypi"),
            Some("1.3.1.dev*"),
            "--allow-any-branch",
        ),
    );
    if json["allowed"] != serde_json::json!(["--allow-any-branch"]) {
        failures
            .borrow_mut()
            .push(format!("allowed flags not listed: {}", json["allowed"]));
    }
    {
        count.set(count.get() + 1);
        let run = run_with_event(
            dir,
            Some(&dispatch("main", &w.main_head, "prod", None)),
            OFFLINE,
            &[],
        );
        if run.code != 2 || !run.stderr.contains("not one of none, testpypi, pypi") {
            failures.borrow_mut().push(format!(
                "[dispatch target prod] exit {} stderr {}",
                run.code, run.stderr
            ));
        }
        // A boolean input is not "no input": a usage error, not a silent no-op.
        count.set(count.get() + 1);
        let mut bool_input = dispatch("main", &w.main_head, "pypi", None);
        bool_input.payload["inputs"]["target"] = serde_json::json!(true);
        let run = run_with_event(dir, Some(&bool_input), OFFLINE, &[]);
        if run.code != 2 || !run.stderr.contains("input target = true is not a string") {
            failures.borrow_mut().push(format!(
                "[dispatch target true] exit {} stderr {}",
                run.code, run.stderr
            ));
        }
    }

    // --- shallow and full clones, as actions/checkout makes them
    let shallow = r.clone_at("v1.2.0", Some(1));
    run_case(
        "shallow clone of a tag",
        &shallow.path,
        Some(&push_tag("v1.2.0", &w.main_tagged)),
        OFFLINE,
        expect(1, "refused", Some("pypi"), Some("1.2.0"), "fetch-depth: 0"),
    );
    let full = r.clone_at("v1.2.0", None);
    run_case(
        "full clone (fetch-depth: 0) of a tag",
        &full.path,
        Some(&push_tag("v1.2.0", &w.main_tagged)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.2.0"),
            "v1.2.0 is on the default branch main",
        ),
    );
    let shallow_main = r.clone_at("main", Some(1));
    run_case(
        "shallow clone of main still gets the dev version",
        &shallow_main.path,
        Some(&push_branch("main", &w.main_head)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("testpypi"),
            Some("2.0.0rc*"),
            "committer time",
        ),
    );

    // --- configuration
    let mut custom = Repo::new(&pyproject(
        "3.0.0",
        "[tool.shipwheel]\ntag-pattern = \"{version}\"\ndev-target = \"none\"\n",
    ));
    let sha = custom.commit("release");
    custom.tag("3.0.0");
    custom.tag("release-3.0.0");
    run_case(
        "tag-pattern {version}: bare tag",
        &custom.path,
        Some(&push_tag("3.0.0", &sha)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("3.0.0"),
            "matches tag-pattern \\\"{version}\\\"",
        ),
    );
    run_case(
        "tag-pattern {version}: other tag",
        &custom.path,
        Some(&push_tag("release-3.0.0", &sha)),
        OFFLINE,
        expect(0, "nothing", None, None, "not a release tag"),
    );
    run_case(
        "dev-target none",
        &custom.path,
        Some(&push_branch("main", &sha)),
        OFFLINE,
        expect(0, "nothing", None, None, "dev-target = \\\"none\\\""),
    );

    // --- not a git checkout
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("pyproject.toml"), pyproject("1.0.0", "")).unwrap();
    run_case(
        "not a git repository",
        plain.path(),
        Some(&push_tag("v1.0.0", &w.main_tagged)),
        OFFLINE,
        expect(
            1,
            "refused",
            Some("pypi"),
            Some("1.0.0"),
            "not inside a git repository",
        ),
    );

    // --- versions that disagree
    let mut split = Repo::new(&pyproject(
        "1.0.0",
        "[tool.shipwheel]\nversion-files = [\"src/demo_pkg/__init__.py\"]\n",
    ));
    split.write("src/demo_pkg/__init__.py", "__version__ = \"0.9.0\"\n");
    let sha = split.commit("oops");
    split.tag("v1.0.0");
    run_case(
        "version places disagree",
        &split.path,
        Some(&push_tag("v1.0.0", &sha)),
        OFFLINE,
        expect(
            1,
            "refused",
            Some("pypi"),
            Some("1.0.0"),
            "not the same everywhere",
        ),
    );

    // --- versions from git tags (hatch-vcs)
    let vcs_py = "[build-system]\nrequires = [\"hatchling\", \"hatch-vcs\"]\nbuild-backend = \"hatchling.build\"\n\n\
                  [project]\nname = \"vcs-demo\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\nsource = \"vcs\"\n";
    let mut vcs = Repo::new(vcs_py);
    let tagged = vcs.commit("release");
    vcs.tag("v0.4.0");
    run_case(
        "hatch-vcs tag push",
        &vcs.path,
        Some(&push_tag("v0.4.0", &tagged)),
        OFFLINE,
        expect(0, "publish", Some("pypi"), Some("0.4.0"), "git tag v0.4.0"),
    );
    vcs.commit("one");
    let head = vcs.commit("two");
    run_case(
        "hatch-vcs push to main",
        &vcs.path,
        Some(&push_branch("main", &head)),
        OFFLINE,
        expect(
            0,
            "publish",
            Some("testpypi"),
            Some("0.4.1.dev20260101000400"),
            "already released",
        ),
    );

    let (count, failures) = (count.get(), failures.into_inner());
    assert!(count >= 30, "only {count} scenarios");
    assert!(
        failures.is_empty(),
        "{} of {count} scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn dev_versions_are_stable_on_rerun_and_grow_along_the_branch() {
    let mut repo = Repo::new(&pyproject("1.0.0", ""));
    let first = repo.commit("one");
    let run1 = run_with_event(&repo.path, Some(&push_branch("main", &first)), OFFLINE, &[]);
    // A re-run: new attempt, new run id, different time of day; same commit.
    let run2 = run_with_event(
        &repo.path,
        Some(&push_branch("main", &first)),
        OFFLINE,
        &[
            ("GITHUB_RUN_ATTEMPT", "2"),
            ("GITHUB_RUN_ID", "2000"),
            ("TZ", "Asia/Tokyo"),
        ],
    );
    let v1 = run1.json()["version"].as_str().unwrap().to_string();
    assert_eq!(run2.json()["version"].as_str().unwrap(), v1);
    assert_eq!(v1, "1.0.0.dev20260101000200");
    let second = repo.commit("two");
    let run3 = run_with_event(
        &repo.path,
        Some(&push_branch("main", &second)),
        OFFLINE,
        &[],
    );
    let v3 = run3.json()["version"].as_str().unwrap().to_string();
    // Compare as PEP 440 versions.
    use std::str::FromStr;
    let parse = |s: &str| shipwheel_project::uv_pep440::Version::from_str(s).unwrap();
    assert!(parse(&v3) > parse(&v1), "{v3} must sort after {v1}");
    // `shipwheel version dev` agrees with the plan.
    let out = shipwheel()
        .current_dir(&repo.path)
        .args(["version", "dev"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), v3);
}

#[test]
fn github_outputs_and_step_summary() {
    let mut repo = Repo::new(&pyproject("1.0.0", ""));
    let sha = repo.commit("release");
    repo.tag("v1.0.0");
    let run = run_with_event(
        &repo.path,
        Some(&push_tag("v1.0.0", &sha)),
        &["plan", "--offline"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("plan: PUBLISH demo-pkg 1.0.0 to pypi"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("skip not-on-index"), "{}", run.stdout);
    assert_eq!(
        run.github_output,
        format!(
            "publish=true\ntarget=pypi\nversion=1.0.0\nprerelease=false\nindex_url={}\n",
            shipwheel_index::targets::IndexTarget::pypi().simple_url
        )
    );
    assert!(
        run.step_summary.contains("**Publish** `1.0.0` to **pypi**"),
        "{}",
        run.step_summary
    );
    assert!(run.step_summary.contains("| tag-matches-version | ok |"));

    // Refused: outputs still written, publish=false, exit 1, reasons printed.
    repo.tag("v1.0.1");
    let run = run_with_event(
        &repo.path,
        Some(&push_tag("v1.0.1", &sha)),
        &["plan", "--offline"],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.github_output.starts_with("publish=false\n"),
        "{}",
        run.github_output
    );
    assert!(
        run.stdout.contains("FAIL tag-matches-version"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("shipwheel version set 1.0.1"),
        "{}",
        run.stdout
    );
}

#[test]
fn config_errors_exit_2() {
    let mut repo = Repo::new(&pyproject(
        "1.0.0",
        "[tool.shipwheel]\ntag-patern = \"v{version}\"\n",
    ));
    let sha = repo.commit("x");
    let run = run_with_event(&repo.path, Some(&push_branch("main", &sha)), OFFLINE, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown key \"tag-patern\""),
        "{}",
        run.stderr
    );
    let tmp = tempfile::tempdir().unwrap();
    let run = run_with_event(tmp.path(), Some(&push_branch("main", &sha)), OFFLINE, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pyproject.toml"), "{}", run.stderr);
    // A --dist that does not exist.
    let mut clean = Repo::new(&pyproject("1.0.0", ""));
    let clean_sha = clean.commit("x");
    let run = run_with_event(
        &clean.path,
        Some(&push_branch("main", &clean_sha)),
        &["plan", "--offline", "--dist", "nope"],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--dist nope is not a directory"),
        "{}",
        run.stderr
    );
    // A broken payload is unreadable input.
    let mut e = push_branch("main", &sha);
    e.payload = Value::String("not an object".into());
    let run = run_with_event(&repo.path, Some(&e), OFFLINE, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// Scenarios against a real index (pypiserver from the peers venv).
#[test]
fn index_scenarios() {
    let server = PypiServer::start();
    let url = server.simple_url.clone();
    let failures = std::cell::RefCell::new(Vec::new());
    let online = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["plan", "--format", "json", "--index-url", &url]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let case = |name: &str,
                dir: &std::path::Path,
                event: &Event,
                args: Vec<String>,
                want: Expect|
     -> Value {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = run_with_event(dir, Some(event), &refs, &[]);
        check(name, &run, &want, &mut failures.borrow_mut())
    };

    // Each scenario is its own project name, so they share one server.
    let project = |name: &str, version: &str, extra: &str| {
        let text = pyproject(version, extra).replace("demo-pkg", name);
        let mut repo = Repo::new(&text);
        let sha = repo.commit("release");
        repo.tag(&format!("v{version}"));
        (repo, sha)
    };
    let wheel = |name: &str, version: &str| {
        format!("{}-{version}-py3-none-any.whl", name.replace('-', "_"))
    };
    let sdist = |name: &str, version: &str| format!("{}-{version}.tar.gz", name.replace('-', "_"));

    // Not on the index at all.
    let (repo, sha) = project("fresh-pkg", "1.0.0", "");
    case(
        "project unknown to the index",
        &repo.path,
        &push_tag("v1.0.0", &sha),
        online(&[]),
        expect(0, "publish", Some("pypi"), Some("1.0.0"), "not on pypi yet"),
    );

    // Same files already there.
    let (repo, sha) = project("same-pkg", "1.0.0", "");
    for f in [wheel("same-pkg", "1.0.0"), sdist("same-pkg", "1.0.0")] {
        server.add(&f, format!("bytes of {f}").as_bytes());
        repo.write(&format!("dist/{f}"), &format!("bytes of {f}"));
    }
    let json = case(
        "already on the index with the same files",
        &repo.path,
        &push_tag("v1.0.0", &sha),
        online(&[]),
        expect(
            0,
            "already-published",
            Some("pypi"),
            Some("1.0.0"),
            "already published, nothing to do",
        ),
    );
    if json["already_uploaded"].as_array().map(Vec::len) != Some(2) {
        failures.borrow_mut().push(format!(
            "already_uploaded should list 2 files: {}",
            json["already_uploaded"]
        ));
    }

    // Same version, different bytes.
    let (repo, sha) = project("diff-pkg", "1.0.0", "");
    server.add(&wheel("diff-pkg", "1.0.0"), b"the published wheel");
    repo.write(
        &format!("dist/{}", wheel("diff-pkg", "1.0.0")),
        "a rebuilt wheel",
    );
    case(
        "already on the index with different files",
        &repo.path,
        &push_tag("v1.0.0", &sha),
        online(&[]),
        expect(
            1,
            "refused",
            Some("pypi"),
            Some("1.0.0"),
            "with different contents",
        ),
    );

    // Same version, not built yet: nothing to do, and says the files were not compared.
    let (repo, sha) = project("there-pkg", "1.0.0", "");
    server.add(&wheel("there-pkg", "1.0.0"), b"published");
    case(
        "already on the index, nothing built",
        &repo.path,
        &push_tag("v1.0.0", &sha),
        online(&[]),
        expect(
            0,
            "already-published",
            Some("pypi"),
            Some("1.0.0"),
            "no local files to compare",
        ),
    );

    // Lower than the latest release.
    let (repo, sha) = project(
        "old-pkg",
        "1.5.0",
        "[tool.shipwheel]\nmaintenance-branches = [\"maint/*\"]\n",
    );
    server.add(&wheel("old-pkg", "2.0.0"), b"two");
    server.add(&wheel("old-pkg", "3.0.0rc1"), b"three rc");
    case(
        "lower than the latest release",
        &repo.path,
        &push_tag("v1.5.0", &sha),
        online(&[]),
        expect(
            1,
            "refused",
            Some("pypi"),
            Some("1.5.0"),
            "lower than the latest release 2.0.0",
        ),
    );
    case(
        "lower, --allow-older",
        &repo.path,
        &push_tag("v1.5.0", &sha),
        online(&["--allow-older"]),
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.5.0"),
            "allowed by --allow-older",
        ),
    );
    repo.git(&["branch", "maint/1.x", "main"]);
    case(
        "lower, on a maintenance branch",
        &repo.path,
        &push_tag("v1.5.0", &sha),
        online(&[]),
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.5.0"),
            "allowed on maintenance branch maint/1.x",
        ),
    );
    case(
        "offline skips the index",
        &repo.path,
        &push_tag("v1.5.0", &sha),
        vec![
            "plan".into(),
            "--format".into(),
            "json".into(),
            "--offline".into(),
        ],
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("1.5.0"),
            "skipped: --offline",
        ),
    );

    // Higher than the latest.
    let (repo, sha) = project("new-pkg", "2.1.0", "");
    server.add(&wheel("new-pkg", "2.0.0"), b"two");
    case(
        "higher than the latest release",
        &repo.path,
        &push_tag("v2.1.0", &sha),
        online(&[]),
        expect(
            0,
            "publish",
            Some("pypi"),
            Some("2.1.0"),
            "2.1.0 > latest release 2.0.0",
        ),
    );

    // Dev builds: the released version is on the index, so the dev build leads to the next one.
    let mut repo = Repo::new(&pyproject("4.0.0", "").replace("demo-pkg", "dev-pkg"));
    let head = repo.commit("work");
    server.add(&sdist("dev-pkg", "4.0.0"), b"four");
    let json = case(
        "dev build after a release on the index",
        &repo.path,
        &push_branch("main", &head),
        online(&[]),
        expect(
            0,
            "publish",
            Some("testpypi"),
            Some("4.0.1.dev20260101000200"),
            "already released",
        ),
    );
    if json["index_url"] != Value::String(url.clone()) || !json["upload_url"].is_null() {
        failures.borrow_mut().push(format!(
            "index_url/upload_url wrong: {} {}",
            json["index_url"], json["upload_url"]
        ));
    }
    // The same dev build re-run after it was uploaded: nothing to do.
    let dev = wheel("dev-pkg", "4.0.1.dev20260101000200");
    server.add(&dev, b"dev build");
    repo.write(&format!("dist/{dev}"), "dev build");
    case(
        "re-run of an uploaded dev build",
        &repo.path,
        &push_branch("main", &head),
        online(&[]),
        expect(
            0,
            "already-published",
            Some("testpypi"),
            Some("4.0.1.dev20260101000200"),
            "already published",
        ),
    );

    // Credentials in --index-url never reach any output.
    let (repo, sha) = project("secret-pkg", "1.0.0", "");
    let with_creds = url.replace("http://", "http://reader:hunter2-secret@");
    let run = run_with_event(
        &repo.path,
        Some(&push_tag("v1.0.0", &sha)),
        &["plan", "--format", "json", "--index-url", &with_creds],
        &[],
    );
    let all = format!(
        "{}{}{}{}",
        run.stdout, run.stderr, run.github_output, run.step_summary
    );
    if run.code != 0 || all.contains("hunter2") {
        failures.borrow_mut().push(format!(
            "[credentials in --index-url] exit {} output {all}",
            run.code
        ));
    }

    // An unreachable index is an error that names --offline.
    let (repo, sha) = project("down-pkg", "1.0.0", "");
    let dead = format!("http://127.0.0.1:{}/simple/", test_support::free_port());
    let run = run_with_event(
        &repo.path,
        Some(&push_tag("v1.0.0", &sha)),
        &["plan", "--index-url", &dead],
        &[],
    );
    if run.code != 2 || !run.stderr.contains("--offline") {
        failures.borrow_mut().push(format!(
            "[unreachable index] exit {} stderr {}",
            run.code, run.stderr
        ));
    }

    drop(server);
    let failures = failures.into_inner();
    assert!(
        failures.is_empty(),
        "{} index scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

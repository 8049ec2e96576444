//! The decision on data: no git, no network.

use std::collections::BTreeMap;

use super::*;
use crate::config::parse_shipwheel;
use crate::event::parse_event;

const SHA: &str = "1111111111111111111111111111111111111111";

fn config(extra: &str) -> ShipwheelConfig {
    parse_shipwheel(
        &format!("[tool.shipwheel]\n{extra}")
            .parse::<toml::Table>()
            .unwrap(),
    )
    .unwrap()
}

fn event(name: &str, git_ref: &str, payload: &str) -> CiEvent {
    let env: BTreeMap<String, String> = [
        ("GITHUB_EVENT_NAME", name),
        ("GITHUB_REF", git_ref),
        ("GITHUB_SHA", SHA),
        ("GITHUB_REPOSITORY", "acme/demo"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    parse_event(&env, Some(payload)).unwrap()
}

const REPO: &str = r#""repository":{"default_branch":"main","fork":false,"full_name":"acme/demo"}"#;

fn v(s: &str) -> Version {
    Version::from_str(s).unwrap()
}

fn facts(version: &str) -> Facts {
    Facts {
        project: Some("demo".into()),
        project_version: Ok(v(version)),
        version_source: "pyproject.toml [project].version".into(),
        vcs: false,
        version_tagged: false,
        commit: Some(SHA.into()),
        head: Some(SHA.into()),
        commit_time: Some(1_795_741_323),
        shallow: false,
        default_branch: Some("main".into()),
        branches: vec![BranchCheck {
            branch: "main".into(),
            kind: BranchKind::Default,
            ancestry: Ancestry::Contained,
        }],
        index: IndexFacts::Unknown,
        target_urls: Some(TargetUrls {
            simple_url: "http://127.0.0.1:1/simple/".into(),
            upload_url: None,
        }),
        local_files: Vec::new(),
        dist_dir: None,
    }
}

fn run(e: &CiEvent, c: &ShipwheelConfig, f: &Facts, allow: &Allow) -> Plan {
    let i = intent(e, c).unwrap();
    decide(&i, f, EventSummary::from_event(e, c), c, allow)
}

fn tag_push(tag: &str) -> CiEvent {
    event("push", &format!("refs/tags/{tag}"), &format!("{{{REPO}}}"))
}

fn file(name: &str, sha: &str) -> IndexFile {
    IndexFile {
        filename: name.into(),
        sha256: Some(sha.into()),
        version: filename_version(name),
        yanked: false,
    }
}

#[test]
fn push_to_default_is_a_dev_build() {
    let e = event("push", "refs/heads/main", &format!("{{{REPO}}}"));
    let p = run(
        &e,
        &ShipwheelConfig::default(),
        &facts("1.2.0"),
        &Allow::default(),
    );
    assert_eq!(p.outcome, Outcome::Publish);
    assert_eq!(p.target.as_deref(), Some("testpypi"));
    assert_eq!(p.version.as_deref(), Some("1.2.0.dev20261127010203"));
    assert!(p.prerelease);
}

#[test]
fn released_version_dev_build_leads_to_next() {
    let e = event("push", "refs/heads/main", &format!("{{{REPO}}}"));
    let mut f = facts("1.2.0");
    f.version_tagged = true;
    let p = run(&e, &ShipwheelConfig::default(), &f, &Allow::default());
    assert_eq!(p.version.as_deref(), Some("1.2.1.dev20261127010203"));
    // Same when only the index knows the release.
    let mut f = facts("1.2.0");
    f.index = IndexFacts::Files(vec![file("demo-1.2.0.tar.gz", "aa")]);
    let p = run(&e, &ShipwheelConfig::default(), &f, &Allow::default());
    assert_eq!(p.version.as_deref(), Some("1.2.1.dev20261127010203"));
}

#[test]
fn other_branches_prs_forks_and_deletes_publish_nothing() {
    let c = ShipwheelConfig::default();
    let cases = [
        event("push", "refs/heads/feature", &format!("{{{REPO}}}")),
        event(
            "pull_request",
            "refs/pull/3/merge",
            &format!("{{\"number\":3,{REPO}}}"),
        ),
        event(
            "push",
            "refs/heads/main",
            r#"{"repository":{"default_branch":"main","fork":true}}"#,
        ),
        event(
            "push",
            "refs/heads/main",
            &format!("{{\"deleted\":true,{REPO}}}"),
        ),
        event("schedule", "refs/heads/main", &format!("{{{REPO}}}")),
        tag_push("not-a-release"),
    ];
    for e in cases {
        let p = run(&e, &c, &facts("1.0"), &Allow::default());
        assert_eq!(p.outcome, Outcome::Nothing, "{e:?}");
        assert!(!p.publish);
        assert!(!p.reasons.is_empty());
    }
}

#[test]
fn release_tag_checks() {
    let c = ShipwheelConfig::default();
    let p = run(&tag_push("v1.2.0"), &c, &facts("1.2.0"), &Allow::default());
    assert_eq!(p.outcome, Outcome::Publish);
    assert_eq!(p.target.as_deref(), Some("pypi"));
    assert!(!p.prerelease);
    // PEP 440 equality, not string equality.
    let p = run(&tag_push("v1.2"), &c, &facts("1.2.0"), &Allow::default());
    assert_eq!(p.outcome, Outcome::Publish);
    // Mismatch.
    let p = run(&tag_push("v1.3.0"), &c, &facts("1.2.0"), &Allow::default());
    assert_eq!(p.outcome, Outcome::Refused);
    assert!(
        p.checks
            .iter()
            .any(|c| c.name == "tag-matches-version" && !c.ok)
    );
    // Pre-release.
    let p = run(
        &tag_push("v2.0rc1"),
        &c,
        &facts("2.0rc1"),
        &Allow::default(),
    );
    assert!(p.prerelease && p.publish);
}

#[test]
fn off_branch_and_shallow() {
    let c = ShipwheelConfig::default();
    let mut f = facts("1.2.0");
    f.branches[0].ancestry = Ancestry::NotContained;
    let p = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    assert_eq!(p.outcome, Outcome::Refused);
    let p = run(
        &tag_push("v1.2.0"),
        &c,
        &f,
        &Allow {
            off_branch: true,
            ..Allow::default()
        },
    );
    assert_eq!(p.outcome, Outcome::Publish);
    assert_eq!(p.allowed, ["--allow-off-branch"]);
    f.branches[0].ancestry = Ancestry::BranchMissing;
    f.shallow = true;
    let p = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    assert_eq!(p.outcome, Outcome::Refused);
    assert!(
        p.reasons.iter().any(|r| r.contains("fetch-depth: 0")),
        "{:?}",
        p.reasons
    );
}

#[test]
fn index_same_different_and_older() {
    let c = ShipwheelConfig::default();
    let mut f = facts("1.2.0");
    f.index = IndexFacts::Files(vec![
        file("demo-1.2.0-py3-none-any.whl", "aa"),
        file("demo-1.2.0.tar.gz", "bb"),
    ]);
    f.local_files = vec![
        LocalFile {
            filename: "demo-1.2.0-py3-none-any.whl".into(),
            sha256: "AA".into(),
        },
        LocalFile {
            filename: "demo-1.2.0.tar.gz".into(),
            sha256: "bb".into(),
        },
    ];
    let p = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    assert_eq!(p.outcome, Outcome::AlreadyPublished);
    assert!(!p.refused());
    // The candidate is not compared with itself: with no other release there is no "latest".
    let newer = p
        .checks
        .iter()
        .find(|c| c.name == "newer-than-latest")
        .unwrap();
    assert!(
        newer.ok && newer.detail.contains("no earlier release"),
        "{}",
        newer.detail
    );
    f.local_files[1].sha256 = "cc".into();
    let p = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    assert_eq!(p.outcome, Outcome::Refused);
    // Partial upload: resume.
    f.local_files[1].filename = "demo-1.2.0-cp312-cp312-manylinux_2_17_x86_64.whl".into();
    let p = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    assert_eq!(p.outcome, Outcome::Publish);
    assert_eq!(p.already_uploaded, ["demo-1.2.0-py3-none-any.whl"]);
    // Lower than latest.
    let mut f = facts("1.2.0");
    f.index = IndexFacts::Files(vec![
        file("demo-2.0.0.tar.gz", "x"),
        file("demo-3.0rc1.tar.gz", "y"),
    ]);
    let p = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    assert_eq!(p.outcome, Outcome::Refused);
    assert!(
        p.checks
            .iter()
            .any(|c| c.name == "newer-than-latest" && !c.ok && c.detail.contains("2.0.0"))
    );
    let p = run(
        &tag_push("v1.2.0"),
        &c,
        &f,
        &Allow {
            older: true,
            ..Allow::default()
        },
    );
    assert_eq!(p.outcome, Outcome::Publish);
    f.branches.push(BranchCheck {
        branch: "maint/1.x".into(),
        kind: BranchKind::Maintenance,
        ancestry: Ancestry::Contained,
    });
    let p = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    assert_eq!(p.outcome, Outcome::Publish);
    // Offline skips and says so.
    let mut f = facts("1.2.0");
    f.index = IndexFacts::Offline;
    let p = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    assert!(p.offline && p.publish);
    assert!(
        p.checks
            .iter()
            .any(|c| c.skipped && c.detail.contains("--offline"))
    );
}

#[test]
fn dispatch_targets() {
    let c = ShipwheelConfig::default();
    let d = |target: &str, r: Option<&str>| {
        let inputs = match r {
            Some(r) => format!(r#"{{"target":"{target}","ref":"{r}"}}"#),
            None => format!(r#"{{"target":"{target}"}}"#),
        };
        event(
            "workflow_dispatch",
            "refs/heads/main",
            &format!("{{\"inputs\":{inputs},{REPO}}}"),
        )
    };
    assert_eq!(
        run(&d("none", None), &c, &facts("1.0"), &Allow::default()).outcome,
        Outcome::Nothing
    );
    let p = run(&d("testpypi", None), &c, &facts("1.0"), &Allow::default());
    assert_eq!(
        (p.outcome, p.target.as_deref()),
        (Outcome::Publish, Some("testpypi"))
    );
    let p = run(
        &d("pypi", Some("v1.0")),
        &c,
        &facts("1.0"),
        &Allow::default(),
    );
    assert_eq!(
        (p.outcome, p.target.as_deref()),
        (Outcome::Publish, Some("pypi"))
    );
    let p = run(&d("pypi", None), &c, &facts("1.0"), &Allow::default());
    assert_eq!(p.outcome, Outcome::Refused);
    assert!(intent(&d("prod", None), &c).is_err());
}

#[test]
fn text_and_markdown_render_every_check() {
    let p = run(
        &tag_push("v1.3.0"),
        &ShipwheelConfig::default(),
        &facts("1.2.0"),
        &Allow::default(),
    );
    let text = render_text(&p);
    assert!(text.starts_with("plan: REFUSED"), "{text}");
    assert!(text.contains("FAIL tag-matches-version"));
    let md = render_markdown(&p);
    assert!(md.contains("| tag-matches-version | failed |"));
    let c = config("dev-target = \"none\"");
    let e = event("push", "refs/heads/main", &format!("{{{REPO}}}"));
    let p = run(&e, &c, &facts("1.0"), &Allow::default());
    assert_eq!(p.outcome, Outcome::Nothing);
}

#[test]
fn filename_versions() {
    assert_eq!(
        filename_version("demo-1.0-py3-none-any.whl"),
        Some(v("1.0"))
    );
    assert_eq!(
        filename_version("demo_pkg-2.0rc1.tar.gz"),
        Some(v("2.0rc1"))
    );
    assert_eq!(filename_version("demo-pkg-1.0.zip"), Some(v("1.0")));
    assert_eq!(filename_version("README"), None);
}

#[test]
fn release_events_other_than_published_publish_nothing() {
    let c = ShipwheelConfig::default();
    for action in ["created", "edited", "deleted", "unpublished"] {
        let e = event(
            "release",
            "refs/tags/v1.0",
            &format!(r#"{{"action":"{action}","release":{{"tag_name":"v1.0"}},{REPO}}}"#),
        );
        let p = run(&e, &c, &facts("1.0"), &Allow::default());
        assert_eq!(p.outcome, Outcome::Nothing, "{action}");
    }
    let e = event(
        "release",
        "refs/tags/v1.0",
        &format!(r#"{{"action":"published","release":{{"tag_name":"v1.0"}},{REPO}}}"#),
    );
    assert_eq!(
        run(&e, &c, &facts("1.0"), &Allow::default()).outcome,
        Outcome::Publish
    );
}

/// The rendered plan, as users and the JSON consumers see it.
#[test]
fn rendered_plans() {
    let c = ShipwheelConfig::default();
    let mut f = facts("1.2.0");
    f.index = IndexFacts::Files(vec![file("demo-2.0.0.tar.gz", "x")]);
    f.branches[0].ancestry = Ancestry::NotContained;
    let refused = run(&tag_push("v1.2.0"), &c, &f, &Allow::default());
    insta::assert_snapshot!("refused_text", render_text(&refused));
    insta::assert_snapshot!("refused_markdown", render_markdown(&refused));
    insta::assert_json_snapshot!("refused_json", refused);
    let e = event("push", "refs/heads/main", &format!("{{{REPO}}}"));
    let dev = run(&e, &c, &facts("1.2.0"), &Allow::default());
    insta::assert_snapshot!("dev_text", render_text(&dev));
}

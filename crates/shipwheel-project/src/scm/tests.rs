//! Unit tests of the tag rules and version formats (the real backends are compared in
//! `crates/shipwheel/tests/version_scm_parity.rs`).

use super::*;
use crate::git::Describe;

fn setuptools(regex: Option<&str>) -> ScmSettings {
    ScmSettings {
        backend: VcsBackend::SetuptoolsScm,
        flavor: Flavor::SetuptoolsScm,
        regex: TagRegex::compile(regex.unwrap_or(DEFAULT_TAG_REGEX), "tag_regex").unwrap(),
        regex_origin: "test".into(),
        prefix: String::new(),
        glob: "*[0-9]*".into(),
        fallback_version: None,
        version_scheme: VersionScheme::GuessNextDev,
        local_scheme: LocalScheme::NodeAndDate,
        needs_git_top: true,
    }
}

#[test]
fn default_regex_reads_common_tags() {
    let s = setuptools(None);
    let v = |t: &str| s.tag_version(t).map(|v| v.map(|v| v.to_string()));
    assert_eq!(v("v1.2.3"), Ok(Some("1.2.3".into())));
    assert_eq!(v("26.1.0"), Ok(Some("26.1.0".into())));
    assert_eq!(v("V1.2"), Ok(Some("1.2".into())));
    assert_eq!(v("name-1.2.3"), Ok(Some("1.2.3".into())));
    assert_eq!(v("mypkg-v2.0.0"), Ok(Some("2.0.0".into())));
    assert_eq!(v("1.0.0rc1"), Ok(Some("1.0.0rc1".into())));
    assert_eq!(v("1.0+build.5"), Ok(Some("1.0+build.5".into())));
    // No digit: `git describe --match *[0-9]*` never returns it.
    assert_eq!(v("latest"), Ok(None));
    assert!(v("release-candidate-x1").is_err());
}

#[test]
fn python_regex_rules() {
    assert!(TagRegex::compile("^v.*$", "x").is_err(), "no group");
    assert!(
        TagRegex::compile("^(a)(b)$", "x").is_err(),
        "two groups, none named"
    );
    assert!(
        TagRegex::compile("^(?=v)v(.*)$", "x")
            .unwrap_err()
            .contains("look-around")
    );
    let one = TagRegex::compile(r"^rel/(?P<ver>\d.*)\Z", "x").unwrap();
    assert_eq!(one.captures("rel/1.0").unwrap().version, Some("1.0"));
    // Anchored at the start like `re.match`, not at the end.
    let r = TagRegex::compile(r"v(\d+\.\d+)", "x").unwrap();
    assert_eq!(r.captures("v1.2-extra").unwrap().version, Some("1.2"));
    assert_eq!(r.captures("xv1.2"), None);
}

#[test]
fn globs() {
    assert!(glob_matches("*[0-9]*", "v1"));
    assert!(!glob_matches("*[0-9]*", "latest"));
    assert!(glob_matches("*.*", "1.0"));
    assert!(!glob_matches("*.*", "10"));
    assert!(glob_matches("v[!a-z]?", "v1x"));
    assert!(!glob_matches("v[!a-z]?", "vax"));
}

#[test]
fn bumps_like_setuptools_scm() {
    let g = |s: &str| guess_next(&Version::from_str(s).unwrap());
    assert_eq!(g("1.2.3").unwrap(), "1.2.4");
    assert_eq!(g("1.0.0rc1").unwrap(), "1.0.0rc2");
    assert_eq!(g("2.0.post1").unwrap(), "2.0.post2");
    assert_eq!(g("1.0.dev0").unwrap(), "1.0");
    assert!(g("1.0.dev3").is_err());
    assert_eq!(g("1.99").unwrap(), "1.100");
    assert_eq!(g("1!2.0").unwrap(), "1!2.1");
    assert_eq!(
        bump_last_number("1.99999999999999999999999").unwrap(),
        "1.100000000000000000000000"
    );
}

#[test]
fn formats() {
    let s = setuptools(None);
    let d = |tag: &str, distance, dirty| GitState {
        describe: Some(Describe {
            tag: tag.into(),
            distance,
            sha: "0123456789abcdef0123456789abcdef01234567".into(),
            dirty,
        }),
        ..GitState::default()
    };
    let now = 1_795_741_323; // 2026-11-27
    let v = |g: &GitState| derive(&s, g, now).unwrap().version.to_string();
    assert_eq!(v(&d("26.1.0", 0, false)), "26.1.0");
    assert_eq!(v(&d("26.1.0", 2, false)), "26.1.1.dev2+g012345678");
    assert_eq!(v(&d("26.1.0", 2, true)), "26.1.1.dev2+g012345678.d20261127");
    assert_eq!(v(&d("v1.0", 0, true)), "1.1.dev0+g012345678.d20261127");
    let none = GitState {
        commit_count: 3,
        head: Some("abcdef0123456789".into()),
        ..GitState::default()
    };
    assert_eq!(v(&none), "0.1.dev3+gabcdef012");
}

#[test]
fn pkg_info() {
    let text = "Metadata-Version: 2.4\nName: x\nVersion: 1.2.3\n\nVersion: 9\n";
    assert_eq!(pkg_info_version(text), Some("1.2.3"));
    assert_eq!(pkg_info_version("Name: x\n"), None);
}

//! Pure PEP 440 version arithmetic: bumps, the next release after a version, conventional-commit
//! bump levels.

use std::str::FromStr;

use uv_pep440::{BumpCommand, Prerelease, PrereleaseKind, Version};

/// What `version bump` changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bump {
    Major,
    Minor,
    Patch,
    /// Next pre-release; `None` keeps the current kind (or `a` on a final release).
    Pre(Option<PrereleaseKind>),
    Post,
    Dev,
    /// Drop pre/post/dev: `1.2.0rc1` -> `1.2.0`.
    Release,
}

/// Parse a pre-release kind as written on the command line.
pub fn parse_pre_kind(s: &str) -> Option<PrereleaseKind> {
    match s.to_ascii_lowercase().as_str() {
        "a" | "alpha" => Some(PrereleaseKind::Alpha),
        "b" | "beta" => Some(PrereleaseKind::Beta),
        "rc" | "c" | "pre" | "preview" => Some(PrereleaseKind::Rc),
        _ => None,
    }
}

fn parse(s: &str) -> Version {
    // Only called on strings built from valid versions.
    Version::from_str(s).unwrap_or_else(|_| Version::new([0u64]))
}

/// The version with only epoch and release kept.
fn release_only(v: &Version) -> Version {
    let mut out = v.only_release();
    if v.epoch() != 0 {
        out = parse(&format!("{}!{}", v.epoch(), out));
    }
    out
}

fn release_at(v: &Version, i: usize) -> u64 {
    v.release().get(i).copied().unwrap_or(0)
}

/// True when the version is an unfinished (pre or dev) release of its own release number.
fn is_unfinished(v: &Version) -> bool {
    v.is_pre() || (v.is_dev() && !v.is_post())
}

/// Apply a bump. Errors say what to do instead.
pub fn bump(v: &Version, how: Bump) -> Result<Version, String> {
    let v = v.clone().without_local();
    let trailing_zero_from = |index: usize| (index + 1..3).all(|i| release_at(&v, i) == 0);
    let out = match how {
        Bump::Major | Bump::Minor | Bump::Patch => {
            let index = match how {
                Bump::Major => 0,
                Bump::Minor => 1,
                _ => 2,
            };
            // `2.0.0rc1` bumped to major is `2.0.0`: the pre-release already is that release.
            if is_unfinished(&v) && trailing_zero_from(index) {
                release_only(&v)
            } else {
                let mut out = release_only(&v);
                // Keep at least three components so 1.2 -> 1.2.1 for a patch bump.
                if out.release().len() < index + 1 {
                    let mut parts = out.release().to_vec();
                    parts.resize(index + 1, 0);
                    out = out.with_release(parts);
                }
                out.bump(BumpCommand::BumpRelease { index, value: None });
                out
            }
        }
        Bump::Pre(kind) => match v.pre() {
            Some(current) => {
                let kind = kind.unwrap_or(current.kind);
                if kind < current.kind {
                    return Err(format!(
                        "{v} is already a{} pre-release; a {} pre-release would be older",
                        kind_name_article(current.kind),
                        kind_name(kind)
                    ));
                }
                if v.is_dev() && !v.is_post() && kind == current.kind {
                    // 1.0rc1.dev3 -> 1.0rc1: the dev release was leading up to rc1.
                    release_only(&v).with_pre(Some(current))
                } else {
                    let number = if kind == current.kind {
                        current.number + 1
                    } else {
                        1
                    };
                    release_only(&v).with_pre(Some(Prerelease { kind, number }))
                }
            }
            None => {
                let kind = kind.unwrap_or(PrereleaseKind::Alpha);
                let base = if v.is_dev() && !v.is_post() {
                    release_only(&v)
                } else {
                    bump(&v, Bump::Patch)?
                };
                base.with_pre(Some(Prerelease { kind, number: 1 }))
            }
        },
        Bump::Post => {
            if is_unfinished(&v) {
                return Err(format!(
                    "{v} is not a final release; a post-release only follows a final release"
                ));
            }
            let mut out = v.clone();
            out.bump(BumpCommand::BumpPost { value: None });
            out
        }
        Bump::Dev => {
            if v.is_dev() {
                let mut out = v.clone();
                out.bump(BumpCommand::BumpDev { value: None });
                out
            } else {
                // A dev release of a published version would sort before it: move on first.
                let mut out = next_release(&v);
                out.bump(BumpCommand::BumpDev { value: Some(1) });
                out
            }
        }
        Bump::Release => {
            if !is_unfinished(&v) {
                return Err(format!(
                    "{v} is already a final release; use `bump patch`, `bump minor` or `bump major`"
                ));
            }
            let mut out = v.clone();
            out.bump(BumpCommand::MakeStable);
            out
        }
    };
    Ok(out)
}

fn kind_name(kind: PrereleaseKind) -> &'static str {
    match kind {
        PrereleaseKind::Alpha => "alpha",
        PrereleaseKind::Beta => "beta",
        PrereleaseKind::Rc => "release-candidate",
    }
}

fn kind_name_article(kind: PrereleaseKind) -> &'static str {
    match kind {
        PrereleaseKind::Alpha => "n alpha",
        PrereleaseKind::Beta => " beta",
        PrereleaseKind::Rc => " release-candidate",
    }
}

/// The release that comes after a published version: `1.2.3` -> `1.2.4`, `2.0rc1` -> `2.0rc2`,
/// `1.2.3.post1` -> `1.2.4`; an unpublished `1.3.0.dev2` leads up to `1.3.0`.
pub fn next_release(v: &Version) -> Version {
    let v = v.clone().without_local();
    if let Some(pre) = v.pre() {
        if v.is_dev() && !v.is_post() {
            return release_only(&v).with_pre(Some(pre));
        }
        return release_only(&v).with_pre(Some(Prerelease {
            kind: pre.kind,
            number: pre.number + 1,
        }));
    }
    if v.is_dev() && !v.is_post() {
        return release_only(&v);
    }
    let mut out = release_only(&v);
    let index = out.release().len().max(3) - 1;
    let mut parts = out.release().to_vec();
    parts.resize(index + 1, 0);
    out = out.with_release(parts);
    out.bump(BumpCommand::BumpRelease { index, value: None });
    out
}

/// The version with its dev number set to `n` (any existing dev and local part dropped).
pub fn with_dev(v: &Version, n: u64) -> Version {
    let mut out = v.clone().without_local();
    out.bump(BumpCommand::BumpDev { value: Some(n) });
    out
}

/// Bump level implied by conventional-commit messages (`feat:` minor, `fix:` etc. patch,
/// `!` or `BREAKING CHANGE:` major; in 0.x a breaking change bumps the minor number).
pub fn auto_level(current: &Version, messages: &[String]) -> Result<Bump, String> {
    if messages.is_empty() {
        return Err("no commits since the last release tag: nothing to release".into());
    }
    if is_unfinished(current) {
        return Ok(Bump::Release);
    }
    let header = regex::Regex::new(r"^(?P<type>[A-Za-z]+)(\([^)]*\))?(?P<bang>!)?: ")
        .map_err(|e| e.to_string())?;
    let mut level = Bump::Patch;
    for message in messages {
        let first = message.lines().next().unwrap_or("");
        let caps = header.captures(first);
        let breaking = caps.as_ref().is_some_and(|c| c.name("bang").is_some())
            || message
                .lines()
                .any(|l| l.starts_with("BREAKING CHANGE:") || l.starts_with("BREAKING-CHANGE:"));
        if breaking {
            level = if release_at(current, 0) == 0 {
                Bump::Minor
            } else {
                Bump::Major
            };
            if level == Bump::Major {
                break;
            }
        } else if caps.is_some_and(|c| c["type"].eq_ignore_ascii_case("feat")) {
            level = Bump::Minor;
        }
    }
    Ok(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    fn b(s: &str, how: Bump) -> String {
        bump(&v(s), how).unwrap().to_string()
    }

    #[test]
    fn release_bumps() {
        assert_eq!(b("1.2.3", Bump::Major), "2.0.0");
        assert_eq!(b("1.2.3", Bump::Minor), "1.3.0");
        assert_eq!(b("1.2.3", Bump::Patch), "1.2.4");
        assert_eq!(b("1.2", Bump::Patch), "1.2.1");
        assert_eq!(b("1", Bump::Minor), "1.1");
        assert_eq!(b("2.0.0rc1", Bump::Major), "2.0.0");
        assert_eq!(b("2.1.0rc1", Bump::Major), "3.0.0");
        assert_eq!(b("1.3.0.dev4", Bump::Minor), "1.3.0");
        assert_eq!(b("1.2.3.post2", Bump::Patch), "1.2.4");
        assert_eq!(b("1!1.0", Bump::Major), "1!2.0");
        assert_eq!(b("1.2.3+local", Bump::Patch), "1.2.4");
    }

    #[test]
    fn pre_post_dev_release() {
        assert_eq!(b("1.2.3", Bump::Pre(None)), "1.2.4a1");
        assert_eq!(b("1.2.3", Bump::Pre(Some(PrereleaseKind::Rc))), "1.2.4rc1");
        assert_eq!(b("2.0a1", Bump::Pre(None)), "2.0a2");
        assert_eq!(b("2.0a2", Bump::Pre(Some(PrereleaseKind::Beta))), "2.0b1");
        assert_eq!(b("2.0rc1.dev3", Bump::Pre(None)), "2.0rc1");
        assert_eq!(
            b("2.0.dev3", Bump::Pre(Some(PrereleaseKind::Beta))),
            "2.0b1"
        );
        assert!(bump(&v("2.0rc1"), Bump::Pre(Some(PrereleaseKind::Alpha))).is_err());
        assert_eq!(b("1.0", Bump::Post), "1.0.post1");
        assert_eq!(b("1.0.post1", Bump::Post), "1.0.post2");
        assert!(bump(&v("1.0rc1"), Bump::Post).is_err());
        assert_eq!(b("1.0.dev1", Bump::Dev), "1.0.dev2");
        assert_eq!(b("1.0.0", Bump::Dev), "1.0.1.dev1");
        assert_eq!(b("1.0rc1", Bump::Dev), "1.0rc2.dev1");
        assert_eq!(b("1.0rc1", Bump::Release), "1.0");
        assert_eq!(b("1.0.dev3", Bump::Release), "1.0");
        assert!(bump(&v("1.0"), Bump::Release).is_err());
    }

    #[test]
    fn next_releases() {
        let n = |s: &str| next_release(&v(s)).to_string();
        assert_eq!(n("1.2.3"), "1.2.4");
        assert_eq!(n("1.2"), "1.2.1");
        assert_eq!(n("2.0rc1"), "2.0rc2");
        assert_eq!(n("1.3.0.dev2"), "1.3.0");
        assert_eq!(n("1.2.3.post1"), "1.2.4");
        assert_eq!(n("2.0rc1.dev1"), "2.0rc1");
        assert_eq!(
            with_dev(&v("1.2.4"), 20260101000000).to_string(),
            "1.2.4.dev20260101000000"
        );
    }

    #[test]
    fn conventional_commits() {
        let m = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            auto_level(&v("1.2.3"), &m(&["fix: x", "docs: y"])).unwrap(),
            Bump::Patch
        );
        assert_eq!(
            auto_level(&v("1.2.3"), &m(&["fix: x", "feat(cli): y"])).unwrap(),
            Bump::Minor
        );
        assert_eq!(
            auto_level(&v("1.2.3"), &m(&["feat!: y"])).unwrap(),
            Bump::Major
        );
        assert_eq!(
            auto_level(&v("1.2.3"), &m(&["fix: a\n\nBREAKING CHANGE: gone"])).unwrap(),
            Bump::Major
        );
        assert_eq!(
            auto_level(&v("0.4.0"), &m(&["feat!: y"])).unwrap(),
            Bump::Minor
        );
        assert_eq!(
            auto_level(&v("1.0rc1"), &m(&["fix: x"])).unwrap(),
            Bump::Release
        );
        assert!(auto_level(&v("1.0"), &[]).is_err());
        assert_eq!(
            auto_level(&v("1.0"), &m(&["random message"])).unwrap(),
            Bump::Patch
        );
    }
}

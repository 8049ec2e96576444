//! Dev versions for TestPyPI: `<next release>.dev<YYYYMMDDHHMMSS>`.
//!
//! The dev number is the commit's *committer* time in UTC, written as digits. It is a property
//! of the commit itself, so a re-run of the same commit (new run, new attempt, a local build, a
//! shallow clone) gets the same number, and a later commit on the default branch gets a larger
//! one. Run numbers change between workflows and re-dispatches of one commit; commit distance
//! collides across branches and is wrong in shallow clones. docs/version.md has the full
//! reasoning.

use time::OffsetDateTime;
use uv_pep440::Version;

use crate::bump::{next_release, with_dev};

/// The dev number for a commit time (seconds since the Unix epoch, UTC).
pub fn dev_number(committer_unix: i64) -> Result<u64, String> {
    let t = OffsetDateTime::from_unix_timestamp(committer_unix)
        .map_err(|e| format!("commit time {committer_unix} is out of range: {e}"))?;
    if t.year() < 1970 || t.year() > 9999 {
        return Err(format!("commit time {committer_unix} is out of range"));
    }
    let digits = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    digits
        .parse()
        .map_err(|e| format!("commit time {committer_unix}: {e}"))
}

/// The release a dev build leads up to. `released` says whether `current` already has a
/// release tag (or is on the index): then the next release comes after it.
pub fn upcoming_release(current: &Version, released: bool) -> Version {
    if released {
        next_release(current)
    } else if current.is_dev() && !current.is_post() {
        // 1.3.0.dev0 in pyproject.toml means "working towards 1.3.0".
        next_release(current)
    } else {
        current.clone().without_local()
    }
}

/// The dev version for a commit.
pub fn dev_version(
    current: &Version,
    released: bool,
    committer_unix: i64,
) -> Result<Version, String> {
    Ok(with_dev(
        &upcoming_release(current, released),
        dev_number(committer_unix)?,
    ))
}

/// Variables build backends read to override a VCS-derived version, in `NAME=value` form.
pub fn override_env(project_name: Option<&str>, version: &Version) -> Vec<(String, String)> {
    let v = version.to_string();
    let mut out = vec![("SETUPTOOLS_SCM_PRETEND_VERSION".to_string(), v.clone())];
    if let Some(name) = project_name {
        // setuptools-scm's per-distribution form: name normalised, upper case, `_` separators.
        let dist: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        out.push((
            format!("SETUPTOOLS_SCM_PRETEND_VERSION_FOR_{dist}"),
            v.clone(),
        ));
    }
    out.push(("PDM_BUILD_SCM_VERSION".to_string(), v.clone()));
    out.push(("SHIPWHEEL_VERSION".to_string(), v));
    out
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn digits_are_utc() {
        // 2026-11-27T01:02:03Z
        assert_eq!(dev_number(1_795_741_323).unwrap(), 20261127010203);
        assert_eq!(dev_number(0).unwrap(), 19700101000000);
        assert!(dev_number(-1).is_err());
    }

    #[test]
    fn later_commit_larger_number() {
        let a = dev_number(1_795_741_323).unwrap();
        let b = dev_number(1_795_741_324).unwrap();
        let c = dev_number(1_795_741_323 + 86_400 * 40).unwrap();
        assert!(a < b && b < c);
    }

    #[test]
    fn dev_versions() {
        let v = |s: &str| Version::from_str(s).unwrap();
        let t = 1_795_741_323;
        assert_eq!(
            dev_version(&v("1.2.3"), false, t).unwrap().to_string(),
            "1.2.3.dev20261127010203"
        );
        assert_eq!(
            dev_version(&v("1.2.3"), true, t).unwrap().to_string(),
            "1.2.4.dev20261127010203"
        );
        assert_eq!(
            dev_version(&v("1.3.0.dev0"), false, t).unwrap().to_string(),
            "1.3.0.dev20261127010203"
        );
        assert_eq!(
            dev_version(&v("2.0rc1"), true, t).unwrap().to_string(),
            "2.0rc2.dev20261127010203"
        );
        // A dev version always sorts below the release it leads to and above the released one.
        let d = dev_version(&v("1.2.3"), true, t).unwrap();
        assert!(d > v("1.2.3") && d < v("1.2.4"));
    }

    #[test]
    fn env_names() {
        let v = Version::from_str("1.0.dev5").unwrap();
        let env = override_env(Some("my-pkg.x"), &v);
        assert!(env.contains(&(
            "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_MY_PKG_X".into(),
            "1.0.dev5".into()
        )));
        assert_eq!(
            env[0],
            ("SETUPTOOLS_SCM_PRETEND_VERSION".into(), "1.0.dev5".into())
        );
    }
}

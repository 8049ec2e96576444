//! Rules across the files of one upload batch: what PyPI refuses when the files arrive one after
//! another (a second sdist, a filename or content uploaded twice), and what is most likely a
//! mistake (files of several projects or versions in one release).

use std::collections::BTreeMap;

use crate::check::{CheckOptions, FileReport};
use crate::filename::DistKind;
use crate::finding::{Finding, Rule, Severity};

pub const B001: Rule = Rule {
    id: "B001",
    name: "one-sdist-per-release",
    severity: Severity::Error,
    summary: "More than one sdist for the same release: PyPI keeps only the first",
    hint: "Upload exactly one sdist per version (remove the extra .tar.gz/.zip)",
};
pub const B002: Rule = Rule {
    id: "B002",
    name: "duplicate-filename",
    severity: Severity::Error,
    summary: "The same filename appears twice in the batch with different content",
    hint: "Remove stale files from the dist directory (e.g. `rm -rf dist` and rebuild)",
};
pub const B003: Rule = Rule {
    id: "B003",
    name: "duplicate-content",
    severity: Severity::Error,
    summary: "Two different filenames have identical content; PyPI refuses the second",
    hint: "Upload the file under one name only",
};
pub const B004: Rule = Rule {
    id: "B004",
    name: "mixed-projects",
    severity: Severity::Warning,
    summary: "The batch holds files of more than one project",
    hint: "Check one project's files at a time (e.g. `shipwheel check dist/myproject-*`)",
};
pub const B005: Rule = Rule {
    id: "B005",
    name: "mixed-versions",
    severity: Severity::Warning,
    summary: "The batch holds more than one version of a project",
    hint: "Remove files of other versions from the dist directory (e.g. `rm -rf dist` and rebuild)",
};

pub const B006: Rule = Rule {
    id: "B006",
    name: "release-metadata-differs",
    severity: Severity::Warning,
    summary: "A wheel's metadata differs from its sdist's in a field the sdist does not mark Dynamic (PEP 643)",
    hint: "Build the wheel from the sdist (`python -m build` does) so both carry the same metadata",
};

/// The rules this module owns.
pub const RULES: &[Rule] = &[B001, B002, B003, B004, B005, B006];

/// Fields compared between an sdist and the wheels of the same release: the ones PyPI shows
/// from whichever file is uploaded first. Multiple-use fields compare as sorted lists.
const CONSISTENT_FIELDS: &[(&str, bool)] = &[
    ("Name", false),
    ("Summary", false),
    ("Requires-Python", false),
    ("Description-Content-Type", false),
    ("License-Expression", false),
    ("Requires-Dist", true),
    ("Provides-Extra", true),
    ("Classifier", true),
];

/// Rules across the files of one upload batch. Files whose name or version could not be read
/// are left out of the project/version rules (their own findings already say why).
pub fn check_batch(files: &[FileReport], _opts: &CheckOptions) -> Vec<Finding> {
    let mut out = Vec::new();

    // B002: one filename, several files. Identical content is only a warning: PyPI answers the
    // second upload of an identical file with success and keeps one copy.
    let mut by_filename: BTreeMap<&str, Vec<&FileReport>> = BTreeMap::new();
    for f in files {
        by_filename.entry(f.filename.as_str()).or_default().push(f);
    }
    for (filename, group) in &by_filename {
        let [first, rest @ ..] = group.as_slice() else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let paths = group
            .iter()
            .map(|f| f.path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let identical = first.sha256.is_some() && rest.iter().all(|f| f.sha256 == first.sha256);
        let finding = if identical {
            B002.finding(
                *filename,
                format!("{filename} is given more than once ({paths}); the copies are identical, so only one is uploaded"),
            )
            .warning()
        } else {
            B002.finding(
                *filename,
                format!("File already exists ('{filename}'): {paths} share the filename but differ in content"),
            )
        };
        out.push(finding);
    }

    // B003: one content, several filenames (PyPI matches uploads by blake2 digest too).
    let mut by_hash: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (filename, group) in &by_filename {
        if let Some(h) = group.first().and_then(|f| f.sha256.as_deref()) {
            let names = by_hash.entry(h).or_default();
            if !names.contains(filename) {
                names.push(filename);
            }
        }
    }
    for names in by_hash.values() {
        if let [first, rest @ ..] = names.as_slice()
            && !rest.is_empty()
        {
            out.push(
                B003.finding(
                    *first,
                    format!(
                        "File already exists: {} have identical content, and PyPI refuses a file whose digest was already uploaded under another name",
                        names.join(", ")
                    ),
                ),
            );
        }
    }

    // B001: several sdists of one release (PyPI: "Only one sdist may be uploaded per release.").
    let mut sdists: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for (filename, group) in &by_filename {
        let Some(f) = group.first() else { continue };
        if f.kind != Some(DistKind::Sdist) {
            continue;
        }
        if let (Some(name), Some(version)) = (&f.name, &f.version) {
            sdists
                .entry((crate::pep::normalize_name(name), version_key(version)))
                .or_default()
                .push(filename);
        }
    }
    for ((name, version), names) in &sdists {
        if let [_, second, ..] = names.as_slice() {
            out.push(
                B001.finding(
                    *second,
                    format!(
                        "Only one sdist may be uploaded per release. {name} {version} has {} sdists: {}",
                        names.len(),
                        names.join(", ")
                    ),
                ),
            );
        }
    }

    // B004/B005: which projects and versions the batch holds.
    // project -> version key -> (version as first written, files)
    let mut projects: BTreeMap<String, BTreeMap<String, (&str, Vec<&str>)>> = BTreeMap::new();
    for f in files {
        if let (Some(name), Some(version)) = (&f.name, &f.version) {
            projects
                .entry(crate::pep::normalize_name(name))
                .or_default()
                .entry(version_key(version))
                .or_insert_with(|| (version.as_str(), Vec::new()))
                .1
                .push(f.filename.as_str());
        }
    }
    if projects.len() > 1 {
        let listed = projects.keys().cloned().collect::<Vec<_>>().join(", ");
        let first_file = files.first().map(|f| f.filename.as_str()).unwrap_or("");
        out.push(B004.finding(
            first_file,
            format!("The files belong to {} projects: {listed}", projects.len()),
        ));
    }
    for (project, versions) in &projects {
        if versions.len() > 1 {
            let listed = versions
                .values()
                .map(|(v, _)| *v)
                .collect::<Vec<_>>()
                .join(", ");
            let first_file = versions
                .values()
                .flat_map(|(_, f)| f)
                .next()
                .copied()
                .unwrap_or("");
            out.push(B005.finding(
                first_file,
                format!(
                    "{project} has {} versions in one batch: {listed}",
                    versions.len()
                ),
            ));
        }
    }
    out.extend(release_consistency(files));
    out
}

/// B006: a wheel must carry the sdist's values for every field the sdist (Metadata-Version 2.2
/// or later) does not declare Dynamic. Older sdists make no such promise and are skipped.
fn release_consistency(files: &[FileReport]) -> Vec<Finding> {
    let mut out = Vec::new();
    let key = |f: &FileReport| match (&f.name, &f.version) {
        (Some(n), Some(v)) => Some((crate::pep::normalize_name(n), version_key(v))),
        _ => None,
    };
    for sdist in files.iter().filter(|f| f.kind == Some(DistKind::Sdist)) {
        let (Some(sk), Some(smeta)) = (key(sdist), sdist.metadata.as_ref()) else {
            continue;
        };
        let mv = smeta.get("Metadata-Version").unwrap_or("").trim();
        let declares_dynamic = mv
            .split_once('.')
            .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
            .is_some_and(|v| v >= (2, 2));
        if !declares_dynamic {
            continue;
        }
        let dynamic: Vec<String> = smeta
            .get_all("Dynamic")
            .map(|d| d.trim().to_ascii_lowercase())
            .collect();
        for wheel in files.iter().filter(|f| f.kind == Some(DistKind::Wheel)) {
            let (Some(wk), Some(wmeta)) = (key(wheel), wheel.metadata.as_ref()) else {
                continue;
            };
            if wk != sk {
                continue;
            }
            for (field, multiple) in CONSISTENT_FIELDS {
                if dynamic.contains(&field.to_ascii_lowercase()) {
                    continue;
                }
                let values = |m: &crate::metadata::RawMetadata| -> Vec<String> {
                    let mut v: Vec<String> =
                        m.get_all(field).map(|x| x.trim().to_string()).collect();
                    if *multiple {
                        v.sort();
                    } else {
                        v.truncate(1);
                    }
                    v
                };
                let (a, b) = (values(smeta), values(wmeta));
                if a != b {
                    let show = |v: &[String]| {
                        if v.is_empty() {
                            "(absent)".to_string()
                        } else {
                            v.join("; ")
                        }
                    };
                    out.push(
                        B006.finding(
                            wheel.filename.as_str(),
                            format!(
                                "{field} differs from the sdist {}: {} in the wheel, {} in the sdist",
                                sdist.filename,
                                show(&b),
                                show(&a)
                            ),
                        )
                        .at(*field),
                    );
                }
            }
        }
    }
    out
}

/// A key under which PEP 440-equal versions compare equal (`1.0` and `1.0.0` are one release).
fn version_key(version: &str) -> String {
    match version.trim().parse::<crate::pep::Version>() {
        Ok(v) => v.without_trailing_zeros().to_string(),
        Err(_) => version.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn report(path: &str, kind: DistKind, name: &str, version: &str, sha: &str) -> FileReport {
        let path = PathBuf::from(path);
        FileReport {
            filename: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path,
            kind: Some(kind),
            size: 10,
            sha256: Some(sha.into()),
            blake2_256: None,
            name: Some(name.into()),
            version: Some(version.into()),
            metadata: None,
            metadata_bytes: None,
            findings: Vec::new(),
        }
    }

    fn run(files: &[FileReport]) -> Vec<(&'static str, Severity, String)> {
        check_batch(files, &CheckOptions::default())
            .into_iter()
            .map(|f| (f.rule, f.severity, f.message))
            .collect()
    }

    #[test]
    fn a_normal_release_is_clean() {
        let files = [
            report(
                "dist/pkg-1.0-py3-none-any.whl",
                DistKind::Wheel,
                "Pkg",
                "1.0",
                "a",
            ),
            report("dist/pkg-1.0.tar.gz", DistKind::Sdist, "pkg", "1.0.0", "b"),
        ];
        assert!(run(&files).is_empty());
    }

    #[test]
    fn two_sdists_of_one_release_is_an_error() {
        let files = [
            report("dist/pkg-1.0.tar.gz", DistKind::Sdist, "pkg", "1.0", "a"),
            report("dist/pkg-1.0.zip", DistKind::Sdist, "Pkg", "1.0.0", "b"),
        ];
        let r = run(&files);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].0, "B001");
        assert_eq!(r[0].1, Severity::Error);
        assert!(
            r[0].2
                .starts_with("Only one sdist may be uploaded per release.")
        );
    }

    #[test]
    fn duplicate_filenames_and_contents() {
        let same = [
            report("a/pkg-1.0.tar.gz", DistKind::Sdist, "pkg", "1.0", "h"),
            report("b/pkg-1.0.tar.gz", DistKind::Sdist, "pkg", "1.0", "h"),
        ];
        let r = run(&same);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!((r[0].0, r[0].1), ("B002", Severity::Warning));

        let differ = [
            report("a/pkg-1.0.tar.gz", DistKind::Sdist, "pkg", "1.0", "h1"),
            report("b/pkg-1.0.tar.gz", DistKind::Sdist, "pkg", "1.0", "h2"),
        ];
        let r = run(&differ);
        assert_eq!((r[0].0, r[0].1), ("B002", Severity::Error));
        assert!(r[0].2.starts_with("File already exists"));

        let renamed = [
            report(
                "dist/pkg-1.0-py3-none-any.whl",
                DistKind::Wheel,
                "pkg",
                "1.0",
                "h",
            ),
            report(
                "dist/pkg-1.0-py2.py3-none-any.whl",
                DistKind::Wheel,
                "pkg",
                "1.0",
                "h",
            ),
        ];
        let r = run(&renamed);
        assert_eq!((r[0].0, r[0].1), ("B003", Severity::Error));
    }

    #[test]
    fn mixed_projects_and_versions_are_warnings() {
        let files = [
            report("dist/a-1.0.tar.gz", DistKind::Sdist, "a", "1.0", "1"),
            report("dist/a-2.0.tar.gz", DistKind::Sdist, "a", "2.0", "2"),
            report("dist/b-1.0.tar.gz", DistKind::Sdist, "b", "1.0", "3"),
        ];
        let r = run(&files);
        let ids: Vec<_> = r.iter().map(|f| (f.0, f.1)).collect();
        assert_eq!(
            ids,
            [("B004", Severity::Warning), ("B005", Severity::Warning)]
        );
        assert_eq!(r[0].2, "The files belong to 2 projects: a, b");
        assert_eq!(r[1].2, "a has 2 versions in one batch: 1.0, 2.0");
    }

    fn with_meta(mut r: FileReport, text: &str) -> FileReport {
        r.metadata = Some(crate::metadata::RawMetadata::parse(text.as_bytes()).unwrap());
        r
    }

    #[test]
    fn wheel_metadata_must_match_the_sdist_unless_dynamic() {
        let sdist_text = "Metadata-Version: 2.2\nName: pkg\nVersion: 1.0\nSummary: A pkg\nRequires-Dist: b\nRequires-Dist: a\nDynamic: Requires-Python\n";
        let sdist = with_meta(
            report("dist/pkg-1.0.tar.gz", DistKind::Sdist, "pkg", "1.0", "s"),
            sdist_text,
        );
        let same = with_meta(
            report(
                "dist/pkg-1.0-py3-none-any.whl",
                DistKind::Wheel,
                "pkg",
                "1.0",
                "w",
            ),
            "Metadata-Version: 2.4\nName: pkg\nVersion: 1.0\nSummary: A pkg\nRequires-Dist: a\nRequires-Dist: b\nRequires-Python: >=3.9\n",
        );
        assert!(run(&[sdist.clone(), same]).is_empty());

        let differs = with_meta(
            report(
                "dist/pkg-1.0-py3-none-any.whl",
                DistKind::Wheel,
                "pkg",
                "1.0",
                "w",
            ),
            "Metadata-Version: 2.4\nName: pkg\nVersion: 1.0\nSummary: Another\nRequires-Dist: a\n",
        );
        let r = run(&[sdist.clone(), differs.clone()]);
        let ids: Vec<_> = r.iter().map(|f| (f.0, f.1)).collect();
        assert_eq!(
            ids,
            [("B006", Severity::Warning), ("B006", Severity::Warning)]
        );
        assert_eq!(
            r[0].2,
            "Summary differs from the sdist pkg-1.0.tar.gz: Another in the wheel, A pkg in the sdist"
        );
        assert!(r[1].2.starts_with("Requires-Dist differs"));

        // Before Metadata-Version 2.2 every field may differ.
        let old = with_meta(
            report("dist/pkg-1.0.tar.gz", DistKind::Sdist, "pkg", "1.0", "s"),
            &sdist_text.replace("2.2", "2.1"),
        );
        assert!(run(&[old, differs]).is_empty());
    }

    #[test]
    fn pep440_equal_versions_are_one_release() {
        assert_eq!(version_key("1.0.0"), version_key("1"));
        assert_eq!(version_key("1.0rc1"), version_key("1.0.0-rc.1"));
        assert_ne!(version_key("1.0"), version_key("1.0.post1"));
        assert_eq!(version_key("not a version"), "not a version");
    }
}

//! Trove classifiers, judged as PyPI does: exact membership in the pinned trove-classifiers
//! list, no deprecated classifier, and `Private ::` classifiers always refused.
//!
//! The list is generated from the trove-classifiers package by `scripts/gen-classifiers.py`.

use crate::finding::{Finding, Rule, Severity};
use crate::metadata::RawMetadata;
use crate::metadata::pyfmt::{repr, repr_list};

#[rustfmt::skip]
pub mod data;

pub use data::{CLASSIFIERS, DEPRECATED, TROVE_CLASSIFIERS_VERSION};

pub const TC001: Rule = Rule {
    id: "TC001",
    name: "classifier-invalid",
    severity: Severity::Error,
    summary: "A classifier that is not in the trove-classifiers list",
    hint: "Pick the exact text from PyPI's classifier list (`python -m trove_classifiers` prints it); spelling, spaces and case matter",
};
pub const TC002: Rule = Rule {
    id: "TC002",
    name: "classifier-deprecated",
    severity: Severity::Error,
    summary: "A deprecated classifier (PyPI refuses it)",
    hint: "Use the replacement classifier, or drop it",
};
pub const TC003: Rule = Rule {
    id: "TC003",
    name: "classifier-private",
    severity: Severity::Error,
    summary: "A `Private ::` classifier, which exists to make PyPI refuse the upload",
    hint: "This project is marked private on purpose; remove the `Private ::` classifier only if it really should be public",
};

/// The rules this module owns.
pub const RULES: &[Rule] = &[TC001, TC002, TC003];

/// Whether `c` is exactly a valid (not deprecated) classifier.
pub fn is_valid(c: &str) -> bool {
    CLASSIFIERS.binary_search(&c).is_ok()
}

/// The replacements of a deprecated classifier (`Some(&[])` when there is none).
pub fn deprecated(c: &str) -> Option<&'static [&'static str]> {
    DEPRECATED
        .binary_search_by(|(name, _)| (*name).cmp(c))
        .ok()
        .and_then(|i| DEPRECATED.get(i))
        .map(|(_, replacements)| *replacements)
}

/// A valid classifier that differs only in case or spacing, to suggest as the fix.
fn near_match(c: &str) -> Option<&'static str> {
    fn key(s: &str) -> String {
        s.split("::")
            .map(|p| {
                p.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .collect::<Vec<_>>()
            .join(" :: ")
    }
    // Built once: a METADATA with thousands of bad classifiers must not rescan the list each time.
    static KEYS: std::sync::OnceLock<std::collections::HashMap<String, &'static str>> =
        std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        for v in CLASSIFIERS.iter().copied() {
            // The first (sorted) classifier wins, as a linear scan would pick it.
            map.entry(key(v)).or_insert(v);
        }
        map
    });
    keys.get(&key(c)).copied()
}

fn is_private(c: &str) -> bool {
    c.split("::")
        .any(|segment| segment.trim().to_lowercase().starts_with("private"))
}

/// Judge every Classifier header; PyPI reports each distinct bad classifier once, sorted.
pub fn check_classifiers(meta: &RawMetadata, file: &str) -> Vec<Finding> {
    let mut values: Vec<&str> = meta.fields("classifier").collect();
    values.sort_unstable();
    values.dedup();
    let mut out = Vec::new();
    for c in &values {
        if is_valid(c) || deprecated(c).is_some() {
            continue;
        }
        let msg = format!("{} is not a valid classifier.", repr(c));
        let finding = if is_private(c) {
            TC003.finding(file, msg)
        } else {
            let f = TC001.finding(file, msg);
            match near_match(c) {
                Some(fix) => f.hint(format!("Did you mean {}?", repr(fix))),
                None => f,
            }
        };
        out.push(finding.at("Classifier"));
    }
    for c in &values {
        let Some(replacements) = deprecated(c) else {
            continue;
        };
        let msg = if replacements.is_empty() {
            format!("The classifier {} has been deprecated.", repr(c))
        } else {
            format!(
                "The classifier {} has been deprecated, use one of {} instead.",
                repr(c),
                repr_list(replacements)
            )
        };
        out.push(TC002.finding(file, msg).at("Classifier"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(classifiers: &[&str]) -> Vec<(&'static str, String)> {
        let mut text = String::from("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n");
        for c in classifiers {
            text.push_str(&format!("Classifier: {c}\n"));
        }
        let meta = RawMetadata::parse(text.as_bytes()).unwrap_or_default();
        check_classifiers(&meta, "demo-1.0.tar.gz")
            .into_iter()
            .map(|f| (f.rule, f.message))
            .collect()
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(CLASSIFIERS.windows(2).all(|w| w[0] < w[1]));
        assert!(DEPRECATED.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn valid_classifiers_pass() {
        assert!(
            check(&[
                "Programming Language :: Python :: 3",
                "License :: OSI Approved :: MIT License"
            ])
            .is_empty()
        );
    }

    #[test]
    fn invalid_classifier_uses_pypi_message() {
        assert_eq!(
            check(&[
                "Programming Language :: Python :: 3",
                "Programming Language :: Pyton"
            ]),
            vec![(
                "TC001",
                "'Programming Language :: Pyton' is not a valid classifier.".to_string()
            )]
        );
        let meta = RawMetadata::parse(b"Metadata-Version: 2.4\nName: d\nVersion: 1\nClassifier: programming language :: python :: 3\n")
            .unwrap_or_default();
        let f = check_classifiers(&meta, "d");
        assert_eq!(
            f[0].hint,
            "Did you mean 'Programming Language :: Python :: 3'?"
        );
    }

    #[test]
    fn deprecated_classifier_is_refused() {
        assert_eq!(
            check(&["Natural Language :: Ukranian"]),
            vec![(
                "TC002",
                "The classifier 'Natural Language :: Ukranian' has been deprecated, use one of ['Natural Language :: Ukrainian'] instead.".to_string()
            )]
        );
        assert!(check(&["Natural Language :: Ukrainian"]).is_empty());
        assert_eq!(
            check(&["Topic :: Communications :: Chat :: AOL Instant Messenger"]),
            vec![(
                "TC002",
                "The classifier 'Topic :: Communications :: Chat :: AOL Instant Messenger' has been deprecated.".to_string()
            )]
        );
    }

    #[test]
    fn private_classifier_is_refused() {
        assert_eq!(
            check(&["Private :: Do Not Upload"]),
            vec![(
                "TC003",
                "'Private :: Do Not Upload' is not a valid classifier.".to_string()
            )]
        );
        assert!(check(&["Intended Audience :: Developers"]).is_empty());
    }

    #[test]
    fn unknown_values_are_skipped() {
        assert!(check(&["UNKNOWN"]).is_empty());
    }
}

//! License-Expression (PEP 639), judged as PyPI does: packaging 26.2's
//! `canonicalize_license_expression` against the SPDX list packaging embeds (3.27.0, generated
//! into `license/spdx_data.rs` by `scripts/gen-classifiers.py`). The `spdx` crate supplies
//! "did you mean" hints for unknown identifiers.

use crate::finding::{Finding, Rule, Severity};
use crate::metadata::RawMetadata;
use crate::metadata::pyfmt::repr;

#[rustfmt::skip]
pub mod spdx_data;

pub const L001: Rule = Rule {
    id: "L001",
    name: "license-expression-invalid",
    severity: Severity::Error,
    summary: "License-Expression is not a valid SPDX expression (unknown id or exception, bad \
              syntax, or a LicenseRef with characters outside [A-Za-z0-9.-])",
    hint: "Use SPDX identifiers joined by AND / OR / WITH, e.g. `MIT` or `Apache-2.0 OR MIT`",
};
pub const L002: Rule = Rule {
    id: "L002",
    name: "license-expression-not-canonical",
    severity: Severity::Warning,
    summary: "License-Expression is valid but not written in canonical form (PyPI stores the canonical form)",
    hint: "Write the expression in its canonical case and spacing",
};
pub const L003: Rule = Rule {
    id: "L003",
    name: "license-deprecated-id",
    severity: Severity::Warning,
    summary: "License-Expression uses a deprecated SPDX license or exception id",
    hint: "Use the current SPDX identifier (e.g. GPL-3.0-only instead of GPL-3.0)",
};
pub const L004: Rule = Rule {
    id: "L004",
    name: "license-classifier-deprecated",
    severity: Severity::Warning,
    summary: "`License ::` classifiers alongside License-Expression or at Metadata-Version 2.4+ (deprecated by PEP 639)",
    hint: "Drop the `License ::` classifiers; License-Expression says it",
};

/// The rules this module owns.
pub const RULES: &[Rule] = &[L001, L002, L003, L004];

/// The result of canonicalizing a valid expression.
#[derive(Debug, PartialEq, Eq)]
pub struct Canonical {
    pub expression: String,
    /// Deprecated license or exception ids used, canonical spelling.
    pub deprecated: Vec<String>,
}

fn lookup(
    table: &'static [(&'static str, &'static str, bool)],
    lower: &str,
) -> Option<(&'static str, bool)> {
    table
        .binary_search_by(|(k, _, _)| (*k).cmp(lower))
        .ok()
        .and_then(|i| table.get(i))
        .map(|(_, id, dep)| (*id, *dep))
}

const OPERATORS: &[&str] = &["or", "and", "with", "(", ")"];

/// packaging's `canonicalize_license_expression`: the canonical expression, or packaging's
/// error text (e.g. `Unknown license: 'foo'`).
pub fn canonicalize(raw: &str) -> Result<Canonical, String> {
    let invalid = || format!("Invalid license expression: {}", repr(raw));
    if raw.is_empty() {
        return Err(invalid());
    }
    let padded = raw.replace('(', " ( ").replace(')', " ) ");
    // packaging lowercases with str.lower(); ids are ASCII, so ASCII lowercasing matches for
    // everything that can be valid.
    let lowered = padded.to_lowercase();
    let originals: Vec<&str> = padded.split_whitespace().collect();
    let tokens: Vec<&str> = lowered.split_whitespace().collect();

    // Grammar: operands are `False`, WITH acts like OR, and Python must accept the result.
    let mut py: Vec<&str> = Vec::new();
    for t in &tokens {
        match *t {
            "with" => py.push("or"),
            "(" if py.last().is_some_and(|p| !matches!(*p, "or" | "and" | "(")) => {
                return Err(invalid());
            }
            ")" if py.last() == Some(&"(") => return Err(invalid()),
            "or" | "and" | "(" | ")" => py.push(t),
            _ => py.push("False"),
        }
    }
    if !python_accepts(&py) {
        return Err(invalid());
    }

    let mut out: Vec<String> = Vec::new();
    let mut deprecated = Vec::new();
    let mut last_license_start = false;
    for (index, token) in tokens.iter().enumerate() {
        if OPERATORS.contains(token) {
            if *token == "with"
                && (!last_license_start
                    || index + 1 == tokens.len()
                    || tokens.get(index + 1).is_some_and(|n| OPERATORS.contains(n)))
            {
                return Err(invalid());
            }
            out.push(token.to_uppercase());
            last_license_start = false;
            continue;
        }
        if out.last().is_some_and(|l| l == "WITH") {
            let Some((id, dep)) = lookup(spdx_data::EXCEPTIONS, token) else {
                return Err(format!("Unknown license exception: {}", repr(token)));
            };
            if dep {
                deprecated.push(id.to_string());
            }
            out.push(id.to_string());
            last_license_start = false;
            continue;
        }
        let (base, suffix) = match token.strip_suffix('+') {
            Some(b) => (b, "+"),
            None => (*token, ""),
        };
        if let Some(reference) = base.strip_prefix("licenseref-") {
            let ok = !reference.is_empty()
                && reference
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            if !suffix.is_empty() || !ok {
                return Err(format!("Invalid licenseref: {}", repr(token)));
            }
            // Keep the reference as written (packaging restores its original case). When the
            // same reference appears with different cases, packaging keeps the last spelling.
            let original = originals
                .iter()
                .rev()
                .find(|o| o.to_lowercase() == *token)
                .map_or(reference.to_string(), |o| {
                    o["LicenseRef-".len()..].to_string()
                });
            out.push(format!("LicenseRef-{original}"));
        } else {
            let Some((id, dep)) = lookup(spdx_data::LICENSES, base) else {
                return Err(format!("Unknown license: {}", repr(base)));
            };
            if dep {
                deprecated.push(id.to_string());
            }
            out.push(format!("{id}{suffix}"));
        }
        last_license_start = true;
    }
    let expression = out.join(" ").replace("( ", "(").replace(" )", ")");
    Ok(Canonical {
        expression,
        deprecated,
    })
}

/// Whether Python's parser accepts the token list built from `False`, `or`, `and`, `(`, `)`.
fn python_accepts(tokens: &[&str]) -> bool {
    fn operand(t: &[&str], i: &mut usize) -> bool {
        match t.get(*i) {
            Some(&"False") => {
                *i += 1;
                true
            }
            Some(&"(") => {
                *i += 1;
                if !expr(t, i) || t.get(*i) != Some(&")") {
                    return false;
                }
                *i += 1;
                true
            }
            _ => false,
        }
    }
    fn expr(t: &[&str], i: &mut usize) -> bool {
        if !operand(t, i) {
            return false;
        }
        while matches!(t.get(*i), Some(&"or") | Some(&"and")) {
            *i += 1;
            if !operand(t, i) {
                return false;
            }
        }
        true
    }
    let mut i = 0;
    expr(tokens, &mut i) && i == tokens.len()
}

/// A hint for an unknown license id, using the spdx crate's fuzzy name matching.
fn suggestion(detail: &str, raw: &str) -> String {
    let unknown = raw
        .replace(['(', ')'], " ")
        .split_whitespace()
        .find(|t| {
            let l = t.to_lowercase();
            !OPERATORS.contains(&l.as_str())
                && !l.starts_with("licenseref-")
                && lookup(spdx_data::LICENSES, l.trim_end_matches('+')).is_none()
        })
        .map(str::to_string);
    let guess = unknown
        .as_deref()
        .and_then(spdx::imprecise_license_id)
        .map(|(id, _)| id.name)
        .filter(|name| lookup(spdx_data::LICENSES, &name.to_lowercase()).is_some());
    match guess {
        Some(name) => format!("{detail}. Did you mean `{name}`? See https://spdx.org/licenses/"),
        None => format!(
            "{detail}. See https://spdx.org/licenses/ (or use LicenseRef-<name> for a custom license)"
        ),
    }
}

/// Judge License-Expression and the license classifiers.
pub fn check_license(meta: &RawMetadata, file: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let expression = meta.field("license-expression");
    if let Some(raw) = expression {
        match canonicalize(raw) {
            Err(detail) => out.push(
                L001.finding(
                    file,
                    format!("{} is invalid for 'license-expression'.", repr(raw)),
                )
                .at("License-Expression")
                .hint(suggestion(&detail, raw)),
            ),
            Ok(c) => {
                if c.expression != raw {
                    out.push(
                        L002.finding(
                            file,
                            format!(
                                "License-Expression {} is not canonical; PyPI stores it as {}",
                                repr(raw),
                                repr(&c.expression)
                            ),
                        )
                        .at("License-Expression")
                        .hint(format!("Write `{}`", c.expression)),
                    );
                }
                for id in &c.deprecated {
                    out.push(
                        L003.finding(
                            file,
                            format!(
                                "License-Expression uses the deprecated SPDX id {}",
                                repr(id)
                            ),
                        )
                        .at("License-Expression"),
                    );
                }
            }
        }
    }
    let mv_24 = meta
        .field("metadata-version")
        .is_some_and(|v| matches!(v, "2.4" | "2.5" | "2.6"));
    if expression.is_some() || mv_24 {
        let license_classifiers: Vec<&str> = meta
            .fields("classifier")
            .filter(|c| c.starts_with("License ::"))
            .collect();
        if !license_classifiers.is_empty() {
            out.push(
                L004.finding(
                    file,
                    format!(
                        "`License ::` classifiers are deprecated by PEP 639 (License-Expression replaces them): {}",
                        license_classifiers.join("; ")
                    ),
                )
                .at("Classifier"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> Result<String, String> {
        canonicalize(s).map(|c| c.expression)
    }

    #[test]
    fn canonicalizes_like_packaging() {
        assert_eq!(canon("mit"), Ok("MIT".into()));
        assert_eq!(
            canon("mit and (apache-2.0 or bsd-2-clause)"),
            Ok("MIT AND (Apache-2.0 OR BSD-2-Clause)".into())
        );
        assert_eq!(canon("Apache-2.0+"), Ok("Apache-2.0+".into()));
        assert_eq!(
            canon("GPL-2.0-only WITH classpath-exception-2.0"),
            Ok("GPL-2.0-only WITH Classpath-exception-2.0".into())
        );
        assert_eq!(
            canon("LicenseRef-My.Custom-1"),
            Ok("LicenseRef-My.Custom-1".into())
        );
        assert_eq!(
            canon("licenseref-Foo OR MIT"),
            Ok("LicenseRef-Foo OR MIT".into())
        );
    }

    #[test]
    fn rejects_like_packaging() {
        assert_eq!(canon(""), Err("Invalid license expression: ''".into()));
        assert_eq!(
            canon("(mit"),
            Err("Invalid license expression: '(mit'".into())
        );
        assert_eq!(
            canon("MIT OR"),
            Err("Invalid license expression: 'MIT OR'".into())
        );
        assert_eq!(
            canon("MIT Apache-2.0"),
            Err("Invalid license expression: 'MIT Apache-2.0'".into())
        );
        assert_eq!(canon("()"), Err("Invalid license expression: '()'".into()));
        assert_eq!(
            canon("MIT WITH"),
            Err("Invalid license expression: 'MIT WITH'".into())
        );
        assert_eq!(
            canon("Use-it-after-midnight"),
            Err("Unknown license: 'use-it-after-midnight'".into())
        );
        assert_eq!(
            canon("MIT WITH foo"),
            Err("Unknown license exception: 'foo'".into())
        );
        assert_eq!(
            canon("LicenseRef-a_b"),
            Err("Invalid licenseref: 'licenseref-a_b'".into())
        );
        assert_eq!(
            canon("LicenseRef-a+"),
            Err("Invalid licenseref: 'licenseref-a+'".into())
        );
    }

    fn findings(extra: &str) -> Vec<(&'static str, Severity, String)> {
        let text = format!("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n{extra}");
        let meta = RawMetadata::parse(text.as_bytes()).unwrap_or_default();
        check_license(&meta, "demo-1.0.tar.gz")
            .into_iter()
            .map(|f| (f.rule, f.severity, f.message))
            .collect()
    }

    #[test]
    fn findings_for_expressions() {
        assert!(findings("License-Expression: MIT OR Apache-2.0\n").is_empty());
        assert_eq!(
            findings("License-Expression: MIT-ish\n"),
            vec![(
                "L001",
                Severity::Error,
                "'MIT-ish' is invalid for 'license-expression'.".to_string()
            )]
        );
        assert_eq!(
            findings("License-Expression: mit\n"),
            vec![(
                "L002",
                Severity::Warning,
                "License-Expression 'mit' is not canonical; PyPI stores it as 'MIT'".to_string()
            )]
        );
        assert_eq!(
            findings("License-Expression: GPL-3.0\n"),
            vec![(
                "L003",
                Severity::Warning,
                "License-Expression uses the deprecated SPDX id 'GPL-3.0'".to_string()
            )]
        );
        let f = findings(
            "License-Expression: MIT\nClassifier: License :: OSI Approved :: MIT License\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "L004");
        assert!(
            findings("Classifier: Programming Language :: Python\nLicense-Expression: MIT\n")
                .is_empty()
        );
    }

    #[test]
    fn hints_suggest_a_known_id() {
        let meta = RawMetadata::parse(
            b"Metadata-Version: 2.4\nName: d\nVersion: 1\nLicense-Expression: Apache 2.0\n",
        )
        .unwrap_or_default();
        let f = check_license(&meta, "d");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].hint
                .starts_with("Invalid license expression: 'Apache 2.0'"),
            "{}",
            f[0].hint
        );
    }
}

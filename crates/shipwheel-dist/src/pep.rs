//! One facade over the PEP 440 / PEP 508 implementation, so the backend can be swapped in one place.

pub use uv_pep440::{Operator, Version, VersionSpecifier, VersionSpecifiers};
pub use uv_pep508::{MarkerTree, Requirement};

/// Whether two version strings name the same version: PEP 440 equality (`1.0` is `1.0.0`), or
/// plain string equality when either does not parse.
pub fn same_version(a: &str, b: &str) -> bool {
    match (a.parse::<Version>(), b.parse::<Version>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// PEP 503 normalisation of a project name: lowercase, runs of `-_.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            pending_sep = true;
        } else {
            if pending_sep && !out.is_empty() {
                out.push('-');
            }
            pending_sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// packaging's `canonicalize_name` exactly (lowercase; `_` and `.` become `-`; runs of `-`
/// collapse), which unlike [`normalize_name`] keeps leading and trailing separators.
pub fn canonicalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = if matches!(c, '_' | '.') { '-' } else { c };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out
}

/// Whether `name` is a valid core-metadata project name (`[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]`,
/// case-insensitive, ASCII), the check PyPI's upload form and packaging apply.
pub fn is_valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
        }
        _ => false,
    }
}

/// Python's `repr()` of a string, so messages quoting values match PyPI's byte for byte
/// (single quotes unless the text holds a single quote and no double quote).
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            // Python escapes what `str.isprintable()` rejects: controls, separators other than
            // the space, and invisible format characters.
            c if c.is_control()
                || (c.is_whitespace() && c != ' ')
                || matches!(c, '\u{a0}' | '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}') =>
            {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_version_is_pep_440_equality_else_text() {
        assert!(same_version("1.0", "1.0.0"));
        assert!(same_version("1.0.post0", "1.0-post0"));
        assert!(!same_version("1.0", "1.0.1"));
        // Not PEP 440 on either side: the text must match exactly.
        assert!(same_version("weird", "weird"));
        assert!(!same_version("weird", "Weird"));
        assert!(!same_version("1.0", "weird"));
    }

    #[test]
    fn repr_quotes_and_escapes_like_python() {
        assert_eq!(py_repr("abc"), "'abc'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("a\nb\\"), "'a\\nb\\\\'");
        assert_eq!(py_repr("x\u{7}\u{7f}\u{a0}"), "'x\\x07\\x7f\\xa0'");
        assert_eq!(
            py_repr("\u{200b}\u{2028}\u{feff}"),
            "'\\u200b\\u2028\\ufeff'"
        );
        assert_eq!(py_repr("café"), "'café'");
    }

    #[test]
    fn normalizes_like_pep503() {
        assert_eq!(normalize_name("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(normalize_name("peers_sample"), "peers-sample");
        assert_eq!(normalize_name("A"), "a");
    }

    #[test]
    fn repr_matches_python() {
        assert_eq!(py_repr("abc"), "'abc'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("a\\b\n"), "'a\\\\b\\n'");
        assert_eq!(py_repr("x\u{1}y"), "'x\\x01y'");
        assert_eq!(py_repr("caf\u{e9}"), "'caf\u{e9}'");
    }

    #[test]
    fn canonicalizes_like_packaging() {
        assert_eq!(canonicalize_name("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(canonicalize_name("_foo_"), "-foo-");
    }

    #[test]
    fn valid_names() {
        assert!(is_valid_name("a"));
        assert!(is_valid_name("Foo.Bar-baz_9"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("-a"));
        assert!(!is_valid_name("a_"));
        assert!(!is_valid_name("caf\u{e9}"));
    }
}

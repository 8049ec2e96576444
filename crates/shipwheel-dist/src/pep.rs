//! One facade over the PEP 440 / PEP 508 implementation, so the backend can be swapped in one place.

pub use uv_pep440::{Operator, Version, VersionSpecifier, VersionSpecifiers};
pub use uv_pep508::{MarkerTree, Requirement};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_pep503() {
        assert_eq!(normalize_name("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(normalize_name("peers_sample"), "peers-sample");
        assert_eq!(normalize_name("A"), "a");
    }
}

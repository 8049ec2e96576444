//! Python-style formatting for messages that quote PyPI verbatim (PyPI builds them with `!r`).

pub use crate::pep::py_repr as repr;

/// `repr(list_of_str)`: `['a', 'b']`.
pub fn repr_list<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| repr(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_python() {
        assert_eq!(repr("abc"), "'abc'");
        assert_eq!(repr("it's"), "\"it's\"");
        assert_eq!(repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr("a\nb"), "'a\\nb'");
        assert_eq!(repr("x\u{7}"), "'x\\x07'");
        assert_eq!(repr("café"), "'café'");
        assert_eq!(repr_list(&["A", "B"]), "['A', 'B']");
    }
}

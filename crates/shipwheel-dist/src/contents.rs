//! contents rules.

use crate::finding::Rule;

/// The rules this module owns.
pub const RULES: &[Rule] = &[];

/// check-wheel-contents' checks (W001-W010) over a wheel's members and RECORD, as warnings.
pub fn check_wheel_contents(
    _file: &str,
    _members: &[crate::archive::Member],
    _record: Option<&[crate::archive::RecordEntry]>,
) -> Vec<crate::finding::Finding> {
    Vec::new()
}

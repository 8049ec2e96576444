//! batch rules.

use crate::finding::Rule;

/// The rules this module owns.
pub const RULES: &[Rule] = &[];

/// Rules across the files of one upload batch.
pub fn check_batch(
    _files: &[crate::check::FileReport],
    _opts: &crate::check::CheckOptions,
) -> Vec<crate::finding::Finding> {
    Vec::new()
}

//! classifiers rules.

use crate::finding::Rule;

/// The rules this module owns.
pub const RULES: &[Rule] = &[];

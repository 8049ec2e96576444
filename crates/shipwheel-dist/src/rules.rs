//! The registry of every rule, for docs, `--explain`-style listings and SARIF descriptors.

use crate::finding::Rule;

/// Every rule shipwheel knows, in id order.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = [
        crate::filename::RULES,
        crate::archive::RULES,
        crate::metadata::RULES,
        crate::description::RULES,
        crate::license::RULES,
        crate::classifiers::RULES,
        crate::contents::RULES,
        crate::batch::RULES,
    ]
    .into_iter()
    .flatten()
    .collect();
    rules.sort_by_key(|r| r.id);
    rules
}

/// Look a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    all_rules().into_iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let rules = all_rules();
        let mut ids: Vec<_> = rules.iter().map(|r| r.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), rules.len(), "duplicate rule id");
    }
}

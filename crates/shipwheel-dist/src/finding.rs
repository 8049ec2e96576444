//! Findings: what a rule says about a file, and the registry of rules.
//!
//! Every rule has one stable id. The id never changes meaning once released, because users
//! filter on it (`--ignore`) and code scanning keeps history by it.

use serde::Serialize;

/// How bad a finding is. `Error` means PyPI's upload endpoint would refuse the file; anything
/// PyPI accepts is at most a `Warning` (a false error blocks a release).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule: stable id, short kebab-case name, default severity, and a default fix hint.
#[derive(Debug, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line on what the rule checks (used by docs and SARIF rule descriptors).
    pub summary: &'static str,
    /// One line on how to fix it, used when a finding gives no more specific hint.
    pub hint: &'static str,
}

impl Rule {
    /// Start a finding of this rule about `file` with `message`.
    pub fn finding(&'static self, file: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.id,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            file: file.into(),
            location: None,
            line: None,
            hint: self.hint.to_string(),
        }
    }
}

/// One problem found in one file (or in a batch of files).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. `F001`.
    pub rule: &'static str,
    /// The rule's kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// PyPI's message, verbatim where PyPI has one.
    pub message: String,
    /// The distribution file's name (or the path as given when it has no usable name).
    pub file: String,
    /// The archive member or metadata field the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// A 1-based line inside `location`, where it has lines (e.g. the long description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// One line on how to fix it.
    pub hint: String,
}

impl Finding {
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    pub fn line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Demote to a warning (for rules whose severity depends on context).
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

//! description rules.

use crate::finding::Rule;

/// The rules this module owns.
pub const RULES: &[Rule] = &[];

/// An external reStructuredText renderer (e.g. readme-renderer through Python) that reports
/// the warnings docutils raises, so shipwheel can agree with PyPI exactly when one is available.
pub trait RstRenderer {
    /// A name for reports, e.g. `readme-renderer 46.0`.
    fn name(&self) -> String;
    /// Render `text`; `Ok(messages)` with every docutils warning/error (empty when it renders),
    /// or `Err` when the renderer itself could not run.
    fn check(&self, text: &str) -> Result<Vec<RstMessage>, String>;
}

/// One docutils system message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RstMessage {
    pub line: Option<u32>,
    pub level: String,
    pub message: String,
}

/// Judge the long description the way PyPI renders it (Markdown and plain text never fail;
/// reStructuredText, also the default, fails on any docutils warning).
pub fn check_description(
    _meta: &crate::metadata::RawMetadata,
    _file: &str,
    _renderer: Option<&(dyn RstRenderer + Send + Sync)>,
) -> Vec<crate::finding::Finding> {
    Vec::new()
}

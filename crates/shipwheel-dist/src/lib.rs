//! Reading Python distribution files (wheels and sdists) and judging them with the rules PyPI's
//! upload endpoint applies. This crate does no network I/O: it reads files and returns data, so
//! `check`, `publish` and `serve` all share one rule set.

pub mod archive;
pub mod batch;
pub mod check;
pub mod classifiers;
pub mod contents;
pub mod description;
pub mod filename;
pub mod finding;
pub mod license;
pub mod metadata;
pub mod pep;
pub mod rules;
pub mod tarfmt;
pub mod zipfmt;

pub use check::{CheckOptions, FileReport, Report, check_file, check_files};
pub use filename::{DistFilename, DistKind};
pub use finding::{Finding, Rule, Severity};
pub use metadata::RawMetadata;

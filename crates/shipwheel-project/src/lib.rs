//! shipwheel-project: the Python project (pyproject.toml, `[tool.shipwheel]`), its version and
//! dev versions, the local git repository, the CI event, and the plan decision.

pub mod bump;
pub mod config;
pub mod devversion;
pub mod event;
pub mod facts;
pub mod git;
pub mod localdist;
pub mod plan;
pub mod scm;
pub mod version;

/// The PEP 440 implementation the project types use, for callers.
pub use uv_pep440;

//! What `check`, `publish` and `serve` share to judge files alike: readme-renderer run through a
//! Python interpreter ([`rst`]), and the one place their check options are built
//! ([`CheckSettings::options`]).

use std::path::PathBuf;
use std::sync::Arc;

use shipwheel_dist::CheckOptions;
use shipwheel_dist::check::DEFAULT_MAX_FILE_SIZE;
use shipwheel_dist::description::RstRenderer;

pub mod rst;

pub use rst::{AutoRst, NOT_NEEDED, PythonRst, detect};

/// How reStructuredText long descriptions are judged (`--rst-renderer`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RstChoice {
    /// readme-renderer when an interpreter has it, else the native checker.
    #[default]
    Auto,
    /// The native checker only; no Python is started.
    Native,
    /// readme-renderer, which must be importable.
    Python,
}

/// What a command was told about checking files. The defaults are what `shipwheel check` does
/// with no flags.
#[derive(Clone, Debug)]
pub struct CheckSettings {
    /// Per-file size limit (`--max-file-size`).
    pub max_file_size: u64,
    pub rst_renderer: RstChoice,
    /// The interpreter to try first for readme-renderer (`--python`).
    pub python: Option<PathBuf>,
    /// Inflate every member and compare it with RECORD (`--verify-hashes`).
    pub verify_hashes: bool,
    /// Compute every file's digests (only needed when they are shown).
    pub digests: bool,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            rst_renderer: RstChoice::Auto,
            python: None,
            verify_hashes: false,
            digests: true,
        }
    }
}

/// Settings that cannot be honoured: a usage error for the command.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error(
        "--rst-renderer python: readme-renderer is not importable with {python}; install it \
         (`{python} -m pip install readme-renderer`), pass --python PATH, or use --rst-renderer native"
    )]
    NoReadmeRenderer { python: String },
}

impl CheckSettings {
    /// The rule engine's options. With [`RstChoice::Python`] the interpreters are probed now, so
    /// a missing readme-renderer stops the command before any file is judged; with
    /// [`RstChoice::Auto`] nothing is started until a description needs it.
    pub fn options(&self) -> Result<CheckOptions, SettingsError> {
        self.options_trying(rst::candidates(self.python.as_deref()))
    }

    /// [`CheckSettings::options`] with the interpreters to try given.
    fn options_trying(&self, candidates: Vec<PathBuf>) -> Result<CheckOptions, SettingsError> {
        let rst_renderer: Option<Arc<dyn RstRenderer + Send + Sync>> = match self.rst_renderer {
            RstChoice::Native => None,
            RstChoice::Auto => Some(Arc::new(AutoRst::trying(candidates))),
            RstChoice::Python => match rst::detect_from(&candidates) {
                Some(r) => Some(Arc::new(r)),
                None => {
                    return Err(SettingsError::NoReadmeRenderer {
                        python: self
                            .python
                            .as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| "python3".to_string()),
                    });
                }
            },
        };
        Ok(self.with_renderer(rst_renderer))
    }

    fn with_renderer(
        &self,
        rst_renderer: Option<Arc<dyn RstRenderer + Send + Sync>>,
    ) -> CheckOptions {
        CheckOptions {
            max_file_size: self.max_file_size,
            verify_hashes: self.verify_hashes,
            rst_renderer,
            digests: self.digests,
        }
    }
}

/// The options of `shipwheel check` with no flags, for code that has no flags to honour (the
/// embedded index's defaults). Unlike [`CheckSettings::options`] it cannot fail: only
/// `--rst-renderer python` can.
pub fn default_options() -> CheckOptions {
    CheckSettings::default().with_renderer(Some(Arc::new(AutoRst::new(None))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_plain_check() {
        for opts in [
            CheckSettings::default()
                .options()
                .expect("auto never fails"),
            default_options(),
        ] {
            assert_eq!(opts.max_file_size, 100 * 1024 * 1024);
            assert!(!opts.verify_hashes);
            assert!(opts.digests);
            // Auto: a renderer that has not looked for Python yet.
            let r = opts.rst_renderer.expect("auto renders through the bridge");
            assert_eq!(r.name(), NOT_NEEDED);
        }
    }

    #[test]
    fn native_has_no_bridge_and_python_must_be_found() {
        let native = CheckSettings {
            rst_renderer: RstChoice::Native,
            max_file_size: 5,
            ..CheckSettings::default()
        }
        .options()
        .expect("native");
        assert!(native.rst_renderer.is_none());
        assert_eq!(native.max_file_size, 5);

        let missing = CheckSettings {
            rst_renderer: RstChoice::Python,
            python: Some(PathBuf::from("/nonexistent/python3")),
            ..CheckSettings::default()
        };
        let err = missing
            .options_trying(vec![PathBuf::from("/nonexistent/python3")])
            .err()
            .expect("no interpreter has readme-renderer");
        assert_eq!(
            err,
            SettingsError::NoReadmeRenderer {
                python: "/nonexistent/python3".into()
            }
        );
        assert!(err.to_string().contains("--rst-renderer native"), "{err}");

        let found = CheckSettings {
            rst_renderer: RstChoice::Python,
            python: Some(test_support::peer_bin("python")),
            ..CheckSettings::default()
        }
        .options()
        .expect("the peers venv has readme-renderer");
        let r = found.rst_renderer.expect("python renderer");
        assert!(r.name().starts_with("readme-renderer "), "{}", r.name());
    }
}

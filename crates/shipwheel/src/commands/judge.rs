//! The flags that decide how files are judged, shared by `check`, `publish` and `serve`; the
//! options themselves are built in one place, `shipwheel_python::CheckSettings::options`.

use std::path::PathBuf;

use shipwheel_dist::CheckOptions;
use shipwheel_python::CheckSettings;

use crate::commands::UsageError;

#[derive(clap::Args, Debug, Clone)]
pub struct JudgeArgs {
    /// Per-file size limit: bytes, or with a unit (100MiB, 50MB, 1GiB). PyPI's default is
    /// 100 MiB; projects can be granted up to 1 GiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "100MiB")]
    pub max_file_size: u64,
    /// reStructuredText renderer for long descriptions: `python` runs readme-renderer (what
    /// PyPI uses) on every one, `native` is built in, `auto` keeps the built-in verdict where
    /// it is exact and asks readme-renderer (when found) about the rest.
    #[arg(long, value_enum, value_name = "RENDERER", default_value_t = RstChoice::Auto)]
    pub rst_renderer: RstChoice,
    /// Python interpreter that has readme-renderer installed (for --rst-renderer auto|python).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RstChoice {
    Auto,
    Native,
    Python,
}

impl JudgeArgs {
    /// The rule engine's options; `--rst-renderer python` without readme-renderer is a usage
    /// error, raised before any file is judged.
    pub fn options(&self, verify_hashes: bool, digests: bool) -> Result<CheckOptions, UsageError> {
        CheckSettings {
            max_file_size: self.max_file_size,
            rst_renderer: match self.rst_renderer {
                RstChoice::Auto => shipwheel_python::RstChoice::Auto,
                RstChoice::Native => shipwheel_python::RstChoice::Native,
                RstChoice::Python => shipwheel_python::RstChoice::Python,
            },
            python: self.python.clone(),
            verify_hashes,
            digests,
        }
        .options()
        .map_err(|e| UsageError(e.to_string()))
    }
}

/// `100MiB`, `50MB`, `1GiB`, `512k`, `1048576`: decimal units are powers of 1000, `i` units
/// powers of 1024; a bare number is bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!("`{s}` is not a size (e.g. 100MiB, 50MB, 1048576)"));
    }
    let unit = unit.trim().to_ascii_lowercase();
    let factor: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown size unit `{unit}` in `{s}` (use bytes, KB, MB, GB, KiB, MiB or GiB)"
            ));
        }
    };
    let value: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 100MiB, 50MB, 1048576)"))?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{s}` is not a usable size limit"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("100MiB"), Ok(100 * 1024 * 1024));
        assert_eq!(parse_size("50MB"), Ok(50_000_000));
        assert_eq!(parse_size("1048576"), Ok(1_048_576));
        assert_eq!(parse_size("1 GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1.5kb"), Ok(1500));
        assert!(parse_size("10 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("-5MB").is_err());
    }
}

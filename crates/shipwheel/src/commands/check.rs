//! `shipwheel check`: judge distribution files exactly as PyPI's upload will.
//!
//! Exit 0 when PyPI would accept every file (warnings allowed), 1 when it would refuse one (or,
//! with `--strict`, when anything is reported), 2 when the input cannot be read or the command
//! line is wrong.

use std::path::{Path, PathBuf};

use anyhow::Context;
use shipwheel_dist::check::{DEFAULT_MAX_FILE_SIZE, Report};
use shipwheel_dist::{Finding, Severity};
use shipwheel_github::actions::Env;

use crate::cli::GlobalArgs;
use crate::commands::judge::JudgeArgs;
use crate::commands::{ExitStatus, UsageError};
use crate::output;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 = PyPI would accept every file (warnings allowed), \
                        1 = at least one error (or any warning with --strict), \
                        2 = bad usage or unreadable input. Rules: docs/check.md."
)]
pub struct CheckArgs {
    /// Files, directories or glob patterns [default: dist/*].
    pub paths: Vec<String>,
    /// Output format. Inside GitHub Actions (GITHUB_ACTIONS=true) the human format is followed
    /// by workflow annotations.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of stdout (a one-line summary still goes to stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Also inflate every member and compare it with RECORD's hash (the .py/.pye members PyPI's
    /// upload scan reads are always inflated and scanned).
    #[arg(long)]
    pub verify_hashes: bool,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// Do not report this rule (repeatable, or comma-separated: --ignore W009,W005).
    #[arg(long = "ignore", value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// The result of one `shipwheel check`, as every output format sees it.
pub struct Outcome {
    pub report: Report,
    pub strict: bool,
    /// Rule ids left out with `--ignore`.
    pub ignored: Vec<String>,
    /// The command line to run again after fixing things.
    pub rerun: String,
}

impl Outcome {
    pub fn errors(&self) -> usize {
        self.report.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.report.count(Severity::Warning)
    }

    /// Whether the check passes: no errors, and no warnings under `--strict`.
    pub fn ok(&self) -> bool {
        self.errors() == 0 && !(self.strict && self.warnings() > 0)
    }

    /// The path a file was given as, by its filename (for batch findings).
    pub fn path_of(&self, filename: &str) -> String {
        self.report
            .files
            .iter()
            .find(|f| f.filename == filename)
            .map(|f| f.path.display().to_string())
            .unwrap_or_else(|| filename.to_string())
    }
}

pub fn run(args: CheckArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let env = Env::from_process().map_err(UsageError::from)?;
    let known: Vec<&str> = shipwheel_dist::rules::all_rules()
        .iter()
        .map(|r| r.id)
        .collect();
    let mut ignored: Vec<String> = Vec::new();
    for id in &args.ignore {
        let id = id.trim().to_ascii_uppercase();
        if id.is_empty() {
            continue;
        }
        if !known.contains(&id.as_str()) {
            return Err(UsageError(format!(
                "unknown rule `{id}` in --ignore; rule ids are listed in docs/check.md"
            ))
            .into());
        }
        if !ignored.contains(&id) {
            ignored.push(id);
        }
    }

    let patterns = if args.paths.is_empty() {
        vec!["dist/*".to_string()]
    } else {
        args.paths.clone()
    };
    let paths = expand_inputs(&patterns)?;

    // Only the JSON document shows digests; hashing whole files is most of a check's time.
    let opts = args
        .judge
        .options(args.verify_hashes, args.format == Format::Json)?;
    // The engine checks the files in parallel and keeps their order.
    let mut report = shipwheel_dist::check_files(&paths, &opts);
    drop_ignored(&mut report, &ignored);

    let outcome = Outcome {
        report,
        strict: args.strict,
        ignored,
        rerun: rerun_command(&args, &patterns),
    };

    let to_file = args.output.is_some();
    let color = !to_file && args.format == Format::Human && output::use_color(global.color);
    let text = match args.format {
        Format::Human => output::check_human::render(&outcome, color, global.quiet),
        Format::Json => output::check_json::render(&outcome)?,
        Format::Sarif => output::sarif::render(&outcome)?,
        Format::Github => output::github::render(&outcome),
    };
    match &args.output {
        Some(file) => {
            std::fs::write(file, &text)
                .with_context(|| format!("cannot write the report to {}", file.display()))?;
            output::println(&format!(
                "shipwheel check: {} checked, {}, {}: {}; report written to {}",
                output::check_human::plural(outcome.report.files.len(), "file"),
                output::check_human::plural(outcome.errors(), "error"),
                output::check_human::plural(outcome.warnings(), "warning"),
                if outcome.ok() { "OK" } else { "FAILED" },
                file.display()
            ));
        }
        None => output::print(&text),
    }
    // In GitHub Actions, annotate the run as well, as long as stdout is not a machine-readable
    // document (json/sarif on stdout) and the annotations are not the output already.
    let stdout_is_document = !to_file && matches!(args.format, Format::Json | Format::Sarif);
    if env.is_github_actions() && args.format != Format::Github && !stdout_is_document {
        output::print(&output::github::render(&outcome));
    }
    if env.is_github_actions()
        && let Err(e) = env.append_step_summary(&output::github::step_summary(&outcome))
    {
        // The check itself is done; a summary that cannot be written does not change it.
        tracing::warn!("cannot write the step summary: {e}");
    }

    // A file that vanished or became unreadable after the paths were expanded is unreadable
    // input (exit 2), whatever else the batch shows.
    if let Some(why) = outcome.report.files.iter().find_map(|f| f.unreadable()) {
        output::eprintln(&format!("error: {why}"));
        return Ok(ExitStatus::Error);
    }
    Ok(if outcome.ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Files to check, in order, without repeats. A pattern that matches nothing, or a path that
/// does not exist, is a usage error: checking nothing must not look like success.
fn expand_inputs(patterns: &[String]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut push = |p: PathBuf, out: &mut Vec<PathBuf>| {
        let key = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if !seen.contains(&key) {
            seen.push(key);
            out.push(p);
        }
    };
    for pattern in patterns {
        if pattern.contains(['*', '?', '[']) {
            let opts = glob::MatchOptions {
                case_sensitive: true,
                require_literal_separator: true,
                require_literal_leading_dot: true,
            };
            let matches = glob::glob_with(pattern, opts)
                .map_err(|e| UsageError(format!("invalid glob pattern `{pattern}`: {e}")))?;
            let mut files: Vec<PathBuf> = Vec::new();
            for m in matches {
                let p = m.map_err(|e| {
                    UsageError(format!("cannot read {}: {}", e.path().display(), e.error()))
                })?;
                if p.is_file() && !is_sidecar(&p) {
                    files.push(p);
                }
            }
            if files.is_empty() {
                let hint = if pattern == "dist/*" {
                    " (build first, e.g. `python -m build` or `uv build`, or pass the files to check)"
                } else {
                    ""
                };
                return Err(
                    UsageError(format!("no distribution files match `{pattern}`{hint}")).into(),
                );
            }
            for f in files {
                push(f, &mut out);
            }
            continue;
        }
        let path = PathBuf::from(pattern);
        let meta = std::fs::metadata(&path)
            .map_err(|e| UsageError(format!("cannot read {pattern}: {}", io_reason(&e))))?;
        if meta.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(|e| UsageError(format!("cannot read {pattern}: {}", io_reason(&e))))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && !is_sidecar(p)
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(UsageError(format!(
                    "{pattern} is a directory without distribution files"
                ))
                .into());
            }
            for f in files {
                push(f, &mut out);
            }
        } else {
            push(path, &mut out);
        }
    }
    // Unreadable input is exit 2 before any checking starts. Look before opening: opening a
    // FIFO blocks until something writes to it.
    for p in &out {
        let meta = std::fs::metadata(p)
            .map_err(|e| UsageError(format!("cannot read {}: {}", p.display(), io_reason(&e))))?;
        if !meta.is_file() {
            return Err(UsageError(format!(
                "cannot read {}: not a regular file (a pipe, socket or device); \
                 pass the distribution files themselves",
                p.display()
            ))
            .into());
        }
        std::fs::File::open(p)
            .map_err(|e| UsageError(format!("cannot read {}: {}", p.display(), io_reason(&e))))?;
    }
    Ok(out)
}

/// Signatures and attestations that sit next to distributions in `dist/` (twine skips them too).
fn is_sidecar(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".asc")
        || name.ends_with(".attestation")
        || name.ends_with(".sigstore")
        || name.ends_with(".sigstore.json")
        || name.ends_with(".metadata")
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn drop_ignored(report: &mut Report, ignored: &[String]) {
    let keep = |f: &Finding| !ignored.iter().any(|id| id == f.rule);
    for file in &mut report.files {
        file.findings.retain(keep);
    }
    report.batch.retain(keep);
}

/// `shipwheel check` with the same inputs and the flags that change the verdict.
fn rerun_command(args: &CheckArgs, patterns: &[String]) -> String {
    let mut parts = vec!["shipwheel".to_string(), "check".to_string()];
    if !args.paths.is_empty() {
        let words: Vec<String> = patterns.iter().map(|p| shell_word(p)).collect();
        // A shell-expanded list of many files is noise in a one-line hint.
        if words.len() <= 4 && words.iter().map(String::len).sum::<usize>() <= 120 {
            parts.extend(words);
        } else {
            parts.push("<the same files>".into());
        }
    }
    if args.strict {
        parts.push("--strict".into());
    }
    if args.verify_hashes {
        parts.push("--verify-hashes".into());
    }
    if args.judge.max_file_size != DEFAULT_MAX_FILE_SIZE {
        parts.push(format!("--max-file-size {}", args.judge.max_file_size));
    }
    parts.join(" ")
}

fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./*?[]=+,:@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecars_are_skipped() {
        assert!(is_sidecar(Path::new("dist/a-1.0.tar.gz.asc")));
        assert!(is_sidecar(Path::new(
            "dist/a-1.0-py3-none-any.whl.publish.attestation"
        )));
        assert!(!is_sidecar(Path::new("dist/a-1.0-py3-none-any.whl")));
    }

    #[test]
    fn rerun_quotes_odd_paths() {
        assert_eq!(shell_word("dist/*"), "dist/*");
        assert_eq!(shell_word("my dist/a.whl"), "'my dist/a.whl'");
    }
}

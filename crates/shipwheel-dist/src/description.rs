//! The long description, judged as PyPI renders it: Markdown and plain text never fail;
//! reStructuredText (also the default when Description-Content-Type is missing) fails on any
//! docutils warning. An external renderer (readme-renderer through Python) gives exact parity;
//! without one the native checker in [`rst`] catches the common failures.

use crate::finding::{Finding, Rule, Severity};
use crate::metadata::{RawMetadata, content_type_mime, content_type_param};

pub mod rst;

pub const D001: Rule = Rule {
    id: "D001",
    name: "description-rst-invalid",
    severity: Severity::Error,
    summary: "The reStructuredText long description does not render (PyPI refuses the upload)",
    hint: "Fix the markup at the given line (or declare the real format in Description-Content-Type)",
};
pub const D002: Rule = Rule {
    id: "D002",
    name: "description-content-type-missing",
    severity: Severity::Warning,
    summary: "Description-Content-Type is missing, so PyPI renders the description as reStructuredText",
    hint: "Declare it (pyproject: readme = \"README.md\" sets text/markdown)",
};
pub const D003: Rule = Rule {
    id: "D003",
    name: "description-missing",
    severity: Severity::Warning,
    summary: "The long description is missing or UNKNOWN",
    hint: "Set `readme` in pyproject.toml so PyPI shows a project description",
};
pub const D004: Rule = Rule {
    id: "D004",
    name: "description-folded-header",
    severity: Severity::Warning,
    summary: "The Description header is folded (continuation lines start with 8 spaces or '|'); \
              PyPI shows those prefixes verbatim",
    hint: "Rebuild with a current build backend, which writes the description as the message body",
};
pub const D005: Rule = Rule {
    id: "D005",
    name: "markdown-variant-ignored",
    severity: Severity::Warning,
    summary: "variant=CommonMark is declared, but PyPI always renders GitHub-flavoured Markdown",
    hint: "Drop the variant or use variant=GFM; check the page renders as intended",
};

pub const D006: Rule = Rule {
    id: "D006",
    name: "description-rst-unverified",
    severity: Severity::Warning,
    summary: "The reStructuredText description uses constructs the built-in checker does not judge exactly, and readme-renderer was not available to judge it",
    hint: "Install readme-renderer for the Python shipwheel uses (`python3 -m pip install readme-renderer`) or pass --python PATH so the check is exact; --strict fails on this warning",
};

/// The rules this module owns.
pub const RULES: &[Rule] = &[D001, D002, D003, D004, D005, D006];

/// An external reStructuredText renderer (e.g. readme-renderer through Python) that reports
/// the warnings docutils raises, so shipwheel can agree with PyPI exactly when one is available.
pub trait RstRenderer {
    /// A name for reports, e.g. `readme-renderer 46.0`.
    fn name(&self) -> String;
    /// Render `text`; `Ok(messages)` with every docutils warning/error (empty when it renders),
    /// or `Err` when the renderer itself could not run.
    fn check(&self, text: &str) -> Result<Vec<RstMessage>, String>;
    /// Judge `text` and say whether the answer is exact. A renderer's own answer is; a
    /// renderer that lets the native checker decide may answer with an uncertain verdict.
    fn judge(&self, text: &str) -> Result<RstJudgement, String> {
        self.check(text).map(|messages| RstJudgement {
            messages,
            certain: true,
        })
    }
}

/// What judged a description said, and whether it is exactly what readme-renderer says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RstJudgement {
    pub messages: Vec<RstMessage>,
    pub certain: bool,
}

/// One docutils system message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RstMessage {
    pub line: Option<u32>,
    /// docutils' level name: `WARNING`, `ERROR` or `SEVERE` (or `INFO` for a message that
    /// is not a docutils system message, such as "No content rendered from RST source.").
    pub level: String,
    pub message: String,
}

const FAILED: &str =
    "`long_description` has syntax errors in markup and would not be rendered on PyPI.";

/// Judge the long description the way PyPI renders it (Markdown and plain text never fail;
/// reStructuredText, also the default, fails on any docutils warning).
pub fn check_description(
    meta: &RawMetadata,
    file: &str,
    renderer: Option<&(dyn RstRenderer + Send + Sync)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let dct = meta.field("description-content-type");
    if dct.is_none() {
        out.push(
            D002.finding(
                file,
                "`long_description_content_type` missing. defaulting to `text/x-rst`.",
            )
            .at("Description-Content-Type"),
        );
    }
    let description = meta.description().filter(|d| d.trim_end() != "UNKNOWN");
    let Some(description) = description.filter(|d| !d.is_empty()) else {
        out.push(
            D003.finding(file, "`long_description` missing.")
                .at("Description"),
        );
        return out;
    };
    if meta.body.is_none() && is_folded(description) {
        out.push(
            D004.finding(
                file,
                "The Description header is folded: its continuation lines keep their 8-space or '|' prefixes on PyPI",
            )
            .at("Description"),
        );
    }
    let mime = dct.map_or_else(|| "text/x-rst".to_string(), content_type_mime);
    match mime.as_str() {
        "text/plain" => {}
        "text/markdown"
            if dct
                .and_then(|v| content_type_param(v, "variant"))
                .as_deref()
                == Some("CommonMark") =>
        {
            out.push(
                D005.finding(
                    file,
                    "Description-Content-Type declares variant=CommonMark, but PyPI renders every Markdown description as GFM",
                )
                .at("Description-Content-Type"),
            );
        }
        "text/x-rst" => out.extend(check_rst(description, dct.is_some(), file, renderer)),
        // Any other type is refused by the metadata rules (M010); nothing to render.
        _ => {}
    }
    out
}

/// Continuation lines written the old way (`\n` + 8 spaces, optionally `|`).
fn is_folded(description: &str) -> bool {
    let mut lines = description.lines().skip(1).filter(|l| !l.trim().is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let folded = |l: &str| l.starts_with("        ") || l.trim_start().starts_with('|');
    folded(first) && lines.all(folded)
}

fn level_title(level: &str) -> String {
    let lower = level.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn check_rst(
    text: &str,
    declared: bool,
    file: &str,
    renderer: Option<&(dyn RstRenderer + Send + Sync)>,
) -> Vec<Finding> {
    let hint = if declared {
        "PyPI refuses the upload: \"The description failed to render for 'text/x-rst'.\" Fix the markup at this line"
    } else {
        "PyPI refuses the upload: \"The description failed to render in the default format of reStructuredText.\" \
         Fix the markup, or declare Description-Content-Type (e.g. text/markdown) if it is not reStructuredText"
    };
    let mut fallback_note = None;
    let mut certain = true;
    let messages: Vec<RstMessage> = match renderer.map(|r| (r.name(), r.judge(text))) {
        Some((_, Ok(judged))) => {
            certain = judged.certain;
            judged.messages
        }
        Some((name, Err(e))) => {
            fallback_note = Some(format!(
                " ({name} failed: {e}; the native checker judged instead)"
            ));
            native(text)
        }
        None => native(text),
    };
    if !certain {
        if messages.is_empty() {
            // No false error, and no silent pass either: say the verdict is not final.
            return vec![
                D006.finding(
                    file,
                    "The reStructuredText description uses constructs the built-in checker does not judge exactly (directive options, tables, special roles, ...); readme-renderer, which PyPI runs, was not available to confirm that it renders",
                )
                .at("Description"),
            ];
        }
        fallback_note = Some(
            " (judged by the built-in checker without readme-renderer: the problem is real, but \
             docutils may report another one first)"
                .to_string(),
        );
    }
    messages
        .into_iter()
        .map(|m| {
            let detail = match m.line {
                Some(line) => format!("line {line}: {}: {}", level_title(&m.level), m.message),
                None => m.message.clone(),
            };
            let mut f = D001
                .finding(file, format!("{FAILED} {detail}"))
                .at("Description")
                .hint(format!(
                    "{hint}{}",
                    fallback_note.as_deref().unwrap_or_default()
                ));
            if let Some(line) = m.line {
                f = f.line(line);
            }
            f
        })
        .collect()
}

/// The built-in checker's messages for `text`, in the shape an external renderer reports them.
pub fn native(text: &str) -> Vec<RstMessage> {
    native_judgement(text).messages
}

/// The built-in checker's verdict on `text` and whether it is certain ([`rst::judge`]).
pub fn native_judgement(text: &str) -> RstJudgement {
    let verdict = rst::judge(text);
    RstJudgement {
        messages: verdict
            .problems
            .into_iter()
            .map(|p| RstMessage {
                line: p.line,
                level: p.level.as_str().to_string(),
                message: p.message,
            })
            .collect(),
        certain: verdict.certain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<(&'static str, Severity, String, Option<u32>)> {
        let meta = RawMetadata::parse(text.as_bytes()).unwrap_or_default();
        check_description(&meta, "demo-1.0.tar.gz", None)
            .into_iter()
            .map(|f| (f.rule, f.severity, f.message, f.line))
            .collect()
    }

    const HEAD: &str = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n";

    #[test]
    fn missing_content_type_warns_like_twine() {
        let f = run(&format!("{HEAD}\nHello\n"));
        assert_eq!(
            f,
            vec![(
                "D002",
                Severity::Warning,
                "`long_description_content_type` missing. defaulting to `text/x-rst`.".to_string(),
                None
            )]
        );
    }

    #[test]
    fn missing_description_warns() {
        let f = run(&format!("{HEAD}Description-Content-Type: text/markdown\n"));
        assert_eq!(f[0].0, "D003");
        assert_eq!(f[0].2, "`long_description` missing.");
        let f = run(&format!(
            "{HEAD}Description-Content-Type: text/markdown\n\nUNKNOWN\n"
        ));
        assert_eq!(f[0].0, "D003");
    }

    #[test]
    fn rst_errors_fail_and_markdown_never_does() {
        let bad = "Title\n====\n\ntext\n";
        let f = run(&format!(
            "{HEAD}Description-Content-Type: text/x-rst\n\n{bad}"
        ));
        assert_eq!(
            f,
            vec![(
                "D001",
                Severity::Error,
                format!("{FAILED} line 2: Warning: Title underline too short."),
                Some(2)
            )]
        );
        assert!(
            run(&format!(
                "{HEAD}Description-Content-Type: text/markdown\n\n{bad}"
            ))
            .is_empty()
        );
        assert!(
            run(&format!(
                "{HEAD}Description-Content-Type: text/plain\n\n{bad}"
            ))
            .is_empty()
        );
        let good = "Title\n=====\n\ntext\n";
        assert!(
            run(&format!(
                "{HEAD}Description-Content-Type: text/x-rst\n\n{good}"
            ))
            .is_empty()
        );
        // The default is reStructuredText.
        let f = run(&format!("{HEAD}\n{bad}"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].0, "D001");
    }

    struct Fake(Result<Vec<RstMessage>, String>);
    impl RstRenderer for Fake {
        fn name(&self) -> String {
            "fake".into()
        }
        fn check(&self, _text: &str) -> Result<Vec<RstMessage>, String> {
            self.0.clone()
        }
    }

    #[test]
    fn renderer_messages_become_findings() {
        let meta = RawMetadata::parse(
            format!("{HEAD}Description-Content-Type: text/x-rst\n\nfine\n").as_bytes(),
        )
        .unwrap_or_default();
        let fake = Fake(Ok(vec![RstMessage {
            line: Some(7),
            level: "ERROR".into(),
            message: "Unknown directive type \"x\".".into(),
        }]));
        let f = check_description(&meta, "d", Some(&fake));
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            format!("{FAILED} line 7: Error: Unknown directive type \"x\".")
        );
        assert_eq!(f[0].line, Some(7));
        // A renderer that cannot run falls back to the native checker.
        let broken = Fake(Err("no python".into()));
        assert!(check_description(&meta, "d", Some(&broken)).is_empty());
    }

    #[test]
    fn folded_header_and_commonmark_warn() {
        let f = run(&format!(
            "{HEAD}Description-Content-Type: text/markdown\nDescription: Title\n        |\n        |Text\n"
        ));
        assert_eq!(f.iter().map(|f| f.0).collect::<Vec<_>>(), vec!["D004"]);
        let f = run(&format!(
            "{HEAD}Description-Content-Type: text/markdown; variant=CommonMark\n\n# Hi\n"
        ));
        assert_eq!(f.iter().map(|f| f.0).collect::<Vec<_>>(), vec!["D005"]);
        assert!(
            run(&format!(
                "{HEAD}Description-Content-Type: text/markdown; variant=GFM\n\n# Hi\n"
            ))
            .is_empty()
        );
    }
}

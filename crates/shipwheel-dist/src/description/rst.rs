//! A native reStructuredText checker for the failures people actually hit on PyPI.
//!
//! PyPI renders with readme-renderer / docutils at `halt_level = 2`: the first system message
//! of level WARNING or worse fails the upload. This checker follows docutils' own algorithms
//! (block structure from `states.py`, inline recognition from `Inliner`) for a subset of
//! constructs, and stops at the first problem as docutils does. It is conservative: when a
//! construct is outside that subset or ambiguous (e.g. non-ASCII punctuation next to markup,
//! whose classes come from Unicode tables), it stays silent rather than risk a false error.
//!
//! It also knows which constructs it models exactly ([`judge`]): a document that uses only
//! those gets a final verdict; any other construct (tables, most directives and their options,
//! roles with their own rules such as `:pep:`, footnote bodies, ...) makes the verdict
//! uncertain, so the caller can ask readme-renderer instead.

/// docutils' message level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
    Severe,
}

impl Level {
    /// The level as docutils prints it (`WARNING`, `ERROR`, `SEVERE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Severe => "SEVERE",
        }
    }
}

/// One problem docutils would report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<u32>,
    pub level: Level,
    pub message: String,
}

#[rustfmt::skip]
pub mod punctuation;

/// Nesting depth beyond which the checker stops judging.
const MAX_DEPTH: usize = 64;

const KNOWN_DIRECTIVES: &[&str] = &[
    "attention",
    "caution",
    "danger",
    "error",
    "hint",
    "important",
    "note",
    "tip",
    "warning",
    "admonition",
    "sidebar",
    "topic",
    "line-block",
    "parsed-literal",
    "code",
    "code-block",
    "sourcecode",
    "math",
    "rubric",
    "epigraph",
    "highlights",
    "pull-quote",
    "compound",
    "container",
    "table",
    "csv-table",
    "list-table",
    "meta",
    "image",
    "figure",
    "include",
    "raw",
    "replace",
    "unicode",
    "date",
    "class",
    "rst-class",
    "role",
    "default-role",
    "title",
    "contents",
    "sectnum",
    "section-numbering",
    "header",
    "footer",
    "target-notes",
    "restructuredtext-test-directive",
];

/// Roles docutils knows in English, including the ones it registers but does not implement
/// (those fail with another message, so they are not reported as unknown).
const KNOWN_ROLES: &[&str] = &[
    "abbreviation",
    "ab",
    "acronym",
    "ac",
    "code",
    "emphasis",
    "literal",
    "math",
    "pep-reference",
    "pep",
    "rfc-reference",
    "rfc",
    "strong",
    "subscript",
    "sub",
    "superscript",
    "sup",
    "title-reference",
    "title",
    "t",
    "raw",
    "index",
    "i",
    "anonymous-reference",
    "citation-reference",
    "footnote-reference",
    "named-reference",
    "substitution-reference",
    "uri-reference",
    "uri",
    "url",
    "target",
];

/// Directives whose content is body elements (checked recursively).
const BODY_DIRECTIVES: &[&str] = &[
    "attention",
    "caution",
    "danger",
    "error",
    "hint",
    "important",
    "note",
    "tip",
    "warning",
    "admonition",
    "sidebar",
    "topic",
    "epigraph",
    "highlights",
    "pull-quote",
    "compound",
    "container",
];

/// Admonitions whose first-line argument is the start of their content.
const TEXT_ARG_DIRECTIVES: &[&str] = &[
    "attention",
    "caution",
    "danger",
    "error",
    "hint",
    "important",
    "note",
    "tip",
    "warning",
];

/// Check a reStructuredText document; the first problem docutils would halt on, if any.
pub fn check(text: &str) -> Vec<Problem> {
    judge(text).problems
}

/// What the native checker says about a document, and whether that is final.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The first problem docutils would halt on, if any.
    pub problems: Vec<Problem>,
    /// Every construct up to the verdict is modelled exactly: readme-renderer would say the
    /// same (pass, or this first problem). When false, a pass may hide a failure the checker
    /// does not model, and a problem is real but may not be the one docutils reports first.
    pub certain: bool,
}

/// Check a document and say whether the verdict is certain (see [`Verdict`]).
pub fn judge(text: &str) -> Verdict {
    let lines = split_lines(text);
    let loose = Loose::scan(&lines);
    let mut c = Checker {
        loose,
        problem: None,
        ambiguous: false,
        uncertain: false,
        substitutions: Vec::new(),
        titles_named: Vec::new(),
        stopped: false,
        depth: 0,
        events: Vec::new(),
        auto_refs: Vec::new(),
        auto_footnotes: 0,
        refs: Vec::new(),
        anon_refs: 0,
        anon_targets: 0,
        subst_refs: Vec::new(),
        targets: Vec::new(),
        inline_targets: Vec::new(),
        footnote_refs: Vec::new(),
        title_styles: Vec::new(),
        section_level: 0,
        content: 0,
        titles: 0,
    };
    c.body(&lines, true);
    if c.problem.is_none() {
        c.transforms();
    }
    if c.problem.is_none() {
        c.duplicate_inline_targets();
    }
    if c.problem.is_none() && c.content == 0 && c.titles == 0 && !c.ambiguous {
        let has_text = lines.iter().any(|l| !l.text.trim().is_empty());
        if !has_text {
            // Nothing but whitespace: whether PyPI even sees a description is not judged here.
            c.uncertain = true;
        }
        if has_text {
            c.problem = Some(Problem {
                line: None,
                level: Level::Error,
                message: "No content rendered from RST source.".into(),
            });
        }
    }
    Verdict {
        certain: !(c.ambiguous || c.uncertain || c.stopped),
        problems: c.problem.into_iter().collect(),
    }
}

/// Roles whose text can never fail to render (the default role is `title-reference`).
const EXACT_ROLES: &[&str] = &[
    "abbreviation",
    "ab",
    "acronym",
    "ac",
    "code",
    "emphasis",
    "literal",
    "strong",
    "subscript",
    "sub",
    "superscript",
    "sup",
    "title-reference",
    "title",
    "t",
];

/// A directive's option block: `(name, value)` for each `:name: value` field, continuation
/// lines joined to the value. `None` when a line is not part of a field.
fn directive_options(lines: &[Ln]) -> Option<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for l in lines {
        let t = l.text.as_str();
        if let Some(width) = field_marker(t) {
            let name = t.get(1..width).unwrap_or_default().trim_end();
            let name = name.strip_suffix(':').unwrap_or(name).to_string();
            out.push((name, t.get(width..).unwrap_or_default().trim().to_string()));
        } else if t.starts_with(' ') {
            let (_, value) = out.last_mut()?;
            value.push(' ');
            value.push_str(t.trim());
        } else {
            return None;
        }
    }
    Some(out)
}

/// An `image` whose URI, options and content cannot fail: a URI, only `:alt:` and a
/// `:target:` URI (a `name_` target would be a reference to check), no content.
fn image_is_exact(uri: &str, options: &[Ln], content: &[Ln]) -> bool {
    !uri.trim().is_empty()
        && content.iter().all(is_blank)
        && directive_options(options).is_some_and(|opts| {
            opts.iter().all(|(name, value)| match name.as_str() {
                "alt" => !value.is_empty(),
                "target" => !value.is_empty() && !value.ends_with('_'),
                _ => false,
            })
        })
}

#[derive(Clone, Debug)]
struct Ln {
    text: String,
    no: u32,
}

/// docutils' `string2lines`: \v and \f become spaces, Python's `splitlines`, tabs to 8 columns,
/// trailing whitespace removed.
fn split_lines(text: &str) -> Vec<Ln> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut no: u32 = 1;
    let mut chars = text.chars().peekable();
    let push = |current: &mut String, no: &mut u32, out: &mut Vec<Ln>| {
        out.push(Ln {
            text: expand_tabs(current).trim_end().to_string(),
            no: *no,
        });
        current.clear();
        *no += 1;
    };
    while let Some(ch) = chars.next() {
        match ch {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                push(&mut current, &mut no, &mut out);
            }
            '\n' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                push(&mut current, &mut no, &mut out);
            }
            '\u{b}' | '\u{c}' => current.push(' '),
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        push(&mut current, &mut no, &mut out);
    }
    out
}

fn expand_tabs(s: &str) -> String {
    if !s.contains('\t') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut col = 0;
    for c in s.chars() {
        if c == '\t' {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

fn indent_of(s: &str) -> usize {
    s.len() - s.trim_start_matches(' ').len()
}

/// Whether a non-blank, non-indented line starts one of the body constructs that come before
/// explicit markup in docutils' transition order (lists, fields, options, doctests, line
/// blocks, tables) or is indented (a block quote).
fn starts_other_construct(t: &str, next: Option<&Ln>) -> bool {
    t.starts_with(' ')
        || bullet_marker(t).is_some()
        || enumerator(t).is_some_and(|(n, f, _)| enum_confirmed(n, f, next))
        || field_marker(t).is_some()
        || is_option_like(t)
        || t.starts_with(">>>")
        || t == "|"
        || t.starts_with("| ")
        || is_grid_border(t)
        || is_simple_border(t)
}

/// Explicit markup starts: `.. ` (or a bare `..`) and anonymous targets `__ `.
fn starts_explicit(t: &str) -> bool {
    t == ".." || t.starts_with(".. ") || t == "__" || t.starts_with("__ ")
}

fn is_blank(l: &Ln) -> bool {
    l.text.trim().is_empty()
}

/// docutils' name normalization for references and targets: lowercase, single spaces.
fn normalize(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A looser normalization used for "is it defined anywhere" questions.
fn loose_key(name: &str) -> String {
    normalize(&name.replace(['`', '*', '\\', '|', '_', '[', ']'], ""))
}

/// Definitions found by a loose scan of every line (including regions the checker does not
/// parse), so a reference is only reported unknown when nothing anywhere could define it.
struct Loose {
    targets: Vec<String>,
    substitutions: Vec<String>,
    labels: Vec<String>,
    roles: Vec<String>,
}

impl Loose {
    fn scan(lines: &[Ln]) -> Self {
        let mut l = Loose {
            targets: Vec::new(),
            substitutions: Vec::new(),
            labels: Vec::new(),
            roles: Vec::new(),
        };
        for (i, line) in lines.iter().enumerate() {
            let t = line.text.trim_start();
            if let Some(rest) = t.strip_prefix("..") {
                let rest = rest.trim_start();
                if let Some(target) = rest.strip_prefix('_') {
                    let name = match target.strip_prefix('`') {
                        Some(q) => q.split('`').next().unwrap_or_default(),
                        None => target.split(':').next().unwrap_or_default(),
                    };
                    l.targets.push(loose_key(name));
                } else if let Some(sub) = rest.strip_prefix('|')
                    && let Some(end) = sub.find('|')
                {
                    l.substitutions.push(loose_key(&sub[..end]));
                } else if let Some(label) = rest.strip_prefix('[')
                    && let Some(end) = label.find(']')
                {
                    l.labels.push(loose_key(&label[..end]));
                } else if let Some(role) = rest.strip_prefix("role::") {
                    let name = role.trim().split('(').next().unwrap_or_default();
                    l.roles.push(name.trim().to_lowercase());
                }
            }
            // Embedded URIs define targets named by their text: `text <uri>`_
            let mut rest = line.text.as_str();
            while let Some(open) = rest.find('`') {
                let after = &rest[open + 1..];
                let Some(close) = after.find('`') else { break };
                let inner = &after[..close];
                if let Some(lt) = inner.rfind('<') {
                    l.targets.push(loose_key(&inner[..lt]));
                }
                rest = &after[close + 1..];
            }
            // Any line above an underline may be a section title (implicit target).
            if let Some(next) = lines.get(i + 1)
                && is_adornment(&next.text)
            {
                l.targets.push(loose_key(t));
            }
            // Inline internal targets: _`name`
            let mut rest = line.text.as_str();
            while let Some(pos) = rest.find("_`") {
                let after = &rest[pos + 2..];
                let name = after.split('`').next().unwrap_or_default();
                l.targets.push(loose_key(name));
                rest = after;
            }
        }
        l
    }
}

/// A line of one repeated punctuation character (section adornment or transition).
fn is_adornment(s: &str) -> bool {
    let t = s.trim_end();
    let Some(first) = t.chars().next() else {
        return false;
    };
    first.is_ascii_punctuation() && t.chars().all(|c| c == first) && !s.starts_with(' ')
}

/// A top-level element, as docutils' `Transitions` transform sees the document.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Event {
    Title,
    Transition(u32),
    Other,
}

struct Checker {
    loose: Loose,
    problem: Option<Problem>,
    /// Some text was skipped because it could not be judged safely.
    ambiguous: bool,
    /// A construct the checker does not model exactly was met (the verdict is not final).
    uncertain: bool,
    /// Substitution definition names seen, normalised (a repeat is docutils' error).
    substitutions: Vec<String>,
    /// Section titles parsed, as the implicit target names they are (titles without markup
    /// characters only, whose name is their text).
    titles_named: Vec<String>,
    /// Block parsing stopped at a construct whose extent cannot be judged safely.
    stopped: bool,
    /// Current nesting of bodies (block quotes, list items, directives).
    depth: usize,
    /// Top-level elements in order, for docutils' transition checks.
    events: Vec<Event>,
    /// `[#]_` references (their lines) and `.. [#]` footnotes seen by the parser.
    auto_refs: Vec<u32>,
    auto_footnotes: usize,
    refs: Vec<(String, u32)>,
    anon_refs: usize,
    anon_targets: usize,
    subst_refs: Vec<(String, u32)>,
    targets: Vec<(String, Option<String>)>,
    inline_targets: Vec<String>,
    footnote_refs: Vec<(String, u32)>,
    title_styles: Vec<(char, bool)>,
    section_level: usize,
    content: usize,
    titles: usize,
}

/// docutils' `StringList.get_indented`: from `start`, lines that are blank or indented.
/// Returns (end, blank_finish).
fn indented_end(lines: &[Ln], start: usize) -> (usize, bool) {
    let mut end = start;
    while let Some(l) = lines.get(end) {
        if !is_blank(l) && !l.text.starts_with(' ') {
            let blank_finish = end > start && lines.get(end - 1).is_some_and(is_blank);
            return (end, blank_finish);
        }
        end += 1;
    }
    (end, true)
}

/// Remove the common indentation of `lines` (blank lines kept) and trailing blank lines.
fn dedent(lines: &[Ln]) -> Vec<Ln> {
    let min = lines
        .iter()
        .filter(|l| !is_blank(l))
        .map(|l| indent_of(&l.text))
        .min()
        .unwrap_or(0);
    let mut out: Vec<Ln> = lines
        .iter()
        .map(|l| Ln {
            text: l.text.get(min..).unwrap_or_default().to_string(),
            no: l.no,
        })
        .collect();
    while out.last().is_some_and(is_blank) {
        out.pop();
    }
    out
}

/// An item body: its first line starts after a marker; the rest is dedented together.
fn item_body(first_text: &str, first_no: u32, rest: &[Ln]) -> Vec<Ln> {
    let mut body = vec![Ln {
        text: first_text.trim_start().to_string(),
        no: first_no,
    }];
    body.extend(dedent(rest));
    body
}

/// `StringList.get_indented` with a known block indentation: lines that are blank or indented
/// by at least `indent`. Returns (end, blank_finish).
fn known_indented_end(lines: &[Ln], start: usize, indent: usize) -> (usize, bool) {
    let mut end = start;
    while let Some(l) = lines.get(end) {
        if !is_blank(l) && indent_of(&l.text) < indent.max(1) {
            let blank_finish = end > start && lines.get(end - 1).is_some_and(is_blank);
            return (end, blank_finish);
        }
        end += 1;
    }
    (end, true)
}

/// docutils' `list_item`: a non-empty first line fixes the item's indentation at the marker
/// width; an empty one takes the smallest indentation of the lines that follow.
/// Returns (end, blank_finish, body).
fn list_item(lines: &[Ln], i: usize, width: usize) -> (usize, bool, Vec<Ln>) {
    let first = &lines[i];
    let text = first.text.get(width..).unwrap_or_default();
    if text.trim().is_empty() {
        let (end, blank_finish) = indented_end(lines, i + 1);
        return (
            end,
            blank_finish,
            item_body("", first.no, &lines[i + 1..end]),
        );
    }
    let (end, blank_finish) = known_indented_end(lines, i + 1, width);
    let mut body = vec![Ln {
        text: text.to_string(),
        no: first.no,
    }];
    body.extend(lines[i + 1..end].iter().map(|l| Ln {
        text: l.text.get(width..).unwrap_or_default().to_string(),
        no: l.no,
    }));
    while body.last().is_some_and(is_blank) {
        body.pop();
    }
    (end, blank_finish, body)
}

/// docutils' `is_enumerated_list_item`: the next line is blank, indented, or starts with the
/// next enumerator (or `#`) in the same format, followed by a space.
fn enum_confirmed(number: Option<u64>, format: u8, next: Option<&Ln>) -> bool {
    let Some(next) = next else { return true };
    if is_blank(next) || next.text.starts_with(' ') {
        return true;
    }
    let (prefix, suffix) = match format {
        b'(' => ("(", ")"),
        b')' => ("", ")"),
        _ => ("", "."),
    };
    let auto = format!("{prefix}#{suffix} ");
    // After `#.` only `#.` continues; after `n.` both `n+1.` and `#.` do.
    let following = number.map(|n| format!("{prefix}{}{suffix} ", n + 1));
    next.text.starts_with(&auto) || following.is_some_and(|f| next.text.starts_with(&f))
}

fn bullet_marker(t: &str) -> Option<(char, usize)> {
    let mut chars = t.chars();
    let c = chars.next()?;
    if !matches!(c, '*' | '+' | '-' | '•' | '‣' | '⁃') {
        return None;
    }
    let rest = &t[c.len_utf8()..];
    if rest.is_empty() {
        return Some((c, c.len_utf8()));
    }
    if !rest.starts_with(' ') {
        return None;
    }
    Some((c, c.len_utf8() + indent_of(rest)))
}

/// Arabic or auto-numbered enumerators: `1.`, `#.`, `1)`, `(1)`. Returns (number, format, width).
fn enumerator(t: &str) -> Option<(Option<u64>, u8, usize)> {
    let (body, format, open) = if let Some(r) = t.strip_prefix('(') {
        (r, b'(', 1)
    } else {
        (t, b'.', 0)
    };
    let digits: String = body
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '#')
        .collect();
    if digits.is_empty() || (digits.contains('#') && digits != "#") {
        return None;
    }
    let after = &body[digits.len()..];
    let close = after.chars().next()?;
    let format = match (format, close) {
        (b'(', ')') => b'(',
        (b'.', '.') => b'.',
        (b'.', ')') => b')',
        _ => return None,
    };
    let rest = &after[1..];
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    let number = digits.parse::<u64>().ok();
    Some((number, format, open + digits.len() + 1 + indent_of(rest)))
}

/// A field marker `:name:` followed by a space or the end of the line. Returns the marker width.
fn field_marker(t: &str) -> Option<usize> {
    let rest = t.strip_prefix(':')?;
    if rest.starts_with([' ', ':']) {
        return None;
    }
    let b = rest.as_bytes();
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            b'`' => return None,
            b':' if k > 0 && b[k - 1] != b' ' && (k + 1 == b.len() || b[k + 1] == b' ') => {
                let after = &rest[k + 1..];
                return Some(1 + k + 1 + indent_of(after));
            }
            _ => k += 1,
        }
    }
    None
}

fn is_option_like(t: &str) -> bool {
    let b = t.as_bytes();
    match b {
        [b'-', b'-', c, ..] => c.is_ascii_alphanumeric(),
        [b'-', c, ..] | [b'/', c, ..] => c.is_ascii_alphanumeric(),
        _ => false,
    }
}

fn is_grid_border(t: &str) -> bool {
    t.starts_with("+-") || t.starts_with("+=")
}

fn is_simple_border(t: &str) -> bool {
    let t = t.trim_end();
    !t.is_empty()
        && t.starts_with('=')
        && t.chars().all(|c| c == '=' || c == ' ')
        && t.contains(' ')
}

impl Checker {
    fn report(&mut self, line: Option<u32>, level: Level, message: impl Into<String>) {
        if self.problem.is_none() {
            self.problem = Some(Problem {
                line,
                level,
                message: message.into(),
            });
        }
    }

    fn done(&self) -> bool {
        self.problem.is_some()
    }

    fn unindent(&mut self, what: &str, line: u32) {
        self.report(
            Some(line),
            Level::Warning,
            format!("{what} ends without a blank line; unexpected unindent."),
        );
    }

    /// Body elements at relative indentation 0.
    fn body(&mut self, lines: &[Ln], top: bool) {
        // Deeply nested input is not judged (and must not exhaust the stack).
        if self.depth >= MAX_DEPTH {
            self.give_up();
            return;
        }
        self.depth += 1;
        self.body_inner(lines, top);
        self.depth -= 1;
    }

    fn body_inner(&mut self, lines: &[Ln], top: bool) {
        let n = lines.len();
        let mut i = 0;
        while i < n && !self.done() && !self.stopped {
            let Some(line) = lines.get(i) else { break };
            if is_blank(line) {
                i += 1;
                continue;
            }
            let t = line.text.as_str();
            let next = lines.get(i + 1);
            // The order of docutils' Body transitions.
            // Explicit markup, adornment lines and text lines note their own events.
            if starts_other_construct(t, next) {
                self.event(Event::Other);
            }
            if t.starts_with(' ') {
                // Block quote.
                let (end, blank_finish) = indented_end(lines, i);
                self.content += 1;
                let block = dedent(&lines[i..end]);
                self.body(&block, false);
                if !blank_finish && let Some(next) = lines.get(end) {
                    self.unindent("Block quote", next.no);
                }
                i = end;
                continue;
            }
            if let Some((c, width)) = bullet_marker(t) {
                i = self.bullet_list(lines, i, c, width);
                continue;
            }
            if let Some((number, format, width)) = enumerator(t)
                && enum_confirmed(number, format, next)
            {
                i = self.enum_list(lines, i, number, format, width);
                continue;
            }
            if field_marker(t).is_some() {
                i = self.field_list(lines, i);
                continue;
            }
            if is_option_like(t) {
                // Option lists (and what their descriptions introduce): not judged.
                self.content += 1;
                self.give_up();
                continue;
            }
            if t == ">>>" || t.starts_with(">>> ") {
                // A doctest block: literal text up to the next blank line, never an error.
                self.content += 1;
                while lines.get(i).is_some_and(|l| !is_blank(l)) {
                    i += 1;
                }
                continue;
            }
            if t.starts_with(">>>") {
                // `>>>x` is not a doctest block for docutils: not judged.
                self.content += 1;
                i = self.opaque_until_blank(lines, i);
                continue;
            }
            if t == "|" || t.starts_with("| ") {
                i = self.line_block(lines, i);
                continue;
            }
            if is_grid_border(t) {
                i = self.grid_table(lines, i);
                continue;
            }
            if is_simple_border(t) {
                i = self.opaque_simple_table(lines, i);
                continue;
            }
            if starts_explicit(t) {
                i = self.explicit(lines, i);
                continue;
            }
            if is_adornment(t) && t != "::" {
                i = self.adornment_line(lines, i, top);
                continue;
            }
            if t.starts_with(':') && t.contains('`') {
                // Field marker or interpreted text: docutils' pattern decides, not modelled.
                self.uncertain = true;
            }
            i = self.text_line(lines, i, top);
        }
    }

    /// Line blocks: `| text` lines, each with its indented continuation lines.
    fn line_block(&mut self, lines: &[Ln], i: usize) -> usize {
        self.content += 1;
        let mut k = i;
        while let Some(l) = lines.get(k) {
            if is_blank(l) {
                return k;
            }
            let Some(text) = l.text.strip_prefix('|') else {
                if l.text.starts_with(' ') {
                    // A continuation line not preceded by a `|` line: not judged.
                    self.give_up();
                    return k;
                }
                self.report(
                    lines.get(i).map(|first| first.no + 1),
                    Level::Warning,
                    "Line block ends without a blank line.",
                );
                return k;
            };
            if !(text.is_empty() || text.starts_with(' ')) {
                // `|text` (e.g. a Markdown table row `|---|---|`) is not a line-block line:
                // docutils ends the block there without a blank line.
                self.report(
                    lines.get(i).map(|first| first.no + 1),
                    Level::Warning,
                    "Line block ends without a blank line.",
                );
                return k;
            }
            let (end, _) = indented_end(lines, k + 1);
            // Continuation lines must stop at a blank line (`until_blank`).
            let end = (k + 1..end)
                .find(|j| lines.get(*j).is_some_and(is_blank))
                .unwrap_or(end);
            if end > k + 1 {
                // How docutils joins continuation lines into the line's text: not judged.
                self.uncertain = true;
            }
            let mut joined = text.trim().to_string();
            for c in dedent(&lines[k + 1..end]) {
                joined.push('\n');
                joined.push_str(&c.text);
            }
            self.inline(&joined, l.no);
            if self.done() {
                return end;
            }
            k = end;
        }
        k
    }

    /// docutils' Text state: a title when the next line is an underline, else a paragraph
    /// (or a definition list item).
    fn text_line(&mut self, lines: &[Ln], i: usize, top: bool) -> usize {
        if lines
            .get(i + 1)
            .is_some_and(|next| is_adornment(&next.text))
            && let Some(after) = self.title(lines, i, top)
        {
            return after;
        }
        self.event(Event::Other);
        self.paragraph(lines, i, top)
    }

    /// A parsed title's implicit target name, when its text is its name.
    fn name_title(&mut self, title: &str) {
        if !title.contains(['`', '*', '\\', '|', '_', '[', ']', ':', '<']) {
            self.titles_named.push(normalize(title));
        }
    }

    /// Note a visible top-level element.
    fn event(&mut self, event: Event) {
        if self.depth == 1 {
            self.events.push(event);
        }
    }

    /// Stop judging block structure: what follows depends on a construct not modelled here.
    fn give_up(&mut self) {
        self.ambiguous = true;
        self.stopped = true;
    }

    fn opaque_until_blank(&mut self, lines: &[Ln], mut i: usize) -> usize {
        self.ambiguous = true;
        while lines.get(i).is_some_and(|l| !is_blank(l)) {
            i += 1;
        }
        i
    }

    /// A line of one repeated punctuation character: docutils' `line` transition and, at the
    /// top level, its Line state (transition, or over- and underlined title).
    fn adornment_line(&mut self, lines: &[Ln], i: usize, top: bool) -> usize {
        let t = lines[i].text.trim_end();
        let short = t.chars().count() < 4;
        if !top || lines.get(i + 1).is_none_or(is_blank) {
            if short {
                // Too short for an overline or a transition: a text line.
                return self.text_line(lines, i, top);
            }
            if top {
                // A transition (also at the very end of the document).
                self.event(Event::Transition(lines[i].no));
                return i + 1;
            }
            // A transition at the end, or "Unexpected section title or transition." in a
            // nested body: not judged.
            self.give_up();
            return i + 1;
        }
        let Some(mid) = lines.get(i + 1) else {
            return i + 1;
        };
        let title = mid.text.trim_end();
        let matching = !is_adornment(&mid.text)
            && lines
                .get(i + 2)
                .is_some_and(|u| is_adornment(&u.text) && u.text.trim_end() == t);
        if !title.is_ascii() {
            self.uncertain = true;
        }
        if matching && title.is_ascii() && title.len() <= t.len() {
            let c = t.chars().next().unwrap_or('=');
            self.titles += 1;
            self.event(Event::Title);
            self.loose.targets.push(loose_key(title));
            self.name_title(title);
            if self.section_style((c, true), mid.no) {
                self.inline(title.trim(), mid.no);
            }
            return i + 3;
        }
        if short && (!matching || title.is_ascii()) {
            // docutils treats a short overline that does not frame a title as text.
            return self.text_line(lines, i, top);
        }
        // Mismatched adornments, titles wider than a long overline, one-column tables and
        // the like are not judged.
        self.give_up();
        i + 1
    }

    /// A title underlined at `i + 1`. `None` when it is treated as ordinary text.
    fn title(&mut self, lines: &[Ln], i: usize, top: bool) -> Option<usize> {
        let title = lines[i].text.as_str();
        let under = &lines[i + 1];
        let ulen = under.text.trim_end().chars().count();
        let width = title.chars().count();
        if !title.is_ascii() && ulen < 4 {
            // Display width of non-ASCII text decides; not judged.
            self.give_up();
            return Some(i + 2);
        }
        if width > ulen && ulen < 4 {
            // docutils: "too short for the title", treated as ordinary text (INFO only).
            return None;
        }
        if !top {
            // "Unexpected section title." inside a nested body; not judged here.
            self.give_up();
            return Some(i + 2);
        }
        if width > ulen && title.is_ascii() {
            self.report(Some(under.no), Level::Warning, "Title underline too short.");
            return Some(i + 2);
        }
        if !title.is_ascii() {
            // Its display width (wide and combining characters) decides: not judged.
            self.uncertain = true;
        }
        let c = under.text.chars().next().unwrap_or('=');
        self.titles += 1;
        self.event(Event::Title);
        self.name_title(title);
        if !self.section_style((c, false), lines[i].no) {
            return Some(i + 2);
        }
        self.inline(title.trim(), lines[i].no);
        Some(i + 2)
    }

    /// docutils' `check_subsection`: false when the title style skips a level.
    fn section_style(&mut self, style: (char, bool), line: u32) -> bool {
        let old = self.section_level;
        let new = match self.title_styles.iter().position(|s| *s == style) {
            Some(p) => p + 1,
            None => self.title_styles.len() + 1,
        };
        if new > old + 1 {
            self.report(
                Some(line),
                Level::Error,
                format!("Inconsistent title style: skip from level {old} to {new}."),
            );
            return false;
        }
        if new > self.title_styles.len() {
            self.title_styles.push(style);
        }
        self.section_level = new;
        true
    }

    fn paragraph(&mut self, lines: &[Ln], i: usize, top: bool) -> usize {
        let first = &lines[i];
        // A one-line term directly followed by an indented definition.
        if let Some(next) = lines.get(i + 1)
            && !is_blank(next)
            && next.text.starts_with(' ')
        {
            return self.definition_list_item(lines, i);
        }
        let mut j = i;
        while let Some(l) = lines.get(j) {
            if is_blank(l) {
                break;
            }
            if l.text.starts_with(' ') {
                self.report(Some(l.no), Level::Error, "Unexpected indentation.");
                return j;
            }
            j += 1;
        }
        self.content += 1;
        let text = lines[i..j]
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let escaped = text
            .strip_suffix("::")
            .is_some_and(|t| (t.len() - t.trim_end_matches('\\').len()) % 2 == 1);
        let (text, literal_next) = if text == "::" {
            (String::new(), true)
        } else if let Some(stripped) = text.strip_suffix("::").filter(|_| !escaped) {
            if stripped.ends_with([' ', '\n']) {
                (stripped.trim_end().to_string(), true)
            } else {
                (format!("{stripped}:"), true)
            }
        } else {
            (text, false)
        };
        self.inline(&text, first.no);
        if self.done() || !literal_next {
            return j;
        }
        // A literal block must follow.
        let mut k = j;
        while lines.get(k).is_some_and(is_blank) {
            k += 1;
        }
        let Some(next) = lines.get(k) else {
            // At the end of the document docutils points one line past the last.
            let line = if top {
                lines.last().map(|l| l.no + 1)
            } else {
                None
            };
            self.report(line, Level::Warning, "Literal block expected; none found.");
            return k;
        };
        if next.text.starts_with(' ') {
            let (end, blank_finish) = indented_end(lines, k);
            if !blank_finish && let Some(after) = lines.get(end) {
                self.unindent("Literal block", after.no);
            }
            return end;
        }
        if next.text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            self.report(
                Some(next.no),
                Level::Warning,
                "Literal block expected; none found.",
            );
            return k;
        }
        // Possibly a quoted literal block: not judged.
        self.ambiguous = true;
        self.opaque_until_blank(lines, k)
    }

    fn definition_list_item(&mut self, lines: &[Ln], i: usize) -> usize {
        self.content += 1;
        let term = lines[i].text.as_str();
        self.inline(term, lines[i].no);
        let (end, blank_finish) = indented_end(lines, i + 1);
        let body = dedent(&lines[i + 1..end]);
        self.body(&body, false);
        let next_is_term = lines
            .get(end + 1)
            .is_some_and(|l| !is_blank(l) && l.text.starts_with(' '));
        if !blank_finish && next_is_term {
            // Whether the next line starts another item is docutils' call: not judged.
            self.uncertain = true;
        }
        if !blank_finish
            && !next_is_term
            && let Some(next) = lines.get(end)
        {
            self.unindent("Definition list", next.no);
        }
        end
    }

    fn bullet_list(&mut self, lines: &[Ln], mut i: usize, c: char, mut width: usize) -> usize {
        self.content += 1;
        loop {
            let (end, blank_finish, body) = list_item(lines, i, width);
            self.body(&body, false);
            if self.done() {
                return end;
            }
            let Some(next) = lines.get(end) else {
                return end;
            };
            match bullet_marker(&next.text) {
                Some((nc, w)) if nc == c => {
                    i = end;
                    width = w;
                }
                _ => {
                    if !blank_finish {
                        self.unindent("Bullet list", next.no);
                    }
                    return end;
                }
            }
        }
    }

    fn enum_list(
        &mut self,
        lines: &[Ln],
        mut i: usize,
        mut number: Option<u64>,
        format: u8,
        mut width: usize,
    ) -> usize {
        self.content += 1;
        loop {
            let (end, blank_finish, body) = list_item(lines, i, width);
            self.body(&body, false);
            if self.done() {
                return end;
            }
            let Some(next) = lines.get(end) else {
                return end;
            };
            let following = lines.get(end + 1);
            match enumerator(&next.text) {
                Some((n, f, w))
                    if f == format
                        && enum_confirmed(n, f, following)
                        && (n.is_none() || n == number.map(|x| x + 1)) =>
                {
                    i = end;
                    number = n;
                    width = w;
                }
                Some(_) => {
                    // A different sequence or format: not judged.
                    self.ambiguous = true;
                    return end;
                }
                None => {
                    if !blank_finish && !is_blank(next) {
                        self.unindent("Enumerated list", next.no);
                    }
                    return end;
                }
            }
        }
    }

    fn field_list(&mut self, lines: &[Ln], mut i: usize) -> usize {
        self.content += 1;
        loop {
            let first = &lines[i];
            let width = field_marker(&first.text).unwrap_or(first.text.len());
            let name = first
                .text
                .get(..width)
                .unwrap_or_default()
                .trim_end()
                .trim_matches(':')
                .to_string();
            self.inline(&name, first.no);
            let (end, blank_finish) = indented_end(lines, i + 1);
            let body = item_body(
                first.text.get(width..).unwrap_or_default(),
                first.no,
                &lines[i + 1..end],
            );
            self.body(&body, false);
            if self.done() {
                return end;
            }
            match lines.get(end) {
                Some(next) if field_marker(&next.text).is_some() => i = end,
                Some(next) if !blank_finish => {
                    self.unindent("Field list", next.no);
                    return end;
                }
                _ => return end,
            }
        }
    }

    fn grid_table(&mut self, lines: &[Ln], i: usize) -> usize {
        self.content += 1;
        let mut end = i;
        while lines.get(end).is_some_and(|l| !is_blank(l)) {
            end += 1;
        }
        let block = &lines[i..end];
        if block.iter().all(|l| l.text.is_ascii()) {
            let width = block[0].text.len();
            for l in block.iter().skip(1) {
                let t = l.text.as_str();
                let aligned =
                    t.len() == width && t.ends_with(['+', '|']) && t.starts_with(['+', '|']);
                if !aligned {
                    self.report(
                        Some(l.no),
                        Level::Error,
                        "Malformed table.\nRight border not aligned or missing.",
                    );
                    return end;
                }
            }
        }
        // Cell contents are not judged.
        self.ambiguous = true;
        end
    }

    fn opaque_simple_table(&mut self, lines: &[Ln], i: usize) -> usize {
        self.content += 1;
        self.ambiguous = true;
        let mut borders = 0;
        let mut k = i;
        while let Some(l) = lines.get(k) {
            if is_simple_border(&l.text) || is_adornment(&l.text) {
                borders += 1;
                if borders >= 2 && lines.get(k + 1).is_none_or(is_blank) {
                    return k + 1;
                }
            }
            k += 1;
        }
        k
    }

    /// Explicit markup (`.. ` blocks and `__ ` anonymous targets).
    fn explicit(&mut self, lines: &[Ln], i: usize) -> usize {
        let first = &lines[i];
        let t = first.text.as_str();
        let (end, blank_finish) =
            if t.starts_with("__") || t.get(3..).is_some_and(|r| r.starts_with('_')) {
                // Hyperlink targets end at the first blank line (`until_blank`).
                let mut end = i + 1;
                while lines
                    .get(end)
                    .is_some_and(|l| !is_blank(l) && l.text.starts_with(' '))
                {
                    end += 1;
                }
                (end, lines.get(end).is_none_or(is_blank))
            } else {
                indented_end(lines, i + 1)
            };
        if t.starts_with("__") {
            self.anon_targets += 1;
        } else {
            let rest = t.get(3..).unwrap_or_default();
            self.explicit_construct(rest, first, &lines[i + 1..end]);
        }
        if self.done() {
            return end;
        }
        if !blank_finish
            && let Some(next) = lines.get(end)
            && !starts_explicit(&next.text)
        {
            self.unindent("Explicit markup", next.no);
        }
        end
    }

    fn explicit_construct(&mut self, rest: &str, first: &Ln, block: &[Ln]) {
        if let Some(label) = rest.strip_prefix('[') {
            // Footnote or citation: its body is not judged.
            // Footnote and citation definitions are not judged (an empty one is an error).
            self.uncertain = true;
            if label.contains(']') {
                self.content += 1;
                self.event(Event::Other);
                if label.starts_with("#]") {
                    self.auto_footnotes += 1;
                }
                if !block.is_empty()
                    || label
                        .split_once(']')
                        .is_some_and(|(_, b)| !b.trim().is_empty())
                {
                    self.ambiguous = true;
                }
            }
            return;
        }
        if let Some(target) = rest.strip_prefix('_') {
            self.target(target, first, block);
            return;
        }
        if let Some(sub) = rest.strip_prefix('|') {
            // Substitution definition: `|name| directive:: data`.
            let Some(close) = sub.find('|') else {
                self.uncertain = true;
                return;
            };
            let key = normalize(&sub[..close]);
            if self.substitutions.contains(&key) {
                // "Duplicate substitution definition name", unless docutils finds them equal.
                self.uncertain = true;
            }
            self.substitutions.push(key);
            let after = sub[close + 1..].trim_start();
            match directive_head(after) {
                Some((name, _))
                    if name.is_ascii()
                        && !KNOWN_DIRECTIVES.contains(&name.to_lowercase().as_str()) =>
                {
                    self.report(
                        Some(first.no),
                        Level::Error,
                        format!("Unknown directive type \"{name}\"."),
                    );
                }
                Some((name, uri)) if name.eq_ignore_ascii_case("image") => {
                    let body = dedent(block);
                    let split = body.iter().position(is_blank).unwrap_or(body.len());
                    if !image_is_exact(uri, &body[..split], &body[split..]) {
                        self.uncertain = true;
                    }
                }
                // Other directives (replace, unicode, date, ...) are not judged.
                _ => self.uncertain = true,
            }
            return;
        }
        let Some((name, args)) = directive_head(rest) else {
            // A comment, unless it starts like another construct with extra spaces or a
            // quote (docutils may call it malformed): only plain comments are judged.
            if rest.starts_with(|c: char| c.is_whitespace() || "`|_[".contains(c)) {
                self.uncertain = true;
            }
            // An empty comment ends at once; what is indented after it is a block quote.
            if rest.trim().is_empty() && !block.iter().all(is_blank) {
                self.uncertain = true;
            }
            return;
        };
        let lower = name.to_lowercase();
        if !name.is_ascii() {
            self.give_up();
            return;
        }
        if !KNOWN_DIRECTIVES.contains(&lower.as_str()) {
            self.report(
                Some(first.no),
                Level::Error,
                format!("Unknown directive type \"{name}\"."),
            );
            return;
        }
        match lower.as_str() {
            "raw" | "include" => {
                self.report(
                    Some(first.no),
                    Level::Warning,
                    format!("\"{name}\" directive disabled."),
                );
                return;
            }
            "role" => {
                self.uncertain = true;
                let role = args
                    .split('(')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_lowercase();
                self.loose.roles.push(role);
                return;
            }
            "default-role" | "title" | "meta" | "target-notes" => {
                self.uncertain = true;
                return;
            }
            _ => {}
        }
        self.content += 1;
        self.event(Event::Other);
        // docutils' `parse_directive_block`: the first-line text and the lines up to the first
        // blank line are arguments and options; the content follows the blank line. For
        // directives without arguments the argument text is content.
        let mut indented: Vec<Ln> = vec![Ln {
            text: args.trim().to_string(),
            no: first.no,
        }];
        indented.extend(dedent(block));
        if indented.first().is_some_and(is_blank) {
            indented.remove(0);
        }
        while indented.last().is_some_and(is_blank) {
            indented.pop();
        }
        let split = indented.iter().position(is_blank).unwrap_or(indented.len());
        let arg_block = &indented[..split];
        let options_at = arg_block
            .iter()
            .position(|l| field_marker(&l.text).is_some())
            .unwrap_or(arg_block.len());
        let has_arguments = arg_block[..options_at].iter().any(|l| !is_blank(l));
        let has_options = options_at < arg_block.len();
        // What this checker models exactly: admonitions and code blocks without options,
        // images with a URI, `:alt:` and `:target:`. Anything else may fail in ways not judged
        // here (an unknown option, a bad option value, table structure, ...).
        let exact = match lower.as_str() {
            _ if TEXT_ARG_DIRECTIVES.contains(&lower.as_str()) => !has_options,
            "code" | "code-block" | "sourcecode" => {
                !has_options && args.split_whitespace().count() <= 1
            }
            "image" => {
                let content = indented.get(split..).unwrap_or_default();
                image_is_exact(args, &arg_block[options_at..], content)
            }
            _ => false,
        };
        if !exact {
            self.uncertain = true;
        }
        let takes_arguments = !(TEXT_ARG_DIRECTIVES.contains(&lower.as_str())
            || matches!(
                lower.as_str(),
                "epigraph"
                    | "highlights"
                    | "pull-quote"
                    | "compound"
                    | "parsed-literal"
                    | "line-block"
            ));
        let content: Vec<Ln> = if has_arguments && !takes_arguments {
            if options_at < arg_block.len() {
                // Text and then options on following lines: not judged.
                self.ambiguous = true;
                return;
            }
            indented.clone()
        } else {
            indented.get(split + 1..).unwrap_or_default().to_vec()
        };
        let needs_content = BODY_DIRECTIVES.contains(&lower.as_str())
            || matches!(
                lower.as_str(),
                "code" | "code-block" | "sourcecode" | "parsed-literal" | "line-block"
            );
        let needs_argument = matches!(lower.as_str(), "admonition" | "topic" | "sidebar");
        if needs_content && content.iter().all(is_blank) {
            if needs_argument && !has_arguments {
                // docutils complains about the missing argument instead: not judged.
                self.ambiguous = true;
                return;
            }
            self.report(
                Some(first.no),
                Level::Error,
                format!("Content block expected for the \"{name}\" directive; none found."),
            );
            return;
        }
        if !BODY_DIRECTIVES.contains(&lower.as_str()) {
            let judged_content = matches!(
                lower.as_str(),
                "code" | "code-block" | "sourcecode" | "math"
            ) || (lower == "image" && exact);
            if !judged_content && !block.is_empty() {
                // Captions, tables and the like may hold markup: not judged.
                self.ambiguous = true;
            }
            return;
        }
        self.body(&dedent(&content), false);
    }

    fn target(&mut self, target: &str, first: &Ln, block: &[Ln]) {
        if target.starts_with("_:") || target == "_" {
            self.anon_targets += 1;
            return;
        }
        let (name, uri_start) = if let Some(q) = target.strip_prefix('`') {
            let Some(close) = q.find('`') else {
                self.uncertain = true;
                return;
            };
            let after = &q[close + 1..];
            if !after.starts_with(':') {
                self.uncertain = true;
                return;
            }
            (q[..close].to_string(), after[1..].to_string())
        } else {
            let b = target.as_bytes();
            let mut k = 0;
            let mut found = None;
            while k < b.len() {
                match b[k] {
                    b'\\' => k += 2,
                    b':' if k + 1 == b.len() || b[k + 1] == b' ' => {
                        found = Some(k);
                        break;
                    }
                    _ => k += 1,
                }
            }
            let Some(colon) = found else {
                // "malformed hyperlink target" and the like: not judged.
                self.uncertain = true;
                return;
            };
            (target[..colon].to_string(), target[colon + 1..].to_string())
        };
        let mut uri: String = uri_start.split_whitespace().collect();
        for l in block {
            uri.extend(l.text.split_whitespace());
        }
        if uri.ends_with('_') && !uri.ends_with("\\_") {
            // An indirect target (`.. _a: b_`) resolves through another name: not judged.
            self.uncertain = true;
        }
        let uri = (!uri.is_empty()).then_some(uri);
        let key = normalize(&name);
        if let Some((_, old_uri)) = self.targets.iter().find(|(k, _)| *k == key) {
            let identical = old_uri.is_some() && *old_uri == uri;
            if !identical {
                self.report(
                    Some(first.no),
                    Level::Warning,
                    format!("Duplicate explicit target name: \"{key}\"."),
                );
                return;
            }
        }
        self.targets.push((key, uri));
    }

    /// A name given to two targets (two `` `text <uri>`_ `` with one text, or one of them and a
    /// `.. _text:` target) is resolved by docutils' rules for duplicates: not judged.
    fn duplicate_inline_targets(&mut self) {
        let mut seen: Vec<&str> = self.targets.iter().map(|(k, _)| k.as_str()).collect();
        for name in &self.inline_targets {
            if seen.contains(&name.as_str()) {
                self.uncertain = true;
                return;
            }
            seen.push(name);
        }
    }

    /// Reference / substitution / anonymous checks docutils runs after parsing.
    fn transforms(&mut self) {
        // A reference that only the loose scan (of text the parser did not read as a
        // definition) resolves may still be undefined for docutils: not judged.
        if self
            .subst_refs
            .iter()
            .any(|(name, _)| !self.substitutions.contains(&normalize(name)))
        {
            self.uncertain = true;
        }
        // Footnote and citation references resolve through labels this checker does not parse
        // exactly.
        if !self.footnote_refs.is_empty() || !self.auto_refs.is_empty() {
            self.uncertain = true;
        }
        if self.refs.iter().any(|(name, _)| {
            !(self.targets.iter().any(|(k, _)| k == name)
                || self.inline_targets.contains(name)
                || self.titles_named.contains(name))
        }) {
            self.uncertain = true;
        }
        if let Some((name, line)) = self
            .subst_refs
            .iter()
            .find(|(name, _)| !self.loose.substitutions.contains(&loose_key(name)))
            .cloned()
        {
            self.report(
                Some(line),
                Level::Error,
                format!("Undefined substitution referenced: \"{name}\"."),
            );
            return;
        }
        if !self.ambiguous && self.anon_refs != self.anon_targets {
            self.report(
                None,
                Level::Error,
                format!(
                    "Anonymous hyperlink mismatch: {} references but {} targets.\nSee \"backrefs\" attribute for IDs.",
                    self.anon_refs, self.anon_targets
                ),
            );
            return;
        }
        // Footnotes (priority 620): more `[#]_` references than `.. [#]` footnotes.
        let loose_auto = self
            .loose
            .labels
            .iter()
            .filter(|l| l.as_str() == "#")
            .count();
        if self.auto_refs.len() > self.auto_footnotes && self.auto_footnotes == loose_auto {
            let n = self.auto_footnotes;
            let line = self.auto_refs.get(n).copied();
            self.report(
                line,
                Level::Error,
                format!(
                    "Too many autonumbered footnote references: only {n} corresponding footnote{} available.",
                    if n > 1 { "s" } else { "" }
                ),
            );
            return;
        }
        // Transitions (priority 830), at the top level of a fully judged document.
        if !self.stopped {
            let events = self.events.clone();
            for (k, event) in events.iter().enumerate() {
                let Event::Transition(line) = *event else {
                    continue;
                };
                let previous = k.checked_sub(1).and_then(|p| events.get(p)).copied();
                let last = k + 1 == events.len();
                let message = match previous {
                    None => "Transition at the start of the document.",
                    Some(Event::Title) if last => {
                        // docutils may or may not object here: not judged.
                        self.uncertain = true;
                        continue;
                    }
                    Some(Event::Title) => "Transition at the start of the section.",
                    _ if last => "Transition at the end of the document.",
                    Some(Event::Transition(_)) => {
                        "At least one body element should separate transitions."
                    }
                    Some(Event::Other) => continue,
                };
                self.report(Some(line), Level::Warning, message);
                return;
            }
        }
        let defined = |name: &str, this: &Checker| {
            let key = loose_key(name);
            this.targets.iter().any(|(k, _)| loose_key(k) == key)
                || this.inline_targets.iter().any(|k| loose_key(k) == key)
                || this.loose.targets.contains(&key)
                || this.loose.labels.contains(&key)
        };
        // Auto-numbered or auto-symbol footnotes may answer numbered references: not judged.
        let auto_footnotes = self
            .loose
            .labels
            .iter()
            .any(|l| l.starts_with('#') || l == "*");
        let footnote_refs: &[(String, u32)] = if auto_footnotes {
            &[]
        } else {
            &self.footnote_refs
        };
        let unknown = self
            .refs
            .iter()
            .chain(footnote_refs.iter())
            .filter(|(name, _)| !defined(name, self))
            .min_by_key(|(_, line)| *line)
            .cloned();
        if let Some((name, line)) = unknown {
            self.report(
                Some(line),
                Level::Error,
                format!("Unknown target name: \"{name}\"."),
            );
        }
    }
}

/// `name:: args` at the start of explicit markup (docutils' directive pattern).
fn directive_head(s: &str) -> Option<(&str, &str)> {
    let colons = s.find("::")?;
    let name = s[..colons].trim_end();
    let after = &s[colons + 2..];
    if !(after.is_empty() || after.starts_with(' ')) || !is_simplename(name) {
        return None;
    }
    Some((name, after))
}

/// docutils' `simplename`: word characters with isolated internal `-._+:`.
fn is_simplename(s: &str) -> bool {
    let mut prev_sep = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            prev_sep = false;
        } else if matches!(c, '-' | '.' | '_' | '+' | ':') {
            if prev_sep {
                return false;
            }
            prev_sep = true;
        } else {
            return false;
        }
    }
    !s.is_empty() && !prev_sep
}

// ---- inline markup -------------------------------------------------------------------------

const NUL: char = '\0';

/// Python's `\s` (str.isspace): Unicode whitespace plus the separators U+001C..U+001F.
fn is_ws(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn in_ranges(table: &[(char, char)], c: char) -> bool {
    table
        .binary_search_by(|(lo, hi)| {
            if *hi < c {
                std::cmp::Ordering::Less
            } else if *lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Start-string prefix: whitespace, docutils' openers or delimiters.
fn prefix_ok(c: char) -> Option<bool> {
    Some(is_ws(c) || in_ranges(punctuation::PREFIX, c))
}

/// End-string suffix: end of text, whitespace, NUL, closing delimiters, delimiters, closers.
fn suffix_ok(c: Option<char>) -> Option<bool> {
    let Some(c) = c else { return Some(true) };
    Some(is_ws(c) || c == NUL || in_ranges(punctuation::SUFFIX, c))
}

/// docutils' `match_chars`: `open` and `close` are a matching pair.
fn match_chars(open: char, close: char) -> Option<bool> {
    let Some(i) = punctuation::OPENERS.chars().position(|o| o == open) else {
        return Some(false);
    };
    Some(
        punctuation::CLOSERS.chars().nth(i) == Some(close)
            || punctuation::QUOTE_PAIRS
                .iter()
                .any(|(o, closers)| *o == open && closers.contains(close)),
    )
}

/// Replace each backslash escape by NUL + the escaped character (docutils' `escape2null`).
fn escape2null(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(NUL);
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Longest-first end positions of a simplename starting at `p`.
fn simplename_ends(s: &[char], p: usize) -> Vec<usize> {
    let word = |c: char| c.is_alphanumeric();
    let mut ends = Vec::new();
    let mut k = p;
    while s.get(k).is_some_and(|c| word(*c)) {
        k += 1;
    }
    if k == p {
        return ends;
    }
    ends.push(k);
    while let Some(&sep) = s.get(k) {
        if !matches!(sep, '-' | '.' | '_' | '+' | ':') {
            break;
        }
        let mut m = k + 1;
        while s.get(m).is_some_and(|c| word(*c)) {
            m += 1;
        }
        if m == k + 1 {
            break;
        }
        k = m;
        ends.push(k);
    }
    ends.reverse();
    ends
}

enum Start {
    Strong,
    Emphasis,
    Literal,
    Target,
    Substitution,
    /// `name_` or `name__` ending at the given index.
    Reference {
        name: String,
        anonymous: bool,
        end: usize,
    },
    /// `[label]_` ending at the given index.
    Footnote {
        label: String,
        end: usize,
    },
    /// Optional role, then a backquote at the given index.
    Backquote {
        role: Option<String>,
        tick: usize,
    },
}

impl Checker {
    /// Check one text block's inline markup, as docutils' `Inliner.parse`.
    fn inline(&mut self, text: &str, lineno: u32) {
        if self.done() {
            return;
        }
        let s = escape2null(text);
        if self.inline_chars(&s, lineno).is_none() {
            // Needs Unicode character classes to judge: stay silent.
            self.ambiguous = true;
        }
    }

    fn inline_chars(&mut self, s: &[char], lineno: u32) -> Option<()> {
        let mut rem = 0; // start of docutils' `remaining`
        while rem < s.len() && !self.done() {
            let Some((p, start)) = self.find_start(s, rem)? else {
                break;
            };
            rem = self.dispatch(s, p, start, lineno)?;
        }
        Some(())
    }

    /// The first position >= rem where the initial pattern matches.
    fn find_start(&self, s: &[char], rem: usize) -> Option<Option<(usize, Start)>> {
        for p in rem..s.len() {
            if p > rem && !prefix_ok(s[p - 1])? {
                continue;
            }
            if let Some(start) = self.start_at(s, p)? {
                return Some(Some((p, start)));
            }
        }
        Some(None)
    }

    fn start_at(&self, s: &[char], p: usize) -> Option<Option<Start>> {
        let at = |k: usize| s.get(k).copied();
        let ws_after = |k: usize| at(k).is_some_and(is_ws);
        // Simple start-strings.
        let simple = match (at(p), at(p + 1)) {
            (Some('*'), Some('*')) => Some((Start::Strong, 2)),
            (Some('*'), _) => Some((Start::Emphasis, 1)),
            (Some('`'), Some('`')) => Some((Start::Literal, 2)),
            (Some('_'), Some('`')) => Some((Start::Target, 2)),
            (Some('|'), n) if n != Some('|') => Some((Start::Substitution, 1)),
            _ => None,
        };
        if let Some((start, len)) = simple
            && !ws_after(p + len)
        {
            return Some(Some(start));
        }
        // Whole constructs: reference names, then footnote references.
        for end in simplename_ends(s, p) {
            if at(end) != Some('_') {
                continue;
            }
            if at(end + 1) == Some('_') && suffix_ok(at(end + 2))? {
                let name: String = s[p..end].iter().collect();
                return Some(Some(Start::Reference {
                    name,
                    anonymous: true,
                    end: end + 2,
                }));
            }
            if suffix_ok(at(end + 1))? {
                let name: String = s[p..end].iter().collect();
                return Some(Some(Start::Reference {
                    name,
                    anonymous: false,
                    end: end + 1,
                }));
            }
        }
        if at(p) == Some('[')
            && let Some(close) = (p + 1..s.len())
                .take_while(|k| !is_ws(s[*k]))
                .find(|k| s[*k] == ']')
            && at(close + 1) == Some('_')
            && suffix_ok(at(close + 2))?
        {
            let label: String = s[p + 1..close].iter().collect();
            let valid = label.chars().all(|c| c.is_ascii_digit()) && !label.is_empty()
                || label == "*"
                || label
                    .strip_prefix('#')
                    .is_some_and(|l| l.is_empty() || is_simplename(l))
                || is_simplename(&label);
            if valid {
                return Some(Some(Start::Footnote {
                    label,
                    end: close + 2,
                }));
            }
        }
        // Interpreted text or phrase reference, with an optional role prefix.
        if at(p) == Some(':') {
            let ends = simplename_ends(s, p + 1);
            for end in ends {
                if at(end) == Some(':')
                    && at(end + 1) == Some('`')
                    && at(end + 2) != Some('`')
                    && !ws_after(end + 2)
                {
                    let role: String = s[p + 1..end].iter().collect();
                    return Some(Some(Start::Backquote {
                        role: Some(role),
                        tick: end + 1,
                    }));
                }
            }
        }
        if at(p) == Some('`') && at(p + 1) != Some('`') && !ws_after(p + 1) {
            return Some(Some(Start::Backquote {
                role: None,
                tick: p,
            }));
        }
        Some(None)
    }

    /// Handle a match; returns the new start of `remaining`.
    fn dispatch(&mut self, s: &[char], p: usize, start: Start, lineno: u32) -> Option<usize> {
        match start {
            Start::Reference {
                name,
                anonymous,
                end,
            } => {
                if !name.is_ascii() {
                    // Python's `\w` and Rust's alphanumerics differ on some marks: not judged.
                    self.ambiguous = true;
                } else if anonymous {
                    self.anon_refs += 1;
                } else {
                    self.refs.push((normalize(&name), lineno));
                }
                Some(end)
            }
            Start::Footnote { label, end } => {
                if label == "#" {
                    self.auto_refs.push(lineno);
                } else if label.is_ascii()
                    && (label.chars().all(|c| c.is_ascii_digit()) || is_simplename(&label))
                {
                    self.footnote_refs.push((normalize(&label), lineno));
                }
                Some(end)
            }
            Start::Backquote { role, tick } => self.interpreted(s, p, role, tick, lineno),
            simple => {
                let (len, kind, end_str): (usize, &str, &str) = match simple {
                    Start::Strong => (2, "strong", "**"),
                    Start::Emphasis => (1, "emphasis", "*"),
                    Start::Literal => (2, "literal", "``"),
                    Start::Target => (2, "target", "`"),
                    _ => (1, "substitution_reference", "|"),
                };
                let matchend = p + len;
                if self.quoted(s, p, matchend)? {
                    return Some(matchend);
                }
                let end = find_end(s, matchend, end_str, kind == "literal")?;
                match end {
                    Some((j, after)) if j > matchend => {
                        let inner: String = s[matchend..j].iter().collect();
                        match kind {
                            "substitution_reference" => {
                                self.subst_refs.push((inner.replace(NUL, ""), lineno));
                            }
                            "target" => {
                                self.inline_targets.push(normalize(&inner.replace(NUL, "")))
                            }
                            _ => {}
                        }
                        Some(after)
                    }
                    _ => {
                        self.report(
                            Some(lineno),
                            Level::Warning,
                            format!("Inline {kind} start-string without end-string."),
                        );
                        Some(matchend)
                    }
                }
            }
        }
    }

    /// docutils' `quoted_start`.
    fn quoted(&self, s: &[char], start: usize, matchend: usize) -> Option<bool> {
        if start == 0 {
            return Some(false);
        }
        let Some(&post) = s.get(matchend) else {
            return Some(true);
        };
        match_chars(s[start - 1], post)
    }

    fn interpreted(
        &mut self,
        s: &[char],
        p: usize,
        role: Option<String>,
        tick: usize,
        lineno: u32,
    ) -> Option<usize> {
        let matchend = tick + 1;
        if role.is_none() && self.quoted(s, p, matchend)? {
            return Some(matchend);
        }
        // End: a backquote not after unescaped whitespace, optional `:role:`, optional `_`/`__`.
        let mut found = None;
        for j in matchend..s.len() {
            if s[j] != '`' {
                continue;
            }
            if j > matchend {
                let prev = s[j - 1];
                let escaped = j >= matchend + 2 && s[j - 2] == NUL;
                if (is_ws(prev) || prev == NUL) && !escaped {
                    continue;
                }
            }
            if let Some(m) = end_suffix_variants(s, j + 1)? {
                found = Some((j, m));
                break;
            }
        }
        let Some((j, (end_role, refend, after))) = found.filter(|(j, _)| *j > matchend) else {
            self.report(
                Some(lineno),
                Level::Warning,
                "Inline interpreted text or phrase reference start-string without end-string.",
            );
            return Some(matchend);
        };
        if end_role.is_some() && role.is_some() {
            self.report(
                Some(lineno),
                Level::Warning,
                "Multiple roles in interpreted text (both prefix and suffix present; only one allowed).",
            );
            return Some(after);
        }
        let text: String = s[matchend..j].iter().collect();
        if refend > 0 {
            if role.is_some() || end_role.is_some() {
                let position = if role.is_some() { "prefix" } else { "suffix" };
                self.report(
                    Some(lineno),
                    Level::Warning,
                    format!(
                        "Mismatch: both interpreted text role {position} and reference suffix."
                    ),
                );
                return Some(after);
            }
            self.phrase_ref(&text, refend == 2, lineno);
            return Some(after);
        }
        if let Some(role) = role.or(end_role) {
            let lower = role.to_lowercase();
            if !EXACT_ROLES.contains(&lower.as_str()) {
                // Roles with rules of their own (`:pep:` numbers, `:math:`, unimplemented
                // roles, custom roles): their text is not judged.
                self.uncertain = true;
            }
            if role.is_ascii()
                && !KNOWN_ROLES.contains(&lower.as_str())
                && !self.loose.roles.contains(&lower)
            {
                self.report(
                    Some(lineno),
                    Level::Error,
                    format!("Unknown interpreted text role \"{role}\"."),
                );
            }
        }
        Some(after)
    }

    fn phrase_ref(&mut self, text: &str, anonymous: bool, lineno: u32) {
        // Embedded `<uri>` or `<alias_>` at the end.
        let embedded = text.strip_suffix('>').and_then(|t| {
            let lt = t.rfind('<')?;
            let before = &t[..lt];
            (lt == 0 || before.ends_with([' ', '\n'])).then(|| (before.trim_end(), &t[lt + 1..]))
        });
        match embedded {
            Some((label, alias)) => {
                if !anonymous && !label.is_empty() {
                    self.inline_targets.push(normalize(&label.replace(NUL, "")));
                }
                if let Some(name) = alias.strip_suffix('_')
                    && !name.ends_with(NUL)
                    && !name.contains(':')
                {
                    self.refs.push((normalize(&name.replace(NUL, "")), lineno));
                }
            }
            None => {
                if anonymous {
                    self.anon_refs += 1;
                } else {
                    self.refs.push((normalize(&text.replace(NUL, "")), lineno));
                }
            }
        }
    }
}

/// After an interpreted-text backquote at `k - 1`: try `:role:` then `__`/`_`, greedily with
/// backtracking, each followed by the end-string suffix. Returns (role, refend length, end).
#[allow(clippy::type_complexity)]
fn end_suffix_variants(s: &[char], k: usize) -> Option<Option<(Option<String>, usize, usize)>> {
    let at = |i: usize| s.get(i).copied();
    let mut role_options: Vec<(Option<String>, usize)> = Vec::new();
    if at(k) == Some(':') {
        for end in simplename_ends(s, k + 1) {
            if at(end) == Some(':') {
                role_options.push((Some(s[k + 1..end].iter().collect()), end + 1));
            }
        }
    }
    role_options.push((None, k));
    for (role, after_role) in role_options {
        let mut refends = Vec::new();
        if at(after_role) == Some('_') {
            if at(after_role + 1) == Some('_') {
                refends.push(2);
            }
            refends.push(1);
        }
        refends.push(0);
        for r in refends {
            if suffix_ok(at(after_role + r))? {
                return Some(Some((role, r, after_role + r)));
            }
        }
    }
    Some(None)
}

/// The first end-string at or after `from`, not preceded by whitespace (or NUL unless
/// `literal`), followed by the suffix. Substitution ends may carry `_`/`__`.
fn find_end(s: &[char], from: usize, end: &str, literal: bool) -> Option<Option<(usize, usize)>> {
    let e: Vec<char> = end.chars().collect();
    for j in from..s.len() {
        if s.get(j..j + e.len()) != Some(&e[..]) {
            continue;
        }
        if j > from {
            let prev = s[j - 1];
            if is_ws(prev) || (!literal && prev == NUL) {
                continue;
            }
        }
        let mut lens = Vec::new();
        if end == "|" {
            for extra in [2, 1] {
                if s.get(j + 1..j + 1 + extra)
                    .is_some_and(|t| t.iter().all(|c| *c == '_'))
                {
                    lens.push(1 + extra);
                }
            }
        }
        lens.push(e.len());
        for len in lens {
            if suffix_ok(s.get(j + len).copied())? {
                return Some(Some((j, j + len)));
            }
        }
    }
    Some(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<(Option<u32>, String)> {
        check(text).into_iter().next().map(|p| (p.line, p.message))
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut doc = String::from("a\n\n");
        for depth in 1..300 {
            doc.push_str(&" ".repeat(depth));
            doc.push_str("x\n\n");
        }
        assert_eq!(check(&doc), vec![]);
        let stars = "*a ".repeat(20000);
        assert_eq!(check(&stars).len(), 1);
    }

    #[test]
    fn clean_documents_pass() {
        for ok in [
            "Title\n=====\n\nSome *emphasis*, **strong**, ``literal`` and `link <https://x.org>`_.\n",
            "- a\n- b\n\n1. one\n2. two\n",
            "term\n  definition\n\nx::\n\n  code\n",
            ".. note:: careful\n\n.. code-block:: python\n\n   x = 1\n",
            "A (*) and '*' and \"*\".\n",
            "snake_case_word and __init__ here.\n",
            "Email: a_b@example.org\n",
        ] {
            assert_eq!(check(ok), vec![], "{ok:?}");
        }
    }

    #[test]
    fn inline_problems() {
        assert_eq!(
            first("*x"),
            Some((
                Some(1),
                "Inline emphasis start-string without end-string.".into()
            ))
        );
        assert_eq!(
            first("a\n\n**x"),
            Some((
                Some(3),
                "Inline strong start-string without end-string.".into()
            ))
        );
        assert_eq!(
            first("``x"),
            Some((
                Some(1),
                "Inline literal start-string without end-string.".into()
            ))
        );
        assert_eq!(
            first("`x"),
            Some((
                Some(1),
                "Inline interpreted text or phrase reference start-string without end-string."
                    .into()
            ))
        );
        assert_eq!(
            first("|x"),
            Some((
                Some(1),
                "Inline substitution_reference start-string without end-string.".into()
            ))
        );
        assert_eq!(
            first(":foo:`x`"),
            Some((Some(1), "Unknown interpreted text role \"foo\".".into()))
        );
        assert_eq!(
            first("para\n\nline one\nline two *x\n"),
            Some((
                Some(3),
                "Inline emphasis start-string without end-string.".into()
            ))
        );
    }

    #[test]
    fn block_problems() {
        assert_eq!(
            first("Title\n====\n\ntext\n"),
            Some((Some(2), "Title underline too short.".into()))
        );
        assert_eq!(first("Title\n===\n"), None);
        assert_eq!(
            first("a\n\n.. foo:: bar\n"),
            Some((Some(3), "Unknown directive type \"foo\".".into()))
        );
        assert_eq!(
            first("a\n\nb\nc\n  d\n"),
            Some((Some(5), "Unexpected indentation.".into()))
        );
        assert_eq!(
            first("  x\ny\n"),
            Some((
                Some(2),
                "Block quote ends without a blank line; unexpected unindent.".into()
            ))
        );
        assert_eq!(
            first(".. note:: hi\nx\n"),
            Some((
                Some(2),
                "Explicit markup ends without a blank line; unexpected unindent.".into()
            ))
        );
        assert_eq!(
            first(".. _a: http://x\n.. _a: http://y\n\ntext\n"),
            Some((Some(2), "Duplicate explicit target name: \"a\".".into()))
        );
        assert_eq!(
            first("a_\n"),
            Some((Some(1), "Unknown target name: \"a\".".into()))
        );
        assert_eq!(
            first("- a\n- b\nc\n"),
            Some((
                Some(3),
                "Bullet list ends without a blank line; unexpected unindent.".into()
            ))
        );
        assert_eq!(
            first(".. comment\n"),
            Some((None, "No content rendered from RST source.".into()))
        );
    }
}

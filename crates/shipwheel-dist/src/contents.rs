//! Wheel layout rules in the manner of check-wheel-contents (ids W001-W010 are its check ids,
//! so users can map findings one to one). PyPI accepts every one of these wheels, so all of them
//! are warnings: they point at packaging mistakes (stray `tests/`, bytecode, a missing package).
//!
//! Like check-wheel-contents, the file tree is built from RECORD, not from the zip directory.

use std::collections::BTreeMap;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::archive::{Member, RecordEntry};
use crate::finding::{Finding, Rule, Severity};

pub const W000: Rule = Rule {
    id: "W000",
    name: "wheel-layout-invalid",
    severity: Severity::Warning,
    summary: "The wheel's .dist-info/.data layout or RECORD cannot be read as a file tree \
              (check-wheel-contents reports `invalid wheel`)",
    hint: "Rebuild the wheel with a standard build backend (e.g. `python -m build`)",
};
pub const W001: Rule = Rule {
    id: "W001",
    name: "bytecode-files",
    severity: Severity::Warning,
    summary: "Wheel contains .pyc/.pyo files",
    hint: "Exclude *.pyc/*.pyo and __pycache__ from the build; installers compile bytecode",
};
pub const W002: Rule = Rule {
    id: "W002",
    name: "duplicate-files",
    severity: Severity::Warning,
    summary: "Wheel contains duplicate files (same RECORD size and hash)",
    hint: "Check the build configuration for files included twice under different paths",
};
pub const W003: Rule = Rule {
    id: "W003",
    name: "non-module-at-toplevel",
    severity: Severity::Warning,
    summary: "Wheel contains non-module at library toplevel",
    hint: "Move data files (README, LICENSE, py.typed, *.pyi) inside the package directory",
};
pub const W004: Rule = Rule {
    id: "W004",
    name: "module-not-importable",
    severity: Severity::Warning,
    summary: "Module is not located at importable path",
    hint: "Rename the directory or file to a valid Python identifier that is not a keyword",
};
pub const W005: Rule = Rule {
    id: "W005",
    name: "common-toplevel-name",
    severity: Severity::Warning,
    summary: "Wheel contains common toplevel name in library (tests, docs, src, ...)",
    hint: "Exclude the directory from the wheel (e.g. packages = find_packages(exclude=[\"tests*\"]))",
};
pub const W006: Rule = Rule {
    id: "W006",
    name: "init-at-toplevel",
    severity: Severity::Warning,
    summary: "__init__.py at top level of library",
    hint: "Put __init__.py inside the package directory, not at the root of the wheel",
};
pub const W007: Rule = Rule {
    id: "W007",
    name: "library-empty",
    severity: Severity::Warning,
    summary: "Wheel library is empty",
    hint: "Check that the build backend finds your packages (src layout, package list)",
};
pub const W008: Rule = Rule {
    id: "W008",
    name: "wheel-empty",
    severity: Severity::Warning,
    summary: "Wheel is empty (nothing outside .dist-info)",
    hint: "Check that the build backend finds your packages (src layout, package list)",
};
pub const W009: Rule = Rule {
    id: "W009",
    name: "multiple-toplevel-entries",
    severity: Severity::Warning,
    summary: "Wheel contains multiple toplevel library entries",
    hint: "Ship one top-level package, or ignore W009 if several are intended",
};
pub const W010: Rule = Rule {
    id: "W010",
    name: "toplevel-dir-without-modules",
    severity: Severity::Warning,
    summary: "Toplevel library directory contains no Python modules",
    hint: "Move the data directory inside a package, or check that its modules were included",
};

/// The rules this module owns.
pub const RULES: &[Rule] = &[
    W000, W001, W002, W003, W004, W005, W006, W007, W008, W009, W010,
];

/// Top-level names check-wheel-contents' W005 fails on.
const COMMON_NAMES: &[&str] = &[
    ".eggs", ".nox", ".tox", ".venv", "app", "build", "cli", "data", "dist", "doc", "docs",
    "example", "examples", "lib", "scripts", "src", "test", "tests", "venv",
];

/// Python 3 keywords (`keyword.kwlist`; soft keywords are valid identifiers).
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Most paths listed in one finding's message; the rest are counted.
const MAX_LISTED: usize = 10;

/// check-wheel-contents' checks (W001-W010) over a wheel's members and RECORD, as warnings.
/// `file` is the wheel's filename (its name and version locate `.dist-info` and `.data`).
pub fn check_wheel_contents(
    file: &str,
    members: &[Member],
    record: Option<&[RecordEntry]>,
) -> Vec<Finding> {
    match WheelTree::read(file, members, record) {
        Ok(tree) => tree.check(file),
        Err(message) => vec![W000.finding(file, format!("invalid wheel: {message}"))],
    }
}

#[derive(Debug)]
enum Node {
    File { path: String },
    Dir(Dir),
}

#[derive(Debug, Default)]
struct Dir {
    /// `a/b/` (with the trailing slash), or empty for a root.
    path: String,
    entries: BTreeMap<String, Node>,
}

impl Dir {
    /// Every file below this directory, depth first.
    fn files(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(d) = stack.pop() {
            for e in d.entries.values() {
                match e {
                    Node::Dir(sub) => stack.push(sub),
                    f @ Node::File { .. } => out.push(f),
                }
            }
        }
        out
    }

    fn get_dir(&self, name: &str) -> Option<&Dir> {
        match self.entries.get(name) {
            Some(Node::Dir(d)) => Some(d),
            _ => None,
        }
    }

    /// Insert a file (`is_dir == false`) or an empty directory, creating parents as needed.
    fn insert(&mut self, entry_path: &str, node: Node) -> Result<(), String> {
        let trimmed = entry_path.trim_end_matches('/');
        let parts: Vec<&str> = trimmed.split('/').collect();
        let Some((basename, dirs)) = parts.split_last() else {
            return Err("Empty path in RECORD".into());
        };
        let mut current = self;
        for (i, p) in dirs.iter().enumerate() {
            let this_path = dirs[..=i].join("/");
            let next = current.entries.entry((*p).to_string()).or_insert_with(|| {
                Node::Dir(Dir {
                    path: format!("{this_path}/"),
                    entries: BTreeMap::new(),
                })
            });
            match next {
                Node::Dir(d) => current = d,
                Node::File { .. } => {
                    return Err(format!(
                        "Conflicting occurrences of path {}",
                        py_repr(&this_path)
                    ));
                }
            }
        }
        match current.entries.get(*basename) {
            Some(Node::Dir(_)) if matches!(node, Node::Dir(_)) => Ok(()),
            Some(_) => Err(format!(
                "Conflicting occurrences of path {}",
                py_repr(entry_path)
            )),
            None => {
                current.entries.insert((*basename).to_string(), node);
                Ok(())
            }
        }
    }
}

/// A RECORD signature (size, hash) and the files that share it, in RECORD order.
type SignatureGroup = ((Option<u64>, Option<String>), Vec<String>);

struct WheelTree {
    dist_info_dir: String,
    data_dir: String,
    root: Dir,
    /// (size, hash) -> files with that RECORD signature, in RECORD order.
    by_signature: Vec<SignatureGroup>,
}

impl WheelTree {
    fn read(
        file: &str,
        members: &[Member],
        record: Option<&[RecordEntry]>,
    ) -> Result<Self, String> {
        let (project, version) = filename_project_version(file)
            .ok_or_else(|| "wheel has invalid filename".to_string())?;
        let (dist_info_dir, data_dir) = find_wheel_dirs(members, project, version)?;
        let data_dir = data_dir.unwrap_or_else(|| format!("{project}-{version}.data"));
        if !members
            .iter()
            .any(|m| m.name == format!("{dist_info_dir}/WHEEL"))
        {
            return Err("No WHEEL file in wheel".into());
        }
        let record = match record {
            Some(r)
                if members
                    .iter()
                    .any(|m| m.name == format!("{dist_info_dir}/RECORD")) =>
            {
                r
            }
            _ => return Err("No RECORD file in wheel".into()),
        };
        let mut root = Dir::default();
        let mut sig_index: BTreeMap<(Option<u64>, Option<String>), usize> = BTreeMap::new();
        let mut by_signature: Vec<SignatureGroup> = Vec::new();
        for row in record {
            validate_path(&row.path)?;
            if row.path.ends_with('/') {
                root.insert(
                    &row.path,
                    Node::Dir(Dir {
                        path: row.path.clone(),
                        entries: BTreeMap::new(),
                    }),
                )?;
                continue;
            }
            let hash = row.hash.clone().filter(|h| !h.is_empty());
            root.insert(
                &row.path,
                Node::File {
                    path: row.path.clone(),
                },
            )?;
            let sig = (row.size, hash);
            match sig_index.get(&sig) {
                Some(&i) => {
                    if let Some((_, paths)) = by_signature.get_mut(i) {
                        paths.push(row.path.clone());
                    }
                }
                None => {
                    sig_index.insert(sig.clone(), by_signature.len());
                    by_signature.push((sig, vec![row.path.clone()]));
                }
            }
        }
        let tree = WheelTree {
            dist_info_dir,
            data_dir,
            root,
            by_signature,
        };
        tree.validate()?;
        Ok(tree)
    }

    /// check-wheel-contents' `validate_tree`, minus the Root-Is-Purelib conflicts (the WHEEL
    /// file's content is the engine's business).
    fn validate(&self) -> Result<(), String> {
        let dirs: Vec<&String> = self
            .root
            .entries
            .iter()
            .filter(|(_, n)| matches!(n, Node::Dir(_)))
            .map(|(k, _)| k)
            .collect();
        let dist_infos: Vec<&&String> = dirs.iter().filter(|n| is_dist_info_dir(n)).collect();
        match dist_infos.as_slice() {
            [] => return Err("No .dist-info directory in RECORD".into()),
            [one] if ***one != self.dist_info_dir => {
                return Err(format!(
                    ".dist-info directory in RECORD ({}) does not match actual directory name ({})",
                    py_repr(one),
                    py_repr(&self.dist_info_dir)
                ));
            }
            [_] => {}
            _ => return Err("Wheel contains multiple .dist-info directories in RECORD".into()),
        }
        let datas: Vec<&&String> = dirs.iter().filter(|n| is_data_dir(n)).collect();
        match datas.as_slice() {
            [] => {}
            [one] if ***one != self.data_dir => {
                return Err(format!(
                    ".data directory in RECORD ({}) does not match actual directory name ({})",
                    py_repr(one),
                    py_repr(&self.data_dir)
                ));
            }
            [_] => {}
            _ => return Err("Wheel contains multiple .data directories in RECORD".into()),
        }
        Ok(())
    }

    /// The library trees: the root (minus .dist-info and .data), then `.data/purelib` and
    /// `.data/platlib`. Which of the two the root stands for does not change any W0xx check.
    fn lib_trees(&self) -> Vec<LibTree<'_>> {
        let mut trees = vec![LibTree {
            entries: self
                .root
                .entries
                .iter()
                .filter(|(k, _)| **k != self.dist_info_dir && **k != self.data_dir)
                .collect(),
        }];
        if let Some(data) = self.root.get_dir(&self.data_dir) {
            for sub in ["purelib", "platlib"] {
                if let Some(d) = data.get_dir(sub) {
                    trees.push(LibTree {
                        entries: d.entries.iter().collect(),
                    });
                }
            }
        }
        trees
    }

    fn check(&self, file: &str) -> Vec<Finding> {
        let trees = self.lib_trees();
        let mut out = Vec::new();
        let mut push = |rule: &'static Rule, paths: Vec<String>| {
            out.push(failed(rule, file, &paths));
        };

        // W001: bytecode anywhere in the wheel.
        let pyc: Vec<String> = self
            .root
            .files()
            .into_iter()
            .filter_map(file_path)
            .filter(|p| matches!(extension(basename(p)), ".pyc" | ".pyo"))
            .map(str::to_string)
            .collect();
        let pyc = sorted(pyc);
        if !pyc.is_empty() {
            push(&W001, pyc);
        }

        // W002: one finding per group of files with the same RECORD signature.
        let allowed = allowed_duplicates();
        for ((size, hash), paths) in &self.by_signature {
            if paths.len() > 1
                && !(size.is_none() && hash.is_none())
                && !allowed
                    .iter()
                    .any(|(s, h)| Some(*s) == *size && hash.as_deref() == Some(h.as_str()))
            {
                push(&W002, paths.clone());
            }
        }

        // W003: non-module files at a library root (*.pth allowed).
        let mut w003 = Vec::new();
        for t in &trees {
            for (name, node) in &t.entries {
                if let Node::File { path, .. } = node
                    && !is_pth(name)
                    && module_basename(name).is_none()
                {
                    w003.push(path.clone());
                }
            }
        }
        if !w003.is_empty() {
            push(&W003, w003);
        }

        // W004: modules whose library path is not importable.
        let mut w004 = Vec::new();
        for t in &trees {
            for f in t.files() {
                if let Node::File { path, .. } = f
                    && module_basename(basename(path)).is_some()
                    && !is_valid_module_path(path)
                {
                    w004.push(path.clone());
                }
            }
        }
        if !w004.is_empty() {
            push(&W004, sorted(w004));
        }

        // W005: common top-level names.
        let mut w005 = Vec::new();
        for t in &trees {
            for (name, node) in &t.entries {
                if COMMON_NAMES.contains(&name.as_str()) {
                    w005.push(node_path(node));
                }
            }
        }
        if !w005.is_empty() {
            push(&W005, w005);
        }

        // W006: __init__.py at a library root.
        let w006: Vec<String> = trees
            .iter()
            .flat_map(|t| t.entries.iter())
            .filter(|(name, node)| {
                name.as_str() == "__init__.py" && matches!(node, Node::File { .. })
            })
            .map(|(_, node)| node_path(node))
            .collect();
        if !w006.is_empty() {
            push(&W006, w006);
        }

        // W007: no library at all.
        if trees.iter().all(|t| t.entries.is_empty()) {
            push(&W007, Vec::new());
        }

        // W008: nothing outside .dist-info.
        if self.root.entries.keys().all(|k| *k == self.dist_info_dir) {
            push(&W008, Vec::new());
        }

        // W009: more than one top-level entry (ignoring `_private` names and *.pth files).
        let w009: Vec<String> = trees
            .iter()
            .flat_map(|t| t.entries.iter())
            .filter(|(name, node)| {
                !(name.starts_with('_') || (matches!(node, Node::File { .. }) && is_pth(name)))
            })
            .map(|(_, node)| node_path(node))
            .collect();
        if w009.len() > 1 {
            push(&W009, w009);
        }

        // W010: a top-level directory without any module (`*-stubs` exempt).
        let mut w010 = Vec::new();
        for t in &trees {
            for (name, node) in &t.entries {
                if let Node::Dir(d) = node
                    && !is_stubs_dir(name)
                    && !d
                        .files()
                        .into_iter()
                        .filter_map(file_path)
                        .any(|p| module_basename(basename(p)).is_some())
                {
                    w010.push(d.path.clone());
                }
            }
        }
        if !w010.is_empty() {
            push(&W010, w010);
        }
        out
    }
}

struct LibTree<'a> {
    entries: Vec<(&'a String, &'a Node)>,
}

impl LibTree<'_> {
    fn files(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        for (_, node) in &self.entries {
            match node {
                Node::Dir(d) => out.extend(d.files()),
                f @ Node::File { .. } => out.push(*f),
            }
        }
        out
    }
}

fn failed(rule: &'static Rule, file: &str, paths: &[String]) -> Finding {
    let mut message = rule.summary.to_string();
    // The W002/W005 summaries carry an explanation after the check-wheel-contents text.
    if let Some(cut) = message.find(" (") {
        message.truncate(cut);
    }
    if !paths.is_empty() {
        message.push_str(": ");
        let listed: Vec<&str> = paths.iter().take(MAX_LISTED).map(String::as_str).collect();
        message.push_str(&listed.join(", "));
        if paths.len() > MAX_LISTED {
            message.push_str(&format!(" and {} more", paths.len() - MAX_LISTED));
        }
    }
    let finding = rule.finding(file, message);
    match paths.first() {
        Some(p) => finding.at(p.clone()),
        None => finding,
    }
}

fn file_path(node: &Node) -> Option<&str> {
    match node {
        Node::File { path, .. } => Some(path),
        Node::Dir(_) => None,
    }
}

fn node_path(node: &Node) -> String {
    match node {
        Node::File { path, .. } => path.clone(),
        Node::Dir(d) => d.path.clone(),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `os.path.splitext(name)[1]`: the last dot's suffix, ignoring leading dots.
fn extension(name: &str) -> &str {
    let stripped = name.trim_start_matches('.');
    let lead = name.len() - stripped.len();
    match stripped.rfind('.') {
        Some(i) => name.get(lead + i..).unwrap_or(""),
        None => "",
    }
}

/// `.\.pth\Z`: a `*.pth` file with a non-empty stem.
fn is_pth(name: &str) -> bool {
    name.len() > 4 && name.ends_with(".pth")
}

/// The module name of a file with a Python module extension (`.py`, `.pyd`, `.so`, or a tagged
/// extension like `.cpython-311-x86_64-linux-gnu.so`), else `None`. Same matching as
/// check-wheel-contents' `MODULE_EXT_RGX` (leftmost dot that starts a valid suffix, not at 0).
fn module_basename(name: &str) -> Option<&str> {
    for (i, _) in name.match_indices('.') {
        if i == 0 {
            continue;
        }
        let rest = name.get(i + 1..)?;
        if matches!(rest, "py" | "pyd" | "so") {
            return name.get(..i);
        }
        if let Some((tag, ext)) = rest.split_once('.')
            && matches!(ext, "pyd" | "so")
            && !tag.is_empty()
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return name.get(..i);
        }
    }
    None
}

/// `str.isidentifier()` and not a keyword. Non-ASCII letters follow Unicode alphabetic, which is
/// close to Python's XID rules.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && !KEYWORDS.contains(&s)
}

fn is_stubs_dir(name: &str) -> bool {
    name.strip_suffix("-stubs").is_some_and(is_identifier)
}

/// A module's path relative to purelib/platlib, checked component by component.
fn is_valid_module_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let lib: &[&str] = match parts.as_slice() {
        [first, ..] if is_dist_info_dir(first) => return false,
        [first, second, rest @ ..] if is_data_dir(first) => {
            if matches!(*second, "purelib" | "platlib") && !rest.is_empty() {
                rest
            } else {
                return false;
            }
        }
        [_, ..] if is_data_dir(parts[0]) => return false,
        all => all,
    };
    let Some((file, pkgs)) = lib.split_last() else {
        return false;
    };
    let Some(base) = module_basename(file) else {
        return false;
    };
    pkgs.iter().all(|p| is_identifier(p)) && is_identifier(base)
}

/// `[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?-[A-Za-z0-9_.!+]+` followed by `suffix`.
fn is_wheel_dir(name: &str, suffix: &str) -> bool {
    let Some(stem) = name.strip_suffix(suffix) else {
        return false;
    };
    // The project part cannot contain '-', so the first '-' splits it from the version.
    let Some((project, version)) = stem.split_once('-') else {
        return false;
    };
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let project_ok = project.starts_with(alnum)
        && project.ends_with(alnum)
        && project.chars().all(|c| alnum(c) || c == '.' || c == '_');
    let version_ok = !version.is_empty()
        && version
            .chars()
            .all(|c| alnum(c) || matches!(c, '_' | '.' | '!' | '+'));
    project_ok && version_ok
}

fn is_dist_info_dir(name: &str) -> bool {
    is_wheel_dir(name, ".dist-info")
}

fn is_data_dir(name: &str) -> bool {
    is_wheel_dir(name, ".data")
}

fn validate_path(path: &str) -> Result<(), String> {
    if path.starts_with('/') {
        return Err(format!("Absolute path in RECORD: {}", py_repr(path)));
    }
    if path.is_empty() {
        return Err("Empty path in RECORD".into());
    }
    if path.contains("//") || path.split('/').any(|p| p == "." || p == "..") {
        return Err(format!("Non-normalized path in RECORD: {}", py_repr(path)));
    }
    Ok(())
}

/// The raw project and version fields of a wheel filename.
fn filename_project_version(file: &str) -> Option<(&str, &str)> {
    let stem = file.strip_suffix(".whl")?;
    let mut parts = stem.split('-');
    let project = parts.next().filter(|p| !p.is_empty())?;
    let version = parts.next().filter(|v| !v.is_empty())?;
    let rest = parts.count();
    (rest == 3 || rest == 4).then_some((project, version))
}

fn same_version(a: &str, b: &str) -> bool {
    let a = a.replace('_', "-");
    let b = b.replace('_', "-");
    match (
        a.parse::<crate::pep::Version>(),
        b.parse::<crate::pep::Version>(),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.eq_ignore_ascii_case(&b),
    }
}

/// The wheel's `.dist-info` and `.data` directories from the zip member list.
fn find_wheel_dirs(
    members: &[Member],
    project: &str,
    version: &str,
) -> Result<(String, Option<String>), String> {
    let canon_project = crate::pep::normalize_name(project);
    let mut dist_infos: Vec<&str> = Vec::new();
    let mut datas: Vec<&str> = Vec::new();
    for m in members {
        let top = m.name.trim_end_matches('/').split('/').next().unwrap_or("");
        if is_dist_info_dir(top) && !dist_infos.contains(&top) {
            dist_infos.push(top);
        }
        if is_data_dir(top) && !datas.contains(&top) {
            datas.push(top);
        }
    }
    let matches = |dir: &str, suffix: &str| {
        let stem = dir.strip_suffix(suffix).unwrap_or(dir);
        let (n, v) = stem.split_once('-').unwrap_or((stem, ""));
        crate::pep::normalize_name(n) == canon_project && same_version(v, version)
    };
    let dist_info = match dist_infos.as_slice() {
        [] => return Err("No .dist-info directory in wheel".into()),
        [one] => {
            if !matches(one, ".dist-info") {
                return Err(format!(
                    "Project & version of wheel's .dist-info directory do not match wheel name: {}",
                    py_repr(one)
                ));
            }
            (*one).to_string()
        }
        _ => return Err("Wheel contains multiple .dist-info directories".into()),
    };
    let data = match datas.as_slice() {
        [] => None,
        [one] => {
            if !matches(one, ".data") {
                return Err(format!(
                    "Project & version of wheel's .data directory do not match wheel name: {}",
                    py_repr(one)
                ));
            }
            Some((*one).to_string())
        }
        _ => return Err("Wheel contains multiple .data directories".into()),
    };
    Ok((dist_info, data))
}

/// RECORD signatures of trivial files that may repeat without a W002 (empty files, blank lines,
/// coding cookies), as check-wheel-contents allows.
fn allowed_duplicates() -> Vec<(u64, String)> {
    [
        &b""[..],
        b"\n",
        b"\r\n",
        b"# -*- coding: utf-8 -*-",
        b"# -*- coding: utf-8 -*-\n",
        b"# -*- coding: utf-8 -*-\n\r",
    ]
    .iter()
    .map(|b| {
        let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(b));
        (b.len() as u64, format!("sha256={digest}"))
    })
    .collect()
}

/// Python's `repr()` of a simple string, as check-wheel-contents prints paths.
fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str) -> Member {
        Member {
            name: name.into(),
            size: 1,
            compressed_size: 1,
            is_dir: name.ends_with('/'),
        }
    }

    fn entry(path: &str, content: &[u8]) -> RecordEntry {
        let digest =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(content));
        RecordEntry {
            path: path.into(),
            hash: Some(format!("sha256={digest}")),
            size: Some(content.len() as u64),
        }
    }

    /// A wheel `pkg-1.0` with the given files (path, content) plus a standard .dist-info.
    fn run(files: &[(&str, &[u8])]) -> Vec<Finding> {
        let di = "pkg-1.0.dist-info";
        let mut record: Vec<RecordEntry> = files.iter().map(|(p, c)| entry(p, c)).collect();
        record.push(entry(&format!("{di}/METADATA"), b"Metadata-Version: 2.4\n"));
        record.push(entry(&format!("{di}/WHEEL"), b"Wheel-Version: 1.0\n"));
        record.push(RecordEntry {
            path: format!("{di}/RECORD"),
            hash: None,
            size: None,
        });
        let members: Vec<Member> = record.iter().map(|r| member(&r.path)).collect();
        check_wheel_contents("pkg-1.0-py3-none-any.whl", &members, Some(&record))
    }

    fn ids(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn clean_wheel_has_no_findings() {
        assert!(run(&[("pkg/__init__.py", b"x = 1\n"), ("pkg/py.typed", b"")]).is_empty());
    }

    #[test]
    fn each_check_fires_on_its_case() {
        assert_eq!(
            ids(&run(&[
                ("pkg/__init__.py", b"a"),
                ("pkg/__pycache__/m.cpython-311.pyc", b"b")
            ])),
            ["W001"]
        );
        let f = run(&[("pkg/__init__.py", b"same"), ("pkg/copy.py", b"same")]);
        assert_eq!(ids(&f), ["W002"]);
        assert_eq!(
            f[0].message,
            "Wheel contains duplicate files: pkg/__init__.py, pkg/copy.py"
        );
        assert_eq!(f[0].location.as_deref(), Some("pkg/__init__.py"));
        assert_eq!(
            ids(&run(&[("pkg/__init__.py", b"a"), ("README.md", b"b")])),
            ["W003", "W009"]
        );
        assert_eq!(
            ids(&run(&[
                ("pkg/__init__.py", b"a"),
                ("pkg/migrations/0001_x.py", b"b")
            ])),
            ["W004"]
        );
        let f = run(&[("pkg/__init__.py", b"a"), ("tests/__init__.py", b"b")]);
        assert_eq!(ids(&f), ["W005", "W009"]);
        assert_eq!(
            f[0].message,
            "Wheel contains common toplevel name in library: tests/"
        );
        assert_eq!(ids(&run(&[("__init__.py", b"a")])), ["W006"]);
        assert_eq!(ids(&run(&[])), ["W007", "W008"]);
        assert_eq!(
            ids(&run(&[
                ("pkg/__init__.py", b"a"),
                ("assets/logo.png", b"b")
            ])),
            ["W009", "W010"]
        );
    }

    #[test]
    fn allowed_duplicates_and_exemptions() {
        // Empty files repeat freely; *.pth and _private entries are not top-level packages.
        assert!(
            run(&[
                ("pkg/__init__.py", b""),
                ("pkg/sub/__init__.py", b""),
                ("pkg.pth", b"x"),
                ("_pkg_impl.py", b"y"),
                ("pkg-stubs/__init__.pyi", b"z"),
            ])
            .iter()
            .all(|f| f.rule != "W002" && f.rule != "W003" && f.rule != "W010"),
        );
        let f = run(&[("pkg/__init__.py", b"a"), ("pkg-stubs/__init__.pyi", b"z")]);
        assert_eq!(ids(&f), ["W009"]);
    }

    #[test]
    fn data_dir_libraries_are_checked() {
        let f = run(&[
            ("pkg-1.0.data/purelib/tests/__init__.py", b"a"),
            ("pkg/__init__.py", b"b"),
        ]);
        assert_eq!(ids(&f), ["W005", "W009"]);
        assert!(f[0].message.ends_with("pkg-1.0.data/purelib/tests/"));
        let f = run(&[
            ("pkg-1.0.data/scripts/run", b"a"),
            ("pkg/__init__.py", b"b"),
        ]);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn module_extensions_match_check_wheel_contents() {
        assert_eq!(module_basename("foo.py"), Some("foo"));
        assert_eq!(
            module_basename("foo.cpython-311-x86_64-linux-gnu.so"),
            Some("foo")
        );
        assert_eq!(module_basename("foo.abi3.so"), Some("foo"));
        assert_eq!(module_basename("a.b.c.so"), Some("a.b"));
        assert_eq!(module_basename(".py"), None);
        assert_eq!(module_basename("foo.pyi"), None);
        assert_eq!(module_basename("foo.so.1"), None);
        assert!(is_valid_module_path("a/b_c/d.py"));
        assert!(!is_valid_module_path("a/class/d.py"));
        assert!(!is_valid_module_path("my-pkg/d.py"));
        assert!(is_valid_module_path("pkg-1.0.data/platlib/x/y.py"));
        assert!(!is_valid_module_path("pkg-1.0.data/scripts/y.py"));
        assert_eq!(extension("a.tar.pyc"), ".pyc");
        assert_eq!(extension(".pyc"), "");
    }

    #[test]
    fn structural_problems_are_w000() {
        let members = [member("pkg/__init__.py")];
        let f = check_wheel_contents("pkg-1.0-py3-none-any.whl", &members, None);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "W000");
        assert_eq!(
            f[0].message,
            "invalid wheel: No .dist-info directory in wheel"
        );

        let record = vec![
            entry("../evil.py", b"x"),
            entry("pkg-1.0.dist-info/WHEEL", b"w"),
        ];
        let members = [
            member("pkg-1.0.dist-info/WHEEL"),
            member("pkg-1.0.dist-info/RECORD"),
        ];
        let f = check_wheel_contents("pkg-1.0-py3-none-any.whl", &members, Some(&record));
        assert_eq!(
            f[0].message,
            "invalid wheel: Non-normalized path in RECORD: '../evil.py'"
        );

        let f = check_wheel_contents("pkg-1.0-py3-none-any.whl", &members, None);
        assert_eq!(f[0].message, "invalid wheel: No RECORD file in wheel");

        let members = [member("other-1.0.dist-info/WHEEL")];
        let f = check_wheel_contents("pkg-1.0-py3-none-any.whl", &members, None);
        assert!(f[0].message.contains("do not match wheel name"), "{f:?}");

        let f = check_wheel_contents("not-a-wheel.zip", &members, None);
        assert_eq!(f[0].message, "invalid wheel: wheel has invalid filename");
    }

    #[test]
    fn conflicting_record_paths_are_reported_not_panicked() {
        let record = vec![
            entry("pkg", b"file"),
            entry("pkg/__init__.py", b"x"),
            entry("pkg-1.0.dist-info/WHEEL", b"w"),
        ];
        let members = [
            member("pkg-1.0.dist-info/WHEEL"),
            member("pkg-1.0.dist-info/RECORD"),
        ];
        let f = check_wheel_contents("pkg-1.0-py3-none-any.whl", &members, Some(&record));
        assert_eq!(
            f[0].message,
            "invalid wheel: Conflicting occurrences of path 'pkg'"
        );
    }

    proptest::proptest! {
        /// Any RECORD and member list gives findings, never a panic.
        #[test]
        fn arbitrary_records_never_panic(
            paths in proptest::collection::vec("[a-c_./-]{0,12}(\\.py|\\.pyc|\\.so|/)?", 0..24),
            sizes in proptest::collection::vec(proptest::option::of(0u64..4), 0..24),
        ) {
            let mut record: Vec<RecordEntry> = paths
                .iter()
                .zip(sizes.iter().chain(std::iter::repeat(&None)))
                .map(|(p, s)| RecordEntry { path: p.clone(), hash: s.map(|n| format!("sha256={n}")), size: *s })
                .collect();
            record.push(entry("pkg-1.0.dist-info/WHEEL", b"w"));
            let mut members: Vec<Member> = paths.iter().map(|p| member(p)).collect();
            members.push(member("pkg-1.0.dist-info/WHEEL"));
            members.push(member("pkg-1.0.dist-info/RECORD"));
            let findings = check_wheel_contents("pkg-1.0-py3-none-any.whl", &members, Some(&record));
            proptest::prop_assert!(findings.iter().all(|f| f.severity == Severity::Warning));
        }
    }
}

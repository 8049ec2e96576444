//! `~/.pypirc` in twine's format: `[distutils] index-servers = …` plus one section per index with
//! `repository`, `username` and `password`.

use std::collections::BTreeMap;

use crate::secret::Secret;
use crate::targets::IndexTarget;

/// One index from a pypirc file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PypircRepository {
    pub name: String,
    /// The upload URL (`repository =`); `pypi`/`testpypi` default to the known ones.
    pub repository: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

/// Sections of an INI file as configparser's RawConfigParser reads them: keys lower-cased,
/// `=` or `:`, continuation lines joined with newlines, `#`/`;` comment lines.
pub fn parse_ini(text: &str) -> Result<BTreeMap<String, BTreeMap<String, String>>, String> {
    let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut last_key: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            last_key = None;
            continue;
        }
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let continuation = raw.starts_with([' ', '\t']);
        if continuation && let (Some(sec), Some(key)) = (&current, &last_key) {
            if let Some(v) = sections.get_mut(sec).and_then(|s| s.get_mut(key)) {
                v.push('\n');
                v.push_str(trimmed);
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("line {line_no}: section header without `]`"))?;
            let name = name.trim().to_string();
            sections.entry(name.clone()).or_default();
            current = Some(name);
            last_key = None;
            continue;
        }
        let Some(sec) = &current else {
            return Err(format!(
                "line {line_no}: `{trimmed}` comes before any [section]"
            ));
        };
        let split = trimmed
            .find(['=', ':'])
            .ok_or_else(|| format!("line {line_no}: expected `key = value`"))?;
        let key = trimmed[..split].trim().to_ascii_lowercase();
        let value = trimmed[split + 1..].trim().to_string();
        if let Some(s) = sections.get_mut(sec) {
            s.insert(key.clone(), value);
        }
        last_key = Some(key);
    }
    Ok(sections)
}

/// Every index a pypirc file defines (twine's `get_config`).
pub fn parse_pypirc(text: &str) -> Result<Vec<PypircRepository>, String> {
    let sections = parse_ini(text)?;
    let servers: Vec<String> = match sections
        .get("distutils")
        .and_then(|d| d.get("index-servers"))
    {
        Some(list) => list.split_whitespace().map(str::to_string).collect(),
        None => vec!["pypi".into(), "testpypi".into()],
    };
    let mut out = Vec::new();
    for name in servers {
        let section = sections.get(&name);
        let get = |k: &str| section.and_then(|s| s.get(k)).cloned();
        let repository = get("repository")
            .or_else(|| IndexTarget::known(&name).map(|t| t.upload_url))
            .filter(|s| !s.is_empty());
        out.push(PypircRepository {
            repository,
            username: get("username").filter(|s| !s.is_empty()),
            password: get("password").filter(|s| !s.is_empty()).map(Secret::new),
            name,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_twine_style_pypirc() {
        let text = "\
[distutils]
index-servers =
    pypi
    local

# a comment
[pypi]
username = __token__
password = pypi-SECRET

[local]
repository: http://127.0.0.1:8081/
Username = uploader
password = s3cret
";
        let repos = parse_pypirc(text).unwrap();
        assert_eq!(repos.len(), 2);
        assert_eq!(repos[0].name, "pypi");
        assert_eq!(
            repos[0].repository.as_deref(),
            Some(IndexTarget::pypi().upload_url.as_str())
        );
        assert_eq!(repos[0].password.as_ref().unwrap().expose(), "pypi-SECRET");
        assert_eq!(
            repos[1].repository.as_deref(),
            Some("http://127.0.0.1:8081/")
        );
        assert_eq!(repos[1].username.as_deref(), Some("uploader"));
    }

    #[test]
    fn defaults_to_pypi_and_testpypi() {
        let repos = parse_pypirc("[testpypi]\nusername = __token__\n").unwrap();
        assert_eq!(repos.len(), 2);
        assert_eq!(repos[1].username.as_deref(), Some("__token__"));
        assert!(repos[0].password.is_none());
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(parse_pypirc("[pypi\n").unwrap_err().contains("line 1"));
        assert!(parse_pypirc("key = v\n").is_err());
        assert!(parse_pypirc("[a]\nnovalue\n").is_err());
    }
}

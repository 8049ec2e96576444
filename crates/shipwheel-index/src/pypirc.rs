//! `~/.pypirc` in twine's format: `[distutils] index-servers = …` plus one section per index with
//! `repository`, `username` and `password`, and the legacy `[server-login]` section whose
//! `username`/`password` fill in whatever a repository's own section leaves out.

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

/// Every index a pypirc file defines, as twine's `get_config` reads it.
///
/// `[server-login]` (obsolete, kept by twine for old files) supplies the defaults: every
/// repository starts with its `username` and `password`, and a key present in the repository's
/// own section replaces the default (an empty value there means unset, not the default).
/// `pypi` is always defined, listed in `index-servers` or not; its own section is read only when
/// it is listed, so an unlisted `pypi` gets just the `[server-login]` credentials.
pub fn parse_pypirc(text: &str) -> Result<Vec<PypircRepository>, String> {
    let sections = parse_ini(text)?;
    let servers: Vec<String> = match sections
        .get("distutils")
        .and_then(|d| d.get("index-servers"))
    {
        Some(list) => list.split_whitespace().map(str::to_string).collect(),
        None => vec!["pypi".into(), "testpypi".into()],
    };
    let login = sections.get("server-login");
    let repo = |name: &str, section: Option<&BTreeMap<String, String>>| {
        let get = |k: &str| {
            section
                .and_then(|s| s.get(k))
                .or_else(|| login.and_then(|s| s.get(k)))
                .filter(|v| !v.is_empty())
                .cloned()
        };
        let repository = section
            .and_then(|s| s.get("repository"))
            .cloned()
            .or_else(|| IndexTarget::known(name).map(|t| t.upload_url))
            .filter(|s| !s.is_empty());
        PypircRepository {
            repository,
            username: get("username"),
            password: get("password").map(Secret::new),
            name: name.to_string(),
        }
    };
    let mut out: Vec<PypircRepository> = Vec::new();
    for name in &servers {
        if out.iter().any(|r| &r.name == name) {
            continue;
        }
        out.push(repo(name, sections.get(name)));
    }
    if !out.iter().any(|r| r.name == "pypi") {
        out.push(repo("pypi", None));
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

    fn find<'a>(repos: &'a [PypircRepository], name: &str) -> &'a PypircRepository {
        match repos.iter().find(|r| r.name == name) {
            Some(r) => r,
            None => panic!("no repository {name} in {repos:?}"),
        }
    }

    #[test]
    fn server_login_fills_in_pypi_without_credentials() {
        let text = "\
[distutils]
index-servers = pypi

[server-login]
username = legacy
password = legacy-secret
";
        let repos = parse_pypirc(text).unwrap();
        assert_eq!(repos.len(), 1);
        let pypi = find(&repos, "pypi");
        assert_eq!(pypi.username.as_deref(), Some("legacy"));
        assert_eq!(pypi.password.as_ref().unwrap().expose(), "legacy-secret");
        assert_eq!(
            pypi.repository.as_deref(),
            Some(IndexTarget::pypi().upload_url.as_str())
        );
        // Without [distutils] too (pypi and testpypi are the default servers).
        let repos = parse_pypirc("[server-login]\nusername = u\npassword = p\n").unwrap();
        assert_eq!(repos.len(), 2);
        for r in &repos {
            assert_eq!(r.username.as_deref(), Some("u"), "{}", r.name);
            assert_eq!(r.password.as_ref().unwrap().expose(), "p", "{}", r.name);
        }
    }

    #[test]
    fn a_repository_section_wins_key_by_key() {
        let text = "\
[distutils]
index-servers =
    pypi
    local
    bare

[pypi]
password = pypi-TOKEN

[local]
repository = http://127.0.0.1:8081/
username = own
password =

[server-login]
username = legacy
password = legacy-secret
";
        let repos = parse_pypirc(text).unwrap();
        // Only the missing key comes from [server-login].
        let pypi = find(&repos, "pypi");
        assert_eq!(pypi.username.as_deref(), Some("legacy"));
        assert_eq!(pypi.password.as_ref().unwrap().expose(), "pypi-TOKEN");
        // A key present but empty replaces the default with nothing.
        let local = find(&repos, "local");
        assert_eq!(local.username.as_deref(), Some("own"));
        assert!(local.password.is_none());
        // A listed server without a section still gets the defaults, but no URL.
        let bare = find(&repos, "bare");
        assert_eq!(bare.username.as_deref(), Some("legacy"));
        assert_eq!(bare.password.as_ref().unwrap().expose(), "legacy-secret");
        assert!(bare.repository.is_none());
    }

    #[test]
    fn pypi_is_always_defined_but_unlisted_sections_are_ignored() {
        let text = "\
[distutils]
index-servers = local

[local]
repository = http://127.0.0.1:8081/

[pypi]
username = ignored
password = ignored

[server-login]
username = legacy
password = legacy-secret
";
        let repos = parse_pypirc(text).unwrap();
        assert_eq!(
            repos.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            vec!["local", "pypi"]
        );
        let pypi = find(&repos, "pypi");
        assert_eq!(pypi.username.as_deref(), Some("legacy"));
        assert_eq!(pypi.password.as_ref().unwrap().expose(), "legacy-secret");
        assert_eq!(find(&repos, "local").username.as_deref(), Some("legacy"));
        // Without [server-login], an unlisted pypi has no credentials (as before).
        let repos =
            parse_pypirc("[distutils]\nindex-servers = local\n[pypi]\nusername = x\n").unwrap();
        let pypi = find(&repos, "pypi");
        assert!(pypi.username.is_none() && pypi.password.is_none());
        // Other keys of [server-login] (distutils' `repository`) are not read.
        let repos =
            parse_pypirc("[server-login]\nrepository = http://127.0.0.1:1/\nusername = u\n")
                .unwrap();
        assert_eq!(
            find(&repos, "pypi").repository.as_deref(),
            Some(IndexTarget::pypi().upload_url.as_str())
        );
        assert!(find(&repos, "pypi").password.is_none());
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(parse_pypirc("[pypi\n").unwrap_err().contains("line 1"));
        assert!(parse_pypirc("key = v\n").is_err());
        assert!(parse_pypirc("[a]\nnovalue\n").is_err());
    }
}

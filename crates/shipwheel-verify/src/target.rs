//! What to verify: `NAME==VERSION`, or local files (whose sha256 the index must match).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use shipwheel_dist::pep::normalize_name;

/// A local distribution file the index must serve byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalFile {
    pub path: PathBuf,
    pub filename: String,
    pub sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Any files of this release will do.
    Release { name: String, version: String },
    /// These files, all of one release.
    Files {
        name: String,
        version: String,
        files: Vec<LocalFile>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("`{0}` is neither NAME==VERSION nor a distribution file (.whl, .tar.gz, .zip)")]
    Unrecognised(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the files belong to different releases ({0} and {1}); verify one release at a time")]
    Mixed(String, String),
    #[error("give either NAME==VERSION or files, not both")]
    Both,
    #[error("nothing to verify: give NAME==VERSION or the files that were published")]
    Nothing,
}

impl Target {
    /// (normalised project name, version).
    pub fn project_version(&self) -> (String, String) {
        match self {
            Target::Release { name, version } | Target::Files { name, version, .. } => {
                (normalize_name(name), version.clone())
            }
        }
    }

    /// Parse the command line's targets: one `NAME==VERSION`, or file paths.
    pub fn from_args(args: &[String]) -> Result<Target, TargetError> {
        let (specs, paths): (Vec<&String>, Vec<&String>) =
            args.iter().partition(|a| a.contains("=="));
        match (specs.as_slice(), paths.is_empty()) {
            ([], true) => Err(TargetError::Nothing),
            ([spec], true) => {
                let (name, version) = spec.split_once("==").unwrap_or((spec.as_str(), ""));
                let (name, version) = (name.trim(), version.trim());
                if name.is_empty() || version.is_empty() || version.contains("==") {
                    return Err(TargetError::Unrecognised((*spec).clone()));
                }
                Ok(Target::Release {
                    name: name.to_string(),
                    version: version.to_string(),
                })
            }
            ([], false) => {
                let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
                Target::from_files(&paths)
            }
            _ => Err(TargetError::Both),
        }
    }

    /// Local files: hash them and check they are one release.
    pub fn from_files(paths: &[PathBuf]) -> Result<Target, TargetError> {
        let mut release: Option<(String, String)> = None;
        let mut files = Vec::new();
        for path in paths {
            let filename = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some((name, version)) = name_version(&filename) else {
                return Err(TargetError::Unrecognised(path.display().to_string()));
            };
            match &release {
                None => release = Some((name.to_string(), version.to_string())),
                Some((n, v)) => {
                    if normalize_name(n) != normalize_name(name)
                        || !shipwheel_dist::pep::same_version(v, version)
                    {
                        return Err(TargetError::Mixed(
                            format!("{n} {v}"),
                            format!("{name} {version}"),
                        ));
                    }
                }
            }
            files.push(LocalFile {
                path: path.clone(),
                sha256: sha256_file(path)?,
                filename,
            });
        }
        let Some((name, version)) = release else {
            return Err(TargetError::Nothing);
        };
        Ok(Target::Files {
            name,
            version,
            files,
        })
    }
}

/// The raw name and version parts of a wheel or sdist filename.
pub fn name_version(filename: &str) -> Option<(&str, &str)> {
    let lower = filename.to_ascii_lowercase();
    if lower.ends_with(".whl") {
        let stem = filename.get(..filename.len() - 4)?;
        let mut parts = stem.split('-');
        let name = parts.next()?;
        let version = parts.next()?;
        // name, version, [build], python, abi, platform
        let rest = parts.count();
        (rest == 3 || rest == 4).then_some((name, version))
    } else {
        let stem = if lower.ends_with(".tar.gz") {
            filename.get(..filename.len() - 7)?
        } else if lower.ends_with(".zip") {
            filename.get(..filename.len() - 4)?
        } else {
            return None;
        };
        let (name, version) = stem.rsplit_once('-')?;
        (!name.is_empty() && !version.is_empty()).then_some((name, version))
    }
}

fn sha256_file(path: &Path) -> Result<String, TargetError> {
    use std::io::Read;
    let read_err = |source| TargetError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The python/abi/platform tags a wheel filename declares, expanded (`py2.py3` → two tags).
pub fn wheel_tags(filename: &str) -> Vec<String> {
    let Some(stem) = filename.strip_suffix(".whl") else {
        return Vec::new();
    };
    let parts: Vec<&str> = stem.split('-').collect();
    let n = parts.len();
    if n < 5 {
        return Vec::new();
    }
    let (py, abi, plat) = (parts[n - 3], parts[n - 2], parts[n - 1]);
    let mut out = Vec::new();
    for p in py.split('.') {
        for a in abi.split('.') {
            for l in plat.split('.') {
                out.push(format!("{p}-{a}-{l}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_release_specs_and_filenames() {
        assert_eq!(
            Target::from_args(&["Foo_Bar==1.0".into()]).unwrap(),
            Target::Release {
                name: "Foo_Bar".into(),
                version: "1.0".into()
            }
        );
        assert!(matches!(
            Target::from_args(&["foo==".into()]),
            Err(TargetError::Unrecognised(_))
        ));
        assert!(matches!(Target::from_args(&[]), Err(TargetError::Nothing)));
        assert_eq!(
            name_version("foo_bar-1.0-1-py3-none-any.whl"),
            Some(("foo_bar", "1.0"))
        );
        assert_eq!(name_version("foo-bar-1.0.tar.gz"), Some(("foo-bar", "1.0")));
        assert_eq!(name_version("foo-1.0.egg"), None);
        assert_eq!(name_version("foo-1.0.whl"), None);
        assert_eq!(
            wheel_tags("a-1-py2.py3-none-any.whl"),
            vec!["py2-none-any", "py3-none-any"]
        );
    }

    #[test]
    fn files_must_be_one_release() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("pkg-1.0-py3-none-any.whl");
        let b = dir.path().join("pkg-1.0.0.tar.gz");
        let c = dir.path().join("pkg-2.0.tar.gz");
        for p in [&a, &b, &c] {
            std::fs::write(p, b"x").unwrap();
        }
        let t = Target::from_files(&[a.clone(), b]).unwrap();
        assert_eq!(t.project_version(), ("pkg".into(), "1.0".into()));
        assert!(matches!(
            Target::from_files(&[a, c]),
            Err(TargetError::Mixed(..))
        ));
    }
}

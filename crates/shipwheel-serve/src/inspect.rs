//! What the server needs to know about a received file beyond the rule engine's report:
//! digests computed while streaming, the name/version in its filename, and its core metadata
//! (read here when the report does not carry it).

use std::io::Read;
use std::path::Path;

use blake2::Blake2b256;
use md5::Md5;
use sha2::{Digest, Sha256};

/// The three digests PyPI records, computed incrementally.
#[derive(Clone, Default)]
pub struct Hashers {
    sha256: Sha256,
    blake2: Blake2b256,
    md5: Md5,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    pub sha256: String,
    pub blake2_256: String,
    pub md5: String,
}

impl Hashers {
    pub fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        self.blake2.update(bytes);
        self.md5.update(bytes);
    }

    pub fn finish(self) -> Digests {
        Digests {
            sha256: hex::encode(self.sha256.finalize()),
            blake2_256: hex::encode(self.blake2.finalize()),
            md5: hex::encode(self.md5.finalize()),
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The kind of distribution a filename's extension says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ext {
    Wheel,
    TarGz,
    Zip,
}

/// The extension, matched case-insensitively as PyPI does (`.+?(\.(tar\.gz|zip|whl))$`),
/// with the case-sensitive spelling needed for the filetype check.
pub fn extension(filename: &str) -> Option<(Ext, &str)> {
    let lower = filename.to_ascii_lowercase();
    for (suffix, ext) in [
        (".tar.gz", Ext::TarGz),
        (".whl", Ext::Wheel),
        (".zip", Ext::Zip),
    ] {
        if lower.ends_with(suffix) && filename.len() > suffix.len() {
            let raw = filename.get(filename.len() - suffix.len()..)?;
            return Some((ext, raw));
        }
    }
    None
}

/// The raw name and version parts of a distribution filename.
pub fn name_version(filename: &str) -> Option<(&str, &str)> {
    let (ext, raw) = extension(filename)?;
    let stem = filename.get(..filename.len() - raw.len())?;
    match ext {
        Ext::Wheel => {
            let mut parts = stem.split('-');
            let name = parts.next()?;
            let version = parts.next()?;
            Some((name, version))
        }
        Ext::TarGz | Ext::Zip => stem.rsplit_once('-'),
    }
}

const MAX_METADATA: u64 = 16 * 1024 * 1024;

/// Core metadata read straight from the archive: a wheel's `<name>-<version>.dist-info/METADATA`
/// (one level deep), an sdist's `<top>/PKG-INFO`. `None` when there is none to read.
pub fn read_metadata(path: &Path, filename: &str) -> Option<Vec<u8>> {
    let (ext, _) = extension(filename)?;
    match ext {
        Ext::Wheel | Ext::Zip => {
            let file = std::fs::File::open(path).ok()?;
            let mut zip = zip::ZipArchive::new(file).ok()?;
            let wanted: Option<String> = zip
                .file_names()
                .filter_map(|n| n.ok().map(|n| n.into_owned()))
                .filter(|n| {
                    let parts: Vec<&str> = n.split('/').collect();
                    match (ext, parts.as_slice()) {
                        (Ext::Wheel, [dir, "METADATA"]) => dir.ends_with(".dist-info"),
                        (Ext::Zip, [_, "PKG-INFO"]) => true,
                        _ => false,
                    }
                })
                .min_by_key(|n| n.len());
            let mut entry = zip.by_name(&wanted?).ok()?;
            let mut out = Vec::new();
            (&mut entry).take(MAX_METADATA).read_to_end(&mut out).ok()?;
            Some(out)
        }
        Ext::TarGz => {
            let file = std::fs::File::open(path).ok()?;
            let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
            for entry in archive.entries().ok()? {
                let mut entry = entry.ok()?;
                let is_pkg_info = {
                    let p = entry.path().ok()?;
                    let parts: Vec<_> = p.components().collect();
                    parts.len() == 2 && p.file_name().is_some_and(|n| n == "PKG-INFO")
                };
                if is_pkg_info && entry.header().entry_type().is_file() {
                    let mut out = Vec::new();
                    (&mut entry).take(MAX_METADATA).read_to_end(&mut out).ok()?;
                    return Some(out);
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filename_parts() {
        assert_eq!(
            name_version("foo_bar-1.0-py3-none-any.whl"),
            Some(("foo_bar", "1.0"))
        );
        assert_eq!(
            name_version("foo-bar-1.0.post1.tar.gz"),
            Some(("foo-bar", "1.0.post1"))
        );
        assert_eq!(extension("x-1.0.TAR.GZ").map(|e| e.1), Some(".TAR.GZ"));
        assert_eq!(extension("x-1.0.egg"), None);
        assert_eq!(extension(".whl"), None);
    }

    #[test]
    fn digests_of_empty_input() {
        let d = Hashers::default().finish();
        assert_eq!(
            d.sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(d.md5, "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            d.blake2_256,
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
        );
    }
}

//! Local distribution files (`dist/`) and their sha256, to compare with what an index has.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::plan::LocalFile;

/// Lowercase hex sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Wheels and sdists directly inside `dir`, sorted by name. A missing directory is empty.
pub fn local_files(dir: &Path) -> std::io::Result<Vec<LocalFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dist = name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip");
        if is_dist && entry.file_type()?.is_file() {
            out.push(LocalFile {
                sha256: sha256_file(&entry.path())?,
                filename: name,
            });
        }
    }
    out.sort_by(|a, b| a.filename.cmp(&b.filename));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_dist_files_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a-1.0-py3-none-any.whl"), b"abc").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
        let files = local_files(dir.path()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(
            files[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(local_files(&dir.path().join("missing")).unwrap().is_empty());
    }
}

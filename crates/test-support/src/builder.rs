//! Builders that write wheels and sdists from code, so every rule can be tested with a file PyPI
//! rejects next to a near-identical one it accepts.
//!
//! Defaults make a valid file; each setter changes one thing.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

/// How RECORD is written in a wheel.
#[derive(Clone, Debug)]
pub enum Record {
    /// Computed from the members (hash and size of each; RECORD itself without).
    Auto,
    /// No RECORD at all.
    Omit,
    /// Exactly this text.
    Text(String),
}

/// A wheel under construction.
#[derive(Clone, Debug)]
pub struct WheelBuilder {
    pub name: String,
    pub version: String,
    pub tag: String,
    pub build_tag: Option<String>,
    /// Extra or replacing METADATA headers, in order (a header set here replaces the default).
    pub headers: Vec<(String, String)>,
    pub description: Option<String>,
    /// Use this text as METADATA verbatim.
    pub metadata_text: Option<String>,
    /// Use this text as WHEEL verbatim.
    pub wheel_text: Option<String>,
    pub record: Record,
    /// Files besides .dist-info (path, content), in order.
    pub files: Vec<(String, Vec<u8>)>,
    /// Extra .dist-info files (relative name, content).
    pub dist_info_files: Vec<(String, Vec<u8>)>,
    /// Override the output filename.
    pub filename: Option<String>,
    /// Override the `.dist-info` directory name.
    pub dist_info_dir: Option<String>,
    pub stored: bool,
}

impl WheelBuilder {
    pub fn new(name: &str, version: &str) -> Self {
        let module = name.replace(['-', '.'], "_").to_lowercase();
        WheelBuilder {
            name: name.to_string(),
            version: version.to_string(),
            tag: "py3-none-any".into(),
            build_tag: None,
            headers: Vec::new(),
            description: None,
            metadata_text: None,
            wheel_text: None,
            record: Record::Auto,
            files: vec![(
                format!("{module}/__init__.py"),
                b"__version__ = '0'\n".to_vec(),
            )],
            dist_info_files: Vec::new(),
            filename: None,
            dist_info_dir: None,
            stored: false,
        }
    }

    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = tag.into();
        self
    }
    pub fn build_tag(mut self, build: &str) -> Self {
        self.build_tag = Some(build.into());
        self
    }
    /// Set a METADATA header (replacing a default of the same name) or add a repeated one.
    pub fn header(mut self, key: &str, value: &str) -> Self {
        self.headers.push((key.into(), value.into()));
        self
    }
    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.into());
        self
    }
    pub fn metadata_text(mut self, text: &str) -> Self {
        self.metadata_text = Some(text.into());
        self
    }
    pub fn wheel_text(mut self, text: &str) -> Self {
        self.wheel_text = Some(text.into());
        self
    }
    pub fn record(mut self, record: Record) -> Self {
        self.record = record;
        self
    }
    pub fn file(mut self, path: &str, content: impl AsRef<[u8]>) -> Self {
        self.files.push((path.into(), content.as_ref().to_vec()));
        self
    }
    /// Remove every non-.dist-info file added so far (including the default module).
    pub fn no_files(mut self) -> Self {
        self.files.clear();
        self
    }
    pub fn dist_info_file(mut self, name: &str, content: impl AsRef<[u8]>) -> Self {
        self.dist_info_files
            .push((name.into(), content.as_ref().to_vec()));
        self
    }
    pub fn filename(mut self, filename: &str) -> Self {
        self.filename = Some(filename.into());
        self
    }
    pub fn dist_info_dir(mut self, dir: &str) -> Self {
        self.dist_info_dir = Some(dir.into());
        self
    }
    pub fn stored(mut self) -> Self {
        self.stored = true;
        self
    }

    fn escaped_name(&self) -> String {
        self.name.replace(['-', '.'], "_").to_lowercase()
    }

    /// The filename this wheel is written under.
    pub fn wheel_filename(&self) -> String {
        if let Some(f) = &self.filename {
            return f.clone();
        }
        let build = self
            .build_tag
            .as_ref()
            .map(|b| format!("-{b}"))
            .unwrap_or_default();
        format!(
            "{}-{}{}-{}.whl",
            self.escaped_name(),
            self.version,
            build,
            self.tag
        )
    }

    /// METADATA as it will be written.
    pub fn metadata(&self) -> String {
        if let Some(t) = &self.metadata_text {
            return t.clone();
        }
        render_metadata(
            &self.name,
            &self.version,
            &self.headers,
            self.description.as_deref(),
        )
    }

    /// The wheel's bytes.
    pub fn build_bytes(&self) -> Vec<u8> {
        let dist_info = self
            .dist_info_dir
            .clone()
            .unwrap_or_else(|| format!("{}-{}.dist-info", self.escaped_name(), self.version));
        let wheel = self.wheel_text.clone().unwrap_or_else(|| {
            let mut w = String::from(
                "Wheel-Version: 1.0\nGenerator: test-support\nRoot-Is-Purelib: true\n",
            );
            for t in expand_tags(&self.tag) {
                w.push_str(&format!("Tag: {t}\n"));
            }
            w
        });
        let mut members: Vec<(String, Vec<u8>)> = self.files.clone();
        members.push((
            format!("{dist_info}/METADATA"),
            self.metadata().into_bytes(),
        ));
        members.push((format!("{dist_info}/WHEEL"), wheel.into_bytes()));
        for (n, c) in &self.dist_info_files {
            members.push((format!("{dist_info}/{n}"), c.clone()));
        }
        let record_path = format!("{dist_info}/RECORD");
        match &self.record {
            Record::Omit => {}
            Record::Text(t) => members.push((record_path, t.clone().into_bytes())),
            Record::Auto => {
                let mut rec = String::new();
                for (n, c) in &members {
                    rec.push_str(&format!(
                        "{},sha256={},{}\n",
                        csv_field(n),
                        record_hash(c),
                        c.len()
                    ));
                }
                rec.push_str(&format!("{},,\n", csv_field(&record_path)));
                members.push((record_path, rec.into_bytes()));
            }
        }
        zip_bytes(&members, self.stored)
    }

    /// Write the wheel into `dir`; returns its path.
    pub fn write_to(&self, dir: &Path) -> PathBuf {
        let path = dir.join(self.wheel_filename());
        std::fs::write(&path, self.build_bytes()).expect("write wheel");
        path
    }
}

/// An sdist (`.tar.gz`) under construction.
#[derive(Clone, Debug)]
pub struct SdistBuilder {
    pub name: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub description: Option<String>,
    pub pkg_info_text: Option<String>,
    /// Whether to write PKG-INFO at `<top>/PKG-INFO`.
    pub pkg_info: bool,
    /// Files below the top-level directory (relative path, content).
    pub files: Vec<(String, Vec<u8>)>,
    /// Members written with exactly these paths (not below the top directory).
    pub raw_members: Vec<(String, Vec<u8>)>,
    pub top_dir: Option<String>,
    pub filename: Option<String>,
}

impl SdistBuilder {
    pub fn new(name: &str, version: &str) -> Self {
        let module = name.replace(['-', '.'], "_").to_lowercase();
        SdistBuilder {
            name: name.into(),
            version: version.into(),
            headers: Vec::new(),
            description: None,
            pkg_info_text: None,
            pkg_info: true,
            files: vec![
                (
                    "pyproject.toml".into(),
                    format!(
                        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"{name}\"\nversion = \"{version}\"\n"
                    )
                    .into_bytes(),
                ),
                (format!("src/{module}/__init__.py"), b"__version__ = '0'\n".to_vec()),
            ],
            raw_members: Vec::new(),
            top_dir: None,
            filename: None,
        }
    }

    pub fn header(mut self, key: &str, value: &str) -> Self {
        self.headers.push((key.into(), value.into()));
        self
    }
    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.into());
        self
    }
    pub fn pkg_info_text(mut self, text: &str) -> Self {
        self.pkg_info_text = Some(text.into());
        self
    }
    pub fn no_pkg_info(mut self) -> Self {
        self.pkg_info = false;
        self
    }
    pub fn file(mut self, path: &str, content: impl AsRef<[u8]>) -> Self {
        self.files.push((path.into(), content.as_ref().to_vec()));
        self
    }
    pub fn raw_member(mut self, path: &str, content: impl AsRef<[u8]>) -> Self {
        self.raw_members
            .push((path.into(), content.as_ref().to_vec()));
        self
    }
    pub fn top_dir(mut self, dir: &str) -> Self {
        self.top_dir = Some(dir.into());
        self
    }
    pub fn filename(mut self, filename: &str) -> Self {
        self.filename = Some(filename.into());
        self
    }

    fn escaped_name(&self) -> String {
        self.name.replace(['-', '.'], "_").to_lowercase()
    }

    pub fn sdist_filename(&self) -> String {
        self.filename
            .clone()
            .unwrap_or_else(|| format!("{}-{}.tar.gz", self.escaped_name(), self.version))
    }

    pub fn pkg_info(&self) -> String {
        if let Some(t) = &self.pkg_info_text {
            return t.clone();
        }
        render_metadata(
            &self.name,
            &self.version,
            &self.headers,
            self.description.as_deref(),
        )
    }

    /// The uncompressed tar's members (path, content), in order.
    pub fn members(&self) -> Vec<(String, Vec<u8>)> {
        let top = self
            .top_dir
            .clone()
            .unwrap_or_else(|| format!("{}-{}", self.escaped_name(), self.version));
        let mut members = Vec::new();
        if self.pkg_info {
            members.push((format!("{top}/PKG-INFO"), self.pkg_info().into_bytes()));
        }
        for (p, c) in &self.files {
            members.push((format!("{top}/{p}"), c.clone()));
        }
        members.extend(self.raw_members.iter().cloned());
        members
    }

    pub fn build_bytes(&self) -> Vec<u8> {
        tar_gz_bytes(&self.members())
    }

    pub fn write_to(&self, dir: &Path) -> PathBuf {
        let path = dir.join(self.sdist_filename());
        std::fs::write(&path, self.build_bytes()).expect("write sdist");
        path
    }
}

/// Core metadata text: defaults for Metadata-Version/Name/Version/Summary, replaced by any
/// header of the same name in `headers`; other headers appended in order.
pub fn render_metadata(
    name: &str,
    version: &str,
    headers: &[(String, String)],
    description: Option<&str>,
) -> String {
    let defaults = [
        ("Metadata-Version", "2.4"),
        ("Name", name),
        ("Version", version),
        ("Summary", "A test package"),
    ];
    let mut out = String::new();
    for (k, v) in defaults {
        if !headers.iter().any(|(hk, _)| hk.eq_ignore_ascii_case(k)) {
            out.push_str(&format!("{k}: {v}\n"));
        }
    }
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\n"));
    }
    if let Some(d) = description {
        out.push('\n');
        out.push_str(d);
    }
    out
}

/// Expand a compressed tag set (`py2.py3-none-any`) into single tags.
pub fn expand_tags(tag: &str) -> Vec<String> {
    let parts: Vec<&str> = tag.split('-').collect();
    if parts.len() != 3 {
        return vec![tag.to_string()];
    }
    let mut out = Vec::new();
    for py in parts[0].split('.') {
        for abi in parts[1].split('.') {
            for plat in parts[2].split('.') {
                out.push(format!("{py}-{abi}-{plat}"));
            }
        }
    }
    out
}

/// RECORD's hash form: `urlsafe-b64(sha256)` without padding.
pub fn record_hash(content: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(content))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A zip of the given members with fixed timestamps.
pub fn zip_bytes(members: &[(String, Vec<u8>)], stored: bool) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in members {
        zip.start_file(name.as_str(), opts).expect("zip start_file");
        zip.write_all(content).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// A gzip'd ustar/GNU tar of the given members (regular files, mode 0644, fixed mtime).
pub fn tar_gz_bytes(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, content) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_580_601_600);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, content.as_slice())
            .expect("tar append");
    }
    tar.into_inner()
        .expect("tar finish")
        .finish()
        .expect("gzip finish")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_has_dist_info_and_record() {
        let w = WheelBuilder::new("My-Pkg", "1.0").header("Requires-Dist", "attrs");
        assert_eq!(w.wheel_filename(), "my_pkg-1.0-py3-none-any.whl");
        let bytes = w.build_bytes();
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert!(names.contains(&"my_pkg-1.0.dist-info/RECORD".to_string()));
        let mut meta = String::new();
        std::io::Read::read_to_string(
            &mut z.by_name("my_pkg-1.0.dist-info/METADATA").unwrap(),
            &mut meta,
        )
        .unwrap();
        assert!(meta.starts_with("Metadata-Version: 2.4\nName: My-Pkg\nVersion: 1.0\n"));
        assert!(meta.contains("Requires-Dist: attrs\n"));
    }

    #[test]
    fn sdist_has_top_dir_and_pkg_info() {
        let s = SdistBuilder::new("my-pkg", "1.0");
        assert_eq!(s.sdist_filename(), "my_pkg-1.0.tar.gz");
        let names: Vec<String> = s.members().into_iter().map(|(p, _)| p).collect();
        assert_eq!(names[0], "my_pkg-1.0/PKG-INFO");
        assert!(!s.build_bytes().is_empty());
    }

    #[test]
    fn tags_expand() {
        assert_eq!(
            expand_tags("py2.py3-none-any"),
            vec!["py2-none-any", "py3-none-any"]
        );
    }
}

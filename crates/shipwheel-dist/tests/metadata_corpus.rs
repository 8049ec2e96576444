//! Real packages PyPI accepted (scripts/corpus.sh) must pass every metadata rule without an
//! error, and their reStructuredText descriptions must pass the native checker whenever the
//! real readme-renderer renders them.

use std::io::Read;
use std::path::Path;

use shipwheel_dist::archive::Member;
use shipwheel_dist::description::check_description;
use shipwheel_dist::filename::DistKind;
use shipwheel_dist::metadata::{DistContext, RawMetadata, check_metadata};

struct Dist {
    file: String,
    kind: DistKind,
    members: Vec<Member>,
    metadata: Vec<u8>,
}

fn read_wheel(path: &Path) -> Dist {
    let file = std::fs::File::open(path).expect("open wheel");
    let mut zip = zip::ZipArchive::new(file).expect("read wheel");
    let mut members = Vec::new();
    let mut metadata = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("wheel entry");
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if name.ends_with(".dist-info/METADATA") && name.matches('/').count() == 1 {
            entry.read_to_end(&mut metadata).expect("read METADATA");
        }
        members.push(Member {
            size: entry.size(),
            compressed_size: entry.compressed_size(),
            is_dir: entry.is_dir(),
            name,
        });
    }
    Dist {
        file: path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        kind: DistKind::Wheel,
        members,
        metadata,
    }
}

fn read_sdist(path: &Path) -> Dist {
    let file = std::fs::File::open(path).expect("open sdist");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut members = Vec::new();
    let mut metadata = Vec::new();
    for entry in tar.entries().expect("tar entries") {
        let mut entry = entry.expect("tar entry");
        let name = entry.path().expect("path").to_string_lossy().into_owned();
        if name.ends_with("/PKG-INFO") && name.matches('/').count() == 1 {
            entry.read_to_end(&mut metadata).expect("read PKG-INFO");
        }
        members.push(Member {
            size: entry.size(),
            compressed_size: entry.size(),
            is_dir: entry.header().entry_type().is_dir(),
            name: name.trim_end_matches('/').to_string(),
        });
    }
    Dist {
        file: path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        kind: DistKind::Sdist,
        members,
        metadata,
    }
}

fn corpus() -> Vec<Dist> {
    let dir = test_support::corpus_dir();
    let mut out = Vec::new();
    for (sub, wheel) in [("wheels", true), ("sdists", false)] {
        let mut paths: Vec<_> = std::fs::read_dir(dir.join(sub))
            .expect("corpus dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for p in paths {
            out.push(if wheel {
                read_wheel(&p)
            } else {
                read_sdist(&p)
            });
        }
    }
    assert!(out.len() >= 20, "corpus too small");
    out
}

#[test]
fn accepted_packages_have_no_metadata_errors() {
    let mut errors = Vec::new();
    for dist in corpus() {
        assert!(!dist.metadata.is_empty(), "{} has no metadata", dist.file);
        let meta = RawMetadata::parse(&dist.metadata).expect("parse");
        let ctx = DistContext {
            file: &dist.file,
            kind: dist.kind,
            filename: None,
            members: &dist.members,
        };
        for f in check_metadata(&meta, &ctx) {
            if f.is_error() {
                errors.push(format!("{}: {} {}", dist.file, f.rule, f.message));
            }
        }
    }
    assert!(
        errors.is_empty(),
        "false errors on accepted packages:\n{}",
        errors.join("\n")
    );
}

const RENDER: &str = r#"
import io, json, sys
from readme_renderer.rst import render
print(json.dumps([render(t, stream=io.StringIO()) is not None for t in json.load(sys.stdin)]))
"#;

#[test]
fn accepted_rst_descriptions_pass_the_native_checker() {
    let mut texts = Vec::new();
    let mut names = Vec::new();
    for dist in corpus() {
        let meta = RawMetadata::parse(&dist.metadata).expect("parse");
        let dct = meta
            .field("description-content-type")
            .unwrap_or("text/x-rst");
        if dct.to_ascii_lowercase().starts_with("text/x-rst")
            && let Some(d) = meta.description()
        {
            texts.push(d.to_string());
            names.push(dist.file.clone());
        }
    }
    assert!(
        !texts.is_empty(),
        "the corpus has no reStructuredText descriptions"
    );
    let renders: Vec<bool> = test_support::peer_python_json(RENDER, &texts);
    let mut false_errors = Vec::new();
    for ((text, name), ok) in texts.iter().zip(&names).zip(renders) {
        let native = shipwheel_dist::description::rst::check(text);
        if ok && !native.is_empty() {
            false_errors.push(format!("{name}: {native:?}"));
        }
    }
    assert!(false_errors.is_empty(), "{}", false_errors.join("\n"));
    // And through the description rules as a whole.
    for dist in corpus() {
        let meta = RawMetadata::parse(&dist.metadata).expect("parse");
        let errors: Vec<_> = check_description(&meta, &dist.file, None)
            .into_iter()
            .filter(|f| f.is_error())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", dist.file);
    }
}

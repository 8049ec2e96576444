//! `shipwheel version` in an unpacked sdist of a project versioned by git tags: no git, so the
//! version is the one in `PKG-INFO`, as setuptools-scm (and hatch-vcs) read it.

mod plan_support;

use std::path::Path;
use std::process::Command;

use plan_support::*;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = shipwheel().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Build the sdist with the real backend (offline: the peers venv has it) and unpack it.
fn build_and_unpack(repo: &Repo, dest: &Path) -> std::path::PathBuf {
    let out = Command::new(test_support::peer_bin("python"))
        .args([
            "-m",
            "build",
            "--sdist",
            "--no-isolation",
            "--outdir",
            "dist",
        ])
        .current_dir(&repo.path)
        .env_remove("SETUPTOOLS_SCM_PRETEND_VERSION")
        .output()
        .expect("run python -m build from the peers venv");
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sdist = std::fs::read_dir(repo.path.join("dist"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .expect("an sdist");
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&sdist)
        .arg("-C")
        .arg(dest)
        .status()
        .unwrap();
    assert!(status.success());
    let name = sdist.file_name().unwrap().to_string_lossy();
    dest.join(name.trim_end_matches(".tar.gz"))
}

#[test]
fn unpacked_hatch_vcs_sdist_reads_pkg_info() {
    let hatch = "[build-system]\nrequires = [\"hatchling\", \"hatch-vcs\"]\nbuild-backend = \"hatchling.build\"\n\n\
                 [project]\nname = \"sdist-demo\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\nsource = \"vcs\"\n\n\
                 [tool.hatch.build.targets.sdist]\nexclude = [\"dist\"]\n";
    let mut repo = Repo::new(hatch);
    repo.write("src/sdist_demo/__init__.py", "");
    repo.write(".gitignore", "dist/\n");
    repo.commit("package");
    repo.tag("3.1.0");
    let sha = repo.commit("after the tag");
    let tmp = tempfile::tempdir().unwrap();
    let unpacked = build_and_unpack(&repo, tmp.path());
    let pkg_info = std::fs::read_to_string(unpacked.join("PKG-INFO")).unwrap();
    let built = format!("3.1.1.dev1+g{}", &sha[..9]);
    assert!(
        pkg_info.contains(&format!("\nVersion: {built}\n")),
        "{pkg_info}"
    );
    assert!(!unpacked.join(".git").exists());

    let (code, out, err) = run(&unpacked, &["version"]);
    assert_eq!((code, out.as_str()), (0, built.as_str()), "{err}");
    assert!(err.contains("PKG-INFO"), "{err}");
    let (code, out, err) = run(&unpacked, &["version", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["version"], "3.1.1.dev1");
    assert_eq!(doc["display"], built.as_str());

    // Without PKG-INFO (a plain copy of the sources) it is still a clear config error.
    std::fs::remove_file(unpacked.join("PKG-INFO")).unwrap();
    let (code, _, err) = run(&unpacked, &["version"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not in a git repository"), "{err}");
    assert!(err.contains("PKG-INFO"), "{err}");
}

/// A fallback version stands in when there is neither git nor PKG-INFO, as in the backend.
#[test]
fn fallback_version_outside_git() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("pyproject.toml"),
        "[build-system]\nrequires = [\"hatchling\", \"hatch-vcs\"]\nbuild-backend = \"hatchling.build\"\n\n\
         [project]\nname = \"fb\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\nsource = \"vcs\"\nfallback-version = \"0.0.0\"\n",
    )
    .unwrap();
    let (code, out, err) = run(tmp.path(), &["version"]);
    assert_eq!((code, out.as_str()), (0, "0.0.0"), "{err}");
}

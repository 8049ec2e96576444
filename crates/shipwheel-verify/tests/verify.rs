//! `verify` end to end: real indexes on loopback (shipwheel serve, pypiserver), real installers
//! (uv, pip) and interpreters from the peers venv.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use shipwheel_serve::{RunningServer, Server, ServerConfig};
use shipwheel_verify::{Installer, Target, VerifyOptions, VerifyReport, verify};
use test_support::builder::{SdistBuilder, WheelBuilder};
use test_support::peer_bin;
use test_support::servers::{Pypiserver, PypiserverOptions};

fn options(index_url: &str, target: Target, installer: Installer) -> VerifyOptions {
    VerifyOptions {
        index_url: index_url.parse().unwrap(),
        extra_index_urls: Vec::new(),
        target,
        timeout: Duration::from_secs(60),
        pythons: vec![peer_bin("python").display().to_string()],
        installer,
        smoke: None,
        poll_interval: Duration::from_millis(50),
        install_timeout: shipwheel_verify::DEFAULT_INSTALL_TIMEOUT,
    }
}

async fn run(opts: &VerifyOptions) -> VerifyReport {
    verify(opts, &mut |_| {}).await
}

fn explain(report: &VerifyReport) -> String {
    serde_json::to_string_pretty(report).unwrap()
}

fn good_wheel(dir: &Path, name: &str, version: &str) -> PathBuf {
    let module = name.replace('-', "_");
    WheelBuilder::new(name, version)
        .no_files()
        .file(&format!("{module}/__init__.py"), "ANSWER = 42\n")
        .file(&format!("{module}/util.py"), "def f():\n    return 1\n")
        .write_to(dir)
}

fn serve() -> (tempfile::TempDir, RunningServer) {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    (root, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn good_package_installs_and_imports_with_uv_and_pip() {
    let (_root, server) = serve();
    let dist = tempfile::tempdir().unwrap();
    let wheel = good_wheel(dist.path(), "good-pkg", "1.0.0");
    let sdist = SdistBuilder::new("good-pkg", "1.0.0").write_to(dist.path());
    publish(&server.upload_url(), &[&wheel, &sdist]);
    let target = Target::from_files(&[wheel.clone(), sdist.clone()]).unwrap();

    let uv = options(
        &server.index_url(),
        target.clone(),
        Installer::Uv(peer_bin("uv")),
    );
    let mut smoke = uv.clone();
    smoke.smoke = Some("python -c 'import good_pkg; assert good_pkg.ANSWER == 42'".into());
    // Two interpreters: one environment each.
    smoke
        .pythons
        .push(peer_bin("python3").display().to_string());
    let report = run(&smoke).await;
    assert!(report.ok, "{}", explain(&report));
    assert_eq!(report.installs.len(), 2);
    assert_eq!(
        report
            .steps
            .iter()
            .filter(|s| s.name.starts_with("import"))
            .count(),
        2
    );
    assert!(report.propagation_seconds.is_some());
    let install = &report.installs[0];
    assert_eq!(install.installed_kind.as_deref(), Some("wheel"));
    assert_eq!(
        install.installed_file.as_deref(),
        Some("good_pkg-1.0.0-py3-none-any.whl")
    );
    assert_eq!(install.modules, vec!["good_pkg".to_string()]);
    assert_eq!(install.installed_version.as_deref(), Some("1.0.0"));
    // The install step names the file as soon as it is known.
    let step = report
        .steps
        .iter()
        .find(|s| s.name.starts_with("install good-pkg"))
        .unwrap();
    assert!(
        step.detail
            .starts_with("installed good_pkg-1.0.0-py3-none-any.whl (wheel) from "),
        "{}",
        step.detail
    );
    assert!(
        report
            .steps
            .iter()
            .any(|s| s.name.starts_with("smoke test"))
    );

    let pip = options(&server.index_url(), target, Installer::Pip);
    let report = run(&pip).await;
    assert!(report.ok, "{}", explain(&report));
    assert_eq!(
        report.installs[0].installed_file.as_deref(),
        Some("good_pkg-1.0.0-py3-none-any.whl")
    );

    // NAME==VERSION works too (the hashes then come from the index).
    let by_name = options(
        &server.index_url(),
        Target::from_args(&["Good_Pkg==1.0".into()]).unwrap(),
        Installer::Uv(peer_bin("uv")),
    );
    let report = run(&by_name).await;
    assert!(report.ok, "{}", explain(&report));
    assert_eq!(report.files.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn import_error_fails_with_the_traceback() {
    let (_root, server) = serve();
    let dist = tempfile::tempdir().unwrap();
    let wheel = WheelBuilder::new("broken-import", "0.1")
        .no_files()
        .file(
            "broken_import/__init__.py",
            "raise RuntimeError('boom at import time')\n",
        )
        .write_to(dist.path());
    publish(&server.upload_url(), &[&wheel]);
    let opts = options(
        &server.index_url(),
        Target::from_files(&[wheel]).unwrap(),
        Installer::Uv(peer_bin("uv")),
    );
    let report = run(&opts).await;
    assert!(!report.ok);
    let failed = report.steps.iter().find(|s| !s.ok).unwrap();
    assert!(failed.name.starts_with("import"), "{}", explain(&report));
    let output = failed.output.as_deref().unwrap_or_default();
    assert!(output.contains("Traceback"), "{output}");
    assert!(
        output.contains("RuntimeError: boom at import time"),
        "{output}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn different_bytes_on_the_index_fail_at_once() {
    let (_root, server) = serve();
    let dist = tempfile::tempdir().unwrap();
    let served = good_wheel(dist.path(), "swapped", "2.0");
    publish(&server.upload_url(), &[&served]);
    // The "local" file: same name, other bytes.
    let local_dir = tempfile::tempdir().unwrap();
    let local = WheelBuilder::new("swapped", "2.0")
        .file("swapped/other.py", "X = 1\n")
        .write_to(local_dir.path());
    let mut opts = options(
        &server.index_url(),
        Target::from_files(&[local]).unwrap(),
        Installer::Uv(peer_bin("uv")),
    );
    opts.timeout = Duration::from_secs(600);
    let report = run(&opts).await;
    assert!(!report.ok);
    assert_eq!(report.steps.len(), 1, "{}", explain(&report));
    assert!(
        report.steps[0].detail.contains("serves different bytes"),
        "{}",
        explain(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_never_appears_times_out() {
    let (_root, server) = serve();
    let mut opts = options(
        &server.index_url(),
        Target::from_args(&["never-published==1.0".into()]).unwrap(),
        Installer::Pip,
    );
    opts.timeout = Duration::from_millis(300);
    let report = run(&opts).await;
    assert!(!report.ok);
    let step = &report.steps[0];
    assert!(!step.ok);
    assert!(
        step.detail.starts_with("timed out after"),
        "{}",
        step.detail
    );
    assert!(
        step.detail.contains("any file of never-published 1.0"),
        "{}",
        step.detail
    );
    assert!(step.detail.contains("--timeout"), "{}", step.detail);
}

#[tokio::test(flavor = "multi_thread")]
async fn works_against_pypiserver() {
    let pypi = Pypiserver::start(PypiserverOptions {
        auth: false,
        ..PypiserverOptions::default()
    });
    let dist = tempfile::tempdir().unwrap();
    let wheel = good_wheel(dist.path(), "on-pypiserver", "0.5");
    publish(&pypi.upload_url, &[&wheel]);
    let opts = options(
        &pypi.index_url,
        Target::from_files(&[wheel]).unwrap(),
        Installer::Uv(peer_bin("uv")),
    );
    let report = run(&opts).await;
    assert!(report.ok, "{}", explain(&report));
    assert_eq!(report.installs[0].installed_kind.as_deref(), Some("wheel"));
}

#[tokio::test(flavor = "multi_thread")]
async fn dependencies_come_from_the_extra_index_but_the_package_never_does() {
    let (_a_root, verified) = serve();
    let (_b_root, extra) = serve();
    let dist_a = tempfile::tempdir().unwrap();
    let dist_b = tempfile::tempdir().unwrap();
    let real = WheelBuilder::new("pinned-pkg", "1.0")
        .no_files()
        .file(
            "pinned_pkg/__init__.py",
            "import dep_lib\nORIGIN = 'verified'\n",
        )
        .header("Requires-Dist", "dep-lib>=1")
        .write_to(dist_a.path());
    publish(&verified.upload_url(), &[&real]);
    // The other index has a same-named package (same filename, other bytes) and the dependency.
    let impostor = WheelBuilder::new("pinned-pkg", "1.0")
        .no_files()
        .file(
            "pinned_pkg/__init__.py",
            "import dep_lib\nORIGIN = 'extra'\n",
        )
        .header("Requires-Dist", "dep-lib>=1")
        .write_to(dist_b.path());
    let dep = WheelBuilder::new("dep-lib", "1.5").write_to(dist_b.path());
    publish(&extra.upload_url(), &[&impostor, &dep]);

    for installer in [Installer::Uv(peer_bin("uv")), Installer::Pip] {
        let mut opts = options(
            &verified.index_url(),
            Target::from_args(&["pinned-pkg==1.0".into()]).unwrap(),
            installer,
        );
        opts.extra_index_urls = vec![extra.index_url().parse().unwrap()];
        opts.smoke = Some(
            "python -c 'import pinned_pkg, dep_lib; assert pinned_pkg.ORIGIN == \"verified\", pinned_pkg.ORIGIN'"
                .into(),
        );
        let report = run(&opts).await;
        assert!(report.ok, "{}", explain(&report));
    }
}

/// The bundled example, built by hatchling, uploaded by twine, verified with a smoke test of its
/// console script.
#[tokio::test(flavor = "multi_thread")]
async fn example_package_built_by_hatchling_verifies() {
    let (_root, server) = serve();
    let out_dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    // Build from a copy so the source tree stays untouched.
    let example = test_support::workspace_root().join("examples/spinwheel");
    let copy = Command::new("cp")
        .arg("-r")
        .arg(&example)
        .arg(src.path())
        .status()
        .unwrap();
    assert!(copy.success());
    let out = Command::new(peer_bin("python"))
        .args(["-m", "build", "--no-isolation", "--outdir"])
        .arg(out_dir.path())
        .arg(src.path().join("spinwheel"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let out = Command::new(peer_bin("twine"))
        .args([
            "upload",
            "--disable-progress-bar",
            "--non-interactive",
            "--repository-url",
        ])
        .arg(server.upload_url())
        .args(["-u", "__token__", "-p", "unused"])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut opts = options(
        &server.index_url(),
        Target::from_files(&files).unwrap(),
        Installer::Uv(peer_bin("uv")),
    );
    opts.smoke = Some("spinwheel | grep -q 'spin spin spin'".into());
    let report = run(&opts).await;
    assert!(report.ok, "{}", explain(&report));
    assert_eq!(
        report.installs[0].installed_file.as_deref(),
        Some("spinwheel-0.3.0-py3-none-any.whl")
    );
    assert_eq!(report.installs[0].modules, vec!["spinwheel".to_string()]);
}

/// A release with only an sdist: the installer builds it, fetching the build backend (hatchling
/// and its dependencies, from the corpus) from the same loopback index.
#[tokio::test(flavor = "multi_thread")]
async fn sdist_only_release_is_built_and_verified_with_uv_and_pip() {
    let (_root, server) = serve();
    publish_build_backend(&server);

    let dist = tempfile::tempdir().unwrap();
    let sdist = SdistBuilder::new("sdist-only", "3.1.0")
        .file("src/sdist_only/__init__.py", "FROM_SDIST = True\n")
        .write_to(dist.path());
    publish(&server.upload_url(), &[&sdist]);

    for installer in [Installer::Uv(peer_bin("uv")), Installer::Pip] {
        let name = installer.name();
        let mut opts = options(
            &server.index_url(),
            Target::from_files(std::slice::from_ref(&sdist)).unwrap(),
            installer,
        );
        opts.smoke = Some("python -c 'import sdist_only; assert sdist_only.FROM_SDIST'".into());
        let report = run(&opts).await;
        assert!(report.ok, "{name}: {}", explain(&report));
        let install = &report.installs[0];
        assert_eq!(install.installed_kind.as_deref(), Some("sdist"), "{name}");
        assert_eq!(
            install.installed_file.as_deref(),
            Some("sdist_only-3.1.0.tar.gz"),
            "{name}"
        );
        assert_eq!(install.modules, vec!["sdist_only".to_string()], "{name}");
        let step = report
            .steps
            .iter()
            .find(|s| s.name.starts_with("install sdist-only"))
            .unwrap();
        assert!(
            step.detail.contains("built from the sdist"),
            "{name}: {}",
            step.detail
        );
    }
}

/// Upload hatchling and its dependencies (pinned wheels from the corpus) so installers can build
/// sdists from the loopback index alone.
fn publish_build_backend(server: &RunningServer) {
    let backend_dir = test_support::corpus_dir().join("backend");
    let mut backend: Vec<PathBuf> = std::fs::read_dir(&backend_dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: run `bash scripts/corpus.sh`",
                backend_dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    backend.sort();
    assert!(
        backend.iter().any(|p| p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("hatchling-"))),
        "{backend:?}"
    );
    let backend_refs: Vec<&Path> = backend.iter().map(PathBuf::as_path).collect();
    publish(&server.upload_url(), &backend_refs);
}

/// A release whose only wheel does not fit this platform: uv first tries wheels only, then builds
/// the sdist and says why; pip builds the sdist directly. Both report the sdist.
#[tokio::test(flavor = "multi_thread")]
async fn a_wheel_for_another_platform_falls_back_to_the_sdist() {
    let (_root, server) = serve();
    publish_build_backend(&server);
    let dist = tempfile::tempdir().unwrap();
    let wheel = WheelBuilder::new("other-platform", "1.0")
        .tag("py3-none-win_amd64")
        .no_files()
        .file("other_platform/__init__.py", "KIND = 'wheel'\n")
        .write_to(dist.path());
    let sdist = SdistBuilder::new("other-platform", "1.0")
        .file("src/other_platform/__init__.py", "KIND = 'sdist'\n")
        .write_to(dist.path());
    publish(&server.upload_url(), &[&wheel, &sdist]);
    for installer in [Installer::Uv(peer_bin("uv")), Installer::Pip] {
        let name = installer.name();
        let uv = matches!(installer, Installer::Uv(_));
        let mut opts = options(
            &server.index_url(),
            Target::from_files(&[wheel.clone(), sdist.clone()]).unwrap(),
            installer,
        );
        opts.smoke = Some(
            "python -c 'import other_platform; assert other_platform.KIND == \"sdist\"'".into(),
        );
        let report = run(&opts).await;
        assert!(report.ok, "{name}: {}", explain(&report));
        assert_eq!(
            report.installs[0].installed_file.as_deref(),
            Some("other_platform-1.0.tar.gz"),
            "{name}"
        );
        let step = report
            .steps
            .iter()
            .find(|s| s.name.starts_with("install other-platform"))
            .unwrap();
        assert!(
            step.detail.contains("built from the sdist"),
            "{name}: {}",
            step.detail
        );
        if uv {
            assert!(
                step.detail.contains("no wheel installed"),
                "{}",
                step.detail
            );
            assert!(step.detail.contains("trying the sdist"), "{}", step.detail);
        }
    }
}

/// An sdist-only release on an index without its build backend: a clear failure naming the
/// cause, with the installer's output.
#[tokio::test(flavor = "multi_thread")]
async fn sdist_without_its_build_backend_fails_clearly() {
    let (_root, server) = serve();
    let dist = tempfile::tempdir().unwrap();
    let sdist = SdistBuilder::new("no-backend", "1.0").write_to(dist.path());
    publish(&server.upload_url(), &[&sdist]);
    for installer in [Installer::Uv(peer_bin("uv")), Installer::Pip] {
        let name = installer.name();
        let opts = options(
            &server.index_url(),
            Target::from_files(std::slice::from_ref(&sdist)).unwrap(),
            installer,
        );
        let report = run(&opts).await;
        assert!(!report.ok, "{name}: {}", explain(&report));
        let failed = report.steps.iter().find(|s| !s.ok).unwrap();
        assert!(
            failed.name.starts_with("install no-backend"),
            "{name}: {}",
            explain(&report)
        );
        assert!(
            failed.detail.contains("did not build from its sdist")
                && failed.detail.contains("--extra-index-url"),
            "{name}: {}",
            failed.detail
        );
        let output = failed.output.as_deref().unwrap_or_default();
        assert!(output.contains("hatchling"), "{name}: {output}");
    }
}

fn publish(upload_url: &str, files: &[&Path]) {
    test_support::uv_publish_ok(upload_url, "__token__", "unused", files);
}

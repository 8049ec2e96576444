//! `shipwheel publish` with a legacy `.pypirc` whose credentials sit in `[server-login]`, against
//! a real pypiserver (uploads need a password) on a free loopback port. The `pypi` repository is
//! pointed at that server with `repository =`, so nothing ever reaches the public index.

mod publish_common;

use std::path::{Path, PathBuf};
use std::process::Output;

use publish_common::{shipwheel, text};
use test_support::builder::WheelBuilder;
use test_support::servers::{Pypiserver, PypiserverOptions};

fn wheel(dir: &Path, name: &str) -> PathBuf {
    WheelBuilder::new(name, "1.0")
        .header("Description-Content-Type", "text/markdown")
        .description("# Hello\n")
        .write_to(dir)
}

/// `shipwheel publish --non-interactive ARGS FILE` with `pypirc` as `$HOME/.pypirc`.
fn publish(pypirc: &str, args: &[&str], file: &Path) -> Output {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join(".pypirc"), pypirc).unwrap();
    shipwheel(home.path())
        .args(["publish", "--non-interactive"])
        .args(args)
        .arg(file)
        .output()
        .unwrap()
}

#[test]
fn server_login_supplies_the_credentials_of_a_pypi_section_without_them() {
    let server = Pypiserver::start(PypiserverOptions::default());
    let dist = tempfile::tempdir().unwrap();
    let w = wheel(dist.path(), "login-pypi");

    // Without [server-login] the upload has no credentials and is refused.
    let without = format!(
        "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nrepository = {}\n",
        server.upload_url
    );
    let out = publish(&without, &[], &w);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(server.stored_files().is_empty(), "{}", text(&out));

    // The same file plus [server-login]: `pypi` (the default repository) uses its credentials.
    let with = format!(
        "{without}\n[server-login]\nusername = {}\npassword = {}\n",
        server.user, server.password
    );
    let out = publish(&with, &[], &w);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        server.stored_files(),
        vec!["login_pypi-1.0-py3-none-any.whl".to_string()]
    );
    assert!(!text(&out).contains(&server.password), "{}", text(&out));
}

#[test]
fn a_repository_section_overrides_server_login_key_by_key() {
    let server = Pypiserver::start(PypiserverOptions::default());
    let dist = tempfile::tempdir().unwrap();

    // [pypi] has the right password, [server-login] a wrong one: the username comes from
    // [server-login], the password from [pypi], and the upload is accepted.
    let merged = format!(
        "[distutils]\nindex-servers = pypi\n\n[pypi]\nrepository = {url}\npassword = {pw}\n\n\
         [server-login]\nusername = {user}\npassword = wrong-password\n",
        url = server.upload_url,
        pw = server.password,
        user = server.user,
    );
    let w = wheel(dist.path(), "login-merge");
    let out = publish(&merged, &["-r", "pypi"], &w);
    assert!(out.status.success(), "{}", text(&out));

    // [pypi] has a wrong password, [server-login] the right one: [pypi] wins and is refused.
    let overridden = format!(
        "[distutils]\nindex-servers = pypi\n\n[pypi]\nrepository = {url}\npassword = wrong-password\n\n\
         [server-login]\nusername = {user}\npassword = {pw}\n",
        url = server.upload_url,
        pw = server.password,
        user = server.user,
    );
    let w2 = wheel(dist.path(), "login-override");
    let out = publish(&overridden, &["-r", "pypi"], &w2);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!text(&out).contains("wrong-password"), "{}", text(&out));
    assert_eq!(
        server.stored_files(),
        vec!["login_merge-1.0-py3-none-any.whl".to_string()]
    );
}

#[test]
fn server_login_applies_to_other_repositories_like_twine() {
    let server = Pypiserver::start(PypiserverOptions::default());
    let dist = tempfile::tempdir().unwrap();
    let rc = format!(
        "[distutils]\nindex-servers = local\n\n[local]\nrepository = {}\n\n\
         [server-login]\nusername = {}\npassword = {}\n",
        server.upload_url, server.user, server.password
    );
    let w = wheel(dist.path(), "login-local");
    let out = publish(&rc, &["--repository", "local"], &w);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        server.stored_files(),
        vec!["login_local-1.0-py3-none-any.whl".to_string()]
    );
}

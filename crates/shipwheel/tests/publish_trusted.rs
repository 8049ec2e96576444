//! Trusted publishing against local fakes of GitHub's OIDC endpoint and the index's audience
//! and mint-token endpoints: success, re-minting before expiry, refusal, attestations, and
//! secrets never printed.

mod publish_common;

use publish_common::*;

fn on_actions(
    index: &FakeIndex,
    home: &std::path::Path,
    summary: &std::path::Path,
) -> std::process::Command {
    let mut cmd = shipwheel(home);
    cmd.env("GITHUB_ACTIONS", "true")
        .env("CI", "true")
        .env("GITHUB_STEP_SUMMARY", summary)
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", &index.github_token_url)
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GITHUB_REQUEST_TOKEN)
        .args(["-vv", "publish", "--repository-url", &index.upload_url]);
    cmd
}

#[test]
fn mints_uploads_masks_and_attaches_attestations() {
    let index = FakeIndex::start();
    // Uploads need a minted token (the mint endpoint registers each one).
    index.state.lock().unwrap().accepted_auth = Some(Default::default());
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let w = wheel(dir.path(), "tp-demo", "1.0");
    let s = sdist(dir.path(), "tp-demo", "1.0");
    let attestation = r#"{"version":1,"verification_material":{"certificate":"Y2VydA==","transparency_entries":[]},"envelope":{"statement":"c3RtdA==","signature":"c2ln"}}"#;
    std::fs::write(
        dir.path()
            .join(format!("{}.publish.attestation", file_name(&w))),
        attestation,
    )
    .unwrap();
    let out = on_actions(&index, home.path(), &summary)
        .arg(&w)
        .arg(&s)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("pypi-minted"), "{stdout}");
    masked_only_by_the_mask_command(&out, "pypi-minted-1");
    assert!(!text(&out).contains("SENTINEL"), "{}", text(&out));
    let st = index.state.lock().unwrap();
    assert_eq!(st.mints, 1, "a 15-minute token lasts the whole batch");
    assert_eq!(st.stores.len(), 2);
    let wheel_post = st
        .posts
        .iter()
        .find(|p| p.filename == file_name(&w))
        .unwrap();
    let sent: Vec<&str> = wheel_post
        .fields
        .iter()
        .filter(|(k, _)| k == "attestations")
        .map(|(_, v)| v.as_str())
        .collect();
    let parsed: serde_json::Value = serde_json::from_str(sent[0]).unwrap();
    assert_eq!(
        parsed,
        serde_json::json!([serde_json::from_str::<serde_json::Value>(attestation).unwrap()])
    );
    let sdist_post = st
        .posts
        .iter()
        .find(|p| p.filename == file_name(&s))
        .unwrap();
    assert!(!sdist_post.fields.iter().any(|(k, _)| k == "attestations"));
    drop(st);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| `tp_demo-1.0-py3-none-any.whl` | uploaded |"),
        "{md}"
    );
    assert!(
        !md.contains("pypi-minted") && !md.contains("SENTINEL"),
        "{md}"
    );
}

/// The minted token is written once, in the `::add-mask::` command on its own stderr line (the
/// runner reads workflow commands from stderr too), and nowhere else.
fn masked_only_by_the_mask_command(out: &std::process::Output, token: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mask = format!("::add-mask::{token}");
    assert_eq!(stderr.lines().filter(|l| *l == mask).count(), 1, "{stderr}");
    let elsewhere = stderr.replacen(&mask, "", 1);
    assert!(!elsewhere.contains(token), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(token),
        "{}",
        text(out)
    );
}

#[test]
fn json_on_actions_with_trusted_publishing_is_one_document_on_stdout() {
    let index = FakeIndex::start();
    index.state.lock().unwrap().accepted_auth = Some(Default::default());
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let w = wheel(dir.path(), "tp-json", "1.0");
    let out = on_actions(&index, home.path(), &summary)
        .args(["--format", "json"])
        .arg(&w)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // The whole of stdout is one JSON document, nothing before or after it.
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", text(&out)));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["files"][0]["status"], "uploaded", "{v}");
    masked_only_by_the_mask_command(&out, "pypi-minted-1");
    assert!(!text(&out).contains("SENTINEL"), "{}", text(&out));
}

#[test]
fn mints_again_when_the_token_would_expire() {
    let index = FakeIndex::start();
    {
        let mut st = index.state.lock().unwrap();
        st.accepted_auth = Some(Default::default());
        // Expires within the 5-minute renewal margin: every upload needs a fresh token.
        st.token_lifetime = 60;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let files: Vec<_> = (0..3)
        .map(|i| wheel(dir.path(), &format!("tp-exp{i}"), "1.0"))
        .collect();
    let out = on_actions(&index, home.path(), &summary)
        .args(["--jobs", "1"])
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let st = index.state.lock().unwrap();
    // One mint up front, then one per upload; each needs its own GitHub token (single-use jti).
    assert_eq!(st.mints, 4);
    assert_eq!(st.github_requests, 4);
    let auths: std::collections::HashSet<_> = st
        .posts
        .iter()
        .filter_map(|p| p.authorization.clone())
        .collect();
    assert_eq!(auths.len(), 3, "each upload used a different token");
}

#[test]
fn a_refused_exchange_prints_the_claims_and_uploads_nothing() {
    let index = FakeIndex::start();
    index.state.lock().unwrap().refuse_mint = true;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let w = wheel(dir.path(), "tp-refused", "1.0");
    let out = on_actions(&index, home.path(), &summary)
        .arg(&w)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("invalid-publisher"), "{all}");
    assert!(all.contains("repository: octo/demo"), "{all}");
    assert!(all.contains("environment: release"), "{all}");
    assert!(
        all.contains("workflow_ref: octo/demo/.github/workflows/release.yml@refs/tags/v1.0"),
        "{all}"
    );
    assert!(all.contains("ref: refs/tags/v1.0"), "{all}");
    assert!(!all.contains("SENTINEL"), "{all}");
    assert!(index.posts().is_empty(), "nothing may be uploaded");
    let md = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(
        md.contains("invalid-publisher") && !md.contains("SENTINEL"),
        "{md}"
    );
}

#[test]
fn always_without_an_oidc_environment_is_a_usage_error() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = wheel(dir.path(), "tp-none", "1.0");
    let out = shipwheel(home.path())
        .args([
            "publish",
            "--trusted-publishing",
            "always",
            "--repository-url",
            &index.upload_url,
        ])
        .arg(&w)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("id-token: write"), "{}", text(&out));
    assert!(index.posts().is_empty());
}

#[test]
fn an_index_without_trusted_publishing_in_auto_mode_uploads_without_credentials() {
    let index = FakeIndex::start();
    index.state.lock().unwrap().audience_enabled = false;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let w = wheel(dir.path(), "tp-off", "1.0");
    let out = on_actions(&index, home.path(), &summary)
        .arg(&w)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("does not offer trusted publishing"),
        "{}",
        text(&out)
    );
    assert_eq!(index.posts()[0].authorization, None);
}

#[test]
fn a_given_token_or_never_keeps_trusted_publishing_off() {
    let index = FakeIndex::start();
    let home = tempfile::tempdir().unwrap();
    let summary = home.path().join("summary.md");
    let dist = tempfile::tempdir().unwrap();
    let a = wheel(dist.path(), "tp-token", "1.0");
    let b = wheel(dist.path(), "tp-never", "1.0");

    // On Actions with an id-token permission, an explicit token wins (auto mode).
    let out = on_actions(&index, home.path(), &summary)
        .args(["--token", "pypi-SENTINELexplicit"])
        .arg(&a)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("SENTINEL"), "{}", text(&out));

    // --trusted-publishing never: no OIDC either, even without credentials.
    let out = on_actions(&index, home.path(), &summary)
        .args(["--trusted-publishing", "never"])
        .arg(&b)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));

    let s = index.state.lock().unwrap();
    assert_eq!(s.github_requests, 0, "the GitHub OIDC endpoint was asked");
    assert_eq!(s.mints, 0, "a token was minted");
    let auth: Vec<Option<String>> = s.posts.iter().map(|p| p.authorization.clone()).collect();
    assert_eq!(
        auth,
        [
            Some(test_support::servers::basic(
                "__token__",
                "pypi-SENTINELexplicit"
            )),
            None
        ]
    );
}

//! The index over HTTP: uploads judged as PyPI judges them, and the read side they feed.

mod common;

use common::{form_fields, raw_status_line, raw_upload_request, sha256_hex, upload};
use shipwheel_serve::{RunningServer, Server, ServerConfig, Store};
use test_support::builder::{SdistBuilder, WheelBuilder};

/// Upload with the index's token (the project owner's upload).
async fn as_owner(
    server: &RunningServer,
    fields: &[(String, String)],
    filename: &str,
    bytes: &[u8],
) -> (u16, String, String) {
    upload(
        &server.upload_url(),
        fields,
        filename,
        bytes,
        Some("pypi-secret"),
    )
    .await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_then_read_every_api() {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let wheel = WheelBuilder::new("Foo_Bar", "1.0")
        .header("Requires-Python", ">=3.8")
        .header("Summary", "A test package")
        .header("Requires-Dist", "requests>=2")
        .build_bytes();
    let wheel_name = "foo_bar-1.0-py3-none-any.whl";
    let fields = form_fields("Foo_Bar", "1.0", wheel_name, &wheel);
    let (status, _, body) = upload(&server.upload_url(), &fields, wheel_name, &wheel, None).await;
    assert_eq!(status, 200, "{body}");
    let sdist = SdistBuilder::new("Foo_Bar", "1.0").build_bytes();
    let sdist_name = "foo_bar-1.0.tar.gz";
    let fields = form_fields("Foo_Bar", "1.0", sdist_name, &sdist);
    let (status, _, body) = upload(&server.upload_url(), &fields, sdist_name, &sdist, None).await;
    assert_eq!(status, 200, "{body}");

    let c = client();
    // PEP 503 name normalisation: redirect to the canonical URL.
    let r = c
        .get(format!("{}/simple/Foo_Bar/", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 301);
    assert_eq!(r.headers()["location"], "/simple/foo-bar/");

    // HTML (default) with hash, requires-python and core metadata.
    let r = c.get(server.index_url() + "foo-bar/").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("#sha256={}", sha256_hex(&wheel))),
        "{html}"
    );
    assert!(html.contains("data-requires-python=\"&gt;=3.8\""), "{html}");
    assert!(html.contains("data-core-metadata=\"sha256="), "{html}");
    assert!(html.contains("data-dist-info-metadata=\"sha256="), "{html}");

    // PEP 691 JSON through Accept, and through ?format=.
    let r = c
        .get(server.index_url() + "foo-bar/")
        .header("Accept", "application/vnd.pypi.simple.v1+json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.pypi.simple.v1+json"
    );
    let page: serde_json::Value = r.json().await.unwrap();
    assert_eq!(page["name"], "foo-bar");
    assert_eq!(page["versions"], serde_json::json!(["1.0"]));
    let files = page["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let w = files.iter().find(|f| f["filename"] == wheel_name).unwrap();
    assert_eq!(w["hashes"]["sha256"], sha256_hex(&wheel));
    assert_eq!(w["size"], wheel.len());
    assert_eq!(w["yanked"], false);
    assert!(w["upload-time"].as_str().unwrap().ends_with('Z'));
    let meta_hash = w["core-metadata"]["sha256"].as_str().unwrap().to_string();
    let q = c
        .get(server.index_url() + "?format=application/vnd.pypi.simple.v1+json")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(q["projects"][0]["name"], "foo-bar");

    // The PEP 658 metadata file matches its advertised hash.
    let url = w["url"].as_str().unwrap().to_string();
    let metadata = c
        .get(format!("{url}.metadata"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(sha256_hex(&metadata), meta_hash);
    assert!(String::from_utf8_lossy(&metadata).contains("Name: Foo_Bar"));

    // Downloads: whole file, then a range.
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(
        r.headers()["content-length"],
        wheel.len().to_string().as_str()
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), wheel.as_slice());
    let r = c.head(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["content-length"],
        wheel.len().to_string().as_str()
    );
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    let r = c
        .get(&url)
        .header("Range", "bytes=2-9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes 2-9/{}", wheel.len()).as_str()
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), &wheel[2..10]);
    let r = c
        .get(&url)
        .header("Range", format!("bytes={}-", wheel.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 416);

    // PyPI's JSON API.
    let api: serde_json::Value = c
        .get(format!("{}/pypi/foo-bar/json", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["info"]["name"], "Foo_Bar");
    assert_eq!(api["info"]["version"], "1.0");
    assert_eq!(api["info"]["summary"], "A test package");
    assert_eq!(
        api["info"]["requires_dist"],
        serde_json::json!(["requests>=2"])
    );
    let urls = api["urls"].as_array().unwrap();
    assert_eq!(urls.len(), 2);
    let u = urls
        .iter()
        .find(|u| u["packagetype"] == "bdist_wheel")
        .unwrap();
    assert_eq!(u["digests"]["sha256"], sha256_hex(&wheel));
    assert_eq!(u["digests"]["md5"].as_str().unwrap().len(), 32);
    assert_eq!(u["digests"]["blake2b_256"].as_str().unwrap().len(), 64);
    assert!(api["releases"]["1.0"].is_array());
    let v: serde_json::Value = c
        .get(format!("{}/pypi/foo-bar/1.0/json", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["info"]["version"], "1.0");
    assert!(v.get("releases").is_none());
    let r = c
        .get(format!("{}/pypi/Foo.Bar/json", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/pypi/foo-bar/json");
    let r = c
        .get(format!("{}/pypi/foo-bar/9.9/json", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // Yank through the store (as `shipwheel serve yank` does), seen by the running server.
    let store = Store::open_existing(root.path()).unwrap();
    let changed = store
        .set_yanked("foo-bar", "1.0", true, Some("bad build"))
        .unwrap();
    assert_eq!(changed.len(), 2);
    let page: serde_json::Value = c
        .get(server.index_url() + "foo-bar/")
        .header("Accept", "application/vnd.pypi.simple.v1+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["files"][0]["yanked"], "bad build");
    let html = c
        .get(server.index_url() + "foo-bar/")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-yanked=\"bad build\""));

    // Everything is still there after a restart.
    server.stop();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let api: serde_json::Value = c
        .get(format!("{}/pypi/foo-bar/json", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["urls"].as_array().unwrap().len(), 2);
    assert_eq!(api["info"]["yanked"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_refused_with_pypi_status_lines() {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path()).token("pypi-secret")).unwrap();
    let wheel = WheelBuilder::new("pkg", "1.0").build_bytes();
    let name = "pkg-1.0-py3-none-any.whl";
    let fields = form_fields("pkg", "1.0", name, &wheel);

    // Auth: missing or wrong token.
    let (status, _, body) = upload(&server.upload_url(), &fields, name, &wheel, None).await;
    assert_eq!(status, 403);
    assert!(body.contains("Invalid or non-existent authentication information."));
    let (status, _, _) = upload(&server.upload_url(), &fields, name, &wheel, Some("nope")).await;
    assert_eq!(status, 403);
    let line = raw_status_line(
        server.addr(),
        format!(
            "POST /legacy/ HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            server.addr()
        )
        .as_bytes(),
    );
    assert!(
        line.starts_with("HTTP/1.1 403 Invalid or non-existent authentication information."),
        "{line}"
    );

    // Digest mismatch.
    let mut bad = fields.clone();
    bad.retain(|(k, _)| k != "sha256_digest");
    bad.push(("sha256_digest".into(), "0".repeat(64)));
    let (status, _, body) = as_owner(&server, &bad, name, &wheel).await;
    assert_eq!(status, 400);
    assert!(body.contains(
        "The digest supplied does not match a digest calculated from the uploaded file."
    ));

    // No digest at all; unknown protocol; bad filetype.
    let mut none = fields.clone();
    none.retain(|(k, _)| k != "sha256_digest");
    let (status, _, body) = as_owner(&server, &none, name, &wheel).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("Error: Include at least one message digest."),
        "{body}"
    );
    let mut proto = fields.clone();
    proto.retain(|(k, _)| k != "protocol_version");
    proto.push(("protocol_version".into(), "2".into()));
    let (status, _, body) = as_owner(&server, &proto, name, &wheel).await;
    assert_eq!(
        (status, body.contains("Unknown protocol version.")),
        (400, true)
    );

    // Name in the form does not match the filename.
    let mut other = fields.clone();
    other.retain(|(k, _)| k != "name");
    other.push(("name".into(), "other".into()));
    let (status, _, body) = as_owner(&server, &other, name, &wheel).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("Start filename for &#x27;other&#x27; with &#x27;other&#x27;."),
        "{body}"
    );

    // Accepted; identical re-upload is 200; other bytes under the same name are refused with
    // PyPI's text, in the status line too.
    let (status, _, _) = as_owner(&server, &fields, name, &wheel).await;
    assert_eq!(status, 200);
    let (status, _, _) = as_owner(&server, &fields, name, &wheel).await;
    assert_eq!(status, 200);
    let changed = WheelBuilder::new("pkg", "1.0")
        .file("pkg/extra.py", "x = 1\n")
        .build_bytes();
    let changed_fields = form_fields("pkg", "1.0", name, &changed);
    let mut raw = raw_upload_request(server.addr(), &changed_fields, name, &changed);
    let auth = "Authorization: Basic X190b2tlbl9fOnB5cGktc2VjcmV0\r\n"; // __token__:pypi-secret
    let at = raw.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    raw.splice(at..at, auth.bytes());
    let line = raw_status_line(server.addr(), &raw);
    let blake2 = {
        use blake2_check::blake2_hex;
        blake2_hex(&changed)
    };
    assert_eq!(
        line,
        format!(
            "HTTP/1.1 400 File already exists ('{name}', with blake2_256 hash '{blake2}'). See {}/help/#file-name-reuse for more information.",
            server.url()
        )
    );

    // The same bytes under another project's filename.
    let renamed = "other-1.0-py3-none-any.whl";
    let f = form_fields("other", "1.0", renamed, &wheel);
    let (status, _, body) = as_owner(&server, &f, renamed, &wheel).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("File already exists (&#x27;other-1.0-py3-none-any.whl&#x27;"),
        "{body}"
    );

    // One sdist per release.
    let sdist = SdistBuilder::new("pkg", "1.0").build_bytes();
    let f = form_fields("pkg", "1.0", "pkg-1.0.tar.gz", &sdist);
    let (status, _, _) = as_owner(&server, &f, "pkg-1.0.tar.gz", &sdist).await;
    assert_eq!(status, 200);
    let zip = test_support::builder::zip_bytes(
        &[(
            "pkg-1.0/PKG-INFO".into(),
            SdistBuilder::new("pkg", "1.0").pkg_info().into_bytes(),
        )],
        false,
    );
    let f = form_fields("pkg", "1.0", "pkg-1.0.zip", &zip);
    let (status, _, body) = as_owner(&server, &f, "pkg-1.0.zip", &zip).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("Only one sdist may be uploaded per release."),
        "{body}"
    );

    // Without the trailing slash: 308 with PyPI's message.
    let r = client()
        .post(format!("{}/legacy", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 308);
    assert_eq!(r.headers()["location"], "/legacy/");
    // POST to the simple index is not an upload endpoint.
    let r = client().post(server.index_url()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_upload_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(root.path());
    config.check.max_file_size = 1024;
    let server = Server::start(config).unwrap();
    let wheel = WheelBuilder::new("big", "1.0")
        .file("big/data.bin", vec![7u8; 64 * 1024])
        .stored()
        .build_bytes();
    let name = "big-1.0-py3-none-any.whl";
    let fields = form_fields("big", "1.0", name, &wheel);
    let (status, _, body) = upload(&server.upload_url(), &fields, name, &wheel, None).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("File too large. Limit for project &#x27;big&#x27; is 0 MB."),
        "{body}"
    );
    assert!(
        body.contains(&format!("{}/help/#file-size-limit", server.url())),
        "{body}"
    );
    assert!(!root.path().join("big").exists());
}

mod blake2_check {
    pub fn blake2_hex(bytes: &[u8]) -> String {
        use blake2::Digest;
        hex::encode(blake2::Blake2b256::digest(bytes))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_uploads_of_one_filename_have_one_winner() {
    let root = tempfile::tempdir().unwrap();
    let server = Server::start(ServerConfig::new(root.path())).unwrap();
    let name = "race-1.0-py3-none-any.whl";
    let mut tasks = Vec::new();
    for i in 0..8 {
        let url = server.upload_url();
        tasks.push(tokio::spawn(async move {
            let wheel = WheelBuilder::new("race", "1.0")
                .file("race/n.py", format!("N = {i}\n"))
                .build_bytes();
            let fields = form_fields("race", "1.0", name, &wheel);
            let (status, _, body) = upload(&url, &fields, name, &wheel, None).await;
            (status, body, wheel)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        let (status, body, wheel) = t.await.unwrap();
        match status {
            200 => winners.push(wheel),
            400 => assert!(body.contains("File already exists"), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1);
    assert_eq!(
        std::fs::read(root.path().join("race").join(name)).unwrap(),
        winners[0]
    );

    // The same bytes from many clients at once: every one succeeds, one file is stored.
    let wheel = WheelBuilder::new("same", "1.0").build_bytes();
    let same = "same-1.0-py3-none-any.whl";
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (url, wheel) = (server.upload_url(), wheel.clone());
        tasks.push(tokio::spawn(async move {
            let fields = form_fields("same", "1.0", same, &wheel);
            upload(&url, &fields, same, &wheel, None).await.0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let stored: Vec<_> = std::fs::read_dir(root.path().join("same"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(stored.len(), 3, "{stored:?}"); // file, .metadata, .json
}

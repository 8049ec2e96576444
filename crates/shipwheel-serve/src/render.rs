//! Rendering the simple API (PEP 503 HTML, PEP 691 JSON) and PyPI's JSON API.

use serde_json::{Map, Value, json};

use crate::store::{Project, StoredFile};

/// The simple API version served (PEP 700 fields included).
pub const API_VERSION: &str = "1.1";

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode one URL path segment (filenames may hold `+` or `!`).
pub fn encode_segment(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// Absolute URL of a stored file.
pub fn file_url(base: &str, project: &str, filename: &str) -> String {
    format!(
        "{base}/files/{}/{}",
        encode_segment(project),
        encode_segment(filename)
    )
}

pub fn index_html(projects: &[String]) -> String {
    let mut out = String::with_capacity(128 + projects.len() * 64);
    out.push_str(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"",
    );
    out.push_str(API_VERSION);
    out.push_str("\">\n    <title>Simple index</title>\n  </head>\n  <body>\n");
    for p in projects {
        let e = escape_html(p);
        out.push_str("    <a href=\"/simple/");
        out.push_str(&encode_segment(p));
        out.push_str("/\">");
        out.push_str(&e);
        out.push_str("</a>\n");
    }
    out.push_str("  </body>\n</html>\n");
    out
}

pub fn index_json(projects: &[String]) -> String {
    let list: Vec<Value> = projects.iter().map(|p| json!({ "name": p })).collect();
    json!({ "meta": { "api-version": API_VERSION }, "projects": list }).to_string()
}

pub fn project_html(base: &str, project: &Project) -> String {
    let name = escape_html(&project.normalized);
    let mut out = String::with_capacity(256 + project.files.len() * 400);
    out.push_str(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"",
    );
    out.push_str(API_VERSION);
    out.push_str("\">\n    <title>Links for ");
    out.push_str(&name);
    out.push_str("</title>\n  </head>\n  <body>\n    <h1>Links for ");
    out.push_str(&name);
    out.push_str("</h1>\n");
    for f in &project.files {
        let r = &f.record;
        out.push_str("    <a href=\"");
        out.push_str(&escape_html(&file_url(
            base,
            &project.normalized,
            &r.filename,
        )));
        out.push_str("#sha256=");
        out.push_str(&r.sha256);
        out.push('"');
        if let Some(rp) = &r.requires_python {
            out.push_str(" data-requires-python=\"");
            out.push_str(&escape_html(rp));
            out.push('"');
        }
        if let Some(m) = &r.metadata_sha256 {
            // PEP 714 name, plus the PEP 658 name older clients read.
            out.push_str(" data-core-metadata=\"sha256=");
            out.push_str(m);
            out.push_str("\" data-dist-info-metadata=\"sha256=");
            out.push_str(m);
            out.push('"');
        }
        if r.yanked {
            out.push_str(" data-yanked=\"");
            out.push_str(&escape_html(r.yanked_reason.as_deref().unwrap_or("")));
            out.push('"');
        }
        out.push('>');
        out.push_str(&escape_html(&r.filename));
        out.push_str("</a><br />\n");
    }
    out.push_str("  </body>\n</html>\n");
    out
}

pub fn project_json(base: &str, project: &Project) -> String {
    let files: Vec<Value> = project
        .files
        .iter()
        .map(|f| {
            let r = &f.record;
            let metadata = match &r.metadata_sha256 {
                Some(m) => json!({ "sha256": m }),
                None => Value::Bool(false),
            };
            let yanked = match (r.yanked, &r.yanked_reason) {
                (false, _) => Value::Bool(false),
                (true, Some(reason)) if !reason.is_empty() => Value::String(reason.clone()),
                (true, _) => Value::Bool(true),
            };
            json!({
                "filename": r.filename,
                "url": file_url(base, &project.normalized, &r.filename),
                "hashes": { "sha256": r.sha256 },
                "requires-python": r.requires_python,
                "core-metadata": metadata,
                "dist-info-metadata": metadata,
                "yanked": yanked,
                "size": r.size,
                "upload-time": r.upload_time,
            })
        })
        .collect();
    json!({
        "meta": { "api-version": API_VERSION },
        "name": project.normalized,
        "versions": project.versions(),
        "files": files,
    })
    .to_string()
}

/// One entry of the JSON API's `urls` / `releases` lists, as PyPI writes it.
fn json_api_file(base: &str, project: &Project, f: &StoredFile) -> Value {
    let r = &f.record;
    // PyPI's `upload_time` drops the zone and the fraction; the ISO field keeps both.
    let upload_time = r
        .upload_time
        .split('.')
        .next()
        .unwrap_or(&r.upload_time)
        .trim_end_matches('Z')
        .to_string();
    json!({
        "comment_text": "",
        "digests": { "blake2b_256": r.blake2_256, "md5": r.md5, "sha256": r.sha256 },
        "downloads": -1,
        "filename": r.filename,
        "has_sig": false,
        "md5_digest": r.md5,
        "packagetype": r.packagetype,
        "python_version": r.python_version,
        "requires_python": r.requires_python,
        "size": r.size,
        "upload_time": upload_time,
        "upload_time_iso_8601": r.upload_time,
        "url": file_url(base, &project.normalized, &r.filename),
        "yanked": r.yanked,
        "yanked_reason": r.yanked_reason,
    })
}

/// `/pypi/<project>/json` (version `None`) or `/pypi/<project>/<version>/json`.
pub fn json_api(base: &str, project: &Project, version: Option<&str>) -> Option<String> {
    let current = match version {
        Some(v) => {
            let files = project.files_of(v);
            files.first()?.record.version.clone()
        }
        None => project.latest_version()?.to_string(),
    };
    let files = project.files_of(&current);
    let info_source = files
        .iter()
        .find(|f| f.metadata.is_some() && !f.record.is_sdist())
        .or_else(|| files.iter().find(|f| f.metadata.is_some()))
        .or_else(|| files.first());
    let meta = info_source.and_then(|f| f.metadata.clone());
    let get = |k: &str| -> Value {
        meta.as_ref()
            .and_then(|m| m.get(k))
            .map(|v| Value::String(v.to_string()))
            .unwrap_or(Value::Null)
    };
    let get_all = |k: &str| -> Value {
        let values: Vec<Value> = meta
            .as_ref()
            .map(|m| m.get_all(k).map(|v| Value::String(v.to_string())).collect())
            .unwrap_or_default();
        if values.is_empty() {
            Value::Null
        } else {
            Value::Array(values)
        }
    };
    let mut project_urls = Map::new();
    if let Some(m) = &meta {
        for v in m.get_all("Project-URL") {
            if let Some((label, url)) = v.split_once(',') {
                project_urls.insert(label.trim().to_string(), Value::String(url.trim().into()));
            }
        }
    }
    let yanked_file = files.iter().find(|f| f.record.yanked);
    let name = info_source
        .map(|f| f.record.name.clone())
        .unwrap_or_else(|| project.display_name.clone());
    let encoded = encode_segment(&project.normalized);
    let info = json!({
        "author": get("Author"),
        "author_email": get("Author-email"),
        "classifiers": get_all("Classifier").as_array().cloned().unwrap_or_default(),
        "description": meta.as_ref().and_then(|m| m.description()).unwrap_or(""),
        "description_content_type": get("Description-Content-Type"),
        "download_url": get("Download-URL"),
        "dynamic": get_all("Dynamic"),
        "home_page": get("Home-page"),
        "keywords": get("Keywords"),
        "license": get("License"),
        "license_expression": get("License-Expression"),
        "license_files": get_all("License-File"),
        "maintainer": get("Maintainer"),
        "maintainer_email": get("Maintainer-email"),
        "name": name,
        "package_url": format!("{base}/project/{encoded}/"),
        "platform": get("Platform"),
        "project_url": format!("{base}/project/{encoded}/"),
        "project_urls": if project_urls.is_empty() { Value::Null } else { Value::Object(project_urls) },
        "provides_extra": get_all("Provides-Extra"),
        "release_url": format!("{base}/project/{encoded}/{}/", encode_segment(&current)),
        "requires_dist": get_all("Requires-Dist"),
        "requires_python": get("Requires-Python").as_str().map(str::to_string).unwrap_or_default(),
        "summary": get("Summary"),
        "version": current,
        "yanked": yanked_file.is_some() && files.iter().all(|f| f.record.yanked),
        "yanked_reason": yanked_file.and_then(|f| f.record.yanked_reason.clone()),
    });
    let urls: Vec<Value> = files
        .iter()
        .map(|f| json_api_file(base, project, f))
        .collect();
    let mut out = Map::new();
    out.insert("info".into(), info);
    out.insert("last_serial".into(), json!(project.files.len()));
    if version.is_none() {
        let mut releases = Map::new();
        for v in project.versions() {
            let list: Vec<Value> = project
                .files
                .iter()
                .filter(|f| f.record.version == v)
                .map(|f| json_api_file(base, project, f))
                .collect();
            releases.insert(v.to_string(), Value::Array(list));
        }
        out.insert("releases".into(), Value::Object(releases));
    }
    out.insert("urls".into(), Value::Array(urls));
    out.insert("vulnerabilities".into(), Value::Array(Vec::new()));
    Some(Value::Object(out).to_string())
}

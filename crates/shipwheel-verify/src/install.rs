//! Installing the release into a fresh environment and importing it.
//!
//! How the package is kept to the verified index while dependencies may come from elsewhere:
//!
//! 1. The package alone (`--no-deps`), in hash-checking mode with exactly the sha256 values the
//!    verified index listed: whichever index offers a file, only those bytes install. uv also
//!    gets the verified index first with `--index-strategy first-index`, so a same-named package
//!    on an extra index is never even considered.
//! 2. Its dependencies: the same requirement again without `--no-deps`. The package is already
//!    installed at that exact version, so pip and uv keep it and only resolve what it needs.
//!
//! Installer configuration from the environment (`PIP_*`, `UV_*` index and find-links settings,
//! config files) is ignored so a stray setting cannot change where the package comes from.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use shipwheel_index::RemoteFile;
use shipwheel_index::secret::RedactedUrl;

use crate::process::{run_within, show_limit};
use crate::target::{Target, wheel_tags};
use crate::{InstallReport, Installer, Step, VerifyOptions};

/// Environment variables that could point an installer at other packages.
fn scrub(cmd: &mut tokio::process::Command) {
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("PIP_") || k.starts_with("UV_") || k == "PYTHONPATH" || k == "VIRTUAL_ENV"
        {
            cmd.env_remove(&key);
        }
    }
    cmd.env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("UV_NO_CONFIG", "1")
        .env("UV_NO_PROGRESS", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null());
}

struct Ran {
    ok: bool,
    output: String,
    /// The limit it was killed at, when it did not finish.
    timed_out: Option<Duration>,
}

impl Ran {
    /// A failed step's detail, saying so when the tool was stopped at the time limit.
    fn failed(&self, detail: String) -> String {
        match self.timed_out {
            Some(limit) => format!(
                "{detail}: stopped at the --install-timeout of {}",
                show_limit(limit)
            ),
            None => detail,
        }
    }
}

/// Run one tool within the time limit; its output (stdout, then stderr) either way.
async fn run(cmd: tokio::process::Command, limit: Duration) -> Ran {
    // Only the program: the arguments may hold index URLs with credentials.
    let shown = cmd.as_std().get_program().to_string_lossy().into_owned();
    match run_within(cmd, limit).await {
        Ok(done) => {
            let mut output = String::from_utf8_lossy(&done.stdout).into_owned();
            let err = String::from_utf8_lossy(&done.stderr);
            if !err.trim().is_empty() {
                if !output.is_empty() && !output.ends_with('\n') {
                    output.push('\n');
                }
                output.push_str(&err);
            }
            if done.status.is_none() {
                if !output.is_empty() && !output.ends_with('\n') {
                    output.push('\n');
                }
                output.push_str(&timed_out(&shown, limit));
            }
            Ran {
                ok: done.status.is_some_and(|s| s.success()),
                output,
                timed_out: done.status.is_none().then_some(limit),
            }
        }
        Err(e) => Ran {
            ok: false,
            output: format!("cannot run {shown}: {e}"),
            timed_out: None,
        },
    }
}

/// What to say about a tool killed at the limit, and what to do.
fn timed_out(shown: &str, limit: Duration) -> String {
    format!(
        "{shown} was still running after {} and was stopped, with every process it started; \
         if the index or the build is just slow, re-run with a longer --install-timeout",
        show_limit(limit)
    )
}

/// Keep the end of a long tool output (the error is at the end).
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.trim_end().lines().collect();
    let start = all.len().saturating_sub(lines);
    let mut out = all[start..].join("\n");
    if start > 0 {
        out = format!("[... {start} earlier lines]\n{out}");
    }
    out
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

fn venv_bin(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts")
    } else {
        venv.join("bin")
    }
}

/// Where the installer looks for packages (the verified index first, extras after it), set in
/// its environment after [`scrub`]: the URLs may hold credentials, and a process's arguments
/// are readable by every user (`ps`, `/proc/PID/cmdline`) while its environment is its owner's.
fn index_env(cmd: &mut tokio::process::Command, opts: &VerifyOptions) {
    let env = match &opts.installer {
        Installer::Uv(_) => uv_index_env(opts),
        Installer::Pip => pip_index_env(opts),
    };
    cmd.envs(env);
}

/// uv: `UV_INDEX` (space-separated, in priority order) and `UV_DEFAULT_INDEX` (the last one),
/// with `first-index` so a name found on the verified index is never looked up elsewhere.
fn uv_index_env(opts: &VerifyOptions) -> Vec<(&'static str, String)> {
    let mut env = vec![("UV_INDEX_STRATEGY", "first-index".to_string())];
    match opts.extra_index_urls.split_last() {
        None => env.push(("UV_DEFAULT_INDEX", opts.index_url.expose())),
        Some((last, rest)) => {
            let mut first = vec![opts.index_url.expose()];
            first.extend(rest.iter().map(RedactedUrl::expose));
            env.push(("UV_INDEX", first.join(" ")));
            env.push(("UV_DEFAULT_INDEX", last.expose()));
        }
    }
    env
}

/// pip: `PIP_INDEX_URL` and `PIP_EXTRA_INDEX_URL` (space-separated).
fn pip_index_env(opts: &VerifyOptions) -> Vec<(&'static str, String)> {
    let mut env = vec![("PIP_INDEX_URL", opts.index_url.expose())];
    if !opts.extra_index_urls.is_empty() {
        let extras: Vec<String> = opts
            .extra_index_urls
            .iter()
            .map(RedactedUrl::expose)
            .collect();
        env.push(("PIP_EXTRA_INDEX_URL", extras.join(" ")));
    }
    env
}

/// The sha256 values the install may accept.
fn allowed_hashes(target: &Target, served: &[RemoteFile]) -> Vec<String> {
    match target {
        Target::Files { files, .. } => files.iter().map(|f| f.sha256.clone()).collect(),
        Target::Release { .. } => served.iter().filter_map(|f| f.sha256.clone()).collect(),
    }
}

const CHECK_SCRIPT: &str = r#"
import importlib, importlib.metadata as md, json, sys, traceback
name = sys.argv[1]
dist = md.distribution(name)
mods = []
top = dist.read_text("top_level.txt")
if top:
    for line in top.splitlines():
        line = line.strip().replace("/", ".")
        if line and line not in mods:
            mods.append(line)
else:
    for f in dist.files or []:
        parts = f.parts
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith((".dist-info", ".data", ".egg-info")):
            continue
        head = parts[0]
        if len(parts) == 1:
            if head.endswith(".py"):
                mod = head[:-3]
            elif head.endswith((".so", ".pyd")):
                mod = head.split(".")[0]
            else:
                continue
        elif parts[-1].endswith((".py", ".so", ".pyd")):
            mod = head
        else:
            continue
        if mod.isidentifier() and mod not in mods:
            mods.append(mod)
tags = [l.split(":", 1)[1].strip() for l in (dist.read_text("WHEEL") or "").splitlines() if l.startswith("Tag:")]
print(json.dumps({"version": dist.version, "modules": mods, "tags": tags}), flush=True)
failed = False
for mod in mods:
    try:
        importlib.import_module(mod)
    except BaseException:
        print("import %s failed:" % mod, file=sys.stderr)
        traceback.print_exc()
        failed = True
sys.exit(1 if failed else 0)
"#;

#[derive(serde::Deserialize)]
struct CheckOutput {
    version: String,
    modules: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// Build a fresh environment with `python`, install the release, import it, run the smoke test.
pub async fn verify_install(
    opts: &VerifyOptions,
    python: &str,
    project: &str,
    version: &str,
    served: &[RemoteFile],
) -> (InstallReport, Vec<Step>) {
    let label = format!("{python}, {}", opts.installer.name());
    let mut report = InstallReport {
        python: python.to_string(),
        installer: opts.installer.name().to_string(),
        installed_kind: None,
        installed_file: None,
        installed_version: None,
        modules: Vec::new(),
        ok: false,
    };
    let mut steps = Vec::new();
    let workdir = match tempfile::Builder::new()
        .prefix("shipwheel-verify-")
        .tempdir()
    {
        Ok(d) => d,
        Err(e) => {
            steps.push(Step {
                name: format!("create environment ({label})"),
                ok: false,
                seconds: 0.0,
                detail: format!("cannot create a temporary directory: {e}"),
                output: None,
            });
            return (report, steps);
        }
    };
    let venv = workdir.path().join("venv");

    // 1. The environment.
    let started = Instant::now();
    let mut cmd = match &opts.installer {
        Installer::Uv(uv) => {
            let mut c = tokio::process::Command::new(uv);
            c.args([
                "venv",
                "--no-config",
                "--no-python-downloads",
                "--quiet",
                "--python",
            ])
            .arg(python)
            .arg(&venv);
            c
        }
        Installer::Pip => {
            let mut c = tokio::process::Command::new(python);
            c.args(["-m", "venv"]).arg(&venv);
            c
        }
    };
    scrub(&mut cmd);
    let ran = run(cmd, opts.install_timeout).await;
    steps.push(Step {
        name: format!("create environment ({label})"),
        ok: ran.ok,
        seconds: started.elapsed().as_secs_f64(),
        detail: if ran.ok {
            "fresh virtual environment".into()
        } else {
            ran.failed(format!(
                "could not create a virtual environment with {python}"
            ))
        },
        output: (!ran.ok).then(|| tail(&ran.output, 30)),
    });
    if !ran.ok {
        return (report, steps);
    }
    let vpy = venv_python(&venv);

    // 2. The package alone, pinned to the served hashes.
    let hashes = allowed_hashes(&opts.target, served);
    let mut req = format!("{project}=={version}");
    for h in &hashes {
        req.push_str(&format!(" \\\n    --hash=sha256:{h}"));
    }
    req.push('\n');
    let req_path = workdir.path().join("requirements.txt");
    if let Err(e) = std::fs::write(&req_path, req) {
        steps.push(Step {
            name: format!("install {project}=={version} ({label})"),
            ok: false,
            seconds: 0.0,
            detail: format!("cannot write {}: {e}", req_path.display()),
            output: None,
        });
        return (report, steps);
    }
    let has_wheel = served.iter().any(|f| f.filename.ends_with(".whl"));
    let has_sdist = served.iter().any(|f| !f.filename.ends_with(".whl"));
    let started = Instant::now();
    let (ran, kind, file, note) = match &opts.installer {
        Installer::Uv(uv) => {
            let attempt = |binary: &'static str| {
                let mut c = tokio::process::Command::new(uv);
                c.args([
                    "pip",
                    "install",
                    "--no-config",
                    "--no-cache",
                    "--no-deps",
                    "--require-hashes",
                    "--python",
                ])
                .arg(&vpy)
                .arg(binary)
                // Only the package: building an sdist needs its backend's wheels.
                .arg(if binary == "--no-binary" {
                    project
                } else {
                    ":all:"
                })
                .arg("-r")
                .arg(&req_path);
                scrub(&mut c);
                index_env(&mut c, opts);
                c
            };
            let mut note = None;
            let mut result = None;
            if has_wheel {
                let r = run(attempt("--only-binary"), opts.install_timeout).await;
                if r.ok {
                    result = Some((r, "wheel"));
                } else if has_sdist && r.timed_out.is_none() {
                    note = Some(format!(
                        "no wheel installed ({}); trying the sdist",
                        r.output.trim().lines().last().unwrap_or("").trim()
                    ));
                } else {
                    result = Some((r, "wheel"));
                }
            }
            let (r, kind) = match result {
                Some(x) => x,
                None => (
                    run(attempt("--no-binary"), opts.install_timeout).await,
                    "sdist",
                ),
            };
            let file = if kind == "sdist" {
                served
                    .iter()
                    .find(|f| !f.filename.ends_with(".whl"))
                    .map(|f| f.filename.clone())
            } else {
                // With several wheels, the installed one is told by its tags after the import.
                match_wheel(served, &[])
            };
            (r, Some(kind.to_string()), file, note)
        }
        Installer::Pip => {
            let report_path = workdir.path().join("pip-report.json");
            let mut c = tokio::process::Command::new(&vpy);
            c.args([
                "-m",
                "pip",
                "install",
                "--no-cache-dir",
                "--no-deps",
                "--require-hashes",
                "--report",
            ])
            .arg(&report_path)
            .arg("-r")
            .arg(&req_path);
            scrub(&mut c);
            index_env(&mut c, opts);
            let r = run(c, opts.install_timeout).await;
            let installed = std::fs::read(&report_path)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|v| {
                    v["install"]
                        .as_array()?
                        .iter()
                        .find_map(|i| i["download_info"]["url"].as_str().map(str::to_string))
                })
                .and_then(|url| {
                    let path = url.split(['#', '?']).next().unwrap_or("").to_string();
                    path.rsplit('/').next().map(str::to_string)
                });
            let kind = installed.as_ref().map(|f| {
                if f.ends_with(".whl") {
                    "wheel".to_string()
                } else {
                    "sdist".to_string()
                }
            });
            (r, kind, installed, None)
        }
    };
    let install_ok = ran.ok;
    let shown_index = opts.index_url.to_string();
    if install_ok {
        report.installed_kind = kind.clone();
        report.installed_file = file.clone();
    }
    let mut detail = if install_ok {
        match (&kind, &file) {
            (Some(k), Some(f)) if k == "sdist" => {
                format!("installed {f} (built from the sdist) from {shown_index}")
            }
            (Some(k), Some(f)) => format!("installed {f} ({k}) from {shown_index}"),
            (Some(k), None) if k == "sdist" => {
                format!("installed a build of the sdist from {shown_index}")
            }
            (Some(k), None) => format!("installed a {k} from {shown_index}"),
            _ => format!("installed from {shown_index}"),
        }
    } else if kind.as_deref() == Some("sdist") || (!has_wheel && has_sdist) {
        // The usual cause: the build backend is on none of the indexes.
        format!(
            "{project}=={version} did not build from its sdist with the served hashes; building needs the build backend from {shown_index} or an --extra-index-url"
        )
    } else {
        format!("{project}=={version} did not install from {shown_index} with the served hashes")
    };
    if let Some(n) = note {
        detail.push_str(&format!("; {n}"));
    }
    if !install_ok {
        detail = ran.failed(detail);
    }
    steps.push(Step {
        name: format!("install {project}=={version} ({label})"),
        ok: install_ok,
        seconds: started.elapsed().as_secs_f64(),
        detail,
        output: (!install_ok).then(|| tail(&ran.output, 40)),
    });
    if !install_ok {
        return (report, steps);
    }

    // 3. Its dependencies (the package itself is already there and stays).
    let started = Instant::now();
    let mut cmd = match &opts.installer {
        Installer::Uv(uv) => {
            let mut c = tokio::process::Command::new(uv);
            c.args(["pip", "install", "--no-config", "--no-cache", "--python"])
                .arg(&vpy)
                .arg(format!("{project}=={version}"));
            c
        }
        Installer::Pip => {
            let mut c = tokio::process::Command::new(&vpy);
            c.args(["-m", "pip", "install", "--no-cache-dir"])
                .arg(format!("{project}=={version}"));
            c
        }
    };
    scrub(&mut cmd);
    index_env(&mut cmd, opts);
    let ran = run(cmd, opts.install_timeout).await;
    steps.push(Step {
        name: format!("install dependencies ({label})"),
        ok: ran.ok,
        seconds: started.elapsed().as_secs_f64(),
        detail: if ran.ok {
            "dependencies installed".into()
        } else {
            ran.failed("the dependencies did not install".into())
        },
        output: (!ran.ok).then(|| tail(&ran.output, 40)),
    });
    if !ran.ok {
        return (report, steps);
    }

    // 4. Import every top-level module and check the version.
    let started = Instant::now();
    let mut cmd = tokio::process::Command::new(&vpy);
    cmd.arg("-c")
        .arg(CHECK_SCRIPT)
        .arg(project)
        .current_dir(workdir.path());
    scrub(&mut cmd);
    let out = match run_within(cmd, opts.install_timeout).await {
        Ok(o) => o,
        Err(e) => {
            steps.push(Step {
                name: format!("import ({label})"),
                ok: false,
                seconds: started.elapsed().as_secs_f64(),
                detail: format!("cannot run {}: {e}", vpy.display()),
                output: None,
            });
            return (report, steps);
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let Some(status) = out.status else {
        steps.push(Step {
            name: format!("import ({label})"),
            ok: false,
            seconds: started.elapsed().as_secs_f64(),
            detail: format!(
                "importing the package did not finish: stopped at the --install-timeout of {}",
                show_limit(opts.install_timeout)
            ),
            output: Some(tail(
                &format!(
                    "{stdout}{stderr}{}",
                    timed_out(&vpy.display().to_string(), opts.install_timeout)
                ),
                60,
            )),
        });
        return (report, steps);
    };
    let parsed: Option<CheckOutput> = stdout
        .lines()
        .next()
        .and_then(|l| serde_json::from_str(l).ok());
    let Some(check) = parsed else {
        steps.push(Step {
            name: format!("import ({label})"),
            ok: false,
            seconds: started.elapsed().as_secs_f64(),
            detail: format!("importlib.metadata cannot find {project} in the environment"),
            output: Some(tail(&format!("{stdout}{stderr}"), 40)),
        });
        return (report, steps);
    };
    report.installed_version = Some(check.version.clone());
    report.modules = check.modules.clone();
    if report.installed_kind.as_deref() == Some("wheel") && report.installed_file.is_none() {
        report.installed_file = match_wheel(served, &check.tags);
    }
    let imports_ok = status.success();
    let modules_text = if check.modules.is_empty() {
        "no top-level modules to import".to_string()
    } else {
        format!("imported {}", check.modules.join(", "))
    };
    steps.push(Step {
        name: format!("import ({label})"),
        ok: imports_ok,
        seconds: started.elapsed().as_secs_f64(),
        detail: if imports_ok {
            modules_text
        } else {
            "importing the package raised an exception".into()
        },
        output: (!imports_ok).then(|| tail(&stderr, 60)),
    });
    if !imports_ok {
        return (report, steps);
    }
    let version_ok = shipwheel_dist::pep::same_version(&check.version, version);
    steps.push(Step {
        name: format!("version ({label})"),
        ok: version_ok,
        seconds: 0.0,
        detail: format!(
            "importlib.metadata.version({project:?}) is {:?}{}",
            check.version,
            if version_ok {
                String::new()
            } else {
                format!(", expected {version:?}")
            }
        ),
        output: None,
    });
    if !version_ok {
        return (report, steps);
    }

    // 5. The user's smoke test.
    if let Some(smoke) = &opts.smoke {
        let started = Instant::now();
        let mut cmd = if cfg!(windows) {
            let mut c = tokio::process::Command::new("cmd");
            c.arg("/C").arg(smoke);
            c
        } else {
            let mut c = tokio::process::Command::new("sh");
            c.arg("-c").arg(smoke);
            c
        };
        scrub(&mut cmd);
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![venv_bin(&venv)];
        paths.extend(std::env::split_paths(&path));
        if let Ok(joined) = std::env::join_paths(paths) {
            cmd.env("PATH", joined);
        }
        cmd.env("VIRTUAL_ENV", &venv).current_dir(workdir.path());
        let ran = run(cmd, opts.install_timeout).await;
        steps.push(Step {
            name: format!("smoke test ({label})"),
            ok: ran.ok,
            seconds: started.elapsed().as_secs_f64(),
            detail: if ran.ok {
                format!("`{smoke}` passed")
            } else {
                ran.failed(format!("`{smoke}` failed"))
            },
            output: (!ran.ok).then(|| tail(&ran.output, 40)),
        });
        if !ran.ok {
            return (report, steps);
        }
    }
    report.ok = true;
    (report, steps)
}

/// The served wheel whose tags are the installed wheel's tags.
fn match_wheel(served: &[RemoteFile], installed_tags: &[String]) -> Option<String> {
    let wheels: Vec<&RemoteFile> = served
        .iter()
        .filter(|f| f.filename.ends_with(".whl"))
        .collect();
    if wheels.len() == 1 {
        return wheels.first().map(|f| f.filename.clone());
    }
    let mut want: Vec<&String> = installed_tags.iter().collect();
    want.sort();
    wheels
        .iter()
        .find(|f| {
            let mut tags = wheel_tags(&f.filename);
            tags.sort();
            tags.iter().collect::<Vec<_>>() == want
        })
        .map(|f| f.filename.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(extras: &[&str]) -> VerifyOptions {
        VerifyOptions {
            index_url: "http://u:SENTINELpw@127.0.0.1:1/simple/".parse().unwrap(),
            extra_index_urls: extras.iter().map(|s| s.parse().unwrap()).collect(),
            target: Target::Release {
                name: "p".into(),
                version: "1".into(),
            },
            timeout: std::time::Duration::from_secs(1),
            pythons: vec!["python3".into()],
            installer: Installer::Pip,
            smoke: None,
            poll_interval: std::time::Duration::from_millis(10),
            install_timeout: crate::DEFAULT_INSTALL_TIMEOUT,
        }
    }

    #[test]
    fn verified_index_comes_first_for_uv() {
        assert_eq!(
            uv_index_env(&opts(&[])),
            vec![
                ("UV_INDEX_STRATEGY", "first-index".to_string()),
                (
                    "UV_DEFAULT_INDEX",
                    "http://u:SENTINELpw@127.0.0.1:1/simple/".to_string()
                )
            ]
        );
        assert_eq!(
            uv_index_env(&opts(&["http://a/simple/", "http://b/simple/"])),
            vec![
                ("UV_INDEX_STRATEGY", "first-index".to_string()),
                (
                    "UV_INDEX",
                    "http://u:SENTINELpw@127.0.0.1:1/simple/ http://a/simple/".to_string()
                ),
                ("UV_DEFAULT_INDEX", "http://b/simple/".to_string())
            ]
        );
        assert_eq!(
            pip_index_env(&opts(&["http://a/simple/", "http://b/simple/"])),
            vec![
                (
                    "PIP_INDEX_URL",
                    "http://u:SENTINELpw@127.0.0.1:1/simple/".to_string()
                ),
                (
                    "PIP_EXTRA_INDEX_URL",
                    "http://a/simple/ http://b/simple/".to_string()
                )
            ]
        );
    }

    #[test]
    fn options_never_show_a_password() {
        let o = opts(&["http://x:SENTINELextra@127.0.0.1:2/simple/"]);
        let debug = format!("{o:?}");
        assert!(!debug.contains("SENTINEL"), "{debug}");
        assert!(debug.contains("127.0.0.1:1/simple/"), "{debug}");
    }

    #[test]
    fn tail_keeps_the_end() {
        assert_eq!(tail("a\nb\nc", 2), "[... 1 earlier lines]\nb\nc");
        assert_eq!(tail("a", 5), "a");
    }
}

//! The CI event: GitHub Actions' `GITHUB_*` variables and the payload at `GITHUB_EVENT_PATH`.

use std::collections::BTreeMap;

use serde_json::Value;

/// What triggered the run, reduced to what the plan needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Not running in CI (no `GITHUB_EVENT_NAME`).
    Local,
    Push {
        ref_: GitRef,
        /// The push deleted the ref.
        deleted: bool,
    },
    PullRequest {
        number: Option<u64>,
        from_fork: bool,
    },
    /// `workflow_dispatch` with its inputs.
    Dispatch {
        /// The ref the workflow runs on (`GITHUB_REF`).
        ref_: GitRef,
        /// `inputs.target`, as given.
        target: Option<String>,
        /// `inputs.ref`, as given.
        ref_input: Option<String>,
    },
    /// A GitHub release was published for a tag (treated like a tag push).
    Release { tag: String },
    /// A release event other than `published` (created, edited, deleted, ...).
    IgnoredRelease { action: String },
    /// Any other event (schedule, issue_comment, ...).
    Other,
}

/// A branch or a tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GitRef {
    Branch(String),
    Tag(String),
    /// Anything else (e.g. `refs/pull/1/merge`) or missing.
    Other(String),
}

impl GitRef {
    /// From a full ref (`refs/heads/main`) or a short name with a type.
    pub fn parse(full: Option<&str>, name: Option<&str>, kind: Option<&str>) -> GitRef {
        if let Some(full) = full {
            if let Some(b) = full.strip_prefix("refs/heads/") {
                return GitRef::Branch(b.to_string());
            }
            if let Some(t) = full.strip_prefix("refs/tags/") {
                return GitRef::Tag(t.to_string());
            }
        }
        match (name, kind) {
            (Some(n), Some("branch")) => GitRef::Branch(n.to_string()),
            (Some(n), Some("tag")) => GitRef::Tag(n.to_string()),
            _ => GitRef::Other(full.or(name).unwrap_or("").to_string()),
        }
    }

    pub fn full(&self) -> String {
        match self {
            GitRef::Branch(b) => format!("refs/heads/{b}"),
            GitRef::Tag(t) => format!("refs/tags/{t}"),
            GitRef::Other(o) => o.clone(),
        }
    }
}

/// The event with the facts the plan uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiEvent {
    /// `GITHUB_EVENT_NAME`.
    pub name: Option<String>,
    pub trigger: Trigger,
    /// `GITHUB_SHA`.
    pub sha: Option<String>,
    /// `GITHUB_REPOSITORY`.
    pub repository: Option<String>,
    /// From the payload (`repository.default_branch`).
    pub default_branch: Option<String>,
    /// The repository itself is a fork (`repository.fork`).
    pub repository_is_fork: bool,
    /// `GITHUB_REF` as given.
    pub ref_full: Option<String>,
}

/// Every environment variable the event is read from: the caller reads these and no others.
pub const EVENT_VARS: &[&str] = &[
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_REF",
    "GITHUB_REF_NAME",
    "GITHUB_REF_TYPE",
    "GITHUB_REPOSITORY",
    "GITHUB_SHA",
];

/// Read the event from environment variables and the payload text (if any).
pub fn parse_event(
    env: &BTreeMap<String, String>,
    payload: Option<&str>,
) -> Result<CiEvent, String> {
    let get = |k: &str| {
        debug_assert!(EVENT_VARS.contains(&k), "{k} is missing from EVENT_VARS");
        env.get(k).map(String::as_str).filter(|v| !v.is_empty())
    };
    let payload: Value = match payload {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| format!("the event payload (GITHUB_EVENT_PATH) is not valid JSON: {e}"))?,
        None => Value::Null,
    };
    let str_at = |path: &[&str]| -> Option<String> {
        let mut v = &payload;
        for key in path {
            v = v.get(key)?;
        }
        v.as_str().map(str::to_string)
    };
    let bool_at = |path: &[&str]| -> bool {
        let mut v = &payload;
        for key in path {
            match v.get(key) {
                Some(next) => v = next,
                None => return false,
            }
        }
        v.as_bool().unwrap_or(false)
    };

    let name = get("GITHUB_EVENT_NAME").map(str::to_string);
    let ref_full = get("GITHUB_REF").map(str::to_string);
    let ref_ = GitRef::parse(
        get("GITHUB_REF").or(payload.get("ref").and_then(Value::as_str)),
        get("GITHUB_REF_NAME"),
        get("GITHUB_REF_TYPE"),
    );
    let trigger = match name.as_deref() {
        None => Trigger::Local,
        Some("push") => Trigger::Push {
            ref_,
            deleted: bool_at(&["deleted"]),
        },
        Some("pull_request") | Some("pull_request_target") => {
            let head = str_at(&["pull_request", "head", "repo", "full_name"]);
            let base = str_at(&["pull_request", "base", "repo", "full_name"])
                .or_else(|| get("GITHUB_REPOSITORY").map(str::to_string));
            let from_fork = bool_at(&["pull_request", "head", "repo", "fork"])
                || matches!((&head, &base), (Some(h), Some(b)) if h != b);
            Trigger::PullRequest {
                number: payload.get("number").and_then(Value::as_u64).or_else(|| {
                    payload
                        .pointer("/pull_request/number")
                        .and_then(Value::as_u64)
                }),
                from_fork,
            }
        }
        Some("workflow_dispatch") => {
            // A non-string input (e.g. a boolean) must not be read as "no input".
            let input = |key: &str| -> Result<Option<String>, String> {
                match payload.pointer(&format!("/inputs/{key}")) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.clone()).filter(|s| !s.is_empty())),
                    Some(other) => Err(format!(
                        "workflow_dispatch input {key} = {other} is not a string; declare it as a string or choice input"
                    )),
                }
            };
            Trigger::Dispatch {
                ref_,
                target: input("target")?,
                ref_input: input("ref")?,
            }
        }
        Some("release") => match str_at(&["action"]).as_deref() {
            // `published` covers releases and pre-releases; drafts, edits and deletions don't publish.
            None | Some("published") => match str_at(&["release", "tag_name"]) {
                Some(tag) => Trigger::Release { tag },
                None => match ref_ {
                    GitRef::Tag(tag) => Trigger::Release { tag },
                    _ => Trigger::Other,
                },
            },
            Some(action) => Trigger::IgnoredRelease {
                action: action.to_string(),
            },
        },
        Some(_) => Trigger::Other,
    };
    Ok(CiEvent {
        name,
        trigger,
        sha: get("GITHUB_SHA").map(str::to_string),
        repository: get("GITHUB_REPOSITORY").map(str::to_string),
        default_branch: str_at(&["repository", "default_branch"]),
        repository_is_fork: bool_at(&["repository", "fork"]),
        ref_full,
    })
}

/// Read the event from the [`EVENT_VARS`] that are set (reads the payload file).
pub fn from_env(vars: impl IntoIterator<Item = (String, String)>) -> Result<CiEvent, String> {
    let env: BTreeMap<String, String> = vars.into_iter().collect();
    let payload = match env.get("GITHUB_EVENT_PATH").filter(|p| !p.is_empty()) {
        Some(path) if env.contains_key("GITHUB_EVENT_NAME") => {
            Some(std::fs::read_to_string(path).map_err(|e| {
                format!("cannot read the event payload at {path} (GITHUB_EVENT_PATH): {e}")
            })?)
        }
        _ => None,
    };
    parse_event(&env, payload.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn push_tag() {
        let e = parse_event(
            &env(&[
                ("GITHUB_EVENT_NAME", "push"),
                ("GITHUB_REF", "refs/tags/v1.0"),
                ("GITHUB_SHA", "abc"),
            ]),
            Some(r#"{"ref":"refs/tags/v1.0","deleted":false,"repository":{"default_branch":"main","fork":false}}"#),
        )
        .unwrap();
        assert_eq!(
            e.trigger,
            Trigger::Push {
                ref_: GitRef::Tag("v1.0".into()),
                deleted: false
            }
        );
        assert_eq!(e.default_branch.as_deref(), Some("main"));
    }

    #[test]
    fn fork_pull_request() {
        let e = parse_event(
            &env(&[("GITHUB_EVENT_NAME", "pull_request"), ("GITHUB_REPOSITORY", "o/r")]),
            Some(r#"{"number":7,"pull_request":{"head":{"repo":{"full_name":"x/r","fork":true}},"base":{"repo":{"full_name":"o/r"}}}}"#),
        )
        .unwrap();
        assert_eq!(
            e.trigger,
            Trigger::PullRequest {
                number: Some(7),
                from_fork: true
            }
        );
    }

    #[test]
    fn dispatch_input_that_is_not_a_string_is_an_error() {
        let e = env(&[("GITHUB_EVENT_NAME", "workflow_dispatch")]);
        let err = parse_event(&e, Some(r#"{"inputs":{"target":5}}"#)).unwrap_err();
        assert!(err.contains("input target = 5 is not a string"), "{err}");
        let err = parse_event(&e, Some(r#"{"inputs":{"ref":true}}"#)).unwrap_err();
        assert!(err.contains("input ref = true"), "{err}");
        assert!(parse_event(&e, Some(r#"{"inputs":{"target":null}}"#)).is_ok());
    }

    #[test]
    fn dispatch_inputs_and_local() {
        let e = parse_event(
            &env(&[
                ("GITHUB_EVENT_NAME", "workflow_dispatch"),
                ("GITHUB_REF", "refs/heads/main"),
            ]),
            Some(r#"{"inputs":{"target":"pypi","ref":"v1.0"}}"#),
        )
        .unwrap();
        assert_eq!(
            e.trigger,
            Trigger::Dispatch {
                ref_: GitRef::Branch("main".into()),
                target: Some("pypi".into()),
                ref_input: Some("v1.0".into())
            }
        );
        assert_eq!(
            parse_event(&env(&[]), None).unwrap().trigger,
            Trigger::Local
        );
        assert!(parse_event(&env(&[("GITHUB_EVENT_NAME", "push")]), Some("{")).is_err());
    }

    #[test]
    fn ref_parsing() {
        assert_eq!(
            GitRef::parse(None, Some("v1"), Some("tag")),
            GitRef::Tag("v1".into())
        );
        assert_eq!(
            GitRef::parse(Some("refs/pull/3/merge"), None, None),
            GitRef::Other("refs/pull/3/merge".into())
        );
    }
}

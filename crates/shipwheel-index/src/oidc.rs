//! Trusted publishing (OIDC): ask the index for its audience, get the CI's identity token for it,
//! exchange it for a short-lived upload token, and explain a refusal with the token's claims.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::body::{BodyError, CappedBody, MAX_OIDC_REPLY};
use crate::read::error_chain_text;
use crate::secret::{Secret, redact_url};

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error(
        "trusted publishing needs an OIDC token from the CI, but ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: add `permissions: id-token: write` to the job"
    )]
    NoAmbientCredentials,
    #[error("the index at {url} does not support trusted publishing ({detail})")]
    NotSupported { url: String, detail: String },
    #[error("{step} failed: {message}")]
    Transport { step: &'static str, message: String },
    #[error("{step}: unexpected reply (HTTP {status}): {message}")]
    Unexpected {
        step: &'static str,
        status: u16,
        message: String,
    },
    #[error(
        "the index refused the trusted-publishing token exchange:\n{}",
        render_refusal(errors, claims)
    )]
    Refused {
        errors: Vec<(String, String)>,
        claims: Vec<(String, String)>,
    },
}

fn render_refusal(errors: &[(String, String)], claims: &[(String, String)]) -> String {
    let mut out = String::new();
    for (code, desc) in errors {
        out.push_str(&format!("  * `{code}`: {desc}\n"));
    }
    if !claims.is_empty() {
        out.push_str(
            "The token's claims, which must match the trusted publisher configured on the index:\n",
        );
        for (k, v) in claims {
            out.push_str(&format!("  {k}: {v}\n"));
        }
    }
    let reusable = claims
        .iter()
        .find(|(k, _)| k == "workflow_ref")
        .map(|(_, v)| v)
        != claims
            .iter()
            .find(|(k, _)| k == "job_workflow_ref")
            .map(|(_, v)| v);
    if reusable && claims.iter().any(|(k, _)| k == "job_workflow_ref") {
        out.push_str("Note: workflow_ref and job_workflow_ref differ: this job runs in a reusable workflow, which trusted publishers do not support well; publish from the top-level workflow.\n");
    }
    out.push_str("Fix the trusted publisher on the index (owner, repository, workflow file, environment) or these values, then re-run.");
    out
}

/// The claims that decide whether a publisher matches, decoded from a JWT's payload (no
/// signature check: this is only for explaining a refusal).
pub fn relevant_claims(jwt: &str) -> Vec<(String, String)> {
    use base64::Engine as _;
    let Some(payload) = jwt.split('.').nth(1) else {
        return Vec::new();
    };
    let Ok(bytes) =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('='))
    else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    const KEYS: &[&str] = &[
        "sub",
        "repository",
        "repository_owner",
        "repository_owner_id",
        "workflow_ref",
        "job_workflow_ref",
        "ref",
        "environment",
        "event_name",
    ];
    KEYS.iter()
        .filter_map(|k| {
            let v = value.get(*k)?;
            let text = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            Some((k.to_string(), text))
        })
        .collect()
}

/// Where the CI hands out identity tokens (GitHub Actions).
#[derive(Clone, Debug)]
pub struct GithubOidc {
    pub request_url: String,
    pub request_token: Secret,
}

impl GithubOidc {
    /// From `ACTIONS_ID_TOKEN_REQUEST_URL` / `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Option<GithubOidc> {
        let url = get("ACTIONS_ID_TOKEN_REQUEST_URL").filter(|s| !s.is_empty())?;
        let token = get("ACTIONS_ID_TOKEN_REQUEST_TOKEN").filter(|s| !s.is_empty())?;
        Some(GithubOidc {
            request_url: url,
            request_token: Secret::new(token),
        })
    }
}

/// An upload token minted by the index.
#[derive(Clone, Debug)]
pub struct MintedToken {
    pub token: Secret,
    /// Unix time the token expires, when the index says.
    pub expires: Option<u64>,
}

impl MintedToken {
    /// Whether it expires within `margin` from now.
    pub fn expires_within(&self, margin: Duration) -> bool {
        let Some(exp) = self.expires else {
            return false;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        exp <= now + margin.as_secs()
    }
}

/// Runs the exchange against one index.
#[derive(Clone, Debug)]
pub struct TrustedPublisher {
    http: reqwest::Client,
    /// `scheme://host[:port]` of the upload URL.
    origin: url::Url,
    github: GithubOidc,
}

impl TrustedPublisher {
    pub fn new(
        upload_url: &url::Url,
        github: GithubOidc,
        timeout: Duration,
    ) -> Result<Self, OidcError> {
        let mut origin = upload_url.clone();
        origin.set_path("/");
        origin.set_query(None);
        origin.set_fragment(None);
        let _ = origin.set_username("");
        let _ = origin.set_password(None);
        let http = reqwest::Client::builder()
            .user_agent(crate::user_agent())
            .timeout(timeout)
            .build()
            .map_err(|e| OidcError::Transport {
                step: "building the HTTP client",
                message: error_chain_text(&e),
            })?;
        Ok(TrustedPublisher {
            http,
            origin,
            github,
        })
    }

    fn endpoint(&self, path: &str) -> Result<url::Url, OidcError> {
        self.origin.join(path).map_err(|e| OidcError::Transport {
            step: "building the URL",
            message: e.to_string(),
        })
    }

    /// `GET /_/oidc/audience` → `{"audience": "pypi"}`.
    pub async fn audience(&self) -> Result<String, OidcError> {
        let url = self.endpoint("_/oidc/audience")?;
        let step = "asking the index for its OIDC audience";
        let (status, body) = exchange(step, self.http.get(url.clone())).await?;
        match status {
            200 => json_str(&body, "audience").ok_or_else(|| OidcError::Unexpected {
                step,
                status,
                message: "no `audience` in the reply".into(),
            }),
            403 | 404 => Err(OidcError::NotSupported {
                url: redact_url(url.as_str()),
                detail: json_str(&body, "message").unwrap_or_else(|| format!("HTTP {status}")),
            }),
            _ => Err(OidcError::Unexpected {
                step,
                status,
                message: short(&body),
            }),
        }
    }

    /// The CI's identity token for `audience`.
    pub async fn identity_token(&self, audience: &str) -> Result<Secret, OidcError> {
        let step = "requesting an OIDC token from GitHub Actions";
        let mut url =
            url::Url::parse(&self.github.request_url).map_err(|e| OidcError::Transport {
                step,
                message: format!("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: {e}"),
            })?;
        url.query_pairs_mut().append_pair("audience", audience);
        let request = self.http.get(url).header(
            reqwest::header::AUTHORIZATION,
            crate::secret::sensitive_header(&format!(
                "bearer {}",
                self.github.request_token.expose()
            )),
        );
        let (status, body) = exchange(step, request).await?;
        if status != 200 {
            return Err(OidcError::Unexpected {
                step,
                status,
                message: "is the `id-token: write` permission missing?".into(),
            });
        }
        json_str(&body, "value")
            .map(Secret::new)
            .ok_or_else(|| OidcError::Unexpected {
                step,
                status,
                message: "no `value` in the reply".into(),
            })
    }

    /// Exchange an identity token at `/_/oidc/mint-token`.
    pub async fn mint(&self, identity: &Secret) -> Result<MintedToken, OidcError> {
        let step = "exchanging the OIDC token at the index";
        let url = self.endpoint("_/oidc/mint-token")?;
        let request = self
            .http
            .post(url)
            .json(&serde_json::json!({ "token": identity.expose() }));
        let (status, body) = exchange(step, request).await?;
        let value: Option<serde_json::Value> = serde_json::from_str(&body).ok();
        if status == 200 {
            let token = value
                .as_ref()
                .and_then(|v| v.get("token"))
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| OidcError::Unexpected {
                    step,
                    status,
                    message: "no `token` in the reply".into(),
                })?;
            let expires = value
                .as_ref()
                .and_then(|v| v.get("expires"))
                .and_then(|e| e.as_u64());
            return Ok(MintedToken {
                token: Secret::new(token),
                expires,
            });
        }
        let errors: Vec<(String, String)> = value
            .as_ref()
            .and_then(|v| v.get("errors"))
            .and_then(|e| e.as_array())
            .map(|list| {
                list.iter()
                    .map(|e| {
                        let field =
                            |k: &str| e.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
                        (field("code"), field("description"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if status == 422 || !errors.is_empty() {
            let errors = if errors.is_empty() {
                vec![("unknown".into(), short(&body))]
            } else {
                errors
            };
            return Err(OidcError::Refused {
                errors,
                claims: relevant_claims(identity.expose()),
            });
        }
        Err(OidcError::Unexpected {
            step,
            status,
            message: short(&body),
        })
    }

    /// Audience, identity token and exchange in one go.
    pub async fn mint_fresh(&self) -> Result<MintedToken, OidcError> {
        let audience = self.audience().await?;
        let identity = self.identity_token(&audience).await?;
        self.mint(&identity).await
    }
}

/// Send one request of the trusted-publishing exchange; its status and body (empty when the body
/// cannot be read, so the caller reports the status).
async fn exchange(
    step: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<(u16, String), OidcError> {
    let resp = request.send().await.map_err(|e| OidcError::Transport {
        step,
        message: error_chain_text(&e),
    })?;
    let status = resp.status().as_u16();
    let body = match CappedBody::new(resp, "a trusted-publishing reply", MAX_OIDC_REPLY) {
        Ok(body) => body.text().await,
        Err(e) => Err(e),
    };
    match body {
        Ok(text) => Ok((status, text)),
        Err(e @ BodyError::TooLarge { .. }) => Err(OidcError::Transport {
            step,
            message: e.to_string(),
        }),
        Err(BodyError::Transport { .. }) => Ok((status, String::new())),
    }
}

fn json_str(body: &str, key: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get(key)?
        .as_str()
        .map(str::to_string)
}

fn short(body: &str) -> String {
    body.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        use base64::Engine as _;
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", e.encode("{}"), e.encode(payload))
    }

    #[test]
    fn decodes_the_claims_that_matter() {
        let t = jwt(
            r#"{"repository":"o/r","workflow_ref":"o/r/.github/workflows/a.yml@refs/heads/main","job_workflow_ref":"o/x/.github/workflows/b.yml@v1","ref":"refs/tags/v1","environment":"pypi","aud":"pypi"}"#,
        );
        let c = relevant_claims(&t);
        assert!(c.contains(&("repository".into(), "o/r".into())));
        assert!(c.contains(&("environment".into(), "pypi".into())));
        assert!(!c.iter().any(|(k, _)| k == "aud"));
        let err = OidcError::Refused {
            errors: vec![(
                "invalid-publisher".into(),
                "no corresponding publisher".into(),
            )],
            claims: c,
        };
        let text = err.to_string();
        assert!(text.contains("invalid-publisher"));
        assert!(text.contains("refs/tags/v1"));
        assert!(text.contains("reusable workflow"));
    }

    #[test]
    fn garbage_tokens_give_no_claims() {
        assert!(relevant_claims("nope").is_empty());
        assert!(relevant_claims("a.!!!.c").is_empty());
        assert!(relevant_claims(&jwt("not json")).is_empty());
    }

    #[test]
    fn expiry_margin() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let t = MintedToken {
            token: Secret::new("x"),
            expires: Some(now + 60),
        };
        assert!(t.expires_within(Duration::from_secs(300)));
        assert!(!t.expires_within(Duration::from_secs(10)));
        assert!(
            !MintedToken {
                token: Secret::new("x"),
                expires: None
            }
            .expires_within(Duration::from_secs(300))
        );
    }
}

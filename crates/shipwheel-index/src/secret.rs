//! Secrets (passwords, API tokens, OIDC tokens) and URL redaction.
//!
//! A [`Secret`] never prints its value: `Debug` and `Display` both show `****`. The only way to
//! read it is [`Secret::expose`], which is used where the value goes on the wire.

use std::fmt;

/// A value that must never appear in output, logs or error messages.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for an `Authorization` header or a request body.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

/// Username and password (or `__token__` and an API token) for HTTP Basic auth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

impl Credentials {
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }

    /// An API token: user `__token__`.
    pub fn token(token: impl Into<Secret>) -> Self {
        Credentials::new("__token__", token)
    }

    /// `Basic <base64(user:password)>`, for an `Authorization` header.
    pub fn basic_header(&self) -> String {
        use base64::Engine as _;
        let raw = format!("{}:{}", self.username, self.password.expose());
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
        )
    }
}

/// A URL safe to print: userinfo, query and fragment removed (a query may carry a token).
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => "<unparsable URL>".to_string(),
    }
}

/// Take credentials out of a URL's userinfo: returns the URL without them, and the credentials.
pub fn split_userinfo(url: &url::Url) -> (url::Url, Option<Credentials>) {
    let mut clean = url.clone();
    let user = url.username();
    let creds = if user.is_empty() && url.password().is_none() {
        None
    } else {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        Some(Credentials::new(
            decode(user),
            Secret::new(decode(url.password().unwrap_or(""))),
        ))
    };
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    (clean, creds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_formats_its_value() {
        let s = Secret::new("pypi-SENTINEL");
        assert_eq!(format!("{s}"), "****");
        assert!(!format!("{s:?}").contains("SENTINEL"));
        let c = Credentials::token("pypi-SENTINEL");
        assert!(!format!("{c:?}").contains("SENTINEL"));
        assert_eq!(s.expose(), "pypi-SENTINEL");
    }

    #[test]
    fn basic_header_encodes_user_and_password() {
        let c = Credentials::new("uploader", "s3cret");
        assert_eq!(c.basic_header(), "Basic dXBsb2FkZXI6czNjcmV0");
    }

    #[test]
    fn redact_url_drops_userinfo_and_query() {
        assert_eq!(
            redact_url("https://u:pw@example.invalid/simple/?token=x#frag"),
            "https://example.invalid/simple/"
        );
        assert_eq!(redact_url("not a url"), "<unparsable URL>");
    }

    #[test]
    fn split_userinfo_extracts_credentials() {
        let u = url::Url::parse("http://us%40er:p%3Aw@127.0.0.1:8/x/").unwrap();
        let (clean, creds) = split_userinfo(&u);
        assert_eq!(clean.as_str(), "http://127.0.0.1:8/x/");
        let creds = creds.unwrap();
        assert_eq!(creds.username, "us@er");
        assert_eq!(creds.password.expose(), "p:w");
        let (_, none) = split_userinfo(&url::Url::parse("http://127.0.0.1/").unwrap());
        assert!(none.is_none());
    }
}

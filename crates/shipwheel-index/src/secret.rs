//! Secrets (passwords, API tokens, OIDC tokens) and URL redaction.
//!
//! A [`Secret`] never prints its value: `Debug` and `Display` both show `****`. The only way to
//! read it is [`Secret::expose`], which is used where the value goes on the wire.
//!
//! Text shipwheel did not write itself (a server's reply, a tool's output, a dependency's log
//! line) may still carry a secret it was sent: a proxy that echoes the `Authorization` header,
//! an installer that prints its index URL. So every secret, when it is made, also registers
//! every form it can travel in (raw, percent-encoded, JSON-escaped, base64 alone and as the
//! Basic-auth `user:password`), and [`redact`] replaces all of them in any text. The binary runs
//! everything it prints or logs through [`redact`].

use std::fmt;
use std::sync::{Mutex, PoisonError};

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "****";

/// Shorter values are not searched for in text: they would match everywhere. They are still
/// never formatted by [`Secret`].
const MIN_REDACTED_LEN: usize = 4;

/// Every form of every secret made in this process, longest first.
static FORMS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn register_forms(forms: impl IntoIterator<Item = String>) {
    let mut known = FORMS.lock().unwrap_or_else(PoisonError::into_inner);
    let mut changed = false;
    for form in forms {
        if form.len() >= MIN_REDACTED_LEN && !known.contains(&form) {
            known.push(form);
            changed = true;
        }
    }
    if changed {
        // Longest first, so a form that contains another is replaced whole.
        known.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }
}

/// The ways `value` can appear in text: as is, percent-encoded (URL userinfo, query, form),
/// JSON-escaped, and base64 (standard and URL-safe, with and without padding).
fn text_forms(value: &str) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let mut forms = vec![value.to_string()];
    forms.push(utf8_percent_encode(value, NON_ALPHANUMERIC).to_string());
    forms.push(url::form_urlencoded::byte_serialize(value.as_bytes()).collect());
    if let Ok(mut u) = url::Url::parse("http://h/")
        && u.set_password(Some(value)).is_ok()
        && let Some(p) = u.password()
    {
        forms.push(p.to_string());
    }
    if let Ok(json) = serde_json::to_string(value) {
        forms.push(json.trim_matches('"').to_string());
    }
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        forms.push(engine.encode(value.as_bytes()));
    }
    forms
}

/// `text` with every form of every secret made so far replaced by `****`.
pub fn redact(text: &str) -> String {
    let known = FORMS.lock().unwrap_or_else(PoisonError::into_inner);
    let mut out = text.to_string();
    for form in known.iter() {
        if out.contains(form.as_str()) {
            out = out.replace(form.as_str(), REDACTED);
        }
    }
    out
}

/// A value that must never appear in output, logs or error messages.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register_forms(text_forms(&value));
        Secret(value)
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
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
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
        let username = username.into();
        let password = password.into();
        if !password.is_empty() {
            // The Basic-auth form: base64 of `user:password` contains no form of the password.
            register_forms(text_forms(&format!("{username}:{}", password.expose())));
        }
        Credentials { username, password }
    }

    /// An API token: user `__token__`.
    pub fn token(token: impl Into<Secret>) -> Self {
        Credentials::new("__token__", token)
    }

    /// The `Authorization` header value, marked sensitive: HTTP libraries never log or
    /// Debug-print it (`Sensitive`), and HTTP/2 never puts it in a compression table.
    pub fn authorization(&self) -> reqwest::header::HeaderValue {
        sensitive_header(&self.basic_header())
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

/// A header value holding a secret, marked sensitive (an invalid value becomes an empty one,
/// which the index refuses like wrong credentials).
pub fn sensitive_header(value: &str) -> reqwest::header::HeaderValue {
    let mut v = reqwest::header::HeaderValue::from_str(value)
        .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static(""));
    v.set_sensitive(true);
    v
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

/// A URL that may carry credentials (`https://user:password@host/simple/`) and still prints
/// safely: `Display` and `Debug` show it without userinfo, query and fragment, and the
/// credentials are held as [`Credentials`] (so every form of the password is redacted from any
/// text). [`RedactedUrl::expose`] rebuilds the whole URL for the one place it is handed on.
#[derive(Clone, PartialEq, Eq)]
pub struct RedactedUrl {
    /// The URL without userinfo (query and fragment kept: requests need them).
    url: url::Url,
    credentials: Option<Credentials>,
}

/// Why a URL could not be read; the message never holds the URL's userinfo.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(String);

impl RedactedUrl {
    /// Parse an http(s) URL, taking credentials out of its userinfo.
    pub fn parse(text: &str) -> Result<RedactedUrl, UrlError> {
        let parsed = url::Url::parse(text.trim())
            .map_err(|e| UrlError(format!("`{}` is not a URL: {e}", redact_url(text.trim()))))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(UrlError(format!(
                "`{}` is not an http or https URL",
                redact_url(text.trim())
            )));
        }
        let (url, credentials) = split_userinfo(&parsed);
        Ok(RedactedUrl { url, credentials })
    }

    /// The URL without credentials, for an HTTP client that sends them as a header.
    pub fn without_credentials(&self) -> &url::Url {
        &self.url
    }

    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The whole URL with its credentials, for handing to a tool through its environment.
    /// Never print it.
    pub fn expose(&self) -> String {
        let mut u = self.url.clone();
        if let Some(c) = &self.credentials {
            let _ = u.set_username(&c.username);
            let _ = u.set_password(Some(c.password.expose()).filter(|p| !p.is_empty()));
        }
        u.to_string()
    }
}

impl std::str::FromStr for RedactedUrl {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RedactedUrl::parse(s)
    }
}

impl fmt::Display for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(self.url.as_str()))
    }
}

impl fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedactedUrl")
            .field("url", &redact_url(self.url.as_str()))
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// `text` with the userinfo of every URL in it replaced by `****` (`https://u:p@h/` →
/// `https://****@h/`): for text that may quote a URL nobody parsed, such as a usage error that
/// repeats an argument.
pub fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#' | '\'' | '"' | '`') || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(i) => {
                out.push_str(REDACTED);
                out.push_str(&authority[i..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
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
    fn redact_replaces_every_form_of_a_secret() {
        use base64::Engine as _;
        let password = "SENTINEL p@ss/w:rd%+\"x";
        let c = Credentials::new("uploader", password);
        let basic = c.basic_header();
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let url_b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let percent =
            percent_encoding::utf8_percent_encode(password, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let mut in_url = url::Url::parse("http://127.0.0.1/simple/").unwrap();
        in_url.set_username("uploader").unwrap();
        in_url.set_password(Some(password)).unwrap();
        let json = serde_json::to_string(password).unwrap();
        let forms = [
            password.to_string(),
            basic.clone(),
            b64(&format!("uploader:{password}")),
            url_b64(&format!("uploader:{password}")),
            b64(password),
            percent.clone(),
            in_url.to_string(),
            json.clone(),
        ];
        for form in &forms {
            let text = format!("HTTP 403 you sent <{form}> here");
            let clean = redact(&text);
            assert!(clean.contains(REDACTED), "{form} -> {clean}");
            for leaked in [
                password,
                percent.as_str(),
                basic.trim_start_matches("Basic "),
            ] {
                assert!(!clean.contains(leaked), "{form} -> {clean}");
            }
            assert!(!clean.contains("SENTINEL"), "{form} -> {clean}");
        }
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn a_token_is_redacted_as_made() {
        let t: Secret = "pypi-SENTINELfromclap".to_string().into();
        assert_eq!(redact("token=pypi-SENTINELfromclap;"), "token=****;");
        assert_eq!(t.expose(), "pypi-SENTINELfromclap");
    }

    #[test]
    fn a_redacted_url_never_shows_its_password() {
        let u: RedactedUrl = "http://us%40er:SENTINEL%2Fpw@127.0.0.1:8/simple/?k=SENTINELq"
            .parse()
            .unwrap();
        assert_eq!(u.to_string(), "http://127.0.0.1:8/simple/");
        let debug = format!("{u:?}");
        assert!(!debug.contains("SENTINEL"), "{debug}");
        assert!(debug.contains("us@er"), "{debug}");
        assert_eq!(u.credentials().unwrap().password.expose(), "SENTINEL/pw");
        assert_eq!(
            u.expose(),
            "http://us%40er:SENTINEL%2Fpw@127.0.0.1:8/simple/?k=SENTINELq"
        );
        assert_eq!(
            u.without_credentials().as_str(),
            "http://127.0.0.1:8/simple/?k=SENTINELq"
        );
        let err = RedactedUrl::parse("ftp://u:SENTINEL@h/").unwrap_err();
        assert!(!err.to_string().contains("SENTINEL"), "{err}");
        let err = RedactedUrl::parse("http://u:SENTINEL@[::1/").unwrap_err();
        assert!(!err.to_string().contains("SENTINEL"), "{err}");
    }

    #[test]
    fn userinfo_is_taken_out_of_urls_in_text() {
        assert_eq!(
            redact_userinfo("invalid value 'ftp://u:p%40ss@h:1/x' for '--index-url <URL>'"),
            "invalid value 'ftp://****@h:1/x' for '--index-url <URL>'"
        );
        assert_eq!(
            redact_userinfo("a http://h/p?q=a@b and https://x:y@z"),
            "a http://h/p?q=a@b and https://****@z"
        );
        assert_eq!(redact_userinfo("no url here"), "no url here");
    }

    #[test]
    fn the_authorization_header_is_sensitive() {
        let v = Credentials::token("pypi-SENTINELhdr").authorization();
        assert!(v.is_sensitive());
        assert!(!format!("{v:?}").contains("SENTINEL"), "{v:?}");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, v);
        assert!(!format!("{headers:?}").contains("SENTINEL"), "{headers:?}");
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

//! Reading a reply's body against a cap: whatever a server sends (a `Content-Length` it does not
//! keep, an endless chunked body), shipwheel never holds more than the cap of it. Every body
//! read from an index, an upload endpoint or an OIDC service goes through [`CappedBody`].

use bytes::Bytes;

use crate::read::error_chain_text;
use crate::secret::redact_url;

/// A project page (PEP 691 JSON or PEP 503 HTML). PyPI's largest are around ten MB.
pub const MAX_PAGE: u64 = 64 * 1024 * 1024;
/// A reply of the trusted-publishing exchange (a token, an audience, or a list of errors).
pub const MAX_OIDC_REPLY: u64 = 1024 * 1024;
/// An upload's reply: only its message matters.
pub const MAX_UPLOAD_REPLY: u64 = 64 * 1024;
/// A distribution file downloaded to be hashed (streamed, never held): PyPI's largest allowed
/// file is 1 GiB.
pub const MAX_DOWNLOAD: u64 = 4 * 1024 * 1024 * 1024;

/// Why a body could not be read. Messages name the URL without credentials or query.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error(
        "the reply from {url} is larger than {cap}, the most shipwheel reads for {what}; check that the URL points at the right server"
    )]
    TooLarge {
        url: String,
        cap: String,
        what: &'static str,
    },
    #[error("cannot read the reply from {url}: {message}")]
    Transport {
        url: String,
        message: String,
        /// A timeout or a broken connection: trying again may help.
        retryable: bool,
    },
}

/// A reply body read chunk by chunk, failing once more than `cap` bytes arrive.
pub struct CappedBody {
    response: reqwest::Response,
    url: String,
    what: &'static str,
    cap: u64,
    read: u64,
}

impl CappedBody {
    /// Refuses at once a reply whose `Content-Length` is over the cap. `what` names the kind
    /// of reply for the message ("a project page").
    pub fn new(
        response: reqwest::Response,
        what: &'static str,
        cap: u64,
    ) -> Result<CappedBody, BodyError> {
        let url = redact_url(response.url().as_str());
        let body = CappedBody {
            response,
            url,
            what,
            cap,
            read: 0,
        };
        match body.response.content_length() {
            Some(len) if len > cap => Err(body.too_large()),
            _ => Ok(body),
        }
    }

    fn too_large(&self) -> BodyError {
        BodyError::TooLarge {
            url: self.url.clone(),
            cap: human_size(self.cap),
            what: self.what,
        }
    }

    /// The next chunk, or `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, BodyError> {
        let chunk = self
            .response
            .chunk()
            .await
            .map_err(|e| BodyError::Transport {
                url: self.url.clone(),
                message: error_chain_text(&e),
                retryable: e.is_timeout() || e.is_body() || e.is_request(),
            })?;
        if let Some(c) = &chunk {
            self.read += c.len() as u64;
            if self.read > self.cap {
                return Err(self.too_large());
            }
        }
        Ok(chunk)
    }

    /// The whole body.
    pub async fn bytes(mut self) -> Result<Vec<u8>, BodyError> {
        let mut out = Vec::new();
        while let Some(c) = self.chunk().await? {
            out.extend_from_slice(&c);
        }
        Ok(out)
    }

    /// The whole body as text (invalid UTF-8 replaced).
    pub async fn text(self) -> Result<String, BodyError> {
        let bytes = self.bytes().await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// `64 MiB`, `1 MiB`, `64 KiB`, `100 bytes`.
pub fn human_size(n: u64) -> String {
    const KIB: u64 = 1024;
    if n >= KIB * KIB && n.is_multiple_of(KIB * KIB) {
        format!("{} MiB", n / (KIB * KIB))
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(MAX_PAGE), "64 MiB");
        assert_eq!(human_size(MAX_UPLOAD_REPLY), "64 KiB");
        assert_eq!(human_size(MAX_DOWNLOAD), "4096 MiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}

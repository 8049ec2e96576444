//! Talking to package indexes: reading what an index has (PEP 691 / PEP 503 simple API, PyPI's
//! JSON API), uploading with the legacy protocol, credentials and trusted publishing.

pub mod body;
pub mod oidc;
pub mod publish;
pub mod pypirc;
pub mod read;
pub mod secret;
pub mod targets;
pub mod upload;

pub use read::{IndexClient, ReadError, RemoteFile};
pub use secret::{Credentials, Secret};

/// The User-Agent shipwheel sends.
pub fn user_agent() -> String {
    format!("shipwheel/{}", env!("CARGO_PKG_VERSION"))
}
/// The HTTP client type the readers and the uploader share.
pub use reqwest::Client as HttpClient;

//! Talking to package indexes: reading what an index has (PEP 691 / PEP 503 simple API, PyPI's
//! JSON API), uploading with the legacy protocol, credentials and trusted publishing.

pub mod read;
pub mod targets;

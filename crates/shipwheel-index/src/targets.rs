//! The indexes shipwheel knows by name. This is the only place their addresses are written.

/// Where to upload and where to read, for one index.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct IndexTarget {
    /// `pypi`, `testpypi`, or a user-given name.
    pub name: String,
    /// Legacy upload endpoint.
    pub upload_url: String,
    /// PEP 503/691 simple index root (ends with `/`).
    pub simple_url: String,
    /// PyPI-style JSON API root (`<root>/pypi/<project>/json`), when the index has one.
    pub json_api_url: Option<String>,
}

impl IndexTarget {
    pub fn pypi() -> Self {
        IndexTarget {
            name: "pypi".into(),
            upload_url: "https://upload.pypi.org/legacy/".into(),
            simple_url: "https://pypi.org/simple/".into(),
            json_api_url: Some("https://pypi.org/pypi/".into()),
        }
    }

    pub fn testpypi() -> Self {
        IndexTarget {
            name: "testpypi".into(),
            upload_url: "https://test.pypi.org/legacy/".into(),
            simple_url: "https://test.pypi.org/simple/".into(),
            json_api_url: Some("https://test.pypi.org/pypi/".into()),
        }
    }

    /// A known index by name (`pypi`, `testpypi`).
    pub fn known(name: &str) -> Option<Self> {
        match name {
            "pypi" => Some(Self::pypi()),
            "testpypi" => Some(Self::testpypi()),
            _ => None,
        }
    }

    /// True for PyPI and TestPyPI themselves (rules such as the 14-day upload window apply).
    pub fn is_warehouse(&self) -> bool {
        matches!(self.name.as_str(), "pypi" | "testpypi")
    }
}

//! Reading the legacy upload form with bounded memory.
//!
//! Every part is read against a running cap: a text field may hold [`MAX_TEXT_FIELD`] and all of
//! them together [`MAX_FORM_TEXT`]; the file part is streamed to disk up to the file-size limit.
//! What the multipart parser buffers outside field data (boundaries, part headers, a preamble)
//! is capped by [`MAX_HELD`], and the request as a whole by [`request_limit`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, StatusCode, header};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::inspect::{self, Hashers};

const MIB: u64 = 1024 * 1024;
/// Cap on one text field. PyPI limits no field but Summary; the long description is the big
/// one, and real ones stay far below this.
pub const MAX_TEXT_FIELD: u64 = 8 * MIB;
/// Cap on all text fields of one upload together.
pub const MAX_FORM_TEXT: u64 = 32 * MIB;
/// Cap on what the parser holds that is not yet field data: boundaries, part headers, a
/// preamble, and the chunk or two in flight. A real form's framing is a few KiB.
pub const MAX_HELD: u64 = 4 * MIB;
/// How much more of an oversized part is taken in (and dropped) so the client, still sending,
/// reads the refusal instead of a broken pipe.
const DRAIN: u64 = 64 * MIB;

/// The most the server reads of one upload request: a file at the limit, the text fields, the
/// framing, and room to take in an oversized file (up to the limit again, at least [`DRAIN`])
/// while refusing it.
pub fn request_limit(max_file: u64) -> u64 {
    max_file
        .saturating_add(max_file.max(DRAIN))
        .saturating_add(MAX_FORM_TEXT + MAX_HELD)
}

/// The 413 answer for a request over [`request_limit`].
pub fn request_too_large(max_file: u64, base: &str) -> String {
    format!(
        "Request too large. The limit for one upload request is {} MB (the file size limit is {} MB). See {base}/help/#file-size-limit for more information.",
        request_limit(max_file) / MIB,
        max_file / MIB
    )
}

/// The body length the client announced, if any.
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// What the multipart body carried.
#[derive(Default)]
pub struct Form {
    pub fields: Vec<(String, String)>,
    /// A form field other than `content`/`gpg_signature` sent as a file part.
    pub tuple_field: Option<String>,
    pub content: Option<Received>,
}

pub struct Received {
    pub filename: String,
    pub content_type: Option<String>,
    pub path: PathBuf,
    pub size: u64,
    pub digests: inspect::Digests,
}

impl Form {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| v.trim() != "UNKNOWN")
    }
}

pub enum ReadError {
    /// Answer with this status and message.
    Reply(StatusCode, String),
    /// The client went away or sent a broken body: nothing to answer.
    Broken(String),
}

const TRIP_NONE: u8 = 0;
const TRIP_LIMIT: u8 = 1;
const TRIP_HELD: u8 = 2;

/// Counts the bytes the request body delivered against the field data the reader took out of
/// the parser; the difference is what the parser holds.
struct Meter {
    received: AtomicU64,
    taken: AtomicU64,
    limit: u64,
    tripped: AtomicU8,
}

impl Meter {
    /// Let the next chunk of the body through, or trip.
    fn admit(&self, len: usize) -> std::io::Result<()> {
        let received = self.received.load(Ordering::SeqCst);
        let held = received.saturating_sub(self.taken.load(Ordering::SeqCst));
        if held > MAX_HELD {
            self.tripped.store(TRIP_HELD, Ordering::SeqCst);
            return Err(std::io::Error::other("the form's framing is too large"));
        }
        let received = self.received.fetch_add(len as u64, Ordering::SeqCst) + len as u64;
        if received > self.limit {
            self.tripped.store(TRIP_LIMIT, Ordering::SeqCst);
            return Err(std::io::Error::other("the request is too large"));
        }
        Ok(())
    }

    fn took(&self, len: usize) {
        self.taken.fetch_add(len as u64, Ordering::SeqCst);
    }
}

struct Reader<'a> {
    meter: Arc<Meter>,
    max_file: u64,
    base: &'a str,
}

impl Reader<'_> {
    /// What to answer for a parser error: a tripped cap says so, anything else is a broken body.
    fn failed(&self, e: MultipartError) -> ReadError {
        match self.meter.tripped.load(Ordering::SeqCst) {
            TRIP_LIMIT => ReadError::Reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                request_too_large(self.max_file, self.base),
            ),
            TRIP_HELD => ReadError::Reply(
                StatusCode::BAD_REQUEST,
                format!(
                    "The upload form's boundaries and part headers are larger than {} MB. See {}/help/#form-size-limit for more information.",
                    MAX_HELD / MIB,
                    self.base
                ),
            ),
            _ => ReadError::Broken(e.body_text()),
        }
    }

    async fn chunk(&self, field: &mut Field<'_>) -> Result<Option<bytes::Bytes>, ReadError> {
        match field.chunk().await {
            Ok(Some(c)) => {
                self.meter.took(c.len());
                Ok(Some(c))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Take in (and drop) up to `up_to` more bytes of a part being refused.
    async fn drain(&self, field: &mut Field<'_>, up_to: u64) {
        let mut seen = 0u64;
        while seen <= up_to {
            match self.chunk(field).await {
                Ok(Some(c)) => seen += c.len() as u64,
                _ => break,
            }
        }
    }
}

/// Read the whole form of `request`, storing the file part in `dir`.
pub async fn read_form(
    request: Request,
    dir: &Path,
    max_file: u64,
    base: &str,
) -> Result<Form, ReadError> {
    let meter = Arc::new(Meter {
        received: AtomicU64::new(0),
        taken: AtomicU64::new(0),
        limit: request_limit(max_file),
        tripped: AtomicU8::new(TRIP_NONE),
    });
    let (parts, body) = request.into_parts();
    let gate = meter.clone();
    let metered = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        gate.admit(chunk.len())?;
        Ok::<_, std::io::Error>(chunk)
    });
    let request = Request::from_parts(parts, Body::from_stream(metered));
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return Err(ReadError::Reply(
            StatusCode::BAD_REQUEST,
            "Upload payload does not have a file.".into(),
        ));
    };
    let reader = Reader {
        meter,
        max_file,
        base,
    };
    let mut form = Form::default();
    let mut text_total = 0u64;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(reader.failed(e)),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        if name == "content" {
            let Some(filename) = file_name else {
                return Err(ReadError::Reply(
                    StatusCode::BAD_REQUEST,
                    "Upload payload does not have a file.".into(),
                ));
            };
            if form.content.is_some() {
                return Err(ReadError::Reply(
                    StatusCode::BAD_REQUEST,
                    "content: Should not be a tuple.".into(),
                ));
            }
            let received = read_file(&reader, &mut field, filename, &form, dir).await?;
            form.content = Some(received);
            continue;
        }
        if file_name.is_some() && name != "gpg_signature" && form.tuple_field.is_none() {
            form.tuple_field = Some(name.clone());
        }
        let room = MAX_TEXT_FIELD.min(MAX_FORM_TEXT - text_total);
        let mut text = Vec::new();
        while let Some(chunk) = reader.chunk(&mut field).await? {
            if (text.len() + chunk.len()) as u64 > room {
                reader.drain(&mut field, DRAIN).await;
                let message = if (text.len() + chunk.len()) as u64 > MAX_TEXT_FIELD {
                    format!(
                        "{name}: the field is larger than {} MB. See {base}/help/#form-size-limit for more information.",
                        MAX_TEXT_FIELD / MIB
                    )
                } else {
                    format!(
                        "The upload form's text fields together are larger than {} MB. See {base}/help/#form-size-limit for more information.",
                        MAX_FORM_TEXT / MIB
                    )
                };
                return Err(ReadError::Reply(StatusCode::BAD_REQUEST, message));
            }
            text.extend_from_slice(&chunk);
        }
        text_total += text.len() as u64;
        if name != "gpg_signature" {
            form.fields
                .push((name, String::from_utf8_lossy(&text).into_owned()));
        }
    }
    Ok(form)
}

/// Stream the file part to `dir`, hashing it on the way, up to the file-size limit.
async fn read_file(
    reader: &Reader<'_>,
    field: &mut Field<'_>,
    filename: String,
    form: &Form,
    dir: &Path,
) -> Result<Received, ReadError> {
    let content_type = field.content_type().map(str::to_string);
    // The filename is judged later; until then it must not reach the file system.
    let safe = crate::store::is_safe_component(&filename)
        && !filename.chars().any(|c| (c as u32) < 32 || c as u32 == 127);
    let path = dir.join(if safe { filename.as_str() } else { "upload" });
    let write_failed =
        |e: std::io::Error| ReadError::Broken(format!("cannot write the upload: {e}"));
    let mut file = tokio::fs::File::create(&path).await.map_err(write_failed)?;
    let mut hashers = Hashers::default();
    let mut size = 0u64;
    let max = reader.max_file;
    while let Some(chunk) = reader.chunk(field).await? {
        size += chunk.len() as u64;
        if size > max {
            // Nothing more is written; the rest is taken in up to the request limit.
            reader.drain(field, u64::MAX).await;
            let project = form.get("name").map(str::to_string).unwrap_or_else(|| {
                inspect::name_version(&filename)
                    .map(|(n, _)| n.to_string())
                    .unwrap_or_default()
            });
            return Err(ReadError::Reply(
                StatusCode::BAD_REQUEST,
                crate::upload::too_large(&project, max, reader.base),
            ));
        }
        hashers.update(&chunk);
        file.write_all(&chunk).await.map_err(write_failed)?;
    }
    file.flush().await.map_err(write_failed)?;
    Ok(Received {
        filename,
        content_type,
        path,
        size,
        digests: hashers.finish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_limit_leaves_room_to_refuse_an_oversized_file() {
        assert_eq!(request_limit(100 * MIB), (200 + 32 + 4) * MIB);
        assert_eq!(request_limit(MIB), (1 + 64 + 32 + 4) * MIB);
        assert_eq!(request_limit(u64::MAX), u64::MAX);
    }

    #[test]
    fn the_meter_trips_on_held_bytes_and_on_the_limit() {
        let meter = Meter {
            received: AtomicU64::new(0),
            taken: AtomicU64::new(0),
            limit: 10 * MIB,
            tripped: AtomicU8::new(TRIP_NONE),
        };
        meter.admit(MAX_HELD as usize).unwrap();
        meter.took(MAX_HELD as usize);
        meter.admit(MAX_HELD as usize + 1).unwrap();
        assert!(meter.admit(1).is_err(), "held more than MAX_HELD");
        assert_eq!(meter.tripped.load(Ordering::SeqCst), TRIP_HELD);

        let meter = Meter {
            received: AtomicU64::new(0),
            taken: AtomicU64::new(0),
            limit: 3 * MIB,
            tripped: AtomicU8::new(TRIP_NONE),
        };
        for _ in 0..3 {
            meter.admit(MIB as usize).unwrap();
            meter.took(MIB as usize);
        }
        assert!(meter.admit(1).is_err());
        assert_eq!(meter.tripped.load(Ordering::SeqCst), TRIP_LIMIT);
    }
}

//! Reading gzip'd tar archives the way Python's `tarfile` (mode `r:gz`) does, streaming: member
//! headers (ustar, GNU long names, pax), sparse detection, and Python's quirks (an invalid
//! header after the first ends the archive; data that ends early is an error).

use std::collections::HashMap;
use std::io::{self, Read};

const BLOCK: u64 = 512;
/// Largest GNU long-name or pax header read into memory.
const MAX_EXTENDED_HEADER: u64 = 4 * 1024 * 1024;
/// Most members listed, so a small decompression bomb of empty headers cannot exhaust memory.
const MAX_MEMBERS: usize = 1_000_000;

/// One member as `tarfile` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TarMember {
    pub name: String,
    pub linkname: String,
    pub size: u64,
    /// The type flag byte (`b'0'` regular, `b'5'` directory, ...).
    pub typeflag: u8,
    pub mode: u64,
    pub sparse: bool,
}

impl TarMember {
    /// `TarInfo.isreg()` (regular, contiguous, or GNU sparse).
    pub fn is_file(&self) -> bool {
        matches!(self.typeflag, b'0' | 0 | b'7' | b'S')
    }
    pub fn is_dir(&self) -> bool {
        self.typeflag == b'5'
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TarError {
    /// The first header is not a tar header (`tarfile.ReadError` at offset 0).
    NotTar(String),
    /// A later read failed (`ReadError`, `EOFError`, `zlib.error`).
    Read(String),
}

/// Python's `calc_chksums` against the stored checksum (`nti(buf[148:156])`).
pub fn header_checksum_ok(block: &[u8]) -> bool {
    if block.len() < BLOCK as usize || block.iter().all(|&b| b == 0) {
        return false;
    }
    let Ok(Some(stored)) = nti(&block[148..156]) else {
        return false;
    };
    let mut unsigned: i64 = 256;
    let mut signed: i64 = 256;
    for (i, &b) in block.iter().take(BLOCK as usize).enumerate() {
        if (148..156).contains(&i) {
            continue;
        }
        unsigned += i64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || stored == signed
}

/// `nti`: an octal or base-256 number field. `Ok(None)` never happens for valid input; `Err`
/// is Python's "invalid header".
fn nti(field: &[u8]) -> Result<Option<i64>, ()> {
    match field.first() {
        Some(0o200) | Some(0o377) => {
            let mut n: i128 = 0;
            for &b in field.get(1..).unwrap_or_default() {
                n = (n << 8) + i128::from(b);
            }
            if field.first() == Some(&0o377) {
                let exp = 8 * (field.len() as u32 - 1);
                n -= 1i128.checked_shl(exp).ok_or(())?;
            }
            i64::try_from(n).map(Some).map_err(|_| ())
        }
        _ => {
            let s = nts(field);
            let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
            if !s.is_ascii() {
                return Err(());
            }
            if t.is_empty() {
                return Ok(Some(0));
            }
            // Python's int(x, 8) also takes '_' between digits and a leading sign.
            let t = t.replace('_', "");
            i64::from_str_radix(&t, 8).map(Some).map_err(|_| ())
        }
    }
}

/// `nts`: up to the first NUL, decoded as UTF-8 (surrogateescape in Python; lossy here).
fn nts(field: &[u8]) -> String {
    let end = memchr::memchr(0, field).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn block_len(size: u64) -> u64 {
    size.div_ceil(BLOCK).saturating_mul(BLOCK)
}

/// A reader that counts what it has consumed.
struct Counted<R> {
    inner: R,
    pos: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> Counted<R> {
    /// Read up to `buf.len()` bytes; fewer only at end of stream.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match self.read(&mut buf[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    /// Skip forward to `target`; false when the stream ends first.
    fn skip_to(&mut self, target: u64) -> io::Result<bool> {
        if target <= self.pos {
            return Ok(true);
        }
        let n = target - self.pos;
        let copied = io::copy(&mut (&mut *self).take(n), &mut io::sink())?;
        Ok(copied == n)
    }
}

enum Header {
    Member(TarMember),
    End,
}

fn read_err(e: io::Error) -> TarError {
    TarError::Read(e.to_string())
}

/// Walk every member of a tar stream (already decompressed), calling `visit` with each regular
/// member and a reader over its data. Returns the members in order.
pub fn walk<R: Read>(
    stream: R,
    mut visit: impl FnMut(&TarMember, &mut dyn Read) -> io::Result<()>,
) -> Result<Vec<TarMember>, TarError> {
    let mut r = Counted {
        inner: stream,
        pos: 0,
    };
    let mut global_pax: HashMap<String, String> = HashMap::new();
    let mut members = Vec::new();
    let mut offset: u64 = 0;
    loop {
        if offset != r.pos {
            if offset == 0 {
                break;
            }
            // Python seeks to offset-1 and reads one byte.
            if !r.skip_to(offset).map_err(read_err)? {
                return Err(TarError::Read("unexpected end of data".into()));
            }
        }
        let at_start = offset == 0;
        let header = match read_header(&mut r, &mut global_pax, at_start) {
            Ok(h) => h,
            Err(HeaderErr::Fatal(e)) => return Err(e),
            Err(HeaderErr::Soft(msg)) => {
                if at_start {
                    return Err(TarError::NotTar(msg));
                }
                Header::End
            }
        };
        let Header::Member(m) = header else {
            break;
        };
        if members.len() >= MAX_MEMBERS {
            return Err(TarError::Read(format!(
                "more than {MAX_MEMBERS} members; shipwheel stops reading"
            )));
        }
        let data_start = r.pos;
        let supported = matches!(
            m.typeflag,
            b'0' | 0 | b'7' | b'S' | b'1' | b'2' | b'3' | b'4' | b'5' | b'6'
        );
        offset = data_start;
        if m.is_file() || !supported {
            offset = offset.saturating_add(block_len(m.size));
        }
        if m.is_file() {
            let mut data = (&mut r).take(m.size);
            visit(&m, &mut data).map_err(read_err)?;
        }
        members.push(m);
    }
    Ok(members)
}

enum HeaderErr {
    /// A header problem: "not a tar" at offset 0, end of archive later.
    Soft(String),
    Fatal(TarError),
}

fn read_header<R: Read>(
    r: &mut Counted<R>,
    global_pax: &mut HashMap<String, String>,
    at_start: bool,
) -> Result<Header, HeaderErr> {
    let mut pax: HashMap<String, String> = global_pax.clone();
    let mut long_name: Option<String> = None;
    let mut long_link: Option<String> = None;
    let mut extended = false;
    loop {
        let mut block = [0u8; BLOCK as usize];
        let got = r
            .fill(&mut block)
            .map_err(|e| HeaderErr::Fatal(read_err(e)))?;
        let sub = |msg: &str| {
            if extended {
                // SubsequentHeaderError is always a ReadError.
                HeaderErr::Fatal(TarError::Read(msg.to_string()))
            } else {
                HeaderErr::Soft(msg.to_string())
            }
        };
        if got == 0 {
            return Err(sub(if at_start && !extended {
                "empty file"
            } else {
                "empty header"
            }));
        }
        if got < BLOCK as usize {
            return Err(sub("truncated header"));
        }
        if block.iter().all(|&b| b == 0) {
            if extended {
                return Err(sub("end of file header"));
            }
            return Ok(Header::End);
        }
        if !header_checksum_ok(&block) {
            return Err(sub("bad checksum"));
        }
        let num = |a: usize, b: usize| nti(&block[a..b]).map_err(|_| sub("invalid header"));
        let mode = num(100, 108)?.unwrap_or(0);
        let size = num(124, 136)?.unwrap_or(0);
        let Ok(size) = u64::try_from(size) else {
            return Err(sub("invalid header"));
        };
        let typeflag = block[156];
        let mut name = nts(&block[0..100]);
        let linkname = nts(&block[157..257]);
        let prefix = nts(&block[345..500]);
        match typeflag {
            b'L' | b'K' | b'x' | b'g' | b'X' => {
                if size > MAX_EXTENDED_HEADER {
                    return Err(HeaderErr::Fatal(TarError::Read(format!(
                        "extended header of {size} bytes is larger than shipwheel reads"
                    ))));
                }
                let mut buf = vec![0u8; usize::try_from(block_len(size)).unwrap_or(0)];
                let got = r
                    .fill(&mut buf)
                    .map_err(|e| HeaderErr::Fatal(read_err(e)))?;
                if got < buf.len() {
                    return Err(HeaderErr::Fatal(TarError::Read(
                        "unexpected end of data".into(),
                    )));
                }
                buf.truncate(usize::try_from(size).unwrap_or(0));
                match typeflag {
                    b'L' => long_name = Some(nts(&buf)),
                    b'K' => long_link = Some(nts(&buf)),
                    _ => {
                        let records = parse_pax(&buf).ok_or_else(|| sub("invalid header"))?;
                        if typeflag == b'g' {
                            global_pax.extend(records.clone());
                        }
                        pax.extend(records);
                    }
                }
                extended = true;
                continue;
            }
            _ => {}
        }
        let mut typeflag = typeflag;
        if typeflag == 0 && name.ends_with('/') {
            typeflag = b'5';
        }
        if typeflag == b'5' {
            name = name.trim_end_matches('/').to_string();
        }
        if !prefix.is_empty() && !matches!(typeflag, b'L' | b'K' | b'S') {
            name = format!("{prefix}/{name}");
        }
        let mut m = TarMember {
            name,
            linkname,
            size,
            typeflag,
            mode: u64::try_from(mode).unwrap_or(0),
            sparse: typeflag == b'S',
        };
        if let Some(n) = long_name {
            m.name = if m.is_dir() {
                n.trim_end_matches('/').to_string()
            } else {
                n
            };
        }
        if let Some(l) = long_link {
            m.linkname = l;
        }
        if let Some(p) = pax.get("path") {
            m.name = p.trim_end_matches('/').to_string();
        }
        if let Some(l) = pax.get("linkpath") {
            m.linkname = l.clone();
        }
        if let Some(s) = pax.get("size").and_then(|s| s.parse::<u64>().ok()) {
            m.size = s;
        }
        if pax.contains_key("GNU.sparse.map")
            || pax.contains_key("GNU.sparse.offset")
            || (pax.get("GNU.sparse.major").map(String::as_str) == Some("1")
                && pax.get("GNU.sparse.minor").map(String::as_str) == Some("0"))
        {
            m.sparse = true;
            if let Some(n) = pax.get("GNU.sparse.name") {
                m.name = n.clone();
            }
        }
        return Ok(Header::Member(m));
    }
}

/// pax records: `"%d %s=%s\n"`, the length counting the whole record.
fn parse_pax(buf: &[u8]) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    let mut pos = 0usize;
    while pos < buf.len() {
        if buf[pos] == 0 {
            break;
        }
        let sp = memchr::memchr(b' ', buf.get(pos..)?)? + pos;
        let len: usize = std::str::from_utf8(buf.get(pos..sp)?).ok()?.parse().ok()?;
        let end = pos.checked_add(len)?;
        let rec = buf.get(sp + 1..end)?;
        let rec = rec.strip_suffix(b"\n")?;
        let eq = memchr::memchr(b'=', rec)?;
        let key = String::from_utf8_lossy(&rec[..eq]).into_owned();
        let value = String::from_utf8_lossy(&rec[eq + 1..]).into_owned();
        out.insert(key, value);
        if len == 0 {
            return None;
        }
        pos = end;
    }
    Some(out)
}

/// Python's `os.path.commonpath` over member names (POSIX), or `None` when Python raises
/// (absolute and relative paths mixed).
pub fn commonpath<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut common: Option<Vec<&str>> = None;
    let mut absolute: Option<bool> = None;
    let mut any = false;
    for n in names {
        any = true;
        let abs = n.starts_with('/');
        match absolute {
            None => absolute = Some(abs),
            Some(a) if a != abs => return None,
            _ => {}
        }
        let parts: Vec<&str> = n
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        common = Some(match common {
            None => parts,
            Some(c) => c
                .iter()
                .zip(parts.iter())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    if !any {
        return Some(String::new());
    }
    let prefix = if absolute == Some(true) { "/" } else { "" };
    Some(format!("{prefix}{}", common.unwrap_or_default().join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (p, c) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(c.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, p, *c).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn walks_members_and_reads_data() {
        let long = format!("top/{}/x.py", "d".repeat(150));
        let bytes = tar(&[("top/PKG-INFO", b"Metadata-Version: 2.4\n"), (&long, b"x")]);
        let mut seen = Vec::new();
        let members = walk(bytes.as_slice(), |m, r| {
            let mut s = Vec::new();
            r.read_to_end(&mut s)?;
            seen.push((m.name.clone(), s));
            Ok(())
        })
        .unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members[1].name, long);
        assert_eq!(seen[0].1, b"Metadata-Version: 2.4\n");
        assert_eq!(
            commonpath(members.iter().map(|m| m.name.as_str())).unwrap(),
            "top"
        );
    }

    #[test]
    fn garbage_is_not_a_tar_and_truncation_is_an_error() {
        assert!(matches!(
            walk(&b"hello"[..], |_, _| Ok(())),
            Err(TarError::NotTar(_))
        ));
        assert!(matches!(
            walk(&[][..], |_, _| Ok(())),
            Err(TarError::NotTar(_))
        ));
        let bytes = tar(&[("a/b", &[7u8; 2000])]);
        assert!(matches!(
            walk(&bytes[..1024], |_, _| Ok(())),
            Err(TarError::Read(_))
        ));
    }

    #[test]
    fn commonpath_like_python() {
        assert_eq!(commonpath(["a/b", "a/c"]).unwrap(), "a");
        assert_eq!(commonpath(["a/b", "c"]).unwrap(), "");
        assert_eq!(commonpath(["./a/b", "a/c/"]).unwrap(), "a");
        assert_eq!(commonpath(["/a/b", "/a/c"]).unwrap(), "/a");
        assert_eq!(commonpath(["/a", "b"]), None);
    }
}

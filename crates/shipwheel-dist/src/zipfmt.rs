//! ZIP reading done by hand, so shipwheel sees an archive exactly as PyPI does: first the way
//! Python's `zipfile` reads the central directory, then Warehouse's sequential walk over every
//! record from offset 0 (`warehouse/utils/zipfiles.py`). Every read is bounds-checked; sizes
//! come from the file, never trusted for allocation.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};

const SIG_LOCAL: &[u8; 4] = b"PK\x03\x04";
const SIG_CENTRAL: &[u8; 4] = b"PK\x01\x02";
const SIG_EOCD: &[u8; 4] = b"PK\x05\x06";
const SIG_EOCD64: &[u8; 4] = b"PK\x06\x06";
const SIG_EOCD64_LOCATOR: &[u8; 4] = b"PK\x06\x07";

/// The largest central directory read into memory (about 700 000 entries).
const MAX_CENTRAL_DIRECTORY: u64 = 64 * 1024 * 1024;

/// Positional reads (`pread`), so one open file can serve several threads.
pub trait ReadAt: Sync {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    fn size(&self) -> u64;
}

/// A file with its length taken once at open.
pub struct FileSource {
    file: std::fs::File,
    len: u64,
}

impl FileSource {
    pub fn new(file: std::fs::File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(FileSource { file, len })
    }
}

impl ReadAt for FileSource {
    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&self.file, buf, offset)
    }
    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(&self.file, buf, offset)
    }
    fn size(&self) -> u64 {
        self.len
    }
}

impl ReadAt for &[u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let Some(src) = usize::try_from(offset).ok().and_then(|o| self.get(o..)) else {
            return Ok(0);
        };
        let n = src.len().min(buf.len());
        buf[..n].copy_from_slice(&src[..n]);
        Ok(n)
    }
    fn size(&self) -> u64 {
        self.len() as u64
    }
}

impl ReadAt for Vec<u8> {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.as_slice().read_at(buf, offset)
    }
    fn size(&self) -> u64 {
        self.len() as u64
    }
}

/// Fill `buf` from `offset`; returns how many bytes were available (short at end of file).
pub fn read_full_at(src: &dyn ReadAt, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let Some(at) = offset.checked_add(done as u64) else {
            break;
        };
        match src.read_at(&mut buf[done..], at) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// A `Read` over `[start, end)` of a source.
pub struct SectionReader<'a> {
    src: &'a dyn ReadAt,
    pos: u64,
    end: u64,
}

impl<'a> SectionReader<'a> {
    pub fn new(src: &'a dyn ReadAt, start: u64, len: u64) -> Self {
        SectionReader {
            src,
            pos: start,
            end: start.saturating_add(len),
        }
    }
}

impl Read for SectionReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        if want == 0 {
            return Ok(0);
        }
        let n = self.src.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// A read-ahead window for walking many small records in file order with few syscalls.
struct Window<'a> {
    src: &'a dyn ReadAt,
    start: u64,
    data: Vec<u8>,
}

impl<'a> Window<'a> {
    const CHUNK: usize = 16 * 1024;

    fn new(src: &'a dyn ReadAt) -> Self {
        Window {
            src,
            start: 0,
            data: Vec::new(),
        }
    }

    /// `n` bytes at `offset`, or `None` when the file ends first.
    fn get(&mut self, offset: u64, n: usize) -> io::Result<Option<&[u8]>> {
        let have = offset >= self.start
            && offset
                .checked_add(n as u64)
                .is_some_and(|e| e <= self.start + self.data.len() as u64);
        if !have {
            let want = n.max(Self::CHUNK);
            self.data.resize(want, 0);
            let got = read_full_at(self.src, &mut self.data, offset)?;
            self.data.truncate(got);
            self.start = offset;
            if got < n {
                return Ok(None);
            }
        }
        let at = usize::try_from(offset - self.start).unwrap_or(usize::MAX);
        Ok(self.data.get(at..at.saturating_add(n)))
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .unwrap_or(0)
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .unwrap_or(0)
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map(u64::from_le_bytes)
        .unwrap_or(0)
}

/// One central-directory entry, as Python's `zipfile` reads it.
#[derive(Clone, Debug)]
pub struct CdEntry {
    pub raw_name: Vec<u8>,
    /// `orig_filename`: UTF-8 when flag bit 11 is set, else cp437.
    pub name: String,
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
    /// Local header offset, adjusted for bytes prepended to the archive (as Python does).
    pub header_offset: u64,
    pub comment_len: u16,
}

impl CdEntry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// The central directory of a ZIP file.
#[derive(Clone, Debug)]
pub struct ZipDir {
    pub entries: Vec<CdEntry>,
}

/// Why Python's `zipfile` would not open the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZipOpenError {
    /// `zipfile.is_zipfile` is false: no end-of-central-directory record.
    NotZip,
    /// `zipfile.BadZipFile` (or a decode error) after the EOCD was found.
    Bad(String),
    Io(String),
}

impl From<io::Error> for ZipOpenError {
    fn from(e: io::Error) -> Self {
        ZipOpenError::Io(e.to_string())
    }
}

/// The end-of-central-directory values Python's `_EndRecData` returns.
#[derive(Clone, Debug)]
pub struct Eocd {
    pub cd_size: u64,
    pub cd_offset: u64,
    /// Where the EOCD record starts.
    pub location: u64,
    pub zip64: bool,
}

/// Python's `_EndRecData` + `_EndRecData64`: `Ok(None)` means "not a zip file".
pub fn find_eocd(src: &dyn ReadAt) -> Result<Option<Eocd>, ZipOpenError> {
    let len = src.size();
    if len < 22 {
        return Ok(None);
    }
    let mut rec = [0u8; 22];
    let got = read_full_at(src, &mut rec, len - 22)?;
    let (rec, location) = if got == 22 && &rec[..4] == SIG_EOCD && rec[20..22] == [0, 0] {
        (rec.to_vec(), len - 22)
    } else {
        let start = len.saturating_sub(65535 + 22);
        let tail_len = usize::try_from(len - start).unwrap_or(0);
        let mut tail = vec![0u8; tail_len];
        let got = read_full_at(src, &mut tail, start)?;
        tail.truncate(got);
        let Some(at) = memchr::memmem::rfind(&tail, SIG_EOCD) else {
            return Ok(None);
        };
        let Some(r) = tail.get(at..at + 22) else {
            return Ok(None);
        };
        (r.to_vec(), start + at as u64)
    };
    let mut eocd = Eocd {
        cd_size: u64::from(u32_at(&rec, 12)),
        cd_offset: u64::from(u32_at(&rec, 16)),
        location,
        zip64: false,
    };
    // ZIP64: a locator right before the EOCD, and the EOCD64 record right before that.
    if location >= 20 {
        let mut loc = [0u8; 20];
        if read_full_at(src, &mut loc, location - 20)? == 20 && &loc[..4] == SIG_EOCD64_LOCATOR {
            if u32_at(&loc, 4) != 0 || u32_at(&loc, 16) > 1 {
                return Err(ZipOpenError::Bad(
                    "zipfiles that span multiple disks are not supported".into(),
                ));
            }
            if location >= 76 {
                let mut e64 = [0u8; 56];
                if read_full_at(src, &mut e64, location - 76)? == 56 && &e64[..4] == SIG_EOCD64 {
                    eocd.cd_size = u64_at(&e64, 40);
                    eocd.cd_offset = u64_at(&e64, 48);
                    eocd.zip64 = true;
                }
            }
        }
    }
    Ok(Some(eocd))
}

/// Decode a name the way Python's `zipfile` does.
fn decode_name(raw: &[u8], flags: u16) -> Result<String, ZipOpenError> {
    if flags & 0x800 != 0 {
        String::from_utf8(raw.to_vec()).map_err(|_| {
            ZipOpenError::Bad(format!(
                "'utf-8' codec can't decode the file name {}",
                String::from_utf8_lossy(raw)
            ))
        })
    } else {
        Ok(raw.iter().map(|&b| cp437(b)).collect())
    }
}

fn cp437(b: u8) -> char {
    const HIGH: [char; 128] = [
        '\u{c7}', '\u{fc}', '\u{e9}', '\u{e2}', '\u{e4}', '\u{e0}', '\u{e5}', '\u{e7}', '\u{ea}',
        '\u{eb}', '\u{e8}', '\u{ef}', '\u{ee}', '\u{ec}', '\u{c4}', '\u{c5}', '\u{c9}', '\u{e6}',
        '\u{c6}', '\u{f4}', '\u{f6}', '\u{f2}', '\u{fb}', '\u{f9}', '\u{ff}', '\u{d6}', '\u{dc}',
        '\u{a2}', '\u{a3}', '\u{a5}', '\u{20a7}', '\u{192}', '\u{e1}', '\u{ed}', '\u{f3}',
        '\u{fa}', '\u{f1}', '\u{d1}', '\u{aa}', '\u{ba}', '\u{bf}', '\u{2310}', '\u{ac}', '\u{bd}',
        '\u{bc}', '\u{a1}', '\u{ab}', '\u{bb}', '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}',
        '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}', '\u{2555}', '\u{2563}', '\u{2551}',
        '\u{2557}', '\u{255d}', '\u{255c}', '\u{255b}', '\u{2510}', '\u{2514}', '\u{2534}',
        '\u{252c}', '\u{251c}', '\u{2500}', '\u{253c}', '\u{255e}', '\u{255f}', '\u{255a}',
        '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256c}', '\u{2567}',
        '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}',
        '\u{256b}', '\u{256a}', '\u{2518}', '\u{250c}', '\u{2588}', '\u{2584}', '\u{258c}',
        '\u{2590}', '\u{2580}', '\u{3b1}', '\u{df}', '\u{393}', '\u{3c0}', '\u{3a3}', '\u{3c3}',
        '\u{b5}', '\u{3c4}', '\u{3a6}', '\u{398}', '\u{3a9}', '\u{3b4}', '\u{221e}', '\u{3c6}',
        '\u{3b5}', '\u{2229}', '\u{2261}', '\u{b1}', '\u{2265}', '\u{2264}', '\u{2320}',
        '\u{2321}', '\u{f7}', '\u{2248}', '\u{b0}', '\u{2219}', '\u{b7}', '\u{221a}', '\u{207f}',
        '\u{b2}', '\u{25a0}', '\u{a0}',
    ];
    if b < 0x80 {
        char::from(b)
    } else {
        HIGH[usize::from(b - 0x80)]
    }
}

/// Read the central directory the way Python's `zipfile.ZipFile` does.
pub fn read_central_directory(src: &dyn ReadAt) -> Result<ZipDir, ZipOpenError> {
    let eocd = find_eocd(src)?.ok_or(ZipOpenError::NotZip)?;
    // Bytes prepended to the archive shift every offset; Python measures the shift ("concat").
    let mut concat =
        i128::from(eocd.location) - i128::from(eocd.cd_size) - i128::from(eocd.cd_offset);
    if eocd.zip64 {
        concat -= 56 + 20;
    }
    let start_dir = i128::from(eocd.cd_offset) + concat;
    if start_dir < 0 {
        return Err(ZipOpenError::Bad("Bad offset for central directory".into()));
    }
    let start_dir = u64::try_from(start_dir).unwrap_or(u64::MAX);
    let available = src.size().saturating_sub(start_dir);
    let want = eocd.cd_size.min(available);
    if want > MAX_CENTRAL_DIRECTORY {
        return Err(ZipOpenError::Bad(format!(
            "central directory of {} bytes is larger than shipwheel reads ({} bytes)",
            eocd.cd_size, MAX_CENTRAL_DIRECTORY
        )));
    }
    let mut cd = vec![0u8; usize::try_from(want).unwrap_or(0)];
    let got = read_full_at(src, &mut cd, start_dir)?;
    cd.truncate(got);

    let mut entries = Vec::new();
    let mut pos = 0usize;
    let total = usize::try_from(eocd.cd_size).unwrap_or(usize::MAX);
    while pos < total {
        let Some(h) = cd.get(pos..pos + 46) else {
            return Err(ZipOpenError::Bad("Truncated central directory".into()));
        };
        if &h[..4] != SIG_CENTRAL {
            return Err(ZipOpenError::Bad(
                "Bad magic number for central directory".into(),
            ));
        }
        let flags = u16_at(h, 8);
        let method = u16_at(h, 10);
        let crc32 = u32_at(h, 16);
        let mut compressed_size = u64::from(u32_at(h, 20));
        let mut size = u64::from(u32_at(h, 24));
        let name_len = usize::from(u16_at(h, 28));
        let extra_len = usize::from(u16_at(h, 30));
        let comment_len = u16_at(h, 32);
        let mut header_offset = u64::from(u32_at(h, 42));
        // A short read inside the directory gives short fields in Python; no error.
        let field = |at: usize, n: usize| cd.get(at.min(cd.len())..(at + n).min(cd.len()));
        let raw_name = field(pos + 46, name_len).unwrap_or_default().to_vec();
        let extra = field(pos + 46 + name_len, extra_len).unwrap_or_default();
        let mut name = decode_name(&raw_name, flags)?;
        // `_decodeExtra`.
        let mut x = extra;
        while x.len() >= 4 {
            let tp = u16_at(x, 0);
            let ln = usize::from(u16_at(x, 2));
            if ln + 4 > x.len() {
                return Err(ZipOpenError::Bad(format!(
                    "Corrupt extra field {tp:04x} (size={ln})"
                )));
            }
            let data = &x[4..4 + ln];
            if tp == 0x0001 {
                let mut d = data;
                let mut take = |what: &str| -> Result<u64, ZipOpenError> {
                    let v = d.get(..8).map(|s| u64_at(s, 0)).ok_or_else(|| {
                        ZipOpenError::Bad(format!("Corrupt zip64 extra field. {what} not found."))
                    })?;
                    d = d.get(8..).unwrap_or_default();
                    Ok(v)
                };
                if size == 0xFFFF_FFFF {
                    size = take("File size")?;
                }
                if compressed_size == 0xFFFF_FFFF {
                    compressed_size = take("Compress size")?;
                }
                if header_offset == 0xFFFF_FFFF {
                    header_offset = take("Header offset")?;
                }
            } else if tp == 0x7075 && data.len() >= 5 && data[0] == 1 {
                // Info-ZIP Unicode Path: used when its CRC matches the raw name.
                if u32_at(data, 1) == crc32fast::hash(&raw_name) {
                    name = String::from_utf8(data[5..].to_vec()).map_err(|_| {
                        ZipOpenError::Bad("Corrupt unicode path extra field (0x7075)".into())
                    })?;
                }
            }
            x = &x[4 + ln..];
        }
        let adjusted = i128::from(header_offset) + concat;
        entries.push(CdEntry {
            raw_name,
            name,
            flags,
            method,
            crc32,
            compressed_size,
            size,
            header_offset: u64::try_from(adjusted).unwrap_or(u64::MAX),
            comment_len,
        });
        pos = pos
            .saturating_add(46)
            .saturating_add(name_len)
            .saturating_add(extra_len)
            .saturating_add(usize::from(comment_len));
    }
    Ok(ZipDir { entries })
}

/// Warehouse's `validate_zipfile`: `Err` carries its message verbatim.
pub fn validate_framing(src: &dyn ReadAt, dir: &ZipDir) -> Result<(), &'static str> {
    let sizes: HashMap<&str, (u64, u64)> = dir
        .entries
        .iter()
        .map(|e| (e.name.as_str(), (e.compressed_size, e.size)))
        .collect();
    let mut w = Window::new(src);
    let malformed = "Malformed zip file";
    let io_err = |_| malformed;
    let mut pos: u64 = 0;
    let mut local_names: HashSet<Vec<u8>> = HashSet::new();
    let mut cd_names: HashSet<Vec<u8>> = HashSet::new();
    let mut expected_eocd64 = false;
    let mut seen_locator = false;
    let mut cd_records: u64 = 0;
    let mut cd_offset: Option<u64> = None;
    let mut cd_size: u64 = 0;
    let mut eocd_values: Option<(u64, u64, u64)> = None;

    loop {
        let sig: [u8; 4] = match w.get(pos, 4).map_err(io_err)? {
            Some(s) => [s[0], s[1], s[2], s[3]],
            None => return Err(malformed),
        };
        if &sig == SIG_EOCD && expected_eocd64 && !seen_locator {
            return Err(malformed);
        }
        let body = pos + 4;
        if &sig == SIG_CENTRAL {
            if cd_offset.is_none() {
                cd_offset = Some(pos);
            }
            cd_records += 1;
            let h = w.get(body, 42).map_err(io_err)?.ok_or(malformed)?;
            let name_len = u16_at(h, 24);
            let extra_len = u16_at(h, 26);
            let comment_len = u16_at(h, 28);
            if comment_len != 0 {
                return Err("Comment in central directory");
            }
            let name = w
                .get(body + 42, usize::from(name_len))
                .map_err(io_err)?
                .ok_or(malformed)?
                .to_vec();
            if w.get(body + 42 + u64::from(name_len), usize::from(extra_len))
                .map_err(io_err)?
                .is_none()
            {
                return Err(malformed);
            }
            if has_unprintable(&name) {
                return Err("Invalid character in filename");
            }
            cd_size += 46 + u64::from(name_len) + u64::from(extra_len);
            if cd_names.contains(&name) {
                return Err("Duplicate filename in central directory");
            }
            if !local_names.contains(&name) {
                return Err("Missing filename in local headers");
            }
            pos = body + 42 + u64::from(name_len) + u64::from(extra_len);
            cd_names.insert(name);
        } else if &sig == SIG_LOCAL {
            let h = w.get(body, 26).map_err(io_err)?.ok_or(malformed)?;
            let flags = u16_at(h, 2);
            let method = u16_at(h, 4);
            let mut compressed_size = u64::from(u32_at(h, 14));
            let mut file_size = u64::from(u32_at(h, 18));
            let name_len = u16_at(h, 22);
            let extra_len = u16_at(h, 24);
            let name = w
                .get(body + 26, usize::from(name_len))
                .map_err(io_err)?
                .ok_or(malformed)?
                .to_vec();
            let extra = w
                .get(body + 26 + u64::from(name_len), usize::from(extra_len))
                .map_err(io_err)?
                .ok_or(malformed)?
                .to_vec();
            if has_unprintable(&name) {
                return Err("Invalid character in filename");
            }
            let mut x = extra.as_slice();
            let mut seen_ids = Vec::new();
            while !x.is_empty() {
                if x.len() < 4 {
                    return Err(malformed);
                }
                let id = u16_at(x, 0);
                let size = usize::from(u16_at(x, 2));
                if size + 4 > x.len() {
                    return Err(malformed);
                }
                if seen_ids.contains(&id) && (id == 0x0001 || id == 0x7075) {
                    return Err("Invalid duplicate extra in local file");
                }
                seen_ids.push(id);
                if id == 0x0001 {
                    match size {
                        0 => {
                            if compressed_size == 0xFFFF_FFFF || file_size == 0xFFFF_FFFF {
                                return Err(malformed);
                            }
                        }
                        8 => {
                            if method != 0 {
                                return Err(malformed);
                            }
                            let usize_ = u64_at(x, 4);
                            compressed_size = usize_;
                            if file_size == 0xFFFF_FFFF {
                                file_size = usize_;
                            }
                        }
                        16 | 24 | 28 => {
                            if file_size == 0xFFFF_FFFF {
                                file_size = u64_at(x, 4);
                            }
                            compressed_size = u64_at(x, 12);
                        }
                        _ => return Err(malformed),
                    }
                } else if id == 0x7075 {
                    let uname = x.get(9..4 + size).unwrap_or_default();
                    if has_unprintable(uname) {
                        return Err("Invalid character in filename");
                    }
                    if std::str::from_utf8(uname).is_err() {
                        return Err("Filename not valid UTF-8");
                    }
                }
                x = &x[size + 4..];
            }
            if flags & 0x08 != 0 {
                return Err("ZIP contains a data descriptor");
            }
            let Ok(name_str) = std::str::from_utf8(&name) else {
                return Err("Filename not unicode");
            };
            let Some(&(cd_compressed, cd_size_)) = sizes.get(name_str) else {
                return Err("Filename not in central directory");
            };
            if cd_compressed != compressed_size {
                return Err("Mis-matched data size");
            }
            if cd_size_ != file_size {
                return Err("Mis-matched file size");
            }
            if local_names.contains(&name) {
                return Err("Duplicate filename in local headers");
            }
            pos = (body + 26 + u64::from(name_len) + u64::from(extra_len))
                .checked_add(compressed_size)
                .ok_or(malformed)?;
            local_names.insert(name);
        } else if &sig == SIG_EOCD {
            if cd_offset.is_none() {
                cd_offset = Some(pos);
            }
            let h = w.get(body, 18).map_err(io_err)?.ok_or(malformed)?;
            if u16_at(h, 4) != u16_at(h, 6) {
                return Err(malformed);
            }
            let values = (
                u64::from(u16_at(h, 6)),
                u64::from(u32_at(h, 8)),
                u64::from(u32_at(h, 12)),
            );
            let comment_len = u64::from(u16_at(h, 16));
            if !(seen_locator && eocd_values.is_some()) {
                eocd_values = Some(values);
            }
            let (records, size, offset) = eocd_values.unwrap_or(values);
            if records != cd_records {
                return Err("Mismatched central directory records");
            }
            if cd_offset != Some(offset) {
                return Err("Mismatched central directory offset");
            }
            if size != cd_size {
                return Err("Mismatched central directory size");
            }
            pos = body + 18 + comment_len;
            break;
        } else if &sig == SIG_EOCD64 {
            expected_eocd64 = true;
            let h = w.get(body, 52).map_err(io_err)?.ok_or(malformed)?;
            let record_size = u64_at(h, 0);
            let on_disk = u64_at(h, 20);
            let records = u64_at(h, 28);
            if on_disk != records {
                return Err(malformed);
            }
            if record_size != 44 {
                return Err("ZIP64 extensible data not allowed");
            }
            eocd_values = Some((records, u64_at(h, 36), u64_at(h, 44)));
            pos = body + 52;
        } else if &sig == SIG_EOCD64_LOCATOR {
            if w.get(body, 16).map_err(io_err)?.is_none() {
                return Err(malformed);
            }
            seen_locator = true;
            pos = body + 16;
        } else {
            return Err("Unknown record signature");
        }
    }
    if cd_names != local_names {
        return Err("Mis-matched local headers and central directory");
    }
    if pos != src.size() {
        return Err("Trailing data");
    }
    Ok(())
}

fn has_unprintable(b: &[u8]) -> bool {
    b.iter().any(|&c| c < 0x20 || c == 0x7f)
}

/// Where a member's data starts, checked the way Python's `ZipFile.open` checks the local
/// header (signature, and the same name as the central directory).
pub fn data_offset(src: &dyn ReadAt, e: &CdEntry) -> Result<u64, String> {
    let mut h = [0u8; 30];
    let got = read_full_at(src, &mut h, e.header_offset).map_err(|x| x.to_string())?;
    if got < 30 {
        return Err("Truncated file header".into());
    }
    if &h[..4] != SIG_LOCAL {
        return Err("Bad magic number for file header".into());
    }
    let name_len = u16_at(&h, 26);
    let extra_len = u16_at(&h, 28);
    let mut name = vec![0u8; usize::from(name_len)];
    let got = read_full_at(src, &mut name, e.header_offset + 30).map_err(|x| x.to_string())?;
    if got < name.len() || name != e.raw_name {
        return Err(format!(
            "File name in directory {} and header {} differ.",
            crate::pep::py_repr(&e.name),
            crate::pep::py_repr(&String::from_utf8_lossy(&name))
        ));
    }
    if e.flags & 0x1 != 0 {
        return Err(format!(
            "File {} is encrypted, password required for extraction",
            crate::pep::py_repr(&e.name)
        ));
    }
    Ok(e.header_offset + 30 + u64::from(name_len) + u64::from(extra_len))
}

/// A streaming reader of a member's uncompressed bytes (STORED or DEFLATED only).
pub fn member_reader<'a>(src: &'a dyn ReadAt, e: &CdEntry) -> Result<Box<dyn Read + 'a>, String> {
    let start = data_offset(src, e)?;
    let raw = SectionReader::new(src, start, e.compressed_size);
    match e.method {
        0 => Ok(Box::new(raw)),
        8 => Ok(Box::new(flate2::read::DeflateDecoder::new_with_buf(
            raw,
            vec![0u8; 64 * 1024],
        ))),
        m => Err(format!("compression type {m} is not supported")),
    }
}

/// Why a member could not be read whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberError {
    TooLarge,
    Corrupt(String),
}

/// Read a member up to `cap` bytes, checking size and CRC as Python's `ZipFile.read` does.
pub fn read_member(src: &dyn ReadAt, e: &CdEntry, cap: u64) -> Result<Vec<u8>, MemberError> {
    if e.size > cap {
        return Err(MemberError::TooLarge);
    }
    let r = member_reader(src, e).map_err(MemberError::Corrupt)?;
    let mut out = Vec::with_capacity(usize::try_from(e.size).unwrap_or(0).min(1 << 20));
    r.take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|x| MemberError::Corrupt(format!("Error -3 while decompressing data: {x}")))?;
    if out.len() as u64 > cap {
        return Err(MemberError::TooLarge);
    }
    if out.len() as u64 != e.size || crc32fast::hash(&out) != e.crc32 {
        return Err(MemberError::Corrupt(format!(
            "Bad CRC-32 for file {}",
            crate::pep::py_repr(&e.name)
        )));
    }
    Ok(out)
}

/// The first bytes of a file form a tar header with a valid checksum (Python's
/// `tarfile.is_tarfile` on an uncompressed archive).
pub fn is_tar_header(block: &[u8]) -> bool {
    crate::tarfmt::header_checksum_ok(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        let m: Vec<(String, Vec<u8>)> = members
            .iter()
            .map(|(n, c)| (n.to_string(), c.to_vec()))
            .collect();
        test_support::builder::zip_bytes(&m, false)
    }

    #[test]
    fn reads_and_validates_a_plain_zip() {
        let bytes = zip(&[("a/b.txt", b"hello"), ("c", b"")]);
        let dir = read_central_directory(&bytes).unwrap();
        assert_eq!(dir.entries.len(), 2);
        assert_eq!(dir.entries[0].name, "a/b.txt");
        assert_eq!(validate_framing(&bytes, &dir), Ok(()));
        assert_eq!(read_member(&bytes, &dir.entries[0], 100).unwrap(), b"hello");
        assert_eq!(
            read_member(&bytes, &dir.entries[0], 3),
            Err(MemberError::TooLarge)
        );
    }

    #[test]
    fn prefix_and_trailing_bytes_are_framing_errors() {
        let bytes = zip(&[("a", b"x")]);
        let mut pre = b"#!/bin/sh\n".to_vec();
        pre.extend_from_slice(&bytes);
        let dir = read_central_directory(&pre).unwrap();
        assert_eq!(dir.entries.len(), 1);
        assert_eq!(
            validate_framing(&pre, &dir),
            Err("Unknown record signature")
        );
        // Python still reads members through the shifted offsets.
        assert_eq!(read_member(&pre, &dir.entries[0], 10).unwrap(), b"x");
        let mut post = bytes.clone();
        post.extend_from_slice(b"junk");
        let dir = read_central_directory(&post).unwrap();
        assert_eq!(validate_framing(&post, &dir), Err("Trailing data"));
    }

    #[test]
    fn not_a_zip() {
        assert!(matches!(
            read_central_directory(&b"hello".to_vec()),
            Err(ZipOpenError::NotZip)
        ));
        assert!(matches!(
            read_central_directory(&vec![0u8; 100]),
            Err(ZipOpenError::NotZip)
        ));
    }

    #[test]
    fn zip64_entries_read_and_validate() {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let big = zip::write::SimpleFileOptions::default().large_file(true);
        z.start_file("a.txt", big).unwrap();
        z.write_all(b"hello zip64").unwrap();
        z.start_file("b.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"small").unwrap();
        let bytes = z.finish().unwrap().into_inner();
        let dir = read_central_directory(&bytes).unwrap();
        assert_eq!(dir.entries.len(), 2);
        assert_eq!(
            read_member(&bytes, &dir.entries[0], 100).unwrap(),
            b"hello zip64"
        );
        assert_eq!(validate_framing(&bytes, &dir), Ok(()));
    }

    #[test]
    fn zip64_end_records_validate() {
        // More than 65535 entries forces the ZIP64 end record and locator.
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for i in 0..65_600u32 {
            z.start_file(format!("f{i}"), opts).unwrap();
        }
        let bytes = z.finish().unwrap().into_inner();
        let dir = read_central_directory(&bytes).unwrap();
        assert_eq!(dir.entries.len(), 65_600);
        assert_eq!(validate_framing(&bytes, &dir), Ok(()));
    }

    #[test]
    fn cp437_names() {
        assert_eq!(decode_name(b"caf\x82", 0).unwrap(), "caf\u{e9}");
        assert_eq!(
            decode_name("caf\u{e9}".as_bytes(), 0x800).unwrap(),
            "caf\u{e9}"
        );
    }
}

//! A valid wheel of any size that costs almost no disk: its one big member is a run of zero
//! bytes stored (not compressed) as a hole in a sparse file.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::builder::{WheelBuilder, expand_tags, record_hash};

struct Member {
    name: String,
    /// The content, or `None` for `zeros` zero bytes left as a hole.
    data: Option<Vec<u8>>,
    zeros: u64,
    crc: u32,
    offset: u64,
}

impl Member {
    fn size(&self) -> u64 {
        self.data.as_ref().map_or(self.zeros, |d| d.len() as u64)
    }
}

/// sha256 and CRC-32 of `n` zero bytes, without holding them.
fn zero_digests(n: u64) -> (String, u32) {
    use base64::Engine;
    let chunk = vec![0u8; 1 << 20];
    let mut sha = Sha256::new();
    let mut crc = crc32fast::Hasher::new();
    let mut left = n;
    while left > 0 {
        let take = left.min(chunk.len() as u64) as usize;
        sha.update(&chunk[..take]);
        crc.update(&chunk[..take]);
        left -= take as u64;
    }
    (
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha.finalize()),
        crc.finalize(),
    )
}

/// Write `{name}-{version}-py3-none-any.whl` into `dir`: the builder's default METADATA (from
/// `wheel`), WHEEL and RECORD, and `{name}/blob.bin` of `blob_len` zero bytes. Every member is
/// STORED with sizes in its headers (no data descriptors), under 4 GiB, so PyPI's framing rules
/// hold.
pub fn sparse_wheel(dir: &Path, wheel: &WheelBuilder, blob_len: u64) -> PathBuf {
    assert!(blob_len < u64::from(u32::MAX), "no ZIP64 here");
    let pkg = wheel.name.replace('-', "_");
    let dist_info = format!("{pkg}-{}.dist-info", wheel.version);
    let tags: String = expand_tags(&wheel.tag)
        .iter()
        .map(|t| format!("Tag: {t}\n"))
        .collect();
    let small = [
        (format!("{pkg}/__init__.py"), b"x = 1\n".to_vec()),
        (
            format!("{dist_info}/METADATA"),
            wheel.metadata().into_bytes(),
        ),
        (
            format!("{dist_info}/WHEEL"),
            format!("Wheel-Version: 1.0\nGenerator: test-support\nRoot-Is-Purelib: true\n{tags}")
                .into_bytes(),
        ),
    ];
    let (blob_sha, blob_crc) = zero_digests(blob_len);
    let blob_name = format!("{pkg}/blob.bin");
    let mut record = format!("{blob_name},sha256={blob_sha},{blob_len}\n");
    for (n, c) in &small {
        record.push_str(&format!("{n},sha256={},{}\n", record_hash(c), c.len()));
    }
    record.push_str(&format!("{dist_info}/RECORD,,\n"));

    let mut members = vec![Member {
        name: blob_name,
        data: None,
        zeros: blob_len,
        crc: blob_crc,
        offset: 0,
    }];
    for (name, data) in small
        .into_iter()
        .chain([(format!("{dist_info}/RECORD"), record.into_bytes())])
    {
        let crc = crc32fast::hash(&data);
        members.push(Member {
            name,
            data: Some(data),
            zeros: 0,
            crc,
            offset: 0,
        });
    }

    let path = dir.join(wheel.wheel_filename());
    let mut f = std::fs::File::create(&path).expect("create the wheel");
    let mut at: u64 = 0;
    for m in &mut members {
        m.offset = at;
        let size = m.size() as u32;
        let mut h = Vec::new();
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes()); // version needed
        h.extend_from_slice(&0u16.to_le_bytes()); // flags
        h.extend_from_slice(&0u16.to_le_bytes()); // STORED
        h.extend_from_slice(&0u16.to_le_bytes()); // time
        h.extend_from_slice(&0x21u16.to_le_bytes()); // 1980-01-01
        h.extend_from_slice(&m.crc.to_le_bytes());
        h.extend_from_slice(&size.to_le_bytes());
        h.extend_from_slice(&size.to_le_bytes());
        h.extend_from_slice(&(m.name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(m.name.as_bytes());
        f.write_all(&h).expect("write");
        match &m.data {
            Some(d) => f.write_all(d).expect("write"),
            None => {
                f.seek(SeekFrom::Current(m.zeros as i64)).expect("seek");
            }
        }
        at += h.len() as u64 + m.size();
    }
    let cd_start = at;
    let mut cd = Vec::new();
    for m in &members {
        let size = m.size() as u32;
        cd.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        cd.extend_from_slice(&0x0314u16.to_le_bytes()); // made by: unix, 2.0
        cd.extend_from_slice(&20u16.to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes());
        cd.extend_from_slice(&0x21u16.to_le_bytes());
        cd.extend_from_slice(&m.crc.to_le_bytes());
        cd.extend_from_slice(&size.to_le_bytes());
        cd.extend_from_slice(&size.to_le_bytes());
        cd.extend_from_slice(&(m.name.len() as u16).to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes()); // extra
        cd.extend_from_slice(&0u16.to_le_bytes()); // comment
        cd.extend_from_slice(&0u16.to_le_bytes()); // disk
        cd.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        cd.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
        cd.extend_from_slice(&(m.offset as u32).to_le_bytes());
        cd.extend_from_slice(m.name.as_bytes());
    }
    let n = members.len() as u16;
    let mut end = Vec::new();
    end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    end.extend_from_slice(&n.to_le_bytes());
    end.extend_from_slice(&n.to_le_bytes());
    end.extend_from_slice(&(cd.len() as u32).to_le_bytes());
    end.extend_from_slice(&(cd_start as u32).to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    f.write_all(&cd).expect("write");
    f.write_all(&end).expect("write");
    f.flush().expect("flush");
    path
}

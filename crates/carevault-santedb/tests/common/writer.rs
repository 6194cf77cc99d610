//! A SanteDB backup writer for test fixtures, written from the byte layout
//! described in docs/IMPORT.md (every version SanteDB has written). It is a
//! fixture generator only: carevault never writes this format.
#![allow(dead_code)]

use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
use std::io::Write;

/// The layouts, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    TarGz,
    Sdb2,
    Sdb3,
    Sb0Bk2023,
    Sb0BkJan2024,
    Sb0Bk2024,
    Sb0Bk2025,
    Sb1Bk,
}

pub const ALL: [Version; 8] = [
    Version::TarGz,
    Version::Sdb2,
    Version::Sdb3,
    Version::Sb0Bk2023,
    Version::Sb0BkJan2024,
    Version::Sb0Bk2024,
    Version::Sb0Bk2025,
    Version::Sb1Bk,
];

impl Version {
    pub fn has_table(self) -> bool {
        !matches!(self, Version::TarGz | Version::Sdb2)
    }
    pub fn can_encrypt(self) -> bool {
        self != Version::TarGz
    }
    /// The layout name the importer reports.
    pub fn reported(self) -> &'static str {
        match self {
            Version::TarGz => "tar.gz",
            Version::Sdb2 => "SDB\\x02",
            Version::Sdb3 => "SDB\\x03",
            Version::Sb0Bk2023 => "SB\\0BK-2023",
            Version::Sb0BkJan2024 => "SB\\0BK-2024-01",
            Version::Sb0Bk2024 => "SB\\0BK-2024",
            Version::Sb0Bk2025 => "SB\\0BK-2025",
            Version::Sb1Bk => "SB\\x01BK",
        }
    }
    /// A creation time (unix seconds) inside the layout's period.
    pub fn typical_time(self) -> i64 {
        match self {
            Version::TarGz => 1_560_000_000,        // 2019-06
            Version::Sdb2 => 1_640_000_000,         // 2021-12
            Version::Sdb3 => 1_675_000_000,         // 2023-01-29
            Version::Sb0Bk2023 => 1_700_000_000,    // 2023-11-14
            Version::Sb0BkJan2024 => 1_706_400_000, // 2024-01-28
            Version::Sb0Bk2024 => 1_730_000_000,    // 2024-10-27
            Version::Sb0Bk2025 => 1_755_000_000,    // 2025-08-12
            Version::Sb1Bk => 1_767_000_000,        // 2025-12-29
        }
    }
}

/// One tar entry: for table layouts, an asset (class GUID text, name) and
/// its payload; for folder layouts, a path and its bytes.
#[derive(Debug, Clone)]
pub struct Entry {
    pub class: Option<&'static str>,
    pub name: String,
    pub payload: Vec<u8>,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct Spec {
    pub version: Version,
    pub entries: Vec<Entry>,
    pub passphrase: Option<String>,
    /// Unix seconds, UTC.
    pub time: i64,
    pub creator: String,
    /// Leave out the gzip trailer (the 2025-10-28..2025-11-19 fault).
    pub lost_trailer: bool,
    /// Append one stray cipher block after the ciphertext.
    pub stray_block: bool,
    /// Rows of the table that differ from the entries (None = as entries).
    pub table: Option<Vec<(&'static str, String)>>,
    pub iv: [u8; 16],
    /// A tar of its own instead of the one made from `entries`.
    pub raw_tar: Option<Vec<u8>>,
}

impl Spec {
    pub fn new(version: Version, entries: Vec<Entry>, passphrase: Option<&str>) -> Spec {
        Spec {
            version,
            entries,
            passphrase: passphrase.map(str::to_string),
            time: version.typical_time(),
            creator: "nurse.amina".into(),
            lost_trailer: false,
            stray_block: false,
            table: None,
            iv: *b"0123456789abcdef",
            raw_tar: None,
        }
    }
}

pub fn ticks(unix: i64) -> i64 {
    unix * 10_000_000 + 621_355_968_000_000_000
}

/// SanteDB's key: UTF-16 units, non-ASCII to '?', zero-padded/cut to 32.
pub fn key(pass: &str) -> [u8; 32] {
    let mut k = [0u8; 32];
    for (i, u) in pass.encode_utf16().take(32).enumerate() {
        k[i] = if u < 0x80 { u as u8 } else { b'?' };
    }
    k
}

pub fn cbc_encrypt(key: &[u8; 32], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    cbc::Encryptor::<aes::Aes256>::new(key.into(), iv.into()).encrypt_padded_vec_mut::<Pkcs7>(data)
}

/// .NET `Guid.ToByteArray` of a GUID in text form.
pub fn guid_bytes(text: &str) -> [u8; 16] {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    let mut b = [0u8; 16];
    for i in 0..16 {
        b[i] = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    b[..4].reverse();
    b[4..6].reverse();
    b[6..8].reverse();
    b
}

fn octal(field: &mut [u8], v: u64) {
    // 11 digits, space-padded, then NUL.
    let s = format!("{:>11o}", v);
    field[..11].copy_from_slice(s.as_bytes());
    field[11] = 0;
}

pub fn header(name: &[u8], size: u64, mtime: Option<u64>, kind: u8) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    h[100..108].copy_from_slice(b"    777\0");
    h[108..116].copy_from_slice(b"      0\0");
    h[116..124].copy_from_slice(b"      0\0");
    octal(&mut h[124..136], size);
    match mtime {
        Some(t) => octal(&mut h[136..148], t),
        None => h[136..148].fill(0),
    }
    h[156] = kind;
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    let ck = format!("{:>7o} ", sum);
    h[148..156].copy_from_slice(ck.as_bytes());
    h
}

pub fn pad(out: &mut Vec<u8>) {
    let r = out.len() % 512;
    if r != 0 {
        out.resize(out.len() + 512 - r, 0);
    }
}

/// SharpCompress's pre-POSIX tar, with `././@LongLink` for long names.
pub fn tar(entries: &[(String, Vec<u8>)], mtime: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in entries {
        let nb = name.as_bytes();
        if nb.len() > 100 {
            out.extend_from_slice(&header(b"././@LongLink", nb.len() as u64 + 1, None, b'L'));
            out.extend_from_slice(nb);
            out.push(0);
            pad(&mut out);
            out.extend_from_slice(&header(&nb[..94], data.len() as u64, Some(mtime), 0));
        } else {
            out.extend_from_slice(&header(nb, data.len() as u64, Some(mtime), 0));
        }
        out.extend_from_slice(data);
        pad(&mut out);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// SanteDB's writer's name normalisation.
pub fn normalise(name: &str) -> String {
    let n = name.replace('\\', "/");
    let n = match n.split_once(':') {
        Some((_, a)) => a.to_string(),
        None => n,
    };
    n.trim_matches('/').to_string()
}

pub fn gzip(data: &[u8], dotnet: bool, lost_trailer: bool, mtime: u32) -> Vec<u8> {
    let b = flate2::GzBuilder::new();
    let b = if dotnet {
        b.mtime(0)
    } else {
        b.mtime(mtime).operating_system(0xff)
    };
    let mut enc = b.write(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    if dotnet {
        enc.flush().unwrap(); // sync-flush block before the final one
    }
    if lost_trailer {
        return enc.get_ref().clone();
    }
    enc.finish().unwrap()
}

pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

pub fn table(spec: &Spec) -> Vec<u8> {
    let rows: Vec<(&str, String)> = match &spec.table {
        Some(t) => t.clone(),
        None => spec
            .entries
            .iter()
            .map(|e| (e.class.expect("table layouts need classes"), e.name.clone()))
            .collect(),
    };
    let mut out = (rows.len() as i64).to_le_bytes().to_vec();
    for (class, name) in rows {
        out.extend_from_slice(&guid_bytes(class));
        let mut nb = name.as_bytes().to_vec();
        nb.truncate(256);
        nb.resize(256, 0x20);
        out.extend_from_slice(&nb);
    }
    out
}

fn tar_of(spec: &Spec) -> Vec<u8> {
    if let Some(t) = &spec.raw_tar {
        return t.clone();
    }
    let entries: Vec<(String, Vec<u8>)> = spec
        .entries
        .iter()
        .map(|e| {
            let name = match e.class {
                Some(c) if spec.version.has_table() => normalise(&format!("{c}/{}", e.name)),
                _ => e.name.clone(),
            };
            (name, e.payload.clone())
        })
        .collect();
    tar(&entries, spec.time as u64 + 3 * 3600)
}

fn encrypt(spec: &Spec, plain: &[u8]) -> Vec<u8> {
    let k = key(spec.passphrase.as_deref().unwrap());
    let mut c = cbc_encrypt(&k, &spec.iv, plain);
    if spec.stray_block {
        c.extend_from_slice(&[0x5a; 16]);
    }
    c
}

/// Writes the whole backup file.
pub fn write(spec: &Spec) -> Vec<u8> {
    let enc = spec.passphrase.as_deref().is_some_and(|p| !p.is_empty());
    let t = ticks(spec.time).to_le_bytes();
    let dotnet = spec.time >= 1_761_609_600; // GZipStream from 2025-10-28
    let gz = |d: &[u8]| gzip(d, dotnet, spec.lost_trailer, (spec.time + 3 * 3600) as u32);
    let tarb = tar_of(spec);
    match spec.version {
        Version::TarGz => gz(&tarb),
        Version::Sdb2 => {
            let mut out = b"SDB\x02".to_vec();
            if enc {
                out.push(1);
                out.extend_from_slice(&16i32.to_le_bytes());
                out.extend_from_slice(&spec.iv);
                out.extend(encrypt(spec, &gz(&tarb)));
            } else {
                out.push(0);
                out.extend(gz(&tarb));
            }
            out
        }
        Version::Sdb3 | Version::Sb0Bk2023 => {
            let magic: &[u8] = if spec.version == Version::Sdb3 {
                b"SDB\x03"
            } else {
                b"SB\x00BK"
            };
            let mut inner = magic.to_vec();
            inner.extend_from_slice(&t);
            inner.extend(table(spec));
            if enc {
                inner.extend_from_slice(&spec.iv);
                let mut p = magic.to_vec();
                p.extend(&tarb);
                inner.extend(encrypt(spec, &p));
            } else {
                inner.extend_from_slice(&[0u8; 16]);
                inner.extend(&tarb);
            }
            bzip2(&inner)
        }
        Version::Sb0BkJan2024 => {
            let mut out = b"SB\x00BK".to_vec();
            out.extend_from_slice(&t);
            if enc {
                out.extend_from_slice(&spec.iv);
                let mut p = b"SB\x00BK".to_vec();
                p.extend(table(spec));
                p.extend(bzip2(&tarb));
                out.extend(encrypt(spec, &p));
            } else {
                out.extend_from_slice(&[0u8; 16]);
                out.extend(table(spec));
                out.extend(bzip2(&tarb));
            }
            out
        }
        Version::Sb0Bk2024 | Version::Sb0Bk2025 | Version::Sb1Bk => {
            let magic: &[u8] = if spec.version == Version::Sb1Bk {
                b"SB\x01BK"
            } else {
                b"SB\x00BK"
            };
            let mut out = magic.to_vec();
            out.extend_from_slice(&t);
            let cb = spec.creator.as_bytes();
            out.push((cb.len() % 256) as u8);
            out.extend_from_slice(cb);
            out.extend(table(spec));
            let body = if spec.version == Version::Sb0Bk2024 {
                bzip2(&tarb)
            } else {
                gz(&tarb)
            };
            if enc {
                out.extend_from_slice(&spec.iv);
                let mut p = magic.to_vec();
                p.extend(body);
                out.extend(encrypt(spec, &p));
            } else {
                out.extend_from_slice(&[0u8; 16]);
                out.extend(body);
            }
            out
        }
    }
}

/// Envelope v1: u8-length password, raw main file.
pub fn env_v1(password: &str, main: &[u8]) -> Vec<u8> {
    let mut v = vec![password.len() as u8];
    v.extend_from_slice(password.as_bytes());
    v.extend_from_slice(main);
    v
}

/// Envelope v2: password, then (u8-length name, i64 size, bytes) per file.
pub fn env_v2(password: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut v = vec![password.len() as u8];
    v.extend_from_slice(password.as_bytes());
    for (n, b) in files {
        v.push(n.len() as u8);
        v.extend_from_slice(n.as_bytes());
        v.extend_from_slice(&(b.len() as i64).to_le_bytes());
        v.extend_from_slice(b);
    }
    v
}

/// Envelope v3: u8-length file name, i64 size, main file.
pub fn env_v3(name: &str, main: &[u8]) -> Vec<u8> {
    let mut v = vec![name.len() as u8];
    v.extend_from_slice(name.as_bytes());
    v.extend_from_slice(&(main.len() as i64).to_le_bytes());
    v.extend_from_slice(main);
    v
}

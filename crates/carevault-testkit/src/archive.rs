//! Tar entries built by hand, for damaged and hostile files: raw header
//! bytes with their checksum, GNU long names, PAX records, padding and end
//! blocks. What anyone can make with the standard tools, byte for byte, so
//! a test says which bytes it feeds a reader; the library's own writer is
//! never used here.

/// The size of a tar block.
pub const BLOCK: usize = 512;

/// Pads `v` with zeros to a whole number of blocks.
pub fn pad(v: &mut Vec<u8>) {
    v.resize(v.len().div_ceil(BLOCK) * BLOCK, 0);
}

/// The two zero blocks that end an archive.
pub fn end() -> [u8; 2 * BLOCK] {
    [0; 2 * BLOCK]
}

/// A GNU tar header with raw name and link bytes (at most 100 each),
/// mode 0644, entry type `kind`, and its checksum.
pub fn hdr(name: &[u8], size: u64, kind: u8, link: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// A POSIX ustar header with raw `prefix` (at most 155 bytes) and `name`
/// (at most 100) fields, mode 0644, entry type `kind`, and its checksum.
pub fn ustar_hdr(prefix: &[u8], name: &[u8], size: u64, kind: u8) -> Vec<u8> {
    let mut h = tar::Header::new_ustar();
    {
        let u = h.as_ustar_mut().unwrap();
        u.prefix[..prefix.len()].copy_from_slice(prefix);
        u.name[..name.len()].copy_from_slice(name);
    }
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// [`hdr`] as one block.
pub fn hdr_block(name: &[u8], size: u64, kind: u8, link: &[u8]) -> [u8; BLOCK] {
    let mut b = [0u8; BLOCK];
    b.copy_from_slice(&hdr(name, size, kind, link));
    b
}

/// A regular-file entry (header, data, padding).
pub fn file(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut v = hdr(name, data.len() as u64, b'0', b"");
    v.extend_from_slice(data);
    pad(&mut v);
    v
}

/// A GNU sparse (`S`) entry with no data regions.
pub fn sparse_entry(name: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::from_byte_slice(&hdr(name, 0, b'S', b"")).clone();
    h.as_gnu_mut().unwrap().set_real_size(0);
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// A GNU long-name (`L`) or long-link (`K`) entry carrying `name`.
pub fn gnu_long(kind: u8, name: &[u8]) -> Vec<u8> {
    let mut data = name.to_vec();
    data.push(0);
    let mut v = hdr(b"././@LongLink", data.len() as u64, kind, b"");
    v.extend_from_slice(&data);
    pad(&mut v);
    v
}

/// The data of PAX records: `"<len> <key>=<value>\n"` each, `len`
/// counting itself.
pub fn pax_records(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut data = Vec::new();
    for (k, val) in records {
        let body = 1 + k.len() + 1 + val.len() + 1;
        let mut len = body + 1;
        while len != body + len.to_string().len() {
            len = body + len.to_string().len();
        }
        data.extend_from_slice(format!("{len} {k}=").as_bytes());
        data.extend_from_slice(val);
        data.push(b'\n');
    }
    data
}

/// A PAX extended header entry (`x` local, `g` global) with `records`.
pub fn pax(kind: u8, records: &[(&str, &[u8])]) -> Vec<u8> {
    let data = pax_records(records);
    let mut v = hdr(b"PaxHeaders/entry", data.len() as u64, kind, b"");
    v.extend_from_slice(&data);
    pad(&mut v);
    v
}

/// The sum POSIX defines for a header: every byte, the checksum field
/// (bytes 148..156) counted as spaces.
pub fn checksum(block: &[u8]) -> u32 {
    block[..BLOCK]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if (148..156).contains(&i) {
                32
            } else {
                x as u32
            }
        })
        .sum()
}

/// Rewrites the checksum field of the header at the start of `block`
/// after an edit, spelled `%07o\0` (as the tar crate and the library's
/// writer spell it).
pub fn fix_checksum(block: &mut [u8]) {
    let field = format!("{:07o}\0", checksum(block));
    block[148..156].copy_from_slice(field.as_bytes());
}

/// Where the data of the entry `name` of a container starts: just past
/// the tar header, on a 512-byte boundary, whose name field holds `name`.
pub fn data_of(container: &[u8], name: &str) -> usize {
    let mut field = name.as_bytes().to_vec();
    field.push(0);
    (0..container.len() / BLOCK)
        .map(|i| i * BLOCK)
        .find(|&at| container[at..].starts_with(&field))
        .unwrap_or_else(|| panic!("no entry {name}"))
        + BLOCK
}

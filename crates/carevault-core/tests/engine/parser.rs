//! The format crate's push parser on backups the writer made: fed a byte
//! at a time, fed in one slice, or driven by `read_layout` over the file,
//! it finds one layout; cut at any header boundary, the file is only ever
//! asked for more, and the cut file is refused as truncated.

use crate::common::*;
use carevault_core::archive::reader::read_layout;
use carevault_core::format::container::Layout;
use carevault_core::format::parser::{Parser, Step};
use carevault_core::Kind;

fn fed(bytes: &[u8], chunk: usize) -> Layout {
    let mut p = Parser::new(bytes.len() as u64);
    let mut step = p.feed(&[]).unwrap();
    for piece in bytes.chunks(chunk) {
        step = p.feed(piece).unwrap();
    }
    match step {
        Step::Done(l) => l,
        other => panic!("fed the whole file, the parser says {other:?}"),
    }
}

fn from_file(path: &std::path::Path, len: u64) -> carevault_core::Result<Layout> {
    read_layout(&mut std::fs::File::open(path).unwrap(), len)
}

#[test]
fn a_written_backup_gives_one_layout_fed_byte_by_byte_in_one_slice_or_read_from_its_file() {
    for pass in [Some(PASS), None] {
        let t = tempfile::tempdir().unwrap();
        let home = small_home(t.path());
        let out = make_backup(&home, &t.path().join("docs"), pass);
        let bytes = std::fs::read(&out.path).unwrap();
        let layout = from_file(&out.path, bytes.len() as u64).unwrap();
        assert_eq!(layout.file_len, bytes.len() as u64);
        assert!(layout.origin.is_some(), "a 1.1 backup carries its origin");
        assert_eq!(layout.slots.len(), usize::from(pass.is_some()));
        assert_eq!(fed(&bytes, bytes.len()), layout);
        assert_eq!(fed(&bytes, 1), layout);
        assert_eq!(fed(&bytes, 4096), layout);
    }
}

#[test]
fn a_written_backup_cut_at_any_header_boundary_asks_for_more_and_reads_as_truncated() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), Some(PASS));
    let bytes = std::fs::read(&out.path).unwrap();
    let l = from_file(&out.path, bytes.len() as u64).unwrap();
    let (rec, sig) = l.origin.unwrap();
    let mut parts = vec![
        l.metadata,
        l.payload.1,
        l.manifest.1,
        l.payload_sum,
        rec,
        sig,
    ];
    parts.extend(l.slots.iter().map(|s| s.1));
    // Every header's start and end, and the two end-of-archive blocks.
    let mut cuts: Vec<u64> = parts
        .iter()
        .flat_map(|e| [e.offset - 512, e.offset])
        .collect();
    cuts.extend([l.file_len - 1024, l.file_len - 512, l.file_len - 1]);
    let cut_file = t.path().join("cut.bin");
    for cut in cuts {
        let prefix = &bytes[..cut as usize];
        let mut p = Parser::new(bytes.len() as u64);
        match p.feed(prefix) {
            Ok(Step::Need(_) | Step::Skip(_)) => {}
            other => panic!("a prefix of {cut} bytes: {other:?}"),
        }
        let mut p = Parser::new(cut);
        let e = carevault_core::Error::from(p.feed(prefix).unwrap_err());
        assert_eq!(e.kind(), Kind::Truncated, "cut at {cut}: {e}");
        std::fs::write(&cut_file, prefix).unwrap();
        let from_disk = from_file(&cut_file, cut).unwrap_err();
        assert_eq!(from_disk.kind(), Kind::Truncated, "cut at {cut}");
        assert_eq!(from_disk.message(), e.message(), "cut at {cut}");
    }
}

//! The whole archive reader: `verify::verify_file` on an in-memory file,
//! with the passphrase of the test vectors: never panics, and what it
//! accepts is the whole file. Header checksums are fixed up first so that
//! the fuzzer gets past them, as anyone crafting a file would.
#![no_main]

use carevault_core::verify::verify_file;
use carevault_core::{NoProgress, SecretString, Unlock};
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::os::fd::AsRawFd;

/// The passphrase of `crates/carevault-core/tests/vectors/*.bin`.
const PASSPHRASE: &str = "carevault test vectors";
/// The vectors use work factor 10; a higher one would only slow the run.
const MAX_LOG_N: u8 = 10;

fn fix_checksums(data: &mut [u8]) {
    for block in data.chunks_exact_mut(512) {
        if &block[257..262] != b"ustar" {
            continue;
        }
        block[148..156].fill(b' ');
        let sum: u32 = block.iter().map(|&b| b as u32).sum();
        block[148..156].copy_from_slice(format!("{sum:07o}\0").as_bytes());
    }
}

fuzz_target!(|data: &[u8]| {
    let mut data = data.to_vec();
    fix_checksums(&mut data);
    let mut f = std::fs::File::from(
        rustix::fs::memfd_create("carevault-fuzz", rustix::fs::MemfdFlags::CLOEXEC).unwrap(),
    );
    f.write_all(&data).unwrap();
    let path = format!("/proc/self/fd/{}", f.as_raw_fd());
    let unlock = Unlock::Passphrase(SecretString::from(PASSPHRASE.to_string()));
    if let Ok(report) = verify_file(path.as_ref(), Some(&unlock), MAX_LOG_N, &NoProgress) {
        assert_eq!(report.size, data.len() as u64);
    }
});

//! The readable-metadata parser (`carevault.json`, read without a
//! passphrase from any file a user picks): never panics, and whatever it
//! accepts it writes back to bytes that parse to the same value.
#![no_main]

use carevault_core::format::metadata::Metadata;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(md) = Metadata::parse(data) {
        let again = Metadata::parse(&md.to_bytes()).expect("written metadata parses");
        assert_eq!(again, md, "parse -> write -> parse changed the metadata");
    }
});

//! The file primitives a front end needs for I/O of its own, kept here so
//! that it never reaches into [`crate::fsutil`]: the CLI writes key files
//! and reads keys a person names, the web keeps uploads and saves the
//! offsite credentials a first run typed in. They are the library's own
//! (no link followed, private modes, size caps), not a second copy.

pub use crate::fsutil::{create_private, read_small, sync_dir, write_private};

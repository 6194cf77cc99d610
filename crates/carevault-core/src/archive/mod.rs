//! Streaming I/O over the backup format: writing a container, opening one,
//! and reading its payload entry by entry with every check applied.

pub mod hashio;
pub mod keys;
mod pipe;
pub mod reader;
mod snapcheck;
pub mod writer;

//! `carevault`: the command-line face of carevault-core. Parsing, prompts,
//! progress bars and printing live here; every decision lives in the library.

mod cli;

fn main() {
    fixed_mmap_threshold();
    let code = cli::run();
    std::process::exit(code);
}

/// glibc serves allocations above a threshold with their own mappings,
/// returned to the system when freed; by default it raises that threshold
/// to the size of the largest block freed so far. The login's 19 MiB
/// (argon2) and the passphrase's 256 MiB (scrypt) blocks would raise it so
/// high that the manifest's and the streams' buffers came from the heap
/// instead, and stayed resident after use: memory would then grow with the
/// number of files. A fixed threshold keeps large buffers returnable.
fn fixed_mmap_threshold() {
    // SAFETY: mallopt only changes allocator parameters; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

//! The one narrow seam through which backup, restore and rekey change the
//! file system, so that tests can make the Nth operation fail (the way
//! SQLite's own tests inject an I/O error at operation N for every N).
//!
//! Every create, write, fsync, rename and remove that these operations do
//! first calls [`check`]. Without the `fault-injection` feature `check` is
//! an empty inline function. With it, a test arms a plan on its own thread
//! ([`arm`]): the Nth matching operation fails with the given `errno`.
//! SQLite's own file I/O (the integrity check of staged databases) is not
//! routed through this seam.

use std::io;
use std::path::Path;

/// Kinds of file-system operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Creating a file or folder.
    Create,
    /// Writing bytes.
    Write,
    /// fsync of a file or folder.
    Fsync,
    /// Renaming or exchanging.
    Rename,
    /// Removing a file or folder.
    Remove,
}

/// Called before every file-system operation of backup, restore and rekey.
#[inline]
pub fn check(op: Op, path: &Path) -> io::Result<()> {
    #[cfg(feature = "fault-injection")]
    {
        imp::check(op, path)
    }
    #[cfg(not(feature = "fault-injection"))]
    {
        let _ = (op, path);
        Ok(())
    }
}

#[cfg(feature = "fault-injection")]
pub use imp::{arm, disarm, Report};

/// The calling thread's fault plan, to be adopted by a thread it starts for
/// part of the same operation (the Nth operation is counted across both).
pub struct Inherited(#[cfg(feature = "fault-injection")] Option<imp::Shared>);

/// Takes the calling thread's plan along (nothing without the feature).
pub fn inherit() -> Inherited {
    Inherited(
        #[cfg(feature = "fault-injection")]
        imp::share(),
    )
}

impl Inherited {
    /// Makes the plan this thread's own.
    pub fn adopt(self) {
        #[cfg(feature = "fault-injection")]
        imp::adopt(self.0);
    }
}

#[cfg(feature = "fault-injection")]
mod imp {
    use super::Op;
    use std::cell::RefCell;
    use std::io;
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex};

    pub type Shared = Arc<Mutex<Plan>>;

    pub struct Plan {
        fail_at: u64,
        errno: i32,
        only: Option<Op>,
        seen: u64,
        fired: Option<(Op, PathBuf)>,
    }

    thread_local! {
        static PLAN: RefCell<Option<Shared>> = const { RefCell::new(None) };
    }

    /// What happened under a plan.
    #[derive(Debug, Clone)]
    pub struct Report {
        /// Matching operations seen.
        pub operations: u64,
        /// The operation that was made to fail, if any.
        pub fired: Option<(Op, PathBuf)>,
    }

    /// On this thread, make the `fail_at`-th operation (counting from 1,
    /// only `only` if given) fail with `errno`.
    pub fn arm(fail_at: u64, errno: i32, only: Option<Op>) {
        PLAN.with(|p| {
            *p.borrow_mut() = Some(Arc::new(Mutex::new(Plan {
                fail_at,
                errno,
                only,
                seen: 0,
                fired: None,
            })))
        });
    }

    /// Removes the plan and says what happened.
    pub fn disarm() -> Report {
        PLAN.with(|p| {
            let plan = p.borrow_mut().take();
            match plan {
                Some(pl) => {
                    let pl = pl.lock().unwrap_or_else(|e| e.into_inner());
                    Report {
                        operations: pl.seen,
                        fired: pl.fired.clone(),
                    }
                }
                None => Report {
                    operations: 0,
                    fired: None,
                },
            }
        })
    }

    pub(super) fn check(op: Op, path: &Path) -> io::Result<()> {
        let Some(shared) = share() else {
            return Ok(());
        };
        {
            let mut plan = shared.lock().unwrap_or_else(|e| e.into_inner());
            if plan.only.is_some_and(|o| o != op) || plan.fired.is_some() {
                return Ok(());
            }
            plan.seen += 1;
            if plan.seen == plan.fail_at {
                plan.fired = Some((op, path.to_path_buf()));
                return Err(io::Error::from_raw_os_error(plan.errno));
            }
            Ok(())
        }
    }

    pub fn share() -> Option<Shared> {
        PLAN.with(|p| p.borrow().clone())
    }

    pub fn adopt(plan: Option<Shared>) {
        PLAN.with(|p| *p.borrow_mut() = plan);
    }
}

/// A file whose writes pass through the seam.
pub struct Checked<'a> {
    file: &'a mut std::fs::File,
    path: &'a Path,
}

impl<'a> Checked<'a> {
    /// Wraps `file` (at `path`, for reports).
    pub fn new(file: &'a mut std::fs::File, path: &'a Path) -> Self {
        Checked { file, path }
    }
}

impl io::Write for Checked<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        check(Op::Write, self.path)?;
        self.file.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl io::Seek for Checked<'_> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

/// `std::fs::create_dir` through the seam.
pub fn create_dir(path: &Path) -> io::Result<()> {
    check(Op::Create, path)?;
    std::fs::create_dir(path)
}

/// `std::fs::create_dir_all` through the seam.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    check(Op::Create, path)?;
    std::fs::create_dir_all(path)
}

/// `std::fs::rename` through the seam.
pub fn rename(from: &Path, to: &Path) -> io::Result<()> {
    check(Op::Rename, to)?;
    std::fs::rename(from, to)
}

/// `std::fs::remove_dir_all` through the seam.
pub fn remove_dir_all(path: &Path) -> io::Result<()> {
    check(Op::Remove, path)?;
    std::fs::remove_dir_all(path)
}

/// `File::sync_all` through the seam.
pub fn sync_file(file: &std::fs::File, path: &Path) -> io::Result<()> {
    check(Op::Fsync, path)?;
    file.sync_all()
}

/// `syncfs(2)` of the file system holding `path` (a folder) through the
/// seam: writes back every dirty page of that file system and reports
/// write-back errors (Linux 5.8 and later).
pub fn syncfs(path: &Path) -> io::Result<()> {
    check(Op::Fsync, path)?;
    let dir = std::fs::File::open(path)?;
    rustix::fs::syncfs(&dir).map_err(io::Error::from)
}

//! Named moments inside restore and rekey at which a test can stop the
//! real binary, so that a kill lands exactly there instead of after a
//! guessed delay.
//!
//! The library never reads the environment for this: a host arms one
//! moment with [`arm`]. The `carevault` command line does so only for
//! `restore` and `rekey`, and only when the environment variable
//! [`STOP_AT_ENV`] names a moment; a web server or an app embedding the
//! library is never stopped by an inherited variable. On reaching the armed
//! moment the process says so on standard error and stops itself with
//! `SIGSTOP`; the parent, waiting with `waitid(WSTOPPED)`, sees the stop as
//! an event and can `SIGKILL` the process in that exact state.

use std::sync::OnceLock;

/// The environment variable the command line reads to arm a moment.
pub const STOP_AT_ENV: &str = "CAREVAULT_TEST_STOP_AT";

/// Restore: every file of the backup is staged; the checks of the staged
/// databases may still be running and their journal modes are not set back.
pub const RESTORE_STREAMED: &str = "restore-streamed";
/// Restore: the backup is staged and checked; the data is not swapped yet.
pub const RESTORE_STAGED: &str = "restore-staged";
/// Restore: the data is swapped in; the replaced data is still in staging.
pub const RESTORE_SWAPPED: &str = "restore-swapped";
/// Restore: the dated safety-copy folder exists; the replaced data is not
/// moved into it yet.
pub const RESTORE_FILING: &str = "restore-filing";
/// Rekey: the backup is opened and unlocked, the new key slot made;
/// nothing is copied yet.
pub const REKEY_UNLOCKED: &str = "rekey-unlocked";
/// Rekey: the rekeyed copy is written in full beside the backup, not yet
/// renamed over it.
pub const REKEY_WRITTEN: &str = "rekey-written";

static ARMED: OnceLock<String> = OnceLock::new();

/// Makes this process stop at `moment` (once set, it stays).
pub fn arm(moment: &str) {
    let _ = ARMED.set(moment.to_string());
}

/// Stops the process here if `moment` is the armed one.
pub fn stop_point(moment: &str) {
    if ARMED.get().is_some_and(|m| m == moment) {
        // A test seam: the one place the library writes to standard error,
        // so that a process stopped by mistake says why.
        eprintln!("carevault: stopping at {moment} ({STOP_AT_ENV} is set)");
        use rustix::process::{getpid, kill_process, Signal};
        let _ = kill_process(getpid(), Signal::STOP);
    }
}

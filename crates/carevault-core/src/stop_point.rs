//! Named moments inside restore and rekey at which a test can stop the
//! real binary, so that a kill lands exactly there instead of after a
//! guessed delay.
//!
//! When the environment variable [`STOP_AT_ENV`] names a moment, the
//! process stops itself with `SIGSTOP` on reaching it; the parent, waiting
//! with `waitpid(WUNTRACED)`, sees the stop as an event and can `SIGKILL`
//! the process in that exact state. This is always compiled (unlike
//! [`crate::fault`]) because the tests drive the shipped binary. It gives
//! nothing to whoever sets the variable: they already own the process, and
//! all it can do is stop it.

/// The environment variable that names the moment to stop at.
pub const STOP_AT_ENV: &str = "CAREVAULT_TEST_STOP_AT";

/// Restore: the backup is staged and checked; the data is not swapped yet.
pub const RESTORE_STAGED: &str = "restore-staged";
/// Restore: the data is swapped in; the replaced data is still in staging.
pub const RESTORE_SWAPPED: &str = "restore-swapped";
/// Restore: the dated safety-copy folder exists; the replaced data is not
/// moved into it yet.
pub const RESTORE_FILING: &str = "restore-filing";
/// Rekey: the rekeyed copy is written in full beside the backup, not yet
/// renamed over it.
pub const REKEY_WRITTEN: &str = "rekey-written";

/// Stops the process here if [`STOP_AT_ENV`] names `moment`.
pub fn stop_point(moment: &str) {
    if std::env::var_os(STOP_AT_ENV).is_some_and(|v| v == moment) {
        use rustix::process::{getpid, kill_process, Signal};
        let _ = kill_process(getpid(), Signal::STOP);
    }
}

//! The operations layer: the one door the CLI and the web app go through.
//!
//! A front end names `ops` and the report types the operations return,
//! never [`crate::archive`], [`crate::hostlock`] or [`crate::fsutil`], and
//! never appends to the audit log itself. Each function here takes the
//! permit (or, where nobody is logged in yet, says why), does the locking
//! and auditing once, holds the policy the front ends share, and returns a
//! typed, serde-serialisable report that the CLI prints and the web sends.
//!
//! The operations that already had that shape stay where they are and are
//! the other half of this door: [`crate::backup`], [`crate::verify`],
//! [`crate::restore`], [`crate::catalog`], [`crate::rekey`],
//! [`crate::safety`], [`crate::status`], [`crate::auth`].
//!
//! - [`show`]: one backup read without restoring it (its header, its
//!   signature, a summary of what it holds).
//! - [`sync`]: the app's synchronization, as the operations see it (is one
//!   running, wait for it to end).
//! - [`audit`]: the events a front end decides (a refused login, a refused
//!   import, a download), each recorded in one way; reading and checking
//!   the trail.
//! - [`trust`]: this tablet's key and its trust list.
//! - [`users`]: adding users, their passwords and roles, with the
//!   `ManageUsers` permit.
//! - [`verify`]: verifying a file when nobody is logged in yet (first run).
//! - [`files`]: the safe file primitives a front end needs for I/O of its
//!   own (a key file the CLI writes, an upload the web keeps).

pub mod audit;
pub mod files;
pub mod show;
pub mod sync;
pub mod trust;
pub mod users;
pub mod verify;

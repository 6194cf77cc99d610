//! Offsite copies of carevault backups on S3-compatible object storage.
//!
//! The pieces:
//! - [`config`]: the profile's `[offsite]` section made usable: the key
//!   prefix of this tablet and the credentials (from `private/` or the
//!   environment, never the profile or the command line).
//! - [`http`]: one signed request at a time over a blocking client, with
//!   retries (backoff and jitter), the tablet's clock corrected from the
//!   server's `Date`, and the store's answers mapped to carevault's error
//!   kinds.
//! - [`S3Store`]: the core's `Store` on a bucket: create-only puts (one
//!   request for small files, a journalled multipart upload that resumes
//!   across runs for larger ones), ranged reads, listing.
//! - `sigv4`: the request's SigV4 signature moved into the
//!   `Authorization` header (stores that enforce IAM policies want it).
//! - [`throttle`]: the bandwidth limit on request bodies.
//! - [`uploads`]: multipart uploads left incomplete under this tablet's
//!   prefix that no local journal resumes (a tablet killed mid-upload and
//!   never resumed).
//! - [`fetch`]: the listing with sidecars, and the checked download.
//! - [`push`]: what is pending, and one backup's audited upload (file,
//!   sidecar, status event), for the CLI, the web app and its scheduler.
//! - [`fleet`]: the ministry's view of every tablet under a prefix,
//!   indexed incrementally in SQLite, and the read-only auditor.
//! - [`bucket_check`]: whether a bucket has versioning, object lock and
//!   the lifecycle rules docs/OFFSITE.md recommends.
//!
//! All HTTP of carevault lives in this crate; the core library knows only
//! the `Store` trait and the plain settings.

#![forbid(unsafe_code)]

pub mod bucket_check;
pub mod config;
mod fail;
pub mod fetch;
pub mod fleet;
pub mod http;
mod journal;
mod multipart;
pub mod push;
mod sigv4;
mod store;
pub mod throttle;
pub mod uploads;

pub use config::{Config, Credentials};
pub use http::{Clock, RetryPolicy};
pub use store::{Level, ListedObject, ObjectInfo, S3Store};

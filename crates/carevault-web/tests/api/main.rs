//! The Backup Explorer's JSON API, one test binary with a module per
//! behaviour (docs/API.md). The test that measures the whole process's
//! memory, `api_memory`, runs alone in its own binary.

#[path = "../api_common/mod.rs"]
mod api_common;
#[path = "../fleet_fixture/mod.rs"]
mod fleet_fixture;
#[path = "../relay/mod.rs"]
mod relay;
#[path = "../santedb_fixture/mod.rs"]
mod santedb_fixture;
// The CLI's offsite tests start the S3 servers the same way.
#[allow(dead_code)]
#[path = "../../../../tests/offsite/servers.rs"]
mod servers;

mod abuse;
mod first_run;
mod first_run_offsite;
mod fleet;
mod import;
mod jobs;
mod language;
mod offsite;
mod recovery;
mod roles;
mod security;
mod trust;

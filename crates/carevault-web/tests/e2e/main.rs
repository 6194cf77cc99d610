//! The Backup Explorer in a real browser (Chromium through ChromeDriver),
//! one test binary with a module per screen family; each test takes the
//! screenshots docs/SCREENS.md shows.

#[path = "../e2e_support/mod.rs"]
mod e2e_support;
#[path = "../fleet_fixture/mod.rs"]
mod fleet_fixture;
#[path = "../santedb_fixture/mod.rs"]
mod santedb_fixture;
// The CLI's offsite tests start the S3 servers the same way.
#[allow(dead_code)]
#[path = "../../../../tests/offsite/servers.rs"]
mod servers;

mod explorer;
mod fleet;
mod french;
mod import;
mod offsite;
mod recovery;

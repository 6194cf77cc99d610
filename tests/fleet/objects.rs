//! The fleet tests' fixtures: sidecars and status events as the tablets
//! write them, put through the S3 API of a real server, and the fleet
//! command run against it with the settings in the environment.
#![allow(dead_code)]

use crate::servers::{AK, BUCKET, SK};
use crate::support::bin;
use carevault_offsite::{Clock, Config, Credentials, RetryPolicy, S3Store};
pub use carevault_testkit::fleet::{event, event_key, sidecar, sidecar_key, ts};
use std::path::Path;
use std::process::Output;

pub const DAY: i64 = 86_400;

pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A store on `endpoint` under `prefix` (the tablets' writes and the
/// tests' damage go through it).
pub fn store(endpoint: &str, prefix: &str) -> S3Store {
    let settings: carevault_core::profile::OffsiteSettings = toml::from_str(&format!(
        "endpoint = \"{endpoint}\"\nbucket = \"{BUCKET}\"\n"
    ))
    .unwrap();
    S3Store::new(&Config {
        settings,
        prefix: prefix.into(),
        credentials: Credentials {
            access_key: AK.into(),
            secret_key: SK.into(),
        },
        journal_dir: std::env::temp_dir().join("carevault-fleet-test-unused"),
        clock: Clock::system(),
        retry: RetryPolicy {
            tries: 2,
            base: std::time::Duration::from_millis(20),
            max: std::time::Duration::from_millis(100),
        },
    })
    .unwrap()
}

/// The sidecar of backup `id` of `fac/dev`, and (with `uploaded`) its
/// status event.
#[allow(clippy::too_many_arguments)]
pub fn put_backup(
    s: &S3Store,
    fac: &str,
    dev: &str,
    id: &str,
    size: u64,
    made: i64,
    uploaded: Option<i64>,
    head: Option<(u64, &str)>,
) {
    s.put_bytes(&sidecar_key(fac, dev, id), &sidecar(id, size, made))
        .unwrap();
    if let Some(up) = uploaded {
        s.put_bytes(
            &event_key(fac, dev, id, up),
            &event(id, size, made, up, head),
        )
        .unwrap();
    }
}

/// `carevault --json fleet --store s3://BUCKET/<prefix> --index <index>`
/// with the endpoint and keys in the environment, plus `extra`.
pub fn fleet(endpoint: &str, prefix: &str, index: &Path, extra: &[&str]) -> Output {
    bin()
        .args([
            "--json",
            "fleet",
            "--store",
            &format!("s3://{BUCKET}/{prefix}"),
            "--index",
        ])
        .arg(index)
        .args(extra)
        .env("CAREVAULT_S3_ENDPOINT", endpoint)
        .env("CAREVAULT_S3_ACCESS_KEY", AK)
        .env("CAREVAULT_S3_SECRET_KEY", SK)
        .output()
        .unwrap()
}

/// The device `fac/dev` of a fleet report.
pub fn device<'a>(report: &'a serde_json::Value, fac: &str, dev: &str) -> &'a serde_json::Value {
    report["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["facility"] == fac && d["device"] == dev)
        .unwrap_or_else(|| panic!("{fac}/{dev} not in {report}"))
}

pub fn at_risk(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["at_risk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["facility"].as_str().unwrap(),
                d["device"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

/// A store settings file (0600) for `--config`.
pub fn config_file(dir: &Path, endpoint: &str, ak: &str, sk: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("store.conf");
    std::fs::write(
        &p,
        format!("# test store\nendpoint = {endpoint}\nregion = us-east-1\naccess_key = {ak}\nsecret_key = {sk}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

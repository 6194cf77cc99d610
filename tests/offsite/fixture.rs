//! The offsite tests' fixtures: a demo clinic that copies offsite to a
//! given endpoint, a store for in-process checks, random files, helpers.
#![allow(dead_code)]

use crate::servers::{AK, BUCKET, SK};
use crate::support::*;
use carevault_core::store::Store;
use carevault_offsite::{Clock, Config, Credentials, RetryPolicy, S3Store};
use std::path::{Path, PathBuf};

pub const PREFIX: &str = "tablets/test-device/";

/// A demo clinic whose profile sends offsite copies to `endpoint`, with
/// the credentials in private/offsite-credentials (0600).
pub fn clinic(photos: u32, endpoint: &str, keys: (&str, &str), extra: &str) -> Clinic {
    let c = Clinic::sized(50, photos);
    let mut profile = std::fs::read_to_string(c.home.join("carevault.toml")).unwrap();
    profile.push_str(&format!(
        "{extra}\n[offsite]\nendpoint = \"{endpoint}\"\nbucket = \"{BUCKET}\"\nprefix = \"{PREFIX}\"\npart_size_mib = 5\n"
    ));
    std::fs::write(c.home.join("carevault.toml"), profile).unwrap();
    let cred = c.home.join("private/offsite-credentials");
    std::fs::write(&cred, format!("{}\n{}\n", keys.0, keys.1)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cred, std::fs::Permissions::from_mode(0o600)).unwrap();
    c
}

pub fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn push(c: &Clinic) -> std::process::Output {
    run(&["--json", "offsite", "push", "--all", "--home", c.h()])
}

/// The push without --json (errors on standard error, for `assert_fails`).
pub fn push_text(c: &Clinic) -> std::process::Output {
    run(&["offsite", "push", "--all", "--home", c.h()])
}

/// The data files, without SQLite's side files (opening a database makes them).
pub fn data_files(home: &Path) -> Vec<(String, u64)> {
    data_tree(home)
        .into_iter()
        .filter(|(p, _)| !p.ends_with("-shm") && !p.ends_with("-wal"))
        .collect()
}

pub fn marked(c: &Clinic) -> serde_json::Value {
    let p = c.home.join("private/offsite/copied.json");
    std::fs::read(p)
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap_or(serde_json::json!({}))
}

/// A store on `endpoint` for in-process tests.
pub fn store_at(endpoint: &str, journal: &Path, clock: Clock, tries: u32) -> S3Store {
    store_at_with(endpoint, journal, clock, tries, (AK, SK))
}

/// [`store_at`] with the key `keys`.
pub fn store_at_with(
    endpoint: &str,
    journal: &Path,
    clock: Clock,
    tries: u32,
    keys: (&str, &str),
) -> S3Store {
    let settings: carevault_core::profile::OffsiteSettings = toml::from_str(&format!(
        "endpoint = \"{endpoint}\"\nbucket = \"{BUCKET}\"\npart_size_mib = 5\n"
    ))
    .unwrap();
    S3Store::new(&Config {
        settings,
        prefix: PREFIX.into(),
        credentials: Credentials {
            access_key: keys.0.into(),
            secret_key: keys.1.into(),
        },
        journal_dir: journal.to_path_buf(),
        clock,
        retry: RetryPolicy {
            tries,
            base: std::time::Duration::from_millis(20),
            max: std::time::Duration::from_millis(200),
        },
    })
    .unwrap()
}

/// A file of `n` pseudo-random bytes.
pub fn random_file(dir: &Path, name: &str, n: usize) -> PathBuf {
    let mut x: u64 = 0x9e3779b97f4a7c15 ^ n as u64;
    let bytes: Vec<u8> = (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn download(store: &S3Store, name: &str, dir: &Path) -> Vec<u8> {
    let obj = store
        .list()
        .unwrap()
        .into_iter()
        .find(|o| o.name == name)
        .expect("listed");
    let to = dir.join(format!("fetched-{name}"));
    let _ = std::fs::remove_file(&to);
    store
        .fetch(name, obj.size, &to, &carevault_core::NoProgress)
        .unwrap();
    std::fs::read(to).unwrap()
}

//! Eight verifications of one encrypted backup started at once: the server
//! derives one passphrase key at a time, so its measured peak memory
//! (VmHWM of this process, which runs the server) stays near one
//! derivation's, not eight. Its own test binary: no other test shares the
//! process while it measures.

mod api_common;

use api_common::*;
use carevault_core::media::Medium;
use reqwest::StatusCode;
use serde_json::json;

/// scrypt work factor of the test backup: 2^17 * 128 * 8 bytes = 128 MiB.
const WORK_FACTOR: u32 = 17;
const KDF_MIB: u64 = 128;

fn status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_parallel_verifies_hold_one_key_derivation_in_memory() {
    let clinic = Clinic::demo();
    let profile = clinic.home.join("carevault.toml");
    let text = std::fs::read_to_string(&profile)
        .unwrap()
        .replace("work_factor = 10", &format!("work_factor = {WORK_FACTOR}"));
    std::fs::write(&profile, text).unwrap();
    let file = clinic.backup(Medium::Private, Some(PASS));
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let server = Server::start_with(&clinic.home, carevault_web::DEFAULT_MAX_UPLOAD, None).await;
    let users = ["admin", "manager", "nurse"];
    let mut clients = Vec::new();
    for u in users {
        clients.push(server.login(u).await);
    }
    // Forget the peak of making the backup: measure from here.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let base_kib = if reset {
        status_kib("VmRSS:")
    } else {
        status_kib("VmHWM:")
    };
    let path = format!("/api/backups/{id}/verify");
    let answers = futures_util::future::join_all((0..8).map(|i| {
        let c = &clients[i % clients.len()];
        let path = path.clone();
        async move { c.post(&path, json!({"passphrase": PASS})).await }
    }))
    .await;
    let mut jobs = Vec::new();
    for (i, (st, v)) in answers.into_iter().enumerate() {
        match st {
            StatusCode::ACCEPTED => {
                jobs.push((i % clients.len(), v["job_id"].as_str().unwrap().to_string()))
            }
            StatusCode::CONFLICT => {
                assert_eq!(v["error"]["kind"], "busy", "{v}");
                assert!(
                    v["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("already have"),
                    "{v}"
                );
            }
            other => panic!("{other}: {v}"),
        }
    }
    assert!(!jobs.is_empty());
    assert!(jobs.len() <= users.len(), "one job per user at a time");
    for (c, job) in &jobs {
        let v = clients[*c].wait_job(job).await;
        assert_eq!(v["state"], "done", "{v}");
    }
    let peak_kib = status_kib("VmHWM:");
    let grew_mib = peak_kib.saturating_sub(base_kib) / 1024;
    eprintln!(
        "{} verify jobs ran; peak grew by {grew_mib} MiB over {} MiB (reset: {reset})",
        jobs.len(),
        base_kib / 1024
    );
    // One derivation (128 MiB) and the reading pipeline; two at once would
    // already be 256 MiB.
    assert!(
        grew_mib < 2 * KDF_MIB,
        "peak memory grew by {grew_mib} MiB for {} parallel verifies",
        jobs.len()
    );
    server.stop().await;
}

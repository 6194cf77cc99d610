//! The objects a tablet writes to its bucket, as the fleet tests put them
//! there: a backup's sidecar and the status event of its offsite copy
//! (docs/OFFSITE.md, "What is in the bucket"), and their keys.

use serde_json::json;

/// `secs` as the tablets write times: `YYYY-MM-DDTHH:MM:SSZ`.
pub fn ts(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The sidecar of backup `id` of `size` bytes made at `made`.
pub fn sidecar(id: &str, size: u64, made: i64) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({
        "file": format!("Backup-{id}.bin"),
        "size": size,
        "sha256": "ab".repeat(32),
        "signed_by": null,
        "metadata": {"id": id, "created_at": ts(made), "label": "x"},
    }))
    .unwrap()
}

/// The status event of backup `id` copied offsite at `uploaded`, with the
/// audit trail's head `(seq, hash)` when given.
pub fn event(id: &str, size: u64, made: i64, uploaded: i64, head: Option<(u64, &str)>) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({
        "event": "offsite-copy",
        "backup": id,
        "file": format!("Backup-{id}.bin"),
        "size": size,
        "sha256": "ab".repeat(32),
        "etag": "e",
        "made": ts(made),
        "verified": ts(uploaded - 5),
        "checked": "container",
        "uploaded": ts(uploaded),
        "audit_head": head.map(|(seq, hash)| json!({"seq": seq, "hash": hash})),
    }))
    .unwrap()
}

/// The key of backup `id`'s sidecar, under the store's prefix.
pub fn sidecar_key(fac: &str, dev: &str, id: &str) -> String {
    format!("{fac}/{dev}/backups/Backup-{id}.bin.json")
}

/// The key of backup `id`'s status event uploaded at `uploaded`.
pub fn event_key(fac: &str, dev: &str, id: &str, uploaded: i64) -> String {
    format!(
        "{fac}/{dev}/events/{}-{id}.json",
        ts(uploaded).replace([':', '-'], "")
    )
}

//! Reading backups back from the store: the listing with each backup's
//! sidecar, and a ranged, resumable download checked against the listing,
//! the sidecar and the file's own container before it gets its name. The
//! CLI's `carevault offsite list | get` and the web's "Restore from
//! offsite" go through here.

use crate::push::sha256_file;
use crate::S3Store;
use carevault_core::archive::reader::Opened;
use carevault_core::fsutil::TEMP_PREFIX;
use carevault_core::i18n::{t, Text};
use carevault_core::store::Store;
use carevault_core::{Error, Kind, Progress, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Largest sidecar read back (a sidecar is a few KiB).
const MAX_SIDECAR: u64 = 1 << 20;

/// The sidecar of `name`, `None` when the store has none (or it is too
/// large); a refusal or an unreachable store is an error of its own, not
/// "no sidecar".
fn sidecar_bytes(store: &S3Store, name: &str) -> Result<Option<Vec<u8>>> {
    match store.get_small(&format!("backups/{name}.json"), MAX_SIDECAR) {
        Ok(b) => Ok(Some(b)),
        Err(e) if matches!(e.kind(), Kind::PermissionDenied | Kind::Unreachable) => Err(e),
        Err(_) => Ok(None),
    }
}

/// The backups under the store's prefix, each with what its sidecar says:
/// `{name, size, id, label, created_at, sidecar}`.
pub fn list_backups(store: &S3Store) -> Result<Vec<Value>> {
    let mut items = Vec::new();
    for o in store.list()? {
        let side =
            sidecar_bytes(store, &o.name)?.and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        let md = side.as_ref().map(|s| &s["metadata"]);
        items.push(json!({
            "name": o.name,
            "size": o.size,
            "id": md.and_then(|m| m["id"].as_str()),
            "label": md.and_then(|m| m["label"].as_str()),
            "created_at": md.and_then(|m| m["created_at"].as_str()),
            "sidecar": side.is_some(),
        }));
    }
    Ok(items)
}

/// A checked download.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// `DIR/Backup-<id>.bin`.
    pub path: PathBuf,
    pub size: u64,
    /// The backup ID the sidecar gives.
    pub id: Option<String>,
    /// The object's key.
    pub key: String,
}

fn damaged(msg: Text, at: &Path) -> Error {
    Error::new(Kind::Corrupted, msg, t!("offsite-download-damaged-advice")).at(at)
}

/// Downloads backup `id` (or its file name) into `to`: resumed from a
/// partial file there, checked (size against the listing and the sidecar,
/// SHA-256 and readable metadata against the sidecar, the container's own
/// checks), then named `Backup-<id>.bin`. Nothing is left under that name
/// after a failed check.
pub fn get_checked(
    store: &S3Store,
    id: &str,
    to: &Path,
    progress: &dyn Progress,
) -> Result<Fetched> {
    let name = if id.ends_with(".bin") {
        id.to_string()
    } else {
        carevault_core::backup::file_name(id)
    };
    carevault_core::store::check_name(&name)?;
    if name.contains('/') {
        return Err(Error::new(
            Kind::Usage,
            t!("offsite-not-an-id", id = format!("{id:?}")),
            t!("offsite-not-an-id-advice"),
        ));
    }
    let listed = store
        .list()?
        .into_iter()
        .find(|o| o.name == name)
        .ok_or_else(|| carevault_core::store::not_found(store, &name))?;
    let side: Value = sidecar_bytes(store, &name)?
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            Error::new(
                Kind::NotFound,
                t!("offsite-no-sidecar", name = name.as_str()),
                t!("offsite-no-sidecar-advice"),
            )
        })?;
    if side["size"].as_u64() != Some(listed.size) || side["file"].as_str() != Some(name.as_str()) {
        return Err(Error::new(
            Kind::Tampered,
            t!(
                "offsite-sidecar-size",
                name = name.as_str(),
                size = listed.size.to_string()
            ),
            t!("offsite-sidecar-size-advice"),
        ));
    }
    std::fs::create_dir_all(to)
        .map_err(|e| crate::fail::io(t!("offsite-doing-creating-download-folder"), to, e))?;
    let final_path = to.join(&name);
    if final_path.exists() {
        return Err(Error::new(
            Kind::Exists,
            t!("offsite-download-exists", file = final_path.display()),
            t!("offsite-download-exists-advice"),
        ));
    }
    let partial = to.join(format!("{TEMP_PREFIX}offsite-{name}"));
    store.fetch(&name, listed.size, &partial, progress)?;
    let check = || -> Result<()> {
        let got = std::fs::metadata(&partial)
            .map_err(|e| crate::fail::io(t!("offsite-doing-reading-download"), &partial, e))?
            .len();
        if got != listed.size {
            return Err(damaged(
                t!(
                    "offsite-download-size",
                    got = got.to_string(),
                    want = listed.size.to_string()
                ),
                &partial,
            ));
        }
        if side["sha256"].as_str() != Some(sha256_file(&partial)?.as_str()) {
            return Err(damaged(t!("offsite-download-sha256"), &partial));
        }
        let opened = Opened::open(&partial)?;
        let want: carevault_core::format::metadata::Metadata =
            serde_json::from_value(side["metadata"].clone()).map_err(|e| {
                damaged(
                    t!("offsite-sidecar-metadata", error = e.to_string()),
                    &partial,
                )
            })?;
        if opened.metadata != want {
            return Err(Error::new(
                Kind::Tampered,
                t!("offsite-download-metadata"),
                t!("offsite-download-metadata-advice"),
            ));
        }
        // The backup asked for, not another one under its name (an old
        // backup replayed as the newest).
        let sealed_id = &opened.metadata.sealed.id;
        if carevault_core::backup::file_name(sealed_id) != name
            || (!id.ends_with(".bin") && sealed_id != id)
        {
            return Err(Error::new(
                Kind::Tampered,
                t!(
                    "offsite-download-other-backup",
                    name = name.as_str(),
                    id = format!("{sealed_id:?}")
                ),
                t!("offsite-download-other-backup-advice"),
            ));
        }
        // Signed by the tablet whose folder it is in: the signature must be
        // there, name the signer the sidecar names, and, where the store's
        // prefix names a device key ID, be that device's.
        let signer = opened.signed.as_ref().map(|s| s.key_id.as_str());
        let Some(signer) = signer else {
            return Err(Error::new(
                Kind::Tampered,
                t!("offsite-download-unsigned", name = name.as_str()),
                t!("offsite-download-unsigned-advice"),
            ));
        };
        let device_parts: Vec<&str> = store
            .prefix()
            .split('/')
            .filter(|p| p.len() == 16 && p.chars().all(|c| c.is_ascii_hexdigit()))
            .collect();
        if side["signed_by"].as_str() != Some(signer)
            || (!device_parts.is_empty() && !device_parts.contains(&signer))
        {
            return Err(Error::new(
                Kind::Tampered,
                t!(
                    "offsite-download-other-signer",
                    name = name.as_str(),
                    signer = signer
                ),
                t!("offsite-download-other-signer-advice"),
            ));
        }
        Ok(())
    };
    if let Err(e) = check() {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::hard_link(&partial, &final_path)
        .map_err(|e| crate::fail::io(t!("offsite-doing-naming-download"), &final_path, e))?;
    let _ = std::fs::remove_file(&partial);
    carevault_core::fsutil::sync_dir(to)?;
    Ok(Fetched {
        path: final_path,
        size: listed.size,
        id: side["metadata"]["id"].as_str().map(str::to_string),
        key: store.key(&name),
    })
}

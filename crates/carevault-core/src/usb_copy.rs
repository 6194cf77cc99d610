//! "Copy to USB": an existing backup copied to the External medium (an SD
//! card or USB drive) through the storage seam ([`FolderStore::put`]:
//! create-only, fsynced), then read back from the medium and compared with
//! the original byte for byte (SHA-256 of both). Only then is the copy
//! reported as safe to remove. Audited.

use crate::archive::reader::Opened;
use crate::audit::{self, Event, Outcome};
use crate::auth::{Create, Permit};
use crate::i18n::t;
use crate::media::Medium;
use crate::profile::Profile;
use crate::store::{FolderStore, Store};
use crate::{Error, Kind, Progress, Result};
use serde::Serialize;
use sha2::Digest;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a copy produced.
#[derive(Debug, Clone, Serialize)]
pub struct UsbCopy {
    /// The copy on the medium.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of the copy as read back from the medium (= the original's).
    pub sha256: String,
    /// The copy was fsynced, read back and found equal to the original:
    /// the medium may be removed.
    pub safe_to_remove: bool,
}

/// Copies the backup at `file` to the External medium; audited.
pub fn copy_to_usb(
    permit: &Permit<Create>,
    file: &Path,
    progress: &dyn Progress,
) -> Result<UsbCopy> {
    let result = copy_inner(permit.home(), file, progress);
    let mut event = match &result {
        Ok(c) => Event::new(permit.user(), "copy to usb", Outcome::Success)
            .reason(&format!("copied to {}", c.path.display())),
        Err(e) => Event::new(permit.user(), "copy to usb", Outcome::Failure)
            .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    if let Some(id) = crate::catalog::id_of(file) {
        event = event.backup(&id);
    }
    audit::append(permit.home(), &event)?;
    result
}

fn copy_inner(home: &Path, file: &Path, progress: &dyn Progress) -> Result<UsbCopy> {
    // A backup file (readable container), not any file.
    Opened::open(file)?;
    let profile = Profile::load(home)?;
    let resolved = profile.media.resolve(home, Medium::External)?;
    if resolved.fell_back || resolved.medium != Medium::External {
        return Err(Error::new(
            Kind::NotFound,
            t!("core-usb-none-attached"),
            t!("core-usb-none-attached-advice"),
        ));
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            Error::new(
                Kind::Usage,
                t!("core-usb-not-a-backup-file"),
                t!("core-usb-not-a-backup-file-advice"),
            )
        })?;
    std::fs::create_dir_all(&resolved.dir)
        .map_err(|e| Error::io(t!("core-doing-creating-medium-folder"), &resolved.dir, e))?;
    let store = FolderStore::new(&resolved.dir, Medium::External.as_str());
    store.put(&name, file, progress)?;
    let copy = store.path_of(&name)?;
    let original = sha256_of(file, false)?;
    let on_medium = sha256_of(&copy, true)?;
    if original.0 != on_medium.0 || original.1 != on_medium.1 {
        // Leave no copy that reads back different.
        let _ = store.delete(&name);
        return Err(Error::new(
            Kind::Corrupted,
            t!("core-usb-copy-differs"),
            t!("core-usb-copy-differs-advice"),
        )
        .at(&copy));
    }
    Ok(UsbCopy {
        path: copy,
        size: on_medium.1,
        sha256: hex::encode(on_medium.0),
        safe_to_remove: true,
    })
}

/// SHA-256 and length of a file. `from_medium`: first drop the file's
/// cached pages (it was fsynced by the put), so that the bytes are read
/// from the medium rather than from memory where the kernel allows it.
fn sha256_of(path: &Path, from_medium: bool) -> Result<([u8; 32], u64)> {
    let mut f = crate::fsutil::open_regular_following(path)
        .map_err(|e| Error::io(t!("core-doing-reading-copy-back"), path, e))?;
    if from_medium {
        let _ = f.sync_all();
        let _ = rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::DontNeed);
    }
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::io(t!("core-doing-reading-copy-back"), path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        len += n as u64;
    }
    Ok((h.finalize().into(), len))
}

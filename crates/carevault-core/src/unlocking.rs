//! Which key opens a backup, one rule for every front end: an unencrypted
//! backup needs none; a passphrase or recovery key the person gave is
//! used; for this device's own automatic backups the device secret opens
//! them when nothing was given; otherwise the front end asks (a prompt, a
//! form), through `ask`.

use crate::archive::reader::Opened;
use crate::error::Result;
use crate::Unlock;
use std::path::Path;

/// How to unlock the backup at `file` (see the module's rule). `given`
/// yields what the person gave (read only once the file is known to be an
/// encrypted backup); `ask` is called only when a key is needed and nothing
/// else opens it.
pub fn unlock_for(
    home: &Path,
    file: &Path,
    given: impl FnOnce() -> Result<Option<Unlock>>,
    ask: impl FnOnce() -> Result<Unlock>,
) -> Result<Option<Unlock>> {
    let opened = Opened::open(file)?;
    let s = &opened.metadata.sealed;
    if !s.encrypted {
        return Ok(None);
    }
    if let Some(u) = given()? {
        return Ok(Some(u));
    }
    if s.automatic {
        if let Some(u) = crate::auto::device_unlock(home) {
            return Ok(Some(u));
        }
    }
    ask().map(Some)
}

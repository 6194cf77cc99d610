//! Changing a backup's passphrase without touching its payload: the file is
//! rewritten with a new passphrase slot (payload and manifest bytes copied
//! as they are) into a temporary file that then replaces the original.

use crate::archive::keys::{self, Unlock};
use crate::archive::reader::Opened;
use crate::archive::writer::write_entry;
use crate::audit::{self, Event, Outcome};
use crate::auth::{Create, Permit};
use crate::error::{Error, Kind, Result};
use crate::format::container::{
    header_block, padded, Extent, METADATA_NAME, PASSPHRASE_SLOT_NAME, PAYLOAD_SUM_NAME,
};
use crate::format::metadata::SlotKind;
use crate::format::origin::{ORIGIN_NAME, ORIGIN_SIG_NAME};
use crate::fsutil::TempFile;
use crate::i18n::t;
use crate::SecretString;
use sha2::Digest;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Whether `path` still names the open file `f` (same device and inode).
fn same_file(f: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

fn copy_entry(
    src: &mut std::fs::File,
    out: &mut impl Write,
    name: &str,
    ext: Extent,
    mtime: u64,
) -> Result<()> {
    let io = |e| Error::io(t!("ops-doing-copying-backup"), "", e);
    out.write_all(&header_block(name, ext.len, mtime)?)
        .map_err(io)?;
    src.seek(SeekFrom::Start(ext.offset)).map_err(io)?;
    let n = std::io::copy(&mut src.take(ext.len), out).map_err(io)?;
    if n != ext.len {
        return Err(crate::error::truncated(t!(
            "ops-damaged-changed-during-rekey"
        )));
    }
    let pad = (padded(ext.len) - ext.len) as usize;
    out.write_all(&[0u8; 512][..pad]).map_err(io)
}

/// Replaces the passphrase of the backup at `path`; audited.
pub fn rekey(
    permit: &Permit<Create>,
    path: &Path,
    old: &Unlock,
    new: &SecretString,
    log_n: u8,
    max_log_n: u8,
) -> Result<()> {
    rekey_reporting(permit, path, old, new, log_n, max_log_n, &crate::NoProgress)
}

/// [`rekey`], announcing its key derivations (the old passphrase's, then
/// the new slot's) as [`crate::Phase::KeyDerivation`] and the copy of the
/// file as [`crate::Phase::Copy`].
pub fn rekey_reporting(
    permit: &Permit<Create>,
    path: &Path,
    old: &Unlock,
    new: &SecretString,
    log_n: u8,
    max_log_n: u8,
    progress: &dyn crate::Progress,
) -> Result<()> {
    crate::passphrase::check_new_secret(new, &[permit.user()])?;
    let _op = crate::hostlock::HostLock::Operation
        .try_exclusive(permit.home())
        .map_err(|e| Error::io(t!("ops-doing-taking-operation-lock"), permit.home(), e))?
        .ok_or_else(crate::backup::busy_error)?;
    crate::restore::recover(permit.home())?;
    let result = rekey_file(path, old, new, log_n, max_log_n, progress);
    let mut event = match &result {
        Ok(_) => Event::new(permit.user(), "rekey", Outcome::Success),
        Err(e) => Event::new(permit.user(), "rekey", Outcome::Failure)
            .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    if let Some(id) = crate::catalog::id_of(path) {
        event = event.backup(&id);
    }
    audit::append(permit.home(), &event)?;
    result
}

fn rekey_file(
    path: &Path,
    old: &Unlock,
    new: &SecretString,
    log_n: u8,
    max_log_n: u8,
    progress: &dyn crate::Progress,
) -> Result<()> {
    let opened = Opened::open(path)?;
    if !opened.metadata.sealed.encrypted {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-rekey-not-encrypted"),
            t!("ops-rekey-not-encrypted-advice"),
        )
        .at(path));
    }
    let key = opened
        .unlock_reporting(Some(old), max_log_n, progress)?
        .expect("encrypted backups have a key");
    progress.start(crate::Phase::KeyDerivation, 0);
    let slot = keys::passphrase_slot(&key, new, log_n)?;
    let mut md = opened.metadata.clone();
    for s in md
        .key_slots
        .iter_mut()
        .filter(|s| s.kind == SlotKind::Passphrase)
    {
        s.sha256 = hex::encode(sha2::Sha256::digest(&slot));
    }
    if !md.key_slots.iter().any(|s| s.kind == SlotKind::Passphrase) {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-rekey-no-passphrase-slot"),
            t!("ops-rekey-no-passphrase-slot-advice"),
        )
        .at(path));
    }
    crate::stop_point::stop_point(crate::stop_point::REKEY_UNLOCKED);
    let mtime = jiff::Timestamp::now().as_second().max(0) as u64;
    let dir = path.parent().unwrap_or(Path::new("."));
    // A killed rekey may have left its temporary file; a running one still
    // holds its lock and is left alone.
    crate::fsutil::clean_stale_temps(dir);
    let tag = format!("{}.{:08x}.rekey", md.sealed.id, rand::random::<u32>());
    let mut tmp = TempFile::create(dir, &tag)?;
    // The file that was opened and unlocked, not the path again: a file
    // swapped in meanwhile must not be mixed into the copy.
    let mut src = opened.file()?;
    let tmp_path = tmp.path().to_path_buf();
    // The copy is quick next to the derivations; its total is the file's
    // size, done at once when it is written.
    progress.start(crate::Phase::Copy, opened.file_len);
    let out = &mut crate::fault::Checked::new(tmp.file(), &tmp_path);
    write_entry(out, METADATA_NAME, &md.to_bytes(), mtime)?;
    for (name, ext) in &opened.layout.slots {
        if name == PASSPHRASE_SLOT_NAME {
            write_entry(out, name, &slot, mtime)?;
        } else {
            copy_entry(&mut src, out, name, *ext, mtime)?;
        }
    }
    let (pname, pext) = &opened.layout.payload;
    copy_entry(&mut src, out, pname, *pext, mtime)?;
    let (mname, mext) = &opened.layout.manifest;
    copy_entry(&mut src, out, mname, *mext, mtime)?;
    copy_entry(
        &mut src,
        out,
        PAYLOAD_SUM_NAME,
        opened.layout.payload_sum,
        mtime,
    )?;
    // The signed origin is copied as it is: the key slots are not signed.
    if let Some((record, signature)) = opened.layout.origin {
        copy_entry(&mut src, out, ORIGIN_NAME, record, mtime)?;
        copy_entry(&mut src, out, ORIGIN_SIG_NAME, signature, mtime)?;
    }
    out.write_all(&[0u8; 1024])
        .map_err(|e| Error::io(t!("ops-doing-writing-the-backup"), "", e))?;
    crate::stop_point::stop_point(crate::stop_point::REKEY_WRITTEN);
    // Only over the file that was opened: another file renamed to this
    // path meanwhile is not replaced by a copy of a different backup.
    if !same_file(&src, path) {
        return Err(Error::new(
            Kind::CheckFailed,
            t!("ops-rekey-file-replaced"),
            t!("ops-rekey-file-replaced-advice"),
        )
        .at(path));
    }
    tmp.replace(path)?;
    progress.advance(opened.file_len);
    Ok(())
}

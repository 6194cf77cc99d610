//! What every request that opens one backup with a passphrase or recovery
//! key prepares, in one order: find the backup the caller may see, check
//! it may be used so, take the key from the body, read the profile's work
//! factor limit, take the caller's key-derivation slot, and count the
//! attempt against the backup's passphrase throttle.

use super::{passphrase_attempt, unlock_for, KeyBody};
use crate::errors::ApiError;
use crate::jobs::HeavySlot;
use crate::lookup::{find, Found};
use crate::session::Who;
use crate::AppState;
use carevault_core::i18n::t;
use carevault_core::profile::Profile;
use carevault_core::Unlock;
use std::sync::atomic::{AtomicBool, Ordering};

/// A prepared request on one backup.
pub struct Keyed {
    /// The backup, as the listing shows it.
    pub found: Found,
    /// How to open it (`None`: unencrypted).
    pub unlock: Option<Unlock>,
    /// The highest scrypt work factor the profile accepts.
    pub max_log_n: u8,
    /// The caller's key-derivation slot (one per user at a time).
    pub slot: HeavySlot,
}

/// Prepares a request on backup `id` for `user`; `allowed` refuses a
/// backup this request may not use (before any key is read).
pub fn prepare(
    s: &AppState,
    who: &Who,
    id: &str,
    body: KeyBody,
    user: &str,
    allowed: impl FnOnce(&Found) -> Result<(), ApiError>,
) -> Result<Keyed, ApiError> {
    let found = find(s, Some(&who.key), id)?;
    allowed(&found)?;
    let unlock = unlock_for(&s.home, found.path(), body)?;
    let max_log_n = Profile::load(&s.home)?.encryption.max_work_factor;
    let slot = s.jobs.heavy_slot(Some(user))?;
    passphrase_attempt(s, &found.key(), unlock.as_ref())?;
    Ok(Keyed {
        found,
        unlock,
        max_log_n,
        slot,
    })
}

/// Waits for the server's one key-derivation turn, for a request answered
/// in place; refuses once the request was given up while it waited.
pub fn wait_turn<'a>(
    slot: &'a HeavySlot,
    abandoned: &AtomicBool,
) -> Result<std::sync::MutexGuard<'a, ()>, ApiError> {
    let turn = slot.turn();
    if abandoned.load(Ordering::SeqCst) {
        return Err(ApiError::busy(
            t!("web-abandoned"),
            t!("web-abandoned-advice"),
        ));
    }
    Ok(turn)
}

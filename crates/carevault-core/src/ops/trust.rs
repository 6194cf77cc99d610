//! The trust list as a System Administrator reads it: this tablet's own
//! signing key and the keys it trusts, with the [`ManageTrust`] permit.
//! Adding, removing and certifying are [`crate::provenance`]'s, which take
//! the permit already.

use crate::auth::{ManageTrust, Permit};
use crate::provenance::{device_key, facility, trust::TrustedKey};
use crate::Result;
use serde::Serialize;

/// This tablet's signing key (made on first use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceKeyInfo {
    /// Its short ID.
    pub key_id: String,
    /// Its public half.
    pub public_key: String,
}

/// What `trust list` reports (`--json` as it is).
#[derive(Debug, Clone, Serialize)]
pub struct TrustListing {
    /// This tablet's own key.
    pub device: DeviceKeyInfo,
    /// The keys whose backups this tablet trusts.
    pub trusted: Vec<TrustedKey>,
}

/// This tablet's key (made if it has none yet) and its trust list.
pub fn list(permit: &Permit<ManageTrust>) -> Result<TrustListing> {
    let home = permit.home();
    let own = device_key::load_or_create(home)?;
    let trusted = crate::provenance::trust::list(home)?;
    Ok(TrustListing {
        device: DeviceKeyInfo {
            key_id: own.key_id(),
            public_key: own.public_key(),
        },
        trusted,
    })
}

/// True when a facility key has certified this tablet's key.
pub fn certified(permit: &Permit<ManageTrust>) -> Result<bool> {
    Ok(facility::certificate(permit.home())?.is_some())
}

//! A store in memory, for tests of everything above the seam.

use super::{check_name, exists, not_found, Store, StoredObject};
use crate::error::{Error, Result};
use crate::Progress;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

/// Backup files held in memory.
#[derive(Default)]
pub struct MemoryStore {
    objects: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn objects(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // A panic while holding the lock cannot leave a half-written object
        // (every change is one map operation), so a poisoned lock is usable.
        self.objects.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store for MemoryStore {
    fn location(&self) -> String {
        crate::i18n::t!("core-memory-store").text()
    }

    fn list(&self) -> Result<Vec<StoredObject>> {
        Ok(self
            .objects()
            .iter()
            .filter(|(k, _)| k.ends_with(".bin"))
            .map(|(k, v)| StoredObject {
                name: k.clone(),
                size: v.len() as u64,
            })
            .collect())
    }

    fn read_at(&self, name: &str, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let objects = self.objects();
        let data = objects.get(name).ok_or_else(|| not_found(self, name))?;
        let start = (offset.min(data.len() as u64)) as usize;
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }

    fn put(&self, name: &str, from: &Path, progress: &dyn Progress) -> Result<()> {
        check_name(name)?;
        let bytes = std::fs::read(from)
            .map_err(|e| Error::io(crate::i18n::t!("core-doing-reading-the-backup"), from, e))?;
        progress.start(crate::Phase::Upload, bytes.len() as u64);
        let mut objects = self.objects();
        if objects.contains_key(name) {
            return Err(exists(self, name));
        }
        progress.advance(bytes.len() as u64);
        objects.insert(name.to_string(), bytes);
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.objects()
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| not_found(self, name))
    }
}

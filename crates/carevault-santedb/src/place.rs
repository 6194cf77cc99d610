//! Walking the tar inside a SanteDB backup and placing every asset in the
//! staging data folder: names matched against the asset table, entry kinds
//! and sizes checked, databases unwrapped and checked.

use crate::assets::{self, check_component, check_relative, class_of, shorten};
use crate::decomp::{Meter, Src};
use crate::diag::Diag;
use crate::fail::{damaged, incomplete, refused};
use crate::header::{Layout, TableAsset};
use crate::sqlite::{self, DbInfo};
use carevault_core::fsutil::free_space;
use carevault_core::i18n::{t, Text};
use carevault_core::units::human_size;
use carevault_core::{Error, Kind, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Longest GNU long name accepted, in bytes.
pub const MAX_LONG_NAME: u64 = 4096;
/// Most tar entries accepted.
pub const MAX_ENTRIES: usize = 200_000;

/// One asset as imported.
#[derive(Debug, Clone, Serialize)]
pub struct AssetReport {
    /// Class GUID (`null` for the folder layouts).
    pub class_id: Option<String>,
    /// What the class is.
    pub class: String,
    /// Name in the SanteDB backup.
    pub name: String,
    /// Path in the carevault backup.
    pub path: String,
    /// Bytes stored.
    pub size: u64,
    /// `sqlite` or `file`.
    pub kind: &'static str,
    /// For databases: envelope, WAL replay, row counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<DbInfo>,
}

impl AssetReport {
    /// What the class is ([`AssetReport::class`]), in the reader's language.
    pub fn class_text(&self) -> Text {
        match &self.class_id {
            Some(id) => class_of(id).map_or_else(|| t!("santedb-class-unknown"), |c| c.text()),
            None => t!("santedb-class-folder-file"),
        }
    }
}

/// Places tar entries into `staging/data`.
pub struct Placer {
    home: PathBuf,
    layout: Layout,
    table: HashMap<String, usize>,
    assets: Vec<TableAsset>,
    seen: Vec<bool>,
    /// What was placed.
    pub reports: Vec<AssetReport>,
    /// Things to tell the user.
    pub notes: Vec<Text>,
    /// Bytes kept free for the backup written after (about the input's size).
    reserve: u64,
    entries: usize,
}

impl Placer {
    /// A placer for a staging app home `home`, matching against `assets`.
    pub fn new(home: &Path, layout: Layout, assets: &[TableAsset], reserve: u64) -> Result<Placer> {
        let mut table = HashMap::new();
        for (i, a) in assets.iter().enumerate() {
            let key = format!("{}/{}", a.class_id, a.name);
            if table.insert(key, i).is_some() {
                return Err(refused(t!(
                    "santedb-asset-listed-twice",
                    asset = format!("{:?}", shorten(&a.name)),
                    class = &a.class_id
                )));
            }
        }
        Ok(Placer {
            home: home.to_path_buf(),
            layout,
            table,
            seen: vec![false; assets.len()],
            assets: assets.to_vec(),
            reports: Vec::new(),
            notes: Vec::new(),
            reserve,
            entries: 0,
        })
    }

    fn data(&self) -> PathBuf {
        carevault_core::layout::data_dir(&self.home)
    }

    fn check_space(&self, size: u64) -> Result<()> {
        let free = free_space(&self.home)?;
        let need = size.saturating_add(self.reserve).saturating_add(16 << 20);
        if free < need {
            return Err(Error::new(
                Kind::NoSpace,
                t!(
                    "santedb-no-space-asset",
                    asset = human_size(size),
                    backup = human_size(self.reserve),
                    free = human_size(free)
                ),
                t!(
                    "santedb-no-space-asset-advice",
                    need = human_size(need - free)
                ),
            )
            .at(&self.home));
        }
        Ok(())
    }

    /// Places one regular tar entry `name` of `size` bytes.
    pub fn entry(
        &mut self,
        name: &str,
        size: u64,
        r: &mut dyn Read,
        explain: sqlite::Explain,
    ) -> Result<()> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            return Err(refused(t!("santedb-too-many-entries", max = MAX_ENTRIES)));
        }
        self.check_space(size)?;
        if !self.layout.has_table() {
            return self.folder_entry(name, size, r, explain);
        }
        let Some(&i) = self.table.get(name) else {
            return Err(self.unmatched(name));
        };
        if self.seen[i] {
            return Err(refused(t!(
                "santedb-entry-twice",
                entry = format!("{:?}", shorten(name))
            )));
        }
        self.seen[i] = true;
        let asset = self.assets[i].clone();
        let class = class_of(&asset.class_id);
        let folder = match class {
            Some(c) => c.folder.to_string(),
            None => format!("{}/{}", assets::UNKNOWN_FOLDER, asset.class_id),
        };
        let what = class.map_or(assets::UNKNOWN_CLASS, |c| c.what);
        if class.is_some_and(|c| c.sqlite) {
            let file = assets::database_file_name(&asset.name);
            check_component(file, &t!("santedb-what-database-asset-name"))?;
            let rel = format!("data/{folder}/{file}");
            carevault_core::format::manifest::check_entry_path(&rel).map_err(|_| {
                refused(t!(
                    "santedb-asset-name-unstorable",
                    name = format!("{:?}", shorten(file))
                ))
            })?;
            let dest = self.home.join(&rel);
            mkdirs(dest.parent().expect("has a folder"))?;
            if dest.exists() {
                return Err(refused(t!(
                    "santedb-two-databases-one-file",
                    file = format!("{rel:?}")
                )));
            }
            let scratch = carevault_core::layout::private_dir(&self.home).join("db-scratch");
            let info = sqlite::unwrap_asset(r, size, &scratch, &dest, &asset.name, explain)?;
            self.reports.push(AssetReport {
                class_id: Some(asset.class_id.clone()),
                class: what.to_string(),
                name: asset.name.clone(),
                path: rel,
                size: info.size,
                kind: "sqlite",
                database: Some(info),
            });
        } else {
            check_component(&asset.name, &t!("santedb-what-asset-name"))?;
            let rel = format!("data/{folder}/{}", asset.name);
            self.write_file(&rel, size, r, explain, false)?;
            self.reports.push(AssetReport {
                class_id: Some(asset.class_id.clone()),
                class: what.to_string(),
                name: asset.name.clone(),
                path: rel,
                size,
                kind: "file",
                database: None,
            });
        }
        Ok(())
    }

    fn write_file(
        &self,
        rel: &str,
        size: u64,
        r: &mut dyn Read,
        explain: sqlite::Explain,
        replace: bool,
    ) -> Result<()> {
        carevault_core::format::manifest::check_entry_path(rel).map_err(|_| {
            refused(t!(
                "santedb-name-unstorable",
                name = format!("{:?}", shorten(rel))
            ))
        })?;
        let dest = self.home.join(rel);
        mkdirs(dest.parent().expect("has a folder"))?;
        if replace {
            match std::fs::symlink_metadata(&dest) {
                Ok(m) if m.is_file() => std::fs::remove_file(&dest)
                    .map_err(|e| crate::fail::io(t!("santedb-doing-replacing"), &dest, e))?,
                Ok(_) => {
                    return Err(refused(t!(
                        "santedb-folder-and-file",
                        name = format!("{:?}", shorten(rel))
                    )))
                }
                Err(_) => {}
            }
        }
        let mut f = std::fs::File::create_new(&dest).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                refused(t!(
                    "santedb-two-assets-one-file",
                    file = format!("{:?}", shorten(rel))
                ))
            } else {
                crate::fail::io(t!("santedb-doing-writing-staging"), &dest, e)
            }
        })?;
        sqlite::copy_exact(r, &mut f, size, &dest, explain)
    }

    fn folder_entry(
        &mut self,
        name: &str,
        size: u64,
        r: &mut dyn Read,
        explain: sqlite::Explain,
    ) -> Result<()> {
        let name = name.trim_start_matches("./");
        check_relative(name, &t!("santedb-what-tar-entry"))?;
        let rel = format!("data/{}/{name}", assets::FOLDER_LAYOUT_ROOT);
        // In SDB\x02 files a later entry of the same name replaces the
        // earlier one (the clean database copies at the tar root).
        let replace = self.layout == Layout::Sdb2;
        self.write_file(&rel, size, r, explain, replace)?;
        self.reports.retain(|a| a.path != rel);
        self.reports.push(AssetReport {
            class_id: None,
            class: assets::FOLDER_FILE_CLASS.into(),
            name: name.to_string(),
            path: rel,
            size,
            kind: "file",
            database: None,
        });
        Ok(())
    }

    /// A folder entry of a folder layout.
    pub fn folder_dir(&mut self, name: &str) -> Result<()> {
        let name = name.trim_start_matches("./").trim_end_matches('/');
        if name.is_empty() {
            return Ok(());
        }
        check_relative(name, &t!("santedb-what-tar-folder"))?;
        mkdirs(&self.data().join(assets::FOLDER_LAYOUT_ROOT).join(name))
    }

    fn unmatched(&self, name: &str) -> Error {
        // Does an asset, named as SanteDB's writer normalises names, give this entry?
        let normalised = self
            .assets
            .iter()
            .find(|a| normalise(&format!("{}/{}", a.class_id, a.name)) == name);
        match normalised {
            Some(a) => Error::new(
                Kind::UnsafeArchive,
                t!(
                    "santedb-asset-renamed",
                    asset = format!("{:?}", shorten(&a.name)),
                    class = &a.class_id,
                    entry = format!("{:?}", shorten(name))
                ),
                t!("santedb-asset-renamed-advice"),
            ),
            None => refused(t!(
                "santedb-entry-not-listed",
                entry = format!("{:?}", shorten(name))
            )),
        }
    }

    /// After the last entry: every listed asset must have been present.
    pub fn finish_table(&self) -> Result<()> {
        if let Some(i) = self.seen.iter().position(|s| !s) {
            let a = &self.assets[i];
            let missing = self.seen.iter().filter(|s| !**s).count();
            let asset = format!("{:?}", shorten(&a.name));
            return Err(damaged(if missing > 1 {
                t!(
                    "santedb-asset-missing-and-more",
                    asset = asset,
                    class = &a.class_id,
                    more = (missing - 1).to_string()
                )
            } else {
                t!("santedb-asset-missing", asset = asset, class = &a.class_id)
            }));
        }
        Ok(())
    }

    /// Folder layouts: their databases are found by content, their WALs
    /// replayed, and they are checked.
    pub fn finish_folder(&mut self) -> Result<()> {
        if self.layout.has_table() {
            return Ok(());
        }
        let mut gone = Vec::new();
        for rep in self.reports.iter_mut() {
            let path = self.home.join(&rep.path);
            if !is_sqlite(&path) {
                continue;
            }
            let had_wal = sqlite::sidecar(&path, "-wal").exists();
            let rows = sqlite::settle(&path, &path)?;
            for s in ["-wal", "-shm", "-journal"] {
                gone.push(format!("{}{s}", rep.path));
            }
            rep.size = std::fs::metadata(&path)
                .map_err(|e| crate::fail::io(t!("santedb-doing-measuring"), &path, e))?
                .len();
            rep.kind = "sqlite";
            rep.database = Some(DbInfo {
                envelope: "raw",
                password_in_clear: false,
                wal_replayed: had_wal,
                rows,
                size: rep.size,
            });
        }
        self.reports.retain(|r| !gone.contains(&r.path));
        Ok(())
    }
}

fn is_sqlite(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|_| &head == b"SQLite format 3\0")
        .unwrap_or(false)
}

fn mkdirs(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| crate::fail::io(t!("santedb-doing-creating-a-staging"), dir, e))
}

/// SanteDB's writer's name normalisation: `\` to `/`, everything up to the
/// first `:` dropped, `/` trimmed from both ends.
pub fn normalise(name: &str) -> String {
    let n = name.replace('\\', "/");
    let n = match n.split_once(':') {
        Some((_, after)) => after.to_string(),
        None => n,
    };
    n.trim_matches('/').to_string()
}

/// How the tar ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TarEnd {
    /// An end-of-archive zero block was read.
    Marker,
    /// The stream ended at an entry boundary without one.
    Eof,
}

/// Walks the tar of `tar`, handing each regular entry to `placer`.
pub fn walk<'a>(
    tar: Meter<Src<'a>>,
    diag: &Diag,
    placer: &mut Placer,
    cap: u64,
) -> Result<(TarEnd, Meter<Src<'a>>)> {
    let explain = |e: std::io::Error| diag.explain(&e, t!("santedb-doing-tar"));
    let mut archive = tar::Archive::new(tar);
    {
        let entries = archive.entries().map_err(explain)?;
        let mut entries = entries.raw(true);
        let mut long_name: Option<Vec<u8>> = None;
        for entry in &mut entries {
            let mut entry = entry.map_err(explain)?;
            let kind = entry.header().entry_type();
            let size = entry.header().entry_size().map_err(explain)?;
            if kind.is_gnu_longname() {
                if size > MAX_LONG_NAME + 1 {
                    return Err(refused(t!(
                        "santedb-long-name-too-long",
                        bytes = size.to_string(),
                        max = MAX_LONG_NAME
                    )));
                }
                if long_name.is_some() {
                    return Err(refused(t!("santedb-two-long-names")));
                }
                let mut v = Vec::with_capacity(size as usize);
                (&mut entry)
                    .take(size)
                    .read_to_end(&mut v)
                    .map_err(explain)?;
                if (v.len() as u64) < size {
                    return Err(incomplete(t!("santedb-tar-ends-in-long-name")));
                }
                while v.last() == Some(&0) {
                    v.pop();
                }
                long_name = Some(v);
                continue;
            }
            let raw = long_name
                .take()
                .unwrap_or_else(|| entry.path_bytes().into_owned());
            let name = match String::from_utf8(raw) {
                Ok(n) => n,
                // .NET Framework on Windows wrote names in the ANSI code
                // page; Windows-1252 is the one of the clinics' locales.
                Err(e) => {
                    let n = windows_1252(e.as_bytes());
                    placer.notes.push(t!(
                        "santedb-note-windows-1252",
                        name = format!("{:?}", shorten(&n))
                    ));
                    n
                }
            };
            if name.contains('\0') {
                return Err(refused(t!("santedb-entry-name-nul")));
            }
            if size > cap {
                return Err(refused(t!(
                    "santedb-entry-too-big",
                    entry = format!("{:?}", shorten(&name)),
                    bytes = size.to_string()
                )));
            }
            match kind {
                k if k.is_file() => {
                    placer.entry(&name, size, &mut entry, &explain)?;
                }
                k if k.is_dir() && !placer.layout.has_table() => placer.folder_dir(&name)?,
                k => {
                    let what = if k.is_symlink() {
                        t!("santedb-kind-symlink")
                    } else if k.is_hard_link() {
                        t!("santedb-kind-hard-link")
                    } else if k.is_character_special() || k.is_block_special() {
                        t!("santedb-kind-device")
                    } else if k.is_fifo() {
                        t!("santedb-kind-fifo")
                    } else if k.is_dir() {
                        t!("santedb-kind-folder")
                    } else {
                        t!("santedb-kind-unknown")
                    };
                    return Err(refused(t!(
                        "santedb-entry-not-a-file",
                        entry = format!("{:?}", shorten(&name)),
                        what = what
                    )));
                }
            }
        }
        if long_name.is_some() {
            return Err(incomplete(t!("santedb-tar-ends-after-long-name")));
        }
    }
    let meter = archive.into_inner();
    let end = if meter.zero_run >= 512 && meter.total.is_multiple_of(512) {
        TarEnd::Marker
    } else {
        TarEnd::Eof
    };
    Ok((end, meter))
}

/// Decodes Windows-1252 text (ANSI on Western-locale Windows).
pub fn windows_1252(b: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}',
        '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}',
        '\u{178}',
    ];
    b.iter()
        .map(|&c| match c {
            0x80..=0x9f => HIGH[(c - 0x80) as usize],
            c => c as char,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows_1252_names_decode() {
        assert_eq!(super::windows_1252(b"caf\xe9 \x80"), "caf\u{e9} \u{20ac}");
    }
}

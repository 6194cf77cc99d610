//! Backup media: where a backup is written and where backups are looked for.
//!
//! - **Private**: `HOME/private/backups` ([`crate::layout::private_backups`]),
//!   not visible to users; automatic backups go here.
//! - **Public**: the user's Documents folder; `HOME/Documents` unless the
//!   profile names another folder (a relative path is relative to HOME).
//! - **External**: the first writable removable medium (SD card, USB drive)
//!   found under the configured mount roots; backups go into its
//!   [`EXTERNAL_FOLDER`]. With none attached, External falls back to Public
//!   and the result says so ([`Resolved::fell_back`], [`Resolved::note`]).
//!
//! The profile section (`[media]` in `carevault.toml`), with its defaults:
//!
//! ```toml
//! [media]
//! public = "Documents"                               # relative to HOME
//! downloads = "Downloads"                            # looked in, never written to
//! external_roots = ["/media/*/*", "/run/media/*/*"]  # glob patterns
//! require_encryption = ["Public", "External"]        # facility policy
//! ```
//!
//! Mount-root patterns: each path component may hold `*` (any run of
//! characters inside that one component) and `?` (one character); a `*`
//! never crosses a `/`. Wildcards do not match names starting with `.`
//! unless the pattern component itself starts with `.`. A relative pattern
//! is relative to HOME. Patterns are tried in the order given; the matches
//! of one pattern are tried in sorted order. Every folder a pattern matches
//! counts as an attached medium (no check that it is a mount point), so a
//! pattern should only match where removable media are mounted.
//!
//! The Downloads folder (where a browser saves a backup sent by e-mail or
//! chat) is looked in for backups to restore, as part of Public (shared
//! storage: the same trust rules), and never written to.
//!
//! Nothing here creates a folder: callers create the folder they write to.
//! Odd mounts (unreadable folders, broken links, files where folders are
//! expected) are skipped, never fatal.

use crate::error::{Error, Kind, Result};
use crate::fsutil::{self, TEMP_PREFIX};
use crate::i18n::{t, Text};
use crate::layout;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

/// Folder on an external medium that holds carevault backups.
pub const EXTERNAL_FOLDER: &str = "carevault-backups";

/// Public folder relative to HOME when the profile names none.
pub const DEFAULT_PUBLIC: &str = "Documents";

/// The Downloads folder when the profile names none (relative to HOME).
pub const DEFAULT_DOWNLOADS: &str = "Downloads";

/// Mount-root patterns searched for removable media by default.
pub const DEFAULT_EXTERNAL_ROOTS: [&str; 2] = ["/media/*/*", "/run/media/*/*"];

/// What [`Resolved::note`] says in English when External falls back to
/// Public because no removable medium is attached (the message
/// `core-media-fallback-note`; a unit test keeps the two equal).
pub const FALLBACK_NOTE: &str =
    "No SD card or USB drive is attached: saved to the Documents folder as the guide describes.";

/// A backup medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Medium {
    /// App-private storage, not visible to users.
    #[serde(alias = "private")]
    Private,
    /// The user's Documents folder.
    #[serde(alias = "public")]
    Public,
    /// A removable medium (SD card, USB drive).
    #[serde(alias = "external")]
    External,
}

impl From<Medium> for crate::format::metadata::Location {
    fn from(m: Medium) -> Self {
        use crate::format::metadata::Location;
        match m {
            Medium::Private => Location::Private,
            Medium::Public => Location::Public,
            Medium::External => Location::External,
        }
    }
}

impl Medium {
    /// Every medium, in the order they are shown.
    pub const ALL: [Medium; 3] = [Medium::Private, Medium::Public, Medium::External];

    /// The medium's name as shown and as recorded in a backup's metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Private => "Private",
            Medium::Public => "Public",
            Medium::External => "External",
        }
    }

    fn describe(self) -> Text {
        match self {
            Medium::Private => t!("core-medium-private-storage"),
            Medium::Public => t!("core-medium-public-storage"),
            Medium::External => t!("core-medium-external-storage"),
        }
    }
}

impl fmt::Display for Medium {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Medium {
    type Err = Error;

    /// `private`, `public` or `external`, in any case.
    fn from_str(s: &str) -> Result<Medium> {
        let t = s.trim();
        Medium::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                Error::new(
                    Kind::Usage,
                    t!("core-medium-unknown", name = s),
                    t!("core-medium-unknown-advice"),
                )
            })
    }
}

/// The `[media]` settings of the profile.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaSettings {
    /// The Public folder; `None` = `HOME/Documents`. Relative = relative to HOME.
    pub public: Option<PathBuf>,
    /// The Downloads folder, looked in for backups (never written to);
    /// `None` = `HOME/Downloads`. Relative = relative to HOME.
    pub downloads: Option<PathBuf>,
    /// Glob patterns of folders where removable media are mounted.
    pub external_roots: Vec<String>,
    /// Media on which a backup must be encrypted.
    pub require_encryption: Vec<Medium>,
}

impl Default for MediaSettings {
    fn default() -> Self {
        MediaSettings {
            public: None,
            downloads: None,
            external_roots: DEFAULT_EXTERNAL_ROOTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            require_encryption: vec![Medium::Public, Medium::External],
        }
    }
}

/// Where a backup on a medium goes.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    /// The medium the folder is on: `Public` when External fell back.
    pub medium: Medium,
    /// The folder to write into (it may not exist yet: the caller creates it).
    pub dir: PathBuf,
    /// External was asked for, but no usable removable medium was found.
    pub fell_back: bool,
    /// Something to tell the user, in plain words (set when `fell_back`).
    pub note: Option<String>,
}

/// One medium as `carevault status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MediumStatus {
    /// The medium.
    pub medium: Medium,
    /// The folder a backup on it goes to now (for External with no usable
    /// medium: the Public folder it falls back to).
    pub dir: PathBuf,
    /// A backup can be written to this medium now.
    pub available: bool,
    /// Free bytes on the storage holding `dir` (or its nearest existing parent).
    pub free_bytes: Option<u64>,
    /// Something to tell the user, in plain words.
    pub note: Option<String>,
}

impl MediaSettings {
    /// Refuses settings that cannot mean anything (an empty folder or pattern).
    pub fn validate(&self) -> Result<()> {
        if let Some(p) = &self.public {
            if p.as_os_str().is_empty() {
                return Err(Error::new(
                    Kind::Usage,
                    t!("core-media-empty-public"),
                    t!("core-media-profile-advice"),
                ));
            }
        }
        if self.external_roots.iter().any(|r| r.trim().is_empty()) {
            return Err(Error::new(
                Kind::Usage,
                t!("core-media-empty-pattern"),
                t!("core-media-profile-advice"),
            ));
        }
        Ok(())
    }

    /// The Public folder for `home`.
    pub fn public_dir(&self, home: &Path) -> PathBuf {
        match &self.public {
            Some(p) => home.join(p),
            None => home.join(DEFAULT_PUBLIC),
        }
    }

    /// The Downloads folder (looked in, never written to).
    pub fn downloads_dir(&self, home: &Path) -> PathBuf {
        match &self.downloads {
            Some(p) => home.join(p),
            None => home.join(DEFAULT_DOWNLOADS),
        }
    }

    /// Where `file` was found, as a short name: "Private", "Documents",
    /// "Downloads" or "USB drive or SD card" (the most specific folder
    /// wins), with that folder; `None` for a file elsewhere. The names are
    /// keys (English), not sentences: [`place_name`] gives
    /// the words to show.
    pub fn place_of(&self, home: &Path, file: &Path) -> Option<(&'static str, PathBuf)> {
        let f = identity(file);
        let mut places = vec![
            ("Private", layout::private_dir(home)),
            ("Documents", self.public_dir(home)),
            ("Downloads", self.downloads_dir(home)),
        ];
        places.extend(
            self.mounted(home)
                .into_iter()
                .map(|m| ("USB drive or SD card", m)),
        );
        places
            .into_iter()
            .map(|(w, b)| (w, identity(&b), b))
            .filter(|(_, id, _)| f.starts_with(id))
            .max_by_key(|(_, id, _)| id.components().count())
            .map(|(w, _, b)| (w, b))
    }

    /// Where `file` was found, in words for a person choosing a backup to
    /// restore: "Documents (PATH)", "Downloads (PATH)", "USB drive or SD
    /// card (PATH)", "this tablet's private storage", or its folder.
    /// In the process's language ([`crate::i18n::current`]); see
    /// [`MediaSettings::found_in_text`] to render it in another.
    pub fn found_in(&self, home: &Path, file: &Path) -> String {
        self.found_in_text(home, file).text()
    }

    /// [`MediaSettings::found_in`] as a message, to render in the reader's
    /// language.
    pub fn found_in_text(&self, home: &Path, file: &Path) -> Text {
        match self.place_of(home, file) {
            Some(("Private", _)) => t!("core-found-in-private"),
            Some((w, b)) => t!("core-found-in-place", place = place_name(w), dir = &b),
            None => t!(
                "core-found-in-folder",
                dir = file
                    .parent()
                    .map_or_else(|| file.display().to_string(), |p| p.display().to_string())
            ),
        }
    }

    /// The folder a backup on `medium` goes to. Creates nothing; for External
    /// it probes each attached medium by creating and removing a small file.
    pub fn resolve(&self, home: &Path, medium: Medium) -> Result<Resolved> {
        self.validate()?;
        let plain = |medium, dir| Resolved {
            medium,
            dir,
            fell_back: false,
            note: None,
        };
        match medium {
            Medium::Private => Ok(plain(Medium::Private, layout::private_backups(home))),
            Medium::Public => Ok(plain(Medium::Public, self.public_dir(home))),
            Medium::External => {
                let mut refused = Vec::new();
                for mount in self.mounted(home) {
                    match examine(&mount) {
                        Ok(dir) => return Ok(plain(Medium::External, dir)),
                        Err(_) => refused.push(mount),
                    }
                }
                let note = if refused.is_empty() {
                    t!("core-media-fallback-note")
                } else {
                    t!("core-media-fallback-refused", mounts = join_paths(&refused))
                };
                Ok(Resolved {
                    medium: Medium::Public,
                    dir: self.public_dir(home),
                    fell_back: true,
                    note: Some(note.text()),
                })
            }
        }
    }

    /// Refuses an unencrypted backup on a medium the policy says must be
    /// encrypted. Call it before any work starts, for the medium asked for
    /// and for [`Resolved::medium`] (they differ when External fell back), or
    /// use [`MediaSettings::resolve_for_backup`], which does both.
    pub fn check_policy(&self, medium: Medium, encrypted: bool) -> Result<()> {
        if encrypted || !self.require_encryption.contains(&medium) {
            return Ok(());
        }
        let free: Vec<&str> = Medium::ALL
            .into_iter()
            .filter(|m| !self.require_encryption.contains(m))
            .map(Medium::as_str)
            .collect();
        let advice = match free.as_slice() {
            [] => t!("core-policy-advice-none"),
            [one] => t!("core-policy-advice-one", medium = *one),
            [first @ .., last] => t!(
                "core-policy-advice-many",
                media = first.join(", "),
                last = *last
            ),
        };
        Err(Error::new(
            Kind::Usage,
            t!("core-policy-needs-encryption", medium = medium.describe()),
            advice,
        ))
    }

    /// [`MediaSettings::resolve`] with [`MediaSettings::check_policy`] applied
    /// to the medium asked for and to the medium actually used.
    pub fn resolve_for_backup(
        &self,
        home: &Path,
        medium: Medium,
        encrypted: bool,
    ) -> Result<Resolved> {
        self.check_policy(medium, encrypted)?;
        let r = self.resolve(home, medium)?;
        if r.medium != medium {
            self.check_policy(r.medium, encrypted)?;
        }
        Ok(r)
    }

    /// The folders to look for backups in: Private, Public (Documents, then
    /// Downloads, which is looked in and never written to), then the
    /// [`EXTERNAL_FOLDER`] of every attached external medium, writable or
    /// not (a read-only card still holds backups to restore). Folders are
    /// listed whether or not they exist (listing skips missing ones); a
    /// folder reached twice is listed once, under its first medium.
    pub fn listing_dirs(&self, home: &Path) -> Vec<(Medium, PathBuf)> {
        let mut out = vec![
            (Medium::Private, layout::private_backups(home)),
            (Medium::Public, self.public_dir(home)),
            (Medium::Public, self.downloads_dir(home)),
        ];
        out.extend(
            self.mounted(home)
                .into_iter()
                .map(|m| (Medium::External, m.join(EXTERNAL_FOLDER))),
        );
        let mut seen = HashSet::new();
        out.retain(|(_, d)| seen.insert(identity(d)));
        out
    }

    /// The medium `file` lives on: Private for anything under `HOME/private`,
    /// Public for anything under the Public folder, External for anything on
    /// an attached removable medium (the most specific folder wins); `None`
    /// for a file elsewhere. Links are followed where the path exists.
    pub fn medium_of(&self, home: &Path, file: &Path) -> Option<Medium> {
        let file = identity(file);
        let mut bases = vec![
            (Medium::Private, layout::private_dir(home)),
            (Medium::Public, self.public_dir(home)),
            (Medium::Public, self.downloads_dir(home)),
        ];
        bases.extend(
            self.mounted(home)
                .into_iter()
                .map(|m| (Medium::External, m)),
        );
        bases
            .into_iter()
            .map(|(m, b)| (m, identity(&b)))
            .filter(|(_, b)| file.starts_with(b))
            .max_by_key(|(_, b)| b.components().count())
            .map(|(m, _)| m)
    }

    /// Every attached medium (a folder matched by a mount-root pattern), in
    /// search order, each once.
    fn mounted(&self, home: &Path) -> Vec<PathBuf> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for pattern in &self.external_roots {
            if pattern.trim().is_empty() {
                continue;
            }
            let mut found = expand(home, pattern);
            found.sort();
            for m in found {
                if seen.insert(identity(&m)) {
                    out.push(m);
                }
            }
        }
        out
    }
}

/// The state of every medium, for `carevault status`: Private, Public,
/// External, in that order. Probes writability by creating and removing a
/// small file; creates no folder.
pub fn status(settings: &MediaSettings, home: &Path) -> Vec<MediumStatus> {
    let mut out = Vec::with_capacity(3);
    for medium in [Medium::Private, Medium::Public] {
        let dir = match medium {
            Medium::Private => layout::private_backups(home),
            _ => settings.public_dir(home),
        };
        let (available, free_bytes, note) = folder_state(&dir);
        out.push(MediumStatus {
            medium,
            dir,
            available,
            free_bytes,
            note,
        });
    }
    let mounted = settings.mounted(home);
    let mut refused: Vec<(PathBuf, Text)> = Vec::new();
    let mut chosen = None;
    for m in &mounted {
        match examine(m) {
            Ok(dir) => {
                chosen = Some((m.clone(), dir));
                break;
            }
            Err(why) => refused.push((m.clone(), why)),
        }
    }
    out.push(match chosen {
        Some((mount, dir)) => {
            let rest: Vec<PathBuf> = mounted.iter().filter(|m| **m != mount).cloned().collect();
            let note = if rest.is_empty() {
                t!("core-media-external-at", mount = &mount)
            } else {
                t!(
                    "core-media-external-at-also",
                    mount = &mount,
                    rest = join_paths(&rest)
                )
            };
            MediumStatus {
                medium: Medium::External,
                free_bytes: fsutil::free_space(&mount).ok(),
                dir,
                available: true,
                note: Some(note.text()),
            }
        }
        None => {
            let dir = settings.public_dir(home);
            let note = if refused.is_empty() {
                t!("core-media-none-attached")
            } else {
                let what: Vec<String> = refused
                    .iter()
                    .map(|(p, why)| format!("{} ({})", p.display(), why.text()))
                    .collect();
                t!("core-media-external-unusable", mounts = what.join(", "))
            };
            MediumStatus {
                medium: Medium::External,
                free_bytes: None,
                dir,
                available: false,
                note: Some(note.text()),
            }
        }
    });
    out
}

/// The words to show for a short name of [`MediaSettings::place_of`].
pub fn place_name(key: &str) -> Text {
    match key {
        "Private" => t!("core-place-private"),
        "Documents" => t!("core-place-documents"),
        "Downloads" => t!("core-place-downloads"),
        "USB drive or SD card" => t!("core-place-removable"),
        // Not a key of ours: shown as it is.
        other => t!("core-found-in-folder", dir = other),
    }
}

/// Whether a backup can be written into `dir`: (available, free bytes, note).
fn folder_state(dir: &Path) -> (bool, Option<u64>, Option<String>) {
    match fs::metadata(dir) {
        Ok(md) if md.is_dir() => {
            let free = fsutil::free_space(dir).ok();
            if probe(dir) {
                (true, free, None)
            } else {
                (false, free, Some(t!("core-folder-not-writable").text()))
            }
        }
        Ok(_) => (false, None, Some(t!("core-folder-blocked").text())),
        Err(_) => {
            // Missing: usable if its nearest existing parent is a writable folder.
            let mut up = dir.parent();
            while let Some(p) = up {
                let p = if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                };
                match fs::symlink_metadata(p) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => up = p.parent(),
                    _ => {
                        let is_dir = fs::metadata(p).is_ok_and(|m| m.is_dir());
                        if is_dir && probe(p) {
                            return (
                                true,
                                fsutil::free_space(p).ok(),
                                Some(t!("core-folder-will-be-created").text()),
                            );
                        }
                        return (
                            false,
                            None,
                            Some(t!("core-folder-cannot-be-created", parent = p).text()),
                        );
                    }
                }
            }
            (false, None, Some(t!("core-folder-missing").text()))
        }
    }
}

/// Where backups on the attached medium `mount` would go, if it can take
/// them; otherwise why not.
fn examine(mount: &Path) -> std::result::Result<PathBuf, Text> {
    if !fs::metadata(mount).is_ok_and(|m| m.is_dir()) {
        return Err(t!("core-mount-not-folder"));
    }
    let dir = mount.join(EXTERNAL_FOLDER);
    let target = match fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => mount,
        Err(_) => return Err(t!("core-mount-unreadable")),
        Ok(_) => {
            if !fs::metadata(&dir).is_ok_and(|m| m.is_dir()) {
                return Err(t!("core-mount-backups-not-folder"));
            }
            dir.as_path()
        }
    };
    if probe(target) {
        Ok(dir)
    } else {
        Err(t!("core-mount-not-writable"))
    }
}

/// True if a file can be created in `dir` and removed again.
fn probe(dir: &Path) -> bool {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{TEMP_PREFIX}probe-{}-{n}", std::process::id()));
    match OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(f) => {
            drop(f);
            fs::remove_file(&path).is_ok()
        }
        Err(_) => false,
    }
}

/// The folders matching `pattern` (relative patterns are relative to `home`).
/// Unreadable folders and non-folders are skipped.
fn expand(home: &Path, pattern: &str) -> Vec<PathBuf> {
    let pat = Path::new(pattern.trim());
    let mut current = vec![if pat.is_absolute() {
        PathBuf::new()
    } else {
        home.to_path_buf()
    }];
    for comp in pat.components() {
        match comp {
            Component::Normal(part) if has_wildcard(part) => {
                let part = part.to_string_lossy();
                let pchars: Vec<char> = part.chars().collect();
                let mut next = Vec::new();
                for base in &current {
                    let Ok(rd) = fs::read_dir(base) else { continue };
                    for de in rd.flatten() {
                        let name = de.file_name();
                        let name = name.to_string_lossy();
                        if name.starts_with('.') && !part.starts_with('.') {
                            continue;
                        }
                        let nchars: Vec<char> = name.chars().collect();
                        if wild_match(&pchars, &nchars) {
                            next.push(de.path());
                        }
                    }
                }
                current = next;
            }
            other => {
                for p in &mut current {
                    p.push(other.as_os_str());
                }
            }
        }
        if current.is_empty() {
            break;
        }
    }
    current.retain(|p| fs::metadata(p).is_ok_and(|m| m.is_dir()));
    current
}

fn has_wildcard(part: &OsStr) -> bool {
    part.as_encoded_bytes()
        .iter()
        .any(|b| *b == b'*' || *b == b'?')
}

/// Shell-style match of one name: `*` any run of characters, `?` one.
fn wild_match(pat: &[char], name: &[char]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pat.len() && pat[p] == '*' {
            star = Some((p, n));
            p += 1;
        } else if p < pat.len() && (pat[p] == '?' || pat[p] == name[n]) {
            p += 1;
            n += 1;
        } else if let Some((sp, sn)) = star {
            p = sp + 1;
            n = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|c| *c == '*')
}

/// A path as compared with others: links resolved as far as the path
/// exists, otherwise made absolute as written.
fn identity(path: &Path) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    // Resolve the longest existing prefix and append the rest.
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    while let Some(parent) = cur.parent() {
        if let Some(name) = cur.file_name() {
            rest.push(name.to_os_string());
        } else {
            break;
        }
        if let Ok(mut p) = fs::canonicalize(parent) {
            for r in rest.iter().rev() {
                p.push(r);
            }
            return p;
        }
        cur = parent;
    }
    abs
}

fn join_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::wild_match;

    fn m(p: &str, n: &str) -> bool {
        let p: Vec<char> = p.chars().collect();
        let n: Vec<char> = n.chars().collect();
        wild_match(&p, &n)
    }

    #[test]
    fn wildcards() {
        assert!(m("*", "sdcard"));
        assert!(m("*", ""));
        assert!(m("sd*", "sdcard"));
        assert!(m("*card", "sdcard"));
        assert!(m("s?c*d", "sdcard"));
        assert!(m("*a*a*", "banana"));
        assert!(!m("sd*", "usb"));
        assert!(!m("?", ""));
        assert!(!m("a*b", "aXbY"));
        assert!(m("a*b", "aXbYb"));
    }
}

//! SanteDB's asset classes and where each one goes in the carevault data
//! folder. The same table is in `docs/IMPORT.md`.

use crate::fail::refused;
use carevault_core::i18n::{t, Text};
use carevault_core::Result;

/// One asset class of SanteDB's backup module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetClass {
    /// The class GUID, lowercase, as SanteDB writes it in tar entry names.
    pub guid: &'static str,
    /// What it is, in words.
    pub what: &'static str,
    /// Folder under `data/` that its assets go to.
    pub folder: &'static str,
    /// Whether its payload is a SQLite database in SanteDB's envelope.
    pub sqlite: bool,
}

const fn class(
    guid: &'static str,
    what: &'static str,
    folder: &'static str,
    sqlite: bool,
) -> AssetClass {
    AssetClass {
        guid,
        what,
        folder,
        sqlite,
    }
}

/// Every asset class SanteDB has written, and its place under `data/`.
pub const CLASSES: [AssetClass; 14] = [
    class(
        "fb444942-4276-427c-a09c-9c65769837f0",
        "primary clinical database",
        "santedb/clinical",
        true,
    ),
    class(
        "3e3c4ef4-5c64-4ec6-bb82-26719f09f8b5",
        "synchronization queue database (outbox)",
        "santedb/outbox",
        true,
    ),
    class(
        "eff684f2-7641-4697-a4a0-ca0f5171baa7",
        "audit database",
        "santedb/audit",
        true,
    ),
    class(
        "fa934227-659a-43b0-80c1-4fab5fa92240",
        "pub/sub database",
        "santedb/pubsub",
        true,
    ),
    class(
        "09379015-3823-40f1-b051-573e9009e849",
        "configuration file",
        "santedb/config",
        false,
    ),
    class(
        "ef601f26-1b2f-4a4e-a909-1de4c8df17dd",
        "context key (ctxkey.key)",
        "santedb/keys/context",
        false,
    ),
    class(
        "cb0e7356-1ed3-4eb8-8f46-89057a75a9ae",
        "private key file (.pfx)",
        "santedb/keys/private",
        false,
    ),
    class(
        "626a752f-2693-4c42-ab0b-d94906ae900c",
        "job schedule (xcron.xml)",
        "santedb/jobs/schedule",
        false,
    ),
    class(
        "bfb822e4-633f-49ca-8459-1ddbd7c435b5",
        "job state (xstate.xml)",
        "santedb/jobs/state",
        false,
    ),
    class(
        "d0b81e88-6626-448b-a92e-6c1537b52bad",
        "log file",
        "santedb/logs",
        false,
    ),
    class(
        "e915f19b-82a6-45e9-85f2-13a4a04500d5",
        "data stream (attached file)",
        "santedb/streams",
        false,
    ),
    class(
        "3c530ba8-7664-4144-9561-d65514399312",
        "CDSS library",
        "santedb/cdss",
        false,
    ),
    class(
        "8d5edd7b-47d9-4bf0-8ab4-eca9be115fa5",
        "data-quality configuration",
        "santedb/dataquality",
        false,
    ),
    class(
        "bf146238-66da-449d-9301-1f52f15d0dc3",
        "data template",
        "santedb/templates",
        false,
    ),
];

impl AssetClass {
    /// What it is, in words, in the reader's language ([`AssetClass::what`]
    /// is the English, for the report's `class` field).
    pub fn text(&self) -> Text {
        match self.folder {
            "santedb/clinical" => t!("santedb-class-clinical"),
            "santedb/outbox" => t!("santedb-class-outbox"),
            "santedb/audit" => t!("santedb-class-audit"),
            "santedb/pubsub" => t!("santedb-class-pubsub"),
            "santedb/config" => t!("santedb-class-config"),
            "santedb/keys/context" => t!("santedb-class-context-key"),
            "santedb/keys/private" => t!("santedb-class-private-key"),
            "santedb/jobs/schedule" => t!("santedb-class-job-schedule"),
            "santedb/jobs/state" => t!("santedb-class-job-state"),
            "santedb/logs" => t!("santedb-class-log"),
            "santedb/streams" => t!("santedb-class-stream"),
            "santedb/cdss" => t!("santedb-class-cdss"),
            "santedb/dataquality" => t!("santedb-class-data-quality"),
            "santedb/templates" => t!("santedb-class-template"),
            _ => t!("santedb-class-unknown"),
        }
    }
}

/// What an asset whose class is not in [`CLASSES`] is, in English.
pub const UNKNOWN_CLASS: &str = "asset of a class SanteDB does not define";

/// What a file of a folder layout is, in English.
pub const FOLDER_FILE_CLASS: &str = "file of the data folder";

/// Folder (under `data/`) of assets whose class is not in [`CLASSES`]:
/// `santedb/unknown/{guid}/`.
pub const UNKNOWN_FOLDER: &str = "santedb/unknown";

/// Folder (under `data/`) of the whole data folder of the layouts that have
/// no asset table (`tar.gz`, `SDB\x02`).
pub const FOLDER_LAYOUT_ROOT: &str = "santedb/folder";

/// The class of `guid` (lowercase), if SanteDB defines it.
pub fn class_of(guid: &str) -> Option<&'static AssetClass> {
    CLASSES.iter().find(|c| c.guid == guid)
}

/// A GUID's 16 bytes in .NET `Guid.ToByteArray` order, as lowercase text.
pub fn guid_text(b: &[u8; 16]) -> String {
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
    )
}

/// Longest file-name component accepted (most file systems allow 255 bytes).
pub const MAX_COMPONENT: usize = 255;

/// Checks that `name` is one safe file name (no folder, no traversal, no
/// control characters), as it will be written under `data/`.
pub fn check_component(name: &str, what: &Text) -> Result<()> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.len() > MAX_COMPONENT
        || name.contains(['/', '\\', ':'])
        || name.chars().any(char::is_control);
    if bad {
        return Err(refused(t!(
            "santedb-unsafe-name",
            what = what,
            name = format!("{:?}", shorten(name)),
            max = MAX_COMPONENT
        )));
    }
    Ok(())
}

/// Checks every component of a relative path (legacy layouts keep folders).
pub fn check_relative(path: &str, what: &Text) -> Result<()> {
    if path.len() > 4096 || path.starts_with('/') {
        return Err(refused(t!(
            "santedb-unsafe-path",
            what = what,
            name = format!("{:?}", shorten(path))
        )));
    }
    for c in path.split('/') {
        check_component(c, what)?;
    }
    Ok(())
}

/// A name cut for messages (at most 120 characters).
pub fn shorten(s: &str) -> String {
    if s.chars().count() <= 120 {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(117).collect();
        t.push_str("...");
        t
    }
}

/// The file name a database asset gets: its asset name without SanteDB's
/// `#sqlite` marker (and the doubled `.sqlite.sqlite` of January 2024).
pub fn database_file_name(asset_name: &str) -> &str {
    let n = asset_name.strip_suffix("#sqlite").unwrap_or(asset_name);
    n.strip_suffix(".sqlite.sqlite")
        .map(|_| &n[..n.len() - ".sqlite".len()])
        .unwrap_or(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_its_own_words() {
        use carevault_core::i18n::Lang;
        for c in CLASSES {
            assert_eq!(c.text().render(Lang::En), c.what, "{}", c.folder);
            assert_ne!(c.text().render(Lang::Fr), c.what, "{}", c.folder);
        }
    }

    #[test]
    fn guid_bytes_le_order_matches_dotnet() {
        // Guid("FB444942-4276-427C-A09C-9C65769837F0").ToByteArray()
        let b = [
            0x42, 0x49, 0x44, 0xfb, 0x76, 0x42, 0x7c, 0x42, 0xa0, 0x9c, 0x9c, 0x65, 0x76, 0x98,
            0x37, 0xf0,
        ];
        assert_eq!(guid_text(&b), "fb444942-4276-427c-a09c-9c65769837f0");
        assert!(class_of(&guid_text(&b)).unwrap().sqlite);
    }

    #[test]
    fn database_names_lose_the_sqlite_marker() {
        assert_eq!(
            database_file_name("santedb.sqlite#sqlite"),
            "santedb.sqlite"
        );
        assert_eq!(
            database_file_name("santedb.sqlite.sqlite"),
            "santedb.sqlite"
        );
        assert_eq!(database_file_name("audit.db"), "audit.db");
    }

    #[test]
    fn traversal_and_folders_are_not_file_names() {
        let what = t!("santedb-what-asset-name");
        for n in ["..", ".", "", "a/b", "a\\b", "c:x", "a\u{1b}b"] {
            assert!(check_component(n, &what).is_err(), "{n:?}");
        }
        assert!(check_component(&"x".repeat(256), &what).is_err());
        assert!(check_component("santedb.sqlite", &what).is_ok());
    }
}

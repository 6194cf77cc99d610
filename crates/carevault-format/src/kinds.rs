//! The typed values of the readable metadata and the manifest: key-slot
//! kinds, entry kinds, the medium and the creation time. Each one is
//! written exactly as the string it stands for, and an unknown string is
//! kept (`Other`) rather than refused here: what it means is decided where
//! it is used (an unknown key slot is damage, see `metadata`; an unknown
//! entry kind is restored as a plain file; an unknown medium is shown as
//! written).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! string_enum {
    (
        $(#[$doc:meta])*
        $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)* }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// Any other value, kept as written.
            Other(String),
        }

        impl $name {
            /// The value as written in the file.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)*
                    _ => $name::Other(s.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match $name::from(s.as_str()) {
                    $name::Other(_) => $name::Other(s),
                    known => known,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($name::from)
            }
        }
    };
}

string_enum! {
    /// What opens a key slot (`key_slots[].kind`). A reader refuses a
    /// backup with any other kind as damaged details.
    SlotKind {
        /// `passphrase`: the slot is encrypted to a passphrase (scrypt).
        Passphrase => "passphrase",
        /// `recovery`: the slot is encrypted to recovery keys.
        Recovery => "recovery",
    }
}

string_enum! {
    /// What a manifest entry holds (`entries[].kind`). Any other kind is
    /// restored as a plain file, with no database checks.
    EntryKind {
        /// `sqlite`: a database snapshot, checked after a restore.
        Sqlite => "sqlite",
        /// `file`: any other file, restored as it is.
        File => "file",
    }
}

string_enum! {
    /// The medium a backup was written to (`location`). Readers show any
    /// other value as written.
    Location {
        /// `Private`: the app's private storage.
        Private => "Private",
        /// `Public`: the user's Documents folder.
        Public => "Public",
        /// `External`: a removable medium (SD card, USB drive).
        External => "External",
        /// `Folder`: a folder given by path.
        Folder => "Folder",
    }
}

impl EntryKind {
    /// The entry is a database snapshot (checked after a restore).
    pub fn is_database(&self) -> bool {
        *self == EntryKind::Sqlite
    }
}

/// A backup's creation time (`created_at`): a UTC instant, parsed once
/// when the file is read.
///
/// The writer writes whole seconds as `YYYY-MM-DDTHH:MM:SSZ`. A reader
/// accepts every RFC 3339 spelling it has always accepted (a fraction, an
/// offset, a lowercase `t` or `z`...); one that is not what the writer
/// writes is kept, so that it is written back unchanged and so that two
/// copies compare equal only when they are spelled alike: the readable
/// metadata is compared with its sealed copy byte for byte, as before.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreatedAt {
    at: jiff::Timestamp,
    /// The text read, when it is not [`canonical`] of `at`.
    spelling: Option<Box<str>>,
}

/// What the writer writes: whole seconds with a `Z` (and the fraction, if
/// any, trailing zeros removed).
fn canonical(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_string()
}

impl CreatedAt {
    /// The creation time of a backup made at `now`: the writer records
    /// whole seconds (rounded down).
    pub fn new(now: jiff::Timestamp) -> CreatedAt {
        let floor = now.as_second() - i64::from(now.subsec_nanosecond() < 0);
        CreatedAt {
            at: jiff::Timestamp::from_second(floor).expect("a whole second of a timestamp"),
            spelling: None,
        }
    }

    /// The instant.
    pub fn timestamp(&self) -> jiff::Timestamp {
        self.at
    }
}

impl std::str::FromStr for CreatedAt {
    type Err = jiff::Error;

    /// Parses `created_at` as readers always have (jiff's RFC 3339
    /// parser: `Z` or a numeric offset required).
    fn from_str(s: &str) -> Result<CreatedAt, jiff::Error> {
        let at: jiff::Timestamp = s.parse()?;
        let spelling = (canonical(at) != s).then(|| s.into());
        Ok(CreatedAt { at, spelling })
    }
}

impl From<CreatedAt> for jiff::Timestamp {
    fn from(c: CreatedAt) -> jiff::Timestamp {
        c.at
    }
}

impl fmt::Display for CreatedAt {
    /// Writes the text as read (or as the writer writes it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.spelling {
            Some(s) => f.write_str(s),
            None => f.write_str(&canonical(self.at)),
        }
    }
}

impl Serialize for CreatedAt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CreatedAt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + fmt::Debug>(
        json: &str,
        want: T,
    ) {
        let got: T = serde_json::from_str(json).unwrap();
        assert_eq!(got, want, "{json}");
        assert_eq!(serde_json::to_string(&got).unwrap(), json);
    }

    #[test]
    fn slot_kinds_round_trip_known_and_unknown_values() {
        round_trip(r#""passphrase""#, SlotKind::Passphrase);
        round_trip(r#""recovery""#, SlotKind::Recovery);
        round_trip(r#""Recovery""#, SlotKind::Other("Recovery".into()));
        round_trip(r#""""#, SlotKind::Other(String::new()));
        assert!(serde_json::from_str::<SlotKind>("1").is_err());
    }

    #[test]
    fn entry_kinds_round_trip_known_and_unknown_values() {
        round_trip(r#""sqlite""#, EntryKind::Sqlite);
        round_trip(r#""file""#, EntryKind::File);
        round_trip(r#""symlink""#, EntryKind::Other("symlink".into()));
        assert!(EntryKind::Sqlite.is_database());
        assert!(!EntryKind::Other("SQLite".into()).is_database());
        assert!(serde_json::from_str::<EntryKind>("null").is_err());
    }

    #[test]
    fn locations_round_trip_known_and_unknown_values() {
        for (text, want) in [
            ("Private", Location::Private),
            ("Public", Location::Public),
            ("External", Location::External),
            ("Folder", Location::Folder),
            ("public", Location::Other("public".into())),
        ] {
            round_trip(&format!("{text:?}"), want.clone());
            assert_eq!(want.to_string(), text);
        }
    }

    #[test]
    fn the_writers_creation_time_round_trips_exactly() {
        let at: jiff::Timestamp = "2026-11-27T08:46:45.987654321Z".parse().unwrap();
        let c = CreatedAt::new(at);
        assert_eq!(c.to_string(), "2026-11-27T08:46:45Z");
        assert_eq!(c.timestamp(), "2026-11-27T08:46:45Z".parse().unwrap());
        round_trip(r#""2026-11-27T08:46:45Z""#, c);
        // Before 1970 the fraction rounds down too, as strftime did.
        let before: jiff::Timestamp = "1969-12-31T23:59:59.5Z".parse().unwrap();
        assert_eq!(CreatedAt::new(before).to_string(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn other_accepted_spellings_are_written_back_unchanged() {
        for text in [
            "2026-11-27T08:46:45.250Z",
            "2026-11-27T08:46:45.25Z",
            "2026-11-27t08:46:45Z",
            "2026-11-27T08:46:45z",
            "2026-11-27 08:46:45Z",
            "2026-11-27T10:46:45+02:00",
            "2026-11-27T08:46:45+00:00",
        ] {
            let c: CreatedAt = serde_json::from_str(&format!("{text:?}")).unwrap();
            assert_eq!(c.to_string(), text);
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("{text:?}"));
        }
        let a: CreatedAt = "2026-11-27T10:46:45+02:00".parse().unwrap();
        let b: CreatedAt = "2026-11-27T08:46:45Z".parse().unwrap();
        assert_eq!(a.timestamp(), b.timestamp());
        // Spelled differently, the two copies of the sealed details differ.
        assert_ne!(a, b);
    }

    #[test]
    fn creation_times_readers_refused_are_still_refused() {
        for text in [
            "2026-11-27T08:46:45",
            "2026-1-2T3:4:5Z",
            "2026-11-27T08:46:45.Z",
            "yesterday",
            "",
        ] {
            assert!(text.parse::<CreatedAt>().is_err(), "{text}");
            assert!(serde_json::from_str::<CreatedAt>(&format!("{text:?}")).is_err());
        }
        assert!(serde_json::from_str::<CreatedAt>("1764233205").is_err());
    }
}

//! Backup media: Private, Public, External (with fallback), policy.
//!
//! Folders under a temporary directory stand in for the mount roots
//! (`<tmp>/media/*/*`). Tests may run as root, where `chmod 0o555` does not
//! stop writes: the read-only case is only checked where chmod is seen to
//! work, and unusable media are otherwise made of a regular file where a
//! folder is expected and of a dangling symbolic link.

use carevault_core::media::{self, MediaSettings, Medium, EXTERNAL_FOLDER, FALLBACK_NOTE};
use carevault_core::Kind;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

struct World {
    _tmp: TempDir,
    home: PathBuf,
    media: PathBuf,
    settings: MediaSettings,
}

fn world() -> World {
    let tmp = TempDir::new().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let media = tmp.path().join("media");
    let settings = MediaSettings {
        external_roots: vec![format!("{}/*/*", media.display())],
        ..MediaSettings::default()
    };
    World {
        home,
        media,
        settings,
        _tmp: tmp,
    }
}

impl World {
    /// An attached, writable medium at `media/<user>/<name>`.
    fn mount(&self, user: &str, name: &str) -> PathBuf {
        let p = self.media.join(user).join(name);
        fs::create_dir_all(&p).unwrap();
        p
    }
}

/// True when a folder with mode 0o555 really refuses new files (not root,
/// no CAP_DAC_OVERRIDE, a file system that honours modes).
fn chmod_stops_writes(scratch: &Path) -> bool {
    let d = scratch.join("chmod-check");
    fs::create_dir_all(&d).unwrap();
    fs::set_permissions(&d, fs::Permissions::from_mode(0o555)).unwrap();
    let stopped = fs::File::create(d.join("x")).is_err();
    fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
    fs::remove_dir_all(&d).unwrap();
    stopped
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn no_medium_falls_back_to_public_and_says_so() {
    let w = world();
    // Mount root missing altogether, then present but empty.
    for _ in 0..2 {
        let r = w.settings.resolve(&w.home, Medium::External).unwrap();
        assert_eq!(r.medium, Medium::Public);
        assert_eq!(r.dir, w.home.join("Documents"));
        assert!(r.fell_back);
        assert_eq!(r.note.as_deref(), Some(FALLBACK_NOTE));
        fs::create_dir_all(w.media.join("nurse")).unwrap();
    }
    assert_eq!(
        FALLBACK_NOTE,
        "No SD card or USB drive is attached: saved to the Documents folder as the guide describes."
    );
    // Nothing was created.
    assert!(!w.home.join("Documents").exists());
}

#[test]
fn mounted_medium_is_used_and_left_untouched() {
    let w = world();
    let sd = w.mount("nurse", "SDCARD");
    let r = w.settings.resolve(&w.home, Medium::External).unwrap();
    assert_eq!(r.medium, Medium::External);
    assert_eq!(r.dir, sd.join(EXTERNAL_FOLDER));
    assert!(!r.fell_back);
    assert!(r.note.is_none());
    // resolve creates no folder and leaves no probe file behind.
    assert!(entries(&sd).is_empty(), "{:?}", entries(&sd));

    // An existing carevault-backups folder is used (and probed) as is.
    fs::create_dir(sd.join(EXTERNAL_FOLDER)).unwrap();
    let r = w.settings.resolve(&w.home, Medium::External).unwrap();
    assert_eq!(r.dir, sd.join(EXTERNAL_FOLDER));
    assert!(entries(&sd.join(EXTERNAL_FOLDER)).is_empty());

    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["medium"], "External");
    assert_eq!(json["fell_back"], false);
}

#[test]
fn first_medium_in_sorted_order_wins() {
    let w = world();
    let b = w.mount("nurse", "USB_B");
    let a = w.mount("nurse", "USB_A");
    let r = w.settings.resolve(&w.home, Medium::External).unwrap();
    assert_eq!(r.dir, a.join(EXTERNAL_FOLDER));
    // Another user sorting first.
    let z = w.mount("admin", "ZZZ");
    let r = w.settings.resolve(&w.home, Medium::External).unwrap();
    assert_eq!(r.dir, z.join(EXTERNAL_FOLDER));
    let _ = b;
}

#[test]
fn patterns_are_tried_in_the_order_given() {
    let w = world();
    let late = w.mount("nurse", "CARD");
    let tmp = w.home.parent().unwrap();
    let early = tmp.join("run").join("media").join("nurse").join("USB");
    fs::create_dir_all(&early).unwrap();
    let settings = MediaSettings {
        external_roots: vec![
            format!("{}/run/media/*/*", tmp.display()),
            format!("{}/*/*", w.media.display()),
        ],
        ..MediaSettings::default()
    };
    let r = settings.resolve(&w.home, Medium::External).unwrap();
    assert_eq!(r.dir, early.join(EXTERNAL_FOLDER));
    let dirs: Vec<PathBuf> = settings
        .listing_dirs(&w.home)
        .into_iter()
        .filter(|(m, _)| *m == Medium::External)
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        dirs,
        vec![early.join(EXTERNAL_FOLDER), late.join(EXTERNAL_FOLDER)]
    );
}

#[test]
fn odd_mounts_are_skipped_without_panic() {
    let w = world();
    let nurse = w.media.join("nurse");
    fs::create_dir_all(&nurse).unwrap();
    // A regular file where a medium folder is expected.
    fs::write(nurse.join("AAA-file"), b"not a folder").unwrap();
    // A dangling symbolic link.
    std::os::unix::fs::symlink(w.media.join("gone"), nurse.join("BBB-dangling")).unwrap();
    // A medium whose carevault-backups is a file.
    let c = w.mount("nurse", "CCC-blocked");
    fs::write(c.join(EXTERNAL_FOLDER), b"in the way").unwrap();
    // A file where a user folder is expected.
    fs::write(w.media.join("stray-file"), b"x").unwrap();
    // A hidden entry is not a medium.
    w.mount("nurse", ".hidden");

    let r = w.settings.resolve(&w.home, Medium::External).unwrap();
    assert!(r.fell_back);
    assert_eq!(r.medium, Medium::Public);
    assert_eq!(r.dir, w.home.join("Documents"));
    let note = r.note.unwrap();
    assert!(note.contains("CCC-blocked"), "{note}");
    assert!(note.contains("Documents folder"), "{note}");

    // A good medium sorting after them is found.
    let d = w.mount("nurse", "DDD-good");
    let r = w.settings.resolve(&w.home, Medium::External).unwrap();
    assert_eq!(r.dir, d.join(EXTERNAL_FOLDER));
    assert!(!r.fell_back);

    // Listing and status also cope.
    let external: Vec<PathBuf> = w
        .settings
        .listing_dirs(&w.home)
        .into_iter()
        .filter(|(m, _)| *m == Medium::External)
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        external,
        vec![c.join(EXTERNAL_FOLDER), d.join(EXTERNAL_FOLDER)]
    );
    let st = media::status(&w.settings, &w.home);
    assert!(st[2].available);
}

#[test]
fn read_only_medium_is_skipped_but_still_listed() {
    let w = world();
    let scratch = w.home.parent().unwrap();
    if !chmod_stops_writes(scratch) {
        eprintln!("chmod does not stop writes here (root?): covered by odd_mounts_are_skipped_without_panic");
        return;
    }
    let ro = w.mount("nurse", "A-locked");
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    // An unreadable user folder: nothing under it can be seen.
    let hidden = w.mount("zed", "CARD");
    fs::set_permissions(w.media.join("zed"), fs::Permissions::from_mode(0o000)).unwrap();

    let r = w.settings.resolve(&w.home, Medium::External).unwrap();
    assert!(r.fell_back);
    assert_eq!(r.dir, w.home.join("Documents"));
    let note = r.note.clone().unwrap();
    assert!(note.contains("cannot be written"), "{note}");
    assert!(note.contains("A-locked"), "{note}");

    let dirs = w.settings.listing_dirs(&w.home);
    assert!(dirs.contains(&(Medium::External, ro.join(EXTERNAL_FOLDER))));
    assert!(!dirs.iter().any(|(_, d)| d.starts_with(&hidden)));

    let st = media::status(&w.settings, &w.home);
    assert!(!st[2].available);
    assert!(st[2].note.as_deref().unwrap().contains("A-locked"));

    let good = w.mount("nurse", "B-open");
    let r = w.settings.resolve(&w.home, Medium::External).unwrap();
    assert_eq!(r.dir, good.join(EXTERNAL_FOLDER));

    fs::set_permissions(w.media.join("zed"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn policy_default_requires_encryption_off_the_tablet() {
    let s = MediaSettings::default();
    assert_eq!(s.require_encryption, vec![Medium::Public, Medium::External]);
    for m in [Medium::Public, Medium::External] {
        let e = s.check_policy(m, false).unwrap_err();
        assert_eq!(e.kind(), Kind::Usage);
        assert!(e.message().contains(m.as_str()), "{}", e.message());
        assert!(e.message().contains("must be encrypted"), "{}", e.message());
        assert!(e.advice().contains("passphrase"), "{}", e.advice());
        assert!(e.advice().contains("Private"), "{}", e.advice());
        s.check_policy(m, true).unwrap();
    }
    s.check_policy(Medium::Private, false).unwrap();
    s.check_policy(Medium::Private, true).unwrap();
}

#[test]
fn custom_policy_is_honoured() {
    let s = MediaSettings {
        require_encryption: vec![Medium::Private],
        ..MediaSettings::default()
    };
    assert!(s.check_policy(Medium::Private, false).is_err());
    s.check_policy(Medium::Public, false).unwrap();
    s.check_policy(Medium::External, false).unwrap();
    let e = s.check_policy(Medium::Private, false).unwrap_err();
    assert!(e.advice().contains("Public or External"), "{}", e.advice());

    let none = MediaSettings {
        require_encryption: vec![],
        ..MediaSettings::default()
    };
    for m in Medium::ALL {
        none.check_policy(m, false).unwrap();
    }
    let all = MediaSettings {
        require_encryption: Medium::ALL.to_vec(),
        ..MediaSettings::default()
    };
    for m in Medium::ALL {
        assert_eq!(all.check_policy(m, false).unwrap_err().kind(), Kind::Usage);
    }
}

#[test]
fn fallback_is_checked_against_the_public_policy() {
    let w = world();
    let s = MediaSettings {
        require_encryption: vec![Medium::Public],
        ..w.settings.clone()
    };
    // No medium: External would land on Public, which requires encryption.
    let e = s
        .resolve_for_backup(&w.home, Medium::External, false)
        .unwrap_err();
    assert_eq!(e.kind(), Kind::Usage);
    assert!(e.message().contains("Public"), "{}", e.message());
    let r = s
        .resolve_for_backup(&w.home, Medium::External, true)
        .unwrap();
    assert!(r.fell_back);
    // With a medium attached, External is not under that policy.
    let sd = w.mount("nurse", "SD");
    let r = s
        .resolve_for_backup(&w.home, Medium::External, false)
        .unwrap();
    assert_eq!(r.dir, sd.join(EXTERNAL_FOLDER));
    // Default policy refuses before probing anything.
    let e = w
        .settings
        .resolve_for_backup(&w.home, Medium::External, false)
        .unwrap_err();
    assert!(e.message().contains("External"));
}

#[test]
fn private_and_public_folders() {
    let w = world();
    let r = w.settings.resolve(&w.home, Medium::Private).unwrap();
    assert_eq!(r.dir, w.home.join("private").join("backups"));
    assert_eq!(r.medium, Medium::Private);
    assert!(!r.fell_back && r.note.is_none());

    let r = w.settings.resolve(&w.home, Medium::Public).unwrap();
    assert_eq!(r.dir, w.home.join("Documents"));
    assert!(!r.fell_back && r.note.is_none());

    let rel = MediaSettings {
        public: Some(PathBuf::from("shared/Docs")),
        ..w.settings.clone()
    };
    assert_eq!(
        rel.resolve(&w.home, Medium::Public).unwrap().dir,
        w.home.join("shared/Docs")
    );
    // Fallback goes to the configured Public folder.
    assert_eq!(
        rel.resolve(&w.home, Medium::External).unwrap().dir,
        w.home.join("shared/Docs")
    );

    let abs_dir = w.home.parent().unwrap().join("elsewhere");
    let abs = MediaSettings {
        public: Some(abs_dir.clone()),
        ..w.settings.clone()
    };
    assert_eq!(abs.resolve(&w.home, Medium::Public).unwrap().dir, abs_dir);

    let empty = MediaSettings {
        public: Some(PathBuf::new()),
        ..w.settings.clone()
    };
    assert_eq!(
        empty.resolve(&w.home, Medium::Public).unwrap_err().kind(),
        Kind::Usage
    );
    let empty_pattern = MediaSettings {
        external_roots: vec!["  ".into()],
        ..w.settings.clone()
    };
    assert_eq!(
        empty_pattern
            .resolve(&w.home, Medium::External)
            .unwrap_err()
            .kind(),
        Kind::Usage
    );
    // Nothing was created by any of this.
    assert!(entries(&w.home).is_empty());
}

#[test]
fn relative_mount_pattern_is_relative_to_home() {
    let w = world();
    let card = w.home.join("mnt").join("card0");
    fs::create_dir_all(&card).unwrap();
    let s = MediaSettings {
        external_roots: vec!["mnt/card?".into()],
        ..MediaSettings::default()
    };
    let r = s.resolve(&w.home, Medium::External).unwrap();
    assert_eq!(r.dir, card.join(EXTERNAL_FOLDER));
}

#[test]
fn listing_dirs_cover_every_medium() {
    let w = world();
    let a = w.mount("nurse", "A");
    let b = w.mount("nurse", "B");
    let dirs = w.settings.listing_dirs(&w.home);
    assert_eq!(
        dirs,
        vec![
            (Medium::Private, w.home.join("private").join("backups")),
            (Medium::Public, w.home.join("Documents")),
            (Medium::Public, w.home.join("Downloads")),
            (Medium::External, a.join(EXTERNAL_FOLDER)),
            (Medium::External, b.join(EXTERNAL_FOLDER)),
        ]
    );

    // No medium: just Private and Public (Documents and Downloads).
    let w2 = world();
    let dirs = w2.settings.listing_dirs(&w2.home);
    assert_eq!(dirs.len(), 3);

    // A folder reached twice is listed once.
    let same = MediaSettings {
        external_roots: vec![
            format!("{}/*/*", w.media.display()),
            format!("{}/nurse/*", w.media.display()),
        ],
        ..w.settings.clone()
    };
    assert_eq!(same.listing_dirs(&w.home).len(), 5);

    // Downloads is configurable like Documents, and a Downloads that is
    // the Documents folder is listed once.
    let inbox = MediaSettings {
        downloads: Some("Inbox".into()),
        ..w.settings.clone()
    };
    assert!(inbox
        .listing_dirs(&w.home)
        .contains(&(Medium::Public, w.home.join("Inbox"))));
    let one = MediaSettings {
        downloads: Some("Documents".into()),
        ..w2.settings.clone()
    };
    assert_eq!(one.listing_dirs(&w2.home).len(), 2);
}

#[test]
fn medium_of_maps_files_back() {
    let w = world();
    let sd = w.mount("nurse", "SD");
    let s = &w.settings;
    let priv_file = w.home.join("private/backups/Backup-1.bin");
    let pub_file = w.home.join("Documents/Backup-2.bin");
    let ext_file = sd.join(EXTERNAL_FOLDER).join("Backup-3.bin");
    for f in [&priv_file, &pub_file, &ext_file] {
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, b"x").unwrap();
    }
    assert_eq!(s.medium_of(&w.home, &priv_file), Some(Medium::Private));
    assert_eq!(s.medium_of(&w.home, &pub_file), Some(Medium::Public));
    assert_eq!(s.medium_of(&w.home, &ext_file), Some(Medium::External));
    // Anywhere on the medium counts; a file that does not exist yet too.
    assert_eq!(
        s.medium_of(&w.home, &sd.join("copied-by-hand.bin")),
        Some(Medium::External)
    );
    assert_eq!(
        s.medium_of(&w.home, &w.home.join("Documents/new/not-yet.bin")),
        Some(Medium::Public)
    );
    // Elsewhere: no medium.
    assert_eq!(s.medium_of(&w.home, &w.home.join("data/x.bin")), None);
    assert_eq!(s.medium_of(&w.home, Path::new("/nonexistent/y.bin")), None);
    // Through a link into Documents.
    let link = w.home.parent().unwrap().join("docs-link");
    std::os::unix::fs::symlink(w.home.join("Documents"), &link).unwrap();
    assert_eq!(
        s.medium_of(&w.home, &link.join("Backup-2.bin")),
        Some(Medium::Public)
    );
    // Every listed folder maps back to its medium.
    for (m, d) in s.listing_dirs(&w.home) {
        assert_eq!(
            s.medium_of(&w.home, &d.join("b.bin")),
            Some(m),
            "{}",
            d.display()
        );
    }
    // Public configured inside HOME as a whole: private still wins for private files.
    let home_public = MediaSettings {
        public: Some(PathBuf::from(".")),
        ..s.clone()
    };
    assert_eq!(
        home_public.medium_of(&w.home, &priv_file),
        Some(Medium::Private)
    );
    assert_eq!(
        home_public.medium_of(&w.home, &w.home.join("x.bin")),
        Some(Medium::Public)
    );
}

#[test]
fn status_reports_each_medium() {
    let w = world();
    let st = media::status(&w.settings, &w.home);
    let kinds: Vec<Medium> = st.iter().map(|s| s.medium).collect();
    assert_eq!(kinds, Medium::ALL.to_vec());
    // Folders missing but creatable.
    assert!(st[0].available && st[1].available);
    assert!(st[0].free_bytes.is_some());
    assert!(!st[2].available);
    assert_eq!(st[2].dir, w.home.join("Documents"));
    assert!(st[2].note.as_deref().unwrap().contains("No SD card"));

    let sd = w.mount("nurse", "SD");
    let st = media::status(&w.settings, &w.home);
    assert!(st[2].available);
    assert_eq!(st[2].dir, sd.join(EXTERNAL_FOLDER));
    assert!(st[2].free_bytes.is_some());
    assert!(entries(&sd).is_empty());
    assert!(entries(&w.home).is_empty());

    // Documents blocked by a file.
    fs::write(w.home.join("Documents"), b"x").unwrap();
    let st = media::status(&w.settings, &w.home);
    assert!(!st[1].available);
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(json[1]["medium"], "Public");
}

#[test]
fn names_round_trip_and_bad_names_are_refused() {
    for m in Medium::ALL {
        assert_eq!(m.to_string().parse::<Medium>().unwrap(), m);
        assert_eq!(m.to_string().to_lowercase().parse::<Medium>().unwrap(), m);
        assert_eq!(m.to_string().to_uppercase().parse::<Medium>().unwrap(), m);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, format!("\"{m}\""));
        assert_eq!(serde_json::from_str::<Medium>(&json).unwrap(), m);
    }
    assert_eq!(Medium::Private.to_string(), "Private");
    assert_eq!(Medium::Public.to_string(), "Public");
    assert_eq!(Medium::External.to_string(), "External");
    for bad in ["usb", "", "folder", "privat", "public storage"] {
        let e = bad.parse::<Medium>().unwrap_err();
        assert_eq!(e.kind(), Kind::Usage);
        assert!(e.message().contains(&format!("'{bad}'")), "{}", e.message());
        assert!(e.advice().contains("private, public or external"));
    }
}

#[test]
fn settings_from_the_profile() {
    #[derive(serde::Deserialize)]
    struct P {
        #[serde(default)]
        media: MediaSettings,
    }
    let p: P = toml::from_str("").unwrap();
    assert_eq!(p.media.external_roots, vec!["/media/*/*", "/run/media/*/*"]);
    assert_eq!(
        p.media.require_encryption,
        vec![Medium::Public, Medium::External]
    );
    assert!(p.media.public.is_none());

    let p: P = toml::from_str(
        "[media]\npublic = \"Docs\"\nexternal_roots = [\"/mnt/*\"]\nrequire_encryption = [\"External\", \"private\"]\n",
    )
    .unwrap();
    assert_eq!(p.media.public, Some(PathBuf::from("Docs")));
    assert_eq!(p.media.external_roots, vec!["/mnt/*"]);
    assert_eq!(
        p.media.require_encryption,
        vec![Medium::External, Medium::Private]
    );

    let p: P = toml::from_str("[media]\nrequire_encryption = []\n").unwrap();
    assert!(p.media.require_encryption.is_empty());
    assert_eq!(p.media.external_roots.len(), 2);

    assert!(toml::from_str::<P>("[media]\npublik = \"x\"\n").is_err());
    assert!(toml::from_str::<P>("[media]\nrequire_encryption = [\"Cloud\"]\n").is_err());
}

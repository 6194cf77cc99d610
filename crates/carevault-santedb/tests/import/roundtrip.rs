//! Every SanteDB layout, plain and encrypted, imports into a carevault
//! backup that verify and restore accept, with every byte of every asset
//! equal to what the SanteDB backup held.

use crate::common::writer::{self, Spec, Version, ALL};
use crate::common::*;

fn round_trip(v: Version, pass: Option<&str>) {
    let clinic = Clinic::new();
    let (spec, exp) = spec(&clinic, v, pass);
    let h = Home::new();
    let file = h.write_fixture("backup.bin", &writer::write(&spec));
    let out = h
        .import(&file, pass, false)
        .unwrap_or_else(|e| panic!("{v:?} {pass:?}: {e} ({})", e.advice()));
    assert_eq!(out.result, "imported");
    assert_eq!(
        serde_json::to_value(out.source.layout).unwrap(),
        v.reported(),
        "{v:?}"
    );
    assert_eq!(out.source.encrypted, pass.is_some());
    let backup = out.backup.as_ref().unwrap();
    // Nothing but the backup is left in the folder (no staging).
    assert_eq!(
        h.out_files(),
        vec![backup
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()]
    );
    let md = &backup.metadata.sealed;
    if v.has_table() {
        let t = jiff::Timestamp::from_second(spec.time).unwrap();
        assert_eq!(
            md.created_at.to_string(),
            t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        );
    }
    if matches!(v, Version::Sb0Bk2024 | Version::Sb0Bk2025 | Version::Sb1Bk) {
        assert_eq!(md.created_by, "nurse.amina");
        assert_eq!(out.source.creator.as_deref(), Some("nurse.amina"));
    } else {
        assert_eq!(
            md.created_by, "nurse",
            "no creator recorded: the importing user"
        );
    }
    assert!(md.encrypted);
    let (mut restored, t) = verify_and_restore(&backup.path);
    // This tablet's users come along (a SanteDB backup has none of
    // carevault's): the restored home has someone who may log in, and is
    // no first run.
    assert!(
        restored.remove("data/users.db").is_some(),
        "{v:?}: the import carries this tablet's users"
    );
    let restored_home = t.path().join("restored");
    assert!(carevault_core::auth::list_users(&restored_home)
        .unwrap()
        .iter()
        .any(|u| u.username == "nurse"));
    assert!(!carevault_core::auth::is_first_run(&restored_home));
    assert_eq!(
        restored.keys().collect::<Vec<_>>(),
        exp.files.keys().collect::<Vec<_>>(),
        "{v:?}: the restored files are the assets"
    );
    for (p, bytes) in &exp.files {
        assert!(
            restored[p] == *bytes,
            "{v:?}: {p} differs after the round trip"
        );
    }
    for (p, rows) in &exp.rows {
        let a = out.source.assets.iter().find(|a| &a.path == p).unwrap();
        assert_eq!(&a.database.as_ref().unwrap().rows, rows, "{p}");
    }
}

#[test]
fn every_layout_round_trips_unencrypted() {
    for v in ALL {
        round_trip(v, None);
    }
}

#[test]
fn every_layout_round_trips_encrypted() {
    for v in ALL.into_iter().filter(|v| v.can_encrypt()) {
        round_trip(v, Some(SANTEDB_PASS));
    }
}

#[test]
fn dry_run_lists_assets_sizes_and_row_counts_and_writes_nothing() {
    let clinic = Clinic::new();
    let (spec, exp) = spec(&clinic, Version::Sb1Bk, Some(SANTEDB_PASS));
    let h = Home::new();
    let file = h.write_fixture("backup.bin", &writer::write(&spec));
    let audit_before = carevault_core::audit::read(&h.home).unwrap().len();
    let out = h.import(&file, Some(SANTEDB_PASS), true).unwrap();
    assert_eq!(out.result, "plan");
    assert!(out.backup.is_none());
    assert!(!h.to.exists(), "a dry run creates no folder");
    assert_eq!(out.source.assets.len(), exp.files.len());
    for a in &out.source.assets {
        assert_eq!(a.size, exp.files[&a.path].len() as u64, "{}", a.path);
    }
    let clinical = out
        .source
        .assets
        .iter()
        .find(|a| a.path == "data/santedb/clinical/santedb.sqlite")
        .unwrap();
    assert_eq!(clinical.kind, "sqlite");
    assert_eq!(clinical.database.as_ref().unwrap().rows["ent_tbl"], 300);
    assert_eq!(clinical.database.as_ref().unwrap().envelope, "v3");
    assert_eq!(
        carevault_core::audit::read(&h.home).unwrap().len(),
        audit_before
    );
}

#[test]
fn a_real_import_is_audited_with_the_backup_it_made() {
    let clinic = Clinic::new();
    let (spec, _) = spec(&clinic, Version::Sb1Bk, None);
    let h = Home::new();
    let file = h.write_fixture("backup.bin", &writer::write(&spec));
    let out = h.import(&file, None, false).unwrap();
    let log = carevault_core::audit::read(&h.home).unwrap();
    let last = log.last().unwrap();
    let v = serde_json::to_value(last).unwrap();
    assert_eq!(v["action"], "import");
    assert_eq!(v["outcome"], "success");
    assert_eq!(v["user"], "nurse");
    assert_eq!(v["backup"], out.backup.unwrap().metadata.sealed.id);
}

#[test]
fn v2_wal_commits_not_in_the_main_file_come_over() {
    // A live database in WAL mode, copied with its -wal and -shm as the v2
    // envelope did: the WAL holds commits the main file does not.
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("santedb.sqlite");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
         CREATE TABLE ent_tbl(id INTEGER PRIMARY KEY, name TEXT);",
    )
    .unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    for i in 0..50 {
        c.execute(
            "INSERT INTO ent_tbl(name) VALUES (?1)",
            [format!("late patient {i}")],
        )
        .unwrap();
    }
    let main = std::fs::read(&path).unwrap();
    let wal = std::fs::read(t.path().join("santedb.sqlite-wal")).unwrap();
    let shm = std::fs::read(t.path().join("santedb.sqlite-shm")).unwrap();
    assert!(!wal.is_empty());
    let payload = writer::env_v2(
        "",
        &[
            ("santedb.sqlite", &main),
            ("santedb.sqlite-shm", &shm),
            ("santedb.sqlite-wal", &wal),
        ],
    );
    let entries = vec![writer::Entry {
        class: Some(CLINICAL),
        name: "santedb.sqlite#sqlite".into(),
        payload,
    }];
    let spec = Spec::new(Version::Sb0Bk2024, entries, Some(SANTEDB_PASS));
    let h = Home::new();
    let file = h.write_fixture("backup.bin", &writer::write(&spec));
    let out = h.import(&file, Some(SANTEDB_PASS), false).unwrap();
    let db = out.source.assets[0].database.as_ref().unwrap();
    assert_eq!(db.envelope, "v2");
    assert!(db.wal_replayed);
    assert_eq!(db.rows["ent_tbl"], 50);
    let (restored, rt) = verify_and_restore(&out.backup.unwrap().path);
    assert!(restored.contains_key("data/santedb/clinical/santedb.sqlite"));
    let rows = rows_of(
        &rt.path()
            .join("restored/data/santedb/clinical/santedb.sqlite"),
    );
    assert_eq!(rows["ent_tbl"], 50);
}

#[test]
fn a_v1_envelope_password_in_clear_is_reported() {
    let clinic = Clinic::new();
    let db = &clinic.dbs[0];
    let entries = vec![writer::Entry {
        class: Some(CLINICAL),
        name: "santedb.sqlite.sqlite".into(),
        payload: writer::env_v1("sqlcipher-secret", &db.bytes),
    }];
    let spec = Spec::new(Version::Sb0BkJan2024, entries, None);
    let h = Home::new();
    let file = h.write_fixture("backup.bin", &writer::write(&spec));
    let out = h.import(&file, None, true).unwrap();
    let a = &out.source.assets[0];
    assert_eq!(a.path, "data/santedb/clinical/santedb.sqlite");
    assert!(a.database.as_ref().unwrap().password_in_clear);
    assert!(
        out.source
            .warnings
            .iter()
            .map(|w| w.render(carevault_core::i18n::Lang::En))
            .any(|w| w.contains("password") && w.contains("in clear")),
        "{:?}",
        out.source.warnings
    );
}

#[test]
fn files_of_the_lost_trailer_fault_import_with_a_warning() {
    // Encrypted, written 2025-11-10: the gzip trailer is missing, and one
    // stray cipher block follows.
    for stray in [false, true] {
        let clinic = Clinic::new();
        let (mut spec, exp) = spec(&clinic, Version::Sb1Bk, Some(SANTEDB_PASS));
        spec.time = 1_762_732_800;
        spec.lost_trailer = true;
        spec.stray_block = stray;
        // v2 envelopes at that date.
        let (entries, _) = crate::common::entries(&clinic, Version::Sb0Bk2025);
        spec.entries = entries;
        let h = Home::new();
        let file = h.write_fixture("backup.bin", &writer::write(&spec));
        let out = h
            .import(&file, Some(SANTEDB_PASS), false)
            .unwrap_or_else(|e| panic!("stray {stray}: {e}"));
        assert!(
            out.source
                .warnings
                .iter()
                .map(|w| w.render(carevault_core::i18n::Lang::En))
                .any(|w| w.contains("gzip trailer")),
            "{:?}",
            out.source.warnings
        );
        let (restored, _t) = verify_and_restore(&out.backup.unwrap().path);
        for (p, bytes) in &exp.files {
            assert!(restored[p] == *bytes, "{p}");
        }
    }
}

#[test]
fn a_missing_gzip_trailer_outside_the_fault_window_is_truncation() {
    let clinic = Clinic::new();
    let (mut spec, _) = spec(&clinic, Version::Sb1Bk, Some(SANTEDB_PASS));
    spec.lost_trailer = true;
    let h = Home::new();
    let file = h.write_fixture("backup.bin", &writer::write(&spec));
    let e = h.import(&file, Some(SANTEDB_PASS), false).unwrap_err();
    assert_eq!(e.kind(), carevault_core::Kind::Truncated, "{e}");
    assert!(h.out_files().is_empty(), "{:?}", h.out_files());
}

#[test]
fn a_passphrase_with_letters_outside_ascii_opens_as_santedb_keys_it() {
    let clinic = Clinic::new();
    let pass = "Tébé-😀-clinic";
    let (spec, _) = spec(&clinic, Version::Sb1Bk, Some(pass));
    let h = Home::new();
    let file = h.write_fixture("backup.bin", &writer::write(&spec));
    // Any passphrase that keys the same: every non-ASCII UTF-16 unit is '?'.
    h.import(&file, Some("T?b?-??-clinic"), true).unwrap();
    h.import(&file, Some(pass), true).unwrap();
}

/// The import is signed with this installation's device key (not a key of
/// the staging home it is built in), so a nurse may restore it here.
#[test]
fn an_import_is_signed_by_this_tablet() {
    use carevault_core::archive::reader::Opened;
    use carevault_core::provenance::trust::{assess, TrustLevel};
    let clinic = Clinic::new();
    let (spec, _) = spec(&clinic, Version::Sb1Bk, None);
    let h = Home::new();
    let file = h.write_fixture("backup.bin", &writer::write(&spec));
    let out = h.import(&file, None, false).unwrap();
    let opened = Opened::open(&out.backup.unwrap().path).unwrap();
    let trust = assess(&h.home, opened.signed.as_ref()).unwrap();
    assert_eq!(trust.level, TrustLevel::ThisDevice);
}

//! Backup -> verify -> restore, through the library, on real files and databases.

use crate::common::*;
use carevault_core::restore::RestoreOutcome;
use carevault_core::{catalog, rekey, verify, Kind, NoProgress, SecretString, Unlock};

fn do_restore(
    home: &std::path::Path,
    file: &std::path::Path,
    unlock: Option<&Unlock>,
    dry_run: bool,
) -> carevault_core::Result<RestoreOutcome> {
    restore_into(home, file, unlock, dry_run)
}

#[test]
fn encrypted_backup_restores_into_a_new_home_exactly() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), Some(PASS));
    assert!(out.metadata.sealed.encrypted);
    assert_eq!(out.rows.get("patients"), Some(&300));
    let v = verify::verify_file(&out.path, Some(&pass(PASS)), 18, &NoProgress).unwrap();
    assert_eq!(v.entries, 6);

    let target = t.path().join("new-home");
    let RestoreOutcome::Restored(report) =
        do_restore(&target, &out.path, Some(&pass(PASS)), false).unwrap()
    else {
        panic!("plan")
    };
    assert!(report.safety_copy.is_none());
    assert!(report.checks.iter().all(|c| c.ok), "{:?}", report.checks);
    let names: Vec<_> = report.checks.iter().map(|c| c.name.as_str()).collect();
    for n in [
        "patients",
        "visits",
        "outbox",
        "sync log",
        "realm",
        "sync endpoint",
    ] {
        assert!(names.contains(&n), "report lacks {n}: {names:?}");
    }
    for db in ["clinical.db", "sync.db"] {
        let restored = target.join("data").join(db);
        assert_eq!(integrity(&restored), "ok");
        assert_eq!(
            dump(&restored),
            dump(&home.join("data").join(db)),
            "{db} differs"
        );
        let mode: String = rusqlite::Connection::open(&restored)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal", "journal mode of {db} restored");
    }
    let (a, b) = (
        tree(&home.join("data/files")),
        tree(&target.join("data/files")),
    );
    assert_eq!(a, b);
    assert_eq!(
        std::fs::read(home.join("data/config/app.toml")).unwrap(),
        std::fs::read(target.join("data/config/app.toml")).unwrap()
    );
    // nothing left behind
    let leftovers: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".carevault"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn restore_over_existing_data_keeps_a_safety_copy() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), None);
    // The clinic keeps working after the backup.
    let c = rusqlite::Connection::open(home.join("data/clinical.db")).unwrap();
    c.execute("INSERT INTO patients(name) VALUES ('after backup')", [])
        .unwrap();
    drop(c);
    let before = dump(&home.join("data/clinical.db"));
    let RestoreOutcome::Restored(report) = do_restore(&home, &out.path, None, false).unwrap()
    else {
        panic!()
    };
    let safety = report.safety_copy.expect("a safety copy");
    assert!(safety.starts_with(home.join("safety-copies")));
    assert_eq!(
        dump(&safety.join("clinical.db")),
        before,
        "safety copy holds the replaced data"
    );
    let now = dump(&home.join("data/clinical.db"));
    assert!(!now.iter().any(|r| r.contains("after backup")));
    assert_eq!(now.len() + 1, before.len());
}

#[test]
fn dry_run_changes_nothing_and_reports_sizes() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), Some(PASS));
    let before = tree(&home);
    let RestoreOutcome::Plan(plan) = do_restore(&home, &out.path, Some(&pass(PASS)), true).unwrap()
    else {
        panic!()
    };
    assert!(plan.replaces_existing);
    assert_eq!(plan.backup_entries, 6);
    assert!(plan.backup_bytes > 150_000 && plan.space_needed >= plan.backup_bytes);
    assert!(plan.space_available > 0);
    assert_eq!(tree(&home), before);
}

#[test]
fn recovery_key_opens_a_backup_whose_passphrase_is_lost() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let (secret, public) = carevault_core::generate_recovery_key();
    let mut req = request(&home, &t.path().join("docs"), Some("forgotten passphrase"));
    req.recovery_keys = vec![public];
    let out = create(&home, &req).unwrap();
    use age::secrecy::ExposeSecret;
    let id = carevault_core::parse_identity_file(secret.expose_secret()).unwrap();
    let unlock = Unlock::RecoveryKey(id);
    verify::verify_file(&out.path, Some(&unlock), 18, &NoProgress).unwrap();
    let target = t.path().join("replacement-tablet");
    let RestoreOutcome::Restored(r) = do_restore(&target, &out.path, Some(&unlock), false).unwrap()
    else {
        panic!()
    };
    assert!(r.checks.iter().all(|c| c.ok));
    // A different recovery key does not open it.
    let (other, _) = carevault_core::generate_recovery_key();
    let wrong =
        Unlock::RecoveryKey(carevault_core::parse_identity_file(other.expose_secret()).unwrap());
    assert_eq!(
        verify::verify_file(&out.path, Some(&wrong), 18, &NoProgress)
            .unwrap_err()
            .kind(),
        Kind::WrongKey
    );
}

#[test]
fn rekey_changes_the_passphrase_and_keeps_the_payload() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), Some(PASS));
    let payload_before = payload_bytes(&out.path);
    rekey::rekey(
        &carevault_core::auth::permit(&home, "nurse", NURSE_PW).unwrap(),
        &out.path,
        &pass(PASS),
        &SecretString::from("new passphrase two".to_string()),
        WORK,
        18,
    )
    .unwrap();
    assert_eq!(
        payload_bytes(&out.path),
        payload_before,
        "payload must be copied, not re-encrypted"
    );
    assert_eq!(
        verify::verify_file(&out.path, Some(&pass(PASS)), 18, &NoProgress)
            .unwrap_err()
            .kind(),
        Kind::WrongKey
    );
    verify::verify_file(
        &out.path,
        Some(&pass("new passphrase two")),
        18,
        &NoProgress,
    )
    .unwrap();
    // Still listed under the same ID, no temporary file left.
    let listed = catalog::list(&viewer(&home), &[t.path().join("docs")]);
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].metadata.as_ref().unwrap().sealed.id,
        out.metadata.sealed.id
    );
    assert_eq!(std::fs::read_dir(t.path().join("docs")).unwrap().count(), 1);
}

fn payload_bytes(path: &std::path::Path) -> Vec<u8> {
    let o = carevault_core::archive::reader::Opened::open(path).unwrap();
    let ext = o.layout.payload.1;
    std::fs::read(path).unwrap()[ext.offset as usize..(ext.offset + ext.len) as usize].to_vec()
}

#[test]
fn list_shows_backups_and_damaged_files_but_not_temporary_or_foreign_ones() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let docs = t.path().join("docs");
    let a = make_backup(&home, &docs, Some(PASS));
    let b = make_backup(&home, &docs, None);
    std::fs::write(docs.join(".carevault-tmp-x.partial"), b"half").unwrap();
    std::fs::write(docs.join("holiday.bin"), vec![7u8; 2000]).unwrap();
    let mut bytes = std::fs::read(&a.path).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(docs.join("copied-from-usb.bin"), &bytes).unwrap();
    let listed = catalog::list(
        &viewer(&home),
        &[docs.clone(), t.path().join("missing-folder")],
    );
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(
        listed
            .iter()
            .filter(|l| l.status == catalog::Status::Damaged)
            .count(),
        1
    );
    let ids: Vec<_> = listed
        .iter()
        .filter_map(|l| l.metadata.as_ref())
        .map(|m| m.sealed.id.clone())
        .collect();
    assert!(ids.contains(&a.metadata.sealed.id) && ids.contains(&b.metadata.sealed.id));
    assert_eq!(
        catalog::find(
            &viewer(&home),
            std::slice::from_ref(&docs),
            &b.metadata.sealed.id
        )
        .unwrap(),
        b.path
    );
    let gone = catalog::delete(
        &carevault_core::auth::permit(&home, "admin", ADMIN_PW).unwrap(),
        &b.path,
    )
    .unwrap();
    assert_eq!(gone.status, catalog::Status::Ok);
    assert!(!b.path.exists());
    assert_eq!(
        catalog::find(&viewer(&home), &[docs], &b.metadata.sealed.id)
            .unwrap_err()
            .kind(),
        Kind::NotFound
    );
}

//! Provenance and trust (issue 10): signed backups, the restore policy,
//! ID conflicts, planted files, the sync guard. Real homes, real backups,
//! real files.

use crate::common::*;
use carevault_core::archive::reader::Opened;
use carevault_core::auth::{self, ManageTrust, Restore, Role};
use carevault_core::backup::{BackupRequest, Target};
use carevault_core::hostlock::HostLock;
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::provenance::policy::Found;
use carevault_core::provenance::{device_key, trust, TrustLevel};
use carevault_core::restore::{self, RestoreOutcome, RestoreRequest};
use carevault_core::{audit, catalog, fsutil, rekey, verify, Kind, NoProgress, SecretString};
use std::path::{Path, PathBuf};

/// A home `name` under `root`, with a nurse and an admin.
fn home(root: &Path, name: &str) -> PathBuf {
    small_home(&root.join(name))
}

/// A home made elsewhere by an attacker: "nurse" is a System Administrator
/// there, and the facility is another one.
fn attacker_home(root: &Path) -> PathBuf {
    let h = home(root, "elsewhere");
    auth::set_role(&h, "nurse", Role::SystemAdministrator).unwrap();
    std::fs::write(
        h.join("data/config/app.toml"),
        "realm = \"x\"\nsync_endpoint = \"https://x\"\nfacility = \"Elsewhere\"\ndevice_name = \"laptop\"\n",
    )
    .unwrap();
    h
}

fn backup_to(h: &Path, target: Target, pass_: Option<&str>) -> PathBuf {
    let mut r = BackupRequest::new(&Profile::load(h).unwrap(), target);
    r.passphrase = pass_.map(|p| SecretString::from(p.to_string()));
    r.scrypt_log_n = WORK;
    create(h, &r).expect("backup").path
}

fn restore_as(
    h: &Path,
    user: &str,
    pw: &str,
    file: &Path,
    unlock: Option<&carevault_core::Unlock>,
    dry_run: bool,
) -> carevault_core::Result<RestoreOutcome> {
    let permit = auth::permit::<Restore>(h, user, pw)?;
    restore::restore(
        &permit,
        &RestoreRequest {
            file,
            unlock,
            max_log_n: 18,
            dry_run,
            expect_id: None,
        },
        &NoProgress,
    )
}

fn role_of(h: &Path, user: &str) -> Option<Role> {
    auth::list_users(h)
        .unwrap()
        .into_iter()
        .find(|u| u.username == user)
        .map(|u| u.effective_role)
}

fn trust_of(h: &Path, file: &Path) -> TrustLevel {
    trust::assess(h, Opened::open(file).unwrap().signed.as_ref())
        .unwrap()
        .level
}

/// Copies `src` into `dst` as a format 1.0 file: without the origin parts,
/// `format_minor` removed, and `edit` applied to the readable metadata.
fn as_unsigned(src: &Path, dst: &Path, edit: impl Fn(&mut serde_json::Value)) {
    use carevault_core::format::container::header_block_of_version;
    let o = Opened::open(src).unwrap();
    let bytes = std::fs::read(src).unwrap();
    // The container's version mark says what the edited details say.
    let mut mark = (1, 0);
    let mut parts = vec![("carevault.json".to_string(), o.layout.metadata)];
    parts.extend(o.layout.slots.iter().cloned());
    parts.push(o.layout.payload.clone());
    parts.push(o.layout.manifest.clone());
    parts.push(("payload.sha256".to_string(), o.layout.payload_sum));
    let mut out = Vec::new();
    for (n, ext) in parts {
        let mut data = bytes[ext.offset as usize..(ext.offset + ext.len) as usize].to_vec();
        if n == "carevault.json" {
            let mut v: serde_json::Value = serde_json::from_slice(&data).unwrap();
            v.as_object_mut().unwrap().remove("format_minor");
            edit(&mut v);
            mark = (
                v["format_version"].as_u64().unwrap_or(1) as u32,
                v["format_minor"].as_u64().unwrap_or(0) as u32,
            );
            data = serde_json::to_vec_pretty(&v).unwrap();
        }
        out.extend_from_slice(&header_block_of_version(&n, data.len() as u64, 0, mark).unwrap());
        let l = data.len();
        out.extend_from_slice(&data);
        out.resize(out.len() + (512 - l % 512) % 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    std::fs::write(dst, out).unwrap();
}

/// The data of a home, as rows and files, to prove a refusal changed nothing.
fn fingerprint(h: &Path) -> Vec<String> {
    let mut v = dump(&h.join("data/users.db"));
    v.extend(dump(&h.join("data/clinical.db")));
    v
}

#[test]
fn every_new_backup_is_signed_by_this_device_and_says_so() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let file = make_backup(&h, &t.path().join("out"), Some(PASS)).path;
    let o = Opened::open(&file).unwrap();
    let signed = o.signed.clone().expect("signed");
    let key = device_key::load(&h).unwrap().expect("device key made");
    assert_eq!(signed.key_id, key.key_id());
    assert_eq!(signed.public_key, key.public_key());
    assert_eq!(o.metadata.sealed.format_minor, 1);
    assert_eq!(trust_of(&h, &file), TrustLevel::ThisDevice);
    // The listing says it too.
    let items = catalog::list(&viewer(&h), &[t.path().join("out")]);
    let t0 = items[0].trust.clone().unwrap();
    assert_eq!(t0.level, TrustLevel::ThisDevice);
    assert_eq!(t0.key_id.as_deref(), Some(key.key_id().as_str()));
    // Another home does not trust it.
    let other = home(t.path(), "b");
    assert_eq!(trust_of(&other, &file), TrustLevel::NotTrusted);
}

#[test]
fn the_device_key_and_state_files_are_private_and_never_follow_links() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let victim = t.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    // A link planted where the key's temporary file or the key could go.
    std::fs::create_dir_all(h.join("private")).unwrap();
    std::os::unix::fs::symlink(&victim, h.join("private/.carevault-tmp-new.00000000")).unwrap();
    let file = backup_to(&h, Target::Medium(Medium::Private), None);
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&device_key::key_path(&h)), 0o600);
    assert_eq!(mode(&h.join("private")), 0o700);
    assert_eq!(mode(&h.join("private/backups")), 0o700);
    assert_eq!(mode(&file), 0o600, "an unencrypted Private backup");
    assert_eq!(mode(&audit::head_path(&h)), 0o600);
    catalog::remember_verification(&h, "x", &Ok(())).unwrap();
    assert_eq!(mode(&h.join("private/verifications.json")), 0o600);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    // A key file replaced by a link is not read through it.
    let key = device_key::key_path(&h);
    std::fs::rename(&key, t.path().join("moved.key")).unwrap();
    std::os::unix::fs::symlink(t.path().join("moved.key"), &key).unwrap();
    assert!(device_key::load(&h).is_err());
}

#[test]
fn rekey_keeps_a_valid_signature() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let file = make_backup(&h, &t.path().join("out"), Some(PASS)).path;
    let before = Opened::open(&file).unwrap().signed.unwrap();
    let permit = auth::permit(&h, "nurse", NURSE_PW).unwrap();
    rekey::rekey(
        &permit,
        &file,
        &pass(PASS),
        &SecretString::from("a new passphrase two".to_string()),
        WORK,
        18,
    )
    .unwrap();
    let after = Opened::open(&file).unwrap().signed.expect("still signed");
    assert_eq!(before, after);
    verify::verify_file(&file, Some(&pass("a new passphrase two")), 18, &NoProgress).unwrap();
    assert_eq!(trust_of(&h, &file), TrustLevel::ThisDevice);
}

#[test]
fn a_tampered_signature_is_damage_not_unsigned() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let file = make_backup(&h, &t.path().join("out"), None).path;
    let bytes = std::fs::read(&file).unwrap();
    let o = Opened::open(&file).unwrap();
    let (record, sig) = o.layout.origin.unwrap();
    let bad = t.path().join("bad.bin");
    // A byte of the signature itself, of the record, and of the key ID.
    let sig_text = &bytes[sig.offset as usize..(sig.offset + sig.len) as usize];
    let line2 = sig_text.iter().position(|&b| b == b'\n').unwrap() + 10;
    let rec_text = &bytes[record.offset as usize..(record.offset + record.len) as usize];
    let in_hash = rec_text
        .windows(9)
        .position(|w| w == b"\"sha256\":")
        .unwrap()
        + 12;
    for (what, at) in [
        ("signature", sig.offset as usize + line2),
        ("record", record.offset as usize + in_hash),
        ("untrusted comment", sig.offset as usize + 25),
    ] {
        let mut b = bytes.clone();
        b[at] = if b[at] == b'a' { b'b' } else { b'a' };
        std::fs::write(&bad, &b).unwrap();
        let e = Opened::open(&bad)
            .err()
            .unwrap_or_else(|| panic!("{what} unnoticed"));
        assert!(
            matches!(e.kind(), Kind::Tampered | Kind::Corrupted),
            "{what}: {e}"
        );
        assert!(matches!(e.kind().exit_code(), 6 | 7));
        assert!(restore_into(&h, &bad, None, false).is_err());
    }
    // Another device's valid signature spliced onto this file.
    let other = home(t.path(), "b");
    let theirs = make_backup(&other, &t.path().join("out-b"), None).path;
    let tb = std::fs::read(&theirs).unwrap();
    let (tr, ts) = Opened::open(&theirs).unwrap().layout.origin.unwrap();
    let mut spliced = bytes[..record.offset as usize - 512].to_vec();
    spliced.extend_from_slice(&tb[tr.offset as usize - 512..(ts.offset + ts.len) as usize]);
    spliced.resize(spliced.len().div_ceil(512) * 512 + 1024, 0);
    std::fs::write(&bad, &spliced).unwrap();
    assert_eq!(Opened::open(&bad).err().unwrap().kind(), Kind::Tampered);
    // The origin parts stripped off a 1.1 file: damage, not "unsigned".
    let mut stripped = bytes[..record.offset as usize - 512].to_vec();
    stripped.resize(stripped.len() + 1024, 0);
    std::fs::write(&bad, &stripped).unwrap();
    assert_eq!(Opened::open(&bad).err().unwrap().kind(), Kind::Corrupted);
}

#[test]
fn version_1_vectors_still_read_as_unsigned() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    for name in ["good-v1-encrypted.bin", "good-v1-unencrypted.bin"] {
        let o = Opened::open(&dir.join(name)).unwrap();
        assert!(o.signed.is_none(), "{name}");
        assert_eq!(o.metadata.sealed.format_minor, 0);
        assert_eq!(trust_of(&h, &dir.join(name)), TrustLevel::Unsigned);
    }
    let v = verify::verify_file(&dir.join("good-v1-unencrypted.bin"), None, 18, &NoProgress);
    assert!(v.is_ok(), "{:?}", v.err());
}

#[test]
fn a_newer_minor_version_is_refused_with_its_own_message() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let file = make_backup(&h, &t.path().join("out"), None).path;
    let bad = t.path().join("newer.bin");
    as_unsigned(&file, &bad, |v| v["format_minor"] = 2.into());
    let e = Opened::open(&bad).err().unwrap();
    assert_eq!(e.kind(), Kind::UnsupportedVersion, "{e}");
    assert!(e.message().contains("1.2"), "{e}");
}

#[test]
fn nurse_cannot_restore_a_backup_made_in_another_home_where_nurse_is_admin() {
    let t = tempfile::tempdir().unwrap();
    let victim = home(t.path(), "clinic");
    let evil = attacker_home(t.path());
    // Unencrypted, planted in the clinic tablet's Documents (Public).
    let docs = victim.join("Documents");
    let planted = backup_to(&evil, Target::Folder(docs.clone()), None);
    let before = fingerprint(&victim);
    let e = restore_as(&victim, "nurse", NURSE_PW, &planted, None, false).unwrap_err();
    assert_eq!(e.kind(), Kind::PermissionDenied, "{e}");
    assert_eq!(e.kind().exit_code(), 12);
    assert!(e.message().contains("Clinic Nurse"), "{e}");
    assert!(e.advice().contains("System Administrator"), "{e}");
    assert_eq!(fingerprint(&victim), before, "a refusal changes nothing");
    assert_eq!(role_of(&victim, "nurse"), Some(Role::ClinicNurse));
    let last = audit::read(&victim).unwrap().pop().unwrap();
    assert_eq!(
        (last.event.action.as_str(), last.event.outcome.as_str()),
        ("restore", "refused")
    );
    assert!(last.event.reason.unwrap().contains("does not trust"));
    // The administrator is shown what changes before it starts...
    let RestoreOutcome::Plan(plan) =
        restore_as(&victim, "admin", ADMIN_PW, &planted, None, true).unwrap()
    else {
        panic!("a dry run plans")
    };
    let c = &plan.changes;
    assert_eq!(c.provenance.level, TrustLevel::NotTrusted);
    assert_eq!(c.found, Found::Public);
    assert!(c
        .needs_admin
        .as_ref()
        .unwrap()
        .render(carevault_core::i18n::Lang::En)
        .contains("does not trust"));
    assert_eq!(c.facility.now.as_deref(), Some("Test HC"));
    assert_eq!(c.facility.after, "Elsewhere");
    assert_eq!(c.device.after, "laptop");
    let after = c.users_after.as_ref().unwrap();
    assert!(after
        .iter()
        .any(|u| u.username == "nurse" && u.role == Role::SystemAdministrator));
    assert!(c
        .users_now
        .iter()
        .any(|u| u.username == "nurse" && u.role == Role::ClinicNurse));
    assert_eq!(fingerprint(&victim), before, "a dry run changes nothing");
    // ...and may then restore it.
    let RestoreOutcome::Restored(r) =
        restore_as(&victim, "admin", ADMIN_PW, &planted, None, false).unwrap()
    else {
        panic!("restored")
    };
    assert!(r
        .plan
        .changes
        .users_after
        .unwrap()
        .iter()
        .any(|u| u.username == "nurse"));
    assert_eq!(role_of(&victim, "nurse"), Some(Role::SystemAdministrator));
}

#[test]
fn nurse_cannot_restore_an_uploaded_backup_even_one_signed_here() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let own = make_backup(&h, &t.path().join("out"), Some(PASS)).path;
    let uploads = h.join(".carevault-uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    let up = uploads.join("0123456789abcdef0123456789abcdef.bin");
    std::fs::copy(&own, &up).unwrap();
    let e = restore_as(&h, "nurse", NURSE_PW, &up, Some(&pass(PASS)), false).unwrap_err();
    assert_eq!(e.kind(), Kind::PermissionDenied);
    assert!(e.message().contains("uploaded"), "{e}");
    // The same file from a folder is the nurse's to restore.
    restore_as(&h, "nurse", NURSE_PW, &own, Some(&pass(PASS)), false).unwrap();
    restore_as(&h, "admin", ADMIN_PW, &up, Some(&pass(PASS)), false).unwrap();
}

#[test]
fn nurse_may_restore_a_backup_signed_by_a_trusted_tablet_after_the_admin_trusts_it() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let other = home(t.path(), "b");
    let theirs = make_backup(&other, &t.path().join("out-b"), Some(PASS)).path;
    let e = restore_as(&h, "nurse", NURSE_PW, &theirs, Some(&pass(PASS)), false).unwrap_err();
    assert_eq!(e.kind(), Kind::PermissionDenied);
    // trust add is the administrator's, and audited.
    assert_eq!(
        auth::permit::<ManageTrust>(&h, "nurse", NURSE_PW)
            .unwrap_err()
            .kind(),
        Kind::PermissionDenied
    );
    let admin = auth::permit::<ManageTrust>(&h, "admin", ADMIN_PW).unwrap();
    let their_key = device_key::load(&other).unwrap().unwrap();
    let k = trust::add(&admin, &their_key.public_key(), "tablet-b").unwrap();
    assert_eq!(k.key_id, their_key.key_id());
    let last = audit::read(&h).unwrap().pop().unwrap();
    assert_eq!(last.event.action, "trust add");
    assert!(last.event.reason.unwrap().contains(&k.key_id));
    assert_eq!(trust_of(&h, &theirs), TrustLevel::Trusted);
    restore_as(&h, "nurse", NURSE_PW, &theirs, Some(&pass(PASS)), false).unwrap();
    // Removed again: refused again.
    let h2 = home(t.path(), "c");
    let admin2 = auth::permit::<ManageTrust>(&h2, "admin", ADMIN_PW).unwrap();
    trust::add(&admin2, &their_key.public_key(), "tablet-b").unwrap();
    trust::remove(&admin2, "tablet-b").unwrap();
    assert_eq!(trust_of(&h2, &theirs), TrustLevel::NotTrusted);
    assert!(trust::add(&admin2, "not a key", "x").is_err());
}

#[test]
fn an_unencrypted_backup_found_on_public_needs_an_admin_even_signed_here() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let file = backup_to(&h, Target::Folder(h.join("Documents")), None);
    let e = restore_as(&h, "nurse", NURSE_PW, &file, None, false).unwrap_err();
    assert_eq!(e.kind(), Kind::PermissionDenied);
    assert!(e.message().contains("unencrypted"), "{e}");
    restore_as(&h, "admin", ADMIN_PW, &file, None, false).unwrap();
}

#[test]
fn first_run_restore_stays_open_and_says_what_changes() {
    let t = tempfile::tempdir().unwrap();
    let evil = attacker_home(t.path());
    let file = backup_to(&evil, Target::Folder(t.path().join("usb")), None);
    let fresh = t.path().join("fresh");
    let RestoreOutcome::Plan(plan) = restore_into(&fresh, &file, None, true).unwrap() else {
        panic!("plan")
    };
    assert_eq!(plan.changes.provenance.level, TrustLevel::NotTrusted);
    assert_eq!(plan.changes.facility.now, None);
    assert!(plan
        .changes
        .users_after
        .unwrap()
        .iter()
        .any(|u| u.username == "nurse"));
    restore_into(&fresh, &file, None, false).unwrap();
}

#[test]
fn a_planted_file_with_a_real_backups_id_is_a_conflict_and_neither_is_restored_by_id() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let real = backup_to(&h, Target::Medium(Medium::Private), None);
    let id = Opened::open(&real).unwrap().metadata.sealed.id;
    // A file from elsewhere, given the real backup's ID, in Documents.
    let evil = attacker_home(t.path());
    let theirs = backup_to(&evil, Target::Folder(t.path().join("x")), None);
    let docs = h.join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    let planted = docs.join("Backup-planted.bin");
    as_unsigned(&theirs, &planted, |v| v["id"] = id.clone().into());
    let dirs: Vec<PathBuf> = Profile::load(&h)
        .unwrap()
        .media
        .listing_dirs(&h)
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let items = catalog::list(&viewer(&h), &dirs);
    let same: Vec<_> = items
        .iter()
        .filter(|l| l.metadata.as_ref().is_some_and(|m| m.sealed.id == id))
        .collect();
    assert_eq!(same.len(), 2, "both are listed");
    assert!(same.iter().all(|l| l.conflict), "both marked as a conflict");
    let media: Vec<_> = same.iter().map(|l| l.medium.clone().unwrap()).collect();
    assert!(media.contains(&"Private".to_string()) && media.contains(&"Public".to_string()));
    for action in ["restore", "delete", "verify"] {
        let e = match action {
            "restore" => catalog::find(
                &auth::permit::<Restore>(&h, "nurse", NURSE_PW).unwrap(),
                &dirs,
                &id,
            ),
            "delete" => catalog::find(
                &auth::permit::<auth::Delete>(&h, "admin", ADMIN_PW).unwrap(),
                &dirs,
                &id,
            ),
            _ => catalog::find(&viewer(&h), &dirs, &id),
        }
        .unwrap_err();
        assert!(e.message().contains("carry the backup ID"), "{action}: {e}");
    }
    // Once the plant is removed, the real one is found.
    std::fs::remove_file(&planted).unwrap();
    assert_eq!(catalog::find(&viewer(&h), &dirs, &id).unwrap(), real);
}

#[test]
fn a_fifo_or_link_planted_as_a_temporary_file_does_not_hang_or_follow() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let out = t.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let fifo = out.join(".carevault-tmp-planted");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    let victim = t.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, out.join(".carevault-tmp-link")).unwrap();
    // A FIFO named like a backup in the listed folder.
    let st = std::process::Command::new("mkfifo")
        .arg(out.join("Backup-fifo.bin"))
        .status()
        .unwrap();
    assert!(st.success());
    // The backup cleans the folder first: it must neither open the FIFO
    // (which would block forever) nor follow the link.
    make_backup(&h, &out, None);
    assert!(!fifo.exists() && std::fs::symlink_metadata(&fifo).is_err());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let items = catalog::list(&viewer(&h), std::slice::from_ref(&out));
    assert_eq!(items.len(), 1, "the FIFO is not listed");
    // Given by path, a FIFO is refused at once, not waited on.
    let e = Opened::open(&out.join("Backup-fifo.bin")).err().unwrap();
    assert_eq!(e.kind(), Kind::Io, "{e}");
    assert_eq!(fsutil::clean_stale_temps(&out), 0);
}

#[test]
fn restore_over_existing_data_refuses_while_a_sync_runs_and_counts_the_outbox() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let file = make_backup(&h, &t.path().join("out"), None).path;
    let sync = rusqlite::Connection::open(h.join("data/sync.db")).unwrap();
    sync.execute_batch(
        "ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
         INSERT INTO outbox(entity, status) VALUES ('visit', 'sent');",
    )
    .unwrap();
    drop(sync);
    let before = fingerprint(&h);
    let running = HostLock::Sync.exclusive(&h).unwrap();
    let e = restore_into(&h, &file, None, false).unwrap_err();
    assert_eq!(e.kind(), Kind::Busy, "{e}");
    assert_eq!(e.kind().exit_code(), 11);
    assert!(
        e.message()
            .contains("2 outbox records are not yet synchronized"),
        "{e}"
    );
    let permit = auth::permit::<Restore>(&h, "nurse", NURSE_PW).unwrap();
    let req = RestoreRequest {
        file: &file,
        unlock: None,
        max_log_n: 18,
        dry_run: false,
        expect_id: None,
    };
    let e = restore::restore_waiting(
        &permit,
        &req,
        Some(std::time::Duration::from_millis(200)),
        &NoProgress,
    )
    .unwrap_err();
    assert!(e.message().contains("after the wait"), "{e}");
    assert_eq!(fingerprint(&h), before);
    // The dry run is allowed, and says how many would be lost.
    let RestoreOutcome::Plan(p) = restore_into(&h, &file, None, true).unwrap() else {
        panic!("plan")
    };
    assert_eq!(p.changes.unsynced_outbox, Some(2));
    drop(running);
    restore_into(&h, &file, None, false).unwrap();
}

// ---------------------------------------------------------------------
// The role x command x provenance matrix, through the library.

#[derive(Clone, Copy, Debug, PartialEq)]
enum Prov {
    SignedHere,
    SignedTrusted,
    Foreign,
    Unsigned,
    UnencryptedOnPublic,
}

const ROLES: [(&str, Option<Role>); 5] = [
    ("manager", Some(Role::ClinicalManager)),
    ("nurse", Some(Role::ClinicNurse)),
    ("admin", Some(Role::SystemAdministrator)),
    ("staff", Some(Role::ClinicStaff)),
    ("nobody", None),
];

/// What each role may do, whatever the provenance: (command, roles). Written
/// from the guide's permissions table, not from the code.
const ALLOWED: [(&str, &[&str]); 7] = [
    ("backup", &["manager", "nurse", "admin"]),
    ("list", &["manager", "nurse", "admin"]),
    ("show", &["manager", "nurse", "admin"]),
    ("verify", &["manager", "nurse", "admin"]),
    ("delete", &["admin"]),
    ("rekey", &["manager", "nurse", "admin"]),
    ("trust", &["admin"]),
];

/// Restore over existing data: who may, per provenance.
fn restore_allowed(role: &str, p: Prov) -> bool {
    match role {
        "admin" => true,
        "manager" | "nurse" => matches!(p, Prov::SignedHere | Prov::SignedTrusted),
        _ => false,
    }
}

const PW: &str = "matrix password 1";

#[test]
fn role_command_provenance_matrix_in_the_core() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let trusted_home = home(t.path(), "b");
    let foreign_home = home(t.path(), "c");
    // The same accounts in every home, so that a restore of any of them
    // leaves every role able to log in for the next cells.
    for x in [&h, &trusted_home, &foreign_home] {
        auth::add_user(x, "manager", Role::ClinicalManager, PW).unwrap();
        auth::add_user(x, "staff", Role::ClinicStaff, PW).unwrap();
    }
    let pw = |u: &str| match u {
        "nurse" => NURSE_PW,
        "admin" => ADMIN_PW,
        _ => PW,
    };
    let admin = auth::permit::<ManageTrust>(&h, "admin", ADMIN_PW).unwrap();
    let folder = t.path().join("files");
    let signed_here = make_backup(&h, &folder, Some(PASS)).path;
    let signed_trusted = make_backup(&trusted_home, &folder, Some(PASS)).path;
    trust::add(
        &admin,
        &device_key::load(&trusted_home)
            .unwrap()
            .unwrap()
            .public_key(),
        "b",
    )
    .unwrap();
    let foreign = make_backup(&foreign_home, &folder, Some(PASS)).path;
    let unsigned = folder.join("Backup-unsigned.bin");
    // A real format 1.0 backup (the released version's fixture).
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/good-v1-unencrypted.bin"),
        &unsigned,
    )
    .unwrap();
    let on_public = backup_to(&h, Target::Folder(h.join("Documents")), None);
    let files = [
        (Prov::SignedHere, signed_here, Some(pass(PASS))),
        (Prov::SignedTrusted, signed_trusted, Some(pass(PASS))),
        (Prov::Foreign, foreign, Some(pass(PASS))),
        (Prov::Unsigned, unsigned, None),
        (Prov::UnencryptedOnPublic, on_public, None),
    ];
    let expected_levels = [
        TrustLevel::ThisDevice,
        TrustLevel::Trusted,
        TrustLevel::NotTrusted,
        TrustLevel::Unsigned,
        TrustLevel::ThisDevice,
    ];
    for ((_, f, _), level) in files.iter().zip(expected_levels) {
        assert_eq!(trust_of(&h, f), level);
    }
    // The home's data as it is now: put back after a restore of another
    // home's data (or of the 1.0 fixture, which has no users), so every
    // role can log in for the next cells.
    let pristine = t.path().join("pristine");
    let cp = |from: &Path, to: &Path| {
        let st = std::process::Command::new("cp")
            .arg("-a")
            .arg(from)
            .arg(to)
            .status()
            .unwrap();
        assert!(st.success());
    };
    cp(&h.join("data"), &pristine);
    let mut cells = 0;
    for (user, _) in ROLES {
        for (prov, file, unlock) in &files {
            // Non-restore commands: the role alone decides.
            for (cmd, roles) in ALLOWED {
                let want = roles.contains(&user);
                let got = if user == "nobody" {
                    false
                } else {
                    let p = pw(user);
                    match cmd {
                        "backup" => auth::permit::<auth::Create>(&h, user, p).is_ok(),
                        "list" | "show" | "verify" => auth::permit::<auth::View>(&h, user, p)
                            .is_ok_and(|v| {
                                verify::verify(&v, file, unlock.as_ref(), 18, &NoProgress).is_ok()
                            }),
                        "delete" => auth::permit::<auth::Delete>(&h, user, p).is_ok(),
                        "rekey" => auth::permit::<auth::Create>(&h, user, p).is_ok(),
                        _ => auth::permit::<ManageTrust>(&h, user, p).is_ok(),
                    }
                };
                assert_eq!(got, want, "{user} {cmd} {prov:?}");
                cells += 1;
            }
            // Restore over existing data: dry runs never change anything,
            // so the real restore is the cell (into a fresh copy of the home
            // each time would be slow; a refusal changes nothing, and an
            // allowed restore puts back equivalent data).
            let got = if user == "nobody" {
                auth::first_run_restore(&h).is_ok()
            } else {
                restore_as(&h, user, pw(user), file, unlock.as_ref(), false).is_ok()
            };
            assert_eq!(got, restore_allowed(user, *prov), "{user} restore {prov:?}");
            cells += 1;
            if got && user != "nobody" {
                std::fs::remove_dir_all(h.join("data")).unwrap();
                cp(&pristine, &h.join("data"));
            }
        }
    }
    assert_eq!(cells, 5 * 5 * 8);
}

#[test]
fn a_dry_run_reads_the_users_in_a_private_folder_and_leaves_nothing_behind() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "a");
    let file = make_backup(&h, &t.path().join("out"), Some(PASS)).path;
    // What a dry run killed while reading the users would have left.
    let stale = h.join(".carevault-tmp-users-killed-00000000");
    std::fs::create_dir_all(stale.join("data")).unwrap();
    std::fs::write(stale.join("data/users.db"), "half").unwrap();
    let RestoreOutcome::Plan(p) = restore_into(&h, &file, Some(&pass(PASS)), true).unwrap() else {
        panic!("plan")
    };
    let users = p.changes.users_after.unwrap();
    assert!(users
        .iter()
        .any(|u| u.username == "nurse" && u.role == Role::ClinicNurse));
    let left: Vec<_> = std::fs::read_dir(&h)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".carevault-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_device_key_certified_by_a_trusted_facility_key_is_trusted() {
    use carevault_core::provenance::facility;
    use carevault_core::provenance::trust::KeyKind;
    let t = tempfile::tempdir().unwrap();
    let a = home(t.path(), "a");
    let b = home(t.path(), "b");
    let (secret, public) = facility::generate().unwrap();
    let (other_secret, _) = facility::generate().unwrap();
    let before_cert = make_backup(&b, &t.path().join("out-b"), Some(PASS)).path;
    // Certifying is the administrator's, and audited.
    assert!(auth::permit::<ManageTrust>(&b, "nurse", NURSE_PW).is_err());
    let admin_b = auth::permit::<ManageTrust>(&b, "admin", ADMIN_PW).unwrap();
    assert!(facility::certify(&admin_b, "not a key file").is_err());
    facility::certify(&admin_b, &secret).unwrap();
    assert_eq!(
        audit::read(&b).unwrap().pop().unwrap().event.action,
        "trust certify"
    );
    let certified = make_backup(&b, &t.path().join("out-b2"), Some(PASS)).path;
    assert!(Opened::open(&certified)
        .unwrap()
        .signed
        .unwrap()
        .certificate
        .is_some());
    // Tablet A trusts the facility key, not B's key itself.
    let admin_a = auth::permit::<ManageTrust>(&a, "admin", ADMIN_PW).unwrap();
    trust::add_kind(&admin_a, &public, "Kisoro HC", KeyKind::Facility).unwrap();
    let tr = trust::assess(&a, Opened::open(&certified).unwrap().signed.as_ref()).unwrap();
    assert_eq!(tr.level, TrustLevel::Trusted);
    assert_eq!(tr.key_name.as_deref(), Some("certified by Kisoro HC"));
    assert_eq!(trust_of(&a, &before_cert), TrustLevel::NotTrusted);
    restore_as(&a, "nurse", NURSE_PW, &certified, Some(&pass(PASS)), false).unwrap();
    // A tablet that does not trust the facility key, and a certificate by
    // another facility key, give no trust.
    let c = home(t.path(), "c");
    assert_eq!(trust_of(&c, &certified), TrustLevel::NotTrusted);
    facility::certify(&admin_b, &other_secret).unwrap();
    let other = make_backup(&b, &t.path().join("out-b3"), Some(PASS)).path;
    assert_eq!(trust_of(&a, &other), TrustLevel::NotTrusted);
    // A certificate lifted from B onto another device's key proves nothing.
    let d = home(t.path(), "d");
    std::fs::create_dir_all(d.join("private")).unwrap();
    facility::certify(&admin_b, &secret).unwrap();
    std::fs::copy(facility::cert_path(&b), facility::cert_path(&d)).unwrap();
    let lifted = make_backup(&d, &t.path().join("out-d"), Some(PASS)).path;
    assert_eq!(trust_of(&a, &lifted), TrustLevel::NotTrusted);
}

/// A permit made for a first run (no login) never restores over clinic
/// data that appeared after it was made (another restore finished in
/// between), even a backup this tablet signed.
#[test]
fn a_first_run_permit_never_replaces_data_that_appeared_since() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "tablet");
    let file = backup_to(&h, Target::Folder(t.path().join("usb")), None);
    // The tablet's data is cleared: a first run.
    let data = h.join("data");
    let kept = t.path().join("kept-data");
    std::fs::rename(&data, &kept).unwrap();
    assert!(auth::is_first_run(&h));
    let permit = auth::first_run_restore(&h).unwrap();
    // Data appears before the restore takes its lock.
    std::fs::rename(&kept, &data).unwrap();
    let before = fingerprint(&h);
    let e = restore::restore(
        &permit,
        &RestoreRequest {
            file: &file,
            unlock: None,
            max_log_n: 18,
            dry_run: false,
            expect_id: None,
        },
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(e.kind(), Kind::PermissionDenied, "{e}");
    assert!(e.message().contains("needs a login"), "{e}");
    assert_eq!(fingerprint(&h), before);
}

/// Retention and the schedule count only this device's own automatic
/// backups, none dated ahead: an unsigned file in Private that claims to be
/// automatic and new neither stops the schedule nor pushes a real backup
/// out of the newest `keep`.
#[test]
fn a_planted_automatic_backup_neither_stops_the_schedule_nor_pushes_real_ones_out() {
    let t = tempfile::tempdir().unwrap();
    let h = home(t.path(), "tablet");
    std::fs::write(
        h.join("carevault.toml"),
        "[encryption]\nwork_factor = 10\n[auto]\ninterval_hours = 24\nkeep = 1\n",
    )
    .unwrap();
    let first = carevault_core::auto::run(&h, &NoProgress).unwrap();
    assert!(first.made.is_some(), "{}", first.reason);
    // A plant: an unsigned copy of a real backup, marked automatic and
    // dated a year ahead, in Private.
    let private = h.join("private/backups");
    let real = backup_to(
        &h,
        Target::Folder(t.path().join("usb")),
        Some("a clinic passphrase"),
    );
    as_unsigned(&real, &private.join("Backup-plant.bin"), |v| {
        v["automatic"] = true.into();
        v["created_at"] = "2099-01-01T00:00:00Z".into();
    });
    let made = first.made.unwrap().path;
    let second = carevault_core::auto::run(&h, &NoProgress).unwrap();
    // The real one is under a day old: none due (the plant's date does not
    // count), and the real one is not deleted for the plant.
    assert!(second.made.is_none(), "{}", second.reason);
    assert!(second.deleted.is_empty(), "{:?}", second.deleted);
    assert!(made.exists());
    assert!(
        private.join("Backup-plant.bin").exists(),
        "retention never deletes what is not ours"
    );
}

/// Issue 14: a restored SanteDB import keeps its databases in
/// `data/santedb/`: that is clinic data, so the home is no first run (no
/// open restore over it), and without users the first System
/// Administrator can be made only after a first-run import allowed it.
#[test]
fn databases_in_a_subfolder_are_clinic_data_and_the_first_admin_needs_the_import_s_leave() {
    let t = tempfile::tempdir().unwrap();
    let h = t.path().join("tablet");
    std::fs::create_dir_all(h.join("data/santedb/clinical")).unwrap();
    assert!(auth::is_first_run(&h));
    rusqlite::Connection::open(h.join("data/santedb/clinical/santedb.sqlite"))
        .unwrap()
        .execute_batch("CREATE TABLE t(x)")
        .unwrap();
    assert!(
        !auth::is_first_run(&h),
        "a database below data/ is clinic data"
    );
    assert!(auth::first_run_restore(&h).is_err());
    assert!(!auth::first_admin_pending(&h));
    auth::allow_first_admin(&h).unwrap();
    assert!(auth::first_admin_pending(&h));
    auth::first_user(&h, "admin", "a long admin password").unwrap();
    assert!(!auth::first_admin_pending(&h), "once only");
    assert!(!h.join("private/first-admin-pending").exists());
}

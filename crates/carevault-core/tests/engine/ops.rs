//! The operations layer the front ends go through: `show`, the sync and
//! operation locks as a front end checks them, and the events a front end
//! has audited (each recorded once, one way).

use crate::common::{make_backup, pass, small_home, viewer, ADMIN_PW, NURSE_PW, PASS};
use carevault_core::audit::{self, Outcome};
use carevault_core::auth::{self, Create, Restore};
use carevault_core::hostlock::{HostLock, SyncSession};
use carevault_core::ops::{self, sync::SyncState};
use carevault_core::{Kind, NoProgress};
use std::cell::Cell;

fn patients(home: &std::path::Path) -> u64 {
    let c = rusqlite::Connection::open(home.join("data/clinical.db")).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM patients", [], |r| r.get(0))
        .unwrap();
    u64::try_from(n).unwrap()
}

#[test]
fn show_reports_header_size_trust_and_contents_read_with_the_key() {
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    let made = make_backup(&home, &root.path().join("out"), Some(PASS));
    let permit = viewer(&home);

    let asked = Cell::new(0);
    let r = ops::show::show(
        &permit,
        &made.path,
        Some(|| {
            asked.set(asked.get() + 1);
            Ok(Some(pass(PASS)))
        }),
    )
    .expect("show");
    assert_eq!(asked.get(), 1);
    assert_eq!(r.metadata.sealed.id, made.metadata.sealed.id);
    assert_eq!(r.size, std::fs::metadata(&made.path).unwrap().len());
    assert!(r.signed.is_some(), "a new backup is signed");
    let c = r.contents.as_ref().expect("contents asked for");
    assert_eq!(c.entries, made.entries);
    assert_eq!(c.data_bytes, made.data_bytes);
    assert_eq!(c.rows.get("patients").copied(), Some(patients(&home)));
    assert!(r.last_verification.is_none(), "never verified yet");

    // The report is what `show --json` prints: the same field names.
    let v = serde_json::to_value(&r).unwrap();
    for k in [
        "path",
        "size",
        "metadata",
        "contents",
        "last_verification",
        "signed",
        "trust",
    ] {
        assert!(v.get(k).is_some(), "{k} missing from {v}");
    }
    for k in ["entries", "data_bytes", "rows", "settings"] {
        assert!(
            v["contents"].get(k).is_some(),
            "contents.{k} missing from {v}"
        );
    }

    let hidden = ops::show::show(&permit, &made.path, None::<fn() -> _>).expect("show");
    assert!(hidden.contents.is_none());
}

#[test]
fn show_asks_for_no_key_when_the_file_is_not_a_backup() {
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    let junk = root.path().join("junk.cvbk");
    std::fs::write(&junk, b"not a backup at all, just words\n".repeat(40)).unwrap();
    let asked = Cell::new(false);
    let e = ops::show::show(
        &viewer(&home),
        &junk,
        Some(|| {
            asked.set(true);
            Ok(None)
        }),
    )
    .expect_err("not a backup");
    assert_eq!(e.kind(), Kind::NotABackup, "{e}");
    assert!(
        !asked.get(),
        "asked for a key for a file that is not a backup"
    );
}

#[test]
fn show_with_the_wrong_passphrase_is_a_wrong_key_error() {
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    let made = make_backup(&home, &root.path().join("out"), Some(PASS));
    let e = ops::show::show(
        &viewer(&home),
        &made.path,
        Some(|| Ok(Some(pass("not the passphrase")))),
    )
    .expect_err("wrong passphrase");
    assert_eq!(e.kind(), Kind::WrongKey, "{e}");
}

#[test]
fn sync_state_running_and_hold_follow_the_sync_lock() {
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    assert_eq!(ops::sync::state(&home).unwrap(), SyncState::Idle);
    assert!(!ops::sync::running(&home).unwrap());

    let session = SyncSession::begin(&home).unwrap();
    assert!(ops::sync::running(&home).unwrap());
    match ops::sync::state(&home).unwrap() {
        SyncState::Running { since: Some(s) } => {
            s.parse::<jiff::Timestamp>()
                .expect("start time in RFC 3339");
        }
        other => panic!("expected running since a time, got {other:?}"),
    }
    // No wait asked for: a running sync is not waited for.
    assert!(ops::sync::hold_when_idle(&home, None, &NoProgress)
        .unwrap()
        .is_none());
    drop(session);

    let hold = ops::sync::hold_when_idle(&home, None, &NoProgress)
        .unwrap()
        .expect("no sync runs");
    assert!(
        HostLock::Sync.try_exclusive(&home).unwrap().is_none(),
        "a sync could start while held off"
    );
    drop(hold);
    assert!(HostLock::Sync.try_exclusive(&home).unwrap().is_some());
}

#[test]
fn operation_running_sees_the_operation_lock_and_leaves_it_free() {
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    assert!(!ops::sync::operation_running(&home).unwrap());
    // The check takes no lock that outlives it.
    assert!(HostLock::Operation.try_exclusive(&home).unwrap().is_some());
    let held = HostLock::Operation.exclusive(&home).unwrap();
    assert!(ops::sync::operation_running(&home).unwrap());
    drop(held);
    assert!(!ops::sync::operation_running(&home).unwrap());
}

#[test]
fn front_end_refusals_and_downloads_are_audited_once_with_their_reasons() {
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    let before = audit::read(&home).unwrap().len();

    ops::audit::login_throttled(&home, "mallory", 30).unwrap();
    let restore = auth::permit::<Restore>(&home, "admin", ADMIN_PW).unwrap();
    ops::audit::upload_restore_refused(&restore, "bk-up").unwrap();
    let create = auth::permit::<Create>(&home, "nurse", NURSE_PW).unwrap();
    ops::audit::import_refused(&create).unwrap();
    ops::audit::offsite_fetched(&home, "nurse", "bk-off", "clinic/bk-off.cvbk").unwrap();

    let all = audit::read(&home).unwrap();
    // Obtaining a permit may itself be audited: keep only these four.
    let got: Vec<_> = all[before..]
        .iter()
        .map(|r| &r.event)
        .filter(|e| e.action != "login" || e.user == "mallory")
        .collect();
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(
        (got[0].user.as_str(), got[0].action.as_str(), got[0].outcome),
        ("mallory", "login", Outcome::Refused)
    );
    assert_eq!(
        got[0].reason.as_deref(),
        Some("too many failed logins; throttled (30 s)")
    );
    assert_eq!(
        (got[1].user.as_str(), got[1].action.as_str(), got[1].outcome),
        ("admin", "restore", Outcome::Refused)
    );
    assert_eq!(got[1].backup.as_deref(), Some("bk-up"));
    assert_eq!(got[1].medium.as_deref(), Some("upload"));
    assert!(got[1]
        .reason
        .as_deref()
        .unwrap()
        .contains("System Administrator"));
    assert_eq!(
        (got[2].user.as_str(), got[2].action.as_str(), got[2].outcome),
        ("nurse", "import", Outcome::Refused)
    );
    assert!(got[2].reason.as_deref().unwrap().contains("SanteDB import"));
    assert_eq!(
        (got[3].user.as_str(), got[3].action.as_str(), got[3].outcome),
        ("nurse", "offsite get", Outcome::Success)
    );
    assert_eq!(got[3].backup.as_deref(), Some("bk-off"));
    assert_eq!(got[3].medium.as_deref(), Some("Offsite"));
    assert_eq!(got[3].reason.as_deref(), Some("clinic/bk-off.cvbk"));
    assert!(audit::verify(&home).unwrap().is_intact());
}

#[test]
fn first_run_verify_is_audited_with_the_backup_id_and_the_failure() {
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    let made = make_backup(&home, &root.path().join("out"), Some(PASS));
    let before = audit::read(&home).unwrap().len();

    let ok =
        ops::verify::first_run(&home, &made.path, &pass(PASS), 18, &NoProgress).expect("verify");
    assert_eq!(ok.metadata.sealed.id, made.metadata.sealed.id);
    let e = ops::verify::first_run(&home, &made.path, &pass("wrong one"), 18, &NoProgress)
        .expect_err("wrong passphrase");
    assert_eq!(e.kind(), Kind::WrongKey);

    let all = audit::read(&home).unwrap();
    let got: Vec<_> = all[before..].iter().map(|r| &r.event).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    for ev in &got {
        assert_eq!(
            (ev.user.as_str(), ev.action.as_str()),
            ("first-run", "verify")
        );
        assert_eq!(ev.backup.as_deref(), Some(made.metadata.sealed.id.as_str()));
    }
    assert_eq!(got[0].outcome, Outcome::Success);
    assert_eq!(got[1].outcome, Outcome::Failure);
    assert!(!got[1].reason.as_deref().unwrap_or_default().is_empty());
}

#[test]
fn user_changes_act_on_the_permits_home_and_report_what_changed() {
    use carevault_core::auth::{ManageUsers, Role};
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    let admin = auth::permit::<ManageUsers>(&home, "admin", ADMIN_PW).unwrap();

    let added = ops::users::add(&admin, "clerk", Role::ClinicNurse, "clerk password one").unwrap();
    assert_eq!(
        serde_json::to_value(&added).unwrap(),
        serde_json::json!({"result": "added", "user": "clerk", "role": Role::ClinicNurse})
    );
    auth::authenticate(&home, "clerk", "clerk password one").expect("the new user logs in");

    let changed = ops::users::set_password(&admin, "clerk", "clerk password two").unwrap();
    assert_eq!(
        serde_json::to_value(&changed).unwrap(),
        serde_json::json!({"result": "password changed", "user": "clerk"})
    );
    assert!(auth::authenticate(&home, "clerk", "clerk password one").is_err());
    auth::authenticate(&home, "clerk", "clerk password two").expect("new password");

    let r = ops::users::set_role(&admin, "clerk", Role::SystemAdministrator).unwrap();
    assert_eq!(r.role, Some(Role::SystemAdministrator));
    let listed = ops::users::list(&admin).unwrap();
    let clerk = listed
        .iter()
        .find(|u| u.username == "clerk")
        .expect("listed");
    assert_eq!(clerk.effective_role, Role::SystemAdministrator);

    let e = ops::users::set_role(&admin, "nobody", Role::ClinicNurse).expect_err("no such user");
    assert_eq!(e.kind(), Kind::NotFound, "{e}");
}

#[test]
fn audit_list_and_check_read_the_trail_and_see_it_altered() {
    use carevault_core::auth::AuditTrail;
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    ops::audit::login_throttled(&home, "mallory", 5).unwrap();
    let permit = auth::permit::<AuditTrail>(&home, "admin", ADMIN_PW).unwrap();

    let listed = ops::audit::list(&permit).unwrap();
    assert_eq!(listed, audit::read(&home).unwrap());
    assert!(listed.iter().any(|r| r.event.user == "mallory"));
    let check = ops::audit::check(&permit).unwrap();
    assert!(check.is_intact(), "{:?}", check.problems);
    assert_eq!(check.entries, listed.len() as u64);

    let log = home.join("private/audit.log");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("mallory", "mallorx", 1)).unwrap();
    let check = ops::audit::check(&permit).unwrap();
    assert!(!check.is_intact(), "an edited record went unnoticed");
}

#[test]
fn trust_listing_holds_the_device_key_the_trusted_keys_and_certification() {
    use carevault_core::auth::ManageTrust;
    use carevault_core::provenance::{device_key, facility, trust};
    let root = tempfile::tempdir().unwrap();
    let home = small_home(root.path());
    let admin = auth::permit::<ManageTrust>(&home, "admin", ADMIN_PW).unwrap();

    let first = ops::trust::list(&admin).unwrap();
    let own = device_key::load_or_create(&home).unwrap();
    assert_eq!(first.device.key_id, own.key_id());
    assert_eq!(first.device.public_key, own.public_key());
    assert!(!ops::trust::certified(&admin).unwrap());

    let (secret, public) = facility::generate().unwrap();
    let added = trust::add(&admin, &public, "district office").unwrap();
    facility::certify(&admin, &secret).unwrap();
    let after = ops::trust::list(&admin).unwrap();
    assert_eq!(after.device, first.device, "the device key stays the same");
    assert!(after.trusted.iter().any(|k| k.key_id == added.key_id));
    assert!(ops::trust::certified(&admin).unwrap());

    let v = serde_json::to_value(&after).unwrap();
    assert_eq!(v["device"]["key_id"], own.key_id());
    assert!(v["trusted"].is_array());
}

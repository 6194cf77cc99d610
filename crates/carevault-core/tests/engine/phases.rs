//! Progress phases (issue 15, item 12): the key derivation is its own
//! phase, announced before the bytes are read; a wait for a running
//! synchronization is announced while it waits.

use crate::common::*;
use carevault_core::hostlock::SyncSession;
use carevault_core::restore::{restore, RestoreRequest};
use carevault_core::{auth, backup, generate_recovery_key, verify, Phase, Progress};
use std::sync::mpsc::{channel, Sender};
use std::sync::Mutex;

/// Records each phase in order and sends it on.
struct Recorder {
    phases: Mutex<Vec<Phase>>,
    tx: Mutex<Option<Sender<Phase>>>,
}

impl Recorder {
    fn new(tx: Option<Sender<Phase>>) -> Recorder {
        Recorder {
            phases: Mutex::new(Vec::new()),
            tx: Mutex::new(tx),
        }
    }
    fn phases(&self) -> Vec<Phase> {
        self.phases.lock().unwrap().clone()
    }
}

impl Progress for Recorder {
    fn start(&self, phase: Phase, _total: u64) {
        self.phases.lock().unwrap().push(phase);
        if let Some(tx) = &*self.tx.lock().unwrap() {
            let _ = tx.send(phase);
        }
    }
    fn advance(&self, _n: u64) {}
}

#[test]
fn key_derivation_is_its_own_phase_before_reading_on_verify_and_restore() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let docs = t.path().join("docs");
    let (identity, public) = generate_recovery_key();
    let mut req = request(&home, &docs, Some(PASS));
    req.recovery_keys = vec![public];
    let enc = create(&home, &req).unwrap();
    let plain = make_backup(&home, &docs, None);

    let r = Recorder::new(None);
    verify::verify_file(&enc.path, Some(&pass(PASS)), 18, &r).unwrap();
    assert_eq!(r.phases(), [Phase::KeyDerivation, Phase::Read]);

    // No scrypt for a recovery key or an unencrypted backup: no such phase.
    let r = Recorder::new(None);
    let key = carevault_core::Unlock::RecoveryKey(
        carevault_core::parse_identity_file(age::secrecy::ExposeSecret::expose_secret(&identity))
            .unwrap(),
    );
    verify::verify_file(&enc.path, Some(&key), 18, &r).unwrap();
    assert_eq!(r.phases(), [Phase::Read]);
    let r = Recorder::new(None);
    verify::verify_file(&plain.path, None, 18, &r).unwrap();
    assert_eq!(r.phases(), [Phase::Read]);

    let r = Recorder::new(None);
    let target = t.path().join("new-home");
    let permit = auth::first_run_restore(&target).unwrap();
    restore(
        &permit,
        &RestoreRequest {
            file: &enc.path,
            unlock: Some(&pass(PASS)),
            max_log_n: 18,
            dry_run: false,
            expect_id: None,
        },
        &r,
    )
    .unwrap();
    let p = r.phases();
    let kd = p.iter().position(|x| *x == Phase::KeyDerivation);
    let read = p.iter().position(|x| *x == Phase::Read);
    assert!(kd.is_some() && read.is_some() && kd < read, "{p:?}");
}

#[test]
fn a_backup_that_waits_for_a_synchronization_announces_the_wait() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let docs = t.path().join("docs");
    let session = SyncSession::begin(&home).unwrap();
    let (tx, rx) = channel();
    let r = Recorder::new(Some(tx));
    let mut req = request(&home, &docs, None);
    req.wait_sync = Some(std::time::Duration::from_secs(600));
    let out = std::thread::scope(|s| {
        // The sync ends only once the wait was announced.
        let worker =
            s.spawn(|| backup::create(&auth::permit(&home, "nurse", NURSE_PW).unwrap(), &req, &r));
        assert_eq!(rx.recv().unwrap(), Phase::WaitingForSync);
        drop(session);
        worker.join().unwrap()
    });
    out.unwrap();
    let p = r.phases();
    assert_eq!(p.first(), Some(&Phase::WaitingForSync), "{p:?}");
    assert!(p.contains(&Phase::Backup), "{p:?}");
}

#[test]
fn rekey_announces_both_key_derivations_then_the_copy() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), Some(PASS));
    let r = Recorder::new(None);
    let permit = auth::permit(&home, "nurse", NURSE_PW).unwrap();
    carevault_core::rekey::rekey_reporting(
        &permit,
        &out.path,
        &pass(PASS),
        &carevault_core::SecretString::from("orchard kettle signal harbour".to_string()),
        10,
        18,
        &r,
    )
    .unwrap();
    assert_eq!(
        r.phases(),
        [Phase::KeyDerivation, Phase::KeyDerivation, Phase::Copy]
    );
    verify::verify_file(
        &out.path,
        Some(&pass("orchard kettle signal harbour")),
        18,
        &r,
    )
    .unwrap();
}

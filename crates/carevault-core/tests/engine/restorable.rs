//! Every backup carevault writes, it can restore; a failed restore changes
//! nothing; damage reads as damage. Regression tests for the defects of
//! the "restorable" round (docs/RELIABILITY.md), each named after what it
//! proves.

use crate::common;
use crate::common::archive::{file, listed, manifest_of, sealed, sums_of, Backup};
use crate::common::*;
use age::secrecy::ExposeSecret;
use carevault_core::audit;
use carevault_core::format::container::header_block;
use carevault_core::{verify, Kind, NoProgress, Unlock};
use rusqlite::Connection;
use serde_json::json;
use std::path::{Path, PathBuf};

fn fresh(root: &Path, name: &str) -> PathBuf {
    let h = root.join(name);
    std::fs::create_dir_all(&h).unwrap();
    test_profile(&h);
    h
}

/// A database of about 70 MB whose rows were deleted under
/// `secure_delete`: almost all zeros, so it compresses far beyond 1000:1.
fn secure_deleted_home(root: &Path) -> PathBuf {
    let home = small_home(root);
    let db = home.join("data/emptied.db");
    let c = Connection::open(&db).unwrap();
    c.execute_batch(
        "PRAGMA page_size=65536; PRAGMA journal_mode=WAL; PRAGMA secure_delete=on;
         CREATE TABLE blobs(id INTEGER PRIMARY KEY, b BLOB);",
    )
    .unwrap();
    for _ in 0..7 {
        c.execute("INSERT INTO blobs(b) VALUES (zeroblob(10000000))", [])
            .unwrap();
    }
    c.execute("INSERT INTO blobs(b) VALUES (randomblob(1000))", [])
        .unwrap();
    c.execute("DELETE FROM blobs WHERE length(b) > 1000", [])
        .unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    drop(c);
    assert!(std::fs::metadata(&db).unwrap().len() > 64 << 20);
    home
}

#[test]
fn a_database_emptied_under_secure_delete_backs_up_verifies_and_restores() {
    for pass in [Some(PASS), None] {
        let t = tempfile::tempdir().unwrap();
        let home = secure_deleted_home(t.path());
        let out = make_backup(&home, &t.path().join("out"), pass);
        assert!(out.verified);
        // Far beyond the 1000:1 the reader used to impose.
        assert!(
            out.data_bytes > 1000 * out.size,
            "{} from {}",
            out.data_bytes,
            out.size
        );
        let unlock = pass.map(common::pass);
        verify::verify_file(&out.path, unlock.as_ref(), 18, &NoProgress).expect("verify");
        let target = fresh(t.path(), "restored");
        restore_into(&target, &out.path, unlock.as_ref(), false).expect("restore");
        assert_eq!(
            dump(&home.join("data/emptied.db")),
            dump(&target.join("data/emptied.db"))
        );
        assert_eq!(integrity(&target.join("data/emptied.db")), "ok");
    }
}

/// A hand-built, internally consistent backup whose manifest says realm
/// "other.realm" while its own `data/config/app.toml` says "demo.realm".
fn realm_mismatch_backup(path: &Path) {
    let toml = b"realm = \"demo.realm\"\nsync_endpoint = \"https://sync.example.org/api\"\n";
    let note = b"a note from the backup\n";
    let entries = [
        listed("data/config/app.toml", toml),
        listed("data/note.txt", note),
    ];
    let s = sealed(false);
    let mut m: serde_json::Value = serde_json::from_slice(&manifest_of(&s, &entries)).unwrap();
    m["settings"] =
        json!({"realm": "other.realm", "sync_endpoint": "https://sync.example.org/api"});
    let manifest = serde_json::to_vec(&m).unwrap();
    let mut tar = file(b"data/config/app.toml", toml);
    tar.extend(file(b"data/note.txt", note));
    tar.extend(file(b"manifest.json", &manifest));
    tar.extend(file(b"SHA256SUMS", &sums_of(&entries)));
    tar.resize(tar.len() + 1024, 0);
    Backup::plain_raw(&s, manifest, zstd::encode_all(&tar[..], 3).unwrap()).write(path);
}

#[test]
fn a_realm_that_differs_from_the_manifest_is_refused_before_the_swap() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let bad = t.path().join("realm.bin");
    realm_mismatch_backup(&bad);
    // Every hash is right: verify accepts the file itself.
    verify::verify_file(&bad, None, 18, &NoProgress).expect("verify");
    let before = tree(&home.join("data"));
    let e = restore_into(&home, &bad, None, false).unwrap_err();
    assert_eq!(e.kind(), Kind::CheckFailed, "{e}");
    assert_eq!(e.kind().exit_code(), 14);
    assert!(e.message().contains("realm"), "{e}");
    assert!(e.message().contains("nothing was changed"), "{e}");
    assert_eq!(tree(&home.join("data")), before, "the data changed");
    assert!(
        !home.join("safety-copies").exists()
            || std::fs::read_dir(home.join("safety-copies"))
                .unwrap()
                .next()
                .is_none(),
        "a safety copy was made"
    );
    let staged: Vec<_> = std::fs::read_dir(&home)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".carevault-staging")
        })
        .collect();
    assert!(staged.is_empty(), "a staging folder was left behind");
    let last = audit::read(&home).unwrap().pop().unwrap().event;
    assert_eq!(last.action, "restore");
    assert_eq!(last.outcome.as_str(), "refused", "{last:?}");
}

/// The readable details, with every container header, read back the way
/// the reader sees them: (offset, length) of each part's data.
fn parts(file: &Path) -> Vec<(String, usize, usize)> {
    let o = carevault_core::archive::reader::Opened::open(file).unwrap();
    let l = &o.layout;
    let mut v = vec![(
        "carevault.json".to_string(),
        l.metadata.offset as usize,
        l.metadata.len as usize,
    )];
    for (n, e) in &l.slots {
        v.push((n.clone(), e.offset as usize, e.len as usize));
    }
    v.push((
        l.payload.0.clone(),
        l.payload.1.offset as usize,
        l.payload.1.len as usize,
    ));
    v.push((
        l.manifest.0.clone(),
        l.manifest.1.offset as usize,
        l.manifest.1.len as usize,
    ));
    v.push((
        "payload.sha256".into(),
        l.payload_sum.offset as usize,
        l.payload_sum.len as usize,
    ));
    v
}

/// The byte offset of `needle` inside the readable details of `file`.
fn metadata_offset(file: &Path, needle: &str) -> usize {
    let bytes = std::fs::read(file).unwrap();
    let (_, at, len) = parts(file)[0].clone();
    let md = &bytes[at..at + len];
    at + md
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap_or_else(|| panic!("{needle} not in the readable details"))
}

/// A tiny home: one small file and the app settings, no database, so that a
/// sweep over every bit of its backup runs in seconds.
fn tiny_home(root: &Path) -> PathBuf {
    let home = root.join("tiny");
    std::fs::create_dir_all(home.join("data/config")).unwrap();
    std::fs::write(home.join("data/config/app.toml"), "realm = \"r\"\n").unwrap();
    std::fs::write(home.join("data/note.txt"), "a note\n").unwrap();
    carevault_core::auth::add_user(
        &home,
        "nurse",
        carevault_core::auth::Role::ClinicNurse,
        NURSE_PW,
    )
    .unwrap();
    test_profile(&home);
    home
}

fn with_flip<T>(path: &Path, off: usize, bit: u8, f: impl FnOnce() -> T) -> T {
    use std::os::unix::fs::FileExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut b = [0u8];
    file.read_exact_at(&mut b, off as u64).unwrap();
    file.write_all_at(&[b[0] ^ (1 << bit)], off as u64).unwrap();
    let r = f();
    file.write_all_at(&b, off as u64).unwrap();
    r
}

/// Damage must read as damage: never "newer version", "not a backup" or
/// "wrong passphrase".
const MISLEADING: [Kind; 3] = [Kind::UnsupportedVersion, Kind::NotABackup, Kind::WrongKey];

/// Every single-bit flip of every byte of a small backup, encrypted (with a
/// recovery slot, whose recipients are sealed) and not: each is detected by
/// verify, and reads as damage.
#[test]
fn every_single_bit_flip_of_a_small_backup_is_detected_as_damage() {
    let t = tempfile::tempdir().unwrap();
    let home = tiny_home(t.path());
    let (secret, public) = carevault_core::generate_recovery_key();
    let unlock =
        Unlock::RecoveryKey(carevault_core::parse_identity_file(secret.expose_secret()).unwrap());
    for encrypted in [true, false] {
        let mut req = request(&home, &t.path().join("out"), encrypted.then_some(PASS));
        if encrypted {
            req.recovery_keys = vec![public.clone()];
        }
        let out = create(&home, &req).unwrap();
        let unlock = encrypted.then_some(&unlock);
        verify::verify_file(&out.path, unlock, 18, &NoProgress).expect("the original verifies");
        let len = std::fs::metadata(&out.path).unwrap().len() as usize;
        let mut accepted = Vec::new();
        let mut misleading = Vec::new();
        for off in 0..len {
            for bit in 0..8u8 {
                let r = with_flip(&out.path, off, bit, || {
                    verify::verify_file(&out.path, unlock, 18, &NoProgress)
                });
                match r {
                    Ok(_) => accepted.push((off, bit)),
                    Err(e) if MISLEADING.contains(&e.kind()) => {
                        misleading.push((off, bit, e.kind(), e.message().to_string()))
                    }
                    Err(_) => {}
                }
            }
        }
        println!(
            "bit-flip sweep (encrypted {encrypted}): {} flips of {len} bytes, {} accepted, {} misleading",
            len * 8,
            accepted.len(),
            misleading.len()
        );
        assert!(
            accepted.is_empty(),
            "undetected flips (offset, bit): {accepted:?}"
        );
        assert!(
            misleading.is_empty(),
            "damage reported as something else: {misleading:?}"
        );
    }
}

#[test]
fn a_flipped_recovery_recipient_is_detected() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let (_, public) = carevault_core::generate_recovery_key();
    let mut req = request(&home, &t.path().join("out"), Some(PASS));
    req.recovery_keys = vec![public.clone()];
    let out = create(&home, &req).unwrap();
    let at = metadata_offset(&out.path, &public[10..30]);
    let e = with_flip(&out.path, at, 0, || {
        verify::verify_file(&out.path, Some(&pass(PASS)), 18, &NoProgress).unwrap_err()
    });
    assert_eq!(e.kind(), Kind::Tampered, "{e}");
}

#[test]
fn a_flipped_format_version_digit_reads_as_damage() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("out"), Some(PASS));
    let at = metadata_offset(&out.path, "\"format_version\": 1") + "\"format_version\": ".len();
    for bit in 0..8 {
        let e = with_flip(&out.path, at, bit, || {
            verify::verify_file(&out.path, Some(&pass(PASS)), 18, &NoProgress).unwrap_err()
        });
        assert!(
            matches!(e.kind(), Kind::Tampered | Kind::Corrupted),
            "bit {bit}: {} {e}",
            e.kind().code()
        );
    }
}

#[test]
fn a_flipped_format_name_reads_as_damage_not_as_another_program() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("out"), Some(PASS));
    let at = metadata_offset(&out.path, "carevault-backup");
    for i in 0..16 {
        let e = with_flip(&out.path, at + i, 1, || {
            verify::verify_file(&out.path, Some(&pass(PASS)), 18, &NoProgress).unwrap_err()
        });
        assert_eq!(e.kind(), Kind::Tampered, "byte {i}: {e}");
    }
    // The first header's name, damaged: damage too, not "not a backup".
    let e = with_flip(&out.path, 3, 2, || {
        verify::verify_file(&out.path, Some(&pass(PASS)), 18, &NoProgress).unwrap_err()
    });
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
}

#[test]
fn a_flipped_byte_in_the_manifest_copys_age_header_reads_as_damage() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("out"), Some(PASS));
    let (_, at, _) = parts(&out.path)
        .into_iter()
        .find(|p| p.0 == "manifest.json.age")
        .unwrap();
    // "age-encryption.org/v1": every byte of the version line.
    for i in 0..21 {
        for bit in 0..8 {
            let e = with_flip(&out.path, at + i, bit, || {
                verify::verify_file(&out.path, Some(&pass(PASS)), 18, &NoProgress).unwrap_err()
            });
            // The signed origin names the manifest copy's hash (7), or the
            // age header fails (6): damage either way, never exit 8.
            assert!(
                matches!(e.kind(), Kind::Corrupted | Kind::Tampered),
                "byte {i} bit {bit}: {e}"
            );
        }
    }
}

/// A key slot with a field this version does not know is accepted
/// (FORMAT.md: readers ignore unknown fields).
#[test]
fn an_unknown_field_in_a_key_slot_is_ignored() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("out"), Some(PASS));
    let bytes = std::fs::read(&out.path).unwrap();
    let p = parts(&out.path);
    let mut md: serde_json::Value =
        serde_json::from_slice(&bytes[p[0].1..p[0].1 + p[0].2]).unwrap();
    md["key_slots"][0]["comment"] = json!("added by a later version");
    let md = serde_json::to_vec_pretty(&md).unwrap();
    let mut v = header_block("carevault.json", md.len() as u64, 0)
        .unwrap()
        .to_vec();
    v.extend_from_slice(&md);
    v.resize(v.len().div_ceil(512) * 512, 0);
    let rest = p[1].1 - 512;
    v.extend_from_slice(&bytes[rest..]);
    let edited = t.path().join("edited.bin");
    std::fs::write(&edited, v).unwrap();
    verify::verify_file(&edited, Some(&pass(PASS)), 18, &NoProgress).expect("accepted");
}

/// A payload entry whose name is stored in the ustar prefix field, and
/// one named by a PAX header, as other tar writers store long names.
#[test]
fn payload_names_in_the_ustar_prefix_or_a_pax_header_are_accepted() {
    let t = tempfile::tempdir().unwrap();
    let long = format!("data/{}/doc.txt", "folder".repeat(20));
    let pax_name = "data/clinic-\u{e9}t\u{e9}/r\u{e9}sum\u{e9}.txt";
    let body = b"kept in a long folder\n";
    let entries = [listed(&long, body), listed(pax_name, body)];
    let s = sealed(false);
    // No app settings in this data: the manifest records none.
    let mut m: serde_json::Value = serde_json::from_slice(&manifest_of(&s, &entries)).unwrap();
    m["settings"] = json!({"realm": "", "sync_endpoint": ""});
    let manifest = serde_json::to_vec(&m).unwrap();
    let mut tar = Vec::new();
    let mut h = tar::Header::new_ustar();
    h.set_path(&long).unwrap();
    assert!(h.as_ustar().unwrap().prefix.iter().any(|&b| b != 0));
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.extend_from_slice(h.as_bytes());
    tar.extend_from_slice(body);
    tar.resize(tar.len().div_ceil(512) * 512, 0);
    tar.extend(common::archive::pax(b'x', &[("path", pax_name.as_bytes())]));
    tar.extend(file(b"data/x.txt", body));
    tar.extend(file(b"manifest.json", &manifest));
    tar.extend(file(b"SHA256SUMS", &sums_of(&entries)));
    tar.resize(tar.len() + 1024, 0);
    let f = t.path().join("prefix.bin");
    Backup::plain_raw(&s, manifest, zstd::encode_all(&tar[..], 3).unwrap()).write(&f);
    verify::verify_file(&f, None, 18, &NoProgress).expect("accepted");
    let target = fresh(t.path(), "restored");
    restore_into(&target, &f, None, false).expect("restored");
    assert_eq!(std::fs::read(target.join(&long)).unwrap(), body);
    assert_eq!(std::fs::read(target.join(pax_name)).unwrap(), body);
}

/// Uppercase hex in the manifest (as `sha256sum -c` accepts) is accepted.
#[test]
fn uppercase_hex_digests_in_the_manifest_are_accepted() {
    let t = tempfile::tempdir().unwrap();
    let body = b"a document\n";
    let mut e = listed("data/doc.txt", body);
    e["sha256"] = json!(e["sha256"].as_str().unwrap().to_uppercase());
    let entries = [e];
    let s = sealed(false);
    let manifest = manifest_of(&s, &entries);
    let mut tar = file(b"data/doc.txt", body);
    tar.extend(file(b"manifest.json", &manifest));
    tar.extend(file(b"SHA256SUMS", &sums_of(&entries)));
    tar.resize(tar.len() + 1024, 0);
    let f = t.path().join("upper.bin");
    Backup::plain_raw(&s, manifest, zstd::encode_all(&tar[..], 3).unwrap()).write(&f);
    verify::verify_file(&f, None, 18, &NoProgress).expect("accepted");
}

/// GNU tar and Python's tarfile spell the header checksum `%06o\0 `: a
/// container whose headers are spelled so (and carry no carevault mark) is
/// read, and so is the zero padding `tar` adds to a whole record.
#[test]
fn container_headers_spelled_as_gnu_tar_writes_them_are_accepted() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("out"), Some(PASS));
    let mut bytes = std::fs::read(&out.path).unwrap();
    for (_, at, _) in parts(&out.path) {
        let h = &mut bytes[at - 512..at];
        // No mark: another tar program wrote it.
        h[265..329].fill(0);
        h[148..156].fill(b' ');
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    }
    bytes.resize(bytes.len().div_ceil(10240) * 10240, 0);
    let gnu = t.path().join("gnu.bin");
    std::fs::write(&gnu, &bytes).unwrap();
    verify::verify_file(&gnu, Some(&pass(PASS)), 18, &NoProgress).expect("accepted");
    // carevault's own files end exactly: one zero byte more is damage.
    let mut own = std::fs::read(&out.path).unwrap();
    own.push(0);
    std::fs::write(&gnu, &own).unwrap();
    let e = verify::verify_file(&gnu, Some(&pass(PASS)), 18, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
}

/// A database whose path needs a long name is backed up and restored.
#[test]
fn a_database_with_a_long_path_backs_up_and_restores() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let dir = home.join(format!("data/{}", "nested-folder-".repeat(12)));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("a-database-with-a-long-name.db");
    let c = Connection::open(&db).unwrap();
    c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1),(2);")
        .unwrap();
    drop(c);
    let out = make_backup(&home, &t.path().join("out"), Some(PASS));
    let target = fresh(t.path(), "restored");
    restore_into(&target, &out.path, Some(&pass(PASS)), false).expect("restore");
    let rel = db.strip_prefix(&home).unwrap();
    assert_eq!(dump(&db), dump(&target.join(rel)));
}

/// What the reader would refuse, the writer refuses before it writes: a
/// facility name that makes the readable details larger than the format
/// allows (64 KiB).
#[test]
fn a_backup_its_reader_would_refuse_is_never_written() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    std::fs::write(
        home.join("data/config/app.toml"),
        format!("realm = \"r\"\nfacility = \"{}\"\n", "F".repeat(70_000)),
    )
    .unwrap();
    let out = t.path().join("out");
    let e = create(&home, &request(&home, &out, Some(PASS))).unwrap_err();
    assert_eq!(e.kind(), Kind::Usage, "{e}");
    assert!(e.message().contains("nothing was written"), "{e}");
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|r| r.flatten().collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

/// Writes rows on its own connection the first time the backup reports
/// progress: the snapshot is pinned then, so the rows go to the WAL, which
/// cannot be checkpointed past the snapshot.
struct WriteWhilePinned {
    conn: std::sync::Mutex<Connection>,
    done: std::sync::atomic::AtomicBool,
}

impl carevault_core::Progress for WriteWhilePinned {
    fn start(&self, _phase: carevault_core::Phase, _total: u64) {}
    fn advance(&self, _n: u64) {
        if !self.done.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let c = self.conn.lock().unwrap();
            for i in 0..50 {
                c.execute(
                    "INSERT INTO patients(name) VALUES (?1)",
                    [format!("during {i}")],
                )
                .unwrap();
            }
        }
    }
}

fn rows_in_main_file(db: &Path) -> i64 {
    // `immutable=1` reads the database file alone, ignoring the WAL.
    let uri = format!("file:{}?immutable=1", db.display());
    let c = Connection::open_with_flags(
        uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
    )
    .unwrap();
    c.query_row("SELECT count(*) FROM patients", [], |r| r.get(0))
        .unwrap()
}

/// The app's changes made while a backup's snapshot was pinned pile up in
/// the WAL; the backup checkpoints them itself once the snapshot is
/// stored, so the app's next commit does not have to (the writer stall of
/// 107-223 ms measured after each snapshot). The app's writer here has
/// automatic checkpoints off: only the backup can have moved the rows into
/// the database file.
#[test]
fn the_wal_backlog_of_a_backup_is_checkpointed_by_the_backup_not_by_the_app() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let db = home.join("data/clinical.db");
    let app = Connection::open(&db).unwrap();
    app.execute_batch("PRAGMA wal_autocheckpoint=0; PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let before = rows_in_main_file(&db);
    let progress = WriteWhilePinned {
        conn: std::sync::Mutex::new(app),
        done: Default::default(),
    };
    let req = request(&home, &t.path().join("out"), Some(PASS));
    let permit = carevault_core::auth::permit(&home, "nurse", NURSE_PW).unwrap();
    let out = carevault_core::backup::create(&permit, &req, &progress).unwrap();
    assert!(progress.done.load(std::sync::atomic::Ordering::SeqCst));
    // The backup holds the rows as they were when it was pinned...
    assert_eq!(out.rows["patients"], before as u64);
    // ...and the rows written meanwhile are in the database file now.
    assert_eq!(rows_in_main_file(&db), before + 50);
}

/// A hand-built backup of one database `data/users.db` made by `setup`,
/// listed as a database with its real row counts, plus `extra` entries.
fn db_backup(path: &Path, setup: &str, extra: &[(&str, &[u8])]) {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("users.db");
    let c = Connection::open(&db).unwrap();
    c.execute_batch(setup).unwrap();
    drop(c);
    let bytes = std::fs::read(&db).unwrap();
    let mut entry = listed("data/users.db", &bytes);
    entry["kind"] = json!("sqlite");
    entry["row_counts"] = json!({"users": 1});
    let mut entries = vec![entry];
    let mut tar = file(b"data/users.db", &bytes);
    for (name, data) in extra {
        entries.push(listed(name, data));
        tar.extend(file(name.as_bytes(), data));
    }
    let s = sealed(false);
    let mut m: serde_json::Value = serde_json::from_slice(&manifest_of(&s, &entries)).unwrap();
    m["settings"] = json!({"realm": "", "sync_endpoint": ""});
    let manifest = serde_json::to_vec(&m).unwrap();
    tar.extend(file(b"manifest.json", &manifest));
    tar.extend(file(b"SHA256SUMS", &sums_of(&entries)));
    tar.resize(tar.len() + 1024, 0);
    Backup::plain_raw(&s, manifest, zstd::encode_all(&tar[..], 3).unwrap()).write(path);
}

/// Restores as the System Administrator (whom the provenance policy lets
/// restore a hand-built file) and expects a refusal that changed nothing.
fn refused_by_admin(home: &Path, file: &Path) -> Kind {
    let before = tree(&home.join("data"));
    let permit = carevault_core::auth::permit(home, "admin", ADMIN_PW).unwrap();
    let req = carevault_core::restore::RestoreRequest {
        file,
        unlock: None,
        max_log_n: 18,
        dry_run: false,
        expect_id: None,
    };
    let e = carevault_core::restore::restore(&permit, &req, &NoProgress).unwrap_err();
    assert_eq!(tree(&home.join("data")), before, "the data changed: {e}");
    e.kind()
}

/// A WAL beside a database would be replayed by the app after every check
/// ran on the database alone (an attacker's users table, say).
#[test]
fn a_database_side_file_in_a_backup_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let f = t.path().join("side.bin");
    db_backup(
        &f,
        "CREATE TABLE users(name); INSERT INTO users VALUES ('nurse');",
        &[("data/users.db-wal", b"pretend WAL frames")],
    );
    let e = verify::verify_file(&f, None, 18, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
    assert_eq!(refused_by_admin(&home, &f), Kind::UnsafeArchive);
}

/// A database stored in WAL mode (header bytes 18 and 19 = 2) is not what
/// carevault writes: refused before the swap.
#[test]
fn a_database_not_in_rollback_journal_form_is_refused_before_the_swap() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let f = t.path().join("wal.bin");
    db_backup(
        &f,
        "PRAGMA journal_mode=WAL; CREATE TABLE users(name); INSERT INTO users VALUES ('nurse'); PRAGMA wal_checkpoint(TRUNCATE);",
        &[],
    );
    assert_eq!(refused_by_admin(&home, &f), Kind::CheckFailed);
}

/// The container of `file` with the data of part `name` replaced.
fn with_part(file: &Path, name: &str, data: &[u8]) -> Vec<u8> {
    let bytes = std::fs::read(file).unwrap();
    let o = carevault_core::archive::reader::Opened::open(file).unwrap();
    let (record, sig) = o.layout.origin.unwrap();
    let mut all = parts(file);
    all.push((
        "origin.json".into(),
        record.offset as usize,
        record.len as usize,
    ));
    all.push((
        "origin.json.minisig".into(),
        sig.offset as usize,
        sig.len as usize,
    ));
    let mut out = Vec::new();
    for (n, at, len) in all {
        let d = if n == name {
            data.to_vec()
        } else {
            bytes[at..at + len].to_vec()
        };
        out.extend_from_slice(&header_block(&n, d.len() as u64, 0).unwrap());
        out.extend_from_slice(&d);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// The minisign crate indexes a signature it has not length-checked (a
/// debug assertion, and a slice out of range on an empty line): every
/// malformed signature line must be reported as damage, never panic.
#[test]
fn a_malformed_signature_line_is_damage_not_a_panic() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("out"), None);
    let o = carevault_core::archive::reader::Opened::open(&out.path).unwrap();
    let (_, sig) = o.layout.origin.unwrap();
    let bytes = std::fs::read(&out.path).unwrap();
    let text =
        String::from_utf8(bytes[sig.offset as usize..(sig.offset + sig.len) as usize].to_vec())
            .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let bad = t.path().join("bad.bin");
    for (line, replacement) in [
        (3, String::new()),
        (1, String::new()),
        (3, lines[3].trim_end_matches('=').to_string()),
        (1, format!("{}AAAA", lines[1].trim_end_matches('='))),
        (1, lines[1][..96].to_string()),
        (3, "=".repeat(88)),
    ] {
        let mut l = lines.clone();
        l[line] = &replacement;
        let edited = format!("{}\n", l.join("\n"));
        std::fs::write(
            &bad,
            with_part(&out.path, "origin.json.minisig", edited.as_bytes()),
        )
        .unwrap();
        let r = std::panic::catch_unwind(|| {
            verify::verify_file(&bad, None, 18, &NoProgress).map(|_| ())
        });
        let e = r.unwrap_or_else(|_| panic!("line {line} {replacement:?}: a panic"));
        let e = e.unwrap_err();
        assert!(
            matches!(e.kind(), Kind::Corrupted | Kind::Tampered),
            "line {line}: {e}"
        );
    }
}

/// A backup chosen from a listing (the web's restore, the first-run
/// candidate list) is restored only if the file still holds it: a file
/// replaced by another valid backup between the listing and the restore is
/// refused, nothing changes, and the refusal is audited.
#[test]
fn a_file_replaced_after_it_was_chosen_is_not_restored_in_its_place() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let chosen = make_backup(&home, &t.path().join("a"), Some(PASS));
    let other = make_backup(&home, &t.path().join("b"), Some(PASS));
    // The file the listing showed now holds the other backup.
    std::fs::copy(&other.path, &chosen.path).unwrap();
    let before = tree(&home.join("data"));
    let unlock = pass(PASS);
    let permit = carevault_core::auth::permit(&home, "admin", ADMIN_PW).unwrap();
    let req = carevault_core::restore::RestoreRequest {
        file: &chosen.path,
        unlock: Some(&unlock),
        max_log_n: 18,
        dry_run: false,
        expect_id: Some(&chosen.metadata.sealed.id),
    };
    let e = carevault_core::restore::restore(&permit, &req, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), Kind::CheckFailed, "{e}");
    assert!(e.message().contains(&other.metadata.sealed.id), "{e}");
    assert_eq!(tree(&home.join("data")), before, "the data changed");
    assert!(!home.join("safety-copies").exists());
    let last = audit::read(&home).unwrap().pop().unwrap().event;
    assert_eq!(last.action, "restore");
    assert_eq!(last.outcome, audit::Outcome::Refused);
    // The refusal names the backup chosen, not what the file holds now.
    assert_eq!(
        last.backup.as_deref(),
        Some(chosen.metadata.sealed.id.as_str())
    );
    // A replacement under another passphrase is a replacement too, refused
    // before any key is derived (not a wrong passphrase).
    let third = {
        let mut r = request(
            &home,
            &t.path().join("c"),
            Some("another passphrase entirely"),
        );
        r.label = Some("other".into());
        create(&home, &r).unwrap()
    };
    std::fs::copy(&third.path, &chosen.path).unwrap();
    let e = carevault_core::restore::restore(&permit, &req, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), Kind::CheckFailed, "{e}");
    // The same request naming the ID the file really holds goes through.
    let req = carevault_core::restore::RestoreRequest {
        expect_id: Some(&other.metadata.sealed.id),
        ..req
    };
    std::fs::copy(&other.path, &chosen.path).unwrap();
    carevault_core::restore::restore(&permit, &req, &NoProgress).unwrap();
    let last = audit::read(&home).unwrap().pop().unwrap().event;
    assert_eq!(last.outcome, audit::Outcome::Success);
    assert_eq!(
        last.backup.as_deref(),
        Some(other.metadata.sealed.id.as_str())
    );
}

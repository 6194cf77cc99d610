//! `demo init`: a whole demo app home, built in a staging folder beside
//! `data/` and renamed into place, so an interrupted init leaves no
//! half-made data folder behind.

use std::path::{Path, PathBuf};

use argon2::{Argon2, PasswordHasher};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;

use super::clinical::{self, last_sync_end, Pending};
use super::pools::{clinic_time, timestamp, uuid, TODAY, WINDOW_DAYS};
use super::schema::{
    create_bulk, finish_bulk, ALL_DBS, CLINICAL_DB, SYNC_DB, SYNC_INDEXES, SYNC_SCHEMA, USERS_DB,
    USERS_SCHEMA,
};
use super::{files, DemoError, DemoOptions, DemoSummary, DEMO_USERS};
use carevault_core::layout;

/// Display names of the demo accounts, in [`DEMO_USERS`] order.
const DISPLAY_NAMES: [&str; 4] = [
    "Joseph Mugisha",
    "Grace Atim",
    "Esther Nakato",
    "Peter Ouma",
];

/// Creates a demo clinic in `home` (see the module docs). Refuses a home
/// whose `data/` folder already holds databases (or anything else).
pub fn init(home: &Path, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if opts.patients == 0 {
        return Err(DemoError::InvalidOptions(
            "a demo clinic needs at least one patient: pass a patient count of 1 or more".into(),
        ));
    }
    let data = layout::data_dir(home);
    check_target(&data)?;
    std::fs::create_dir_all(home).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-create-the-app-home"),
        home,
    ))?;
    let staging = home.join(".data.demo-init.tmp");
    if staging.exists() {
        // Left by an interrupted init: it was never the data folder.
        std::fs::remove_dir_all(&staging).map_err(DemoError::io(
            carevault_i18n::t!("cli-demo-doing-remove-the-leftover-staging-folder"),
            &staging,
        ))?;
    }
    std::fs::create_dir_all(&staging).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-create-the-staging-folder"),
        &staging,
    ))?;
    let mut summary = match build(home, &staging, opts) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    check_target(&data)?;
    if let Err(e) = std::fs::rename(&staging, &data) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(DemoError::io(
            carevault_i18n::t!("cli-demo-doing-move-the-generated-data-into-place-at"),
            &data,
        )(e));
    }
    sync_dir(home)?;
    let backups = layout::private_backups(home);
    std::fs::create_dir_all(&backups).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-create-the-folder"),
        &backups,
    ))?;
    summary.bytes_on_disk = tree_size(&data)?;
    Ok(summary)
}

/// `data` may be absent or an empty folder; anything else is refused.
fn check_target(data: &Path) -> Result<(), DemoError> {
    if !data.exists() {
        return Ok(());
    }
    if !data.is_dir() {
        return Err(DemoError::DataNotEmpty {
            path: data.to_path_buf(),
            found: "a file, not a folder".into(),
        });
    }
    let mut names: Vec<String> = std::fs::read_dir(data)
        .map_err(DemoError::io(
            carevault_i18n::t!("cli-demo-doing-list"),
            data,
        ))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let dbs: Vec<&String> = names.iter().filter(|n| n.ends_with(".db")).collect();
    if !dbs.is_empty() {
        let found = dbs
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(DemoError::AlreadyInitialized {
            path: data.to_path_buf(),
            found,
        });
    }
    if !names.is_empty() {
        return Err(DemoError::DataNotEmpty {
            path: data.to_path_buf(),
            found: names.join(", "),
        });
    }
    Ok(())
}

fn build(home: &Path, staging: &Path, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    let mut master = StdRng::seed_from_u64(opts.seed);
    let clinical_rng = StdRng::seed_from_u64(master.gen());
    let mut sync_rng = StdRng::seed_from_u64(master.gen());
    let users_rng = StdRng::seed_from_u64(master.gen());
    let mut files_rng = StdRng::seed_from_u64(master.gen());

    let documents = opts.photos.saturating_mul(2);
    let briefs = usize::try_from(documents.min(opts.patients)).unwrap_or(usize::MAX);
    let clinical_path = staging.join(CLINICAL_DB);
    let users_path = staging.join(USERS_DB);
    // Password hashing (argon2, deliberately slow) runs beside the clinical load.
    let (clinical, users) = std::thread::scope(|s| {
        let users = s.spawn(|| users_db(&users_path, users_rng));
        let clinical = clinical::generate(&clinical_path, opts.patients, briefs, clinical_rng);
        let users = users.join().unwrap_or_else(|_| {
            Err(DemoError::PasswordHash {
                user: "(all)".into(),
                message: "the hashing thread panicked".into(),
            })
        });
        (clinical, users)
    });
    let (clinical, users) = (clinical?, users?);
    let (outbox, sync_log) = sync_db(&staging.join(SYNC_DB), &clinical.pending, &mut sync_rng)?;

    let rel = |p: PathBuf| -> PathBuf {
        let data = layout::data_dir(home);
        staging.join(p.strip_prefix(&data).map(Path::to_path_buf).unwrap_or(p))
    };
    let facility = files::config(&rel(layout::app_config(home)), opts.seed, &mut files_rng)?;
    let files_dir = staging.join("files");
    files::photos(
        &files_dir.join("photos"),
        &clinical.briefs,
        opts.photos,
        &mut files_rng,
    )?;
    files::documents(
        &files_dir.join("documents"),
        &clinical.briefs,
        documents,
        &facility,
        &mut files_rng,
    )?;
    for dir in [
        staging.to_path_buf(),
        files_dir.join("photos"),
        files_dir.join("documents"),
    ] {
        sync_dir(&dir)?;
    }
    debug_assert!(ALL_DBS.iter().all(|db| staging.join(db).exists()));
    Ok(DemoSummary {
        patients: clinical.patients,
        visits: clinical.visits,
        immunizations: clinical.immunizations,
        outbox,
        sync_log,
        users,
        photos: opts.photos,
        documents,
        bytes_on_disk: 0,
    })
}

fn users_db(path: &Path, mut rng: StdRng) -> Result<u64, DemoError> {
    // Salts come from the seed so that a demo home is reproducible; the
    // passwords are public demo passwords anyway.
    let mut rows = Vec::new();
    for (&(user, role, password), display) in DEMO_USERS.iter().zip(DISPLAY_NAMES) {
        let salt: [u8; 16] = rng.gen();
        let phc = Argon2::default()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map_err(|e| DemoError::PasswordHash {
                user: user.to_string(),
                message: e.to_string(),
            })?
            .to_string();
        rows.push((user, display, role, phc));
    }
    let mut conn = create_bulk(path)?;
    let tx = conn.transaction().map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-begin"),
        path,
    ))?;
    tx.execute_batch(USERS_SCHEMA).map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-create-the-users-table"),
        path,
    ))?;
    let created = timestamp(clinic_time(&mut rng, TODAY - WINDOW_DAYS));
    for (user, display, role, phc) in &rows {
        tx.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user, display, role, phc, created],
        )
        .map_err(DemoError::sql(carevault_i18n::t!("cli-demo-doing-insert-a-user"), path))?;
    }
    tx.commit().map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-commit"),
        path,
    ))?;
    finish_bulk(conn, path)?;
    Ok(rows.len() as u64)
}

const SYNC_ERRORS: &[&str] = &[
    "network unreachable",
    "timed out after 120 s waiting for https://demo.carevault.example/sync/v1",
    "server answered HTTP 503 Service Unavailable",
    "TLS handshake failed: certificate not yet valid (tablet clock behind)",
];

/// `sync.db`: the outbox (changes since the last successful sync) and a
/// sync log of roughly one synchronization a day. Returns (outbox, log) counts.
fn sync_db(path: &Path, pending: &[Pending], rng: &mut StdRng) -> Result<(u64, u64), DemoError> {
    let mut conn = create_bulk(path)?;
    let tx = conn.transaction().map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-begin"),
        path,
    ))?;
    tx.execute_batch(SYNC_SCHEMA).map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-create-the-sync-tables"),
        path,
    ))?;
    let mut order: Vec<&Pending> = pending.iter().collect();
    order.sort_by_key(|p| p.created_at);
    let mut outbox = 0u64;
    let mut log = 0u64;
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO outbox (entity, entity_uuid, op, payload, txn_id, created_at) \
                 VALUES (?1, ?2, 'insert', ?3, ?4, ?5)",
            )
            .map_err(DemoError::sql(
                carevault_i18n::t!("cli-demo-doing-prepare"),
                path,
            ))?;
        let mut txn = String::new();
        let mut txn_time = i64::MIN;
        for p in order {
            // Changes saved at the same instant (a registration and its first visit) share a transaction.
            if p.created_at != txn_time {
                txn = format!("app-{}", uuid(rng));
                txn_time = p.created_at;
            }
            ins.execute(params![
                p.entity,
                p.uuid,
                p.payload,
                txn,
                timestamp(p.created_at)
            ])
            .map_err(DemoError::sql(
                carevault_i18n::t!("cli-demo-doing-insert-an-outbox-entry"),
                path,
            ))?;
            outbox += 1;
        }
        let mut ins = tx
            .prepare(
                "INSERT INTO sync_log (started_at, ended_at, pushed, pulled, status, error) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(DemoError::sql(
                carevault_i18n::t!("cli-demo-doing-prepare"),
                path,
            ))?;
        let last_ok = last_sync_end();
        let last_day = last_ok / 86_400;
        for day in TODAY - WINDOW_DAYS..=TODAY {
            let (start, end, status, error) = if day == last_day {
                (last_ok - rng.gen_range(40..400), last_ok, "ok", None)
            } else if day > last_day || rng.gen_bool(0.8) {
                let start = day * 86_400 + 13 * 3600 + rng.gen_range(0..3 * 3600);
                let end = start + rng.gen_range(15..600);
                let (status, error) = match rng.gen_range(0..100) {
                    _ if day > last_day => ("failed", Some(SYNC_ERRORS[0])),
                    0..90 => ("ok", None),
                    90..97 => (
                        "failed",
                        Some(SYNC_ERRORS[rng.gen_range(0..SYNC_ERRORS.len())]),
                    ),
                    _ => (
                        "partial",
                        Some("connection dropped after the push; pull resumes next time"),
                    ),
                };
                (start, end, status, error)
            } else {
                continue;
            };
            let (pushed, pulled) = match status {
                "ok" => (rng.gen_range(0..250), rng.gen_range(0..600)),
                "partial" => (rng.gen_range(1..250), 0),
                _ => (0, 0),
            };
            ins.execute(params![
                timestamp(start),
                timestamp(end),
                pushed,
                pulled,
                status,
                error
            ])
            .map_err(DemoError::sql(
                carevault_i18n::t!("cli-demo-doing-insert-a-sync-log-entry"),
                path,
            ))?;
            log += 1;
        }
    }
    tx.execute_batch(SYNC_INDEXES).map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-create-the-sync-indexes"),
        path,
    ))?;
    tx.commit().map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-commit"),
        path,
    ))?;
    finish_bulk(conn, path)?;
    Ok((outbox, log))
}

/// Makes a rename or new files in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), DemoError> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(DemoError::io(
            carevault_i18n::t!("cli-demo-doing-fsync-the-folder"),
            dir,
        ))
}

/// Sum of the sizes of the regular files under `dir`.
fn tree_size(dir: &Path) -> Result<u64, DemoError> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-list"),
        dir,
    ))? {
        let entry = entry.map_err(DemoError::io(
            carevault_i18n::t!("cli-demo-doing-list"),
            dir,
        ))?;
        let path = entry.path();
        let meta = entry.metadata().map_err(DemoError::io(
            carevault_i18n::t!("cli-demo-doing-read-the-size-of"),
            &path,
        ))?;
        if meta.is_dir() {
            total += tree_size(&path)?;
        } else if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

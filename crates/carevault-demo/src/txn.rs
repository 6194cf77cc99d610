//! The writer's connections and its two transactions (clinical, then sync).

use std::path::{Path, PathBuf};

use rusqlite::ffi::ErrorCode;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::json;

use super::schema::{open_app, CLINICAL_DB, SYNC_DB};
use super::DemoError;

/// Stock given out when a vaccine runs out: a delivery arrived.
const RESTOCK: i64 = 1_000;

/// Why one writer transaction did not happen.
pub(crate) enum Failure {
    /// Missing or busy data: release the barrier, wait, try again.
    Retry(String, PathBuf),
    /// Anything else ends the run.
    Fatal(DemoError),
}

impl Failure {
    pub(crate) fn classify(e: rusqlite::Error, path: PathBuf) -> Failure {
        let transient = matches!(
            e.sqlite_error_code(),
            Some(
                ErrorCode::DatabaseBusy
                    | ErrorCode::DatabaseLocked
                    | ErrorCode::CannotOpen
                    | ErrorCode::SystemIoFailure
                    | ErrorCode::ReadOnly
                    | ErrorCode::NotADatabase
            )
        );
        if transient {
            Failure::Retry(e.to_string(), path)
        } else {
            Failure::Fatal(DemoError::Sqlite {
                action: Box::new(carevault_i18n::t!(
                    "cli-demo-doing-run-a-writer-transaction"
                )),
                path,
                source: e,
            })
        }
    }
}

/// Identity (device, inode) of `data/` and of the two databases the writer
/// uses: when one changes, the folder or file was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ids([(u64, u64); 3]);

impl Ids {
    pub(crate) fn of(data: &Path) -> std::io::Result<Ids> {
        Ok(Ids([
            ident(data)?,
            ident(&data.join(CLINICAL_DB))?,
            ident(&data.join(SYNC_DB))?,
        ]))
    }
}

#[cfg(unix)]
fn ident(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path)?;
    Ok((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn ident(path: &Path) -> std::io::Result<(u64, u64)> {
    let m = std::fs::metadata(path)?;
    let t = m.created().or_else(|_| m.modified())?;
    let nanos = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok((m.len(), nanos as u64))
}

/// One change, drawn before the barrier is taken.
pub(crate) struct Draft {
    pub txn: String,
    pub patient_pick: f64,
    pub visit_uuid: String,
    pub immunization_uuid: String,
    pub reason: &'static str,
    pub weight_kg: f64,
    pub height_cm: f64,
    pub temperature_c: f64,
    pub notes: String,
    pub vaccine_pick: f64,
    pub recorded_by: &'static str,
    pub today: String,
    pub now: String,
}

/// What the clinical transaction did: the outbox describes it, and an undo
/// puts the stock row back.
pub(crate) struct Committed {
    patient: String,
    vaccine: String,
    dose: i64,
    lot: String,
    stock_id: i64,
    stock_uuid: String,
    new_qty: i64,
    old_qty: i64,
    old_updated: String,
    old_last_txn: Option<String>,
}

pub(crate) struct Conns {
    pub ids: Ids,
    clinical: Connection,
    sync: Connection,
    max_patient_id: i64,
    vaccines: Vec<String>,
}

fn sql_fail(path: &Path) -> impl Fn(rusqlite::Error) -> Failure + '_ {
    move |e| Failure::classify(e, path.to_path_buf())
}

impl Conns {
    pub(crate) fn open(data: &Path, ids: Ids) -> Result<Conns, Failure> {
        let cpath = data.join(CLINICAL_DB);
        let spath = data.join(SYNC_DB);
        let clinical = open_app(&cpath).map_err(sql_fail(&cpath))?;
        let sync = open_app(&spath).map_err(sql_fail(&spath))?;
        let max_patient_id: i64 = clinical
            .query_row("SELECT coalesce(max(id), 0) FROM patients", [], |r| {
                r.get(0)
            })
            .map_err(sql_fail(&cpath))?;
        if max_patient_id == 0 {
            return Err(Failure::Fatal(DemoError::NotDemoData {
                path: cpath,
                what: "patients",
            }));
        }
        let vaccines = clinical
            .prepare("SELECT DISTINCT item FROM stock WHERE kind = 'vaccine' ORDER BY item")
            .and_then(|mut st| {
                st.query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .map_err(sql_fail(&cpath))?;
        if vaccines.is_empty() {
            return Err(Failure::Fatal(DemoError::NotDemoData {
                path: cpath,
                what: "vaccine stock",
            }));
        }
        Ok(Conns {
            ids,
            clinical,
            sync,
            max_patient_id,
            vaccines,
        })
    }

    /// Visit + immunization + stock decrement, one transaction on clinical.db.
    pub(crate) fn clinical_txn(&mut self, d: &Draft) -> rusqlite::Result<Committed> {
        let tx = self
            .clinical
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let target = 1 + (d.patient_pick * self.max_patient_id as f64) as i64;
        let found: Option<String> = tx
            .prepare_cached("SELECT uuid FROM patients WHERE id >= ?1 ORDER BY id LIMIT 1")?
            .query_row([target], |r| r.get(0))
            .optional()?;
        let patient = match found {
            Some(p) => p,
            None => tx.query_row("SELECT uuid FROM patients ORDER BY id LIMIT 1", [], |r| {
                r.get(0)
            })?,
        };
        let n = self.vaccines.len();
        let vaccine = self.vaccines[((d.vaccine_pick * n as f64) as usize).min(n - 1)].clone();
        let (stock_id, stock_uuid, lot, old_qty, old_updated, old_last_txn): (
            i64,
            String,
            String,
            i64,
            String,
            _,
        ) = tx
            .prepare_cached(
                "SELECT id, uuid, lot_number, quantity, updated_at, last_writer_txn FROM stock \
                 WHERE item = ?1 ORDER BY quantity DESC, id LIMIT 1",
            )?
            .query_row([&vaccine], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
        let dose: i64 = tx
            .prepare_cached(
                "SELECT count(*) + 1 FROM immunizations WHERE patient_uuid = ?1 AND vaccine = ?2",
            )?
            .query_row(params![patient, vaccine], |r| r.get(0))?;
        tx.prepare_cached(
            "INSERT INTO visits (uuid, patient_uuid, visit_date, reason, weight_kg, height_cm, temperature_c, notes, \
             recorded_by, writer_txn, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            d.visit_uuid,
            patient,
            d.today,
            d.reason,
            d.weight_kg,
            d.height_cm,
            d.temperature_c,
            d.notes,
            d.recorded_by,
            d.txn,
            d.now
        ])?;
        tx.prepare_cached(
            "INSERT INTO immunizations (uuid, patient_uuid, vaccine, dose_number, given_on, lot_number, \
             session_uuid, visit_uuid, recorded_by, writer_txn, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            d.immunization_uuid,
            patient,
            vaccine,
            dose,
            d.today,
            lot,
            d.visit_uuid,
            d.recorded_by,
            d.txn,
            d.now
        ])?;
        let new_qty = if old_qty > 0 {
            old_qty - 1
        } else {
            RESTOCK - 1
        };
        tx.prepare_cached(
            "UPDATE stock SET quantity = ?1, updated_at = ?2, last_writer_txn = ?3 WHERE id = ?4",
        )?
        .execute(params![new_qty, d.now, d.txn, stock_id])?;
        tx.commit()?;
        Ok(Committed {
            patient,
            vaccine,
            dose,
            lot,
            stock_id,
            stock_uuid,
            new_qty,
            old_qty,
            old_updated,
            old_last_txn,
        })
    }

    /// The three outbox entries of the change, one transaction on sync.db.
    pub(crate) fn sync_txn(&mut self, d: &Draft, c: &Committed) -> rusqlite::Result<()> {
        let visit = json!({"uuid": d.visit_uuid, "patient_uuid": c.patient, "visit_date": d.today,
            "reason": d.reason, "weight_kg": d.weight_kg, "height_cm": d.height_cm,
            "temperature_c": d.temperature_c, "notes": d.notes});
        let immunization = json!({"uuid": d.immunization_uuid, "patient_uuid": c.patient, "vaccine": c.vaccine,
            "dose_number": c.dose, "given_on": d.today, "lot_number": c.lot, "visit_uuid": d.visit_uuid});
        let stock = json!({"uuid": c.stock_uuid, "quantity": c.new_qty, "updated_at": d.now});
        let tx = self
            .sync
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO outbox (entity, entity_uuid, op, payload, txn_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            ins.execute(params![
                "visit",
                d.visit_uuid,
                "insert",
                visit.to_string(),
                d.txn,
                d.now
            ])?;
            ins.execute(params![
                "immunization",
                d.immunization_uuid,
                "insert",
                immunization.to_string(),
                d.txn,
                d.now
            ])?;
            ins.execute(params![
                "stock",
                c.stock_uuid,
                "update",
                stock.to_string(),
                d.txn,
                d.now
            ])?;
        }
        tx.commit()
    }

    /// Takes back a clinical transaction whose outbox half failed.
    pub(crate) fn undo_clinical(&mut self, d: &Draft, c: &Committed) -> rusqlite::Result<()> {
        let tx = self
            .clinical
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM immunizations WHERE writer_txn = ?1", [&d.txn])?;
        tx.execute("DELETE FROM visits WHERE writer_txn = ?1", [&d.txn])?;
        tx.execute(
            "UPDATE stock SET quantity = ?1, updated_at = ?2, last_writer_txn = ?3 WHERE id = ?4 AND last_writer_txn = ?5",
            params![c.old_qty, c.old_updated, c.old_last_txn, c.stock_id, d.txn],
        )?;
        tx.commit()
    }
}

//! Is every writer transaction whole? Reads a data folder (a restored one,
//! or a live one while no writer runs) read-only and lists what is not.
//!
//! Checks: each writer transaction id has exactly one visit, one
//! immunization of that visit, and outbox entries for the visit, the
//! immunization and the stock change; no outbox entry of a writer
//! transaction lacks its visit; no outbox entry names a record that does
//! not exist; visits and immunizations name existing patients; both
//! databases pass `PRAGMA quick_check`.

use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;

use super::schema::{open_read_only, CLINICAL_DB, SYNC_DB};
use super::{DemoError, WRITER_TXN_PREFIX};

/// At most this many examples per kind of problem; the rest are counted.
const EXAMPLES: usize = 10;

/// What [`check_consistency`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsistencyReport {
    /// Writer transactions seen in `clinical.db` (distinct ids on visits).
    pub visits_from_writer: u64,
    /// Writer transactions seen in `sync.db` (distinct outbox transaction ids).
    pub outbox_from_writer: u64,
    /// One line per problem; empty = consistent.
    pub problems: Vec<String>,
}

impl ConsistencyReport {
    /// True when no problem was found.
    pub fn is_consistent(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the data folder `data_dir` (holding `clinical.db` and `sync.db`),
/// opening both databases read-only. Run it on data at rest (restored, or
/// with no writer running): the two databases are read one after the other.
pub fn check_consistency(data_dir: &Path) -> Result<ConsistencyReport, DemoError> {
    let clinical = data_dir.join(CLINICAL_DB);
    let sync = data_dir.join(SYNC_DB);
    for path in [&clinical, &sync] {
        if !path.is_file() {
            return Err(DemoError::MissingDatabase { path: path.clone() });
        }
    }
    let conn = open_read_only(&sync, &[("clinical", clinical.clone())])?;
    for (schema, table, path) in [
        ("main", "outbox", &sync),
        ("clinical", "visits", &clinical),
        ("clinical", "immunizations", &clinical),
        ("clinical", "patients", &clinical),
        ("clinical", "stock", &clinical),
    ] {
        let found: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?1"),
                [table],
                |r| r.get(0),
            )
            .map_err(DemoError::sql(carevault_i18n::t!("cli-demo-doing-read-the-schema"), path))?;
        if found == 0 {
            return Err(DemoError::NotDemoData {
                path: path.clone(),
                what: table_what(table),
            });
        }
    }
    let mut report = ConsistencyReport::default();
    let mut c = Checker {
        conn: &conn,
        problems: &mut report.problems,
    };
    c.run(data_dir).map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-check-consistency"),
        data_dir,
    ))?;
    report.visits_from_writer = count(
        &conn,
        "SELECT count(DISTINCT writer_txn) FROM clinical.visits WHERE writer_txn IS NOT NULL",
    )
    .map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-count-writer-visits"),
        &clinical,
    ))?;
    report.outbox_from_writer = count(
        &conn,
        &format!(
            "SELECT count(DISTINCT txn_id) FROM outbox o WHERE {}",
            writer("o")
        ),
    )
    .map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-count-writer-outbox-entries"),
        &sync,
    ))?;
    Ok(report)
}

fn table_what(table: &str) -> &'static str {
    match table {
        "outbox" => "outbox table",
        "visits" => "visits table",
        "immunizations" => "immunizations table",
        "patients" => "patients table",
        _ => "stock table",
    }
}

fn count(conn: &Connection, sql: &str) -> rusqlite::Result<u64> {
    let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// SQL condition: outbox row `alias` belongs to a writer transaction (a
/// range, so the `outbox_txn` index serves it).
fn writer(alias: &str) -> String {
    let mut hi = WRITER_TXN_PREFIX.to_string();
    let last = hi
        .pop()
        .map_or('\u{0}', |c| char::from_u32(c as u32 + 1).unwrap_or(c));
    hi.push(last);
    format!("({alias}.txn_id >= '{WRITER_TXN_PREFIX}' AND {alias}.txn_id < '{hi}')")
}

struct Checker<'a> {
    conn: &'a Connection,
    problems: &'a mut Vec<String>,
}

impl Checker<'_> {
    /// Runs `sql` (rows of text columns) and words each row with `say`.
    fn rows(&mut self, sql: &str, say: impl Fn(&[String]) -> String) -> rusqlite::Result<()> {
        let mut st = self.conn.prepare(sql)?;
        let width = st.column_count();
        let mut rows = st.query([])?;
        let mut n = 0usize;
        while let Some(row) = rows.next()? {
            n += 1;
            if n <= EXAMPLES {
                let cols: Vec<String> = (0..width)
                    .map(|i| row.get::<_, rusqlite::types::Value>(i).map(text))
                    .collect::<rusqlite::Result<_>>()?;
                self.problems.push(say(&cols));
            }
        }
        if n > EXAMPLES {
            self.problems.push(format!(
                "... and {} more problems of the kind above",
                n - EXAMPLES
            ));
        }
        Ok(())
    }

    fn run(&mut self, data_dir: &Path) -> rusqlite::Result<()> {
        for (schema, file) in [("main", SYNC_DB), ("clinical", CLINICAL_DB)] {
            let verdict: String =
                self.conn
                    .query_row(&format!("PRAGMA {schema}.quick_check(1)"), [], |r| r.get(0))?;
            if verdict != "ok" {
                let path = data_dir.join(file);
                self.problems
                    .push(format!("{}: quick_check failed: {verdict}", path.display()));
            }
        }
        let w = writer("o");
        self.rows(
            "SELECT writer_txn, count(*) FROM clinical.visits WHERE writer_txn IS NOT NULL \
             GROUP BY writer_txn HAVING count(*) > 1",
            |r| {
                format!(
                    "writer txn {}: {} visits carry this id (duplicated transaction id)",
                    r[0], r[1]
                )
            },
        )?;
        self.rows(
            "SELECT writer_txn, count(*) FROM clinical.immunizations WHERE writer_txn IS NOT NULL \
             GROUP BY writer_txn HAVING count(*) > 1",
            |r| {
                format!(
                    "writer txn {}: {} immunizations carry this id (duplicated transaction id)",
                    r[0], r[1]
                )
            },
        )?;
        self.rows(
            &format!("SELECT txn_id, entity, count(*) FROM outbox o WHERE {w} GROUP BY txn_id, entity HAVING count(*) > 1"),
            |r| format!("writer txn {}: {} outbox '{}' entries (duplicated transaction id)", r[0], r[2], r[1]),
        )?;
        self.rows(
            "SELECT v.writer_txn, v.uuid FROM clinical.visits v WHERE v.writer_txn IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM clinical.immunizations i WHERE i.writer_txn = v.writer_txn AND i.visit_uuid = v.uuid)",
            |r| format!("writer txn {}: visit {} has no immunization of the same transaction (partial transaction)", r[0], r[1]),
        )?;
        self.rows(
            "SELECT i.writer_txn, i.uuid FROM clinical.immunizations i WHERE i.writer_txn IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM clinical.visits v WHERE v.writer_txn = i.writer_txn AND v.uuid = i.visit_uuid)",
            |r| format!("writer txn {}: immunization {} has no visit of the same transaction (partial transaction)", r[0], r[1]),
        )?;
        for (table, entity) in [("visits", "visit"), ("immunizations", "immunization")] {
            self.rows(
                &format!(
                    "SELECT x.writer_txn, x.uuid FROM clinical.{table} x WHERE x.writer_txn IS NOT NULL AND NOT EXISTS \
                     (SELECT 1 FROM outbox o WHERE o.txn_id = x.writer_txn AND o.entity = '{entity}' AND o.entity_uuid = x.uuid)"
                ),
                |r| {
                    format!(
                        "writer txn {}: {entity} {} is in clinical.db but its outbox entry is missing from sync.db \
                         (partial transaction)",
                        r[0], r[1]
                    )
                },
            )?;
        }
        self.rows(
            "SELECT v.writer_txn FROM clinical.visits v WHERE v.writer_txn IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM outbox o WHERE o.txn_id = v.writer_txn AND o.entity = 'stock')",
            |r| format!("writer txn {}: the stock change has no outbox entry in sync.db (partial transaction)", r[0]),
        )?;
        self.rows(
            &format!(
                "SELECT o.id, o.txn_id, o.entity, o.entity_uuid FROM outbox o WHERE {w} AND NOT EXISTS \
                 (SELECT 1 FROM clinical.visits v WHERE v.writer_txn = o.txn_id)"
            ),
            |r| {
                format!(
                    "outbox entry #{} ({} {}) belongs to writer txn {}, whose visit is missing from clinical.db \
                     (partial transaction)",
                    r[0], r[2], r[3], r[1]
                )
            },
        )?;
        self.rows(
            "SELECT o.id, o.entity, o.entity_uuid, o.txn_id FROM outbox o WHERE o.op != 'delete' AND NOT (CASE o.entity \
             WHEN 'patient' THEN EXISTS (SELECT 1 FROM clinical.patients x WHERE x.uuid = o.entity_uuid) \
             WHEN 'visit' THEN EXISTS (SELECT 1 FROM clinical.visits x WHERE x.uuid = o.entity_uuid) \
             WHEN 'immunization' THEN EXISTS (SELECT 1 FROM clinical.immunizations x WHERE x.uuid = o.entity_uuid) \
             WHEN 'stock' THEN EXISTS (SELECT 1 FROM clinical.stock x WHERE x.uuid = o.entity_uuid) \
             ELSE 0 END)",
            |r| format!("outbox entry #{} (txn {}): {} {} is missing from clinical.db", r[0], r[3], r[1], r[2]),
        )?;
        for table in ["visits", "immunizations"] {
            self.rows(
                &format!(
                    "SELECT count(*) FROM clinical.{table} x WHERE NOT EXISTS \
                     (SELECT 1 FROM clinical.patients p WHERE p.uuid = x.patient_uuid) HAVING count(*) > 0"
                ),
                |r| format!("{} {table} refer to patients missing from clinical.db", r[0]),
            )?;
        }
        Ok(())
    }
}

fn text(v: rusqlite::types::Value) -> String {
    use rusqlite::types::Value;
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(s) => s,
        Value::Blob(b) => hex::encode(b),
    }
}

//! The clinic's reference data in `clinical.db`: vaccine and supply stock
//! (with lots), and the weekly immunization sessions of the last five years.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::Rng;
use rusqlite::{params, Connection};

use super::pools::{
    civil, clinic_time, date, pick, timestamp, uuid, STOCK_ITEMS, TODAY, VILLAGES, WINDOW_DAYS,
};

pub(crate) struct Sessions {
    first_day: i64,
    days: Vec<i64>,
    uuids: Vec<String>,
}

impl Sessions {
    /// The session at or after `day` (vaccines are given on session days);
    /// `None` for a session after today. Before the first session: no session.
    pub(crate) fn at(&self, day: i64) -> Option<(i64, Option<&str>)> {
        if day < self.first_day {
            return Some((day, None));
        }
        let k = usize::try_from((day - self.first_day + 6) / 7).ok()?;
        Some((*self.days.get(k)?, Some(self.uuids[k].as_str())))
    }
}

fn lot_code(item: &str) -> String {
    item.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(3)
        .collect::<String>()
        .to_ascii_uppercase()
}

pub(crate) fn stock(
    conn: &Connection,
    rng: &mut StdRng,
) -> rusqlite::Result<HashMap<&'static str, Vec<String>>> {
    let mut ins = conn.prepare(
        "INSERT INTO stock (uuid, item, kind, lot_number, quantity, unit, expires_on, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut lots: HashMap<&'static str, Vec<String>> = HashMap::new();
    for &(item, kind, unit) in STOCK_ITEMS {
        for _ in 0..rng.gen_range(2..=3) {
            let lot = format!(
                "{}{}{:04}",
                lot_code(item),
                civil(TODAY).0 % 100,
                rng.gen_range(0..10_000)
            );
            let qty: i64 = if kind == "vaccine" {
                rng.gen_range(200..3_000)
            } else {
                rng.gen_range(500..10_000)
            };
            let expires = date(TODAY + rng.gen_range(60..720));
            let day = TODAY - rng.gen_range(0..30);
            let updated = timestamp(clinic_time(rng, day));
            ins.execute(params![
                uuid(rng),
                item,
                kind,
                lot,
                qty,
                unit,
                expires,
                updated
            ])?;
            lots.entry(item).or_default().push(lot);
        }
    }
    Ok(lots)
}

pub(crate) fn sessions(conn: &Connection, rng: &mut StdRng) -> rusqlite::Result<Sessions> {
    let mut ins = conn.prepare(
        "INSERT INTO immunization_sessions (uuid, session_date, kind, location, vaccinator, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let first_day = TODAY - WINDOW_DAYS;
    let mut s = Sessions {
        first_day,
        days: Vec::new(),
        uuids: Vec::new(),
    };
    let mut day = first_day;
    while day <= TODAY {
        let (kind, location) = if s.days.len() % 3 == 2 {
            ("outreach", pick(rng, VILLAGES))
        } else {
            ("static", "Health centre")
        };
        let vaccinator = if rng.gen_bool(0.8) {
            "Esther Nakato"
        } else {
            "Grace Atim"
        };
        let id = uuid(rng);
        let created = timestamp(clinic_time(rng, day));
        ins.execute(params![id, date(day), kind, location, vaccinator, created])?;
        s.days.push(day);
        s.uuids.push(id);
        day += 7;
    }
    Ok(s)
}

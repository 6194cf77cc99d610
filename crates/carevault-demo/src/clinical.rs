//! Bulk generation of `clinical.db`: stock, immunization sessions, and
//! patients with their visits and immunizations, in one transaction.

use std::collections::HashMap;
use std::path::Path;

use rand::rngs::StdRng;
use rand::Rng;
use rusqlite::{params, Connection, Statement};
use serde_json::json;

use super::pools::{
    civil, clinic_time, date, pick, tenth, timestamp, uuid, ADULT_REASONS, CHILD_REASONS,
    CHILD_SCHEDULE, FAMILY, FEVER_REASONS, GIVEN_F, GIVEN_M, NOTES, TODAY, VILLAGES, WINDOW_DAYS,
};
use super::reference::{self, Sessions};
use super::schema::{create_bulk, finish_bulk, CLINICAL_INDEXES, CLINICAL_TABLES};
use super::DemoError;

/// When the last successful synchronization ended: everything created
/// later is still pending in the outbox.
pub(crate) fn last_sync_end() -> i64 {
    (TODAY - 3) * 86_400 + 15 * 3600
}

/// 2021-06-01, when COVID-19 vaccination reached the clinic.
const COVID_START: i64 = 18_779;

/// A change not yet synchronized, for the outbox.
pub(crate) struct Pending {
    pub entity: &'static str,
    pub uuid: String,
    pub payload: String,
    pub created_at: i64,
}

/// Enough of a patient to name a photo or write a document about them.
pub(crate) struct PatientBrief {
    pub uuid: String,
    pub name: String,
    pub sex: &'static str,
    pub dob: String,
    pub village: &'static str,
}

pub(crate) struct ClinicalOut {
    pub patients: u64,
    pub visits: u64,
    pub immunizations: u64,
    pub pending: Vec<Pending>,
    pub briefs: Vec<PatientBrief>,
}

struct Stmts<'c> {
    patient: Statement<'c>,
    visit: Statement<'c>,
    immunization: Statement<'c>,
}

struct Gen<'c> {
    rng: StdRng,
    st: Stmts<'c>,
    sessions: Sessions,
    lots: HashMap<&'static str, Vec<String>>,
    out: ClinicalOut,
}

/// Generates `clinical.db` at `path` with `patients` patients; keeps
/// `briefs` of them for files.
pub(crate) fn generate(
    path: &Path,
    patients: u64,
    briefs: usize,
    rng: StdRng,
) -> Result<ClinicalOut, DemoError> {
    let mut conn = create_bulk(path)?;
    let out = {
        let tx = conn.transaction().map_err(DemoError::sql(
            carevault_i18n::t!("cli-demo-doing-begin-the-bulk-load"),
            path,
        ))?;
        let out = fill(&tx, patients, briefs, rng).map_err(DemoError::sql(
            carevault_i18n::t!("cli-demo-doing-generate-clinical-data"),
            path,
        ))?;
        tx.commit().map_err(DemoError::sql(
            carevault_i18n::t!("cli-demo-doing-commit-the-bulk-load"),
            path,
        ))?;
        out
    };
    finish_bulk(conn, path)?;
    Ok(out)
}

fn fill(
    conn: &Connection,
    patients: u64,
    briefs: usize,
    mut rng: StdRng,
) -> rusqlite::Result<ClinicalOut> {
    conn.execute_batch(CLINICAL_TABLES)?;
    let lots = reference::stock(conn, &mut rng)?;
    let sessions = reference::sessions(conn, &mut rng)?;
    let st = Stmts {
        patient: conn.prepare(
            "INSERT INTO patients (uuid, given_name, family_name, sex, date_of_birth, village, phone, guardian_name, \
             national_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?,
        visit: conn.prepare(
            "INSERT INTO visits (uuid, patient_uuid, visit_date, reason, weight_kg, height_cm, temperature_c, notes, \
             recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?,
        immunization: conn.prepare(
            "INSERT INTO immunizations (uuid, patient_uuid, vaccine, dose_number, given_on, lot_number, session_uuid, \
             recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?,
    };
    let out = ClinicalOut {
        patients: 0,
        visits: 0,
        immunizations: 0,
        pending: Vec::new(),
        briefs: Vec::with_capacity(briefs),
    };
    let mut g = Gen {
        rng,
        st,
        sessions,
        lots,
        out,
    };
    for _ in 0..patients {
        g.patient(briefs)?;
    }
    let Gen { st, out, .. } = g;
    drop(st);
    conn.execute_batch(CLINICAL_INDEXES)?;
    Ok(out)
}

/// Weight (kg) and height (cm) of someone `age` years old.
fn body<R: Rng>(rng: &mut R, age: f64, sex: &str) -> (f64, f64) {
    let (w, h) = if age < 1.0 {
        (3.3 + 6.5 * age, 50.0 + 25.0 * age)
    } else if age < 15.0 {
        (9.5 + 2.6 * (age - 1.0), 75.0 + 6.0 * (age - 1.0))
    } else if sex == "F" {
        (58.0, 158.0)
    } else {
        (64.0, 167.0)
    };
    let w = w * rng.gen_range(0.85..1.2);
    let h = h * rng.gen_range(0.95..1.05);
    (tenth(w), tenth(h))
}

impl Gen<'_> {
    fn recorder(&mut self) -> &'static str {
        if self.rng.gen_bool(0.8) {
            "nurse"
        } else {
            "manager"
        }
    }

    fn patient(&mut self, briefs: usize) -> rusqlite::Result<()> {
        let rng = &mut self.rng;
        let sex = if rng.gen_bool(0.54) { "F" } else { "M" };
        let group = rng.gen_range(0..100);
        let age_days = match group {
            0..25 => rng.gen_range(0..5 * 365),
            25..45 => rng.gen_range(5 * 365..15 * 365),
            _ => rng.gen_range(15 * 365..80 * 365),
        };
        let dob = TODAY - age_days;
        let first_day = TODAY - WINDOW_DAYS;
        let reg_day = if dob >= first_day {
            (dob + rng.gen_range(0..30)).min(TODAY)
        } else {
            first_day + rng.gen_range(0..=WINDOW_DAYS)
        };
        let given = pick(rng, if sex == "F" { GIVEN_F } else { GIVEN_M });
        let family = pick(rng, FAMILY);
        let village = pick(rng, VILLAGES);
        let phone = rng.gen_bool(0.75).then(|| {
            format!(
                "+2567{}{:08}",
                rng.gen_range(0..10),
                rng.gen_range(0..100_000_000)
            )
        });
        let guardian = (age_days < 18 * 365).then(|| format!("{} {}", pick(rng, GIVEN_F), family));
        let national_id = (age_days >= 18 * 365 && rng.gen_bool(0.8)).then(|| {
            let letters: String = (0..4)
                .map(|_| char::from(rng.gen_range(b'A'..=b'Z')))
                .collect();
            format!(
                "C{}{:02}{:06}{letters}",
                sex,
                civil(dob).0 % 100,
                rng.gen_range(0..1_000_000)
            )
        });
        let id = uuid(rng);
        let created = clinic_time(rng, reg_day);

        let mut days: Vec<i64> = (1..rng.gen_range(1..=9))
            .map(|_| rng.gen_range(reg_day..=TODAY))
            .collect();
        days.push(reg_day);
        days.sort_unstable();
        let times: Vec<i64> = days
            .iter()
            .map(|&d| {
                if d == reg_day {
                    created
                } else {
                    clinic_time(rng, d)
                }
            })
            .collect();
        let updated = times.iter().copied().max().unwrap_or(created).max(created);

        self.st.patient.execute(params![
            id,
            given,
            family,
            sex,
            date(dob),
            village,
            phone,
            guardian,
            national_id,
            timestamp(created),
            timestamp(updated)
        ])?;
        self.out.patients += 1;
        if created > last_sync_end() {
            let payload = json!({"uuid": id, "given_name": given, "family_name": family, "sex": sex,
                "date_of_birth": date(dob), "village": village, "phone": phone});
            self.pend("patient", &id, payload, created);
        }
        for (&day, &time) in days.iter().zip(&times) {
            self.visit(&id, sex, dob, day, time)?;
        }
        self.immunizations(&id, sex, dob, reg_day)?;
        if self.out.briefs.len() < briefs {
            self.out.briefs.push(PatientBrief {
                uuid: id,
                name: format!("{given} {family}"),
                sex,
                dob: date(dob),
                village,
            });
        }
        Ok(())
    }

    fn visit(
        &mut self,
        patient: &str,
        sex: &str,
        dob: i64,
        day: i64,
        time: i64,
    ) -> rusqlite::Result<()> {
        let recorded_by = self.recorder();
        let rng = &mut self.rng;
        let age = (day - dob) as f64 / 365.25;
        let mut reason = pick(
            rng,
            if age < 5.0 {
                CHILD_REASONS
            } else {
                ADULT_REASONS
            },
        );
        let maternal = matches!(
            reason,
            "Family planning" | "Antenatal care" | "Postnatal care"
        );
        if maternal && (sex != "F" || !(15.0..49.0).contains(&age)) {
            reason = "Follow-up";
        }
        let (weight, height) = body(rng, age, sex);
        let temperature = if FEVER_REASONS.contains(&reason) {
            rng.gen_range(37.6..40.2)
        } else {
            rng.gen_range(36.1..37.4)
        };
        let notes = rng.gen_bool(0.7).then(|| pick(rng, NOTES));
        let id = uuid(rng);
        self.st.visit.execute(params![
            id,
            patient,
            date(day),
            reason,
            weight,
            height,
            tenth(temperature),
            notes,
            recorded_by,
            timestamp(time)
        ])?;
        self.out.visits += 1;
        if time > last_sync_end() {
            let payload = json!({"uuid": id, "patient_uuid": patient, "visit_date": date(day), "reason": reason,
                "weight_kg": weight, "height_cm": height, "notes": notes});
            self.pend("visit", &id, payload, time);
        }
        Ok(())
    }

    fn immunizations(
        &mut self,
        patient: &str,
        sex: &str,
        dob: i64,
        reg_day: i64,
    ) -> rusqlite::Result<()> {
        let age_days = TODAY - dob;
        let mut doses: Vec<(&'static str, i64, i64)> = Vec::new();
        let rng = &mut self.rng;
        if age_days < 5 * 365 {
            for &(vaccine, dose, at) in CHILD_SCHEDULE {
                if rng.gen_bool(0.88) {
                    doses.push((vaccine, dose, dob + at + rng.gen_range(0..21)));
                }
            }
        } else if age_days < 15 * 365 {
            if sex == "F" && rng.gen_bool(0.7) {
                let first = (dob + 9 * 365 + rng.gen_range(0..365)).max(reg_day);
                doses.push(("HPV", 1, first));
                doses.push(("HPV", 2, first + 180 + rng.gen_range(0..30)));
            }
        } else {
            if sex == "F" && age_days < 49 * 365 && rng.gen_bool(0.35) {
                let first = rng.gen_range(reg_day..=TODAY);
                doses.push(("Td", 1, first));
                if rng.gen_bool(0.6) {
                    doses.push(("Td", 2, first + 28 + rng.gen_range(0..60)));
                }
            }
            if rng.gen_bool(0.25) {
                doses.push((
                    "COVID-19 (J&J)",
                    1,
                    rng.gen_range(reg_day.max(COVID_START)..=TODAY),
                ));
            }
        }
        for (vaccine, dose, target) in doses {
            if target > TODAY {
                continue;
            }
            let recorded_by = self.recorder();
            let Some((given_on, session)) = self.sessions.at(target) else {
                continue;
            };
            let rng = &mut self.rng;
            let lot = self
                .lots
                .get(vaccine)
                .map(|l| l[rng.gen_range(0..l.len())].as_str())
                .unwrap_or("UNKNOWN");
            let id = uuid(rng);
            let created = clinic_time(rng, given_on.max(reg_day));
            self.st.immunization.execute(params![
                id,
                patient,
                vaccine,
                dose,
                date(given_on),
                lot,
                session,
                recorded_by,
                timestamp(created)
            ])?;
            self.out.immunizations += 1;
            if created > last_sync_end() {
                let payload = json!({"uuid": id, "patient_uuid": patient, "vaccine": vaccine, "dose_number": dose,
                    "given_on": date(given_on), "lot_number": lot, "session_uuid": session});
                self.pend("immunization", &id, payload, created);
            }
        }
        Ok(())
    }

    fn pend(
        &mut self,
        entity: &'static str,
        id: &str,
        payload: serde_json::Value,
        created_at: i64,
    ) {
        self.out.pending.push(Pending {
            entity,
            uuid: id.to_string(),
            payload: payload.to_string(),
            created_at,
        });
    }
}

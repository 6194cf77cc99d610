//! Word pools and small helpers (dates, ids) for realistic demo data.

use rand::Rng;

/// The demo clinic's "today": 2025-11-03, as days since 1970-01-01.
pub(crate) const TODAY: i64 = 20_395;
/// Data goes back five years before [`TODAY`].
pub(crate) const WINDOW_DAYS: i64 = 5 * 365;

pub(crate) const GIVEN_F: &[&str] = &[
    "Amina", "Grace", "Esther", "Sarah", "Mary", "Joyce", "Florence", "Agnes", "Harriet", "Ruth",
    "Brenda", "Mercy", "Faith", "Patience", "Annet", "Juliet", "Winnie", "Rose", "Scovia",
    "Doreen", "Prossy", "Zawadi", "Halima", "Aisha", "Fatuma", "Neema", "Rehema", "Imani",
    "Ayesha", "Lydia", "Sylvia", "Janet",
];
pub(crate) const GIVEN_M: &[&str] = &[
    "Joseph",
    "Peter",
    "John",
    "Moses",
    "Samuel",
    "David",
    "Isaac",
    "Emmanuel",
    "Brian",
    "Ivan",
    "Ronald",
    "Patrick",
    "Denis",
    "Godfrey",
    "Robert",
    "Simon",
    "Paul",
    "Daniel",
    "Juma",
    "Baraka",
    "Hassan",
    "Ibrahim",
    "Musa",
    "Yusuf",
    "Kato",
    "Okello",
    "Mugisha",
    "Tumusiime",
    "Charles",
    "Francis",
    "Julius",
    "Nelson",
];
pub(crate) const FAMILY: &[&str] = &[
    "Okello",
    "Namubiru",
    "Mugisha",
    "Atim",
    "Nakato",
    "Ouma",
    "Kato",
    "Achieng",
    "Otieno",
    "Wanjiru",
    "Mwangi",
    "Nyirenda",
    "Banda",
    "Phiri",
    "Tumusiime",
    "Byaruhanga",
    "Ssempijja",
    "Nansubuga",
    "Opio",
    "Akello",
    "Lubega",
    "Kiprop",
    "Chebet",
    "Hakizimana",
    "Uwimana",
    "Niyonzima",
    "Mutesi",
    "Kamau",
    "Njoroge",
    "Mensah",
    "Asiimwe",
    "Ainembabazi",
    "Kyomuhendo",
    "Bwambale",
    "Masika",
    "Were",
    "Wafula",
    "Nabirye",
    "Mukasa",
    "Ndayisaba",
];
pub(crate) const VILLAGES: &[&str] = &[
    "Rubanda",
    "Kisoro Town",
    "Nyakabande",
    "Chahi",
    "Muramba",
    "Busanza",
    "Nyarusiza",
    "Bukimbiri",
    "Kanaba",
    "Nyundo",
    "Rwaramba",
    "Gisozi",
    "Kagezi",
    "Mabungo",
    "Bunagana",
    "Rukongi",
    "Kabindi",
    "Mutolere",
    "Gasiza",
    "Nteko",
    "Murora",
    "Kabale Road",
    "Rubuguri",
    "Nyabihuku",
    "Kinanira",
    "Kashenyi",
    "Buhozi",
    "Kiringa",
];
pub(crate) const FACILITIES: &[&str] = &[
    "Rubanda Health Centre III",
    "Nyakabande Health Centre II",
    "Mutolere Outreach Clinic",
    "Chahi Health Centre III",
    "Bunagana Border Health Post",
];

pub(crate) const CHILD_REASONS: &[&str] = &[
    "Growth monitoring",
    "Immunization",
    "Fever",
    "Diarrhoea",
    "Cough and difficulty breathing",
    "Skin rash",
    "Malnutrition screening",
    "Ear infection",
    "Follow-up",
];
pub(crate) const ADULT_REASONS: &[&str] = &[
    "Malaria",
    "Hypertension follow-up",
    "Family planning",
    "Antenatal care",
    "Postnatal care",
    "Diabetes review",
    "HIV care and treatment",
    "Tuberculosis follow-up",
    "Wound dressing",
    "Cough",
    "Headache and body pain",
    "Follow-up",
];
pub(crate) const FEVER_REASONS: &[&str] = &[
    "Fever",
    "Malaria",
    "Cough and difficulty breathing",
    "Ear infection",
];

pub(crate) const NOTES: &[&str] = &[
    "Patient alert and oriented. Advised to return if symptoms persist beyond three days.",
    "Mother reports good feeding. Weight gain adequate for age; counselled on complementary feeding.",
    "Malaria RDT positive. Started artemether-lumefantrine, first dose given under observation.",
    "Malaria RDT negative. Paracetamol given; caregiver advised on fever danger signs.",
    "BP 142/91 mmHg. Continue amlodipine 5 mg daily, reduce salt, review in one month.",
    "Blood sugar 8.4 mmol/L fasting. Adherence counselling done, metformin refilled for 30 days.",
    "ORS and zinc given for 10 days. Mild dehydration corrected; no blood in stool.",
    "Chest clear on auscultation. Respiratory rate normal for age; home care advice given.",
    "Antenatal profile done: Hb 11.2 g/dL, syphilis negative. IPTp dose 2 given, ITN issued.",
    "Injectable contraceptive (DMPA) given. Next appointment in 13 weeks.",
    "Viral load suppressed at last test. ART refill for three months, next visit scheduled.",
    "Wound clean and healing. Dressing changed; tetanus status checked.",
    "MUAC 12.1 cm (yellow). Enrolled in supplementary feeding, review in two weeks.",
    "Referred to district hospital for further assessment; referral letter written.",
    "Caregiver missed last appointment due to distance; outreach session planned in village.",
    "TB treatment month 4: sputum smear negative, adherence good, no side effects reported.",
];

/// A vaccine in the childhood schedule: (name, dose number, age in days).
pub(crate) const CHILD_SCHEDULE: &[(&str, i64, i64)] = &[
    ("BCG", 1, 0),
    ("OPV", 1, 0),
    ("OPV", 2, 42),
    ("Pentavalent (DTP-HepB-Hib)", 1, 42),
    ("PCV13", 1, 42),
    ("Rotavirus", 1, 42),
    ("OPV", 3, 70),
    ("Pentavalent (DTP-HepB-Hib)", 2, 70),
    ("PCV13", 2, 70),
    ("Rotavirus", 2, 70),
    ("OPV", 4, 98),
    ("Pentavalent (DTP-HepB-Hib)", 3, 98),
    ("PCV13", 3, 98),
    ("IPV", 1, 98),
    ("Measles-Rubella", 1, 270),
    ("Yellow Fever", 1, 270),
    ("Measles-Rubella", 2, 540),
];

/// Stock items: (name, kind, unit). The vaccines are the ones given.
pub(crate) const STOCK_ITEMS: &[(&str, &str, &str)] = &[
    ("BCG", "vaccine", "dose"),
    ("OPV", "vaccine", "dose"),
    ("Pentavalent (DTP-HepB-Hib)", "vaccine", "dose"),
    ("PCV13", "vaccine", "dose"),
    ("Rotavirus", "vaccine", "dose"),
    ("IPV", "vaccine", "dose"),
    ("Measles-Rubella", "vaccine", "dose"),
    ("Yellow Fever", "vaccine", "dose"),
    ("HPV", "vaccine", "dose"),
    ("Td", "vaccine", "dose"),
    ("COVID-19 (J&J)", "vaccine", "dose"),
    ("AD syringe 0.5 ml", "supply", "piece"),
    ("AD syringe 0.05 ml", "supply", "piece"),
    ("Safety box 5 l", "supply", "piece"),
    ("Cotton wool 500 g", "supply", "roll"),
    ("Examination gloves (M)", "supply", "box"),
    ("Malaria RDT", "supply", "test"),
    ("ORS sachet", "supply", "sachet"),
    ("Zinc 20 mg", "supply", "tablet"),
    ("Paracetamol 500 mg", "supply", "tablet"),
];

pub(crate) fn pick<'a, R: Rng>(rng: &mut R, pool: &[&'a str]) -> &'a str {
    pool[rng.gen_range(0..pool.len())]
}

/// A random (version 4) UUID in its usual text form.
pub(crate) fn uuid<R: Rng>(rng: &mut R) -> String {
    let mut b: [u8; 16] = rng.gen();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// (year, month, day) of a day number (days since 1970-01-01), proleptic
/// Gregorian (H. Hinnant's `civil_from_days`).
pub(crate) fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn date(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC) of seconds since the Unix epoch.
pub(crate) fn timestamp(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// A time during clinic hours (07:30 to 17:00 UTC+3, stored as UTC) on `day`.
pub(crate) fn clinic_time<R: Rng>(rng: &mut R, day: i64) -> i64 {
    day * 86_400 + rng.gen_range(4 * 3600 + 1800..14 * 3600)
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Rounds to one decimal, as a scale or thermometer shows it.
pub(crate) fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(TODAY), "2025-11-03");
        assert_eq!(date(11_016), "2000-02-29");
        assert_eq!(timestamp(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn uuid_shape() {
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
        let u = uuid(&mut rng);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}

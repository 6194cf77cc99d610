//! The demo's files: patient photos (incompressible, like real JPEGs),
//! scanned documents (text), and the app config.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, RngCore};
use serde::Serialize;

use super::clinical::PatientBrief;
use super::pools::{date, pick, FACILITIES, NOTES, TODAY};
use super::DemoError;

/// JPEG start of image + a JFIF APP0 segment.
const JPEG_HEAD: [u8; 20] = [
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00,
];
/// JPEG end of image.
const JPEG_TAIL: [u8; 2] = [0xFF, 0xD9];

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), DemoError> {
    let mut f = File::create(path).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-create"),
        path,
    ))?;
    f.write_all(bytes).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-write"),
        path,
    ))?;
    f.sync_all().map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-fsync"),
        path,
    ))
}

/// File name stem for the `i`-th file about one of `briefs` (several files
/// per patient when there are more files than patients).
fn stem(briefs: &[PatientBrief], i: usize) -> (&PatientBrief, String) {
    let p = &briefs[i % briefs.len()];
    let k = i / briefs.len();
    let stem = if k == 0 {
        p.uuid.clone()
    } else {
        format!("{}-{}", p.uuid, k + 1)
    };
    (p, stem)
}

/// `n` photos of 30-300 KB of random bytes framed as JPEG.
pub(crate) fn photos(
    dir: &Path,
    briefs: &[PatientBrief],
    n: u64,
    rng: &mut StdRng,
) -> Result<(), DemoError> {
    std::fs::create_dir_all(dir).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-create-the-folder"),
        dir,
    ))?;
    let mut buf = Vec::with_capacity(300 * 1024);
    for i in 0..usize::try_from(n).unwrap_or(usize::MAX) {
        let (_, stem) = stem(briefs, i);
        let len = rng.gen_range(30 * 1024..=300 * 1024);
        buf.clear();
        buf.extend_from_slice(&JPEG_HEAD);
        buf.resize(len - JPEG_TAIL.len(), 0);
        rng.fill_bytes(&mut buf[JPEG_HEAD.len()..]);
        buf.extend_from_slice(&JPEG_TAIL);
        write_file(&dir.join(format!("{stem}.jpg")), &buf)?;
    }
    Ok(())
}

const DOC_KINDS: &[(&str, &str)] = &[
    ("referral", "REFERRAL LETTER"),
    ("lab-result", "LABORATORY RESULT"),
    ("discharge", "DISCHARGE SUMMARY"),
    ("consent", "CONSENT FORM (scanned, transcribed)"),
];

/// `n` text documents of 1-20 KB about patients.
pub(crate) fn documents(
    dir: &Path,
    briefs: &[PatientBrief],
    n: u64,
    facility: &str,
    rng: &mut StdRng,
) -> Result<(), DemoError> {
    std::fs::create_dir_all(dir).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-create-the-folder"),
        dir,
    ))?;
    for i in 0..usize::try_from(n).unwrap_or(usize::MAX) {
        let (p, stem) = stem(briefs, i);
        let (slug, title) = DOC_KINDS[rng.gen_range(0..DOC_KINDS.len())];
        let target = rng.gen_range(1024..=20 * 1024);
        let mut text = format!(
            "{title}\n{facility}\nDate: {}\n\nPatient: {} ({})\nPatient ID: {}\nDate of birth: {}\nVillage: {}\n\n",
            date(TODAY - rng.gen_range(0..365)),
            p.name,
            p.sex,
            p.uuid,
            p.dob,
            p.village
        );
        let mut entry = 1;
        while text.len() < target {
            text.push_str(&format!("{entry}. {}\n", pick(rng, NOTES)));
            entry += 1;
        }
        text.push_str("\nSigned: Clinic Nurse\n");
        write_file(&dir.join(format!("{stem}-{slug}.txt")), text.as_bytes())?;
    }
    Ok(())
}

/// The app's settings file (`config/app.toml`).
#[derive(Serialize)]
struct AppToml<'a> {
    realm: &'a str,
    sync_endpoint: &'a str,
    facility: &'a str,
    device_name: String,
}

/// Writes the app config; returns the facility name.
pub(crate) fn config(path: &Path, seed: u64, rng: &mut StdRng) -> Result<String, DemoError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(DemoError::io(
            carevault_i18n::t!("cli-demo-doing-create-the-folder"),
            dir,
        ))?;
    }
    let facility = pick(rng, FACILITIES);
    let cfg = AppToml {
        realm: "demo.carevault.example",
        sync_endpoint: "https://demo.carevault.example/sync/v1",
        facility,
        device_name: format!("demo-tablet-{:02}", rng.gen_range(1..100)),
    };
    let body = toml::to_string(&cfg).map_err(|e| DemoError::Io {
        action: Box::new(carevault_i18n::t!("cli-demo-doing-serialize")),
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    let text =
        format!("# Demo clinic settings, made by `carevault demo init` (seed {seed}).\n{body}");
    write_file(path, text.as_bytes())?;
    Ok(facility.to_string())
}

//! A refused SanteDB file reaches a French reader in French: the message
//! and the advice are the French catalogue's, nested parts included, and
//! the English is word for word what it always was.

use crate::common::writer::{self, Version};
use crate::common::*;
use carevault_core::i18n::{t, Lang};
use carevault_core::Kind;

fn refusal(bytes: &[u8], pass: Option<&str>) -> carevault_core::Error {
    let h = Home::new();
    let file = h.write_fixture("refused.bin", bytes);
    match h.import(&file, pass, false) {
        Ok(_) => panic!("the file was imported"),
        Err(e) => e,
    }
}

fn fr(id: &str) -> String {
    carevault_i18n::message(Lang::Fr, id).unwrap_or_else(|| panic!("{id} is not in French"))
}

#[test]
fn a_wrong_santedb_passphrase_is_told_in_french_with_french_advice() {
    let (spec, _) = spec(&Clinic::new(), Version::Sb1Bk, Some(SANTEDB_PASS));
    let e = refusal(&writer::write(&spec), Some("not the passphrase"));
    assert_eq!(e.kind(), Kind::WrongKey, "{e}");
    assert_eq!(e.message_in(Lang::Fr), fr("santedb-wrong-passphrase"));
    assert_eq!(e.advice_in(Lang::Fr), fr("santedb-wrong-passphrase-advice"));
    assert!(
        e.message_in(Lang::Fr)
            .starts_with("la phrase secrète n'ouvre pas cette sauvegarde SanteDB"),
        "{}",
        e.message_in(Lang::Fr)
    );
    assert_eq!(
        e.message_in(Lang::En),
        "the passphrase does not open this SanteDB backup (the first decrypted block is not SanteDB's, and neither is the last block's padding)"
    );
    assert_eq!(
        e.advice_in(Lang::En),
        "check the passphrase: SanteDB uses only its first 32 characters, and every letter outside plain ASCII counts as '?'"
    );
}

#[test]
fn a_damaged_santedb_header_is_told_in_french_with_french_advice() {
    let (spec, _) = spec(&Clinic::new(), Version::Sb1Bk, None);
    let mut bytes = writer::write(&spec);
    // The asset count follows magic, ticks, the creator's length and name.
    let at = 5 + 8 + 1 + spec.creator.len();
    bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let e = refusal(&bytes, None);
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
    let count = u64::MAX.to_string();
    let expected = t!(
        "santedb-header-damaged",
        what = t!("santedb-header-claims-assets", count = count.as_str())
    );
    assert_eq!(e.message_in(Lang::Fr), expected.render(Lang::Fr));
    assert_eq!(
        e.message_in(Lang::Fr),
        format!("l'en-tête est endommagé : il annonce {count} éléments")
    );
    assert_eq!(e.advice_in(Lang::Fr), fr("santedb-header-damaged-advice"));
    assert_eq!(
        e.message_in(Lang::En),
        format!("the header is damaged: it claims {count} assets")
    );
    assert_eq!(
        e.advice_in(Lang::En),
        "this copy cannot be trusted; use another copy of the SanteDB backup"
    );
}

#[test]
fn a_damaged_layer_is_told_in_french_down_to_what_was_being_read() {
    let (spec, _) = spec(&Clinic::new(), Version::Sb1Bk, None);
    let mut bytes = writer::write(&spec);
    let n = bytes.len();
    bytes[n - 6] ^= 0x10; // inside the gzip trailer's CRC-32
    let e = refusal(&bytes, None);
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
    let fr_msg = e.message_in(Lang::Fr);
    assert!(
        fr_msg.starts_with(
            "le fichier de sauvegarde est endommagé : les données gzip sont endommagées \
             (le CRC-32 ou la longueur de la fin gzip ne correspond pas) pendant la lecture"
        ),
        "{fr_msg}"
    );
    assert_eq!(e.advice_in(Lang::Fr), fr("core-corrupted-advice"));
    let en = e.message_in(Lang::En);
    assert!(
        en.starts_with(
            "the backup file is damaged: the gzip data is damaged (its CRC-32 or length in \
             the gzip trailer does not match) while reading"
        ),
        "{en}"
    );
    assert_eq!(
        e.advice_in(Lang::En),
        "this copy cannot be trusted; use another copy of the backup (for example the one on external media)"
    );
}

#[test]
fn import_warnings_and_asset_classes_have_french_words() {
    let (spec, _) = spec(&Clinic::new(), Version::Sb1Bk, None);
    let h = Home::new();
    let file = h.write_fixture("ok.bin", &writer::write(&spec));
    let out = h.import(&file, None, true).unwrap();
    let clinical = out
        .source
        .assets
        .iter()
        .find(|a| a.class_id.as_deref() == Some(CLINICAL))
        .expect("the clinical database");
    assert_eq!(clinical.class, "primary clinical database");
    assert_eq!(clinical.class_text().render(Lang::En), clinical.class);
    assert_eq!(
        clinical.class_text().render(Lang::Fr),
        "base de données clinique principale"
    );

    // A backup of nothing at all: two warnings, each in both languages.
    let empty = writer::Spec::new(Version::Sb1Bk, vec![], None);
    let file = h.write_fixture("empty.bin", &writer::write(&empty));
    let out = h.import(&file, None, true).unwrap();
    let fr: Vec<String> = out
        .source
        .warnings
        .iter()
        .map(|w| w.render(Lang::Fr))
        .collect();
    let en: Vec<String> = out
        .source
        .warnings
        .iter()
        .map(|w| w.render(Lang::En))
        .collect();
    assert_eq!(
        fr,
        [
            "la sauvegarde ne liste aucun élément",
            "la sauvegarde ne contient aucune base de données : les sauvegardes SanteDB faites \
             avant le 2024-01-28 ne contiennent que la configuration",
        ]
    );
    assert_eq!(
        en,
        [
            "the backup lists no assets at all",
            "the backup holds no database: SanteDB backups made before 2024-01-28 hold only \
             the configuration",
        ]
    );
}

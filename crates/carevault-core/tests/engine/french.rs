//! The reader's errors reach a French reader in French: a cut or damaged
//! backup file read by the real reader gives an error whose message and
//! advice, rendered in French, are the French catalogue's text (with the
//! same facts filled in), while the English stays what it always was.
//! Nothing here changes the process's language (other tests of this binary
//! assert English): each error is rendered in the language asked for.

use crate::common::*;
use carevault_core::archive::reader::Opened;
use carevault_core::i18n::Lang;
use carevault_core::{verify, Kind, NoProgress};
use std::path::Path;

/// The catalogue's text of `id` in `lang`, with each `(name, value)` filled in.
fn catalogue(lang: Lang, id: &str, args: &[(&str, &str)]) -> String {
    let mut s = carevault_i18n::template(lang, id)
        .unwrap_or_else(|| panic!("{id} is not in the {lang} catalogue"));
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    assert!(!s.contains('{'), "{id}: an argument was left unfilled: {s}");
    s
}

fn read(path: &Path) -> carevault_core::Error {
    verify::verify_file(path, None, 18, &NoProgress)
        .map(|_| ())
        .expect_err("the reader accepted a bad file")
}

#[test]
fn a_cut_backup_file_is_reported_in_french_and_unchanged_in_english() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), None);
    let bytes = std::fs::read(&out.path).unwrap();
    let cut = t.path().join("cut.bin");
    std::fs::write(&cut, &bytes[..300]).unwrap();

    let e = read(&cut);
    assert_eq!(e.kind(), Kind::Truncated);
    assert_eq!(
        e.message_in(Lang::En),
        "the backup file is incomplete: it is only 300 bytes long"
    );
    assert_eq!(
        e.advice_in(Lang::En),
        "the file was cut short (interrupted copy or full storage); copy it again from its source or use another backup"
    );
    let what = catalogue(Lang::Fr, "core-file-too-short", &[("file_len", "300")]);
    assert_eq!(
        e.message_in(Lang::Fr),
        catalogue(Lang::Fr, "core-truncated", &[("what", &what)])
    );
    assert_eq!(
        e.message_in(Lang::Fr),
        "le fichier de sauvegarde est incomplet : il ne fait que 300 octets"
    );
    assert_eq!(
        e.advice_in(Lang::Fr),
        catalogue(Lang::Fr, "core-truncated-advice", &[])
    );
    assert_ne!(e.advice_in(Lang::Fr), e.advice_in(Lang::En));
}

#[test]
fn a_damaged_key_slot_is_reported_in_french_and_unchanged_in_english() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), Some(PASS));
    let (name, slot) = Opened::open(&out.path).unwrap().layout.slots[0].clone();
    let mut bytes = std::fs::read(&out.path).unwrap();
    bytes[slot.offset as usize + 40] ^= 0x01;
    let bad = t.path().join("damaged.bin");
    std::fs::write(&bad, &bytes).unwrap();

    let e = read(&bad);
    assert_eq!(e.kind(), Kind::Corrupted);
    assert_eq!(e.path(), Some(bad.as_path()));
    assert_eq!(
        e.message_in(Lang::En),
        format!("the backup file is damaged: the key slot {name} is damaged")
    );
    assert_eq!(
        e.advice_in(Lang::En),
        "this copy cannot be trusted; use another copy of the backup (for example the one on external media)"
    );
    let what = catalogue(Lang::Fr, "core-slot-damaged", &[("name", &name)]);
    assert_eq!(
        e.message_in(Lang::Fr),
        catalogue(Lang::Fr, "core-corrupted", &[("what", &what)])
    );
    assert_eq!(
        e.message_in(Lang::Fr),
        format!(
            "le fichier de sauvegarde est endommagé : l'emplacement de clé {name} est endommagé"
        )
    );
    assert_eq!(
        e.advice_in(Lang::Fr),
        catalogue(Lang::Fr, "core-corrupted-advice", &[])
    );
}

#[test]
fn a_missing_or_wrong_key_is_explained_in_french_with_the_advice_ids_the_web_replaces() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), Some(PASS));

    let none = read(&out.path);
    assert_eq!(none.kind(), Kind::WrongKey);
    assert_eq!(none.advice_text().id(), "core-advice-need-key");
    assert_eq!(
        none.message_in(Lang::En),
        "this backup is encrypted and no passphrase or recovery key was given"
    );
    assert_eq!(
        none.message_in(Lang::Fr),
        catalogue(Lang::Fr, "core-need-key", &[])
    );
    assert_eq!(
        none.advice_in(Lang::Fr),
        catalogue(Lang::Fr, "core-advice-need-key", &[])
    );

    let wrong = verify::verify_file(
        &out.path,
        Some(&pass("not the passphrase")),
        18,
        &NoProgress,
    )
    .map(|_| ())
    .unwrap_err();
    assert_eq!(wrong.kind(), Kind::WrongKey);
    let id = wrong.advice_text().id().to_string();
    assert!(id.starts_with("core-advice-wrong-passphrase"), "{id}");
    assert_eq!(
        wrong.message_in(Lang::Fr),
        catalogue(Lang::Fr, "core-wrong-key", &[])
    );
    assert_eq!(wrong.advice_in(Lang::Fr), catalogue(Lang::Fr, &id, &[]));
    assert!(
        wrong
            .advice_in(Lang::En)
            .starts_with("check the passphrase (capital letters, spaces)"),
        "{}",
        wrong.advice_in(Lang::En)
    );
}

#[test]
fn the_fallback_note_constant_is_the_catalogues_english() {
    assert_eq!(
        carevault_i18n::message(Lang::En, "core-media-fallback-note").as_deref(),
        Some(carevault_core::media::FALLBACK_NOTE)
    );
    assert_ne!(
        carevault_i18n::message(Lang::Fr, "core-media-fallback-note").as_deref(),
        Some(carevault_core::media::FALLBACK_NOTE)
    );
}

#[test]
fn a_folder_given_as_the_backup_file_is_refused_in_french_words_of_our_own() {
    let t = tempfile::tempdir().unwrap();
    let e = read(t.path());
    assert_eq!(e.kind(), Kind::Io);
    assert_eq!(
        e.message_in(Lang::En),
        "the system could not complete opening the backup file: not a regular file"
    );
    let what = catalogue(Lang::Fr, "core-doing-opening-backup", &[]);
    let err = catalogue(Lang::Fr, "core-io-not-regular-file", &[]);
    assert_eq!(
        e.message_in(Lang::Fr),
        catalogue(
            Lang::Fr,
            "core-io-failed",
            &[("what", &what), ("err", &err)]
        )
    );
    assert_eq!(
        e.message_in(Lang::Fr),
        "le système n'a pas pu terminer l'ouverture du fichier de sauvegarde : ce n'est pas un fichier ordinaire"
    );
    assert_eq!(
        e.advice_in(Lang::Fr),
        catalogue(Lang::Fr, "core-io-failed-advice", &[])
    );
}

/// A listing opens files on worker threads of its own: a damaged file's
/// problem is still in the language of the one who lists (a French web
/// request on a server started in English), not the process's.
#[test]
fn a_damaged_file_in_a_listing_is_described_in_the_language_of_who_lists() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let docs = t.path().join("docs");
    let out = make_backup(&home, &docs, None);
    let bytes = std::fs::read(&out.path).unwrap();
    std::fs::write(docs.join("cut.bin"), &bytes[..300]).unwrap();
    let stores = [carevault_core::store::FolderStore::new(&docs, "Public")];
    let problem = |lang| {
        carevault_core::i18n::in_lang(lang, || carevault_core::catalog::scan_stores(&stores))
            .into_iter()
            .find_map(|l| l.problem)
            .expect("the cut file is listed as damaged")
    };
    assert_eq!(
        problem(Lang::Fr),
        "le fichier de sauvegarde est incomplet : il ne fait que 300 octets"
    );
    assert_eq!(
        problem(Lang::En),
        "the backup file is incomplete: it is only 300 bytes long"
    );
}

/// What a verification found is a stored record: kept in English whoever
/// verified, so that a French nurse's verification reads the same to an
/// English administrator (docs/PROFILE.md, "[ui]").
#[test]
fn a_failed_verification_is_recorded_in_english_whatever_the_verifiers_language() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let docs = t.path().join("docs");
    let out = make_backup(&home, &docs, Some(PASS));
    let opened = carevault_core::archive::reader::Opened::open(&out.path).unwrap();
    let id = opened.metadata.sealed.id.clone();
    let payload = opened.layout.payload.1;
    drop(opened);
    let permit = viewer(&home);
    let mut bytes = std::fs::read(&out.path).unwrap();
    bytes[(payload.offset + payload.len / 2) as usize] ^= 0x01;
    std::fs::write(&out.path, &bytes).unwrap();
    let unlock = carevault_core::archive::keys::Unlock::Passphrase(
        carevault_core::SecretString::from(PASS.to_string()),
    );
    let e = carevault_core::i18n::in_lang(Lang::Fr, || {
        carevault_core::verify::verify(&permit, &out.path, Some(&unlock), 18, &NoProgress)
    })
    .map(|_| ())
    .expect_err("a damaged payload verifies");
    let recorded = carevault_core::catalog::last_verification(&home, &id)
        .expect("the failed verification is recorded");
    assert!(!recorded.ok);
    assert_eq!(
        recorded.problem.as_deref(),
        Some(e.message_in(Lang::En).as_str())
    );
    assert_ne!(e.message_in(Lang::Fr), e.message_in(Lang::En));
}

//! The operations' messages reach a French reader in French (issue 15,
//! item 19): a refused restore, a refusal by role, the label rule and the
//! weekly reminder, each read in French and in English from real homes,
//! real backups and the real audit trail. The English text is the one the
//! command line and the web app always printed; the audit trail stays
//! English whatever the reader's language.
//!
//! Each test renders with `message_in`/`render` (as the web server does per
//! request) rather than switching the process's language, which would
//! change what every other test in this binary reads.

use crate::common::*;
use carevault_core::archive::reader::Opened;
use carevault_core::audit::{Event, Outcome};
use carevault_core::auth::{self, Delete, Restore, Role, View};
use carevault_core::backup::{BackupRequest, Target};
use carevault_core::i18n::Lang;
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::provenance::trust;
use carevault_core::restore::{self, RestoreRequest};
use carevault_core::{audit, status, Kind, NoProgress};
use std::path::Path;

/// Every file under the home's `data/` and its bytes.
fn fingerprint(home: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![home.join("data")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The last audit record's action, outcome and reason.
fn last_audit(home: &Path) -> (String, String, Option<String>) {
    let last = audit::read(home).unwrap().pop().expect("an audit record");
    (
        last.event.action,
        last.event.outcome.as_str().to_string(),
        last.event.reason,
    )
}

#[test]
fn nurse_refused_over_an_untrusted_backup_is_told_why_in_french_and_english_is_unchanged() {
    let t = tempfile::tempdir().unwrap();
    let clinic = small_home(&t.path().join("clinic"));
    // Made on another tablet (its own signing key), planted unencrypted in
    // the clinic tablet's Documents.
    let other = small_home(&t.path().join("elsewhere"));
    let mut req = BackupRequest::new(
        &Profile::load(&other).unwrap(),
        Target::Folder(clinic.join("Documents")),
    );
    req.scrypt_log_n = WORK;
    let planted = create(&other, &req).expect("backup").path;
    let key = trust::assess(&clinic, Opened::open(&planted).unwrap().signed.as_ref())
        .unwrap()
        .key_id
        .expect("the backup is signed");
    let before = fingerprint(&clinic);

    let permit = auth::permit::<Restore>(&clinic, "nurse", NURSE_PW).unwrap();
    let e = restore::restore(
        &permit,
        &RestoreRequest {
            file: &planted,
            unlock: None,
            max_log_n: 18,
            dry_run: false,
            expect_id: None,
        },
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(e.kind(), Kind::PermissionDenied, "{e}");
    assert_eq!(
        e.message_in(Lang::En),
        format!(
            "nurse (Clinic Nurse) may not restore this backup over the clinic data: \
             it was signed by a key this tablet does not trust (key ID {key})"
        )
    );
    assert_eq!(
        e.advice_in(Lang::En),
        "ask a System Administrator to restore it (they are shown who the users and roles \
         will be), or restore a backup signed by this tablet or a trusted one"
    );
    assert_eq!(
        e.message_in(Lang::Fr),
        format!(
            "nurse (Infirmier de la clinique) n'a pas le droit de restaurer cette sauvegarde \
             à la place des données de la clinique : elle a été signée par une clé à laquelle \
             cette tablette ne fait pas confiance (identifiant de clé {key})"
        )
    );
    assert_eq!(
        e.advice_in(Lang::Fr),
        "demandez à un Administrateur système de la restaurer (il voit quels seront les \
         utilisateurs et leurs rôles), ou restaurez une sauvegarde signée par cette tablette \
         ou par une clé de confiance"
    );
    // The process speaks English here: the CLI's rendering is the old text.
    assert_eq!(e.message(), e.message_in(Lang::En));
    assert_eq!(fingerprint(&clinic), before, "a refusal changes nothing");
    // The audit trail keeps the English reason.
    let (action, outcome, reason) = last_audit(&clinic);
    assert_eq!((action.as_str(), outcome.as_str()), ("restore", "refused"));
    assert_eq!(reason.as_deref(), Some(e.message_in(Lang::En).as_str()));
}

#[test]
fn refusal_by_role_names_the_action_and_roles_in_french_and_audits_in_english() {
    let t = tempfile::tempdir().unwrap();
    let h = small_home(t.path());
    let e = auth::permit::<Delete>(&h, "nurse", NURSE_PW).unwrap_err();
    assert_eq!(e.kind(), Kind::PermissionDenied);
    assert_eq!(
        e.message_in(Lang::En),
        "nurse (Clinic Nurse) may not delete backups"
    );
    assert_eq!(
        e.advice_in(Lang::En),
        "ask someone with the role System Administrator to do it"
    );
    assert_eq!(
        e.message_in(Lang::Fr),
        "nurse (Infirmier de la clinique) n'a pas le droit de supprimer des sauvegardes"
    );
    assert_eq!(
        e.advice_in(Lang::Fr),
        "demandez à une personne ayant le rôle Administrateur système de le faire"
    );
    let (action, outcome, reason) = last_audit(&h);
    assert_eq!((action.as_str(), outcome.as_str()), ("delete", "refused"));
    assert_eq!(reason.as_deref(), Some("role Clinic Nurse may not delete"));
    // Several roles are joined with the language's "or".
    auth::set_role(&h, "nurse", Role::ClinicStaff).unwrap();
    let e = auth::permit::<View>(&h, "nurse", NURSE_PW).unwrap_err();
    assert_eq!(
        e.advice_in(Lang::En),
        "ask someone with the role Clinical Manager or Clinic Nurse or System Administrator to do it"
    );
    assert_eq!(
        e.advice_in(Lang::Fr),
        "demandez à une personne ayant le rôle Responsable clinique ou Infirmier de la \
         clinique ou Administrateur système de le faire"
    );
    assert_eq!(
        e.message_in(Lang::Fr),
        "nurse (Personnel de la clinique) n'a pas le droit de consulter les sauvegardes"
    );
}

#[test]
fn a_label_over_the_limit_is_refused_in_french_and_english_with_the_limit() {
    let t = tempfile::tempdir().unwrap();
    let h = small_home(t.path());
    let mut req = BackupRequest::new(&Profile::load(&h).unwrap(), Target::Medium(Medium::Private));
    req.scrypt_log_n = WORK;
    req.label = Some("x".repeat(121));
    let e = create(&h, &req).unwrap_err();
    assert_eq!(e.kind(), Kind::Usage);
    assert_eq!(
        e.message_in(Lang::En),
        "the label must be 1 to 120 characters of plain text"
    );
    assert_eq!(
        e.advice_in(Lang::En),
        "choose a shorter label without line breaks"
    );
    assert_eq!(
        e.message_in(Lang::Fr),
        "le libellé doit compter de 1 à 120 caractères de texte simple"
    );
    assert_eq!(
        e.advice_in(Lang::Fr),
        "choisissez un libellé plus court, sans saut de ligne"
    );
}

const TODO_EN: &str = "make one on Public (Documents) or External (SD card, USB stick) storage, \
                       or copy one offsite, now: the guide asks for one at least once a week";
const TODO_FR: &str = "faites-en une maintenant sur le stockage Public (Documents) ou External \
                       (carte SD, clé USB), ou copiez-en une hors site : le guide en demande au \
                       moins une par semaine";

#[test]
fn weekly_reminder_reads_in_french_for_each_missing_kind_of_copy() {
    let private_only = status::reminder_text([(Medium::Private, 0.5)].into_iter(), None)
        .expect("private copies do not silence the reminder");
    assert_eq!(
        private_only.render(Lang::En),
        format!(
            "every backup is on the app's private storage, which \"Clear Data\", a reinstall \
             or a lost tablet takes with it: {TODO_EN}"
        )
    );
    assert_eq!(
        private_only.render(Lang::Fr),
        format!(
            "toutes les sauvegardes sont sur le stockage privé de l'application, \
             qu'« Effacer les données », une réinstallation ou une tablette perdue emportent \
             avec elles : {TODO_FR}"
        )
    );
    let stale = status::reminder_text(
        [(Medium::Private, 0.5), (Medium::Public, 9.4)].into_iter(),
        None,
    )
    .expect("a 9-day-old Public copy is stale");
    assert_eq!(
        stale.render(Lang::En),
        format!(
            "the newest backup outside the app's private storage is 9 days old (offsite \
             copies count too): {TODO_EN}"
        )
    );
    assert_eq!(
        stale.render(Lang::Fr),
        format!(
            "la dernière sauvegarde hors du stockage privé de l'application date de 9 jours \
             (les copies hors site comptent aussi) : {TODO_FR}"
        )
    );
    // The String form the web's listing used keeps the English text.
    assert_eq!(
        status::reminder([(Medium::Public, 9.4)].into_iter(), None),
        Some(stale.render(Lang::En))
    );
    assert_eq!(
        status::reminder_text([(Medium::External, 2.0)].into_iter(), None),
        None
    );
}

#[test]
fn status_of_a_home_without_backups_warns_in_french() {
    let t = tempfile::tempdir().unwrap();
    let h = small_home(t.path());
    let report = status::report(&auth::permit::<View>(&h, "nurse", NURSE_PW).unwrap()).unwrap();
    // `--json` carries the sentence (in the process's language, English here).
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["warning"].as_str(),
        Some(format!("there is no backup yet: {TODO_EN}").as_str())
    );
    let warning = report.warning.expect("no backup yet: a warning");
    assert_eq!(
        warning.render(Lang::En),
        format!("there is no backup yet: {TODO_EN}")
    );
    assert_eq!(
        warning.render(Lang::Fr),
        format!("il n'y a encore aucune sauvegarde : {TODO_FR}")
    );
}

#[test]
fn audit_verification_problems_read_in_french_and_stay_english_for_json() {
    let t = tempfile::tempdir().unwrap();
    let h = t.path().join("home");
    std::fs::create_dir_all(&h).unwrap();
    for _ in 0..2 {
        audit::append(&h, &Event::new("nurse", "view", Outcome::Success)).unwrap();
    }
    // The log loses its last entry; the head file still names it.
    let log = h.join("private/audit.log");
    let bytes = std::fs::read(&log).unwrap();
    let cut = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .expect("two lines")
        + 1;
    std::fs::write(&log, &bytes[..cut]).unwrap();
    let check = audit::verify(&h).unwrap();
    assert_eq!(check.entries, 1);
    assert_eq!(
        check.problems,
        vec![
            "entry seq 2 is missing from the end of the log (the head file says the last \
              entry is seq 2: entries were removed or the file was cut short)"
                .to_string()
        ]
    );
    let fr: Vec<String> = check.texts.iter().map(|p| p.render(Lang::Fr)).collect();
    assert_eq!(
        fr,
        vec![
            "l'entrée seq 2 manque à la fin du journal (le fichier de tête indique que la \
              dernière entrée est seq 2 : des entrées ont été supprimées ou le fichier a été \
              tronqué)"
                .to_string()
        ]
    );
    // `--json` keeps the English problems.
    let json = serde_json::to_value(&check).unwrap();
    assert_eq!(
        json["problems"][0].as_str(),
        Some(check.problems[0].as_str())
    );
    assert!(json.get("texts").is_none());
}

#[test]
fn restore_report_lines_have_french_titles_and_english_json_names() {
    let t = tempfile::tempdir().unwrap();
    let h = small_home(t.path());
    let mut req = BackupRequest::new(&Profile::load(&h).unwrap(), Target::Medium(Medium::Private));
    req.scrypt_log_n = WORK;
    let file = create(&h, &req).expect("backup").path;
    let permit = auth::permit::<Restore>(&h, "nurse", NURSE_PW).unwrap();
    let out = restore::restore(
        &permit,
        &RestoreRequest {
            file: &file,
            unlock: None,
            max_log_n: 18,
            dry_run: false,
            expect_id: None,
        },
        &NoProgress,
    )
    .expect("restore");
    let restore::RestoreOutcome::Restored(report) = out else {
        panic!("not a dry run")
    };
    let integrity = report
        .checks
        .iter()
        .find(|c| c.name.starts_with("integrity of "))
        .expect("a database integrity line");
    let path = integrity.name.trim_start_matches("integrity of ");
    assert_eq!(integrity.title.render(Lang::En), integrity.name);
    assert_eq!(
        integrity.title.render(Lang::Fr),
        format!("intégrité de {path}")
    );
    let endpoint = report
        .checks
        .iter()
        .find(|c| c.name == "sync endpoint")
        .expect("the sync endpoint line");
    assert_eq!(
        endpoint.title.render(Lang::Fr),
        "adresse de synchronisation"
    );
    let json = serde_json::to_value(&report).unwrap();
    let names: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"sync endpoint"), "{names:?}");
    assert!(json["checks"][0].get("title").is_none());
}

/// The catalogue's text of `id` in `lang`, with each `(name, value)` filled in.
fn catalogue_text(lang: Lang, id: &str, args: &[(&str, &str)]) -> String {
    let mut s = carevault_i18n::template(lang, id)
        .unwrap_or_else(|| panic!("{id} is not in the {lang} catalogue"));
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    assert!(!s.contains('{'), "{id}: an argument was left unfilled: {s}");
    s
}

#[test]
fn an_unreadable_profile_is_reported_entirely_in_french() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    // A folder where the profile file is expected: the system refuses to
    // read it (EISDIR), whoever runs the test.
    let profile = home.join(carevault_core::profile::PROFILE_NAME);
    let _ = std::fs::remove_file(&profile);
    std::fs::create_dir(&profile).unwrap();
    let os = std::io::Error::from_raw_os_error(21).to_string();

    let e = Profile::load(&home).expect_err("a folder was read as the profile");
    assert_eq!(e.kind(), Kind::Io);
    assert_eq!(e.path(), Some(profile.as_path()));
    assert_eq!(
        e.message_in(Lang::En),
        format!("the system could not complete reading the profile: {os}")
    );
    let fr = e.message_in(Lang::Fr);
    assert_eq!(
        fr,
        format!("le système n'a pas pu terminer la lecture du profil : {os}")
    );
    let what = catalogue_text(Lang::Fr, "ops-doing-reading-profile", &[]);
    assert_eq!(
        fr,
        catalogue_text(Lang::Fr, "core-io-failed", &[("what", &what), ("err", &os)])
    );
    // Apart from the system's own words (data, passed on as they are), no
    // English word of the old phrase is left.
    let ours = fr.replace(&os, "");
    for word in ["reading", "the", "profile"] {
        assert!(
            !ours
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w == word),
            "{word:?} left in {fr:?}"
        );
    }
    assert_eq!(
        e.advice_in(Lang::Fr),
        catalogue_text(Lang::Fr, "core-io-failed-advice", &[])
    );
}

#[test]
fn a_signed_backup_stripped_of_its_origin_parts_is_reported_entirely_in_french() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let file = make_backup(&home, &t.path().join("out"), None).path;
    let bytes = std::fs::read(&file).unwrap();
    let (record, _) = Opened::open(&file).unwrap().layout.origin.unwrap();
    let mut stripped = bytes[..record.offset as usize - 512].to_vec();
    stripped.resize(stripped.len() + 1024, 0);
    let bad = t.path().join("stripped.bin");
    std::fs::write(&bad, &stripped).unwrap();

    let e = Opened::open(&bad)
        .err()
        .expect("a stripped backup was opened");
    assert_eq!(e.kind(), Kind::Corrupted);
    assert_eq!(
        e.message_in(Lang::En),
        "the backup file is damaged: the signed origin parts are missing"
    );
    assert_eq!(
        e.message_in(Lang::Fr),
        "le fichier de sauvegarde est endommagé : les parties signées de l'origine sont absentes"
    );
    let what = catalogue_text(Lang::Fr, "ops-damaged-origin-parts-missing", &[]);
    assert_eq!(
        e.message_in(Lang::Fr),
        catalogue_text(Lang::Fr, "core-corrupted", &[("what", &what)])
    );
}

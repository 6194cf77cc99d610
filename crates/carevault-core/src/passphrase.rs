//! The one rule for a NEW backup passphrase (a backup made with one, the
//! new passphrase of a rekey, the passphrase of an imported backup): at
//! least [`MIN_CHARS`] characters and a strength estimate of at least
//! [`MIN_SCORE`] out of 4 from the `zxcvbn` estimator (a well-kept port of
//! Dropbox's estimator: dictionaries, keyboard patterns, dates, repeats).
//!
//! Never applied when a backup is opened (an old backup keeps the
//! passphrase it was made with) nor to automatic backups, whose device
//! secret is 256 random bits. The CLI and the web server both get their
//! wording from here.

use crate::{Error, Kind, Result};

/// Fewest characters of a new passphrase.
pub const MIN_CHARS: usize = 8;

/// Lowest accepted `zxcvbn` score (0 = too guessable ... 4 = very
/// unguessable). 2 is "somewhat guessable: protection from unthrottled
/// online attacks"; an offline attacker against the scrypt slot pays the
/// slot's work factor for every guess on top of that.
pub const MIN_SCORE: u8 = 2;

/// How the rule is worded for a form or a prompt.
pub const RULE: &str =
    "at least 8 characters and not easy to guess (a few unrelated words work well)";

/// Checks a new passphrase against the rule. `context` are words a guesser
/// would try first (user name, clinic name, label); they count against it.
pub fn check_new(passphrase: &str, context: &[&str]) -> Result<()> {
    let chars = passphrase.chars().count();
    if chars < MIN_CHARS {
        return Err(Error::new(
            Kind::Usage,
            format!(
                "the new passphrase is too short: {chars} character{}, at least {MIN_CHARS} are needed",
                if chars == 1 { "" } else { "s" }
            ),
            format!("choose a passphrase of {RULE}"),
        ));
    }
    // The estimator's cost grows with the length; a passphrase longer than
    // this is long enough that its first part decides.
    let probe: String = passphrase.chars().take(100).collect();
    let estimate = zxcvbn::zxcvbn(&probe, context);
    let score = u8::from(estimate.score());
    if score >= MIN_SCORE {
        return Ok(());
    }
    let mut message = String::from("the new passphrase is too easy to guess");
    let mut advice = Vec::new();
    if let Some(feedback) = estimate.feedback() {
        if let Some(w) = feedback.warning() {
            message.push_str(&format!(": {}", trim_stop(&w.to_string())));
        }
        advice.extend(
            feedback
                .suggestions()
                .iter()
                .map(|s| trim_stop(&s.to_string())),
        );
    }
    if advice.is_empty() {
        advice.push("add another word or two".into());
    }
    Err(Error::new(
        Kind::Usage,
        message,
        format!("choose another passphrase: {}", advice.join("; ")),
    ))
}

/// [`check_new`] for a passphrase held as a secret.
pub fn check_new_secret(passphrase: &crate::SecretString, context: &[&str]) -> Result<()> {
    use age::secrecy::ExposeSecret;
    check_new(passphrase.expose_secret(), context)
}

fn trim_stop(s: &str) -> String {
    let s = s.trim().trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passphrase_is_refused_with_its_length() {
        let e = check_new("a", &[]).unwrap_err();
        assert_eq!(e.kind(), Kind::Usage);
        assert!(e.message().contains("1 character,"), "{}", e.message());
        assert!(e.message().contains("at least 8"), "{}", e.message());
    }

    #[test]
    fn common_password_of_eight_characters_is_refused_with_the_estimators_words() {
        let e = check_new("password", &[]).unwrap_err();
        assert_eq!(e.kind(), Kind::Usage);
        assert!(e
            .message()
            .starts_with("the new passphrase is too easy to guess: "));
        assert!(
            e.message().contains("common password") || e.message().contains("top"),
            "{}",
            e.message()
        );
        assert!(
            e.advice().starts_with("choose another passphrase: "),
            "{}",
            e.advice()
        );
    }

    #[test]
    fn a_clinic_name_counts_against_the_passphrase() {
        let e = check_new("Riverside1", &["riverside"]).unwrap_err();
        assert!(e.message().contains("too easy to guess"), "{}", e.message());
    }

    #[test]
    fn a_few_unrelated_words_are_accepted() {
        check_new("correct horse battery staple", &[]).unwrap();
        check_new("mango ladder quietly", &[]).unwrap();
    }
}

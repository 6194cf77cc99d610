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

use crate::i18n::{t, Text};
use crate::{Error, Kind, Result};
use zxcvbn::feedback::{Suggestion, Warning};

/// Fewest characters of a new passphrase.
pub const MIN_CHARS: usize = 8;

/// Lowest accepted `zxcvbn` score (0 = too guessable ... 4 = very
/// unguessable). 2 is "somewhat guessable: protection from unthrottled
/// online attacks"; an offline attacker against the scrypt slot pays the
/// slot's work factor for every guess on top of that.
pub const MIN_SCORE: u8 = 2;

/// How the rule is worded for a form or a prompt.
pub fn rule() -> Text {
    t!("core-pass-rule", min = MIN_CHARS)
}

/// Checks a new passphrase against the rule. `context` are words a guesser
/// would try first (user name, clinic name, label); they count against it.
pub fn check_new(passphrase: &str, context: &[&str]) -> Result<()> {
    let chars = passphrase.chars().count();
    if chars < MIN_CHARS {
        return Err(Error::new(
            Kind::Usage,
            t!("core-pass-too-short", chars = chars, min = MIN_CHARS),
            t!("core-pass-too-short-advice", rule = rule()),
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
    // The estimator's feedback is a finite set of enums: each is a message
    // of ours (its English is the estimator's own text, without the final
    // stop and with a small first letter), so it reads in the user's language.
    let mut message = t!("core-pass-too-easy");
    let mut advice: Option<Text> = None;
    if let Some(feedback) = estimate.feedback() {
        if let Some(w) = feedback.warning() {
            message = t!("core-pass-too-easy-because", warning = warning_text(w));
        }
        for s in feedback.suggestions() {
            let s = suggestion_text(*s);
            advice = Some(match advice {
                None => s,
                Some(head) => t!("core-pass-suggestion-list", head = head, next = s),
            });
        }
    }
    let advice = advice.unwrap_or_else(|| t!("core-pass-add-a-word"));
    Err(Error::new(
        Kind::Usage,
        message,
        t!("core-pass-too-easy-advice", suggestions = advice),
    ))
}

fn warning_text(w: Warning) -> Text {
    match w {
        Warning::StraightRowsOfKeysAreEasyToGuess => t!("core-pass-warn-straight-rows"),
        Warning::ShortKeyboardPatternsAreEasyToGuess => t!("core-pass-warn-short-keyboard"),
        Warning::RepeatsLikeAaaAreEasyToGuess => t!("core-pass-warn-repeats-aaa"),
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            t!("core-pass-warn-repeats-abcabc")
        }
        Warning::ThisIsATop10Password => t!("core-pass-warn-top10"),
        Warning::ThisIsATop100Password => t!("core-pass-warn-top100"),
        Warning::ThisIsACommonPassword => t!("core-pass-warn-common"),
        Warning::ThisIsSimilarToACommonlyUsedPassword => t!("core-pass-warn-similar-common"),
        Warning::SequencesLikeAbcAreEasyToGuess => t!("core-pass-warn-sequences"),
        Warning::RecentYearsAreEasyToGuess => t!("core-pass-warn-recent-years"),
        Warning::AWordByItselfIsEasyToGuess => t!("core-pass-warn-single-word"),
        Warning::DatesAreOftenEasyToGuess => t!("core-pass-warn-dates"),
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => t!("core-pass-warn-names"),
        Warning::CommonNamesAndSurnamesAreEasyToGuess => t!("core-pass-warn-common-names"),
    }
}

fn suggestion_text(s: Suggestion) -> Text {
    match s {
        Suggestion::UseAFewWordsAvoidCommonPhrases => t!("core-pass-tip-few-words"),
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => t!("core-pass-tip-no-symbols"),
        Suggestion::AddAnotherWordOrTwo => t!("core-pass-tip-another-word"),
        Suggestion::CapitalizationDoesntHelpVeryMuch => t!("core-pass-tip-capitals"),
        Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
            t!("core-pass-tip-all-uppercase")
        }
        Suggestion::ReversedWordsArentMuchHarderToGuess => t!("core-pass-tip-reversed"),
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => t!("core-pass-tip-substitutions"),
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => t!("core-pass-tip-keyboard-turns"),
        Suggestion::AvoidRepeatedWordsAndCharacters => t!("core-pass-tip-repeats"),
        Suggestion::AvoidSequences => t!("core-pass-tip-sequences"),
        Suggestion::AvoidRecentYears => t!("core-pass-tip-recent-years"),
        Suggestion::AvoidYearsThatAreAssociatedWithYou => t!("core-pass-tip-your-years"),
        Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => t!("core-pass-tip-your-dates"),
    }
}

/// [`check_new`] for a passphrase held as a secret.
pub fn check_new_secret(passphrase: &crate::SecretString, context: &[&str]) -> Result<()> {
    use age::secrecy::ExposeSecret;
    check_new(passphrase.expose_secret(), context)
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

    /// The English of each feedback message is the estimator's own text
    /// (without the stop, with a small first letter), as it was shown.
    #[test]
    fn every_estimator_feedback_reads_as_the_estimator_says_it_in_english() {
        use crate::i18n::Lang;
        fn plain(s: &str) -> String {
            let s = s.trim().trim_end_matches('.');
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().chain(c).collect(),
                None => String::new(),
            }
        }
        let warnings = [
            Warning::StraightRowsOfKeysAreEasyToGuess,
            Warning::ShortKeyboardPatternsAreEasyToGuess,
            Warning::RepeatsLikeAaaAreEasyToGuess,
            Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
            Warning::ThisIsATop10Password,
            Warning::ThisIsATop100Password,
            Warning::ThisIsACommonPassword,
            Warning::ThisIsSimilarToACommonlyUsedPassword,
            Warning::SequencesLikeAbcAreEasyToGuess,
            Warning::RecentYearsAreEasyToGuess,
            Warning::AWordByItselfIsEasyToGuess,
            Warning::DatesAreOftenEasyToGuess,
            Warning::NamesAndSurnamesByThemselvesAreEasyToGuess,
            Warning::CommonNamesAndSurnamesAreEasyToGuess,
        ];
        for w in warnings {
            assert_eq!(warning_text(w).render(Lang::En), plain(&w.to_string()));
            assert_ne!(warning_text(w).render(Lang::Fr), plain(&w.to_string()));
        }
        let suggestions = [
            Suggestion::UseAFewWordsAvoidCommonPhrases,
            Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters,
            Suggestion::AddAnotherWordOrTwo,
            Suggestion::CapitalizationDoesntHelpVeryMuch,
            Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase,
            Suggestion::ReversedWordsArentMuchHarderToGuess,
            Suggestion::PredictableSubstitutionsDontHelpVeryMuch,
            Suggestion::UseALongerKeyboardPatternWithMoreTurns,
            Suggestion::AvoidRepeatedWordsAndCharacters,
            Suggestion::AvoidSequences,
            Suggestion::AvoidRecentYears,
            Suggestion::AvoidYearsThatAreAssociatedWithYou,
            Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou,
        ];
        for s in suggestions {
            assert_eq!(suggestion_text(s).render(Lang::En), plain(&s.to_string()));
            assert_ne!(suggestion_text(s).render(Lang::Fr), plain(&s.to_string()));
        }
    }

    #[test]
    fn a_weak_passphrase_is_refused_in_french_with_french_advice() {
        use crate::i18n::Lang;
        let e = check_new("password", &[]).unwrap_err();
        assert!(
            e.message_in(Lang::Fr)
                .starts_with("la nouvelle phrase secrète est trop facile à deviner : "),
            "{}",
            e.message_in(Lang::Fr)
        );
        assert!(
            e.advice_in(Lang::Fr)
                .starts_with("choisissez une autre phrase secrète : "),
            "{}",
            e.advice_in(Lang::Fr)
        );
        let short = check_new("abc", &[]).unwrap_err();
        assert_eq!(
            short.message_in(Lang::Fr),
            "la nouvelle phrase secrète est trop courte : 3 caractères, il en faut au moins 8"
        );
        assert_eq!(
            short.message_in(Lang::En),
            "the new passphrase is too short: 3 characters, at least 8 are needed"
        );
    }

    #[test]
    fn a_few_unrelated_words_are_accepted() {
        check_new("correct horse battery staple", &[]).unwrap();
        check_new("mango ladder quietly", &[]).unwrap();
    }
}

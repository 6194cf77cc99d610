//! Bounds on what one audit entry may hold, and the escaping of text that
//! is printed from the trail.
//!
//! Every field of an [`Event`] comes, in the end, from somewhere a person
//! can steer: a user name typed at a login, a file name in Documents, the
//! message of an error about such a file. The trail stores them as JSON
//! (where a newline is `\n`, so a line of the log can never be forged), but
//! a field of megabytes would make every later append and read slow, and a
//! field holding a newline, a carriage return or a terminal escape would,
//! printed as it is, draw a fake entry under a real one. So:
//!
//! - [`bounded`] cuts each field to its limit (in characters, at a
//!   character boundary) and marks the cut with `…`, before the entry is
//!   hashed and written;
//! - [`printable`] is what a text listing shows of a field: control
//!   characters and the invisible direction and zero-width marks written
//!   as `\n`, `\r`, `\t`, `\u{1b}`, ...; everything else as it is.

use super::Event;
use std::borrow::Cow;

/// Largest `user`, in characters (user names themselves are at most 64).
pub const MAX_USER_CHARS: usize = 128;
/// Largest `action`, in characters.
pub const MAX_ACTION_CHARS: usize = 64;
/// Largest `backup` (an ID or a file name), in characters.
pub const MAX_BACKUP_CHARS: usize = 256;
/// Largest `medium`, in characters.
pub const MAX_MEDIUM_CHARS: usize = 32;
/// Largest `reason`, in characters.
pub const MAX_REASON_CHARS: usize = 1024;

fn cut(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((end, _)) => {
            // Keep room for the mark, so the result has at most `max` characters.
            let keep = s[..end].char_indices().nth(max - 1).map_or(end, |(i, _)| i);
            Cow::Owned(format!("{}…", &s[..keep]))
        }
    }
}

fn cut_opt(s: &Option<String>, max: usize) -> Option<String> {
    s.as_deref().map(|v| cut(v, max).into_owned())
}

/// `event` with every field cut to its limit.
pub fn bounded(event: &Event) -> Event {
    Event {
        user: cut(&event.user, MAX_USER_CHARS).into_owned(),
        action: cut(&event.action, MAX_ACTION_CHARS).into_owned(),
        backup: cut_opt(&event.backup, MAX_BACKUP_CHARS),
        medium: cut_opt(&event.medium, MAX_MEDIUM_CHARS),
        outcome: event.outcome,
        reason: cut_opt(&event.reason, MAX_REASON_CHARS),
    }
}

/// True for what must not reach a terminal as it is: control characters
/// (C0, DEL, C1) and the format characters that reorder or hide text
/// (zero-width marks, bidirectional embeddings, overrides and isolates).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// `s` fit for a one-line text listing: control, zero-width and direction
/// characters are written as escapes (`\n`, `\r`, `\t`, `\u{1b}`, ...),
/// and every backslash is doubled, so that no text can pass for an escape.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| hidden(c) || c == '\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Outcome;

    #[test]
    fn long_fields_are_cut_with_a_mark() {
        let mut e = Event::new(&"é".repeat(500), "login", Outcome::Failure);
        e.reason = Some("x".repeat(5000));
        let b = bounded(&e);
        assert_eq!(b.user.chars().count(), MAX_USER_CHARS);
        assert!(b.user.ends_with('…'));
        let r = b.reason.unwrap();
        assert_eq!(r.chars().count(), MAX_REASON_CHARS);
        assert!(r.ends_with('…'));
        let short = Event::new("nurse", "login", Outcome::Success);
        assert_eq!(bounded(&short), short);
    }

    #[test]
    fn control_and_direction_characters_are_escaped() {
        assert_eq!(printable("nurse"), "nurse");
        assert_eq!(
            printable("a\n   99 admin restore\r\u{1b}[2K\u{202e}x\\n"),
            "a\\n   99 admin restore\\r\\u{1b}[2K\\u{202e}x\\\\n"
        );
        assert!(!printable("\u{85}\u{7f}").chars().any(char::is_control));
    }
}

//! `carevault audit list` prints one line per entry whatever the entries
//! hold: control characters in a field are escaped, never printed.

use crate::support::*;
use carevault_core::audit::{self, Event, Outcome};

#[test]
fn audit_list_escapes_control_characters_so_no_line_can_be_forged() {
    let c = Clinic::new();
    // Written straight through the library, as an entry made before user
    // names were checked, or a file name with a line break, would be.
    let forged = "x\n   99 2026-01-01 10:00 admin      restore  Success - - \u{1b}[2K";
    audit::append(
        &c.home,
        &Event::new("nurse", "restore", Outcome::Failure)
            .backup(forged)
            .reason("bad\r\tname\u{202e}"),
    )
    .unwrap();
    let out = run(&["audit", "list", "--home", c.home.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let entries = audit::read(&c.home).unwrap().len();
    assert_eq!(text.lines().count(), entries, "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\r') && !text.contains('\u{202e}'));
    let last = text.lines().last().unwrap();
    assert!(last.contains("x\\n   99"), "{last}");
    assert!(last.contains("\\u{1b}[2K"), "{last}");
    assert!(last.contains("bad\\r\\tname\\u{202e}"), "{last}");
    // The JSON listing keeps the exact text.
    let v = json(&run(&[
        "--json",
        "audit",
        "list",
        "--home",
        c.home.to_str().unwrap(),
    ]));
    let e = v["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(e["backup"], forged);
}

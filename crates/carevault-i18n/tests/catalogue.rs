//! The catalogue is complete: every language has every file, every message
//! and the same arguments; every message the code names exists; nothing in
//! French is left in English by mistake.

use carevault_i18n::{t, Lang, FILES};
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

struct Message {
    file: String,
    vars: BTreeSet<String>,
    value: String,
    same_by_design: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pattern_vars(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
    fn inline(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::Placeable { expression } => expr(expression, out),
            InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, out);
                }
            }
            _ => {}
        }
    }
    fn expr(e: &Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            Expression::Inline(i) => inline(i, out),
            Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
        }
    }
    for el in &p.elements {
        if let PatternElement::Placeable { expression } = el {
            expr(expression, out);
        }
    }
}

fn load(lang: Lang) -> BTreeMap<String, Message> {
    let mut all = BTreeMap::new();
    for file in FILES {
        let path = root().join(format!(
            "crates/carevault-i18n/locales/{}/{file}.ftl",
            lang.code()
        ));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let res = fluent_syntax::parser::parse(text.as_str()).unwrap_or_else(|(_, errs)| {
            panic!("{}: Fluent syntax errors: {errs:?}", path.display())
        });
        let prefix = format!("{file}-");
        for entry in res.body {
            match entry {
                Entry::Message(m) => {
                    let id = m.id.name.to_string();
                    assert!(
                        id.starts_with(&prefix),
                        "{}: message {id} must start with {prefix}",
                        path.display()
                    );
                    let pattern = m
                        .value
                        .as_ref()
                        .unwrap_or_else(|| panic!("{}: {id} has no value", path.display()));
                    let mut vars = BTreeSet::new();
                    pattern_vars(pattern, &mut vars);
                    let same_by_design = m
                        .comment
                        .as_ref()
                        .is_some_and(|c| c.content.iter().any(|l| l.contains("same in French")));
                    let value = carevault_i18n::message(lang, &id).unwrap_or_default();
                    let old = all.insert(
                        id.clone(),
                        Message {
                            file: file.to_string(),
                            vars,
                            value,
                            same_by_design,
                        },
                    );
                    assert!(old.is_none(), "{}: {id} is defined twice", path.display());
                }
                Entry::Junk { content } => {
                    panic!("{}: not Fluent: {content}", path.display())
                }
                _ => {}
            }
        }
    }
    all
}

#[test]
fn every_language_has_every_message_with_the_same_arguments() {
    let en = load(Lang::En);
    assert!(en.len() > 1, "the English catalogue is empty");
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        let other = load(lang);
        let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "{lang} lacks {} messages: {missing:?}",
            missing.len()
        );
        let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            extra.is_empty(),
            "{lang} has messages English lacks: {extra:?}"
        );
        for (id, m) in &en {
            let o = &other[id];
            assert_eq!(o.file, m.file, "{id} is in another file in {lang}");
            assert_eq!(
                o.vars, m.vars,
                "{id}: {lang} uses other arguments than English"
            );
        }
    }
}

#[test]
fn nothing_in_french_is_left_in_english() {
    let en = load(Lang::En);
    let fr = load(Lang::Fr);
    let same: Vec<_> = en
        .iter()
        .filter(|(id, m)| {
            let f = &fr[*id];
            let words = m.value.split_whitespace().filter(|w| w.len() > 2).count();
            f.value == m.value && words >= 2 && !f.same_by_design
        })
        .map(|(id, _)| id.as_str())
        .collect();
    assert!(
        same.is_empty(),
        "French repeats English in {} messages (translate them, or mark one with a \
         `# same in French` comment): {same:?}",
        same.len()
    );
}

/// Message IDs the code names: `t!("id"`, `Text::new("id"` in Rust,
/// `T('id'` and `data-i18n="id"` in the web page.
fn used_ids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for opener in ["t!(", "Text::new(", "T(", "data-i18n="] {
        let mut rest = text;
        while let Some(i) = rest.find(opener) {
            // `T(` must not be the end of a longer name (`PUT(`).
            let before = rest[..i].chars().last();
            rest = &rest[i + opener.len()..];
            // `t!(` and `T(` must not be the end of a longer name
            // (`format!(`, `PUT(`, `x.T(`).
            let word = |c: char| c.is_alphanumeric() || c == '_';
            if opener == "t!(" && before.is_some_and(word)
                || opener == "T(" && before.is_some_and(|c| word(c) || c == '.')
            {
                continue;
            }
            let s = rest.trim_start();
            let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let s = &s[1..];
            // Every quoted first argument is taken as an ID: one that is not
            // a valid ID is reported as missing, not passed over.
            if let Some(end) = s.find(q) {
                out.push(s[..end].to_string());
            }
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "locales" {
                sources(&p, out);
            }
        } else if name.ends_with(".rs") || name.ends_with(".js") || name.ends_with(".html") {
            out.push(p);
        }
    }
}

#[test]
fn every_message_the_code_names_is_in_the_catalogue() {
    let en = load(Lang::En);
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    sources(&root().join("crates"), &mut files);
    assert!(
        files.len() > 20,
        "the sources were not found under {}",
        root().display()
    );
    let mut missing = Vec::new();
    let mut used = 0;
    for f in &files {
        if f.ends_with("tests/catalogue.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let page = f.extension().is_some_and(|e| e == "js" || e == "html");
        for id in used_ids(&text) {
            used += 1;
            // The page gets only these from GET /api/strings.
            if page && !(id.starts_with("ui-") || id.starts_with("common-")) {
                missing.push(format!(
                    "{}: {id} (the page is served ui- and common- only)",
                    f.display()
                ));
                continue;
            }
            if !en.contains_key(&id) {
                missing.push(format!(
                    "{}: {id}",
                    f.strip_prefix(root()).unwrap_or(f).display()
                ));
            }
        }
    }
    assert!(used > 0, "no message use found: the scan is broken");
    assert!(
        missing.is_empty(),
        "{} messages the code uses are not in the catalogue:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_scan_finds_the_forms_the_code_uses() {
    let src = r#"t!("core-a") t!(
        "core-b", n = 1) Text::new("core-c") T('ui-d') PUT('x') data-i18n="ui-e""#;
    assert_eq!(
        used_ids(src),
        ["core-a", "core-b", "core-c", "ui-d", "ui-e"]
    );
}

#[test]
fn a_message_renders_in_the_language_asked_for() {
    assert_eq!(t!("common-language-name").render(Lang::En), "English");
    assert_eq!(t!("common-language-name").render(Lang::Fr), "Français");
    // Unknown IDs show as themselves, never as an empty string or a panic.
    assert_eq!(
        t!("core-no-such-message").render(Lang::Fr),
        "core-no-such-message"
    );
}

#[test]
fn languages_are_chosen_from_tags_locales_and_browsers() {
    assert_eq!(Lang::from_tag("fr"), Some(Lang::Fr));
    assert_eq!(Lang::from_tag("fr_CM.UTF-8"), Some(Lang::Fr));
    assert_eq!(Lang::from_tag("EN-gb"), Some(Lang::En));
    assert_eq!(Lang::from_tag("de"), None);
    assert_eq!(Lang::from_tag("not a tag"), None);
    assert_eq!(Lang::negotiate("fr-CH, fr;q=0.9, en;q=0.8"), Some(Lang::Fr));
    assert_eq!(Lang::negotiate("de-DE, en;q=0.5"), Some(Lang::En));
    assert_eq!(Lang::negotiate("de-DE"), None);
    assert_eq!(Lang::negotiate(""), None);
    // Weights decide, not the order; q=0 is a refusal; nonsense is ignored.
    assert_eq!(Lang::negotiate("en;q=0.1, fr;q=0.9"), Some(Lang::Fr));
    assert_eq!(Lang::negotiate("fr;q=0, en"), Some(Lang::En));
    assert_eq!(Lang::negotiate("fr;q=0"), None);
    assert_eq!(Lang::negotiate("fr;q=banana, en;q=0.5"), Some(Lang::En));
    assert_eq!(Lang::negotiate("*, fr;q=0.8"), Some(Lang::Fr));
}

#[test]
fn work_run_in_a_language_renders_in_it_and_the_thread_returns_to_its_own() {
    assert_eq!(carevault_i18n::current(), Lang::En);
    let inside = carevault_i18n::in_lang(Lang::Fr, || t!("common-language-name").text());
    assert_eq!(inside, "Français");
    assert_eq!(t!("common-language-name").text(), "English");
    let r = std::panic::catch_unwind(|| {
        carevault_i18n::in_lang(Lang::Fr, || panic!("work that fails"))
    });
    assert!(r.is_err());
    assert_eq!(
        carevault_i18n::current(),
        Lang::En,
        "a panic left French behind"
    );
}

#[test]
fn the_pages_templates_keep_every_argument_as_a_placeholder() {
    for lang in Lang::ALL {
        let all = load(lang);
        for (id, m) in all
            .iter()
            .filter(|(id, _)| id.starts_with("ui-") || id.starts_with("common-"))
        {
            let t = carevault_i18n::template(lang, id).unwrap_or_default();
            for v in &m.vars {
                assert!(
                    t.contains(&format!("{{{v}}}")),
                    "{lang} {id}: {{{v}}} is not in the page's template {t:?}"
                );
            }
            assert!(
                !t.contains('$'),
                "{lang} {id}: Fluent syntax left in the page's template {t:?}"
            );
        }
    }
}

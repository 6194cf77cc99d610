//! The one message catalogue of carevault, and the choice of language.
//!
//! Every sentence carevault shows a person (the command line's output and
//! errors, the web app's screens and its server's messages, the library's
//! errors and advice) is a message of the Fluent catalogue in `locales/`:
//! one folder per language, the same files and the same message IDs in
//! each. The catalogue is compiled into the binary; nothing is read from
//! disk at run time, so a tablet cannot be given other texts by a planted
//! file.
//!
//! Code never holds a finished sentence: it holds a [`Text`] (a message ID
//! and its arguments, see [`t!`]) and renders it in the language of the
//! person who reads it, when it is shown. The command line renders in the
//! process's language ([`set_current`]); the web server in the language of
//! each request.
//!
//! Formatting is Fluent's (`fluent-bundle`), language negotiation is
//! `fluent-langneg`'s; this crate only holds the two together.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;
use unic_langid::LanguageIdentifier;

mod catalogue;
pub use catalogue::FILES;

/// A language the catalogue is complete in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (the default, and the fallback).
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// Every language of the catalogue.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag (`en`, `fr`), also the catalogue's folder name.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name for itself (for a language picker).
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    fn id(self) -> LanguageIdentifier {
        self.code().parse().expect("catalogue tags are valid")
    }

    /// The catalogue's language for a tag such as `fr`, `fr-CM`, `fr_FR.UTF-8`
    /// or `EN`; `None` for a language the catalogue does not have, or for
    /// something that is not a language tag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        // POSIX locales: `fr_FR.UTF-8@euro` -> `fr-FR`.
        let tag = tag.split(['.', '@']).next().unwrap_or("").replace('_', "-");
        let id: LanguageIdentifier = tag.parse().ok()?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == id.language.as_str())
    }

    /// The best of the catalogue's languages for an HTTP `Accept-Language`
    /// value (`fr-CH, fr;q=0.9, en;q=0.8`), `None` when none is wanted.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        // Weights as RFC 9110 gives them (`fluent-langneg`'s parser keeps
        // only the order): highest first, the order of the list among
        // equals; `q=0` means "not this one"; a malformed entry is ignored.
        let mut weighted: Vec<(f32, usize, LanguageIdentifier)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(i, entry)| {
                let mut parts = entry.split(';');
                let tag = parts.next()?.trim().parse::<LanguageIdentifier>().ok()?;
                let mut q = 1.0f32;
                for p in parts {
                    let p = p.trim();
                    if let Some(v) = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                        q = v.trim().parse().ok().filter(|q| (0.0..=1.0).contains(q))?;
                    }
                }
                (q > 0.0).then_some((q, i, tag))
            })
            .collect();
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let requested: Vec<LanguageIdentifier> = weighted.into_iter().map(|w| w.2).collect();
        let available: Vec<LanguageIdentifier> = Lang::ALL.iter().map(|l| l.id()).collect();
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            None,
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        chosen
            .first()
            .and_then(|id| Lang::from_tag(&id.to_string()))
    }

    /// The language of the process's environment, as POSIX orders it:
    /// `LC_ALL`, then `LC_MESSAGES`, then `LANG`. `C` and `POSIX` are English.
    pub fn from_env() -> Option<Lang> {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            match std::env::var(var) {
                Ok(v) if !v.is_empty() => {
                    return match v.as_str() {
                        "C" | "POSIX" => Some(Lang::En),
                        _ => v
                            .strip_prefix("C.")
                            .map(|_| Lang::En)
                            .or(Lang::from_tag(&v)),
                    };
                }
                _ => {}
            }
        }
        None
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the language the process renders in (the command line sets it once,
/// from the profile or the environment). The web server renders each
/// request in its own language and does not use this.
pub fn set_current(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

thread_local! {
    static THREAD: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// The language text is rendered in on this thread: the one [`in_lang`]
/// set for the work running now, else the process's ([`set_current`];
/// English until then).
pub fn current() -> Lang {
    if let Some(l) = THREAD.with(|t| t.get()) {
        return l;
    }
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Fr,
        _ => Lang::En,
    }
}

/// Runs `work` with [`current`] answering `lang` on this thread (the web
/// server runs each request's and each job's work so), then restores what
/// was before, also when `work` panics. A thread that `work` spawns does
/// not inherit it: pass `current()` to the thread and call `in_lang` there.
pub fn in_lang<R>(lang: Lang, work: impl FnOnce() -> R) -> R {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD.with(|t| t.set(self.0));
        }
    }
    let _restore = Restore(THREAD.with(|t| t.replace(Some(lang))));
    work()
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Text shown as it is (a file name, a label, a number already
    /// formatted with its unit).
    Str(String),
    /// A number: Fluent may choose a plural form by it.
    Num(f64),
    /// Another message, rendered in the same language first.
    Text(Box<Text>),
}

macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Arg {
                Arg::Num(v as f64)
            }
        }
    )*};
}
num_arg!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64);

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Str(v.to_string())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Str(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Str(v.clone())
    }
}
impl From<Cow<'_, str>> for Arg {
    fn from(v: Cow<'_, str>) -> Arg {
        Arg::Str(v.into_owned())
    }
}
impl From<Text> for Arg {
    fn from(v: Text) -> Arg {
        Arg::Text(Box::new(v))
    }
}
impl From<&Text> for Arg {
    fn from(v: &Text) -> Arg {
        Arg::Text(Box::new(v.clone()))
    }
}
impl From<&std::path::Path> for Arg {
    fn from(v: &std::path::Path) -> Arg {
        Arg::Str(v.display().to_string())
    }
}
impl From<&std::path::PathBuf> for Arg {
    fn from(v: &std::path::PathBuf) -> Arg {
        Arg::Str(v.display().to_string())
    }
}
impl From<std::path::Display<'_>> for Arg {
    fn from(v: std::path::Display<'_>) -> Arg {
        Arg::Str(v.to_string())
    }
}
impl From<&std::io::Error> for Arg {
    fn from(v: &std::io::Error) -> Arg {
        Arg::Str(v.to_string())
    }
}
impl From<char> for Arg {
    fn from(v: char) -> Arg {
        Arg::Str(v.to_string())
    }
}

/// A sentence to show someone: a message of the catalogue and its
/// arguments, rendered only when it is shown, in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    id: Cow<'static, str>,
    args: Vec<(&'static str, Arg)>,
}

impl Text {
    /// The message `id` with no arguments yet.
    pub fn new(id: impl Into<Cow<'static, str>>) -> Text {
        Text {
            id: id.into(),
            args: Vec::new(),
        }
    }

    /// The same message with one more argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Text {
        self.args.push((name, value.into()));
        self
    }

    /// The message's ID in the catalogue.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The message in `lang`. A message missing from that language's
    /// catalogue is rendered in English; one missing from both is rendered
    /// as its ID (the catalogue test fails on either, so neither ships).
    pub fn render(&self, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            let v = match value {
                Arg::Str(s) => FluentValue::from(s.as_str()),
                Arg::Num(n) => FluentValue::from(*n),
                Arg::Text(t) => FluentValue::from(t.render(lang)),
            };
            args.set(*name, v);
        }
        format(lang, &self.id, Some(&args))
            .or_else(|| format(Lang::En, &self.id, Some(&args)))
            .unwrap_or_else(|| self.id.to_string())
    }

    /// The message in the process's language ([`current`]).
    pub fn text(&self) -> String {
        self.render(current())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// A [`Text`]: `t!("common-language-name")`, or with arguments
/// `t!(<id>, name = value, count = n)`.
///
/// The ID must be a literal so that the catalogue test finds every message
/// the code uses in every language.
#[macro_export]
macro_rules! t {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::Text::new($id)$(.arg(stringify!($name), $value))*
    };
}

/// The message `id` of the catalogue in `lang`, with no arguments (for the
/// web app's table of strings and for tests).
pub fn message(lang: Lang, id: &str) -> Option<String> {
    format(lang, id, None)
}

/// Every message ID of `lang`'s catalogue whose ID starts with `prefix`.
pub fn ids(lang: Lang, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (_, text) in catalogue::files(lang) {
        let res = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
        for entry in res.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                if m.id.name.starts_with(prefix) {
                    out.push(m.id.name.to_string());
                }
            }
        }
    }
    out
}

/// A message as a template for the web app: each `{ $name }` left in as
/// `{name}` for the page to fill in.
pub fn template(lang: Lang, id: &str) -> Option<String> {
    let bundle = bundle(lang);
    let msg = bundle.get_message(id)?;
    let pattern = msg.value()?;
    let mut args = FluentArgs::new();
    for name in variables(pattern) {
        args.set(name.clone(), FluentValue::from(format!("{{{name}}}")));
    }
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, Some(&args), &mut errors)
            .into_owned(),
    )
}

fn variables(pattern: &fluent_syntax::ast::Pattern<&str>) -> Vec<String> {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    fn inline(e: &InlineExpression<&str>, out: &mut Vec<String>) {
        if let InlineExpression::VariableReference { id } = e {
            out.push(id.name.to_string());
        }
    }
    let mut out = Vec::new();
    for el in &pattern.elements {
        if let PatternElement::Placeable { expression } = el {
            match expression {
                Expression::Inline(e) => inline(e, &mut out),
                Expression::Select { selector, variants } => {
                    inline(selector, &mut out);
                    for v in variants {
                        out.extend(variables(&v.value));
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn format(lang: Lang, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let bundle = bundle(lang);
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let s = bundle.format_pattern(pattern, args, &mut errors);
    Some(s.into_owned())
}

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: [OnceLock<FluentBundle<FluentResource>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    BUNDLES[lang as usize].get_or_init(|| {
        let mut bundle = FluentBundle::new_concurrent(vec![lang.id()]);
        // Terminal output and JSON must not carry Unicode isolation marks
        // around every argument (Fluent's default for mixed-direction text;
        // both catalogue languages are left-to-right).
        bundle.set_use_isolating(false);
        for (_, text) in catalogue::files(lang) {
            // A file with a syntax error keeps its good messages; the
            // catalogue test fails on the error, so none ships.
            let res = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
            // Two files defining one ID: the first wins; the test fails.
            let _ = bundle.add_resource(res);
        }
        bundle
    })
}

//! The catalogue's files, compiled in: the same names in every language.

use crate::Lang;

/// The files of each language's catalogue (`locales/LANG/NAME.ftl`).
pub const FILES: [&str; 8] = [
    "common", "core", "ops", "cli", "web", "ui", "offsite", "santedb",
];

const EN: [(&str, &str); 8] = [
    ("common", include_str!("../locales/en/common.ftl")),
    ("core", include_str!("../locales/en/core.ftl")),
    ("ops", include_str!("../locales/en/ops.ftl")),
    ("cli", include_str!("../locales/en/cli.ftl")),
    ("web", include_str!("../locales/en/web.ftl")),
    ("ui", include_str!("../locales/en/ui.ftl")),
    ("offsite", include_str!("../locales/en/offsite.ftl")),
    ("santedb", include_str!("../locales/en/santedb.ftl")),
];

const FR: [(&str, &str); 8] = [
    ("common", include_str!("../locales/fr/common.ftl")),
    ("core", include_str!("../locales/fr/core.ftl")),
    ("ops", include_str!("../locales/fr/ops.ftl")),
    ("cli", include_str!("../locales/fr/cli.ftl")),
    ("web", include_str!("../locales/fr/web.ftl")),
    ("ui", include_str!("../locales/fr/ui.ftl")),
    ("offsite", include_str!("../locales/fr/offsite.ftl")),
    ("santedb", include_str!("../locales/fr/santedb.ftl")),
];

/// The (file, text) pairs of `lang`'s catalogue.
pub(crate) fn files(lang: Lang) -> &'static [(&'static str, &'static str)] {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

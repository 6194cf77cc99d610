//! `GET /api/strings`: the web page's messages in the request's language.

use crate::language::Language;
use axum::Json;
use carevault_core::i18n::Lang;
use serde_json::{json, Map, Value};

/// Message IDs the page uses start with these.
const PAGE_PREFIXES: [&str; 2] = ["ui-", "common-"];

/// `GET /api/strings`: `{ "lang": "fr", "languages": [...], "strings":
/// { ID: template } }`, each `{ $name }` of a message left as `{name}` for
/// the page to fill in. Needs no session: the login screen uses it.
pub async fn strings(Language(lang): Language) -> Json<Value> {
    // The IDs are the compiled-in catalogue's: found once, not per request.
    static IDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let ids = IDS.get_or_init(|| {
        PAGE_PREFIXES
            .iter()
            .flat_map(|p| carevault_i18n::ids(Lang::En, p))
            .collect()
    });
    let mut strings = Map::new();
    for id in ids.iter().cloned() {
        let text = carevault_i18n::template(lang, &id)
            .or_else(|| carevault_i18n::template(Lang::En, &id))
            .unwrap_or_else(|| id.clone());
        strings.insert(id, Value::String(text));
    }
    let languages: Vec<Value> = Lang::ALL
        .iter()
        .map(|l| json!({ "code": l.code(), "name": l.name() }))
        .collect();
    Json(json!({ "lang": lang.code(), "languages": languages, "strings": strings }))
}

//! The language a request is answered in: the profile's `[ui] language`
//! when the facility chose one, else the browser's `Accept-Language`, else
//! English (docs/PROFILE.md, docs/API.md "Language").

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use carevault_core::i18n::Lang;
use carevault_core::profile::Profile;
use std::convert::Infallible;

/// Longest `Accept-Language` value looked at (browsers send a few dozen
/// bytes; a longer one is someone else's and is ignored).
const MAX_ACCEPT_LANGUAGE: usize = 512;

/// The request's language.
#[derive(Debug, Clone, Copy)]
pub struct Language(pub Lang);

/// The request's language, from the profile and its headers.
pub fn of(parts: &Parts, state: &AppState) -> Lang {
    // An unreadable profile is reported by the operations that need it;
    // the language then falls back to the browser's.
    if let Some(l) = Profile::load(&state.home).ok().and_then(|p| p.language()) {
        return l;
    }
    parts
        .headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= MAX_ACCEPT_LANGUAGE)
        .and_then(Lang::negotiate)
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Language {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Language(of(parts, state)))
    }
}

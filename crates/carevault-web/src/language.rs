//! The language a request is answered in: the profile's `[ui] language`
//! when the facility chose one, else the browser's `Accept-Language`, else
//! English (docs/PROFILE.md, docs/API.md "Language").
//!
//! [`scope`] (a middleware around every route) chooses it once per request
//! and keeps it for the request's task: [`current`] reads it there, so an
//! error answer ([`crate::errors::ApiError`]) is rendered in it. Work on a
//! blocking thread, and a job (which renders in the language of the request
//! that started it, whoever asks later), is given it explicitly.

use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use carevault_core::i18n::Lang;
use carevault_core::profile::Profile;
use std::convert::Infallible;

/// Longest `Accept-Language` value looked at (browsers send a few dozen
/// bytes; a longer one is someone else's and is ignored).
const MAX_ACCEPT_LANGUAGE: usize = 512;

tokio::task_local! {
    /// The language of the request this task answers.
    static REQUEST_LANG: Lang;
}

/// The middleware that answers every request in its language: chooses it
/// ([`of`]) and keeps it while the request is answered.
pub async fn scope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = of(&parts, &state);
    let req = Request::from_parts(parts, body);
    REQUEST_LANG.scope(lang, next.run(req)).await
}

/// [`scope`] for the fleet page: the browser's language only.
pub async fn scope_browser(req: Request, next: Next) -> Response {
    let lang = of_browser(req.headers());
    REQUEST_LANG.scope(lang, next.run(req)).await
}

/// The language of the request being answered (English outside one: the
/// scheduler, a test calling a function directly).
pub fn current() -> Lang {
    REQUEST_LANG.try_with(|l| *l).unwrap_or_default()
}

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
    of_browser(&parts.headers)
}

/// The browser's language (`Accept-Language`), else English: the fleet
/// page's, which has no profile.
pub fn of_browser(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= MAX_ACCEPT_LANGUAGE)
        .and_then(Lang::negotiate)
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Language {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        // Chosen once by [`scope`]; chosen here only outside it.
        let lang = REQUEST_LANG
            .try_with(|l| *l)
            .unwrap_or_else(|_| of(parts, state));
        Ok(Language(lang))
    }
}

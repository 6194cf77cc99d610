//! Cookie sessions: a random 32-byte token in the `cv_session` cookie
//! (HttpOnly, SameSite=Strict, Path=/); the server keeps only its SHA-256,
//! with the core's `Authenticated` user, and forgets it after 8 h idle.

use crate::errors::ApiError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use carevault_core::auth::{Authenticated, UserInfo};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The cookie's name.
pub const COOKIE: &str = "cv_session";
/// Sessions end after this long without a request.
pub const IDLE: Duration = Duration::from_secs(8 * 3600);
/// At most this many sessions are kept (the oldest idle one goes first).
const MAX_SESSIONS: usize = 1000;

struct Session {
    who: Authenticated,
    last_seen: Instant,
}

/// The live sessions, by SHA-256 of their token.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<[u8; 32], Session>>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    /// Starts a session for `who`; returns the token for the cookie.
    pub fn create(&self, who: Authenticated) -> String {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let token = hex::encode(bytes);
        let now = Instant::now();
        let mut map = self.map.lock().expect("sessions");
        map.retain(|_, s| now.duration_since(s.last_seen) < IDLE);
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map.iter().min_by_key(|(_, s)| s.last_seen).map(|(k, _)| *k) {
                map.remove(&oldest);
            }
        }
        map.insert(
            digest(&token),
            Session {
                who,
                last_seen: now,
            },
        );
        token
    }

    /// The user of a live session, as of `now`; refreshes its idle time.
    pub fn get_at(&self, token: &str, now: Instant) -> Option<Authenticated> {
        let key = digest(token);
        let mut map = self.map.lock().expect("sessions");
        let s = map.get_mut(&key)?;
        if now.saturating_duration_since(s.last_seen) >= IDLE {
            map.remove(&key);
            return None;
        }
        s.last_seen = s.last_seen.max(now);
        Some(s.who.clone())
    }

    /// Ends a session.
    pub fn remove(&self, token: &str) {
        self.map.lock().expect("sessions").remove(&digest(token));
    }

    /// After a restore replaced the users: ends every session whose user is
    /// gone or has another role now.
    pub fn keep_only(&self, users: &[UserInfo]) {
        self.map.lock().expect("sessions").retain(|_, s| {
            users
                .iter()
                .any(|u| u.username == s.who.username() && u.effective_role == s.who.role())
        });
    }

    /// Ends every session (the user store could not be read).
    pub fn clear(&self) {
        self.map.lock().expect("sessions").clear();
    }
}

/// The `cv_session` token of a request, if it carries one.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, v)| *k == COOKIE && v.len() == 64)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value that starts a session.
pub fn set_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
    ))
    .expect("hex token")
}

/// The `Set-Cookie` value that ends a session.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("cv_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// The logged-in user of a request (401 without a live session).
pub struct Who {
    pub user: Authenticated,
    pub token: String,
}

/// The logged-in user, if any.
pub struct MaybeWho(pub Option<Who>);

fn who_of(parts: &Parts, state: &AppState) -> Option<Who> {
    let token = token(&parts.headers)?;
    let user = state.sessions.get_at(&token, Instant::now())?;
    Some(Who { user, token })
}

impl FromRequestParts<AppState> for Who {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        who_of(parts, state).ok_or_else(ApiError::unauthorized)
    }
}

impl FromRequestParts<AppState> for MaybeWho {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(MaybeWho(who_of(parts, state)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone() -> Authenticated {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        carevault_core::auth::add_user(
            &home,
            "ana",
            carevault_core::auth::Role::ClinicNurse,
            "a long password",
        )
        .unwrap();
        carevault_core::auth::authenticate(&home, "ana", "a long password").unwrap()
    }

    #[test]
    fn tokens_are_stored_hashed_and_expire_after_8_hours_idle() {
        let s = Sessions::default();
        let token = s.create(someone());
        assert_eq!(token.len(), 64);
        assert!(!s.map.lock().unwrap().contains_key(&[0u8; 32]));
        let key: [u8; 32] = hex::decode(&token).unwrap().try_into().unwrap();
        assert!(
            !s.map.lock().unwrap().contains_key(&key),
            "raw token stored"
        );
        let t0 = Instant::now();
        assert!(s.get_at(&token, t0 + IDLE / 2).is_some());
        // Idle time counts from the last use.
        assert!(s
            .get_at(&token, t0 + IDLE / 2 + IDLE - Duration::from_secs(1))
            .is_some());
        assert!(s.get_at(&token, t0 + 3 * IDLE).is_none());
        assert!(s.get_at(&token, t0).is_none(), "an expired session is gone");
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            format!("a=b; {COOKIE}={token}").parse().unwrap(),
        );
        assert_eq!(super::token(&h).as_deref(), Some(token.as_str()));
    }
}

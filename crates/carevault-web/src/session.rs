//! Cookie sessions: a random 32-byte token in the `cv_session` cookie
//! (HttpOnly, SameSite=Strict, Path=/, built and read with `axum-extra`'s
//! cookie jar); the server keeps only its SHA-256, with the core's
//! `Authenticated` user.
//!
//! A session ends after [`IDLE`] without a request, [`LIFETIME`] after its
//! login whatever its use, when its user logs out, and at the first request
//! after its user's role or password changed or the user was removed (every
//! request asks the core to re-read the user: `auth::recheck`). Each user
//! has at most [`MAX_PER_USER`] sessions; a new login ends the one of that
//! user used least recently, never another user's.
//!
//! The table itself is by hand: session crates keep a session per cookie
//! but none can list a user's sessions to cap them, nor check the user
//! store on every request; the cookie, the token (OS randomness) and its
//! digest (SHA-256) are the libraries'.

use crate::clock::Clock;
use crate::errors::{blocking, ApiError};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use carevault_core::auth::{self, Authenticated};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// The cookie's name.
pub const COOKIE: &str = "cv_session";
/// Sessions end after this long without a request.
pub const IDLE: Duration = Duration::from_secs(8 * 3600);
/// Sessions end this long after their login, however busy.
pub const LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Sessions one user may have at once.
pub const MAX_PER_USER: usize = 5;

/// The digest a session is known by.
pub type Key = [u8; 32];

struct Session {
    who: Authenticated,
    created: Duration,
    last_seen: Duration,
}

impl Session {
    fn live(&self, now: Duration) -> bool {
        now.saturating_sub(self.last_seen) < IDLE && now.saturating_sub(self.created) < LIFETIME
    }
}

/// The live sessions, by SHA-256 of their token.
pub struct Sessions {
    map: Mutex<HashMap<Key, Session>>,
    clock: Clock,
}

pub fn digest(token: &str) -> Key {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    pub fn new(clock: Clock) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            clock,
        }
    }

    /// Starts a session for `who`; returns the token for the cookie.
    pub fn create(&self, who: Authenticated) -> String {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let token = hex::encode(bytes);
        let now = self.clock.now();
        let mut map = self.map.lock().expect("sessions");
        map.retain(|_, s| s.live(now));
        let mut mine: Vec<(Key, Duration)> = map
            .iter()
            .filter(|(_, s)| s.who.username() == who.username())
            .map(|(k, s)| (*k, s.last_seen))
            .collect();
        mine.sort_by_key(|(_, seen)| *seen);
        let over = (mine.len() + 1).saturating_sub(MAX_PER_USER);
        for (k, _) in mine.into_iter().take(over) {
            map.remove(&k);
        }
        map.insert(
            digest(&token),
            Session {
                who,
                created: now,
                last_seen: now,
            },
        );
        token
    }

    /// The user of a live session; refreshes its idle time.
    pub fn get(&self, key: &Key) -> Option<Authenticated> {
        let now = self.clock.now();
        let mut map = self.map.lock().expect("sessions");
        let s = map.get_mut(key)?;
        if !s.live(now) {
            map.remove(key);
            return None;
        }
        s.last_seen = s.last_seen.max(now);
        Some(s.who.clone())
    }

    /// True while the session is live (without refreshing it).
    pub fn is_live(&self, key: &Key) -> bool {
        let now = self.clock.now();
        self.map
            .lock()
            .expect("sessions")
            .get(key)
            .is_some_and(|s| s.live(now))
    }

    /// Ends a session.
    pub fn remove(&self, key: &Key) {
        self.map.lock().expect("sessions").remove(key);
    }

    /// After a restore replaced the users: ends every session whose user is
    /// gone or changed (role or password).
    pub fn keep_current(&self) {
        let all: Vec<(Key, Authenticated)> = {
            let map = self.map.lock().expect("sessions");
            map.iter().map(|(k, s)| (*k, s.who.clone())).collect()
        };
        for (k, who) in all {
            if !matches!(auth::recheck(&who), Ok(Some(_))) {
                self.remove(&k);
            }
        }
    }

    /// How many sessions `username` has (for tests).
    #[cfg(test)]
    fn count_of(&self, username: &str) -> usize {
        self.map
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.who.username() == username)
            .count()
    }
}

/// The `cv_session` token of a request, if it carries a well-formed one.
pub fn token(headers: &HeaderMap) -> Option<String> {
    let jar = CookieJar::from_headers(headers);
    let c = jar.get(COOKIE)?;
    let v = c.value();
    (v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())).then(|| v.to_string())
}

fn cookie(value: String) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
}

/// The `Set-Cookie` value that starts a session.
pub fn set_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&cookie(token.to_string()).to_string()).expect("hex token")
}

/// The `Set-Cookie` value that ends a session.
pub fn clear_cookie() -> HeaderValue {
    let mut c = cookie(String::new());
    c.make_removal();
    HeaderValue::from_str(&c.to_string()).expect("a removal cookie")
}

/// The logged-in user of a request (401 without a live session).
pub struct Who {
    pub user: Authenticated,
    pub key: Key,
}

/// The logged-in user, if any.
pub struct MaybeWho(pub Option<Who>);

/// The session's user, re-read from the user store: a session whose user
/// changed or is gone (or whose store cannot be read) ends here, and so do
/// its uploads.
async fn who_of(parts: &Parts, state: &AppState) -> Result<Option<Who>, ApiError> {
    let Some(token) = token(&parts.headers) else {
        return Ok(None);
    };
    let key = digest(&token);
    let Some(user) = state.sessions.get(&key) else {
        state.uploads.sweep(&state.sessions);
        return Ok(None);
    };
    // A user store that cannot be read ends the session too (fail closed):
    // the next login says what is wrong with it.
    let fresh = blocking(move || Ok(auth::recheck(&user).ok().flatten())).await?;
    match fresh {
        Some(user) => Ok(Some(Who { user, key })),
        None => {
            state.sessions.remove(&key);
            state.uploads.sweep(&state.sessions);
            Ok(None)
        }
    }
}

impl FromRequestParts<AppState> for Who {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        who_of(parts, state)
            .await?
            .ok_or_else(ApiError::unauthorized)
    }
}

impl FromRequestParts<AppState> for MaybeWho {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(MaybeWho(who_of(parts, state).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carevault_core::auth::Role;

    fn user(home: &std::path::Path, name: &str) -> Authenticated {
        auth::add_user(home, name, Role::ClinicNurse, "a long password").unwrap();
        auth::authenticate(home, name, "a long password").unwrap()
    }

    #[test]
    fn tokens_are_stored_hashed_and_end_idle_or_at_their_lifetime() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::manual();
        let s = Sessions::new(clock.clone());
        let token = s.create(user(dir.path(), "ana"));
        assert_eq!(token.len(), 64);
        let raw: Key = hex::decode(&token).unwrap().try_into().unwrap();
        assert!(
            !s.map.lock().unwrap().contains_key(&raw),
            "raw token stored"
        );
        let key = digest(&token);
        clock.advance(IDLE / 2);
        assert!(s.get(&key).is_some());
        // Idle time counts from the last use...
        clock.advance(IDLE - Duration::from_secs(1));
        assert!(s.get(&key).is_some());
        // ... but the lifetime from the login.
        clock.advance(LIFETIME - IDLE / 2 - IDLE + Duration::from_secs(2));
        assert!(s.get(&key).is_none(), "a session outlived its lifetime");
        let t2 = s.create(s_user(dir.path()));
        clock.advance(IDLE);
        assert!(s.get(&digest(&t2)).is_none(), "idle session still live");
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            format!("a=b; {COOKIE}={token}").parse().unwrap(),
        );
        assert_eq!(super::token(&h).as_deref(), Some(token.as_str()));
    }

    fn s_user(home: &std::path::Path) -> Authenticated {
        auth::authenticate(home, "ana", "a long password").unwrap()
    }

    #[test]
    fn one_user_logging_in_often_keeps_only_their_newest_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::manual();
        let s = Sessions::new(clock.clone());
        let bo = s.create(user(dir.path(), "bo"));
        let ana = user(dir.path(), "ana");
        let mut last = String::new();
        for _ in 0..100 {
            clock.advance(Duration::from_secs(1));
            last = s.create(ana.clone());
        }
        assert_eq!(s.count_of("ana"), MAX_PER_USER);
        assert!(s.get(&digest(&bo)).is_some());
        assert!(s.get(&digest(&last)).is_some());
    }
}

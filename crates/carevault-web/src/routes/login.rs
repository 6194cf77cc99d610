//! `GET /api/session`, `POST /api/login`, `POST /api/logout`.

use crate::errors::{blocking, ApiError};
use crate::json::JsonBody;
use crate::session::{self, MaybeWho, Who};
use crate::throttle::{self, Scope, Throttled};
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carevault_core::auth::{self, Action, Authenticated, Create, Delete, Restore};
use carevault_core::i18n::t;
use carevault_core::Kind;
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// A user as the API shows them.
pub fn user_json(who: &Authenticated) -> Value {
    let role = who.role();
    json!({
        "username": who.username(),
        "role": role.name(),
        "sees_backups": role.sees_backups(),
        "can_delete": Delete::allowed(role),
        "can_create": Create::allowed(role),
        "can_restore": Restore::allowed(role),
    })
}

/// `GET /api/session`.
pub async fn session(
    State(state): State<AppState>,
    MaybeWho(who): MaybeWho,
) -> Result<Json<Value>, ApiError> {
    let home = state.home.clone();
    let (first_run, has_users) = blocking(move || {
        Ok((
            // Clinic data without users that a first-run import restored
            // still shows the welcome screen, for "Start fresh".
            auth::is_first_run(&home) || auth::first_admin_pending(&home),
            auth::has_users(&home).unwrap_or(false),
        ))
    })
    .await?;
    Ok(Json(json!({
        "first_run": first_run,
        "has_users": has_users,
        "user": who.map(|w| user_json(&w.user)),
    })))
}

/// A user name and password (no `Debug`: the password must never be printed).
#[derive(Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// Answers a login: a new session (an old one of this browser is ended).
pub fn logged_in(
    state: &AppState,
    headers: &HeaderMap,
    who: Authenticated,
    status: StatusCode,
) -> Response {
    if let Some(old) = session::token(headers) {
        state.sessions.remove(&session::digest(&old));
    }
    let body = json!({ "user": user_json(&who) });
    let token = state.sessions.create(who);
    state.uploads.sweep(&state.sessions);
    let mut r = (status, Json(body)).into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session::set_cookie(&token));
    r
}

/// The 429 of a throttled login: what was throttled and when to try again
/// (the wait ends by itself: nobody needs to unlock anything).
fn throttled(t: &Throttled, user: &str) -> ApiError {
    let message = match t.scope {
        Scope::Key => t!("web-login-throttled-user", user = user),
        Scope::Source => t!("web-login-throttled-device"),
        Scope::Global => t!("web-login-throttled-server"),
    };
    let s = t.seconds();
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "busy",
        message,
        t!("web-login-throttled-advice", when = throttle::when(s)),
    );
    e.retry_after = Some(s);
    e
}

/// `POST /api/login`: 400 for a name no user can have, 401 when wrong,
/// 429 while the account (or this address, or the server) is throttled.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(c): JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    auth::check_username(&c.username)?;
    let key = c.username.clone();
    if let Err(t) = state.logins.begin(&key, Some(peer.ip())) {
        if t.first {
            let home = state.home.clone();
            let seconds = t.seconds();
            let user = c.username.clone();
            blocking(move || {
                carevault_core::ops::audit::login_throttled(&home, &user, seconds)?;
                Ok(())
            })
            .await?;
        }
        return Err(throttled(&t, &c.username));
    }
    let _slot = state
        .login_slots
        .acquire()
        .await
        .map_err(|_| ApiError::internal(t!("web-shutting-down")))?;
    let home = state.home.clone();
    let result = blocking(move || Ok(auth::authenticate(&home, &c.username, &c.password))).await?;
    match result {
        Ok(who) => {
            state.logins.succeeded(&key);
            Ok(logged_in(&state, &headers, who, StatusCode::OK))
        }
        Err(e) if e.kind() == Kind::PermissionDenied => {
            state.logins.failed(&key);
            let mut e = ApiError::from(e);
            e.status = StatusCode::UNAUTHORIZED;
            Err(e)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/logout`: ends the session and its uploads.
pub async fn logout(State(state): State<AppState>, who: Who) -> Response {
    state.sessions.remove(&who.key);
    state.uploads.sweep(&state.sessions);
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie());
    r
}

//! `GET /api/session`, `POST /api/login`, `POST /api/logout`.

use crate::errors::{blocking, ApiError};
use crate::json::JsonBody;
use crate::session::{self, MaybeWho, Who};
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carevault_core::audit::{self, Event, Outcome};
use carevault_core::auth::{self, Action, Authenticated, Delete};
use carevault_core::Kind;
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Instant;

/// A user as the API shows them.
pub fn user_json(who: &Authenticated) -> Value {
    let role = who.role();
    json!({
        "username": who.username(),
        "role": role.name(),
        "sees_backups": role.sees_backups(),
        "can_delete": Delete::allowed(role),
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
            auth::is_first_run(&home),
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
        state.sessions.remove(&old);
    }
    let body = json!({ "user": user_json(&who) });
    let token = state.sessions.create(who);
    let mut r = (status, Json(body)).into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session::set_cookie(&token));
    r
}

/// `POST /api/login`: 401 when wrong, 429 after 5 failures in 5 minutes
/// from one client address.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(c): JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let attempt = match state.limiter.begin(peer.ip(), Instant::now()) {
        Ok(a) => a,
        Err(limited) => {
            if limited.first {
                let home = state.home.clone();
                let reason = format!("too many failed logins from {}", peer.ip());
                let user = c.username.clone();
                blocking(move || {
                    audit::append(
                        &home,
                        &Event::new(&user, "login", Outcome::Refused).reason(&reason),
                    )?;
                    Ok(())
                })
                .await?;
            }
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "busy",
                "too many failed logins from this device",
                format!(
                    "wait {} minute(s) and try again, or ask a System Administrator to reset the password",
                    limited.retry_after.div_ceil(60)
                ),
            );
            e.retry_after = Some(limited.retry_after);
            return Err(e);
        }
    };
    let home = state.home.clone();
    let result = blocking(move || Ok(auth::authenticate(&home, &c.username, &c.password))).await?;
    match result {
        Ok(who) => {
            state.limiter.succeeded(attempt);
            Ok(logged_in(&state, &headers, who, StatusCode::OK))
        }
        Err(e) if e.kind() == Kind::PermissionDenied => {
            let mut e = ApiError::from(e);
            e.status = StatusCode::UNAUTHORIZED;
            Err(e)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/logout`.
pub async fn logout(State(state): State<AppState>, who: Who) -> Response {
    state.sessions.remove(&who.token);
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie());
    r
}

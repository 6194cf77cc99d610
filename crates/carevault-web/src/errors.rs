//! API errors: `{"error": {"kind", "message", "advice"}}` with the status
//! code of docs/API.md. Core errors keep their kind, message and advice;
//! their paths and causes are not sent (they stay on the server).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use carevault_core::{Error, Kind};
use serde::Serialize;

/// The body of an error, also used for a failed job.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub kind: String,
    pub message: String,
    pub advice: String,
}

/// An error answered to a request.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

/// The status code of a core error kind. `Usage` is 400 (bad input); the
/// routes that apply a policy turn it into 422 with [`ApiError::policy`].
pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::Usage => StatusCode::BAD_REQUEST,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::PermissionDenied => StatusCode::FORBIDDEN,
        Kind::Busy => StatusCode::CONFLICT,
        Kind::NoSpace => StatusCode::INSUFFICIENT_STORAGE,
        Kind::WrongKey
        | Kind::Truncated
        | Kind::Corrupted
        | Kind::Tampered
        | Kind::UnsupportedVersion
        | Kind::UnsafeArchive
        | Kind::CheckFailed
        | Kind::NotABackup => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::Exists => StatusCode::CONFLICT,
        Kind::Unreachable => StatusCode::BAD_GATEWAY,
        Kind::Io | Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: &str,
        message: impl Into<String>,
        advice: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                kind: kind.to_string(),
                message: message.into(),
                advice: advice.into(),
            },
            retry_after: None,
        }
    }

    /// 400: the request itself is wrong.
    pub fn bad_request(message: impl Into<String>, advice: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "usage", message, advice)
    }

    /// 401: no session, or it expired.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "permission_denied",
            "you are not logged in, or your session expired",
            "log in again",
        )
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>, advice: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "permission_denied", message, advice)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>, advice: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message, advice)
    }

    /// 409.
    pub fn busy(message: impl Into<String>, advice: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "busy", message, advice)
    }

    /// 500 for a fault of the server itself.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            message,
            "this is a fault in carevault; report the message",
        )
    }

    /// A policy refusal: a `Usage` error becomes 422 (the backup was refused).
    pub fn policy(mut self) -> ApiError {
        if self.status == StatusCode::BAD_REQUEST {
            self.status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        self
    }
}

/// The web's own words for the way to a recovery key.
pub const RECOVERY_PATH: &str =
    "choose \"Use the recovery key instead\" and paste the facility's recovery key or choose its key file";

/// The core's advice, with the command line's ways to give a key (which a
/// web user does not have) replaced by the web app's own.
pub fn web_advice(advice: &str) -> String {
    const CLI: [(&str, &str); 3] = [
        (
            "give the passphrase (prompt, --passphrase-file or CAREVAULT_PASSPHRASE) or a recovery key (--identity FILE)",
            "type the passphrase, or",
        ),
        ("use the facility's recovery key with --identity FILE", ""),
        ("(--identity FILE)", ""),
    ];
    for (cli, web) in CLI {
        if let Some(at) = advice.find(cli) {
            let head = advice[..at].trim_end();
            let head = head.strip_suffix(" or").unwrap_or(head);
            let tail = &advice[at + cli.len()..];
            let join = if web.is_empty() {
                head.to_string()
            } else {
                format!("{head} {web}").trim().to_string()
            };
            let sep = if join.is_empty() {
                ""
            } else if join.ends_with(',') || join.ends_with(" or") {
                " "
            } else {
                " or "
            };
            return format!("{join}{sep}{RECOVERY_PATH}{tail}");
        }
    }
    advice.replace("--identity FILE", RECOVERY_PATH)
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::new(
            status_of(e.kind()),
            e.kind().code(),
            e.message(),
            web_advice(&e.advice()),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            axum::Json(serde_json::json!({ "error": self.body })),
        )
            .into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

/// Runs blocking work (core calls) on tokio's blocking threads.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("a server task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_key_advice_points_at_the_web_path_not_the_command_line() {
        let cases = [
            (
                "check the passphrase (capital letters, spaces) or use the facility's recovery key with --identity FILE",
                "check the passphrase (capital letters, spaces) or choose",
            ),
            (
                "unlock it with the recovery key it was made for (--identity FILE)",
                "unlock it with the recovery key it was made for or choose",
            ),
            (
                "give the passphrase (prompt, --passphrase-file or CAREVAULT_PASSPHRASE) or a recovery key (--identity FILE)",
                "type the passphrase, or choose",
            ),
        ];
        for (core, start) in cases {
            let web = web_advice(core);
            assert!(!web.contains("--identity"), "{web}");
            assert!(!web.contains("--passphrase-file"), "{web}");
            assert!(web.starts_with(start), "{web}");
            assert!(web.contains("Use the recovery key instead"), "{web}");
        }
        assert_eq!(web_advice("wait, then try again"), "wait, then try again");
    }

    #[test]
    fn kinds_map_to_the_documented_statuses() {
        assert_eq!(status_of(Kind::PermissionDenied), StatusCode::FORBIDDEN);
        assert_eq!(status_of(Kind::Busy), StatusCode::CONFLICT);
        assert_eq!(status_of(Kind::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(status_of(Kind::WrongKey), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            status_of(Kind::NotABackup),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status_of(Kind::Internal), StatusCode::INTERNAL_SERVER_ERROR);
        let e = ApiError::from(Error::new(Kind::Usage, "m", "a"));
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.policy().status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

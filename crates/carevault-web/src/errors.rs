//! API errors: `{"error": {"kind", "message", "advice"}}` with the status
//! code of docs/API.md. Core errors keep their kind, message and advice;
//! their paths and causes are not sent (they stay on the server).

use crate::language;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use carevault_core::i18n::{t, Lang, Text};
use carevault_core::{Error, Kind};
use serde::Serialize;

/// The body of an error in one language, as it is sent (also in a failed
/// job's JSON).
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub kind: String,
    pub message: String,
    pub advice: String,
}

/// An error answered to a request: its message and advice are rendered in
/// the request's language when the answer is made ([`IntoResponse`]), or
/// in a job's language when its JSON is.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    /// Boxed: an error is returned from every route and blocking closure,
    /// and stays small to return.
    words: Box<Words>,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

/// What happened, and what to do about it.
#[derive(Debug, Clone)]
struct Words {
    message: Text,
    advice: Text,
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
    pub fn new(status: StatusCode, kind: &'static str, message: Text, advice: Text) -> ApiError {
        ApiError {
            status,
            kind,
            words: Box::new(Words { message, advice }),
            retry_after: None,
        }
    }

    /// What happened.
    pub fn message(&self) -> &Text {
        &self.words.message
    }

    /// What to do about it.
    #[cfg(test)]
    pub fn advice(&self) -> &Text {
        &self.words.advice
    }

    /// The same error with other advice.
    pub fn with_advice(mut self, advice: Text) -> ApiError {
        self.words.advice = advice;
        self
    }

    /// The body in `lang`.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        ErrorBody {
            kind: self.kind.to_string(),
            message: self.words.message.render(lang),
            advice: self.words.advice.render(lang),
        }
    }

    /// 400: the request itself is wrong.
    pub fn bad_request(message: Text, advice: Text) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "usage", message, advice)
    }

    /// 401: no session, or it expired.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "permission_denied",
            t!("web-not-logged-in"),
            t!("web-not-logged-in-advice"),
        )
    }

    /// 403.
    pub fn forbidden(message: Text, advice: Text) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "permission_denied", message, advice)
    }

    /// 404.
    pub fn not_found(message: Text, advice: Text) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message, advice)
    }

    /// 409.
    pub fn busy(message: Text, advice: Text) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "busy", message, advice)
    }

    /// 500 for a fault of the server itself.
    pub fn internal(message: Text) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            message,
            t!("web-internal-advice"),
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

/// The core's advice, with the command line's ways to give a key (which a
/// web user does not have) replaced by the web app's own, chosen by the
/// advice's message ID.
pub fn web_advice(advice: &Text) -> Text {
    match advice.id() {
        "core-advice-need-key" => t!("web-advice-need-key"),
        "core-advice-recovery-key-only" => t!("web-advice-recovery-key-only"),
        "core-advice-wrong-passphrase" => t!("web-advice-wrong-passphrase"),
        _ => advice.clone(),
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::new(
            status_of(e.kind()),
            e.kind().code(),
            e.message_text().clone(),
            web_advice(e.advice_text()),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body(language::current());
        let mut r = (
            self.status,
            axum::Json(serde_json::json!({ "error": body })),
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
    // The request's language is task-local; the blocking thread renders
    // what the work says (serialised sentences, `Error::message`) in it.
    let lang = crate::language::current();
    tokio::task::spawn_blocking(move || carevault_core::i18n::in_lang(lang, f))
        .await
        .map_err(|e| ApiError::internal(t!("web-task-failed", error = e.to_string())))?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The core's three pieces of advice that name the command line's ways
    /// to give a key, by their IDs. The IDs are held in constants: the
    /// catalogue test reads `Text::new` with a literal as a use of the catalogue's
    /// own message, and these are the core's, which it may not hold yet.
    const NEED_KEY: &str = "core-advice-need-key";
    const RECOVERY_ONLY: &str = "core-advice-recovery-key-only";
    const WRONG_PASSPHRASE: &str = "core-advice-wrong-passphrase";

    #[test]
    fn key_advice_is_replaced_by_its_id_with_the_web_path_in_each_language() {
        let cases = [
            (
                NEED_KEY,
                "type the passphrase, or choose \"Use the recovery key instead\" and paste the facility's recovery key or choose its key file",
            ),
            (
                RECOVERY_ONLY,
                "unlock it with the recovery key it was made for or choose \"Use the recovery key instead\" and paste the facility's recovery key or choose its key file",
            ),
            (
                WRONG_PASSPHRASE,
                "check the passphrase (capital letters, spaces) or choose \"Use the recovery key instead\" and paste the facility's recovery key or choose its key file",
            ),
        ];
        for (id, english) in cases {
            let e = Error::new(Kind::WrongKey, t!("web-key-needed"), Text::new(id));
            let api = ApiError::from(e);
            assert!(api.advice().id().starts_with("web-advice-"), "{id}");
            assert_eq!(api.body(Lang::En).advice, english, "{id}");
            let fr = api.body(Lang::Fr).advice;
            assert_ne!(fr, english, "{id} has no French");
            assert!(!fr.contains("--identity"), "{fr}");
            // It names the page's own button, in the page's words.
            let button = carevault_i18n::message(Lang::Fr, "ui-use-recovery-key").unwrap();
            assert!(fr.contains(&format!("« {button} »")), "{fr}");
            assert_eq!(api.kind, "wrong_key");
        }
        // Advice of the catalogue that names no key is kept as it is.
        let other = t!("web-no-job-advice");
        assert_eq!(web_advice(&other), other);
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
        let e = ApiError::from(Error::new(
            Kind::Usage,
            t!("web-no-job"),
            t!("web-no-job-advice"),
        ));
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.policy().status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

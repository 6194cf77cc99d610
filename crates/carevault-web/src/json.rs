//! JSON request bodies. Errors say which field is wrong but never echo a
//! value back (a value may be a password or a passphrase).

use crate::errors::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use carevault_core::i18n::t;
use serde::de::DeserializeOwned;

/// Largest JSON body accepted.
const MAX_JSON: usize = 64 * 1024;

/// A JSON body; an empty body counts as `{}` (for routes whose fields are
/// all optional).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON)
            .await
            .map_err(|_| {
                ApiError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "usage",
                    t!("web-body-too-large"),
                    t!("web-body-too-large-advice"),
                )
            })?;
        parse(&bytes).map(JsonBody)
    }
}

/// Parses a JSON body with errors fit to send back.
pub fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = match inner.classify() {
            serde_json::error::Category::Data => {
                let text = inner.to_string();
                if text.starts_with("missing field") {
                    let field = text.split('`').nth(1).unwrap_or("?");
                    t!("web-field-missing", field = field)
                } else {
                    t!("web-field-wrong", field = path)
                }
            }
            _ => t!("web-not-json"),
        };
        ApiError::bad_request(message, t!("web-bad-json-advice"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use carevault_core::i18n::Lang;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        password: String,
    }

    #[test]
    fn errors_name_the_field_but_never_the_value() {
        let message = |e: ApiError| e.message().render(Lang::En);
        let e = parse::<Login>(&Bytes::from_static(br#"{"username":"a"}"#)).unwrap_err();
        assert!(
            message(e.clone()).contains("`password` is missing"),
            "{e:?}"
        );
        assert_eq!(
            e.message().render(Lang::Fr),
            "il manque le champ `password`"
        );
        let e = parse::<Login>(&Bytes::from_static(
            br#"{"username":"a","password":["secret-x"]}"#,
        ))
        .unwrap_err();
        assert!(message(e.clone()).contains("password"), "{e:?}");
        assert!(!message(e).contains("secret-x"));
        let e = parse::<Login>(&Bytes::from_static(b"{not json")).unwrap_err();
        assert_eq!(message(e), "the request body is not valid JSON");
        let e = parse::<Login>(&Bytes::from_static(b"")).unwrap_err();
        assert!(message(e.clone()).contains("missing"), "{e:?}");
    }
}

//! JSON request bodies. Errors say which field is wrong but never echo a
//! value back (a value may be a password or a passphrase).

use crate::errors::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
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
                    "the request body is too large",
                    "send a smaller JSON object",
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
                    format!("the field `{field}` is missing")
                } else {
                    format!("the field `{path}` has the wrong type or value")
                }
            }
            _ => "the request body is not valid JSON".to_string(),
        };
        ApiError::bad_request(message, "send the JSON object that docs/API.md describes")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        password: String,
    }

    #[test]
    fn errors_name_the_field_but_never_the_value() {
        let e = parse::<Login>(&Bytes::from_static(br#"{"username":"a"}"#)).unwrap_err();
        assert!(e.body.message.contains("`password` is missing"), "{e:?}");
        let e = parse::<Login>(&Bytes::from_static(
            br#"{"username":"a","password":["secret-x"]}"#,
        ))
        .unwrap_err();
        assert!(e.body.message.contains("password"), "{e:?}");
        assert!(!e.body.message.contains("secret-x"));
        let e = parse::<Login>(&Bytes::from_static(b"{not json")).unwrap_err();
        assert_eq!(e.body.message, "the request body is not valid JSON");
        let e = parse::<Login>(&Bytes::from_static(b"")).unwrap_err();
        assert!(e.body.message.contains("missing"), "{e:?}");
    }
}

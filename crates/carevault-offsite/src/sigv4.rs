//! SigV4 in the `Authorization` header, from the query-string signature
//! rusty-s3 makes.
//!
//! rusty-s3 only presigns (the signature in the URL's query). Stores that
//! check a key's IAM policy may want the header form: moto 5.2.5 fails
//! (HTTP 500) on every query-signed request once IAM is enforced, and AWS
//! documents the header form as the one for programs. This module keeps
//! rusty-s3's URL (path and the action's own query parameters), drops its
//! `X-Amz-*` parameters, and signs the same request as AWS Signature
//! Version 4 describes for the header form, with `UNSIGNED-PAYLOAD` (every
//! body already carries Content-MD5, and the ETag is checked). Only the
//! canonical request is assembled here; HMAC-SHA256 and SHA-256 are the
//! `hmac` and `sha2` crates'.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `x-amz-content-sha256` of a request whose body is not hashed.
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// A request signed in its headers: the URL to send (no signature in it)
/// and the headers to add to the request's own.
pub(crate) struct HeaderSigned {
    pub url: url::Url,
    pub headers: Vec<(&'static str, String)>,
}

/// AWS's URI encoding: unreserved characters as they are, every other byte
/// `%XX` (upper case).
fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// Re-signs the presigned `url` of a `method` request carrying `headers`
/// (names in lowercase) in the `Authorization` header, at the time and
/// with the scope the presigned URL names.
pub(crate) fn header_signed(
    url: &url::Url,
    method: &str,
    headers: &[(&'static str, String)],
    access_key: &str,
    secret_key: &str,
    region: &str,
) -> HeaderSigned {
    let mut date = String::new();
    let mut query: Vec<(String, String)> = Vec::new();
    for (k, v) in url.query_pairs() {
        if k == "X-Amz-Date" {
            date = v.into_owned();
        } else if !k.starts_with("X-Amz-") {
            query.push((uri_encode(&k), uri_encode(&v)));
        }
    }
    query.sort();
    let canonical_query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut url = url.clone();
    // The query sent is the canonical one, byte for byte: some stores sign
    // the raw query string they receive.
    url.set_query((!canonical_query.is_empty()).then_some(canonical_query.as_str()));
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_string(),
    };
    let mut signed: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    signed.push(("host".into(), host));
    signed.push(("x-amz-content-sha256".into(), UNSIGNED_PAYLOAD.into()));
    signed.push(("x-amz-date".into(), date.clone()));
    signed.sort();
    let names = signed
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let canonical = format!(
        "{method}\n{}\n{canonical_query}\n{canonical_headers}\n{names}\n{UNSIGNED_PAYLOAD}",
        url.path()
    );
    let day = date.get(..8).unwrap_or("");
    let scope = format!("{day}/{region}/s3/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = hmac(format!("AWS4{secret_key}").as_bytes(), day);
    let key = hmac(&key, region);
    let key = hmac(&key, "s3");
    let key = hmac(&key, "aws4_request");
    let signature = hex::encode(hmac(&key, &to_sign));
    HeaderSigned {
        url,
        headers: vec![
            (
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={names}, Signature={signature}"
                ),
            ),
            ("x-amz-content-sha256", UNSIGNED_PAYLOAD.to_string()),
            ("x-amz-date", date),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK: &str = "AKIAIOSFODNN7EXAMPLE";
    const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    fn signature(s: &HeaderSigned) -> &str {
        s.headers[0].1.rsplit("Signature=").next().unwrap()
    }

    // The expected signatures were computed by botocore's S3SigV4Auth (an
    // independent implementation) for the same requests.
    #[test]
    fn the_header_signature_is_the_one_botocore_computes() {
        let url: url::Url = "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Date=20130524T000000Z&X-Amz-Signature=00"
            .parse()
            .unwrap();
        let s = header_signed(
            &url,
            "GET",
            &[("range", "bytes=0-9".into())],
            AK,
            SK,
            "us-east-1",
        );
        assert_eq!(
            s.url.as_str(),
            "https://examplebucket.s3.amazonaws.com/test.txt"
        );
        let auth = &s.headers[0].1;
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature="), "{auth}");
        assert_eq!(
            signature(&s),
            "edacce68e5445863e1f916719fac26d3be9c1581fccd7878ade0879597fc0dc1"
        );
        assert_eq!(s.headers[2], ("x-amz-date", "20130524T000000Z".to_string()));
    }

    #[test]
    fn action_parameters_stay_sorted_and_encoded_and_are_signed() {
        let url: url::Url =
            "http://127.0.0.1:9000/clinic-offsite?uploads=&prefix=tablets%2Fa%2F&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900"
                .parse()
                .unwrap();
        let s = header_signed(&url, "GET", &[], AK, SK, "us-east-1");
        assert_eq!(
            s.url.as_str(),
            "http://127.0.0.1:9000/clinic-offsite?prefix=tablets%2Fa%2F&uploads="
        );
        assert_eq!(
            signature(&s),
            "7530656e09cea988b6a80ab7401e0238bc29e3dd9590699f85929b325fcf6d82"
        );
    }
}

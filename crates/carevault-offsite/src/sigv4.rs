//! SigV4 in the `Authorization` header, for the request rusty-s3 builds.
//!
//! rusty-s3 only presigns (the signature in the URL's query). Stores that
//! check a key's IAM policy may want the header form: moto 5.2.5 fails
//! (HTTP 500) on every query-signed request once IAM is enforced, and AWS
//! documents the header form as the one for programs. This module keeps
//! rusty-s3's URL (path and the action's own query parameters), drops its
//! `X-Amz-*` parameters, and has smithy-rs's `aws-sigv4` sign the request
//! in its headers, at the time the caller gives
//! (the tablet's clock, corrected from the server's `Date`). Every header
//! the request carries is signed, with `host`, `x-amz-date` and
//! `x-amz-content-sha256`. A body held in memory (the part list that
//! completes an upload, an event, a sidecar) is signed by its SHA-256; a
//! part streamed from the backup file is sent as `UNSIGNED-PAYLOAD` (it is
//! not read twice to be signed): its Content-MD5 is signed instead, the
//! store checks it, and the ETags are checked before anything is marked
//! offsite.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::SystemTime;

/// AWS's URI encoding: unreserved characters as they are, every other byte
/// `%XX` (upper case).
const AWS_QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A request signed in its headers: the URL to send (no signature in it)
/// and the headers to add to the request's own.
pub(crate) struct HeaderSigned {
    pub url: url::Url,
    pub headers: Vec<(&'static str, String)>,
}

/// The request's URL without rusty-s3's presigning parameters, its own
/// parameters sorted and encoded as SigV4 canonicalises them: the query
/// sent is the canonical one, byte for byte, as some stores sign the raw
/// query string they receive.
fn unsigned_url(url: &url::Url) -> url::Url {
    let enc = |s: &str| utf8_percent_encode(s, AWS_QUERY).to_string();
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("X-Amz-"))
        .map(|(k, v)| (enc(&k), enc(&v)))
        .collect();
    query.sort();
    let query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut url = url.clone();
    url.set_query((!query.is_empty()).then_some(query.as_str()));
    url
}

/// Signs a `method` request for the presigned `url` carrying `headers`
/// (names in lowercase) and the body `payload` (`None`: a streamed body,
/// sent unsigned) in the `Authorization` header, with the key pair
/// `(access_key, secret_key)`, at time `at`, for S3 in `region`. An error
/// is the signer's own message (a URL or a header it cannot sign).
pub(crate) fn header_signed(
    url: &url::Url,
    method: &str,
    headers: &[(&'static str, String)],
    payload: Option<&[u8]>,
    (access_key, secret_key): (&str, &str),
    region: &str,
    at: SystemTime,
) -> Result<HeaderSigned, String> {
    let url = unsigned_url(url);
    let identity: Identity =
        Credentials::new(access_key, secret_key, None, None, "carevault-offsite").into();
    let mut settings = SigningSettings::default();
    // S3's rules: the path is signed as sent (encoded once, not normalised),
    // and x-amz-content-sha256 names the payload (its SHA-256, or
    // UNSIGNED-PAYLOAD).
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.signature_location = SignatureLocation::Headers;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(at)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let request = SignableRequest::new(
        method,
        url.as_str(),
        headers.iter().map(|(k, v)| (*k, v.as_str())),
        match payload {
            Some(bytes) => SignableBody::Bytes(bytes),
            None => SignableBody::UnsignedPayload,
        },
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(request, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (added, _) = instructions.into_parts();
    // authorization, x-amz-content-sha256, x-amz-date (and nothing else:
    // there is no session token).
    let mut headers: Vec<(&'static str, String)> = added
        .into_iter()
        .map(|h| (h.name(), h.value().to_string()))
        .collect();
    headers.sort();
    Ok(HeaderSigned { url, headers })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK: &str = "AKIAIOSFODNN7EXAMPLE";
    const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    fn at(t: &str) -> SystemTime {
        t.parse::<jiff02::Timestamp>().unwrap().into()
    }

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
            None,
            (AK, SK),
            "us-east-1",
            at("2013-05-24T00:00:00Z"),
        )
        .unwrap();
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
        let s = header_signed(
            &url,
            "GET",
            &[],
            None,
            (AK, SK),
            "us-east-1",
            at("2026-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            s.url.as_str(),
            "http://127.0.0.1:9000/clinic-offsite?prefix=tablets%2Fa%2F&uploads="
        );
        assert_eq!(
            signature(&s),
            "7530656e09cea988b6a80ab7401e0238bc29e3dd9590699f85929b325fcf6d82"
        );
    }

    #[test]
    fn complete_multipart_upload_is_signed_with_its_payload_hash() {
        use sha2::{Digest, Sha256};
        let url: url::Url = "http://127.0.0.1:9000/b/k?uploadId=u1&X-Amz-Expires=900"
            .parse()
            .unwrap();
        let sign = |body: &[u8]| {
            header_signed(
                &url,
                "POST",
                &[("if-none-match", "*".into())],
                Some(body),
                (AK, SK),
                "us-east-1",
                at("2026-01-01T00:00:00Z"),
            )
            .unwrap()
        };
        let list = b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>";
        let s = sign(list);
        let sha = hex::encode(Sha256::digest(list));
        assert_eq!(s.headers[1], ("x-amz-content-sha256", sha));
        // A proxy that rewrote the part list would need another signature.
        let other = sign(b"<CompleteMultipartUpload></CompleteMultipartUpload>");
        assert_ne!(signature(&s), signature(&other));
        // A streamed part stays unsigned (its Content-MD5 is signed).
        let streamed = header_signed(
            &url,
            "PUT",
            &[("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==".into())],
            None,
            (AK, SK),
            "us-east-1",
            at("2026-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            streamed.headers[1],
            ("x-amz-content-sha256", "UNSIGNED-PAYLOAD".to_string())
        );
        assert!(streamed.headers[0].1.contains("content-md5;"));
    }
}

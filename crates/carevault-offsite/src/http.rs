//! One signed request at a time: retries with exponential backoff and
//! jitter (a bounded number of tries), the tablet's clock corrected from the
//! server's `Date` header, and the store's answers turned into carevault's
//! error kinds.
//!
//! Requests are signed with SigV4 in the `Authorization` header (rusty-s3
//! builds the request, [`crate::sigv4`] signs it in its headers with
//! `aws-sigv4`), at the time of [`Clock`] plus the offset learnt from the last
//! `Date` header, so a tablet whose clock is hours off still gets its
//! requests accepted.

use crate::throttle::{Throttle, Throttled};
use carevault_core::error::{Error, Kind, Result};
use carevault_core::i18n::{t, Text};
use carevault_core::Progress;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a signed request stays valid.
const EXPIRES: Duration = Duration::from_secs(15 * 60);
/// Largest answer read into memory (listings, errors, ranged reads).
const MAX_REPLY: u64 = 16 << 20;
/// A clock this far from the server's is corrected.
const SKEW_TOLERANCE_S: i64 = 30;
/// The largest clock correction believed: 7 days.
const MAX_SKEW_S: i64 = 7 * 24 * 3600;

/// The clock requests are signed with: the system's, or (in tests) a
/// deliberately wrong one.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Arc::new(jiff::Timestamp::now))
    }

    /// The system clock off by `seconds` (a fault seam for tests).
    pub fn skewed(seconds: i64) -> Clock {
        Clock(Arc::new(move || {
            jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + seconds)
                .unwrap_or_else(|_| jiff::Timestamp::now())
        }))
    }

    /// Now, by this clock.
    pub fn now(&self) -> jiff::Timestamp {
        (self.0)()
    }
}

/// How many tries a request gets and how long to wait between them.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries in all (at least 1).
    pub tries: u32,
    /// Wait before the second try; doubled for each further one.
    pub base: Duration,
    /// Longest wait.
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            tries: 6,
            base: Duration::from_millis(250),
            max: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The wait before try `n + 1` (n >= 1): exponential with full jitter
    /// between half and the whole of it.
    fn wait(&self, n: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << (n - 1).min(16))
            .min(self.max);
        let half = exp / 2;
        half + exp.mul_f64(rand::random::<f64>() * 0.5)
    }
}

/// A request body.
pub(crate) enum Body<'a> {
    /// No body.
    Empty,
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// `len` bytes of the file at `path` from `offset`, read again on every
    /// try.
    File {
        path: &'a Path,
        offset: u64,
        len: u64,
        progress: &'a dyn Progress,
    },
}

/// Progress of a body that may be sent more than once: a retry reports
/// only the bytes past what an earlier try already reported.
struct OnceProgress<'a> {
    inner: &'a dyn Progress,
    reported: std::sync::atomic::AtomicU64,
    this_try: std::sync::atomic::AtomicU64,
}

impl<'a> OnceProgress<'a> {
    fn new(inner: &'a dyn Progress) -> Self {
        OnceProgress {
            inner,
            reported: 0.into(),
            this_try: 0.into(),
        }
    }

    fn restart(&self) {
        self.this_try.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Progress for OnceProgress<'_> {
    fn start(&self, phase: carevault_core::Phase, total: u64) {
        self.inner.start(phase, total);
    }
    fn advance(&self, n: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let now = self.this_try.fetch_add(n, Relaxed) + n;
        let before = self.reported.fetch_max(now, Relaxed);
        if now > before {
            self.inner.advance(now - before);
        }
    }
}

/// An answer of the store.
pub(crate) struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: Vec<u8>,
    /// An earlier try of this request was refused as damaged (BadDigest).
    pub bad_digest_before: bool,
}

impl Reply {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The S3 error code in the body (`<Code>...</Code>`), if any.
    pub fn code(&self) -> Option<String> {
        xml_field(&String::from_utf8_lossy(&self.body), "Code")
    }

    /// This answer as the error of `what` on `key`.
    pub fn error(&self, location: &Text, what: &Text, key: &str) -> Error {
        let code = self.code().unwrap_or_default();
        // HTTP status and S3 code: data, the same in every language.
        let detail = if code.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            format!("HTTP {} {code}", self.status)
        };
        match self.status {
            _ if code == "NoSuchBucket" => Error::new(
                Kind::NotFound,
                t!("offsite-no-bucket", location = location),
                t!("offsite-no-bucket-advice"),
            ),
            403 if code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" => Error::new(
                Kind::PermissionDenied,
                t!("offsite-key-refused", location = location, detail = detail),
                t!("offsite-key-refused-advice"),
            ),
            403 => Error::new(
                Kind::PermissionDenied,
                t!(
                    "offsite-request-refused",
                    location = location,
                    what = what,
                    key = key,
                    detail = detail
                ),
                t!("offsite-request-refused-advice"),
            ),
            404 => Error::new(
                Kind::NotFound,
                t!(
                    "offsite-no-object",
                    location = location,
                    key = key,
                    detail = detail
                ),
                t!("offsite-no-object-advice"),
            ),
            412 => Error::new(
                Kind::Exists,
                t!("offsite-already-holds", location = location, key = key),
                t!("offsite-already-holds-advice"),
            ),
            _ => Error::new(
                Kind::Unreachable,
                t!(
                    "offsite-answered",
                    location = location,
                    what = what,
                    key = key,
                    detail = detail
                ),
                t!("offsite-answered-advice"),
            ),
        }
    }
}

/// The text of the first `<name>...</name>` in `xml`, unescaped.
pub(crate) fn xml_field(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&close)? + start;
    Some(
        xml[start..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// The blocking client of one bucket.
pub(crate) struct Client {
    agent: ureq::Agent,
    pub bucket: rusty_s3::Bucket,
    pub creds: rusty_s3::Credentials,
    clock: Clock,
    /// Seconds to add to the clock (server time minus ours).
    offset: Mutex<i64>,
    retry: RetryPolicy,
    /// Where the store is, in words (`the offsite store URL (bucket B)`).
    pub location: Text,
    throttle: Option<Arc<Throttle>>,
}

/// Builds a signed URL at time `t` (the signed headers are the request's).
pub(crate) type Signer<'s> = dyn Fn(&jiff02::Timestamp) -> url::Url + 's;

/// Signs `action` with `headers` (names in lowercase) at `t`.
pub(crate) fn sign<'a, A: rusty_s3::S3Action<'a>>(
    mut action: A,
    headers: &'a [(&'static str, String)],
    t: &jiff02::Timestamp,
) -> url::Url {
    for (k, v) in headers {
        action.headers_mut().insert(*k, v.as_str());
    }
    action.sign_with_time(EXPIRES, t)
}

fn transport(location: &Text, what: &Text, key: &str, e: &ureq::Error) -> Error {
    Error::new(
        Kind::Unreachable,
        t!(
            "offsite-unreachable",
            location = location,
            what = what,
            key = key,
            error = e.to_string()
        ),
        t!("offsite-unreachable-advice"),
    )
}

impl Client {
    pub fn new(cfg: &crate::Config) -> Result<Client> {
        let s = &cfg.settings;
        let endpoint: url::Url = s.endpoint.parse().map_err(|e: url::ParseError| {
            Error::new(
                Kind::Usage,
                t!("offsite-endpoint-not-url", error = e.to_string()),
                t!("offsite-endpoint-not-url-advice"),
            )
        })?;
        let style = if s.path_style {
            rusty_s3::UrlStyle::Path
        } else {
            rusty_s3::UrlStyle::VirtualHost
        };
        let bucket = rusty_s3::Bucket::new(endpoint, style, s.bucket.clone(), s.region.clone())
            .map_err(|e| {
                Error::new(
                    Kind::Usage,
                    t!("offsite-bucket-not-url", error = e.to_string()),
                    t!("offsite-bucket-not-url-advice"),
                )
            })?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .timeout_per_read(Some(Duration::from_secs(60)))
            .timeout_per_write(Some(Duration::from_secs(60)))
            .user_agent(concat!("carevault/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let throttle = (s.bandwidth_kib_per_s > 0)
            .then(|| Arc::new(Throttle::new(s.bandwidth_kib_per_s * 1024)));
        Ok(Client {
            agent,
            location: t!(
                "offsite-location",
                endpoint = s.endpoint.as_str(),
                bucket = s.bucket.as_str()
            ),
            bucket,
            creds: rusty_s3::Credentials::new(
                cfg.credentials.access_key.clone(),
                cfg.credentials.secret_key.clone(),
            ),
            clock: cfg.clock.clone(),
            offset: Mutex::new(0),
            retry: cfg.retry,
            throttle,
        })
    }

    /// The time to sign with: our clock, corrected.
    fn signing_time(&self) -> jiff02::Timestamp {
        let off = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        let secs = self.clock.now().as_second() + off;
        jiff02::Timestamp::from_second(secs).unwrap_or_else(|_| jiff02::Timestamp::now())
    }

    /// Learns the clock offset from a `Date` header (at most [`MAX_SKEW_S`]); true when it changed
    /// by more than the tolerance.
    fn learn_time(&self, headers: &ureq::http::HeaderMap) -> bool {
        let Some(date) = headers.get("date").and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let Ok(server) = jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(date) else {
            return false;
        };
        let diff = server.as_second() - self.clock.now().as_second();
        // A tablet's clock may be hours or days off; a store that claims
        // more than a week is not believed (it would date every signature).
        if diff.abs() > MAX_SKEW_S {
            return false;
        }
        let new = if diff.abs() > SKEW_TOLERANCE_S {
            diff
        } else {
            0
        };
        let mut off = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        let changed = (new - *off).abs() > SKEW_TOLERANCE_S;
        *off = new;
        changed
    }

    /// The clock correction in force, in seconds.
    pub fn clock_offset(&self) -> i64 {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends one request, retrying transport failures and answers that a
    /// retry may cure (5xx, 429, SlowDown, RequestTimeout, BadDigest, a
    /// clock-skew refusal once the clock is corrected). Any other answer is
    /// returned for the caller to read.
    pub fn send(
        &self,
        what: &Text,
        key: &str,
        method: ureq::http::Method,
        sign: &Signer<'_>,
        headers: &[(&'static str, String)],
        body: &Body<'_>,
    ) -> Result<Reply> {
        let tries = self.retry.tries.max(1);
        let mut last: Option<Error> = None;
        let mut bad_digest = false;
        // Progress counts each byte of the body once, however many tries.
        let body_progress = match body {
            Body::File { progress, .. } => Some(OnceProgress::new(*progress)),
            _ => None,
        };
        for attempt in 1..=tries {
            if let Some(p) = &body_progress {
                p.restart();
            }
            if attempt > 1 {
                std::thread::sleep(self.retry.wait(attempt - 1));
            }
            // One corrected time for both: rusty-s3's URL and the header
            // signature.
            let at = self.signing_time();
            let signed = crate::sigv4::header_signed(
                &sign(&at),
                method.as_str(),
                headers,
                match body {
                    Body::Empty => Some(&[][..]),
                    Body::Bytes(b) => Some(*b),
                    Body::File { .. } => None,
                },
                (self.creds.key(), self.creds.secret()),
                self.bucket.region(),
                std::time::SystemTime::from(at),
            )
            .map_err(|error| Error::internal(t!("offsite-request-not-built", error = error)))?;
            let mut req = ureq::http::Request::builder()
                .method(method.clone())
                .uri(signed.url.as_str());
            for (k, v) in headers.iter().chain(&signed.headers) {
                req = req.header(*k, v.as_str());
            }
            let result = match body {
                Body::Empty => {
                    let req = if method == ureq::http::Method::PUT
                        || method == ureq::http::Method::POST
                    {
                        req.header("content-length", "0")
                    } else {
                        req
                    };
                    req.body(()).map(|r| self.agent.run(r))
                }
                Body::Bytes(b) => req
                    .header("content-length", b.len().to_string())
                    .body(*b)
                    .map(|r| self.agent.run(r)),
                Body::File {
                    path, offset, len, ..
                } => {
                    let progress = body_progress.as_ref().expect("a file body has progress");
                    let mut f =
                        carevault_core::fsutil::open_regular_following(path).map_err(|e| {
                            crate::fail::io(t!("offsite-doing-opening-upload"), path, e)
                        })?;
                    f.seek(SeekFrom::Start(*offset)).map_err(|e| {
                        crate::fail::io(t!("offsite-doing-reading-upload"), path, e)
                    })?;
                    let mut reader = Throttled::new(f.take(*len), self.throttle.clone(), progress);
                    req.header("content-length", len.to_string())
                        .body(ureq::SendBody::from_reader(&mut reader))
                        .map(|r| self.agent.run(r))
                }
            };
            let resp = match result {
                Ok(r) => r,
                Err(e) => {
                    return Err(Error::internal(t!(
                        "offsite-request-not-built",
                        error = e.to_string()
                    )))
                }
            };
            let mut resp = match resp {
                Ok(r) => r,
                Err(e) => {
                    last = Some(transport(&self.location, what, key, &e));
                    continue;
                }
            };
            let status = resp.status().as_u16();
            // The clock is learnt from the store's own answers, not from an
            // error page of a proxy in between (5xx).
            let skew_changed = status < 500 && self.learn_time(resp.headers());
            let body = match resp.body_mut().with_config().limit(MAX_REPLY).read_to_vec() {
                Ok(b) => b,
                Err(e) => {
                    last = Some(transport(&self.location, what, key, &e));
                    continue;
                }
            };
            let reply = Reply {
                status,
                headers: resp.headers().clone(),
                body,
                bad_digest_before: bad_digest,
            };
            let code = reply.code().unwrap_or_default();
            // 501 Not Implemented is the store's final word (e.g. a
            // bucket setting it does not have): no retry cures it.
            let retry = (status >= 500 && status != 501)
                || status == 429
                || matches!(
                    code.as_str(),
                    "SlowDown" | "RequestTimeout" | "BadDigest" | "RequestTimeTooSkewed"
                )
                || (status == 403 && skew_changed);
            if !retry {
                return Ok(reply);
            }
            let mut e = reply.error(&self.location, what, key);
            if code == "BadDigest" {
                bad_digest = true;
                e = Error::new(
                    Kind::Unreachable,
                    t!(
                        "offsite-bad-digest",
                        location = &self.location,
                        what = what,
                        key = key
                    ),
                    t!("offsite-bad-digest-advice"),
                );
            } else if e.kind() != Kind::Unreachable {
                let detail = if code.is_empty() {
                    format!("HTTP {status}")
                } else {
                    format!("HTTP {status} {code}")
                };
                e = Error::new(
                    Kind::Unreachable,
                    t!(
                        "offsite-kept-refusing",
                        location = &self.location,
                        what = what,
                        key = key,
                        detail = detail
                    ),
                    t!("offsite-kept-refusing-advice"),
                );
            }
            last = Some(e);
        }
        Err(last.unwrap_or_else(|| Error::internal(t!("offsite-never-tried"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = RetryPolicy {
            tries: 6,
            base: Duration::from_millis(100),
            max: Duration::from_millis(500),
        };
        for _ in 0..50 {
            let w1 = p.wait(1);
            assert!(w1 >= Duration::from_millis(50) && w1 <= Duration::from_millis(100));
            let w3 = p.wait(3);
            assert!(w3 >= Duration::from_millis(200) && w3 <= Duration::from_millis(400));
            assert!(p.wait(10) <= Duration::from_millis(500));
        }
    }

    #[test]
    fn answers_map_to_kinds_and_codes_are_read() {
        let reply = |status, body: &str| Reply {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
            bad_digest_before: false,
        };
        let r = reply(403, "<Error><Code>AccessDenied</Code></Error>");
        assert_eq!(r.code().as_deref(), Some("AccessDenied"));
        let (s, x) = (t!("offsite-what-reading"), t!("offsite-what-upload"));
        assert_eq!(r.error(&s, &x, "k").kind(), Kind::PermissionDenied);
        assert_eq!(reply(404, "").error(&s, &x, "k").kind(), Kind::NotFound);
        assert_eq!(reply(412, "").error(&s, &x, "k").kind(), Kind::Exists);
        assert_eq!(reply(501, "").error(&s, &x, "k").kind(), Kind::Unreachable);
        assert_eq!(
            xml_field("<ETag>&quot;ab-2&quot;</ETag>", "ETag").as_deref(),
            Some("\"ab-2\"")
        );
    }
}

#[cfg(test)]
mod progress_tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct Count(AtomicU64);
    impl Progress for Count {
        fn start(&self, _: carevault_core::Phase, _: u64) {}
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, Ordering::Relaxed);
        }
    }

    #[test]
    fn a_retried_body_is_counted_once() {
        let c = Count(AtomicU64::new(0));
        let p = OnceProgress::new(&c);
        p.advance(600);
        p.restart();
        p.advance(400);
        assert_eq!(c.0.load(Ordering::Relaxed), 600);
        p.advance(400);
        assert_eq!(c.0.load(Ordering::Relaxed), 800);
    }
}

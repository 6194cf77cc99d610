//! Request checks that are not about roles: the Host header (no DNS
//! rebinding), the Origin of state-changing requests (CSRF), the login rate
//! limit, and protective response headers.

use crate::errors::ApiError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per client in [`WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// The rate-limit window.
pub const WINDOW: Duration = Duration::from_secs(5 * 60);

/// True when `host` (a Host header) names this machine by an IP address or
/// `localhost`. A DNS name could be an attacker's name rebound to us.
fn host_allowed(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, port)) if port.is_empty() || port.starts_with(':') => {
                return ip.parse::<std::net::Ipv6Addr>().is_ok() && port_ok(port);
            }
            _ => return false,
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) => {
                if !port_ok(&format!(":{port}")) {
                    return false;
                }
                name
            }
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

fn port_ok(port: &str) -> bool {
    port.is_empty() || port[1..].parse::<u16>().is_ok()
}

fn host_of(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

/// A state-changing request must come from a page of this server: its
/// Origin equals `http://` + its Host.
pub fn origin_ok(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let (Some(host), Some(origin)) = (
        host_of(headers),
        headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()),
    ) else {
        return false;
    };
    origin.eq_ignore_ascii_case(&format!("http://{host}"))
}

/// Middleware: Host and Origin checks, then protective headers on the answer.
pub async fn guard(req: Request, next: Next) -> Response {
    let host_good = host_of(req.headers()).is_some_and(host_allowed);
    if !host_good {
        return ApiError::forbidden(
            "this server answers only to its own address (an IP address or localhost)",
            "open the Backup Explorer at the address `carevault serve` printed",
        )
        .into_response();
    }
    if !origin_ok(req.method(), req.headers()) {
        return ApiError::forbidden(
            "the request did not come from the Backup Explorer page (Origin check)",
            "use the Backup Explorer page served by `carevault serve`",
        )
        .into_response();
    }
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
    );
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Failed logins per client address, within the window. An attempt counts
/// as a failure from its start (so parallel guesses cannot slip past the
/// limit) and is taken back when it succeeds.
#[derive(Default)]
pub struct LoginLimiter {
    map: Mutex<HashMap<IpAddr, Client>>,
}

#[derive(Default)]
struct Client {
    failures: VecDeque<Instant>,
    /// The oldest failure of the window whose refusal was audited.
    audited: Option<Instant>,
}

/// A login attempt that holds one slot of the limit.
pub struct Attempt {
    ip: IpAddr,
    at: Instant,
}

/// The answer when the limit is reached.
#[derive(Debug)]
pub struct Limited {
    /// Seconds until the oldest failure leaves the window.
    pub retry_after: u64,
    /// True the first time in this window (the refusal is audited once).
    pub first: bool,
}

impl LoginLimiter {
    /// Starts an attempt, or refuses it when the client failed too often.
    pub fn begin(&self, ip: IpAddr, now: Instant) -> Result<Attempt, Limited> {
        let mut map = self.map.lock().expect("limiter");
        map.retain(|_, c| {
            c.failures
                .back()
                .is_some_and(|t| now.saturating_duration_since(*t) < WINDOW)
        });
        let c = map.entry(ip).or_default();
        while c
            .failures
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            c.failures.pop_front();
        }
        if c.failures.len() >= MAX_FAILURES {
            let oldest = *c.failures.front().expect("non-empty");
            let wait = WINDOW.saturating_sub(now.saturating_duration_since(oldest));
            let first = c.audited != Some(oldest);
            c.audited = Some(oldest);
            return Err(Limited {
                retry_after: wait.as_secs().max(1),
                first,
            });
        }
        c.failures.push_back(now);
        Ok(Attempt { ip, at: now })
    }

    /// The attempt succeeded: it does not count as a failure.
    pub fn succeeded(&self, a: Attempt) {
        let mut map = self.map.lock().expect("limiter");
        if let Some(c) = map.get_mut(&a.ip) {
            if let Some(i) = c.failures.iter().position(|t| *t == a.at) {
                c.failures.remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_must_be_addresses_or_localhost() {
        for ok in [
            "127.0.0.1:8080",
            "localhost:1",
            "LOCALHOST",
            "[::1]:9",
            "10.0.0.2",
        ] {
            assert!(host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "127.0.0.1.nip.io",
            "[::1",
            "a:b",
            "localhost:x",
        ] {
            assert!(!host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn origin_must_match_host_on_state_changes() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:5000".parse().unwrap());
        assert!(origin_ok(&Method::GET, &h));
        assert!(!origin_ok(&Method::POST, &h));
        h.insert(header::ORIGIN, "http://127.0.0.1:5001".parse().unwrap());
        assert!(!origin_ok(&Method::DELETE, &h));
        h.insert(header::ORIGIN, "http://127.0.0.1:5000".parse().unwrap());
        assert!(origin_ok(&Method::PUT, &h));
    }

    #[test]
    fn five_failures_in_five_minutes_then_refused() {
        let l = LoginLimiter::default();
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        let t0 = Instant::now();
        let ok = l.begin(ip, t0).unwrap();
        l.succeeded(ok);
        for i in 0..MAX_FAILURES {
            l.begin(ip, t0 + Duration::from_secs(i as u64)).unwrap();
        }
        let r = l.begin(ip, t0 + Duration::from_secs(10)).err().unwrap();
        assert!(r.first && r.retry_after > 0);
        let r = l.begin(ip, t0 + Duration::from_secs(11)).err().unwrap();
        assert!(!r.first);
        assert!(l.begin("10.1.2.4".parse().unwrap(), t0).is_ok());
        assert!(l.begin(ip, t0 + WINDOW + Duration::from_secs(5)).is_ok());
    }
}

//! Request checks that are not about roles: the Host header (no DNS
//! rebinding) and the Origin of state-changing requests (CSRF); and the
//! protective response headers (set by `tower-http` layers, [`headers`]).

use crate::errors::ApiError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use carevault_core::i18n::t;
use tower_http::set_header::SetResponseHeaderLayer;

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
        return ApiError::forbidden(t!("web-bad-host"), t!("web-bad-host-advice")).into_response();
    }
    if !origin_ok(req.method(), req.headers()) {
        return ApiError::forbidden(t!("web-bad-origin"), t!("web-bad-origin-advice"))
            .into_response();
    }
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if api {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The protective headers on every answer, the guard's refusals included.
pub fn headers(router: Router) -> Router {
    let set =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    router
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ))
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
}

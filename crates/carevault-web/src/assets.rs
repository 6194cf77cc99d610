//! The web app, embedded in the binary (the tablet is offline: no CDN).

use axum::http::header;
use axum::response::IntoResponse;

const INDEX: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const ICONS: &str = include_str!("../assets/icons.svg");
const FLEET_HTML: &str = include_str!("../assets/fleet.html");
const FLEET_JS: &str = include_str!("../assets/fleet.js");

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

pub async fn index() -> impl IntoResponse {
    asset("text/html; charset=utf-8", INDEX)
}

pub async fn app_js() -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

pub async fn app_css() -> impl IntoResponse {
    asset("text/css; charset=utf-8", APP_CSS)
}

pub async fn icons() -> impl IntoResponse {
    asset("image/svg+xml", ICONS)
}

/// The fleet page (`carevault fleet serve`).
pub async fn fleet_html() -> impl IntoResponse {
    asset("text/html; charset=utf-8", FLEET_HTML)
}

pub async fn fleet_js() -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", FLEET_JS)
}

//! Static files: the built widget at `/link/` and the loader at `/finlink.js`.
//!
//! The loader is compiled into the binary, so a server always serves the loader that matches
//! its own link API; the widget comes from Trunk's output directory.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;

const LOADER_JS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../loader/finlink.js"));
const LOADER_TYPES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../loader/finlink.d.ts"
));

/// The widget's content security policy: no inline script, no eval, only WebAssembly
/// compilation and requests to its own origin.
pub const WIDGET_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'self'; object-src 'none'";

pub fn router(widget_dir: Option<&Path>) -> Router {
    let router = Router::new()
        .route("/finlink.js", get(loader))
        .route("/finlink.d.ts", get(loader_types));
    match widget_dir {
        Some(dir) => router.nest_service(
            "/link",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(WIDGET_CSP),
                ))
                .service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))),
        ),
        None => router.route("/link/", get(widget_not_built)),
    }
}

async fn loader() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        LOADER_JS,
    )
}

async fn loader_types() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/typescript; charset=utf-8",
        )],
        LOADER_TYPES,
    )
}

async fn widget_not_built() -> ApiError {
    ApiError::RouteNotFound {
        path: "/link/ (start the server with --widget-dir)".to_owned(),
    }
}

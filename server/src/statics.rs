//! Static files: the built widget at `/link/`, the hosted verification page at `/link/verify/`
//! and the loader at `/finlink.js`.
//!
//! The loader is compiled into the binary, so a server always serves the loader that matches
//! its own link API; the widget comes from Trunk's output directory, with the verification
//! page, a bundle of its own, in its `verify/` directory. The build writes a brotli and a gzip
//! copy next to each script, style and module (`scripts/precompress.mjs`), and browsers that
//! accept one get it: the widget's module is about a third of its size in brotli.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::AllowedOrigin;
use crate::error::ApiError;

const LOADER_JS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../loader/finlink.js"));
const LOADER_TYPES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../loader/finlink.d.ts"
));

/// The widget's content security policy: no inline script, no eval, only WebAssembly
/// compilation and requests to its own origin. [`widget_csp`] adds `frame-ancestors`.
pub const WIDGET_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'self'; object-src 'none'";

/// [`WIDGET_CSP`] with the pages allowed to embed the widget: `frame-ancestors` lists them, or
/// is `'none'` when there are none.
pub fn widget_csp(allowed_origins: &[AllowedOrigin]) -> String {
    let ancestors = if allowed_origins.is_empty() {
        "'none'".to_owned()
    } else {
        allowed_origins
            .iter()
            .map(AllowedOrigin::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("{WIDGET_CSP}; frame-ancestors {ancestors}")
}

/// The widget page's referrer policy: a bank's OAuth page sees finlink's origin (some banks
/// require a referrer from the app that sends people to them), never a path; the client
/// secret is in the URL fragment, which no referrer carries.
pub const WIDGET_REFERRER_POLICY: &str = "strict-origin-when-cross-origin";

pub fn router(widget_dir: Option<&Path>, allowed_origins: &[AllowedOrigin]) -> Router {
    let router = Router::new()
        .route("/finlink.js", get(loader))
        .route("/finlink.d.ts", get(loader_types));
    match widget_dir {
        Some(dir) => router
            .route(VERIFICATION_PAGE_PATH, get(to_verification_page))
            .nest_service(
                "/link",
                tower::ServiceBuilder::new()
                    .layer(SetResponseHeaderLayer::overriding(
                        header::CONTENT_SECURITY_POLICY,
                        csp_header(allowed_origins),
                    ))
                    .layer(SetResponseHeaderLayer::overriding(
                        header::REFERRER_POLICY,
                        HeaderValue::from_static(WIDGET_REFERRER_POLICY),
                    ))
                    // The same URL answers brotli, gzip or plain bytes, by Accept-Encoding.
                    .layer(SetResponseHeaderLayer::overriding(
                        header::VARY,
                        HeaderValue::from_static("accept-encoding"),
                    ))
                    .service(
                        ServeDir::new(dir)
                            .precompressed_br()
                            .precompressed_gzip()
                            .fallback(ServeFile::new(dir.join("index.html"))),
                    ),
            ),
        None => router.route("/link/", get(widget_not_built)),
    }
}

/// The header value of [`widget_csp`]; origins are `scheme://host[:port]`, always valid in a
/// header, and the policy without them is the fallback that cannot fail.
fn csp_header(allowed_origins: &[AllowedOrigin]) -> HeaderValue {
    HeaderValue::from_str(&widget_csp(allowed_origins))
        .unwrap_or_else(|_| HeaderValue::from_static(WIDGET_CSP_NOT_EMBEDDABLE))
}

const CROSS_ORIGIN_RESOURCE_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-resource-policy");

const WIDGET_CSP_NOT_EMBEDDABLE: &str = "default-src 'self'; script-src 'self' \
    'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'none'";

async fn loader() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            // Host pages that require CORP of their subresources (COEP) may load it.
            (CROSS_ORIGIN_RESOURCE_POLICY, "cross-origin"),
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

/// The hosted verification page without its trailing slash (a link typed by hand). Under
/// `/link` the directory's own redirect would lose the prefix, so this route answers first.
const VERIFICATION_PAGE_PATH: &str = "/link/verify";

/// Redirects to the verification page (which reads nothing from the query); the browser keeps
/// the fragment, which holds the secret and never reaches the server.
async fn to_verification_page() -> Redirect {
    Redirect::permanent("/link/verify/")
}

async fn widget_not_built() -> ApiError {
    ApiError::RouteNotFound {
        path: "/link/ (start the server with --widget-dir)".to_owned(),
    }
}

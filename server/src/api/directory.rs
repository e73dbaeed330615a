//! `GET /v1/link/directory`: every institution in one compact file, so that the widget
//! searches on every keystroke without a round trip (format: `finlink_search::format`).
//!
//! - The file is encoded and gzipped once, the first time it is asked for.
//! - `GET /v1/link/directory` answers with the current file, `ETag` and `Cache-Control:
//!   private, no-cache`: a browser keeps it and revalidates it with `If-None-Match`, which
//!   costs a `304` without a body while the directory is unchanged. `Content-Location` names
//!   the versioned URL of the same content.
//! - `GET /v1/link/directory/{version}` serves that version for a year (`immutable`), with
//!   no revalidation at all; another version than the current one is `404`.
//! - `Accept-Encoding: gzip` gets the gzipped representation (`Content-Encoding: gzip`),
//!   with its own strong `ETag`; `Vary: Accept-Encoding` keeps caches from mixing them.
//! - Like all of the link API it needs the session's client secret: an operator's licensed
//!   directory goes to people linking an account, not to anyone who asks. Hence `private`:
//!   the person's browser caches it, shared caches do not.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::link::with_session;
use crate::app::Shared;
use crate::directory::DirectoryFile;
use crate::error::ApiError;
use crate::http::extract::Bearer;

/// The path of the current file; the versioned one appends `/{version}`.
const PATH: &str = finlink_protocol::DIRECTORY_PATH;

/// How long a versioned file may be kept: it never changes.
const IMMUTABLE: &str = "private, max-age=31536000, immutable";
/// The current file: kept, but revalidated before every use.
const REVALIDATE: &str = "private, no-cache";

/// `GET /v1/link/directory`
pub async fn current(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    with_session(&state, bearer, |_, _| Ok(())).await?;
    let file = state.directory.file().map_err(ApiError::internal)?;
    Ok(respond(file, &headers, REVALIDATE))
}

/// `GET /v1/link/directory/{version}`
pub async fn versioned(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(version): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    with_session(&state, bearer, |_, _| Ok(())).await?;
    let file = state.directory.file().map_err(ApiError::internal)?;
    if version != file.version {
        return Err(ApiError::ResourceMissing {
            kind: "directory version",
            id: version,
        });
    }
    Ok(respond(file, &headers, IMMUTABLE))
}

/// The representation the request accepts, or `304 Not Modified` when it already has it.
fn respond(file: &DirectoryFile, request: &HeaderMap, cache_control: &'static str) -> Response {
    let gzip = accepts_gzip(request);
    let (etag, body) = if gzip {
        (file.gzip_etag(), file.gzip.clone())
    } else {
        (file.etag(), file.identity.clone())
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("{PATH}/{}", file.version)) {
        headers.insert(header::CONTENT_LOCATION, value);
    }
    if none_match(request, &etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(finlink_search::format::MEDIA_TYPE),
    );
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    (StatusCode::OK, headers, body).into_response()
}

/// Whether `Accept-Encoding` takes gzip (by name or `*`, with a non-zero quality).
fn accepts_gzip(request: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    for item in request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
    {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|part| {
                let (name, value) = part.split_once('=')?;
                (name.trim().eq_ignore_ascii_case("q")).then(|| value.trim().parse::<f32>().ok())?
            })
            .next()
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => gzip = Some(quality > 0.0),
            "*" => any = Some(quality > 0.0),
            _ => {}
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// Whether `If-None-Match` lists `etag` or `*` (weak comparison, RFC 9110 §13.1.2).
fn none_match(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::{accepts_gzip, none_match};

    fn headers(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn gzip_is_accepted_by_name_or_star_unless_its_quality_is_zero() {
        let accepts = |value| accepts_gzip(&headers(header::ACCEPT_ENCODING, value));
        assert!(accepts("gzip"));
        assert!(accepts("br, gzip;q=0.5, deflate"));
        assert!(accepts("GZIP"));
        assert!(accepts("*"));
        assert!(accepts("x-gzip"));
        assert!(!accepts("br"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("*, gzip; q=0"));
        assert!(!accepts("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn if_none_match_compares_tags_weakly_and_takes_a_star() {
        let matches = |value| none_match(&headers(header::IF_NONE_MATCH, value), "\"v1\"");
        assert!(matches("\"v1\""));
        assert!(matches("W/\"v1\""));
        assert!(matches("\"v0\", \"v1\""));
        assert!(matches("*"));
        assert!(!matches("\"v2\""));
        assert!(!matches("\"v1-gzip\""));
        assert!(!none_match(&HeaderMap::new(), "\"v1\""));
    }
}

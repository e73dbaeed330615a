//! Client of the link API (DESIGN §3), authenticated with the session's client secret.
//!
//! The client secret goes in the `Authorization` header, never in a URL, and never into an
//! error message or a log line.

use finlink_protocol::{ErrorCode, ErrorResponse, ErrorType, LinkSession};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

/// Why a call to the link API did not give the expected answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The server refused the request with its error object.
    #[error("{} ({:?}, HTTP {status})", .error.message, .error.code)]
    Api {
        status: u16,
        error: finlink_protocol::ApiError,
    },
    /// The server answered an error status without a readable error object (a proxy, say).
    #[error("the server answered HTTP {status}")]
    Status { status: u16 },
    /// No answer: offline, DNS, connection refused, CORS or CSP refusal.
    #[error("could not reach the server: {0}")]
    Network(String),
    /// An answer that is not the expected JSON.
    #[error("could not read the server's answer: {0}")]
    Decode(String),
    /// No client secret to call with: the page was opened without one.
    #[error("no client secret")]
    MissingClientSecret,
}

impl ApiError {
    /// Whether the same request may succeed if sent again later.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, error } => {
                matches!(error.kind, ErrorType::RateLimitError | ErrorType::ApiError)
                    || *status >= 500
            }
            Self::Status { status } => *status >= 500 || *status == 429,
            Self::Network(_) => true,
            Self::Decode(_) | Self::MissingClientSecret => false,
        }
    }

    /// The API's error code, when the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { error, .. } => Some(error.code),
            Self::Status { .. }
            | Self::Network(_)
            | Self::Decode(_)
            | Self::MissingClientSecret => None,
        }
    }
}

/// `GET /v1/link/session`: the session the client secret opens.
///
/// `base` is the server's origin, such as `https://link.example.com` (no trailing slash).
pub async fn fetch_link_session(base: &str, client_secret: &str) -> Result<LinkSession, ApiError> {
    if client_secret.is_empty() {
        return Err(ApiError::MissingClientSecret);
    }
    let response = Request::get(&format!("{base}/v1/link/session"))
        .header("Authorization", &format!("Bearer {client_secret}"))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    read(response).await
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    decode(status, &body)
}

/// Turns a status and a body into the expected value or the matching error.
pub fn decode<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        serde_json::from_str(body).map_err(|error| ApiError::Decode(error.to_string()))
    } else {
        match serde_json::from_str::<ErrorResponse>(body) {
            Ok(ErrorResponse { error }) => Err(ApiError::Api { status, error }),
            Err(_) => Err(ApiError::Status { status }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_object_becomes_a_typed_error() {
        let body = r#"{"error":{"type":"invalid_request_error","code":"session_expired",
            "message":"This session expired; create a new one.","param":null,"request_id":"req_1"}}"#;
        let error = decode::<LinkSession>(400, body).unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::SessionExpired));
        assert!(!error.is_retryable());
        assert!(error.to_string().contains("This session expired"));
    }

    #[test]
    fn server_failures_and_rate_limits_are_retryable() {
        let body = r#"{"error":{"type":"rate_limit_error","code":"rate_limited",
            "message":"Slow down.","param":null,"request_id":null}}"#;
        assert!(decode::<LinkSession>(429, body).unwrap_err().is_retryable());
        assert!(
            decode::<LinkSession>(502, "<html>Bad gateway</html>")
                .unwrap_err()
                .is_retryable()
        );
        assert_eq!(
            decode::<LinkSession>(404, "not json").unwrap_err(),
            ApiError::Status { status: 404 }
        );
    }

    #[test]
    fn a_malformed_success_is_a_decode_error() {
        let error = decode::<LinkSession>(200, r#"{"object":"link_session"}"#).unwrap_err();
        assert!(matches!(error, ApiError::Decode(_)), "{error:?}");
        assert!(!error.is_retryable());
    }

    #[test]
    fn unknown_codes_from_a_newer_server_still_decode() {
        let body = r#"{"error":{"type":"api_error","code":"brand_new_code",
            "message":"Something new.","param":null,"request_id":null}}"#;
        let error = decode::<LinkSession>(500, body).unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Unknown));
        assert!(error.is_retryable());
    }
}

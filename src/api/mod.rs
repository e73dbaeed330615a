//! Client of the link API (DESIGN §3), authenticated with the session's client secret.
//!
//! The client secret goes in the `Authorization` header, never in a URL, and never into an
//! error message or a log line. Requests that are safe to send twice (reads, and attach with
//! its `Idempotency-Key`) are sent again when no answer came back at all.

use finlink_protocol::{
    AnswerMfaRequest, AttachAccountsRequest, ConsentRequest, ErrorCode, ErrorResponse, ErrorType,
    OAuthReturn, Permission, StartAuthorizationRequest, SubmitCredentialsRequest,
};
use gloo_net::http::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;

mod directory;
mod early;
mod manual;
mod returning;
mod verification;

pub use early::EARLY_SESSION;
pub use verification::VerificationClient;

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

/// How many institutions a search asks for.
pub const SEARCH_LIMIT: u32 = 10;

/// Waits before each automatic resend of a request that got no answer, in milliseconds.
const RESEND_DELAYS_MS: [i32; 2] = [300, 1_000];

/// The link API of one session.
#[derive(Clone, PartialEq, Eq)]
pub struct Client {
    base: String,
    client_secret: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// `base` is the server's origin, such as `https://link.example.com` (a trailing slash is
    /// dropped); empty for the page's own origin.
    pub fn new(base: &str, client_secret: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            client_secret: client_secret.to_owned(),
        }
    }

    /// `GET /v1/link/session`: the session the client secret opens; decoded as a
    /// `LinkSession`.
    pub fn session() -> Call {
        Call::get(SESSION_PATH.to_owned())
    }

    /// `POST /v1/link/consent` with the permissions the person saw; decoded as a
    /// `LinkSession`.
    pub fn consent(permissions: &[Permission]) -> Result<Call, ApiError> {
        let body = ConsentRequest {
            permissions: permissions.to_vec(),
        };
        Call::post("/v1/link/consent".to_owned(), &body, None)
    }

    /// `GET /v1/link/institutions?query=&limit=`: featured institutions for an empty query;
    /// decoded as a `List<Institution>`.
    pub fn institutions(query: &str, limit: u32) -> Call {
        Call::get(format!(
            "/v1/link/institutions?query={}&limit={limit}",
            encode_component(query)
        ))
    }

    /// `POST /v1/link/authorizations`: log in at this institution; decoded as an
    /// `Authorization`. `oauth_return` says how an OAuth login comes back: to a popup, or to
    /// the session's `return_url`.
    pub fn start_authorization(
        institution: &str,
        oauth_return: OAuthReturn,
    ) -> Result<Call, ApiError> {
        let body = StartAuthorizationRequest {
            institution: institution.to_owned(),
            oauth_return,
        };
        Call::post("/v1/link/authorizations".to_owned(), &body, None)
    }

    /// `GET /v1/link/authorizations/{id}`: where the login at the bank stands; decoded as an
    /// `Authorization`.
    pub fn authorization(id: &str) -> Call {
        Call::get(authorization_path(id, ""))
    }

    /// `POST /v1/link/authorizations/{id}/credentials`; decoded as an `Authorization`. Never
    /// resent: the bank counts attempts.
    pub fn submit_credentials(id: &str, username: &str, password: &str) -> Result<Call, ApiError> {
        let body = SubmitCredentialsRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        Call::post(authorization_path(id, "/credentials"), &body, None)
    }

    /// `POST /v1/link/authorizations/{id}/mfa`; decoded as an `Authorization`.
    pub fn answer_mfa(id: &str, answer: &str) -> Result<Call, ApiError> {
        let body = AnswerMfaRequest {
            answer: answer.to_owned(),
        };
        Call::post(authorization_path(id, "/mfa"), &body, None)
    }

    /// `GET /v1/link/authorizations/{id}/accounts`: what the bank shared; decoded as a
    /// `List<LinkAccount>`.
    pub fn accounts(id: &str) -> Call {
        Call::get(authorization_path(id, "/accounts"))
    }

    /// `POST /v1/link/authorizations/{id}/attach` with `Idempotency-Key`: link the chosen
    /// accounts; decoded as a `LinkResult`. The key makes a resend link them once.
    pub fn attach(id: &str, accounts: &[String], idempotency_key: &str) -> Result<Call, ApiError> {
        let body = AttachAccountsRequest {
            accounts: accounts.to_vec(),
        };
        Call::post(
            authorization_path(id, "/attach"),
            &body,
            Some(idempotency_key),
        )
    }

    /// `POST /v1/link/complete`: the person is done; decoded as a `LinkResult`.
    pub fn complete() -> Result<Call, ApiError> {
        Call::post("/v1/link/complete".to_owned(), &Empty {}, None)
    }

    /// `POST /v1/link/cancel`: the person closed the flow; decoded as a `LinkResult`.
    pub fn cancel() -> Result<Call, ApiError> {
        Call::post("/v1/link/cancel".to_owned(), &Empty {}, None)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let (status, body) = self.send(Method::GET, path, None, None, true).await?;
        decode(status, &body)
    }

    /// A POST with a JSON body. Only a POST with an idempotency key is ever resent.
    async fn post<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        let body =
            serde_json::to_string(body).map_err(|error| ApiError::Decode(error.to_string()))?;
        let repeatable = idempotency_key.is_some();
        let (status, body) = self
            .send(Method::POST, path, Some(&body), idempotency_key, repeatable)
            .await?;
        decode(status, &body)
    }

    /// Sends one request and reads the answer's status and body, for [`decode`]. One call
    /// site for every request: the widget's future awaits this alone, not one future per
    /// request and answer type.
    pub async fn call(&self, call: &Call) -> Result<(u16, String), ApiError> {
        self.send(
            call.method.clone(),
            &call.path,
            call.body.as_deref(),
            call.idempotency_key.as_deref(),
            call.repeatable,
        )
        .await
    }

    /// Sends a request with the client secret and reads the answer's status and body. A
    /// request that got no answer at all is sent again (after a short wait) when that is safe,
    /// `repeatable`: a GET, a POST with an idempotency key, or one the server answers alike
    /// however often it comes. Not generic, so the browser glue exists once.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        idempotency_key: Option<&str>,
        repeatable: bool,
    ) -> Result<(u16, String), ApiError> {
        if self.client_secret.is_empty() {
            return Err(ApiError::MissingClientSecret);
        }
        if method == Method::GET
            && path == SESSION_PATH
            && let Some(response) = early::take(&self.base, &self.client_secret).await
            && let Ok(answer) = read(Response::from(response)).await
        {
            return Ok(answer);
        }
        let url = format!("{}{path}", self.base);
        let authorization = format!("Bearer {}", self.client_secret);
        let mut delays = RESEND_DELAYS_MS.iter();
        loop {
            let mut builder = RequestBuilder::new(&url)
                .method(method.clone())
                .header("Authorization", &authorization)
                .header("Accept", "application/json");
            if let Some(key) = idempotency_key {
                builder = builder.header("Idempotency-Key", key);
            }
            let request = match body {
                Some(body) => builder
                    .header("Content-Type", "application/json")
                    .body(body),
                None => builder.build(),
            }
            .map_err(|error| ApiError::Network(error.to_string()))?;
            let error = match request.send().await {
                Ok(response) => return read(response).await,
                Err(error) => ApiError::Network(error.to_string()),
            };
            match delays.next() {
                Some(&delay) if repeatable => sleep(delay).await,
                Some(_) | None => return Err(error),
            }
        }
    }
}

/// The session: the first request of every widget, which the page may have sent already
/// ([`early`]).
const SESSION_PATH: &str = "/v1/link/session";

/// One request of the link API, ready to send with [`Client::call`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    method: Method,
    path: String,
    /// The JSON body of a POST.
    body: Option<String>,
    idempotency_key: Option<String>,
    /// Whether it may be sent again when no answer came (see [`Client::call`]).
    repeatable: bool,
}

impl Call {
    fn get(path: String) -> Call {
        Call {
            method: Method::GET,
            path,
            body: None,
            idempotency_key: None,
            repeatable: true,
        }
    }

    /// A POST with a JSON body. Only a POST with an idempotency key, or one marked
    /// [`Call::repeatable`], is ever resent.
    fn post<B: serde::Serialize>(
        path: String,
        body: &B,
        idempotency_key: Option<&str>,
    ) -> Result<Call, ApiError> {
        let body =
            serde_json::to_string(body).map_err(|error| ApiError::Decode(error.to_string()))?;
        Ok(Call {
            method: Method::POST,
            path,
            body: Some(body),
            idempotency_key: idempotency_key.map(str::to_owned),
            repeatable: idempotency_key.is_some(),
        })
    }

    /// Marks a POST the server answers alike however often it comes, without a key, so that
    /// it is sent again when no answer came.
    fn repeatable(self) -> Call {
        Call {
            repeatable: true,
            ..self
        }
    }
}

/// The body of requests that carry none.
#[derive(serde::Serialize)]
struct Empty {}

/// `/v1/link/authorizations/{id}{rest}`, with the id percent-encoded.
fn authorization_path(id: &str, rest: &str) -> String {
    format!("/v1/link/authorizations/{}{rest}", encode_component(id))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, for a path segment or a
/// query value.
pub fn encode_component(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Resolves after `ms` milliseconds (at once where there is no window).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let started = web_sys::window().and_then(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .ok()
        });
        if started.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

async fn read(response: Response) -> Result<(u16, String), ApiError> {
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    Ok((status, body))
}

/// Turns a status and a body into the expected value or the matching error.
pub fn decode<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        serde_json::from_str(body).map_err(decode_error)
    } else {
        Err(error_of(status, body))
    }
}

// Not generic, so that each type `decode` reads shares them.
#[inline(never)]
fn decode_error(error: serde_json::Error) -> ApiError {
    ApiError::Decode(error.to_string())
}

#[inline(never)]
fn error_of(status: u16, body: &str) -> ApiError {
    match serde_json::from_str::<ErrorResponse>(body) {
        Ok(ErrorResponse { error }) => ApiError::Api { status, error },
        Err(_) => ApiError::Status { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use finlink_protocol::{Institution, LinkSession, List};

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

    #[test]
    fn lists_decode_to_their_data() {
        let body = r#"{"object":"list","data":[],"has_more":false,"url":"/v1/link/institutions"}"#;
        let list = decode::<List<Institution>>(200, body).unwrap();
        assert!(list.data.is_empty());
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode_component("fcauth_1AbC-9.~"), "fcauth_1AbC-9.~");
        assert_eq!(encode_component("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
        assert_eq!(
            authorization_path("a/x", "/mfa"),
            "/v1/link/authorizations/a%2Fx/mfa"
        );
        assert_eq!(encode_component("crédit & co"), "cr%C3%A9dit%20%26%20co");
    }

    #[test]
    fn the_client_secret_stays_out_of_debug_output() {
        let client = Client::new("https://link.example/", "fcsess_1_secret_abc");
        let debug = format!("{client:?}");
        assert!(!debug.contains("secret_abc"), "{debug}");
        assert!(debug.contains("https://link.example\""), "{debug}");
    }
}

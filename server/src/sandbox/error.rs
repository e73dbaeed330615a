//! How a sandbox bank refuses: JSON error bodies for its API (RFC 6749 §5.2 style, see
//! `connector::wire::ErrorBody`), HTML pages for the person at its consent page.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::connector::wire::{ErrorBody, ErrorCode};

/// Why a bank cannot serve anything at all right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BankUnavailable {
    /// No institution of the directory has this id.
    #[error("no sandbox bank has this id")]
    UnknownBank,
    /// The institution is down for planned maintenance.
    #[error("the bank is down for scheduled maintenance; try again later")]
    DownScheduled,
    /// The institution has an outage.
    #[error("the bank is unavailable because of an outage; try again later")]
    DownUnscheduled,
    /// The institution answers every request with an error (`Erroring` behaviour).
    #[error("the bank could not process the request")]
    Failing,
}

impl BankUnavailable {
    fn status(self) -> StatusCode {
        match self {
            Self::UnknownBank => StatusCode::NOT_FOUND,
            Self::DownScheduled | Self::DownUnscheduled => StatusCode::SERVICE_UNAVAILABLE,
            Self::Failing => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Why a request to a bank's API failed. One variant per cause; each maps to one status and
/// one wire error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    #[error("{0}")]
    Unavailable(#[from] BankUnavailable),
    /// A parameter is missing, repeated or malformed.
    #[error("{0}")]
    InvalidRequest(String),
    /// The client id is not the registered one.
    #[error("unknown client")]
    InvalidClient,
    /// The code or refresh token is invalid, expired, spent or revoked, or PKCE failed.
    #[error("the authorization grant is invalid, expired, spent or revoked")]
    InvalidGrant,
    /// A grant type other than `authorization_code` and `refresh_token`.
    #[error("the grant type is not supported")]
    UnsupportedGrantType,
    /// The bearer token is missing, expired or revoked.
    #[error("the access token is missing, expired or revoked")]
    InvalidToken,
    /// A wrong password.
    #[error("the username or password is incorrect")]
    InvalidCredentials { attempts_remaining: u32 },
    /// Too many wrong passwords for this username.
    #[error("this username is locked after too many failed logins; try again later")]
    AccountLocked,
    /// A wrong MFA answer.
    #[error("the answer is incorrect")]
    InvalidMfaAnswer { attempts_remaining: u32 },
    /// The MFA token is unknown, expired or used up.
    #[error("the challenge expired; log in again")]
    MfaExpired,
    /// The account does not exist or the token may not see it.
    #[error("no such account")]
    AccountNotFound,
    /// `/login` at an OAuth bank, or the token endpoint's code grant at a credentials bank.
    #[error("this bank does not offer this login method")]
    LoginMethodNotOffered,
    /// The magic password `pass_error`: the bank fails the login.
    #[error("the bank could not process the login")]
    InstitutionFailure,
}

impl BankError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Unavailable(unavailable) => unavailable.status(),
            Self::InvalidRequest(_)
            | Self::InvalidClient
            | Self::InvalidGrant
            | Self::UnsupportedGrantType
            | Self::MfaExpired
            | Self::LoginMethodNotOffered => StatusCode::BAD_REQUEST,
            Self::InvalidToken
            | Self::InvalidCredentials { .. }
            | Self::InvalidMfaAnswer { .. } => StatusCode::UNAUTHORIZED,
            Self::AccountLocked => StatusCode::FORBIDDEN,
            Self::AccountNotFound => StatusCode::NOT_FOUND,
            Self::InstitutionFailure => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            Self::Unavailable(BankUnavailable::UnknownBank) | Self::InvalidRequest(_) => {
                ErrorCode::InvalidRequest
            }
            Self::Unavailable(
                BankUnavailable::DownScheduled | BankUnavailable::DownUnscheduled,
            ) => ErrorCode::InstitutionDown,
            Self::Unavailable(BankUnavailable::Failing) | Self::InstitutionFailure => {
                ErrorCode::InstitutionError
            }
            Self::InvalidClient => ErrorCode::InvalidClient,
            Self::InvalidGrant => ErrorCode::InvalidGrant,
            Self::UnsupportedGrantType => ErrorCode::UnsupportedGrantType,
            Self::InvalidToken => ErrorCode::InvalidToken,
            Self::InvalidCredentials { .. } => ErrorCode::InvalidCredentials,
            Self::AccountLocked => ErrorCode::AccountLocked,
            Self::InvalidMfaAnswer { .. } => ErrorCode::InvalidMfaAnswer,
            Self::MfaExpired => ErrorCode::MfaExpired,
            Self::AccountNotFound => ErrorCode::AccountNotFound,
            Self::LoginMethodNotOffered => ErrorCode::LoginMethodNotOffered,
        }
    }

    fn attempts_remaining(&self) -> Option<u32> {
        match self {
            Self::InvalidCredentials { attempts_remaining }
            | Self::InvalidMfaAnswer { attempts_remaining } => Some(*attempts_remaining),
            _ => None,
        }
    }
}

impl IntoResponse for BankError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code(),
            error_description: Some(self.to_string()),
            attempts_remaining: self.attempts_remaining(),
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            // RFC 6750 §3.
            Self::InvalidToken => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer realm="sandbox", error="invalid_token""#),
                );
            }
            Self::Unavailable(BankUnavailable::DownScheduled) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
            }
            _ => {}
        }
        response
    }
}

/// Why the consent page cannot be shown or answered. Never a redirect: an invalid client or
/// redirect URI must not send the person anywhere (RFC 6749 §4.1.2.1), and the sandbox shows
/// every other problem on its own page too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    Unavailable(#[from] BankUnavailable),
    /// The institution logs in with credentials, not OAuth.
    #[error("This bank does not offer sign-in with OAuth.")]
    NotOAuth,
    #[error("The application asking for access is not registered with this bank.")]
    InvalidClient,
    #[error("The address to return to is not the one registered with this bank.")]
    InvalidRedirectUri,
    #[error("The request is missing the parameter {0}.")]
    MissingParameter(&'static str),
    #[error("The request repeats the parameter {0}.")]
    RepeatedParameter(String),
    #[error("Only response_type=code is supported.")]
    UnsupportedResponseType,
    #[error("Only code_challenge_method=S256 is supported.")]
    UnsupportedChallengeMethod,
    #[error("The code_challenge is not a valid S256 challenge.")]
    InvalidChallenge,
    /// The consent form's request id is unknown, expired or already answered.
    #[error("This sign-in expired or was already answered. Go back and start again.")]
    RequestExpired,
    /// The consent form names an account the bank does not hold.
    #[error("The form names an account this bank does not hold.")]
    UnknownAccount,
    /// The decision is neither Authorize nor Deny.
    #[error("The form's decision is not understood.")]
    UnknownDecision,
    /// The registered redirect URI cannot be parsed (a configuration error).
    #[error("The bank cannot return to the application.")]
    RedirectUriUnusable,
}

impl PageError {
    /// The HTTP status of the page.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unavailable(unavailable) => unavailable.status(),
            Self::RedirectUriUnusable => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The page's heading.
    pub fn title(&self) -> &'static str {
        match self {
            Self::Unavailable(BankUnavailable::UnknownBank) => "Bank not found",
            Self::Unavailable(
                BankUnavailable::DownScheduled | BankUnavailable::DownUnscheduled,
            ) => "This bank is unavailable",
            Self::Unavailable(BankUnavailable::Failing) | Self::RedirectUriUnusable => {
                "Something went wrong"
            }
            Self::RequestExpired => "This sign-in expired",
            _ => "This request cannot be completed",
        }
    }
}

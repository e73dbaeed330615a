//! Every way a request can fail, mapped to the error object of DESIGN §3 and a status code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use finlink_protocol::{
    ErrorCode, ErrorResponse, ErrorType, Feature, Permission, Timestamp, UnselectableReason,
};

use crate::http::request_id;

/// A failed request: one variant per cause, each with the message the caller sees.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("The request body is not valid JSON for this endpoint: {detail}")]
    BodyMalformed { detail: String },
    #[error("The request body is larger than the limit of {limit} bytes.")]
    BodyTooLarge { limit: usize },
    #[error("Missing required parameter: {param}.")]
    ParameterMissing { param: String },
    #[error("Invalid value for {param}: {reason}")]
    ParameterInvalid { param: String, reason: String },
    #[error("Unrecognized request URL: {path}.")]
    RouteNotFound { path: String },
    #[error("This endpoint does not accept the method {method}.")]
    MethodNotAllowed { method: String },
    #[error("No such {kind}: '{id}'.")]
    ResourceMissing { kind: &'static str, id: String },
    #[error("No API key provided: send it as 'Authorization: Bearer sk_...'.")]
    SecretKeyMissing,
    #[error("Invalid API key provided.")]
    SecretKeyInvalid,
    #[error("This link is not valid. Ask the business for a new one.")]
    ClientSecretInvalid,
    #[error("This session expired; create a new one.")]
    SessionExpired,
    #[error("This session is already completed; create a new one.")]
    SessionCompleted,
    #[error("This session was cancelled; create a new one.")]
    SessionCancelled,
    #[error("The person has not consented to share this data yet.")]
    ConsentRequired,
    #[error("This login is not waiting for that step ({detail}). Start again at the bank.")]
    AuthorizationStateInvalid { detail: &'static str },
    #[error("The bank's answer does not belong to a login in progress. Please start again.")]
    OauthStateInvalid,
    #[error(
        "The bank's answer came from another issuer than the bank you chose. Please start again."
    )]
    OauthIssuerMismatch,
    #[error("The bank did not accept the authorization code. Please start again.")]
    OauthCodeInvalid,
    #[error("Access was not granted at the bank.")]
    OauthDenied,
    #[error("The username or password is incorrect.")]
    InvalidCredentials { attempts_remaining: u32 },
    #[error("That answer is not correct.")]
    InvalidMfaAnswer { attempts_remaining: u32 },
    #[error(
        "The bank locked this login after too many attempts. Try again later or contact the bank."
    )]
    AccountLocked,
    #[error("{name} is down for scheduled maintenance. Try again later or pick another bank.")]
    InstitutionDownScheduled { name: String },
    #[error("{name} is not responding right now. Try again later or pick another bank.")]
    InstitutionDownUnscheduled { name: String },
    #[error("{name} could not complete the request. Try again later or pick another bank.")]
    InstitutionError { name: String },
    #[error("{name} cannot be reached right now. Try again in a moment.")]
    InstitutionUnavailable { name: String },
    #[error("The account {id} cannot be linked.")]
    AccountNotSelectable {
        id: String,
        reason: UnselectableReason,
    },
    #[error("Select at least one account.")]
    NoAccountsSelected,
    /// The session's `account_selection` is `single`.
    #[error("Select only one account: this session links a single account.")]
    TooManyAccountsSelected,
    #[error(
        "This account was linked without the '{}' permission. Create a session that asks for it and have the person link the account again.",
        permission.as_str()
    )]
    PermissionMissing { permission: Permission },
    #[error("The account {id} is disconnected: nothing more can be fetched from its bank.")]
    AccountDisconnected { id: String },
    #[error(
        "finlink lost access to the account {id} at its bank. Ask the person to link it again."
    )]
    AccountInactive { id: String },
    #[error("The account {id} cannot carry ACH payments, so it has no account numbers to share.")]
    AccountNumbersUnavailable { id: String },
    #[error("A {} refresh of this account is still pending; wait for it to end.", feature.as_str())]
    RefreshInProgress { feature: Feature },
    #[error(
        "The last {} refresh of this account ended moments ago; refresh again at or after {available_at} (Unix time).",
        feature.as_str()
    )]
    RefreshTooSoon {
        feature: Feature,
        available_at: Timestamp,
    },
    #[error(
        "The account {id} was entered by hand and its microdeposits are not verified yet; its account numbers are shared once the person verifies them."
    )]
    AccountNotVerified { id: String },
    #[error("This routing number is not valid: it must be 9 digits with a valid check digit.")]
    RoutingNumberInvalid,
    #[error(
        "No bank with this routing number was found. Check the number on a cheque or statement."
    )]
    RoutingNumberUnknown,
    #[error("This account number is not valid: it must be 4 to 17 digits.")]
    AccountNumberInvalid,
    #[error("The account numbers do not match.")]
    AccountNumbersMismatch,
    #[error("This session does not allow entering bank details by hand.")]
    ManualEntryNotAllowed,
    #[error("The bank says this account is closed. Enter another account.")]
    BankAccountClosed,
    #[error("The bank has no account with this number. Check the numbers and try again.")]
    BankAccountNotFound,
    #[error("The deposits could not be sent to this account. Enter another account.")]
    MicrodepositsFailed,
    #[error("This verification link is not valid. Ask the business for a new one.")]
    VerificationSecretInvalid,
    #[error("Those are not the deposits we sent. {attempts_remaining} attempt(s) left.")]
    MicrodepositsMismatch { attempts_remaining: u32 },
    #[error(
        "Too many wrong answers: this account cannot be verified. Enter it again with the business."
    )]
    VerificationAttemptsExceeded,
    #[error("This verification expired: enter the account again with the business.")]
    VerificationExpired,
    #[error("This account is already verified.")]
    VerificationCompleted,
    #[error("Enter a valid email address.")]
    EmailInvalid,
    /// Saving under another email than the session's `account_holder.email`.
    #[error("Accounts are saved under the email {business_name} gave for you.")]
    EmailNotTheSessions { business_name: String },
    /// Saving in a session whose business gave no email.
    #[error(
        "Accounts are saved under the email the business gives for you; {business_name} gave none."
    )]
    EmailNotGiven { business_name: String },
    #[error("Enter a valid phone number, or leave it empty.")]
    PhoneInvalid,
    #[error("This session linked no account at a bank that could be saved.")]
    NothingToSave,
    #[error("Saved accounts cannot be used in this session.")]
    ReturningUserUnavailable,
    #[error("That code isn't right. {}", attempts_left(*attempts_remaining))]
    OneTimeCodeIncorrect { attempts_remaining: u32 },
    #[error("No code is waiting: send a new one.")]
    OneTimeCodeNotSent,
    #[error("This code expired: send a new one.")]
    OneTimeCodeExpired,
    #[error("Too many wrong codes: saved accounts cannot be used in this session.")]
    OneTimeCodeAttemptsExceeded,
    #[error("{}", resend_limited(*available_at))]
    OneTimeCodeResendLimited { available_at: Option<Timestamp> },
    #[error("Enter the code sent to your email first.")]
    OneTimeCodeRequired,
    #[error("This Idempotency-Key was already used with a different request.")]
    IdempotencyKeyInUse,
    #[error("Invalid Idempotency-Key: {reason}")]
    IdempotencyKeyInvalid { reason: &'static str },
    /// Details are logged with the request id, never sent.
    #[error("Something went wrong on our side. Please try again.")]
    Internal { detail: String },
}

/// "4 attempts left." / "1 attempt left."
fn attempts_left(attempts_remaining: u32) -> String {
    match attempts_remaining {
        1 => "1 attempt left.".to_owned(),
        n => format!("{n} attempts left."),
    }
}

fn resend_limited(available_at: Option<Timestamp>) -> String {
    match available_at {
        Some(at) => format!(
            "A code was sent moments ago or too many were sent: send a new one at or after {at} (Unix time)."
        ),
        None => "No more codes can be sent in this session.".to_owned(),
    }
}

impl ApiError {
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::Internal {
            detail: detail.to_string(),
        }
    }

    pub fn invalid(param: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::ParameterInvalid {
            param: param.into(),
            reason: reason.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BodyMalformed { .. }
            | Self::ParameterMissing { .. }
            | Self::ParameterInvalid { .. }
            | Self::SessionExpired
            | Self::SessionCompleted
            | Self::SessionCancelled
            | Self::IdempotencyKeyInvalid { .. }
            | Self::NoAccountsSelected
            | Self::TooManyAccountsSelected
            | Self::AccountDisconnected { .. }
            | Self::AccountInactive { .. }
            | Self::AccountNumbersUnavailable { .. }
            | Self::AccountNotVerified { .. }
            | Self::RoutingNumberInvalid
            | Self::RoutingNumberUnknown
            | Self::AccountNumberInvalid
            | Self::AccountNumbersMismatch
            | Self::MicrodepositsMismatch { .. }
            | Self::EmailInvalid
            | Self::EmailNotTheSessions { .. }
            | Self::EmailNotGiven { .. }
            | Self::PhoneInvalid
            | Self::OneTimeCodeIncorrect { .. } => StatusCode::BAD_REQUEST,
            Self::NothingToSave
            | Self::ReturningUserUnavailable
            | Self::OneTimeCodeNotSent
            | Self::OneTimeCodeExpired
            | Self::OneTimeCodeAttemptsExceeded => StatusCode::CONFLICT,
            Self::OneTimeCodeResendLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::OneTimeCodeRequired => StatusCode::FORBIDDEN,
            Self::PermissionMissing { .. } | Self::ManualEntryNotAllowed => StatusCode::FORBIDDEN,
            Self::BankAccountClosed | Self::BankAccountNotFound | Self::MicrodepositsFailed => {
                StatusCode::PAYMENT_REQUIRED
            }
            Self::VerificationAttemptsExceeded
            | Self::VerificationExpired
            | Self::VerificationCompleted => StatusCode::CONFLICT,
            Self::RefreshInProgress { .. } => StatusCode::CONFLICT,
            Self::RefreshTooSoon { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RouteNotFound { .. } | Self::ResourceMissing { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::SecretKeyMissing
            | Self::SecretKeyInvalid
            | Self::ClientSecretInvalid
            | Self::VerificationSecretInvalid => StatusCode::UNAUTHORIZED,
            Self::ConsentRequired => StatusCode::FORBIDDEN,
            Self::AuthorizationStateInvalid { .. } | Self::IdempotencyKeyInUse => {
                StatusCode::CONFLICT
            }
            Self::OauthStateInvalid
            | Self::OauthIssuerMismatch
            | Self::OauthCodeInvalid
            | Self::OauthDenied
            | Self::InvalidCredentials { .. }
            | Self::InvalidMfaAnswer { .. }
            | Self::AccountLocked
            | Self::AccountNotSelectable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InstitutionDownScheduled { .. }
            | Self::InstitutionDownUnscheduled { .. }
            | Self::InstitutionUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::InstitutionError { .. } => StatusCode::BAD_GATEWAY,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn kind(&self) -> ErrorType {
        match self {
            Self::SecretKeyMissing
            | Self::SecretKeyInvalid
            | Self::ClientSecretInvalid
            | Self::VerificationSecretInvalid => ErrorType::AuthenticationError,
            Self::IdempotencyKeyInUse => ErrorType::IdempotencyError,
            Self::RefreshTooSoon { .. } | Self::OneTimeCodeResendLimited { .. } => {
                ErrorType::RateLimitError
            }
            Self::InvalidCredentials { .. }
            | Self::InvalidMfaAnswer { .. }
            | Self::AccountLocked
            | Self::OauthDenied
            | Self::OauthCodeInvalid
            | Self::InstitutionDownScheduled { .. }
            | Self::InstitutionDownUnscheduled { .. }
            | Self::InstitutionError { .. }
            | Self::InstitutionUnavailable { .. }
            | Self::BankAccountClosed
            | Self::BankAccountNotFound
            | Self::MicrodepositsFailed => ErrorType::InstitutionError,
            Self::Internal { .. } => ErrorType::ApiError,
            _ => ErrorType::InvalidRequestError,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BodyMalformed { .. } => ErrorCode::BodyMalformed,
            Self::BodyTooLarge { .. } => ErrorCode::BodyTooLarge,
            Self::ParameterMissing { .. } => ErrorCode::ParameterMissing,
            Self::ParameterInvalid { .. } => ErrorCode::ParameterInvalid,
            Self::RouteNotFound { .. } => ErrorCode::RouteNotFound,
            Self::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            Self::ResourceMissing { .. } => ErrorCode::ResourceMissing,
            Self::SecretKeyMissing => ErrorCode::SecretKeyMissing,
            Self::SecretKeyInvalid => ErrorCode::SecretKeyInvalid,
            Self::ClientSecretInvalid => ErrorCode::ClientSecretInvalid,
            Self::SessionExpired => ErrorCode::SessionExpired,
            Self::SessionCompleted => ErrorCode::SessionCompleted,
            Self::SessionCancelled => ErrorCode::SessionCancelled,
            Self::ConsentRequired => ErrorCode::ConsentRequired,
            Self::AuthorizationStateInvalid { .. } => ErrorCode::AuthorizationStateInvalid,
            Self::OauthStateInvalid => ErrorCode::OauthStateInvalid,
            Self::OauthIssuerMismatch => ErrorCode::OauthIssuerMismatch,
            Self::OauthCodeInvalid => ErrorCode::OauthCodeInvalid,
            Self::OauthDenied => ErrorCode::OauthDenied,
            Self::InvalidCredentials { .. } => ErrorCode::InvalidCredentials,
            Self::InvalidMfaAnswer { .. } => ErrorCode::InvalidMfaAnswer,
            Self::AccountLocked => ErrorCode::AccountLocked,
            Self::InstitutionDownScheduled { .. } => ErrorCode::InstitutionDownScheduled,
            Self::InstitutionDownUnscheduled { .. } => ErrorCode::InstitutionDownUnscheduled,
            Self::InstitutionError { .. } => ErrorCode::InstitutionError,
            Self::InstitutionUnavailable { .. } => ErrorCode::InstitutionUnavailable,
            Self::AccountNotSelectable { .. } => ErrorCode::AccountNotSelectable,
            Self::NoAccountsSelected => ErrorCode::NoAccountsSelected,
            Self::TooManyAccountsSelected => ErrorCode::TooManyAccountsSelected,
            Self::PermissionMissing { .. } => ErrorCode::PermissionMissing,
            Self::AccountDisconnected { .. } => ErrorCode::AccountDisconnected,
            Self::AccountInactive { .. } => ErrorCode::AccountInactive,
            Self::AccountNumbersUnavailable { .. } => ErrorCode::AccountNumbersUnavailable,
            Self::RefreshInProgress { .. } => ErrorCode::RefreshInProgress,
            Self::RefreshTooSoon { .. } => ErrorCode::RefreshTooSoon,
            Self::AccountNotVerified { .. } => ErrorCode::AccountNumbersUnavailable,
            Self::RoutingNumberInvalid => ErrorCode::RoutingNumberInvalid,
            Self::RoutingNumberUnknown => ErrorCode::RoutingNumberUnknown,
            Self::AccountNumberInvalid => ErrorCode::AccountNumberInvalid,
            Self::AccountNumbersMismatch => ErrorCode::AccountNumbersMismatch,
            Self::ManualEntryNotAllowed => ErrorCode::ManualEntryNotAllowed,
            Self::BankAccountClosed => ErrorCode::BankAccountClosed,
            Self::BankAccountNotFound => ErrorCode::BankAccountNotFound,
            Self::MicrodepositsFailed => ErrorCode::MicrodepositsFailed,
            Self::VerificationSecretInvalid => ErrorCode::VerificationSecretInvalid,
            Self::MicrodepositsMismatch { .. } => ErrorCode::MicrodepositsMismatch,
            Self::VerificationAttemptsExceeded => ErrorCode::VerificationAttemptsExceeded,
            Self::VerificationExpired => ErrorCode::VerificationExpired,
            Self::VerificationCompleted => ErrorCode::VerificationCompleted,
            Self::EmailInvalid | Self::EmailNotTheSessions { .. } | Self::EmailNotGiven { .. } => {
                ErrorCode::EmailInvalid
            }
            Self::PhoneInvalid => ErrorCode::PhoneInvalid,
            Self::NothingToSave => ErrorCode::NothingToSave,
            Self::ReturningUserUnavailable => ErrorCode::ReturningUserUnavailable,
            Self::OneTimeCodeIncorrect { .. } => ErrorCode::OneTimeCodeIncorrect,
            Self::OneTimeCodeNotSent | Self::OneTimeCodeExpired => ErrorCode::OneTimeCodeExpired,
            Self::OneTimeCodeAttemptsExceeded => ErrorCode::OneTimeCodeAttemptsExceeded,
            Self::OneTimeCodeResendLimited { .. } => ErrorCode::OneTimeCodeResendLimited,
            Self::OneTimeCodeRequired => ErrorCode::OneTimeCodeRequired,
            Self::IdempotencyKeyInUse => ErrorCode::IdempotencyKeyInUse,
            Self::IdempotencyKeyInvalid { .. } => ErrorCode::IdempotencyKeyInvalid,
            Self::Internal { .. } => ErrorCode::InternalError,
        }
    }

    pub fn param(&self) -> Option<String> {
        match self {
            Self::ParameterMissing { param } | Self::ParameterInvalid { param, .. } => {
                Some(param.clone())
            }
            Self::AccountNotSelectable { .. }
            | Self::NoAccountsSelected
            | Self::TooManyAccountsSelected => Some("accounts".to_owned()),
            Self::RefreshInProgress { .. } | Self::RefreshTooSoon { .. } => {
                Some("features".to_owned())
            }
            Self::RoutingNumberInvalid | Self::RoutingNumberUnknown => {
                Some("routing_number".to_owned())
            }
            Self::AccountNumberInvalid
            | Self::BankAccountClosed
            | Self::BankAccountNotFound
            | Self::MicrodepositsFailed => Some("account_number".to_owned()),
            Self::AccountNumbersMismatch => Some("account_number_confirmation".to_owned()),
            Self::EmailInvalid | Self::EmailNotTheSessions { .. } | Self::EmailNotGiven { .. } => {
                Some("email".to_owned())
            }
            Self::PhoneInvalid => Some("phone".to_owned()),
            Self::OneTimeCodeIncorrect { .. } => Some("code".to_owned()),
            _ => None,
        }
    }

    /// The error object as sent, with the current request's id.
    pub fn to_protocol(&self) -> finlink_protocol::ApiError {
        finlink_protocol::ApiError {
            kind: self.kind(),
            code: self.code(),
            message: self.to_string(),
            param: self.param(),
            request_id: request_id::current(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal { detail } = &self {
            tracing::error!(request_id = ?request_id::current(), %detail, "internal error");
        }
        (
            self.status(),
            axum::Json(ErrorResponse {
                error: self.to_protocol(),
            }),
        )
            .into_response()
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::internal(error)
    }
}

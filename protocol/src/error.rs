//! The error object every endpoint answers with when it cannot do what was asked.

use serde::{Deserialize, Serialize};

/// The body of every error response: `{ "error": { ... } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: ApiError,
}

/// What went wrong, for a program (`type`, `code`, `param`) and for a person (`message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    pub code: ErrorCode,
    pub message: String,
    /// The request parameter at fault, when one is.
    pub param: Option<String>,
    /// Quote it when reporting a problem: the server logs it with the request.
    pub request_id: Option<String>,
}

/// The broad class of an error, which tells a client how to react.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// The request itself is wrong: fix it before sending it again.
    InvalidRequestError,
    /// No key, a wrong key, or a secret that no longer opens anything.
    AuthenticationError,
    /// Too many requests; wait and retry.
    RateLimitError,
    /// An `Idempotency-Key` was reused with a different request.
    IdempotencyError,
    /// The bank refused, failed or is down.
    InstitutionError,
    /// finlink failed; retrying later may succeed.
    ApiError,
}

/// The precise cause. Unknown codes from a newer server deserialize as `Unknown`, so an older
/// widget keeps working and shows the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Malformed requests.
    BodyMalformed,
    BodyTooLarge,
    ParameterMissing,
    ParameterInvalid,
    ParameterUnknown,
    RouteNotFound,
    MethodNotAllowed,
    ResourceMissing,
    // Credentials of the caller.
    SecretKeyMissing,
    SecretKeyInvalid,
    ClientSecretInvalid,
    // Session life cycle.
    SessionExpired,
    SessionCompleted,
    SessionCancelled,
    ConsentRequired,
    // Authorization at the bank.
    AuthorizationStateInvalid,
    OauthStateInvalid,
    OauthCodeInvalid,
    OauthIssuerMismatch,
    OauthDenied,
    InvalidCredentials,
    InvalidMfaAnswer,
    AccountLocked,
    InstitutionDownScheduled,
    InstitutionDownUnscheduled,
    InstitutionError,
    InstitutionUnavailable,
    // Accounts.
    AccountNotSelectable,
    NoAccountsSelected,
    // Data after linking.
    /// The account was linked without the permission this data needs; the message names it.
    PermissionMissing,
    /// The business disconnected the account: nothing more can be fetched from the bank.
    AccountDisconnected,
    /// finlink lost access at the bank: the person has to link the account again.
    AccountInactive,
    /// The account cannot carry ACH payments, so finlink has no account numbers for it.
    AccountNumbersUnavailable,
    /// A refresh of this data is still running; wait for it to end.
    RefreshInProgress,
    /// The last refresh ended too recently: see `next_refresh_available_at`.
    RefreshTooSoon,
    // Idempotency.
    IdempotencyKeyInUse,
    IdempotencyKeyInvalid,
    // Everything else.
    RateLimited,
    InternalError,
    #[serde(other)]
    Unknown,
}

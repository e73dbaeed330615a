//! The error object every endpoint answers with when it cannot do what was asked.

use serde::{Deserialize, Serialize};

use crate::names::wire_names;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

wire_names!(ErrorType {
    "invalid_request_error" => InvalidRequestError,
    "authentication_error" => AuthenticationError,
    "rate_limit_error" => RateLimitError,
    "idempotency_error" => IdempotencyError,
    "institution_error" => InstitutionError,
    "api_error" => ApiError,
});

/// The precise cause. Unknown codes from a newer server deserialize as `Unknown`, so an older
/// widget keeps working and shows the message.
///
/// Read from its name through [`ErrorCode::from_name`] (one table lookup) rather than serde's
/// derived identifier visitor, which repeats a 40-way string match per input kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", from = "String")]
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
    /// The session asks for one account (`account_selection: single`) and more were chosen.
    TooManyAccountsSelected,
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
    // Accounts entered by hand, and their microdeposits.
    /// Not 9 digits, or the ABA check digit is wrong.
    RoutingNumberInvalid,
    /// No bank in the directory has this routing number.
    RoutingNumberUnknown,
    /// Not 4 to 17 digits.
    AccountNumberInvalid,
    /// The account number and its confirmation differ.
    AccountNumbersMismatch,
    /// The session does not allow manual entry (`verification_method` is `instant`, or no
    /// `payment_method` permission).
    ManualEntryNotAllowed,
    /// The bank says the account is closed.
    BankAccountClosed,
    /// The bank has no account with this number.
    BankAccountNotFound,
    /// The deposits could not be sent to the account.
    MicrodepositsFailed,
    /// The verification link is wrong or no longer opens anything.
    VerificationSecretInvalid,
    /// The amounts or the code typed are not the ones sent; see `attempts_remaining`.
    MicrodepositsMismatch,
    /// Three wrong answers: the account has to be entered again.
    VerificationAttemptsExceeded,
    /// Ten days passed: the account has to be entered again.
    VerificationExpired,
    /// The account is already verified.
    VerificationCompleted,
    // Returning users and their saved accounts.
    /// Not an email (`normalize_email`).
    EmailInvalid,
    /// Not a phone number (`normalize_phone`).
    PhoneInvalid,
    /// The session linked no account at a bank that could be saved.
    NothingToSave,
    /// The session has no email to send a code to, or its saved accounts were forgotten.
    ReturningUserUnavailable,
    /// The code typed is not the one sent; see `attempts_remaining`.
    OneTimeCodeIncorrect,
    /// The code is older than 10 minutes: send a new one.
    OneTimeCodeExpired,
    /// Five wrong codes: saved accounts cannot be used in this session.
    OneTimeCodeAttemptsExceeded,
    /// A new code was sent too recently, or too many were sent; see `resend_available_at`.
    OneTimeCodeResendLimited,
    /// Saved accounts are listed, linked or forgotten only after the right code.
    OneTimeCodeRequired,
    // Idempotency.
    IdempotencyKeyInUse,
    IdempotencyKeyInvalid,
    // Everything else.
    RateLimited,
    InternalError,
    // A new code also goes into `ErrorCode::NAMES` (the test below fails until it does).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code but `Unknown`, with its wire name.
    const NAMES: [(ErrorCode, &'static str); 62] = [
        (Self::BodyMalformed, "body_malformed"),
        (Self::BodyTooLarge, "body_too_large"),
        (Self::ParameterMissing, "parameter_missing"),
        (Self::ParameterInvalid, "parameter_invalid"),
        (Self::ParameterUnknown, "parameter_unknown"),
        (Self::RouteNotFound, "route_not_found"),
        (Self::MethodNotAllowed, "method_not_allowed"),
        (Self::ResourceMissing, "resource_missing"),
        (Self::SecretKeyMissing, "secret_key_missing"),
        (Self::SecretKeyInvalid, "secret_key_invalid"),
        (Self::ClientSecretInvalid, "client_secret_invalid"),
        (Self::SessionExpired, "session_expired"),
        (Self::SessionCompleted, "session_completed"),
        (Self::SessionCancelled, "session_cancelled"),
        (Self::ConsentRequired, "consent_required"),
        (
            Self::AuthorizationStateInvalid,
            "authorization_state_invalid",
        ),
        (Self::OauthStateInvalid, "oauth_state_invalid"),
        (Self::OauthCodeInvalid, "oauth_code_invalid"),
        (Self::OauthIssuerMismatch, "oauth_issuer_mismatch"),
        (Self::OauthDenied, "oauth_denied"),
        (Self::InvalidCredentials, "invalid_credentials"),
        (Self::InvalidMfaAnswer, "invalid_mfa_answer"),
        (Self::AccountLocked, "account_locked"),
        (Self::InstitutionDownScheduled, "institution_down_scheduled"),
        (
            Self::InstitutionDownUnscheduled,
            "institution_down_unscheduled",
        ),
        (Self::InstitutionError, "institution_error"),
        (Self::InstitutionUnavailable, "institution_unavailable"),
        (Self::AccountNotSelectable, "account_not_selectable"),
        (Self::NoAccountsSelected, "no_accounts_selected"),
        (Self::TooManyAccountsSelected, "too_many_accounts_selected"),
        (Self::PermissionMissing, "permission_missing"),
        (Self::AccountDisconnected, "account_disconnected"),
        (Self::AccountInactive, "account_inactive"),
        (
            Self::AccountNumbersUnavailable,
            "account_numbers_unavailable",
        ),
        (Self::RefreshInProgress, "refresh_in_progress"),
        (Self::RefreshTooSoon, "refresh_too_soon"),
        (Self::RoutingNumberInvalid, "routing_number_invalid"),
        (Self::RoutingNumberUnknown, "routing_number_unknown"),
        (Self::AccountNumberInvalid, "account_number_invalid"),
        (Self::AccountNumbersMismatch, "account_numbers_mismatch"),
        (Self::ManualEntryNotAllowed, "manual_entry_not_allowed"),
        (Self::BankAccountClosed, "bank_account_closed"),
        (Self::BankAccountNotFound, "bank_account_not_found"),
        (Self::MicrodepositsFailed, "microdeposits_failed"),
        (
            Self::VerificationSecretInvalid,
            "verification_secret_invalid",
        ),
        (Self::MicrodepositsMismatch, "microdeposits_mismatch"),
        (
            Self::VerificationAttemptsExceeded,
            "verification_attempts_exceeded",
        ),
        (Self::VerificationExpired, "verification_expired"),
        (Self::VerificationCompleted, "verification_completed"),
        (Self::EmailInvalid, "email_invalid"),
        (Self::PhoneInvalid, "phone_invalid"),
        (Self::NothingToSave, "nothing_to_save"),
        (Self::ReturningUserUnavailable, "returning_user_unavailable"),
        (Self::OneTimeCodeIncorrect, "one_time_code_incorrect"),
        (Self::OneTimeCodeExpired, "one_time_code_expired"),
        (
            Self::OneTimeCodeAttemptsExceeded,
            "one_time_code_attempts_exceeded",
        ),
        (
            Self::OneTimeCodeResendLimited,
            "one_time_code_resend_limited",
        ),
        (Self::OneTimeCodeRequired, "one_time_code_required"),
        (Self::IdempotencyKeyInUse, "idempotency_key_in_use"),
        (Self::IdempotencyKeyInvalid, "idempotency_key_invalid"),
        (Self::RateLimited, "rate_limited"),
        (Self::InternalError, "internal_error"),
    ];

    /// The code of a wire name (`session_expired`); `Unknown` for a name this version does
    /// not know.
    pub fn from_name(name: &str) -> ErrorCode {
        Self::NAMES
            .iter()
            .find(|(_, known)| *known == name)
            .map_or(ErrorCode::Unknown, |(code, _)| *code)
    }
}

impl From<String> for ErrorCode {
    fn from(name: String) -> ErrorCode {
        ErrorCode::from_name(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// Each code's position in the enum: the match fails to compile when a code is added.
    fn position(code: ErrorCode) -> usize {
        match code {
            ErrorCode::BodyMalformed => 0,
            ErrorCode::BodyTooLarge => 1,
            ErrorCode::ParameterMissing => 2,
            ErrorCode::ParameterInvalid => 3,
            ErrorCode::ParameterUnknown => 4,
            ErrorCode::RouteNotFound => 5,
            ErrorCode::MethodNotAllowed => 6,
            ErrorCode::ResourceMissing => 7,
            ErrorCode::SecretKeyMissing => 8,
            ErrorCode::SecretKeyInvalid => 9,
            ErrorCode::ClientSecretInvalid => 10,
            ErrorCode::SessionExpired => 11,
            ErrorCode::SessionCompleted => 12,
            ErrorCode::SessionCancelled => 13,
            ErrorCode::ConsentRequired => 14,
            ErrorCode::AuthorizationStateInvalid => 15,
            ErrorCode::OauthStateInvalid => 16,
            ErrorCode::OauthCodeInvalid => 17,
            ErrorCode::OauthIssuerMismatch => 18,
            ErrorCode::OauthDenied => 19,
            ErrorCode::InvalidCredentials => 20,
            ErrorCode::InvalidMfaAnswer => 21,
            ErrorCode::AccountLocked => 22,
            ErrorCode::InstitutionDownScheduled => 23,
            ErrorCode::InstitutionDownUnscheduled => 24,
            ErrorCode::InstitutionError => 25,
            ErrorCode::InstitutionUnavailable => 26,
            ErrorCode::AccountNotSelectable => 27,
            ErrorCode::NoAccountsSelected => 28,
            ErrorCode::TooManyAccountsSelected => 29,
            ErrorCode::PermissionMissing => 30,
            ErrorCode::AccountDisconnected => 31,
            ErrorCode::AccountInactive => 32,
            ErrorCode::AccountNumbersUnavailable => 33,
            ErrorCode::RefreshInProgress => 34,
            ErrorCode::RefreshTooSoon => 35,
            ErrorCode::RoutingNumberInvalid => 36,
            ErrorCode::RoutingNumberUnknown => 37,
            ErrorCode::AccountNumberInvalid => 38,
            ErrorCode::AccountNumbersMismatch => 39,
            ErrorCode::ManualEntryNotAllowed => 40,
            ErrorCode::BankAccountClosed => 41,
            ErrorCode::BankAccountNotFound => 42,
            ErrorCode::MicrodepositsFailed => 43,
            ErrorCode::VerificationSecretInvalid => 44,
            ErrorCode::MicrodepositsMismatch => 45,
            ErrorCode::VerificationAttemptsExceeded => 46,
            ErrorCode::VerificationExpired => 47,
            ErrorCode::VerificationCompleted => 48,
            ErrorCode::EmailInvalid => 49,
            ErrorCode::PhoneInvalid => 50,
            ErrorCode::NothingToSave => 51,
            ErrorCode::ReturningUserUnavailable => 52,
            ErrorCode::OneTimeCodeIncorrect => 53,
            ErrorCode::OneTimeCodeExpired => 54,
            ErrorCode::OneTimeCodeAttemptsExceeded => 55,
            ErrorCode::OneTimeCodeResendLimited => 56,
            ErrorCode::OneTimeCodeRequired => 57,
            ErrorCode::IdempotencyKeyInUse => 58,
            ErrorCode::IdempotencyKeyInvalid => 59,
            ErrorCode::RateLimited => 60,
            ErrorCode::InternalError => 61,
            ErrorCode::Unknown => 62,
        }
    }

    #[test]
    fn every_code_but_unknown_has_its_serialized_name() {
        for (index, (code, name)) in ErrorCode::NAMES.into_iter().enumerate() {
            assert_eq!(position(code), index);
            assert_eq!(serde_json::to_value(code).unwrap(), name);
            assert_eq!(ErrorCode::from_name(name), code);
        }
        assert_eq!(position(ErrorCode::Unknown), ErrorCode::NAMES.len());
        assert_eq!(ErrorCode::from_name("brand_new_code"), ErrorCode::Unknown);
        assert_eq!(ErrorCode::from_name("unknown"), ErrorCode::Unknown);
    }
}

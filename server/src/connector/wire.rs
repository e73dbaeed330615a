//! The bank API finlink speaks: the JSON and form bodies exchanged with a bank.
//!
//! The OAuth endpoints follow RFC 6749 (token, error bodies), RFC 7009 (revocation) and RFC 6750
//! (bearer tokens). The credentials login, the MFA step and the account data endpoints are the
//! reference dialect that the sandbox banks serve (see `docs/sandbox.md`). A real bank that
//! speaks another dialect gets an adapter inside `connector`, which maps it onto the same
//! `BankAccount`, `BankTokens` and `ConnectorError`; nothing outside `connector` and `sandbox`
//! sees these types.

use finlink_protocol::MfaChallenge;
use serde::{Deserialize, Serialize};

/// A successful token response (RFC 6749 §5.1), from the token endpoint and inside a login.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    /// `Bearer`, compared case-insensitively (RFC 6749 §5.1).
    pub token_type: String,
    /// Seconds until the access token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    /// Tokens are never printed: a debug log of a response must not leak access to an account.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

/// Every error body of a bank: `{ "error": "...", "error_description": "..." }` as in RFC 6749
/// §5.2, plus `attempts_remaining` where a person may try again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_remaining: Option<u32>,
}

/// The error codes a bank answers with. Codes from RFC 6749 §5.2 and RFC 6750 §3.1 keep their
/// names; codes this dialect adds are named for what the person or finlink must do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A parameter is missing, repeated or malformed.
    InvalidRequest,
    /// The client is unknown to the bank.
    InvalidClient,
    /// The code or refresh token is invalid, expired, spent or revoked, or PKCE failed.
    InvalidGrant,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The grant type is not one the bank knows.
    UnsupportedGrantType,
    /// The person refused access at the bank.
    AccessDenied,
    /// The bearer token is missing, expired or revoked (RFC 6750).
    InvalidToken,
    /// Username or password wrong; `attempts_remaining` says how many tries are left.
    InvalidCredentials,
    /// Too many wrong passwords: the bank locked the username for a while.
    AccountLocked,
    /// The MFA answer is wrong; `attempts_remaining` says how many tries are left.
    InvalidMfaAnswer,
    /// The MFA challenge is unknown, expired or used up: log in again.
    MfaExpired,
    /// No account with this id is visible to the token.
    AccountNotFound,
    /// This bank has no credentials login (it uses OAuth), or no OAuth (it uses credentials).
    LoginMethodNotOffered,
    /// The bank is down for maintenance or an outage.
    InstitutionDown,
    /// The bank failed to answer the request.
    InstitutionError,
    /// A code this version of finlink does not know.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The wire name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::AccessDenied => "access_denied",
            Self::InvalidToken => "invalid_token",
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountLocked => "account_locked",
            Self::InvalidMfaAnswer => "invalid_mfa_answer",
            Self::MfaExpired => "mfa_expired",
            Self::AccountNotFound => "account_not_found",
            Self::LoginMethodNotOffered => "login_method_not_offered",
            Self::InstitutionDown => "institution_down",
            Self::InstitutionError => "institution_error",
            Self::Unknown => "unknown",
        }
    }
}

/// `POST {bank}/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    /// The password is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// `POST {bank}/mfa`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaRequest {
    pub mfa_token: String,
    pub answer: String,
}

impl std::fmt::Debug for MfaRequest {
    /// Neither the MFA token nor the answer is printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaRequest").finish_non_exhaustive()
    }
}

/// A `200 OK` answer of `/login` and `/mfa`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoginResponse {
    /// The person is logged in: the tokens open the account data endpoints.
    LoggedIn { tokens: TokenResponse },
    /// The bank wants a second factor: answer it at `/mfa` with this `mfa_token`.
    MfaRequired {
        mfa_token: String,
        challenge: MfaChallenge,
        attempts_remaining: u32,
    },
}

impl std::fmt::Debug for LoginResponse {
    /// Tokens are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LoggedIn { tokens } => {
                f.debug_struct("LoggedIn").field("tokens", tokens).finish()
            }
            Self::MfaRequired {
                challenge,
                attempts_remaining,
                ..
            } => f
                .debug_struct("MfaRequired")
                .field("challenge", challenge)
                .field("attempts_remaining", attempts_remaining)
                .finish_non_exhaustive(),
        }
    }
}

/// `GET {bank}/accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsResponse {
    pub accounts: Vec<Account>,
}

/// One account as the bank describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The bank's id of the account, stable across logins.
    pub id: String,
    pub name: String,
    /// `checking`, `savings`, `credit_card`, `line_of_credit`, `mortgage`, or anything else
    /// (which finlink files under `other`).
    pub subcategory: String,
    pub last4: String,
    pub status: AccountState,
    /// Whether ACH debits and credits can be made to the account.
    pub ach: bool,
    #[serde(default)]
    pub routing_number: Option<String>,
    #[serde(default)]
    pub account_number: Option<String>,
    #[serde(default)]
    pub balance: Option<Balance>,
    #[serde(default)]
    pub owners: Vec<Owner>,
}

/// Whether the account is still open at the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    Open,
    Closed,
}

/// Balances in minor units (cents). For credit accounts a negative `current` is money owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub current: i64,
    /// Cash accounts only: what can be spent now.
    #[serde(default)]
    pub available: Option<i64>,
    /// ISO 4217, lower case (`usd`).
    pub currency: String,
    /// Unix seconds at which the bank computed the balance.
    pub as_of: i64,
}

/// A person or company the bank lists as an owner of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub name: String,
    /// One line, as the bank prints it.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// E.164 (`+14155550100`).
    #[serde(default)]
    pub phone: Option<String>,
}

/// `GET {bank}/accounts/{id}/transactions`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionsResponse {
    pub transactions: Vec<Transaction>,
}

/// One transaction. Amounts are in minor units; negative is money leaving the account holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub status: TransactionState,
    pub transacted_at: i64,
    /// `None` while pending.
    #[serde(default)]
    pub posted_at: Option<i64>,
}

/// Whether the transaction has settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionState {
    Pending,
    Posted,
}

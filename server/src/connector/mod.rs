//! The one boundary through which finlink talks to any bank, sandbox or real, over HTTP.
//!
//! Two ways in: the OAuth 2.0 authorization-code flow with PKCE S256 (RFC 6749, RFC 7636), whose
//! code is exchanged here server-side so that tokens never reach a browser, with the `iss`
//! response parameter checked against the bank (RFC 9207); or a credentials login with MFA
//! challenges. Either way finlink ends up with bearer tokens that open the bank's account
//! data endpoints. Every answer of a bank is mapped onto one `ConnectorError` variant per
//! cause, so that callers never look at HTTP statuses or bank error strings.
//!
//! Nothing here logs a token, password, code, verifier or MFA answer: the types that hold
//! them print redacted in `Debug`.

pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use finlink_protocol::{AccountSubcategory, MfaChallenge, Timestamp};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::{Clock, SystemClock};
use crate::secrets;

/// How long finlink waits for a bank's TCP and TLS handshake.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long finlink waits for a whole bank request, body included. Person-facing steps wait on
/// it, so it stays short; a slow bank is reported as `Timeout`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Larger bank answers are refused rather than buffered: a bank cannot exhaust finlink's memory.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// The access-token lifetime assumed when a bank omits `expires_in`: finlink then refreshes
/// early rather than late.
pub const DEFAULT_EXPIRES_IN: i64 = 3600;
/// The client id finlink is registered under at the sandbox banks.
pub const SANDBOX_CLIENT_ID: &str = "finlink";

/// Why talking to a bank did not give what was asked. One variant per cause, so that the link
/// API can tell the person what to do (retype a password, try later, pick another bank).
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The HTTP client could not be built (TLS roots, system resources).
    #[error("cannot set up the HTTP client for banks: {0}")]
    Setup(#[source] reqwest::Error),
    /// An endpoint URL of the bank cannot carry a path (a configuration error).
    #[error("the bank endpoint {url} is not a usable URL")]
    EndpointInvalid { url: String },
    /// Wrong username or password.
    #[error("the bank refused the username or password ({attempts_remaining} attempts remaining)")]
    InvalidCredentials { attempts_remaining: u32 },
    /// Too many wrong passwords: the bank locked the username.
    #[error("the bank locked this username after too many failed logins")]
    AccountLocked,
    /// Wrong MFA answer; at zero attempts the challenge is void and the person logs in again.
    #[error("the bank refused the MFA answer ({attempts_remaining} attempts remaining)")]
    InvalidMfaAnswer { attempts_remaining: u32 },
    /// The MFA challenge expired or was used up.
    #[error("the MFA challenge expired; log in again")]
    MfaExpired,
    /// The code or refresh token is invalid, expired, spent or revoked, or PKCE failed: the
    /// person must authorize again.
    #[error("the bank refused the authorization grant")]
    InvalidGrant,
    /// The access token is expired or revoked: refresh it, and re-link if that fails too.
    #[error("the bank refused the access token")]
    InvalidAccessToken,
    /// The person refused access at the bank's page.
    #[error("the person denied access at the bank")]
    AccessDenied,
    /// The bank's redirect came back with an error other than `access_denied`.
    #[error("the bank's authorization failed with {error}")]
    AuthorizationFailed { error: String },
    /// The redirect's `iss` is missing or names another bank (RFC 9207: a mix-up attack or a
    /// misconfiguration); the code must not be used.
    #[error("the authorization response does not come from the expected bank")]
    IssuerMismatch,
    /// The bank's redirect has neither a code nor an error.
    #[error("the authorization response carries no code")]
    MissingCode,
    /// The account is unknown to the bank or not visible to this token.
    #[error("the bank has no such account for this token")]
    UnknownAccount,
    /// The bank is down (maintenance or outage).
    #[error("the bank is down")]
    InstitutionDown,
    /// The bank failed to answer (a 5xx or a fatal error of its own).
    #[error("the bank failed")]
    InstitutionError,
    /// The bank did not answer in time.
    #[error("the bank did not answer in time")]
    Timeout,
    /// The connection to the bank failed.
    #[error("cannot reach the bank: {0}")]
    Transport(#[source] reqwest::Error),
    /// The bank refused the request itself (`invalid_request`, `invalid_client`, ...): a bug or
    /// a misconfiguration on finlink's side, not something the person can fix.
    #[error("the bank rejected the request ({status}): {}", code.as_str())]
    BankRejected { status: u16, code: wire::ErrorCode },
    /// The bank answered outside its protocol (status, content, size).
    #[error("unexpected answer from the bank ({status}): {detail}")]
    UnexpectedResponse { status: u16, detail: String },
}

/// Where a bank's endpoints are, and who finlink is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEndpoints {
    /// The bank's OAuth issuer identifier, compared as a string with the `iss` it sends back.
    pub issuer: String,
    pub authorize_url: url::Url,
    pub token_url: url::Url,
    pub revoke_url: url::Url,
    pub login_url: url::Url,
    pub mfa_url: url::Url,
    /// Accounts are listed here; one account's transactions are at `{accounts_url}/{id}/transactions`.
    pub accounts_url: url::Url,
    pub client_id: String,
}

impl BankEndpoints {
    /// The sandbox bank of an institution, served by this server at
    /// `{public_base}/sandbox/banks/{institution_id}`, which is also its issuer.
    pub fn sandbox(public_base: &url::Url, institution_id: &str) -> BankEndpoints {
        let mut root = public_base.clone();
        root.set_query(None);
        root.set_fragment(None);
        if let Ok(mut segments) = root.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["sandbox", "banks", institution_id]);
        }
        let at = |path: &[&str]| {
            let mut url = root.clone();
            if let Ok(mut segments) = url.path_segments_mut() {
                segments.extend(path);
            }
            url
        };
        BankEndpoints {
            issuer: root.as_str().to_owned(),
            authorize_url: at(&["oauth", "authorize"]),
            token_url: at(&["oauth", "token"]),
            revoke_url: at(&["oauth", "revoke"]),
            login_url: at(&["login"]),
            mfa_url: at(&["mfa"]),
            accounts_url: at(&["accounts"]),
            client_id: SANDBOX_CLIENT_ID.to_owned(),
        }
    }
}

/// Whether the `iss` of an authorization response names this bank (RFC 9207 §2.4): an exact
/// string comparison, and a missing `iss` is a mismatch, since every bank finlink talks to
/// announces its issuer.
pub fn issuer_matches(bank: &BankEndpoints, iss: Option<&str>) -> bool {
    iss.is_some_and(|iss| iss == bank.issuer)
}

/// A PKCE pair (RFC 7636, method S256): the verifier stays on finlink's server, the challenge
/// goes to the bank in the authorization URL.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    /// A fresh pair: a 64-character verifier (about 380 bits, within RFC 7636's 43..=128
    /// unreserved characters) and its S256 challenge.
    pub fn generate() -> Pkce {
        let verifier = secrets::random_token(64);
        let challenge = Self::s256_challenge(&verifier);
        Pkce {
            verifier,
            challenge,
        }
    }

    /// `BASE64URL(SHA256(verifier))` without padding, as the bank recomputes it.
    pub fn s256_challenge(verifier: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    }
}

impl std::fmt::Debug for Pkce {
    /// The verifier is a secret until the code is exchanged.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

/// The tokens a bank granted. Stored by finlink's server only; never sent to a browser.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankTokens {
    pub access_token: String,
    /// Banks rotate refresh tokens: after `refresh`, store the new one (the old one is spent).
    pub refresh_token: Option<String>,
    pub expires_at_unix: Timestamp,
}

impl std::fmt::Debug for BankTokens {
    /// Tokens are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BankTokens")
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("expires_at_unix", &self.expires_at_unix)
            .finish_non_exhaustive()
    }
}

/// What a credentials login or an MFA answer led to.
#[derive(Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    LoggedIn(BankTokens),
    /// Ask the person the challenge, then call `answer_mfa` with this `mfa_token`.
    MfaRequired {
        mfa_token: String,
        challenge: MfaChallenge,
        attempts_remaining: u32,
    },
}

impl std::fmt::Debug for LoginOutcome {
    /// The MFA token is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LoggedIn(tokens) => f.debug_tuple("LoggedIn").field(tokens).finish(),
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

/// An account as finlink keeps it, whatever the bank's dialect. Stored as JSON by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    /// The bank's id, used to ask it for this account's transactions.
    pub bank_account_id: String,
    pub display_name: String,
    pub subcategory: AccountSubcategory,
    /// The last four characters of the account number, as shown to people.
    pub last4: String,
    /// `false` once the account is closed at the bank.
    pub open: bool,
    /// The bank says the account can carry ACH debits and credits.
    pub supports_ach: bool,
    pub routing_number: Option<String>,
    pub account_number: Option<String>,
    pub balance: Option<BankBalance>,
    pub owners: Vec<BankOwner>,
}

/// Balances in minor units; for credit accounts a negative `current` is money owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankBalance {
    pub current: i64,
    /// Cash accounts only.
    pub available: Option<i64>,
    /// ISO 4217, lower case.
    pub currency: String,
    pub as_of: Timestamp,
}

/// An owner of an account, as the bank lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankOwner {
    pub name: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A transaction; negative amounts are money leaving the account holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankTransaction {
    pub bank_transaction_id: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub status: BankTransactionStatus,
    pub transacted_at: Timestamp,
    pub posted_at: Option<Timestamp>,
}

/// Whether a transaction has settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankTransactionStatus {
    Pending,
    Posted,
}

/// What the bank's redirect back to finlink carried (RFC 6749 §4.1.2, RFC 9207).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct OAuthCallback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl std::fmt::Debug for OAuthCallback {
    /// The code and state are secrets until spent.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthCallback")
            .field("has_code", &self.code.is_some())
            .field("iss", &self.iss)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl OAuthCallback {
    /// Reads the redirect's query string (without `?`). A parameter given twice keeps its first
    /// value; the `state` check (done by the caller) and `iss` check reject anything odd anyway.
    pub fn from_query(query: &str) -> OAuthCallback {
        let mut callback = OAuthCallback::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "code" => &mut callback.code,
                "state" => &mut callback.state,
                "iss" => &mut callback.iss,
                "error" => &mut callback.error,
                "error_description" => &mut callback.error_description,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        callback
    }

    /// The code to exchange, once the issuer is checked: a wrong or missing `iss` comes first
    /// (a mixed-up response says nothing trustworthy), then the bank's error, then the code.
    pub fn into_code(self, bank: &BankEndpoints) -> Result<String, ConnectorError> {
        if !issuer_matches(bank, self.iss.as_deref()) {
            return Err(ConnectorError::IssuerMismatch);
        }
        match (self.error, self.code) {
            (Some(error), _) if error == "access_denied" => Err(ConnectorError::AccessDenied),
            (Some(error), _) => Err(ConnectorError::AuthorizationFailed { error }),
            (None, Some(code)) if !code.is_empty() => Ok(code),
            (None, _) => Err(ConnectorError::MissingCode),
        }
    }
}

/// The HTTP client finlink uses for every bank. Cheap to clone (one connection pool).
#[derive(Clone)]
pub struct Connector {
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector").finish_non_exhaustive()
    }
}

impl Connector {
    /// A connector with the default timeouts and the system clock.
    pub fn new() -> Result<Connector, ConnectorError> {
        Self::with_timeouts(CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// A connector with other timeouts (tests of slow banks, operators with slow banks).
    /// Redirects are never followed: a bank API that redirects is misbehaving, and following
    /// it could carry a token elsewhere.
    pub fn with_timeouts(
        connect: Duration,
        request: Duration,
    ) -> Result<Connector, ConnectorError> {
        let http = reqwest::Client::builder()
            .connect_timeout(connect)
            .timeout(request)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("finlink/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConnectorError::Setup)?;
        Ok(Connector {
            http,
            clock: Arc::new(SystemClock),
        })
    }

    /// The same connector reading time from `clock`, so that `expires_at_unix` follows a
    /// test's manual clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Connector {
        self.clock = clock;
        self
    }

    /// The URL to send the person to for an OAuth authorization, with every parameter
    /// percent-encoded.
    pub fn authorize_url(
        &self,
        bank: &BankEndpoints,
        redirect_uri: &str,
        state: &str,
        pkce_challenge: &str,
    ) -> String {
        let mut url = bank.authorize_url.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &bank.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", pkce_challenge)
            .append_pair("code_challenge_method", "S256");
        url.into()
    }

    /// Exchanges an authorization code for tokens (RFC 6749 §4.1.3) with the PKCE verifier.
    pub async fn exchange_code(
        &self,
        bank: &BankEndpoints,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<BankTokens, ConnectorError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", bank.client_id.as_str()),
            ("code_verifier", verifier),
        ];
        self.token_request(bank, &form).await
    }

    /// Gets a fresh access token (RFC 6749 §6). The answer may carry a new refresh token, which
    /// replaces the old one.
    pub async fn refresh(
        &self,
        bank: &BankEndpoints,
        refresh_token: &str,
    ) -> Result<BankTokens, ConnectorError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", bank.client_id.as_str()),
        ];
        let mut tokens = self.token_request(bank, &form).await?;
        if tokens.refresh_token.is_none() {
            // RFC 6749 §6: without a new one, the old refresh token stays valid.
            tokens.refresh_token = Some(refresh_token.to_owned());
        }
        Ok(tokens)
    }

    /// Revokes a token and the grant behind it (RFC 7009). Revoking an unknown or already
    /// revoked token succeeds, as the RFC says.
    pub async fn revoke(&self, bank: &BankEndpoints, token: &str) -> Result<(), ConnectorError> {
        let form = [("token", token), ("client_id", bank.client_id.as_str())];
        let request = self.http.post(bank.revoke_url.clone()).form(&form);
        let (status, body) = self.send(request).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(error_from(status, &body))
        }
    }

    /// Logs in with a username and password at a credentials bank.
    pub async fn login(
        &self,
        bank: &BankEndpoints,
        username: &str,
        password: &str,
    ) -> Result<LoginOutcome, ConnectorError> {
        let body = wire::LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        let request = self.http.post(bank.login_url.clone()).json(&body);
        self.login_request(request).await
    }

    /// Answers the bank's MFA challenge.
    pub async fn answer_mfa(
        &self,
        bank: &BankEndpoints,
        mfa_token: &str,
        answer: &str,
    ) -> Result<LoginOutcome, ConnectorError> {
        let body = wire::MfaRequest {
            mfa_token: mfa_token.to_owned(),
            answer: answer.to_owned(),
        };
        let request = self.http.post(bank.mfa_url.clone()).json(&body);
        self.login_request(request).await
    }

    /// The accounts this access token may see (for OAuth, those the person ticked at the bank).
    pub async fn accounts(
        &self,
        bank: &BankEndpoints,
        access_token: &str,
    ) -> Result<Vec<BankAccount>, ConnectorError> {
        let request = self
            .http
            .get(bank.accounts_url.clone())
            .bearer_auth(access_token);
        let body: wire::AccountsResponse = self.json_request(request).await?;
        body.accounts.into_iter().map(bank_account).collect()
    }

    /// The transaction history of one account, newest first.
    pub async fn transactions(
        &self,
        bank: &BankEndpoints,
        access_token: &str,
        bank_account_id: &str,
    ) -> Result<Vec<BankTransaction>, ConnectorError> {
        let mut url = bank.accounts_url.clone();
        url.path_segments_mut()
            .map_err(|()| ConnectorError::EndpointInvalid {
                url: bank.accounts_url.to_string(),
            })?
            .push(bank_account_id)
            .push("transactions");
        let request = self.http.get(url).bearer_auth(access_token);
        let body: wire::TransactionsResponse = self.json_request(request).await?;
        Ok(body
            .transactions
            .into_iter()
            .map(bank_transaction)
            .collect())
    }

    async fn token_request(
        &self,
        bank: &BankEndpoints,
        form: &[(&str, &str)],
    ) -> Result<BankTokens, ConnectorError> {
        let request = self
            .http
            .post(bank.token_url.clone())
            .form(form)
            .header(reqwest::header::ACCEPT, "application/json");
        let tokens: wire::TokenResponse = self.json_request(request).await?;
        self.bank_tokens(tokens)
    }

    async fn login_request(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<LoginOutcome, ConnectorError> {
        match self.json_request(request).await? {
            wire::LoginResponse::LoggedIn { tokens } => {
                Ok(LoginOutcome::LoggedIn(self.bank_tokens(tokens)?))
            }
            wire::LoginResponse::MfaRequired {
                mfa_token,
                challenge,
                attempts_remaining,
            } => Ok(LoginOutcome::MfaRequired {
                mfa_token,
                challenge,
                attempts_remaining,
            }),
        }
    }

    fn bank_tokens(&self, tokens: wire::TokenResponse) -> Result<BankTokens, ConnectorError> {
        if !tokens.token_type.eq_ignore_ascii_case("bearer") || tokens.access_token.is_empty() {
            return Err(ConnectorError::UnexpectedResponse {
                status: 200,
                detail: "the token response carries no bearer access token".into(),
            });
        }
        let expires_in = tokens
            .expires_in
            .filter(|seconds| *seconds > 0)
            .unwrap_or(DEFAULT_EXPIRES_IN);
        Ok(BankTokens {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token.filter(|token| !token.is_empty()),
            expires_at_unix: self.clock.now().saturating_add(expires_in),
        })
    }

    /// Sends a request and decodes a `2xx` JSON answer, or maps the bank's error.
    async fn json_request<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ConnectorError> {
        let (status, body) = self.send(request).await?;
        if status.is_success() {
            serde_json::from_slice(&body).map_err(|error| ConnectorError::UnexpectedResponse {
                status: status.as_u16(),
                // serde's message can quote a value of the body, which may be a secret: keep
                // only where and what kind of error it was.
                detail: format!(
                    "the body is not the expected JSON ({:?} error at line {}, column {})",
                    error.classify(),
                    error.line(),
                    error.column()
                ),
            })
        } else {
            Err(error_from(status, &body))
        }
    }

    /// Sends a request and reads at most `MAX_RESPONSE_BYTES` of its answer.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>), ConnectorError> {
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let too_large = || ConnectorError::UnexpectedResponse {
            status: status.as_u16(),
            detail: format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
        };
        if response
            .content_length()
            .is_some_and(|length| length > MAX_RESPONSE_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}

/// A transport failure, without the URL (which may carry an account id) in its message.
fn transport_error(error: reqwest::Error) -> ConnectorError {
    if error.is_timeout() {
        ConnectorError::Timeout
    } else {
        ConnectorError::Transport(error.without_url())
    }
}

/// Maps a non-`2xx` answer onto its cause: first by the bank's error code, then by status.
fn error_from(status: StatusCode, body: &[u8]) -> ConnectorError {
    use wire::ErrorCode as Code;
    let parsed = serde_json::from_slice::<wire::ErrorBody>(body).ok();
    let Some(error) = parsed else {
        return match status {
            StatusCode::SERVICE_UNAVAILABLE => ConnectorError::InstitutionDown,
            StatusCode::UNAUTHORIZED => ConnectorError::InvalidAccessToken,
            status if status.is_server_error() => ConnectorError::InstitutionError,
            status => ConnectorError::UnexpectedResponse {
                status: status.as_u16(),
                detail: "an error answer without a JSON error body".into(),
            },
        };
    };
    let attempts_remaining = error.attempts_remaining.unwrap_or(0);
    match error.error {
        Code::InvalidCredentials => ConnectorError::InvalidCredentials { attempts_remaining },
        Code::AccountLocked => ConnectorError::AccountLocked,
        Code::InvalidMfaAnswer => ConnectorError::InvalidMfaAnswer { attempts_remaining },
        Code::MfaExpired => ConnectorError::MfaExpired,
        Code::InvalidGrant => ConnectorError::InvalidGrant,
        Code::InvalidToken => ConnectorError::InvalidAccessToken,
        Code::AccessDenied => ConnectorError::AccessDenied,
        Code::AccountNotFound => ConnectorError::UnknownAccount,
        Code::InstitutionDown => ConnectorError::InstitutionDown,
        Code::InstitutionError => ConnectorError::InstitutionError,
        Code::Unknown if status == StatusCode::SERVICE_UNAVAILABLE => {
            ConnectorError::InstitutionDown
        }
        Code::Unknown if status.is_server_error() => ConnectorError::InstitutionError,
        code @ (Code::InvalidRequest
        | Code::InvalidClient
        | Code::UnauthorizedClient
        | Code::UnsupportedGrantType
        | Code::LoginMethodNotOffered
        | Code::Unknown) => ConnectorError::BankRejected {
            status: status.as_u16(),
            code,
        },
    }
}

/// Maps the bank's account onto finlink's, checking what finlink relies on.
fn bank_account(account: wire::Account) -> Result<BankAccount, ConnectorError> {
    let last4 = last4_of(&account.last4).ok_or_else(|| ConnectorError::UnexpectedResponse {
        status: 200,
        detail: "an account without a last4".into(),
    })?;
    let open = account.status == wire::AccountState::Open;
    Ok(BankAccount {
        bank_account_id: account.id,
        display_name: account.name,
        subcategory: subcategory_of(&account.subcategory),
        last4,
        open,
        supports_ach: account.ach,
        routing_number: account.routing_number,
        account_number: account.account_number,
        balance: account.balance.map(|balance| BankBalance {
            current: balance.current,
            available: balance.available,
            currency: balance.currency.to_ascii_lowercase(),
            as_of: balance.as_of,
        }),
        owners: account
            .owners
            .into_iter()
            .map(|owner| BankOwner {
                name: owner.name,
                address: owner.address,
                email: owner.email,
                phone: owner.phone,
            })
            .collect(),
    })
}

/// The last four characters of what the bank gave, which must be at least four.
pub(crate) fn last4_of(text: &str) -> Option<String> {
    let chars: Vec<char> = text.trim().chars().collect();
    let start = chars.len().checked_sub(4)?;
    Some(chars[start..].iter().collect())
}

/// A bank's subcategory name in finlink's terms; names finlink does not know become `Other`.
fn subcategory_of(name: &str) -> AccountSubcategory {
    AccountSubcategory::from_name(name).unwrap_or(AccountSubcategory::Other)
}

fn bank_transaction(transaction: wire::Transaction) -> BankTransaction {
    BankTransaction {
        bank_transaction_id: transaction.id,
        amount: transaction.amount,
        currency: transaction.currency.to_ascii_lowercase(),
        description: transaction.description,
        status: match transaction.status {
            wire::TransactionState::Pending => BankTransactionStatus::Pending,
            wire::TransactionState::Posted => BankTransactionStatus::Posted,
        },
        transacted_at: transaction.transacted_at,
        posted_at: transaction.posted_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> BankEndpoints {
        let base = url::Url::parse("http://127.0.0.1:8080").unwrap();
        BankEndpoints::sandbox(&base, "ins_sandbox_oauth")
    }

    #[test]
    fn sandbox_endpoints_live_under_the_issuer() {
        let bank = bank();
        assert_eq!(
            bank.issuer,
            "http://127.0.0.1:8080/sandbox/banks/ins_sandbox_oauth"
        );
        assert_eq!(
            bank.token_url.as_str(),
            "http://127.0.0.1:8080/sandbox/banks/ins_sandbox_oauth/oauth/token"
        );
        assert_eq!(
            bank.accounts_url.as_str(),
            "http://127.0.0.1:8080/sandbox/banks/ins_sandbox_oauth/accounts"
        );
        assert_eq!(bank.client_id, "finlink");
    }

    #[test]
    fn sandbox_endpoints_keep_a_public_path_prefix_and_encode_the_id() {
        let base = url::Url::parse("https://example.com/finlink/").unwrap();
        let bank = BankEndpoints::sandbox(&base, "ins a/b");
        assert_eq!(
            bank.issuer,
            "https://example.com/finlink/sandbox/banks/ins%20a%2Fb"
        );
        assert_eq!(
            bank.login_url.as_str(),
            "https://example.com/finlink/sandbox/banks/ins%20a%2Fb/login"
        );
    }

    #[test]
    fn pkce_challenge_is_the_rfc_7636_s256_of_the_verifier() {
        // RFC 7636 Appendix B.
        let challenge = Pkce::s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let pkce = Pkce::generate();
        assert_eq!(pkce.challenge, Pkce::s256_challenge(&pkce.verifier));
        assert!((43..=128).contains(&pkce.verifier.len()));
        assert!(!format!("{pkce:?}").contains(&pkce.verifier));
    }

    #[test]
    fn authorize_url_encodes_every_parameter() {
        let connector = Connector::new().unwrap();
        let url = connector.authorize_url(
            &bank(),
            "http://127.0.0.1:8080/oauth/callback?x=1&y",
            "s t&=",
            "abc",
        );
        let parsed = url::Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert!(pairs.contains(&(
            "redirect_uri".into(),
            "http://127.0.0.1:8080/oauth/callback?x=1&y".into()
        )));
        assert!(pairs.contains(&("state".into(), "s t&=".into())));
        assert!(pairs.contains(&("code_challenge_method".into(), "S256".into())));
        assert!(pairs.contains(&("response_type".into(), "code".into())));
    }

    #[test]
    fn a_missing_or_foreign_issuer_does_not_match() {
        let bank = bank();
        assert!(issuer_matches(
            &bank,
            Some("http://127.0.0.1:8080/sandbox/banks/ins_sandbox_oauth")
        ));
        assert!(!issuer_matches(&bank, None));
        assert!(!issuer_matches(
            &bank,
            Some("http://127.0.0.1:8080/sandbox/banks/ins_other")
        ));
        assert!(!issuer_matches(
            &bank,
            Some("http://127.0.0.1:8080/sandbox/banks/ins_sandbox_oauth/")
        ));
    }

    #[test]
    fn callback_checks_the_issuer_before_anything_else() {
        let bank = bank();
        let iss = url::form_urlencoded::byte_serialize(bank.issuer.as_bytes()).collect::<String>();
        let ok = OAuthCallback::from_query(&format!("code=abc&state=s&iss={iss}"));
        assert_eq!(ok.state.as_deref(), Some("s"));
        assert_eq!(ok.into_code(&bank).unwrap(), "abc");
        let denied = OAuthCallback::from_query(&format!("error=access_denied&state=s&iss={iss}"));
        assert!(matches!(
            denied.into_code(&bank),
            Err(ConnectorError::AccessDenied)
        ));
        let foreign =
            OAuthCallback::from_query("error=access_denied&state=s&iss=https%3A%2F%2Fevil.example");
        assert!(matches!(
            foreign.into_code(&bank),
            Err(ConnectorError::IssuerMismatch)
        ));
        let missing = OAuthCallback::from_query("code=abc&state=s");
        assert!(matches!(
            missing.into_code(&bank),
            Err(ConnectorError::IssuerMismatch)
        ));
    }

    #[test]
    fn error_bodies_map_to_one_cause_each() {
        let body = br#"{"error":"invalid_credentials","attempts_remaining":3}"#;
        assert!(matches!(
            error_from(StatusCode::UNAUTHORIZED, body),
            ConnectorError::InvalidCredentials {
                attempts_remaining: 3
            }
        ));
        assert!(matches!(
            error_from(StatusCode::SERVICE_UNAVAILABLE, b"<html>"),
            ConnectorError::InstitutionDown
        ));
        assert!(matches!(
            error_from(StatusCode::BAD_GATEWAY, b""),
            ConnectorError::InstitutionError
        ));
        assert!(matches!(
            error_from(StatusCode::BAD_REQUEST, br#"{"error":"something_new"}"#),
            ConnectorError::BankRejected {
                status: 400,
                code: wire::ErrorCode::Unknown
            }
        ));
    }

    #[test]
    fn tokens_never_print() {
        let tokens = BankTokens {
            access_token: "at_secret".into(),
            refresh_token: Some("rt_secret".into()),
            expires_at_unix: 1,
        };
        let printed = format!("{tokens:?}");
        assert!(!printed.contains("secret"));
    }

    #[test]
    fn last4_takes_the_tail_and_refuses_short_numbers() {
        assert_eq!(last4_of("000123456789").as_deref(), Some("6789"));
        assert_eq!(last4_of("6789").as_deref(), Some("6789"));
        assert_eq!(last4_of("789"), None);
    }
}

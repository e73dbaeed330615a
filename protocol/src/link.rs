//! Bodies of the link API, called by the widget with the session's client secret.

use serde::{Deserialize, Serialize};

use crate::{
    AccountCategory, AccountStatus, AccountSubcategory, ApiError, Filters, Permission,
    SessionStatus, Timestamp,
};

/// `GET /v1/link/session`: what the widget needs to show and where to resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "link_session")]
pub struct LinkSession {
    pub id: String,
    /// The business the person is linking accounts to, as shown on the consent screen.
    pub business_name: String,
    pub permissions: Vec<Permission>,
    pub filters: Option<Filters>,
    pub status: SessionStatus,
    pub consent_given: bool,
    /// The step to resume at after a reload or a return from the bank.
    pub resume: ResumeAt,
    /// Accounts linked through this session so far.
    pub accounts: Vec<LinkedAccount>,
    pub expires_at: Timestamp,
    pub terms_url: String,
    pub privacy_url: String,
}

/// Where the flow stands on the server, so that a reload never asks for anything twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ResumeAt {
    Consent,
    SelectInstitution,
    /// An authorization is under way at the bank.
    Authorization {
        authorization: Box<Authorization>,
    },
    /// The bank authorized; the person still picks accounts.
    SelectAccounts {
        authorization: Box<Authorization>,
    },
}

/// `POST /v1/link/consent`: the person accepted the permissions shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    /// The permissions the person saw; must equal the session's.
    pub permissions: Vec<Permission>,
}

/// How a person logs in at an institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// At the bank's own page (OAuth 2.0).
    Oauth,
    /// With a username and password typed into finlink's page.
    Credentials,
}

/// Whether an institution can be linked right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionStatus {
    Up,
    /// Planned maintenance.
    DownScheduled,
    /// An outage.
    DownUnscheduled,
}

/// `GET /v1/link/directory`: every institution of the directory in one compact text file, so
/// that the widget searches on every keystroke without a round trip.
///
/// Not JSON: the format is `finlink_search::format` (a header line, then one tab-separated line
/// per institution with delta-coded routing numbers), decoded with `finlink_search::Catalog`,
/// whose search ranks exactly as `GET /v1/link/institutions` does. Needs the client secret.
/// Cached by the browser: `ETag` (one per representation, gzip or not), `Cache-Control:
/// private, no-cache` and `If-None-Match` answered `304`; `Content-Location` names the same
/// content at [`DIRECTORY_PATH`]`/{version}`, served `private, max-age=31536000, immutable`
/// (another version is `404 resource_missing`). See docs/institution-search.md.
pub const DIRECTORY_PATH: &str = "/v1/link/directory";

/// `GET /v1/link/institutions?query=&limit=` (limit 1 to 50, 10 by default): the best
/// matches for `query` as a list of [`Institution`], the featured ones for an empty query;
/// the same ranking as a search over the directory file ([`DIRECTORY_PATH`]).
pub const INSTITUTIONS_PATH: &str = "/v1/link/institutions";

/// A bank or credit union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "institution")]
pub struct Institution {
    pub id: String,
    /// The display name, readable as is ("JPMorgan Chase Bank, N.A."), computed once by the
    /// server from the directory's name.
    pub name: String,
    pub url: Option<String>,
    /// ABA routing numbers, when known.
    pub routing_numbers: Vec<String>,
    pub auth_method: AuthMethod,
    pub status: InstitutionStatus,
    pub featured: bool,
    pub country: String,
}

/// `POST /v1/link/authorizations`: log in at this institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartAuthorizationRequest {
    pub institution: String,
}

/// A login at a bank, from start to authorized or failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "authorization")]
pub struct Authorization {
    pub id: String,
    pub institution: Institution,
    #[serde(flatten)]
    pub state: AuthorizationState,
}

/// What an authorization awaits, with the data needed to go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuthorizationState {
    /// The person logs in at the bank's page, in a popup, a redirect or the system browser.
    AwaitingOauth { oauth_url: String },
    /// The person types their username and password into finlink's form.
    AwaitingCredentials {
        /// Why the previous attempt failed, if one did.
        error: Option<ApiError>,
        attempts_remaining: u32,
    },
    /// The bank asks a second factor.
    AwaitingMfa {
        challenge: MfaChallenge,
        error: Option<ApiError>,
        attempts_remaining: u32,
    },
    /// The bank granted access: the accounts can be listed.
    Authorized,
    /// The bank refused for good, or failed; start a new authorization to try again.
    Failed { error: ApiError },
}

/// A second factor the bank asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MfaChallenge {
    /// A one-time code sent to the person.
    Code { message: String },
    /// A security question.
    Question { question: String },
    /// Pick one of several options.
    Selection {
        question: String,
        options: Vec<String>,
    },
}

/// `POST /v1/link/authorizations/{id}/credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitCredentialsRequest {
    pub username: String,
    pub password: String,
}

/// `POST /v1/link/authorizations/{id}/mfa`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerMfaRequest {
    pub answer: String,
}

/// An account the bank shared, offered for selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "link_account")]
pub struct LinkAccount {
    pub id: String,
    pub display_name: String,
    pub institution_name: String,
    pub category: AccountCategory,
    pub subcategory: AccountSubcategory,
    pub last4: String,
    pub status: AccountStatus,
    /// Why the account cannot be picked; `None` when it can.
    pub unselectable_reason: Option<UnselectableReason>,
}

/// Why an account is shown but cannot be picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnselectableReason {
    /// The account is closed or inactive at the bank.
    Inactive,
    /// The session asks for `payment_method` and this account cannot carry ACH payments.
    UnsupportedForPayments,
    /// The session's `account_subcategories` filter excludes it.
    FilteredOut,
}

/// `POST /v1/link/authorizations/{id}/attach` with an `Idempotency-Key` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachAccountsRequest {
    pub accounts: Vec<String>,
}

/// A linked account as the host page may see it: never numbers, balances or owners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAccount {
    pub id: String,
    pub display_name: String,
    pub institution_name: String,
    pub category: AccountCategory,
    pub subcategory: AccountSubcategory,
    pub last4: String,
    pub status: AccountStatus,
    pub permissions: Vec<Permission>,
}

/// Answer of attach, complete and cancel: the session and its linked accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "link_result")]
pub struct LinkResult {
    pub session: String,
    pub status: SessionStatus,
    pub accounts: Vec<LinkedAccount>,
}

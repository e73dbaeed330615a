//! Bodies of the link API, called by the widget with the session's client secret.

use serde::{Deserialize, Serialize};

use crate::names::wire_names;
use crate::{
    AccountCategory, AccountSelection, AccountStatus, AccountSubcategory, ApiError, Filters,
    MicrodepositVerification, Permission, ReturningUser, SessionStatus, Timestamp,
    VerificationMethod,
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
    /// One account or several: the account step offers a radio group or checkboxes.
    #[serde(default)]
    pub account_selection: AccountSelection,
    /// `null` unless the session asks for `payment_method`; `automatic` and `microdeposits`
    /// offer manual entry, `microdeposits` offers nothing else.
    #[serde(default)]
    pub verification_method: Option<VerificationMethod>,
    pub status: SessionStatus,
    pub consent_given: bool,
    /// The step to resume at after a reload or a return from the bank.
    pub resume: ResumeAt,
    /// The integrator's `return_url`, exactly as given when the session was created: where a
    /// redirected OAuth login and the hosted page come back to.
    #[serde(default)]
    pub return_url: Option<String>,
    /// Accounts linked through this session so far.
    pub accounts: Vec<LinkedAccount>,
    /// The person's email as the business gave it (`account_holder.email`): prefilled when
    /// the person saves their accounts at the end.
    #[serde(default)]
    pub email: Option<String>,
    /// The session's email has accounts the person saved with finlink: the widget offers
    /// them before the bank list. `null` when it has none (or the session has no email).
    #[serde(default)]
    pub returning_user: Option<ReturningUser>,
    pub expires_at: Timestamp,
    pub terms_url: String,
    pub privacy_url: String,
}

/// Where the flow stands on the server, so that a reload never asks for anything twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
#[serde(try_from = "wire::ResumeAt")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// At the bank's own page (OAuth 2.0).
    Oauth,
    /// With a username and password typed into finlink's page.
    Credentials,
}

wire_names!(AuthMethod {
    "oauth" => Oauth,
    "credentials" => Credentials,
});

/// Whether an institution can be linked right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstitutionStatus {
    Up,
    /// Planned maintenance.
    DownScheduled,
    /// An outage.
    DownUnscheduled,
}

wire_names!(InstitutionStatus {
    "up" => Up,
    "down_scheduled" => DownScheduled,
    "down_unscheduled" => DownUnscheduled,
});

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
    /// Where the bank sends the person back after OAuth; a popup unless said otherwise.
    #[serde(default)]
    pub oauth_return: OAuthReturn,
}

/// How an OAuth login comes back from the bank, recorded when the authorization starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthReturn {
    /// The bank's page runs in a popup the widget opened; finlink's callback page closes it.
    #[default]
    Popup,
    /// The bank's page replaced the widget's page (or runs in the system browser, from a web
    /// view): finlink's callback redirects to the session's `return_url`.
    Redirect,
}

/// A login at a bank, from start to authorized or failed.
///
/// Deserialized through a plain struct with every variant's fields (`wire::Authorization`):
/// the same JSON as `#[serde(flatten)]` reads, without buffering the object first, which
/// costs the widget tens of kilobytes of WebAssembly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "authorization")]
#[serde(try_from = "wire::Authorization")]
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
#[serde(try_from = "wire::MfaChallenge")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnselectableReason {
    /// The account is closed or inactive at the bank.
    Inactive,
    /// The session asks for `payment_method` and this account cannot carry ACH payments.
    UnsupportedForPayments,
    /// The session's `account_subcategories` filter excludes it.
    FilteredOut,
}

wire_names!(UnselectableReason {
    "inactive" => Inactive,
    "unsupported_for_payments" => UnsupportedForPayments,
    "filtered_out" => FilteredOut,
});

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
    /// For an account entered by hand: its microdeposit verification, pending at first, with
    /// the hosted verification URL to send the person.
    #[serde(default)]
    pub verification: Option<MicrodepositVerification>,
}

/// Answer of attach, complete and cancel: the session and its linked accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "link_result")]
pub struct LinkResult {
    pub session: String,
    pub status: SessionStatus,
    pub accounts: Vec<LinkedAccount>,
}

/// Deserialization of the internally tagged and flattened types above through plain structs:
/// serde reads an internally tagged enum by buffering the whole object into its generic
/// `Content` first, and a `#[serde(flatten)]` field likewise, which in the widget costs more
/// WebAssembly than all the other bodies together. Each wire struct has the tag and the fields
/// of every variant; the conversion checks that the fields the tag needs are there. Every body
/// the server sends reads the same; field order does not matter and unknown fields are
/// ignored, as before. One difference, on malformed input only: a known field of another
/// variant (an `authorization` beside `"step": "consent"`) must now have its type too.
mod wire {
    use serde::Deserialize;

    use crate::ApiError;

    fn missing(field: &'static str) -> String {
        ["missing field `", field, "`"].concat()
    }

    enum Step {
        Consent,
        SelectInstitution,
        Authorization,
        SelectAccounts,
    }

    crate::names::deserialize_by_name!(Step {
        "consent" => Consent,
        "select_institution" => SelectInstitution,
        "authorization" => Authorization,
        "select_accounts" => SelectAccounts,
    });

    #[derive(Deserialize)]
    pub struct ResumeAt {
        step: Step,
        authorization: Option<super::Authorization>,
    }

    impl TryFrom<ResumeAt> for super::ResumeAt {
        type Error = String;

        fn try_from(wire: ResumeAt) -> Result<Self, String> {
            let authorization = || {
                wire.authorization
                    .map(Box::new)
                    .ok_or_else(|| missing("authorization"))
            };
            Ok(match wire.step {
                Step::Consent => Self::Consent,
                Step::SelectInstitution => Self::SelectInstitution,
                Step::Authorization => Self::Authorization {
                    authorization: authorization()?,
                },
                Step::SelectAccounts => Self::SelectAccounts {
                    authorization: authorization()?,
                },
            })
        }
    }

    enum Status {
        AwaitingOauth,
        AwaitingCredentials,
        AwaitingMfa,
        Authorized,
        Failed,
    }

    crate::names::deserialize_by_name!(Status {
        "awaiting_oauth" => AwaitingOauth,
        "awaiting_credentials" => AwaitingCredentials,
        "awaiting_mfa" => AwaitingMfa,
        "authorized" => Authorized,
        "failed" => Failed,
    });

    #[derive(Deserialize)]
    pub struct Authorization {
        id: String,
        institution: super::Institution,
        status: Status,
        oauth_url: Option<String>,
        error: Option<ApiError>,
        attempts_remaining: Option<u32>,
        challenge: Option<super::MfaChallenge>,
    }

    impl TryFrom<Authorization> for super::Authorization {
        type Error = String;

        fn try_from(wire: Authorization) -> Result<Self, String> {
            use super::AuthorizationState as State;
            let attempts_remaining = wire
                .attempts_remaining
                .ok_or_else(|| missing("attempts_remaining"));
            let state = match wire.status {
                Status::AwaitingOauth => State::AwaitingOauth {
                    oauth_url: wire.oauth_url.ok_or_else(|| missing("oauth_url"))?,
                },
                Status::AwaitingCredentials => State::AwaitingCredentials {
                    error: wire.error,
                    attempts_remaining: attempts_remaining?,
                },
                Status::AwaitingMfa => State::AwaitingMfa {
                    challenge: wire.challenge.ok_or_else(|| missing("challenge"))?,
                    error: wire.error,
                    attempts_remaining: attempts_remaining?,
                },
                Status::Authorized => State::Authorized,
                Status::Failed => State::Failed {
                    error: wire.error.ok_or_else(|| missing("error"))?,
                },
            };
            Ok(Self {
                id: wire.id,
                institution: wire.institution,
                state,
            })
        }
    }

    enum MfaKind {
        Code,
        Question,
        Selection,
    }

    crate::names::deserialize_by_name!(MfaKind {
        "code" => Code,
        "question" => Question,
        "selection" => Selection,
    });

    #[derive(Deserialize)]
    pub struct MfaChallenge {
        #[serde(rename = "type")]
        kind: MfaKind,
        message: Option<String>,
        question: Option<String>,
        options: Option<Vec<String>>,
    }

    impl TryFrom<MfaChallenge> for super::MfaChallenge {
        type Error = String;

        fn try_from(wire: MfaChallenge) -> Result<Self, String> {
            let question = || wire.question.ok_or_else(|| missing("question"));
            Ok(match wire.kind {
                MfaKind::Code => Self::Code {
                    message: wire.message.ok_or_else(|| missing("message"))?,
                },
                MfaKind::Question => Self::Question {
                    question: question()?,
                },
                MfaKind::Selection => Self::Selection {
                    options: wire.options.ok_or_else(|| missing("options"))?,
                    question: question()?,
                },
            })
        }
    }
}

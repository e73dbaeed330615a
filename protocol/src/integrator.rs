//! Bodies of the integrator API, called by the business's server with its secret key.

use serde::{Deserialize, Serialize};

use crate::names::wire_names;

use crate::{
    AccountCategory, AccountHolder, AccountStatus, AccountSubcategory, Feature, Filters, List,
    MicrodepositType, MicrodepositVerification, Permission, Timestamp, VerificationMethod,
};

/// `POST /v1/financial_connections/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionRequest {
    #[serde(default)]
    pub account_holder: Option<AccountHolder>,
    /// At least one; `payment_method` is the usual one.
    pub permissions: Vec<Permission>,
    #[serde(default)]
    pub filters: Option<Filters>,
    /// Data fetched right after linking.
    #[serde(default)]
    pub prefetch: Vec<Feature>,
    /// Where a redirect or a mobile app's OAuth hand-off comes back to (https, or a custom
    /// scheme for apps; http only on loopback).
    #[serde(default)]
    pub return_url: Option<String>,
    /// Whether the person links one account or any number of them (default `multiple`).
    #[serde(default)]
    pub account_selection: AccountSelection,
    /// How the account may be verified; only with the `payment_method` permission
    /// (default `automatic` then).
    #[serde(default)]
    pub verification_method: Option<VerificationMethod>,
    /// What is sent to an account entered by hand; only with the `payment_method` permission
    /// and a `verification_method` other than `instant` (default `amounts` then).
    #[serde(default)]
    pub microdeposit_type: Option<MicrodepositType>,
}

/// How many accounts the person may link in a session, as the business asks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum AccountSelection {
    /// Exactly one account: the widget shows a radio group, and attaching more is refused.
    Single,
    /// One or more accounts, each with its checkbox.
    #[default]
    Multiple,
}

wire_names!(AccountSelection {
    "single" => Single,
    "multiple" => Multiple,
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// The person can still go through the flow.
    Open,
    /// The flow ended with accounts (or none, if the person closed it after linking nothing).
    Completed,
    /// The person closed the flow.
    Cancelled,
    /// Nothing happened for too long, or the session outlived its maximum age.
    Expired,
}

wire_names!(SessionStatus {
    "open" => Open,
    "completed" => Completed,
    "cancelled" => Cancelled,
    "expired" => Expired,
});

/// A Financial Connections session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "financial_connections.session")]
pub struct Session {
    pub id: String,
    pub created: Timestamp,
    pub livemode: bool,
    /// Only in the response that created the session: it is stored as a hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub account_holder: Option<AccountHolder>,
    pub permissions: Vec<Permission>,
    pub filters: Option<Filters>,
    pub prefetch: Vec<Feature>,
    pub return_url: Option<String>,
    #[serde(default)]
    pub account_selection: AccountSelection,
    /// `null` unless the session asks for `payment_method`.
    #[serde(default)]
    pub verification_method: Option<VerificationMethod>,
    /// `null` unless manual entry is allowed.
    #[serde(default)]
    pub microdeposit_type: Option<MicrodepositType>,
    pub status: SessionStatus,
    pub expires_at: Timestamp,
    pub accounts: List<Account>,
}

/// A linked bank account, as the business's server sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "financial_connections.account")]
pub struct Account {
    pub id: String,
    pub created: Timestamp,
    pub livemode: bool,
    pub account_holder: Option<AccountHolder>,
    pub category: AccountCategory,
    pub subcategory: AccountSubcategory,
    pub display_name: String,
    pub institution_name: String,
    pub last4: String,
    pub status: AccountStatus,
    pub permissions: Vec<Permission>,
    /// `us_bank_account` when the account can carry ACH payments.
    pub supported_payment_method_types: Vec<String>,
    pub session: String,
    /// The last balance fetched; `null` without the `balances` permission or before the first
    /// balance refresh.
    pub balance: Option<Balance>,
    /// `null` without the `balances` permission or before the first balance refresh.
    pub balance_refresh: Option<Refresh>,
    /// The id (`fcaowns_...`) of the last owner list fetched, read with
    /// `GET /v1/financial_connections/accounts/{id}/owners`; `null` without the `ownership`
    /// permission or before the first ownership refresh.
    pub ownership: Option<String>,
    pub ownership_refresh: Option<Refresh>,
    /// `null` without the `transactions` permission or before the first transaction refresh.
    pub transaction_refresh: Option<TransactionRefresh>,
    /// Data refreshed daily without being asked: `transactions` once subscribed.
    #[serde(default)]
    pub subscriptions: Vec<Feature>,
    /// The microdeposit verification of an account entered by hand; `null` for accounts
    /// linked at the bank.
    #[serde(default)]
    pub verification: Option<MicrodepositVerification>,
}

/// Balances in minor units, by ISO currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub as_of: Timestamp,
    pub current: std::collections::BTreeMap<String, i64>,
    /// Cash accounts only.
    pub available: Option<std::collections::BTreeMap<String, i64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefreshStatus {
    Pending,
    Succeeded,
    Failed,
}

wire_names!(RefreshStatus {
    "pending" => Pending,
    "succeeded" => Succeeded,
    "failed" => Failed,
});

/// The state of the last refresh of one kind of data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refresh {
    pub status: RefreshStatus,
    pub last_attempted_at: Timestamp,
    /// When another refresh may be asked for; `null` while this one is pending.
    pub next_refresh_available_at: Option<Timestamp>,
}

/// The state of the last transaction refresh. Its `id` names it in
/// `transaction_refresh[after]` and in each transaction it created or updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionRefresh {
    pub id: String,
    pub status: RefreshStatus,
    pub last_attempted_at: Timestamp,
    /// When another refresh may be asked for; `null` while this one is pending.
    pub next_refresh_available_at: Option<Timestamp>,
}

//! Bodies of the integrator API that read and refresh a linked account's data: owners,
//! transactions and account numbers, each behind its permission.

use serde::{Deserialize, Serialize};

use crate::names::wire_names;
use crate::{AccountSubcategory, Feature, Timestamp};

/// `POST /v1/financial_connections/accounts/{id}/refresh`: fetch these features again from the
/// bank, asynchronously; the account's `*_refresh` objects say how it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub features: Vec<Feature>,
}

/// `POST /v1/financial_connections/accounts/{id}/subscribe` and `.../unsubscribe`: only
/// `transactions` can be subscribed to (refreshed daily).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRequest {
    pub features: Vec<Feature>,
}

/// A person or company the bank lists as an owner of the account (`ownership` permission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "financial_connections.account_owner")]
pub struct AccountOwner {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The mailing address on one line, as the bank prints it.
    pub raw_address: Option<String>,
    /// The ownership refresh (`fcaowns_...`) this owner was fetched in.
    pub ownership: String,
    pub refreshed_at: Timestamp,
}

/// Where a transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    /// Authorized, not settled; the amount or description may still change.
    Pending,
    /// Settled.
    Posted,
    /// A pending transaction the bank dropped without posting it.
    Void,
}

wire_names!(TransactionStatus {
    "pending" => Pending,
    "posted" => Posted,
    "void" => Void,
});

/// When a transaction left `pending`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionStatusTransitions {
    pub posted_at: Option<Timestamp>,
    pub void_at: Option<Timestamp>,
}

/// A pending or posted transaction of a linked account (`transactions` permission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "financial_connections.transaction")]
pub struct Transaction {
    pub id: String,
    pub account: String,
    /// Minor units (cents); negative is money leaving the account holder.
    pub amount: i64,
    /// ISO 4217, lower case.
    pub currency: String,
    pub description: String,
    pub livemode: bool,
    pub status: TransactionStatus,
    pub status_transitions: TransactionStatusTransitions,
    pub transacted_at: Timestamp,
    /// The transaction refresh (`fctxnref_...`) that last created or changed it.
    pub transaction_refresh: String,
    pub updated: Timestamp,
}

/// `GET /v1/financial_connections/accounts/{id}/account_numbers` (`payment_method`
/// permission, cash accounts that support ACH): what a payment needs. Only ever sent to the
/// integrator's server, never to a browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "financial_connections.account_numbers")]
pub struct AccountNumbers {
    pub account: String,
    /// The ABA routing number (9 digits).
    pub routing_number: String,
    pub account_number: String,
    /// `checking` or `savings`.
    pub account_type: AccountSubcategory,
    /// Payment networks that can debit and credit the account: `ach`.
    pub supported_networks: Vec<String>,
}

//! Events and webhook endpoints: what happened to linked accounts, delivered to the business's
//! server and listed at `GET /v1/events`.

use serde::{Deserialize, Serialize};

use crate::{Account, Timestamp};

/// What happened. The names are Stripe's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// The person linked the account.
    #[serde(rename = "financial_connections.account.created")]
    AccountCreated,
    /// The business disconnected the account: its data can no longer be refreshed.
    #[serde(rename = "financial_connections.account.disconnected")]
    AccountDisconnected,
    /// finlink lost access at the bank (the person or the bank revoked it): link again.
    #[serde(rename = "financial_connections.account.deactivated")]
    AccountDeactivated,
    /// A disconnected or inactive account was linked again.
    #[serde(rename = "financial_connections.account.reactivated")]
    AccountReactivated,
    /// A balance refresh ended (`balance_refresh.status` is `succeeded` or `failed`).
    #[serde(rename = "financial_connections.account.refreshed_balance")]
    AccountRefreshedBalance,
    /// An ownership refresh ended.
    #[serde(rename = "financial_connections.account.refreshed_ownership")]
    AccountRefreshedOwnership,
    /// A transaction refresh ended.
    #[serde(rename = "financial_connections.account.refreshed_transactions")]
    AccountRefreshedTransactions,
    /// An account entered by hand: the person typed the microdeposits right, so it can carry
    /// ACH payments.
    #[serde(rename = "financial_connections.account.verification_succeeded")]
    AccountVerificationSucceeded,
    /// A wrong answer on the hosted verification page (`verification.attempts_remaining`).
    #[serde(rename = "financial_connections.account.verification_attempt_failed")]
    AccountVerificationAttemptFailed,
    /// The verification failed for good: `verification.failure_reason` is
    /// `too_many_attempts` or `expired`.
    #[serde(rename = "financial_connections.account.verification_failed")]
    AccountVerificationFailed,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        Self::AccountCreated,
        Self::AccountDisconnected,
        Self::AccountDeactivated,
        Self::AccountReactivated,
        Self::AccountRefreshedBalance,
        Self::AccountRefreshedOwnership,
        Self::AccountRefreshedTransactions,
        Self::AccountVerificationSucceeded,
        Self::AccountVerificationAttemptFailed,
        Self::AccountVerificationFailed,
    ];

    /// The wire name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountCreated => "financial_connections.account.created",
            Self::AccountDisconnected => "financial_connections.account.disconnected",
            Self::AccountDeactivated => "financial_connections.account.deactivated",
            Self::AccountReactivated => "financial_connections.account.reactivated",
            Self::AccountRefreshedBalance => "financial_connections.account.refreshed_balance",
            Self::AccountRefreshedOwnership => "financial_connections.account.refreshed_ownership",
            Self::AccountRefreshedTransactions => {
                "financial_connections.account.refreshed_transactions"
            }
            Self::AccountVerificationSucceeded => {
                "financial_connections.account.verification_succeeded"
            }
            Self::AccountVerificationAttemptFailed => {
                "financial_connections.account.verification_attempt_failed"
            }
            Self::AccountVerificationFailed => "financial_connections.account.verification_failed",
        }
    }

    /// The event type of a wire name.
    pub fn parse(name: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// Something that happened, with the account as it was right after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "event")]
pub struct Event {
    /// Unique (`evt_...`): a receiver that sees an id twice has seen the same event twice.
    pub id: String,
    pub created: Timestamp,
    pub livemode: bool,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventData {
    /// The account, showing only what its permissions allow.
    pub object: Account,
}

/// `POST /v1/webhook_endpoints`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpointRequest {
    /// Where events are POSTed: `https://...`, or `http://...` (for development).
    pub url: String,
    /// Event type names, or `["*"]` for every type.
    pub enabled_events: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A URL events are delivered to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "webhook_endpoint")]
pub struct WebhookEndpoint {
    pub id: String,
    pub created: Timestamp,
    pub livemode: bool,
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    /// `whsec_...`, the key of the `Finlink-Signature` HMAC. Only in the response that
    /// created the endpoint: keep it in the receiver's configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// The answer of `DELETE /v1/webhook_endpoints/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "webhook_endpoint")]
pub struct DeletedWebhookEndpoint {
    pub id: String,
    pub deleted: bool,
}

//! Webhooks: events about linked accounts, written in the same store transaction as the change
//! they describe (so none is lost), then delivered at least once to every endpoint that wants
//! them by a background worker, signed, with exponential backoff.

pub mod signature;
pub mod worker;

use finlink_protocol::{Account, Event, EventData, EventType, Timestamp};
use rusqlite::Transaction;
use tokio::sync::Notify;

use crate::secrets;
use crate::store::{Deliveries, EventRecord, StoreError, WebhookEndpointRecord, integrators};

/// What the delivery worker shares with the request handlers.
pub struct Webhooks {
    /// Woken after a transaction that queued deliveries commits, so they go out at once
    /// rather than at the worker's next look.
    pub wake: Notify,
    /// No redirects (a receiver that redirects is misconfigured, and following could carry
    /// events elsewhere); the timeout comes from `Timing::webhook_timeout`.
    pub http: reqwest::Client,
}

impl Webhooks {
    pub fn new() -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("finlink-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            wake: Notify::new(),
            http,
        })
    }
}

/// Records an event about `account` in `tx`, queued for every endpoint of the account's
/// integrator that wants its type (never another integrator's). Call `Webhooks::wake` once
/// `tx` committed. Returns the event id.
pub fn emit(
    tx: &Transaction<'_>,
    kind: EventType,
    account: &Account,
    now: Timestamp,
) -> Result<String, StoreError> {
    let id = secrets::new_id("evt");
    let event = Event {
        id: id.clone(),
        created: now,
        livemode: false,
        kind,
        data: EventData {
            object: account.clone(),
        },
    };
    let body = serde_json::to_string(&event)?;
    let Some(integrator_id) = integrators::of_account(tx, &account.id)? else {
        return Err(StoreError::Invalid(format!(
            "account '{}' belongs to no integrator",
            account.id
        )));
    };
    EventRecord::insert(
        tx,
        &id,
        kind,
        now,
        Some(&account.id),
        &body,
        Some(&integrator_id),
    )?;
    for endpoint in WebhookEndpointRecord::list(tx, &integrator_id)? {
        if endpoint.wants(kind) {
            Deliveries::queue(tx, &id, &endpoint.id, now)?;
        }
    }
    Ok(id)
}

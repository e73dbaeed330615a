//! The demo shop as a webhook receiver, as docs/integration.md §6 tells an integrator to build
//! one: at start it registers an endpoint for its own `/webhooks` URL (after deleting a stale
//! one for the same URL, whose secret died with the previous process) and keeps the signing
//! secret in memory; it verifies each delivery's `Finlink-Signature` over the raw body before
//! reading it, drops event ids it has already seen, and answers at once. The page reads what
//! arrived from `GET /api/events`.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use finlink_protocol::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::{SHOP_CUSTOMER, Shop};
use crate::webhooks::signature::{self, DEFAULT_TOLERANCE_SECONDS, SignatureError};

/// The header finlink signs deliveries with, in the lower case `HeaderName` wants.
static SIGNATURE_HEADER: HeaderName = HeaderName::from_static("finlink-signature");
/// The events the page sees, newest first.
const SHOWN_EVENTS: usize = 20;
/// Event ids remembered to drop duplicates; far more than finlink redelivers in practice.
const REMEMBERED_IDS: usize = 10_000;
/// Waits between registration attempts while finlink cannot be reached: doubling up to this.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

/// What the shop received, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: Timestamp,
    pub received_at: Timestamp,
    /// The account the event is about.
    pub account: Option<String>,
    /// "Everyday Checking •••• 6789"
    pub account_name: Option<String>,
    /// What happened, in words: "balance refresh succeeded", "account linked".
    pub summary: String,
}

#[derive(Debug, Clone)]
struct Registered {
    id: String,
    secret: String,
}

#[derive(Debug, Default)]
struct InboxState {
    endpoint: Option<Registered>,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    events: VecDeque<ReceivedEvent>,
    verified: u64,
    duplicates: u64,
    refused: u64,
    last_refusal: Option<String>,
}

/// The shop's memory of webhooks: the signing secret, the ids seen, the events to show.
#[derive(Debug, Default)]
pub struct Inbox(Mutex<InboxState>);

/// What became of a delivery whose signature was good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    New,
    Duplicate,
}

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, InboxState> {
        // The state stays consistent between statements: a panic elsewhere cannot tear it.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn register(&self, id: String, secret: String) {
        self.lock().endpoint = Some(Registered { id, secret });
    }

    fn secret(&self) -> Option<String> {
        self.lock()
            .endpoint
            .as_ref()
            .map(|endpoint| endpoint.secret.clone())
    }

    fn refuse(&self, reason: String) {
        let mut state = self.lock();
        state.refused += 1;
        state.last_refusal = Some(reason);
    }

    /// Records a verified event once; `shown` says whether the page may see it.
    fn accept(&self, event: ReceivedEvent, shown: bool) -> Accepted {
        let mut state = self.lock();
        if !state.seen.insert(event.id.clone()) {
            state.duplicates += 1;
            return Accepted::Duplicate;
        }
        state.verified += 1;
        state.seen_order.push_back(event.id.clone());
        if state.seen_order.len() > REMEMBERED_IDS
            && let Some(oldest) = state.seen_order.pop_front()
        {
            state.seen.remove(&oldest);
        }
        if shown {
            state.events.push_front(event);
            state.events.truncate(SHOWN_EVENTS);
        }
        Accepted::New
    }
}

/// Where finlink should deliver: the shop's own `/webhooks`.
pub fn endpoint_url(shop: &Shop) -> String {
    format!("{}/webhooks", shop.own_url)
}

/// Why the shop could not register its endpoint.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    Finlink(#[from] super::finlink::CallError),
    #[error("finlink created the endpoint without giving its secret")]
    NoSecret,
}

/// Deletes endpoints left for the shop's URL by an earlier run (their secret is gone, so their
/// deliveries could never be verified), then registers a new one and keeps its secret.
pub async fn register(shop: &Shop) -> Result<String, RegisterError> {
    let url = endpoint_url(shop);
    for stale in shop.finlink.webhook_endpoints().await? {
        if same_url(&stale.url, &url) {
            shop.finlink.delete_webhook_endpoint(&stale.id).await?;
            tracing::info!(endpoint = %stale.id, "demo shop: deleted its stale webhook endpoint");
        }
    }
    let created = shop.finlink.create_webhook_endpoint(&url).await?;
    let secret = created.secret.ok_or(RegisterError::NoSecret)?;
    shop.inbox.register(created.id.clone(), secret);
    tracing::info!(endpoint = %created.id, %url, "demo shop: receiving webhooks");
    Ok(created.id)
}

fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Registers the endpoint, retrying with backoff while finlink cannot be reached, until it
/// is registered or the server stops.
pub async fn keep_registered(shop: Arc<Shop>, mut stopped: watch::Receiver<bool>) {
    let mut delay = Duration::from_millis(250);
    loop {
        match register(&shop).await {
            Ok(_) => return,
            Err(error) => {
                tracing::warn!(%error, retry_in = ?delay, "demo shop: cannot register its webhook endpoint");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        delay = (delay * 2).min(MAX_RETRY_DELAY);
    }
}

fn refusal(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// `POST /webhooks`: finlink's deliveries. Verified over the raw bytes before anything reads
/// them; a 2xx at once for a good one (also for a duplicate, which finlink must stop sending).
pub async fn receive(State(shop): State<Arc<Shop>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = shop.inbox.secret() else {
        // Not registered yet (or finlink raced the answer that carries the secret): finlink
        // retries later, when the secret is known.
        return refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "The shop is not ready for webhooks yet.",
        );
    };
    let header = headers
        .get(&SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok());
    let verified = match header {
        Some(header) => signature::verify(
            header,
            &body,
            &secret,
            shop.clock.now(),
            DEFAULT_TOLERANCE_SECONDS,
        ),
        None => Err(SignatureError::MissingSignature),
    };
    if let Err(error) = verified {
        tracing::warn!(%error, "demo shop: refused a webhook delivery");
        shop.inbox.refuse(error.to_string());
        return refusal(StatusCode::BAD_REQUEST, "The signature does not verify.");
    }
    // Only now is the body finlink's, and worth parsing.
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return refusal(StatusCode::BAD_REQUEST, "The body is not JSON.");
    };
    let Some(received) = read_event(&event, shop.clock.now()) else {
        return refusal(StatusCode::BAD_REQUEST, "The body is not an event.");
    };
    let about_our_customer = event
        .pointer("/data/object/account_holder/customer")
        .and_then(Value::as_str)
        == Some(SHOP_CUSTOMER);
    let id = received.id.clone();
    match shop.inbox.accept(received, about_our_customer) {
        Accepted::New => tracing::info!(event = %id, "demo shop: webhook received"),
        Accepted::Duplicate => tracing::info!(event = %id, "demo shop: duplicate webhook dropped"),
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The few fields the page shows of an event (never the whole account: no data leaks to the
/// page by accident).
fn read_event(event: &Value, now: Timestamp) -> Option<ReceivedEvent> {
    let text = |pointer: &str| event.pointer(pointer).and_then(Value::as_str);
    let id = text("/id")?.to_owned();
    let kind = text("/type")?.to_owned();
    let account = event.pointer("/data/object");
    let account_name = match (
        text("/data/object/display_name"),
        text("/data/object/last4"),
    ) {
        (Some(name), Some(last4)) => Some(format!("{name} •••• {last4}")),
        (Some(name), None) => Some(name.to_owned()),
        _ => None,
    };
    let refresh_status = |field: &str| {
        account
            .and_then(|account| account.get(field))
            .and_then(|refresh| refresh.get("status"))
            .and_then(Value::as_str)
            .unwrap_or("ended")
            .to_owned()
    };
    let summary = match kind.rsplit('.').next().unwrap_or_default() {
        "created" => "account linked".to_owned(),
        "disconnected" => "account disconnected".to_owned(),
        "deactivated" => "access lost at the bank".to_owned(),
        "reactivated" => "account linked again".to_owned(),
        "refreshed_balance" => format!("balance refresh {}", refresh_status("balance_refresh")),
        "refreshed_ownership" => {
            format!("ownership refresh {}", refresh_status("ownership_refresh"))
        }
        "refreshed_transactions" => format!(
            "transaction refresh {}",
            refresh_status("transaction_refresh")
        ),
        "verification_succeeded" => "microdeposits verified".to_owned(),
        "verification_attempt_failed" => "wrong microdeposits typed".to_owned(),
        "verification_failed" => "microdeposit verification failed".to_owned(),
        _ => "event".to_owned(),
    };
    Some(ReceivedEvent {
        id,
        kind,
        created: event.get("created").and_then(Value::as_i64).unwrap_or(now),
        received_at: now,
        account: text("/data/object/id").map(str::to_owned),
        account_name,
        summary,
    })
}

/// `GET /api/events`: the shop's endpoint, and the verified events about its customer's
/// accounts, newest first.
pub async fn list(State(shop): State<Arc<Shop>>) -> Response {
    let state = shop.inbox.lock();
    let events: Vec<ReceivedEvent> = state.events.iter().cloned().collect();
    Json(json!({
        "endpoint": {
            "id": state.endpoint.as_ref().map(|endpoint| endpoint.id.as_str()),
            "url": endpoint_url(&shop),
            "status": if state.endpoint.is_some() { "registered" } else { "registering" },
        },
        "events": events,
        "verified": state.verified,
        "duplicates": state.duplicates,
        "refused": state.refused,
        "last_refusal": state.last_refusal,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> ReceivedEvent {
        ReceivedEvent {
            id: id.to_owned(),
            kind: "financial_connections.account.created".to_owned(),
            created: 1,
            received_at: 2,
            account: Some("fca_1".to_owned()),
            account_name: None,
            summary: "account linked".to_owned(),
        }
    }

    #[test]
    fn an_event_id_is_accepted_once() {
        let inbox = Inbox::default();
        assert_eq!(inbox.accept(event("evt_1"), true), Accepted::New);
        assert_eq!(inbox.accept(event("evt_1"), true), Accepted::Duplicate);
        assert_eq!(inbox.accept(event("evt_2"), false), Accepted::New);
        let state = inbox.lock();
        assert_eq!(
            state.events.len(),
            1,
            "only shown events are kept for the page"
        );
        assert_eq!((state.verified, state.duplicates), (2, 1));
    }

    #[test]
    fn the_page_sees_the_latest_events_and_ids_are_remembered_boundedly() {
        let inbox = Inbox::default();
        for n in 0..REMEMBERED_IDS + 5 {
            inbox.accept(event(&format!("evt_{n}")), true);
        }
        let state = inbox.lock();
        assert_eq!(state.events.len(), SHOWN_EVENTS);
        assert_eq!(
            state.events.front().map(|e| e.id.as_str()),
            Some("evt_10004")
        );
        assert_eq!(state.seen.len(), REMEMBERED_IDS);
        assert!(!state.seen.contains("evt_0"));
    }

    #[test]
    fn an_event_is_read_into_words_without_the_account_data() {
        let body = json!({
            "id": "evt_9", "type": "financial_connections.account.refreshed_balance",
            "created": 100, "object": "event", "livemode": false,
            "data": { "object": { "id": "fca_1", "display_name": "<b>Checking</b>", "last4": "6789",
                "balance": { "current": { "usd": 5 } },
                "balance_refresh": { "status": "succeeded" } } }
        });
        let read = read_event(&body, 200).unwrap();
        assert_eq!(read.summary, "balance refresh succeeded");
        assert_eq!(
            read.account_name.as_deref(),
            Some("<b>Checking</b> •••• 6789")
        );
        assert_eq!((read.created, read.received_at), (100, 200));
        let shown = serde_json::to_string(&read).unwrap();
        assert!(!shown.contains("usd"), "{shown}");
        assert!(read_event(&json!({ "type": "x" }), 0).is_none());
    }
}

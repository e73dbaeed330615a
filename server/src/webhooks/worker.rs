//! The delivery worker: takes due deliveries from the store, POSTs each signed event to its
//! endpoint, and records the outcome: delivered on any `2xx`; otherwise (another status, a
//! timeout, a refused connection) retried after `base * 2^(attempts - 1)` seconds, capped,
//! until the last attempt. Times are read from the app clock, so tests move them by hand.

use axum::http::header;
use finlink_protocol::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::signature;
use crate::app::Shared;
use crate::config::Timing;
use crate::store::{AttemptOutcome, Deliveries, DueDelivery, StoreError};

/// Deliveries attempted at once.
const BATCH: usize = 16;

/// Runs until `stopped` turns true (or its sender is dropped).
pub async fn run(state: Shared, mut stopped: watch::Receiver<bool>) {
    loop {
        if *stopped.borrow() {
            return;
        }
        let more = match deliver_due(&state).await {
            Ok(more) => more,
            Err(error) => {
                tracing::error!(%error, "webhook deliveries could not be read or recorded");
                false
            }
        };
        if more {
            continue;
        }
        tokio::select! {
            () = state.webhooks.wake.notified() => {}
            () = tokio::time::sleep(state.timing.worker_interval) => {}
            changed = stopped.changed() => if changed.is_err() { return },
        }
    }
}

/// The delay before retry number `attempts` (1 for the first retry).
pub fn backoff_seconds(timing: &Timing, attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(40);
    timing
        .webhook_retry_base_seconds
        .saturating_mul(1_i64 << doublings)
        .min(timing.webhook_retry_max_seconds)
}

/// Attempts every due delivery of one batch; `true` when the batch was full (more may be due).
async fn deliver_due(state: &Shared) -> Result<bool, StoreError> {
    let now = state.clock.now();
    let timeout_seconds = i64::try_from(state.timing.webhook_timeout.as_secs()).unwrap_or(60);
    // Long enough for the attempt to end first; if the server stops meanwhile, the delivery
    // is due again once the claim lapses.
    let claimed_until = now.saturating_add(timeout_seconds.saturating_add(30));
    let due = state
        .store
        .transaction(move |tx| Deliveries::claim_due(tx, now, claimed_until, BATCH))
        .await?;
    let full = due.len() == BATCH;
    let mut attempts = JoinSet::new();
    for delivery in due {
        let state = state.clone();
        attempts.spawn(async move {
            let outcome = attempt(&state, &delivery).await;
            (delivery, outcome)
        });
    }
    while let Some(joined) = attempts.join_next().await {
        let Ok((delivery, outcome)) = joined else {
            continue;
        };
        // Retries count from when the attempt started (`now`), not from when its outcome is
        // recorded: the schedule does not drift with slow receivers.
        let outcome = match outcome {
            Ok(status) => AttemptOutcome::Delivered { status },
            Err((status, error)) => {
                let attempts = delivery.attempts.saturating_add(1);
                let retry_at = (attempts < state.timing.webhook_max_attempts)
                    .then(|| now.saturating_add(backoff_seconds(&state.timing, attempts)));
                tracing::warn!(
                    event = %delivery.event_id,
                    endpoint = %delivery.endpoint_id,
                    attempts,
                    %error,
                    retry_at,
                    "webhook delivery failed"
                );
                AttemptOutcome::Failed {
                    status,
                    error,
                    retry_at,
                }
            }
        };
        let (event_id, endpoint_id) = (delivery.event_id.clone(), delivery.endpoint_id.clone());
        state
            .store
            .transaction(move |tx| {
                Deliveries::record_attempt(tx, &event_id, &endpoint_id, now, &outcome)
            })
            .await?;
    }
    Ok(full)
}

/// One POST: the `2xx` status, or the status (if any) and why it failed.
async fn attempt(state: &Shared, delivery: &DueDelivery) -> Result<u16, (Option<u16>, String)> {
    let timestamp: Timestamp = state.clock.now();
    let signed =
        signature::header_value(&delivery.secret, timestamp, delivery.body_json.as_bytes())
            .map_err(|error| (None, error.to_string()))?;
    let sent = state
        .webhooks
        .http
        .post(&delivery.url)
        .timeout(state.timing.webhook_timeout)
        .header(header::CONTENT_TYPE, "application/json")
        .header(signature::HEADER, signed)
        .body(delivery.body_json.clone())
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Ok(response.status().as_u16()),
        Ok(response) => Err((
            Some(response.status().as_u16()),
            format!("the endpoint answered {}", response.status()),
        )),
        Err(error) if error.is_timeout() => {
            Err((None, "the endpoint did not answer in time".into()))
        }
        Err(error) if error.is_connect() => Err((None, "cannot connect to the endpoint".into())),
        Err(_) => Err((None, "the request to the endpoint failed".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_the_base_up_to_the_cap() {
        let timing = Timing::default();
        let delays: Vec<i64> = (1..=12).map(|n| backoff_seconds(&timing, n)).collect();
        assert_eq!(&delays[..4], &[30, 60, 120, 240]);
        assert_eq!(delays[11], 6 * 60 * 60);
        assert_eq!(backoff_seconds(&timing, u32::MAX), 6 * 60 * 60);
    }
}

//! Daily transaction refreshes of subscribed accounts, driven by the app clock: the worker
//! looks every `Timing::worker_interval` for accounts whose `next_transaction_refresh_at` has
//! come, starts their refresh (unless one is pending) and schedules the next a day later.
//! At the same look it expires the microdeposit verifications whose ten days ran out
//! (`accounts::verification`), so their webhook goes out without anyone visiting the page.

use finlink_protocol::{Feature, Permission, Timestamp};
use tokio::sync::watch;

use super::{spawn, start_unless_pending};
use crate::app::Shared;
use crate::store::{AccountRecord, StoreError};

/// A subscribed account's transactions are refreshed this often.
pub const INTERVAL_SECONDS: i64 = 86_400;

/// When the refresh after one due at `due` comes: a day later, or a day from now if the server
/// was stopped for longer than that (no burst of missed refreshes).
pub fn next_after(due: Timestamp, now: Timestamp) -> Timestamp {
    let next = due.saturating_add(INTERVAL_SECONDS);
    if next <= now {
        now.saturating_add(INTERVAL_SECONDS)
    } else {
        next
    }
}

/// Runs until `stopped` turns true (or its sender is dropped).
pub async fn run(state: Shared, mut stopped: watch::Receiver<bool>) {
    loop {
        if *stopped.borrow() {
            return;
        }
        if let Err(error) = start_due(&state).await {
            tracing::error!(%error, "scheduled transaction refreshes could not start");
        }
        if let Err(error) = crate::accounts::verification::expire_due_now(&state).await {
            tracing::error!(%error, "expired verifications could not be recorded");
        }
        tokio::select! {
            () = tokio::time::sleep(state.timing.worker_interval) => {}
            changed = stopped.changed() => if changed.is_err() { return },
        }
    }
}

async fn start_due(state: &Shared) -> Result<(), StoreError> {
    let now = state.clock.now();
    let started = state
        .store
        .transaction(move |tx| {
            let mut started = Vec::new();
            for mut account in AccountRecord::due_for_transaction_refresh(tx, now)? {
                let due = account.next_transaction_refresh_at.unwrap_or(now);
                if account.permissions.contains(&Permission::Transactions) {
                    started.extend(start_unless_pending(
                        tx,
                        &account.id,
                        Feature::Transactions,
                        now,
                    )?);
                    account.next_transaction_refresh_at = Some(next_after(due, now));
                } else {
                    account.next_transaction_refresh_at = None;
                }
                account.update(tx)?;
            }
            Ok::<_, StoreError>(started)
        })
        .await?;
    spawn(state, started);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_refresh_is_a_day_later_without_catching_up_missed_days() {
        assert_eq!(next_after(1_000, 1_000), 1_000 + INTERVAL_SECONDS);
        assert_eq!(next_after(1_000, 5_000), 1_000 + INTERVAL_SECONDS);
        let late = 1_000 + 3 * INTERVAL_SECONDS;
        assert_eq!(next_after(1_000, late), late + INTERVAL_SECONDS);
    }
}

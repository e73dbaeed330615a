//! Refreshes: fetching an account's balance, owners or transactions again from its bank,
//! asynchronously. A request records a pending refresh in the store and returns at once; a
//! tokio task then talks to the bank and records the outcome, and the account's `*_refresh`
//! object goes from `pending` to `succeeded` or `failed`. A refresh left pending by a server
//! that stopped is resumed when the next one starts.
//!
//! What may start when: nothing for a disconnected or inactive account; each kind only with
//! its permission; never while one of the same kind is pending (`refresh_in_progress`); and,
//! when the integrator asks, not before the cooldown after the last one ended
//! (`refresh_too_soon`), so that a storm of requests costs the bank one call per period.

pub mod job;
pub mod scheduler;
pub mod tokens;

use std::sync::{Mutex, PoisonError};

use finlink_protocol::{Feature, RefreshStatus, Timestamp};
use rusqlite::Transaction;
use tokio::task::JoinSet;

use crate::accounts::view::next_refresh_available_at;
use crate::app::Shared;
use crate::error::ApiError;
use crate::store::{AccountAccess, AccountRecord, RefreshRecord, StoreError};

/// The refresh tasks under way and the per-grant token locks.
#[derive(Default)]
pub struct Refresher {
    pub(crate) grant_locks: tokens::GrantLocks,
    tasks: Mutex<JoinSet<()>>,
}

impl Refresher {
    /// Stops the refresh tasks under way (when the server stops): their refreshes stay pending
    /// in the store and are resumed at the next start.
    pub fn abort_all(&self) {
        self.tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .abort_all();
    }
}

/// Checks that the integrator may refresh `features` of `account` now, and records them as
/// pending in `tx`. Start them with `spawn` once `tx` committed.
pub fn request(
    tx: &Transaction<'_>,
    account: &AccountRecord,
    features: &[Feature],
    now: Timestamp,
    cooldown_seconds: i64,
) -> Result<Vec<RefreshRecord>, ApiError> {
    check_access(account)?;
    if let Some(feature) = features
        .iter()
        .find(|feature| !account.permissions.contains(&feature.permission()))
    {
        return Err(ApiError::PermissionMissing {
            permission: feature.permission(),
        });
    }
    for &feature in features {
        let Some(latest) = RefreshRecord::latest(tx, &account.id, feature)? else {
            continue;
        };
        if latest.status == RefreshStatus::Pending {
            return Err(ApiError::RefreshInProgress { feature });
        }
        if let Some(available_at) = next_refresh_available_at(&latest, cooldown_seconds)
            && now < available_at
        {
            return Err(ApiError::RefreshTooSoon {
                feature,
                available_at,
            });
        }
    }
    features
        .iter()
        .map(|&feature| RefreshRecord::start(tx, &account.id, feature, now).map_err(ApiError::from))
        .collect()
}

/// Refuses accounts whose bank data finlink can no longer reach.
pub fn check_access(account: &AccountRecord) -> Result<(), ApiError> {
    match account.access {
        AccountAccess::Active => Ok(()),
        AccountAccess::Inactive => Err(ApiError::AccountInactive {
            id: account.id.clone(),
        }),
        AccountAccess::Disconnected => Err(ApiError::AccountDisconnected {
            id: account.id.clone(),
        }),
    }
}

/// Records a refresh finlink starts on its own (prefetch, daily schedule), unless one of the
/// same kind is pending. No cooldown: these never come in storms.
pub fn start_unless_pending(
    tx: &Transaction<'_>,
    account_id: &str,
    feature: Feature,
    now: Timestamp,
) -> Result<Option<RefreshRecord>, StoreError> {
    let pending = RefreshRecord::latest(tx, account_id, feature)?
        .is_some_and(|latest| latest.status == RefreshStatus::Pending);
    if pending {
        return Ok(None);
    }
    RefreshRecord::start(tx, account_id, feature, now).map(Some)
}

/// Starts a task per pending refresh.
pub fn spawn(state: &Shared, refreshes: Vec<RefreshRecord>) {
    if refreshes.is_empty() {
        return;
    }
    let mut tasks = state
        .refresher
        .tasks
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    while tasks.try_join_next().is_some() {}
    for refresh in refreshes {
        tasks.spawn(job::run(state.clone(), refresh));
    }
}

/// Starts the refreshes a stopped server left pending.
pub async fn resume_pending(state: &Shared) -> Result<(), StoreError> {
    let pending = state.store.transaction(RefreshRecord::pending).await?;
    if !pending.is_empty() {
        tracing::info!(count = pending.len(), "resuming pending refreshes");
    }
    spawn(state, pending);
    Ok(())
}

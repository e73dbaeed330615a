//! Disconnecting an account: the business ends its access for good.
//!
//! What changes: the account's status becomes `disconnected`; its subscription ends; pending
//! refreshes fail; no refresh, subscription or account-number request is accepted any more;
//! and once no other linked account and no saved account uses the bank grant, finlink erases
//! its tokens and revokes them at the bank. What stays readable: the account object and the data fetched before (last
//! balance, owners, transactions), as a record of what the person shared while connected.

use finlink_protocol::{Account, EventType, RefreshStatus, Timestamp};
use rusqlite::Transaction;

use super::verification::VerificationLinks;
use super::view as account_view;
use crate::refresh::job::event_type;
use crate::store::{AccountAccess, AccountRecord, RefreshRecord, StoreError};
use crate::webhooks;

/// What a disconnect did.
#[derive(Debug, Clone)]
pub struct Disconnected {
    pub account: Account,
    /// The grant no linked or saved account uses any more: give it up at the bank once
    /// committed.
    pub released_grant: Option<String>,
    /// Whether events were queued (nothing happens when it was already disconnected).
    pub changed: bool,
}

/// Disconnects `account` in `tx`. Disconnecting a disconnected account changes nothing.
pub fn disconnect(
    tx: &Transaction<'_>,
    mut account: AccountRecord,
    now: Timestamp,
    cooldown_seconds: i64,
    links: &VerificationLinks,
) -> Result<Disconnected, StoreError> {
    if account.access == AccountAccess::Disconnected {
        return Ok(Disconnected {
            account: account_view::load(tx, &account, cooldown_seconds, links)?,
            released_grant: None,
            changed: false,
        });
    }
    account.access = AccountAccess::Disconnected;
    account.disconnected_at = Some(now);
    account.next_transaction_refresh_at = None;
    account.update(tx)?;
    let latest = RefreshRecord::latest_all(tx, &account.id)?;
    for pending in [latest.balance, latest.ownership, latest.transactions]
        .into_iter()
        .flatten()
        .filter(|refresh| refresh.status == RefreshStatus::Pending)
    {
        if RefreshRecord::finish(
            tx,
            &pending.id,
            RefreshStatus::Failed,
            now,
            Some("account_disconnected"),
        )? {
            let view = account_view::load(tx, &account, cooldown_seconds, links)?;
            webhooks::emit(tx, event_type(pending.feature), &view, now)?;
        }
    }
    let view = account_view::load(tx, &account, cooldown_seconds, links)?;
    webhooks::emit(tx, EventType::AccountDisconnected, &view, now)?;
    let released_grant = (!AccountRecord::grant_in_use(tx, &account.authorization_id)?)
        .then(|| account.authorization_id.clone());
    Ok(Disconnected {
        account: view,
        released_grant,
        changed: true,
    })
}

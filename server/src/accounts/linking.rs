//! Linking the accounts a person picked: a new account for a bank account seen for the first
//! time, or, for one already linked for the same account holder (same institution, same bank
//! account id), the existing account updated in place: the new grant, the bank's latest
//! data, and the union of the permissions granted then and now. The integrator keeps one id
//! per bank account and account holder, whatever the number of sessions.
//!
//! Accounts linked without an account holder are never merged: nothing says two sessions
//! belong to the same person.

use finlink_protocol::{AccountSelection, EventType, Permission, Timestamp};
use rusqlite::Transaction;

use super::verification::VerificationLinks;
use super::view as account_view;
use crate::app::Shared;
use crate::error::ApiError;
use crate::refresh::{self, tokens};
use crate::store::{
    AccountAccess, AccountRecord, RefreshRecord, SessionRecord, StoreError, account_holder_key,
};
use crate::webhooks;

/// What linking one picked account did.
#[derive(Debug, Clone)]
pub enum Linked {
    /// The account is new: the offered row became a linked account.
    Created(AccountRecord),
    /// The bank account was already linked for this account holder: that account was updated.
    Relinked {
        account: AccountRecord,
        /// It was disconnected or inactive, and is active again.
        reactivated: bool,
        /// The grant it used before, if no account uses it any more: give it up at the bank.
        released_grant: Option<String>,
    },
    /// The person had already linked this offered account in this session.
    AlreadyLinked(AccountRecord),
}

impl Linked {
    /// The linked account, canonical for a relinked one.
    pub fn account(&self) -> &AccountRecord {
        match self {
            Self::Created(account)
            | Self::Relinked { account, .. }
            | Self::AlreadyLinked(account) => account,
        }
    }
}

/// `a` and `b` together, sorted, each once.
fn union(a: &[Permission], b: &[Permission]) -> Vec<Permission> {
    let mut all: Vec<Permission> = a.iter().chain(b).copied().collect();
    all.sort();
    all.dedup();
    all
}

/// The selection rules of every attach (the account step's and the saved accounts'): the
/// chosen ids sorted, each once; `no_accounts_selected` when there is none; and, in a session
/// that links a single account, `too_many_accounts_selected` when several are chosen, or when
/// one that is not yet linked here (`adds_one` says which ids those are) would join one
/// linked before through this session. Whether each id exists and may be picked is checked
/// by the caller.
pub fn checked_selection(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    chosen: Vec<String>,
    adds_one: impl Fn(&str) -> bool,
) -> Result<Vec<String>, ApiError> {
    let mut chosen = chosen;
    chosen.sort();
    chosen.dedup();
    if chosen.is_empty() {
        return Err(ApiError::NoAccountsSelected);
    }
    if session.request.account_selection == AccountSelection::Single {
        let adds = chosen.iter().any(|id| adds_one(id));
        if chosen.len() > 1
            || (adds && !AccountRecord::linked_for_session(tx, &session.id)?.is_empty())
        {
            return Err(ApiError::TooManyAccountsSelected);
        }
    }
    Ok(chosen)
}

/// Links one offered account of `session`'s authorization, or updates the account it
/// duplicates.
pub fn link(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    mut offered: AccountRecord,
) -> Result<Linked, StoreError> {
    if offered.linked {
        let canonical = match &offered.merged_into {
            Some(id) => AccountRecord::find(tx, id)?.unwrap_or(offered),
            None => offered,
        };
        return Ok(Linked::AlreadyLinked(canonical));
    }
    let permissions = union(&session.request.permissions, &[]);
    let holder_key = session
        .request
        .account_holder
        .as_ref()
        .and_then(account_holder_key);
    let target = match &holder_key {
        Some(key) => AccountRecord::find_relink_target(
            tx,
            key,
            &offered.institution_id,
            &offered.bank.bank_account_id,
            &offered.id,
        )?,
        None => None,
    };
    offered.linked = true;
    offered.permissions = permissions.clone();
    let Some(mut account) = target else {
        offered.update(tx)?;
        return Ok(Linked::Created(offered));
    };
    let previous_grant = account.authorization_id.clone();
    let reactivated = account.access != AccountAccess::Active;
    account.authorization_id = offered.authorization_id.clone();
    account.bank = offered.bank.clone();
    account.permissions = union(&account.permissions, &permissions);
    account.access = AccountAccess::Active;
    account.disconnected_at = None;
    account.update(tx)?;
    offered.merged_into = Some(account.id.clone());
    offered.update(tx)?;
    let released_grant = (previous_grant != account.authorization_id
        && !AccountRecord::grant_in_use(tx, &previous_grant)?)
    .then_some(previous_grant);
    Ok(Linked::Relinked {
        account,
        reactivated,
        released_grant,
    })
}

/// What follows a link once its transaction commits: prefetch refreshes to run, grants no
/// linked or saved account uses any more, and whether events were queued.
#[derive(Debug, Default)]
pub struct FollowUp {
    pub refreshes: Vec<RefreshRecord>,
    pub released_grants: Vec<String>,
    pub events: bool,
}

/// Records, in the linking transaction, the events of what `link` did
/// (`financial_connections.account.created` for a new account, `.reactivated` for a relinked
/// account that was disconnected or inactive) and the session's `prefetch` refreshes.
pub fn follow_up(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    linked: &[Linked],
    now: Timestamp,
    cooldown_seconds: i64,
    links: &VerificationLinks,
) -> Result<FollowUp, StoreError> {
    let mut follow_up = FollowUp::default();
    for outcome in linked {
        let event = match outcome {
            Linked::AlreadyLinked(_) => continue,
            Linked::Created(_) => Some(EventType::AccountCreated),
            Linked::Relinked {
                reactivated,
                released_grant,
                ..
            } => {
                follow_up.released_grants.extend(released_grant.clone());
                reactivated.then_some(EventType::AccountReactivated)
            }
        };
        let account = outcome.account();
        for &feature in &session.request.prefetch {
            if account.permissions.contains(&feature.permission()) {
                follow_up.refreshes.extend(refresh::start_unless_pending(
                    tx,
                    &account.id,
                    feature,
                    now,
                )?);
            }
        }
        if let Some(event) = event {
            let view = account_view::load(tx, account, cooldown_seconds, links)?;
            webhooks::emit(tx, event, &view, now)?;
            follow_up.events = true;
        }
    }
    Ok(follow_up)
}

/// Runs a follow-up once its transaction committed.
pub fn start(state: &Shared, follow_up: FollowUp) {
    refresh::spawn(state, follow_up.refreshes);
    if follow_up.events {
        state.webhooks.wake.notify_one();
    }
    for grant in follow_up.released_grants {
        tokens::give_up_later(state, grant);
    }
}

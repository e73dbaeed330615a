//! One refresh, from the bank call to the recorded outcome and its event.
//!
//! The bank is called outside any store transaction; the outcome is recorded in one
//! transaction with the refreshed data, the refresh's new status and the
//! `financial_connections.account.refreshed_*` event, so that the three never disagree.

use finlink_protocol::{EventType, Feature, RefreshStatus, Timestamp};
use rusqlite::Transaction;

use super::tokens::{self, TokenError};
use crate::accounts::view as account_view;
use crate::app::{AppState, Shared};
use crate::connector::{BankAccount, BankTransaction, ConnectorError};
use crate::secrets;
use crate::store::{
    AccountAccess, AccountRecord, OwnershipRecord, RefreshRecord, StoreError, StoredOwner,
    TransactionRecord,
};
use crate::webhooks;

/// What the bank gave.
enum Fetched {
    Account(BankAccount),
    Transactions(Vec<BankTransaction>),
}

/// Why a refresh failed; `code` is what operators find in the `refreshes` table and logs.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("the account was disconnected")]
    Disconnected,
    #[error("finlink's access at the bank is gone")]
    AccessLost,
    /// The account moved to another grant (relinked) or was disconnected while this refresh
    /// waited: the grant it started with is given up.
    #[error("the grant this refresh started with was given up")]
    GrantGivenUp,
    #[error("the bank failed: {0}")]
    Bank(ConnectorError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Failure {
    fn code(&self) -> &'static str {
        match self {
            Self::Disconnected => "account_disconnected",
            Self::AccessLost => "access_revoked",
            Self::GrantGivenUp => "grant_given_up",
            Self::Bank(ConnectorError::InstitutionDown) => "institution_down",
            Self::Bank(ConnectorError::InstitutionError) => "institution_error",
            Self::Bank(ConnectorError::Timeout) => "institution_timeout",
            Self::Bank(ConnectorError::Transport(_)) => "institution_unreachable",
            Self::Bank(_) => "institution_unexpected_response",
            Self::Store(_) => "internal_error",
        }
    }
}

impl From<TokenError> for Failure {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::GivenUp => Self::GrantGivenUp,
            TokenError::Refused => Self::AccessLost,
            TokenError::Bank(error) => Self::Bank(error),
            TokenError::Store(error) => Self::Store(error),
        }
    }
}

/// Runs a pending refresh to its end.
pub async fn run(state: Shared, refresh: RefreshRecord) {
    let outcome = fetch(&state, &refresh).await;
    if let Err(failure) = &outcome {
        tracing::info!(refresh = %refresh.id, reason = failure.code(), "refresh failed");
    }
    match record(&state, refresh.clone(), outcome).await {
        Ok(true) => state.webhooks.wake.notify_one(),
        Ok(false) => {}
        Err(error) => {
            tracing::error!(refresh = %refresh.id, %error, "cannot record a refresh's outcome")
        }
    }
}

async fn fetch(state: &AppState, refresh: &RefreshRecord) -> Result<Fetched, Failure> {
    let id = refresh.account_id.clone();
    let account = state
        .store
        .transaction(move |tx| AccountRecord::find(tx, &id))
        .await?
        .ok_or(Failure::AccessLost)?;
    match account.access {
        AccountAccess::Active => {}
        AccountAccess::Inactive => return Err(Failure::AccessLost),
        AccountAccess::Disconnected => return Err(Failure::Disconnected),
    }
    let token = tokens::access_token(state, &account.authorization_id, None).await?;
    match call(state, &account, refresh.feature, &token).await {
        Err(ConnectorError::InvalidAccessToken) => {
            let token =
                tokens::access_token(state, &account.authorization_id, Some(&token)).await?;
            call(state, &account, refresh.feature, &token)
                .await
                .map_err(bank_failure)
        }
        other => other.map_err(bank_failure),
    }
}

/// A bank that refuses the token or no longer shows the account took finlink's access away.
fn bank_failure(error: ConnectorError) -> Failure {
    match error {
        ConnectorError::InvalidAccessToken
        | ConnectorError::InvalidGrant
        | ConnectorError::UnknownAccount
        | ConnectorError::AccessDenied => Failure::AccessLost,
        other => Failure::Bank(other),
    }
}

async fn call(
    state: &AppState,
    account: &AccountRecord,
    feature: Feature,
    token: &str,
) -> Result<Fetched, ConnectorError> {
    let bank = state.bank(&account.institution_id);
    match feature {
        Feature::Balance | Feature::Ownership => state
            .connector
            .accounts(&bank, token)
            .await?
            .into_iter()
            .find(|found| found.bank_account_id == account.bank.bank_account_id)
            .map(Fetched::Account)
            .ok_or(ConnectorError::UnknownAccount),
        Feature::Transactions => state
            .connector
            .transactions(&bank, token, &account.bank.bank_account_id)
            .await
            .map(Fetched::Transactions),
    }
}

/// Records the outcome; `false` when there was nothing to record (the refresh had already
/// ended, e.g. resumed twice).
async fn record(
    state: &Shared,
    refresh: RefreshRecord,
    outcome: Result<Fetched, Failure>,
) -> Result<bool, StoreError> {
    let now = state.clock.now();
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    state
        .store
        .transaction(move |tx| {
            let Some(mut account) = AccountRecord::find(tx, &refresh.account_id)? else {
                return Ok(false);
            };
            let outcome = match outcome {
                // Data that arrives after a disconnect is dropped.
                Ok(_) if account.access == AccountAccess::Disconnected => {
                    Err(Failure::Disconnected)
                }
                other => other,
            };
            let (status, failure) = match &outcome {
                Ok(_) => (RefreshStatus::Succeeded, None),
                Err(failure) => (RefreshStatus::Failed, Some(failure.code())),
            };
            if !RefreshRecord::finish(tx, &refresh.id, status, now, failure)? {
                return Ok(false);
            }
            match outcome {
                Ok(fetched) => store_fetched(tx, &mut account, &refresh, fetched, now)?,
                Err(Failure::AccessLost) if account.access == AccountAccess::Active => {
                    account.access = AccountAccess::Inactive;
                    account.next_transaction_refresh_at = None;
                    account.update(tx)?;
                    let view = account_view::load(tx, &account, cooldown, &links)?;
                    webhooks::emit(tx, EventType::AccountDeactivated, &view, now)?;
                }
                Err(_) => {}
            }
            let view = account_view::load(tx, &account, cooldown, &links)?;
            webhooks::emit(tx, event_type(refresh.feature), &view, now)?;
            Ok(true)
        })
        .await
}

/// The event that says a refresh of `feature` ended.
pub fn event_type(feature: Feature) -> EventType {
    match feature {
        Feature::Balance => EventType::AccountRefreshedBalance,
        Feature::Ownership => EventType::AccountRefreshedOwnership,
        Feature::Transactions => EventType::AccountRefreshedTransactions,
    }
}

/// Keeps what the bank gave: the balance, a new ownership, or the merged transactions. The
/// bank's description of the account (numbers, open or closed) is kept up to date too.
fn store_fetched(
    tx: &Transaction<'_>,
    account: &mut AccountRecord,
    refresh: &RefreshRecord,
    fetched: Fetched,
    now: Timestamp,
) -> Result<(), StoreError> {
    match (refresh.feature, fetched) {
        (Feature::Balance, Fetched::Account(bank)) => {
            account.balance = bank.balance.clone();
            account.bank = bank;
        }
        (Feature::Ownership, Fetched::Account(bank)) => {
            let ownership = OwnershipRecord {
                id: secrets::new_id("fcaowns"),
                account_id: account.id.clone(),
                created: now,
                owners: bank
                    .owners
                    .iter()
                    .map(|owner| StoredOwner {
                        id: secrets::new_id("fcaown"),
                        name: owner.name.clone(),
                        email: owner.email.clone(),
                        phone: owner.phone.clone(),
                        raw_address: owner.address.clone(),
                    })
                    .collect(),
            };
            ownership.insert(tx)?;
            account.ownership_id = Some(ownership.id);
            account.bank = bank;
        }
        (Feature::Transactions, Fetched::Transactions(transactions)) => {
            TransactionRecord::merge(tx, &account.id, &transactions, refresh, now)?;
        }
        // `fetch` asks the bank for what the feature needs; nothing else arrives.
        _ => return Ok(()),
    }
    account.update(tx)
}

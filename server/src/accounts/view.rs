//! The integrator's view of a linked account: what every account shows, and each kind of
//! data only with the permission it needs. Account numbers are never part of it.

use finlink_protocol::{
    Account, AccountCategory, AccountHolder, AccountStatus, Balance, Feature, Permission, Refresh,
    RefreshStatus, Timestamp, TransactionRefresh,
};
use rusqlite::Transaction;

use super::verification::{self, VerificationLinks};
use crate::connector::{BankAccount, BankBalance};
use crate::store::{
    AccountAccess, AccountRecord, LatestRefreshes, RefreshRecord, SessionRecord, StoreError,
};

/// The account as the integrator sees it now, read in `tx`.
pub fn load(
    tx: &Transaction<'_>,
    record: &AccountRecord,
    cooldown_seconds: i64,
    links: &VerificationLinks,
) -> Result<Account, StoreError> {
    let account_holder = SessionRecord::find(tx, &record.session_id)?
        .and_then(|session| session.request.account_holder);
    let latest = RefreshRecord::latest_all(tx, &record.id)?;
    Ok(account(
        record,
        account_holder,
        &latest,
        cooldown_seconds,
        links,
    ))
}

/// The status people and integrators see: disconnected by the business, inactive when
/// finlink lost access or the bank closed the account, active otherwise.
pub fn account_status(record: &AccountRecord) -> AccountStatus {
    match record.access {
        AccountAccess::Disconnected => AccountStatus::Disconnected,
        AccountAccess::Inactive => AccountStatus::Inactive,
        AccountAccess::Active if !record.bank.open => AccountStatus::Inactive,
        AccountAccess::Active => AccountStatus::Active,
    }
}

/// Whether an account can carry ACH payments: an open cash account the bank says supports it.
pub fn payable(bank: &BankAccount) -> bool {
    bank.open && bank.supports_ach && bank.subcategory.category() == AccountCategory::Cash
}

fn refresh(record: &RefreshRecord, cooldown_seconds: i64) -> Refresh {
    Refresh {
        status: record.status,
        last_attempted_at: record.requested_at,
        next_refresh_available_at: next_refresh_available_at(record, cooldown_seconds),
    }
}

/// `null` while pending: the end of a refresh starts its cooldown.
pub fn next_refresh_available_at(
    record: &RefreshRecord,
    cooldown_seconds: i64,
) -> Option<Timestamp> {
    match record.status {
        RefreshStatus::Pending => None,
        RefreshStatus::Succeeded | RefreshStatus::Failed => record
            .finished_at
            .map(|finished| finished.saturating_add(cooldown_seconds)),
    }
}

fn balance(balance: &BankBalance) -> Balance {
    Balance {
        as_of: balance.as_of,
        current: [(balance.currency.clone(), balance.current)]
            .into_iter()
            .collect(),
        available: balance.available.map(|available| {
            [(balance.currency.clone(), available)]
                .into_iter()
                .collect()
        }),
    }
}

/// The integrator's view: what every account shows, and each kind of data only with the
/// permission it needs. Account numbers are never part of it (see `account_numbers`).
pub fn account(
    record: &AccountRecord,
    account_holder: Option<AccountHolder>,
    latest: &LatestRefreshes,
    cooldown_seconds: i64,
    links: &VerificationLinks,
) -> Account {
    let bank = &record.bank;
    let may = |permission| record.permissions.contains(&permission);
    let refresh_of = |feature| {
        latest
            .of(feature)
            .map(|found| refresh(found, cooldown_seconds))
    };
    Account {
        id: record.id.clone(),
        created: record.created,
        livemode: false,
        account_holder,
        category: bank.subcategory.category(),
        subcategory: bank.subcategory,
        display_name: bank.display_name.clone(),
        institution_name: record.institution_name.clone(),
        last4: bank.last4.clone(),
        status: account_status(record),
        permissions: record.permissions.clone(),
        supported_payment_method_types: if payable(bank) {
            vec!["us_bank_account".to_owned()]
        } else {
            Vec::new()
        },
        session: record.session_id.clone(),
        balance: record
            .balance
            .as_ref()
            .filter(|_| may(Permission::Balances))
            .map(balance),
        balance_refresh: refresh_of(Feature::Balance).filter(|_| may(Permission::Balances)),
        ownership: record
            .ownership_id
            .clone()
            .filter(|_| may(Permission::Ownership)),
        ownership_refresh: refresh_of(Feature::Ownership).filter(|_| may(Permission::Ownership)),
        transaction_refresh: latest
            .transactions
            .as_ref()
            .filter(|_| may(Permission::Transactions))
            .map(|found| TransactionRefresh {
                id: found.id.clone(),
                status: found.status,
                last_attempted_at: found.requested_at,
                next_refresh_available_at: next_refresh_available_at(found, cooldown_seconds),
            }),
        subscriptions: if record.next_transaction_refresh_at.is_some()
            && may(Permission::Transactions)
        {
            vec![Feature::Transactions]
        } else {
            Vec::new()
        },
        verification: verification::to_protocol(record, links),
    }
}

//! The demo shop's backend routes for a linked account: what the page shows (balance, owners,
//! latest transactions, how its refreshes went) and its Refresh button. The backend reads
//! finlink with the secret key and hands the page only this summary: never the secret key,
//! never account or routing numbers, never accounts of other customers.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use finlink_protocol::{
    Account, AccountStatus, AccountSubcategory, ErrorCode, Feature, MicrodepositVerification,
    Permission, RefreshStatus, Timestamp, TransactionStatus,
};
use serde::Serialize;
use serde_json::json;

use super::finlink::CallError;
use super::{SHOP_CUSTOMER, Shop};

/// How many of the latest transactions the page shows.
pub const LATEST_TRANSACTIONS: usize = 5;

/// An amount in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Money {
    pub amount: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceView {
    pub as_of: Timestamp,
    pub current: Vec<Money>,
    pub available: Option<Vec<Money>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerView {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionView {
    pub id: String,
    pub description: String,
    pub amount: i64,
    pub currency: String,
    pub status: TransactionStatus,
    pub transacted_at: Timestamp,
}

/// The last refresh of one feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefreshView {
    pub feature: Feature,
    pub status: RefreshStatus,
    pub last_attempted_at: Timestamp,
    pub next_refresh_available_at: Option<Timestamp>,
}

/// What the page shows of an account. `owners` and `transactions` are `null` when the account
/// does not share them; an empty list before their first refresh (see `refreshes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountSummary {
    pub id: String,
    pub display_name: String,
    pub institution_name: String,
    pub last4: String,
    pub subcategory: AccountSubcategory,
    pub status: AccountStatus,
    /// The data the account shares, as the features that refresh it.
    pub shares: Vec<Feature>,
    pub balance: Option<BalanceView>,
    pub owners: Option<Vec<OwnerView>>,
    pub transactions: Option<Vec<TransactionView>>,
    pub refreshes: Vec<RefreshView>,
    /// Whether a refresh is still under way (the page asks again shortly).
    pub refreshing: bool,
    /// For an account entered by hand: its microdeposit verification, with the link to the
    /// hosted verification page while pending.
    pub verification: Option<MicrodepositVerification>,
}

/// The features an account's permissions let the shop read and refresh.
fn shared_features(account: &Account) -> Vec<Feature> {
    [Feature::Balance, Feature::Ownership, Feature::Transactions]
        .into_iter()
        .filter(|feature| account.permissions.contains(&feature.permission()))
        .collect()
}

fn refreshes(account: &Account) -> Vec<RefreshView> {
    let mut views = Vec::new();
    for (feature, refresh) in [
        (Feature::Balance, &account.balance_refresh),
        (Feature::Ownership, &account.ownership_refresh),
    ] {
        if let Some(refresh) = refresh {
            views.push(RefreshView {
                feature,
                status: refresh.status,
                last_attempted_at: refresh.last_attempted_at,
                next_refresh_available_at: refresh.next_refresh_available_at,
            });
        }
    }
    if let Some(refresh) = &account.transaction_refresh {
        views.push(RefreshView {
            feature: Feature::Transactions,
            status: refresh.status,
            last_attempted_at: refresh.last_attempted_at,
            next_refresh_available_at: refresh.next_refresh_available_at,
        });
    }
    views
}

fn money(amounts: &std::collections::BTreeMap<String, i64>) -> Vec<Money> {
    amounts
        .iter()
        .map(|(currency, &amount)| Money {
            amount,
            currency: currency.clone(),
        })
        .collect()
}

/// Only the shop's own customer's accounts, by finlink's id shape: an id from the page is
/// never sent on to finlink unless it looks like one.
fn valid_account_id(id: &str) -> bool {
    id.strip_prefix("fca_").is_some_and(|random| {
        !random.is_empty()
            && random.len() <= 64
            && random.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "No such account.")
}

fn unavailable(what: &str, failure: &CallError) -> Response {
    tracing::warn!(%failure, "demo shop: {what}");
    error(
        StatusCode::BAD_GATEWAY,
        "Could not reach the bank-data service. Try again in a moment.",
    )
}

/// The account, if it exists and belongs to the shop's customer.
async fn customer_account(shop: &Shop, id: &str) -> Result<Account, Response> {
    if !valid_account_id(id) {
        return Err(not_found());
    }
    match shop.finlink.account(id).await {
        Ok(account)
            if account
                .account_holder
                .as_ref()
                .and_then(|holder| holder.customer.as_deref())
                == Some(SHOP_CUSTOMER) =>
        {
            Ok(account)
        }
        Ok(_) => Err(not_found()),
        Err(CallError::Refused { status, .. }) if status == StatusCode::NOT_FOUND => {
            Err(not_found())
        }
        Err(failure) => Err(unavailable("cannot read an account", &failure)),
    }
}

/// Reads what the account shares and puts the summary together.
pub async fn summary(shop: &Shop, account: Account) -> Result<AccountSummary, CallError> {
    let shares = shared_features(&account);
    let owners = async {
        if !shares.contains(&Feature::Ownership) {
            return Ok(None);
        }
        let owners = shop.finlink.owners(&account.id).await?;
        Ok::<_, CallError>(Some(
            owners
                .data
                .into_iter()
                .map(|owner| OwnerView {
                    name: owner.name,
                    email: owner.email,
                    phone: owner.phone,
                    address: owner.raw_address,
                })
                .collect(),
        ))
    };
    let transactions = async {
        if !shares.contains(&Feature::Transactions) {
            return Ok(None);
        }
        let list = shop
            .finlink
            .latest_transactions(&account.id, LATEST_TRANSACTIONS)
            .await?;
        Ok::<_, CallError>(Some(
            list.data
                .into_iter()
                .map(|transaction| TransactionView {
                    id: transaction.id,
                    description: transaction.description,
                    amount: transaction.amount,
                    currency: transaction.currency,
                    status: transaction.status,
                    transacted_at: transaction.transacted_at,
                })
                .collect(),
        ))
    };
    let (owners, transactions) = tokio::join!(owners, transactions);
    let refreshes = refreshes(&account);
    let refreshing = refreshes
        .iter()
        .any(|refresh| refresh.status == RefreshStatus::Pending);
    Ok(AccountSummary {
        balance: account.balance.as_ref().map(|balance| BalanceView {
            as_of: balance.as_of,
            current: money(&balance.current),
            available: balance.available.as_ref().map(money),
        }),
        owners: owners?,
        transactions: transactions?,
        refreshes,
        refreshing,
        shares,
        id: account.id,
        display_name: account.display_name,
        institution_name: account.institution_name,
        last4: account.last4,
        subcategory: account.subcategory,
        status: account.status,
        verification: account.verification,
    })
}

/// `GET /api/accounts/{id}`: the account's summary.
pub async fn show(State(shop): State<Arc<Shop>>, Path(id): Path<String>) -> Response {
    let account = match customer_account(&shop, &id).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    match summary(&shop, account).await {
        Ok(summary) => Json(summary).into_response(),
        Err(failure) => unavailable("cannot read an account's data", &failure),
    }
}

/// `POST /api/accounts/{id}/refresh`: asks finlink to refresh everything the account shares,
/// and answers with the summary (its refreshes pending), or with why finlink refused.
pub async fn refresh(State(shop): State<Arc<Shop>>, Path(id): Path<String>) -> Response {
    let account = match customer_account(&shop, &id).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let features = shared_features(&account);
    if features.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "This account shares no data that could be refreshed.",
        );
    }
    match shop.finlink.refresh(&id, features.clone()).await {
        Ok(refreshed) => match summary(&shop, refreshed).await {
            Ok(summary) => Json(summary).into_response(),
            Err(failure) => unavailable("cannot read a refreshed account", &failure),
        },
        Err(CallError::Refused { status, error }) => {
            refused(&account, &features, status, &error.error)
        }
        Err(failure) => unavailable("cannot refresh an account", &failure),
    }
}

/// finlink refused the refresh: its message, in the shop's words where the shop knows the
/// case, and when the person can try again.
fn refused(
    account: &Account,
    features: &[Feature],
    status: StatusCode,
    error: &finlink_protocol::ApiError,
) -> Response {
    let next_refresh_available_at = refreshes(account)
        .into_iter()
        .filter(|refresh| features.contains(&refresh.feature))
        .filter_map(|refresh| refresh.next_refresh_available_at)
        .max();
    let message = match error.code {
        ErrorCode::RefreshTooSoon => "This account was refreshed moments ago.".to_owned(),
        ErrorCode::RefreshInProgress => "A refresh of this account is still under way.".to_owned(),
        _ => error.message.clone(),
    };
    // The person's request was fine and finlink said why not; anything else (the shop's own
    // key refused, finlink failing) is the shop's problem, not the person's.
    let status = match status {
        StatusCode::BAD_REQUEST
        | StatusCode::FORBIDDEN
        | StatusCode::CONFLICT
        | StatusCode::TOO_MANY_REQUESTS => status,
        _ => StatusCode::BAD_GATEWAY,
    };
    (
        status,
        Json(json!({
            "error": message,
            "code": error.code,
            "finlink_message": error.message,
            "next_refresh_available_at": match error.code {
                ErrorCode::RefreshTooSoon => next_refresh_available_at,
                _ => None,
            },
        })),
    )
        .into_response()
}

/// The permissions the shop's sessions ask for, and the data they prefetch.
pub fn session_permissions() -> (Vec<Permission>, Vec<Feature>) {
    (
        vec![
            Permission::PaymentMethod,
            Permission::Balances,
            Permission::Ownership,
            Permission::Transactions,
        ],
        vec![Feature::Balance, Feature::Ownership, Feature::Transactions],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_account_ids_go_on_to_finlink() {
        assert!(valid_account_id("fca_abc123XYZ"));
        assert!(!valid_account_id("fca_"));
        assert!(!valid_account_id("fca_../x"));
        assert!(!valid_account_id("fcsess_abc"));
        assert!(!valid_account_id(&format!("fca_{}", "a".repeat(65))));
    }
}

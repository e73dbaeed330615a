//! `GET /v1/financial_connections/transactions`: an account's transactions, newest first
//! (`transacted_at`, then id), in pages walked with `starting_after`; filtered by
//! `transacted_at[gt|gte|lt|lte]` and `transaction_refresh[after]`.

use axum::extract::{Path, State};
use finlink_protocol::{
    Feature, List, Permission, Timestamp, Transaction, TransactionStatusTransitions,
};
use serde::Deserialize;

use super::access::require_secret_key;
use super::account_data::{find_account, require_permission};
use super::pages::{page_limit, page_of};
use crate::app::Shared;
use crate::error::ApiError;
use crate::http::extract::{Bearer, Query};
use crate::store::{AccountRecord, RefreshRecord, TransactionQuery, TransactionRecord};

const URL: &str = "/v1/financial_connections/transactions";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListTransactionsQuery {
    account: Option<String>,
    limit: Option<usize>,
    starting_after: Option<String>,
    #[serde(rename = "transacted_at[gt]")]
    transacted_after: Option<Timestamp>,
    #[serde(rename = "transacted_at[gte]")]
    transacted_from: Option<Timestamp>,
    #[serde(rename = "transacted_at[lt]")]
    transacted_before: Option<Timestamp>,
    #[serde(rename = "transacted_at[lte]")]
    transacted_until: Option<Timestamp>,
    #[serde(rename = "transaction_refresh[after]")]
    refresh_after: Option<String>,
}

/// Whether `id` has the shape of a finlink id with `prefix` (`fctxn`, `fctxnref`).
fn looks_like(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|random| {
            !random.is_empty()
                && random.len() <= 64
                && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// The tightest inclusive bounds of the four `transacted_at` filters.
fn bounds(query: &ListTransactionsQuery) -> (Option<Timestamp>, Option<Timestamp>) {
    let from = [
        query.transacted_from,
        query.transacted_after.map(|after| after.saturating_add(1)),
    ]
    .into_iter()
    .flatten()
    .max();
    let until = [
        query.transacted_until,
        query
            .transacted_before
            .map(|before| before.saturating_sub(1)),
    ]
    .into_iter()
    .flatten()
    .min();
    (from, until)
}

/// The `starting_after` cursor: a transaction of this account.
fn cursor(
    tx: &rusqlite::Transaction<'_>,
    account: &AccountRecord,
    starting_after: &str,
) -> Result<(Timestamp, String), ApiError> {
    let invalid = |reason: String| ApiError::invalid("starting_after", reason);
    if !looks_like(starting_after, "fctxn") {
        return Err(invalid(format!(
            "'{starting_after}' is not a transaction id (fctxn_...): pass the id of the last transaction of the previous page."
        )));
    }
    let found = TransactionRecord::find(tx, starting_after)?
        .ok_or_else(|| invalid(format!("no transaction '{starting_after}'.")))?;
    if found.account_id != account.id {
        return Err(invalid(format!(
            "the transaction '{starting_after}' belongs to another account than '{}'.",
            account.id
        )));
    }
    Ok((found.transacted_at, found.id))
}

/// The `transaction_refresh[after]` filter: a transaction refresh of this account.
fn refresh_seq(
    tx: &rusqlite::Transaction<'_>,
    account: &AccountRecord,
    refresh_id: &str,
) -> Result<i64, ApiError> {
    let invalid = |reason: String| ApiError::invalid("transaction_refresh[after]", reason);
    if !looks_like(refresh_id, "fctxnref") {
        return Err(invalid(format!(
            "'{refresh_id}' is not a transaction refresh id (fctxnref_...)."
        )));
    }
    RefreshRecord::find(tx, refresh_id)?
        .filter(|refresh| {
            refresh.account_id == account.id && refresh.feature == Feature::Transactions
        })
        .map(|refresh| refresh.seq)
        .ok_or_else(|| {
            invalid(format!(
                "no transaction refresh '{refresh_id}' of this account."
            ))
        })
}

pub fn view(record: TransactionRecord) -> Transaction {
    Transaction {
        id: record.id,
        account: record.account_id,
        amount: record.amount,
        currency: record.currency,
        description: record.description,
        livemode: false,
        status: record.status,
        status_transitions: TransactionStatusTransitions {
            posted_at: record.posted_at,
            void_at: record.void_at,
        },
        transacted_at: record.transacted_at,
        transaction_refresh: record.refresh_id,
        updated: record.updated,
    }
}

/// `GET /v1/financial_connections/transactions?account=...`
pub async fn list(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Query(query): Query<ListTransactionsQuery>,
) -> Result<axum::Json<List<Transaction>>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let limit = page_limit(query.limit)?;
    let account_id = query.account.clone().ok_or(ApiError::ParameterMissing {
        param: "account".to_owned(),
    })?;
    let (transacted_from, transacted_until) = bounds(&query);
    let fetched = state
        .store
        .transaction(move |tx| {
            let account = find_account(tx, &caller, &account_id)?;
            require_permission(&account, Permission::Transactions)?;
            let starting_after = query
                .starting_after
                .as_deref()
                .map(|after| cursor(tx, &account, after))
                .transpose()?;
            let after_refresh_seq = query
                .refresh_after
                .as_deref()
                .map(|refresh| refresh_seq(tx, &account, refresh))
                .transpose()?;
            let found = TransactionRecord::list(
                tx,
                &TransactionQuery {
                    account_id: account.id,
                    transacted_from,
                    transacted_until,
                    after_refresh_seq,
                    starting_after,
                    limit: limit + 1,
                },
            )?;
            Ok::<_, ApiError>(found)
        })
        .await?;
    let page = page_of(fetched, limit, URL);
    Ok(axum::Json(List {
        data: page.data.into_iter().map(view).collect(),
        has_more: page.has_more,
        url: page.url,
    }))
}

/// `GET /v1/financial_connections/transactions/{id}`
pub async fn retrieve(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<Transaction>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let found = state
        .store
        .transaction(move |tx| {
            let missing = || ApiError::ResourceMissing {
                kind: "transaction",
                id: id.clone(),
            };
            let record = TransactionRecord::find(tx, &id)?.ok_or_else(missing)?;
            // Another integrator's transaction is missing, like one that never was.
            let account =
                find_account(tx, &caller, &record.account_id).map_err(|error| match error {
                    ApiError::ResourceMissing { .. } => missing(),
                    other => other,
                })?;
            require_permission(&account, Permission::Transactions)?;
            Ok::<_, ApiError>(record)
        })
        .await?;
    Ok(axum::Json(view(found)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_recognised_by_prefix_and_alphabet() {
        assert!(looks_like("fctxn_abc123", "fctxn"));
        assert!(!looks_like("fctxnref_abc123", "fctxn"));
        assert!(looks_like("fctxnref_abc123", "fctxnref"));
        assert!(!looks_like("fctxn_", "fctxn"));
        assert!(!looks_like("fctxn_a'b", "fctxn"));
        assert!(!looks_like("garbage", "fctxn"));
    }
}

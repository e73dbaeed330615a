//! The `refreshes` table: every refresh of an account's balance, ownership or transactions,
//! pending until its job ends. The latest row per account and feature is what the account
//! object shows; pending rows left by a stopped server are resumed at start.

use finlink_protocol::{Feature, RefreshStatus, Timestamp};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// Increases with every refresh: orders them for `transaction_refresh[after]`.
    pub seq: i64,
    pub id: String,
    pub account_id: String,
    pub feature: Feature,
    pub status: RefreshStatus,
    pub requested_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// Why it failed, for operators (`institution_down`, `access_revoked`, ...).
    pub failure: Option<String>,
}

/// The latest refresh of each feature of one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatestRefreshes {
    pub balance: Option<RefreshRecord>,
    pub ownership: Option<RefreshRecord>,
    pub transactions: Option<RefreshRecord>,
}

impl LatestRefreshes {
    pub fn of(&self, feature: Feature) -> Option<&RefreshRecord> {
        match feature {
            Feature::Balance => self.balance.as_ref(),
            Feature::Ownership => self.ownership.as_ref(),
            Feature::Transactions => self.transactions.as_ref(),
        }
    }
}

/// The id prefix of a feature's refreshes.
pub fn id_prefix(feature: Feature) -> &'static str {
    match feature {
        Feature::Balance => "fcbalref",
        Feature::Ownership => "fcownref",
        Feature::Transactions => "fctxnref",
    }
}

fn feature_text(feature: Feature) -> &'static str {
    feature.as_str()
}

fn parse_feature(text: &str) -> Result<Feature, StoreError> {
    match text {
        "balance" => Ok(Feature::Balance),
        "ownership" => Ok(Feature::Ownership),
        "transactions" => Ok(Feature::Transactions),
        other => Err(StoreError::Invalid(format!("refresh feature '{other}'"))),
    }
}

fn parse_status(text: &str) -> Result<RefreshStatus, StoreError> {
    RefreshStatus::from_name(text)
        .ok_or_else(|| StoreError::Invalid(format!("refresh status '{text}'")))
}

const COLUMNS: &str = "seq, id, account_id, feature, status, requested_at, finished_at, failure";

impl RefreshRecord {
    /// Records a new pending refresh; returns it with its `seq`.
    pub fn start(
        tx: &Transaction<'_>,
        account_id: &str,
        feature: Feature,
        now: Timestamp,
    ) -> Result<Self, StoreError> {
        let id = crate::secrets::new_id(id_prefix(feature));
        tx.execute(
            "INSERT INTO refreshes (id, account_id, feature, status, requested_at)
             VALUES (?1, ?2, ?3, 'pending', ?4)",
            params![id, account_id, feature_text(feature), now],
        )?;
        Ok(Self {
            seq: tx.last_insert_rowid(),
            id,
            account_id: account_id.to_owned(),
            feature,
            status: RefreshStatus::Pending,
            requested_at: now,
            finished_at: None,
            failure: None,
        })
    }

    /// Ends a pending refresh; a refresh already ended stays as it was (returns `false`).
    pub fn finish(
        tx: &Transaction<'_>,
        id: &str,
        status: RefreshStatus,
        now: Timestamp,
        failure: Option<&str>,
    ) -> Result<bool, StoreError> {
        let changed = tx.execute(
            "UPDATE refreshes SET status = ?2, finished_at = ?3, failure = ?4
             WHERE id = ?1 AND status = 'pending'",
            params![id, status.as_str(), now, failure],
        )?;
        Ok(changed > 0)
    }

    pub fn find(tx: &Transaction<'_>, id: &str) -> Result<Option<Self>, StoreError> {
        tx.query_row(
            &format!("SELECT {COLUMNS} FROM refreshes WHERE id = ?1"),
            params![id],
            raw_refresh,
        )
        .optional()?
        .map(RawRefresh::decode)
        .transpose()
    }

    pub fn latest(
        tx: &Transaction<'_>,
        account_id: &str,
        feature: Feature,
    ) -> Result<Option<Self>, StoreError> {
        tx.query_row(
            &format!(
                "SELECT {COLUMNS} FROM refreshes WHERE account_id = ?1 AND feature = ?2
                 ORDER BY seq DESC LIMIT 1"
            ),
            params![account_id, feature_text(feature)],
            raw_refresh,
        )
        .optional()?
        .map(RawRefresh::decode)
        .transpose()
    }

    pub fn latest_all(
        tx: &Transaction<'_>,
        account_id: &str,
    ) -> Result<LatestRefreshes, StoreError> {
        Ok(LatestRefreshes {
            balance: Self::latest(tx, account_id, Feature::Balance)?,
            ownership: Self::latest(tx, account_id, Feature::Ownership)?,
            transactions: Self::latest(tx, account_id, Feature::Transactions)?,
        })
    }

    /// Every refresh still pending, oldest first.
    pub fn pending(tx: &Transaction<'_>) -> Result<Vec<Self>, StoreError> {
        let mut statement = tx.prepare(&format!(
            "SELECT {COLUMNS} FROM refreshes WHERE status = 'pending' ORDER BY seq"
        ))?;
        let raw = statement
            .query_map([], raw_refresh)?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(RawRefresh::decode).collect()
    }
}

struct RawRefresh {
    seq: i64,
    id: String,
    account_id: String,
    feature: String,
    status: String,
    requested_at: Timestamp,
    finished_at: Option<Timestamp>,
    failure: Option<String>,
}

fn raw_refresh(row: &Row<'_>) -> rusqlite::Result<RawRefresh> {
    Ok(RawRefresh {
        seq: row.get(0)?,
        id: row.get(1)?,
        account_id: row.get(2)?,
        feature: row.get(3)?,
        status: row.get(4)?,
        requested_at: row.get(5)?,
        finished_at: row.get(6)?,
        failure: row.get(7)?,
    })
}

impl RawRefresh {
    fn decode(self) -> Result<RefreshRecord, StoreError> {
        Ok(RefreshRecord {
            feature: parse_feature(&self.feature)?,
            status: parse_status(&self.status)?,
            seq: self.seq,
            id: self.id,
            account_id: self.account_id,
            requested_at: self.requested_at,
            finished_at: self.finished_at,
            failure: self.failure,
        })
    }
}

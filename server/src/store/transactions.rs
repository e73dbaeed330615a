//! The `transactions` table: every transaction fetched for an account, merged refresh after
//! refresh by the bank's id, so that a transaction keeps its finlink id while it goes from
//! pending to posted (or void), and each row names the refresh that last changed it.

use std::collections::HashSet;

use finlink_protocol::{Timestamp, TransactionStatus};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::StoreError;
use crate::connector::{BankTransaction, BankTransactionStatus};
use crate::store::RefreshRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRecord {
    pub id: String,
    pub account_id: String,
    pub bank_transaction_id: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub status: TransactionStatus,
    pub transacted_at: Timestamp,
    pub posted_at: Option<Timestamp>,
    pub void_at: Option<Timestamp>,
    /// The refresh that created or last changed it.
    pub refresh_id: String,
    pub refresh_seq: i64,
    pub updated: Timestamp,
}

/// Which transactions of one account to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionQuery {
    pub account_id: String,
    /// Inclusive bounds on `transacted_at` (exclusive ones are turned into inclusive ones).
    pub transacted_from: Option<Timestamp>,
    pub transacted_until: Option<Timestamp>,
    /// Only transactions created or changed by a refresh after the one with this `seq`.
    pub after_refresh_seq: Option<i64>,
    /// Only transactions after this one in the list's order: `(transacted_at, id)`.
    pub starting_after: Option<(Timestamp, String)>,
    pub limit: usize,
}

/// What a merge changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    pub created: usize,
    pub updated: usize,
    pub voided: usize,
}

fn parse_status(text: &str) -> Result<TransactionStatus, StoreError> {
    TransactionStatus::from_name(text)
        .ok_or_else(|| StoreError::Invalid(format!("transaction status '{text}'")))
}

const COLUMNS: &str = "id, account_id, bank_transaction_id, amount, currency, description, status,
    transacted_at, posted_at, void_at, refresh_id, refresh_seq, updated";

impl TransactionRecord {
    pub fn find(tx: &Transaction<'_>, id: &str) -> Result<Option<Self>, StoreError> {
        tx.query_row(
            &format!("SELECT {COLUMNS} FROM transactions WHERE id = ?1"),
            params![id],
            raw_transaction,
        )
        .optional()?
        .map(RawTransaction::decode)
        .transpose()
    }

    /// Up to `query.limit` transactions, newest first (ties by id, descending).
    pub fn list(tx: &Transaction<'_>, query: &TransactionQuery) -> Result<Vec<Self>, StoreError> {
        let (cursor_at, cursor_id) = match &query.starting_after {
            Some((at, id)) => (Some(*at), Some(id.as_str())),
            None => (None, None),
        };
        let mut statement = tx.prepare(&format!(
            "SELECT {COLUMNS} FROM transactions
             WHERE account_id = ?1
               AND (?2 IS NULL OR transacted_at >= ?2)
               AND (?3 IS NULL OR transacted_at <= ?3)
               AND (?4 IS NULL OR refresh_seq > ?4)
               AND (?5 IS NULL OR transacted_at < ?5 OR (transacted_at = ?5 AND id < ?6))
             ORDER BY transacted_at DESC, id DESC
             LIMIT ?7"
        ))?;
        let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
        let raw = statement
            .query_map(
                params![
                    query.account_id,
                    query.transacted_from,
                    query.transacted_until,
                    query.after_refresh_seq,
                    cursor_at,
                    cursor_id,
                    limit
                ],
                raw_transaction,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(RawTransaction::decode).collect()
    }

    /// Merges what the bank listed into the account's stored transactions: new ones are
    /// created, changed ones updated, and pending ones the bank no longer lists become void.
    /// Every row created or changed names `refresh`.
    pub fn merge(
        tx: &Transaction<'_>,
        account_id: &str,
        bank: &[BankTransaction],
        refresh: &RefreshRecord,
        now: Timestamp,
    ) -> Result<MergeCounts, StoreError> {
        let mut counts = MergeCounts::default();
        let mut listed = HashSet::with_capacity(bank.len());
        for transaction in bank {
            listed.insert(transaction.bank_transaction_id.as_str());
            let status = match transaction.status {
                BankTransactionStatus::Pending => TransactionStatus::Pending,
                BankTransactionStatus::Posted => TransactionStatus::Posted,
            };
            let existing = tx
                .query_row(
                    &format!(
                        "SELECT {COLUMNS} FROM transactions
                         WHERE account_id = ?1 AND bank_transaction_id = ?2"
                    ),
                    params![account_id, transaction.bank_transaction_id],
                    raw_transaction,
                )
                .optional()?
                .map(RawTransaction::decode)
                .transpose()?;
            match existing {
                None => {
                    tx.execute(
                        &format!(
                            "INSERT INTO transactions ({COLUMNS})
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?10, ?11, ?12)"
                        ),
                        params![
                            crate::secrets::new_id("fctxn"),
                            account_id,
                            transaction.bank_transaction_id,
                            transaction.amount,
                            transaction.currency,
                            transaction.description,
                            status.as_str(),
                            transaction.transacted_at,
                            transaction.posted_at,
                            refresh.id,
                            refresh.seq,
                            now,
                        ],
                    )?;
                    counts.created += 1;
                }
                Some(stored) => {
                    let changed = stored.status != status
                        || stored.amount != transaction.amount
                        || stored.currency != transaction.currency
                        || stored.description != transaction.description
                        || stored.transacted_at != transaction.transacted_at
                        || stored.posted_at != transaction.posted_at;
                    if changed {
                        tx.execute(
                            "UPDATE transactions SET amount = ?2, currency = ?3, description = ?4,
                                status = ?5, transacted_at = ?6, posted_at = ?7, void_at = NULL,
                                refresh_id = ?8, refresh_seq = ?9, updated = ?10
                             WHERE id = ?1",
                            params![
                                stored.id,
                                transaction.amount,
                                transaction.currency,
                                transaction.description,
                                status.as_str(),
                                transaction.transacted_at,
                                transaction.posted_at,
                                refresh.id,
                                refresh.seq,
                                now,
                            ],
                        )?;
                        counts.updated += 1;
                    }
                }
            }
        }
        let pending: Vec<(String, String)> = {
            let mut statement = tx.prepare(
                "SELECT id, bank_transaction_id FROM transactions
                 WHERE account_id = ?1 AND status = 'pending'",
            )?;
            statement
                .query_map(params![account_id], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        for (id, bank_id) in pending {
            if !listed.contains(bank_id.as_str()) {
                tx.execute(
                    "UPDATE transactions SET status = 'void', void_at = ?2, refresh_id = ?3,
                        refresh_seq = ?4, updated = ?2 WHERE id = ?1",
                    params![id, now, refresh.id, refresh.seq],
                )?;
                counts.voided += 1;
            }
        }
        Ok(counts)
    }
}

struct RawTransaction {
    id: String,
    account_id: String,
    bank_transaction_id: String,
    amount: i64,
    currency: String,
    description: String,
    status: String,
    transacted_at: Timestamp,
    posted_at: Option<Timestamp>,
    void_at: Option<Timestamp>,
    refresh_id: String,
    refresh_seq: i64,
    updated: Timestamp,
}

fn raw_transaction(row: &Row<'_>) -> rusqlite::Result<RawTransaction> {
    Ok(RawTransaction {
        id: row.get(0)?,
        account_id: row.get(1)?,
        bank_transaction_id: row.get(2)?,
        amount: row.get(3)?,
        currency: row.get(4)?,
        description: row.get(5)?,
        status: row.get(6)?,
        transacted_at: row.get(7)?,
        posted_at: row.get(8)?,
        void_at: row.get(9)?,
        refresh_id: row.get(10)?,
        refresh_seq: row.get(11)?,
        updated: row.get(12)?,
    })
}

impl RawTransaction {
    fn decode(self) -> Result<TransactionRecord, StoreError> {
        Ok(TransactionRecord {
            status: parse_status(&self.status)?,
            id: self.id,
            account_id: self.account_id,
            bank_transaction_id: self.bank_transaction_id,
            amount: self.amount,
            currency: self.currency,
            description: self.description,
            transacted_at: self.transacted_at,
            posted_at: self.posted_at,
            void_at: self.void_at,
            refresh_id: self.refresh_id,
            refresh_seq: self.refresh_seq,
            updated: self.updated,
        })
    }
}

#[cfg(test)]
mod tests {
    use finlink_protocol::Feature;
    use rusqlite::Connection;

    use super::*;

    fn bank(id: &str, status: BankTransactionStatus, at: Timestamp) -> BankTransaction {
        BankTransaction {
            bank_transaction_id: id.to_owned(),
            amount: -1_000,
            currency: "usd".to_owned(),
            description: format!("PURCHASE {id}"),
            status,
            transacted_at: at,
            posted_at: (status == BankTransactionStatus::Posted).then_some(at + 10),
        }
    }

    fn by_bank_id(tx: &Transaction<'_>, after: Option<i64>) -> Vec<(String, TransactionStatus)> {
        let query = TransactionQuery {
            account_id: "fca_1".to_owned(),
            after_refresh_seq: after,
            limit: 100,
            ..TransactionQuery::default()
        };
        TransactionRecord::list(tx, &query)
            .unwrap()
            .into_iter()
            .map(|found| (found.bank_transaction_id, found.status))
            .collect()
    }

    #[test]
    fn merges_keep_ids_post_pending_ones_void_vanished_ones_and_name_their_refresh() {
        // Without foreign keys, the rows need no session, authorization or account.
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .pragma_update(None, "foreign_keys", "OFF")
            .unwrap();
        super::super::migrations::run(&mut connection).unwrap();
        let tx = connection.transaction().unwrap();
        use BankTransactionStatus::{Pending, Posted};

        let first = RefreshRecord::start(&tx, "fca_1", Feature::Transactions, 100).unwrap();
        let counts = TransactionRecord::merge(
            &tx,
            "fca_1",
            &[bank("a", Pending, 50), bank("b", Posted, 40)],
            &first,
            100,
        )
        .unwrap();
        assert_eq!(
            counts,
            MergeCounts {
                created: 2,
                updated: 0,
                voided: 0
            }
        );
        let a_id = TransactionRecord::list(
            &tx,
            &TransactionQuery {
                account_id: "fca_1".into(),
                limit: 1,
                ..TransactionQuery::default()
            },
        )
        .unwrap()[0]
            .id
            .clone();

        let second = RefreshRecord::start(&tx, "fca_1", Feature::Transactions, 200).unwrap();
        let counts = TransactionRecord::merge(
            &tx,
            "fca_1",
            &[
                bank("a", Posted, 50),
                bank("b", Posted, 40),
                bank("c", Pending, 60),
            ],
            &second,
            200,
        )
        .unwrap();
        assert_eq!(
            counts,
            MergeCounts {
                created: 1,
                updated: 1,
                voided: 0
            }
        );
        let a = TransactionRecord::find(&tx, &a_id).unwrap().unwrap();
        assert_eq!(a.status, TransactionStatus::Posted, "same id, now posted");
        assert_eq!(
            (a.posted_at, a.refresh_id.as_str()),
            (Some(60), second.id.as_str())
        );

        let third = RefreshRecord::start(&tx, "fca_1", Feature::Transactions, 300).unwrap();
        let counts = TransactionRecord::merge(
            &tx,
            "fca_1",
            &[bank("a", Posted, 50), bank("b", Posted, 40)],
            &third,
            300,
        )
        .unwrap();
        assert_eq!(
            counts,
            MergeCounts {
                created: 0,
                updated: 0,
                voided: 1
            }
        );

        assert_eq!(
            by_bank_id(&tx, None),
            vec![
                ("c".to_owned(), TransactionStatus::Void),
                ("a".to_owned(), TransactionStatus::Posted),
                ("b".to_owned(), TransactionStatus::Posted),
            ],
            "newest first"
        );
        assert_eq!(
            by_bank_id(&tx, Some(first.seq)),
            vec![
                ("c".to_owned(), TransactionStatus::Void),
                ("a".to_owned(), TransactionStatus::Posted),
            ]
        );
        assert_eq!(
            by_bank_id(&tx, Some(second.seq)),
            vec![("c".to_owned(), TransactionStatus::Void)]
        );
        let c = TransactionRecord::list(
            &tx,
            &TransactionQuery {
                account_id: "fca_1".into(),
                limit: 1,
                ..TransactionQuery::default()
            },
        )
        .unwrap()
        .remove(0);
        assert_eq!((c.void_at, c.refresh_id), (Some(300), third.id));
    }
}

//! The `accounts` table: every account a bank shared, offered first and linked once attached.

use finlink_protocol::Timestamp;
use rusqlite::{Row, Transaction, params};

use super::{StoreError, from_json};
use crate::connector::BankAccount;

#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub id: String,
    pub session_id: String,
    pub authorization_id: String,
    pub institution_id: String,
    pub institution_name: String,
    /// What the bank said about the account, numbers included (never sent to the browser).
    pub bank: BankAccount,
    /// Attached to the session by the person's selection.
    pub linked: bool,
    pub created: Timestamp,
    /// The bank's order, kept for display.
    pub position: i64,
}

const COLUMNS: &str = "id, session_id, authorization_id, institution_id, institution_name,
    bank_json, linked, created, position";

impl AccountRecord {
    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "INSERT INTO accounts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                self.id,
                self.session_id,
                self.authorization_id,
                self.institution_id,
                self.institution_name,
                super::to_json(&self.bank)?,
                self.linked,
                self.created,
                self.position,
            ],
        )?;
        Ok(())
    }

    pub fn mark_linked(tx: &Transaction<'_>, id: &str) -> Result<(), StoreError> {
        tx.execute("UPDATE accounts SET linked = 1 WHERE id = ?1", params![id])?;
        Ok(())
    }

    pub fn for_authorization(
        tx: &Transaction<'_>,
        authorization_id: &str,
    ) -> Result<Vec<Self>, StoreError> {
        Self::query(
            tx,
            &format!(
                "SELECT {COLUMNS} FROM accounts WHERE authorization_id = ?1 ORDER BY position"
            ),
            params![authorization_id],
        )
    }

    pub fn linked_for_session(
        tx: &Transaction<'_>,
        session_id: &str,
    ) -> Result<Vec<Self>, StoreError> {
        Self::query(
            tx,
            &format!(
                "SELECT {COLUMNS} FROM accounts WHERE session_id = ?1 AND linked = 1
                 ORDER BY created, position"
            ),
            params![session_id],
        )
    }

    /// Linked accounts of every session of one account holder, oldest first.
    pub fn linked_for_account_holder(
        tx: &Transaction<'_>,
        holder_key: &str,
    ) -> Result<Vec<Self>, StoreError> {
        Self::query(
            tx,
            &format!(
                "SELECT {} FROM accounts a JOIN sessions s ON s.id = a.session_id
                 WHERE s.account_holder_key = ?1 AND a.linked = 1 ORDER BY a.created, a.position",
                COLUMNS
                    .split(',')
                    .map(|column| format!("a.{}", column.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            params![holder_key],
        )
    }

    pub fn find_linked(tx: &Transaction<'_>, id: &str) -> Result<Option<Self>, StoreError> {
        Ok(Self::query(
            tx,
            &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1 AND linked = 1"),
            params![id],
        )?
        .pop())
    }

    fn query(
        tx: &Transaction<'_>,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Self>, StoreError> {
        let mut statement = tx.prepare(sql)?;
        let raw = statement
            .query_map(params, raw_account)?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(RawAccount::decode).collect()
    }
}

struct RawAccount {
    id: String,
    session_id: String,
    authorization_id: String,
    institution_id: String,
    institution_name: String,
    bank_json: String,
    linked: bool,
    created: Timestamp,
    position: i64,
}

fn raw_account(row: &Row<'_>) -> rusqlite::Result<RawAccount> {
    Ok(RawAccount {
        id: row.get(0)?,
        session_id: row.get(1)?,
        authorization_id: row.get(2)?,
        institution_id: row.get(3)?,
        institution_name: row.get(4)?,
        bank_json: row.get(5)?,
        linked: row.get(6)?,
        created: row.get(7)?,
        position: row.get(8)?,
    })
}

impl RawAccount {
    fn decode(self) -> Result<AccountRecord, StoreError> {
        Ok(AccountRecord {
            bank: from_json(&self.bank_json)?,
            id: self.id,
            session_id: self.session_id,
            authorization_id: self.authorization_id,
            institution_id: self.institution_id,
            institution_name: self.institution_name,
            linked: self.linked,
            created: self.created,
            position: self.position,
        })
    }
}

//! The `accounts` table: every account a bank shared, offered first and linked once attached.
//!
//! A relinked account is not duplicated: the offered row of the new session is linked with
//! `merged_into` naming the canonical (first) account, which takes the new grant and data.
//! Lists of a session follow `merged_into`, so both sessions list the same canonical account.

use finlink_protocol::{
    BankAccountType, MicrodepositType, Permission, Timestamp, VerificationFailure,
    VerificationStatus,
};
use rusqlite::{Row, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{StoreError, from_json, to_json};
use crate::connector::{BankAccount, BankBalance};

/// Whether finlink can still reach an account's data at its bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAccess {
    Active,
    /// The bank refused finlink's grant (revoked or expired): the person must link again.
    Inactive,
    /// The business disconnected it: the grant is given up and nothing is fetched any more.
    Disconnected,
}

impl AccountAccess {
    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Disconnected => "disconnected",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "inactive" => Self::Inactive,
            "disconnected" => Self::Disconnected,
            _ => Self::Active,
        }
    }
}

/// The microdeposit verification of an account entered by hand, as stored (attempts and
/// outcome survive restarts). The secret of its link is never stored: it is derived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredVerification {
    pub account_type: BankAccountType,
    pub microdeposit_type: MicrodepositType,
    pub status: VerificationStatus,
    pub failure_reason: Option<VerificationFailure>,
    pub attempts_remaining: u32,
    pub arrival_date: Timestamp,
    pub expires_at: Timestamp,
    /// Seconds the sandbox clock helper moved this verification into the future.
    #[serde(default)]
    pub clock_offset: i64,
}

impl StoredVerification {
    /// When, on the server's clock, a pending verification expires; `None` once settled.
    pub fn due_at(&self) -> Option<Timestamp> {
        (self.status == VerificationStatus::Pending)
            .then(|| self.expires_at.saturating_sub(self.clock_offset))
    }
}

#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub id: String,
    pub session_id: String,
    /// The authorization whose bank grant opens the account's data (the latest one after a
    /// relink).
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
    /// What the person consented to share for this account, sorted.
    pub permissions: Vec<Permission>,
    pub access: AccountAccess,
    pub disconnected_at: Option<Timestamp>,
    /// The canonical account this offered row was merged into when relinked.
    pub merged_into: Option<String>,
    /// The last balance fetched by a balance refresh.
    pub balance: Option<BankBalance>,
    /// The last ownership fetched (`ownerships.id`).
    pub ownership_id: Option<String>,
    /// Subscribed to daily transaction refreshes: when the next one is due.
    pub next_transaction_refresh_at: Option<Timestamp>,
    /// For an account entered by hand: its microdeposit verification.
    pub verification: Option<StoredVerification>,
}

const COLUMNS: &str = "id, session_id, authorization_id, institution_id, institution_name,
    bank_json, linked, created, position, permissions_json, connection, disconnected_at,
    merged_into, balance_json, ownership_id, next_transaction_refresh_at, verification_json,
    verification_due_at";

/// `COLUMNS` prefixed with a table alias.
fn columns_of(alias: &str) -> String {
    COLUMNS
        .split(',')
        .map(|column| format!("{alias}.{}", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl AccountRecord {
    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "INSERT INTO accounts ({COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18)"
            ),
            params![
                self.id,
                self.session_id,
                self.authorization_id,
                self.institution_id,
                self.institution_name,
                to_json(&self.bank)?,
                self.linked,
                self.created,
                self.position,
                to_json(&self.permissions)?,
                self.access.as_str(),
                self.disconnected_at,
                self.merged_into,
                self.balance.as_ref().map(to_json).transpose()?,
                self.ownership_id,
                self.next_transaction_refresh_at,
                self.verification.as_ref().map(to_json).transpose()?,
                self.verification
                    .as_ref()
                    .and_then(StoredVerification::due_at),
            ],
        )?;
        Ok(())
    }

    /// Writes back everything that changes after insertion. Callers read and write in one
    /// store transaction, which the store runs one at a time.
    pub fn update(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE accounts SET authorization_id = ?2, bank_json = ?3, linked = ?4,
                permissions_json = ?5, connection = ?6, disconnected_at = ?7, merged_into = ?8,
                balance_json = ?9, ownership_id = ?10, next_transaction_refresh_at = ?11,
                verification_json = ?12, verification_due_at = ?13
             WHERE id = ?1",
            params![
                self.id,
                self.authorization_id,
                to_json(&self.bank)?,
                self.linked,
                to_json(&self.permissions)?,
                self.access.as_str(),
                self.disconnected_at,
                self.merged_into,
                self.balance.as_ref().map(to_json).transpose()?,
                self.ownership_id,
                self.next_transaction_refresh_at,
                self.verification.as_ref().map(to_json).transpose()?,
                self.verification
                    .as_ref()
                    .and_then(StoredVerification::due_at),
            ],
        )?;
        Ok(())
    }

    pub fn find(tx: &Transaction<'_>, id: &str) -> Result<Option<Self>, StoreError> {
        Ok(Self::query(
            tx,
            &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"),
            params![id],
        )?
        .pop())
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

    /// The accounts the person linked in a session, canonical ones for relinked accounts,
    /// each once.
    pub fn linked_for_session(
        tx: &Transaction<'_>,
        session_id: &str,
    ) -> Result<Vec<Self>, StoreError> {
        let accounts = Self::query(
            tx,
            &format!(
                "SELECT {} FROM accounts o JOIN accounts c ON c.id = COALESCE(o.merged_into, o.id)
                 WHERE o.session_id = ?1 AND o.linked = 1 ORDER BY o.created, o.position",
                columns_of("c")
            ),
            params![session_id],
        )?;
        let mut seen = std::collections::HashSet::new();
        Ok(accounts
            .into_iter()
            .filter(|account| seen.insert(account.id.clone()))
            .collect())
    }

    /// Linked accounts of every session of one account holder of one integrator, oldest
    /// first, each once.
    pub fn linked_for_account_holder(
        tx: &Transaction<'_>,
        integrator_id: &str,
        holder_key: &str,
    ) -> Result<Vec<Self>, StoreError> {
        Self::query(
            tx,
            &format!(
                "SELECT {} FROM accounts a JOIN sessions s ON s.id = a.session_id
                 WHERE s.account_holder_key = ?1 AND s.integrator_id = ?2
                   AND a.linked = 1 AND a.merged_into IS NULL
                 ORDER BY a.created, a.position",
                columns_of("a")
            ),
            params![holder_key, integrator_id],
        )
    }

    /// A linked account by the id the integrator knows (never a merged row).
    pub fn find_linked(tx: &Transaction<'_>, id: &str) -> Result<Option<Self>, StoreError> {
        Ok(Self::query(
            tx,
            &format!(
                "SELECT {COLUMNS} FROM accounts WHERE id = ?1 AND linked = 1 AND merged_into IS NULL"
            ),
            params![id],
        )?
        .pop())
    }

    /// The account already linked for this account holder at this institution with this bank
    /// account id, if any: relinking it updates it instead of creating another one. Only
    /// accounts of the same integrator as `excluding` (the account being linked) count: two
    /// businesses may both call their customer `cus_demo`.
    pub fn find_relink_target(
        tx: &Transaction<'_>,
        holder_key: &str,
        institution_id: &str,
        bank_account_id: &str,
        excluding: &str,
    ) -> Result<Option<Self>, StoreError> {
        Ok(Self::query(
            tx,
            &format!(
                "SELECT {} FROM accounts a JOIN sessions s ON s.id = a.session_id
                 WHERE s.account_holder_key = ?1 AND a.institution_id = ?2
                   AND json_extract(a.bank_json, '$.bank_account_id') = ?3
                   AND a.linked = 1 AND a.merged_into IS NULL AND a.id <> ?4
                   AND s.integrator_id = (SELECT os.integrator_id FROM accounts oa
                       JOIN sessions os ON os.id = oa.session_id WHERE oa.id = ?4)
                 ORDER BY a.created LIMIT 1",
                columns_of("a")
            ),
            params![holder_key, institution_id, bank_account_id, excluding],
        )?
        .pop())
    }

    /// Whether this authorization's grant is still needed: a linked, not disconnected account
    /// reads its data with it, or a saved account reaches its bank through it (by the one
    /// rule in `store::saved`, which reaching a saved account follows too).
    pub fn grant_in_use(tx: &Transaction<'_>, authorization_id: &str) -> Result<bool, StoreError> {
        let count: i64 = tx.query_row(
            "SELECT COUNT(*) FROM accounts WHERE authorization_id = ?1 AND linked = 1
               AND merged_into IS NULL AND connection <> 'disconnected'",
            params![authorization_id],
            |row| row.get(0),
        )?;
        Ok(count > 0 || super::saved::SavedAccountRecord::grant_in_use(tx, authorization_id)?)
    }

    /// Active accounts subscribed to transactions whose daily refresh is due.
    pub fn due_for_transaction_refresh(
        tx: &Transaction<'_>,
        now: Timestamp,
    ) -> Result<Vec<Self>, StoreError> {
        Self::query(
            tx,
            &format!(
                "SELECT {COLUMNS} FROM accounts WHERE next_transaction_refresh_at <= ?1
                   AND connection = 'active' AND linked = 1 AND merged_into IS NULL
                 ORDER BY next_transaction_refresh_at LIMIT 100"
            ),
            params![now],
        )
    }

    /// Linked accounts entered by hand whose pending verification is past its expiry.
    pub fn due_for_verification_expiry(
        tx: &Transaction<'_>,
        now: Timestamp,
    ) -> Result<Vec<Self>, StoreError> {
        Self::query(
            tx,
            &format!(
                "SELECT {COLUMNS} FROM accounts WHERE verification_due_at <= ?1
                 ORDER BY verification_due_at LIMIT 100"
            ),
            params![now],
        )
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
    permissions_json: String,
    connection: String,
    disconnected_at: Option<Timestamp>,
    merged_into: Option<String>,
    balance_json: Option<String>,
    ownership_id: Option<String>,
    next_transaction_refresh_at: Option<Timestamp>,
    verification_json: Option<String>,
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
        permissions_json: row.get(9)?,
        connection: row.get(10)?,
        disconnected_at: row.get(11)?,
        merged_into: row.get(12)?,
        balance_json: row.get(13)?,
        ownership_id: row.get(14)?,
        next_transaction_refresh_at: row.get(15)?,
        verification_json: row.get(16)?,
    })
}

impl RawAccount {
    fn decode(self) -> Result<AccountRecord, StoreError> {
        Ok(AccountRecord {
            bank: from_json(&self.bank_json)?,
            permissions: from_json(&self.permissions_json)?,
            balance: self.balance_json.as_deref().map(from_json).transpose()?,
            verification: self
                .verification_json
                .as_deref()
                .map(from_json)
                .transpose()?,
            access: AccountAccess::parse(&self.connection),
            id: self.id,
            session_id: self.session_id,
            authorization_id: self.authorization_id,
            institution_id: self.institution_id,
            institution_name: self.institution_name,
            linked: self.linked,
            created: self.created,
            position: self.position,
            disconnected_at: self.disconnected_at,
            merged_into: self.merged_into,
            ownership_id: self.ownership_id,
            next_transaction_refresh_at: self.next_transaction_refresh_at,
        })
    }
}

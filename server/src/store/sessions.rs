//! The `sessions` table.

use finlink_protocol::{
    AccountHolder, AccountHolderKind, AccountSelection, CreateSessionRequest, SessionStatus,
    Timestamp,
};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{StoreError, from_json, to_json};

/// A session as stored: the client secret only as its hash.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: String,
    pub secret_hash: Vec<u8>,
    pub created: Timestamp,
    pub last_active: Timestamp,
    /// `Open`, `Completed` or `Cancelled`; expiry is computed from the times.
    pub status: SessionStatus,
    pub consent_given: bool,
    pub business_name: String,
    /// The integrator whose key created the session: it alone sees the session, its accounts
    /// and their events.
    pub integrator_id: String,
    pub request: CreateSessionRequest,
    /// The authorization under way or done, if any.
    pub authorization_id: Option<String>,
}

/// The key by which accounts are listed per account holder: `customer:cus_...` or `account:acct_...`.
pub fn account_holder_key(holder: &AccountHolder) -> Option<String> {
    match holder.kind {
        AccountHolderKind::Customer => holder.customer.as_ref().map(|id| format!("customer:{id}")),
        AccountHolderKind::Account => holder.account.as_ref().map(|id| format!("account:{id}")),
    }
}

/// A stored status; text this version does not know reads as `Open`, as it always has.
fn parse_status(text: &str) -> SessionStatus {
    SessionStatus::from_name(text).unwrap_or(SessionStatus::Open)
}

/// A unit enum's snake_case name as serde writes it, for a text column.
fn wire_name<T: serde::Serialize>(value: T) -> Result<String, StoreError> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(name) => Ok(name),
        other => Err(StoreError::Invalid(format!("not a name: {other}"))),
    }
}

/// The value a text column names.
fn from_wire_name<T: serde::de::DeserializeOwned>(name: String) -> Result<T, StoreError> {
    Ok(serde_json::from_value(serde_json::Value::String(name))?)
}

impl SessionRecord {
    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO sessions (id, secret_hash, created, last_active, status, consent_given,
                business_name, request_json, account_holder_key, authorization_id,
                account_selection, verification_method, microdeposit_type, integrator_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                self.id,
                self.secret_hash,
                self.created,
                self.last_active,
                self.status.as_str(),
                self.consent_given,
                self.business_name,
                to_json(&self.request)?,
                self.request
                    .account_holder
                    .as_ref()
                    .and_then(account_holder_key),
                self.authorization_id,
                self.request.account_selection.as_str(),
                self.request
                    .verification_method
                    .map(wire_name)
                    .transpose()?,
                self.request.microdeposit_type.map(wire_name).transpose()?,
                self.integrator_id,
            ],
        )?;
        Ok(())
    }

    /// Writes back the fields that change over a session's life.
    pub fn update(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE sessions SET last_active = ?2, status = ?3, consent_given = ?4,
                authorization_id = ?5 WHERE id = ?1",
            params![
                self.id,
                self.last_active,
                self.status.as_str(),
                self.consent_given,
                self.authorization_id,
            ],
        )?;
        Ok(())
    }

    pub fn find(tx: &Transaction<'_>, id: &str) -> Result<Option<Self>, StoreError> {
        let row = tx
            .query_row(
                "SELECT id, secret_hash, created, last_active, status, consent_given,
                    business_name, request_json, authorization_id, account_selection,
                    verification_method, microdeposit_type, integrator_id
                 FROM sessions WHERE id = ?1",
                params![id],
                raw_session,
            )
            .optional()?;
        row.map(RawSession::decode).transpose()
    }
}

struct RawSession {
    id: String,
    secret_hash: Vec<u8>,
    created: Timestamp,
    last_active: Timestamp,
    status: String,
    consent_given: bool,
    business_name: String,
    request_json: String,
    authorization_id: Option<String>,
    account_selection: String,
    verification_method: Option<String>,
    microdeposit_type: Option<String>,
    integrator_id: Option<String>,
}

fn raw_session(row: &Row<'_>) -> rusqlite::Result<RawSession> {
    Ok(RawSession {
        id: row.get(0)?,
        secret_hash: row.get(1)?,
        created: row.get(2)?,
        last_active: row.get(3)?,
        status: row.get(4)?,
        consent_given: row.get(5)?,
        business_name: row.get(6)?,
        request_json: row.get(7)?,
        authorization_id: row.get(8)?,
        account_selection: row.get(9)?,
        verification_method: row.get(10)?,
        microdeposit_type: row.get(11)?,
        integrator_id: row.get(12)?,
    })
}

impl RawSession {
    fn decode(self) -> Result<SessionRecord, StoreError> {
        let mut request: CreateSessionRequest = from_json(&self.request_json)?;
        // The column is the record of it (the JSON of sessions created before it has none).
        request.account_selection = AccountSelection::from_name(&self.account_selection)
            .ok_or_else(|| {
                StoreError::Invalid(format!("account_selection '{}'", self.account_selection))
            })?;
        // So are these (sessions created before them take the defaults, see migration 6).
        request.verification_method = self.verification_method.map(from_wire_name).transpose()?;
        request.microdeposit_type = self.microdeposit_type.map(from_wire_name).transpose()?;
        Ok(SessionRecord {
            status: parse_status(&self.status),
            request,
            id: self.id,
            secret_hash: self.secret_hash,
            created: self.created,
            last_active: self.last_active,
            consent_given: self.consent_given,
            business_name: self.business_name,
            // Rows from before integrators are given the first one at start (see
            // `integrators::adopt_unowned`), so none is left without.
            integrator_id: self.integrator_id.unwrap_or_default(),
            authorization_id: self.authorization_id,
        })
    }
}

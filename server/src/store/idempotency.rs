//! The `idempotency` table: the first answer to each `Idempotency-Key`, replayed to retries.

use finlink_protocol::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;

#[derive(Debug, Clone)]
pub struct IdempotencyRecord {
    pub session_id: String,
    pub key: String,
    /// SHA-256 of the request (path and body): the same key with another request is refused.
    pub fingerprint: String,
    pub status: u16,
    pub response_json: String,
    pub created: Timestamp,
}

impl IdempotencyRecord {
    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO idempotency (session_id, key, fingerprint, status, response_json, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                self.session_id,
                self.key,
                self.fingerprint,
                self.status,
                self.response_json,
                self.created
            ],
        )?;
        Ok(())
    }

    pub fn find(
        tx: &Transaction<'_>,
        session_id: &str,
        key: &str,
    ) -> Result<Option<Self>, StoreError> {
        Ok(tx
            .query_row(
                "SELECT session_id, key, fingerprint, status, response_json, created
                 FROM idempotency WHERE session_id = ?1 AND key = ?2",
                params![session_id, key],
                |row| {
                    Ok(Self {
                        session_id: row.get(0)?,
                        key: row.get(1)?,
                        fingerprint: row.get(2)?,
                        status: row.get(3)?,
                        response_json: row.get(4)?,
                        created: row.get(5)?,
                    })
                },
            )
            .optional()?)
    }
}

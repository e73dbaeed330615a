//! The `ownerships` table: the owner list of each ownership refresh that succeeded. The
//! account points at the latest; older ones stay readable by id.

use finlink_protocol::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{StoreError, from_json, to_json};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOwner {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub raw_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnershipRecord {
    pub id: String,
    pub account_id: String,
    pub created: Timestamp,
    pub owners: Vec<StoredOwner>,
}

impl OwnershipRecord {
    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO ownerships (id, account_id, created, owners_json) VALUES (?1, ?2, ?3, ?4)",
            params![
                self.id,
                self.account_id,
                self.created,
                to_json(&self.owners)?
            ],
        )?;
        Ok(())
    }

    pub fn find(tx: &Transaction<'_>, id: &str) -> Result<Option<Self>, StoreError> {
        let row = tx
            .query_row(
                "SELECT id, account_id, created, owners_json FROM ownerships WHERE id = ?1",
                params![id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Timestamp>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, account_id, created, owners)| {
            Ok(Self {
                id,
                account_id,
                created,
                owners: from_json(&owners)?,
            })
        })
        .transpose()
    }
}

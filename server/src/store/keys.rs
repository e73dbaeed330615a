//! The `server_keys` table: random keys the server creates once and keeps, so that what it
//! derives from them (the verification links of accounts entered by hand) survives restarts.

use finlink_protocol::Timestamp;
use rand::RngCore;
use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;

/// The bytes of a key: 32 random bytes from the OS-seeded thread RNG.
pub type KeyBytes = [u8; 32];

/// The key named `name`, created with fresh random bytes the first time it is asked for.
pub fn load_or_create(
    tx: &Transaction<'_>,
    name: &str,
    now: Timestamp,
) -> Result<KeyBytes, StoreError> {
    let mut fresh = KeyBytes::default();
    rand::rng().fill_bytes(&mut fresh);
    tx.execute(
        "INSERT OR IGNORE INTO server_keys (name, key, created) VALUES (?1, ?2, ?3)",
        params![name, fresh.as_slice(), now],
    )?;
    let stored: Option<Vec<u8>> = tx
        .query_row(
            "SELECT key FROM server_keys WHERE name = ?1",
            params![name],
            |row| row.get(0),
        )
        .optional()?;
    let stored = stored.ok_or_else(|| StoreError::Invalid(format!("key '{name}' missing")))?;
    KeyBytes::try_from(stored.as_slice())
        .map_err(|_| StoreError::Invalid(format!("key '{name}' is not 32 bytes")))
}

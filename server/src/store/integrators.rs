//! Which integrator a record belongs to. Sessions, webhook endpoints and events carry an
//! `integrator_id`; accounts, refreshes, transactions and ownerships belong to the integrator
//! of the session they were linked in.

use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;

/// Gives every session, webhook endpoint and event stored before there were several
/// integrators to `first`, the first one configured. Runs at every start; a no-op once done.
pub fn adopt_unowned(tx: &Transaction<'_>, first: &str) -> Result<(), StoreError> {
    for table in ["sessions", "webhook_endpoints", "events"] {
        tx.execute(
            &format!("UPDATE {table} SET integrator_id = ?1 WHERE integrator_id IS NULL"),
            params![first],
        )?;
    }
    Ok(())
}

/// The integrator of the session an account was linked in, if the account exists.
pub fn of_account(tx: &Transaction<'_>, account_id: &str) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT s.integrator_id FROM accounts a JOIN sessions s ON s.id = a.session_id
             WHERE a.id = ?1",
            params![account_id],
            |row| row.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

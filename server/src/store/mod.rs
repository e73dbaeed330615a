//! The one storage boundary: SQLite through rusqlite, behind async methods.
//!
//! Each call runs in one transaction on a blocking thread: it commits only if the closure
//! succeeds, so a failed request changes nothing. Records are plain structs; the SQL lives in
//! the submodules, one per table. Transactions are IMMEDIATE: each takes the write lock when it
//! begins, so two processes on one SQLite file never both read a row (say, the attempts left
//! at a one-time code) and then both write what they read. rusqlite with its bundled SQLite was picked because it is
//! the best-kept synchronous binding and needs no system library; one connection behind a
//! mutex is plenty for one process, and the boundary keeps a pooled PostgreSQL possible.

mod accounts;
mod authorizations;
mod events;
mod idempotency;
pub mod integrators;
pub mod keys;
mod migrations;
mod ownerships;
mod refreshes;
pub mod saved;
mod sessions;
mod transactions;
mod webhooks;

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use accounts::{AccountAccess, AccountRecord, StoredVerification};
pub use authorizations::{AuthorizationProgress, AuthorizationRecord};
pub use events::EventRecord;
pub use idempotency::IdempotencyRecord;
pub use ownerships::{OwnershipRecord, StoredOwner};
pub use refreshes::{LatestRefreshes, RefreshRecord};
pub use sessions::{SessionRecord, account_holder_key};
pub use transactions::{MergeCounts, TransactionQuery, TransactionRecord};
pub use webhooks::{ALL_EVENTS, AttemptOutcome, Deliveries, DueDelivery, WebhookEndpointRecord};

use crate::config::Database;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("a stored record does not decode: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("a stored value is not one finlink writes: {0}")]
    Invalid(String),
    #[error("the database worker stopped: {0}")]
    Worker(String),
    #[error("the database lock was poisoned by a panic")]
    Poisoned,
}

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (or creates) the database and brings its schema up to date.
    pub fn open(database: &Database) -> Result<Self, StoreError> {
        let mut connection = match database {
            Database::File(path) => Connection::open(path)?,
            Database::Memory => Connection::open_in_memory()?,
        };
        connection.pragma_update(None, "foreign_keys", "ON")?;
        if matches!(database, Database::File(_)) {
            connection.pragma_update(None, "journal_mode", "WAL")?;
            connection.pragma_update(None, "synchronous", "NORMAL")?;
        }
        migrations::run(&mut connection)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` in an immediate transaction on a blocking thread; commits if it returns
    /// `Ok`.
    pub async fn transaction<T, E>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        let joined = tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().map_err(|_| StoreError::Poisoned)?;
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            let value = work(&transaction)?;
            transaction.commit().map_err(StoreError::from)?;
            Ok(value)
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(error) => Err(StoreError::Worker(error.to_string()).into()),
        }
    }
}

/// JSON columns: records keep nested data (requests, bank data) as JSON text.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    Ok(serde_json::to_string(value)?)
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    Ok(serde_json::from_str(text)?)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Reads a counter, waits, and writes it back one higher.
    fn increment(tx: &Transaction<'_>) -> Result<(), StoreError> {
        let value: i64 = tx.query_row("SELECT value FROM counter", [], |row| row.get(0))?;
        std::thread::sleep(Duration::from_millis(200));
        tx.execute("UPDATE counter SET value = ?1", [value + 1])?;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_stores_on_one_file_never_both_read_what_the_other_is_about_to_change() {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = Database::File(dir.path().join("finlink.sqlite"));
        let first = Store::open(&database).expect("opens");
        let second = Store::open(&database).expect("opens");
        first
            .transaction(|tx| {
                tx.execute_batch(
                    "CREATE TABLE counter (value INTEGER NOT NULL); INSERT INTO counter VALUES (0);",
                )
                .map_err(StoreError::from)
            })
            .await
            .expect("created");
        let (a, b) = tokio::join!(first.transaction(increment), second.transaction(increment));
        a.expect("first increments");
        b.expect("second increments");
        let value: i64 = first
            .transaction(|tx| {
                tx.query_row("SELECT value FROM counter", [], |row| row.get(0))
                    .map_err(StoreError::from)
            })
            .await
            .expect("read");
        assert_eq!(value, 2);
    }
}

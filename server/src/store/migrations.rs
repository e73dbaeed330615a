//! Schema versions, applied in order at start; `PRAGMA user_version` records the last one.

use rusqlite::Connection;

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: sessions, authorizations, accounts, idempotency records.
    "
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        secret_hash BLOB NOT NULL,
        created INTEGER NOT NULL,
        last_active INTEGER NOT NULL,
        status TEXT NOT NULL,
        consent_given INTEGER NOT NULL DEFAULT 0,
        business_name TEXT NOT NULL,
        request_json TEXT NOT NULL,
        account_holder_key TEXT,
        authorization_id TEXT
    );
    CREATE INDEX sessions_by_account_holder ON sessions(account_holder_key);
    CREATE TABLE authorizations (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        institution_id TEXT NOT NULL,
        progress_json TEXT NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE INDEX authorizations_by_session ON authorizations(session_id);
    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        authorization_id TEXT NOT NULL REFERENCES authorizations(id),
        institution_id TEXT NOT NULL,
        institution_name TEXT NOT NULL,
        bank_json TEXT NOT NULL,
        linked INTEGER NOT NULL DEFAULT 0,
        created INTEGER NOT NULL,
        position INTEGER NOT NULL
    );
    CREATE INDEX accounts_by_session ON accounts(session_id, linked);
    CREATE INDEX accounts_by_authorization ON accounts(authorization_id);
    CREATE TABLE idempotency (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        response_json TEXT NOT NULL,
        created INTEGER NOT NULL,
        PRIMARY KEY (session_id, key)
    );
    ",
];

pub fn run(connection: &mut Connection) -> Result<(), StoreError> {
    let applied: usize = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

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
    // 2: data after linking. Each account carries the permissions it was linked with (those
    // of its session for accounts linked before), how finlink's access to it stands, the
    // canonical account it was merged into when relinked, its last balance and ownership, and
    // its daily transaction subscription. Refreshes, ownerships and transactions get tables.
    "
    ALTER TABLE accounts ADD COLUMN permissions_json TEXT NOT NULL DEFAULT '[]';
    UPDATE accounts SET permissions_json = COALESCE(
        (SELECT json_extract(s.request_json, '$.permissions') FROM sessions s
         WHERE s.id = accounts.session_id), '[]');
    ALTER TABLE accounts ADD COLUMN connection TEXT NOT NULL DEFAULT 'active';
    ALTER TABLE accounts ADD COLUMN disconnected_at INTEGER;
    ALTER TABLE accounts ADD COLUMN merged_into TEXT REFERENCES accounts(id);
    ALTER TABLE accounts ADD COLUMN balance_json TEXT;
    ALTER TABLE accounts ADD COLUMN ownership_id TEXT;
    ALTER TABLE accounts ADD COLUMN next_transaction_refresh_at INTEGER;
    CREATE INDEX accounts_subscribed ON accounts(next_transaction_refresh_at)
        WHERE next_transaction_refresh_at IS NOT NULL;
    CREATE TABLE refreshes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        feature TEXT NOT NULL,
        status TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        finished_at INTEGER,
        failure TEXT
    );
    CREATE INDEX refreshes_by_account ON refreshes(account_id, feature, seq);
    CREATE INDEX refreshes_pending ON refreshes(status) WHERE status = 'pending';
    CREATE TABLE ownerships (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        created INTEGER NOT NULL,
        owners_json TEXT NOT NULL
    );
    CREATE INDEX ownerships_by_account ON ownerships(account_id);
    CREATE TABLE transactions (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        bank_transaction_id TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        description TEXT NOT NULL,
        status TEXT NOT NULL,
        transacted_at INTEGER NOT NULL,
        posted_at INTEGER,
        void_at INTEGER,
        refresh_id TEXT NOT NULL REFERENCES refreshes(id),
        refresh_seq INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        UNIQUE (account_id, bank_transaction_id)
    );
    CREATE INDEX transactions_by_time ON transactions(account_id, transacted_at, id);
    CREATE INDEX transactions_by_refresh ON transactions(account_id, refresh_seq);
    ",
    // 3: webhooks. Events are written in the transaction that changed the account (with one
    // pending delivery per endpoint that wants them), so none is lost; the delivery worker
    // works through the due deliveries.
    "
    CREATE TABLE webhook_endpoints (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        enabled_events_json TEXT NOT NULL,
        description TEXT,
        secret TEXT NOT NULL,
        created INTEGER NOT NULL,
        deleted_at INTEGER
    );
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        created INTEGER NOT NULL,
        account_id TEXT,
        body_json TEXT NOT NULL
    );
    CREATE INDEX events_by_type ON events(type, seq);
    CREATE TABLE webhook_deliveries (
        event_id TEXT NOT NULL REFERENCES events(id),
        endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_attempt_at INTEGER,
        last_response_status INTEGER,
        last_error TEXT,
        delivered_at INTEGER,
        PRIMARY KEY (event_id, endpoint_id)
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
        WHERE status = 'pending';
    ",
    // 4: how many accounts a session lets the person link (`single` or `multiple`); sessions
    // created before could link any number.
    "
    ALTER TABLE sessions ADD COLUMN account_selection TEXT NOT NULL DEFAULT 'multiple';
    ",
    // 5: how an OAuth login comes back from the bank (`popup` or `redirect` to the session's
    // return_url), recorded when it starts; authorizations started before used a popup.
    "
    ALTER TABLE authorizations ADD COLUMN oauth_return TEXT NOT NULL DEFAULT 'popup';
    ",
    // 6: manual entry and microdeposits. Sessions record how an account may be verified
    // (`verification_method`, and `microdeposit_type` when manual entry is allowed); those
    // created before that ask for payment_method take the defaults, `automatic` and
    // `amounts`. An account entered by hand carries its verification (JSON) and, while it is
    // pending, when the background worker should expire it. `server_keys` keeps the random
    // key the verification links are derived from, so links survive restarts.
    "
    ALTER TABLE sessions ADD COLUMN verification_method TEXT;
    ALTER TABLE sessions ADD COLUMN microdeposit_type TEXT;
    UPDATE sessions SET verification_method = 'automatic', microdeposit_type = 'amounts'
    WHERE EXISTS (SELECT 1 FROM json_each(json_extract(sessions.request_json, '$.permissions'))
                  WHERE json_each.value = 'payment_method');
    ALTER TABLE accounts ADD COLUMN verification_json TEXT;
    ALTER TABLE accounts ADD COLUMN verification_due_at INTEGER;
    CREATE INDEX accounts_verification_due ON accounts(verification_due_at)
        WHERE verification_due_at IS NOT NULL;
    CREATE TABLE server_keys (
        name TEXT PRIMARY KEY,
        key BLOB NOT NULL,
        created INTEGER NOT NULL
    );
    ",
    // 7: returning users. A person who saved accounts is known by the HMAC of their email
    // (and phone) under a key in `server_keys`, with the masked hint shown to them; their
    // saved accounts name the bank grant and the linked account they came from, once per bank
    // account. Each session's one-time code is kept as its HMAC with its attempts and sends;
    // sends are also counted per email (by its HMAC) for the hourly limit. The sandbox keeps
    // the emails it "sent" for the test helper.
    "
    CREATE TABLE saved_people (
        id TEXT PRIMARY KEY,
        email_mac BLOB NOT NULL UNIQUE,
        phone_mac BLOB,
        email_hint TEXT NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE TABLE saved_accounts (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES saved_people(id),
        institution_id TEXT NOT NULL,
        institution_name TEXT NOT NULL,
        bank_account_id TEXT NOT NULL,
        bank_json TEXT NOT NULL,
        authorization_id TEXT NOT NULL REFERENCES authorizations(id),
        source_account_id TEXT NOT NULL REFERENCES accounts(id),
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        UNIQUE (person_id, institution_id, bank_account_id)
    );
    CREATE TABLE one_time_codes (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        email_mac BLOB NOT NULL,
        email_hint TEXT NOT NULL,
        code_mac BLOB,
        status TEXT NOT NULL,
        attempts_remaining INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        sends INTEGER NOT NULL,
        last_sent_at INTEGER NOT NULL
    );
    CREATE TABLE one_time_code_sends (
        email_mac BLOB NOT NULL,
        sent_at INTEGER NOT NULL
    );
    CREATE INDEX one_time_code_sends_by_email ON one_time_code_sends(email_mac, sent_at);
    CREATE TABLE sandbox_emails (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        to_address TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        one_time_code TEXT NOT NULL,
        created INTEGER NOT NULL
    );
    CREATE INDEX sandbox_emails_by_address ON sandbox_emails(to_address, created);
    ",
    // 8: several businesses on one deployment. Sessions, webhook endpoints and events record
    // the integrator they belong to (accounts and their data belong to their session's).
    // Rows from before are given the first configured integrator at start
    // (`integrators::adopt_unowned`): the migration cannot know its id.
    "
    ALTER TABLE sessions ADD COLUMN integrator_id TEXT;
    ALTER TABLE webhook_endpoints ADD COLUMN integrator_id TEXT;
    ALTER TABLE events ADD COLUMN integrator_id TEXT;
    CREATE INDEX sessions_by_integrator ON sessions(integrator_id, account_holder_key);
    CREATE INDEX events_by_integrator ON events(integrator_id, seq);
    ",
    // 9: sessions whose person chose "Use another account": they never offer saved accounts
    // again, and a code verified in them no longer counts.
    "
    CREATE TABLE returning_user_declines (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        declined_at INTEGER NOT NULL
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_linked_before_version_2_take_their_sessions_permissions() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.execute_batch(MIGRATIONS[0]).unwrap();
        connection.pragma_update(None, "user_version", 1).unwrap();
        connection
            .execute_batch(
                r#"
                INSERT INTO sessions (id, secret_hash, created, last_active, status,
                    business_name, request_json)
                VALUES ('fcsess_1', x'00', 1, 1, 'completed', 'Shop',
                    '{"permissions":["balances","ownership"],"prefetch":[]}');
                INSERT INTO authorizations (id, session_id, institution_id, progress_json,
                    created, updated)
                VALUES ('fcauth_1', 'fcsess_1', 'ins_1', '{}', 1, 1);
                INSERT INTO accounts (id, session_id, authorization_id, institution_id,
                    institution_name, bank_json, linked, created, position)
                VALUES ('fca_1', 'fcsess_1', 'fcauth_1', 'ins_1', 'Bank', '{}', 1, 1, 0);
                "#,
            )
            .unwrap();
        run(&mut connection).unwrap();
        let (permissions, access): (String, String) = connection
            .query_row(
                "SELECT permissions_json, connection FROM accounts WHERE id = 'fca_1'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(permissions, r#"["balances","ownership"]"#);
        assert_eq!(access, "active");
        let version: usize = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        // Running again changes nothing.
        run(&mut connection).unwrap();
    }

    #[test]
    fn sessions_created_before_version_4_let_the_person_link_several_accounts() {
        let mut connection = Connection::open_in_memory().unwrap();
        for (index, sql) in MIGRATIONS.iter().take(3).enumerate() {
            connection.execute_batch(sql).unwrap();
            connection
                .pragma_update(None, "user_version", index + 1)
                .unwrap();
        }
        connection
            .execute_batch(
                r#"
                INSERT INTO sessions (id, secret_hash, created, last_active, status,
                    business_name, request_json)
                VALUES ('fcsess_1', x'00', 1, 1, 'open', 'Shop',
                    '{"permissions":["balances"],"prefetch":[]}');
                "#,
            )
            .unwrap();
        run(&mut connection).unwrap();
        let selection: String = connection
            .query_row(
                "SELECT account_selection FROM sessions WHERE id = 'fcsess_1'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(selection, "multiple");
    }

    #[test]
    fn authorizations_started_before_version_5_came_back_in_a_popup() {
        let mut connection = Connection::open_in_memory().unwrap();
        for (index, sql) in MIGRATIONS.iter().take(4).enumerate() {
            connection.execute_batch(sql).unwrap();
            connection
                .pragma_update(None, "user_version", index + 1)
                .unwrap();
        }
        connection
            .execute_batch(
                r#"
                INSERT INTO sessions (id, secret_hash, created, last_active, status,
                    business_name, request_json)
                VALUES ('fcsess_1', x'00', 1, 1, 'open', 'Shop',
                    '{"permissions":["balances"],"prefetch":[]}');
                INSERT INTO authorizations (id, session_id, institution_id, progress_json,
                    created, updated)
                VALUES ('fcauth_1', 'fcsess_1', 'ins_sandbox_oauth', '{"status":"revoked"}', 1, 1);
                "#,
            )
            .unwrap();
        run(&mut connection).unwrap();
        let mode: String = connection
            .query_row(
                "SELECT oauth_return FROM authorizations WHERE id = 'fcauth_1'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(mode, "popup");
    }
    #[test]
    fn sessions_asking_for_payment_method_before_version_6_take_the_default_verification() {
        let mut connection = Connection::open_in_memory().unwrap();
        for (index, sql) in MIGRATIONS.iter().take(5).enumerate() {
            connection.execute_batch(sql).unwrap();
            connection
                .pragma_update(None, "user_version", index + 1)
                .unwrap();
        }
        connection
            .execute_batch(
                r#"
                INSERT INTO sessions (id, secret_hash, created, last_active, status,
                    business_name, request_json)
                VALUES ('fcsess_pay', x'00', 1, 1, 'open', 'Shop',
                    '{"permissions":["balances","payment_method"],"prefetch":[]}'),
                       ('fcsess_data', x'00', 1, 1, 'open', 'Shop',
                    '{"permissions":["balances"],"prefetch":[]}');
                "#,
            )
            .unwrap();
        run(&mut connection).unwrap();
        let verification = |id: &str| -> (Option<String>, Option<String>) {
            connection
                .query_row(
                    "SELECT verification_method, microdeposit_type FROM sessions WHERE id = ?1",
                    [id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .unwrap()
        };
        assert_eq!(
            verification("fcsess_pay"),
            (Some("automatic".to_owned()), Some("amounts".to_owned()))
        );
        assert_eq!(verification("fcsess_data"), (None, None));
    }

    #[test]
    fn rows_from_before_version_8_belong_to_the_first_integrator_once_adopted() {
        let mut connection = Connection::open_in_memory().unwrap();
        for (index, sql) in MIGRATIONS.iter().take(7).enumerate() {
            connection.execute_batch(sql).unwrap();
            connection
                .pragma_update(None, "user_version", index + 1)
                .unwrap();
        }
        connection
            .execute_batch(
                r#"
                INSERT INTO sessions (id, secret_hash, created, last_active, status,
                    business_name, request_json)
                VALUES ('fcsess_1', x'00', 1, 1, 'completed', 'Shop',
                    '{"permissions":["balances"],"prefetch":[]}');
                INSERT INTO webhook_endpoints (id, url, enabled_events_json, secret, created)
                VALUES ('we_1', 'https://shop.example/hooks', '["*"]', 'whsec_1', 1);
                INSERT INTO events (id, type, created, account_id, body_json)
                VALUES ('evt_1', 'financial_connections.account.created', 1, NULL, '{}');
                "#,
            )
            .unwrap();
        run(&mut connection).unwrap();
        let transaction = connection.transaction().unwrap();
        super::super::integrators::adopt_unowned(&transaction, "default").unwrap();
        transaction.commit().unwrap();
        for table in ["sessions", "webhook_endpoints", "events"] {
            let owner: String = connection
                .query_row(&format!("SELECT integrator_id FROM {table}"), [], |row| {
                    row.get(0)
                })
                .unwrap();
            assert_eq!(owner, "default", "{table}");
        }
    }
}

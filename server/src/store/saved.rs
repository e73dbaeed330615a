//! Returning users: the people who saved accounts (known only by an HMAC of their email and
//! phone), their saved accounts, the one-time code of each session, the code sends counted per
//! email, and the emails the sandbox "sent".

use finlink_protocol::{OneTimeCodeStatus, Timestamp};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{StoreError, from_json, to_json};
use crate::connector::BankAccount;

/// How long the code sends counted per email and the sandbox inbox's emails are kept: rows
/// older than this are deleted whenever a new one is added.
pub const KEPT_SECONDS: i64 = 3_600;

/// A person who saved accounts: never their email, only its MAC and the hint shown to them.
#[derive(Debug, Clone)]
pub struct SavedPersonRecord {
    pub id: String,
    pub email_mac: Vec<u8>,
    pub phone_mac: Option<Vec<u8>>,
    pub email_hint: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

impl SavedPersonRecord {
    /// Records a person who saves accounts for the first time.
    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO saved_people (id, email_mac, phone_mac, email_hint, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                self.id,
                self.email_mac,
                self.phone_mac,
                self.email_hint,
                self.created,
                self.updated
            ],
        )?;
        Ok(())
    }

    /// Writes the person's phone MAC, hint and `updated` time (the email MAC never changes).
    pub fn update(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE saved_people SET phone_mac = ?2, email_hint = ?3, updated = ?4 WHERE id = ?1",
            params![self.id, self.phone_mac, self.email_hint, self.updated],
        )?;
        Ok(())
    }

    /// The person who saved accounts under the email with this MAC, if anyone did.
    pub fn find_by_email_mac(
        tx: &Transaction<'_>,
        email_mac: &[u8],
    ) -> Result<Option<Self>, StoreError> {
        Ok(tx
            .query_row(
                "SELECT id, email_mac, phone_mac, email_hint, created, updated
                 FROM saved_people WHERE email_mac = ?1",
                params![email_mac],
                |row| {
                    Ok(Self {
                        id: row.get(0)?,
                        email_mac: row.get(1)?,
                        phone_mac: row.get(2)?,
                        email_hint: row.get(3)?,
                        created: row.get(4)?,
                        updated: row.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Deletes the person and everything they saved; returns how many accounts were saved.
    pub fn delete(tx: &Transaction<'_>, id: &str) -> Result<u32, StoreError> {
        let accounts = tx.execute(
            "DELETE FROM saved_accounts WHERE person_id = ?1",
            params![id],
        )?;
        tx.execute("DELETE FROM saved_people WHERE id = ?1", params![id])?;
        Ok(u32::try_from(accounts).unwrap_or(u32::MAX))
    }
}

/// An account a person saved: what the bank said about it when saved, and the bank grant and
/// linked account it was saved from.
#[derive(Debug, Clone)]
pub struct SavedAccountRecord {
    pub id: String,
    pub person_id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub bank: BankAccount,
    /// The authorization it was saved with: the grant it reaches its bank through when it
    /// follows no linked account any more (see `REACH`).
    pub authorization_id: String,
    /// The linked account it was saved from (at whichever business).
    pub source_account_id: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// The one rule for which bank grant a saved account (`s`) reaches its bank through, as a
/// `FROM` clause: it follows the linked account it was saved from (`followed`), or the
/// canonical account that row was merged into when relinked, as long as that is still the
/// same bank account (institution and bank account id); it then reaches its bank through
/// that account's grant, which moves with relinks. Otherwise (`followed` is NULL) it
/// reaches it through the grant it was saved with. Reaching a saved account
/// ([`SavedAccountRecord::reached`]) and deciding whether a grant may be given up
/// ([`SavedAccountRecord::grant_in_use`]) both read it, so they cannot disagree.
const REACH: &str = "saved_accounts s
    LEFT JOIN accounts src ON src.id = s.source_account_id
    LEFT JOIN accounts followed ON followed.id = COALESCE(src.merged_into, src.id)
        AND followed.institution_id = s.institution_id
        AND json_extract(followed.bank_json, '$.bank_account_id') = s.bank_account_id";

/// The authorization whose grant a saved account of [`REACH`] reaches its bank through.
const REACHED_GRANT: &str = "COALESCE(followed.authorization_id, s.authorization_id)";

/// How a saved account reaches its bank now (the rule is `REACH`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// The authorization whose grant it reaches its bank through.
    pub authorization_id: String,
    /// The linked account it follows (whose grant and latest data it uses), if any.
    pub followed_account_id: Option<String>,
}

const SAVED_COLUMNS: &str = "id, person_id, institution_id, institution_name, bank_json,
    authorization_id, source_account_id, created, updated";

impl SavedAccountRecord {
    /// Saves the account, or, when the person saved this bank account before, updates that
    /// one (its grant, source and data) and keeps its id.
    pub fn upsert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "INSERT INTO saved_accounts ({SAVED_COLUMNS}, bank_account_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (person_id, institution_id, bank_account_id) DO UPDATE SET
                    institution_name = excluded.institution_name,
                    bank_json = excluded.bank_json,
                    authorization_id = excluded.authorization_id,
                    source_account_id = excluded.source_account_id,
                    updated = excluded.updated"
            ),
            params![
                self.id,
                self.person_id,
                self.institution_id,
                self.institution_name,
                to_json(&self.bank)?,
                self.authorization_id,
                self.source_account_id,
                self.created,
                self.updated,
                self.bank.bank_account_id,
            ],
        )?;
        Ok(())
    }

    /// How this saved account reaches its bank now, by the rule of `REACH`.
    pub fn reached(&self, tx: &Transaction<'_>) -> Result<Reached, StoreError> {
        Ok(tx.query_row(
            &format!("SELECT {REACHED_GRANT}, followed.id FROM {REACH} WHERE s.id = ?1"),
            params![self.id],
            |row| {
                Ok(Reached {
                    authorization_id: row.get(0)?,
                    followed_account_id: row.get(1)?,
                })
            },
        )?)
    }

    /// Whether some saved account reaches its bank through this authorization's grant, by
    /// the rule of `REACH` (the one [`SavedAccountRecord::reached`] follows).
    pub fn grant_in_use(tx: &Transaction<'_>, authorization_id: &str) -> Result<bool, StoreError> {
        Ok(tx.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {REACH} WHERE {REACHED_GRANT} = ?1)"),
            params![authorization_id],
            |row| row.get(0),
        )?)
    }

    /// The person's saved accounts, oldest first.
    pub fn for_person(tx: &Transaction<'_>, person_id: &str) -> Result<Vec<Self>, StoreError> {
        let mut statement = tx.prepare(&format!(
            "SELECT {SAVED_COLUMNS} FROM saved_accounts WHERE person_id = ?1
             ORDER BY created, rowid"
        ))?;
        let raw = statement
            .query_map(params![person_id], raw_saved)?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter()
            .map(|(record, bank_json)| {
                Ok(SavedAccountRecord {
                    bank: from_json(&bank_json)?,
                    ..record
                })
            })
            .collect()
    }
}

/// A row with a placeholder bank account, and its bank JSON to decode.
fn raw_saved(row: &Row<'_>) -> rusqlite::Result<(SavedAccountRecord, String)> {
    Ok((
        SavedAccountRecord {
            id: row.get(0)?,
            person_id: row.get(1)?,
            institution_id: row.get(2)?,
            institution_name: row.get(3)?,
            bank: BankAccount {
                bank_account_id: String::new(),
                display_name: String::new(),
                subcategory: finlink_protocol::AccountSubcategory::Other,
                last4: String::new(),
                open: false,
                supports_ach: false,
                routing_number: None,
                account_number: None,
                balance: None,
                owners: Vec::new(),
            },
            authorization_id: row.get(5)?,
            source_account_id: row.get(6)?,
            created: row.get(7)?,
            updated: row.get(8)?,
        },
        row.get(4)?,
    ))
}

/// The one-time code of a session: the code only as its MAC (none for an email without saved
/// accounts, so that nothing can match), its attempts and sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCodeRecord {
    pub session_id: String,
    pub email_mac: Vec<u8>,
    pub email_hint: String,
    pub code_mac: Option<Vec<u8>>,
    pub status: OneTimeCodeStatus,
    pub attempts_remaining: u32,
    pub expires_at: Timestamp,
    pub sends: u32,
    pub last_sent_at: Timestamp,
}

fn parse_status(text: &str) -> Result<OneTimeCodeStatus, StoreError> {
    OneTimeCodeStatus::from_name(text)
        .ok_or_else(|| StoreError::Invalid(format!("one-time code status '{text}'")))
}

impl OneTimeCodeRecord {
    /// The session's one-time code, if one was ever sent for it.
    pub fn find(tx: &Transaction<'_>, session_id: &str) -> Result<Option<Self>, StoreError> {
        let raw = tx
            .query_row(
                "SELECT session_id, email_mac, email_hint, code_mac, status, attempts_remaining,
                    expires_at, sends, last_sent_at
                 FROM one_time_codes WHERE session_id = ?1",
                params![session_id],
                |row| {
                    Ok((
                        Self {
                            session_id: row.get(0)?,
                            email_mac: row.get(1)?,
                            email_hint: row.get(2)?,
                            code_mac: row.get(3)?,
                            status: OneTimeCodeStatus::Pending,
                            attempts_remaining: row.get(5)?,
                            expires_at: row.get(6)?,
                            sends: row.get(7)?,
                            last_sent_at: row.get(8)?,
                        },
                        row.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        raw.map(|(record, status)| {
            Ok(Self {
                status: parse_status(&status)?,
                ..record
            })
        })
        .transpose()
    }

    /// Records the session's code: the first send creates it, later sends and answers
    /// replace it (a session has one code at a time).
    pub fn upsert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO one_time_codes (session_id, email_mac, email_hint, code_mac, status,
                attempts_remaining, expires_at, sends, last_sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (session_id) DO UPDATE SET email_mac = excluded.email_mac,
                email_hint = excluded.email_hint, code_mac = excluded.code_mac,
                status = excluded.status, attempts_remaining = excluded.attempts_remaining,
                expires_at = excluded.expires_at, sends = excluded.sends,
                last_sent_at = excluded.last_sent_at",
            params![
                self.session_id,
                self.email_mac,
                self.email_hint,
                self.code_mac,
                self.status.as_str(),
                self.attempts_remaining,
                self.expires_at,
                self.sends,
                self.last_sent_at,
            ],
        )?;
        Ok(())
    }
}

/// Records that the session declined its saved accounts ("Use another account"), once: the
/// time of the first decline stays. Returns that time.
pub fn record_decline(
    tx: &Transaction<'_>,
    session_id: &str,
    now: Timestamp,
) -> Result<Timestamp, StoreError> {
    tx.execute(
        "INSERT INTO returning_user_declines (session_id, declined_at) VALUES (?1, ?2)
         ON CONFLICT (session_id) DO NOTHING",
        params![session_id, now],
    )?;
    Ok(tx.query_row(
        "SELECT declined_at FROM returning_user_declines WHERE session_id = ?1",
        params![session_id],
        |row| row.get(0),
    )?)
}

/// Whether the session declined its saved accounts.
pub fn declined(tx: &Transaction<'_>, session_id: &str) -> Result<bool, StoreError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM returning_user_declines WHERE session_id = ?1",
            params![session_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Counts a code sent to an email (by its MAC), known or not, and forgets the sends (of any
/// email) older than [`KEPT_SECONDS`].
pub fn record_code_send(
    tx: &Transaction<'_>,
    email_mac: &[u8],
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM one_time_code_sends WHERE sent_at <= ?1",
        params![now.saturating_sub(KEPT_SECONDS)],
    )?;
    tx.execute(
        "INSERT INTO one_time_code_sends (email_mac, sent_at) VALUES (?1, ?2)",
        params![email_mac, now],
    )?;
    Ok(())
}

/// When codes were sent to this email after `since`, oldest first.
pub fn code_sends_since(
    tx: &Transaction<'_>,
    email_mac: &[u8],
    since: Timestamp,
) -> Result<Vec<Timestamp>, StoreError> {
    let mut statement = tx.prepare(
        "SELECT sent_at FROM one_time_code_sends WHERE email_mac = ?1 AND sent_at > ?2
         ORDER BY sent_at",
    )?;
    let times = statement
        .query_map(params![email_mac, since], |row| row.get(0))?
        .collect::<Result<Vec<Timestamp>, _>>()?;
    Ok(times)
}

/// An email the sandbox "sent" on behalf of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxEmailRecord {
    pub id: String,
    pub session_id: String,
    /// The normalized address.
    pub to: String,
    pub subject: String,
    pub body: String,
    pub one_time_code: String,
    pub created: Timestamp,
}

impl SandboxEmailRecord {
    /// Puts the email in the sandbox inbox, and deletes the inbox's emails (to anyone) older
    /// than [`KEPT_SECONDS`].
    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "DELETE FROM sandbox_emails WHERE created <= ?1",
            params![self.created.saturating_sub(KEPT_SECONDS)],
        )?;
        tx.execute(
            "INSERT INTO sandbox_emails (id, session_id, to_address, subject, body,
                one_time_code, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                self.id,
                self.session_id,
                self.to,
                self.subject,
                self.body,
                self.one_time_code,
                self.created
            ],
        )?;
        Ok(())
    }

    /// The emails to `to` created after `since` for sessions of `integrator_id`, newest
    /// first.
    pub fn sent_to_since(
        tx: &Transaction<'_>,
        to: &str,
        since: Timestamp,
        integrator_id: &str,
    ) -> Result<Vec<Self>, StoreError> {
        let mut statement = tx.prepare(
            "SELECT e.id, e.session_id, e.to_address, e.subject, e.body, e.one_time_code,
                    e.created
             FROM sandbox_emails e JOIN sessions s ON s.id = e.session_id
             WHERE e.to_address = ?1 AND e.created > ?2 AND s.integrator_id = ?3
             ORDER BY e.created DESC, e.rowid DESC",
        )?;
        let emails = statement
            .query_map(params![to, since, integrator_id], |row| {
                Ok(Self {
                    id: row.get(0)?,
                    session_id: row.get(1)?,
                    to: row.get(2)?,
                    subject: row.get(3)?,
                    body: row.get(4)?,
                    one_time_code: row.get(5)?,
                    created: row.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(emails)
    }
}

//! The `events` table: every event, as the JSON body delivered to webhook endpoints and listed
//! at `GET /v1/events`, in the order they happened (`seq`).

use finlink_protocol::{EventType, Timestamp};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub seq: i64,
    pub id: String,
    pub kind: EventType,
    pub created: Timestamp,
    pub account_id: Option<String>,
    /// The event object exactly as delivered: every retry sends the same bytes.
    pub body_json: String,
    /// The integrator whose account it is about: it alone lists it and receives it.
    pub integrator_id: Option<String>,
}

const COLUMNS: &str = "seq, id, type, created, account_id, body_json, integrator_id";

impl EventRecord {
    /// Stores an event of `integrator_id`; returns its `seq`.
    pub fn insert(
        tx: &Transaction<'_>,
        id: &str,
        kind: EventType,
        created: Timestamp,
        account_id: Option<&str>,
        body_json: &str,
        integrator_id: Option<&str>,
    ) -> Result<i64, StoreError> {
        tx.execute(
            "INSERT INTO events (id, type, created, account_id, body_json, integrator_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                kind.as_str(),
                created,
                account_id,
                body_json,
                integrator_id
            ],
        )?;
        Ok(tx.last_insert_rowid())
    }

    /// An event of `integrator_id`.
    pub fn find(
        tx: &Transaction<'_>,
        integrator_id: &str,
        id: &str,
    ) -> Result<Option<Self>, StoreError> {
        tx.query_row(
            &format!("SELECT {COLUMNS} FROM events WHERE id = ?1 AND integrator_id = ?2"),
            params![id, integrator_id],
            raw_event,
        )
        .optional()?
        .map(RawEvent::decode)
        .transpose()
    }

    /// Up to `limit` events of `integrator_id`, newest first, of one type if given, older
    /// than `before_seq` if given.
    pub fn list(
        tx: &Transaction<'_>,
        integrator_id: &str,
        kind: Option<EventType>,
        before_seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Self>, StoreError> {
        let mut statement = tx.prepare(&format!(
            "SELECT {COLUMNS} FROM events
             WHERE (?1 IS NULL OR type = ?1) AND (?2 IS NULL OR seq < ?2) AND integrator_id = ?4
             ORDER BY seq DESC LIMIT ?3"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let raw = statement
            .query_map(
                params![
                    kind.map(EventType::as_str),
                    before_seq,
                    limit,
                    integrator_id
                ],
                raw_event,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(RawEvent::decode).collect()
    }
}

struct RawEvent {
    seq: i64,
    id: String,
    kind: String,
    created: Timestamp,
    account_id: Option<String>,
    body_json: String,
    integrator_id: Option<String>,
}

fn raw_event(row: &Row<'_>) -> rusqlite::Result<RawEvent> {
    Ok(RawEvent {
        seq: row.get(0)?,
        id: row.get(1)?,
        kind: row.get(2)?,
        created: row.get(3)?,
        account_id: row.get(4)?,
        body_json: row.get(5)?,
        integrator_id: row.get(6)?,
    })
}

impl RawEvent {
    fn decode(self) -> Result<EventRecord, StoreError> {
        Ok(EventRecord {
            kind: EventType::parse(&self.kind)
                .ok_or_else(|| StoreError::Invalid(format!("event type '{}'", self.kind)))?,
            seq: self.seq,
            id: self.id,
            created: self.created,
            account_id: self.account_id,
            body_json: self.body_json,
            integrator_id: self.integrator_id,
        })
    }
}

//! The `webhook_endpoints` and `webhook_deliveries` tables: where events go, and how each
//! event's delivery to each endpoint stands (pending with its next attempt, delivered,
//! failed for good, or cancelled with its endpoint).

use finlink_protocol::{EventType, Timestamp};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{StoreError, from_json, to_json};

/// The wildcard of `enabled_events`.
pub const ALL_EVENTS: &str = "*";

#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEndpointRecord {
    pub id: String,
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    /// The HMAC key of the signatures. Stored as is because signing needs it (see
    /// docs/integration.md); never sent again after creation, never logged.
    pub secret: String,
    pub created: Timestamp,
    /// The integrator that created it: it gets only that integrator's events.
    pub integrator_id: String,
}

impl std::fmt::Debug for WebhookEndpointRecord {
    /// The signing secret is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpointRecord")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("enabled_events", &self.enabled_events)
            .finish_non_exhaustive()
    }
}

const ENDPOINT_COLUMNS: &str =
    "id, url, enabled_events_json, description, secret, created, integrator_id";

impl WebhookEndpointRecord {
    /// Whether events of this type go to this endpoint.
    pub fn wants(&self, kind: EventType) -> bool {
        self.enabled_events
            .iter()
            .any(|name| name == ALL_EVENTS || name == kind.as_str())
    }

    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            params![
                self.id,
                self.url,
                to_json(&self.enabled_events)?,
                self.description,
                self.secret,
                self.created,
                self.integrator_id
            ],
        )?;
        Ok(())
    }

    /// An endpoint of `integrator_id` that was not deleted.
    pub fn find(
        tx: &Transaction<'_>,
        integrator_id: &str,
        id: &str,
    ) -> Result<Option<Self>, StoreError> {
        tx.query_row(
            &format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints
                 WHERE id = ?1 AND integrator_id = ?2 AND deleted_at IS NULL"
            ),
            params![id, integrator_id],
            raw_endpoint,
        )
        .optional()?
        .map(RawEndpoint::decode)
        .transpose()
    }

    /// Every endpoint of `integrator_id` not deleted, newest first.
    pub fn list(tx: &Transaction<'_>, integrator_id: &str) -> Result<Vec<Self>, StoreError> {
        let mut statement = tx.prepare(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints
             WHERE deleted_at IS NULL AND integrator_id = ?1
             ORDER BY created DESC, rowid DESC"
        ))?;
        let raw = statement
            .query_map(params![integrator_id], raw_endpoint)?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(RawEndpoint::decode).collect()
    }

    /// Deletes an endpoint of `integrator_id` and cancels its pending deliveries; `false` if
    /// it has none such.
    pub fn delete(
        tx: &Transaction<'_>,
        integrator_id: &str,
        id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = tx.execute(
            "UPDATE webhook_endpoints SET deleted_at = ?2, secret = ''
             WHERE id = ?1 AND integrator_id = ?3 AND deleted_at IS NULL",
            params![id, now, integrator_id],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        tx.execute(
            "UPDATE webhook_deliveries SET status = 'cancelled'
             WHERE endpoint_id = ?1 AND status = 'pending'",
            params![id],
        )?;
        Ok(changed > 0)
    }
}

struct RawEndpoint {
    id: String,
    url: String,
    enabled_events_json: String,
    description: Option<String>,
    secret: String,
    created: Timestamp,
    integrator_id: Option<String>,
}

fn raw_endpoint(row: &Row<'_>) -> rusqlite::Result<RawEndpoint> {
    Ok(RawEndpoint {
        id: row.get(0)?,
        url: row.get(1)?,
        enabled_events_json: row.get(2)?,
        description: row.get(3)?,
        secret: row.get(4)?,
        created: row.get(5)?,
        integrator_id: row.get(6)?,
    })
}

impl RawEndpoint {
    fn decode(self) -> Result<WebhookEndpointRecord, StoreError> {
        Ok(WebhookEndpointRecord {
            enabled_events: from_json(&self.enabled_events_json)?,
            id: self.id,
            url: self.url,
            description: self.description,
            secret: self.secret,
            created: self.created,
            integrator_id: self.integrator_id.unwrap_or_default(),
        })
    }
}

/// A delivery whose attempt is due, with what the attempt needs.
#[derive(Clone)]
pub struct DueDelivery {
    pub event_id: String,
    pub endpoint_id: String,
    pub url: String,
    pub secret: String,
    pub body_json: String,
    /// Attempts made so far.
    pub attempts: u32,
}

impl std::fmt::Debug for DueDelivery {
    /// The signing secret is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("event_id", &self.event_id)
            .field("endpoint_id", &self.endpoint_id)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// How an attempt ended, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered {
        status: u16,
    },
    /// Failed; retried at `retry_at`, or never again when `None`.
    Failed {
        status: Option<u16>,
        error: String,
        retry_at: Option<Timestamp>,
    },
}

pub struct Deliveries;

impl Deliveries {
    /// Queues an event for an endpoint, due at once.
    pub fn queue(
        tx: &Transaction<'_>,
        event_id: &str,
        endpoint_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO webhook_deliveries (event_id, endpoint_id, status, next_attempt_at)
             VALUES (?1, ?2, 'pending', ?3)",
            params![event_id, endpoint_id, now],
        )?;
        Ok(())
    }

    /// Up to `limit` pending deliveries due at `now`, oldest event first, each claimed until
    /// `claimed_until` so that no other pass takes it meanwhile. A delivery whose attempt is
    /// cut short (the server stops) is due again once the claim lapses: at least once.
    pub fn claim_due(
        tx: &Transaction<'_>,
        now: Timestamp,
        claimed_until: Timestamp,
        limit: usize,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let due = {
            let mut statement = tx.prepare(
                "SELECT d.event_id, d.endpoint_id, w.url, w.secret, e.body_json, d.attempts
                 FROM webhook_deliveries d
                 JOIN webhook_endpoints w ON w.id = d.endpoint_id
                 JOIN events e ON e.id = d.event_id
                 WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND w.deleted_at IS NULL
                 ORDER BY d.next_attempt_at, e.seq LIMIT ?2",
            )?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            statement
                .query_map(params![now, limit], |row| {
                    Ok(DueDelivery {
                        event_id: row.get(0)?,
                        endpoint_id: row.get(1)?,
                        url: row.get(2)?,
                        secret: row.get(3)?,
                        body_json: row.get(4)?,
                        attempts: row.get(5)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?
        };
        for delivery in &due {
            tx.execute(
                "UPDATE webhook_deliveries SET next_attempt_at = ?3
                 WHERE event_id = ?1 AND endpoint_id = ?2",
                params![delivery.event_id, delivery.endpoint_id, claimed_until],
            )?;
        }
        Ok(due)
    }

    /// Records an attempt. A delivery cancelled meanwhile (its endpoint deleted) stays so.
    pub fn record_attempt(
        tx: &Transaction<'_>,
        event_id: &str,
        endpoint_id: &str,
        now: Timestamp,
        outcome: &AttemptOutcome,
    ) -> Result<(), StoreError> {
        match outcome {
            AttemptOutcome::Delivered { status } => tx.execute(
                "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1,
                    last_attempt_at = ?3, last_response_status = ?4, last_error = NULL,
                    delivered_at = ?3
                 WHERE event_id = ?1 AND endpoint_id = ?2 AND status = 'pending'",
                params![event_id, endpoint_id, now, status],
            )?,
            AttemptOutcome::Failed {
                status,
                error,
                retry_at,
            } => tx.execute(
                "UPDATE webhook_deliveries SET
                    status = CASE WHEN ?5 IS NULL THEN 'failed' ELSE 'pending' END,
                    attempts = attempts + 1, last_attempt_at = ?3, last_response_status = ?4,
                    last_error = ?6, next_attempt_at = COALESCE(?5, next_attempt_at)
                 WHERE event_id = ?1 AND endpoint_id = ?2 AND status = 'pending'",
                params![event_id, endpoint_id, now, status, retry_at, error],
            )?,
        };
        Ok(())
    }
}

//! Who may call: the integrator's secret key, or a session's client secret that is still open.

use finlink_protocol::{SessionStatus, Timestamp};
use rusqlite::Transaction;

use crate::app::AppState;
use crate::error::ApiError;
use crate::secrets;
use crate::store::SessionRecord;

/// Checks `Authorization: Bearer sk_...` against the configured key, in constant time.
pub fn require_secret_key(state: &AppState, bearer: Option<&str>) -> Result<(), ApiError> {
    let key = bearer.ok_or(ApiError::SecretKeyMissing)?;
    if secrets::verify(key, &state.secret_key_hash) {
        Ok(())
    } else {
        Err(ApiError::SecretKeyInvalid)
    }
}

/// The separator between a session id and its random part in a client secret.
const SECRET_SEPARATOR: &str = "_secret_";

/// A new client secret for session `id`: the id lets the server find the row, the random
/// part (48 characters, ~285 bits) is the capability.
pub fn new_client_secret(session_id: &str) -> String {
    format!(
        "{session_id}{SECRET_SEPARATOR}{}",
        secrets::random_token(48)
    )
}

/// Session lifetimes, as configured.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle_seconds: i64,
    pub max_age_seconds: i64,
}

impl Lifetimes {
    pub fn of(state: &AppState) -> Self {
        Self {
            idle_seconds: state.session_idle_seconds,
            max_age_seconds: state.session_max_age_seconds,
        }
    }

    /// When a session expires if nothing more happens.
    pub fn expires_at(self, session: &SessionRecord) -> Timestamp {
        (session.last_active + self.idle_seconds).min(session.created + self.max_age_seconds)
    }

    /// The status as of `now`: an open session past its expiry is expired.
    pub fn status(self, session: &SessionRecord, now: Timestamp) -> SessionStatus {
        match session.status {
            SessionStatus::Open if now >= self.expires_at(session) => SessionStatus::Expired,
            status => status,
        }
    }
}

/// Finds the open session a client secret opens, and marks it active. Every refusal is
/// indistinguishable in timing from the others (the hash comparison is constant-time).
pub fn open_session(
    tx: &Transaction<'_>,
    client_secret: Option<&str>,
    lifetimes: Lifetimes,
    now: Timestamp,
) -> Result<SessionRecord, ApiError> {
    let secret = client_secret.ok_or(ApiError::ClientSecretInvalid)?;
    let (session_id, _) = secret
        .split_once(SECRET_SEPARATOR)
        .ok_or(ApiError::ClientSecretInvalid)?;
    let mut session = SessionRecord::find(tx, session_id)?.ok_or(ApiError::ClientSecretInvalid)?;
    if !secrets::verify(secret, &session.secret_hash) {
        return Err(ApiError::ClientSecretInvalid);
    }
    match lifetimes.status(&session, now) {
        SessionStatus::Open => {}
        SessionStatus::Expired => return Err(ApiError::SessionExpired),
        SessionStatus::Completed => return Err(ApiError::SessionCompleted),
        SessionStatus::Cancelled => return Err(ApiError::SessionCancelled),
    }
    session.last_active = now;
    session.update(tx)?;
    Ok(session)
}

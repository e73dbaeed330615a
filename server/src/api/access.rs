//! Who may call: an integrator's secret key, or a session's client secret that is still open.
//! What an integrator may reach: only its own sessions, accounts and their data.

use finlink_protocol::{SessionStatus, Timestamp};
use rusqlite::Transaction;

use crate::app::AppState;
use crate::config::Integrator;
use crate::error::ApiError;
use crate::secrets;
use crate::store::{AccountRecord, SessionRecord, integrators};

/// The integrator a request comes from, as its secret key says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub integrator_id: String,
    /// Shown on the consent screen of the sessions it creates.
    pub business_name: String,
}

/// A configured integrator: who it is, and its secret key only as its hash.
pub struct KnownIntegrator {
    caller: Caller,
    key_hash: Vec<u8>,
}

impl KnownIntegrator {
    /// Keeps what the configuration says of the integrator, and its secret key only hashed.
    pub fn new(integrator: &Integrator) -> Self {
        Self {
            caller: Caller {
                integrator_id: integrator.id.clone(),
                business_name: integrator.business_name.clone(),
            },
            key_hash: secrets::hash(&integrator.secret_key),
        }
    }

    /// Who calls when a request carries this integrator's key.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }
}

/// Checks `Authorization: Bearer sk_...` against every configured key: hashed once, compared
/// with each in constant time (all are compared, whichever matches); answers the integrator
/// it belongs to.
pub fn require_secret_key(state: &AppState, bearer: Option<&str>) -> Result<Caller, ApiError> {
    let key = secrets::hash(bearer.ok_or(ApiError::SecretKeyMissing)?);
    let mut found = None;
    for integrator in &state.integrators {
        if secrets::same_hash(&key, &integrator.key_hash) && found.is_none() {
            found = Some(integrator.caller.clone());
        }
    }
    found.ok_or(ApiError::SecretKeyInvalid)
}

/// A session of `caller`'s; another integrator's is missing, exactly like one that never was.
pub fn own_session(
    tx: &Transaction<'_>,
    caller: &Caller,
    id: String,
) -> Result<SessionRecord, ApiError> {
    match SessionRecord::find(tx, &id)? {
        Some(session) if session.integrator_id == caller.integrator_id => Ok(session),
        _ => Err(ApiError::ResourceMissing {
            kind: "session",
            id,
        }),
    }
}

/// Whether `account` was linked in a session of `caller`'s.
pub fn owns_account(
    tx: &Transaction<'_>,
    caller: &Caller,
    account: &AccountRecord,
) -> Result<bool, ApiError> {
    Ok(integrators::of_account(tx, &account.id)?.as_deref() == Some(caller.integrator_id.as_str()))
}

/// A linked account of `caller`'s, by the id the integrator knows; another integrator's is
/// missing, exactly like one that never was.
pub fn own_linked_account(
    tx: &Transaction<'_>,
    caller: &Caller,
    id: String,
) -> Result<AccountRecord, ApiError> {
    match AccountRecord::find_linked(tx, &id)? {
        Some(account) if owns_account(tx, caller, &account)? => Ok(account),
        _ => Err(ApiError::ResourceMissing {
            kind: "account",
            id,
        }),
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

/// The session a client secret opens, whatever its status. Every refusal is
/// indistinguishable in timing from the others (the hash comparison is constant-time).
fn authenticated_session(
    tx: &Transaction<'_>,
    client_secret: Option<&str>,
) -> Result<SessionRecord, ApiError> {
    let secret = client_secret.ok_or(ApiError::ClientSecretInvalid)?;
    let (session_id, _) = secret
        .split_once(SECRET_SEPARATOR)
        .ok_or(ApiError::ClientSecretInvalid)?;
    let session = SessionRecord::find(tx, session_id)?.ok_or(ApiError::ClientSecretInvalid)?;
    if !secrets::verify(secret, &session.secret_hash) {
        return Err(ApiError::ClientSecretInvalid);
    }
    Ok(session)
}

/// Marks an open session active; refuses the others as the link API refuses them.
fn activate(
    tx: &Transaction<'_>,
    mut session: SessionRecord,
    lifetimes: Lifetimes,
    now: Timestamp,
) -> Result<SessionRecord, ApiError> {
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

/// Finds the open session a client secret opens, and marks it active.
pub fn open_session(
    tx: &Transaction<'_>,
    client_secret: Option<&str>,
    lifetimes: Lifetimes,
    now: Timestamp,
) -> Result<SessionRecord, ApiError> {
    let session = authenticated_session(tx, client_secret)?;
    activate(tx, session, lifetimes, now)
}

/// Finds the session a client secret opens where the person may still save what it linked:
/// open (marked active), or completed within its maximum age (the success screen follows
/// completion). Expired and cancelled sessions are refused as `open_session` refuses them.
pub fn open_or_completed_session(
    tx: &Transaction<'_>,
    client_secret: Option<&str>,
    lifetimes: Lifetimes,
    now: Timestamp,
) -> Result<SessionRecord, ApiError> {
    let session = authenticated_session(tx, client_secret)?;
    match lifetimes.status(&session, now) {
        SessionStatus::Completed
            if now < session.created.saturating_add(lifetimes.max_age_seconds) =>
        {
            Ok(session)
        }
        _ => activate(tx, session, lifetimes, now),
    }
}

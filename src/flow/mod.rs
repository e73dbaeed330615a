//! The sans-IO core of the authentication flow: a pure function from a state and an event to
//! the next state and the effects to run (DESIGN §2).
//!
//! Nothing here touches the DOM, the network or a clock: the driver in [`crate::ui`] runs the
//! [`Effect`]s and feeds what happened back as [`Event`]s. So every transition is tested natively
//! with plain `cargo test`.
//!
//! For now the flow only loads the link session and shows the consent step; later steps
//! (institution search, bank login, account selection) grow these types.

use finlink_protocol::{ErrorCode, LinkSession, SessionStatus};

#[cfg(test)]
mod tests;

/// What the flow awaits, with the data it needs inside the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// The link session is being fetched.
    Loading,
    /// The person reads what the business asks for.
    Consent { session: Box<LinkSession> },
    /// Something went wrong; `retry` says whether trying again can help.
    Failed { error: Failure, retry: bool },
}

impl State {
    /// A short name for diagnostics.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Consent { .. } => "consent",
            Self::Failed { .. } => "failed",
        }
    }
}

/// Everything that can happen: what the person does and what IO answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The link API answered `GET /v1/link/session`.
    SessionLoaded(Box<LinkSession>),
    /// A call to the link API failed.
    ApiFailed { error: Failure, retryable: bool },
    /// The person asked to try again.
    Retry,
}

impl Event {
    /// A short name for diagnostics.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SessionLoaded(_) => "session_loaded",
            Self::ApiFailed { .. } => "api_failed",
            Self::Retry => "retry",
        }
    }
}

/// What the driver must do; data, never done in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Fetch the link session (`GET /v1/link/session`), then send `SessionLoaded` or
    /// `ApiFailed`.
    LoadSession,
    /// The event did not apply in this state; the state is unchanged. Drivers may log it.
    Ignored {
        state: &'static str,
        event: &'static str,
    },
}

/// Why the flow cannot go on, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The API's error code; `None` when no answer could be had or read.
    pub code: Option<ErrorCode>,
    /// What to tell the person.
    pub message: String,
}

/// The state the flow starts in and the effects that get it going.
pub fn start() -> (State, Vec<Effect>) {
    (State::Loading, vec![Effect::LoadSession])
}

/// The transition function: the only way the flow state changes.
pub fn step(state: State, event: Event) -> (State, Vec<Effect>) {
    match (state, event) {
        (State::Loading, Event::SessionLoaded(session)) => session_loaded(session),
        (State::Loading, Event::ApiFailed { error, retryable }) => (
            State::Failed {
                error,
                retry: retryable,
            },
            Vec::new(),
        ),
        (State::Failed { retry: true, .. }, Event::Retry) => start(),

        // Events that do not apply: the state stays as it is.
        (state @ State::Loading, event @ Event::Retry)
        | (state @ State::Consent { .. }, event @ Event::SessionLoaded(_))
        | (state @ State::Consent { .. }, event @ Event::ApiFailed { .. })
        | (state @ State::Consent { .. }, event @ Event::Retry)
        | (state @ State::Failed { .. }, event @ Event::SessionLoaded(_))
        | (state @ State::Failed { .. }, event @ Event::ApiFailed { .. })
        | (state @ State::Failed { retry: false, .. }, event @ Event::Retry) => {
            ignored(state, &event)
        }
    }
}

fn session_loaded(session: Box<LinkSession>) -> (State, Vec<Effect>) {
    let ended = |code, message: &str| {
        let error = Failure {
            code: Some(code),
            message: message.to_owned(),
        };
        (
            State::Failed {
                error,
                retry: false,
            },
            Vec::new(),
        )
    };
    match session.status {
        SessionStatus::Open => (State::Consent { session }, Vec::new()),
        SessionStatus::Completed => ended(
            ErrorCode::SessionCompleted,
            "This link was already used. Go back and start again.",
        ),
        SessionStatus::Cancelled => ended(
            ErrorCode::SessionCancelled,
            "This link was cancelled. Go back and start again.",
        ),
        SessionStatus::Expired => ended(
            ErrorCode::SessionExpired,
            "This link has expired. Go back and start again.",
        ),
    }
}

fn ignored(state: State, event: &Event) -> (State, Vec<Effect>) {
    let effect = Effect::Ignored {
        state: state.name(),
        event: event.name(),
    };
    (state, vec![effect])
}

//! The sans-IO core of the authentication flow (DESIGN §2): a pure function from a state and
//! an event to the next state and the effects to run.
//!
//! Nothing here touches the DOM, the network or a clock: the driver in `ui` runs the
//! [`Effect`]s and feeds what happened back as [`Event`]s, with time, randomness and ids as
//! event data. So every transition is tested natively with plain `cargo test`, like
//! quinn-proto, str0m and rustls test theirs.

mod effect;
mod event;
mod failure;
mod returning;
mod state;
mod step;

#[cfg(test)]
mod tests;

pub use effect::{Effect, HostEvent, Outcome};
pub use event::{Event, Request};
pub use failure::Failure;
pub use returning::{
    CodeRequest, PHONE_INVALID, ReturningUserEvent, SaveError, SaveField, SaveOffer, save_email,
};
pub use state::{
    CredentialsForm, Directory, HOLDER_NAME_MAX, Handoff, LocalDirectory, ManualField, ManualForm,
    ManualInput, MfaForm, Refusal, Results, Retry, SEARCH_LIMIT, Session, State, manual_entry_only,
    offers_manual_entry,
};
pub use step::{
    POLL_INTERVAL_MS, TOO_MANY_CODES, code_attempts_exhausted, pending_verification, start, step,
};

//! What the flow awaits, with the data it needs inside each variant.

use std::collections::BTreeSet;
use std::sync::Arc;

use finlink_protocol::{Institution, LinkAccount, LinkResult, LinkSession, MfaChallenge};

use super::{Effect, Failure};

/// The link session, shared by every step after it loaded (business name, permissions).
pub type Session = Arc<LinkSession>;

/// The flow's state: named for what it awaits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// The link session is being fetched.
    Loading,
    /// The person reads what the business asks for; `submitting` while consent is recorded.
    Consent { session: Session, submitting: bool },
    /// The person looks for their bank.
    SelectInstitution {
        session: Session,
        query: String,
        results: Results,
        featured: Vec<Institution>,
        /// Where searches run: at the server until the directory file is here.
        directory: Directory,
    },
    /// An authorization is being started at the chosen bank.
    StartingAuthorization {
        session: Session,
        institution: Box<Institution>,
    },
    /// OAuth: the person continues at the bank's own page.
    OAuth {
        session: Session,
        institution: Box<Institution>,
        authorization: String,
        oauth_url: String,
        handoff: Handoff,
    },
    /// The bank's username and password form.
    Credentials {
        session: Session,
        institution: Box<Institution>,
        authorization: String,
        form: CredentialsForm,
    },
    /// The bank asks a second factor.
    Mfa {
        session: Session,
        institution: Box<Institution>,
        authorization: String,
        challenge: MfaChallenge,
        form: MfaForm,
    },
    /// The bank authorized; the accounts it shared are being fetched.
    LoadingAccounts {
        session: Session,
        institution: Box<Institution>,
        authorization: String,
    },
    /// The person picks the accounts to link.
    SelectAccounts {
        session: Session,
        institution: Box<Institution>,
        authorization: String,
        accounts: Vec<LinkAccount>,
        selected: BTreeSet<String>,
        /// Why the last confirmation did not go through.
        error: Option<Failure>,
    },
    /// The chosen accounts are being linked and the session completed; a retry reuses the key.
    Linking {
        session: Session,
        institution: Box<Institution>,
        authorization: String,
        accounts: Vec<LinkAccount>,
        selected: BTreeSet<String>,
        idempotency_key: String,
    },
    /// Linked: the person sees the accounts and presses Done.
    Success {
        session: Session,
        result: LinkResult,
    },
    /// Something went wrong. `retry` is what Retry re-runs (then the flow awaits `resume`);
    /// without it, the person can pick another bank (with a session) or close.
    Failed {
        session: Option<Session>,
        error: Failure,
        retry: Option<Retry>,
    },
    /// The person closed the flow; the session is being cancelled.
    Cancelling { session: Session },
    /// The flow is over; the host has its outcome.
    Finished,
}

/// A failed request to run again, and the state that awaits its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    pub effect: Effect,
    pub resume: Box<State>,
}

/// What the search list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Results {
    /// The query is empty: the featured institutions.
    Featured,
    /// A query was sent; the previous results stay visible until the answer.
    Searching { previous: Vec<Institution> },
    /// The institutions matching the query.
    Found(Vec<Institution>),
    /// Nothing matches: the person can change the query.
    NoResults,
    /// The search failed; typing again retries.
    Failed(Failure),
}

/// How many banks a search shows, whether the server or the widget answers it.
pub const SEARCH_LIMIT: usize = 10;

/// Where the bank list's searches run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directory {
    /// The directory file is on its way (`Effect::LoadDirectory`); the server searches
    /// meanwhile.
    Loading,
    /// The directory file is here: every keystroke is answered in the widget, at once, with
    /// no request.
    Local(LocalDirectory),
    /// The file cannot be had (the request failed, the directory is too large to ship, the
    /// file does not decode): the server searches, with the same ranking.
    Server,
}

/// A decoded directory file and its index ([`finlink_search::Catalog`]), shared and never
/// copied. Two handles are equal when they hold the same file.
#[derive(Clone)]
pub struct LocalDirectory(Arc<finlink_search::Catalog>);

impl LocalDirectory {
    pub fn new(catalog: finlink_search::Catalog) -> Self {
        Self(Arc::new(catalog))
    }

    /// Decodes and indexes a directory file (`GET /v1/link/directory`).
    pub fn decode(text: &str) -> Result<Self, finlink_search::format::FormatError> {
        finlink_search::Catalog::decode(text).map(Self::new)
    }

    pub fn catalog(&self) -> &finlink_search::Catalog {
        &self.0
    }
}

impl PartialEq for LocalDirectory {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for LocalDirectory {}

impl std::fmt::Debug for LocalDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LocalDirectory({} institutions)", self.0.records().len())
    }
}

/// The OAuth hand-off: before the bank's window opens, and while the person is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handoff {
    /// "You'll continue at {bank}": the person presses Continue.
    Ready,
    /// The bank's window is open; the flow polls the authorization.
    Waiting { popup_blocked: bool },
    /// The bank's window was blocked: the login continues at the bank in this tab, started
    /// again in redirect mode, and comes back to the session's `return_url`.
    Redirecting,
}

/// The credentials form: what the person typed stays (never the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsForm {
    pub username: String,
    pub error: Option<Failure>,
    pub attempts_remaining: u32,
    pub submitting: bool,
}

/// The second-factor form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaForm {
    pub error: Option<Failure>,
    pub attempts_remaining: u32,
    pub submitting: bool,
}

impl State {
    /// A short name, for diagnostics and `Effect::Ignored`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Consent { .. } => "consent",
            Self::SelectInstitution { .. } => "select_institution",
            Self::StartingAuthorization { .. } => "starting_authorization",
            Self::OAuth { .. } => "oauth",
            Self::Credentials { .. } => "credentials",
            Self::Mfa { .. } => "mfa",
            Self::LoadingAccounts { .. } => "loading_accounts",
            Self::SelectAccounts { .. } => "select_accounts",
            Self::Linking { .. } => "linking",
            Self::Success { .. } => "success",
            Self::Failed { .. } => "failed",
            Self::Cancelling { .. } => "cancelling",
            Self::Finished => "finished",
        }
    }

    /// The session, once loaded.
    pub fn session(&self) -> Option<&Session> {
        match self {
            Self::Consent { session, .. }
            | Self::SelectInstitution { session, .. }
            | Self::StartingAuthorization { session, .. }
            | Self::OAuth { session, .. }
            | Self::Credentials { session, .. }
            | Self::Mfa { session, .. }
            | Self::LoadingAccounts { session, .. }
            | Self::SelectAccounts { session, .. }
            | Self::Linking { session, .. }
            | Self::Success { session, .. }
            | Self::Cancelling { session } => Some(session),
            Self::Failed { session, .. } => session.as_ref(),
            Self::Loading | Self::Finished => None,
        }
    }

    /// Whether Close does something from here (it does until the flow is ending).
    pub fn can_close(&self) -> bool {
        !matches!(self, Self::Cancelling { .. } | Self::Finished)
    }

    /// Whether Back leads somewhere from here.
    pub fn can_go_back(&self) -> bool {
        match self {
            Self::SelectInstitution { .. }
            | Self::OAuth { .. }
            | Self::Credentials { .. }
            | Self::Mfa { .. }
            | Self::SelectAccounts { .. } => true,
            // The same condition as `step` applies to Back from a failure.
            Self::Failed { session, error, .. } => {
                !error.ends_session()
                    && session
                        .as_ref()
                        .is_some_and(|session| session.consent_given)
            }
            Self::Loading
            | Self::Consent { .. }
            | Self::StartingAuthorization { .. }
            | Self::LoadingAccounts { .. }
            | Self::Linking { .. }
            | Self::Success { .. }
            | Self::Cancelling { .. }
            | Self::Finished => false,
        }
    }
}

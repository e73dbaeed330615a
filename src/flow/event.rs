//! Everything that can happen: what the person does and what IO answers.

use finlink_protocol::{Authorization, Institution, LinkAccount, LinkResult, LinkSession};

use super::{Failure, LocalDirectory, ManualInput, ReturningUserEvent};

/// An input of the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    // What the person does.
    /// Continue on the consent screen.
    ConsentGiven,
    /// The search field changed.
    QueryChanged(String),
    /// A search result was picked.
    InstitutionChosen(Box<Institution>),
    /// Continue on the OAuth hand-off screen, or "Reopen window" while waiting.
    ContinueToBank,
    /// The credentials form was submitted. The password lives only in this event and the
    /// effect that sends it.
    CredentialsSubmitted {
        username: String,
        password: String,
    },
    /// The second-factor form was submitted.
    MfaAnswered(String),
    /// An account's checkbox (or radio) was toggled.
    AccountToggled(String),
    /// "Link accounts"; the key makes a retried attach link once.
    AccountsConfirmed {
        idempotency_key: String,
    },
    Back,
    /// Close the flow, at any step.
    Cancel,
    Retry,
    /// "Done" on the success screen.
    Done,
    /// "Enter bank details manually", on the bank list or after the bank failed.
    ManualEntryChosen,
    /// A field of the manual entry form changed.
    ManualInputChanged(ManualInput),
    /// Continue on the manual entry form; the key makes a resent request create the account
    /// once.
    ManualDetailsSubmitted {
        idempotency_key: String,
    },
    /// What the person does on the saved-accounts path or the save offer, and what IO answers
    /// there.
    ReturningUser(ReturningUserEvent),

    // What IO answers.
    SessionLoaded(Box<LinkSession>),
    ConsentRecorded(Box<LinkSession>),
    InstitutionsLoaded {
        query: String,
        institutions: Vec<Institution>,
    },
    /// The directory file arrived and decoded, or it cannot be had (`None`: the request
    /// failed, the directory is too large to ship, the file does not decode).
    DirectoryLoaded(Option<LocalDirectory>),
    AuthorizationUpdated(Box<Authorization>),
    AccountsLoaded(Vec<LinkAccount>),
    /// The accounts were attached; completion follows.
    Linked(LinkResult),
    /// The account entered by hand was created; completion follows.
    ManualAccountCreated(LinkResult),
    /// The session completed.
    Completed(LinkResult),
    /// The session was cancelled, with the accounts linked before, if any.
    SessionCancelled(Option<LinkResult>),
    ApiFailed {
        request: Request,
        error: Failure,
        retryable: bool,
    },
    /// The poll timer fired.
    TimerFired,
    /// `window.open` returned nothing.
    PopupBlocked,
    /// The browser went offline (`false`) or back online (`true`).
    Connectivity(bool),
}

/// Which request an `ApiFailed` answers, so a late answer is never taken for another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    LoadSession,
    GiveConsent,
    Search,
    StartAuthorization,
    SubmitCredentials,
    SubmitMfa,
    PollAuthorization,
    LoadAccounts,
    AttachAccounts,
    CreateManualAccount,
    Complete,
    CancelSession,
    SendCode,
    VerifyCode,
    LoadSavedAccounts,
    AttachSavedAccounts,
    ForgetSavedAccounts,
    DeclineSavedAccounts,
    SaveAccounts,
}

impl Event {
    /// A short name, for diagnostics and `Effect::Ignored`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ConsentGiven => "consent_given",
            Self::QueryChanged(_) => "query_changed",
            Self::InstitutionChosen(_) => "institution_chosen",
            Self::ContinueToBank => "continue_to_bank",
            Self::CredentialsSubmitted { .. } => "credentials_submitted",
            Self::MfaAnswered(_) => "mfa_answered",
            Self::AccountToggled(_) => "account_toggled",
            Self::AccountsConfirmed { .. } => "accounts_confirmed",
            Self::Back => "back",
            Self::Cancel => "cancel",
            Self::Retry => "retry",
            Self::Done => "done",
            Self::ManualEntryChosen => "manual_entry_chosen",
            Self::ManualInputChanged(_) => "manual_input_changed",
            Self::ManualDetailsSubmitted { .. } => "manual_details_submitted",
            Self::ReturningUser(event) => event.name(),
            Self::SessionLoaded(_) => "session_loaded",
            Self::ConsentRecorded(_) => "consent_recorded",
            Self::InstitutionsLoaded { .. } => "institutions_loaded",
            Self::DirectoryLoaded(_) => "directory_loaded",
            Self::AuthorizationUpdated(_) => "authorization_updated",
            Self::AccountsLoaded(_) => "accounts_loaded",
            Self::Linked(_) => "linked",
            Self::ManualAccountCreated(_) => "manual_account_created",
            Self::Completed(_) => "completed",
            Self::SessionCancelled(_) => "session_cancelled",
            Self::ApiFailed { .. } => "api_failed",
            Self::TimerFired => "timer_fired",
            Self::PopupBlocked => "popup_blocked",
            Self::Connectivity(_) => "connectivity",
        }
    }
}

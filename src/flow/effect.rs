//! What the driver must do: data, never done in place.

use finlink_protocol::{
    ErrorCode, LinkResult, ManualAccountRequest, Permission, SaveAccountsRequest,
};

use super::Failure;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// `GET /v1/link/session` → `SessionLoaded` or `ApiFailed`.
    LoadSession,
    /// `POST /v1/link/consent` → `ConsentRecorded`.
    GiveConsent { permissions: Vec<Permission> },
    /// `GET /v1/link/institutions?query=` → `InstitutionsLoaded` (featured for an empty query).
    Search { query: String },
    /// `GET /v1/link/directory`, decoded → `DirectoryLoaded`. Never before the screen shown
    /// with it is painted (its decoding holds the page's thread), and one request per page: the
    /// driver answers again with the file it got (or without).
    LoadDirectory,
    /// `POST /v1/link/authorizations` → `AuthorizationUpdated`.
    StartAuthorization { institution: String },
    /// Open the bank's page in a popup, synchronously inside the click handler that caused
    /// it (browsers block popups opened later); `PopupBlocked` if it could not open.
    OpenPopup { url: String },
    /// `POST /v1/link/authorizations` in redirect mode, for a login that leaves this page
    /// because the bank's window was blocked: the bank comes back to the session's
    /// `return_url` → `AuthorizationUpdated` (failures as `Request::StartAuthorization`).
    StartRedirectAuthorization { institution: String },
    /// Leave for the bank's page in this tab: the top page navigates (through the loader when
    /// the widget is in its iframe). Nothing comes back; on return the widget resumes from
    /// the server's state.
    Redirect { url: String },
    /// `POST .../credentials` → `AuthorizationUpdated`. The password is never stored.
    SubmitCredentials {
        authorization: String,
        username: String,
        password: String,
    },
    /// `POST .../mfa` → `AuthorizationUpdated`.
    SubmitMfa {
        authorization: String,
        answer: String,
    },
    /// `GET .../authorizations/{id}` → `AuthorizationUpdated`.
    PollAuthorization { authorization: String },
    /// Fire `TimerFired` after this many milliseconds (one timer at a time).
    StartTimer { after_ms: u32 },
    /// `GET .../accounts` → `AccountsLoaded`.
    LoadAccounts { authorization: String },
    /// `POST .../attach` with `Idempotency-Key` → `Linked`.
    AttachAccounts {
        authorization: String,
        accounts: Vec<String>,
        idempotency_key: String,
    },
    /// `POST /v1/link/manual_accounts` with `Idempotency-Key` → `ManualAccountCreated`.
    CreateManualAccount {
        request: ManualAccountRequest,
        idempotency_key: String,
    },
    /// `POST /v1/link/complete` → `Completed`.
    Complete,
    /// `POST /v1/link/cancel` → `SessionCancelled`.
    CancelSession,
    /// `POST /v1/link/returning_user/code` → `CodeSent`.
    SendCode,
    /// `POST /v1/link/returning_user/verify` → `CodeChecked`.
    VerifyCode { code: String },
    /// `GET /v1/link/returning_user/accounts` → `SavedAccountsLoaded`.
    LoadSavedAccounts,
    /// `POST /v1/link/returning_user/attach` with `Idempotency-Key` → `Linked`.
    AttachSavedAccounts {
        accounts: Vec<String>,
        idempotency_key: String,
    },
    /// `POST /v1/link/returning_user/forget` → `Forgotten`.
    ForgetSavedAccounts,
    /// `POST /v1/link/returning_user/decline` → `Declined`: the person chose "Use another
    /// account", so a reload does not offer the saved accounts again. Nothing awaits it: the
    /// normal flow goes on at once, and a failure is ignored.
    DeclineSavedAccounts,
    /// `POST /v1/link/returning_user/save` → `AccountsSaved`.
    SaveAccounts { request: SaveAccountsRequest },
    /// Tell the host page, in real time.
    Emit(HostEvent),
    /// Say it to screen readers (`aria-live`).
    Announce(String),
    /// The flow is over: resolve the host's promise (exactly once).
    Finish(Outcome),
    /// The event did not apply in this state; the state is unchanged. Drivers may log it.
    Ignored {
        state: &'static str,
        event: &'static str,
    },
}

/// The events of DESIGN §5, sent to the host page as they happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostEvent {
    Open,
    ConsentAcquired,
    SearchInitiated,
    InstitutionSelected {
        institution: String,
        institution_name: String,
    },
    FlowLaunchedInBrowser,
    InstitutionAuthorized,
    AccountsSelected {
        count: usize,
    },
    /// The manual entry form opened.
    ManualEntryInitiated,
    /// The session's email has saved accounts: the offer shows.
    ReturningUserDetected,
    /// The person typed the right one-time code.
    ReturningUserVerified,
    Success,
    Cancel,
    Error {
        error_code: Option<ErrorCode>,
    },
}

impl HostEvent {
    /// The event's name, as the host receives it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::ConsentAcquired => "consent_acquired",
            Self::SearchInitiated => "search_initiated",
            Self::InstitutionSelected { .. } => "institution_selected",
            Self::FlowLaunchedInBrowser => "flow_launched_in_browser",
            Self::InstitutionAuthorized => "institution_authorized",
            Self::AccountsSelected { .. } => "accounts_selected",
            Self::ManualEntryInitiated => "manual_entry_initiated",
            Self::ReturningUserDetected => "returning_user_detected",
            Self::ReturningUserVerified => "returning_user_verified",
            Self::Success => "success",
            Self::Cancel => "cancel",
            Self::Error { .. } => "error",
        }
    }
}

/// How the flow ended, as the host's promise resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accounts were linked and the session completed.
    Linked(LinkResult),
    /// The person closed the flow; the session may hold accounts linked before.
    Cancelled(Option<LinkResult>),
    /// The flow could not go on.
    Failed(Failure),
}

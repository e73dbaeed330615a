//! What the flow awaits, with the data it needs inside each variant.

use std::collections::BTreeSet;
use std::sync::Arc;

use finlink_protocol::{
    BankAccountType, Institution, LinkAccount, LinkResult, LinkSession, ManualAccountRequest,
    MfaChallenge, OneTimeCodeChallenge, SavedAccount, VerificationMethod,
};

use super::{CodeRequest, Effect, Failure, SaveOffer};

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
    /// The person types the account's details by hand (the session's `verification_method`
    /// allows it). `directory` names the bank of a routing number once the file is here.
    ManualEntry {
        session: Session,
        form: Box<ManualForm>,
        directory: Directory,
    },
    /// The account entered by hand was created; the session is being completed.
    Completing { session: Session },
    /// The session's email has saved accounts: "Welcome back", before consent.
    ReturningUserOffer { session: Session },
    /// A one-time code is being sent to the session's email.
    SendingCode { session: Session },
    /// The person types the code sent to their email. `challenge` is `None` when no code
    /// could be sent (the error says why).
    AwaitingCode {
        session: Session,
        challenge: Option<Box<OneTimeCodeChallenge>>,
        code: String,
        submitting: Option<CodeRequest>,
        error: Option<Failure>,
    },
    /// The code was right: the saved accounts are being fetched (a reload resumes here).
    LoadingSavedAccounts { session: Session },
    /// The person picks saved accounts to link to this business.
    SelectSavedAccounts {
        session: Session,
        accounts: Vec<SavedAccount>,
        selected: BTreeSet<String>,
        error: Option<Failure>,
    },
    /// Consent for this business and its permissions, listing the chosen accounts.
    /// `submitting` holds the idempotency key of the link while consent is recorded.
    SavedAccountsConsent {
        session: Session,
        chosen: Vec<SavedAccount>,
        submitting: Option<String>,
    },
    /// The chosen saved accounts are being linked and the session completed; a retry reuses
    /// the key.
    LinkingSavedAccounts {
        session: Session,
        chosen: Vec<SavedAccount>,
        idempotency_key: String,
    },
    /// The person's saved accounts are being forgotten.
    ForgettingSavedAccounts { session: Session },
    /// Linked: the person sees the accounts and presses Done. `save` is the offer to save
    /// accounts linked at a bank with finlink (`None` after manual entry or saved accounts).
    Success {
        session: Session,
        result: LinkResult,
        save: Option<SaveOffer>,
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
            Self::ManualEntry { .. } => "manual_entry",
            Self::Completing { .. } => "completing",
            Self::ReturningUserOffer { .. } => "returning_user_offer",
            Self::SendingCode { .. } => "sending_code",
            Self::AwaitingCode { .. } => "awaiting_code",
            Self::LoadingSavedAccounts { .. } => "loading_saved_accounts",
            Self::SelectSavedAccounts { .. } => "select_saved_accounts",
            Self::SavedAccountsConsent { .. } => "saved_accounts_consent",
            Self::LinkingSavedAccounts { .. } => "linking_saved_accounts",
            Self::ForgettingSavedAccounts { .. } => "forgetting_saved_accounts",
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
            | Self::ManualEntry { session, .. }
            | Self::Completing { session }
            | Self::ReturningUserOffer { session }
            | Self::SendingCode { session }
            | Self::AwaitingCode { session, .. }
            | Self::LoadingSavedAccounts { session }
            | Self::SelectSavedAccounts { session, .. }
            | Self::SavedAccountsConsent { session, .. }
            | Self::LinkingSavedAccounts { session, .. }
            | Self::ForgettingSavedAccounts { session }
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
            // Back to the bank list, unless the session offers nothing but manual entry, or
            // while the details are being sent.
            Self::ManualEntry { session, form, .. } => {
                !manual_entry_only(session) && form.submitting.is_none()
            }
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
            | Self::Completing { .. }
            | Self::ReturningUserOffer { .. }
            | Self::SendingCode { .. }
            | Self::AwaitingCode { .. }
            | Self::LoadingSavedAccounts { .. }
            | Self::SelectSavedAccounts { .. }
            | Self::SavedAccountsConsent { .. }
            | Self::LinkingSavedAccounts { .. }
            | Self::ForgettingSavedAccounts { .. }
            | Self::Success { .. }
            | Self::Cancelling { .. }
            | Self::Finished => false,
        }
    }

    /// Whether "Use another account" leads somewhere from here: a failure that leaves the
    /// session open, while it offers saved accounts and "Pick another bank" is not offered
    /// (before consent). The same condition as `step` applies to
    /// `ReturningUserEvent::AnotherAccountChosen`.
    pub fn offers_another_account(&self) -> bool {
        match self {
            Self::Failed {
                session: Some(session),
                error,
                ..
            } => offers_another_account(session, error),
            _ => false,
        }
    }

    /// Whether "Enter bank details manually" leads somewhere from here: the bank list, and a
    /// failure of the bank (down, failed, locked, denied), when the session allows manual
    /// entry. The same condition as `step` applies to `Event::ManualEntryChosen`.
    pub fn offers_manual_entry(&self) -> bool {
        match self {
            Self::SelectInstitution { session, .. } => offers_manual_entry(session),
            Self::Failed {
                session: Some(session),
                error,
                ..
            } => {
                offers_manual_entry(session)
                    && session.consent_given
                    && error.is_bank_failure()
                    && !error.ends_session()
            }
            Self::Loading
            | Self::Consent { .. }
            | Self::StartingAuthorization { .. }
            | Self::OAuth { .. }
            | Self::Credentials { .. }
            | Self::Mfa { .. }
            | Self::LoadingAccounts { .. }
            | Self::SelectAccounts { .. }
            | Self::Linking { .. }
            | Self::ManualEntry { .. }
            | Self::Completing { .. }
            | Self::ReturningUserOffer { .. }
            | Self::SendingCode { .. }
            | Self::AwaitingCode { .. }
            | Self::LoadingSavedAccounts { .. }
            | Self::SelectSavedAccounts { .. }
            | Self::SavedAccountsConsent { .. }
            | Self::LinkingSavedAccounts { .. }
            | Self::ForgettingSavedAccounts { .. }
            | Self::Success { .. }
            | Self::Failed { session: None, .. }
            | Self::Cancelling { .. }
            | Self::Finished => false,
        }
    }
}

/// Whether the session lets the person type their account's details (`verification_method`
/// `automatic` or `microdeposits`; `null` without the `payment_method` permission).
pub fn offers_manual_entry(session: &LinkSession) -> bool {
    session
        .verification_method
        .is_some_and(VerificationMethod::allows_manual_entry)
}

/// Whether manual entry is all the session offers (`microdeposits`): no bank list.
pub fn manual_entry_only(session: &LinkSession) -> bool {
    session.verification_method == Some(VerificationMethod::Microdeposits)
}

/// A field of the manual entry form that can be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ManualField {
    RoutingNumber,
    AccountNumber,
    AccountNumberConfirmation,
    AccountHolderName,
}

impl ManualField {
    /// In the order the form shows them.
    pub const ALL: [ManualField; 4] = [
        Self::RoutingNumber,
        Self::AccountNumber,
        Self::AccountNumberConfirmation,
        Self::AccountHolderName,
    ];
}

/// What the person typed or chose in the manual entry form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManualInput {
    RoutingNumber(String),
    AccountNumber(String),
    AccountNumberConfirmation(String),
    AccountType(BankAccountType),
    AccountHolderName(String),
}

impl ManualInput {
    /// The field this input changes (`None` for the account type, which cannot be wrong).
    pub fn field(&self) -> Option<ManualField> {
        match self {
            Self::RoutingNumber(_) => Some(ManualField::RoutingNumber),
            Self::AccountNumber(_) => Some(ManualField::AccountNumber),
            Self::AccountNumberConfirmation(_) => Some(ManualField::AccountNumberConfirmation),
            Self::AccountType(_) => None,
            Self::AccountHolderName(_) => Some(ManualField::AccountHolderName),
        }
    }
}

/// Why the server refused the details, in words for the person, and the field at fault
/// (`None`: the form as a whole, such as deposits that could not be sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: Option<ManualField>,
    pub failure: Failure,
}

/// The longest account holder name the server takes.
pub const HOLDER_NAME_MAX: usize = ManualAccountRequest::HOLDER_NAME_MAX_CHARS;

/// The manual entry form: what the person typed stays, whatever the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualForm {
    pub routing_number: String,
    pub account_number: String,
    pub account_number_confirmation: String,
    pub account_type: BankAccountType,
    pub account_holder_name: String,
    /// The bank of a valid routing number, from the directory file; `None` while the file is
    /// not here or does not know the number (the server then decides).
    pub bank_name: Option<String>,
    /// The person pressed Continue once: from then on every field's error shows, not only
    /// those that typing more cannot fix.
    pub checked: bool,
    /// The server's last refusal; it goes once its field changes.
    pub refusal: Option<Refusal>,
    /// The details were sent with this idempotency key; the answer is awaited.
    pub submitting: Option<String>,
    /// The key of a request that got no answer (or a retryable one): sent again if nothing
    /// changed since, so the account is created once.
    pub retry_key: Option<String>,
    /// How many times Continue was refused (here or by the server): each one moves the focus
    /// to the first field at fault.
    pub refusals: u32,
}

impl Default for ManualForm {
    fn default() -> Self {
        Self {
            routing_number: String::new(),
            account_number: String::new(),
            account_number_confirmation: String::new(),
            account_type: BankAccountType::Checking,
            account_holder_name: String::new(),
            bank_name: None,
            checked: false,
            refusal: None,
            submitting: None,
            retry_key: None,
            refusals: 0,
        }
    }
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|byte| byte.is_ascii_digit())
}

impl ManualForm {
    /// The error the field shows now: what the person typed (only what typing more cannot fix
    /// until they pressed Continue), else the server's refusal of it.
    pub fn error(&self, field: ManualField) -> Option<String> {
        if let Some(message) = self.typed_error(field, self.checked) {
            return Some(message.to_owned());
        }
        self.refusal
            .as_ref()
            .filter(|refusal| refusal.field == Some(field))
            .map(|refusal| refusal.failure.message.clone())
    }

    /// The fields at fault now, in the form's order, with their errors.
    pub fn errors(&self) -> Vec<(ManualField, String)> {
        ManualField::ALL
            .into_iter()
            .filter_map(|field| self.error(field).map(|message| (field, message)))
            .collect()
    }

    /// The refusal of the form as a whole, if the server's last answer was one.
    pub fn form_error(&self) -> Option<&Failure> {
        self.refusal
            .as_ref()
            .filter(|refusal| refusal.field.is_none())
            .map(|refusal| &refusal.failure)
    }

    /// What is wrong with a field's text. `complete`: the person says they are done, so an
    /// empty or short value is wrong too.
    pub fn typed_error(&self, field: ManualField, complete: bool) -> Option<&'static str> {
        match field {
            ManualField::RoutingNumber => {
                let number = self.routing_number.as_str();
                if !all_digits(number) {
                    Some("A routing number has only digits.")
                } else if number.len() > 9 || (complete && (1..9).contains(&number.len())) {
                    Some("A routing number has 9 digits.")
                } else if complete && number.is_empty() {
                    Some("Enter the routing number.")
                } else if number.len() == 9 && !finlink_search::routing::is_valid(number) {
                    Some(
                        "This isn't a valid routing number. Check it on a check or your bank statement.",
                    )
                } else {
                    None
                }
            }
            ManualField::AccountNumber => {
                let number = self.account_number.as_str();
                if !all_digits(number) {
                    Some("An account number has only digits.")
                } else if number.len() > *ManualAccountRequest::ACCOUNT_NUMBER_DIGITS.end()
                    || (complete
                        && !number.is_empty()
                        && number.len() < *ManualAccountRequest::ACCOUNT_NUMBER_DIGITS.start())
                {
                    Some("An account number has 4 to 17 digits.")
                } else if complete && number.is_empty() {
                    Some("Enter the account number.")
                } else {
                    None
                }
            }
            ManualField::AccountNumberConfirmation => {
                let again = self.account_number_confirmation.as_str();
                // While typing, a mismatch shows as soon as the numbers part ways.
                let parted =
                    !self.account_number.is_empty() && !self.account_number.starts_with(again);
                if complete && again.is_empty() {
                    Some("Enter the account number again.")
                } else if parted || (complete && again != self.account_number) {
                    Some("The account numbers don't match.")
                } else {
                    None
                }
            }
            ManualField::AccountHolderName => {
                let name = self.account_holder_name.trim();
                if name.chars().count() > HOLDER_NAME_MAX {
                    Some("Use at most 100 characters.")
                } else if complete && name.is_empty() {
                    Some("Enter the name on the account.")
                } else {
                    None
                }
            }
        }
    }

    /// The request of the details as typed (the holder's name trimmed).
    pub fn request(&self) -> ManualAccountRequest {
        ManualAccountRequest {
            routing_number: self.routing_number.clone(),
            account_number: self.account_number.clone(),
            account_number_confirmation: self.account_number_confirmation.clone(),
            account_type: self.account_type,
            account_holder_name: self.account_holder_name.trim().to_owned(),
        }
    }
}

/// A failure on the saved-accounts path, before consent (after it, "Pick another bank" leads to
/// the normal flow): the person can leave it for the normal flow, whose first step is consent.
pub fn offers_another_account(session: &LinkSession, error: &Failure) -> bool {
    !error.ends_session() && session.returning_user.is_some() && !session.consent_given
}

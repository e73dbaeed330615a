//! Returning users: what the person does and what IO answers on the saved-accounts path, and
//! the offer to save the accounts on the success screen.

use finlink_protocol::{
    ONE_TIME_CODE_DIGITS, OneTimeCodeChallenge, SavedAccount, SavedAccountsForgotten,
    SavedAccountsReceipt, normalize_phone,
};

/// An event of the returning-user path or of the save offer, as `Event::ReturningUser` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturningUserEvent {
    // What the person does.
    /// "Continue with your saved accounts" on the offer.
    SavedAccountsChosen,
    /// "Use another account": the normal flow, from consent or the bank list.
    AnotherAccountChosen,
    /// The code field changed.
    CodeChanged(String),
    /// "Verify", or Enter in the code field.
    CodeSubmitted,
    /// "Send a new code".
    NewCodeRequested,
    /// A saved account's checkbox (or radio) was toggled.
    SavedAccountToggled(String),
    /// "Continue" under the saved accounts.
    SavedAccountsConfirmed,
    /// Continue on the consent screen of the saved accounts; the key makes a retried link
    /// create the accounts once.
    SavedAccountsConsentGiven {
        idempotency_key: String,
    },
    /// "Forget my saved accounts".
    ForgetRequested,
    /// The save checkbox on the success screen.
    SaveToggled(bool),
    /// The save offer's email field changed.
    SaveEmailChanged(String),
    /// The save offer's phone field changed.
    SavePhoneChanged(String),

    // What IO answers.
    /// A code was sent (or the challenge answered without a new one).
    CodeSent(Box<OneTimeCodeChallenge>),
    /// The code typed was checked: right, wrong, expired, or too many wrong ones.
    CodeChecked(Box<OneTimeCodeChallenge>),
    SavedAccountsLoaded(Vec<SavedAccount>),
    /// The person's saved accounts are gone.
    Forgotten(SavedAccountsForgotten),
    /// The accounts of the success screen were saved.
    AccountsSaved(SavedAccountsReceipt),
}

impl ReturningUserEvent {
    /// A short name, for diagnostics and `Effect::Ignored`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SavedAccountsChosen => "saved_accounts_chosen",
            Self::AnotherAccountChosen => "another_account_chosen",
            Self::CodeChanged(_) => "code_changed",
            Self::CodeSubmitted => "code_submitted",
            Self::NewCodeRequested => "new_code_requested",
            Self::SavedAccountToggled(_) => "saved_account_toggled",
            Self::SavedAccountsConfirmed => "saved_accounts_confirmed",
            Self::SavedAccountsConsentGiven { .. } => "saved_accounts_consent_given",
            Self::ForgetRequested => "forget_requested",
            Self::SaveToggled(_) => "save_toggled",
            Self::SaveEmailChanged(_) => "save_email_changed",
            Self::SavePhoneChanged(_) => "save_phone_changed",
            Self::CodeSent(_) => "code_sent",
            Self::CodeChecked(_) => "code_checked",
            Self::SavedAccountsLoaded(_) => "saved_accounts_loaded",
            Self::Forgotten(_) => "forgotten",
            Self::AccountsSaved(_) => "accounts_saved",
        }
    }
}

/// Which request of the code step is under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRequest {
    /// The code typed is being checked.
    Verify,
    /// A new code is being sent.
    Resend,
}

/// Whether a code has the shape the server checks: exactly six ASCII digits.
pub fn code_is_well_formed(code: &str) -> bool {
    code.len() == ONE_TIME_CODE_DIGITS && code.bytes().all(|byte| byte.is_ascii_digit())
}

/// A field of the save offer that can be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveField {
    Email,
    Phone,
}

/// Why the accounts were not saved: the field at fault (`None`: the request as a whole) and
/// the words the person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveError {
    pub field: Option<SaveField>,
    pub message: String,
}

/// The offer on the success screen to save the accounts linked at the bank, unticked at first.
/// What is typed stays, whatever the server answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaveOffer {
    pub ticked: bool,
    pub email: String,
    pub phone: String,
    pub error: Option<SaveError>,
    /// The save was sent; its answer is awaited.
    pub saving: bool,
}

impl SaveOffer {
    /// The offer, unticked, with the email the business gave prefilled.
    pub fn new(email: Option<&str>) -> Self {
        Self {
            email: email.unwrap_or_default().to_owned(),
            ..Self::default()
        }
    }

    /// The email (trimmed; the server lower-cases it) and the normalized phone to send, or
    /// what is wrong with them.
    pub fn checked(&self) -> Result<(String, Option<String>), SaveError> {
        let Some(email) = email_as_typed(&self.email) else {
            let message = if self.email.trim().is_empty() {
                "Enter your email address."
            } else {
                "Enter an email address like name@example.com."
            };
            return Err(SaveError {
                field: Some(SaveField::Email),
                message: message.to_owned(),
            });
        };
        let phone = if self.phone.trim().is_empty() {
            None
        } else {
            match normalize_phone(&self.phone) {
                Some(phone) => Some(phone),
                None => {
                    return Err(SaveError {
                        field: Some(SaveField::Phone),
                        message: "Enter a phone number like +1 415 555 0100, or leave it empty."
                            .to_owned(),
                    });
                }
            }
        };
        Ok((email, phone))
    }

    /// The error a field shows now.
    pub fn field_error(&self, field: SaveField) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|error| error.field == Some(field))
            .map(|error| error.message.as_str())
    }

    /// The error of the request as a whole, if the last answer was one.
    pub fn form_error(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|error| error.field.is_none())
            .map(|error| error.message.as_str())
    }
}

/// The email trimmed, if it reads as one by the rules of [`finlink_protocol::normalize_email`]:
/// one `@` with a non-empty local part and a dotted domain, no spaces or control characters,
/// at most 254 bytes. Checked without lower-casing, which only the server does: Unicode case
/// conversion would bring its tables into the widget (17 KB of its wasm). A test keeps the two
/// in agreement.
pub fn email_as_typed(text: &str) -> Option<String> {
    let email = text.trim();
    let (local, domain) = email.split_once('@')?;
    let well_formed = email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    well_formed.then(|| email.to_owned())
}

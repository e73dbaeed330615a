//! Returning users: what the person does and what IO answers on the saved-accounts path, and
//! the offer to save the accounts on the success screen.

use finlink_protocol::{
    OneTimeCodeChallenge, SavedAccount, SavedAccountsForgotten, SavedAccountsReceipt,
    normalize_phone,
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
    /// The session recorded that the person declined the saved accounts. Nothing awaits it.
    Declined,
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
            Self::SavePhoneChanged(_) => "save_phone_changed",
            Self::CodeSent(_) => "code_sent",
            Self::CodeChecked(_) => "code_checked",
            Self::SavedAccountsLoaded(_) => "saved_accounts_loaded",
            Self::Forgotten(_) => "forgotten",
            Self::Declined => "declined",
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

/// A field of the save offer that can be wrong. The email is the one the business gave, shown
/// as text: only the phone is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveField {
    Phone,
}

/// Why the accounts were not saved: the field at fault (`None`: the request as a whole) and
/// the words the person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveError {
    pub field: Option<SaveField>,
    pub message: String,
}

/// The offer on the success screen to save the accounts linked at the bank, unticked at first,
/// under the email the business gave (`LinkSession.email`). What is typed stays, whatever the
/// server answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaveOffer {
    pub ticked: bool,
    pub phone: String,
    pub error: Option<SaveError>,
    /// The save was sent; its answer is awaited.
    pub saving: bool,
}

/// What the person is told when the phone they gave to save under is not one.
pub const PHONE_INVALID: &str = "Enter a phone number like +1 415 555 0100, or leave it empty.";

impl SaveOffer {
    /// The normalized phone to send (`None` when left empty), or what is wrong with it.
    pub fn checked_phone(&self) -> Result<Option<String>, SaveError> {
        if self.phone.trim().is_empty() {
            return Ok(None);
        }
        normalize_phone(&self.phone)
            .map(Some)
            .ok_or_else(|| SaveError {
                field: Some(SaveField::Phone),
                message: PHONE_INVALID.to_owned(),
            })
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

/// The email the business gave, when the accounts can be saved under it: it reads as an email
/// by the rules the server applies ([`finlink_protocol::email_well_formed`], checked without
/// lower-casing, which only the server does: Unicode case conversion would bring its tables
/// into the widget).
pub fn save_email(email: Option<&str>) -> Option<&str> {
    email.filter(|email| finlink_protocol::email_well_formed(email.trim()))
}

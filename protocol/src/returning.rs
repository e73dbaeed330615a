//! Returning users: accounts a person saved with finlink after linking them at one business,
//! offered again at any business of the same deployment once the person proves their email
//! with a one-time code.
//!
//! The link API's calls, all with the session's client secret:
//! - `POST /v1/link/returning_user/save` ([`SaveAccountsRequest`] → [`SavedAccountsReceipt`]):
//!   at the success screen of a completed session, the person saves the accounts this session
//!   linked at their bank, under the email they confirm (and, optionally, a phone number).
//! - `POST /v1/link/returning_user/code` (an empty object → [`OneTimeCodeChallenge`]): send a
//!   new code to the session's email. Answered alike whether or not the email has saved
//!   accounts, so that it tells nothing an attacker could not see in the widget.
//! - `POST /v1/link/returning_user/verify` ([`VerifyOneTimeCodeRequest`] →
//!   [`OneTimeCodeChallenge`]): a wrong code is answered `200` with the challenge's `error`.
//! - `GET /v1/link/returning_user/accounts` (after the code → a [`List`] of [`SavedAccount`]).
//! - `POST /v1/link/returning_user/attach` ([`AttachSavedAccountsRequest`] with an
//!   `Idempotency-Key`, after consent → [`LinkResult`]): link saved accounts to this session,
//!   with this business's permissions.
//! - `POST /v1/link/returning_user/forget` (after the code → [`SavedAccountsForgotten`]).
//! - `POST /v1/link/returning_user/decline` (an empty object → [`ReturningUserDeclined`]): the
//!   person chose "Use another account"; this session never offers saved accounts again.
//!
//! [`List`]: crate::List
//! [`LinkResult`]: crate::LinkResult

use serde::{Deserialize, Serialize};

use crate::names::wire_names;
use crate::{AccountCategory, AccountSubcategory, ApiError, Timestamp, UnselectableReason};

/// On the link session (`returning_user`): the session's email has saved accounts, so the
/// widget offers "Continue with your saved accounts". `null` otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturningUser {
    /// Where the code goes, masked for display: `j•••@example.com`.
    pub email_hint: String,
    /// The person typed the right code in this session: the saved accounts can be listed, and
    /// a reload resumes at them.
    pub verified: bool,
}

/// How many digits a one-time code has.
pub const ONE_TIME_CODE_DIGITS: usize = 6;

/// The code a test-mode deployment also accepts, besides the one it delivers to the sandbox
/// inbox (docs/sandbox.md).
pub const SANDBOX_ONE_TIME_CODE: &str = "000000";

/// Where the one-time code of a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OneTimeCodeStatus {
    /// A code was sent; the person has not typed it right yet.
    Pending,
    /// The person typed the right code.
    Verified,
    /// Too many wrong codes: the saved accounts cannot be used in this session.
    Failed,
}

wire_names!(OneTimeCodeStatus {
    "pending" => Pending,
    "verified" => Verified,
    "failed" => Failed,
});

/// The one-time code sent to the person's email, as the code step shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "one_time_code_challenge")]
pub struct OneTimeCodeChallenge {
    /// Where the code went, masked: `j•••@example.com`.
    pub email_hint: String,
    pub status: OneTimeCodeStatus,
    /// Wrong codes still allowed in this session (5 at first; a new code does not reset it).
    pub attempts_remaining: u32,
    /// After this, the code is refused (`one_time_code_expired`); a new one can be sent.
    pub expires_at: Timestamp,
    /// When a new code may be sent; `null` when this session may send no more.
    pub resend_available_at: Option<Timestamp>,
    /// Why the last code typed was refused (`one_time_code_incorrect`,
    /// `one_time_code_expired`, `one_time_code_attempts_exceeded`), if it was.
    pub error: Option<ApiError>,
}

/// `POST /v1/link/returning_user/verify`: the code as the person typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyOneTimeCodeRequest {
    /// [`ONE_TIME_CODE_DIGITS`] digits; another shape is `parameter_invalid` and uses no
    /// attempt.
    pub code: String,
}

/// An account the person saved, offered to link at this business. Never the account's id at
/// the business it was saved from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "saved_account")]
pub struct SavedAccount {
    /// `fcsa_...`
    pub id: String,
    pub display_name: String,
    pub institution_name: String,
    pub category: AccountCategory,
    pub subcategory: AccountSubcategory,
    pub last4: String,
    /// Why this session cannot link it (closed, not usable for payments, filtered out), or
    /// `null` when it can.
    pub unselectable_reason: Option<UnselectableReason>,
}

/// `POST /v1/link/returning_user/attach` with an `Idempotency-Key` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachSavedAccountsRequest {
    /// Ids of [`SavedAccount`]s.
    pub accounts: Vec<String>,
}

/// `POST /v1/link/returning_user/save`: the person ticked "Save my accounts" on the success
/// screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveAccountsRequest {
    /// The email the accounts are saved under: the session's `account_holder.email`, which
    /// the widget shows the person; any other (compared by [`normalize_email`]) is
    /// `email_invalid`.
    pub email: String,
    /// Optional (`phone_invalid` unless [`normalize_phone`] reads it).
    #[serde(default)]
    pub phone: Option<String>,
}

/// The answer of `POST /v1/link/returning_user/save`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "saved_accounts_receipt")]
pub struct SavedAccountsReceipt {
    pub email_hint: String,
    /// How many accounts this call saved (each bank account once), not how many are saved
    /// under the email in all: that would tell whether it had saved accounts before.
    pub saved_accounts: u32,
}

/// The answer of `POST /v1/link/returning_user/forget`: everything saved under the email is
/// gone; accounts already linked at businesses stay linked there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "saved_accounts_forgotten")]
pub struct SavedAccountsForgotten {
    pub forgotten_accounts: u32,
}

/// The answer of `POST /v1/link/returning_user/decline`: this session no longer offers saved
/// accounts (`LinkSession.returning_user` is `null`), and a code verified in it no longer
/// lets it list or link them. Declining again answers the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "returning_user_declined")]
pub struct ReturningUserDeclined {
    /// When this session first declined.
    pub declined_at: Timestamp,
}

/// `GET /v1/test_helpers/sandbox/emails?to=`, with a test-mode secret key: the emails the
/// sandbox "sent" for this integrator's sessions in the last hour, newest first (a [`List`]).
///
/// [`List`]: crate::List
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "sandbox_email")]
pub struct SandboxEmail {
    pub id: String,
    pub to: String,
    pub subject: String,
    /// Plain text.
    pub body: String,
    /// The one-time code the email carries.
    pub one_time_code: String,
    pub created: Timestamp,
}

/// The email as finlink compares it, or `None` when the text is not an email: trimmed,
/// lower-cased, and [`email_well_formed`]. The server compares and stores emails this way.
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim();
    email_well_formed(email).then(|| email.to_lowercase())
}

/// Whether the text (already trimmed) reads as an email: one `@` with a non-empty local part
/// and a dotted domain, no spaces or control characters, at most 254 bytes as given. Case is
/// left alone: the widget checks with it without Unicode case tables, and [`normalize_email`]
/// with it before lower-casing, so both apply the same limit to the same text.
pub fn email_well_formed(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether a one-time code has the shape the server checks: exactly
/// [`ONE_TIME_CODE_DIGITS`] ASCII digits. Another shape is `parameter_invalid` and uses no
/// attempt.
pub fn one_time_code_well_formed(code: &str) -> bool {
    code.len() == ONE_TIME_CODE_DIGITS && code.bytes().all(|byte| byte.is_ascii_digit())
}

/// A phone number in E.164 form (`+` and 8 to 15 digits), or `None`: spaces, dashes, dots
/// and parentheses are dropped; a number without `+` is read as a North American one (10
/// digits, or 11 starting with 1).
pub fn normalize_phone(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let (international, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let e164 = match (international, digits.len()) {
        (true, 8..=15) if !digits.starts_with('0') => digits,
        (false, 10) => ["1", &digits].concat(),
        (false, 11) if digits.starts_with('1') => digits,
        _ => return None,
    };
    Some(["+", &e164].concat())
}

/// The email as the widget and the code step show it: its first character, `•••`, and the
/// domain (`j•••@example.com`).
pub fn email_hint(normalized_email: &str) -> String {
    match normalized_email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            [first.as_str(), "•••@", domain].concat()
        }
        None => "•••".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Jenny.Rosen@Example.COM "),
            Some("jenny.rosen@example.com".to_owned())
        );
    }

    #[test]
    fn texts_that_are_not_emails_are_refused() {
        for text in [
            "",
            "jenny",
            "@example.com",
            "jenny@",
            "jenny@localhost",
            "jenny@@example.com",
            "jenny@example.com.",
            "jenny@.example.com",
            "jenny rosen@example.com",
            "jenny@exa\u{7}mple.com",
        ] {
            assert_eq!(normalize_email(text), None, "{text:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(normalize_email(&long), None);
    }

    #[test]
    fn the_length_limit_counts_the_email_as_given_and_lower_casing_keeps_the_answer() {
        // 'İ' (2 bytes) lower-cases to "i̇" (3 bytes): the limit holds for the text as given.
        let local = "İ".repeat(121);
        let email = format!("{local}@example.com");
        assert_eq!(email.len(), 254);
        assert!(email_well_formed(&email));
        assert!(email.to_lowercase().len() > 254);
        assert_eq!(normalize_email(&email), Some(email.to_lowercase()));
        let too_long = format!("{local}a@example.com");
        assert!(!email_well_formed(&too_long));
        assert_eq!(normalize_email(&too_long), None);
    }

    #[test]
    fn the_well_formed_check_agrees_with_normalizing() {
        for text in [
            "jenny.rosen@example.com",
            "Jenny.Rosen@Example.COM",
            "jenny",
            "@example.com",
            "jenny@localhost",
            "jenny@@example.com",
            "jenny rosen@example.com",
        ] {
            assert_eq!(
                email_well_formed(text),
                normalize_email(text).is_some(),
                "{text:?}"
            );
        }
        assert!(!email_well_formed(" jenny@example.com"));
    }

    #[test]
    fn codes_are_exactly_six_ascii_digits() {
        assert!(one_time_code_well_formed("012345"));
        assert!(one_time_code_well_formed("123456"));
        assert!(one_time_code_well_formed(SANDBOX_ONE_TIME_CODE));
        for code in [
            "",
            "12345",
            "1234567",
            "12345a",
            " 12345",
            "１２３４５６",
            "12 345",
            "12-456",
        ] {
            assert!(!one_time_code_well_formed(code), "{code:?}");
        }
    }

    #[test]
    fn phones_read_as_e164() {
        assert_eq!(
            normalize_phone("(415) 555-0100"),
            Some("+14155550100".to_owned())
        );
        assert_eq!(
            normalize_phone("1 415 555 0100"),
            Some("+14155550100".to_owned())
        );
        assert_eq!(
            normalize_phone("+44 20 7946 0958"),
            Some("+442079460958".to_owned())
        );
    }

    #[test]
    fn texts_that_are_not_phones_are_refused() {
        for text in [
            "",
            "555-0100",
            "+0 20 7946 0958",
            "+1234567",
            "+1234567890123456",
            "415 555 O100",
            "2 415 555 0100",
        ] {
            assert_eq!(normalize_phone(text), None, "{text:?}");
        }
    }

    #[test]
    fn code_statuses_read_the_names_they_write() {
        for status in [
            OneTimeCodeStatus::Pending,
            OneTimeCodeStatus::Verified,
            OneTimeCodeStatus::Failed,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(
                serde_json::from_str::<OneTimeCodeStatus>(&json).unwrap(),
                status
            );
        }
        assert!(serde_json::from_str::<OneTimeCodeStatus>(r#""expired""#).is_err());
    }

    #[test]
    fn the_hint_shows_the_first_letter_and_the_domain() {
        assert_eq!(email_hint("jenny@example.com"), "j•••@example.com");
    }
}

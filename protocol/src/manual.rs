//! Accounts entered by hand and verified by microdeposits: for people whose bank cannot be
//! linked instantly, when the business asks for `payment_method`.
//!
//! The person types the routing and account numbers in the widget
//! (`POST /v1/link/manual_accounts`); finlink sends small deposits to the account; the person
//! later reads them on their statement and types them on the hosted verification page
//! (`{public_url}/link/verify/#verification_secret=...`), which reads and answers
//! `GET`/`POST /v1/link/verification` with that secret as its bearer token.

use serde::{Deserialize, Serialize};

use crate::names::wire_names;
use crate::{ApiError, Timestamp};

/// How a session that asks for `payment_method` may verify the account
/// (`verification_method` when creating the session).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum VerificationMethod {
    /// Link at the bank; offer manual entry when the bank cannot be found or linked.
    #[default]
    Automatic,
    /// Link at the bank only: no manual entry.
    Instant,
    /// Manual entry only: the widget goes from consent straight to the account details form.
    Microdeposits,
}

wire_names!(VerificationMethod {
    "automatic" => Automatic,
    "instant" => Instant,
    "microdeposits" => Microdeposits,
});

impl VerificationMethod {
    /// Whether the widget offers "Enter bank details manually".
    pub fn allows_manual_entry(self) -> bool {
        !matches!(self, Self::Instant)
    }
}

/// What finlink sends to an account entered by hand (`microdeposit_type` when creating the
/// session).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum MicrodepositType {
    /// Two deposits of under a dollar each: the person types both amounts in cents.
    #[default]
    Amounts,
    /// One deposit of one cent whose statement descriptor carries a 6-character code
    /// (`SMxxxx`): the person types the code.
    DescriptorCode,
}

wire_names!(MicrodepositType {
    "amounts" => Amounts,
    "descriptor_code" => DescriptorCode,
});

/// The kind of account entered by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BankAccountType {
    Checking,
    Savings,
}

wire_names!(BankAccountType {
    "checking" => Checking,
    "savings" => Savings,
});

/// `POST /v1/link/manual_accounts` with an `Idempotency-Key` header: the account details the
/// person typed. The server checks them all again (the routing number's check digit, the two
/// account numbers being equal), whatever the widget checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualAccountRequest {
    /// Nine digits, with a valid ABA check digit.
    pub routing_number: String,
    /// 4 to 17 digits.
    pub account_number: String,
    /// The account number typed a second time; must equal `account_number`.
    pub account_number_confirmation: String,
    pub account_type: BankAccountType,
    /// The name on the account, as the bank knows it.
    pub account_holder_name: String,
}

impl ManualAccountRequest {
    /// How many digits an account number has: the widget checks them as typed, the server
    /// again.
    pub const ACCOUNT_NUMBER_DIGITS: std::ops::RangeInclusive<usize> = 4..=17;
    /// The longest account holder name, in characters.
    pub const HOLDER_NAME_MAX_CHARS: usize = 100;
}

/// Where the verification of an account entered by hand stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationStatus {
    /// The deposits were sent; the person has not yet typed them right.
    Pending,
    /// The person typed the deposits right: the account can carry ACH payments.
    Verified,
    /// For good: see `failure_reason`. The person enters the account again in a new session.
    Failed,
}

wire_names!(VerificationStatus {
    "pending" => Pending,
    "verified" => Verified,
    "failed" => Failed,
});

/// Why a verification failed for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationFailure {
    /// Three wrong answers.
    TooManyAttempts,
    /// Ten days passed without a right answer.
    Expired,
}

wire_names!(VerificationFailure {
    "too_many_attempts" => TooManyAttempts,
    "expired" => Expired,
});

/// The microdeposit verification of an account entered by hand, on the account (`verification`,
/// `null` for accounts linked at the bank) as the host page and the business's server see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrodepositVerification {
    pub status: VerificationStatus,
    pub microdeposit_type: MicrodepositType,
    /// Set when `status` is `failed`.
    pub failure_reason: Option<VerificationFailure>,
    /// Wrong answers still allowed (3 at first).
    pub attempts_remaining: u32,
    /// When the deposits are expected on the person's statement.
    pub arrival_date: Timestamp,
    /// After this, answers are refused and the verification fails as `expired`.
    pub expires_at: Timestamp,
    /// The page where the person types the deposits; send them the link. `null` once the
    /// verification is no longer pending.
    pub hosted_verification_url: Option<String>,
}

/// `GET /v1/link/verification` and the answer of `POST /v1/link/verification`: what the hosted
/// verification page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "link_verification")]
pub struct LinkVerification {
    /// The business the account was entered for.
    pub business_name: String,
    /// The bank's name from the directory, by routing number.
    pub institution_name: String,
    pub account_type: BankAccountType,
    pub last4: String,
    pub status: VerificationStatus,
    pub microdeposit_type: MicrodepositType,
    pub failure_reason: Option<VerificationFailure>,
    pub attempts_remaining: u32,
    pub arrival_date: Timestamp,
    pub expires_at: Timestamp,
    /// Why the last answer was refused (`microdeposits_mismatch`), if it was.
    pub error: Option<ApiError>,
}

/// `POST /v1/link/verification`: the deposits as the person read them. Exactly one field,
/// the one of the verification's `microdeposit_type`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyMicrodepositsRequest {
    /// The two amounts in cents, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amounts: Option<Vec<u32>>,
    /// The 6-character code from the deposit's descriptor, in any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor_code: Option<String>,
}

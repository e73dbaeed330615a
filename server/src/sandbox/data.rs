//! What the sandbox banks hold: accounts, owners, transaction histories, magic passwords and
//! MFA answers. Fixed data, documented in `docs/sandbox.md`, the same on every start, so that
//! tests and demos can name what they expect.
//!
//! Account ids and numbers derive from the institution id, so that the same template at two
//! banks gives two distinct accounts with the same name and last4.

use crate::splitmix::SplitMix64;
use finlink_protocol::{AccountSubcategory, MfaChallenge};
use sha2::{Digest, Sha256};

use crate::connector::wire;
use crate::directory::{DirectoryInstitution, SandboxBehaviour};

/// Logs in without MFA.
pub const PASSWORD_GOOD: &str = "pass_good";
/// Logs in after a one-time code (`MFA_CODE`).
pub const PASSWORD_MFA_CODE: &str = "pass_mfa_code";
/// Logs in after a security question (`MFA_QUESTION_ANSWER`).
pub const PASSWORD_MFA_QUESTION: &str = "pass_mfa_question";
/// Logs in after picking an option (`MFA_SELECTION_ANSWER`).
pub const PASSWORD_MFA_SELECTION: &str = "pass_mfa_selection";
/// Fails with a fatal institution error (HTTP 500, `institution_error`).
pub const PASSWORD_ERROR: &str = "pass_error";
/// The one-time code the code challenge accepts.
pub const MFA_CODE: &str = "123456";
/// The answer to the security question, compared case-insensitively.
pub const MFA_QUESTION_ANSWER: &str = "blue";
/// The option of the selection challenge that logs in.
pub const MFA_SELECTION_ANSWER: &str = "Yes";
/// The options of the selection challenge, in order.
pub const MFA_SELECTION_OPTIONS: [&str; 3] = ["Yes", "No", "I'm not sure"];
/// Wrong passwords a username may have before it is locked.
pub const LOGIN_ATTEMPTS: u32 = 5;
/// Wrong answers an MFA challenge takes before it is void.
pub const MFA_ATTEMPTS: u32 = 3;
/// The routing number of institutions the directory knows none for (Stripe's test number).
pub const DEFAULT_ROUTING_NUMBER: &str = "110000000";
/// Days of transaction history per account.
pub const HISTORY_DAYS: i64 = 90;

const DAY: i64 = 86_400;

/// The second factor a magic password asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaKind {
    Code,
    Question,
    Selection,
}

impl MfaKind {
    /// The challenge as finlink shows it to the person.
    pub fn challenge(self) -> MfaChallenge {
        match self {
            Self::Code => MfaChallenge::Code {
                message: "Enter the 6-digit code we sent to your phone ending in 0100.".to_owned(),
            },
            Self::Question => MfaChallenge::Question {
                question: "What is your favourite colour?".to_owned(),
            },
            Self::Selection => MfaChallenge::Selection {
                question: "Did you just try to sign in from a new device?".to_owned(),
                options: MFA_SELECTION_OPTIONS
                    .iter()
                    .map(|option| (*option).to_owned())
                    .collect(),
            },
        }
    }

    /// Whether `answer` passes: the code exactly, the question's answer in any case, the
    /// selection exactly as offered. Surrounding spaces never count.
    pub fn accepts(self, answer: &str) -> bool {
        let answer = answer.trim();
        match self {
            Self::Code => answer == MFA_CODE,
            Self::Question => answer.eq_ignore_ascii_case(MFA_QUESTION_ANSWER),
            Self::Selection => answer == MFA_SELECTION_ANSWER,
        }
    }
}

/// What a password does at a credentials bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordEffect {
    LogIn,
    Mfa(MfaKind),
    InstitutionError,
    Wrong,
}

/// The effect of a password (magic passwords are exact, case-sensitive).
pub fn password_effect(password: &str) -> PasswordEffect {
    match password {
        PASSWORD_GOOD => PasswordEffect::LogIn,
        PASSWORD_MFA_CODE => PasswordEffect::Mfa(MfaKind::Code),
        PASSWORD_MFA_QUESTION => PasswordEffect::Mfa(MfaKind::Question),
        PASSWORD_MFA_SELECTION => PasswordEffect::Mfa(MfaKind::Selection),
        PASSWORD_ERROR => PasswordEffect::InstitutionError,
        _ => PasswordEffect::Wrong,
    }
}

/// A person listed as an account owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerTemplate {
    pub name: &'static str,
    pub address: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
}

/// The usual account holder of the sandbox.
pub const JENNY_ROSEN: OwnerTemplate = OwnerTemplate {
    name: "Jenny Rosen",
    address: "510 Townsend St, San Francisco, CA 94103, US",
    email: "jenny.rosen@example.com",
    phone: "+14155550100",
};

/// Jenny's joint owner.
pub const ALEX_ROSEN: OwnerTemplate = OwnerTemplate {
    name: "Alex Rosen",
    address: "510 Townsend St, San Francisco, CA 94103, US",
    email: "alex.rosen@example.com",
    phone: "+14155550101",
};

/// An owner whose name matches no account holder of the sandbox.
pub const MORGAN_BLAKE: OwnerTemplate = OwnerTemplate {
    name: "Morgan Blake",
    address: "1 Market St, Springfield, IL 62701, US",
    email: "morgan.blake@example.com",
    phone: "+12175550142",
};

/// Which numbers the bank gives for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// Routing and account number.
    Both,
    /// None (cards and loans are not paid by ACH).
    Neither,
}

/// The kind of history generated for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    Checking,
    Savings,
    CreditCard,
    Mortgage,
    /// No transactions (a closed account).
    Empty,
}

/// One account as every bank of a behaviour holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountTemplate {
    /// Stable key from which the account's id and numbers derive.
    pub key: &'static str,
    pub name: &'static str,
    pub subcategory: AccountSubcategory,
    pub last4: &'static str,
    pub open: bool,
    pub ach: bool,
    pub numbers: Numbers,
    /// Minor units (cents); negative is owed.
    pub current: i64,
    pub available: Option<i64>,
    pub owners: &'static [OwnerTemplate],
    pub history: History,
}

/// The accounts of a `Standard` bank (every generated institution, and the two sandbox banks).
pub const STANDARD: [AccountTemplate; 3] = [
    AccountTemplate {
        key: "everyday_checking",
        name: "Everyday Checking",
        subcategory: AccountSubcategory::Checking,
        last4: "6789",
        open: true,
        ach: true,
        numbers: Numbers::Both,
        current: 524_312,
        available: Some(519_812),
        owners: &[JENNY_ROSEN],
        history: History::Checking,
    },
    AccountTemplate {
        key: "high_yield_savings",
        name: "High-Yield Savings",
        subcategory: AccountSubcategory::Savings,
        last4: "4321",
        open: true,
        ach: true,
        numbers: Numbers::Both,
        current: 1_250_000,
        available: Some(1_250_000),
        owners: &[JENNY_ROSEN],
        history: History::Savings,
    },
    AccountTemplate {
        key: "rewards_credit_card",
        name: "Rewards Credit Card",
        subcategory: AccountSubcategory::CreditCard,
        last4: "9012",
        open: true,
        ach: false,
        numbers: Numbers::Neither,
        current: -84_567,
        available: None,
        owners: &[JENNY_ROSEN],
        history: History::CreditCard,
    },
];

/// The accounts of the Ownership Test Bank: single, joint, mismatched and missing owners.
pub const OWNERSHIP_TEST: [AccountTemplate; 4] = [
    AccountTemplate {
        key: "individual_checking",
        name: "Individual Checking",
        subcategory: AccountSubcategory::Checking,
        last4: "1111",
        open: true,
        ach: true,
        numbers: Numbers::Both,
        current: 310_045,
        available: Some(305_045),
        owners: &[JENNY_ROSEN],
        history: History::Checking,
    },
    AccountTemplate {
        key: "joint_checking",
        name: "Joint Checking",
        subcategory: AccountSubcategory::Checking,
        last4: "2222",
        open: true,
        ach: true,
        numbers: Numbers::Both,
        current: 842_210,
        available: Some(842_210),
        owners: &[JENNY_ROSEN, ALEX_ROSEN],
        history: History::Checking,
    },
    AccountTemplate {
        key: "mismatched_owner_checking",
        name: "Mismatched Owner Checking",
        subcategory: AccountSubcategory::Checking,
        last4: "3333",
        open: true,
        ach: true,
        numbers: Numbers::Both,
        current: 127_590,
        available: Some(127_590),
        owners: &[MORGAN_BLAKE],
        history: History::Checking,
    },
    AccountTemplate {
        key: "no_owner_savings",
        name: "Savings Without Owner Data",
        subcategory: AccountSubcategory::Savings,
        last4: "4444",
        open: true,
        ach: true,
        numbers: Numbers::Both,
        current: 500_000,
        available: Some(500_000),
        owners: &[],
        history: History::Savings,
    },
];

/// The accounts of Invalid Payment Accounts: none of them can carry ACH.
pub const INVALID_PAYMENT: [AccountTemplate; 3] = [
    AccountTemplate {
        key: "platinum_credit_card",
        name: "Platinum Credit Card",
        subcategory: AccountSubcategory::CreditCard,
        last4: "1881",
        open: true,
        ach: false,
        numbers: Numbers::Neither,
        current: -125_000,
        available: None,
        owners: &[JENNY_ROSEN],
        history: History::CreditCard,
    },
    AccountTemplate {
        key: "home_mortgage",
        name: "Home Mortgage",
        subcategory: AccountSubcategory::Mortgage,
        last4: "7272",
        open: true,
        ach: false,
        numbers: Numbers::Neither,
        current: -24_500_000,
        available: None,
        owners: &[JENNY_ROSEN],
        history: History::Mortgage,
    },
    AccountTemplate {
        key: "closed_checking",
        name: "Closed Checking",
        subcategory: AccountSubcategory::Checking,
        last4: "0005",
        open: false,
        ach: false,
        numbers: Numbers::Both,
        current: 0,
        available: Some(0),
        owners: &[JENNY_ROSEN],
        history: History::Empty,
    },
];

/// The account templates of a bank behaviour. Down and erroring banks hold the standard
/// accounts, which nobody reaches while they fail.
pub fn templates(behaviour: &SandboxBehaviour) -> &'static [AccountTemplate] {
    match behaviour {
        SandboxBehaviour::OwnershipTest => &OWNERSHIP_TEST,
        SandboxBehaviour::InvalidPayment => &INVALID_PAYMENT,
        SandboxBehaviour::Standard | SandboxBehaviour::Erroring => &STANDARD,
    }
}

/// One account of one bank: its template and the values derived from the institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxAccount {
    pub id: String,
    pub template: AccountTemplate,
    routing_number: String,
    account_number: String,
}

impl SandboxAccount {
    /// The account as the bank's API describes it.
    pub fn to_wire(&self, as_of: i64) -> wire::Account {
        let template = &self.template;
        let with_numbers = template.numbers == Numbers::Both;
        wire::Account {
            id: self.id.clone(),
            name: template.name.to_owned(),
            subcategory: template.subcategory.as_str().to_owned(),
            last4: template.last4.to_owned(),
            status: if template.open {
                wire::AccountState::Open
            } else {
                wire::AccountState::Closed
            },
            ach: template.ach,
            routing_number: with_numbers.then(|| self.routing_number.clone()),
            account_number: with_numbers.then(|| self.account_number.clone()),
            balance: Some(wire::Balance {
                current: template.current,
                available: template.available,
                currency: "usd".to_owned(),
                as_of,
            }),
            owners: template
                .owners
                .iter()
                .map(|owner| wire::Owner {
                    name: owner.name.to_owned(),
                    address: Some(owner.address.to_owned()),
                    email: Some(owner.email.to_owned()),
                    phone: Some(owner.phone.to_owned()),
                })
                .collect(),
        }
    }

    /// The account's history: `HISTORY_DAYS` days ending the day before `history_end` (Unix
    /// seconds at 00:00 UTC), newest first. The same ids, amounts and descriptions on every
    /// start; the dates follow `history_end`, so the history always looks recent.
    pub fn transactions(&self, history_end: i64) -> Vec<wire::Transaction> {
        let digest = Sha256::digest(self.id.as_bytes());
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&digest[..8]);
        let mut rng = SplitMix64(u64::from_le_bytes(seed));
        let id_suffix = self.id.trim_start_matches("acc_");
        let mut transactions: Vec<wire::Transaction> = Vec::new();
        for day in 0..HISTORY_DAYS {
            let day_start = history_end - (HISTORY_DAYS - day) * DAY;
            let pending = day >= HISTORY_DAYS - 2;
            for entry in day_entries(self.template.history, day, &mut rng) {
                let minutes = rng.between(7 * 60, 22 * 60);
                let transacted_at = day_start + minutes * 60;
                let posted_at =
                    (!pending).then_some(transacted_at + if entry.card { DAY } else { 0 });
                transactions.push(wire::Transaction {
                    id: String::new(),
                    amount: entry.amount,
                    currency: "usd".to_owned(),
                    description: entry.description.to_owned(),
                    status: if pending {
                        wire::TransactionState::Pending
                    } else {
                        wire::TransactionState::Posted
                    },
                    transacted_at,
                    posted_at,
                });
            }
        }
        // Oldest first (stable, so entries of the same minute keep their order), numbered in
        // that order, then served newest first.
        transactions.sort_by_key(|transaction| transaction.transacted_at);
        for (index, transaction) in transactions.iter_mut().enumerate() {
            transaction.id = format!("txn_{id_suffix}_{index:04}");
        }
        transactions.reverse();
        transactions
    }
}

/// Every account of an institution's bank, in the bank's order.
pub fn accounts(institution: &DirectoryInstitution) -> Vec<SandboxAccount> {
    let routing_number = institution
        .routing_numbers
        .first()
        .cloned()
        .unwrap_or_else(|| DEFAULT_ROUTING_NUMBER.to_owned());
    templates(&institution.behaviour)
        .iter()
        .map(|template| {
            let digest = Sha256::digest(format!("{}/{}", institution.id, template.key).as_bytes());
            let hex = crate::secrets::hex(digest.get(..8).unwrap_or_default());
            let prefix: String = digest
                .iter()
                .skip(8)
                .take(8)
                .map(|byte| char::from(b'0' + byte % 10))
                .collect();
            SandboxAccount {
                id: format!("acc_{hex}"),
                template: *template,
                routing_number: routing_number.clone(),
                account_number: format!("{prefix}{}", template.last4),
            }
        })
        .collect()
}

/// A subcategory as a person reads it.
pub fn subcategory_label(subcategory: AccountSubcategory) -> &'static str {
    match subcategory {
        AccountSubcategory::Checking => "Checking account",
        AccountSubcategory::Savings => "Savings account",
        AccountSubcategory::CreditCard => "Credit card",
        AccountSubcategory::LineOfCredit => "Line of credit",
        AccountSubcategory::Mortgage => "Mortgage",
        AccountSubcategory::Other => "Account",
    }
}

struct Entry {
    amount: i64,
    description: &'static str,
    /// Card purchases post a day after they happen; transfers post the same day.
    card: bool,
}

/// (description, smallest, largest amount in cents) of everyday card purchases.
const MERCHANTS: [(&str, i64, i64); 8] = [
    ("BLUE BOTTLE COFFEE", 450, 950),
    ("SAFEWAY #0412", 2_500, 14_000),
    ("SHELL OIL 5741", 3_000, 6_800),
    ("AMAZON.COM*MKTPLACE", 1_200, 9_500),
    ("CHIPOTLE 1187", 1_100, 1_900),
    ("LYFT *RIDE", 900, 3_600),
    ("WALGREENS #3315", 600, 4_200),
    ("NETFLIX.COM", 1_549, 1_549),
];

/// The transactions of one day of a history. The generator is consumed in a fixed order, so
/// a day's entries depend only on the account and the day's index.
fn day_entries(history: History, day: i64, rng: &mut SplitMix64) -> Vec<Entry> {
    let mut entries = Vec::new();
    let fixed = |amount, description| Entry {
        amount,
        description,
        card: false,
    };
    match history {
        History::Checking => {
            if day % 14 == 4 {
                entries.push(fixed(245_000, "ACME CORP PAYROLL"));
            }
            match day % 30 {
                2 => entries.push(fixed(-165_000, "PARKSIDE APARTMENTS RENT")),
                9 => entries.push(fixed(-rng.between(6_000, 14_000), "PG&E UTILITIES")),
                17 => entries.push(fixed(-50_000, "TRANSFER TO HIGH-YIELD SAVINGS")),
                23 => entries.push(fixed(-7_999, "COMCAST INTERNET")),
                _ => {}
            }
            if rng.below(100) < 65 {
                entries.push(purchase(rng));
            }
        }
        History::Savings => match day % 30 {
            17 => entries.push(fixed(50_000, "TRANSFER FROM EVERYDAY CHECKING")),
            29 => entries.push(fixed(rng.between(3_800, 4_600), "INTEREST PAYMENT")),
            _ => {}
        },
        History::CreditCard => {
            if day % 30 == 21 {
                entries.push(fixed(rng.between(40_000, 90_000), "PAYMENT - THANK YOU"));
            }
            if rng.below(100) < 55 {
                entries.push(purchase(rng));
            }
        }
        History::Mortgage => {
            if day % 30 == 1 {
                entries.push(fixed(245_000, "MORTGAGE PAYMENT - THANK YOU"));
            }
        }
        History::Empty => {}
    }
    entries
}

fn purchase(rng: &mut SplitMix64) -> Entry {
    let index = usize::try_from(rng.below(MERCHANTS.len() as u64)).unwrap_or(0);
    let (description, low, high) = MERCHANTS.get(index).copied().unwrap_or(MERCHANTS[0]);
    Entry {
        amount: -rng.between(low, high),
        description,
        card: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_passwords_map_to_their_effects() {
        assert_eq!(password_effect("pass_good"), PasswordEffect::LogIn);
        assert_eq!(
            password_effect("pass_mfa_code"),
            PasswordEffect::Mfa(MfaKind::Code)
        );
        assert_eq!(
            password_effect("pass_error"),
            PasswordEffect::InstitutionError
        );
        assert_eq!(password_effect("Pass_Good"), PasswordEffect::Wrong);
    }

    #[test]
    fn mfa_answers_are_checked_per_kind() {
        assert!(MfaKind::Code.accepts(" 123456 "));
        assert!(!MfaKind::Code.accepts("654321"));
        assert!(MfaKind::Question.accepts("BLUE"));
        assert!(!MfaKind::Question.accepts("red"));
        assert!(MfaKind::Selection.accepts("Yes"));
        assert!(!MfaKind::Selection.accepts("No"));
    }

    #[test]
    fn no_template_that_cannot_pay_claims_ach() {
        for template in STANDARD
            .iter()
            .chain(&OWNERSHIP_TEST)
            .chain(&INVALID_PAYMENT)
        {
            if template.ach {
                assert!(
                    template.open && template.numbers == Numbers::Both,
                    "{}",
                    template.name
                );
            }
        }
        assert!(INVALID_PAYMENT.iter().all(|template| !template.ach));
    }
}

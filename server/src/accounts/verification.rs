//! Accounts entered by hand, verified by microdeposits: the rules of the verification
//! (attempts, expiry, what a right answer is) and the links people verify at.
//!
//! The link carries a secret that finlink never stores: `fcvs_{account id suffix}_{mac}`,
//! the hex HMAC-SHA256 of the account id keyed by a random key the store creates once
//! (`server_keys`), so links survive restarts and are checked in constant time. It appears
//! only in the URL fragment of the hosted page (`/link/verify/#verification_secret=...`),
//! which sends it as its bearer token, never in a URL the server logs.
//!
//! The sandbox sends the same deposits every time (documented in docs/sandbox.md): two
//! amounts of 32 and 45 cents, or one deposit whose descriptor carries the code `SM11AA`; they
//! arrive at once.

use std::sync::Arc;

use finlink_protocol::{
    EventType, MicrodepositType, MicrodepositVerification, Timestamp, VerificationFailure,
    VerificationStatus, VerifyMicrodepositsRequest,
};
use hmac::{Hmac, Mac};
use rusqlite::Transaction;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::view as account_view;
use crate::app::Shared;
use crate::error::ApiError;
use crate::secrets;
use crate::store::keys::KeyBytes;
use crate::store::{AccountAccess, AccountRecord, StoreError, StoredVerification};
use crate::webhooks;

/// Wrong answers allowed before the verification fails for good.
const ATTEMPTS: u32 = 3;
/// How long the person has to type the deposits: ten days.
const LIFETIME_SECONDS: i64 = 10 * 86_400;
/// The two amounts, in cents, the sandbox deposits.
const SANDBOX_AMOUNTS: [u32; 2] = [32, 45];
/// The descriptor code of the sandbox's one deposit.
const SANDBOX_DESCRIPTOR_CODE: &str = "SM11AA";
/// The name of the key verification links are derived from, in `server_keys`.
pub const KEY_NAME: &str = "verification_links";

const SECRET_PREFIX: &str = "fcvs_";
const ACCOUNT_PREFIX: &str = "fca_";

/// Makes and checks verification links; cheap to clone.
#[derive(Clone)]
pub struct VerificationLinks {
    key: Arc<KeyBytes>,
    /// The public URL without a trailing slash.
    base: String,
}

impl std::fmt::Debug for VerificationLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationLinks")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl VerificationLinks {
    pub fn new(key: KeyBytes, public_base: String) -> Self {
        Self {
            key: Arc::new(key),
            base: public_base,
        }
    }

    fn mac(&self, account_id: &str) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.as_slice()).ok()?;
        mac.update(b"finlink verification link\n");
        mac.update(account_id.as_bytes());
        Some(mac)
    }

    /// The verification secret of an account.
    pub fn secret(&self, account_id: &str) -> Option<String> {
        let suffix = account_id.strip_prefix(ACCOUNT_PREFIX)?;
        let tag = secrets::hex(&self.mac(account_id)?.finalize().into_bytes());
        Some(format!("{SECRET_PREFIX}{suffix}_{tag}"))
    }

    /// The hosted verification page of an account.
    pub fn url(&self, account_id: &str) -> Option<String> {
        self.secret(account_id)
            .map(|secret| format!("{}/link/verify/#verification_secret={secret}", self.base))
    }

    /// The account a secret opens, if it is one finlink made: the secret it would make for
    /// that account, compared in constant time.
    pub fn account_id(&self, secret: &str) -> Option<String> {
        let rest = secret.strip_prefix(SECRET_PREFIX)?;
        let (suffix, _) = rest.rsplit_once('_')?;
        if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let account_id = format!("{ACCOUNT_PREFIX}{suffix}");
        let expected = self.secret(&account_id)?;
        bool::from(expected.as_bytes().ct_eq(secret.as_bytes())).then_some(account_id)
    }
}

/// A new verification: the deposits are sent now and, in the sandbox, arrive at once.
pub fn start(
    account_type: finlink_protocol::BankAccountType,
    microdeposit_type: MicrodepositType,
    now: Timestamp,
) -> StoredVerification {
    StoredVerification {
        account_type,
        microdeposit_type,
        status: VerificationStatus::Pending,
        failure_reason: None,
        attempts_remaining: ATTEMPTS,
        arrival_date: now,
        expires_at: now.saturating_add(LIFETIME_SECONDS),
        clock_offset: 0,
    }
}

/// Whether the person may still answer: pending, and the account not disconnected.
fn open_for_answers(record: &AccountRecord, stored: &StoredVerification) -> bool {
    stored.status == VerificationStatus::Pending && record.access != AccountAccess::Disconnected
}

/// The verification as the business and the host page see it; the link only while the person
/// can still use it.
pub fn to_protocol(
    record: &AccountRecord,
    links: &VerificationLinks,
) -> Option<MicrodepositVerification> {
    let stored = record.verification.as_ref()?;
    Some(MicrodepositVerification {
        status: stored.status,
        microdeposit_type: stored.microdeposit_type,
        failure_reason: stored.failure_reason,
        attempts_remaining: stored.attempts_remaining,
        arrival_date: stored.arrival_date,
        expires_at: stored.expires_at,
        hosted_verification_url: open_for_answers(record, stored)
            .then(|| links.url(&record.id))
            .flatten(),
    })
}

/// Fails a pending verification whose time ran out (on its own clock, which the sandbox
/// helper may have moved on). Returns whether it did.
pub fn expire_if_due(stored: &mut StoredVerification, now: Timestamp) -> bool {
    let verification_now = now.saturating_add(stored.clock_offset);
    if stored.status == VerificationStatus::Pending && verification_now >= stored.expires_at {
        stored.status = VerificationStatus::Failed;
        stored.failure_reason = Some(VerificationFailure::Expired);
        true
    } else {
        false
    }
}

/// The refusal of an answer to a verification that is no longer pending.
pub fn settled_error(stored: &StoredVerification) -> Option<ApiError> {
    match (stored.status, stored.failure_reason) {
        (VerificationStatus::Pending, _) => None,
        (VerificationStatus::Verified, _) => Some(ApiError::VerificationCompleted),
        (VerificationStatus::Failed, Some(VerificationFailure::Expired)) => {
            Some(ApiError::VerificationExpired)
        }
        (VerificationStatus::Failed, _) => Some(ApiError::VerificationAttemptsExceeded),
    }
}

/// What the person typed, once its shape fits the verification's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Amounts([u32; 2]),
    DescriptorCode(String),
}

/// Checks the shape of an answer (refused without using up an attempt): two amounts of 1 to
/// 99 cents for `amounts`, six letters or digits for `descriptor_code`, and nothing else.
pub fn parse_answer(
    microdeposit_type: MicrodepositType,
    request: VerifyMicrodepositsRequest,
) -> Result<Answer, ApiError> {
    match microdeposit_type {
        MicrodepositType::Amounts => {
            if request.descriptor_code.is_some() {
                return Err(ApiError::invalid(
                    "descriptor_code",
                    "this verification asks for the two amounts, not a code.",
                ));
            }
            let amounts = request.amounts.ok_or_else(|| {
                ApiError::invalid(
                    "amounts",
                    "give the two amounts in cents, each from 1 to 99.",
                )
            })?;
            match amounts.as_slice() {
                &[a, b] if (1..=99).contains(&a) && (1..=99).contains(&b) => {
                    Ok(Answer::Amounts([a, b]))
                }
                _ => Err(ApiError::invalid(
                    "amounts",
                    "give the two amounts in cents, each from 1 to 99.",
                )),
            }
        }
        MicrodepositType::DescriptorCode => {
            if request.amounts.is_some() {
                return Err(ApiError::invalid(
                    "amounts",
                    "this verification asks for the code of the deposit, not amounts.",
                ));
            }
            let code = request.descriptor_code.ok_or_else(|| {
                ApiError::invalid("descriptor_code", "the code is 6 letters or digits.")
            })?;
            let code = code.trim();
            if code.len() == 6 && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                Ok(Answer::DescriptorCode(code.to_ascii_uppercase()))
            } else {
                Err(ApiError::invalid(
                    "descriptor_code",
                    "the code is 6 letters or digits.",
                ))
            }
        }
    }
}

/// Whether an answer names the deposits the sandbox sent (amounts in any order, code in any
/// case).
fn is_right(answer: &Answer) -> bool {
    match answer {
        Answer::Amounts(amounts) => {
            let mut sorted = *amounts;
            sorted.sort_unstable();
            sorted == SANDBOX_AMOUNTS
        }
        Answer::DescriptorCode(code) => code == SANDBOX_DESCRIPTOR_CODE,
    }
}

/// What an answer did to a pending verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Verified,
    /// Wrong, with attempts left.
    Wrong,
    /// Wrong, and the last attempt.
    TooManyAttempts,
}

impl Outcome {
    pub fn event(self) -> EventType {
        match self {
            Self::Verified => EventType::AccountVerificationSucceeded,
            Self::Wrong => EventType::AccountVerificationAttemptFailed,
            Self::TooManyAttempts => EventType::AccountVerificationFailed,
        }
    }
}

/// Applies a well-shaped answer to a pending verification of `record`; a verified account
/// can carry ACH payments from now on.
pub fn answer(record: &mut AccountRecord, answer: &Answer) -> Option<Outcome> {
    let stored = record.verification.as_mut()?;
    if stored.status != VerificationStatus::Pending {
        return None;
    }
    if is_right(answer) {
        stored.status = VerificationStatus::Verified;
        record.bank.supports_ach = true;
        return Some(Outcome::Verified);
    }
    stored.attempts_remaining = stored.attempts_remaining.saturating_sub(1);
    if stored.attempts_remaining == 0 {
        stored.status = VerificationStatus::Failed;
        stored.failure_reason = Some(VerificationFailure::TooManyAttempts);
        Some(Outcome::TooManyAttempts)
    } else {
        Some(Outcome::Wrong)
    }
}

/// Records the webhook event `kind` about `record` (as the integrator sees it now) in `tx`.
pub fn emit(
    tx: &Transaction<'_>,
    kind: EventType,
    record: &AccountRecord,
    now: Timestamp,
    cooldown_seconds: i64,
    links: &VerificationLinks,
) -> Result<(), StoreError> {
    let view = account_view::load(tx, record, cooldown_seconds, links)?;
    webhooks::emit(tx, kind, &view, now)?;
    Ok(())
}

/// Expires, in `tx`, the pending verifications whose time ran out, each with its
/// `verification_failed` event; returns how many.
fn expire_due(
    tx: &Transaction<'_>,
    now: Timestamp,
    cooldown_seconds: i64,
    links: &VerificationLinks,
) -> Result<usize, StoreError> {
    let mut expired = 0;
    for mut record in AccountRecord::due_for_verification_expiry(tx, now)? {
        if expire(tx, &mut record, now, cooldown_seconds, links)? {
            expired += 1;
        }
    }
    Ok(expired)
}

/// Fails the account's verification if its time ran out, stores it and queues its
/// `verification_failed` event; whether it did.
pub fn expire(
    tx: &Transaction<'_>,
    record: &mut AccountRecord,
    now: Timestamp,
    cooldown_seconds: i64,
    links: &VerificationLinks,
) -> Result<bool, StoreError> {
    let Some(stored) = record.verification.as_mut() else {
        return Ok(false);
    };
    if !expire_if_due(stored, now) {
        return Ok(false);
    }
    record.update(tx)?;
    emit(
        tx,
        EventType::AccountVerificationFailed,
        record,
        now,
        cooldown_seconds,
        links,
    )?;
    Ok(true)
}

/// The background worker's look: expires the due verifications and wakes the webhook worker
/// if it did, so `verification_failed` goes out even if nobody opens the page.
pub async fn expire_due_now(state: &Shared) -> Result<(), StoreError> {
    let now = state.clock.now();
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let expired = state
        .store
        .transaction(move |tx| expire_due(tx, now, cooldown, &links))
        .await?;
    if expired > 0 {
        state.webhooks.wake.notify_one();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use finlink_protocol::BankAccountType;

    use super::*;

    fn links() -> VerificationLinks {
        VerificationLinks::new([7; 32], "http://127.0.0.1:8080".to_owned())
    }

    #[test]
    fn a_secret_opens_its_own_account_and_nothing_else() {
        let links = links();
        let secret = links.secret("fca_abc123").unwrap();
        assert!(secret.starts_with("fcvs_abc123_"));
        assert_eq!(links.account_id(&secret).as_deref(), Some("fca_abc123"));
        // Another account's suffix with this mac, a changed mac, another key: all refused.
        let forged = secret.replace("abc123", "abc124");
        assert_eq!(links.account_id(&forged), None);
        let mut tampered = secret.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == '0' { '1' } else { '0' });
        assert_eq!(links.account_id(&tampered), None);
        let other_key = VerificationLinks::new([8; 32], "http://127.0.0.1:8080".to_owned());
        assert_eq!(other_key.account_id(&secret), None);
        for garbage in ["", "fcvs_", "fcvs__", "fca_abc123", "fcsess_1_secret_x"] {
            assert_eq!(links.account_id(garbage), None, "{garbage}");
        }
    }

    #[test]
    fn the_link_carries_the_secret_in_its_fragment() {
        let links = links();
        let url = links.url("fca_abc123").unwrap();
        let secret = links.secret("fca_abc123").unwrap();
        assert_eq!(
            url,
            format!("http://127.0.0.1:8080/link/verify/#verification_secret={secret}")
        );
    }

    #[test]
    fn answers_of_the_wrong_shape_are_refused_with_the_field_named() {
        let amounts = |list: Vec<u32>| VerifyMicrodepositsRequest {
            amounts: Some(list),
            descriptor_code: None,
        };
        let code = |text: &str| VerifyMicrodepositsRequest {
            amounts: None,
            descriptor_code: Some(text.to_owned()),
        };
        let refused = |kind, request| {
            parse_answer(kind, request)
                .err()
                .and_then(|error| error.param())
        };
        use MicrodepositType::{Amounts, DescriptorCode};
        assert_eq!(refused(Amounts, amounts(vec![32])), Some("amounts".into()));
        assert_eq!(
            refused(Amounts, amounts(vec![0, 45])),
            Some("amounts".into())
        );
        assert_eq!(
            refused(Amounts, amounts(vec![100, 45])),
            Some("amounts".into())
        );
        assert_eq!(
            refused(Amounts, code("SM11AA")),
            Some("descriptor_code".into())
        );
        assert_eq!(
            refused(Amounts, VerifyMicrodepositsRequest::default()),
            Some("amounts".into())
        );
        assert_eq!(
            refused(DescriptorCode, code("SM11A")),
            Some("descriptor_code".into())
        );
        assert_eq!(
            refused(DescriptorCode, code("SM11A!")),
            Some("descriptor_code".into())
        );
        assert_eq!(
            refused(DescriptorCode, amounts(vec![32, 45])),
            Some("amounts".into())
        );
        assert_eq!(
            parse_answer(DescriptorCode, code(" sm11aa ")).unwrap(),
            Answer::DescriptorCode("SM11AA".into())
        );
    }

    #[test]
    fn the_sandbox_deposits_are_right_in_any_order_and_any_case() {
        assert!(is_right(&Answer::Amounts([45, 32])));
        assert!(is_right(&Answer::Amounts([32, 45])));
        assert!(!is_right(&Answer::Amounts([32, 46])));
        assert!(is_right(&Answer::DescriptorCode("SM11AA".into())));
        assert!(!is_right(&Answer::DescriptorCode("SM11AB".into())));
    }

    #[test]
    fn a_verification_expires_on_its_own_clock_after_ten_days() {
        let mut stored = start(BankAccountType::Checking, MicrodepositType::Amounts, 1_000);
        assert!(!expire_if_due(&mut stored, 1_000 + LIFETIME_SECONDS - 1));
        stored.clock_offset = 1;
        assert_eq!(stored.due_at(), Some(1_000 + LIFETIME_SECONDS - 1));
        assert!(expire_if_due(&mut stored, 1_000 + LIFETIME_SECONDS - 1));
        assert_eq!(stored.status, VerificationStatus::Failed);
        assert_eq!(stored.failure_reason, Some(VerificationFailure::Expired));
        assert_eq!(stored.due_at(), None);
        assert!(matches!(
            settled_error(&stored),
            Some(ApiError::VerificationExpired)
        ));
    }
}

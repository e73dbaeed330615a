//! One-time codes: 6 uniformly random digits, valid 10 minutes, 5 wrong attempts per session
//! (a new code does not give more), at most 3 sends per session 30 seconds apart and 5 per
//! email per hour (counted for emails without saved accounts too). Everything is stored, so a
//! restart changes nothing.
//!
//! An email without saved accounts gets the same answers, but nothing is sent and no code can
//! match: what the person sees in the widget is all an attacker learns.

use finlink_protocol::{
    ONE_TIME_CODE_DIGITS, OneTimeCodeChallenge, OneTimeCodeStatus, SANDBOX_ONE_TIME_CODE,
    Timestamp, email_hint, one_time_code_well_formed,
};
use rand::Rng;
use rusqlite::Transaction;

use super::{Macs, mail, session_email};
use crate::error::ApiError;
use crate::store::SessionRecord;
use crate::store::saved::{self, OneTimeCodeRecord, SavedPersonRecord};

/// How long a code can be typed.
pub const CODE_LIFETIME_SECONDS: i64 = 600;
/// Wrong codes allowed per session.
pub const ATTEMPTS: u32 = 5;
/// The shortest wait between two sends of one session.
pub const RESEND_INTERVAL_SECONDS: i64 = 30;
/// Sends per session.
pub const SENDS_PER_SESSION: u32 = 3;
/// Sends per email per hour, across sessions and businesses.
pub const SENDS_PER_EMAIL_PER_HOUR: usize = 5;
const HOUR_SECONDS: i64 = 3_600;

/// A new code: [`ONE_TIME_CODE_DIGITS`] digits, uniformly random from 000000 to 999999.
pub fn new_code() -> String {
    let value: u32 = rand::rng().random_range(0..1_000_000);
    format!("{value:0width$}", width = ONE_TIME_CODE_DIGITS)
}

/// When the email may get another code, given the times of its sends in the last hour
/// (oldest first); `None` when it may now.
fn email_available_at(email_sends: &[Timestamp]) -> Option<Timestamp> {
    let count = email_sends.len();
    (count >= SENDS_PER_EMAIL_PER_HOUR)
        .then(|| email_sends[count - SENDS_PER_EMAIL_PER_HOUR].saturating_add(HOUR_SECONDS))
}

/// When this session may send a new code (`now` or later), or `None` when it may send no
/// more (all its sends used, or the code is verified or failed).
pub fn resend_available_at(
    record: Option<&OneTimeCodeRecord>,
    email_sends: &[Timestamp],
    now: Timestamp,
) -> Option<Timestamp> {
    let session_at = match record {
        None => now,
        Some(record) => {
            if record.status != OneTimeCodeStatus::Pending || record.sends >= SENDS_PER_SESSION {
                return None;
            }
            record.last_sent_at.saturating_add(RESEND_INTERVAL_SECONDS)
        }
    };
    Some(
        session_at
            .max(email_available_at(email_sends).unwrap_or(now))
            .max(now),
    )
}

/// Refuses a send the limits do not allow.
pub fn check_send(
    record: Option<&OneTimeCodeRecord>,
    email_sends: &[Timestamp],
    now: Timestamp,
) -> Result<(), ApiError> {
    match resend_available_at(record, email_sends, now) {
        None => Err(ApiError::OneTimeCodeResendLimited { available_at: None }),
        Some(at) if at > now => Err(ApiError::OneTimeCodeResendLimited {
            available_at: Some(at),
        }),
        Some(_) => Ok(()),
    }
}

/// Applies a well-formed code to the session's code: the refusal to show with the challenge
/// (`None` once verified), or an error when no answer is taken at all.
pub fn answer(
    record: &mut OneTimeCodeRecord,
    now: Timestamp,
    right: bool,
) -> Result<Option<ApiError>, ApiError> {
    match record.status {
        OneTimeCodeStatus::Failed => return Err(ApiError::OneTimeCodeAttemptsExceeded),
        OneTimeCodeStatus::Verified => return Ok(None),
        OneTimeCodeStatus::Pending => {}
    }
    if now >= record.expires_at {
        return Ok(Some(ApiError::OneTimeCodeExpired));
    }
    if right {
        record.status = OneTimeCodeStatus::Verified;
        return Ok(None);
    }
    record.attempts_remaining = record.attempts_remaining.saturating_sub(1);
    if record.attempts_remaining == 0 {
        record.status = OneTimeCodeStatus::Failed;
        Ok(Some(ApiError::OneTimeCodeAttemptsExceeded))
    } else {
        Ok(Some(ApiError::OneTimeCodeIncorrect {
            attempts_remaining: record.attempts_remaining,
        }))
    }
}

/// The challenge as the code step shows it.
pub fn challenge(
    record: &OneTimeCodeRecord,
    email_sends: &[Timestamp],
    now: Timestamp,
    error: Option<ApiError>,
) -> OneTimeCodeChallenge {
    OneTimeCodeChallenge {
        email_hint: record.email_hint.clone(),
        status: record.status,
        attempts_remaining: record.attempts_remaining,
        expires_at: record.expires_at,
        resend_available_at: resend_available_at(Some(record), email_sends, now),
        error: error.map(|error| error.to_protocol()),
    }
}

/// The session's email, normalized, with its MAC; `returning_user_unavailable` without one.
fn email_of(macs: &Macs, session: &SessionRecord) -> Result<(String, Vec<u8>), ApiError> {
    let email = session_email(session).ok_or(ApiError::ReturningUserUnavailable)?;
    let mac = macs.email(&email)?;
    Ok((email, mac))
}

fn sends_in_last_hour(
    tx: &Transaction<'_>,
    email_mac: &[u8],
    now: Timestamp,
) -> Result<Vec<Timestamp>, ApiError> {
    Ok(saved::code_sends_since(
        tx,
        email_mac,
        now.saturating_sub(HOUR_SECONDS),
    )?)
}

/// `POST /v1/link/returning_user/code`: sends a new code to the session's email (the sandbox
/// delivers it to its inbox) when the email has saved accounts, and answers alike when not.
/// Without the sandbox inbox no code can reach anyone (finlink sends no real email yet), and a
/// session that declined its saved accounts asks for none: `returning_user_unavailable`.
pub fn send(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    sandbox_inbox: bool,
    now: Timestamp,
) -> Result<OneTimeCodeChallenge, ApiError> {
    if !sandbox_inbox {
        return Err(ApiError::ReturningUserUnavailable);
    }
    super::saved::check_not_declined(tx, session)?;
    let macs = Macs::load(tx, now)?;
    let (email, email_mac) = email_of(&macs, session)?;
    let existing = OneTimeCodeRecord::find(tx, &session.id)?;
    let mut email_sends = sends_in_last_hour(tx, &email_mac, now)?;
    if let Some(record) = &existing {
        match record.status {
            OneTimeCodeStatus::Verified => return Ok(challenge(record, &email_sends, now, None)),
            OneTimeCodeStatus::Failed => return Err(ApiError::OneTimeCodeAttemptsExceeded),
            OneTimeCodeStatus::Pending => {}
        }
    }
    check_send(existing.as_ref(), &email_sends, now)?;
    let code = new_code();
    let known = SavedPersonRecord::find_by_email_mac(tx, &email_mac)?.is_some();
    let record = OneTimeCodeRecord {
        session_id: session.id.clone(),
        email_mac: email_mac.clone(),
        email_hint: email_hint(&email),
        code_mac: if known {
            Some(macs.code(&session.id, &code)?)
        } else {
            None
        },
        status: OneTimeCodeStatus::Pending,
        attempts_remaining: existing
            .as_ref()
            .map_or(ATTEMPTS, |record| record.attempts_remaining),
        expires_at: now.saturating_add(CODE_LIFETIME_SECONDS),
        sends: existing.as_ref().map_or(0, |record| record.sends) + 1,
        last_sent_at: now,
    };
    record.upsert(tx)?;
    saved::record_code_send(tx, &email_mac, now)?;
    if known {
        mail::one_time_code_email(&session.id, &session.business_name, &email, &code, now)
            .insert(tx)?;
    }
    // The send just recorded is the newest of the last hour.
    email_sends.push(now);
    Ok(challenge(&record, &email_sends, now, None))
}

/// `POST /v1/link/returning_user/verify`: checks a code typed by the person. The right code
/// is the one sent (its MAC compared in constant time), or, with the sandbox inbox,
/// [`SANDBOX_ONE_TIME_CODE`] when the email has saved accounts; without it the test code is
/// refused like any wrong code. A session that declined its saved accounts checks none:
/// `returning_user_unavailable`.
pub fn verify(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    code: &str,
    sandbox_inbox: bool,
    now: Timestamp,
) -> Result<OneTimeCodeChallenge, ApiError> {
    if !one_time_code_well_formed(code) {
        return Err(ApiError::invalid(
            "code",
            format!("the code is {ONE_TIME_CODE_DIGITS} digits."),
        ));
    }
    super::saved::check_not_declined(tx, session)?;
    let macs = Macs::load(tx, now)?;
    let mut record =
        OneTimeCodeRecord::find(tx, &session.id)?.ok_or(ApiError::OneTimeCodeNotSent)?;
    let right = match &record.code_mac {
        // An email without saved accounts: no code matches, not even the test code.
        None => false,
        Some(stored) => {
            let sent = macs.code_matches(stored, &session.id, code)?;
            let known = SavedPersonRecord::find_by_email_mac(tx, &record.email_mac)?.is_some();
            sent || (sandbox_inbox && known && code == SANDBOX_ONE_TIME_CODE)
        }
    };
    let error = answer(&mut record, now, right)?;
    record.upsert(tx)?;
    let email_sends = sends_in_last_hour(tx, &record.email_mac, now)?;
    Ok(challenge(&record, &email_sends, now, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = 1_000_000;

    fn pending(sends: u32, last_sent_at: Timestamp) -> OneTimeCodeRecord {
        OneTimeCodeRecord {
            session_id: "fcsess_1".into(),
            email_mac: vec![1],
            email_hint: "j•••@example.com".into(),
            code_mac: Some(vec![2]),
            status: OneTimeCodeStatus::Pending,
            attempts_remaining: ATTEMPTS,
            expires_at: last_sent_at + CODE_LIFETIME_SECONDS,
            sends,
            last_sent_at,
        }
    }

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..50).map(|_| new_code()).collect();
        assert!(codes.iter().all(|code| one_time_code_well_formed(code)));
        assert!(codes.len() > 40, "{codes:?}");
    }

    #[test]
    fn a_session_resends_after_thirty_seconds_at_most_three_times() {
        assert_eq!(check_send(None, &[], NOW).ok(), Some(()));
        let once = pending(1, NOW);
        assert!(matches!(
            check_send(Some(&once), &[NOW], NOW + 29),
            Err(ApiError::OneTimeCodeResendLimited {
                available_at: Some(at)
            }) if at == NOW + 30
        ));
        assert!(check_send(Some(&once), &[NOW], NOW + 30).is_ok());
        let thrice = pending(3, NOW);
        assert!(matches!(
            check_send(Some(&thrice), &[NOW], NOW + 3_000),
            Err(ApiError::OneTimeCodeResendLimited { available_at: None })
        ));
        assert_eq!(resend_available_at(Some(&thrice), &[], NOW), None);
    }

    #[test]
    fn an_email_gets_five_codes_an_hour() {
        let sends = [NOW - 3_000, NOW - 2_000, NOW - 1_000, NOW - 100, NOW - 50];
        assert!(matches!(
            check_send(None, &sends, NOW),
            Err(ApiError::OneTimeCodeResendLimited {
                available_at: Some(at)
            }) if at == NOW - 3_000 + 3_600
        ));
        assert!(check_send(None, &sends[1..], NOW).is_ok());
    }

    #[test]
    fn wrong_codes_count_down_to_failure() {
        let mut record = pending(1, NOW);
        for left in (1..ATTEMPTS).rev() {
            let error = answer(&mut record, NOW + 1, false).unwrap();
            assert!(matches!(
                error,
                Some(ApiError::OneTimeCodeIncorrect { attempts_remaining }) if attempts_remaining == left
            ));
        }
        assert!(matches!(
            answer(&mut record, NOW + 1, false).unwrap(),
            Some(ApiError::OneTimeCodeAttemptsExceeded)
        ));
        assert_eq!(record.status, OneTimeCodeStatus::Failed);
        // Even the right code is refused afterwards.
        assert!(matches!(
            answer(&mut record, NOW + 1, true),
            Err(ApiError::OneTimeCodeAttemptsExceeded)
        ));
    }

    #[test]
    fn the_message_counts_the_attempts_left() {
        let four = ApiError::OneTimeCodeIncorrect {
            attempts_remaining: 4,
        };
        assert_eq!(four.to_string(), "That code isn't right. 4 attempts left.");
        let one = ApiError::OneTimeCodeIncorrect {
            attempts_remaining: 1,
        };
        assert_eq!(one.to_string(), "That code isn't right. 1 attempt left.");
    }

    #[test]
    fn an_expired_code_is_refused_without_using_an_attempt() {
        let mut record = pending(1, NOW);
        let error = answer(&mut record, NOW + CODE_LIFETIME_SECONDS, true).unwrap();
        assert!(matches!(error, Some(ApiError::OneTimeCodeExpired)));
        assert_eq!(record.attempts_remaining, ATTEMPTS);
        assert_eq!(record.status, OneTimeCodeStatus::Pending);
        let error = answer(&mut record, NOW + CODE_LIFETIME_SECONDS - 1, true).unwrap();
        assert!(error.is_none());
        assert_eq!(record.status, OneTimeCodeStatus::Verified);
    }
}

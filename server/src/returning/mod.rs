//! Returning users (docs/integration.md, "Returning users"): after linking accounts at one
//! business, a person may save them with finlink under their email; a later session at any
//! business of this deployment whose `account_holder.email` has saved accounts offers them,
//! once the person types the one-time code sent to that email.
//!
//! finlink keeps no email or phone with saved accounts: only their HMAC-SHA256 under a random
//! key the store creates once (`server_keys`, [`KEY_NAME`]), and the masked hint shown to the
//! person. The one exception is the sandbox inbox (`Config::sandbox_inbox`): each email it
//! "sent" keeps the address and the code for an hour, then is deleted (as are the code sends
//! counted per email).
//! One-time codes are stored the same way, bound to their session. The rules of codes
//! (expiry, attempts, resend limits) are in [`codes`], saving, listing, linking and forgetting
//! saved accounts in [`saved`], and the email the sandbox delivers in [`mail`].

pub mod codes;
pub mod mail;
pub mod saved;

use finlink_protocol::{Timestamp, normalize_email};
use hmac::{Hmac, Mac};
use rusqlite::Transaction;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::store::SessionRecord;
use crate::store::StoreError;
use crate::store::keys::{self, KeyBytes};

/// The name of the key emails, phones and codes are MACed with, in `server_keys`.
pub const KEY_NAME: &str = "returning_users";

/// Computes the MACs finlink stores instead of emails, phones and codes.
pub struct Macs {
    key: KeyBytes,
}

impl Macs {
    /// The store's key, created the first time it is needed.
    pub fn load(tx: &Transaction<'_>, now: Timestamp) -> Result<Self, StoreError> {
        Ok(Self {
            key: keys::load_or_create(tx, KEY_NAME, now)?,
        })
    }

    fn mac(&self, purpose: &[u8], parts: &[&[u8]]) -> Result<Vec<u8>, StoreError> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.as_slice())
            .map_err(|_| StoreError::Invalid(format!("key '{KEY_NAME}' is not a MAC key")))?;
        mac.update(purpose);
        for part in parts {
            // Each part is length-prefixed, so that no two inputs give the same MAC.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        Ok(mac.finalize().into_bytes().to_vec())
    }

    /// The MAC of a normalized email.
    pub fn email(&self, normalized: &str) -> Result<Vec<u8>, StoreError> {
        self.mac(b"finlink email\n", &[normalized.as_bytes()])
    }

    /// The MAC of a normalized phone number.
    pub fn phone(&self, normalized: &str) -> Result<Vec<u8>, StoreError> {
        self.mac(b"finlink phone\n", &[normalized.as_bytes()])
    }

    /// The MAC of a one-time code sent for a session.
    pub fn code(&self, session_id: &str, code: &str) -> Result<Vec<u8>, StoreError> {
        self.mac(
            b"finlink one-time code\n",
            &[session_id.as_bytes(), code.as_bytes()],
        )
    }

    /// Whether `code` is the one whose MAC is stored, compared in constant time.
    pub fn code_matches(
        &self,
        stored: &[u8],
        session_id: &str,
        code: &str,
    ) -> Result<bool, StoreError> {
        Ok(bool::from(self.code(session_id, code)?.ct_eq(stored)))
    }
}

/// The session's email (`account_holder.email`), normalized; `None` without one or when it is
/// not an email.
pub fn session_email(session: &SessionRecord) -> Option<String> {
    session
        .request
        .account_holder
        .as_ref()
        .and_then(|holder| holder.email.as_deref())
        .and_then(normalize_email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_depend_on_the_key_the_purpose_and_the_session() {
        let macs = Macs { key: [1; 32] };
        let other = Macs { key: [2; 32] };
        let email = macs.email("jenny@example.com").unwrap();
        assert_eq!(email, macs.email("jenny@example.com").unwrap());
        assert_ne!(email, other.email("jenny@example.com").unwrap());
        assert_ne!(email, macs.phone("jenny@example.com").unwrap());
        let code = macs.code("fcsess_a", "123456").unwrap();
        assert!(macs.code_matches(&code, "fcsess_a", "123456").unwrap());
        assert!(!macs.code_matches(&code, "fcsess_b", "123456").unwrap());
        assert!(!macs.code_matches(&code, "fcsess_a", "123457").unwrap());
        assert!(
            !macs
                .code_matches(&code[..16], "fcsess_a", "123456")
                .unwrap()
        );
    }
}

//! The `authorizations` table: one login at one bank, and what it awaits.

use finlink_protocol::{ApiError, MfaChallenge, OAuthReturn, Timestamp};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{StoreError, from_json, to_json};
use crate::connector::BankTokens;

/// What an authorization awaits, with the secrets needed to go on. Never sent as is: the link
/// API maps it to `finlink_protocol::AuthorizationState`, without verifier, tokens or MFA token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuthorizationProgress {
    AwaitingOauth {
        oauth_url: String,
        /// SHA-256 of the `state` sent to the bank: single use, bound to this authorization.
        state_hash: Vec<u8>,
        pkce_verifier: String,
    },
    /// The bank came back with a code: the state is spent, the token request under way.
    ExchangingCode {
        oauth_url: String,
    },
    AwaitingCredentials {
        attempts_remaining: u32,
        error: Option<ApiError>,
    },
    AwaitingMfa {
        mfa_token: String,
        challenge: MfaChallenge,
        attempts_remaining: u32,
        error: Option<ApiError>,
    },
    Authorized {
        tokens: BankTokens,
    },
    /// finlink gave the grant up (its accounts were disconnected or relinked with a new one):
    /// the tokens are revoked at the bank and erased here.
    Revoked,
    Failed {
        error: ApiError,
    },
    /// Not a login: the account the person typed in by hand (routing and account numbers).
    /// There is no bank grant; the account is verified by microdeposits instead.
    ManualEntry,
}

#[derive(Debug, Clone)]
pub struct AuthorizationRecord {
    pub id: String,
    pub session_id: String,
    pub institution_id: String,
    pub progress: AuthorizationProgress,
    /// How an OAuth login comes back from the bank, as the widget said when it started.
    pub oauth_return: OAuthReturn,
    pub created: Timestamp,
    pub updated: Timestamp,
}

impl AuthorizationRecord {
    pub fn insert(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO authorizations (id, session_id, institution_id, progress_json, created, updated,
                 oauth_return)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                self.id,
                self.session_id,
                self.institution_id,
                to_json(&self.progress)?,
                self.created,
                self.updated,
                oauth_return_name(self.oauth_return),
            ],
        )?;
        Ok(())
    }

    pub fn update(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE authorizations SET progress_json = ?2, updated = ?3 WHERE id = ?1",
            params![self.id, to_json(&self.progress)?, self.updated],
        )?;
        Ok(())
    }

    pub fn find(tx: &Transaction<'_>, id: &str) -> Result<Option<Self>, StoreError> {
        let row = tx
            .query_row(
                "SELECT id, session_id, institution_id, progress_json, created, updated, oauth_return
                 FROM authorizations WHERE id = ?1",
                params![id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, i64>(4)?,
                        row.get::<_, i64>(5)?,
                        row.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?;
        row.map(
            |(id, session_id, institution_id, progress, created, updated, oauth_return)| {
                Ok(Self {
                    id,
                    session_id,
                    institution_id,
                    progress: from_json(&progress)?,
                    oauth_return: if oauth_return == "redirect" {
                        OAuthReturn::Redirect
                    } else {
                        OAuthReturn::Popup
                    },
                    created,
                    updated,
                })
            },
        )
        .transpose()
    }
}

/// The `oauth_return` column's spelling.
fn oauth_return_name(mode: OAuthReturn) -> &'static str {
    match mode {
        OAuthReturn::Popup => "popup",
        OAuthReturn::Redirect => "redirect",
    }
}

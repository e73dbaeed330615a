//! What the sandbox banks remember: pending consent pages, authorization codes, grants, tokens,
//! MFA challenges and failed logins. In memory only, behind one mutex: a restart forgets it all,
//! which revokes every token, as a bank rotating its keys would.
//!
//! Secrets (request ids, codes, tokens, MFA tokens) are random, handed out once, and kept only
//! as SHA-256 digests. Lookups go by digest, so response timing can at most reveal digest
//! prefixes, which say nothing about any secret; the PKCE challenge is compared in constant time.
//! Expired entries are pruned on the way, at most every `PRUNE_EVERY` seconds.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

use super::data::{LOGIN_ATTEMPTS, MFA_ATTEMPTS, MfaKind};
use super::error::BankError;
use crate::connector::{Pkce, wire};
use crate::secrets::random_token;

/// How long the consent page stays valid.
pub const AUTHORIZATION_REQUEST_SECONDS: i64 = 600;
/// How long an authorization code can be exchanged.
pub const CODE_SECONDS: i64 = 60;
/// How long a spent code is remembered, to detect its replay.
pub const SPENT_CODE_MEMORY_SECONDS: i64 = 600;
/// Access token lifetime (`expires_in`).
pub const ACCESS_TOKEN_SECONDS: i64 = 3600;
/// Refresh token lifetime; every refresh starts it anew.
pub const REFRESH_TOKEN_SECONDS: i64 = 90 * 86_400;
/// How long an MFA challenge can be answered.
pub const MFA_SECONDS: i64 = 300;
/// How long a locked username stays locked, and failures are remembered.
pub const LOCK_SECONDS: i64 = 900;
/// Expired entries are pruned at most this often.
pub const PRUNE_EVERY: i64 = 30;

type Digest = [u8; 32];

fn digest(secret: &str) -> Digest {
    Sha256::digest(secret.as_bytes()).into()
}

/// Which accounts a grant opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountScope {
    /// A credentials login sees every account.
    All,
    /// An OAuth grant sees the accounts the person ticked.
    Only(Vec<String>),
}

impl AccountScope {
    pub fn allows(&self, account_id: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.iter().any(|id| id == account_id),
        }
    }
}

/// A consent page shown and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAuthorization {
    pub institution_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
    pub code_challenge: String,
    pub expires_at: i64,
}

/// A token request with the `authorization_code` grant.
pub struct CodeRedemption<'a> {
    pub code: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub verifier: &'a str,
}

/// Tokens just issued, in clear text for the one response that carries them.
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
}

impl IssuedTokens {
    pub fn into_wire(self) -> wire::TokenResponse {
        wire::TokenResponse {
            access_token: self.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: Some(ACCESS_TOKEN_SECONDS),
            refresh_token: Some(self.refresh_token),
        }
    }
}

struct CodeEntry {
    institution_id: String,
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    scope: AccountScope,
    expires_at: i64,
    forget_at: i64,
    spent: bool,
    /// The grant the code was exchanged for, revoked if the code comes back.
    grant: Option<u64>,
}

struct Grant {
    institution_id: String,
    scope: AccountScope,
    /// When its last refresh token expires.
    expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Access,
    Refresh,
}

struct TokenEntry {
    grant: u64,
    kind: TokenKind,
    expires_at: i64,
    /// A refresh token already used: presenting it again revokes the grant (refresh token
    /// rotation with reuse detection, OAuth 2.0 Security BCP §4.14.2).
    spent: bool,
}

struct MfaEntry {
    institution_id: String,
    kind: MfaKind,
    attempts_remaining: u32,
    expires_at: i64,
}

struct Failures {
    count: u32,
    locked_until: Option<i64>,
    forget_at: i64,
}

#[derive(Default)]
struct Tables {
    pending: HashMap<Digest, PendingAuthorization>,
    codes: HashMap<Digest, CodeEntry>,
    grants: HashMap<u64, Grant>,
    tokens: HashMap<Digest, TokenEntry>,
    mfa: HashMap<Digest, MfaEntry>,
    /// By (institution id, username).
    failures: HashMap<(String, String), Failures>,
    next_grant: u64,
    next_prune: i64,
}

/// The state of every sandbox bank.
#[derive(Default)]
pub struct Memory {
    tables: Mutex<Tables>,
}

impl Memory {
    /// The tables, pruned. A poisoned lock is taken anyway: no code here panics while holding
    /// it, and every table stays consistent entry by entry.
    fn tables(&self, now: i64) -> MutexGuard<'_, Tables> {
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        tables.prune(now);
        tables
    }

    /// Remembers a consent page; the returned request id goes into its form.
    pub fn begin_authorization(&self, pending: PendingAuthorization, now: i64) -> String {
        let request_id = format!("sbx_req_{}", random_token(40));
        self.tables(now)
            .pending
            .insert(digest(&request_id), pending);
        request_id
    }

    /// The consent page of this request id at this bank, if still valid.
    pub fn pending_authorization(
        &self,
        institution_id: &str,
        request_id: &str,
        now: i64,
    ) -> Option<PendingAuthorization> {
        self.tables(now)
            .pending
            .get(&digest(request_id))
            .filter(|pending| pending.institution_id == institution_id && now < pending.expires_at)
            .cloned()
    }

    /// Ends a consent page: it can be answered once.
    pub fn take_pending_authorization(
        &self,
        institution_id: &str,
        request_id: &str,
        now: i64,
    ) -> Option<PendingAuthorization> {
        let mut tables = self.tables(now);
        let key = digest(request_id);
        let valid = tables.pending.get(&key).is_some_and(|pending| {
            pending.institution_id == institution_id && now < pending.expires_at
        });
        if valid {
            tables.pending.remove(&key)
        } else {
            None
        }
    }

    /// Issues an authorization code for an answered consent page.
    pub fn issue_code(
        &self,
        pending: &PendingAuthorization,
        scope: AccountScope,
        now: i64,
    ) -> String {
        let code = format!("sbx_code_{}", random_token(40));
        let entry = CodeEntry {
            institution_id: pending.institution_id.clone(),
            client_id: pending.client_id.clone(),
            redirect_uri: pending.redirect_uri.clone(),
            code_challenge: pending.code_challenge.clone(),
            scope,
            expires_at: now + CODE_SECONDS,
            forget_at: now + SPENT_CODE_MEMORY_SECONDS,
            spent: false,
            grant: None,
        };
        self.tables(now).codes.insert(digest(&code), entry);
        code
    }

    /// Exchanges a code (RFC 6749 §4.1.3, RFC 7636 §4.6). A code is spent by its first
    /// exchange, successful or not; a spent code coming back revokes the grant it gave.
    pub fn redeem_code(
        &self,
        institution_id: &str,
        request: &CodeRedemption<'_>,
        now: i64,
    ) -> Result<IssuedTokens, BankError> {
        let mut tables = self.tables(now);
        let Some(entry) = tables.codes.get_mut(&digest(request.code)) else {
            return Err(BankError::InvalidGrant);
        };
        if entry.institution_id != institution_id {
            return Err(BankError::InvalidGrant);
        }
        if entry.spent {
            let grant = entry.grant;
            if let Some(grant) = grant {
                tables.revoke_grant(grant);
            }
            return Err(BankError::InvalidGrant);
        }
        entry.spent = true;
        let challenge = Pkce::s256_challenge(request.verifier);
        let pkce_ok: bool = challenge
            .as_bytes()
            .ct_eq(entry.code_challenge.as_bytes())
            .into();
        let valid = now < entry.expires_at
            && entry.client_id == request.client_id
            && entry.redirect_uri == request.redirect_uri
            && verifier_well_formed(request.verifier)
            && pkce_ok;
        if !valid {
            return Err(BankError::InvalidGrant);
        }
        let scope = entry.scope.clone();
        let (grant, tokens) = tables.new_grant(institution_id, scope, now);
        if let Some(entry) = tables.codes.get_mut(&digest(request.code)) {
            entry.grant = Some(grant);
        }
        Ok(tokens)
    }

    /// A new grant over every account, for a credentials login.
    pub fn grant_all(&self, institution_id: &str, now: i64) -> IssuedTokens {
        self.tables(now)
            .new_grant(institution_id, AccountScope::All, now)
            .1
    }

    /// Rotates a refresh token (RFC 6749 §6): a new access and refresh token; the old refresh
    /// token is spent, and presenting it again revokes the grant.
    pub fn refresh(
        &self,
        institution_id: &str,
        refresh_token: &str,
        now: i64,
    ) -> Result<IssuedTokens, BankError> {
        let mut tables = self.tables(now);
        let key = digest(refresh_token);
        let Some(entry) = tables.tokens.get(&key) else {
            return Err(BankError::InvalidGrant);
        };
        let (grant, spent) = (entry.grant, entry.spent);
        let usable = entry.kind == TokenKind::Refresh
            && now < entry.expires_at
            && tables
                .grants
                .get(&grant)
                .is_some_and(|found| found.institution_id == institution_id);
        if !usable {
            return Err(BankError::InvalidGrant);
        }
        if spent {
            tables.revoke_grant(grant);
            return Err(BankError::InvalidGrant);
        }
        if let Some(entry) = tables.tokens.get_mut(&key) {
            entry.spent = true;
        }
        Ok(tables.issue_tokens(grant, now))
    }

    /// Revokes the grant behind a token of this bank (RFC 7009: access and refresh tokens
    /// alike). Unknown tokens are ignored, as the RFC asks.
    pub fn revoke(&self, institution_id: &str, token: &str, now: i64) {
        let mut tables = self.tables(now);
        let Some(grant) = tables.tokens.get(&digest(token)).map(|entry| entry.grant) else {
            return;
        };
        if tables
            .grants
            .get(&grant)
            .is_some_and(|found| found.institution_id == institution_id)
        {
            tables.revoke_grant(grant);
        }
    }

    /// How many grants of this bank are alive (not revoked, not expired).
    pub fn live_grants(&self, institution_id: &str, now: i64) -> usize {
        self.tables(now)
            .grants
            .values()
            .filter(|grant| grant.institution_id == institution_id && now < grant.expires_at)
            .count()
    }

    /// The accounts an access token of this bank opens.
    pub fn scope_of(
        &self,
        institution_id: &str,
        access_token: &str,
        now: i64,
    ) -> Result<AccountScope, BankError> {
        let tables = self.tables(now);
        let entry = tables
            .tokens
            .get(&digest(access_token))
            .filter(|entry| entry.kind == TokenKind::Access && now < entry.expires_at)
            .ok_or(BankError::InvalidToken)?;
        tables
            .grants
            .get(&entry.grant)
            .filter(|grant| grant.institution_id == institution_id)
            .map(|grant| grant.scope.clone())
            .ok_or(BankError::InvalidToken)
    }

    /// Refuses a username locked at this bank.
    pub fn check_not_locked(
        &self,
        institution_id: &str,
        username: &str,
        now: i64,
    ) -> Result<(), BankError> {
        let tables = self.tables(now);
        let key = (institution_id.to_owned(), username.to_owned());
        match tables
            .failures
            .get(&key)
            .and_then(|failures| failures.locked_until)
        {
            Some(until) if now < until => Err(BankError::AccountLocked),
            _ => Ok(()),
        }
    }

    /// Counts a wrong password; the `LOGIN_ATTEMPTS`-th locks the username.
    pub fn record_failed_login(&self, institution_id: &str, username: &str, now: i64) -> BankError {
        let mut tables = self.tables(now);
        let key = (institution_id.to_owned(), username.to_owned());
        let failures = tables.failures.entry(key).or_insert(Failures {
            count: 0,
            locked_until: None,
            forget_at: now,
        });
        failures.count = failures.count.saturating_add(1);
        failures.forget_at = now + LOCK_SECONDS;
        if failures.count >= LOGIN_ATTEMPTS {
            failures.locked_until = Some(now + LOCK_SECONDS);
            BankError::AccountLocked
        } else {
            BankError::InvalidCredentials {
                attempts_remaining: LOGIN_ATTEMPTS - failures.count,
            }
        }
    }

    /// A successful login forgets earlier failures.
    pub fn clear_failed_logins(&self, institution_id: &str, username: &str, now: i64) {
        self.tables(now)
            .failures
            .remove(&(institution_id.to_owned(), username.to_owned()));
    }

    /// Starts an MFA challenge; the returned token identifies it at `/mfa`.
    pub fn begin_mfa(&self, institution_id: &str, kind: MfaKind, now: i64) -> String {
        let token = format!("sbx_mfa_{}", random_token(40));
        let entry = MfaEntry {
            institution_id: institution_id.to_owned(),
            kind,
            attempts_remaining: MFA_ATTEMPTS,
            expires_at: now + MFA_SECONDS,
        };
        self.tables(now).mfa.insert(digest(&token), entry);
        token
    }

    /// Checks an MFA answer: right logs in (and ends the challenge), wrong costs an attempt,
    /// and the last wrong one voids the challenge.
    pub fn answer_mfa(
        &self,
        institution_id: &str,
        mfa_token: &str,
        answer: &str,
        now: i64,
    ) -> Result<IssuedTokens, BankError> {
        let mut tables = self.tables(now);
        let key = digest(mfa_token);
        let Some(entry) = tables
            .mfa
            .get_mut(&key)
            .filter(|entry| entry.institution_id == institution_id && now < entry.expires_at)
        else {
            return Err(BankError::MfaExpired);
        };
        if entry.kind.accepts(answer) {
            tables.mfa.remove(&key);
            return Ok(tables.new_grant(institution_id, AccountScope::All, now).1);
        }
        entry.attempts_remaining = entry.attempts_remaining.saturating_sub(1);
        let attempts_remaining = entry.attempts_remaining;
        if attempts_remaining == 0 {
            tables.mfa.remove(&key);
        }
        Err(BankError::InvalidMfaAnswer { attempts_remaining })
    }
}

impl Tables {
    fn new_grant(
        &mut self,
        institution_id: &str,
        scope: AccountScope,
        now: i64,
    ) -> (u64, IssuedTokens) {
        self.next_grant = self.next_grant.wrapping_add(1);
        let id = self.next_grant;
        let grant = Grant {
            institution_id: institution_id.to_owned(),
            scope,
            expires_at: now + REFRESH_TOKEN_SECONDS,
        };
        self.grants.insert(id, grant);
        (id, self.issue_tokens(id, now))
    }

    fn issue_tokens(&mut self, grant: u64, now: i64) -> IssuedTokens {
        let access_token = format!("sbx_at_{}", random_token(40));
        let refresh_token = format!("sbx_rt_{}", random_token(40));
        let access = TokenEntry {
            grant,
            kind: TokenKind::Access,
            expires_at: now + ACCESS_TOKEN_SECONDS,
            spent: false,
        };
        let refresh = TokenEntry {
            grant,
            kind: TokenKind::Refresh,
            expires_at: now + REFRESH_TOKEN_SECONDS,
            spent: false,
        };
        self.tokens.insert(digest(&access_token), access);
        self.tokens.insert(digest(&refresh_token), refresh);
        if let Some(found) = self.grants.get_mut(&grant) {
            found.expires_at = found.expires_at.max(now + REFRESH_TOKEN_SECONDS);
        }
        IssuedTokens {
            access_token,
            refresh_token,
        }
    }

    fn revoke_grant(&mut self, grant: u64) {
        self.grants.remove(&grant);
        self.tokens.retain(|_, entry| entry.grant != grant);
    }

    fn prune(&mut self, now: i64) {
        if now < self.next_prune {
            return;
        }
        self.next_prune = now + PRUNE_EVERY;
        self.pending.retain(|_, pending| now < pending.expires_at);
        self.codes.retain(|_, code| now < code.forget_at);
        self.grants.retain(|_, grant| now < grant.expires_at);
        let grants = &self.grants;
        self.tokens
            .retain(|_, token| now < token.expires_at && grants.contains_key(&token.grant));
        self.mfa.retain(|_, mfa| now < mfa.expires_at);
        self.failures.retain(|_, failures| now < failures.forget_at);
    }
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`.
fn verifier_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;
    const BANK: &str = "ins_sandbox_oauth";

    fn pending(challenge: &str) -> PendingAuthorization {
        PendingAuthorization {
            institution_id: BANK.into(),
            client_id: "finlink".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            state: "s".into(),
            code_challenge: challenge.into(),
            expires_at: NOW + AUTHORIZATION_REQUEST_SECONDS,
        }
    }

    fn redemption<'a>(code: &'a str, verifier: &'a str) -> CodeRedemption<'a> {
        CodeRedemption {
            code,
            client_id: "finlink",
            redirect_uri: "http://127.0.0.1/cb",
            verifier,
        }
    }

    #[test]
    fn a_code_expires_after_its_lifetime() {
        let memory = Memory::default();
        let pkce = Pkce::generate();
        let code = memory.issue_code(&pending(&pkce.challenge), AccountScope::All, NOW);
        let late = memory.redeem_code(BANK, &redemption(&code, &pkce.verifier), NOW + CODE_SECONDS);
        assert!(matches!(late, Err(BankError::InvalidGrant)));
    }

    #[test]
    fn a_code_works_only_at_its_own_bank() {
        let memory = Memory::default();
        let pkce = Pkce::generate();
        let code = memory.issue_code(&pending(&pkce.challenge), AccountScope::All, NOW);
        let elsewhere = memory.redeem_code("ins_other", &redemption(&code, &pkce.verifier), NOW);
        assert!(matches!(elsewhere, Err(BankError::InvalidGrant)));
        assert!(
            memory
                .redeem_code(BANK, &redemption(&code, &pkce.verifier), NOW)
                .is_ok()
        );
    }

    #[test]
    fn a_reused_refresh_token_revokes_the_grant() {
        let memory = Memory::default();
        let first = memory.grant_all(BANK, NOW);
        let second = memory
            .refresh(BANK, &first.refresh_token, NOW)
            .map_err(|_| ())
            .unwrap();
        assert!(matches!(
            memory.refresh(BANK, &first.refresh_token, NOW),
            Err(BankError::InvalidGrant)
        ));
        assert!(matches!(
            memory.scope_of(BANK, &second.access_token, NOW),
            Err(BankError::InvalidToken)
        ));
        assert!(matches!(
            memory.refresh(BANK, &second.refresh_token, NOW),
            Err(BankError::InvalidGrant)
        ));
    }

    #[test]
    fn tokens_expire_and_are_pruned() {
        let memory = Memory::default();
        let tokens = memory.grant_all(BANK, NOW);
        assert!(
            memory
                .scope_of(BANK, &tokens.access_token, NOW + ACCESS_TOKEN_SECONDS - 1)
                .is_ok()
        );
        assert!(
            memory
                .scope_of(BANK, &tokens.access_token, NOW + ACCESS_TOKEN_SECONDS)
                .is_err()
        );
        let _ = memory.scope_of(BANK, "x", NOW + REFRESH_TOKEN_SECONDS + 1);
        let tables = memory.tables.lock().unwrap();
        assert!(tables.tokens.is_empty() && tables.grants.is_empty());
    }

    #[test]
    fn a_lock_lifts_after_its_time() {
        let memory = Memory::default();
        for _ in 0..LOGIN_ATTEMPTS {
            let _ = memory.record_failed_login(BANK, "user", NOW);
        }
        assert!(matches!(
            memory.check_not_locked(BANK, "user", NOW),
            Err(BankError::AccountLocked)
        ));
        assert!(memory.check_not_locked(BANK, "other", NOW).is_ok());
        assert!(
            memory
                .check_not_locked(BANK, "user", NOW + LOCK_SECONDS)
                .is_ok()
        );
    }

    #[test]
    fn verifiers_follow_rfc_7636() {
        assert!(verifier_well_formed(&"a".repeat(43)));
        assert!(!verifier_well_formed(&"a".repeat(42)));
        assert!(!verifier_well_formed(&"a".repeat(129)));
        assert!(!verifier_well_formed(&format!("{}+", "a".repeat(43))));
    }
}

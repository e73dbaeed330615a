//! The sandbox banks: every institution of the directory is a bank of its own at
//! `{public_base}/sandbox/banks/{institution_id}`, which is also its OAuth issuer.
//!
//! They run inside finlink-server, but finlink reaches them only through the `connector`, over
//! real HTTP, exactly as it reaches a real bank: an OAuth bank shows its own consent page and
//! redirects back with a code; a credentials bank takes a username and password, with MFA on
//! magic passwords. Both hand out bearer tokens that open the account data endpoints. What each
//! test institution does, and every account, password and answer, is in `docs/sandbox.md`.
//!
//! Bank state (pending consent pages, codes, tokens, MFA challenges, failed logins) lives in
//! memory: a restart of the server revokes every sandbox token, as a bank rotating its keys
//! would, and finlink must then ask the person to link again.

pub mod data;
mod error;
mod html;
mod login;
mod memory;
mod oauth;
mod resources;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use finlink_protocol::{InstitutionStatus, Timestamp};
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::clock::{Clock, SystemClock};
use crate::connector::BankEndpoints;
use crate::directory::{Directory, DirectoryInstitution, SandboxBehaviour};
use error::BankUnavailable;
use memory::Memory;

/// Requests to a sandbox bank are small forms and JSON bodies.
pub const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// What every sandbox bank shares: the directory that says which banks exist and how they
/// behave, where they are reached, the one registered client, and their memory. Cheap to clone.
#[derive(Clone)]
pub struct SandboxState {
    inner: Arc<Inner>,
}

struct Inner {
    directory: Arc<Directory>,
    public_base: url::Url,
    /// The one redirect URI registered for client `finlink`, matched exactly.
    redirect_uri: String,
    /// Its origin, allowed as a `form-action` target of the consent page.
    redirect_origin: Option<String>,
    clock: Arc<dyn Clock>,
    /// 00:00 UTC of the day the sandbox started: transaction histories end the day before.
    history_end: Timestamp,
    memory: Memory,
    /// Faults injected per institution id; a watch channel so that stalled requests wake
    /// when their fault is cleared.
    faults: watch::Sender<HashMap<String, BankFault>>,
}

/// A fault injected into one sandbox bank's API (token, revocation and account data
/// endpoints), on top of its documented behaviour: how tests and demos make a bank fail
/// after accounts were linked there. Login and consent pages are not affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankFault {
    /// Every API request fails with `500 institution_error`, as Down Bank (Error) does.
    Error,
    /// Every API request fails with `503 institution_down`.
    Down,
    /// API requests wait until the fault is cleared (or the caller gives up).
    Stall,
}

impl SandboxState {
    /// The sandbox banks of `directory`, reached at `public_base` (e.g. `http://127.0.0.1:8080`),
    /// sending people back to `redirect_uri`, on the system clock.
    pub fn new(
        directory: Arc<Directory>,
        public_base: url::Url,
        redirect_uri: String,
    ) -> SandboxState {
        Self::with_clock(directory, public_base, redirect_uri, Arc::new(SystemClock))
    }

    /// The same on another clock, so that tests can expire codes, tokens and locks without
    /// waiting.
    pub fn with_clock(
        directory: Arc<Directory>,
        public_base: url::Url,
        redirect_uri: String,
        clock: Arc<dyn Clock>,
    ) -> SandboxState {
        let redirect_origin = url::Url::parse(&redirect_uri)
            .ok()
            .map(|url| url.origin())
            .filter(url::Origin::is_tuple)
            .map(|origin| origin.ascii_serialization());
        let now = clock.now();
        let history_end = now - now.rem_euclid(86_400);
        let inner = Inner {
            directory,
            public_base,
            redirect_uri,
            redirect_origin,
            clock,
            history_end,
            memory: Memory::default(),
            faults: watch::Sender::new(HashMap::new()),
        };
        SandboxState {
            inner: Arc::new(inner),
        }
    }

    /// The issuer identifier of an institution's bank, as sent in `iss`.
    pub fn issuer(&self, institution_id: &str) -> String {
        BankEndpoints::sandbox(&self.inner.public_base, institution_id).issuer
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Injects a fault into an institution's bank API, or clears it with `None`. In-process
    /// only (tests and embedders): no HTTP route can do it.
    pub fn set_fault(&self, institution_id: &str, fault: Option<BankFault>) {
        self.inner.faults.send_modify(|faults| match fault {
            Some(fault) => {
                faults.insert(institution_id.to_owned(), fault);
            }
            None => {
                faults.remove(institution_id);
            }
        });
    }

    /// How many grants an institution's bank holds alive: lets tests see that finlink
    /// revoked what it gave up.
    pub fn live_grants(&self, institution_id: &str) -> usize {
        self.inner.memory.live_grants(institution_id, self.now())
    }

    /// `bank`, for the API endpoints: also applies an injected fault, waiting out a stall.
    async fn api_bank(
        &self,
        institution_id: &str,
    ) -> Result<&DirectoryInstitution, BankUnavailable> {
        let institution = self.bank(institution_id)?;
        let mut faults = self.inner.faults.subscribe();
        loop {
            let fault = faults.borrow_and_update().get(institution_id).copied();
            match fault {
                None => return Ok(institution),
                Some(BankFault::Error) => return Err(BankUnavailable::Failing),
                Some(BankFault::Down) => return Err(BankUnavailable::DownUnscheduled),
                Some(BankFault::Stall) => {
                    if faults.changed().await.is_err() {
                        return Ok(institution);
                    }
                }
            }
        }
    }

    /// The institution, if its bank can serve requests now. A down institution's bank answers
    /// 503 too, although finlink refuses it before calling; an `Erroring` one answers 500.
    fn bank(&self, institution_id: &str) -> Result<&DirectoryInstitution, BankUnavailable> {
        let institution = self
            .inner
            .directory
            .get(institution_id)
            .ok_or(BankUnavailable::UnknownBank)?;
        match (institution.status, &institution.behaviour) {
            (InstitutionStatus::DownScheduled, _) => Err(BankUnavailable::DownScheduled),
            (InstitutionStatus::DownUnscheduled, _) => Err(BankUnavailable::DownUnscheduled),
            (InstitutionStatus::Up, SandboxBehaviour::Erroring) => Err(BankUnavailable::Failing),
            (InstitutionStatus::Up, _) => Ok(institution),
        }
    }
}

/// The sandbox banks' routes, to be nested at `/sandbox`:
///
/// | route under `/banks/{institution_id}` | what |
/// | --- | --- |
/// | `GET /oauth/authorize` | consent page (OAuth banks) |
/// | `POST /oauth/authorize` | the person's answer: 303 to the redirect URI |
/// | `POST /oauth/token` | `authorization_code` and `refresh_token` grants |
/// | `POST /oauth/revoke` | RFC 7009 revocation |
/// | `POST /login` | credentials login (credentials banks) |
/// | `POST /mfa` | MFA answer |
/// | `GET /accounts` | accounts the bearer token may see |
/// | `GET /accounts/{account_id}/transactions` | an account's history |
///
/// Nothing is cached (`Cache-Control: no-store`): pages and answers carry secrets.
pub fn router(state: SandboxState) -> Router {
    Router::new()
        .route(
            "/banks/{institution_id}/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_decision),
        )
        .route("/banks/{institution_id}/oauth/token", post(oauth::token))
        .route("/banks/{institution_id}/oauth/revoke", post(oauth::revoke))
        .route("/banks/{institution_id}/login", post(login::login))
        .route("/banks/{institution_id}/mfa", post(login::mfa))
        .route("/banks/{institution_id}/accounts", get(resources::accounts))
        .route(
            "/banks/{institution_id}/accounts/{account_id}/transactions",
            get(resources::transactions),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}

//! The widget's side of the channel to the loader (`loader/finlink.js`, DESIGN §5).
//!
//! The loader opens `/link/#client_secret=...&host_origin=...` in an iframe; this posts the
//! flow's events and its one result to `window.parent`, with `host_origin` as the explicit
//! target origin (never `*`), so nothing reaches a page the loader did not open it from.
//!
//! ```text
//! { source: "finlink", version: 1, type: "event",  name, metadata }
//! { source: "finlink", version: 1, type: "result", session: { id, accounts: [...] } }
//! { source: "finlink", version: 1, type: "result", error: { type, code, message } }
//! { source: "finlink", version: 1, type: "navigate", url }   the bank's window was blocked
//! ```
//!
//! Accounts carry what the host may see (id, names, category, subcategory, last4, status),
//! never numbers. The messages are built by pure functions, tested natively.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use finlink_protocol::{
    AccountCategory, AccountStatus, AccountSubcategory, ErrorCode, ErrorType, LinkResult,
    LinkedAccount, MicrodepositVerification,
};
use serde::Serialize;

use super::is_origin;
use crate::flow::{Failure, HostEvent, Outcome};

/// The version of the message schema; the loader ignores messages of other versions.
pub const MESSAGE_VERSION: u32 = 1;

/// One message to the host page or app, serialized from these types (not through a
/// `serde_json::Value`, whose map and serializer cost the widget's WebAssembly more).
/// `Display` gives its JSON text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message<'a> {
    Event {
        source: &'static str,
        version: u32,
        name: &'static str,
        metadata: Metadata<'a>,
    },
    /// Either `session` or `error`.
    Result {
        source: &'static str,
        version: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        session: Option<Session<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<ErrorBody<'a>>,
    },
    Navigate {
        source: &'static str,
        version: u32,
        url: &'a str,
    },
    OpenUrl {
        source: &'static str,
        version: u32,
        url: &'a str,
    },
}

impl Message<'_> {
    /// The JSON text of the message.
    pub fn to_json(&self) -> Option<String> {
        serde_json::to_string(self).ok()
    }
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json().ok_or(fmt::Error)?)
    }
}

/// An event's `metadata`: an object whose fields depend on the event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Metadata<'a> {
    Institution {
        institution_id: &'a str,
        institution_name: &'a str,
    },
    Accounts {
        account_count: usize,
    },
    Error {
        error_code: Option<ErrorCode>,
    },
    None {},
}

/// A result's `session`: its id (`null` when cancelled before it could be read) and accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session<'a> {
    id: Option<&'a str>,
    accounts: Vec<Account<'a>>,
}

/// What the host may see of an account: never numbers, balances, owners or permissions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account<'a> {
    id: &'a str,
    display_name: &'a str,
    institution_name: &'a str,
    category: AccountCategory,
    subcategory: AccountSubcategory,
    last4: &'a str,
    status: AccountStatus,
    verification: Option<&'a MicrodepositVerification>,
}

/// A result's `error`: the API's type, code (or `network_error`) and message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorBody<'a> {
    #[serde(rename = "type")]
    kind: ErrorType,
    code: Code,
    message: &'a str,
}

/// An error's `code`: the API's, or `network_error` when no answer could be had or read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Code {
    Api(ErrorCode),
    Network(&'static str),
}

/// Posts the flow's events and result to the page that embeds the widget. A no-op channel
/// when the page was opened directly (no `host_origin` in its fragment).
#[derive(Clone, Debug, Default)]
pub struct HostChannel {
    /// The embedding page's origin, validated; `None` for a no-op channel.
    target: Option<String>,
    /// Whether the result was posted: shared by the clones, so it is posted at most once.
    finished: Rc<Cell<bool>>,
}

impl HostChannel {
    /// The channel to the page named by `host_origin` in this page's URL fragment.
    pub fn from_page() -> HostChannel {
        #[cfg(target_arch = "wasm32")]
        {
            Self::to_origin(super::page_params().host_origin.as_deref())
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            Self::default()
        }
    }

    /// A channel to `origin` (`https://shop.example`); a no-op one unless it is a plain
    /// `http(s)://host[:port]` origin.
    pub fn to_origin(origin: Option<&str>) -> HostChannel {
        HostChannel {
            target: origin.filter(|origin| is_origin(origin)).map(str::to_owned),
            finished: Rc::default(),
        }
    }

    /// Whether messages go anywhere.
    pub fn is_connected(&self) -> bool {
        self.target.is_some()
    }

    /// Tells the host page what just happened.
    pub fn emit(&self, event: &HostEvent) {
        self.post(&event_message(event));
    }

    /// Resolves the host's promise; only the first call posts.
    pub fn finish(&self, outcome: &Outcome) {
        if self.finished.replace(true) {
            return;
        }
        self.post(&result_message(outcome));
    }

    /// Asks the loader to send the top page to the bank (`type: "navigate"`), when the
    /// bank's window was blocked. The loader follows only its own iframe's message, from the
    /// widget's origin, and only to an http(s) URL.
    pub fn navigate(&self, url: &str) {
        self.post(&navigate_message(url));
    }

    #[cfg(target_arch = "wasm32")]
    fn post(&self, message: &Message<'_>) {
        let Some(target) = &self.target else {
            return;
        };
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(Some(parent)) = window.parent() else {
            return;
        };
        let Some(text) = message.to_json() else {
            return;
        };
        if let Ok(data) = web_sys::js_sys::JSON::parse(&text) {
            // Fails only if the origin is malformed, which `is_origin` ruled out.
            let _ = parent.post_message(&data, target);
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn post(&self, _message: &Message<'_>) {}
}

/// `{ source, version, type: "event", name, metadata }`.
pub fn event_message(event: &HostEvent) -> Message<'_> {
    let metadata = match event {
        HostEvent::InstitutionSelected {
            institution,
            institution_name,
        } => Metadata::Institution {
            institution_id: institution,
            institution_name,
        },
        HostEvent::AccountsSelected { count } => Metadata::Accounts {
            account_count: *count,
        },
        HostEvent::Error { error_code } => Metadata::Error {
            error_code: *error_code,
        },
        HostEvent::Open
        | HostEvent::ConsentAcquired
        | HostEvent::SearchInitiated
        | HostEvent::FlowLaunchedInBrowser
        | HostEvent::InstitutionAuthorized
        | HostEvent::ManualEntryInitiated
        | HostEvent::ReturningUserDetected
        | HostEvent::ReturningUserVerified
        | HostEvent::Success
        | HostEvent::Cancel => Metadata::None {},
    };
    Message::Event {
        source: "finlink",
        version: MESSAGE_VERSION,
        name: event.name(),
        metadata,
    }
}

/// `{ source, version, type: "navigate", url }`: the top page goes to the bank.
pub fn navigate_message(url: &str) -> Message<'_> {
    Message::Navigate {
        source: "finlink",
        version: MESSAGE_VERSION,
        url,
    }
}

/// `{ source, version, type: "result", session }` or `{ ..., error }`.
pub fn result_message(outcome: &Outcome) -> Message<'_> {
    let (session, error) = match outcome {
        Outcome::Linked(result) | Outcome::Cancelled(Some(result)) => (Some(session(result)), None),
        // Cancelled before the session could be read or its cancellation confirmed.
        Outcome::Cancelled(None) => (
            Some(Session {
                id: None,
                accounts: Vec::new(),
            }),
            None,
        ),
        Outcome::Failed(failure) => (None, Some(error_body(failure))),
    };
    Message::Result {
        source: "finlink",
        version: MESSAGE_VERSION,
        session,
        error,
    }
}

fn session(result: &LinkResult) -> Session<'_> {
    Session {
        id: Some(&result.session),
        accounts: result.accounts.iter().map(account).collect(),
    }
}

fn account(account: &LinkedAccount) -> Account<'_> {
    Account {
        id: &account.id,
        display_name: &account.display_name,
        institution_name: &account.institution_name,
        category: account.category,
        subcategory: account.subcategory,
        last4: &account.last4,
        status: account.status,
        verification: account.verification.as_ref(),
    }
}

fn error_body(failure: &Failure) -> ErrorBody<'_> {
    let (kind, code) = match failure.code {
        Some(code) => (error_type(code), Code::Api(code)),
        // No answer could be had or read: offline, or a proxy's error page.
        None => (ErrorType::ApiError, Code::Network("network_error")),
    };
    ErrorBody {
        kind,
        code,
        message: &failure.message,
    }
}

/// The error's type, as the server gives it for the same code.
fn error_type(code: ErrorCode) -> ErrorType {
    match code {
        ErrorCode::SecretKeyMissing
        | ErrorCode::SecretKeyInvalid
        | ErrorCode::ClientSecretInvalid => ErrorType::AuthenticationError,
        ErrorCode::IdempotencyKeyInUse | ErrorCode::IdempotencyKeyInvalid => {
            ErrorType::IdempotencyError
        }
        ErrorCode::RateLimited | ErrorCode::RefreshTooSoon => ErrorType::RateLimitError,
        ErrorCode::InvalidCredentials
        | ErrorCode::InvalidMfaAnswer
        | ErrorCode::AccountLocked
        | ErrorCode::OauthDenied
        | ErrorCode::OauthCodeInvalid
        | ErrorCode::InstitutionDownScheduled
        | ErrorCode::InstitutionDownUnscheduled
        | ErrorCode::InstitutionError
        | ErrorCode::InstitutionUnavailable => ErrorType::InstitutionError,
        ErrorCode::InternalError | ErrorCode::Unknown => ErrorType::ApiError,
        _ => ErrorType::InvalidRequestError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use finlink_protocol::{Permission, SessionStatus};
    use serde_json::{Value, json};

    /// The message as the receiving side reads its JSON.
    fn read(message: Message<'_>) -> Value {
        serde_json::from_str(&message.to_string()).expect("JSON")
    }

    fn account() -> LinkedAccount {
        LinkedAccount {
            id: "acc_1".to_owned(),
            display_name: "Everyday Checking".to_owned(),
            institution_name: "Sandbox Bank (OAuth)".to_owned(),
            category: AccountCategory::Cash,
            subcategory: AccountSubcategory::Checking,
            last4: "6789".to_owned(),
            status: AccountStatus::Active,
            permissions: vec![Permission::PaymentMethod],
            verification: None,
        }
    }

    fn result(accounts: Vec<LinkedAccount>) -> LinkResult {
        LinkResult {
            session: "fcsess_1".to_owned(),
            status: SessionStatus::Completed,
            accounts,
        }
    }

    #[test]
    fn events_carry_their_name_and_metadata() {
        assert_eq!(
            read(event_message(&HostEvent::InstitutionSelected {
                institution: "ins_sandbox_oauth".to_owned(),
                institution_name: "Sandbox Bank (OAuth)".to_owned(),
            })),
            json!({ "source": "finlink", "version": 1, "type": "event",
                    "name": "institution_selected",
                    "metadata": { "institution_id": "ins_sandbox_oauth",
                                  "institution_name": "Sandbox Bank (OAuth)" } })
        );
        assert_eq!(
            read(event_message(&HostEvent::Error {
                error_code: Some(ErrorCode::InstitutionDownScheduled)
            }))["metadata"],
            json!({ "error_code": "institution_down_scheduled" })
        );
        assert_eq!(
            read(event_message(&HostEvent::Error { error_code: None }))["metadata"],
            json!({ "error_code": null })
        );
        assert_eq!(
            read(event_message(&HostEvent::AccountsSelected { count: 2 }))["metadata"],
            json!({ "account_count": 2 })
        );
        assert_eq!(read(event_message(&HostEvent::Open))["metadata"], json!({}));
    }

    #[test]
    fn a_linked_session_shows_the_accounts_without_numbers_or_permissions() {
        let message = read(result_message(&Outcome::Linked(result(vec![account()]))));
        assert_eq!(
            message,
            json!({ "source": "finlink", "version": 1, "type": "result",
                    "session": { "id": "fcsess_1", "accounts": [{
                        "id": "acc_1", "display_name": "Everyday Checking",
                        "institution_name": "Sandbox Bank (OAuth)", "category": "cash",
                        "subcategory": "checking", "last4": "6789", "status": "active",
                        "verification": null }] } })
        );
        assert!(message.get("error").is_none());
    }

    #[test]
    fn an_account_entered_by_hand_carries_its_pending_verification() {
        use finlink_protocol::{MicrodepositType, MicrodepositVerification, VerificationStatus};
        let url = "https://link.example/link/verify/#verification_secret=fcvs_1_ab";
        let pending = LinkedAccount {
            verification: Some(MicrodepositVerification {
                status: VerificationStatus::Pending,
                microdeposit_type: MicrodepositType::DescriptorCode,
                failure_reason: None,
                attempts_remaining: 3,
                arrival_date: 1_800_000_000,
                expires_at: 1_800_864_000,
                hosted_verification_url: Some(url.to_owned()),
            }),
            ..account()
        };
        let message = read(result_message(&Outcome::Linked(result(vec![pending]))));
        assert_eq!(
            message["session"]["accounts"][0]["verification"],
            json!({ "status": "pending", "microdeposit_type": "descriptor_code",
                    "failure_reason": null, "attempts_remaining": 3,
                    "arrival_date": 1_800_000_000, "expires_at": 1_800_864_000,
                    "hosted_verification_url": url })
        );
    }

    #[test]
    fn a_cancelled_session_has_its_accounts_possibly_none() {
        let message = read(result_message(&Outcome::Cancelled(Some(result(vec![])))));
        assert_eq!(
            message["session"],
            json!({ "id": "fcsess_1", "accounts": [] })
        );
        let message = read(result_message(&Outcome::Cancelled(None)));
        assert_eq!(message["session"], json!({ "id": null, "accounts": [] }));
    }

    #[test]
    fn a_failure_is_an_error_with_type_code_and_message() {
        let failure = Failure::new(Some(ErrorCode::SessionExpired), "This session expired.");
        assert_eq!(
            read(result_message(&Outcome::Failed(failure))),
            json!({ "source": "finlink", "version": 1, "type": "result",
                    "error": { "type": "invalid_request_error", "code": "session_expired",
                               "message": "This session expired." } })
        );
        let failure = Failure::new(Some(ErrorCode::ClientSecretInvalid), "Not valid.");
        assert_eq!(
            read(result_message(&Outcome::Failed(failure)))["error"]["type"],
            "authentication_error"
        );
        let offline = Failure::new(None, "You're offline.");
        assert_eq!(
            read(result_message(&Outcome::Failed(offline)))["error"],
            json!({ "type": "api_error", "code": "network_error", "message": "You're offline." })
        );
    }

    #[test]
    fn navigate_names_the_bank_url() {
        assert_eq!(
            read(navigate_message("https://bank.example/authorize")),
            json!({ "source": "finlink", "version": 1, "type": "navigate",
                    "url": "https://bank.example/authorize" })
        );
    }

    #[test]
    fn only_plain_origins_open_a_channel() {
        for origin in [
            "https://shop.example",
            "http://127.0.0.1:8081",
            "http://[::1]:80",
        ] {
            assert!(
                HostChannel::to_origin(Some(origin)).is_connected(),
                "{origin}"
            );
        }
        for origin in [
            "*",
            "null",
            "",
            "https://",
            "https://shop.example/path",
            "javascript:alert(1)",
            "https://a b",
        ] {
            assert!(
                !HostChannel::to_origin(Some(origin)).is_connected(),
                "{origin}"
            );
        }
        assert!(!HostChannel::to_origin(None).is_connected());
        assert!(!HostChannel::from_page().is_connected());
    }

    #[test]
    fn finish_is_spent_by_the_first_call_across_clones() {
        let channel = HostChannel::to_origin(Some("https://shop.example"));
        let clone = channel.clone();
        channel.finish(&Outcome::Cancelled(None));
        assert!(clone.finished.get());
    }
}

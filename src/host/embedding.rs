//! Where the widget page runs, and so who hears its events and result and how the bank's login
//! leaves the page (DESIGN §5):
//!
//! | page opened as | events and result | OAuth at the bank |
//! | --- | --- | --- |
//! | the loader's iframe (`#...&host_origin=`) | `postMessage` to the loader | a popup; blocked: the top page goes to the bank (loader's `navigate`) |
//! | a web view's page with a native bridge | the bridge's JSON messages | `open_url` to the system browser |
//! | hosted (`?return_url=...#client_secret=...`) | the page goes to `return_url` at the end | this page goes to the bank |
//! | directly, none of these | nowhere | a popup; blocked: this page goes to the bank |
//!
//! Logins that leave the page come back to the session's `return_url`, and the widget page,
//! loaded again with the same client secret, resumes from the server's state.

use std::cell::RefCell;
use std::rc::Rc;

use finlink_protocol::{LinkSession, OAuthReturn};

use super::bridge::{self, BridgeKind};
use super::{HostChannel, event_message, result_message};
use crate::flow::{Failure, HostEvent, Outcome};

/// How the page was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// In the loader's iframe.
    Loader,
    /// In a mobile app's web view with this bridge.
    WebView(BridgeKind),
    /// The top page, sent here by the integrator with `?return_url=`; the URL is checked
    /// against the session's before anything goes there.
    Hosted { return_url: String },
    /// Opened directly.
    Direct,
}

/// What the widget does with the bank's URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankWindow {
    /// Open it in a popup, in the click's call stack.
    Popup,
    /// Handed to the app (web view) or this page went there (hosted): nothing more to do.
    HandedOff,
}

/// Where the bank's login page opens, so the screens that send the person there and wait for
/// them name the right place: a window over this page, or the phone's browser when a mobile
/// app's web view hands the login over (`open_url`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BankOpensIn {
    #[default]
    Window,
    Browser,
}

/// The hosted page's `return_url` is not the session's: refused, never followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "This page was opened with a return address that doesn't belong to this session. Go back to the site you came from and start again."
)]
pub struct ReturnUrlMismatch;

/// The page's embedding, shared by the driver's clones.
#[derive(Clone, Debug)]
pub struct Host {
    mode: Mode,
    channel: HostChannel,
    /// Hosted mode: the session id once its `return_url` matched; until then no redirect.
    hosted_session: Rc<RefCell<Option<String>>>,
    finished: Rc<std::cell::Cell<bool>>,
}

impl Host {
    /// The embedding of this page: the loader's channel when `host_origin` names one, else the
    /// native bridge that exists, else hosted mode when `return_url` is in the query.
    pub fn from_page() -> Host {
        let params = super::page_params();
        let channel = HostChannel::to_origin(params.host_origin.as_deref());
        let mode = if channel.is_connected() {
            Mode::Loader
        } else if let Some(kind) = bridge::find_bridge() {
            Mode::WebView(kind)
        } else if let Some(return_url) = params.return_url {
            Mode::Hosted { return_url }
        } else {
            Mode::Direct
        };
        Self::new(mode, channel)
    }

    pub fn new(mode: Mode, channel: HostChannel) -> Host {
        Host {
            mode,
            channel,
            hosted_session: Rc::default(),
            finished: Rc::default(),
        }
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Where the person logs in at the bank, as the hand-off and waiting screens say it.
    pub fn bank_opens_in(&self) -> BankOpensIn {
        match self.mode {
            Mode::WebView(_) => BankOpensIn::Browser,
            Mode::Loader | Mode::Direct | Mode::Hosted { .. } => BankOpensIn::Window,
        }
    }

    /// How a login started from this page comes back from the bank.
    pub fn oauth_return(&self) -> OAuthReturn {
        match self.mode {
            Mode::WebView(_) | Mode::Hosted { .. } => OAuthReturn::Redirect,
            Mode::Loader | Mode::Direct => OAuthReturn::Popup,
        }
    }

    /// Checks a loaded session against the page: in hosted mode its `return_url` must equal
    /// the query's exactly (no open redirect).
    pub fn check_session(&self, session: &LinkSession) -> Result<(), ReturnUrlMismatch> {
        let Mode::Hosted { return_url } = &self.mode else {
            return Ok(());
        };
        if session.return_url.as_deref() != Some(return_url.as_str()) {
            log("the page's return_url is not the session's; refusing to redirect");
            return Err(ReturnUrlMismatch);
        }
        self.hosted_session.replace(Some(session.id.clone()));
        Ok(())
    }

    /// Tells the host what just happened.
    pub fn emit(&self, event: &HostEvent) {
        match &self.mode {
            Mode::Loader => self.channel.emit(event),
            Mode::WebView(kind) => bridge::post(*kind, &event_message(event)),
            Mode::Hosted { .. } | Mode::Direct => {}
        }
    }

    /// Hands over the result, once: to the loader, to the app, or by leaving for `return_url`.
    pub fn finish(&self, outcome: &Outcome) {
        if self.finished.replace(true) {
            return;
        }
        match &self.mode {
            Mode::Loader => self.channel.finish(outcome),
            Mode::WebView(kind) => bridge::post(*kind, &result_message(outcome)),
            Mode::Hosted { return_url } => {
                let session = self.hosted_session.borrow().clone();
                if let Some(session) = session {
                    go(&finish_url(return_url, &session, outcome), true);
                }
            }
            Mode::Direct => {}
        }
    }

    /// Where the bank's URL goes when the person continues to the bank.
    pub fn open_bank(&self, url: &str) -> BankWindow {
        match &self.mode {
            Mode::WebView(kind) => {
                bridge::post(*kind, &bridge::open_url_message(url));
                BankWindow::HandedOff
            }
            Mode::Hosted { .. } => {
                go(url, false);
                BankWindow::HandedOff
            }
            Mode::Loader | Mode::Direct => BankWindow::Popup,
        }
    }

    /// Leaves for the bank in this tab: the loader navigates the top page, else this page goes.
    pub fn redirect(&self, url: &str) {
        match &self.mode {
            Mode::Loader => self.channel.navigate(url),
            Mode::WebView(kind) => bridge::post(*kind, &bridge::open_url_message(url)),
            Mode::Hosted { .. } | Mode::Direct => go(url, false),
        }
    }
}

/// What the hosted page's person sees when the return address is refused.
pub fn return_url_failure() -> Failure {
    Failure::new(None, ReturnUrlMismatch.to_string())
}

/// `return_url` with `finlink_session` and `finlink_outcome` added to its query (before any
/// fragment): `?finlink_session=fcsess_...&finlink_outcome=success|cancelled|error`.
pub fn finish_url(return_url: &str, session: &str, outcome: &Outcome) -> String {
    let outcome = match outcome {
        Outcome::Linked(_) => "success",
        Outcome::Cancelled(_) => "cancelled",
        Outcome::Failed(_) => "error",
    };
    let (base, fragment) = match return_url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (return_url, None),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut url = format!(
        "{base}{separator}finlink_session={}&finlink_outcome={outcome}",
        crate::api::encode_component(session)
    );
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// Navigates this page (`replace`: the finished widget page is not kept in history).
#[cfg(target_arch = "wasm32")]
fn go(url: &str, replace: bool) {
    let Some(location) = web_sys::window().map(|window| window.location()) else {
        return;
    };
    let _ = if replace {
        location.replace(url)
    } else {
        location.assign(url)
    };
}

#[cfg(not(target_arch = "wasm32"))]
fn go(_url: &str, _replace: bool) {}

#[cfg(target_arch = "wasm32")]
fn log(message: &str) {
    web_sys::console::warn_1(&format!("finlink: {message}").into());
}

#[cfg(not(target_arch = "wasm32"))]
fn log(_message: &str) {}

#[cfg(test)]
mod tests {
    use super::*;
    use finlink_protocol::{LinkResult, Permission, ResumeAt, SessionStatus};

    const RETURN: &str = "https://shop.example/checkout/done?cart=7";

    fn hosted(return_url: &str) -> Host {
        Host::new(
            Mode::Hosted {
                return_url: return_url.to_owned(),
            },
            HostChannel::default(),
        )
    }

    fn session_returning_to(url: Option<&str>) -> LinkSession {
        LinkSession {
            id: "fcsess_1".to_owned(),
            business_name: "Demo Shop".to_owned(),
            permissions: vec![Permission::Balances],
            filters: None,
            account_selection: Default::default(),
            verification_method: None,
            status: SessionStatus::Open,
            consent_given: false,
            resume: ResumeAt::Consent,
            return_url: url.map(str::to_owned),
            accounts: Vec::new(),
            email: None,
            returning_user: None,
            expires_at: 1_800_000_000,
            terms_url: "https://link.example/legal/terms".to_owned(),
            privacy_url: "https://link.example/legal/privacy".to_owned(),
        }
    }

    #[test]
    fn the_finish_url_adds_the_session_and_outcome_to_the_return_url() {
        let linked = Outcome::Linked(LinkResult {
            session: "fcsess_1".to_owned(),
            status: SessionStatus::Completed,
            accounts: vec![],
        });
        assert_eq!(
            finish_url(RETURN, "fcsess_1", &linked),
            "https://shop.example/checkout/done?cart=7&finlink_session=fcsess_1&finlink_outcome=success"
        );
        assert_eq!(
            finish_url(
                "https://shop.example/done#top",
                "fcsess_1",
                &Outcome::Cancelled(None)
            ),
            "https://shop.example/done?finlink_session=fcsess_1&finlink_outcome=cancelled#top"
        );
        assert_eq!(
            finish_url(
                "https://shop.example/done",
                "fc sess&x",
                &Outcome::Failed(Failure::new(None, "x"))
            ),
            "https://shop.example/done?finlink_session=fc%20sess%26x&finlink_outcome=error"
        );
    }

    #[test]
    fn hosted_mode_accepts_only_the_sessions_exact_return_url() {
        assert_eq!(
            hosted(RETURN).check_session(&session_returning_to(Some(RETURN))),
            Ok(())
        );
        for other in [
            None,
            Some("https://evil.example/"),
            Some("https://shop.example/checkout/done"),
            Some("https://shop.example/checkout/done?cart=7&x=1"),
            Some("HTTPS://shop.example/checkout/done?cart=7"),
        ] {
            assert_eq!(
                hosted(RETURN).check_session(&session_returning_to(other)),
                Err(ReturnUrlMismatch),
                "{other:?}"
            );
        }
    }

    #[test]
    fn a_refused_return_url_is_never_followed() {
        let host = hosted("https://evil.example/");
        assert!(
            host.check_session(&session_returning_to(Some(RETURN)))
                .is_err()
        );
        host.finish(&Outcome::Cancelled(None));
        assert_eq!(*host.hosted_session.borrow(), None);
    }

    #[test]
    fn logins_leave_the_page_in_web_views_and_hosted_mode_only() {
        assert_eq!(hosted(RETURN).oauth_return(), OAuthReturn::Redirect);
        let web_view = Host::new(Mode::WebView(BridgeKind::Android), HostChannel::default());
        assert_eq!(web_view.oauth_return(), OAuthReturn::Redirect);
        for mode in [Mode::Loader, Mode::Direct] {
            assert_eq!(
                Host::new(mode, HostChannel::default()).oauth_return(),
                OAuthReturn::Popup
            );
        }
        // Other pages check nothing: their results go to the loader or the app.
        assert_eq!(
            Host::new(Mode::Direct, HostChannel::default())
                .check_session(&session_returning_to(None)),
            Ok(())
        );
    }

    #[test]
    fn the_bank_url_goes_to_the_app_or_this_page_or_a_popup() {
        let web_view = Host::new(Mode::WebView(BridgeKind::Ios), HostChannel::default());
        assert_eq!(
            web_view.open_bank("https://bank.example/"),
            BankWindow::HandedOff
        );
        assert_eq!(
            Host::new(Mode::Loader, HostChannel::default()).open_bank("https://bank.example/"),
            BankWindow::Popup
        );
    }

    #[test]
    fn only_a_web_view_sends_the_person_to_their_browser_to_log_in() {
        for bridge in [
            BridgeKind::Ios,
            BridgeKind::Android,
            BridgeKind::ReactNative,
        ] {
            assert_eq!(
                Host::new(Mode::WebView(bridge), HostChannel::default()).bank_opens_in(),
                BankOpensIn::Browser
            );
        }
        let hosted = Mode::Hosted {
            return_url: RETURN.to_owned(),
        };
        for mode in [Mode::Loader, Mode::Direct, hosted] {
            assert_eq!(
                Host::new(mode, HostChannel::default()).bank_opens_in(),
                BankOpensIn::Window
            );
        }
    }
}

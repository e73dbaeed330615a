use std::time::Duration;

use finlink_protocol::{
    ErrorCode, Institution, LinkAccount, LinkSession, List, OAuthReturn, SavedAccount,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Dialog;
use super::login::BANK_WINDOW;
use crate::Options;
use crate::api::{self, ApiError, Call, Client};
use crate::flow::{
    self, Effect, Event, Failure, LocalDirectory, Request, ReturningUserEvent, State,
};
use crate::host::{BankWindow, Host};

/// The widget: the flow state, its driver, and the dialog that shows the current step.
#[component]
pub fn App(options: Options) -> impl IntoView {
    let (initial, effects) = flow::start();
    let driver = Driver::new(&options, initial);
    let online = window_event_listener_untyped("online", move |_| {
        driver.dispatch(Event::Connectivity(true));
    });
    let offline = window_event_listener_untyped("offline", move |_| {
        driver.dispatch(Event::Connectivity(false));
    });
    on_cleanup(move || {
        online.remove();
        offline.remove();
        driver.clear_timer();
    });
    driver.perform(effects);
    let send = Callback::new(move |event| driver.dispatch(event));
    let bank_opens_in = driver.host.with_value(Host::bank_opens_in);
    view! { <Dialog state=driver.state send announcement=driver.announcement bank_opens_in /> }
}

/// Runs the flow: the only code that changes its state. It runs each effect and feeds what
/// happened back as an event; what the person does comes in through [`Driver::dispatch`],
/// synchronously inside their click or key press (so a popup opens in the click's call stack).
#[derive(Clone, Copy)]
struct Driver {
    state: RwSignal<State>,
    /// The text of the `aria-live` region.
    announcement: RwSignal<String>,
    client: StoredValue<Client>,
    /// Where the page runs: the loader's iframe, a web view's bridge, hosted, or directly.
    host: StoredValue<Host, LocalStorage>,
    /// The bank's popup while the person is there, closed when the flow leaves the OAuth
    /// step (cancelled, finished, authorized, back).
    popup: StoredValue<Option<web_sys::Window>, LocalStorage>,
    /// The one poll timer.
    timer: StoredValue<Option<TimeoutHandle>>,
    /// The directory file: asked for once per page, then kept.
    directory: StoredValue<DirectoryFile>,
}

/// Where the directory file stands (`Effect::LoadDirectory`).
#[derive(Clone)]
enum DirectoryFile {
    NotAsked,
    Fetching,
    /// Decoded, or `None` when it cannot be had.
    Done(Option<LocalDirectory>),
}

impl Driver {
    fn new(options: &Options, initial: State) -> Self {
        Self {
            state: RwSignal::new(initial),
            announcement: RwSignal::new(String::new()),
            client: StoredValue::new(Client::new(&options.api_base, &options.client_secret)),
            host: StoredValue::new_local(Host::from_page()),
            popup: StoredValue::new_local(None),
            timer: StoredValue::new(None),
            directory: StoredValue::new(DirectoryFile::NotAsked),
        }
    }

    fn dispatch(self, event: Event) {
        // The widget was unmounted while a request was under way: nothing left to update.
        let Some(current) = self.state.try_get_untracked() else {
            return;
        };
        let (next, effects) = flow::step(current, event);
        if !matches!(next, State::OAuth { .. }) {
            self.close_popup();
        }
        self.state.set(next);
        self.perform(effects);
    }

    fn perform(self, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(self, effect: Effect) {
        let request = match &effect {
            Effect::LoadSession => Request::LoadSession,
            Effect::GiveConsent { .. } => Request::GiveConsent,
            Effect::Search { .. } => Request::Search,
            Effect::StartAuthorization { .. } | Effect::StartRedirectAuthorization { .. } => {
                Request::StartAuthorization
            }
            Effect::SubmitCredentials { .. } => Request::SubmitCredentials,
            Effect::SubmitMfa { .. } => Request::SubmitMfa,
            Effect::PollAuthorization { .. } => Request::PollAuthorization,
            Effect::LoadAccounts { .. } => Request::LoadAccounts,
            Effect::AttachAccounts { .. } => Request::AttachAccounts,
            Effect::CreateManualAccount { .. } => Request::CreateManualAccount,
            Effect::Complete => Request::Complete,
            Effect::CancelSession => Request::CancelSession,
            Effect::SendCode => Request::SendCode,
            Effect::VerifyCode { .. } => Request::VerifyCode,
            Effect::LoadSavedAccounts => Request::LoadSavedAccounts,
            Effect::AttachSavedAccounts { .. } => Request::AttachSavedAccounts,
            Effect::ForgetSavedAccounts => Request::ForgetSavedAccounts,
            Effect::DeclineSavedAccounts => Request::DeclineSavedAccounts,
            Effect::SaveAccounts { .. } => Request::SaveAccounts,
            Effect::OpenPopup { url } => return self.open_popup(url),
            Effect::Redirect { url } => {
                self.clear_timer();
                self.host.try_with_value(|host| host.redirect(url));
                return;
            }
            Effect::StartTimer { after_ms } => return self.start_timer(*after_ms),
            Effect::LoadDirectory => return self.load_directory(),
            Effect::Emit(event) => {
                self.host.try_with_value(|host| host.emit(event));
                return;
            }
            Effect::Announce(text) => return self.announce(text),
            Effect::Finish(outcome) => {
                self.clear_timer();
                self.close_popup();
                self.host.try_with_value(|host| host.finish(outcome));
                return;
            }
            Effect::Ignored { .. } => return,
        };
        // A request of the link API: its answer, or its failure, comes back as an event.
        let (Some(client), Some(host)) = (self.client.try_get_value(), self.host.try_get_value())
        else {
            return;
        };
        spawn_local(async move {
            let event = answer(&client, &host, effect)
                .await
                .unwrap_or_else(|error| failed(request, &error));
            self.dispatch(event);
        });
    }

    /// Opens the bank's page in a popup. Called within the click that asked for it: browsers
    /// let only a click's own call stack open a window.
    /// In a web view the app opens it in the system browser; a hosted page goes there itself.
    fn open_popup(self, url: &str) {
        let handed_off = self
            .host
            .try_with_value(|host| host.open_bank(url) == BankWindow::HandedOff);
        if handed_off != Some(false) {
            return;
        }
        let opened = web_sys::window().and_then(|window| {
            window
                .open_with_url_and_target_and_features(
                    url,
                    BANK_WINDOW,
                    "popup=yes,width=480,height=720",
                )
                .ok()
                .flatten()
        });
        match opened {
            // "Reopen window" brings back a window the person lost behind this one.
            Some(popup) => {
                let _ = popup.focus();
                self.popup.try_set_value(Some(popup));
            }
            None => self.dispatch(Event::PopupBlocked),
        }
    }

    /// Closes the bank's popup, if it is still open: the person left the OAuth step.
    fn close_popup(self) {
        if let Some(Some(popup)) = self.popup.try_update_value(Option::take)
            && !popup.closed().unwrap_or(true)
        {
            let _ = popup.close();
        }
    }

    /// Fetches and decodes the directory file once, after the screen shown now is painted; later
    /// asks get the same answer. It comes back as `DirectoryLoaded` either way.
    fn load_directory(self) {
        let Some(file) = self.directory.try_get_value() else {
            return;
        };
        match file {
            DirectoryFile::Done(answer) => {
                spawn_local(async move { self.dispatch(Event::DirectoryLoaded(answer)) });
            }
            // Its answer goes to whatever step the flow is at then.
            DirectoryFile::Fetching => {}
            DirectoryFile::NotAsked => {
                self.directory.set_value(DirectoryFile::Fetching);
                let Some(client) = self.client.try_get_value() else {
                    return;
                };
                super::after_next_paint(move || {
                    // Unmounted before the paint: nothing to fetch for.
                    if self.directory.try_get_value().is_none() {
                        return;
                    }
                    spawn_local(async move {
                        let answer = match client.directory().await {
                            Ok(text) => LocalDirectory::decode(&text).ok(),
                            Err(_) => None,
                        };
                        self.directory
                            .try_set_value(DirectoryFile::Done(answer.clone()));
                        self.dispatch(Event::DirectoryLoaded(answer));
                    });
                });
            }
        }
    }

    /// One timer at a time: a new one replaces the one under way.
    fn start_timer(self, after_ms: u32) {
        self.clear_timer();
        let handle = set_timeout_with_handle(
            move || {
                self.timer.try_set_value(None);
                self.dispatch(Event::TimerFired);
            },
            Duration::from_millis(after_ms.into()),
        )
        .ok();
        self.timer.try_set_value(handle);
    }

    fn clear_timer(self) {
        if let Some(Some(handle)) = self.timer.try_update_value(Option::take) {
            handle.clear();
        }
    }

    /// Puts `text` into the live region. The same text twice gets a trailing no-break space,
    /// so that screen readers read it again.
    fn announce(self, text: &str) {
        self.announcement.update(|current| {
            *current = if current == text {
                format!("{text}\u{a0}")
            } else {
                text.to_owned()
            };
        });
    }
}

/// Sends the request of an effect and turns the answer into the event the flow awaits: the
/// request is built, sent through the one non-generic [`Client::call`], and its answer decoded,
/// so that this future awaits one future type rather than one per request.
async fn answer(api: &Client, host: &Host, effect: Effect) -> Result<Event, ApiError> {
    let call = request_of(host, &effect)?;
    let (status, body) = api.call(&call).await?;
    event_of(host, effect, status, &body)
}

/// The request of an effect of the link API.
fn request_of(host: &Host, effect: &Effect) -> Result<Call, ApiError> {
    Ok(match effect {
        Effect::LoadSession => Client::session(),
        Effect::GiveConsent { permissions } => Client::consent(permissions)?,
        Effect::Search { query } => Client::institutions(query, api::SEARCH_LIMIT),
        Effect::StartAuthorization { institution } => {
            Client::start_authorization(institution, host.oauth_return())?
        }
        Effect::StartRedirectAuthorization { institution } => {
            Client::start_authorization(institution, OAuthReturn::Redirect)?
        }
        Effect::SubmitCredentials {
            authorization,
            username,
            password,
        } => Client::submit_credentials(authorization, username, password)?,
        Effect::SubmitMfa {
            authorization,
            answer,
        } => Client::answer_mfa(authorization, answer)?,
        Effect::PollAuthorization { authorization } => Client::authorization(authorization),
        Effect::LoadAccounts { authorization } => Client::accounts(authorization),
        Effect::AttachAccounts {
            authorization,
            accounts,
            idempotency_key,
        } => Client::attach(authorization, accounts, idempotency_key)?,
        Effect::CreateManualAccount {
            request,
            idempotency_key,
        } => Client::create_manual_account(request, idempotency_key)?,
        Effect::Complete => Client::complete()?,
        Effect::CancelSession => Client::cancel()?,
        Effect::SendCode => Client::send_code()?,
        Effect::VerifyCode { code } => Client::verify_code(code)?,
        Effect::LoadSavedAccounts => Client::saved_accounts(),
        Effect::AttachSavedAccounts {
            accounts,
            idempotency_key,
        } => Client::attach_saved(accounts, idempotency_key)?,
        Effect::ForgetSavedAccounts => Client::forget_saved()?,
        Effect::DeclineSavedAccounts => Client::decline_saved()?,
        Effect::SaveAccounts { request } => Client::save_accounts(request)?,
        // Not requests: `Driver::run` does these itself and never sends them here.
        Effect::LoadDirectory
        | Effect::OpenPopup { .. }
        | Effect::Redirect { .. }
        | Effect::StartTimer { .. }
        | Effect::Emit(_)
        | Effect::Announce(_)
        | Effect::Finish(_)
        | Effect::Ignored { .. } => {
            return Err(ApiError::Decode("not a request of the link API".to_owned()));
        }
    })
}

/// The event of the answer to an effect's request.
fn event_of(host: &Host, effect: Effect, status: u16, body: &str) -> Result<Event, ApiError> {
    Ok(match effect {
        Effect::LoadSession => {
            let session: LinkSession = api::decode(status, body)?;
            // A hosted page whose return_url is not the session's goes nowhere.
            if host.check_session(&session).is_err() {
                return Ok(Event::ApiFailed {
                    request: Request::LoadSession,
                    error: crate::host::return_url_failure(),
                    retryable: false,
                });
            }
            Event::SessionLoaded(Box::new(session))
        }
        Effect::GiveConsent { .. } => Event::ConsentRecorded(Box::new(api::decode(status, body)?)),
        Effect::Search { query } => {
            let list: List<Institution> = api::decode(status, body)?;
            Event::InstitutionsLoaded {
                query,
                institutions: list.data,
            }
        }
        Effect::StartAuthorization { .. }
        | Effect::StartRedirectAuthorization { .. }
        | Effect::SubmitCredentials { .. }
        | Effect::SubmitMfa { .. }
        | Effect::PollAuthorization { .. } => {
            Event::AuthorizationUpdated(Box::new(api::decode(status, body)?))
        }
        Effect::LoadAccounts { .. } => {
            let list: List<LinkAccount> = api::decode(status, body)?;
            Event::AccountsLoaded(list.data)
        }
        Effect::AttachAccounts { .. } | Effect::AttachSavedAccounts { .. } => {
            Event::Linked(api::decode(status, body)?)
        }
        Effect::CreateManualAccount { .. } => {
            Event::ManualAccountCreated(api::decode(status, body)?)
        }
        Effect::Complete => Event::Completed(api::decode(status, body)?),
        Effect::CancelSession => Event::SessionCancelled(Some(api::decode(status, body)?)),
        Effect::SendCode => {
            Event::ReturningUser(ReturningUserEvent::CodeSent(api::decode(status, body)?))
        }
        Effect::VerifyCode { .. } => {
            Event::ReturningUser(ReturningUserEvent::CodeChecked(api::decode(status, body)?))
        }
        Effect::LoadSavedAccounts => {
            let list: List<SavedAccount> = api::decode(status, body)?;
            Event::ReturningUser(ReturningUserEvent::SavedAccountsLoaded(list.data))
        }
        Effect::ForgetSavedAccounts => {
            Event::ReturningUser(ReturningUserEvent::Forgotten(api::decode(status, body)?))
        }
        // Nothing reads the answer (a `ReturningUserDeclined`): only whether it is one.
        Effect::DeclineSavedAccounts => {
            let _: serde::de::IgnoredAny = api::decode(status, body)?;
            Event::ReturningUser(ReturningUserEvent::Declined)
        }
        Effect::SaveAccounts { .. } => Event::ReturningUser(ReturningUserEvent::AccountsSaved(
            api::decode(status, body)?,
        )),
        Effect::LoadDirectory
        | Effect::OpenPopup { .. }
        | Effect::Redirect { .. }
        | Effect::StartTimer { .. }
        | Effect::Emit(_)
        | Effect::Announce(_)
        | Effect::Finish(_)
        | Effect::Ignored { .. } => {
            return Err(ApiError::Decode("not a request of the link API".to_owned()));
        }
    })
}

/// A fresh `Idempotency-Key` for linking accounts: 128 bits from `crypto.getRandomValues`,
/// in hex. The flow never makes randomness; the view asks for a key when the person confirms.
pub fn new_idempotency_key() -> String {
    use std::fmt::Write;
    let mut bytes = [0u8; 16];
    let random = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !random {
        // No Web Crypto (never in a browser that runs this module): still unique enough
        // within one session, which is all a key must be.
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    let mut key = String::with_capacity(35);
    key.push_str("fl_");
    for byte in bytes {
        let _ = write!(key, "{byte:02x}");
    }
    key
}

/// The flow's view of an API failure, in words for the person.
fn failed(request: Request, error: &ApiError) -> Event {
    let message = match error {
        ApiError::Network(_) => {
            "We couldn't reach finlink. Check your connection and try again.".to_owned()
        }
        ApiError::MissingClientSecret => {
            "This page was opened without a session. Go back and start again.".to_owned()
        }
        ApiError::Api { error, .. } => match error.code {
            ErrorCode::ClientSecretInvalid => {
                "This link is not valid. Go back and start again.".to_owned()
            }
            ErrorCode::SessionExpired => {
                "This link has expired. Go back and start again.".to_owned()
            }
            ErrorCode::SessionCompleted => {
                "This link was already used. Go back and start again.".to_owned()
            }
            ErrorCode::SessionCancelled => {
                "This link was cancelled. Go back and start again.".to_owned()
            }
            _ => error.message.clone(),
        },
        ApiError::Status { .. } | ApiError::Decode(_) => {
            "Something went wrong at finlink. Try again in a moment.".to_owned()
        }
    };
    Event::ApiFailed {
        request,
        error: Failure {
            code: error.code(),
            message,
        },
        retryable: error.is_retryable(),
    }
}

//! Opening the finlink widget from a Rust web application (Leptos, or any wasm-bindgen code):
//! what `loader/finlink.js` does for JavaScript pages, with the same contract (DESIGN §5).
//!
//! The person types their bank credentials only into finlink's own page, so this opens
//! `{widget_origin}/link/#client_secret=...&host_origin=...` in an iframe (a modal over the
//! page with [`collect`], or filling an element with [`mount`] and the [`FinlinkCollect`]
//! component), listens for the widget's `postMessage`s, accepts only those whose origin is
//! the widget's and whose source is its own iframe, resolves once, and removes the iframe and
//! its listener. One flow at a time per page, whichever way it was opened.
//!
//! ```no_run
//! use finlink::embed::{CollectError, CollectOptions, collect};
//!
//! async fn pay_by_bank(client_secret: String) {
//!     let options = CollectOptions::new("https://link.example.com", client_secret)
//!         .on_event(|event| web_sys::console::log_1(&event.name.as_str().into()));
//!     match collect(options).await {
//!         Ok(session) if session.accounts.is_empty() => { /* closed without linking */ }
//!         Ok(session) => { /* send session.id to your server, which reads the accounts */ }
//!         Err(CollectError::Flow { code, .. }) => { /* e.g. "session_expired": new session */ }
//!         Err(other) => { /* a mistake of the page: other.to_string() says which */ }
//!     }
//! }
//! ```
//!
//! The page that embeds the widget must be on an origin the finlink server allows
//! (`--allowed-origin`, docs/deployment.md), or the browser refuses to show it.
//!
//! Nothing here runs in the widget page itself: its program (`src/main.rs`) calls
//! [`crate::start`] only, so this module adds nothing to the widget's WebAssembly.

mod component;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use finlink_protocol::{
    AccountCategory, AccountStatus, AccountSubcategory, MicrodepositVerification,
};
use futures_channel::oneshot;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

pub use crate::host::origin_of;
pub use component::FinlinkCollect;

/// The title of the widget's iframe, as screen readers announce it.
pub const FRAME_TITLE: &str = "Link your bank account";

/// What opening the widget needs.
#[derive(Clone)]
pub struct CollectOptions {
    widget_origin: String,
    client_secret: String,
    on_event: Option<Rc<dyn Fn(FlowEvent)>>,
}

impl CollectOptions {
    /// `widget_origin` is finlink's origin (`https://link.example.com`, where `/finlink.js`
    /// and `/link/` are served); `client_secret` is the one your server got when it created
    /// the session.
    pub fn new(widget_origin: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            widget_origin: widget_origin.into(),
            client_secret: client_secret.into(),
            on_event: None,
        }
    }

    /// Called in real time as each step happens (`open`, `institution_selected`, ...).
    pub fn on_event(mut self, on_event: impl Fn(FlowEvent) + 'static) -> Self {
        self.on_event = Some(Rc::new(on_event));
        self
    }
}

impl std::fmt::Debug for CollectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectOptions")
            .field("widget_origin", &self.widget_origin)
            .field("client_secret", &"<redacted>")
            .field("on_event", &self.on_event.is_some())
            .finish()
    }
}

/// A step of the flow, as the widget reports it (the names of DESIGN §5, and
/// `returning_user_detected` and `returning_user_verified` for a person with saved accounts).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FlowEvent {
    pub name: String,
    /// `{}` for most events; `institution_id` and `institution_name` for
    /// `institution_selected`, `account_count` for `accounts_selected`, `error_code` for `error`.
    #[serde(default)]
    pub metadata: Value,
}

/// The session after the flow: the accounts linked, empty when the person closed the flow
/// without linking.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Session {
    /// `fcsess_...`; `None` only if the flow was closed before the session loaded.
    pub id: Option<String>,
    pub accounts: Vec<Account>,
}

/// A linked account as a host page may see it: never account or routing numbers (your server
/// reads those through the integrator API).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Account {
    pub id: String,
    pub display_name: String,
    pub institution_name: String,
    pub category: AccountCategory,
    pub subcategory: AccountSubcategory,
    pub last4: String,
    pub status: AccountStatus,
    /// For an account the person entered by hand: its microdeposit verification, pending at
    /// first, with the `hosted_verification_url` to send them; `None` for an account linked
    /// at the bank.
    #[serde(default)]
    pub verification: Option<MicrodepositVerification>,
}

/// Why the flow gave no session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CollectError {
    /// The flow could not go on; the person already saw the widget's own explanation.
    #[error("{message} ({code})")]
    Flow {
        /// `invalid_request_error`, `authentication_error`, `institution_error`, `api_error`, ...
        error_type: String,
        /// The API's code (`session_expired`, `client_secret_invalid`, ...) or `network_error`.
        code: String,
        message: String,
    },
    #[error("the client secret is empty: pass the one your server got when it created the session")]
    ClientSecretMissing,
    #[error("{0:?} is not an origin such as https://link.example.com")]
    WidgetOriginInvalid(String),
    #[error("a bank-linking flow is already open: wait for its result or destroy it")]
    AlreadyOpen,
    #[error("there is no document to open the widget in")]
    NoDocument,
    #[error("the page could not add the widget: {0}")]
    Dom(String),
    /// The flow was destroyed (the handle or component dropped) before it finished.
    #[error("the bank-linking flow was closed by the page before it finished")]
    Destroyed,
}

/// Opens the widget in a modal over the page and waits for its result.
pub async fn collect(options: CollectOptions) -> Result<Session, CollectError> {
    open(options, None)?.finished().await
}

/// Opens the widget inside `element` (an iframe as wide and tall as the element: give it a
/// height in your CSS) and returns at once. Dropping the handle, or
/// [`MountedFlow::destroy`], removes the iframe and its listener.
pub fn mount(
    element: &web_sys::Element,
    options: CollectOptions,
) -> Result<MountedFlow, CollectError> {
    open(options, Some(element.clone()))
}

/// A flow that is open. Dropping it ends the flow: the iframe and the listener are removed.
#[must_use = "dropping the flow removes the widget"]
pub struct MountedFlow {
    guard: FlowGuard,
    result: oneshot::Receiver<Result<Session, CollectError>>,
}

impl MountedFlow {
    /// The widget's iframe.
    pub fn iframe(&self) -> &web_sys::HtmlIFrameElement {
        &self.guard.0.frame
    }

    /// Waits for the result; the iframe is gone when it arrives.
    pub async fn finished(self) -> Result<Session, CollectError> {
        let MountedFlow { guard, result } = self;
        let outcome = result.await.unwrap_or(Err(CollectError::Destroyed));
        drop(guard);
        outcome
    }

    /// Ends the flow at once.
    pub fn destroy(self) {}

    /// The flow's keep-alive and its result, apart: for a component that keeps the first and
    /// awaits the second.
    fn split(self) -> (FlowGuard, oneshot::Receiver<Result<Session, CollectError>>) {
        (self.guard, self.result)
    }
}

impl std::fmt::Debug for MountedFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MountedFlow").finish_non_exhaustive()
    }
}

/// Keeps a flow open; dropping it closes the flow.
struct FlowGuard(Rc<Open>);

impl Drop for FlowGuard {
    fn drop(&mut self) {
        self.0.settle(None);
    }
}

thread_local! {
    /// Whether a flow is open on this page (one at a time).
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

type Listener = Closure<dyn FnMut(web_sys::MessageEvent)>;

/// An open flow: what to remove when it ends, and where its result goes.
struct Open {
    window: web_sys::Window,
    frame: web_sys::HtmlIFrameElement,
    /// The element added to the page: the modal's overlay, or the iframe itself.
    added: web_sys::Element,
    /// The modal's restoring of the page, `None` inline.
    modal: Option<ModalPage>,
    listener: RefCell<Option<Listener>>,
    sender: RefCell<Option<oneshot::Sender<Result<Session, CollectError>>>>,
    settled: Cell<bool>,
}

/// What the modal changed on the page, to put back.
struct ModalPage {
    inerted: Vec<web_sys::Element>,
    previous_overflow: String,
    previous_focus: Option<web_sys::HtmlElement>,
}

impl Open {
    /// Ends the flow once: removes the listener and the iframe, puts the page back, and sends
    /// the result (none: the receiver hears `Destroyed`).
    fn settle(&self, result: Option<Result<Session, CollectError>>) {
        if self.settled.replace(true) {
            return;
        }
        BUSY.with(|busy| busy.set(false));
        if let Some(listener) = self.listener.borrow_mut().take() {
            let _ = self
                .window
                .remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
            // This may run inside the listener itself: let it return before it is freed.
            wasm_bindgen_futures::spawn_local(async move { drop(listener) });
        }
        self.added.remove();
        if let Some(modal) = &self.modal {
            for element in &modal.inerted {
                let _ = element.remove_attribute("inert");
            }
            if let Some(root) = document_element(&self.window) {
                let _ = root
                    .style()
                    .set_property("overflow", &modal.previous_overflow);
            }
            if let Some(focus) = &modal.previous_focus {
                let _ = focus.focus();
            }
        }
        let sender = self.sender.borrow_mut().take();
        if let (Some(sender), Some(result)) = (sender, result) {
            let _ = sender.send(result);
        }
    }

    /// A message from the window: only the widget's, from its own iframe, counts.
    fn receive(
        &self,
        event: &web_sys::MessageEvent,
        widget_origin: &str,
        on_event: Option<&dyn Fn(FlowEvent)>,
    ) {
        if event.origin() != widget_origin {
            return;
        }
        let from_frame = match (event.source(), self.frame.content_window()) {
            (Some(source), Some(frame)) => js_sys::Object::is(&source, &frame),
            _ => false,
        };
        if !from_frame {
            return;
        }
        match parse_message(&event.data()) {
            Some(Message::Event(event)) => {
                if let Some(on_event) = on_event {
                    on_event(event);
                }
            }
            Some(Message::Result(result)) => self.settle(Some(result)),
            None => {}
        }
    }
}

fn document_element(window: &web_sys::Window) -> Option<web_sys::HtmlElement> {
    window
        .document()?
        .document_element()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

fn open(
    options: CollectOptions,
    container: Option<web_sys::Element>,
) -> Result<MountedFlow, CollectError> {
    let CollectOptions {
        widget_origin,
        client_secret,
        on_event,
    } = options;
    if client_secret.is_empty() {
        return Err(CollectError::ClientSecretMissing);
    }
    let widget_origin = origin_of(&widget_origin)
        .ok_or_else(|| CollectError::WidgetOriginInvalid(widget_origin.clone()))?;
    let window = web_sys::window().ok_or(CollectError::NoDocument)?;
    let document = window.document().ok_or(CollectError::NoDocument)?;
    if BUSY.with(|busy| busy.get()) {
        return Err(CollectError::AlreadyOpen);
    }
    let host_origin = window.location().origin().map_err(dom_error)?;

    let frame: web_sys::HtmlIFrameElement = document
        .create_element("iframe")
        .map_err(dom_error)?
        .dyn_into()
        .map_err(|_| CollectError::Dom("an iframe element".to_owned()))?;
    frame.set_title(FRAME_TITLE);
    frame
        .set_attribute("allow", "clipboard-write")
        .map_err(dom_error)?;
    frame.set_src(&widget_url(&widget_origin, &client_secret, &host_origin));
    // Styles through the CSSOM, which a strict style-src allows (a style attribute it would not).
    let style = frame.style();
    style.set_css_text("display:block;border:0;width:100%;height:100%;background:#fff");

    let (added, modal) = match container {
        Some(container) => {
            container.append_child(&frame).map_err(dom_error)?;
            (frame.clone().unchecked_into::<web_sys::Element>(), None)
        }
        None => {
            let body = document.body().ok_or(CollectError::NoDocument)?;
            let overlay: web_sys::HtmlElement = document
                .create_element("div")
                .map_err(dom_error)?
                .unchecked_into();
            overlay
                .set_attribute("data-finlink", "overlay")
                .map_err(dom_error)?;
            overlay.style().set_css_text(
                "position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;\
                 justify-content:center;background:rgba(10,15,30,.55)",
            );
            let _ = style.set_property("max-width", "440px");
            let _ = style.set_property("max-height", "720px");
            let _ = style.set_property("border-radius", "12px");
            let previous_focus = document
                .active_element()
                .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
            let mut inerted = Vec::new();
            let children = body.children();
            for index in 0..children.length() {
                if let Some(element) = children.item(index)
                    && !element.has_attribute("inert")
                {
                    let _ = element.set_attribute("inert", "");
                    inerted.push(element);
                }
            }
            let previous_overflow = match document_element(&window) {
                Some(root) => {
                    let previous = root
                        .style()
                        .get_property_value("overflow")
                        .unwrap_or_default();
                    let _ = root.style().set_property("overflow", "hidden");
                    previous
                }
                None => String::new(),
            };
            overlay.append_child(&frame).map_err(dom_error)?;
            body.append_child(&overlay).map_err(dom_error)?;
            let _ = frame.focus();
            (
                overlay.unchecked_into(),
                Some(ModalPage {
                    inerted,
                    previous_overflow,
                    previous_focus,
                }),
            )
        }
    };

    BUSY.with(|busy| busy.set(true));
    let (sender, result) = oneshot::channel();
    let open = Rc::new(Open {
        window: window.clone(),
        frame,
        added,
        modal,
        listener: RefCell::new(None),
        sender: RefCell::new(Some(sender)),
        settled: Cell::new(false),
    });
    let weak: Weak<Open> = Rc::downgrade(&open);
    let listener: Listener = Closure::new(move |event: web_sys::MessageEvent| {
        if let Some(open) = weak.upgrade() {
            open.receive(&event, &widget_origin, on_event.as_deref());
        }
    });
    if let Err(error) =
        window.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
    {
        let guard = FlowGuard(open);
        drop(guard);
        return Err(dom_error(error));
    }
    *open.listener.borrow_mut() = Some(listener);
    Ok(MountedFlow {
        guard: FlowGuard(open),
        result,
    })
}

fn dom_error(error: wasm_bindgen::JsValue) -> CollectError {
    CollectError::Dom(
        error
            .as_string()
            .or_else(|| {
                error
                    .dyn_ref::<js_sys::Error>()
                    .map(|error| String::from(error.message()))
            })
            .unwrap_or_else(|| "unknown error".to_owned()),
    )
}

/// The widget page's URL: the secret and the host's origin in the fragment, which no server
/// sees.
pub fn widget_url(widget_origin: &str, client_secret: &str, host_origin: &str) -> String {
    format!(
        "{widget_origin}/link/#client_secret={}&host_origin={}",
        crate::api::encode_component(client_secret),
        crate::api::encode_component(host_origin),
    )
}

/// What the widget posts (schema version 1, `src/host/channel.rs`).
enum Message {
    Event(FlowEvent),
    Result(Result<Session, CollectError>),
}

#[derive(Deserialize)]
struct Envelope {
    source: String,
    version: u32,
    #[serde(rename = "type")]
    kind: String,
    #[serde(flatten)]
    rest: Value,
}

#[derive(Deserialize)]
struct WidgetError {
    #[serde(rename = "type", default)]
    error_type: String,
    code: String,
    #[serde(default)]
    message: String,
}

fn parse_message(data: &wasm_bindgen::JsValue) -> Option<Message> {
    let text = js_sys::JSON::stringify(data).ok()?.as_string()?;
    message_from_json(&text)
}

/// A message of the widget, or `None` for anything else (other sources, versions, kinds).
fn message_from_json(text: &str) -> Option<Message> {
    let envelope: Envelope = serde_json::from_str(text).ok()?;
    if envelope.source != "finlink" || envelope.version != crate::host::MESSAGE_VERSION {
        return None;
    }
    match envelope.kind.as_str() {
        "event" => serde_json::from_value(envelope.rest)
            .ok()
            .map(Message::Event),
        "result" => {
            if let Some(session) = envelope.rest.get("session") {
                let session = Session::deserialize(session).ok()?;
                Some(Message::Result(Ok(session)))
            } else {
                let error = WidgetError::deserialize(envelope.rest.get("error")?).ok()?;
                Some(Message::Result(Err(CollectError::Flow {
                    error_type: error.error_type,
                    code: error.code,
                    message: error.message,
                })))
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{Failure, HostEvent, Outcome};
    use crate::host::{event_message, result_message};
    use finlink_protocol::{ErrorCode, LinkResult, LinkedAccount, Permission, SessionStatus};

    #[test]
    fn the_widget_url_carries_the_secret_and_host_origin_in_the_fragment_only() {
        assert_eq!(
            widget_url(
                "https://link.example.com",
                "fcsess_1_secret_a/b+c",
                "https://shop.example"
            ),
            "https://link.example.com/link/#client_secret=fcsess_1_secret_a%2Fb%2Bc\
             &host_origin=https%3A%2F%2Fshop.example"
        );
    }

    #[test]
    fn only_an_http_origin_names_the_widget() {
        assert_eq!(
            origin_of("https://Link.Example.com/").as_deref(),
            Some("https://link.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for url in [
            "link.example.com",
            "javascript://x",
            "https://",
            "https://link.example.com/link/",
            "https://a b",
        ] {
            assert_eq!(origin_of(url), None, "{url}");
        }
    }

    #[test]
    fn the_widgets_own_messages_read_back_as_events_and_results() {
        let event = event_message(&HostEvent::AccountsSelected { count: 2 }).to_string();
        let Some(Message::Event(event)) = message_from_json(&event) else {
            panic!("an event");
        };
        assert_eq!(event.name, "accounts_selected");
        assert_eq!(event.metadata["account_count"], 2);

        let linked = LinkResult {
            session: "fcsess_1".to_owned(),
            status: SessionStatus::Completed,
            accounts: vec![LinkedAccount {
                id: "acc_1".to_owned(),
                display_name: "Everyday Checking".to_owned(),
                institution_name: "Sandbox Bank (OAuth)".to_owned(),
                category: AccountCategory::Cash,
                subcategory: AccountSubcategory::Checking,
                last4: "6789".to_owned(),
                status: AccountStatus::Active,
                permissions: vec![Permission::PaymentMethod],
                verification: None,
            }],
        };
        let result = result_message(&Outcome::Linked(linked)).to_string();
        let Some(Message::Result(Ok(session))) = message_from_json(&result) else {
            panic!("a session");
        };
        assert_eq!(session.id.as_deref(), Some("fcsess_1"));
        assert_eq!(session.accounts[0].display_name, "Everyday Checking");
        assert_eq!(session.accounts[0].last4, "6789");
        assert_eq!(session.accounts[0].verification, None);

        let failed = result_message(&Outcome::Failed(Failure::new(
            Some(ErrorCode::SessionExpired),
            "This session expired.",
        )))
        .to_string();
        let Some(Message::Result(Err(error))) = message_from_json(&failed) else {
            panic!("an error");
        };
        assert_eq!(
            error,
            CollectError::Flow {
                error_type: "invalid_request_error".to_owned(),
                code: "session_expired".to_owned(),
                message: "This session expired.".to_owned(),
            }
        );
    }

    #[test]
    fn an_account_entered_by_hand_reads_back_with_its_pending_verification() {
        use finlink_protocol::{MicrodepositType, MicrodepositVerification, VerificationStatus};
        let verification = MicrodepositVerification {
            status: VerificationStatus::Pending,
            microdeposit_type: MicrodepositType::Amounts,
            failure_reason: None,
            attempts_remaining: 3,
            arrival_date: 1_800_000_000,
            expires_at: 1_800_864_000,
            hosted_verification_url: Some(
                "https://link.example.com/link/verify/#verification_secret=fcvs_1_ab".to_owned(),
            ),
        };
        let linked = LinkResult {
            session: "fcsess_1".to_owned(),
            status: SessionStatus::Completed,
            accounts: vec![LinkedAccount {
                id: "fca_manual".to_owned(),
                display_name: "Checking".to_owned(),
                institution_name: "Sandbox Bank".to_owned(),
                category: AccountCategory::Cash,
                subcategory: AccountSubcategory::Checking,
                last4: "6789".to_owned(),
                status: AccountStatus::Active,
                permissions: vec![Permission::PaymentMethod],
                verification: Some(verification.clone()),
            }],
        };
        let result = result_message(&Outcome::Linked(linked)).to_string();
        let Some(Message::Result(Ok(session))) = message_from_json(&result) else {
            panic!("a session");
        };
        assert_eq!(session.accounts[0].verification, Some(verification));
    }

    #[test]
    fn anything_else_is_not_a_message() {
        for text in [
            "null",
            "\"finlink\"",
            r#"{"source":"other","version":1,"type":"event","name":"open"}"#,
            r#"{"source":"finlink","version":2,"type":"event","name":"open"}"#,
            r#"{"source":"finlink","version":1,"type":"navigate","url":"https://bank"}"#,
            r#"{"source":"finlink","version":1,"type":"result"}"#,
            r#"{"source":"finlink","version":1,"type":"result","session":{"id":"x"}}"#,
        ] {
            assert!(message_from_json(text).is_none(), "{text}");
        }
    }

    #[test]
    fn the_client_secret_never_shows_in_debug_output() {
        let options = CollectOptions::new("https://link.example.com", "fcsess_1_secret_abc");
        assert!(!format!("{options:?}").contains("secret_abc"));
    }
}

//! The widget page in a mobile app's web view (DESIGN §5): the app loads
//! `/link/#client_secret=...` directly and injects one native bridge, which hears every event,
//! the result, and the bank's URL to open in the system browser, as JSON messages:
//!
//! ```text
//! { "source": "finlink", "version": 1, "type": "event",    "name": "...", "metadata": { ... } }
//! { "source": "finlink", "version": 1, "type": "result",   "session": { "id", "accounts" } }
//! { "source": "finlink", "version": 1, "type": "result",   "error": { "type", "code", "message" } }
//! { "source": "finlink", "version": 1, "type": "open_url", "url": "https://bank.example/..." }
//! ```
//!
//! The same schema and version as the loader's channel ([`super::channel`]); `result` is what
//! the loader's promise resolves with. The bank's login never runs inside the web view: the app
//! opens `open_url` in the system browser, the bank comes back to the session's `return_url`,
//! and the app reloads the widget page, which resumes from the server's state.
//!
//! | bridge | injected by | called with |
//! | --- | --- | --- |
//! | `window.webkit.messageHandlers.finlink` | iOS `WKWebView` (`WKScriptMessageHandler`) | the message object |
//! | `window.FinlinkAndroid` | Android `addJavascriptInterface` | the JSON text |
//! | `window.ReactNativeWebView` | React Native WebView | the JSON text |

use super::{MESSAGE_VERSION, Message};

/// Which native bridge the page found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeKind {
    /// `window.webkit.messageHandlers.finlink.postMessage(object)`.
    Ios,
    /// `window.FinlinkAndroid.postMessage(string)`.
    Android,
    /// `window.ReactNativeWebView.postMessage(string)`.
    ReactNative,
}

impl BridgeKind {
    /// The bridges in the order they are looked for.
    pub const ALL: [BridgeKind; 3] = [Self::Ios, Self::Android, Self::ReactNative];

    /// The path of the object whose `postMessage` the widget calls, from `window`.
    pub fn path(self) -> &'static [&'static str] {
        match self {
            Self::Ios => &["webkit", "messageHandlers", "finlink"],
            Self::Android => &["FinlinkAndroid"],
            Self::ReactNative => &["ReactNativeWebView"],
        }
    }

    /// Whether `postMessage` takes the JSON text (else the object).
    pub fn takes_text(self) -> bool {
        !matches!(self, Self::Ios)
    }
}

/// `{ source, version, type: "open_url", url }`: open the bank's page in the system browser.
pub fn open_url_message(url: &str) -> Message<'_> {
    Message::OpenUrl {
        source: "finlink",
        version: MESSAGE_VERSION,
        url,
    }
}

/// The bridge the page was given, if any.
#[cfg(target_arch = "wasm32")]
pub fn find_bridge() -> Option<BridgeKind> {
    let window = web_sys::window()?;
    BridgeKind::ALL
        .into_iter()
        .find(|kind| bridge_object(&window, *kind).is_some())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn find_bridge() -> Option<BridgeKind> {
    None
}

/// The object whose `postMessage` a bridge calls, when it has one.
#[cfg(target_arch = "wasm32")]
fn bridge_object(
    window: &web_sys::Window,
    kind: BridgeKind,
) -> Option<(wasm_bindgen::JsValue, js_sys::Function)> {
    use wasm_bindgen::JsCast;
    let mut object: wasm_bindgen::JsValue = window.into();
    for key in kind.path() {
        object = js_sys::Reflect::get(&object, &(*key).into()).ok()?;
        if object.is_undefined() || object.is_null() {
            return None;
        }
    }
    let post = js_sys::Reflect::get(&object, &"postMessage".into()).ok()?;
    let post: js_sys::Function = post.dyn_into().ok()?;
    Some((object, post))
}

/// Sends one message to the bridge; a bridge that went away or throws is reported to the
/// console by name only (messages carry account names, never secrets, but stay out of logs).
#[cfg(target_arch = "wasm32")]
pub fn post(kind: BridgeKind, message: &Message<'_>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some((bridge, post)) = bridge_object(&window, kind) else {
        web_sys::console::warn_1(&"finlink: the app's bridge went away".into());
        return;
    };
    let Some(text) = message.to_json() else {
        return;
    };
    let argument = if kind.takes_text() {
        wasm_bindgen::JsValue::from_str(&text)
    } else {
        match js_sys::JSON::parse(&text) {
            Ok(object) => object,
            Err(_) => return,
        }
    };
    // Called on its object, as `bridge.postMessage(message)` would be.
    if post.call1(&bridge, &argument).is_err() {
        web_sys::console::warn_1(&"finlink: the app's bridge refused a message".into());
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub fn post(_kind: BridgeKind, _message: &Message<'_>) {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Why a bridge message is refused, by whoever reads it (the native side, the example hosts).
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum BridgeMessageError {
        #[error("the bridge message is not JSON")]
        NotJson,
        #[error("the bridge message is not a finlink message")]
        NotFinlink,
        #[error("the bridge message has version {0}; this reader knows version 1")]
        UnknownVersion(u64),
        #[error("the bridge message has an unknown type")]
        UnknownType,
        #[error("the bridge message lacks its `{0}` field")]
        MissingField(&'static str),
        #[error("the bridge message's URL is not an https or http URL")]
        UrlNotHttp,
    }

    /// A bridge message as read back, checked against the schema above.
    #[derive(Debug, Clone, PartialEq)]
    pub enum BridgeMessage {
        Event { name: String, metadata: Value },
        Result(Value),
        OpenUrl(String),
    }

    /// Reads a bridge message as a native host would, refusing anything not of the schema: the
    /// reference reader the tests hold the widget's messages to (the example hosts in `examples/`
    /// do the same in JS).
    pub fn parse_bridge_message(text: &str) -> Result<BridgeMessage, BridgeMessageError> {
        let value: Value = serde_json::from_str(text).map_err(|_| BridgeMessageError::NotJson)?;
        if value.get("source").and_then(Value::as_str) != Some("finlink") {
            return Err(BridgeMessageError::NotFinlink);
        }
        match value.get("version").and_then(Value::as_u64) {
            Some(version) if version == u64::from(MESSAGE_VERSION) => {}
            Some(other) => return Err(BridgeMessageError::UnknownVersion(other)),
            None => return Err(BridgeMessageError::MissingField("version")),
        }
        let text_field = |name: &'static str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(BridgeMessageError::MissingField(name))
        };
        match value.get("type").and_then(Value::as_str) {
            Some("event") => Ok(BridgeMessage::Event {
                name: text_field("name")?,
                metadata: value
                    .get("metadata")
                    .filter(|metadata| metadata.is_object())
                    .cloned()
                    .ok_or(BridgeMessageError::MissingField("metadata"))?,
            }),
            Some("result") => {
                let session = value.get("session").filter(|session| {
                    session
                        .get("accounts")
                        .is_some_and(|accounts| accounts.is_array())
                });
                let error = value
                    .get("error")
                    .filter(|error| error.get("code").is_some_and(Value::is_string));
                match (session, error) {
                    (Some(_), None) | (None, Some(_)) => Ok(BridgeMessage::Result(value.clone())),
                    _ => Err(BridgeMessageError::MissingField("session")),
                }
            }
            Some("open_url") => {
                let url = text_field("url")?;
                if url.starts_with("https://") || url.starts_with("http://") {
                    Ok(BridgeMessage::OpenUrl(url))
                } else {
                    Err(BridgeMessageError::UrlNotHttp)
                }
            }
            _ => Err(BridgeMessageError::UnknownType),
        }
    }
    use crate::flow::{HostEvent, Outcome};
    use crate::host::{event_message, result_message};

    #[test]
    fn open_url_carries_the_bank_url_in_the_versioned_schema() {
        let text = open_url_message("https://bank.example/authorize?state=x").to_string();
        assert_eq!(
            serde_json::from_str::<Value>(&text).expect("JSON"),
            json!({ "source": "finlink", "version": 1, "type": "open_url",
                    "url": "https://bank.example/authorize?state=x" })
        );
    }

    #[test]
    fn every_message_the_widget_sends_reads_back_under_the_schema() {
        let messages = [
            event_message(&HostEvent::Open),
            event_message(&HostEvent::AccountsSelected { count: 1 }),
            result_message(&Outcome::Cancelled(None)),
            open_url_message("https://bank.example/"),
        ];
        for message in messages {
            assert!(
                parse_bridge_message(&message.to_string()).is_ok(),
                "{message}"
            );
        }
        assert_eq!(
            parse_bridge_message(&open_url_message("https://bank.example/").to_string()),
            Ok(BridgeMessage::OpenUrl("https://bank.example/".to_owned()))
        );
    }

    #[test]
    fn messages_not_of_the_schema_are_refused_with_their_reason() {
        let cases = [
            ("not json", BridgeMessageError::NotJson),
            (r#"{"type":"event"}"#, BridgeMessageError::NotFinlink),
            (
                r#"{"source":"finlink","version":2,"type":"event"}"#,
                BridgeMessageError::UnknownVersion(2),
            ),
            (
                r#"{"source":"finlink","type":"event"}"#,
                BridgeMessageError::MissingField("version"),
            ),
            (
                r#"{"source":"finlink","version":1,"type":"navigate"}"#,
                BridgeMessageError::UnknownType,
            ),
            (
                r#"{"source":"finlink","version":1,"type":"event","metadata":{}}"#,
                BridgeMessageError::MissingField("name"),
            ),
            (
                r#"{"source":"finlink","version":1,"type":"result"}"#,
                BridgeMessageError::MissingField("session"),
            ),
            (
                r#"{"source":"finlink","version":1,"type":"open_url","url":"javascript:alert(1)"}"#,
                BridgeMessageError::UrlNotHttp,
            ),
        ];
        for (text, error) in cases {
            assert_eq!(parse_bridge_message(text), Err(error), "{text}");
        }
    }

    #[test]
    fn only_ios_takes_the_message_object() {
        assert!(!BridgeKind::Ios.takes_text());
        assert!(BridgeKind::Android.takes_text());
        assert!(BridgeKind::ReactNative.takes_text());
        assert_eq!(
            BridgeKind::Ios.path(),
            ["webkit", "messageHandlers", "finlink"]
        );
    }
}

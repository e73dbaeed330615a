//! The session, asked for by the widget page's boot script (`src/boot.js`) while the module
//! loads: the first answer the widget needs then arrives during the download and compilation
//! instead of after them, one round trip sooner.
//!
//! The script leaves `{ clientSecret, response }` on the page's `window` as
//! [`EARLY_SESSION`], with `response` the promise of its `fetch`. The client takes it once, for
//! the same client secret only; anything else (another page, another secret, a failed request)
//! and the client asks the usual way.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The property of `window` the boot script sets.
pub const EARLY_SESSION: &str = "finlinkEarlySession";

/// The early session answer for `client_secret`, if the page asked for one and it came; the
/// property is removed either way, so that a later ask (a retry) goes to the server.
pub(super) async fn take(client_secret: &str) -> Option<web_sys::Response> {
    let window = web_sys::window()?;
    let key = JsValue::from_str(EARLY_SESSION);
    let early = js_sys::Reflect::get(&window, &key).ok()?;
    if early.is_undefined() {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let secret = js_sys::Reflect::get(&early, &JsValue::from_str("clientSecret")).ok()?;
    if secret.as_string().as_deref() != Some(client_secret) {
        return None;
    }
    let response = js_sys::Reflect::get(&early, &JsValue::from_str("response")).ok()?;
    let response = JsFuture::from(js_sys::Promise::resolve(&response))
        .await
        .ok()?;
    response.dyn_into().ok()
}

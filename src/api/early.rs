//! The session, asked for by the widget page's boot script (`src/boot.js`) while the module
//! loads: the first answer the widget needs then arrives during the download and compilation
//! instead of after them.
//!
//! The script leaves `{ url, clientSecret, response }` on the page's `window` as
//! [`EARLY_SESSION`], with `response` the promise of its `fetch` (`null` when no answer came).
//! The client takes it once, for the same URL and client secret only, and uses the answer,
//! whatever its status, as its own; anything else (another page, URL or secret, no answer)
//! and the client asks the usual way, with its retries.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The property of `window` the boot script sets.
pub const EARLY_SESSION: &str = "finlinkEarlySession";

/// The early answer to `GET {base}/v1/link/session` for `client_secret`, if the page asked
/// for it and it came; the property is removed either way, so that a later ask (a retry)
/// goes to the server.
pub(super) async fn take(base: &str, client_secret: &str) -> Option<web_sys::Response> {
    let window = web_sys::window()?;
    let key = JsValue::from_str(EARLY_SESSION);
    let early = js_sys::Reflect::get(&window, &key).ok()?;
    if early.is_undefined() {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let field = |name: &str| js_sys::Reflect::get(&early, &JsValue::from_str(name)).ok();
    let url = field("url")?.as_string()?;
    let secret = field("clientSecret")?.as_string()?;
    if secret != client_secret || url != format!("{base}{}", super::SESSION_PATH) {
        return None;
    }
    let response = JsFuture::from(js_sys::Promise::resolve(&field("response")?))
        .await
        .ok()?;
    response.dyn_into().ok()
}

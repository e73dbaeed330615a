//! The outside world of the widget page: its URL and its channel to the loader (DESIGN §5).
//!
//! The loader opens `/link/#client_secret=...&host_origin=...`. The fragment is never sent to
//! a server, so the client secret stays out of access logs; it is never logged here either.
//! [`HostChannel`] posts the flow's events and result to the loader; [`bridge`] to a mobile
//! app's web view; [`Host`] picks the one that fits the page (hosted mode included).

pub mod bridge;
mod channel;
mod embedding;

pub use channel::{
    HostChannel, MESSAGE_VERSION, Message, event_message, navigate_message, result_message,
};
pub use embedding::{
    BankOpensIn, BankWindow, Host, Mode, ReturnUrlMismatch, finish_url, return_url_failure,
};

/// `scheme://host[:port]` of an http(s) URL, without a trailing slash: the form
/// `MessageEvent.origin` has. `None` for anything else.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.to_ascii_lowercase();
    let start = url.find("://")? + "://".len();
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| start + at);
    let (origin, after) = url.split_at(end);
    (is_origin(origin) && after.trim_start_matches('/').is_empty()).then(|| origin.to_owned())
}

/// `scheme://host[:port]` with an http(s) scheme and nothing after: what `location.origin`
/// gives. Refuses `*`, `null`, paths and anything with spaces or separators.
pub(crate) fn is_origin(origin: &str) -> bool {
    let Some(host) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// What the page was opened with.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct PageParams {
    pub client_secret: Option<String>,
    /// The origin of the page that embeds the widget, as the loader reports it.
    pub host_origin: Option<String>,
    /// Hosted mode: where to send the person at the end, from the query (`?return_url=`);
    /// followed only if it is exactly the session's.
    pub return_url: Option<String>,
    /// The hosted verification page of an account entered by hand: its secret, empty when the
    /// fragment names it without a readable value.
    pub verification_secret: Option<String>,
}

impl std::fmt::Debug for PageParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageParams")
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("host_origin", &self.host_origin)
            .field("return_url", &self.return_url)
            .field(
                "verification_secret",
                &self.verification_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Reads `key=value&...` pairs of a URL fragment, with or without its leading `#`.
pub fn parse_fragment(fragment: &str) -> PageParams {
    let mut params = PageParams::default();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    for pair in fragment.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "verification_secret" {
            params.verification_secret = Some(percent_decode(value).unwrap_or_default());
            continue;
        }
        let Some(value) = percent_decode(value).filter(|value| !value.is_empty()) else {
            continue;
        };
        match key {
            "client_secret" => params.client_secret = Some(value),
            "host_origin" => params.host_origin = Some(value),
            _ => {}
        }
    }
    params
}

/// Decodes `%XX` escapes and `+`; `None` for malformed escapes or invalid UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'%' => {
                let high = hex(*bytes.get(i + 1)?)?;
                let low = hex(*bytes.get(i + 2)?)?;
                out.push((high << 4) | low);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// The `return_url` of a query string (`?return_url=...&...`), with or without its `?`.
pub fn parse_return_url(query: &str) -> Option<String> {
    let query = query.strip_prefix('?').unwrap_or(query);
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "return_url")
            .then(|| percent_decode(value))
            .flatten()
            .filter(|value| !value.is_empty())
    })
}

/// The parameters of the current page, from `location.hash` (and `return_url` from the query).
pub fn page_params() -> PageParams {
    let Some(location) = web_sys::window().map(|window| window.location()) else {
        return PageParams::default();
    };
    let mut params = location
        .hash()
        .map(|hash| parse_fragment(&hash))
        .unwrap_or_default();
    params.return_url = location
        .search()
        .ok()
        .and_then(|query| parse_return_url(&query));
    params
}

/// The origin the page was served from, where the link API lives.
pub fn page_origin() -> Option<String> {
    web_sys::window().and_then(|window| window.location().origin().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_client_secret_and_host_origin() {
        let params = parse_fragment(
            "#client_secret=fcsess_1_secret_abc&host_origin=https%3A%2F%2Fshop.example",
        );
        assert_eq!(params.client_secret.as_deref(), Some("fcsess_1_secret_abc"));
        assert_eq!(params.host_origin.as_deref(), Some("https://shop.example"));
    }

    #[test]
    fn ignores_unknown_empty_and_malformed_parameters() {
        assert_eq!(parse_fragment(""), PageParams::default());
        assert_eq!(parse_fragment("#"), PageParams::default());
        assert_eq!(parse_fragment("#client_secret="), PageParams::default());
        assert_eq!(
            parse_fragment("#client_secret=%zz&other=1"),
            PageParams::default()
        );
        assert_eq!(
            parse_fragment("other=1&client_secret=a%20b")
                .client_secret
                .as_deref(),
            Some("a b")
        );
    }

    #[test]
    fn reads_the_hosted_return_url_from_the_query() {
        assert_eq!(
            parse_return_url("?return_url=https%3A%2F%2Fshop.example%2Fdone%3Fa%3D1&x=2")
                .as_deref(),
            Some("https://shop.example/done?a=1")
        );
        assert_eq!(parse_return_url(""), None);
        assert_eq!(parse_return_url("?return_url="), None);
        assert_eq!(parse_return_url("?return_url=%zz"), None);
        assert_eq!(parse_return_url("?other=1"), None);
    }

    #[test]
    fn reads_the_verification_secret_even_when_empty() {
        assert_eq!(
            parse_fragment("#verification_secret=fcvs_1_ab")
                .verification_secret
                .as_deref(),
            Some("fcvs_1_ab")
        );
        assert_eq!(
            parse_fragment("#verification_secret=")
                .verification_secret
                .as_deref(),
            Some("")
        );
        assert_eq!(parse_fragment("#client_secret=a").verification_secret, None);
        let debug = format!("{:?}", parse_fragment("#verification_secret=fcvs_1_ab"));
        assert!(!debug.contains("fcvs_1_ab"), "{debug}");
    }

    #[test]
    fn never_shows_the_secret_in_debug_output() {
        let params = parse_fragment("#client_secret=very_secret_value");
        assert!(!format!("{params:?}").contains("very_secret_value"));
    }
}

//! The HTML a sandbox bank shows: its consent page and its error page. Every text is escaped;
//! the pages carry a strict CSP (no script at all, the one inline style allowed by its hash),
//! refuse to be framed, and are never cached.

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::data::{SandboxAccount, subcategory_label};
use super::error::PageError;

const STYLE: &str = "\
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5}\
body{margin:0;background:#f3f5f8;color:#17202a}\
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.75rem;\
box-shadow:0 1px 4px rgba(0,0,0,.15)}\
.tag{margin:0;font-size:.8rem;text-transform:uppercase;letter-spacing:.08em;color:#4a5868}\
h1{margin:.25rem 0 1rem;font-size:1.5rem}\
fieldset{border:1px solid #c5ccd6;border-radius:.5rem;padding:.75rem 1rem}\
legend{font-weight:600;padding:0 .25rem}\
ul{list-style:none;margin:0;padding:0}\
li{display:flex;gap:.75rem;align-items:flex-start;padding:.5rem 0}\
li+li{border-top:1px solid #e3e7ec}\
input[type=checkbox]{width:1.25rem;height:1.25rem;margin-top:.15rem}\
label{display:flex;flex-direction:column}\
.detail{color:#4a5868;font-size:.9rem}\
.alert{border-left:4px solid #b3261e;background:#fdecea;color:#6b0f0a;padding:.5rem .75rem;border-radius:.25rem}\
.hint{font-size:.85rem;color:#4a5868}\
.actions{display:flex;gap:.75rem;margin-top:1rem}\
button{flex:1;font:inherit;font-weight:600;padding:.65rem 1rem;border-radius:.5rem;border:2px solid #1a56db;cursor:pointer}\
button[value=authorize]{background:#1a56db;color:#fff}\
button[value=deny]{background:#fff;color:#1a56db}\
button:focus-visible,input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}\
@media (prefers-color-scheme:dark){body{background:#111827;color:#e5e7eb}main{background:#1f2937}\
.tag,.detail,.hint{color:#b6c0cc}button[value=deny]{background:#1f2937;color:#93b4ff}\
.alert{background:#3b1512;color:#fecaca}}";

/// `'sha256-…'` of the inline style, for the CSP.
static STYLE_SOURCE: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!("'sha256-{hash}'")
});

pub use crate::html::escape;

/// An HTML page with the sandbox's security headers. `form_target` is the origin the consent
/// form may be redirected to after submission (CSP `form-action` covers redirects).
pub fn page(status: StatusCode, title: &str, main: &str, form_target: Option<&str>) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<title>{title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n{main}</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    let form_action = match form_target {
        Some(origin) => format!("'self' {origin}"),
        None => "'none'".to_owned(),
    };
    let csp = format!(
        "default-src 'none'; style-src {}; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'",
        *STYLE_SOURCE
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// What the consent page shows.
pub struct ConsentPage<'a> {
    pub bank_name: &'a str,
    pub client_name: &'a str,
    pub request_id: &'a str,
    pub accounts: &'a [SandboxAccount],
    /// Accounts ticked; all of them when the page is first shown.
    pub checked: &'a dyn Fn(&SandboxAccount) -> bool,
    /// Why the last submission was refused.
    pub error: Option<&'a str>,
    /// Where the form's answer redirects to.
    pub form_target: Option<&'a str>,
}

impl ConsentPage<'_> {
    /// The page: the bank's name as heading, one labelled checkbox per account, an alert for
    /// the last error, and the Authorize and Deny buttons.
    pub fn render(&self, status: StatusCode) -> Response {
        let bank = escape(self.bank_name);
        let client = escape(self.client_name);
        let mut main = format!(
            "<p class=\"tag\">Sandbox bank</p>\n<h1>{bank}</h1>\n\
             <p><strong>{client}</strong> is asking to access your accounts at {bank}: \
             account and routing numbers, balances, owner details and transactions.</p>\n"
        );
        let described_by = if let Some(error) = self.error {
            main.push_str(&format!(
                "<p class=\"alert\" role=\"alert\" id=\"form-error\">{}</p>\n",
                escape(error)
            ));
            " aria-describedby=\"form-error\""
        } else {
            ""
        };
        main.push_str("<form method=\"post\" action=\"authorize\">\n");
        main.push_str(&format!(
            "<input type=\"hidden\" name=\"request\" value=\"{}\">\n",
            escape(self.request_id)
        ));
        main.push_str(&format!(
            "<fieldset{described_by}>\n<legend>Accounts to share</legend>\n<ul>\n"
        ));
        for (index, account) in self.accounts.iter().enumerate() {
            let template = &account.template;
            let checked = if (self.checked)(account) {
                " checked"
            } else {
                ""
            };
            let state = if template.open { "" } else { " (closed)" };
            main.push_str(&format!(
                "<li><input type=\"checkbox\" id=\"account-{index}\" name=\"account\" value=\"{id}\"{checked}>\
                 <label for=\"account-{index}\"><span>{name}{state}</span> \
                 <span class=\"detail\">{kind} ending in {last4}</span></label></li>\n",
                id = escape(&account.id),
                name = escape(template.name),
                kind = escape(subcategory_label(template.subcategory)),
                last4 = escape(template.last4),
            ));
        }
        main.push_str("</ul>\n</fieldset>\n");
        main.push_str(
            "<p class=\"hint\">A sandbox bank: no real account or money is involved.</p>\n",
        );
        main.push_str(
            "<div class=\"actions\">\n\
             <button type=\"submit\" name=\"decision\" value=\"authorize\">Authorize</button>\n\
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
             </div>\n</form>\n",
        );
        let title = format!(
            "{} – Share accounts with {}",
            self.bank_name, self.client_name
        );
        page(status, &title, &main, self.form_target)
    }
}

/// The page shown instead of a redirect when a request cannot be honoured.
pub fn error_page(bank_name: Option<&str>, error: &PageError) -> Response {
    let main = error_main(bank_name, error);
    page(
        error.status(),
        &format!(
            "{} – {}",
            bank_name.unwrap_or("Sandbox bank"),
            error.title()
        ),
        &main,
        None,
    )
}

/// The content of the error page: the bank's name, an alert with the cause, what to do next.
fn error_main(bank_name: Option<&str>, error: &PageError) -> String {
    let heading = escape(bank_name.unwrap_or("Sandbox bank"));
    format!(
        "<p class=\"tag\">Sandbox bank</p>\n<h1>{heading}</h1>\n\
         <div class=\"alert\" role=\"alert\">\n<h2>{title}</h2>\n<p>{message}</p>\n</div>\n\
         <p>You can close this window and return to the application.</p>\n",
        title = escape(error.title()),
        message = escape(&error.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_pages_escape_the_bank_name_and_never_redirect() {
        let main = error_main(Some("<Evil & Co>"), &PageError::InvalidRedirectUri);
        assert!(main.contains("<h1>&lt;Evil &amp; Co&gt;</h1>"));
        assert!(!main.contains("<Evil"));
        let response = error_page(Some("<Evil & Co>"), &PageError::InvalidClient);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.headers().get(header::LOCATION).is_none());
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'none'"));
    }
}

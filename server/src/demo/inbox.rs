//! The shop's inbox page (`/inbox?to=...`): the emails finlink's sandbox "sent" to an address
//! for this shop's sessions (one-time codes), read by the shop's backend with its own secret
//! key from `GET /v1/test_helpers/sandbox/emails`, newest first, as text.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use finlink_protocol::{SandboxEmail, Timestamp};
use serde::Deserialize;

use super::{DEFAULT_EMAIL, Shop};
use crate::html::escape;

#[derive(Debug, Deserialize)]
pub struct InboxQuery {
    to: Option<String>,
}

/// What the page shows under its form.
enum Listing {
    Emails(Vec<SandboxEmail>),
    Failed(String),
}

/// `GET /inbox?to=`: the shop's sandbox inbox for an address (the default email when none is
/// given), or why it could not be read.
pub async fn page(State(shop): State<Arc<Shop>>, Query(query): Query<InboxQuery>) -> Response {
    let to = query
        .to
        .map(|to| to.trim().to_owned())
        .filter(|to| !to.is_empty())
        .unwrap_or_else(|| DEFAULT_EMAIL.to_owned());
    let listing = match shop.finlink.sandbox_emails(&to).await {
        Ok(list) => Listing::Emails(list.data),
        Err(error) => Listing::Failed(error.to_string()),
    };
    let mut response = Html(render(&shop.name, &to, &listing)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; style-src 'unsafe-inline'"),
    );
    response
}

fn render(shop: &str, to: &str, listing: &Listing) -> String {
    let shop = escape(shop);
    let to = escape(to);
    let content = match listing {
        Listing::Failed(reason) => format!(
            r#"<p role="alert">Could not read the inbox: {}</p>"#,
            escape(reason)
        ),
        Listing::Emails(emails) if emails.is_empty() => {
            format!(r#"<p role="status">No emails to {to} in the last hour.</p>"#)
        }
        Listing::Emails(emails) => {
            let items: String = emails
                .iter()
                .map(|email| {
                    format!(
                        r#"<li><article aria-labelledby="{id}">
<h2 id="{id}">{subject}</h2>
<p class="meta">To {to_address}, <time datetime="{time}">{time}</time></p>
<div class="body">{body}</div>
</article></li>
"#,
                        id = escape(&email.id),
                        subject = escape(&email.subject),
                        to_address = escape(&email.to),
                        time = utc(email.created),
                        body = escape(&email.body),
                    )
                })
                .collect();
            format!(r#"<ol class="emails" aria-label="Emails">{items}</ol>"#)
        }
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inbox · {shop}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #1a1f36; background: #f6f8fa; }}
main {{ max-width: 36rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); overflow-wrap: anywhere; }}
form {{ display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }}
input {{ font: inherit; padding: .375rem .5rem; border-radius: 6px; border: 1px solid #8792a2; max-width: 100%; }}
button {{ font: inherit; padding: .5rem 1rem; border-radius: 8px; border: 0; background: #635bff; color: #fff; cursor: pointer; }}
input:focus-visible, button:focus-visible, a:focus-visible {{ outline: 3px solid #a5b4fc; outline-offset: 2px; }}
a {{ color: #4338ca; }}
.emails {{ list-style: none; padding: 0; }}
article {{ border: 1px solid #d5dbe3; border-radius: 8px; padding: 1rem; margin: 1rem 0; }}
h2 {{ font-size: 1rem; margin: 0 0 .25rem; }}
.meta {{ font-size: .875rem; color: #4f566b; margin: 0 0 .75rem; }}
.body {{ white-space: pre-wrap; }}
@media (max-width: 40rem) {{ main {{ margin: 0; padding: 1rem; border-radius: 0; box-shadow: none; }} }}
</style>
</head>
<body>
<main>
<h1>Inbox</h1>
<p>The emails finlink's sandbox sent to {to} for {shop}'s sessions in the last hour, newest first.</p>
<form method="get" action="/inbox">
<label for="to">Email</label>
<input type="email" id="to" name="to" value="{to}" autocomplete="email" spellcheck="false">
<button type="submit">Show</button>
</form>
{content}
<p><a href="/">Back to {shop}</a></p>
</main>
</body>
</html>"#
    )
}

/// `2026-11-24 16:05:09 UTC` for a Unix timestamp (proleptic Gregorian calendar).
fn utc(timestamp: Timestamp) -> String {
    let days = timestamp.div_euclid(86_400);
    let seconds = timestamp.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_795_478_400), "2026-11-24 00:00:00 UTC");
        assert_eq!(utc(951_825_599), "2000-02-29 11:59:59 UTC");
    }

    #[test]
    fn emails_and_errors_show_as_text() {
        let email = SandboxEmail {
            id: "em_1".to_owned(),
            to: "jenny.rosen@example.com".to_owned(),
            subject: "Your finlink code".to_owned(),
            body: "<b>123456</b>".to_owned(),
            one_time_code: "123456".to_owned(),
            created: 0,
        };
        let page = render("Shop <i>", "a@example.com", &Listing::Emails(vec![email]));
        assert!(page.contains("&lt;b&gt;123456&lt;/b&gt;"), "{page}");
        assert!(page.contains("Shop &lt;i&gt;"), "{page}");
        assert!(!page.contains("<b>"));
        let failed = render("Shop", "a@example.com", &Listing::Failed("<x>".to_owned()));
        assert!(
            failed.contains("Could not read the inbox: &lt;x&gt;"),
            "{failed}"
        );
    }
}

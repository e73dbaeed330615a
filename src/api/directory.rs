//! `GET /v1/link/directory`: the whole institution directory as one compact text file
//! (`finlink_search::format`), for the widget to search on every keystroke without a round
//! trip.
//!
//! The browser's HTTP cache keeps the file: the server sends it gzipped with an `ETag` and
//! `Cache-Control: private, no-cache`, so a second session revalidates it for a `304` without
//! a body. Any answer other than the file (a failed request, a directory the server will not
//! ship, such as one too large) is an error; the widget then keeps asking the server's search
//! endpoint, which ranks the same way.

use finlink_protocol::DIRECTORY_PATH;
use gloo_net::http::Method;

use super::{ApiError, Client, decode};

impl Client {
    /// The directory file's text, as served.
    pub async fn directory(&self) -> Result<String, ApiError> {
        let (status, body) = self
            .send(Method::GET, DIRECTORY_PATH, None, None, true)
            .await?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            // An error object, or the status alone.
            Err(decode::<serde::de::IgnoredAny>(status, &body)
                .err()
                .unwrap_or(ApiError::Status { status }))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flow::SEARCH_LIMIT;

    #[test]
    fn the_server_and_the_widget_show_as_many_results() {
        assert_eq!(super::super::SEARCH_LIMIT as usize, SEARCH_LIMIT);
    }
}

//! The demo shop's client of finlink's integrator API: what a business's server calls with its
//! secret key, over HTTP, exactly as it would from another machine. Nothing here is shared with
//! finlink's own handlers: the shop only knows the API's JSON bodies (`finlink_protocol`).

use std::time::Duration;

use finlink_protocol::{
    Account, AccountOwner, CreateSessionRequest, CreateWebhookEndpointRequest, ErrorResponse,
    Feature, List, RefreshRequest, SandboxEmail, Session, Transaction, WebhookEndpoint,
};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

/// How long the shop waits for finlink before telling the person something went wrong.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a call to finlink did not give what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("finlink is unreachable: {0}")]
    Unreachable(#[source] reqwest::Error),
    /// finlink answered with its error object.
    #[error("finlink refused ({status}): {}", error.error.message)]
    Refused {
        status: StatusCode,
        error: Box<ErrorResponse>,
    },
    #[error("finlink answered {status} with a body the shop cannot read")]
    Unreadable { status: StatusCode },
}

impl CallError {
    /// finlink's error code, when it refused.
    pub fn code(&self) -> Option<finlink_protocol::ErrorCode> {
        match self {
            Self::Refused { error, .. } => Some(error.error.code),
            Self::Unreachable(_) | Self::Unreadable { .. } => None,
        }
    }
}

/// finlink's integrator API, as the shop's backend reaches it.
pub struct Finlink {
    base: url::Url,
    secret_key: String,
    http: reqwest::Client,
}

impl Finlink {
    pub fn new(base: &str, secret_key: String) -> Result<Self, ClientError> {
        let base = url::Url::parse(base).map_err(ClientError::Url)?;
        if base.cannot_be_a_base() {
            return Err(ClientError::Url(
                url::ParseError::RelativeUrlWithCannotBeABaseBase,
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("finlink-demo-shop")
            .build()
            .map_err(ClientError::Http)?;
        Ok(Self {
            base,
            secret_key,
            http,
        })
    }

    /// `base` + the path segments, each percent-encoded: an id can never change the path.
    fn url(&self, segments: &[&str]) -> url::Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.http
            .request(method, self.url(segments))
            .bearer_auth(&self.secret_key)
    }

    async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, CallError> {
        let response = request.send().await.map_err(CallError::Unreachable)?;
        let status = response.status();
        let body = response.bytes().await.map_err(CallError::Unreachable)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|_| CallError::Unreadable { status });
        }
        match serde_json::from_slice::<ErrorResponse>(&body) {
            Ok(error) => Err(CallError::Refused {
                status,
                error: Box::new(error),
            }),
            Err(_) => Err(CallError::Unreadable { status }),
        }
    }

    /// `POST /v1/financial_connections/sessions`
    pub async fn create_session(&self, body: &CreateSessionRequest) -> Result<Session, CallError> {
        Self::send(
            self.request(Method::POST, &["v1", "financial_connections", "sessions"])
                .json(body),
        )
        .await
    }

    /// `GET /v1/financial_connections/accounts/{id}`
    pub async fn account(&self, id: &str) -> Result<Account, CallError> {
        Self::send(self.request(
            Method::GET,
            &["v1", "financial_connections", "accounts", id],
        ))
        .await
    }

    /// `GET /v1/financial_connections/accounts/{id}/owners` (the latest ownership, first page).
    pub async fn owners(&self, id: &str) -> Result<List<AccountOwner>, CallError> {
        Self::send(
            self.request(
                Method::GET,
                &["v1", "financial_connections", "accounts", id, "owners"],
            )
            .query(&[("limit", "100")]),
        )
        .await
    }

    /// `GET /v1/financial_connections/transactions?account={id}&limit={limit}`: newest first.
    pub async fn latest_transactions(
        &self,
        id: &str,
        limit: usize,
    ) -> Result<List<Transaction>, CallError> {
        Self::send(
            self.request(
                Method::GET,
                &["v1", "financial_connections", "transactions"],
            )
            .query(&[("account", id), ("limit", &limit.to_string())]),
        )
        .await
    }

    /// `POST /v1/financial_connections/accounts/{id}/refresh`
    pub async fn refresh(&self, id: &str, features: Vec<Feature>) -> Result<Account, CallError> {
        Self::send(
            self.request(
                Method::POST,
                &["v1", "financial_connections", "accounts", id, "refresh"],
            )
            .json(&RefreshRequest { features }),
        )
        .await
    }

    /// `GET /v1/test_helpers/sandbox/emails?to={to}`: what the sandbox "sent" to that address
    /// for this business's sessions in the last hour, newest first.
    pub async fn sandbox_emails(&self, to: &str) -> Result<List<SandboxEmail>, CallError> {
        Self::send(
            self.request(Method::GET, &["v1", "test_helpers", "sandbox", "emails"])
                .query(&[("to", to)]),
        )
        .await
    }

    /// Every webhook endpoint, all pages of `GET /v1/webhook_endpoints`.
    pub async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>, CallError> {
        let mut all: Vec<WebhookEndpoint> = Vec::new();
        loop {
            let mut request = self
                .request(Method::GET, &["v1", "webhook_endpoints"])
                .query(&[("limit", "100")]);
            if let Some(last) = all.last() {
                request = request.query(&[("starting_after", last.id.as_str())]);
            }
            let page: List<WebhookEndpoint> = Self::send(request).await?;
            let more = page.has_more && !page.data.is_empty();
            all.extend(page.data);
            if !more {
                return Ok(all);
            }
        }
    }

    /// `DELETE /v1/webhook_endpoints/{id}`
    pub async fn delete_webhook_endpoint(&self, id: &str) -> Result<(), CallError> {
        let _: serde_json::Value =
            Self::send(self.request(Method::DELETE, &["v1", "webhook_endpoints", id])).await?;
        Ok(())
    }

    /// `POST /v1/webhook_endpoints` for every event type; the answer carries the secret.
    pub async fn create_webhook_endpoint(&self, url: &str) -> Result<WebhookEndpoint, CallError> {
        Self::send(
            self.request(Method::POST, &["v1", "webhook_endpoints"])
                .json(&CreateWebhookEndpointRequest {
                    url: url.to_owned(),
                    enabled_events: vec!["*".to_owned()],
                    description: Some("Demo shop".to_owned()),
                }),
        )
        .await
    }
}

/// Why the shop cannot set up its client of finlink.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("finlink's URL is not usable: {0}")]
    Url(#[source] url::ParseError),
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_path_segments_and_cannot_leave_their_place() {
        let finlink = Finlink::new("http://127.0.0.1:8080", "sk_test_x".into()).unwrap();
        assert_eq!(
            finlink
                .url(&["v1", "financial_connections", "accounts", "fca_1"])
                .as_str(),
            "http://127.0.0.1:8080/v1/financial_connections/accounts/fca_1"
        );
        assert_eq!(
            finlink
                .url(&["v1", "financial_connections", "accounts", "../../x?y#z"])
                .as_str(),
            "http://127.0.0.1:8080/v1/financial_connections/accounts/..%2F..%2Fx%3Fy%23z"
        );
        let behind_a_proxy = Finlink::new("https://example.com/finlink/", "k".into()).unwrap();
        assert_eq!(
            behind_a_proxy.url(&["v1", "events"]).as_str(),
            "https://example.com/finlink/v1/events"
        );
    }
}

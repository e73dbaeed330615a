//! Webhook endpoints (`/v1/webhook_endpoints`) and the events they receive (`/v1/events`).
//!
//! An endpoint's signing secret is shown once, in the answer that creates it. finlink keeps
//! it in its database, unhashed, because signing every delivery needs the key itself (HMAC is
//! symmetric); it is protected like the bank tokens stored beside it, never logged, and
//! erased when the endpoint is deleted. To rotate it, create a new endpoint, switch the
//! receiver over, and delete the old one.

use axum::extract::{Path, State};
use finlink_protocol::{
    CreateWebhookEndpointRequest, DeletedWebhookEndpoint, Event, EventType, List, WebhookEndpoint,
};
use serde::Deserialize;

use super::access::require_secret_key;
use super::pages::{page_limit, page_of, paginate};
use crate::app::Shared;
use crate::error::ApiError;
use crate::http::extract::{Bearer, Json, Query};
use crate::secrets;
use crate::store::{ALL_EVENTS, EventRecord, StoreError, WebhookEndpointRecord};

/// URLs longer than this are refused.
const MAX_URL_LENGTH: usize = 2048;
const ENDPOINTS_URL: &str = "/v1/webhook_endpoints";
const EVENTS_URL: &str = "/v1/events";

fn view(record: WebhookEndpointRecord, secret: Option<String>) -> WebhookEndpoint {
    WebhookEndpoint {
        id: record.id,
        created: record.created,
        livemode: false,
        url: record.url,
        enabled_events: record.enabled_events,
        description: record.description,
        secret,
    }
}

/// An absolute `https` or `http` URL with a host and no credentials in it. Plain http is
/// allowed for development receivers (`make run`, a shop on localhost); the integrator, who
/// holds the secret key, chooses where its own events go.
fn validate_url(text: &str) -> Result<String, ApiError> {
    let invalid = |reason: &str| ApiError::invalid("url", reason);
    if text.len() > MAX_URL_LENGTH {
        return Err(invalid("at most 2048 characters."));
    }
    let url = url::Url::parse(text)
        .map_err(|error| invalid(&format!("not an absolute URL ({error}).")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(invalid("use an https (or, for development, http) URL."));
    }
    if url.host().is_none() {
        return Err(invalid("the URL has no host."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials do not belong in the URL; verify the signature instead.",
        ));
    }
    if url.fragment().is_some() {
        return Err(invalid("a fragment is never sent; leave it out."));
    }
    Ok(url.into())
}

/// At least one event type, each known or `*`, each once.
fn validate_events(names: Vec<String>) -> Result<Vec<String>, ApiError> {
    if names.is_empty() {
        return Err(ApiError::ParameterMissing {
            param: "enabled_events".to_owned(),
        });
    }
    let mut checked: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if name != ALL_EVENTS && EventType::parse(&name).is_none() {
            let known: Vec<&str> = EventType::ALL.iter().map(|kind| kind.as_str()).collect();
            return Err(ApiError::invalid(
                "enabled_events",
                format!(
                    "unknown event type '{name}'; use '*' or one of {}.",
                    known.join(", ")
                ),
            ));
        }
        if !checked.contains(&name) {
            checked.push(name);
        }
    }
    Ok(checked)
}

/// `POST /v1/webhook_endpoints`: the answer carries the signing secret, once.
pub async fn create_endpoint(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Json(request): Json<CreateWebhookEndpointRequest>,
) -> Result<axum::Json<WebhookEndpoint>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let url = validate_url(&request.url)?;
    let enabled_events = validate_events(request.enabled_events)?;
    if request
        .description
        .as_ref()
        .is_some_and(|text| text.chars().count() > 500)
    {
        return Err(ApiError::invalid("description", "at most 500 characters."));
    }
    let secret = format!("whsec_{}", secrets::random_token(32));
    let record = WebhookEndpointRecord {
        id: secrets::new_id("we"),
        url,
        enabled_events,
        description: request.description,
        secret: secret.clone(),
        created: state.clock.now(),
        integrator_id: caller.integrator_id,
    };
    let stored = record.clone();
    state.store.transaction(move |tx| stored.insert(tx)).await?;
    Ok(axum::Json(view(record, Some(secret))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<usize>,
    starting_after: Option<String>,
}

/// `GET /v1/webhook_endpoints`, newest first.
pub async fn list_endpoints(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<List<WebhookEndpoint>>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let limit = page_limit(query.limit)?;
    let all = state
        .store
        .transaction(move |tx| WebhookEndpointRecord::list(tx, &caller.integrator_id))
        .await?;
    let endpoints = all.into_iter().map(|record| view(record, None)).collect();
    paginate(
        endpoints,
        |endpoint: &WebhookEndpoint| &endpoint.id,
        query.starting_after.as_deref(),
        limit,
        ENDPOINTS_URL,
    )
    .map(axum::Json)
}

/// `GET /v1/webhook_endpoints/{id}`
pub async fn retrieve_endpoint(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<WebhookEndpoint>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let found = state
        .store
        .transaction(move |tx| {
            WebhookEndpointRecord::find(tx, &caller.integrator_id, &id)?.ok_or(
                ApiError::ResourceMissing {
                    kind: "webhook endpoint",
                    id,
                },
            )
        })
        .await?;
    Ok(axum::Json(view(found, None)))
}

/// `DELETE /v1/webhook_endpoints/{id}`: no more deliveries to it, pending ones included.
pub async fn delete_endpoint(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<DeletedWebhookEndpoint>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let now = state.clock.now();
    let deleted = state
        .store
        .transaction(move |tx| {
            if WebhookEndpointRecord::delete(tx, &caller.integrator_id, &id, now)? {
                Ok(DeletedWebhookEndpoint { id, deleted: true })
            } else {
                Err(ApiError::ResourceMissing {
                    kind: "webhook endpoint",
                    id,
                })
            }
        })
        .await?;
    Ok(axum::Json(deleted))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<usize>,
    starting_after: Option<String>,
}

fn event(record: &EventRecord) -> Result<Event, StoreError> {
    Ok(serde_json::from_str(&record.body_json)?)
}

/// `GET /v1/events`: every event of the caller's accounts, newest first, optionally of one `type`.
pub async fn list_events(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Query(query): Query<EventsQuery>,
) -> Result<axum::Json<List<Event>>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let limit = page_limit(query.limit)?;
    let kind = query
        .kind
        .as_deref()
        .map(|name| {
            EventType::parse(name)
                .ok_or_else(|| ApiError::invalid("type", format!("unknown event type '{name}'.")))
        })
        .transpose()?;
    let found = state
        .store
        .transaction(move |tx| {
            let before_seq = match &query.starting_after {
                Some(after) => Some(
                    EventRecord::find(tx, &caller.integrator_id, after)?
                        .ok_or_else(|| {
                            ApiError::invalid("starting_after", format!("no event '{after}'."))
                        })?
                        .seq,
                ),
                None => None,
            };
            let records =
                EventRecord::list(tx, &caller.integrator_id, kind, before_seq, limit + 1)?;
            Ok::<_, ApiError>(records.iter().map(event).collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(axum::Json(page_of(found, limit, EVENTS_URL)))
}

/// `GET /v1/events/{id}`
pub async fn retrieve_event(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<Event>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let found = state
        .store
        .transaction(move |tx| {
            let record = EventRecord::find(tx, &caller.integrator_id, &id)?
                .ok_or(ApiError::ResourceMissing { kind: "event", id })?;
            Ok::<_, ApiError>(event(&record)?)
        })
        .await?;
    Ok(axum::Json(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_are_http_or_https_with_a_host_and_no_credentials() {
        assert!(validate_url("https://shop.example/webhooks").is_ok());
        assert!(validate_url("http://127.0.0.1:3000/webhooks").is_ok());
        assert!(validate_url("ftp://shop.example/").is_err());
        assert!(validate_url("https://user:pass@shop.example/").is_err());
        assert!(validate_url("/relative").is_err());
        assert!(validate_url("https://shop.example/#x").is_err());
    }

    #[test]
    fn enabled_events_are_known_types_or_the_wildcard_each_once() {
        assert_eq!(
            validate_events(vec!["*".into(), "*".into()]).unwrap(),
            vec!["*".to_owned()]
        );
        assert!(validate_events(vec![]).is_err());
        assert!(validate_events(vec!["financial_connections.account.nope".into()]).is_err());
        assert!(validate_events(vec!["financial_connections.account.created".into()]).is_ok());
    }
}

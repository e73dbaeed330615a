//! The HTTP API of DESIGN §3: the integrator API under `/v1/financial_connections` (sessions,
//! accounts, their data, refreshes and disconnection), webhook endpoints and events under
//! `/v1/webhook_endpoints` and `/v1/events`, the link API under `/v1/link`, and the OAuth
//! callback banks redirect the person to. docs/integration.md documents the integrator side.

pub mod access;
mod account_data;
mod directory;
mod disconnect;
mod integrator;
mod link;
mod manual;
mod oauth_callback;
mod pages;
mod refreshes;
mod returning;
mod transactions;
mod views;
mod webhooks;

use axum::Router;
use axum::routing::{get, post};

use crate::app::Shared;
use crate::http as edge;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route(
            "/v1/financial_connections/sessions",
            post(integrator::create_session),
        )
        .route(
            "/v1/financial_connections/sessions/{id}",
            get(integrator::retrieve_session),
        )
        .route(
            "/v1/financial_connections/accounts",
            get(integrator::list_accounts),
        )
        .route(
            "/v1/financial_connections/accounts/{id}",
            get(integrator::retrieve_account),
        )
        .route(
            "/v1/financial_connections/accounts/{id}/refresh",
            post(refreshes::refresh),
        )
        .route(
            "/v1/financial_connections/accounts/{id}/subscribe",
            post(refreshes::subscribe),
        )
        .route(
            "/v1/financial_connections/accounts/{id}/unsubscribe",
            post(refreshes::unsubscribe),
        )
        .route(
            "/v1/financial_connections/accounts/{id}/disconnect",
            post(disconnect::disconnect),
        )
        .route(
            "/v1/financial_connections/accounts/{id}/owners",
            get(account_data::owners),
        )
        .route(
            "/v1/financial_connections/accounts/{id}/account_numbers",
            get(account_data::account_numbers),
        )
        .route(
            "/v1/financial_connections/transactions",
            get(transactions::list),
        )
        .route(
            "/v1/financial_connections/transactions/{id}",
            get(transactions::retrieve),
        )
        .route(
            "/v1/webhook_endpoints",
            post(webhooks::create_endpoint).get(webhooks::list_endpoints),
        )
        .route(
            "/v1/webhook_endpoints/{id}",
            get(webhooks::retrieve_endpoint).delete(webhooks::delete_endpoint),
        )
        .route("/v1/events", get(webhooks::list_events))
        .route("/v1/events/{id}", get(webhooks::retrieve_event))
        .route("/v1/link/session", get(link::session))
        .route("/v1/link/consent", post(link::consent))
        .route("/v1/link/institutions", get(link::institutions))
        .route("/v1/link/institutions/{id}", get(link::institution))
        .route("/v1/link/directory", get(directory::current))
        .route("/v1/link/directory/{version}", get(directory::versioned))
        .route("/v1/link/authorizations", post(link::start_authorization))
        .route("/v1/link/authorizations/{id}", get(link::authorization))
        .route(
            "/v1/link/authorizations/{id}/credentials",
            post(link::submit_credentials),
        )
        .route("/v1/link/authorizations/{id}/mfa", post(link::answer_mfa))
        .route(
            "/v1/link/authorizations/{id}/accounts",
            get(link::authorization_accounts),
        )
        .route(
            "/v1/link/authorizations/{id}/attach",
            post(link::attach_accounts),
        )
        .route("/v1/link/manual_accounts", post(manual::create))
        .route(
            "/v1/link/verification",
            get(manual::show).post(manual::verify),
        )
        .route(
            "/v1/test_helpers/financial_connections/accounts/{id}/verification/advance_clock",
            post(manual::advance_clock),
        )
        .route("/v1/link/returning_user/save", post(returning::save))
        .route("/v1/link/returning_user/code", post(returning::send_code))
        .route("/v1/link/returning_user/verify", post(returning::verify))
        .route("/v1/link/returning_user/accounts", get(returning::accounts))
        .route("/v1/link/returning_user/attach", post(returning::attach))
        .route("/v1/link/returning_user/forget", post(returning::forget))
        .route("/v1/link/returning_user/decline", post(returning::decline))
        .route(
            "/v1/test_helpers/sandbox/emails",
            get(returning::sandbox_emails),
        )
        .route("/v1/link/complete", post(link::complete))
        .route("/v1/link/cancel", post(link::cancel))
        .route("/oauth/callback", get(oauth_callback::callback))
        .route("/oauth/return.js", get(oauth_callback::return_script))
        .method_not_allowed_fallback(edge::method_not_allowed)
        .with_state(state)
}

//! The HTTP API of DESIGN §3: the integrator API under `/v1/financial_connections`, the link
//! API under `/v1/link`, and the OAuth callback banks redirect the person to.

mod access;
mod integrator;
mod link;
mod oauth_callback;
mod views;

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
        .route("/v1/link/session", get(link::session))
        .route("/v1/link/consent", post(link::consent))
        .route("/v1/link/institutions", get(link::institutions))
        .route("/v1/link/institutions/{id}", get(link::institution))
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
        .route("/v1/link/complete", post(link::complete))
        .route("/v1/link/cancel", post(link::cancel))
        .route("/oauth/callback", get(oauth_callback::callback))
        .route("/oauth/return.js", get(oauth_callback::return_script))
        .method_not_allowed_fallback(edge::method_not_allowed)
        .with_state(state)
}

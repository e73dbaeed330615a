//! The HTTP edge: request ids, typed extraction of bodies, queries and credentials, and the
//! answers for unknown routes and methods, all speaking the error object.

pub mod extract;
pub mod request_id;

use axum::http::{Method, Uri};

use crate::error::ApiError;

/// Any path no route knows.
pub async fn route_not_found(uri: Uri) -> ApiError {
    ApiError::RouteNotFound {
        path: uri.path().to_owned(),
    }
}

/// A known path with a method it does not take.
pub async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_string(),
    }
}

//! Every request gets an id, sent back in `Request-Id` and in any error object, and logged
//! with the method and path (never the query: OAuth codes travel there).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::secrets;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if called while handling one.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Middleware: assigns the id, runs the request inside its scope, and logs the outcome.
pub async fn assign(request: Request, next: Next) -> Response {
    let id = secrets::new_id("req");
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    tracing::info!(request_id = %id, %method, %path, status = response.status().as_u16());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("request-id", value);
    }
    response
}

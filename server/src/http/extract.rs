//! Extractors that turn every malformed input into an `ApiError` instead of axum's plain-text
//! rejections.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The largest request body any endpoint takes.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// A JSON body of type `T`.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::BodyTooLarge {
            limit: BODY_LIMIT_BYTES,
        };
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::BodyMalformed {
            detail: "send the body with 'Content-Type: application/json'.".to_owned(),
        },
        JsonRejection::JsonDataError(error) => ApiError::BodyMalformed {
            detail: std::error::Error::source(&error)
                .map_or_else(|| error.body_text(), ToString::to_string),
        },
        other => ApiError::BodyMalformed {
            detail: other.body_text(),
        },
    }
}

/// A query string of type `T`.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection: QueryRejection| ApiError::invalid("query", rejection.body_text()))
    }
}

/// The token of an `Authorization: Bearer ...` header, if there is one.
pub struct Bearer(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty());
        Ok(Self(token))
    }
}

/// The `Idempotency-Key` header: printable ASCII, at most 255 characters.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let key = value
            .to_str()
            .map_err(|_| ApiError::IdempotencyKeyInvalid {
                reason: "it must be printable ASCII.",
            })?;
        if key.is_empty() || key.len() > 255 {
            return Err(ApiError::IdempotencyKeyInvalid {
                reason: "it must be 1 to 255 characters long.",
            });
        }
        Ok(Self(Some(key.to_owned())))
    }
}

/// Parses a JSON body read as bytes (when the raw bytes are needed too, e.g. to fingerprint
/// an idempotent request).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| ApiError::BodyMalformed {
        detail: error.to_string(),
    })
}

/// The raw request body, within the body limit.
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(request, state)
            .await
            .map(Self)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::BodyTooLarge {
                        limit: BODY_LIMIT_BYTES,
                    }
                } else {
                    ApiError::BodyMalformed {
                        detail: rejection.body_text(),
                    }
                }
            })
    }
}

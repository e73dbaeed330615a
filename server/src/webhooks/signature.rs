//! The `Finlink-Signature` header of webhook deliveries, Stripe's scheme:
//! `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>`.
//!
//! The timestamp is inside the signed text, so a captured delivery cannot be replayed later
//! than the receiver's tolerance; `verify` is what a receiver written in Rust (the demo shop)
//! runs, and docs/integration.md gives the same recipe for other languages.

use finlink_protocol::Timestamp;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The header name.
pub const HEADER: &str = "Finlink-Signature";
/// How far a receiver should accept the signed timestamp from its own clock.
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;

/// Why a signature header does not prove that finlink sent this body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header has no t=<timestamp>")]
    MissingTimestamp,
    #[error("the signature header has no v1=<signature>")]
    MissingSignature,
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the signature is {age} seconds away from now, beyond the tolerance")]
    OutsideTolerance { age: i64 },
    #[error("no v1 signature matches the body")]
    Mismatch,
    #[error("the signing secret cannot key an HMAC")]
    UnusableSecret,
}

/// The lower-case hex HMAC-SHA256 of `"{timestamp}.{body}"` keyed with `secret`'s bytes.
pub fn signature(
    secret: &str,
    timestamp: Timestamp,
    body: &[u8],
) -> Result<String, SignatureError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| SignatureError::UnusableSecret)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(crate::secrets::hex(&mac.finalize().into_bytes()))
}

/// The header value for a delivery signed at `timestamp`.
pub fn header_value(
    secret: &str,
    timestamp: Timestamp,
    body: &[u8],
) -> Result<String, SignatureError> {
    Ok(format!(
        "t={timestamp},v1={}",
        signature(secret, timestamp, body)?
    ))
}

/// Checks a header against the raw body: a `v1` signature must match (compared in constant
/// time) and `t` must be within `tolerance_seconds` of `now`. Returns the signed timestamp.
pub fn verify(
    header: &str,
    body: &[u8],
    secret: &str,
    now: Timestamp,
    tolerance_seconds: i64,
) -> Result<Timestamp, SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                timestamp = Some(
                    value
                        .parse::<Timestamp>()
                        .map_err(|_| SignatureError::Malformed)?,
                );
            }
            "v1" => candidates.push(value),
            // Other schemes (v0, future versions) are ignored, as Stripe's libraries do.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::MissingTimestamp)?;
    if candidates.is_empty() {
        return Err(SignatureError::MissingSignature);
    }
    let expected = signature(secret, timestamp, body)?;
    let matches = candidates
        .iter()
        .any(|candidate| bool::from(candidate.as_bytes().ct_eq(expected.as_bytes())));
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    let age = now.saturating_sub(timestamp);
    if age.abs() > tolerance_seconds {
        return Err(SignatureError::OutsideTolerance { age });
    }
    Ok(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_the_hmac_of_timestamp_dot_body() {
        // HMAC-SHA256(key = "whsec_test", message = "1700000000.{}"), computed independently
        // with `printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test`.
        let expected = signature("whsec_test", 1_700_000_000, b"{}").unwrap();
        assert_eq!(
            expected,
            "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
        let header = header_value("whsec_test", 1_700_000_000, b"{}").unwrap();
        assert_eq!(header, format!("t=1700000000,v1={expected}"));
    }

    #[test]
    fn verify_accepts_the_right_secret_and_body_within_the_tolerance() {
        let header = header_value("whsec_a", 1_000, b"body").unwrap();
        assert_eq!(verify(&header, b"body", "whsec_a", 1_100, 300), Ok(1_000));
        assert_eq!(
            verify(&header, b"body!", "whsec_a", 1_100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, b"body", "whsec_b", 1_100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, b"body", "whsec_a", 1_400, 300),
            Err(SignatureError::OutsideTolerance { age: 400 })
        );
    }

    #[test]
    fn verify_refuses_malformed_headers() {
        assert_eq!(
            verify("v1=abc", b"", "s", 0, 300),
            Err(SignatureError::MissingTimestamp)
        );
        assert_eq!(
            verify("t=1", b"", "s", 0, 300),
            Err(SignatureError::MissingSignature)
        );
        assert_eq!(
            verify("t=x,v1=abc", b"", "s", 0, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify("garbage", b"", "s", 0, 300),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn any_matching_v1_is_enough() {
        let good = signature("whsec_a", 5, b"x").unwrap();
        let header = format!("t=5,v1=deadbeef,v0=zzz,v1={good}");
        assert_eq!(verify(&header, b"x", "whsec_a", 5, 300), Ok(5));
    }
}

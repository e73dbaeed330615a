//! The hosted verification page's calls (`/v1/link/verification`), authenticated with the
//! verification secret of the page's URL fragment instead of a session's client secret.
//!
//! The secret goes in the `Authorization` header only, never in a URL or a log line.

use finlink_protocol::{LinkVerification, VerifyMicrodepositsRequest};

use super::{ApiError, Client};

/// The verification of one account entered by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationClient(Client);

impl VerificationClient {
    /// `base` is the server's origin (empty for the page's own); `secret` the `fcvs_...`
    /// verification secret.
    pub fn new(base: &str, secret: &str) -> Self {
        Self(Client::new(base, secret))
    }

    /// `GET /v1/link/verification`: what the page shows. Resent when no answer came back.
    pub async fn verification(&self) -> Result<LinkVerification, ApiError> {
        self.0.get(PATH).await
    }

    /// `POST /v1/link/verification`: the person's answer. Never resent: an answer that
    /// reached the server may have used up an attempt.
    pub async fn verify(
        &self,
        answer: &VerifyMicrodepositsRequest,
    ) -> Result<LinkVerification, ApiError> {
        self.0.post(PATH, answer, None).await
    }
}

const PATH: &str = "/v1/link/verification";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verification_secret_stays_out_of_debug_output() {
        let client = VerificationClient::new("https://link.example", "fcvs_abc_0123456789");
        let debug = format!("{client:?}");
        assert!(!debug.contains("fcvs_abc"), "{debug}");
    }

    #[test]
    fn a_wrong_answer_is_an_answer_and_a_bad_secret_an_error() {
        let wrong = r#"{"object":"link_verification","business_name":"Acme","institution_name":
            "Bank","account_type":"checking","last4":"6789","status":"pending",
            "microdeposit_type":"amounts","failure_reason":null,"attempts_remaining":2,
            "arrival_date":1,"expires_at":2,"error":{"type":"invalid_request_error",
            "code":"microdeposits_mismatch","message":"No.","param":null,"request_id":null}}"#;
        let verification = super::super::decode::<LinkVerification>(200, wrong).unwrap();
        assert_eq!(verification.attempts_remaining, 2);
        assert_eq!(
            verification.error.map(|error| error.code),
            Some(finlink_protocol::ErrorCode::MicrodepositsMismatch)
        );
        let invalid = r#"{"error":{"type":"authentication_error",
            "code":"verification_secret_invalid","message":"No.","param":null,"request_id":null}}"#;
        let error = super::super::decode::<LinkVerification>(401, invalid).unwrap_err();
        assert_eq!(
            error.code(),
            Some(finlink_protocol::ErrorCode::VerificationSecretInvalid)
        );
        assert!(!error.is_retryable());
    }
}

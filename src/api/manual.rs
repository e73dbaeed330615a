//! `POST /v1/link/manual_accounts`: the account details the person typed, for an account
//! verified by microdeposits. The server checks them all again and creates the account
//! pending its verification; the session then completes as after linking at a bank.

use finlink_protocol::ManualAccountRequest;

use super::{ApiError, Call, Client};

/// The path of the request.
pub const MANUAL_ACCOUNTS_PATH: &str = "/v1/link/manual_accounts";

impl Client {
    /// Creates the account entered by hand. The `Idempotency-Key` makes a resend (no answer
    /// came) create it once; the answer is the session with its accounts, still open,
    /// decoded as a `LinkResult`.
    pub fn create_manual_account(
        request: &ManualAccountRequest,
        idempotency_key: &str,
    ) -> Result<Call, ApiError> {
        Call::post(
            MANUAL_ACCOUNTS_PATH.to_owned(),
            request,
            Some(idempotency_key),
        )
    }
}

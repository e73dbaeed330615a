//! Returning users (`/v1/link/returning_user/...`): a one-time code to the session's email,
//! the person's saved accounts, linking them here, forgetting them, declining them for this
//! session, and saving the accounts of the success screen. Every request goes through the one
//! [`Client::call`].

use finlink_protocol::{AttachSavedAccountsRequest, SaveAccountsRequest, VerifyOneTimeCodeRequest};

use super::{ApiError, Call, Client, Empty};

const BASE: &str = "/v1/link/returning_user";

fn path(rest: &str) -> String {
    [BASE, rest].concat()
}

impl Client {
    /// `POST .../code`: send a new code to the session's email; decoded as a
    /// `OneTimeCodeChallenge`. Never resent: the server limits sends.
    pub fn send_code() -> Result<Call, ApiError> {
        Call::post(path("/code"), &Empty {}, None)
    }

    /// `POST .../verify`: the code the person typed; decoded as a `OneTimeCodeChallenge`
    /// (a wrong code is its `error`).
    pub fn verify_code(code: &str) -> Result<Call, ApiError> {
        let body = VerifyOneTimeCodeRequest {
            code: code.to_owned(),
        };
        Call::post(path("/verify"), &body, None)
    }

    /// `GET .../accounts`: the saved accounts, once the code was right; decoded as a
    /// `List<SavedAccount>`.
    pub fn saved_accounts() -> Call {
        Call::get(path("/accounts"))
    }

    /// `POST .../attach` with `Idempotency-Key`: link the chosen saved accounts to this
    /// session; decoded as a `LinkResult`. The key makes a resend link them once.
    pub fn attach_saved(accounts: &[String], idempotency_key: &str) -> Result<Call, ApiError> {
        let body = AttachSavedAccountsRequest {
            accounts: accounts.to_vec(),
        };
        Call::post(path("/attach"), &body, Some(idempotency_key))
    }

    /// `POST .../forget`: delete the person's saved accounts; decoded as
    /// `SavedAccountsForgotten`.
    pub fn forget_saved() -> Result<Call, ApiError> {
        Call::post(path("/forget"), &Empty {}, None)
    }

    /// `POST .../decline`: the person chose "Use another account", so this session no longer
    /// offers the saved accounts; decoded as a `ReturningUserDeclined`. The server answers a
    /// second decline as the first, so it is sent again when no answer came: one lost request
    /// would otherwise bring the offer back on a reload.
    pub fn decline_saved() -> Result<Call, ApiError> {
        Ok(Call::post(path("/decline"), &Empty {}, None)?.repeatable())
    }

    /// `POST .../save`: save the accounts this session linked at a bank; decoded as a
    /// `SavedAccountsReceipt`.
    pub fn save_accounts(request: &SaveAccountsRequest) -> Result<Call, ApiError> {
        Call::post(path("/save"), request, None)
    }
}

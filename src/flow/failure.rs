//! Why a step cannot go on, in words for the person.

use finlink_protocol::ErrorCode;

/// What went wrong: the API's code, when there is one, and the message the person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `None` when no answer could be had or read (offline, a proxy's error page).
    pub code: Option<ErrorCode>,
    pub message: String,
}

impl Failure {
    pub fn new(code: Option<ErrorCode>, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Whether this failure ends the session itself: nothing in this widget can go on.
    pub fn ends_session(&self) -> bool {
        matches!(
            self.code,
            Some(
                ErrorCode::SessionExpired
                    | ErrorCode::SessionCompleted
                    | ErrorCode::SessionCancelled
                    | ErrorCode::ClientSecretInvalid
            )
        )
    }

    /// Whether the bank itself failed (down, an error at the bank, a locked login, access
    /// denied): the person may add the account by hand instead, where the session allows it.
    pub fn is_bank_failure(&self) -> bool {
        matches!(
            self.code,
            Some(
                ErrorCode::InstitutionDownScheduled
                    | ErrorCode::InstitutionDownUnscheduled
                    | ErrorCode::InstitutionError
                    | ErrorCode::InstitutionUnavailable
                    | ErrorCode::AccountLocked
                    | ErrorCode::OauthDenied
            )
        )
    }

    /// The failure of a login at the bank, from the API's error object.
    pub fn from_api(error: &finlink_protocol::ApiError) -> Self {
        Self::new(Some(error.code), error.message.clone())
    }
}

//! What the checkout shows of a bank-linking flow, apart from the page: plain data and text,
//! tested natively.

use finlink::embed::{Account, CollectError, Session};

/// Why the checkout's own server gave no client secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    #[error("the shop's server did not answer")]
    Unreachable,
    #[error("the shop's server refused (HTTP {0})")]
    Refused(u16),
    #[error("the shop's server sent an answer this page cannot read")]
    Unreadable,
}

/// Where one way of linking is, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Progress {
    #[default]
    Idle,
    /// Asking the shop's server for a client secret.
    Starting,
    /// The widget is on the page.
    Open,
    Linked(Vec<Account>),
    /// The person closed the widget without linking.
    Closed,
    /// Why there is no session, in words.
    Failed(String),
}

impl Progress {
    /// The flow's result, from `collect` or `<FinlinkCollect on_exit>`.
    pub fn finished(result: Result<Session, CollectError>) -> Self {
        match result {
            Ok(session) if session.accounts.is_empty() => Self::Closed,
            Ok(session) => Self::Linked(session.accounts),
            // The person already saw the widget's own explanation; this says it again.
            Err(error @ CollectError::Flow { .. }) => {
                Self::Failed(format!("Bank linking failed: {error}"))
            }
            Err(
                error @ (CollectError::ClientSecretMissing
                | CollectError::WidgetOriginInvalid(_)
                | CollectError::AlreadyOpen
                | CollectError::NoDocument
                | CollectError::Dom(_)
                | CollectError::Destroyed),
            ) => Self::Failed(format!("This page could not open bank linking: {error}")),
        }
    }

    pub fn not_started(error: &StartError) -> Self {
        Self::Failed(format!("Bank linking could not start: {error}"))
    }

    /// The sentence of the page's status line.
    pub fn status(&self) -> String {
        match self {
            Self::Idle => String::new(),
            Self::Starting => "Opening bank linking…".to_owned(),
            Self::Open => "Bank linking is open.".to_owned(),
            Self::Linked(accounts) if accounts.len() == 1 => "Linked 1 bank account.".to_owned(),
            Self::Linked(accounts) => format!("Linked {} bank accounts.", accounts.len()),
            Self::Closed => "Bank linking closed: no account was linked.".to_owned(),
            Self::Failed(text) => text.clone(),
        }
    }

    pub fn accounts(&self) -> &[Account] {
        match self {
            Self::Linked(accounts) => accounts,
            Self::Idle | Self::Starting | Self::Open | Self::Closed | Self::Failed(_) => &[],
        }
    }

    /// Whether a flow is on its way or open (the page starts no second one).
    pub fn busy(&self) -> bool {
        matches!(self, Self::Starting | Self::Open)
    }
}

/// One linked account, as the list shows it: name, bank and the last four digits only.
pub fn account_line(account: &Account) -> String {
    format!(
        "{} at {}, ending in {}",
        account.display_name, account.institution_name, account.last4
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An account as the widget posts it (what a host page sees of it).
    fn account(id: &str, name: &str, last4: &str) -> Account {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "display_name": name,
            "institution_name": "Sandbox Bank (Credentials)",
            "category": "cash",
            "subcategory": "checking",
            "last4": last4,
            "status": "active",
        }))
        .expect("an account of the widget's schema")
    }

    fn session(accounts: Vec<Account>) -> Session {
        Session {
            id: Some("fcsess_1".to_owned()),
            accounts,
        }
    }

    #[test]
    fn a_session_with_accounts_lists_each_by_name_bank_and_last_four_digits() {
        let progress = Progress::finished(Ok(session(vec![
            account("fca_1", "Everyday Checking", "6789"),
            account("fca_2", "High Yield Savings", "4321"),
        ])));
        assert_eq!(progress.status(), "Linked 2 bank accounts.");
        let lines: Vec<String> = progress.accounts().iter().map(account_line).collect();
        assert_eq!(
            lines,
            [
                "Everyday Checking at Sandbox Bank (Credentials), ending in 6789",
                "High Yield Savings at Sandbox Bank (Credentials), ending in 4321",
            ]
        );
        assert!(!progress.busy());
    }

    #[test]
    fn one_account_is_counted_in_the_singular() {
        let progress = Progress::finished(Ok(session(vec![account("fca_1", "Checking", "0001")])));
        assert_eq!(progress.status(), "Linked 1 bank account.");
    }

    #[test]
    fn a_session_without_accounts_means_the_person_closed_the_widget() {
        let progress = Progress::finished(Ok(session(Vec::new())));
        assert_eq!(progress, Progress::Closed);
        assert_eq!(
            progress.status(),
            "Bank linking closed: no account was linked."
        );
        assert!(progress.accounts().is_empty());
    }

    #[test]
    fn a_flow_error_says_the_widgets_message_and_code() {
        let progress = Progress::finished(Err(CollectError::Flow {
            error_type: "invalid_request_error".to_owned(),
            code: "session_expired".to_owned(),
            message: "This session expired.".to_owned(),
        }));
        assert_eq!(
            progress.status(),
            "Bank linking failed: This session expired. (session_expired)"
        );
        assert!(progress.accounts().is_empty());
    }

    #[test]
    fn a_mistake_of_the_page_is_told_apart_from_a_failed_flow() {
        let progress = Progress::finished(Err(CollectError::AlreadyOpen));
        assert_eq!(
            progress.status(),
            "This page could not open bank linking: a bank-linking flow is already open: \
             wait for its result or destroy it"
        );
    }

    #[test]
    fn no_client_secret_from_the_shops_server_is_said_as_such() {
        let progress = Progress::not_started(&StartError::Refused(502));
        assert_eq!(
            progress.status(),
            "Bank linking could not start: the shop's server refused (HTTP 502)"
        );
    }

    #[test]
    fn starting_and_open_are_busy_and_nothing_else_is() {
        assert!(Progress::Starting.busy());
        assert!(Progress::Open.busy());
        for idle in [
            Progress::Idle,
            Progress::Closed,
            Progress::Failed("x".to_owned()),
        ] {
            assert!(!idle.busy(), "{idle:?}");
        }
    }
}

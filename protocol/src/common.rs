//! Types shared by the integrator API and the link API.

use serde::{Deserialize, Serialize};

use crate::names::wire_names;

/// Unix time in seconds, as every timestamp of the API.
pub type Timestamp = i64;

/// A page of objects, Stripe-style: `limit` / `starting_after` select the page and `has_more`
/// says whether another one follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename = "list")]
pub struct List<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    pub url: String,
}

impl<T> List<T> {
    /// A complete list (no further page).
    pub fn complete(data: Vec<T>, url: impl Into<String>) -> Self {
        Self {
            data,
            has_more: false,
            url: url.into(),
        }
    }
}

/// The data a business asks to read; the person consents to exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Account and routing numbers, to pay from or to the account.
    PaymentMethod,
    /// Current and available balances.
    Balances,
    /// Owner names, addresses, emails and phones.
    Ownership,
    /// Pending and posted transactions.
    Transactions,
}

wire_names!(Permission {
    "payment_method" => PaymentMethod,
    "balances" => Balances,
    "ownership" => Ownership,
    "transactions" => Transactions,
});

impl Permission {
    pub const ALL: [Permission; 4] = [
        Self::PaymentMethod,
        Self::Balances,
        Self::Ownership,
        Self::Transactions,
    ];
}

/// Data that can be fetched right after linking or refreshed later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    Balance,
    Ownership,
    Transactions,
}

impl Feature {
    /// The wire name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Balance => "balance",
            Self::Ownership => "ownership",
            Self::Transactions => "transactions",
        }
    }

    /// The permission a feature's data needs.
    pub fn permission(self) -> Permission {
        match self {
            Self::Balance => Permission::Balances,
            Self::Ownership => Permission::Ownership,
            Self::Transactions => Permission::Transactions,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountCategory {
    Cash,
    Credit,
    Investment,
    Other,
}

wire_names!(AccountCategory {
    "cash" => Cash,
    "credit" => Credit,
    "investment" => Investment,
    "other" => Other,
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountSubcategory {
    Checking,
    Savings,
    CreditCard,
    LineOfCredit,
    Mortgage,
    Other,
}

wire_names!(AccountSubcategory {
    "checking" => Checking,
    "savings" => Savings,
    "credit_card" => CreditCard,
    "line_of_credit" => LineOfCredit,
    "mortgage" => Mortgage,
    "other" => Other,
});

impl AccountSubcategory {
    /// The category every subcategory belongs to.
    pub fn category(self) -> AccountCategory {
        match self {
            Self::Checking | Self::Savings => AccountCategory::Cash,
            Self::CreditCard | Self::LineOfCredit | Self::Mortgage => AccountCategory::Credit,
            Self::Other => AccountCategory::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountStatus {
    Active,
    Inactive,
    Disconnected,
}

wire_names!(AccountStatus {
    "active" => Active,
    "inactive" => Inactive,
    "disconnected" => Disconnected,
});

/// Whose accounts these are, in the business's own terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountHolder {
    #[serde(rename = "type")]
    pub kind: AccountHolderKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The person's email, used later to offer their saved accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountHolderKind {
    Customer,
    Account,
}

/// Which institutions and accounts the person may pick.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// ISO 3166-1 alpha-2 country codes of the institutions offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
    /// Only accounts of these subcategories can be picked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_subcategories: Option<Vec<AccountSubcategory>>,
    /// Skip the search step and go straight to this institution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_permission_is_refused() {
        let error = serde_json::from_str::<Permission>(r#""payments""#).unwrap_err();
        assert!(
            error.to_string().contains("unknown variant `payments`"),
            "{error}"
        );
    }
}

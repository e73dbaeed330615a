//! Enums of unit variants that travel as their names (`"payment_method"`), each with its names
//! written once.

/// `as_str`, `from_name`, `Serialize` and `Deserialize` for an enum of unit variants, all from
/// one list of `"name" => Variant`: a name cannot be written one way and read another, and a
/// variant missing from the list fails to compile (`as_str` matches every variant).
///
/// `Serialize` writes `as_str` as a plain string, the JSON serde's derive writes for a unit
/// variant.
macro_rules! wire_names {
    ($enum:ident { $($name:literal => $variant:ident),+ $(,)? }) => {
        impl $enum {
            /// The wire name, as in JSON, for text that is not a serialized body: messages,
            /// stored columns.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }
        }

        impl serde::Serialize for $enum {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        $crate::names::deserialize_by_name!($enum { $($name => $variant),+ });
    };
}
pub(crate) use wire_names;

/// `from_name` and `Deserialize` from a list of `"name" => Variant`, alone for an enum that is
/// only read: one shared read of a string, then a match, where serde's derive reads each such
/// enum with serde_json's `deserialize_enum` of its own (about 1 KB of WebAssembly each in the
/// widget).
macro_rules! deserialize_by_name {
    ($enum:ident { $($name:literal => $variant:ident),+ $(,)? }) => {
        impl $enum {
            /// The value of a wire name; `None` for a name this version does not know.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $enum {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const NAMES: &[&str] = &[$($name),+];
                let name = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::from_name(&name)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&name, NAMES))
            }
        }
    };
}
pub(crate) use deserialize_by_name;

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use crate::*;

    /// [`names_read_back`] for every variant of an enum: the match fails to compile when the
    /// enum gains a variant the list lacks.
    macro_rules! read_back {
        ($enum:ident: $($variant:ident),+ $(,)?) => {{
            let _every_variant_is_listed = |value: $enum| match value {
                $($enum::$variant)|+ => (),
            };
            names_read_back([$($enum::$variant),+], $enum::as_str, $enum::from_name);
        }};
    }

    /// Each value writes its name as a JSON string, reads back from it, and `from_name` finds
    /// it; any other name is refused, with the names expected.
    fn names_read_back<T, const N: usize>(
        values: [T; N],
        as_str: fn(T) -> &'static str,
        from_name: fn(&str) -> Option<T>,
    ) where
        T: Copy + Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        for value in values {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{}\"", as_str(value)));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value, "{json}");
            assert_eq!(from_name(as_str(value)), Some(value));
        }
        let error = serde_json::from_str::<T>(r#""no_such_name""#)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("unknown variant `no_such_name`, expected "),
            "{error}"
        );
        for value in values {
            assert!(error.contains(&format!("`{}`", as_str(value))), "{error}");
        }
        assert_eq!(from_name("no_such_name"), None);
        assert!(serde_json::from_str::<T>("1").is_err());
    }

    #[test]
    fn every_unit_enum_reads_back_the_name_it_writes_and_refuses_others() {
        read_back!(Permission: PaymentMethod, Balances, Ownership, Transactions);
        read_back!(AccountCategory: Cash, Credit, Investment, Other);
        read_back!(AccountSubcategory: Checking, Savings, CreditCard, LineOfCredit, Mortgage, Other);
        read_back!(AccountStatus: Active, Inactive, Disconnected);
        read_back!(
            ErrorType: InvalidRequestError,
            AuthenticationError,
            RateLimitError,
            IdempotencyError,
            InstitutionError,
            ApiError,
        );
        read_back!(AccountSelection: Single, Multiple);
        read_back!(SessionStatus: Open, Completed, Cancelled, Expired);
        read_back!(AuthMethod: Oauth, Credentials);
        read_back!(InstitutionStatus: Up, DownScheduled, DownUnscheduled);
        read_back!(UnselectableReason: Inactive, UnsupportedForPayments, FilteredOut);
        read_back!(VerificationMethod: Automatic, Instant, Microdeposits);
        read_back!(MicrodepositType: Amounts, DescriptorCode);
        read_back!(BankAccountType: Checking, Savings);
        read_back!(VerificationStatus: Pending, Verified, Failed);
        read_back!(VerificationFailure: TooManyAttempts, Expired);
        read_back!(OneTimeCodeStatus: Pending, Verified, Failed);
        read_back!(RefreshStatus: Pending, Succeeded, Failed);
        read_back!(TransactionStatus: Pending, Posted, Void);
    }

    #[test]
    fn an_unknown_name_is_refused_with_every_name_expected() {
        let error = serde_json::from_str::<InstitutionStatus>(r#""down""#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown variant `down`, expected one of `up`, `down_scheduled`, \
             `down_unscheduled`"
        );
    }

    #[test]
    fn a_name_is_read_only_as_a_string() {
        let error = serde_json::from_str::<AuthMethod>("1").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid type: integer `1`, expected a string at line 1 column 1"
        );
    }

    #[test]
    fn from_name_finds_exactly_the_names_written() {
        assert_eq!(
            AccountSelection::from_name("single"),
            Some(AccountSelection::Single)
        );
        assert_eq!(AccountSelection::from_name("Single"), None);
        assert_eq!(AccountSelection::from_name(""), None);
    }
}

//! The documented test institutions: fixed ids an integrator can script against, each with
//! one sandbox behaviour (DESIGN §4). They come first in every directory, sandbox or FedACH,
//! so that a test can always reach them.
//!
//! | id | name | login | status | behaviour | routing number |
//! | --- | --- | --- | --- | --- | --- |
//! | `ins_sandbox_oauth` | Sandbox Bank (OAuth) | OAuth | up | standard | 110000000 |
//! | `ins_sandbox_credentials` | Sandbox Bank (Credentials) | credentials | up | standard | 110000013 |
//! | `ins_ownership_test` | Ownership Test Bank | credentials | up | ownership test | 110000026 |
//! | `ins_invalid_payment` | Invalid Payment Accounts | credentials | up | invalid payment | 110000039 |
//! | `ins_down_scheduled` | Down Bank (Scheduled) | credentials | down (scheduled) | standard | 110000042 |
//! | `ins_down_unscheduled` | Down Bank (Unscheduled) | credentials | down (unscheduled) | standard | 110000055 |
//! | `ins_down_error` | Down Bank (Error) | credentials | up | erroring | 110000068 |

use finlink_protocol::{AuthMethod, InstitutionStatus};

use super::{DirectoryInstitution, SandboxBehaviour};

/// Sandbox Bank (OAuth): login and account choice at the bank's own OAuth pages.
pub const SANDBOX_OAUTH: &str = "ins_sandbox_oauth";
/// Sandbox Bank (Credentials): login form; magic passwords trigger MFA and failures.
pub const SANDBOX_CREDENTIALS: &str = "ins_sandbox_credentials";
/// Ownership Test Bank: accounts with single, joint and mismatched owners.
pub const OWNERSHIP_TEST: &str = "ins_ownership_test";
/// Invalid Payment Accounts: accounts that cannot carry ACH.
pub const INVALID_PAYMENT: &str = "ins_invalid_payment";
/// Down Bank (Scheduled): planned maintenance.
pub const DOWN_SCHEDULED: &str = "ins_down_scheduled";
/// Down Bank (Unscheduled): an outage.
pub const DOWN_UNSCHEDULED: &str = "ins_down_unscheduled";
/// Down Bank (Error): listed as up, but every call to it fails.
pub const DOWN_ERROR: &str = "ins_down_error";

/// Weight of the first test institution; the others follow one below each other, so that
/// they lead every list they appear in, in the documented order.
const TOP_WEIGHT: u32 = 1_000_000;

/// The test institutions, in the documented order.
pub fn test_institutions() -> Vec<DirectoryInstitution> {
    use AuthMethod::{Credentials, Oauth};
    use InstitutionStatus::{DownScheduled, DownUnscheduled, Up};
    use SandboxBehaviour::{Erroring, InvalidPayment, OwnershipTest, Standard};
    let table = [
        (
            SANDBOX_OAUTH,
            "Sandbox Bank (OAuth)",
            Oauth,
            Up,
            Standard,
            "110000000",
        ),
        (
            SANDBOX_CREDENTIALS,
            "Sandbox Bank (Credentials)",
            Credentials,
            Up,
            Standard,
            "110000013",
        ),
        (
            OWNERSHIP_TEST,
            "Ownership Test Bank",
            Credentials,
            Up,
            OwnershipTest,
            "110000026",
        ),
        (
            INVALID_PAYMENT,
            "Invalid Payment Accounts",
            Credentials,
            Up,
            InvalidPayment,
            "110000039",
        ),
        (
            DOWN_SCHEDULED,
            "Down Bank (Scheduled)",
            Credentials,
            DownScheduled,
            Standard,
            "110000042",
        ),
        (
            DOWN_UNSCHEDULED,
            "Down Bank (Unscheduled)",
            Credentials,
            DownUnscheduled,
            Standard,
            "110000055",
        ),
        (
            DOWN_ERROR,
            "Down Bank (Error)",
            Credentials,
            Up,
            Erroring,
            "110000068",
        ),
    ];
    (0u32..)
        .zip(table)
        .map(
            |(rank, (id, name, auth_method, status, behaviour, routing_number))| {
                DirectoryInstitution {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    url: None,
                    routing_numbers: vec![routing_number.to_owned()],
                    auth_method,
                    status,
                    // The two sandbox banks are the ones a newcomer should try first.
                    featured: rank < 2,
                    weight: TOP_WEIGHT - rank,
                    country: "US".to_owned(),
                    aliases: Vec::new(),
                    behaviour,
                }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::routing;
    use super::test_institutions;

    #[test]
    fn seven_institutions_with_the_documented_ids_in_order() {
        let ids: Vec<String> = test_institutions().into_iter().map(|i| i.id).collect();
        assert_eq!(
            ids,
            [
                "ins_sandbox_oauth",
                "ins_sandbox_credentials",
                "ins_ownership_test",
                "ins_invalid_payment",
                "ins_down_scheduled",
                "ins_down_unscheduled",
                "ins_down_error"
            ]
        );
    }

    #[test]
    fn only_the_two_sandbox_banks_are_featured() {
        let featured: Vec<String> = test_institutions()
            .into_iter()
            .filter(|i| i.featured)
            .map(|i| i.name)
            .collect();
        assert_eq!(
            featured,
            ["Sandbox Bank (OAuth)", "Sandbox Bank (Credentials)"]
        );
    }

    #[test]
    fn weights_descend_in_the_documented_order() {
        let weights: Vec<u32> = test_institutions().iter().map(|i| i.weight).collect();
        assert!(weights.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn routing_numbers_are_valid_and_all_in_the_us() {
        for institution in test_institutions() {
            assert_eq!(institution.country, "US");
            assert!(
                institution
                    .routing_numbers
                    .iter()
                    .all(|n| routing::is_valid(n)),
                "{}",
                institution.id
            );
        }
    }
}

//! The generated sandbox directory: thousands of realistic, made-up US banks and credit
//! unions, so that search in the sandbox behaves as it does over a real directory.
//!
//! It is deterministic (a fixed-seed splitmix64 drives every choice), so ids are identical on
//! every start and a test or a bookmark can refer to them. A few well-known names lead it, as
//! featured institutions, so that the first screen of the widget looks like production.

mod words;

use crate::splitmix::SplitMix64;
use std::collections::HashSet;

use finlink_protocol::{AuthMethod, InstitutionStatus};

use super::{DirectoryInstitution, SandboxBehaviour, routing};
use words::{
    BANK_KINDS, CREDIT_UNION_KINDS, MEMBERSHIPS, PLACES, QUALIFIED_BANK_KINDS, QUALITIES, SURNAMES,
};

/// Changing the seed changes every generated id: do it only on purpose.
const SEED: u64 = 0x5EED_F1A1_D1EC_7041;
/// How many made-up institutions follow the well-known ones.
const GENERATED: usize = 6_000;
/// Bound on draws, so that generation ends even if the word lists were too small.
const MAX_DRAWS: usize = GENERATED * 10;

/// Well-known names, featured in the sandbox (they behave as standard sandbox banks).
const WELL_KNOWN: &[(&str, &str)] = &[
    ("Chase", "https://www.chase.com"),
    ("Bank of America", "https://www.bankofamerica.com"),
    ("Wells Fargo", "https://www.wellsfargo.com"),
    ("Citibank", "https://www.citi.com"),
    ("Capital One", "https://www.capitalone.com"),
    ("U.S. Bank", "https://www.usbank.com"),
    ("PNC Bank", "https://www.pnc.com"),
    ("Navy Federal Credit Union", "https://www.navyfederal.org"),
];
/// Weight of the first well-known name: below the test institutions, above any generated one.
const WELL_KNOWN_WEIGHT: u32 = 500_000;
/// Generated weights lie in 1..=MAX_GENERATED_WEIGHT, most of them small.
const MAX_GENERATED_WEIGHT: u64 = 10_000;

/// The well-known institutions followed by the generated ones, identical on every call.
pub(super) fn institutions() -> Vec<DirectoryInstitution> {
    let mut rng = SplitMix64(SEED);
    let mut routing = RoutingNumbers::default();
    let mut names = HashSet::new();
    let mut list = Vec::with_capacity(WELL_KNOWN.len() + GENERATED);
    for (rank, &(name, url)) in (0u32..).zip(WELL_KNOWN) {
        names.insert(finlink_search::normalize(name));
        let routing_numbers = routing.draw(&mut rng, is_thrift(name), 3);
        let weight = WELL_KNOWN_WEIGHT.saturating_sub(rank * 10_000);
        let mut institution = institution(list.len(), name.to_owned(), routing_numbers, weight);
        institution.url = Some(url.to_owned());
        institution.featured = true;
        list.push(institution);
    }
    for _ in 0..MAX_DRAWS {
        if list.len() >= WELL_KNOWN.len() + GENERATED {
            break;
        }
        let name = draw_name(&mut rng);
        if !names.insert(finlink_search::normalize(&name)) {
            continue;
        }
        let count = match rng.below(20) {
            0 => 3,
            1..=3 => 2,
            _ => 1,
        };
        let routing_numbers = routing.draw(&mut rng, is_thrift(&name), count);
        let draw = rng.below(1_000);
        let weight = u32::try_from(1 + draw * draw * MAX_GENERATED_WEIGHT / 1_000_000).unwrap_or(1);
        list.push(institution(list.len(), name, routing_numbers, weight));
    }
    list
}

/// A standard, up, US institution; logins alternate between OAuth and credentials.
fn institution(
    position: usize,
    name: String,
    routing_numbers: Vec<String>,
    weight: u32,
) -> DirectoryInstitution {
    DirectoryInstitution {
        id: format!("ins_{}", routing_numbers.first().map_or("", String::as_str)),
        name,
        url: None,
        routing_numbers,
        auth_method: if position.is_multiple_of(2) {
            AuthMethod::Oauth
        } else {
            AuthMethod::Credentials
        },
        status: InstitutionStatus::Up,
        featured: false,
        weight,
        country: "US".to_owned(),
        aliases: Vec::new(),
        behaviour: SandboxBehaviour::Standard,
    }
}

/// One name in one of the shapes real US institution names take.
fn draw_name(rng: &mut SplitMix64) -> String {
    let place = rng.pick(PLACES);
    match rng.below(100) {
        0..30 => format!("{place} {}", rng.pick(BANK_KINDS)),
        30..42 => format!("{place} {}", rng.pick(CREDIT_UNION_KINDS)),
        42..55 => format!(
            "{place} {} {}",
            rng.pick(MEMBERSHIPS),
            rng.pick(CREDIT_UNION_KINDS)
        ),
        55..65 => format!("{} {}", rng.pick(QUALITIES), rng.pick(QUALIFIED_BANK_KINDS)),
        65..77 => format!(
            "{} {} of {place}",
            rng.pick(QUALITIES),
            rng.pick(QUALIFIED_BANK_KINDS)
        ),
        77..84 => format!("First {} of {place}", rng.pick(QUALIFIED_BANK_KINDS)),
        84..88 => format!("Bank of {place}"),
        _ => format!("{} {}", rng.pick(SURNAMES), rng.pick(BANK_KINDS)),
    }
}

/// Credit unions and savings institutions have routing numbers of their own range (21-32).
fn is_thrift(name: &str) -> bool {
    ["Credit Union", "Savings", "Loan"]
        .iter()
        .any(|word| name.contains(word))
}

/// Draws distinct, valid routing numbers.
#[derive(Default)]
struct RoutingNumbers {
    taken: HashSet<String>,
}

impl RoutingNumbers {
    /// `count` new routing numbers: Federal Reserve district 01-12 (21-32 for thrifts), a
    /// branch digit 1-9 (so never the test institutions' 1100000xx), a state digit, four
    /// institution digits and the check digit. Fewer only if the space were exhausted.
    fn draw(&mut self, rng: &mut SplitMix64, thrift: bool, count: usize) -> Vec<String> {
        let mut numbers = Vec::with_capacity(count);
        for _ in 0..count * 100 {
            if numbers.len() == count {
                break;
            }
            let district = 1 + rng.below(12) + if thrift { 20 } else { 0 };
            let first_eight =
                district * 1_000_000 + (1 + rng.below(9)) * 100_000 + rng.below(100_000);
            let number = routing::with_check_digit(u32::try_from(first_eight).unwrap_or_default());
            if self.taken.insert(number.clone()) {
                numbers.push(number);
            }
        }
        numbers
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use finlink_protocol::{AuthMethod, InstitutionStatus};

    use super::super::{SandboxBehaviour, routing};
    use super::{GENERATED, WELL_KNOWN, institutions};

    #[test]
    fn thousands_of_institutions() {
        assert_eq!(institutions().len(), WELL_KNOWN.len() + GENERATED);
    }

    #[test]
    fn identical_on_every_call() {
        let (a, b) = (institutions(), institutions());
        let key = |i: &super::DirectoryInstitution| {
            (
                i.id.clone(),
                i.name.clone(),
                i.routing_numbers.clone(),
                i.weight,
            )
        };
        assert!(a.iter().map(key).eq(b.iter().map(key)));
    }

    #[test]
    fn names_ids_and_routing_numbers_are_distinct() {
        let list = institutions();
        let names: HashSet<String> = list
            .iter()
            .map(|i| finlink_search::normalize(&i.name))
            .collect();
        let ids: HashSet<&str> = list.iter().map(|i| i.id.as_str()).collect();
        let numbers: Vec<&String> = list.iter().flat_map(|i| &i.routing_numbers).collect();
        let distinct_numbers: HashSet<&String> = numbers.iter().copied().collect();
        assert_eq!(names.len(), list.len());
        assert_eq!(ids.len(), list.len());
        assert_eq!(distinct_numbers.len(), numbers.len());
    }

    #[test]
    fn every_routing_number_is_valid_and_the_id_is_the_first() {
        for institution in institutions() {
            assert!(
                !institution.routing_numbers.is_empty(),
                "{}",
                institution.name
            );
            assert!(
                institution
                    .routing_numbers
                    .iter()
                    .all(|n| routing::is_valid(n)),
                "{}",
                institution.name
            );
            assert_eq!(
                institution.id,
                format!("ins_{}", institution.routing_numbers[0])
            );
        }
    }

    #[test]
    fn logins_alternate_and_all_are_up_standard_and_in_the_us() {
        for (position, institution) in institutions().iter().enumerate() {
            let expected = if position.is_multiple_of(2) {
                AuthMethod::Oauth
            } else {
                AuthMethod::Credentials
            };
            assert_eq!(institution.auth_method, expected);
            assert_eq!(institution.status, InstitutionStatus::Up);
            assert_eq!(institution.behaviour, SandboxBehaviour::Standard);
            assert_eq!(institution.country, "US");
        }
    }

    #[test]
    fn only_the_well_known_names_are_featured_and_they_outweigh_the_rest() {
        let list = institutions();
        let featured: Vec<&str> = list
            .iter()
            .filter(|i| i.featured)
            .map(|i| i.name.as_str())
            .collect();
        let well_known: Vec<&str> = WELL_KNOWN.iter().map(|(name, _)| *name).collect();
        assert_eq!(featured, well_known);
        let lightest_featured = list.iter().filter(|i| i.featured).map(|i| i.weight).min();
        let heaviest_other = list.iter().filter(|i| !i.featured).map(|i| i.weight).max();
        assert!(lightest_featured > heaviest_other);
    }

    #[test]
    fn credit_unions_and_banks_are_both_plentiful() {
        let list = institutions();
        let credit_unions = list
            .iter()
            .filter(|i| i.name.ends_with("Credit Union"))
            .count();
        assert!(credit_unions > 1_000, "{credit_unions}");
        assert!(list.len() - credit_unions > 3_000);
    }

    #[test]
    fn ids_are_pinned_so_that_a_change_to_the_generator_is_deliberate() {
        let list = institutions();
        let pinned: Vec<(&str, &str)> = list
            .iter()
            .skip(WELL_KNOWN.len() - 1)
            .take(3)
            .map(|i| (i.id.as_str(), i.name.as_str()))
            .collect();
        assert_eq!(
            pinned,
            [
                ("ins_302831074", "Navy Federal Credit Union"),
                ("ins_017546955", "Camden Cooperative Bank"),
                ("ins_068962847", "Patriot Trust Company"),
            ]
        );
        assert_eq!(list.first().map(|i| i.id.as_str()), Some("ins_117524754"));
    }
}

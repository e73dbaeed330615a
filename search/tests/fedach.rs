//! Search over the real FedACH directory (`../shared/data/FedACHdir.txt`, 10,835 names): what
//! a person types, and the institution they mean, first.
//!
//! The directory is read here as the server reads it (one institution per distinct name,
//! shown by its display name, weighing its number of routing numbers), with the few aliases
//! a directory carries. When the file is absent, each test says so and passes.

use std::collections::HashMap;
use std::sync::OnceLock;

use finlink_search::format::{self, Login, Record, Status};
use finlink_search::{Catalog, canonical, display_name, normalize};

const FEDACH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/FedACHdir.txt"
);

/// Aliases as a directory carries them (the server's are in `well_known.txt`), by a routing
/// number the institution holds.
const ALIASES: &[(&str, &[&str])] = &[
    ("021000021", &["chase", "chase bank"]),
    ("011000138", &["bofa", "boa"]),
    ("256074974", &["navy fed", "nfcu"]),
];

/// The FedACH directory with its raw names, or `None` (and a note) when the file is absent;
/// read and indexed once for all tests.
fn fedach() -> Option<&'static (Catalog, Vec<String>)> {
    static DIRECTORY: OnceLock<Option<(Catalog, Vec<String>)>> = OnceLock::new();
    DIRECTORY.get_or_init(read_fedach).as_ref()
}

fn read_fedach() -> Option<(Catalog, Vec<String>)> {
    let text = match std::fs::read_to_string(FEDACH) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{FEDACH} is absent ({error}): the FedACH tests pass without running");
            return None;
        }
    };
    let mut order: Vec<String> = Vec::new();
    let mut numbers: HashMap<String, Vec<String>> = HashMap::new();
    for line in text.lines().filter(|line| line.len() >= 71) {
        let (Some(number), Some(name)) = (line.get(0..9), line.get(35..71)) else {
            continue;
        };
        let name = name.trim().to_owned();
        numbers
            .entry(name.clone())
            .or_insert_with(|| {
                order.push(name.clone());
                Vec::new()
            })
            .push(number.to_owned());
    }
    let records = order
        .iter()
        .map(|raw| {
            let routing_numbers = numbers.get(raw).cloned().unwrap_or_default();
            let aliases = ALIASES
                .iter()
                .filter(|(number, _)| routing_numbers.iter().any(|n| n == number))
                .flat_map(|(_, aliases)| aliases.iter().map(|a| (*a).to_owned()))
                .collect();
            Record {
                id: format!("ins_{}", routing_numbers[0]),
                name: display_name(raw),
                weight: u32::try_from(routing_numbers.len()).unwrap_or(u32::MAX),
                routing_numbers,
                login: Login::Oauth,
                status: Status::Up,
                featured: false,
                aliases,
                country: "US".to_owned(),
                url: None,
            }
        })
        .collect();
    Some((Catalog::new(records), order))
}

fn names(catalog: &Catalog, query: &str, limit: usize) -> Vec<String> {
    catalog
        .search(query, limit)
        .into_iter()
        .map(|record| record.name.clone())
        .collect()
}

/// The first result for `query`.
#[track_caller]
fn first(catalog: &Catalog, query: &str) -> String {
    names(catalog, query, 10)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{query:?} finds nothing"))
}

#[test]
fn the_directory_has_its_10835_names() {
    let Some((catalog, raw)) = fedach() else {
        return;
    };
    assert_eq!(catalog.records().len(), 10_835);
    assert_eq!(raw.len(), 10_835);
}

#[test]
fn chase_finds_jpmorgan_chase_through_the_alias_the_directory_carries() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    assert_eq!(
        names(catalog, "chase", 3),
        [
            "JPMorgan Chase",
            "Chasewood Bank",
            "JPMorgan Chase, Dearborn"
        ]
    );
    assert_eq!(first(catalog, "Chase Bank"), "JPMorgan Chase");
    assert_eq!(first(catalog, "jpm"), "JPMorgan Chase");
}

#[test]
fn wells_finds_wells_fargo_bank() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    for query in [
        "w",
        "we",
        "wel",
        "well",
        "wells",
        "wells f",
        "wel far",
        "fargo wells",
    ] {
        assert_eq!(first(catalog, query), "Wells Fargo Bank", "{query:?}");
    }
}

#[test]
fn bank_of_am_finds_bank_of_america() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    for query in [
        "b",
        "ba",
        "ban",
        "bank o",
        "bank of",
        "bank of am",
        "bank of a",
    ] {
        assert_eq!(first(catalog, query), "Bank of America, N.A.", "{query:?}");
    }
    assert_eq!(first(catalog, "bofa"), "Bank of America, N.A.");
}

#[test]
fn navy_federal_finds_navy_federal_credit_union() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    for query in [
        "navy",
        "navy f",
        "navy federal",
        "navy fed",
        "nfcu",
        "navy fcu",
    ] {
        assert_eq!(
            first(catalog, query),
            "Navy Federal Credit Union",
            "{query:?}"
        );
    }
}

#[test]
fn usaa_finds_usaa_federal_savings_bank() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    assert_eq!(first(catalog, "usaa"), "USAA Federal Savings Bank");
    assert_eq!(first(catalog, "usaa fsb"), "USAA Federal Savings Bank");
}

#[test]
fn case_does_not_matter() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    assert_eq!(first(catalog, "jpMorgan CHASE"), "JPMorgan Chase");
    assert_eq!(first(catalog, "NAVY federal"), "Navy Federal Credit Union");
    assert_eq!(first(catalog, "bAnK oF aM"), "Bank of America, N.A.");
}

#[test]
fn a_routing_number_finds_its_institution_directly() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    assert_eq!(names(catalog, "021000021", 10), ["JPMorgan Chase"]);
    assert_eq!(names(catalog, "121000248", 10), ["Wells Fargo Bank, N.A."]);
    assert_eq!(
        names(catalog, "256074974", 10),
        ["Navy Federal Credit Union"]
    );
    assert_eq!(names(catalog, "021-000-021", 10), ["JPMorgan Chase"]);
    // A wrong check digit is no routing number.
    assert!(names(catalog, "021000022", 10).is_empty());
}

#[test]
fn a_partial_routing_number_narrows_heaviest_first() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    let found = catalog.search("0210", 10);
    assert_eq!(found.len(), 10);
    assert!(
        found
            .iter()
            .all(|r| r.routing_numbers.iter().any(|n| n.starts_with("0210")))
    );
    assert_eq!(
        found.first().map(|r| r.name.as_str()),
        Some("Bank of America, N.A.")
    );
    assert_eq!(names(catalog, "02100002", 10), ["JPMorgan Chase"]);
}

#[test]
fn abbreviations_find_expansions_and_back() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    for query in [
        "first national bank",
        "1st natl bk",
        "fnb",
        "first natl bank",
    ] {
        assert_eq!(first(catalog, query), "First National Bank", "{query:?}");
    }
    // "FCU" in the directory, "federal credit union" typed, and the other way round.
    assert_eq!(
        first(catalog, "pentagon federal credit union"),
        "Pentagon Federal Credit Union"
    );
    assert_eq!(
        first(catalog, "schoolsfirst fcu"),
        "Schoolsfirst Federal Credit Union"
    );
    assert_eq!(
        names(catalog, "arlington federal credit union", 4),
        [
            "Arlington Federal C U",
            "Arlington Community FCU",
            "Arlington Municipal F.C.U.",
            "St. Anns Arlington FCU"
        ]
    );
    assert_eq!(
        first(catalog, "saint louis community"),
        "St. Louis Community Credit Union"
    );
    assert_eq!(first(catalog, "m and t"), "M & T");
    assert_eq!(names(catalog, "m&t bank", 1), ["M & T Bank"]);
}

#[test]
fn every_result_matches_every_query_word() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    for query in ["first", "credit union", "state bank of", "farmers bank"] {
        let found = catalog.search(query, 50);
        assert_eq!(found.len(), 50, "{query:?}");
        assert!(found.iter().all(|record| !record.name.is_empty()));
    }
    assert!(catalog.search("zzzz qqqq", 10).is_empty());
}

#[test]
fn each_institution_is_found_first_by_its_full_name() {
    let Some((catalog, raw)) = fedach() else {
        return;
    };
    // Every 25th name. Other spellings of the same name ("BANK OF AMERICA N.A." and "BANK
    // OF AMERICA, NA") are exact matches too and may come first when heavier.
    for (name, raw) in catalog
        .records()
        .iter()
        .map(|r| r.name.clone())
        .zip(raw)
        .step_by(25)
    {
        let found = catalog.search(raw, 10);
        let top = found.first().map(|r| canonical(&r.name));
        assert_eq!(top, Some(canonical(raw)), "{raw:?}");
        assert!(found.iter().any(|r| r.name == name), "{raw:?}");
    }
}

#[test]
fn display_names_read_well_and_search_as_the_directory_names() {
    let Some((catalog, raw)) = fedach() else {
        return;
    };
    for (record, raw) in catalog.records().iter().zip(raw) {
        assert_eq!(normalize(&record.name), normalize(raw), "{raw:?}");
        assert!(
            !record.name.contains("  ") && record.name == record.name.trim(),
            "{raw:?}"
        );
    }
    let shown = |wanted: &str| {
        catalog
            .records()
            .iter()
            .zip(raw)
            .find(|(_, raw)| *raw == wanted)
            .map(|(r, _)| r.name.clone())
    };
    assert_eq!(shown("JPMORGAN CHASE").as_deref(), Some("JPMorgan Chase"));
    assert_eq!(
        shown("BANK OF AMERICA, N.A.").as_deref(),
        Some("Bank of America, N.A.")
    );
    assert_eq!(
        shown("USAA FEDERAL SAVINGS BANK").as_deref(),
        Some("USAA Federal Savings Bank")
    );
    assert_eq!(shown("PNC BANK, NA").as_deref(), Some("PNC Bank, N.A."));
}

#[test]
fn the_directory_file_carries_the_whole_directory() {
    let Some((catalog, _)) = fedach() else {
        return;
    };
    let text = format::encode(catalog.records()).unwrap();
    let decoded = Catalog::decode(&text).unwrap();
    assert_eq!(decoded.records(), catalog.records());
    for query in ["chase", "wel far", "0210", "1st natl bk", ""] {
        assert_eq!(
            names(&decoded, query, 20),
            names(catalog, query, 20),
            "{query:?}"
        );
    }
    // Raw text well under a byte per routing number digit: the numbers are delta coded.
    assert!(text.len() < 340_000, "{}", text.len());
}

//! The directory as the link API uses it: lookups by id and search over both sources.

use std::path::Path;

use finlink_protocol::{AuthMethod, InstitutionStatus};

use super::test_institutions::{
    DOWN_ERROR, DOWN_SCHEDULED, DOWN_UNSCHEDULED, INVALID_PAYMENT, OWNERSHIP_TEST,
    SANDBOX_CREDENTIALS, SANDBOX_OAUTH,
};
use super::{Directory, DirectoryError, SandboxBehaviour};

const FEDACH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/FedACHdir.txt"
);

/// The sandbox directory, built once for the tests that only read it.
fn sandbox() -> &'static Directory {
    static SANDBOX: std::sync::OnceLock<Directory> = std::sync::OnceLock::new();
    SANDBOX.get_or_init(Directory::sandbox)
}

/// The FedACH directory, loaded once, or why it could not be.
fn fedach() -> Result<&'static Directory, &'static str> {
    static FEDACH_DIRECTORY: std::sync::OnceLock<Result<Directory, String>> =
        std::sync::OnceLock::new();
    FEDACH_DIRECTORY
        .get_or_init(|| Directory::from_fedach_file(Path::new(FEDACH)).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(String::as_str)
}

fn names(found: Vec<&super::DirectoryInstitution>) -> Vec<&str> {
    found.into_iter().map(|i| i.name.as_str()).collect()
}

#[test]
fn the_sandbox_holds_thousands_of_institutions_the_same_on_every_start() {
    let (a, b) = (Directory::sandbox(), Directory::sandbox());
    assert!(a.len() >= 5_000, "{}", a.len());
    let ids = |d: &Directory| {
        d.institutions()
            .iter()
            .map(|i| (i.id.clone(), i.name.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn the_test_institutions_come_first_with_their_documented_behaviour() {
    let directory = sandbox();
    let expected = [
        (
            SANDBOX_OAUTH,
            "Sandbox Bank (OAuth)",
            AuthMethod::Oauth,
            InstitutionStatus::Up,
            SandboxBehaviour::Standard,
        ),
        (
            SANDBOX_CREDENTIALS,
            "Sandbox Bank (Credentials)",
            AuthMethod::Credentials,
            InstitutionStatus::Up,
            SandboxBehaviour::Standard,
        ),
        (
            OWNERSHIP_TEST,
            "Ownership Test Bank",
            AuthMethod::Credentials,
            InstitutionStatus::Up,
            SandboxBehaviour::OwnershipTest,
        ),
        (
            INVALID_PAYMENT,
            "Invalid Payment Accounts",
            AuthMethod::Credentials,
            InstitutionStatus::Up,
            SandboxBehaviour::InvalidPayment,
        ),
        (
            DOWN_SCHEDULED,
            "Down Bank (Scheduled)",
            AuthMethod::Credentials,
            InstitutionStatus::DownScheduled,
            SandboxBehaviour::Standard,
        ),
        (
            DOWN_UNSCHEDULED,
            "Down Bank (Unscheduled)",
            AuthMethod::Credentials,
            InstitutionStatus::DownUnscheduled,
            SandboxBehaviour::Standard,
        ),
        (
            DOWN_ERROR,
            "Down Bank (Error)",
            AuthMethod::Credentials,
            InstitutionStatus::Up,
            SandboxBehaviour::Erroring,
        ),
    ];
    for (position, (id, name, auth_method, status, behaviour)) in expected.into_iter().enumerate() {
        let institution = directory.get(id).unwrap();
        assert_eq!(directory.institutions()[position].id, id);
        assert_eq!(
            (
                institution.name.as_str(),
                institution.auth_method,
                institution.status,
                institution.behaviour
            ),
            (name, auth_method, status, behaviour)
        );
    }
}

#[test]
fn an_unknown_id_is_not_found() {
    assert!(sandbox().get("ins_nope").is_none());
}

#[test]
fn a_blank_query_shows_the_sandbox_banks_then_well_known_names() {
    let directory = sandbox();
    let featured = names(directory.search("  ", 5));
    assert_eq!(
        featured,
        [
            "Sandbox Bank (OAuth)",
            "Sandbox Bank (Credentials)",
            "Chase",
            "Bank of America",
            "Wells Fargo"
        ]
    );
    assert_eq!(directory.search("", 100).len(), 10);
}

#[test]
fn search_finds_by_word_prefixes() {
    let directory = sandbox();
    assert_eq!(
        names(directory.search("wel far", 3)).first(),
        Some(&"Wells Fargo")
    );
    assert_eq!(
        names(directory.search("sandbox", 10)),
        ["Sandbox Bank (OAuth)", "Sandbox Bank (Credentials)"]
    );
    let down = names(directory.search("down bank", 10));
    assert_eq!(
        down,
        [
            "Down Bank (Scheduled)",
            "Down Bank (Unscheduled)",
            "Down Bank (Error)"
        ]
    );
}

#[test]
fn search_finds_by_routing_number() {
    let directory = sandbox();
    assert_eq!(
        names(directory.search("110000000", 5)).first(),
        Some(&"Sandbox Bank (OAuth)")
    );
    let some = &directory.institutions()[100];
    let found = directory.search(&some.routing_numbers[0], 5);
    assert_eq!(found.first().map(|i| i.id.as_str()), Some(some.id.as_str()));
}

#[test]
fn search_returns_at_most_limit_every_one_matching() {
    let directory = sandbox();
    let found = directory.search("credit union", 20);
    assert_eq!(found.len(), 20);
    assert!(found.iter().all(|i| i.name.contains("Credit Union")));
}

#[test]
fn to_protocol_keeps_what_the_widget_shows() {
    let directory = sandbox();
    let institution = directory.get(SANDBOX_OAUTH).unwrap().to_protocol();
    assert_eq!(institution.id, SANDBOX_OAUTH);
    assert_eq!(institution.name, "Sandbox Bank (OAuth)");
    assert_eq!(institution.routing_numbers, ["110000000"]);
    assert_eq!(institution.auth_method, AuthMethod::Oauth);
    assert!(institution.featured);
    assert_eq!(institution.country, "US");
}

#[test]
fn from_institutions_refuses_duplicate_ids() {
    let mut list = sandbox().institutions()[..3].to_vec();
    assert_eq!(Directory::from_institutions(list.clone()).unwrap().len(), 3);
    list.push(list[0].clone());
    assert!(
        matches!(Directory::from_institutions(list), Err(DirectoryError::DuplicateId { id }) if id == SANDBOX_OAUTH)
    );
}

#[test]
fn the_fedach_directory_has_one_institution_per_name_after_the_test_ones() {
    let directory = fedach().unwrap();
    assert_eq!(directory.len(), 10_835 + 7);
    assert_eq!(directory.institutions()[0].id, SANDBOX_OAUTH);
    let reserve = directory.get("ins_011000015").unwrap();
    assert_eq!(reserve.name, "Federal Reserve Bank");
    assert!(reserve.routing_numbers.len() > 1);
    let found = names(directory.search("bank of america", 3));
    assert!(
        found.iter().all(|name| name.starts_with("Bank of America")),
        "{found:?}"
    );
    let by_number = directory.search("011000138", 1);
    assert_eq!(names(by_number), ["Bank of America, N.A."]);
    let featured = names(directory.search("", 3));
    assert_eq!(
        featured[..2],
        ["Sandbox Bank (OAuth)", "Sandbox Bank (Credentials)"]
    );
}

#[test]
fn a_missing_fedach_file_names_its_path() {
    let path = Path::new("/nonexistent/FedACHdir.txt");
    match Directory::from_fedach_file(path) {
        Err(DirectoryError::Io { path: reported, .. }) => assert_eq!(reported, path),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_malformed_fedach_text_is_an_error() {
    assert!(matches!(
        Directory::from_fedach_str("short\r\n"),
        Err(DirectoryError::LineTooShort { line: 1, .. })
    ));
}

/// The directory the ranking tests run on: FedACH when the file is there, else the generated
/// sandbox directory (and the tests say so); loaded once.
fn ranking_directory() -> (&'static Directory, bool) {
    match fedach() {
        Ok(directory) => (directory, true),
        Err(error) => {
            eprintln!("{error}: ranking tests use the generated sandbox directory instead");
            (sandbox(), false)
        }
    }
}

#[test]
fn what_a_person_types_finds_the_institution_they_mean_first() {
    let (directory, from_fedach) = ranking_directory();
    // (query, meant in the FedACH directory, meant in the sandbox directory)
    let cases = [
        ("chase", "JPMorgan Chase", "Chase"),
        ("wells", "Wells Fargo Bank", "Wells Fargo"),
        ("bank of am", "Bank of America, N.A.", "Bank of America"),
        (
            "navy federal",
            "Navy Federal Credit Union",
            "Navy Federal Credit Union",
        ),
        ("cHaSe", "JPMorgan Chase", "Chase"),
        ("bAnK oF aM", "Bank of America, N.A.", "Bank of America"),
        (
            "NAVY FED",
            "Navy Federal Credit Union",
            "Navy Federal Credit Union",
        ),
        ("bofa", "Bank of America, N.A.", "Bank of America"),
        ("citi", "Citibank N.A.", "Citibank"),
        (
            "nfcu",
            "Navy Federal Credit Union",
            "Navy Federal Credit Union",
        ),
        ("wel far", "Wells Fargo Bank", "Wells Fargo"),
    ];
    for (query, in_fedach, in_sandbox) in cases {
        let meant = if from_fedach { in_fedach } else { in_sandbox };
        assert_eq!(
            names(directory.search(query, 5)).first(),
            Some(&meant),
            "{query:?}"
        );
    }
}

#[test]
fn a_routing_number_finds_its_institution_first() {
    let (directory, _) = ranking_directory();
    for query in ["chase", "navy federal", "bank of am"] {
        let meant = directory.search(query, 1)[0];
        for number in &meant.routing_numbers {
            let found = directory.search(number, 5);
            assert_eq!(found.first().map(|i| &i.id), Some(&meant.id), "{number}");
        }
    }
}

#[test]
fn the_well_known_institutions_are_featured_after_the_sandbox_banks() {
    let (directory, from_fedach) = ranking_directory();
    let featured = names(directory.search("", 20));
    let expected: &[&str] = if from_fedach {
        &[
            "Sandbox Bank (OAuth)",
            "Sandbox Bank (Credentials)",
            "JPMorgan Chase",
            "Bank of America, N.A.",
            "Wells Fargo Bank",
            "Citibank N.A.",
            "Capital One, N.A.",
            "US Bank N.A.",
            "PNC Bank, N.A.",
            "Navy Federal Credit Union",
        ]
    } else {
        &[
            "Sandbox Bank (OAuth)",
            "Sandbox Bank (Credentials)",
            "Chase",
            "Bank of America",
            "Wells Fargo",
            "Citibank",
            "Capital One",
            "U.S. Bank",
            "PNC Bank",
            "Navy Federal Credit Union",
        ]
    };
    assert_eq!(featured, expected);
}

#[test]
fn the_sandbox_well_known_banks_carry_their_aliases() {
    let directory = sandbox();
    assert_eq!(names(directory.search("bofa", 1)), ["Bank of America"]);
    assert_eq!(names(directory.search("jp morgan", 1)), ["Chase"]);
    assert_eq!(
        directory.get(SANDBOX_OAUTH).map(|i| i.aliases.len()),
        Some(0)
    );
}

#[test]
fn the_directory_file_carries_every_institution_as_the_index_sees_it() {
    let directory = sandbox();
    let file = directory.file().unwrap();
    let text = std::str::from_utf8(&file.identity).unwrap();
    let catalog = finlink_search::Catalog::decode(text).unwrap();
    assert_eq!(catalog.records().len(), directory.len());
    for (record, institution) in catalog.records().iter().zip(directory.institutions()) {
        assert_eq!(record, &institution.to_record());
    }
    for query in ["", "chase", "bank", "credit union", "110000", "sandbox"] {
        let served: Vec<&str> = directory
            .search(query, 10)
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        let local: Vec<&str> = catalog
            .search(query, 10)
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(served, local, "{query:?}");
    }
}

//! The FedACH participant directory format (fixed width, 1-based columns, CRLF), as the
//! Federal Reserve publishes it: one line per routing number. See `shared/data/README.md`.
//!
//! Each distinct customer name becomes one institution holding all its routing numbers, in
//! file order, shown by its display name ("JPMORGAN CHASE BANK, NA" as "JPMorgan Chase Bank,
//! N.A."). Every line is checked; a malformed one is an error naming it, never skipped.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use finlink_protocol::{AuthMethod, InstitutionStatus};

use super::{DirectoryError, DirectoryInstitution, SandboxBehaviour, routing};

/// Columns 1-9: the routing number.
const ROUTING_NUMBER: std::ops::Range<usize> = 0..9;
/// Column 20: the record type code.
const RECORD_TYPE: usize = 19;
/// Columns 36-71: the customer name, space padded.
const CUSTOMER_NAME: std::ops::Range<usize> = 35..71;
/// A full line: 155 columns.
const FULL_LENGTH: usize = 155;
/// A line without its trailing filler (columns 151-155), which editors may trim.
const MIN_LENGTH: usize = 150;
/// How many institutions are featured: those with the most routing numbers, a stand-in for
/// size until operators can curate the list.
const FEATURED: usize = 8;

/// The institutions of a FedACH file, in order of first appearance.
pub(super) fn parse(bytes: &[u8]) -> Result<Vec<DirectoryInstitution>, DirectoryError> {
    let lines = content_lines(bytes);
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let mut group_of_name: HashMap<String, usize> = HashMap::new();
    let mut line_of_number: HashMap<String, usize> = HashMap::new();
    for (line, text) in (1..).zip(lines) {
        let record = Record::parse(line, text)?;
        match line_of_number.entry(record.routing_number.clone()) {
            Entry::Occupied(first) => {
                return Err(DirectoryError::DuplicateRoutingNumber {
                    line,
                    routing_number: record.routing_number,
                    first_line: *first.get(),
                });
            }
            Entry::Vacant(slot) => {
                slot.insert(line);
            }
        }
        match group_of_name
            .get(&record.name)
            .and_then(|&i| groups.get_mut(i))
        {
            Some((_, numbers)) => numbers.push(record.routing_number),
            None => {
                group_of_name.insert(record.name.clone(), groups.len());
                groups.push((record.name, vec![record.routing_number]));
            }
        }
    }
    if groups.is_empty() {
        return Err(DirectoryError::NoInstitutions);
    }
    let featured = largest(&groups, FEATURED);
    Ok(groups
        .into_iter()
        .enumerate()
        .map(|(position, (name, routing_numbers))| DirectoryInstitution {
            id: format!("ins_{}", routing_numbers.first().map_or("", String::as_str)),
            name: finlink_search::display_name(&name),
            url: None,
            weight: u32::try_from(routing_numbers.len()).unwrap_or(u32::MAX),
            routing_numbers,
            auth_method: if position.is_multiple_of(2) {
                AuthMethod::Oauth
            } else {
                AuthMethod::Credentials
            },
            status: InstitutionStatus::Up,
            featured: featured.contains(&position),
            country: "US".to_owned(),
            aliases: Vec::new(),
            behaviour: SandboxBehaviour::Standard,
        })
        .collect())
}

/// The lines up to the last non-blank one, without line endings: blank lines at the end are
/// the usual trailing newline (or several), not missing records.
fn content_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .collect();
    while lines.last().is_some_and(|line| is_blank(line)) {
        lines.pop();
    }
    lines
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Positions of the `count` groups with the most routing numbers (earlier first on ties).
fn largest(groups: &[(String, Vec<String>)], count: usize) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..groups.len()).collect();
    positions.sort_by_key(|&i| {
        (
            std::cmp::Reverse(groups.get(i).map_or(0, |(_, n)| n.len())),
            i,
        )
    });
    positions.truncate(count);
    positions
}

/// The fields of one line that the directory uses.
struct Record {
    routing_number: String,
    name: String,
}

impl Record {
    fn parse(line: usize, text: &[u8]) -> Result<Record, DirectoryError> {
        if is_blank(text) {
            return Err(DirectoryError::BlankLine { line });
        }
        // Columns are bytes: a multi-byte character would shift every later field.
        if let Some(index) = text.iter().position(|b| !b.is_ascii()) {
            return Err(DirectoryError::NotAscii {
                line,
                column: index + 1,
            });
        }
        let length = text.len();
        if length < MIN_LENGTH {
            return Err(DirectoryError::LineTooShort {
                line,
                length,
                min: MIN_LENGTH,
                max: FULL_LENGTH,
            });
        }
        if length > FULL_LENGTH {
            return Err(DirectoryError::LineTooLong {
                line,
                length,
                min: MIN_LENGTH,
                max: FULL_LENGTH,
            });
        }
        let routing_number = ascii(text.get(ROUTING_NUMBER).unwrap_or_default());
        if !routing::is_valid(&routing_number) {
            return Err(DirectoryError::BadRoutingNumber {
                line,
                routing_number,
            });
        }
        let code = text.get(RECORD_TYPE).map_or(' ', |&b| char::from(b));
        if !matches!(code, '0' | '1' | '2') {
            return Err(DirectoryError::BadRecordType { line, code });
        }
        let name = ascii(text.get(CUSTOMER_NAME).unwrap_or_default())
            .trim()
            .to_owned();
        if name.is_empty() {
            return Err(DirectoryError::MissingName { line });
        }
        Ok(Record {
            routing_number,
            name,
        })
    }
}

/// Text of bytes already checked to be ASCII.
fn ascii(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use finlink_protocol::AuthMethod;

    use super::super::DirectoryError;
    use super::parse;

    /// A well-formed 155-column line.
    fn line(routing_number: &str, record_type: char, name: &str) -> String {
        let text = format!(
            "{routing_number:9}O011000015{record_type}122415000000000{name:36}{:36}{:20}{:2}{:5}{:4}{:10}11{:5}",
            "1 MAIN ST", "BOSTON", "MA", "02110", "0000", "6175551234", ""
        );
        assert_eq!(text.len(), 155);
        text
    }

    fn file(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\r\n")).collect()
    }

    fn error(text: &str) -> DirectoryError {
        match parse(text.as_bytes()) {
            Ok(list) => panic!("expected an error, got {} institutions", list.len()),
            Err(error) => error,
        }
    }

    #[test]
    fn one_institution_per_distinct_name_with_all_its_routing_numbers() {
        let text = file(&[
            line("011000015", '0', "FEDERAL RESERVE BANK"),
            line("011000028", '1', "STATE STREET BANK"),
            line("011000138", '1', "BANK OF AMERICA, N.A."),
            line("011000206", '2', "STATE STREET BANK"),
        ]);
        let list = parse(text.as_bytes()).unwrap();
        let summary: Vec<(&str, &str, Vec<&str>)> = list
            .iter()
            .map(|i| {
                (
                    i.id.as_str(),
                    i.name.as_str(),
                    i.routing_numbers.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("ins_011000015", "Federal Reserve Bank", vec!["011000015"]),
                (
                    "ins_011000028",
                    "State Street Bank",
                    vec!["011000028", "011000206"]
                ),
                ("ins_011000138", "Bank of America, N.A.", vec!["011000138"]),
            ]
        );
        let logins: Vec<AuthMethod> = list.iter().map(|i| i.auth_method).collect();
        assert_eq!(
            logins,
            [
                AuthMethod::Oauth,
                AuthMethod::Credentials,
                AuthMethod::Oauth
            ]
        );
        assert_eq!(list[1].weight, 2);
    }

    #[test]
    fn lf_endings_trimmed_filler_and_trailing_blank_lines_are_accepted() {
        let mut text = line("011000015", '1', "A BANK").trim_end().to_owned();
        text.push('\n');
        text.push_str(&line("011000028", '1', "B BANK"));
        text.push_str("\r\n\r\n  \n");
        assert_eq!(parse(text.as_bytes()).unwrap().len(), 2);
    }

    #[test]
    fn a_blank_line_inside_is_an_error() {
        let text = format!(
            "{}\r\n\r\n{}\r\n",
            line("011000015", '1', "A"),
            line("011000028", '1', "B")
        );
        assert!(matches!(
            error(&text),
            DirectoryError::BlankLine { line: 2 }
        ));
    }

    #[test]
    fn a_short_line_is_an_error() {
        let text = file(&[
            line("011000015", '1', "A"),
            "011000028O0110000151".to_owned(),
        ]);
        assert!(matches!(
            error(&text),
            DirectoryError::LineTooShort {
                line: 2,
                length: 20,
                ..
            }
        ));
    }

    #[test]
    fn a_long_line_is_an_error() {
        let text = file(&[format!("{}X", line("011000015", '1', "A"))]);
        assert!(matches!(
            error(&text),
            DirectoryError::LineTooLong {
                line: 1,
                length: 156,
                ..
            }
        ));
    }

    #[test]
    fn a_bad_check_digit_is_an_error() {
        let text = file(&[line("011000015", '1', "A"), line("011000016", '1', "B")]);
        match error(&text) {
            DirectoryError::BadRoutingNumber {
                line,
                routing_number,
            } => {
                assert_eq!((line, routing_number.as_str()), (2, "011000016"));
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn letters_in_the_routing_number_are_an_error() {
        let text = file(&[line("01100001X", '1', "A")]);
        assert!(matches!(
            error(&text),
            DirectoryError::BadRoutingNumber { line: 1, .. }
        ));
    }

    #[test]
    fn an_unknown_record_type_is_an_error() {
        let text = file(&[line("011000015", '7', "A")]);
        assert!(matches!(
            error(&text),
            DirectoryError::BadRecordType { line: 1, code: '7' }
        ));
    }

    #[test]
    fn a_blank_name_is_an_error() {
        let text = file(&[line("011000015", '1', "")]);
        assert!(matches!(
            error(&text),
            DirectoryError::MissingName { line: 1 }
        ));
    }

    #[test]
    fn a_repeated_routing_number_is_an_error() {
        let text = file(&[
            line("011000015", '1', "A"),
            line("011000028", '1', "B"),
            line("011000015", '1', "C"),
        ]);
        assert!(matches!(
            error(&text),
            DirectoryError::DuplicateRoutingNumber {
                line: 3,
                first_line: 1,
                ..
            }
        ));
    }

    #[test]
    fn non_ascii_is_an_error_with_its_column() {
        let text = file(&[line("011000015", '1', "CRXDIT BANK").replacen('X', "É", 1)]);
        assert!(matches!(
            error(&text),
            DirectoryError::NotAscii {
                line: 1,
                column: 38
            }
        ));
    }

    #[test]
    fn an_empty_file_holds_no_institutions() {
        assert!(matches!(error(""), DirectoryError::NoInstitutions));
        assert!(matches!(error("\r\n\r\n"), DirectoryError::NoInstitutions));
    }

    #[test]
    fn the_names_with_most_routing_numbers_are_featured_and_weigh_more() {
        // "BANK k" has k + 1 routing numbers, for k in 0..10.
        let mut lines = Vec::new();
        let mut next = 1_100_000;
        for k in 0..10 {
            for _ in 0..=k {
                lines.push(line(
                    &super::routing::with_check_digit(next),
                    '1',
                    &format!("BANK {k}"),
                ));
                next += 1;
            }
        }
        let list = parse(file(&lines).as_bytes()).unwrap();
        let featured: Vec<&str> = list
            .iter()
            .filter(|i| i.featured)
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(
            featured,
            [
                "Bank 2", "Bank 3", "Bank 4", "Bank 5", "Bank 6", "Bank 7", "Bank 8", "Bank 9"
            ]
        );
        let weights: Vec<u32> = list.iter().map(|i| i.weight).collect();
        assert_eq!(weights, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
}

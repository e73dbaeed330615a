//! The directory file: every institution the widget can search, in one compact text file
//! that the server encodes once and the widget decodes once, both with this module.
//!
//! # Format, version 1
//!
//! UTF-8 text, lines ending in `\n`. The first line is the header, then one line per
//! institution, in directory order (an institution's position is its line number minus 2):
//!
//! ```text
//! finlink-directory 1 <count>
//! <name> TAB <routing numbers> TAB <flags> TAB <weight> TAB <aliases> TAB <id> TAB <country> TAB <url>
//! ```
//!
//! Fields may be empty, and empty fields at the end of a line are left out, so that most
//! lines are a name and routing numbers:
//!
//! | field | empty means | content |
//! | --- | --- | --- |
//! | name | (never empty) | the display name, tabs and line breaks replaced by spaces |
//! | routing numbers | none | space-separated tokens, see below |
//! | flags | OAuth, up, not featured | letters: `c` logs in with credentials, `f` featured, `s` down (scheduled), `u` down (unscheduled) |
//! | weight | 1 | popularity, a decimal `u32` |
//! | aliases | none | `,`-separated aliases, [normalized](crate::normalize) |
//! | id | `ins_` + the first routing number | the institution's id |
//! | country | `US` | ISO 3166-1 alpha-2 code |
//! | url | none | the institution's website |
//!
//! Routing numbers take most of the bytes, so they are delta coded: a valid ABA routing
//! number is written as the signed decimal difference between its first eight digits and
//! those of the number before it (the check digit is recomputed). "Before it" is the previous
//! number of the same line, or, for a line's first number, the first number of the nearest
//! line above that has one (0 at the top). A directory sorted by routing number, as FedACH is,
//! thus has small differences. A number that is not a valid ABA number is written literally
//! after `=` (`=12345`) and takes no part in the differences.
//!
//! A file is decoded whole or not at all: any malformed line is an error naming it.

use std::fmt;

use crate::index::IndexEntry;
use crate::routing;

/// The first word of the header line.
pub const MAGIC: &str = "finlink-directory";
/// The version this module writes and reads.
pub const VERSION: u32 = 1;
/// The media type the server sends the file with.
pub const MEDIA_TYPE: &str = "text/plain; charset=utf-8";

/// How a person logs in at an institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Login {
    /// At the bank's own page (OAuth 2.0).
    #[default]
    Oauth,
    /// With a username and password typed into finlink's page.
    Credentials,
}

/// Whether an institution can be linked right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Status {
    #[default]
    Up,
    /// Planned maintenance.
    DownScheduled,
    /// An outage.
    DownUnscheduled,
}

/// One institution of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    /// The display name.
    pub name: String,
    /// ABA routing numbers.
    pub routing_numbers: Vec<String>,
    pub login: Login,
    pub status: Status,
    pub featured: bool,
    /// Popularity: among equally good matches, heavier institutions come first.
    pub weight: u32,
    /// Other names people search it by ("bofa"); normalized in the file.
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    pub url: Option<String>,
}

impl Record {
    /// What the search index needs of the record.
    pub fn index_entry(&self) -> IndexEntry<'_> {
        IndexEntry {
            name: &self.name,
            routing_numbers: &self.routing_numbers,
            aliases: &self.aliases,
            weight: self.weight,
            featured: self.featured,
        }
    }
}

const DEFAULT_WEIGHT: u32 = 1;
const DEFAULT_COUNTRY: &str = "US";
const ID_PREFIX: &str = "ins_";

/// Why a directory could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The first line is not `finlink-directory <version> <count>` of a known version.
    Header { found: String },
    /// The header announced `expected` institutions; the file holds `found`.
    Count { expected: usize, found: usize },
    /// A line (counting from 1, the header being line 1) is malformed.
    Line { line: usize, reason: String },
    /// A record cannot be written: an id, country, url or routing number holds a tab or a
    /// line break, or the id is empty.
    Unencodable { id: String, reason: &'static str },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Header { found } => write!(
                f,
                "not a directory file of version {VERSION}: the first line is {found:?}"
            ),
            FormatError::Count { expected, found } => write!(
                f,
                "the header announces {expected} institutions, the file holds {found}"
            ),
            FormatError::Line { line, reason } => write!(f, "line {line}: {reason}"),
            FormatError::Unencodable { id, reason } => {
                write!(f, "institution {id:?} cannot be written: {reason}")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// The directory file of `records`, in their order.
pub fn encode(records: &[Record]) -> Result<String, FormatError> {
    let mut out = String::with_capacity(records.len() * 40 + 32);
    out.push_str(&format!("{MAGIC} {VERSION} {}\n", records.len()));
    let mut previous_first: u32 = 0;
    let mut fields: Vec<String> = Vec::with_capacity(8);
    for record in records {
        fields.clear();
        fields.push(one_line(&record.name));
        fields.push(encode_routing_numbers(record, &mut previous_first)?);
        let mut flags = String::new();
        if record.login == Login::Credentials {
            flags.push('c');
        }
        if record.featured {
            flags.push('f');
        }
        match record.status {
            Status::Up => {}
            Status::DownScheduled => flags.push('s'),
            Status::DownUnscheduled => flags.push('u'),
        }
        fields.push(flags);
        fields.push(if record.weight == DEFAULT_WEIGHT {
            String::new()
        } else {
            record.weight.to_string()
        });
        let aliases: Vec<String> = record
            .aliases
            .iter()
            .map(|alias| crate::normalize(alias))
            .filter(|alias| !alias.is_empty())
            .collect();
        fields.push(aliases.join(","));
        let implied_id = record
            .routing_numbers
            .first()
            .map(|first| format!("{ID_PREFIX}{first}"));
        if record.id.is_empty() {
            return Err(unencodable(record, "its id is empty"));
        }
        fields.push(if implied_id.as_deref() == Some(record.id.as_str()) {
            String::new()
        } else {
            field(record, &record.id, "its id")?
        });
        fields.push(if record.country == DEFAULT_COUNTRY {
            String::new()
        } else {
            field(record, &record.country, "its country")?
        });
        fields.push(match &record.url {
            Some(url) => field(record, url, "its url")?,
            None => String::new(),
        });
        while fields.len() > 1 && fields.last().is_some_and(String::is_empty) {
            fields.pop();
        }
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    Ok(out)
}

/// The records of a directory file, in file order.
pub fn decode(text: &str) -> Result<Vec<Record>, FormatError> {
    let mut lines = text.split('\n');
    let header = lines.next().unwrap_or_default();
    let expected = parse_header(header).ok_or_else(|| FormatError::Header {
        found: header.chars().take(80).collect(),
    })?;
    let mut records = Vec::with_capacity(expected.min(1 << 20));
    let mut previous_first: u32 = 0;
    for (line, text) in (2..).zip(lines) {
        if text.is_empty() && records.len() == expected {
            continue;
        }
        if records.len() == expected {
            return Err(FormatError::Count {
                expected,
                found: records.len() + 1,
            });
        }
        let record = decode_record(text, &mut previous_first)
            .map_err(|reason| FormatError::Line { line, reason })?;
        records.push(record);
    }
    if records.len() != expected {
        return Err(FormatError::Count {
            expected,
            found: records.len(),
        });
    }
    Ok(records)
}

fn parse_header(header: &str) -> Option<usize> {
    let mut words = header.split(' ');
    if words.next()? != MAGIC || words.next()?.parse::<u32>().ok()? != VERSION {
        return None;
    }
    let count = words.next()?.parse().ok()?;
    words.next().is_none().then_some(count)
}

fn decode_record(line: &str, previous_first: &mut u32) -> Result<Record, String> {
    let mut fields = line.split('\t');
    let name = fields.next().unwrap_or_default();
    if name.trim().is_empty() {
        return Err("the name is empty".to_owned());
    }
    let routing_numbers =
        decode_routing_numbers(fields.next().unwrap_or_default(), previous_first)?;
    let mut record = Record {
        id: String::new(),
        name: name.to_owned(),
        routing_numbers,
        login: Login::Oauth,
        status: Status::Up,
        featured: false,
        weight: DEFAULT_WEIGHT,
        aliases: Vec::new(),
        country: DEFAULT_COUNTRY.to_owned(),
        url: None,
    };
    for flag in fields.next().unwrap_or_default().chars() {
        match flag {
            'c' => record.login = Login::Credentials,
            'f' => record.featured = true,
            's' => record.status = Status::DownScheduled,
            'u' => record.status = Status::DownUnscheduled,
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    let weight = fields.next().unwrap_or_default();
    if !weight.is_empty() {
        record.weight = weight
            .parse()
            .map_err(|_| format!("the weight {weight:?} is not a number"))?;
    }
    record.aliases = fields
        .next()
        .unwrap_or_default()
        .split(',')
        .filter(|alias| !alias.is_empty())
        .map(str::to_owned)
        .collect();
    record.id = match fields.next().filter(|id| !id.is_empty()) {
        Some(id) => id.to_owned(),
        None => match record.routing_numbers.first() {
            Some(first) => format!("{ID_PREFIX}{first}"),
            None => return Err("no id and no routing number to make one of".to_owned()),
        },
    };
    if let Some(country) = fields.next().filter(|country| !country.is_empty()) {
        country.clone_into(&mut record.country);
    }
    record.url = fields
        .next()
        .filter(|url| !url.is_empty())
        .map(str::to_owned);
    if fields.next().is_some() {
        return Err("more than 8 fields".to_owned());
    }
    Ok(record)
}

fn encode_routing_numbers(
    record: &Record,
    previous_first: &mut u32,
) -> Result<String, FormatError> {
    let mut out = String::new();
    let mut previous: Option<u32> = None;
    for number in &record.routing_numbers {
        if !out.is_empty() {
            out.push(' ');
        }
        if routing::is_valid(number) {
            let body: u32 = number
                .get(..8)
                .and_then(|digits| digits.parse().ok())
                .unwrap_or_default();
            let base = previous.unwrap_or(*previous_first);
            out.push_str(&(i64::from(body) - i64::from(base)).to_string());
            if previous.is_none() {
                *previous_first = body;
            }
            previous = Some(body);
        } else {
            if number.is_empty() || number.contains(char::is_whitespace) {
                return Err(unencodable(
                    record,
                    "a routing number is empty or holds spaces",
                ));
            }
            out.push('=');
            out.push_str(number);
        }
    }
    Ok(out)
}

fn decode_routing_numbers(field: &str, previous_first: &mut u32) -> Result<Vec<String>, String> {
    let mut numbers = Vec::new();
    let mut previous: Option<u32> = None;
    for token in field.split(' ').filter(|token| !token.is_empty()) {
        if let Some(literal) = token.strip_prefix('=') {
            numbers.push(literal.to_owned());
            continue;
        }
        let delta: i64 = token
            .parse()
            .map_err(|_| format!("the routing number token {token:?} is not a number"))?;
        let body = i64::from(previous.unwrap_or(*previous_first)) + delta;
        let body = u32::try_from(body)
            .ok()
            .filter(|body| *body < 100_000_000)
            .ok_or_else(|| format!("the routing number token {token:?} is out of range"))?;
        numbers.push(routing::with_check_digit(body));
        if previous.is_none() {
            *previous_first = body;
        }
        previous = Some(body);
    }
    Ok(numbers)
}

/// Text on one line of one field: tabs and line breaks become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// A field that must be written exactly as it is.
fn field(record: &Record, text: &str, what: &'static str) -> Result<String, FormatError> {
    if text.contains(['\t', '\n', '\r']) {
        return Err(unencodable(
            record,
            match what {
                "its id" => "its id holds a tab or a line break",
                "its country" => "its country holds a tab or a line break",
                _ => "its url holds a tab or a line break",
            },
        ));
    }
    Ok(text.to_owned())
}

fn unencodable(record: &Record, reason: &'static str) -> FormatError {
    FormatError::Unencodable {
        id: record.id.clone(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::{FormatError, Login, Record, Status, decode, encode};

    fn record(id: &str, name: &str, routing_numbers: &[&str]) -> Record {
        Record {
            id: id.to_owned(),
            name: name.to_owned(),
            routing_numbers: routing_numbers.iter().map(|n| (*n).to_owned()).collect(),
            login: Login::Oauth,
            status: Status::Up,
            featured: false,
            weight: 1,
            aliases: Vec::new(),
            country: "US".to_owned(),
            url: None,
        }
    }

    fn sample() -> Vec<Record> {
        let mut sandbox = record("ins_sandbox_oauth", "Sandbox Bank (OAuth)", &["110000000"]);
        sandbox.featured = true;
        sandbox.weight = 1_000_000;
        let mut down = record(
            "ins_down_scheduled",
            "Down Bank (Scheduled)",
            &["110000042"],
        );
        down.login = Login::Credentials;
        down.status = Status::DownScheduled;
        let mut outage = record("ins_down_unscheduled", "Down Bank (Unscheduled)", &[]);
        outage.status = Status::DownUnscheduled;
        let mut reserve = record(
            "ins_011000015",
            "Federal Reserve Bank",
            &["011000015", "011000028", "011001234"],
        );
        reserve.weight = 3;
        let mut america = record("ins_011000138", "Bank of America, N.A.", &["011000138"]);
        america.aliases = vec!["BofA".to_owned(), "Bank of America".to_owned()];
        america.url = Some("https://www.bankofamerica.com".to_owned());
        let mut abroad = record("ins_foreign", "Banco Crédito", &["12345"]);
        abroad.country = "MX".to_owned();
        vec![sandbox, down, outage, reserve, america, abroad]
    }

    #[test]
    fn decoding_gives_back_what_was_encoded() {
        let records = sample();
        let text = encode(&records).unwrap();
        let mut expected = records.clone();
        expected[4].aliases = vec!["bofa".to_owned(), "bank of america".to_owned()];
        assert_eq!(decode(&text).unwrap(), expected);
    }

    #[test]
    fn lines_are_short_when_fields_take_their_defaults() {
        let text = encode(&sample()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "finlink-directory 1 6",
                "Sandbox Bank (OAuth)\t11000000\tf\t1000000\t\tins_sandbox_oauth",
                "Down Bank (Scheduled)\t4\tcs\t\t\tins_down_scheduled",
                "Down Bank (Unscheduled)\t\tu\t\t\tins_down_unscheduled",
                "Federal Reserve Bank\t-9900003 1 121\t\t3",
                "Bank of America, N.A.\t12\t\t\tbofa,bank of america\t\t\thttps://www.bankofamerica.com",
                "Banco Crédito\t=12345\t\t\t\tins_foreign\tMX",
            ]
        );
    }

    #[test]
    fn the_documented_example_is_what_the_encoder_writes() {
        let mut sandbox = record("ins_sandbox_oauth", "Sandbox Bank (OAuth)", &["110000000"]);
        sandbox.featured = true;
        sandbox.weight = 1_000_000;
        let mut reserve = record(
            "ins_011000015",
            "Federal Reserve Bank",
            &["011000015", "011000028"],
        );
        reserve.weight = 2;
        let mut chase = record("ins_021000021", "JPMorgan Chase", &["021000021"]);
        chase.login = Login::Credentials;
        chase.featured = true;
        chase.weight = 10_000;
        chase.aliases = ["chase", "chase bank", "jp morgan", "jpm"]
            .map(String::from)
            .to_vec();
        let documented = include_str!("../../docs/institution-search.md");
        let example = documented
            .split("```\n")
            .find(|block| block.starts_with("finlink-directory 1 3"))
            .unwrap();
        assert_eq!(encode(&[sandbox, reserve, chase]).unwrap(), example);
    }

    #[test]
    fn tabs_and_line_breaks_in_names_become_spaces() {
        let records = [record("ins_1", "Tab\tNew\nLine", &[])];
        let decoded = decode(&encode(&records).unwrap()).unwrap();
        assert_eq!(decoded[0].name, "Tab New Line");
    }

    #[test]
    fn an_id_that_cannot_be_written_is_an_error() {
        let records = [record("ins\t1", "A Bank", &[])];
        assert!(matches!(
            encode(&records),
            Err(FormatError::Unencodable { .. })
        ));
        let records = [record("", "A Bank", &[])];
        assert!(matches!(
            encode(&records),
            Err(FormatError::Unencodable { .. })
        ));
    }

    #[test]
    fn an_empty_directory_is_a_header() {
        assert_eq!(encode(&[]).unwrap(), "finlink-directory 1 0\n");
        assert_eq!(decode("finlink-directory 1 0\n").unwrap(), []);
    }

    #[test]
    fn another_format_or_version_is_refused() {
        for header in [
            "",
            "hello",
            "finlink-directory 2 0",
            "finlink-directory 1",
            "finlink-directory 1 x",
        ] {
            assert!(
                matches!(decode(header), Err(FormatError::Header { .. })),
                "{header:?}"
            );
        }
    }

    #[test]
    fn a_truncated_or_overlong_file_is_refused() {
        let text = encode(&sample()).unwrap();
        let cut = text.lines().take(4).collect::<Vec<_>>().join("\n");
        assert_eq!(
            decode(&cut),
            Err(FormatError::Count {
                expected: 6,
                found: 3
            })
        );
        let long = format!("{text}Extra Bank\t1\n");
        assert!(matches!(decode(&long), Err(FormatError::Count { .. })));
    }

    #[test]
    fn malformed_lines_are_refused_with_their_number() {
        let cases = [
            ("\t1", 2),
            ("A Bank\tx", 2),
            ("A Bank\t1\tz", 2),
            ("A Bank\t1\t\theavy", 2),
            ("A Bank", 2),
            ("A Bank\t-5", 2),
            ("A Bank\t1\t\t\t\t\t\t\textra", 2),
        ];
        for (line, number) in cases {
            let text = format!("finlink-directory 1 1\n{line}\n");
            match decode(&text) {
                Err(FormatError::Line { line, .. }) => assert_eq!(line, number, "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let error = decode("finlink-directory 1 1\nA Bank\tx\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 2: the routing number token \"x\" is not a number"
        );
    }
}

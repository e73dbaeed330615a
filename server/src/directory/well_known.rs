//! Well-known institutions (`well_known.txt`): the aliases people type for them, their
//! popularity and whether they are featured, applied to a directory as it loads.
//!
//! The file is data, compiled into the server so that it always has one; each line names its
//! institution by a routing number (FedACH directories) or by its sandbox name, and a line
//! whose institution the directory lacks is skipped.

use std::collections::HashMap;

use super::{DirectoryError, DirectoryInstitution};

/// The well-known institutions shipped with the server.
pub(super) const WELL_KNOWN: &str = include_str!("well_known.txt");

/// How a line names its institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Key {
    /// An institution of a FedACH directory holding this routing number.
    RoutingNumber(String),
    /// The generated sandbox institution with exactly this name.
    SandboxName(String),
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WellKnown {
    pub(super) key: Key,
    pub(super) weight: Option<u32>,
    pub(super) featured: bool,
    pub(super) aliases: Vec<String>,
}

/// Which kind of directory the lines are applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Fedach,
    Sandbox,
}

/// The lines of a well-known file; comments (`#`) and blank lines aside.
pub(super) fn parse(text: &str) -> Result<Vec<WellKnown>, DirectoryError> {
    let mut lines = Vec::new();
    for (line, content) in (1..).zip(text.lines()) {
        let content = content.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let error = |reason: String| DirectoryError::WellKnown { line, reason };
        let fields: Vec<&str> = content.split('|').map(str::trim).collect();
        let [key, weight, featured, aliases] = fields[..] else {
            return Err(error(format!(
                "{} fields, expected 4 separated by '|'",
                fields.len()
            )));
        };
        let key = match key.strip_prefix("sandbox:") {
            Some(name) if !name.trim().is_empty() => Key::SandboxName(name.trim().to_owned()),
            Some(_) => return Err(error("the sandbox name is empty".to_owned())),
            None if super::routing::is_valid(key) => Key::RoutingNumber(key.to_owned()),
            None => {
                return Err(error(format!(
                    "{key:?} is neither a valid routing number nor sandbox:<name>"
                )));
            }
        };
        let weight = match weight {
            "" => None,
            number => Some(
                number
                    .parse()
                    .map_err(|_| error(format!("the weight {number:?} is not a number")))?,
            ),
        };
        let featured = match featured {
            "" => false,
            "featured" => true,
            other => {
                return Err(error(format!(
                    "{other:?} in the featured field, expected \"featured\" or nothing"
                )));
            }
        };
        let aliases = aliases
            .split(',')
            .map(str::trim)
            .filter(|alias| !alias.is_empty())
            .map(str::to_owned)
            .collect();
        lines.push(WellKnown {
            key,
            weight,
            featured,
            aliases,
        });
    }
    Ok(lines)
}

/// Applies the lines meant for `source` to `institutions` (the test institutions are never
/// passed in). When a line of that source is featured, the featured institutions are exactly
/// those of such lines, replacing the directory's own guess.
pub(super) fn apply(
    institutions: &mut [DirectoryInstitution],
    lines: &[WellKnown],
    source: Source,
) {
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for (position, institution) in institutions.iter().enumerate() {
        match source {
            Source::Fedach => {
                for number in &institution.routing_numbers {
                    by_key.entry(number.as_str()).or_insert(position);
                }
            }
            Source::Sandbox => {
                by_key.entry(institution.name.as_str()).or_insert(position);
            }
        }
    }
    let found: Vec<(usize, &WellKnown)> = lines
        .iter()
        .filter_map(|line| {
            let key = match (&line.key, source) {
                (Key::RoutingNumber(number), Source::Fedach) => number,
                (Key::SandboxName(name), Source::Sandbox) => name,
                _ => return None,
            };
            by_key.get(key.as_str()).map(|&position| (position, line))
        })
        .collect();
    if found.iter().any(|(_, line)| line.featured) {
        for institution in institutions.iter_mut() {
            institution.featured = false;
        }
    }
    for (position, line) in found {
        let Some(institution) = institutions.get_mut(position) else {
            continue;
        };
        if let Some(weight) = line.weight {
            institution.weight = weight;
        }
        institution.featured |= line.featured;
        for alias in &line.aliases {
            if !institution.aliases.contains(alias) {
                institution.aliases.push(alias.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::DirectoryError;
    use super::{Key, WELL_KNOWN, WellKnown, parse};

    #[test]
    fn the_shipped_file_parses_with_distinct_keys() {
        let lines = parse(WELL_KNOWN).unwrap();
        assert!(lines.len() >= 40, "{}", lines.len());
        let mut keys: Vec<&Key> = lines.iter().map(|line| &line.key).collect();
        keys.sort_by_key(|key| format!("{key:?}"));
        keys.dedup();
        assert_eq!(keys.len(), lines.len());
        let featured = |sandbox: bool| {
            lines
                .iter()
                .filter(|l| l.featured && matches!(l.key, Key::SandboxName(_)) == sandbox)
                .count()
        };
        assert_eq!((featured(false), featured(true)), (8, 8));
    }

    #[test]
    fn a_line_is_key_weight_featured_and_aliases() {
        let lines = parse(
            "# comment\n\n021000021 | 10 | featured | chase, jp morgan ,\nsandbox:Chase |||\n",
        )
        .unwrap();
        assert_eq!(
            lines,
            [
                WellKnown {
                    key: Key::RoutingNumber("021000021".to_owned()),
                    weight: Some(10),
                    featured: true,
                    aliases: vec!["chase".to_owned(), "jp morgan".to_owned()],
                },
                WellKnown {
                    key: Key::SandboxName("Chase".to_owned()),
                    weight: None,
                    featured: false,
                    aliases: Vec::new(),
                },
            ]
        );
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_it() {
        for (text, line) in [
            ("021000021 | 1 | featured", 1),
            ("# x\n021000022 | | | a", 2),
            ("021000021 | heavy | | a", 1),
            ("021000021 | | yes | a", 1),
            ("sandbox: | | | a", 1),
        ] {
            match parse(text) {
                Err(DirectoryError::WellKnown { line: at, .. }) => assert_eq!(at, line, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}

//! A decoded directory file with its index: what the widget searches without a round trip.

use crate::format::{self, FormatError, Record};
use crate::index::Index;

/// Institutions and the index over them, built once.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    records: Vec<Record>,
    index: Index,
}

impl Catalog {
    /// Indexes `records`.
    pub fn new(records: Vec<Record>) -> Catalog {
        let index = Index::build(records.iter().map(Record::index_entry));
        Catalog { records, index }
    }

    /// Decodes a directory file (see [`crate::format`]) and indexes it.
    pub fn decode(text: &str) -> Result<Catalog, FormatError> {
        format::decode(text).map(Catalog::new)
    }

    /// The best matches for `query`, best first, at most `limit`; the featured institutions
    /// for a blank query. The same ranking as the server's search (see [`Index::search`]).
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Record> {
        self.resolve(self.index.search(query, limit))
    }

    /// The featured institutions, heaviest first, at most `limit`.
    pub fn featured(&self, limit: usize) -> Vec<&Record> {
        self.resolve(self.index.featured(limit))
    }

    /// The institution with this id.
    pub fn get(&self, id: &str) -> Option<&Record> {
        self.records.iter().find(|record| record.id == id)
    }

    /// Every institution, in file order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The index, for callers that keep positions rather than records.
    pub fn index(&self) -> &Index {
        &self.index
    }

    fn resolve(&self, positions: Vec<usize>) -> Vec<&Record> {
        positions
            .into_iter()
            .filter_map(|position| self.records.get(position))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Catalog;
    use crate::format::{Login, Record, Status, encode};

    fn record(id: &str, name: &str, weight: u32, featured: bool) -> Record {
        Record {
            id: id.to_owned(),
            name: name.to_owned(),
            routing_numbers: Vec::new(),
            login: Login::Oauth,
            status: Status::Up,
            featured,
            weight,
            aliases: Vec::new(),
            country: "US".to_owned(),
            url: None,
        }
    }

    #[test]
    fn a_decoded_file_searches_like_the_records_it_was_made_of() {
        let mut records = vec![
            record("ins_a", "Wells Fargo Bank", 85, true),
            record("ins_b", "Wellesley Bank", 1, false),
            record("ins_c", "JPMorgan Chase Bank, N.A.", 51, true),
            record("ins_d", "Chasewood Bank", 1, false),
        ];
        records[2].aliases = vec!["chase".to_owned()];
        let direct = Catalog::new(records.clone());
        let decoded = Catalog::decode(&encode(&records).unwrap()).unwrap();
        for query in ["", "wel", "chase", "bank", "cha", "nothing"] {
            let ids = |catalog: &Catalog| -> Vec<String> {
                catalog
                    .search(query, 10)
                    .into_iter()
                    .map(|r| r.id.clone())
                    .collect()
            };
            assert_eq!(ids(&direct), ids(&decoded), "{query:?}");
        }
        let chase: Vec<&str> = decoded
            .search("chase", 10)
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(chase, ["JPMorgan Chase Bank, N.A.", "Chasewood Bank"]);
        let featured: Vec<&str> = decoded.featured(5).iter().map(|r| r.id.as_str()).collect();
        assert_eq!(featured, ["ins_a", "ins_c"]);
        assert_eq!(
            decoded.get("ins_d").map(|r| r.name.as_str()),
            Some("Chasewood Bank")
        );
        assert!(decoded.get("ins_z").is_none());
        assert_eq!(decoded.records().len(), 4);
        assert_eq!(decoded.index().len(), 4);
    }

    #[test]
    fn a_malformed_file_is_an_error() {
        assert!(Catalog::decode("not a directory").is_err());
    }
}

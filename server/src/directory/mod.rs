//! The institution directory: every bank a person can pick, looked up by id and searched by
//! name or routing number.
//!
//! Two sources: the sandbox directory (the documented test institutions and thousands of
//! generated ones, identical on every start) and a FedACH participant file an operator
//! licensed. Either way the test institutions come first, so the sandbox banks are always
//! reachable, and the well-known institutions (`well_known.txt`) add aliases, weights and the
//! featured list. Search is `finlink-search`, the same code the widget runs over the
//! directory file ([`Directory::file`]) that the link API serves.

mod error;
mod fedach;
mod file;
mod generated;
mod routing;
pub mod test_institutions;
mod well_known;

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use finlink_protocol::{AuthMethod, Institution, InstitutionStatus};
use finlink_search::format::{FormatError, Login, Record, Status};
use finlink_search::{Index, IndexEntry};

pub use error::DirectoryError;
pub use file::DirectoryFile;

/// What a sandbox bank does when finlink talks to it (the sandbox module serves each behaviour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxBehaviour {
    /// Logs in and shares its accounts as documented.
    Standard,
    /// Accounts with single, joint and mismatched owners.
    OwnershipTest,
    /// Accounts that cannot carry ACH payments (credit card, mortgage, closed).
    InvalidPayment,
    /// Listed as up, but every call fails with an institution error.
    Erroring,
}

/// An institution as the server knows it: what the widget is shown plus what only the server
/// needs (weight for ranking, the sandbox behaviour).
#[derive(Debug, Clone)]
pub struct DirectoryInstitution {
    /// Stable id: documented for test institutions, `ins_` + first routing number otherwise.
    pub id: String,
    /// The display name: as the source spells it when it is cased, else made readable
    /// ([`finlink_search::display_name`]).
    pub name: String,
    /// The bank's website, when known.
    pub url: Option<String>,
    /// ABA routing numbers; searchable by prefix.
    pub routing_numbers: Vec<String>,
    /// How the person logs in: at the bank's OAuth page or with a credentials form.
    pub auth_method: AuthMethod,
    /// Whether the institution can be linked right now.
    pub status: InstitutionStatus,
    /// Shown before the person types anything.
    pub featured: bool,
    /// Popularity: among equally good matches, heavier institutions come first.
    pub weight: u32,
    /// ISO 3166-1 alpha-2 country code, for the session's country filter.
    pub country: String,
    /// Other names people search it by ("bofa"), from the well-known institutions.
    pub aliases: Vec<String>,
    /// What the sandbox does when finlink talks to this institution.
    pub behaviour: SandboxBehaviour,
}

impl DirectoryInstitution {
    /// The institution as the link API shows it; weight and behaviour stay on the server.
    pub fn to_protocol(&self) -> Institution {
        Institution {
            id: self.id.clone(),
            name: self.name.clone(),
            url: self.url.clone(),
            routing_numbers: self.routing_numbers.clone(),
            auth_method: self.auth_method,
            status: self.status,
            featured: self.featured,
            country: self.country.clone(),
        }
    }

    /// The institution as the directory file carries it to the widget.
    pub fn to_record(&self) -> Record {
        Record {
            id: self.id.clone(),
            name: self.name.clone(),
            routing_numbers: self.routing_numbers.clone(),
            login: match self.auth_method {
                AuthMethod::Oauth => Login::Oauth,
                AuthMethod::Credentials => Login::Credentials,
            },
            status: match self.status {
                InstitutionStatus::Up => Status::Up,
                InstitutionStatus::DownScheduled => Status::DownScheduled,
                InstitutionStatus::DownUnscheduled => Status::DownUnscheduled,
            },
            featured: self.featured,
            weight: self.weight,
            aliases: self.aliases.clone(),
            country: self.country.clone(),
            url: self.url.clone(),
        }
    }

    fn index_entry(&self) -> IndexEntry<'_> {
        IndexEntry {
            name: &self.name,
            routing_numbers: &self.routing_numbers,
            aliases: &self.aliases,
            weight: self.weight,
            featured: self.featured,
        }
    }
}

/// The institutions, an id lookup and a search index, built once at start-up and then only
/// read; the directory file is made on first use.
#[derive(Debug)]
pub struct Directory {
    institutions: Vec<DirectoryInstitution>,
    by_id: HashMap<String, usize>,
    /// Each routing number to the first institution that lists it.
    by_routing_number: HashMap<String, usize>,
    index: Index,
    file: OnceLock<Result<DirectoryFile, FormatError>>,
}

impl Directory {
    /// The sandbox directory: the test institutions, then several thousand generated ones
    /// (deterministic, so ids are the same on every start).
    pub fn sandbox() -> Directory {
        let mut institutions = test_institutions::test_institutions();
        let tested = institutions.len();
        institutions.extend(generated::institutions());
        apply_well_known(&mut institutions, tested, well_known::Source::Sandbox);
        Directory::assemble(institutions)
    }

    /// A directory from a FedACH participant file: the test institutions, then one
    /// institution per distinct customer name.
    pub fn from_fedach_file(path: &Path) -> Result<Directory, DirectoryError> {
        let bytes = std::fs::read(path).map_err(|source| DirectoryError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Directory::from_fedach_bytes(&bytes)
    }

    /// Like [`Directory::from_fedach_file`], from the file's text.
    pub fn from_fedach_str(text: &str) -> Result<Directory, DirectoryError> {
        Directory::from_fedach_bytes(text.as_bytes())
    }

    fn from_fedach_bytes(bytes: &[u8]) -> Result<Directory, DirectoryError> {
        let mut institutions = test_institutions::test_institutions();
        let tested = institutions.len();
        institutions.extend(fedach::parse(bytes)?);
        apply_well_known(&mut institutions, tested, well_known::Source::Fedach);
        // FedACH ids are `ins_` + a routing number, distinct by parsing, and never a test id.
        Ok(Directory::assemble(institutions))
    }

    /// A directory of exactly these institutions (tests, custom deployments); ids must be
    /// distinct, or lookups would be ambiguous.
    pub fn from_institutions(
        institutions: Vec<DirectoryInstitution>,
    ) -> Result<Directory, DirectoryError> {
        let mut seen = std::collections::HashSet::new();
        if let Some(duplicate) = institutions.iter().find(|i| !seen.insert(i.id.as_str())) {
            return Err(DirectoryError::DuplicateId {
                id: duplicate.id.clone(),
            });
        }
        Ok(Directory::assemble(institutions))
    }

    /// Indexes institutions whose ids are known to be distinct.
    fn assemble(institutions: Vec<DirectoryInstitution>) -> Directory {
        let by_id = institutions
            .iter()
            .enumerate()
            .map(|(position, i)| (i.id.clone(), position))
            .collect();
        let mut by_routing_number = HashMap::new();
        for (position, institution) in institutions.iter().enumerate() {
            for number in &institution.routing_numbers {
                by_routing_number.entry(number.clone()).or_insert(position);
            }
        }
        let index = Index::build(institutions.iter().map(DirectoryInstitution::index_entry));
        Directory {
            institutions,
            by_id,
            by_routing_number,
            index,
            file: OnceLock::new(),
        }
    }

    /// The directory file the link API serves to the widget (see
    /// [`finlink_search::format`]), encoded and compressed on first use.
    pub fn file(&self) -> Result<&DirectoryFile, &FormatError> {
        self.file
            .get_or_init(|| {
                let records: Vec<Record> = self
                    .institutions
                    .iter()
                    .map(DirectoryInstitution::to_record)
                    .collect();
                DirectoryFile::encode(&records)
            })
            .as_ref()
    }

    /// The institution with this id.
    pub fn get(&self, id: &str) -> Option<&DirectoryInstitution> {
        self.by_id
            .get(id)
            .and_then(|&position| self.institutions.get(position))
    }

    /// The institution a routing number belongs to (the first one listing it).
    pub fn by_routing_number(&self, routing_number: &str) -> Option<&DirectoryInstitution> {
        self.by_routing_number
            .get(routing_number)
            .and_then(|&position| self.institutions.get(position))
    }

    /// The best matches for `query`, best first, at most `limit`; a blank query gives the
    /// featured institutions. See [`finlink_search::Index::search`] for matching and ranking.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&DirectoryInstitution> {
        self.index
            .search(query, limit)
            .into_iter()
            .filter_map(|position| self.institutions.get(position))
            .collect()
    }

    /// Every institution, in directory order (test institutions first).
    pub fn institutions(&self) -> &[DirectoryInstitution] {
        &self.institutions
    }

    /// How many institutions the directory holds, test institutions included.
    pub fn len(&self) -> usize {
        self.institutions.len()
    }

    /// Whether the directory holds no institution (never the case for the built-in sources).
    pub fn is_empty(&self) -> bool {
        self.institutions.is_empty()
    }
}

/// Applies the shipped well-known institutions to the institutions after the first `tested`
/// (the test institutions keep their documented weights and featured flags). The file is
/// compiled in and tested, so a parse error cannot happen in a built server; were it to, the
/// directory loads without it rather than not at all.
fn apply_well_known(
    institutions: &mut [DirectoryInstitution],
    tested: usize,
    source: well_known::Source,
) {
    match well_known::parse(well_known::WELL_KNOWN) {
        Ok(lines) => {
            if let Some(loaded) = institutions.get_mut(tested..) {
                well_known::apply(loaded, &lines, source);
            }
        }
        Err(error) => tracing::error!("{error}"),
    }
}

#[cfg(test)]
mod tests;

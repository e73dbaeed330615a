//! Finding the bank.
//!
//! The server answers searches (`Effect::Search`) until the directory file is here
//! (`Effect::LoadDirectory`, then `Event::DirectoryLoaded`); from then on every keystroke is
//! answered right here, by the same `finlink-search` ranking the server runs, with no request.
//! A directory that cannot be had leaves searches with the server, silently.

use finlink_protocol::AuthMethod;
use finlink_search::format::{Login, Record, Status};

use super::*;
use crate::flow::{Directory, LocalDirectory, SEARCH_LIMIT};

/// The search step's data, as `State::SelectInstitution` holds it.
pub(super) struct SearchStep {
    pub(super) session: Session,
    pub(super) query: String,
    pub(super) results: Results,
    pub(super) featured: Vec<Institution>,
    pub(super) directory: Directory,
}

impl SearchStep {
    fn into_state(self) -> State {
        State::SelectInstitution {
            session: self.session,
            query: self.query,
            results: self.results,
            featured: self.featured,
            directory: self.directory,
        }
    }

    /// The institutions the directory file holds for `query`, as the server would answer: the
    /// session's country filter applies, over-fetching as the server does.
    fn search_locally(&self, local: &LocalDirectory, query: &str) -> Vec<Institution> {
        let countries = self
            .session
            .filters
            .as_ref()
            .and_then(|filters| filters.countries.as_ref());
        let wanted = if countries.is_some() {
            SEARCH_LIMIT * 10
        } else {
            SEARCH_LIMIT
        };
        local
            .catalog()
            .search(query, wanted)
            .into_iter()
            .filter(|record| countries.is_none_or(|allowed| allowed.contains(&record.country)))
            .take(SEARCH_LIMIT)
            .map(institution)
            .collect()
    }

    /// Shows the answer to the current query, from the server or from the directory file.
    fn answered(mut self, institutions: Vec<Institution>) -> Next {
        if self.query.trim().is_empty() {
            self.featured = institutions;
            self.results = Results::Featured;
            return (self.into_state(), Vec::new());
        }
        let announcement = match institutions.len() {
            0 => "No banks match your search.".to_owned(),
            1 => "1 bank found.".to_owned(),
            count => format!("{count} banks found."),
        };
        self.results = if institutions.is_empty() {
            Results::NoResults
        } else {
            Results::Found(institutions)
        };
        (self.into_state(), vec![Effect::Announce(announcement)])
    }

    /// Answers the current query: the featured banks already here for a blank one, the
    /// directory file when it is here, else a request to the server.
    fn search(mut self) -> Next {
        let query = self.query.trim().to_owned();
        if query.is_empty() && !self.featured.is_empty() {
            self.results = Results::Featured;
            return (self.into_state(), Vec::new());
        }
        if let Directory::Local(local) = &self.directory {
            let found = self.search_locally(local, &query);
            return self.answered(found);
        }
        let previous = std::mem::replace(&mut self.results, Results::NoResults);
        self.results = Results::Searching {
            previous: visible(previous, &self.featured),
        };
        (self.into_state(), vec![Effect::Search { query }])
    }
}

/// The institution as the link API shows it, from the directory file's record.
fn institution(record: &Record) -> Institution {
    Institution {
        id: record.id.clone(),
        name: record.name.clone(),
        url: record.url.clone(),
        routing_numbers: record.routing_numbers.clone(),
        auth_method: match record.login {
            Login::Oauth => AuthMethod::Oauth,
            Login::Credentials => AuthMethod::Credentials,
        },
        status: match record.status {
            Status::Up => InstitutionStatus::Up,
            Status::DownScheduled => InstitutionStatus::DownScheduled,
            Status::DownUnscheduled => InstitutionStatus::DownUnscheduled,
        },
        featured: record.featured,
        country: record.country.clone(),
    }
}

/// The bank list with an empty query: featured institutions, fetched now, and the directory
/// file asked for, so that typing is answered here once it arrives.
pub(super) fn search_from_start(session: Session) -> Next {
    let state = State::SelectInstitution {
        session,
        query: String::new(),
        results: Results::Searching {
            previous: Vec::new(),
        },
        featured: Vec::new(),
        directory: Directory::Loading,
    };
    (
        state,
        vec![
            Effect::Search {
                query: String::new(),
            },
            Effect::LoadDirectory,
        ],
    )
}

pub(super) fn visible(results: Results, featured: &[Institution]) -> Vec<Institution> {
    match results {
        Results::Featured => featured.to_vec(),
        Results::Searching { previous } => previous,
        Results::Found(found) => found,
        Results::NoResults | Results::Failed(_) => Vec::new(),
    }
}

pub(super) fn select_institution(step: SearchStep, event: Event) -> Next {
    match event {
        Event::QueryChanged(typed) if typed != step.query => {
            let started = step.query.trim().is_empty() && !typed.trim().is_empty();
            let (state, mut effects) = SearchStep {
                query: typed,
                ..step
            }
            .search();
            if started {
                effects.insert(0, Effect::Emit(HostEvent::SearchInitiated));
            }
            (state, effects)
        }
        // The server's answer to the query shown, while it is awaited: a late answer, or one
        // the directory file already gave, changes nothing.
        Event::InstitutionsLoaded {
            query: answered,
            institutions,
        } if answered == step.query.trim() && matches!(step.results, Results::Searching { .. }) => {
            step.answered(institutions)
        }
        Event::DirectoryLoaded(Some(local)) => {
            let mut step = SearchStep {
                directory: Directory::Local(local.clone()),
                ..step
            };
            if step.featured.is_empty() {
                step.featured = step.search_locally(&local, "");
            }
            match step.results {
                // An answer still awaited, or a failed one: the file answers now.
                Results::Searching { .. } | Results::Failed(_) => step.search(),
                Results::Featured | Results::Found(_) | Results::NoResults => {
                    (step.into_state(), Vec::new())
                }
            }
        }
        // Silently: the server goes on answering, as it ranks the same way.
        Event::DirectoryLoaded(None) => {
            let directory = match step.directory {
                Directory::Local(local) => Directory::Local(local),
                Directory::Loading | Directory::Server => Directory::Server,
            };
            (SearchStep { directory, ..step }.into_state(), Vec::new())
        }
        Event::ApiFailed {
            request: Request::Search,
            error,
            ..
        } if matches!(step.results, Results::Searching { .. }) => {
            let announcement = Effect::Announce(error.message.clone());
            (
                SearchStep {
                    results: Results::Failed(error),
                    ..step
                }
                .into_state(),
                vec![announcement],
            )
        }
        Event::InstitutionChosen(institution) => match institution.status {
            InstitutionStatus::Up => {
                let effects = vec![
                    Effect::Emit(HostEvent::InstitutionSelected {
                        institution: institution.id.clone(),
                        institution_name: institution.name.clone(),
                    }),
                    Effect::StartAuthorization {
                        institution: institution.id.clone(),
                    },
                ];
                (
                    State::StartingAuthorization {
                        session: step.session,
                        institution,
                    },
                    effects,
                )
            }
            InstitutionStatus::DownScheduled | InstitutionStatus::DownUnscheduled => {
                let announcement = format!(
                    "{} is unavailable right now. Pick another bank.",
                    institution.name
                );
                (step.into_state(), vec![Effect::Announce(announcement)])
            }
        },
        // A failed search runs again as it was (here, if the directory file came since).
        Event::Retry if matches!(step.results, Results::Failed(_)) => SearchStep {
            results: Results::Searching {
                previous: Vec::new(),
            },
            ..step
        }
        .search(),
        Event::Back => (
            State::Consent {
                session: step.session,
                submitting: false,
            },
            Vec::new(),
        ),
        event @ (Event::QueryChanged(_)
        | Event::InstitutionsLoaded { .. }
        | Event::ApiFailed { .. }
        | Event::ConsentGiven
        | Event::ContinueToBank
        | Event::CredentialsSubmitted { .. }
        | Event::MfaAnswered(_)
        | Event::AccountToggled(_)
        | Event::AccountsConfirmed { .. }
        | Event::Cancel
        | Event::Retry
        | Event::Done
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ManualAccountCreated(_)
        | Event::ReturningUser(_)) => ignored(step.into_state(), &event),
    }
}

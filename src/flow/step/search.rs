//! Finding the bank.

use super::*;

/// The bank list with an empty query: featured institutions, fetched now.
pub(super) fn search_from_start(session: Session) -> Next {
    let state = State::SelectInstitution {
        session,
        query: String::new(),
        results: Results::Searching {
            previous: Vec::new(),
        },
        featured: Vec::new(),
    };
    (
        state,
        vec![Effect::Search {
            query: String::new(),
        }],
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

pub(super) fn select_institution(
    session: Session,
    query: String,
    results: Results,
    featured: Vec<Institution>,
    event: Event,
) -> Next {
    match event {
        Event::QueryChanged(typed) if typed != query => {
            let mut effects = Vec::new();
            if query.trim().is_empty() && !typed.trim().is_empty() {
                effects.push(Effect::Emit(HostEvent::SearchInitiated));
            }
            let results = if typed.trim().is_empty() && !featured.is_empty() {
                Results::Featured
            } else {
                effects.push(Effect::Search {
                    query: typed.trim().to_owned(),
                });
                Results::Searching {
                    previous: visible(results, &featured),
                }
            };
            (
                State::SelectInstitution {
                    session,
                    query: typed,
                    results,
                    featured,
                },
                effects,
            )
        }
        Event::InstitutionsLoaded {
            query: answered,
            institutions,
        } if answered == query.trim() => {
            if answered.is_empty() {
                let state = State::SelectInstitution {
                    session,
                    query,
                    results: Results::Featured,
                    featured: institutions,
                };
                return (state, Vec::new());
            }
            let announcement = match institutions.len() {
                0 => "No banks match your search.".to_owned(),
                1 => "1 bank found.".to_owned(),
                count => format!("{count} banks found."),
            };
            let results = if institutions.is_empty() {
                Results::NoResults
            } else {
                Results::Found(institutions)
            };
            (
                State::SelectInstitution {
                    session,
                    query,
                    results,
                    featured,
                },
                vec![Effect::Announce(announcement)],
            )
        }
        Event::ApiFailed {
            request: Request::Search,
            error,
            ..
        } if matches!(results, Results::Searching { .. }) => {
            let announcement = Effect::Announce(error.message.clone());
            (
                State::SelectInstitution {
                    session,
                    query,
                    results: Results::Failed(error),
                    featured,
                },
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
                        session,
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
                (
                    State::SelectInstitution {
                        session,
                        query,
                        results,
                        featured,
                    },
                    vec![Effect::Announce(announcement)],
                )
            }
        },
        // A failed search runs again as it was.
        Event::Retry if matches!(results, Results::Failed(_)) => {
            let effect = Effect::Search {
                query: query.trim().to_owned(),
            };
            let results = Results::Searching {
                previous: Vec::new(),
            };
            (
                State::SelectInstitution {
                    session,
                    query,
                    results,
                    featured,
                },
                vec![effect],
            )
        }
        Event::Back => (
            State::Consent {
                session,
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
        | Event::Connectivity(_)) => ignored(
            State::SelectInstitution {
                session,
                query,
                results,
                featured,
            },
            &event,
        ),
    }
}

//! One row per transition: the state before, the event, the state after and the effects.

use std::collections::BTreeSet;

use super::*;
use crate::flow::Retry;
use finlink_protocol::AccountSelection;

struct Row {
    name: &'static str,
    before: State,
    event: Event,
    after: State,
    effects: Vec<Effect>,
}

fn select_institution(query: &str, results: Results, featured: Vec<Institution>) -> State {
    State::SelectInstitution {
        session: session(),
        query: query.to_owned(),
        results,
        featured,
        directory: Directory::Loading,
    }
}

/// The bank list once the directory file is here (or known not to come).
fn searching_with(
    query: &str,
    results: Results,
    featured: Vec<Institution>,
    directory: Directory,
) -> State {
    State::SelectInstitution {
        session: session(),
        query: query.to_owned(),
        results,
        featured,
        directory,
    }
}

fn credentials(
    username: &str,
    submitting: bool,
    error: Option<Failure>,
    attempts_remaining: u32,
) -> State {
    State::Credentials {
        session: session(),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        form: CredentialsForm {
            username: username.to_owned(),
            error,
            attempts_remaining,
            submitting,
        },
    }
}

fn oauth(handoff: Handoff) -> State {
    State::OAuth {
        session: session(),
        institution: Box::new(oauth_bank()),
        authorization: "fcauth_1".to_owned(),
        oauth_url: "https://bank.example/authorize?state=s".to_owned(),
        handoff,
    }
}

fn picking(selected: &[&str], error: Option<Failure>) -> State {
    State::SelectAccounts {
        session: session(),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        accounts: vec![
            account("fca_1", None),
            account("fca_2", None),
            account("fca_card", Some(UnselectableReason::UnsupportedForPayments)),
        ],
        selected: selected.iter().map(|id| (*id).to_owned()).collect(),
        error,
    }
}

/// A session that links a single account (`account_selection: single`).
fn single_session() -> Session {
    let mut session = link_session(ResumeAt::SelectInstitution);
    session.account_selection = AccountSelection::Single;
    Arc::new(session)
}

/// Picking in a single-account session.
fn picking_one(selected: &[&str], error: Option<Failure>) -> State {
    match picking(selected, error) {
        State::SelectAccounts {
            institution,
            authorization,
            accounts,
            selected,
            error,
            ..
        } => State::SelectAccounts {
            session: single_session(),
            institution,
            authorization,
            accounts,
            selected,
            error,
        },
        other => other,
    }
}

fn linking(selected: &[&str]) -> State {
    State::Linking {
        session: session(),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        accounts: vec![
            account("fca_1", None),
            account("fca_2", None),
            account("fca_card", Some(UnselectableReason::UnsupportedForPayments)),
        ],
        selected: selected
            .iter()
            .map(|id| (*id).to_owned())
            .collect::<BTreeSet<_>>(),
        idempotency_key: "key-1".to_owned(),
    }
}

fn starting(institution: Institution) -> State {
    State::StartingAuthorization {
        session: session(),
        institution: Box::new(institution),
    }
}

fn loading_accounts() -> State {
    State::LoadingAccounts {
        session: session(),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
    }
}

fn announce(text: &str) -> Effect {
    Effect::Announce(text.to_owned())
}

fn rows() -> Vec<Row> {
    let consent_session = Arc::new(link_session(ResumeAt::Consent));
    let featured = vec![credentials_bank(), oauth_bank()];
    let locked = api_error(ErrorCode::AccountLocked, "The bank locked this login.");
    let local = local_directory();
    let here = || Directory::Local(local.clone());
    let maple = Institution {
        country: "CA".to_owned(),
        ..listed(
            institution("ins_maple", AuthMethod::Oauth, InstitutionStatus::Up),
            false,
        )
    };
    let down = listed(
        institution(
            "ins_down",
            AuthMethod::Credentials,
            InstitutionStatus::DownScheduled,
        ),
        false,
    );
    let listed_featured = vec![listed(credentials_bank(), true), listed(oauth_bank(), true)];
    let every_bank = [listed_featured.clone(), vec![down.clone(), maple.clone()]].concat();
    vec![
        Row {
            name: "a session to consent to shows the consent screen, opens, and asks for the directory file",
            before: State::Loading,
            event: Event::SessionLoaded(Box::new(link_session(ResumeAt::Consent))),
            after: State::Consent {
                session: consent_session.clone(),
                submitting: false,
            },
            effects: vec![Effect::Emit(HostEvent::Open), Effect::LoadDirectory],
        },
        Row {
            name: "a session that cannot load fails with a retry",
            before: State::Loading,
            event: Event::ApiFailed {
                request: Request::LoadSession,
                error: network_failure(),
                retryable: true,
            },
            after: State::Failed {
                session: None,
                error: network_failure(),
                retry: Some(Retry {
                    effect: Effect::LoadSession,
                    resume: Box::new(State::Loading),
                }),
            },
            effects: vec![
                Effect::Emit(HostEvent::Error { error_code: None }),
                announce(&network_failure().message),
            ],
        },
        Row {
            name: "continue on consent records it",
            before: State::Consent {
                session: consent_session.clone(),
                submitting: false,
            },
            event: Event::ConsentGiven,
            after: State::Consent {
                session: consent_session.clone(),
                submitting: true,
            },
            effects: vec![Effect::GiveConsent {
                permissions: vec![Permission::PaymentMethod, Permission::Balances],
            }],
        },
        Row {
            name: "recorded consent opens the bank list with featured banks",
            before: State::Consent {
                session: consent_session.clone(),
                submitting: true,
            },
            event: Event::ConsentRecorded(Box::new(link_session(ResumeAt::SelectInstitution))),
            after: select_institution("", Results::Searching { previous: vec![] }, vec![]),
            effects: vec![
                Effect::Emit(HostEvent::ConsentAcquired),
                Effect::Search {
                    query: String::new(),
                },
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "featured banks arrive for the empty query",
            before: select_institution("", Results::Searching { previous: vec![] }, vec![]),
            event: Event::InstitutionsLoaded {
                query: String::new(),
                institutions: featured.clone(),
            },
            after: select_institution("", Results::Featured, featured.clone()),
            effects: vec![],
        },
        Row {
            name: "the first letter typed starts a search and tells the host",
            before: select_institution("", Results::Featured, featured.clone()),
            event: Event::QueryChanged("ch".to_owned()),
            after: select_institution(
                "ch",
                Results::Searching {
                    previous: featured.clone(),
                },
                featured.clone(),
            ),
            effects: vec![
                Effect::Emit(HostEvent::SearchInitiated),
                Effect::Search {
                    query: "ch".to_owned(),
                },
            ],
        },
        Row {
            name: "results of an older query are dropped",
            before: select_institution(
                "cha",
                Results::Searching { previous: vec![] },
                featured.clone(),
            ),
            event: Event::InstitutionsLoaded {
                query: "ch".to_owned(),
                institutions: vec![oauth_bank()],
            },
            after: select_institution(
                "cha",
                Results::Searching { previous: vec![] },
                featured.clone(),
            ),
            effects: vec![Effect::Ignored {
                state: "select_institution",
                event: "institutions_loaded",
            }],
        },
        Row {
            name: "no match says so",
            before: select_institution(
                "zzz",
                Results::Searching { previous: vec![] },
                featured.clone(),
            ),
            event: Event::InstitutionsLoaded {
                query: "zzz".to_owned(),
                institutions: vec![],
            },
            after: select_institution("zzz", Results::NoResults, featured.clone()),
            effects: vec![announce("No banks match your search.")],
        },
        Row {
            name: "retry runs a failed search again",
            before: select_institution(
                "chase",
                Results::Failed(network_failure()),
                featured.clone(),
            ),
            event: Event::Retry,
            after: select_institution(
                "chase",
                Results::Searching { previous: vec![] },
                featured.clone(),
            ),
            effects: vec![Effect::Search {
                query: "chase".to_owned(),
            }],
        },
        Row {
            name: "clearing the query shows the featured banks again without a request",
            before: select_institution("zzz", Results::NoResults, featured.clone()),
            event: Event::QueryChanged(String::new()),
            after: select_institution("", Results::Featured, featured.clone()),
            effects: vec![],
        },
        Row {
            name: "the directory file arriving answers the awaited search at once",
            before: select_institution(
                "bank",
                Results::Searching { previous: vec![] },
                featured.clone(),
            ),
            event: Event::DirectoryLoaded(Some(local.clone())),
            after: searching_with(
                "bank",
                Results::Found(every_bank.clone()),
                featured.clone(),
                here(),
            ),
            effects: vec![announce("4 banks found.")],
        },
        Row {
            name: "with the directory file here, a keystroke is answered at once, with no request",
            before: searching_with(
                "bank",
                Results::Found(every_bank.clone()),
                featured.clone(),
                here(),
            ),
            event: Event::QueryChanged("bank ins m".to_owned()),
            after: searching_with(
                "bank ins m",
                Results::Found(vec![maple.clone()]),
                featured.clone(),
                here(),
            ),
            effects: vec![announce("1 bank found.")],
        },
        Row {
            name: "with the directory file here, no match says so with no request",
            before: searching_with(
                "bank ins m",
                Results::Found(vec![maple.clone()]),
                featured.clone(),
                here(),
            ),
            event: Event::QueryChanged("zzz".to_owned()),
            after: searching_with("zzz", Results::NoResults, featured.clone(), here()),
            effects: vec![announce("No banks match your search.")],
        },
        Row {
            name: "with the directory file here, the first letter typed still tells the host",
            before: searching_with("", Results::Featured, featured.clone(), here()),
            event: Event::QueryChanged("bank ins o".to_owned()),
            after: searching_with(
                "bank ins o",
                Results::Found(vec![listed(oauth_bank(), true)]),
                featured.clone(),
                here(),
            ),
            effects: vec![
                Effect::Emit(HostEvent::SearchInitiated),
                announce("1 bank found."),
            ],
        },
        Row {
            name: "the featured banks come from the directory file when the server's are not here",
            before: select_institution("", Results::Searching { previous: vec![] }, vec![]),
            event: Event::DirectoryLoaded(Some(local.clone())),
            after: searching_with("", Results::Featured, listed_featured.clone(), here()),
            effects: vec![],
        },
        Row {
            name: "with the directory file here, clearing the query shows the featured banks",
            before: searching_with("zzz", Results::NoResults, vec![], here()),
            event: Event::QueryChanged(String::new()),
            after: searching_with("", Results::Featured, listed_featured.clone(), here()),
            effects: vec![],
        },
        Row {
            name: "the server's answer to a query the directory file answered changes nothing",
            before: searching_with(
                "bank ins m",
                Results::Found(vec![maple.clone()]),
                featured.clone(),
                here(),
            ),
            event: Event::InstitutionsLoaded {
                query: "bank ins m".to_owned(),
                institutions: vec![],
            },
            after: searching_with(
                "bank ins m",
                Results::Found(vec![maple.clone()]),
                featured.clone(),
                here(),
            ),
            effects: vec![Effect::Ignored {
                state: "select_institution",
                event: "institutions_loaded",
            }],
        },
        Row {
            name: "a search that failed before the directory file came is answered by the file",
            before: select_institution(
                "bank ins m",
                Results::Failed(network_failure()),
                featured.clone(),
            ),
            event: Event::DirectoryLoaded(Some(local.clone())),
            after: searching_with(
                "bank ins m",
                Results::Found(vec![maple.clone()]),
                featured.clone(),
                here(),
            ),
            effects: vec![announce("1 bank found.")],
        },
        Row {
            name: "a directory file that cannot be had leaves searches with the server, silently",
            before: select_institution(
                "ch",
                Results::Searching { previous: vec![] },
                featured.clone(),
            ),
            event: Event::DirectoryLoaded(None),
            after: searching_with(
                "ch",
                Results::Searching { previous: vec![] },
                featured.clone(),
                Directory::Server,
            ),
            effects: vec![],
        },
        Row {
            name: "without the directory file, a keystroke asks the server",
            before: searching_with(
                "ch",
                Results::Found(vec![credentials_bank()]),
                featured.clone(),
                Directory::Server,
            ),
            event: Event::QueryChanged("cha".to_owned()),
            after: searching_with(
                "cha",
                Results::Searching {
                    previous: vec![credentials_bank()],
                },
                featured.clone(),
                Directory::Server,
            ),
            effects: vec![Effect::Search {
                query: "cha".to_owned(),
            }],
        },
        Row {
            name: "the directory file arriving at another step is left for the bank list to ask again",
            before: starting(credentials_bank()),
            event: Event::DirectoryLoaded(Some(local.clone())),
            after: starting(credentials_bank()),
            effects: vec![Effect::Ignored {
                state: "starting_authorization",
                event: "directory_loaded",
            }],
        },
        Row {
            name: "a bank that is down cannot be picked",
            before: select_institution("", Results::Featured, featured.clone()),
            event: Event::InstitutionChosen(Box::new(institution(
                "ins_down",
                AuthMethod::Credentials,
                InstitutionStatus::DownScheduled,
            ))),
            after: select_institution("", Results::Featured, featured.clone()),
            effects: vec![announce(
                "Bank ins_down is unavailable right now. Pick another bank.",
            )],
        },
        Row {
            name: "picking a bank starts an authorization",
            before: select_institution("", Results::Featured, featured.clone()),
            event: Event::InstitutionChosen(Box::new(credentials_bank())),
            after: starting(credentials_bank()),
            effects: vec![
                Effect::Emit(HostEvent::InstitutionSelected {
                    institution: "ins_credentials".to_owned(),
                    institution_name: "Bank ins_credentials".to_owned(),
                }),
                Effect::StartAuthorization {
                    institution: "ins_credentials".to_owned(),
                },
            ],
        },
        Row {
            name: "a credentials bank shows its form",
            before: starting(credentials_bank()),
            event: Event::AuthorizationUpdated(authorization(
                &credentials_bank(),
                AuthorizationState::AwaitingCredentials {
                    error: None,
                    attempts_remaining: 5,
                },
            )),
            after: credentials("", false, None, 5),
            effects: vec![],
        },
        Row {
            name: "an OAuth bank shows the hand-off",
            before: starting(oauth_bank()),
            event: Event::AuthorizationUpdated(authorization(
                &oauth_bank(),
                AuthorizationState::AwaitingOauth {
                    oauth_url: "https://bank.example/authorize?state=s".to_owned(),
                },
            )),
            after: oauth(Handoff::Ready),
            effects: vec![announce("You'll continue at Bank ins_oauth.")],
        },
        Row {
            name: "continue opens the bank's window and starts polling",
            before: oauth(Handoff::Ready),
            event: Event::ContinueToBank,
            after: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            effects: vec![
                Effect::OpenPopup {
                    url: "https://bank.example/authorize?state=s".to_owned(),
                },
                Effect::Emit(HostEvent::FlowLaunchedInBrowser),
                Effect::StartTimer {
                    after_ms: POLL_INTERVAL_MS,
                },
            ],
        },
        Row {
            name: "a blocked popup is said and can be reopened",
            before: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            event: Event::PopupBlocked,
            after: oauth(Handoff::Waiting {
                popup_blocked: true,
            }),
            effects: vec![announce(
                "Your browser blocked the bank's window. Use the link to open it.",
            )],
        },
        Row {
            name: "reopen window opens the same page again",
            before: oauth(Handoff::Waiting {
                popup_blocked: true,
            }),
            event: Event::ContinueToBank,
            after: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            effects: vec![Effect::OpenPopup {
                url: "https://bank.example/authorize?state=s".to_owned(),
            }],
        },
        Row {
            name: "the poll timer asks the server",
            before: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            event: Event::TimerFired,
            after: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            effects: vec![Effect::PollAuthorization {
                authorization: "fcauth_1".to_owned(),
            }],
        },
        Row {
            name: "still at the bank: poll again later",
            before: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            event: Event::AuthorizationUpdated(authorization(
                &oauth_bank(),
                AuthorizationState::AwaitingOauth {
                    oauth_url: "u".to_owned(),
                },
            )),
            after: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            effects: vec![Effect::StartTimer {
                after_ms: POLL_INTERVAL_MS,
            }],
        },
        Row {
            name: "a dropped poll is retried by the next tick",
            before: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            event: Event::ApiFailed {
                request: Request::PollAuthorization,
                error: network_failure(),
                retryable: true,
            },
            after: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            effects: vec![Effect::StartTimer {
                after_ms: POLL_INTERVAL_MS,
            }],
        },
        Row {
            name: "the bank authorized: load the shared accounts",
            before: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            event: Event::AuthorizationUpdated(authorization(
                &oauth_bank(),
                AuthorizationState::Authorized,
            )),
            after: State::LoadingAccounts {
                session: session(),
                institution: Box::new(oauth_bank()),
                authorization: "fcauth_1".to_owned(),
            },
            effects: vec![
                Effect::Emit(HostEvent::InstitutionAuthorized),
                Effect::LoadAccounts {
                    authorization: "fcauth_1".to_owned(),
                },
            ],
        },
        Row {
            name: "cancel while waiting at the bank goes back to the bank list",
            before: oauth(Handoff::Waiting {
                popup_blocked: false,
            }),
            event: Event::Back,
            after: select_institution("", Results::Searching { previous: vec![] }, vec![]),
            effects: vec![
                Effect::Search {
                    query: String::new(),
                },
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "submitting credentials sends them and keeps only the username",
            before: credentials("", false, None, 5),
            event: Event::CredentialsSubmitted {
                username: "jenny".to_owned(),
                password: "pass_good".to_owned(),
            },
            after: credentials("jenny", true, None, 5),
            effects: vec![Effect::SubmitCredentials {
                authorization: "fcauth_1".to_owned(),
                username: "jenny".to_owned(),
                password: "pass_good".to_owned(),
            }],
        },
        Row {
            name: "an empty password is caught before sending",
            before: credentials("", false, None, 5),
            event: Event::CredentialsSubmitted {
                username: "jenny".to_owned(),
                password: String::new(),
            },
            after: credentials(
                "jenny",
                false,
                Some(Failure::new(None, "Enter your username and password.")),
                5,
            ),
            effects: vec![announce("Enter your username and password.")],
        },
        Row {
            name: "a wrong password shows the bank's error and keeps the username",
            before: credentials("jenny", true, None, 5),
            event: Event::AuthorizationUpdated(authorization(
                &credentials_bank(),
                AuthorizationState::AwaitingCredentials {
                    error: Some(api_error(
                        ErrorCode::InvalidCredentials,
                        "The username or password is incorrect.",
                    )),
                    attempts_remaining: 4,
                },
            )),
            after: credentials(
                "jenny",
                false,
                Some(Failure::new(
                    Some(ErrorCode::InvalidCredentials),
                    "The username or password is incorrect.",
                )),
                4,
            ),
            effects: vec![announce("The username or password is incorrect.")],
        },
        Row {
            name: "a network failure while logging in keeps the form for a retry",
            before: credentials("jenny", true, None, 5),
            event: Event::ApiFailed {
                request: Request::SubmitCredentials,
                error: network_failure(),
                retryable: true,
            },
            after: credentials("jenny", false, Some(network_failure()), 5),
            effects: vec![announce(&network_failure().message)],
        },
        Row {
            name: "the bank asks a second factor",
            before: credentials("jenny", true, None, 5),
            event: Event::AuthorizationUpdated(authorization(
                &credentials_bank(),
                AuthorizationState::AwaitingMfa {
                    challenge: mfa_code(),
                    error: None,
                    attempts_remaining: 3,
                },
            )),
            after: State::Mfa {
                session: session(),
                institution: Box::new(credentials_bank()),
                authorization: "fcauth_1".to_owned(),
                challenge: mfa_code(),
                form: MfaForm {
                    error: None,
                    attempts_remaining: 3,
                    submitting: false,
                },
            },
            effects: vec![announce("Your bank asks for one more step.")],
        },
        Row {
            name: "a locked login fails with a way to start again at the same bank",
            before: credentials("jenny", true, None, 1),
            event: Event::AuthorizationUpdated(authorization(
                &credentials_bank(),
                AuthorizationState::Failed {
                    error: locked.clone(),
                },
            )),
            after: State::Failed {
                session: Some(session()),
                error: Failure::from_api(&locked),
                retry: Some(Retry {
                    effect: Effect::StartAuthorization {
                        institution: "ins_credentials".to_owned(),
                    },
                    resume: Box::new(starting(credentials_bank())),
                }),
            },
            effects: vec![
                Effect::Emit(HostEvent::Error {
                    error_code: Some(ErrorCode::AccountLocked),
                }),
                announce("The bank locked this login."),
            ],
        },
        Row {
            name: "one usable account is picked for the person",
            before: loading_accounts(),
            event: Event::AccountsLoaded(vec![
                account("fca_1", None),
                account("fca_card", Some(UnselectableReason::UnsupportedForPayments)),
            ]),
            after: State::SelectAccounts {
                session: session(),
                institution: Box::new(credentials_bank()),
                authorization: "fcauth_1".to_owned(),
                accounts: vec![
                    account("fca_1", None),
                    account("fca_card", Some(UnselectableReason::UnsupportedForPayments)),
                ],
                selected: BTreeSet::from(["fca_1".to_owned()]),
                error: None,
            },
            effects: vec![announce("Select the accounts to link: 1 available.")],
        },
        Row {
            name: "toggling a usable account selects it",
            before: picking(&[], None),
            event: Event::AccountToggled("fca_2".to_owned()),
            after: picking(&["fca_2"], None),
            effects: vec![],
        },
        Row {
            name: "toggling it again deselects it",
            before: picking(&["fca_2"], None),
            event: Event::AccountToggled("fca_2".to_owned()),
            after: picking(&[], None),
            effects: vec![],
        },
        Row {
            name: "in a single-account session, choosing an account selects it",
            before: picking_one(&[], None),
            event: Event::AccountToggled("fca_1".to_owned()),
            after: picking_one(&["fca_1"], None),
            effects: vec![],
        },
        Row {
            name: "in a single-account session, choosing another replaces the choice",
            before: picking_one(&["fca_1"], None),
            event: Event::AccountToggled("fca_2".to_owned()),
            after: picking_one(&["fca_2"], None),
            effects: vec![],
        },
        Row {
            name: "in a single-account session, choosing the chosen account keeps it",
            before: picking_one(&["fca_2"], None),
            event: Event::AccountToggled("fca_2".to_owned()),
            after: picking_one(&["fca_2"], None),
            effects: vec![],
        },
        Row {
            name: "in a single-account session, an account that cannot be used is not chosen",
            before: picking_one(&["fca_1"], None),
            event: Event::AccountToggled("fca_card".to_owned()),
            after: picking_one(&["fca_1"], None),
            effects: vec![Effect::Ignored {
                state: "select_accounts",
                event: "account_toggled",
            }],
        },
        Row {
            name: "in a single-account session, linking nothing asks to select an account",
            before: picking_one(&[], None),
            event: Event::AccountsConfirmed {
                idempotency_key: "key-1".to_owned(),
            },
            after: picking_one(&[], Some(Failure::new(None, "Select an account."))),
            effects: vec![announce("Select an account.")],
        },
        Row {
            name: "in a single-account session, the accounts loaded ask for one account",
            before: State::LoadingAccounts {
                session: single_session(),
                institution: Box::new(credentials_bank()),
                authorization: "fcauth_1".to_owned(),
            },
            event: Event::AccountsLoaded(vec![account("fca_1", None), account("fca_2", None)]),
            after: State::SelectAccounts {
                session: single_session(),
                institution: Box::new(credentials_bank()),
                authorization: "fcauth_1".to_owned(),
                accounts: vec![account("fca_1", None), account("fca_2", None)],
                selected: BTreeSet::new(),
                error: None,
            },
            effects: vec![announce("Select the account to link: 2 available.")],
        },
        Row {
            name: "an account that cannot be used cannot be selected",
            before: picking(&[], None),
            event: Event::AccountToggled("fca_card".to_owned()),
            after: picking(&[], None),
            effects: vec![Effect::Ignored {
                state: "select_accounts",
                event: "account_toggled",
            }],
        },
        Row {
            name: "linking nothing asks to select an account",
            before: picking(&[], None),
            event: Event::AccountsConfirmed {
                idempotency_key: "key-1".to_owned(),
            },
            after: picking(
                &[],
                Some(Failure::new(None, "Select at least one account.")),
            ),
            effects: vec![announce("Select at least one account.")],
        },
        Row {
            name: "link attaches the selected accounts with the idempotency key",
            before: picking(&["fca_1", "fca_2"], None),
            event: Event::AccountsConfirmed {
                idempotency_key: "key-1".to_owned(),
            },
            after: linking(&["fca_1", "fca_2"]),
            effects: vec![
                Effect::Emit(HostEvent::AccountsSelected { count: 2 }),
                Effect::AttachAccounts {
                    authorization: "fcauth_1".to_owned(),
                    accounts: vec!["fca_1".to_owned(), "fca_2".to_owned()],
                    idempotency_key: "key-1".to_owned(),
                },
            ],
        },
        Row {
            name: "attached accounts complete the session",
            before: linking(&["fca_1"]),
            event: Event::Linked(link_result(SessionStatus::Open, &["fca_1"])),
            after: linking(&["fca_1"]),
            effects: vec![Effect::Complete],
        },
        Row {
            name: "a dropped attach is retried with the same key",
            before: linking(&["fca_1"]),
            event: Event::ApiFailed {
                request: Request::AttachAccounts,
                error: network_failure(),
                retryable: true,
            },
            after: State::Failed {
                session: Some(session()),
                error: network_failure(),
                retry: Some(Retry {
                    effect: Effect::AttachAccounts {
                        authorization: "fcauth_1".to_owned(),
                        accounts: vec!["fca_1".to_owned()],
                        idempotency_key: "key-1".to_owned(),
                    },
                    resume: Box::new(linking(&["fca_1"])),
                }),
            },
            effects: vec![
                Effect::Emit(HostEvent::Error { error_code: None }),
                announce(&network_failure().message),
            ],
        },
        Row {
            name: "a completed session shows success",
            before: linking(&["fca_1"]),
            event: Event::Completed(link_result(SessionStatus::Completed, &["fca_1"])),
            after: State::Success {
                session: session(),
                result: link_result(SessionStatus::Completed, &["fca_1"]),
                save: None,
            },
            effects: vec![
                Effect::Emit(HostEvent::Success),
                announce("1 account linked."),
            ],
        },
        Row {
            name: "done ends the flow with the linked accounts",
            before: State::Success {
                session: session(),
                result: link_result(SessionStatus::Completed, &["fca_1"]),
                save: None,
            },
            event: Event::Done,
            after: State::Finished,
            effects: vec![Effect::Finish(Outcome::Linked(link_result(
                SessionStatus::Completed,
                &["fca_1"],
            )))],
        },
        Row {
            name: "cancel at any step cancels the session",
            before: credentials("jenny", false, None, 5),
            event: Event::Cancel,
            after: State::Cancelling { session: session() },
            effects: vec![Effect::Emit(HostEvent::Cancel), Effect::CancelSession],
        },
        Row {
            name: "a cancelled session ends the flow as cancelled",
            before: State::Cancelling { session: session() },
            event: Event::SessionCancelled(Some(link_result(SessionStatus::Cancelled, &[]))),
            after: State::Finished,
            effects: vec![Effect::Finish(Outcome::Cancelled(Some(link_result(
                SessionStatus::Cancelled,
                &[],
            ))))],
        },
        Row {
            name: "an expired session anywhere ends in a failure without retry",
            before: picking(&["fca_1"], None),
            event: Event::ApiFailed {
                request: Request::AttachAccounts,
                error: Failure::new(Some(ErrorCode::SessionExpired), "This session expired."),
                retryable: false,
            },
            after: State::Failed {
                session: Some(session()),
                error: Failure::new(Some(ErrorCode::SessionExpired), "This session expired."),
                retry: None,
            },
            effects: vec![
                Effect::Emit(HostEvent::Error {
                    error_code: Some(ErrorCode::SessionExpired),
                }),
                announce("This session expired."),
            ],
        },
        Row {
            name: "closing after the session ended finishes with the failure",
            before: State::Failed {
                session: Some(session()),
                error: Failure::new(Some(ErrorCode::SessionExpired), "This session expired."),
                retry: None,
            },
            event: Event::Cancel,
            after: State::Finished,
            effects: vec![Effect::Finish(Outcome::Failed(Failure::new(
                Some(ErrorCode::SessionExpired),
                "This session expired.",
            )))],
        },
        Row {
            name: "retry re-runs the failed request",
            before: State::Failed {
                session: Some(session()),
                error: network_failure(),
                retry: Some(Retry {
                    effect: Effect::LoadAccounts {
                        authorization: "fcauth_1".to_owned(),
                    },
                    resume: Box::new(loading_accounts()),
                }),
            },
            event: Event::Retry,
            after: loading_accounts(),
            effects: vec![Effect::LoadAccounts {
                authorization: "fcauth_1".to_owned(),
            }],
        },
        Row {
            name: "going offline is announced and changes nothing",
            before: credentials("jenny", false, None, 5),
            event: Event::Connectivity(false),
            after: credentials("jenny", false, None, 5),
            effects: vec![announce(
                "You're offline. We'll continue when your connection is back.",
            )],
        },
        Row {
            name: "nothing happens after the flow finished",
            before: State::Finished,
            event: Event::Retry,
            after: State::Finished,
            effects: vec![Effect::Ignored {
                state: "finished",
                event: "retry",
            }],
        },
    ]
}

fn manual_entry(session: Session, form: ManualForm, directory: Directory) -> State {
    State::ManualEntry {
        session,
        form: Box::new(form),
        directory,
    }
}

/// The filled form, sent with `key-1` and awaiting the server's answer.
fn sending() -> ManualForm {
    ManualForm {
        checked: true,
        submitting: Some("key-1".to_owned()),
        ..filled_form()
    }
}

const CHECK_DIGIT: &str =
    "This isn't a valid routing number. Check it on a check or your bank statement.";

/// Manual entry: the form, its checks as typed, and the server's answers.
fn manual_rows() -> Vec<Row> {
    let automatic = session_verifying(VerificationMethod::Automatic);
    let instant = session_verifying(VerificationMethod::Instant);
    let microdeposits = session_verifying(VerificationMethod::Microdeposits);
    let local = routing_directory();
    let here = || Directory::Local(local.clone());
    let on_bank_list = |session: &Session| State::SelectInstitution {
        session: session.clone(),
        query: "nowhere".to_owned(),
        results: Results::NoResults,
        featured: vec![],
        directory: Directory::Local(local.clone()),
    };
    let failed = |session: &Session, error: Failure| State::Failed {
        session: Some(session.clone()),
        error,
        retry: None,
    };
    let down = Failure::new(
        Some(ErrorCode::InstitutionDownUnscheduled),
        "The bank is not responding.",
    );
    let typed = |input: ManualInput| Event::ManualInputChanged(input);
    vec![
        Row {
            name: "the bank list opens the manual entry form and tells the host",
            before: on_bank_list(&automatic),
            event: Event::ManualEntryChosen,
            after: manual_entry(automatic.clone(), ManualForm::default(), here()),
            effects: vec![Effect::Emit(HostEvent::ManualEntryInitiated)],
        },
        Row {
            name: "an instant session's bank list has no manual entry",
            before: on_bank_list(&instant),
            event: Event::ManualEntryChosen,
            after: on_bank_list(&instant),
            effects: vec![Effect::Ignored {
                state: "select_institution",
                event: "manual_entry_chosen",
            }],
        },
        Row {
            name: "after the bank failed, the form opens and asks for the directory file",
            before: failed(&automatic, down.clone()),
            event: Event::ManualEntryChosen,
            after: manual_entry(automatic.clone(), ManualForm::default(), Directory::Loading),
            effects: vec![
                Effect::Emit(HostEvent::ManualEntryInitiated),
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "a failure that is not the bank's offers no manual entry",
            before: failed(&automatic, network_failure()),
            event: Event::ManualEntryChosen,
            after: failed(&automatic, network_failure()),
            effects: vec![Effect::Ignored {
                state: "failed",
                event: "manual_entry_chosen",
            }],
        },
        Row {
            name: "an instant session offers no manual entry after the bank failed",
            before: failed(&instant, down.clone()),
            event: Event::ManualEntryChosen,
            after: failed(&instant, down.clone()),
            effects: vec![Effect::Ignored {
                state: "failed",
                event: "manual_entry_chosen",
            }],
        },
        Row {
            name: "consent in a microdeposits session opens the form, not the bank list",
            before: State::Consent {
                session: microdeposits.clone(),
                submitting: true,
            },
            event: Event::ConsentRecorded(Box::new(LinkSession::clone(&microdeposits))),
            after: manual_entry(
                microdeposits.clone(),
                ManualForm::default(),
                Directory::Loading,
            ),
            effects: vec![
                Effect::Emit(HostEvent::ConsentAcquired),
                Effect::Emit(HostEvent::ManualEntryInitiated),
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "back after a failure in a microdeposits session opens the form again",
            before: failed(&microdeposits, network_failure()),
            event: Event::Back,
            after: manual_entry(
                microdeposits.clone(),
                ManualForm::default(),
                Directory::Loading,
            ),
            effects: vec![
                Effect::Emit(HostEvent::ManualEntryInitiated),
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "a valid routing number the directory file knows shows and says the bank's name",
            before: manual_entry(automatic.clone(), ManualForm::default(), here()),
            event: typed(ManualInput::RoutingNumber(ROUTING_NUMBER.to_owned())),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    routing_number: ROUTING_NUMBER.to_owned(),
                    bank_name: Some("Bank ins_credentials".to_owned()),
                    ..ManualForm::default()
                },
                here(),
            ),
            effects: vec![announce("Bank ins_credentials")],
        },
        Row {
            name: "a wrong check digit is shown and said as soon as the ninth digit is typed",
            before: manual_entry(automatic.clone(), ManualForm::default(), here()),
            event: typed(ManualInput::RoutingNumber("110000001".to_owned())),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    routing_number: "110000001".to_owned(),
                    ..ManualForm::default()
                },
                here(),
            ),
            effects: vec![announce(CHECK_DIGIT)],
        },
        Row {
            name: "a letter in the routing number is said at once",
            before: manual_entry(automatic.clone(), ManualForm::default(), here()),
            event: typed(ManualInput::RoutingNumber("11o".to_owned())),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    routing_number: "11o".to_owned(),
                    ..ManualForm::default()
                },
                here(),
            ),
            effects: vec![announce("A routing number has only digits.")],
        },
        Row {
            name: "a valid routing number the directory file does not know names no bank",
            before: manual_entry(automatic.clone(), ManualForm::default(), here()),
            event: typed(ManualInput::RoutingNumber("021000021".to_owned())),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    routing_number: "021000021".to_owned(),
                    ..ManualForm::default()
                },
                here(),
            ),
            effects: vec![],
        },
        Row {
            name: "the directory file arriving names the bank of the number already typed",
            before: manual_entry(
                automatic.clone(),
                ManualForm {
                    routing_number: ROUTING_NUMBER.to_owned(),
                    ..ManualForm::default()
                },
                Directory::Loading,
            ),
            event: Event::DirectoryLoaded(Some(local.clone())),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    routing_number: ROUTING_NUMBER.to_owned(),
                    bank_name: Some("Bank ins_credentials".to_owned()),
                    ..ManualForm::default()
                },
                here(),
            ),
            effects: vec![announce("Bank ins_credentials")],
        },
        Row {
            name: "a short account number is no error while it is being typed",
            before: manual_entry(automatic.clone(), ManualForm::default(), here()),
            event: typed(ManualInput::AccountNumber("12".to_owned())),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    account_number: "12".to_owned(),
                    ..ManualForm::default()
                },
                here(),
            ),
            effects: vec![],
        },
        Row {
            name: "a confirmation that parts from the account number is said at once",
            before: manual_entry(
                automatic.clone(),
                ManualForm {
                    account_number: "123456".to_owned(),
                    ..ManualForm::default()
                },
                here(),
            ),
            event: typed(ManualInput::AccountNumberConfirmation("124".to_owned())),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    account_number: "123456".to_owned(),
                    account_number_confirmation: "124".to_owned(),
                    ..ManualForm::default()
                },
                here(),
            ),
            effects: vec![announce("The account numbers don't match.")],
        },
        Row {
            name: "continue on an empty form shows every field's error and says how many",
            before: manual_entry(automatic.clone(), ManualForm::default(), here()),
            event: Event::ManualDetailsSubmitted {
                idempotency_key: "key-1".to_owned(),
            },
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    refusals: 1,
                    ..ManualForm::default()
                },
                here(),
            ),
            effects: vec![announce(
                "4 fields need correcting. Enter the routing number.",
            )],
        },
        Row {
            name: "continue on a filled form sends the details with the key",
            before: manual_entry(automatic.clone(), filled_form(), here()),
            event: Event::ManualDetailsSubmitted {
                idempotency_key: "key-1".to_owned(),
            },
            after: manual_entry(automatic.clone(), sending(), here()),
            effects: vec![Effect::CreateManualAccount {
                request: filled_request(),
                idempotency_key: "key-1".to_owned(),
            }],
        },
        Row {
            name: "typing while the details are being sent changes nothing",
            before: manual_entry(automatic.clone(), sending(), here()),
            event: typed(ManualInput::AccountHolderName("J".to_owned())),
            after: manual_entry(automatic.clone(), sending(), here()),
            effects: vec![Effect::Ignored {
                state: "manual_entry",
                event: "manual_input_changed",
            }],
        },
        Row {
            name: "back while the details are being sent waits for the answer",
            before: manual_entry(automatic.clone(), sending(), here()),
            event: Event::Back,
            after: manual_entry(automatic.clone(), sending(), here()),
            effects: vec![Effect::Ignored {
                state: "manual_entry",
                event: "back",
            }],
        },
        Row {
            name: "the account created, the session completes",
            before: manual_entry(automatic.clone(), sending(), here()),
            event: Event::ManualAccountCreated(manual_result(SessionStatus::Open)),
            after: State::Completing {
                session: automatic.clone(),
            },
            effects: vec![Effect::Complete],
        },
        Row {
            name: "an unknown routing number is said on its field, keeping what was typed",
            before: manual_entry(automatic.clone(), sending(), here()),
            event: Event::ApiFailed {
                request: Request::CreateManualAccount,
                error: Failure::new(Some(ErrorCode::RoutingNumberUnknown), "No such bank."),
                retryable: false,
            },
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    refusals: 1,
                    refusal: Some(Refusal {
                        field: Some(ManualField::RoutingNumber),
                        failure: Failure::new(
                            Some(ErrorCode::RoutingNumberUnknown),
                            "We couldn't find a bank with this routing number. Check it and try again.",
                        ),
                    }),
                    ..filled_form()
                },
                here(),
            ),
            effects: vec![announce(
                "We couldn't find a bank with this routing number. Check it and try again.",
            )],
        },
        Row {
            name: "deposits that cannot be sent are said on the form",
            before: manual_entry(automatic.clone(), sending(), here()),
            event: Event::ApiFailed {
                request: Request::CreateManualAccount,
                error: Failure::new(Some(ErrorCode::MicrodepositsFailed), "Failed."),
                retryable: false,
            },
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    refusals: 1,
                    refusal: Some(Refusal {
                        field: None,
                        failure: Failure::new(
                            Some(ErrorCode::MicrodepositsFailed),
                            "We couldn't send deposits to this account. Check the details, or use another account.",
                        ),
                    }),
                    ..filled_form()
                },
                here(),
            ),
            effects: vec![announce(
                "We couldn't send deposits to this account. Check the details, or use another account.",
            )],
        },
        Row {
            name: "details sent without an answer keep their key for the next continue",
            before: manual_entry(automatic.clone(), sending(), here()),
            event: Event::ApiFailed {
                request: Request::CreateManualAccount,
                error: network_failure(),
                retryable: true,
            },
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    refusals: 1,
                    retry_key: Some("key-1".to_owned()),
                    refusal: Some(Refusal {
                        field: None,
                        failure: network_failure(),
                    }),
                    ..filled_form()
                },
                here(),
            ),
            effects: vec![announce(&network_failure().message)],
        },
        Row {
            name: "continue after no answer sends the same details with the same key",
            before: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    refusals: 1,
                    retry_key: Some("key-1".to_owned()),
                    refusal: Some(Refusal {
                        field: None,
                        failure: network_failure(),
                    }),
                    ..filled_form()
                },
                here(),
            ),
            event: Event::ManualDetailsSubmitted {
                idempotency_key: "key-2".to_owned(),
            },
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    refusals: 1,
                    ..sending()
                },
                here(),
            ),
            effects: vec![Effect::CreateManualAccount {
                request: filled_request(),
                idempotency_key: "key-1".to_owned(),
            }],
        },
        Row {
            name: "changing another field drops the old key and keeps the refusal of its own field",
            before: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    retry_key: Some("key-1".to_owned()),
                    refusal: Some(Refusal {
                        field: Some(ManualField::AccountNumber),
                        failure: Failure::new(Some(ErrorCode::BankAccountClosed), "Closed."),
                    }),
                    ..filled_form()
                },
                Directory::Server,
            ),
            event: typed(ManualInput::AccountType(BankAccountType::Savings)),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    account_type: BankAccountType::Savings,
                    refusal: Some(Refusal {
                        field: Some(ManualField::AccountNumber),
                        failure: Failure::new(Some(ErrorCode::BankAccountClosed), "Closed."),
                    }),
                    ..filled_form()
                },
                Directory::Server,
            ),
            effects: vec![],
        },
        Row {
            name: "changing the field the server refused clears its error",
            before: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    refusal: Some(Refusal {
                        field: Some(ManualField::AccountNumber),
                        failure: Failure::new(Some(ErrorCode::BankAccountClosed), "Closed."),
                    }),
                    ..filled_form()
                },
                Directory::Server,
            ),
            event: typed(ManualInput::AccountNumber("00012345678".to_owned())),
            after: manual_entry(
                automatic.clone(),
                ManualForm {
                    checked: true,
                    account_number: "00012345678".to_owned(),
                    ..filled_form()
                },
                Directory::Server,
            ),
            effects: vec![],
        },
        Row {
            name: "back from the form goes to the bank list",
            before: manual_entry(automatic.clone(), filled_form(), here()),
            event: Event::Back,
            after: State::SelectInstitution {
                session: automatic.clone(),
                query: String::new(),
                results: Results::Searching { previous: vec![] },
                featured: vec![],
                directory: Directory::Loading,
            },
            effects: vec![
                Effect::Search {
                    query: String::new(),
                },
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "a microdeposits form has no bank list to go back to",
            before: manual_entry(microdeposits.clone(), filled_form(), here()),
            event: Event::Back,
            after: manual_entry(microdeposits.clone(), filled_form(), here()),
            effects: vec![Effect::Ignored {
                state: "manual_entry",
                event: "back",
            }],
        },
        Row {
            name: "the completed session shows the account with its verification pending",
            before: State::Completing {
                session: automatic.clone(),
            },
            event: Event::Completed(manual_result(SessionStatus::Completed)),
            after: State::Success {
                session: automatic.clone(),
                result: manual_result(SessionStatus::Completed),
                save: None,
            },
            effects: vec![
                Effect::Emit(HostEvent::Success),
                announce("Account added. Its verification is pending."),
            ],
        },
        Row {
            name: "a completion without an answer can be retried",
            before: State::Completing {
                session: automatic.clone(),
            },
            event: Event::ApiFailed {
                request: Request::Complete,
                error: network_failure(),
                retryable: true,
            },
            after: State::Failed {
                session: Some(automatic.clone()),
                error: network_failure(),
                retry: Some(Retry {
                    effect: Effect::Complete,
                    resume: Box::new(State::Completing {
                        session: automatic.clone(),
                    }),
                }),
            },
            effects: vec![
                Effect::Emit(HostEvent::Error { error_code: None }),
                announce(&network_failure().message),
            ],
        },
        Row {
            name: "close on the form cancels the session",
            before: manual_entry(automatic.clone(), filled_form(), here()),
            event: Event::Cancel,
            after: State::Cancelling {
                session: automatic.clone(),
            },
            effects: vec![Effect::Emit(HostEvent::Cancel), Effect::CancelSession],
        },
    ]
}

#[test]
fn every_transition_of_the_table() {
    for Row {
        name,
        before,
        event,
        after,
        effects,
    } in rows().into_iter().chain(manual_rows())
    {
        let (actual, actual_effects) = step(before, event);
        assert_eq!(actual, after, "state after: {name}");
        assert_eq!(actual_effects, effects, "effects of: {name}");
    }
}

#[test]
fn the_directory_file_applies_the_session_country_filter_as_the_server_does() {
    let mut canadian = link_session(ResumeAt::SelectInstitution);
    canadian.filters = Some(finlink_protocol::Filters {
        countries: Some(vec!["CA".to_owned()]),
        ..Default::default()
    });
    let canadian = Arc::new(canadian);
    let local = local_directory();
    let before = State::SelectInstitution {
        session: canadian.clone(),
        query: String::new(),
        results: Results::Searching { previous: vec![] },
        featured: vec![],
        directory: Directory::Loading,
    };
    let (state, _) = step(before, Event::DirectoryLoaded(Some(local.clone())));
    let (state, effects) = step(state, Event::QueryChanged("bank".to_owned()));
    let State::SelectInstitution { results, .. } = state else {
        panic!("still the bank list");
    };
    let maple = Institution {
        country: "CA".to_owned(),
        ..listed(
            institution("ins_maple", AuthMethod::Oauth, InstitutionStatus::Up),
            false,
        )
    };
    assert_eq!(results, Results::Found(vec![maple]));
    assert_eq!(
        effects,
        vec![
            Effect::Emit(HostEvent::SearchInitiated),
            announce("1 bank found.")
        ]
    );
}

#[test]
fn back_shows_on_the_form_only_where_it_leads_to_the_bank_list() {
    let automatic = session_verifying(VerificationMethod::Automatic);
    let microdeposits = session_verifying(VerificationMethod::Microdeposits);
    let form = |session: &Session, form| manual_entry(session.clone(), form, Directory::Server);
    assert!(form(&automatic, filled_form()).can_go_back());
    assert!(
        !form(&automatic, sending()).can_go_back(),
        "not while the details are sent"
    );
    assert!(
        !form(&microdeposits, filled_form()).can_go_back(),
        "no bank list"
    );
}

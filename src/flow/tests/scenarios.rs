//! Whole flows against a scripted link API: the person's actions go in, the API answers every
//! effect the way the sandbox banks do, and the host sees its events and one outcome.

use std::collections::{BTreeSet, VecDeque};

use finlink_protocol::AccountSelection;

use super::*;

/// The link API and its banks, as the sandbox documents them.
struct ScriptedApi {
    institutions: Vec<Institution>,
    accounts: Vec<LinkAccount>,
    /// Polls answered "still at the bank" before the OAuth bank authorizes.
    polls_before_authorized: u32,
    /// Requests that fail once with a network error before succeeding.
    flaky: Vec<Request>,
    current: Option<Institution>,
    linked: Vec<String>,
    /// The session's `account_selection`.
    selection: AccountSelection,
    /// The answer to `LoadDirectory`; `None` while the file is on its way.
    directory: Option<Option<LocalDirectory>>,
    /// The queries the server's search endpoint was asked.
    searches: Vec<String>,
    /// The session's `verification_method`.
    verification_method: Option<VerificationMethod>,
    /// Accounts entered by hand, created by the server.
    manual: Vec<LinkedAccount>,
    /// The manual account requests sent, with their idempotency keys.
    manual_requests: Vec<(ManualAccountRequest, String)>,
}

impl ScriptedApi {
    fn new() -> Self {
        Self {
            institutions: vec![
                credentials_bank(),
                oauth_bank(),
                institution(
                    "ins_down",
                    AuthMethod::Credentials,
                    InstitutionStatus::DownUnscheduled,
                ),
            ],
            accounts: vec![
                account("fca_checking", None),
                account("fca_savings", None),
                account("fca_card", Some(UnselectableReason::UnsupportedForPayments)),
            ],
            polls_before_authorized: 2,
            flaky: Vec::new(),
            current: None,
            linked: Vec::new(),
            selection: AccountSelection::Multiple,
            directory: None,
            searches: Vec::new(),
            verification_method: None,
            manual: Vec::new(),
            manual_requests: Vec::new(),
        }
    }

    /// A session asking for `payment_method` with this `verification_method`.
    fn verifying(method: VerificationMethod) -> Self {
        Self {
            verification_method: Some(method),
            ..Self::new()
        }
    }

    /// The link session as the server answers it, with the script's account selection.
    fn session(&self, resume: ResumeAt) -> Box<LinkSession> {
        let mut session = link_session(resume);
        session.account_selection = self.selection;
        session.verification_method = self.verification_method;
        Box::new(session)
    }

    fn flaky_once(&mut self, request: Request) -> Option<Event> {
        let position = self.flaky.iter().position(|flaky| *flaky == request)?;
        self.flaky.remove(position);
        Some(Event::ApiFailed {
            request,
            error: network_failure(),
            retryable: true,
        })
    }

    fn authorization(&self, state: AuthorizationState) -> Event {
        let institution = self.current.clone().unwrap_or_else(credentials_bank);
        Event::AuthorizationUpdated(authorization(&institution, state))
    }

    /// The answer to an IO effect, or `None` for effects that are not requests.
    fn answer(&mut self, effect: &Effect) -> Option<Event> {
        let request = match effect {
            Effect::LoadDirectory => return self.directory.clone().map(Event::DirectoryLoaded),
            Effect::LoadSession => Request::LoadSession,
            Effect::GiveConsent { .. } => Request::GiveConsent,
            Effect::Search { .. } => Request::Search,
            Effect::StartAuthorization { .. } | Effect::StartRedirectAuthorization { .. } => {
                Request::StartAuthorization
            }
            Effect::SubmitCredentials { .. } => Request::SubmitCredentials,
            Effect::SubmitMfa { .. } => Request::SubmitMfa,
            Effect::PollAuthorization { .. } => Request::PollAuthorization,
            Effect::LoadAccounts { .. } => Request::LoadAccounts,
            Effect::AttachAccounts { .. } => Request::AttachAccounts,
            Effect::CreateManualAccount { .. } => Request::CreateManualAccount,
            Effect::Complete => Request::Complete,
            Effect::CancelSession => Request::CancelSession,
            // The returning-user path has its own script (tests/returning.rs).
            Effect::SendCode
            | Effect::VerifyCode { .. }
            | Effect::LoadSavedAccounts
            | Effect::AttachSavedAccounts { .. }
            | Effect::ForgetSavedAccounts
            | Effect::DeclineSavedAccounts
            | Effect::SaveAccounts { .. }
            | Effect::OpenPopup { .. }
            | Effect::Redirect { .. }
            | Effect::StartTimer { .. }
            | Effect::Emit(_)
            | Effect::Announce(_)
            | Effect::Finish(_)
            | Effect::Ignored { .. } => return None,
        };
        if let Some(failure) = self.flaky_once(request) {
            return Some(failure);
        }
        Some(match effect {
            Effect::LoadSession => Event::SessionLoaded(self.session(ResumeAt::Consent)),
            Effect::GiveConsent { .. } => {
                Event::ConsentRecorded(self.session(ResumeAt::SelectInstitution))
            }
            Effect::Search { query } => Event::InstitutionsLoaded {
                query: {
                    self.searches.push(query.clone());
                    query.clone()
                },
                institutions: self
                    .institutions
                    .iter()
                    .filter(|i| i.name.to_lowercase().contains(&query.to_lowercase()))
                    .cloned()
                    .collect(),
            },
            Effect::StartAuthorization { institution: id }
            | Effect::StartRedirectAuthorization { institution: id } => {
                self.current = self.institutions.iter().find(|i| &i.id == id).cloned();
                match self.current.as_ref().map(|i| i.auth_method) {
                    Some(AuthMethod::Oauth) => {
                        self.authorization(AuthorizationState::AwaitingOauth {
                            oauth_url: "https://bank.example/authorize".to_owned(),
                        })
                    }
                    _ => self.authorization(AuthorizationState::AwaitingCredentials {
                        error: None,
                        attempts_remaining: 5,
                    }),
                }
            }
            Effect::SubmitCredentials { password, .. } => match password.as_str() {
                "pass_good" => self.authorization(AuthorizationState::Authorized),
                "pass_mfa_code" => self.authorization(AuthorizationState::AwaitingMfa {
                    challenge: mfa_code(),
                    error: None,
                    attempts_remaining: 3,
                }),
                "pass_error" => self.authorization(AuthorizationState::Failed {
                    error: api_error(
                        ErrorCode::InstitutionError,
                        "The bank could not complete the request.",
                    ),
                }),
                _ => self.authorization(AuthorizationState::AwaitingCredentials {
                    error: Some(api_error(
                        ErrorCode::InvalidCredentials,
                        "The username or password is incorrect.",
                    )),
                    attempts_remaining: 4,
                }),
            },
            Effect::SubmitMfa { answer, .. } if answer == "123456" => {
                self.authorization(AuthorizationState::Authorized)
            }
            Effect::SubmitMfa { .. } => self.authorization(AuthorizationState::AwaitingMfa {
                challenge: mfa_code(),
                error: Some(api_error(
                    ErrorCode::InvalidMfaAnswer,
                    "That answer is not correct.",
                )),
                attempts_remaining: 2,
            }),
            Effect::PollAuthorization { .. } if self.polls_before_authorized > 0 => {
                self.polls_before_authorized -= 1;
                self.authorization(AuthorizationState::AwaitingOauth {
                    oauth_url: "https://bank.example/authorize".to_owned(),
                })
            }
            Effect::PollAuthorization { .. } => self.authorization(AuthorizationState::Authorized),
            Effect::LoadAccounts { .. } => Event::AccountsLoaded(self.accounts.clone()),
            Effect::AttachAccounts { accounts, .. }
                if self.selection == AccountSelection::Single && accounts.len() > 1 =>
            {
                Event::ApiFailed {
                    request: Request::AttachAccounts,
                    error: Failure::from_api(&api_error(
                        ErrorCode::TooManyAccountsSelected,
                        "Select only one account: this session links a single account.",
                    )),
                    retryable: false,
                }
            }
            Effect::AttachAccounts { accounts, .. } => {
                for account in accounts {
                    if !self.linked.contains(account) {
                        self.linked.push(account.clone());
                    }
                }
                Event::Linked(self.result(SessionStatus::Open))
            }
            Effect::CreateManualAccount {
                request,
                idempotency_key,
            } => {
                self.manual_requests
                    .push((request.clone(), idempotency_key.clone()));
                // The sandbox's documented account numbers.
                let refused = |code, message: &str| Event::ApiFailed {
                    request: Request::CreateManualAccount,
                    error: Failure::from_api(&api_error(code, message)),
                    retryable: false,
                };
                match request.account_number.as_str() {
                    "4000000001" => refused(ErrorCode::BankAccountClosed, "closed"),
                    "4000000002" => refused(ErrorCode::BankAccountNotFound, "not found"),
                    "4000000003" => refused(ErrorCode::MicrodepositsFailed, "not sent"),
                    number => {
                        let last4 = number.get(number.len().saturating_sub(4)..).unwrap_or("");
                        let account =
                            manual_account("fca_manual", last4, MicrodepositType::Amounts);
                        if !self.manual.contains(&account) {
                            self.manual.push(account);
                        }
                        Event::ManualAccountCreated(self.result(SessionStatus::Open))
                    }
                }
            }
            Effect::Complete => Event::Completed(self.result(SessionStatus::Completed)),
            Effect::CancelSession => {
                Event::SessionCancelled(Some(self.result(SessionStatus::Cancelled)))
            }
            Effect::LoadDirectory
            | Effect::SendCode
            | Effect::VerifyCode { .. }
            | Effect::LoadSavedAccounts
            | Effect::AttachSavedAccounts { .. }
            | Effect::ForgetSavedAccounts
            | Effect::DeclineSavedAccounts
            | Effect::SaveAccounts { .. }
            | Effect::OpenPopup { .. }
            | Effect::Redirect { .. }
            | Effect::StartTimer { .. }
            | Effect::Emit(_)
            | Effect::Announce(_)
            | Effect::Finish(_)
            | Effect::Ignored { .. } => return None,
        })
    }

    fn result(&self, status: SessionStatus) -> LinkResult {
        let ids: Vec<&str> = self.linked.iter().map(String::as_str).collect();
        let mut result = link_result(status, &ids);
        result.accounts.extend(self.manual.iter().cloned());
        result
    }
}

/// A widget run: the driver's job, done synchronously against the script.
struct Run {
    state: State,
    api: ScriptedApi,
    host_events: Vec<&'static str>,
    outcomes: Vec<Outcome>,
    popups: Vec<String>,
    timers: u32,
}

impl Run {
    fn start(api: ScriptedApi) -> Self {
        let (state, effects) = start();
        let mut run = Self {
            state,
            api,
            host_events: Vec::new(),
            outcomes: Vec::new(),
            popups: Vec::new(),
            timers: 0,
        };
        run.perform(effects);
        run
    }

    /// The person (or a timer) does something; IO answers until the flow waits for the person.
    fn person(&mut self, event: Event) -> &mut Self {
        let state = std::mem::replace(&mut self.state, State::Loading);
        let (next, effects) = step(state, event);
        self.state = next;
        self.perform(effects);
        self
    }

    fn perform(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            match &effect {
                Effect::Emit(event) => self.host_events.push(event.name()),
                Effect::Finish(outcome) => self.outcomes.push(outcome.clone()),
                Effect::OpenPopup { url } => self.popups.push(url.clone()),
                Effect::StartTimer { .. } => self.timers += 1,
                _ => {}
            }
            if let Some(answer) = self.api.answer(&effect) {
                let state = std::mem::replace(&mut self.state, State::Loading);
                let (next, more) = step(state, answer);
                self.state = next;
                queue.extend(more);
            }
        }
    }

    /// Lets the poll timer fire until the flow stops asking.
    fn let_timers_fire(&mut self) -> &mut Self {
        for _ in 0..10 {
            if self.timers == 0 {
                break;
            }
            self.timers -= 1;
            self.person(Event::TimerFired);
        }
        self
    }

    fn search_and_pick(&mut self, query: &str, pick: Institution) -> &mut Self {
        self.person(Event::ConsentGiven)
            .person(Event::QueryChanged(query.to_owned()))
            .person(Event::InstitutionChosen(Box::new(pick)))
    }

    fn link_checking(&mut self) -> &mut Self {
        self.person(Event::AccountToggled("fca_checking".to_owned()))
            .person(Event::AccountsConfirmed {
                idempotency_key: "key-1".to_owned(),
            })
    }
}

const LINKED_EVENTS: [&str; 7] = [
    "open",
    "consent_acquired",
    "search_initiated",
    "institution_selected",
    "institution_authorized",
    "accounts_selected",
    "success",
];

#[test]
fn linking_with_a_password_gives_the_host_the_account_and_every_event_in_order() {
    let mut run = Run::start(ScriptedApi::new());
    run.search_and_pick("ins_cred", credentials_bank())
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_good".to_owned(),
        })
        .link_checking();
    assert_eq!(run.state.name(), "success");
    run.person(Event::Done);
    assert_eq!(run.host_events, LINKED_EVENTS);
    assert_eq!(
        run.outcomes,
        vec![Outcome::Linked(link_result(
            SessionStatus::Completed,
            &["fca_checking"]
        ))]
    );
}

#[test]
fn a_code_challenge_is_answered_after_one_wrong_try() {
    let mut run = Run::start(ScriptedApi::new());
    run.search_and_pick("ins_cred", credentials_bank())
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_mfa_code".to_owned(),
        })
        .person(Event::MfaAnswered("000000".to_owned()));
    let State::Mfa { form, .. } = &run.state else {
        panic!("expected the MFA step, got {}", run.state.name())
    };
    assert_eq!(
        form.error.as_ref().map(|error| error.message.as_str()),
        Some("That answer is not correct.")
    );
    run.person(Event::MfaAnswered("123456".to_owned()))
        .link_checking()
        .person(Event::Done);
    assert!(matches!(run.outcomes.as_slice(), [Outcome::Linked(_)]));
}

#[test]
fn a_wrong_password_then_the_right_one_keeps_the_username_between_tries() {
    let mut run = Run::start(ScriptedApi::new());
    run.search_and_pick("ins_cred", credentials_bank())
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "nope".to_owned(),
        });
    let State::Credentials { form, .. } = &run.state else {
        panic!("expected the form again")
    };
    assert_eq!(form.username, "jenny");
    assert_eq!(form.attempts_remaining, 4);
    assert!(form.error.is_some());
    run.person(Event::CredentialsSubmitted {
        username: "jenny".to_owned(),
        password: "pass_good".to_owned(),
    });
    assert_eq!(run.state.name(), "select_accounts");
}

#[test]
fn oauth_opens_the_bank_once_and_goes_on_when_the_bank_authorizes() {
    let mut run = Run::start(ScriptedApi::new());
    run.search_and_pick("ins_oauth", oauth_bank());
    assert!(matches!(
        run.state,
        State::OAuth {
            handoff: Handoff::Ready,
            ..
        }
    ));
    run.person(Event::ContinueToBank).let_timers_fire();
    assert_eq!(
        run.popups,
        vec!["https://bank.example/authorize".to_owned()]
    );
    assert_eq!(run.state.name(), "select_accounts");
    run.link_checking().person(Event::Done);
    assert_eq!(
        run.host_events,
        [
            "open",
            "consent_acquired",
            "search_initiated",
            "institution_selected",
            "flow_launched_in_browser",
            "institution_authorized",
            "accounts_selected",
            "success"
        ]
    );
}

#[test]
fn a_fatal_bank_error_offers_a_retry_and_another_bank() {
    let mut run = Run::start(ScriptedApi::new());
    run.search_and_pick("ins_cred", credentials_bank())
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_error".to_owned(),
        });
    assert!(matches!(&run.state, State::Failed { retry: Some(_), .. }));
    assert!(run.state.can_go_back());
    run.person(Event::Back);
    assert_eq!(run.state.name(), "select_institution");
    assert_eq!(run.host_events.last(), Some(&"error"));
}

#[test]
fn network_failures_are_retried_without_linking_twice() {
    let mut api = ScriptedApi::new();
    api.flaky = vec![Request::LoadSession, Request::AttachAccounts];
    let mut run = Run::start(api);
    assert_eq!(run.state.name(), "failed");
    run.person(Event::Retry);
    assert_eq!(run.state.name(), "consent");
    run.search_and_pick("ins_cred", credentials_bank())
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_good".to_owned(),
        })
        .link_checking();
    assert_eq!(run.state.name(), "failed");
    run.person(Event::Retry).person(Event::Done);
    assert_eq!(
        run.outcomes,
        vec![Outcome::Linked(link_result(
            SessionStatus::Completed,
            &["fca_checking"]
        ))]
    );
}

#[test]
fn cancel_at_every_step_ends_with_a_cancelled_outcome_once() {
    let steps: Vec<fn(&mut Run)> = vec![
        |_| {},
        |run| {
            run.person(Event::ConsentGiven);
        },
        |run| {
            run.search_and_pick("ins_cred", credentials_bank());
        },
        |run| {
            run.search_and_pick("ins_oauth", oauth_bank())
                .person(Event::ContinueToBank);
        },
        |run| {
            run.search_and_pick("ins_cred", credentials_bank()).person(
                Event::CredentialsSubmitted {
                    username: "j".to_owned(),
                    password: "pass_mfa_code".to_owned(),
                },
            );
        },
        |run| {
            run.search_and_pick("ins_cred", credentials_bank()).person(
                Event::CredentialsSubmitted {
                    username: "j".to_owned(),
                    password: "pass_good".to_owned(),
                },
            );
        },
    ];
    for (index, go_to_step) in steps.into_iter().enumerate() {
        let mut run = Run::start(ScriptedApi::new());
        go_to_step(&mut run);
        let at = run.state.name();
        run.person(Event::Cancel).person(Event::Cancel);
        assert_eq!(
            run.outcomes.len(),
            1,
            "one outcome when cancelled at step {index} ({at})"
        );
        assert!(
            matches!(run.outcomes[0], Outcome::Cancelled(_)),
            "cancelled at {at}"
        );
        assert_eq!(run.host_events.last(), Some(&"cancel"), "cancelled at {at}");
    }
}

#[test]
fn a_reload_at_account_selection_resumes_there_without_a_new_login() {
    let resumed = link_session(ResumeAt::SelectAccounts {
        authorization: authorization(&credentials_bank(), AuthorizationState::Authorized),
    });
    let (state, effects) = step(State::Loading, Event::SessionLoaded(Box::new(resumed)));
    assert_eq!(state.name(), "loading_accounts");
    assert_eq!(
        effects,
        vec![
            Effect::Emit(HostEvent::Open),
            Effect::LoadAccounts {
                authorization: "fcauth_1".to_owned()
            }
        ]
    );
}

#[test]
fn in_a_single_account_session_the_last_account_chosen_is_the_one_linked() {
    let mut api = ScriptedApi::new();
    api.selection = AccountSelection::Single;
    let mut run = Run::start(api);
    run.search_and_pick("ins_cred", credentials_bank())
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_good".to_owned(),
        })
        .person(Event::AccountToggled("fca_checking".to_owned()))
        .person(Event::AccountToggled("fca_savings".to_owned()));
    let State::SelectAccounts { selected, .. } = &run.state else {
        panic!("expected account selection, got {}", run.state.name())
    };
    assert_eq!(selected, &BTreeSet::from(["fca_savings".to_owned()]));
    run.person(Event::AccountsConfirmed {
        idempotency_key: "key-1".to_owned(),
    })
    .person(Event::Done);
    assert_eq!(run.host_events, LINKED_EVENTS);
    assert_eq!(
        run.outcomes,
        vec![Outcome::Linked(link_result(
            SessionStatus::Completed,
            &["fca_savings"]
        ))]
    );
}

#[test]
fn in_a_single_account_session_a_refused_attach_keeps_the_person_at_account_selection() {
    let mut api = ScriptedApi::new();
    api.selection = AccountSelection::Single;
    let mut run = Run::start(api);
    run.search_and_pick("ins_cred", credentials_bank())
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_good".to_owned(),
        });
    // A selection of two can only come from outside the flow (a stale or forged state); the
    // server refuses it and the person chooses again.
    let State::SelectAccounts {
        session,
        institution,
        authorization,
        accounts,
        ..
    } = std::mem::replace(&mut run.state, State::Loading)
    else {
        panic!("expected account selection")
    };
    run.state = State::SelectAccounts {
        session,
        institution,
        authorization,
        accounts,
        selected: BTreeSet::from(["fca_checking".to_owned(), "fca_savings".to_owned()]),
        error: None,
    };
    run.person(Event::AccountsConfirmed {
        idempotency_key: "key-1".to_owned(),
    });
    let State::SelectAccounts { error, .. } = &run.state else {
        panic!("expected account selection, got {}", run.state.name())
    };
    assert_eq!(
        error.as_ref().and_then(|error| error.code),
        Some(ErrorCode::TooManyAccountsSelected)
    );
    assert!(run.outcomes.is_empty());
}

// ---- Searching: at the server until the directory file is here, then in the widget -------

/// The names of the banks the list shows.
fn shown(state: &State) -> Vec<String> {
    let State::SelectInstitution {
        results, featured, ..
    } = state
    else {
        panic!("expected the bank list, got {}", state.name())
    };
    match results {
        Results::Featured => featured.iter().map(|i| i.name.clone()).collect(),
        Results::Found(found) => found.iter().map(|i| i.name.clone()).collect(),
        Results::Searching { .. } | Results::NoResults | Results::Failed(_) => Vec::new(),
    }
}

impl Run {
    fn directory_arrives(&mut self, answer: Option<LocalDirectory>) -> &mut Self {
        self.person(Event::DirectoryLoaded(answer))
    }

    /// Types `text` letter by letter.
    fn types(&mut self, text: &str) -> &mut Self {
        let mut typed = String::new();
        for letter in text.chars() {
            typed.push(letter);
            self.person(Event::QueryChanged(typed.clone()));
        }
        self
    }
}

#[test]
fn before_the_directory_file_arrives_the_server_answers_each_keystroke() {
    let mut run = Run::start(ScriptedApi::new());
    run.person(Event::ConsentGiven).types("ins_o");
    assert_eq!(run.api.searches, ["", "i", "in", "ins", "ins_", "ins_o"]);
    assert_eq!(shown(&run.state), ["Bank ins_oauth"]);
}

#[test]
fn once_the_directory_file_is_here_keystrokes_are_answered_without_a_request() {
    let mut run = Run::start(ScriptedApi::new());
    run.person(Event::ConsentGiven).types("ba");
    assert_eq!(run.api.searches, ["", "b", "ba"]);
    run.directory_arrives(Some(local_directory()));
    run.types("bank ins c");
    assert_eq!(
        run.api.searches,
        ["", "b", "ba"],
        "no request after the file came"
    );
    assert_eq!(shown(&run.state), ["Bank ins_credentials"]);
    run.person(Event::InstitutionChosen(Box::new(listed(
        credentials_bank(),
        true,
    ))));
    assert_eq!(run.state.name(), "credentials");
    assert_eq!(
        run.host_events,
        [
            "open",
            "consent_acquired",
            "search_initiated",
            "institution_selected"
        ]
    );
}

#[test]
fn a_directory_file_that_cannot_be_had_leaves_searching_to_the_server_silently() {
    let mut api = ScriptedApi::new();
    api.directory = Some(None);
    let mut run = Run::start(api);
    run.person(Event::ConsentGiven).types("ins_c");
    assert_eq!(run.api.searches, ["", "i", "in", "ins", "ins_", "ins_c"]);
    assert_eq!(shown(&run.state), ["Bank ins_credentials"]);
    assert!(
        !run.host_events.contains(&"error"),
        "the person and the host hear nothing of it"
    );
    assert!(matches!(
        run.state,
        State::SelectInstitution {
            directory: Directory::Server,
            results: Results::Found(_),
            ..
        }
    ));
}

#[test]
fn with_the_directory_file_an_empty_query_shows_the_featured_banks_heaviest_first() {
    let mut api = ScriptedApi::new();
    api.directory = Some(Some(local_directory()));
    // The server has no featured banks to offer here: the file's are shown.
    api.institutions.clear();
    let mut run = Run::start(api);
    run.person(Event::ConsentGiven);
    assert_eq!(
        shown(&run.state),
        ["Bank ins_credentials", "Bank ins_oauth"]
    );
    run.types("zz");
    assert_eq!(shown(&run.state), Vec::<String>::new());
    run.person(Event::QueryChanged(String::new()));
    assert_eq!(
        shown(&run.state),
        ["Bank ins_credentials", "Bank ins_oauth"]
    );
    assert_eq!(
        run.api.searches,
        [""],
        "only the first featured list was asked for"
    );
}

#[test]
fn back_at_the_bank_list_the_directory_file_already_fetched_answers_again() {
    let mut api = ScriptedApi::new();
    let local = local_directory();
    api.directory = Some(Some(local.clone()));
    let mut run = Run::start(api);
    run.search_and_pick("bank ins o", listed(oauth_bank(), true));
    assert_eq!(run.state.name(), "oauth");
    run.person(Event::Back);
    assert!(matches!(
        &run.state,
        State::SelectInstitution { directory: Directory::Local(again), .. } if *again == local
    ));
}

// ---- Manual entry ---------------------------------------------------------------------

impl Run {
    /// Types the account's details into the manual entry form, field by field.
    fn fill_form(&mut self, account_number: &str) -> &mut Self {
        for input in [
            ManualInput::RoutingNumber(ROUTING_NUMBER.to_owned()),
            ManualInput::AccountNumber(account_number.to_owned()),
            ManualInput::AccountNumberConfirmation(account_number.to_owned()),
            ManualInput::AccountType(BankAccountType::Savings),
            ManualInput::AccountHolderName("Jenny Rosen".to_owned()),
        ] {
            self.person(Event::ManualInputChanged(input));
        }
        self
    }

    fn submit(&mut self, idempotency_key: &str) -> &mut Self {
        self.person(Event::ManualDetailsSubmitted {
            idempotency_key: idempotency_key.to_owned(),
        })
    }

    fn form(&self) -> &ManualForm {
        match &self.state {
            State::ManualEntry { form, .. } => form,
            other => panic!("expected the manual entry form, not {}", other.name()),
        }
    }
}

#[test]
fn automatic_offers_manual_entry_when_no_bank_matches_and_the_host_gets_the_pending_account() {
    let mut api = ScriptedApi::verifying(VerificationMethod::Automatic);
    api.directory = Some(Some(routing_directory()));
    let mut run = Run::start(api);
    run.person(Event::ConsentGiven)
        .person(Event::QueryChanged("credit union of nowhere".to_owned()));
    assert!(matches!(
        run.state,
        State::SelectInstitution {
            results: Results::NoResults,
            ..
        }
    ));
    assert!(run.state.offers_manual_entry(), "offered with no results");

    run.person(Event::ManualEntryChosen)
        .fill_form("000123456789");
    assert_eq!(
        run.form().bank_name.as_deref(),
        Some("Bank ins_credentials"),
        "the directory file names the bank"
    );
    run.submit("key-manual");
    assert_eq!(run.state.name(), "success");
    let State::Success { result, .. } = &run.state else {
        unreachable!()
    };
    let verification = result.accounts[0].verification.as_ref();
    assert_eq!(
        verification.map(|verification| verification.status),
        Some(VerificationStatus::Pending)
    );
    let sent = &run.api.manual_requests;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0.account_type, BankAccountType::Savings);
    assert_eq!(sent[0].0.account_holder_name, "Jenny Rosen");
    assert_eq!(sent[0].1, "key-manual");

    run.person(Event::Done);
    assert_eq!(
        run.host_events,
        [
            "open",
            "consent_acquired",
            "search_initiated",
            "manual_entry_initiated",
            "success"
        ]
    );
    assert_eq!(
        run.outcomes,
        vec![Outcome::Linked(LinkResult {
            session: "fcsess_1".to_owned(),
            status: SessionStatus::Completed,
            accounts: vec![manual_account(
                "fca_manual",
                "6789",
                MicrodepositType::Amounts
            )],
        })]
    );
}

#[test]
fn microdeposits_go_from_consent_straight_to_the_form_with_no_bank_list_to_go_back_to() {
    let mut run = Run::start(ScriptedApi::verifying(VerificationMethod::Microdeposits));
    run.person(Event::ConsentGiven);
    assert_eq!(run.state.name(), "manual_entry");
    assert!(run.api.searches.is_empty(), "no bank list, no search");
    assert!(!run.state.can_go_back());
    run.person(Event::Back);
    assert_eq!(run.state.name(), "manual_entry", "Back leads nowhere");

    run.fill_form("000123456789").submit("key-1");
    assert_eq!(run.state.name(), "success");
    assert_eq!(
        run.host_events,
        [
            "open",
            "consent_acquired",
            "manual_entry_initiated",
            "success"
        ]
    );
}

#[test]
fn a_reloaded_microdeposits_session_resumes_at_the_form() {
    let mut session = link_session(ResumeAt::SelectInstitution);
    session.verification_method = Some(VerificationMethod::Microdeposits);
    let (state, effects) = step(State::Loading, Event::SessionLoaded(Box::new(session)));
    assert_eq!(state.name(), "manual_entry");
    assert_eq!(
        effects,
        vec![
            Effect::Emit(HostEvent::Open),
            Effect::Emit(HostEvent::ManualEntryInitiated),
            Effect::LoadDirectory,
        ]
    );
}

#[test]
fn instant_never_offers_manual_entry_not_even_after_the_bank_failed() {
    let mut run = Run::start(ScriptedApi::verifying(VerificationMethod::Instant));
    run.person(Event::ConsentGiven)
        .person(Event::QueryChanged("nowhere".to_owned()));
    assert!(!run.state.offers_manual_entry());
    run.person(Event::ManualEntryChosen);
    assert_eq!(run.state.name(), "select_institution");

    run.person(Event::QueryChanged("ins_cred".to_owned()))
        .person(Event::InstitutionChosen(Box::new(credentials_bank())))
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_error".to_owned(),
        });
    assert_eq!(run.state.name(), "failed");
    assert!(!run.state.offers_manual_entry());
    run.person(Event::ManualEntryChosen);
    assert_eq!(run.state.name(), "failed");
    assert!(!run.host_events.contains(&"manual_entry_initiated"));
}

#[test]
fn a_session_without_payment_method_never_offers_manual_entry() {
    let mut run = Run::start(ScriptedApi::new());
    run.person(Event::ConsentGiven)
        .person(Event::QueryChanged("nowhere".to_owned()));
    assert!(!run.state.offers_manual_entry());
    run.person(Event::ManualEntryChosen);
    assert_eq!(run.state.name(), "select_institution");
}

#[test]
fn after_the_bank_failed_the_person_can_enter_the_details_by_hand() {
    let mut run = Run::start(ScriptedApi::verifying(VerificationMethod::Automatic));
    run.search_and_pick("ins_cred", credentials_bank())
        .person(Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_error".to_owned(),
        });
    assert_eq!(run.state.name(), "failed");
    assert!(run.state.offers_manual_entry());
    run.person(Event::ManualEntryChosen)
        .fill_form("000123456789")
        .submit("key-1");
    assert_eq!(run.state.name(), "success");
    assert_eq!(
        run.host_events[run.host_events.len() - 2..],
        ["manual_entry_initiated", "success"]
    );
}

#[test]
fn a_closed_account_is_said_on_its_field_and_the_person_fixes_it_keeping_the_rest() {
    let mut run = Run::start(ScriptedApi::verifying(VerificationMethod::Microdeposits));
    run.person(Event::ConsentGiven)
        .fill_form("4000000001")
        .submit("key-1");
    let form = run.form();
    assert_eq!(
        form.account_holder_name, "Jenny Rosen",
        "what was typed stays"
    );
    assert_eq!(form.account_number, "4000000001");
    assert!(
        form.error(ManualField::AccountNumber)
            .is_some_and(|error| error.contains("closed")),
        "{:?}",
        form.errors()
    );
    assert_eq!(form.submitting, None);

    run.person(Event::ManualInputChanged(ManualInput::AccountNumber(
        "000123456789".to_owned(),
    )))
    .person(Event::ManualInputChanged(
        ManualInput::AccountNumberConfirmation("000123456789".to_owned()),
    ))
    .submit("key-2");
    assert_eq!(run.state.name(), "success");
    let keys: Vec<&str> = run
        .api
        .manual_requests
        .iter()
        .map(|(_, key)| key.as_str())
        .collect();
    assert_eq!(
        keys,
        ["key-1", "key-2"],
        "changed details are a new request"
    );
}

#[test]
fn details_sent_without_an_answer_are_sent_again_with_the_same_key() {
    let mut api = ScriptedApi::verifying(VerificationMethod::Microdeposits);
    api.flaky = vec![Request::CreateManualAccount];
    let mut run = Run::start(api);
    run.person(Event::ConsentGiven)
        .fill_form("000123456789")
        .submit("key-1");
    let form = run.form();
    assert_eq!(
        form.form_error().map(|error| error.message.as_str()),
        Some("We couldn't reach finlink. Check your connection and try again.")
    );
    assert_eq!(form.account_number, "000123456789");
    run.submit("key-2");
    assert_eq!(run.state.name(), "success");
    let keys: Vec<&str> = run
        .api
        .manual_requests
        .iter()
        .map(|(_, key)| key.as_str())
        .collect();
    assert_eq!(
        keys,
        ["key-1"],
        "the unanswered request's key, so one account"
    );
}

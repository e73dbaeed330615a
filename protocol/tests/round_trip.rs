//! Every body survives a trip through JSON unchanged, and the JSON has the shape DESIGN §3
//! documents, so that widget, server and integrators read the same thing.

use std::fmt::Debug;

use finlink_protocol::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) -> Value {
    let json = serde_json::to_value(value).expect("serializes");
    let back: T = serde_json::from_value(json.clone()).expect("deserializes");
    assert_eq!(&back, value);
    json
}

fn institution() -> Institution {
    Institution {
        id: "ins_sandbox_oauth".into(),
        name: "Sandbox Bank (OAuth)".into(),
        url: Some("https://bank.example".into()),
        routing_numbers: vec!["110000000".into()],
        auth_method: AuthMethod::Oauth,
        status: InstitutionStatus::Up,
        featured: true,
        country: "US".into(),
    }
}

fn error() -> ApiError {
    ApiError {
        kind: ErrorType::InvalidRequestError,
        code: ErrorCode::SessionExpired,
        message: "This session expired; create a new one.".into(),
        param: None,
        request_id: Some("req_123".into()),
    }
}

fn account() -> Account {
    Account {
        id: "fca_1".into(),
        created: 1,
        livemode: false,
        account_holder: Some(AccountHolder {
            kind: AccountHolderKind::Customer,
            customer: Some("cus_1".into()),
            account: None,
            email: None,
        }),
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Checking,
        display_name: "Everyday Checking".into(),
        institution_name: "Sandbox Bank (OAuth)".into(),
        last4: "6789".into(),
        status: AccountStatus::Active,
        permissions: vec![Permission::PaymentMethod],
        supported_payment_method_types: vec!["us_bank_account".into()],
        session: "fcsess_1".into(),
        balance: Some(Balance {
            as_of: 2,
            current: [("usd".to_owned(), 123_456)].into_iter().collect(),
            available: Some([("usd".to_owned(), 100_000)].into_iter().collect()),
        }),
        balance_refresh: Some(Refresh {
            status: RefreshStatus::Succeeded,
            last_attempted_at: 2,
            next_refresh_available_at: None,
        }),
        ownership: Some("fcaowns_1".into()),
        ownership_refresh: Some(Refresh {
            status: RefreshStatus::Pending,
            last_attempted_at: 3,
            next_refresh_available_at: None,
        }),
        transaction_refresh: Some(TransactionRefresh {
            id: "fctxnref_1".into(),
            status: RefreshStatus::Failed,
            last_attempted_at: 4,
            next_refresh_available_at: Some(64),
        }),
        subscriptions: vec![Feature::Transactions],
        verification: None,
    }
}

#[test]
fn the_error_object_has_the_documented_shape() {
    let json = round_trip(&ErrorResponse { error: error() });
    assert_eq!(
        json,
        json!({ "error": { "type": "invalid_request_error", "code": "session_expired",
            "message": "This session expired; create a new one.", "param": null, "request_id": "req_123" } })
    );
}

#[test]
fn an_error_code_from_a_newer_server_reads_as_unknown() {
    let error: ApiError = serde_json::from_value(json!({ "type": "api_error", "code": "brand_new_code", "message": "m", "param": null, "request_id": null }))
        .expect("deserializes");
    assert_eq!(error.code, ErrorCode::Unknown);
}

#[test]
fn a_session_round_trips_with_its_object_name_and_accounts_list() {
    let session = Session {
        id: "fcsess_1".into(),
        created: 1,
        livemode: false,
        client_secret: Some("fcsess_1_secret_abc".into()),
        account_holder: None,
        permissions: vec![Permission::PaymentMethod, Permission::Balances],
        filters: Some(Filters {
            countries: Some(vec!["US".into()]),
            account_subcategories: Some(vec![AccountSubcategory::Checking]),
            institution: None,
        }),
        prefetch: vec![Feature::Balance],
        return_url: Some("https://shop.example/done".into()),
        account_selection: AccountSelection::Single,
        verification_method: Some(VerificationMethod::Automatic),
        microdeposit_type: Some(MicrodepositType::Amounts),
        status: SessionStatus::Open,
        expires_at: 1801,
        accounts: List::complete(vec![account()], "/v1/financial_connections/accounts"),
    };
    let json = round_trip(&session);
    assert_eq!(json["object"], "financial_connections.session");
    assert_eq!(json["accounts"]["object"], "list");
    assert_eq!(
        json["accounts"]["data"][0]["object"],
        "financial_connections.account"
    );
    assert_eq!(
        json["filters"]["account_subcategories"],
        json!(["checking"])
    );
}

#[test]
fn a_session_without_a_secret_leaves_the_field_out() {
    let json = serde_json::to_value(Session {
        id: "fcsess_1".into(),
        created: 1,
        livemode: false,
        client_secret: None,
        account_holder: None,
        permissions: vec![Permission::Ownership],
        filters: None,
        prefetch: vec![],
        return_url: None,
        account_selection: AccountSelection::Multiple,
        verification_method: None,
        microdeposit_type: None,
        status: SessionStatus::Completed,
        expires_at: 1,
        accounts: List::complete(vec![], "/v1/financial_connections/accounts"),
    })
    .expect("serializes");
    assert!(json.get("client_secret").is_none());
}

#[test]
fn create_session_requests_refuse_unknown_fields_and_default_the_optional_ones() {
    let minimal: CreateSessionRequest =
        serde_json::from_value(json!({ "permissions": ["transactions"] })).expect("minimal");
    assert_eq!(minimal.permissions, vec![Permission::Transactions]);
    assert!(
        minimal.prefetch.is_empty() && minimal.filters.is_none() && minimal.return_url.is_none()
    );
    assert!(
        serde_json::from_value::<CreateSessionRequest>(json!({ "permissions": [], "extra": 1 }))
            .is_err()
    );
    round_trip(&CreateSessionRequest {
        account_holder: Some(AccountHolder {
            kind: AccountHolderKind::Account,
            customer: None,
            account: Some("acct_1".into()),
            email: Some("a@b.example".into()),
        }),
        permissions: vec![Permission::Balances],
        filters: None,
        prefetch: vec![Feature::Balance],
        return_url: None,
        account_selection: AccountSelection::Multiple,
        verification_method: None,
        microdeposit_type: None,
    });
}

#[test]
fn authorizations_carry_their_status_beside_their_data() {
    let states = [
        AuthorizationState::AwaitingOauth {
            oauth_url: "https://bank.example/authorize".into(),
        },
        AuthorizationState::AwaitingCredentials {
            error: Some(error()),
            attempts_remaining: 4,
        },
        AuthorizationState::AwaitingMfa {
            challenge: MfaChallenge::Code {
                message: "Enter the code".into(),
            },
            error: None,
            attempts_remaining: 3,
        },
        AuthorizationState::AwaitingMfa {
            challenge: MfaChallenge::Selection {
                question: "Is this you?".into(),
                options: vec!["Yes".into(), "No".into()],
            },
            error: None,
            attempts_remaining: 3,
        },
        AuthorizationState::AwaitingMfa {
            challenge: MfaChallenge::Question {
                question: "Colour?".into(),
            },
            error: None,
            attempts_remaining: 3,
        },
        AuthorizationState::Authorized,
        AuthorizationState::Failed { error: error() },
    ];
    let statuses: Vec<Value> = states
        .into_iter()
        .map(|state| {
            round_trip(&Authorization {
                id: "fcauth_1".into(),
                institution: institution(),
                state,
            })["status"]
                .clone()
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            json!("awaiting_oauth"),
            json!("awaiting_credentials"),
            json!("awaiting_mfa"),
            json!("awaiting_mfa"),
            json!("awaiting_mfa"),
            json!("authorized"),
            json!("failed")
        ]
    );
}

#[test]
fn link_session_resume_points_name_their_step() {
    let steps = [
        ResumeAt::Consent,
        ResumeAt::SelectInstitution,
        ResumeAt::SelectAccounts {
            authorization: Box::new(Authorization {
                id: "fcauth_1".into(),
                institution: institution(),
                state: AuthorizationState::Authorized,
            }),
        },
        ResumeAt::Authorization {
            authorization: Box::new(Authorization {
                id: "fcauth_1".into(),
                institution: institution(),
                state: AuthorizationState::Authorized,
            }),
        },
    ];
    let names: Vec<Value> = steps
        .into_iter()
        .map(|resume| {
            round_trip(&LinkSession {
                id: "fcsess_1".into(),
                business_name: "Demo Shop".into(),
                permissions: vec![Permission::Balances],
                filters: None,
                account_selection: AccountSelection::Multiple,
                verification_method: None,
                status: SessionStatus::Open,
                consent_given: true,
                resume,
                return_url: None,
                accounts: vec![],
                email: None,
                returning_user: None,
                expires_at: 1,
                terms_url: "https://finlink.example/terms".into(),
                privacy_url: "https://finlink.example/privacy".into(),
            })["resume"]["step"]
                .clone()
        })
        .collect();
    assert_eq!(
        names,
        vec![
            json!("consent"),
            json!("select_institution"),
            json!("select_accounts"),
            json!("authorization")
        ]
    );
}

#[test]
fn link_bodies_round_trip() {
    round_trip(&ConsentRequest {
        permissions: vec![Permission::PaymentMethod],
    });
    round_trip(&StartAuthorizationRequest {
        institution: "ins_1".into(),
        oauth_return: OAuthReturn::Redirect,
    });
    round_trip(&SubmitCredentialsRequest {
        username: "u".into(),
        password: "p".into(),
    });
    round_trip(&AnswerMfaRequest {
        answer: "123456".into(),
    });
    round_trip(&AttachAccountsRequest {
        accounts: vec!["fca_1".into()],
    });
    let offered = round_trip(&LinkAccount {
        id: "fca_1".into(),
        display_name: "Rewards Credit Card".into(),
        institution_name: "Sandbox Bank".into(),
        category: AccountCategory::Credit,
        subcategory: AccountSubcategory::CreditCard,
        last4: "9012".into(),
        status: AccountStatus::Active,
        unselectable_reason: Some(UnselectableReason::UnsupportedForPayments),
    });
    assert_eq!(offered["unselectable_reason"], "unsupported_for_payments");
    let result = round_trip(&LinkResult {
        session: "fcsess_1".into(),
        status: SessionStatus::Completed,
        accounts: vec![LinkedAccount {
            id: "fca_1".into(),
            display_name: "Everyday Checking".into(),
            institution_name: "Sandbox Bank".into(),
            category: AccountCategory::Cash,
            subcategory: AccountSubcategory::Checking,
            last4: "6789".into(),
            status: AccountStatus::Active,
            permissions: vec![Permission::PaymentMethod],
            verification: None,
        }],
    });
    assert_eq!(result["object"], "link_result");
    round_trip(&List::complete(
        vec![institution()],
        "/v1/link/institutions",
    ));
    round_trip(&account());
}

#[test]
fn subcategories_belong_to_their_category() {
    assert_eq!(
        AccountSubcategory::Savings.category(),
        AccountCategory::Cash
    );
    assert_eq!(
        AccountSubcategory::Mortgage.category(),
        AccountCategory::Credit
    );
    assert_eq!(Feature::Transactions.permission(), Permission::Transactions);
}

#[test]
fn a_manual_account_carries_its_pending_verification_and_the_link_to_verify() {
    let verification = MicrodepositVerification {
        status: VerificationStatus::Pending,
        microdeposit_type: MicrodepositType::DescriptorCode,
        failure_reason: None,
        attempts_remaining: 3,
        arrival_date: 10,
        expires_at: 20,
        hosted_verification_url: Some(
            "https://link.example/link/verify/#verification_secret=fcvs_1".into(),
        ),
    };
    let json = round_trip(&Account {
        verification: Some(verification),
        ..account()
    });
    assert_eq!(json["verification"]["status"], "pending");
    assert_eq!(json["verification"]["microdeposit_type"], "descriptor_code");
    assert_eq!(json["verification"]["attempts_remaining"], 3);
    assert_eq!(
        json["verification"]["hosted_verification_url"],
        "https://link.example/link/verify/#verification_secret=fcvs_1"
    );
    let linked_elsewhere = round_trip(&account());
    assert_eq!(linked_elsewhere["verification"], Value::Null);
}

#[test]
fn manual_entry_and_verification_bodies_read_as_documented() {
    let request: ManualAccountRequest = serde_json::from_value(json!({
        "routing_number": "110000000",
        "account_number": "000123456789",
        "account_number_confirmation": "000123456789",
        "account_type": "checking",
        "account_holder_name": "Jenny Rosen",
    }))
    .expect("reads");
    assert_eq!(request.account_type, BankAccountType::Checking);
    round_trip(&request);
    let amounts: VerifyMicrodepositsRequest =
        serde_json::from_value(json!({ "amounts": [32, 45] })).expect("reads");
    assert_eq!(amounts.amounts, Some(vec![32, 45]));
    assert_eq!(round_trip(&amounts), json!({ "amounts": [32, 45] }));
    assert!(
        serde_json::from_value::<VerifyMicrodepositsRequest>(json!({ "amount": [32, 45] }))
            .is_err()
    );
    let page = round_trip(&LinkVerification {
        business_name: "Demo Shop".into(),
        institution_name: "Sandbox Bank (Credentials)".into(),
        account_type: BankAccountType::Savings,
        last4: "6789".into(),
        status: VerificationStatus::Failed,
        microdeposit_type: MicrodepositType::Amounts,
        failure_reason: Some(VerificationFailure::TooManyAttempts),
        attempts_remaining: 0,
        arrival_date: 1,
        expires_at: 2,
        error: None,
    });
    assert_eq!(page["object"], "link_verification");
    assert_eq!(page["failure_reason"], "too_many_attempts");
}

#[test]
fn sessions_name_their_verification_method_in_snake_case() {
    for (method, name) in [
        (VerificationMethod::Automatic, "automatic"),
        (VerificationMethod::Instant, "instant"),
        (VerificationMethod::Microdeposits, "microdeposits"),
    ] {
        assert_eq!(serde_json::to_value(method).expect("serializes"), name);
    }
    assert!(VerificationMethod::Automatic.allows_manual_entry());
    assert!(VerificationMethod::Microdeposits.allows_manual_entry());
    assert!(!VerificationMethod::Instant.allows_manual_entry());
}

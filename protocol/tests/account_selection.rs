//! `account_selection`: how many accounts a session lets the person link, on the wire.

use finlink_protocol::*;
use serde_json::json;

#[test]
fn account_selection_is_single_or_multiple_and_multiple_when_left_out() {
    let asked: CreateSessionRequest = serde_json::from_value(
        json!({ "permissions": ["payment_method"], "account_selection": "single" }),
    )
    .expect("single");
    assert_eq!(asked.account_selection, AccountSelection::Single);
    let json = serde_json::to_value(&asked).expect("serializes");
    assert_eq!(json["account_selection"], "single");
    assert_eq!(
        serde_json::from_value::<CreateSessionRequest>(json).expect("reads back"),
        asked
    );

    let minimal: CreateSessionRequest =
        serde_json::from_value(json!({ "permissions": ["payment_method"] })).expect("minimal");
    assert_eq!(minimal.account_selection, AccountSelection::Multiple);

    for refused in [json!("one"), json!("SINGLE"), json!(true), json!(null)] {
        assert!(
            serde_json::from_value::<CreateSessionRequest>(
                json!({ "permissions": ["payment_method"], "account_selection": refused }),
            )
            .is_err(),
            "{refused} is not an account selection"
        );
    }
    for selection in [AccountSelection::Single, AccountSelection::Multiple] {
        assert_eq!(
            serde_json::to_value(selection).expect("serializes"),
            selection.as_str()
        );
        assert_eq!(
            AccountSelection::from_name(selection.as_str()),
            Some(selection)
        );
    }
    assert_eq!(AccountSelection::from_name("several"), None);
}

#[test]
fn a_link_session_from_a_server_without_the_field_reads_as_multiple() {
    let session: LinkSession = serde_json::from_value(json!({
        "object": "link_session",
        "id": "fcsess_1",
        "business_name": "Demo Shop",
        "permissions": ["balances"],
        "filters": null,
        "status": "open",
        "consent_given": false,
        "resume": { "step": "consent" },
        "accounts": [],
        "expires_at": 1,
        "terms_url": "https://finlink.example/terms",
        "privacy_url": "https://finlink.example/privacy"
    }))
    .expect("an older link session");
    assert_eq!(session.account_selection, AccountSelection::Multiple);

    let single = LinkSession {
        account_selection: AccountSelection::Single,
        ..session
    };
    let json = serde_json::to_value(&single).expect("serializes");
    assert_eq!(json["account_selection"], "single");
    assert_eq!(
        serde_json::from_value::<LinkSession>(json).expect("reads back"),
        single
    );
}

#[test]
fn too_many_accounts_selected_is_a_known_error_code() {
    assert_eq!(
        ErrorCode::from_name("too_many_accounts_selected"),
        ErrorCode::TooManyAccountsSelected
    );
    assert_eq!(
        serde_json::to_value(ErrorCode::TooManyAccountsSelected).expect("serializes"),
        "too_many_accounts_selected"
    );
}

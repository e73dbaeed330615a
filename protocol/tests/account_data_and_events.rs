//! The bodies of account data, refreshes, events and webhook endpoints have the documented
//! shape (docs/integration.md) and survive a trip through JSON.

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

#[test]
fn a_transaction_names_its_object_status_and_transitions() {
    let json = round_trip(&Transaction {
        id: "fctxn_1".into(),
        account: "fca_1".into(),
        amount: -1_250,
        currency: "usd".into(),
        description: "BLUE BOTTLE COFFEE".into(),
        livemode: false,
        status: TransactionStatus::Void,
        status_transitions: TransactionStatusTransitions {
            posted_at: None,
            void_at: Some(10),
        },
        transacted_at: 5,
        transaction_refresh: "fctxnref_1".into(),
        updated: 10,
    });
    assert_eq!(json["object"], "financial_connections.transaction");
    assert_eq!(json["status"], "void");
    assert_eq!(
        json["status_transitions"],
        json!({ "posted_at": null, "void_at": 10 })
    );
}

#[test]
fn owners_and_account_numbers_name_their_objects() {
    let owner = round_trip(&AccountOwner {
        id: "fcaown_1".into(),
        name: "Jenny Rosen".into(),
        email: Some("jenny.rosen@example.com".into()),
        phone: None,
        raw_address: Some("510 Townsend St".into()),
        ownership: "fcaowns_1".into(),
        refreshed_at: 1,
    });
    assert_eq!(owner["object"], "financial_connections.account_owner");
    let numbers = round_trip(&AccountNumbers {
        account: "fca_1".into(),
        routing_number: "110000000".into(),
        account_number: "000123456789".into(),
        account_type: AccountSubcategory::Checking,
        supported_networks: vec!["ach".into()],
    });
    assert_eq!(numbers["object"], "financial_connections.account_numbers");
    assert_eq!(numbers["account_type"], "checking");
}

#[test]
fn refresh_and_subscription_requests_take_features_and_nothing_else() {
    let request: RefreshRequest =
        serde_json::from_value(json!({ "features": ["balance", "ownership", "transactions"] }))
            .expect("refresh");
    assert_eq!(request.features.len(), 3);
    assert!(serde_json::from_value::<RefreshRequest>(json!({ "features": ["numbers"] })).is_err());
    assert!(
        serde_json::from_value::<SubscriptionRequest>(
            json!({ "features": ["transactions"], "x": 1 })
        )
        .is_err()
    );
}

#[test]
fn event_types_have_stripes_names_and_parse_back() {
    for kind in EventType::ALL {
        let json = serde_json::to_value(kind).expect("serializes");
        assert_eq!(json, json!(kind.as_str()));
        assert_eq!(EventType::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(
        EventType::AccountRefreshedBalance.as_str(),
        "financial_connections.account.refreshed_balance"
    );
    assert_eq!(
        EventType::parse("financial_connections.account.unknown"),
        None
    );
}

#[test]
fn a_webhook_endpoint_shows_its_secret_only_when_given_one() {
    let mut endpoint = WebhookEndpoint {
        id: "we_1".into(),
        created: 1,
        livemode: false,
        url: "https://shop.example/webhooks".into(),
        enabled_events: vec!["*".into()],
        description: None,
        secret: Some("whsec_abc".into()),
    };
    assert_eq!(round_trip(&endpoint)["secret"], "whsec_abc");
    endpoint.secret = None;
    let json = round_trip(&endpoint);
    assert_eq!(json["object"], "webhook_endpoint");
    assert!(json.get("secret").is_none());
    let deleted = round_trip(&DeletedWebhookEndpoint {
        id: "we_1".into(),
        deleted: true,
    });
    assert_eq!(
        deleted,
        json!({ "object": "webhook_endpoint", "id": "we_1", "deleted": true })
    );
}

#[test]
fn the_new_error_codes_have_snake_case_names() {
    for (code, name) in [
        (ErrorCode::PermissionMissing, "permission_missing"),
        (ErrorCode::AccountDisconnected, "account_disconnected"),
        (ErrorCode::AccountInactive, "account_inactive"),
        (
            ErrorCode::AccountNumbersUnavailable,
            "account_numbers_unavailable",
        ),
        (ErrorCode::RefreshInProgress, "refresh_in_progress"),
        (ErrorCode::RefreshTooSoon, "refresh_too_soon"),
    ] {
        assert_eq!(serde_json::to_value(code).expect("serializes"), json!(name));
    }
}

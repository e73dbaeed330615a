//! The flow's specification: one table of single transitions, whole flows against a scripted
//! link API, and properties over any sequence of events.

mod embedding;
// proptest runs natively only.
#[cfg(not(target_arch = "wasm32"))]
mod properties;
mod returning;
mod scenarios;
mod table;

use std::sync::Arc;

use finlink_protocol::{
    AccountCategory, AccountStatus, AccountSubcategory, ApiError, AuthMethod, Authorization,
    AuthorizationState, BankAccountType, ErrorCode, ErrorType, Institution, InstitutionStatus,
    LinkAccount, LinkResult, LinkSession, LinkedAccount, ManualAccountRequest, MfaChallenge,
    MicrodepositType, MicrodepositVerification, OneTimeCodeChallenge, OneTimeCodeStatus,
    Permission, ResumeAt, ReturningUser, SavedAccount, SessionStatus, UnselectableReason,
    VerificationMethod, VerificationStatus,
};

use super::*;

pub fn link_session(resume: ResumeAt) -> LinkSession {
    LinkSession {
        id: "fcsess_1".to_owned(),
        business_name: "Demo Shop".to_owned(),
        permissions: vec![Permission::PaymentMethod, Permission::Balances],
        filters: None,
        account_selection: Default::default(),
        verification_method: None,
        status: SessionStatus::Open,
        consent_given: !matches!(resume, ResumeAt::Consent),
        resume,
        return_url: None,
        accounts: Vec::new(),
        email: None,
        returning_user: None,
        expires_at: 1_800_000_000,
        terms_url: "https://link.example/legal/terms".to_owned(),
        privacy_url: "https://link.example/legal/privacy".to_owned(),
    }
}

pub fn session() -> Session {
    Arc::new(link_session(ResumeAt::SelectInstitution))
}

pub fn institution(id: &str, auth_method: AuthMethod, status: InstitutionStatus) -> Institution {
    Institution {
        id: id.to_owned(),
        name: format!("Bank {id}"),
        url: None,
        routing_numbers: Vec::new(),
        auth_method,
        status,
        featured: false,
        country: "US".to_owned(),
    }
}

pub fn credentials_bank() -> Institution {
    institution(
        "ins_credentials",
        AuthMethod::Credentials,
        InstitutionStatus::Up,
    )
}

pub fn oauth_bank() -> Institution {
    institution("ins_oauth", AuthMethod::Oauth, InstitutionStatus::Up)
}

pub fn authorization(institution: &Institution, state: AuthorizationState) -> Box<Authorization> {
    Box::new(Authorization {
        id: "fcauth_1".to_owned(),
        institution: institution.clone(),
        state,
    })
}

pub fn api_error(code: ErrorCode, message: &str) -> ApiError {
    ApiError {
        kind: ErrorType::InstitutionError,
        code,
        message: message.to_owned(),
        param: None,
        request_id: None,
    }
}

pub fn account(id: &str, reason: Option<UnselectableReason>) -> LinkAccount {
    LinkAccount {
        id: id.to_owned(),
        display_name: format!("Account {id}"),
        institution_name: "Bank".to_owned(),
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Checking,
        last4: "6789".to_owned(),
        status: AccountStatus::Active,
        unselectable_reason: reason,
    }
}

pub fn link_result(status: SessionStatus, ids: &[&str]) -> LinkResult {
    LinkResult {
        session: "fcsess_1".to_owned(),
        status,
        accounts: ids
            .iter()
            .map(|id| LinkedAccount {
                id: (*id).to_owned(),
                display_name: format!("Account {id}"),
                institution_name: "Bank".to_owned(),
                category: AccountCategory::Cash,
                subcategory: AccountSubcategory::Checking,
                last4: "6789".to_owned(),
                status: AccountStatus::Active,
                permissions: vec![Permission::PaymentMethod],
                verification: None,
            })
            .collect(),
    }
}

pub fn network_failure() -> Failure {
    Failure::new(
        None,
        "We couldn't reach finlink. Check your connection and try again.",
    )
}

pub fn mfa_code() -> MfaChallenge {
    MfaChallenge::Code {
        message: "Enter the code we sent you.".to_owned(),
    }
}

/// A directory file as the server sends it, decoded: the two banks above (featured, the
/// credentials bank heavier), a bank that is down, and one in Canada.
pub fn local_directory() -> LocalDirectory {
    directory_file(Vec::new())
}

/// The directory file above, where "Bank ins_credentials" has [`ROUTING_NUMBER`].
pub fn routing_directory() -> LocalDirectory {
    directory_file(vec![ROUTING_NUMBER.to_owned()])
}

fn directory_file(routing_numbers: Vec<String>) -> LocalDirectory {
    use finlink_search::format::{Login, Record, Status, encode};
    let record = |id: &str, login, status, featured, weight, country: &str| Record {
        id: id.to_owned(),
        name: format!("Bank {id}"),
        routing_numbers: Vec::new(),
        login,
        status,
        featured,
        weight,
        aliases: Vec::new(),
        country: country.to_owned(),
        url: None,
    };
    let records = vec![
        Record {
            routing_numbers,
            ..record(
                "ins_credentials",
                Login::Credentials,
                Status::Up,
                true,
                10,
                "US",
            )
        },
        record("ins_oauth", Login::Oauth, Status::Up, true, 5, "US"),
        record(
            "ins_down",
            Login::Credentials,
            Status::DownScheduled,
            false,
            1,
            "US",
        ),
        record("ins_maple", Login::Oauth, Status::Up, false, 1, "CA"),
    ];
    LocalDirectory::decode(&encode(&records).expect("encodable")).expect("decodable")
}

/// An institution as the directory file above lists it.
pub fn listed(institution: Institution, featured: bool) -> Institution {
    Institution {
        featured,
        ..institution
    }
}

/// A routing number with a valid check digit, which [`routing_directory`] gives to
/// "Bank ins_credentials".
pub const ROUTING_NUMBER: &str = "110000000";

/// A session asking for `payment_method` with this `verification_method`.
pub fn session_verifying(method: VerificationMethod) -> Session {
    let mut session = link_session(ResumeAt::SelectInstitution);
    session.verification_method = Some(method);
    Arc::new(session)
}

/// The manual entry form filled in right, as the person would.
pub fn filled_form() -> ManualForm {
    ManualForm {
        routing_number: ROUTING_NUMBER.to_owned(),
        account_number: "000123456789".to_owned(),
        account_number_confirmation: "000123456789".to_owned(),
        account_type: BankAccountType::Checking,
        account_holder_name: "Jenny Rosen".to_owned(),
        ..ManualForm::default()
    }
}

/// The request of [`filled_form`].
pub fn filled_request() -> ManualAccountRequest {
    ManualAccountRequest {
        routing_number: ROUTING_NUMBER.to_owned(),
        account_number: "000123456789".to_owned(),
        account_number_confirmation: "000123456789".to_owned(),
        account_type: BankAccountType::Checking,
        account_holder_name: "Jenny Rosen".to_owned(),
    }
}

/// An account entered by hand, as the server answers it: pending its deposits.
pub fn manual_account(id: &str, last4: &str, kind: MicrodepositType) -> LinkedAccount {
    LinkedAccount {
        id: id.to_owned(),
        display_name: "Checking".to_owned(),
        institution_name: "Bank ins_credentials".to_owned(),
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Checking,
        last4: last4.to_owned(),
        status: AccountStatus::Active,
        permissions: vec![Permission::PaymentMethod],
        verification: Some(MicrodepositVerification {
            status: VerificationStatus::Pending,
            microdeposit_type: kind,
            failure_reason: None,
            attempts_remaining: 3,
            arrival_date: 1_800_000_000,
            expires_at: 1_800_864_000,
            hosted_verification_url: Some(format!(
                "https://link.example/link/verify/#verification_secret=fcvs_{id}_0a1b"
            )),
        }),
    }
}

/// A session's result holding one account entered by hand.
pub fn manual_result(status: SessionStatus) -> LinkResult {
    LinkResult {
        session: "fcsess_1".to_owned(),
        status,
        accounts: vec![manual_account(
            "fca_manual",
            "6789",
            MicrodepositType::Amounts,
        )],
    }
}

/// A one-time code challenge as the server answers it.
pub fn challenge(
    status: OneTimeCodeStatus,
    attempts_remaining: u32,
    error: Option<ApiError>,
) -> Box<OneTimeCodeChallenge> {
    Box::new(OneTimeCodeChallenge {
        email_hint: "j•••@example.com".to_owned(),
        status,
        attempts_remaining,
        expires_at: 1_800_000_600,
        resend_available_at: Some(1_800_000_030),
        error,
    })
}

/// A saved account offered to this session.
pub fn saved_account(id: &str, reason: Option<UnselectableReason>) -> SavedAccount {
    SavedAccount {
        id: id.to_owned(),
        display_name: format!("Saved {id}"),
        institution_name: "Bank ins_credentials".to_owned(),
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Checking,
        last4: "6789".to_owned(),
        unselectable_reason: reason,
    }
}

/// Two saved accounts that can be linked and a closed one.
pub fn saved_accounts() -> Vec<SavedAccount> {
    vec![
        saved_account("fcsa_1", None),
        saved_account("fcsa_2", None),
        saved_account("fcsa_closed", Some(UnselectableReason::Inactive)),
    ]
}

/// A session at its start whose email has saved accounts.
pub fn returning_session(verified: bool) -> LinkSession {
    let mut session = link_session(ResumeAt::Consent);
    session.email = Some("Jenny.Rosen@example.com".to_owned());
    session.returning_user = Some(ReturningUser {
        email_hint: "j•••@example.com".to_owned(),
        verified,
    });
    session
}

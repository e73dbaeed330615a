//! The email that carries a one-time code. The sandbox delivers it to its inbox (the test
//! helper `GET /v1/test_helpers/sandbox/emails`) instead of sending it.

use finlink_protocol::Timestamp;

use super::codes::CODE_LIFETIME_SECONDS;
use crate::secrets;
use crate::store::saved::SandboxEmailRecord;

/// The subject of the email.
pub const SUBJECT: &str = "Your finlink code";

/// The plain-text body of the email; `business_name` is the business asking now (the
/// accounts may have been saved at another).
pub fn body(business_name: &str, code: &str) -> String {
    let minutes = CODE_LIFETIME_SECONDS / 60;
    format!(
        "Your finlink code is {code}.\n\n\
         Use this code to link your saved bank accounts at {business_name}. \
         It expires in {minutes} minutes.\n\n\
         If you did not ask for it, ignore this email.\n"
    )
}

/// The email the sandbox "sends" to `to` for a session.
pub fn one_time_code_email(
    session_id: &str,
    business_name: &str,
    to: &str,
    code: &str,
    now: Timestamp,
) -> SandboxEmailRecord {
    SandboxEmailRecord {
        id: secrets::new_id("fcemail"),
        session_id: session_id.to_owned(),
        to: to.to_owned(),
        subject: SUBJECT.to_owned(),
        body: body(business_name, code),
        one_time_code: code.to_owned(),
        created: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_gives_the_code_its_expiry_and_what_to_do_if_unasked() {
        let text = body("Demo Shop", "042137");
        assert!(text.contains("042137"), "{text}");
        assert!(text.contains("10 minutes"), "{text}");
        assert!(
            text.contains("Use this code to link your saved bank accounts at Demo Shop."),
            "{text}"
        );
        assert!(text.contains("If you did not ask for it, ignore this email"));
    }
}

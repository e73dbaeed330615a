//! A credentials bank's login and MFA steps, driven by the magic passwords of `data`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use finlink_protocol::AuthMethod;
use serde::de::DeserializeOwned;

use super::SandboxState;
use super::data::{MFA_ATTEMPTS, PasswordEffect, password_effect};
use super::error::BankError;
use crate::connector::wire::{LoginRequest, LoginResponse, MfaRequest};
use crate::directory::DirectoryInstitution;

/// A credentials bank that can answer now.
fn credentials_bank<'a>(
    state: &'a SandboxState,
    institution_id: &str,
) -> Result<&'a DirectoryInstitution, BankError> {
    let institution = state.bank(institution_id)?;
    if institution.auth_method != AuthMethod::Credentials {
        return Err(BankError::LoginMethodNotOffered);
    }
    Ok(institution)
}

fn json_body<T: DeserializeOwned>(body: &[u8], shape: &str) -> Result<T, BankError> {
    serde_json::from_slice(body)
        .map_err(|_| BankError::InvalidRequest(format!("the body must be JSON {shape}")))
}

/// `POST /login` with `{username, password}`: logged in, an MFA challenge, or an error.
pub async fn login(
    State(state): State<SandboxState>,
    Path(institution_id): Path<String>,
    body: Bytes,
) -> Result<Json<LoginResponse>, BankError> {
    let institution = credentials_bank(&state, &institution_id)?;
    let request: LoginRequest = json_body(&body, "{\"username\", \"password\"}")?;
    let username = request.username.trim();
    if username.is_empty() {
        return Err(BankError::InvalidRequest("username is empty".into()));
    }
    let now = state.now();
    let memory = &state.inner.memory;
    memory.check_not_locked(&institution.id, username, now)?;
    match password_effect(&request.password) {
        PasswordEffect::LogIn => {
            memory.clear_failed_logins(&institution.id, username, now);
            let tokens = memory.grant_all(&institution.id, now);
            Ok(Json(LoginResponse::LoggedIn {
                tokens: tokens.into_wire(),
            }))
        }
        PasswordEffect::Mfa(kind) => {
            memory.clear_failed_logins(&institution.id, username, now);
            let mfa_token = memory.begin_mfa(&institution.id, kind, now);
            Ok(Json(LoginResponse::MfaRequired {
                mfa_token,
                challenge: kind.challenge(),
                attempts_remaining: MFA_ATTEMPTS,
            }))
        }
        PasswordEffect::InstitutionError => Err(BankError::InstitutionFailure),
        PasswordEffect::Wrong => Err(memory.record_failed_login(&institution.id, username, now)),
    }
}

/// `POST /mfa` with `{mfa_token, answer}`: logged in, or a wrong answer with the attempts left.
pub async fn mfa(
    State(state): State<SandboxState>,
    Path(institution_id): Path<String>,
    body: Bytes,
) -> Result<Json<LoginResponse>, BankError> {
    let institution = credentials_bank(&state, &institution_id)?;
    let request: MfaRequest = json_body(&body, "{\"mfa_token\", \"answer\"}")?;
    let tokens = state.inner.memory.answer_mfa(
        &institution.id,
        &request.mfa_token,
        &request.answer,
        state.now(),
    )?;
    Ok(Json(LoginResponse::LoggedIn {
        tokens: tokens.into_wire(),
    }))
}

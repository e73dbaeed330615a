//! Entering the account's details by hand: routing number (with the bank's name once it is
//! valid), account number twice, account type and the holder's name. Each field shows its
//! error next to it (`aria-invalid`, `aria-describedby`); a refused Continue moves the focus to
//! the first field at fault, and the flow says what is wrong in the live region.

use finlink_protocol::{BankAccountType, MicrodepositType};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::{TITLE_ID, focus_on_load, new_idempotency_key, part};
use crate::flow::{Event, HOLDER_NAME_MAX, ManualField, ManualForm, ManualInput, State};

const FORM_ERROR_ID: &str = "finlink-manual-error";
const BANK_NAME_ID: &str = "finlink-bank-name";

/// The `id` of a field's input.
pub fn field_id(field: ManualField) -> &'static str {
    match field {
        ManualField::RoutingNumber => "finlink-routing-number",
        ManualField::AccountNumber => "finlink-account-number",
        ManualField::AccountNumberConfirmation => "finlink-account-number-confirmation",
        ManualField::AccountHolderName => "finlink-account-holder-name",
    }
}

/// The `id` of a field's error message.
fn error_id(field: ManualField) -> &'static str {
    match field {
        ManualField::RoutingNumber => "finlink-routing-number-error",
        ManualField::AccountNumber => "finlink-account-number-error",
        ManualField::AccountNumberConfirmation => "finlink-account-number-confirmation-error",
        ManualField::AccountHolderName => "finlink-account-holder-name-error",
    }
}

/// What an account entered by hand awaits, in words for the person: the deposits on their
/// way and the link the business sends to confirm them.
pub fn pending_verification_text(kind: MicrodepositType, business: &str) -> String {
    match kind {
        MicrodepositType::Amounts => format!(
            "Two small deposits are on their way to this account. When they show on your \
             statement, confirm their amounts with the link {business} will send you."
        ),
        MicrodepositType::DescriptorCode => format!(
            "One small deposit is on its way to this account, with a 6-character code that \
             starts with SM in its description. When it shows on your statement, confirm the \
             code with the link {business} will send you."
        ),
    }
}

/// Moves the focus to the element with this `id`, if it is in the page.
fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The manual entry form.
#[component]
pub fn ManualEntryStep(#[prop(into)] state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    let Some(business) = state.with_untracked(|state| match state {
        State::ManualEntry { session, .. } => Some(session.business_name.clone()),
        _ => None,
    }) else {
        return ().into_any();
    };
    let form = part(state, |state| match state {
        State::ManualEntry { form, .. } => Some(ManualForm::clone(form)),
        _ => None,
    });
    let submitting =
        move || form.with(|form| form.as_ref().is_some_and(|f| f.submitting.is_some()));
    let form_error = move || {
        form.with(|form| {
            form.as_ref()
                .and_then(|form| form.form_error().map(|error| error.message.clone()))
        })
    };
    let first_field = NodeRef::<html::Input>::new();
    focus_on_load(first_field);
    // Each refused Continue moves the focus to what is at fault: the first field with an
    // error, else the form's error.
    Effect::new(move |seen: Option<u32>| {
        let refusals = form.with(|form| form.as_ref().map_or(0, |form| form.refusals));
        if seen.is_some_and(|seen| refusals > seen) {
            let first = form.with_untracked(|form| {
                form.as_ref()
                    .and_then(|form| form.errors().first().map(|(field, _)| *field))
            });
            match first {
                Some(field) => focus_id(field_id(field)),
                None => focus_id(FORM_ERROR_ID),
            }
        }
        refusals
    });

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        send.run(Event::ManualDetailsSubmitted {
            idempotency_key: new_idempotency_key(),
        });
    };
    let text_field = move |field: ManualField, label: &'static str, node: NodeRef<html::Input>| {
        // Read three times per keystroke; the routing checksum runs once.
        let error =
            Memo::new(move |_| form.with(|form| form.as_ref().and_then(|form| form.error(field))));
        let value = move || {
            form.with(|form| {
                form.as_ref().map_or_else(String::new, |form| match field {
                    ManualField::RoutingNumber => form.routing_number.clone(),
                    ManualField::AccountNumber => form.account_number.clone(),
                    ManualField::AccountNumberConfirmation => {
                        form.account_number_confirmation.clone()
                    }
                    ManualField::AccountHolderName => form.account_holder_name.clone(),
                })
            })
        };
        let bank = move || {
            (field == ManualField::RoutingNumber)
                .then(|| form.with(|form| form.as_ref().and_then(|form| form.bank_name.clone())))
                .flatten()
        };
        let described_by = move || {
            let ids: Vec<&str> = [
                error.get().map(|_| error_id(field)),
                bank().map(|_| BANK_NAME_ID),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        };
        let on_input = move |event| {
            let text = event_target_value(&event);
            send.run(Event::ManualInputChanged(match field {
                ManualField::RoutingNumber => ManualInput::RoutingNumber(text),
                ManualField::AccountNumber => ManualInput::AccountNumber(text),
                ManualField::AccountNumberConfirmation => {
                    ManualInput::AccountNumberConfirmation(text)
                }
                ManualField::AccountHolderName => ManualInput::AccountHolderName(text),
            }));
        };
        let holder = field == ManualField::AccountHolderName;
        let input = view! {
            <input
                id=field_id(field)
                class="fl-input"
                type="text"
                inputmode=(!holder).then_some("numeric")
                autocomplete=if holder { "name" } else { "off" }
                autocapitalize=if holder { "words" } else { "off" }
                spellcheck="false"
                maxlength=holder.then(|| HOLDER_NAME_MAX.to_string())
                required
                // Sent: what is typed now would not be what the server checks.
                readonly=submitting
                node_ref=node
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=described_by
                prop:value=value
                on:input=on_input
            />
        };
        view! {
            <div class="fl-field">
                <label class="fl-label" for=field_id(field)>{label}</label>
                {input}
                {move || error.get().map(|error| view! {
                    <p class="fl-field-error" id=error_id(field)>{error}</p>
                })}
                {move || bank().map(|name| view! {
                    <p class="fl-field-note fl-bank-name" id=BANK_NAME_ID>{name}</p>
                })}
            </div>
        }
    };
    let account_type = move |kind: BankAccountType, id: &'static str, label: &'static str| {
        let checked =
            move || form.with(|form| form.as_ref().is_some_and(|f| f.account_type == kind));
        view! {
            <div class="fl-choice">
                <input
                    id=id
                    type="radio"
                    name="finlink-account-type"
                    value=label
                    prop:checked=checked
                    on:change=move |_| send.run(Event::ManualInputChanged(ManualInput::AccountType(kind)))
                />
                <label for=id>{label}</label>
            </div>
        }
    };

    view! {
        <div class="fl-step fl-manual">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1">"Enter your bank details"</h1>
            <p class="fl-lead">
                "You'll find them on a check or in your bank's app. To confirm the account is "
                "yours, " {business} " will send small deposits to it."
            </p>
            <form class="fl-form" novalidate on:submit=on_submit>
                {move || form_error().map(|message| view! {
                    <div class="fl-form-error" id=FORM_ERROR_ID role="alert" tabindex="-1">
                        <p class="fl-message">{message}</p>
                    </div>
                })}
                {text_field(ManualField::RoutingNumber, "Routing number", first_field)}
                {text_field(ManualField::AccountNumber, "Account number", NodeRef::new())}
                {text_field(ManualField::AccountNumberConfirmation, "Confirm account number", NodeRef::new())}
                <fieldset class="fl-fieldset fl-account-type">
                    <legend class="fl-label">"Account type"</legend>
                    {account_type(BankAccountType::Checking, "finlink-account-type-checking", "Checking")}
                    {account_type(BankAccountType::Savings, "finlink-account-type-savings", "Savings")}
                </fieldset>
                {text_field(ManualField::AccountHolderName, "Name on the account", NodeRef::new())}
                <button
                    type="submit"
                    class="fl-button"
                    aria-disabled=move || submitting().then_some("true")
                >
                    {move || if submitting() { "Adding your account…" } else { "Continue" }}
                </button>
            </form>
        </div>
    }
    .into_any()
}

//! The built-in sandbox processor, the default. It behaves like the public Stripe test cards:
//!
//! | number | what happens |
//! | --- | --- |
//! | 4242 4242 4242 4242 (and any other valid number) | attaches; charges succeed |
//! | 4000 0000 0000 0002 | declined when attached (`card_declined`) |
//! | 4000 0000 0000 9995 | declined when attached (`insufficient_funds`) |
//! | 4000 0000 0000 0069 | declined when attached (`expired_card`) |
//! | 4000 0000 0000 0127 | declined when attached (`incorrect_cvc`) |
//! | 4000 0000 0000 0119 | declined when attached (`processing_error`) |
//! | 4000 0000 0000 0341 | attaches; every charge is declined (`card_declined`) |
//! | a Luhn-invalid number | refused by the tokenization endpoint |
//!
//! Tokenization is a route of its own (`POST /sandbox/v1/tokens`), apart from Portico's
//! server functions, and stores nothing: the token itself carries the brand, last four,
//! expiry, a one-way fingerprint and the test behaviour. Charges are recorded in the
//! sandbox's own ledger (`sandbox_charges`) keyed by idempotency key, like a real processor.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::processor::{AttachError, AttachedMethod, ChargeOutcome, ChargeRequest, PaymentProcessor, ProcessorUnavailable};
use crate::domain::bank::{BankAccountInput, validate_bank_account};
use crate::domain::cards::{CardInput, FieldError, last_four, validate_card};
use crate::domain::payment_method::{CardBrand, CardFunding, MethodKind};
use crate::server::clock::{SharedClock, today, unix_now};
use crate::server::db::bulk::{IDS_PER_STATEMENT, Value, bind_all, insert_new};
use crate::server::db::{Db, placeholders};
use crate::server::ids::new_id;
use crate::server::state::AppState;

const TOKEN_PREFIX: &str = "tok_sbx_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Behaviour {
    Succeeds,
    DeclinedOnAttach,
    InsufficientFunds,
    ExpiredCard,
    IncorrectCvc,
    ProcessingError,
    ChargesFail,
}

fn behaviour_of(digits: &str) -> Behaviour {
    match digits {
        "4000000000000002" => Behaviour::DeclinedOnAttach,
        "4000000000009995" => Behaviour::InsufficientFunds,
        "4000000000000069" => Behaviour::ExpiredCard,
        "4000000000000127" => Behaviour::IncorrectCvc,
        "4000000000000119" => Behaviour::ProcessingError,
        "4000000000000341" => Behaviour::ChargesFail,
        _ => Behaviour::Succeeds,
    }
}

fn funding_of(digits: &str) -> CardFunding {
    match digits {
        "4000056655665556" | "5200828282828210" | "6200000000000047" => CardFunding::Debit,
        _ => CardFunding::Credit,
    }
}

/// Everything the token carries. No card number, no CVC.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenBody {
    kind: String,
    brand: Option<String>,
    funding: Option<String>,
    last4: String,
    exp_month: Option<u8>,
    exp_year: Option<i32>,
    fingerprint: String,
    holder_name: String,
    bank_name: Option<String>,
    behaviour: Behaviour,
    nonce: String,
}

fn encode_token(body: &TokenBody) -> Result<String, serde_json::Error> {
    let json = serde_json::to_vec(body)?;
    Ok(format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)))
}

fn decode_token(token: &str) -> Option<TokenBody> {
    let encoded = token.strip_prefix(TOKEN_PREFIX)?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).ok()?;
    serde_json::from_slice(&json).ok()
}

/// A one-way fingerprint, so the same card added twice can be recognised.
fn fingerprint(kind: &str, secret_material: &str) -> String {
    let digest = Sha256::digest(format!("portico-sandbox-fingerprint:{kind}:{secret_material}").as_bytes());
    hex::encode(&digest[..12])
}

pub struct SandboxProcessor {
    db: Db,
    clock: SharedClock,
}

impl SandboxProcessor {
    pub fn new(db: Db, clock: SharedClock) -> Self {
        SandboxProcessor { db, clock }
    }

    async fn recorded(&self, idempotency_keys: &[String]) -> Result<HashMap<String, ChargeOutcome>, sqlx::Error> {
        let mut recorded = HashMap::new();
        for keys in idempotency_keys.chunks(IDS_PER_STATEMENT) {
            let sql = format!(
                "SELECT idempotency_key, id, outcome, failure_code FROM sandbox_charges WHERE idempotency_key IN ({})",
                placeholders(1, keys.len())
            );
            let rows: Vec<(String, String, String, Option<String>)> = bind_all(sqlx::query_as(&sql), keys).fetch_all(self.db.pool()).await?;
            for (key, id, outcome, code) in rows {
                let outcome = if outcome == "succeeded" {
                    ChargeOutcome::Succeeded { charge_id: id }
                } else {
                    let code = code.unwrap_or_else(|| "card_declined".into());
                    ChargeOutcome::Failed { message: decline_message(&code).into(), code }
                };
                recorded.insert(key, outcome);
            }
        }
        Ok(recorded)
    }

    /// Records each charge under its idempotency key, all in one transaction (the sandbox's
    /// ledger shares the database); a key already recorded keeps its first outcome.
    async fn charge_all(&self, requests: &[ChargeRequest<'_>]) -> Result<Vec<ChargeOutcome>, sqlx::Error> {
        let now = unix_now(self.clock.as_ref());
        let rows: Vec<Vec<Value>> = requests
            .iter()
            .map(|request| {
                let body = decode_token(request.token);
                let code = match body.as_ref().map(|b| b.behaviour) {
                    None => Some("invalid_token"),
                    Some(Behaviour::Succeeds) => None,
                    Some(Behaviour::ChargesFail | Behaviour::DeclinedOnAttach) => Some("card_declined"),
                    Some(Behaviour::InsufficientFunds) => Some("insufficient_funds"),
                    Some(Behaviour::ExpiredCard) => Some("expired_card"),
                    Some(Behaviour::IncorrectCvc) => Some("incorrect_cvc"),
                    Some(Behaviour::ProcessingError) => Some("processing_error"),
                };
                vec![
                    new_id("ch").into(),
                    request.idempotency_key.into(),
                    body.map(|b| b.fingerprint).unwrap_or_default().into(),
                    request.amount.minor.into(),
                    request.amount.currency.code().into(),
                    if code.is_none() { "succeeded" } else { "failed" }.into(),
                    code.into(),
                    now.into(),
                ]
            })
            .collect();
        let mut tx = self.db.begin_write().await?;
        // The unique key makes a duplicate (a retry, a concurrent call) lose the insert, not charge twice.
        insert_new(&mut tx, "sandbox_charges (id, idempotency_key, token_fingerprint, amount, currency, outcome, failure_code, created_at)", &rows).await?;
        tx.commit().await?;
        let keys: Vec<String> = requests.iter().map(|r| r.idempotency_key.to_string()).collect();
        let mut recorded = self.recorded(&keys).await?;
        keys.iter().map(|key| recorded.remove(key).ok_or(sqlx::Error::RowNotFound)).collect()
    }
}

fn decline_message(code: &str) -> &'static str {
    match code {
        "insufficient_funds" => "Your card has insufficient funds.",
        "expired_card" => "Your card has expired.",
        "incorrect_cvc" => "Your card's security code is incorrect.",
        "processing_error" => "An error occurred while processing your card. Try again in a little bit.",
        "invalid_token" => "The payment details were not recognised. Enter them again.",
        _ => "Your card was declined.",
    }
}

impl PaymentProcessor for SandboxProcessor {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn attach<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AttachedMethod, AttachError>> {
        async move {
            let body = decode_token(token).ok_or(AttachError::InvalidToken)?;
            let declined = |code: &str| AttachError::Declined { code: code.into(), message: decline_message(code).into() };
            match body.behaviour {
                Behaviour::DeclinedOnAttach => return Err(declined("card_declined")),
                Behaviour::InsufficientFunds => return Err(declined("insufficient_funds")),
                Behaviour::ExpiredCard => return Err(declined("expired_card")),
                Behaviour::IncorrectCvc => return Err(declined("incorrect_cvc")),
                Behaviour::ProcessingError => return Err(declined("processing_error")),
                Behaviour::Succeeds | Behaviour::ChargesFail => {}
            }
            Ok(AttachedMethod {
                kind: MethodKind::parse(&body.kind).ok_or(AttachError::InvalidToken)?,
                brand: body.brand.as_deref().and_then(CardBrand::parse),
                funding: body.funding.as_deref().and_then(CardFunding::parse),
                last4: body.last4,
                exp_month: body.exp_month,
                exp_year: body.exp_year,
                fingerprint: body.fingerprint,
                holder_name: body.holder_name,
                bank_name: body.bank_name,
            })
        }
        .boxed()
    }

    fn charge<'a>(&'a self, request: ChargeRequest<'a>) -> BoxFuture<'a, Result<ChargeOutcome, ProcessorUnavailable>> {
        async move {
            let mut outcomes = self.charge_all(std::slice::from_ref(&request)).await.map_err(|e| ProcessorUnavailable(e.to_string()))?;
            outcomes.pop().ok_or_else(|| ProcessorUnavailable("no outcome recorded".into()))
        }
        .boxed()
    }

    fn charge_many<'a>(&'a self, requests: Vec<ChargeRequest<'a>>) -> BoxFuture<'a, Vec<Result<ChargeOutcome, ProcessorUnavailable>>> {
        async move {
            match self.charge_all(&requests).await {
                Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
                Err(e) => requests.iter().map(|_| Err(ProcessorUnavailable(e.to_string()))).collect(),
            }
        }
        .boxed()
    }

    fn find_charge<'a>(&'a self, idempotency_key: &'a str) -> BoxFuture<'a, Result<Option<ChargeOutcome>, ProcessorUnavailable>> {
        async move {
            let mut recorded = self.recorded(&[idempotency_key.to_string()]).await.map_err(|e| ProcessorUnavailable(e.to_string()))?;
            Ok(recorded.remove(idempotency_key))
        }
        .boxed()
    }
}

/// A working sandbox token for a card or bank account described by its public details, for
/// the demo data (which has no card numbers to tokenize).
#[allow(clippy::too_many_arguments)]
pub fn demo_token(
    kind: MethodKind,
    brand: Option<&str>,
    funding: Option<&str>,
    last4: &str,
    exp: Option<(u8, i32)>,
    holder_name: &str,
    bank_name: Option<&str>,
    seed: &str,
) -> (String, String) {
    let fingerprint = fingerprint("demo", seed);
    let body = TokenBody {
        kind: kind.as_str().into(),
        brand: brand.map(str::to_string),
        funding: funding.map(str::to_string),
        last4: last4.into(),
        exp_month: exp.map(|e| e.0),
        exp_year: exp.map(|e| e.1),
        fingerprint: fingerprint.clone(),
        holder_name: holder_name.into(),
        bank_name: bank_name.map(str::to_string),
        behaviour: Behaviour::Succeeds,
        nonce: seed.into(),
    };
    (encode_token(&body).expect("demo token fields always serialize"), fingerprint)
}

/// What the browser posts to the tokenization endpoint.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TokenRequest {
    Card { number: String, exp_month: String, exp_year: String, cvc: String, holder_name: String },
    BankAccount { routing_number: String, account_number: String, holder_name: String, account_type: String },
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TokenResponse {
    pub token: String,
    pub kind: String,
    pub brand: Option<String>,
    pub last4: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TokenErrors {
    pub errors: Vec<FieldError>,
}

/// `POST /sandbox/v1/tokens`. Stands in for the processor's own tokenization API: the card
/// number and CVC arrive here and leave only as a token; nothing is stored or logged.
pub async fn tokenize(State(state): State<AppState>, Json(request): Json<TokenRequest>) -> Response {
    let today = today(state.clock.as_ref());
    let nonce = new_id("n");
    let body = match request {
        TokenRequest::Card { number, exp_month, exp_year, cvc, holder_name } => {
            let input = CardInput { number, exp_month, exp_year, cvc, holder_name };
            match validate_card(&input, today) {
                Err(errors) => return (StatusCode::UNPROCESSABLE_ENTITY, Json(TokenErrors { errors })).into_response(),
                Ok(card) => TokenBody {
                    kind: MethodKind::Card.as_str().into(),
                    brand: Some(card.brand.as_str().into()),
                    funding: Some(funding_of(&card.digits).as_str().into()),
                    last4: last_four(&card.digits).into(),
                    exp_month: Some(card.exp_month),
                    exp_year: Some(card.exp_year),
                    fingerprint: fingerprint("card", &format!("{}:{}:{}", card.digits, card.exp_month, card.exp_year)),
                    holder_name: card.holder_name.clone(),
                    bank_name: None,
                    behaviour: behaviour_of(&card.digits),
                    nonce,
                },
            }
        }
        TokenRequest::BankAccount { routing_number, account_number, holder_name, account_type } => {
            let input = BankAccountInput { routing_number, account_number, holder_name, account_type };
            match validate_bank_account(&input) {
                Err(errors) => return (StatusCode::UNPROCESSABLE_ENTITY, Json(TokenErrors { errors })).into_response(),
                Ok(account) => TokenBody {
                    kind: MethodKind::Ach.as_str().into(),
                    brand: None,
                    funding: None,
                    last4: last_four(&account.account_number).into(),
                    exp_month: None,
                    exp_year: None,
                    fingerprint: fingerprint("ach", &format!("{}:{}", account.routing_number, account.account_number)),
                    holder_name: account.holder_name.clone(),
                    bank_name: Some(bank_name(&account.routing_number).into()),
                    behaviour: Behaviour::Succeeds,
                    nonce,
                },
            }
        }
    };
    let token = match encode_token(&body) {
        Ok(token) => token,
        Err(e) => {
            let error = crate::api::error::AppError::internal("sandbox token", e);
            return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
        }
    };
    let response = TokenResponse { token, kind: body.kind.clone(), brand: body.brand.clone(), last4: body.last4.clone() };
    (StatusCode::OK, Json(response)).into_response()
}

/// A few well-known routing numbers, so the sandbox can name the bank like a real lookup.
fn bank_name(routing: &str) -> &'static str {
    match routing {
        "021000021" | "322271627" => "Chase",
        "026009593" | "121000358" => "Bank of America",
        "121000248" => "Wells Fargo",
        "110000000" => "Stripe Test Bank",
        _ => "Bank account",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_no_card_number() {
        let body = TokenBody {
            kind: "card".into(),
            brand: Some("visa".into()),
            funding: Some("credit".into()),
            last4: "4242".into(),
            exp_month: Some(12),
            exp_year: Some(2030),
            fingerprint: fingerprint("card", "4242424242424242:12:2030"),
            holder_name: "N W".into(),
            bank_name: None,
            behaviour: Behaviour::Succeeds,
            nonce: "n_1".into(),
        };
        let token = encode_token(&body).unwrap();
        let decoded = String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.strip_prefix(TOKEN_PREFIX).unwrap()).unwrap(),
        )
        .unwrap();
        assert!(!decoded.contains("4242424242424242"));
        assert!(!token.contains("4242424242424242"));
        assert_eq!(decode_token(&token).unwrap().last4, "4242");
        assert!(decode_token("tok_sbx_garbage").is_none());
    }

    #[test]
    fn test_cards_map_to_their_behaviours() {
        assert_eq!(behaviour_of("4242424242424242"), Behaviour::Succeeds);
        assert_eq!(behaviour_of("4000000000000341"), Behaviour::ChargesFail);
        assert_eq!(behaviour_of("4000000000009995"), Behaviour::InsufficientFunds);
        assert_eq!(funding_of("4000056655665556"), CardFunding::Debit);
    }
}

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
//! expiry, a fingerprint and the test behaviour, signed with a key derived from the server's
//! secret, so a token edited or made up by anyone else is refused. The fingerprint is keyed with
//! the secret too: a database dump does not let anyone test card numbers against it. Charges
//! are recorded in the sandbox's own ledger (`sandbox_charges`) keyed by idempotency key, like a
//! real processor; a key reused for another amount or card is refused, as Stripe refuses it.

use std::collections::HashMap;

use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::domain::bank::{BankAccountInput, validate_bank_account};
use crate::domain::cards::{CardInput, FieldError, last_four, validate_card};
use crate::domain::payment_method::{CardBrand, CardFunding, MethodKind};
use crate::server::infra::clock::{SharedClock, today, unix_now};
use crate::server::infra::db::bulk::{IDS_PER_STATEMENT, Value, bind_all, insert_new};
use crate::server::infra::db::{Db, placeholders};
use crate::server::infra::ids::new_id;
use crate::server::infra::processors::{
    AttachError, AttachedMethod, ChargeOutcome, ChargeRequest, PaymentProcessor, ProcessorUnavailable,
};
use crate::server::infra::secrets::{Purpose, ServerSecret};
use crate::server::infra::state::AppState;

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

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `tok_sbx_<body>.<signature>`: the body as base64 JSON, signed with the sandbox token key.
fn encode_token(secret: &ServerSecret, body: &TokenBody) -> Result<String, serde_json::Error> {
    let encoded = B64.encode(serde_json::to_vec(body)?);
    let signature = B64.encode(secret.sign(Purpose::SandboxTokens, encoded.as_bytes()));
    Ok(format!("{TOKEN_PREFIX}{encoded}.{signature}"))
}

/// The token's body, if this server signed it and its fields are what tokenization makes.
fn decode_token(secret: &ServerSecret, token: &str) -> Option<TokenBody> {
    let (encoded, signature) = token.strip_prefix(TOKEN_PREFIX)?.split_once('.')?;
    if !secret.verify(Purpose::SandboxTokens, encoded.as_bytes(), &B64.decode(signature).ok()?) {
        return None;
    }
    let body: TokenBody = serde_json::from_slice(&B64.decode(encoded).ok()?).ok()?;
    body.is_well_formed().then_some(body)
}

impl TokenBody {
    /// The public fields as tokenization writes them: a token that says otherwise was not made
    /// by it (even correctly signed, it is refused: defence in depth).
    fn is_well_formed(&self) -> bool {
        let kind = MethodKind::parse(&self.kind);
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let text =
            |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control);
        let card = kind == Some(MethodKind::Card)
            && self.brand.as_deref().and_then(CardBrand::parse).is_some()
            && self.funding.as_deref().and_then(CardFunding::parse).is_some()
            && self.exp_month.is_some_and(|m| (1..=12).contains(&m))
            && self.exp_year.is_some_and(|y| (2000..=2100).contains(&y))
            && self.bank_name.is_none();
        let bank = kind == Some(MethodKind::Ach)
            && self.brand.is_none()
            && self.exp_month.is_none()
            && self.bank_name.as_deref().is_some_and(|name| text(name, 60));
        (card || bank)
            && digits(&self.last4, 4)
            && text(&self.holder_name, 120)
            && self.fingerprint.len() == 24
            && self.fingerprint.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

/// A fingerprint keyed with the server's secret, so the same card added twice can be
/// recognised, and a leaked database cannot be searched for a card number.
fn fingerprint(secret: &ServerSecret, kind: &str, secret_material: &str) -> String {
    hex::encode(&secret.sign(Purpose::CardFingerprints, format!("{kind}:{secret_material}").as_bytes())[..12])
}

pub struct SandboxProcessor {
    db: Db,
    clock: SharedClock,
    secret: ServerSecret,
}

impl SandboxProcessor {
    pub fn new(db: Db, clock: SharedClock, secret: ServerSecret) -> Self {
        SandboxProcessor { db, clock, secret }
    }

    /// The charges recorded under these keys: outcome, amount and currency, card fingerprint.
    async fn recorded(&self, idempotency_keys: &[String]) -> Result<HashMap<String, Recorded>, sqlx::Error> {
        let mut recorded = HashMap::new();
        for keys in idempotency_keys.chunks(IDS_PER_STATEMENT) {
            let sql = format!(
                "SELECT idempotency_key, id, outcome, failure_code, amount, currency, token_fingerprint FROM sandbox_charges WHERE idempotency_key IN ({})",
                placeholders(1, keys.len())
            );
            let rows: Vec<RecordedRow> = bind_all(sqlx::query_as(&sql), keys).fetch_all(self.db.pool()).await?;
            for (key, id, outcome, code, amount, currency, fingerprint) in rows {
                let outcome = if outcome == "succeeded" {
                    ChargeOutcome::Succeeded { charge_id: id }
                } else {
                    let code = code.unwrap_or_else(|| "card_declined".into());
                    ChargeOutcome::Failed { message: decline_message(&code).into(), code }
                };
                recorded.insert(key, Recorded { outcome, amount, currency, fingerprint });
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
                let body = decode_token(&self.secret, request.token);
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
        requests
            .iter()
            .map(|request| {
                let first = recorded.remove(request.idempotency_key).ok_or(sqlx::Error::RowNotFound)?;
                // A key already used for another amount or card answers that it was reused,
                // never the first charge's outcome: a key can't pass one charge off as another.
                let fingerprint = decode_token(&self.secret, request.token).map(|b| b.fingerprint).unwrap_or_default();
                let same = first.amount == request.amount.minor
                    && first.currency == request.amount.currency.code()
                    && first.fingerprint == fingerprint;
                Ok(if same { first.outcome } else { key_reused() })
            })
            .collect()
    }
}

/// A charge recorded under a key: what the processor answers for that key again.
struct Recorded {
    outcome: ChargeOutcome,
    amount: i64,
    currency: String,
    fingerprint: String,
}

/// key, charge id, outcome, failure code, amount, currency, fingerprint.
type RecordedRow = (String, String, String, Option<String>, i64, String, String);

fn key_reused() -> ChargeOutcome {
    ChargeOutcome::Failed {
        code: "idempotency_key_reused".into(),
        message: decline_message("idempotency_key_reused").into(),
    }
}

fn decline_message(code: &str) -> &'static str {
    match code {
        "idempotency_key_reused" => "This payment could not be processed. Reload the page and try again.",
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
            let body = decode_token(&self.secret, token).ok_or(AttachError::InvalidToken)?;
            let declined =
                |code: &str| AttachError::Declined { code: code.into(), message: decline_message(code).into() };
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
            let mut outcomes = self
                .charge_all(std::slice::from_ref(&request))
                .await
                .map_err(|e| ProcessorUnavailable(e.to_string()))?;
            outcomes.pop().ok_or_else(|| ProcessorUnavailable("no outcome recorded".into()))
        }
        .boxed()
    }

    fn charge_many<'a>(
        &'a self,
        requests: Vec<ChargeRequest<'a>>,
    ) -> BoxFuture<'a, Vec<Result<ChargeOutcome, ProcessorUnavailable>>> {
        async move {
            match self.charge_all(&requests).await {
                Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
                Err(e) => requests.iter().map(|_| Err(ProcessorUnavailable(e.to_string()))).collect(),
            }
        }
        .boxed()
    }

    fn find_charge<'a>(
        &'a self,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Option<ChargeOutcome>, ProcessorUnavailable>> {
        async move {
            let mut recorded =
                self.recorded(&[idempotency_key.to_string()]).await.map_err(|e| ProcessorUnavailable(e.to_string()))?;
            Ok(recorded.remove(idempotency_key).map(|r| r.outcome))
        }
        .boxed()
    }
}

/// A working sandbox token for a card or bank account described by its public details, for
/// the demo data (which has no card numbers to tokenize).
#[allow(clippy::too_many_arguments)]
pub fn demo_token(
    secret: &ServerSecret,
    kind: MethodKind,
    brand: Option<&str>,
    funding: Option<&str>,
    last4: &str,
    exp: Option<(u8, i32)>,
    holder_name: &str,
    bank_name: Option<&str>,
    seed: &str,
) -> (String, String) {
    let fingerprint = fingerprint(secret, "demo", seed);
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
    (encode_token(secret, &body).expect("demo token fields always serialize"), fingerprint)
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
/// number and CVC arrive here and leave only as a token; nothing is stored or logged. Throttled
/// per address, like a processor guards against card testing.
pub async fn tokenize(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    request: Result<Json<TokenRequest>, JsonRejection>,
) -> Response {
    let Ok(Json(request)) = request else {
        let error = FieldError::new("body", "Send the card or bank account details as JSON, with a \"type\".");
        return (StatusCode::BAD_REQUEST, Json(TokenErrors { errors: vec![error] })).into_response();
    };
    let address = peer.map(|Extension(ConnectInfo(addr))| addr.ip().to_string());
    let now = unix_now(state.clock.as_ref());
    if let Err(refused) = crate::server::infra::auth::throttle::spend(
        &state.db,
        now,
        &crate::server::infra::auth::throttle::tokenize_limits(address.as_deref()),
    )
    .await
    {
        let status = StatusCode::from_u16(refused.http_status()).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
        return (status, Json(TokenErrors { errors: vec![FieldError::new("body", refused.to_string())] }))
            .into_response();
    }
    let today = today(state.clock.as_ref());
    let secret = &state.secret;
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
                    fingerprint: fingerprint(
                        secret,
                        "card",
                        &format!("{}:{}:{}", card.digits, card.exp_month, card.exp_year),
                    ),
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
                    fingerprint: fingerprint(
                        secret,
                        "ach",
                        &format!("{}:{}", account.routing_number, account.account_number),
                    ),
                    holder_name: account.holder_name.clone(),
                    bank_name: Some(bank_name(&account.routing_number).into()),
                    behaviour: Behaviour::Succeeds,
                    nonce,
                },
            }
        }
    };
    let token = match encode_token(secret, &body) {
        Ok(token) => token,
        Err(e) => {
            let error = crate::wire::error::AppError::internal("sandbox token", e);
            return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
        }
    };
    let response =
        TokenResponse { token, kind: body.kind.clone(), brand: body.brand.clone(), last4: body.last4.clone() };
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

    fn secret() -> ServerSecret {
        ServerSecret::from_text("the sandbox tests' secret, long enough to count")
    }

    fn card_body() -> TokenBody {
        TokenBody {
            kind: "card".into(),
            brand: Some("visa".into()),
            funding: Some("credit".into()),
            last4: "4242".into(),
            exp_month: Some(12),
            exp_year: Some(2030),
            fingerprint: fingerprint(&secret(), "card", "4242424242424242:12:2030"),
            holder_name: "N W".into(),
            bank_name: None,
            behaviour: Behaviour::Succeeds,
            nonce: "n_1".into(),
        }
    }

    #[test]
    fn tokens_carry_no_card_number() {
        let token = encode_token(&secret(), &card_body()).unwrap();
        let (body, _) = token.strip_prefix(TOKEN_PREFIX).unwrap().split_once('.').unwrap();
        let decoded = String::from_utf8(B64.decode(body).unwrap()).unwrap();
        assert!(!decoded.contains("4242424242424242"));
        assert!(!token.contains("4242424242424242"));
        assert_eq!(decode_token(&secret(), &token).unwrap().last4, "4242");
        assert!(decode_token(&secret(), "tok_sbx_garbage").is_none());
    }

    #[test]
    fn a_token_edited_forged_or_signed_elsewhere_is_refused() {
        let token = encode_token(&secret(), &card_body()).unwrap();
        let (body, signature) = token.strip_prefix(TOKEN_PREFIX).unwrap().split_once('.').unwrap();
        // The behaviour edited from "charges fail" to "succeeds", or the last four changed.
        let mut edited = card_body();
        edited.last4 = "0000".into();
        let edited_body = B64.encode(serde_json::to_vec(&edited).unwrap());
        assert!(decode_token(&secret(), &format!("{TOKEN_PREFIX}{edited_body}.{signature}")).is_none());
        // Unsigned, as tokens were before: refused.
        assert!(decode_token(&secret(), &format!("{TOKEN_PREFIX}{body}")).is_none());
        assert!(decode_token(&ServerSecret::from_text("another server's secret, also long enough"), &token).is_none());
    }

    #[test]
    fn the_public_fields_must_be_what_tokenization_writes() {
        let sign = |body: &TokenBody| decode_token(&secret(), &encode_token(&secret(), body).unwrap());
        assert!(sign(&card_body()).is_some());
        for broken in [
            TokenBody { last4: "42a2".into(), ..card_body() },
            TokenBody { last4: "42424".into(), ..card_body() },
            TokenBody { holder_name: "Eve\n<script>".into(), ..card_body() },
            TokenBody { holder_name: "x".repeat(121), ..card_body() },
            TokenBody { brand: Some("bogus".into()), ..card_body() },
            TokenBody { exp_month: Some(13), ..card_body() },
            TokenBody { kind: "wire".into(), ..card_body() },
            TokenBody { bank_name: Some("Bank".into()), ..card_body() },
            TokenBody { fingerprint: "not hex".into(), ..card_body() },
        ] {
            assert!(sign(&broken).is_none(), "{broken:?}");
        }
    }

    #[test]
    fn fingerprints_are_keyed_with_the_servers_secret() {
        let here = fingerprint(&secret(), "card", "4242424242424242:12:2030");
        assert_eq!(here, fingerprint(&secret(), "card", "4242424242424242:12:2030"), "the same card is recognised");
        assert_ne!(
            here,
            fingerprint(
                &ServerSecret::from_text("a dump's reader guessing the key!!"),
                "card",
                "4242424242424242:12:2030"
            )
        );
        // The unkeyed hash of before, which anyone could compute from a card number.
        let unkeyed = {
            use sha2::{Digest, Sha256};
            hex::encode(&Sha256::digest(b"portico-sandbox-fingerprint:card:4242424242424242:12:2030")[..12])
        };
        assert_ne!(here, unkeyed);
    }

    #[test]
    fn test_cards_map_to_their_behaviours() {
        assert_eq!(behaviour_of("4242424242424242"), Behaviour::Succeeds);
        assert_eq!(behaviour_of("4000000000000341"), Behaviour::ChargesFail);
        assert_eq!(behaviour_of("4000000000009995"), Behaviour::InsufficientFunds);
        assert_eq!(funding_of("4000056655665556"), CardFunding::Debit);
    }
}

//! The boundary to a payment processor. Portico never sees card numbers: the browser sends
//! them to the processor's tokenization endpoint, and Portico works with the token.

pub mod sandbox;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, stream};

use crate::domain::money::Money;
use crate::domain::payment_method::{CardBrand, CardFunding, MethodKind};

/// What the processor tells us about a tokenized method once it is attached to an account.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachedMethod {
    pub kind: MethodKind,
    pub brand: Option<CardBrand>,
    pub funding: Option<CardFunding>,
    pub last4: String,
    pub exp_month: Option<u8>,
    pub exp_year: Option<i32>,
    /// Same card or account, same fingerprint: lets us spot a method added twice.
    pub fingerprint: String,
    pub holder_name: String,
    pub bank_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AttachError {
    /// The issuer refused the method; `message` is fit to show to the client.
    #[error("{message}")]
    Declined { code: String, message: String },
    #[error("The card details have expired or were not recognised. Enter them again.")]
    InvalidToken,
}

pub struct ChargeRequest<'a> {
    pub token: &'a str,
    pub amount: Money,
    /// The processor charges at most once per key, whatever the number of calls.
    pub idempotency_key: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded {
        charge_id: String,
    },
    /// A definite refusal; `message` is fit to show to the client.
    Failed {
        code: String,
        message: String,
    },
}

/// The processor could not be reached or did not answer: the outcome is unknown, so the
/// payment stays pending until a lookup by idempotency key settles it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("payment processor unavailable: {0}")]
pub struct ProcessorUnavailable(pub String);

/// Charges in flight at once in [`PaymentProcessor::charge_many`]: enough to hide a processor's
/// latency, few enough to stay inside its rate limits.
const CHARGES_AT_ONCE: usize = 16;

pub trait PaymentProcessor: Send + Sync {
    fn name(&self) -> &'static str;

    fn attach<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AttachedMethod, AttachError>>;

    fn charge<'a>(&'a self, request: ChargeRequest<'a>) -> BoxFuture<'a, Result<ChargeOutcome, ProcessorUnavailable>>;

    /// Several charges, each with its own key and outcome, in the order asked. A processor
    /// without a batch interface is called for several at once: its calls are network-bound.
    fn charge_many<'a>(
        &'a self,
        requests: Vec<ChargeRequest<'a>>,
    ) -> BoxFuture<'a, Vec<Result<ChargeOutcome, ProcessorUnavailable>>> {
        let charges: Vec<_> = requests.into_iter().map(|request| self.charge(request)).collect();
        stream::iter(charges).buffered(CHARGES_AT_ONCE).collect().boxed()
    }

    /// The outcome of the charge made with this idempotency key, if the processor made one.
    fn find_charge<'a>(
        &'a self,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Option<ChargeOutcome>, ProcessorUnavailable>>;
}

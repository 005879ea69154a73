//! Turning card or bank details into a processor token, in the browser.
//!
//! PCI rule: a card number or security code never goes through a Portico server function.
//! The browser posts the details straight to the processor's tokenization endpoint and hands
//! Portico only the token it gets back. The details live in the form's own signals and are
//! never logged.

use serde::Serialize;

use crate::domain::cards::FieldError;

/// Where the card forms send details when the page has no tokenization URL of its own (the
/// public payment-link page, which has no signed-in session to ask).
pub const DEFAULT_TOKENIZATION_URL: &str = "/sandbox/v1/tokens";

/// What the forms post, exactly as typed.
#[derive(Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TokenRequest {
    Card { number: String, exp_month: String, exp_year: String, cvc: String, holder_name: String },
    BankAccount { routing_number: String, account_number: String, holder_name: String, account_type: String },
}

/// Why no token came back.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenizeError {
    /// The processor refused some fields; each message belongs next to its field.
    Fields(Vec<FieldError>),
    /// Anything else, said plainly for the form's alert.
    Failed(String),
}

const UNREACHABLE: &str =
    "We couldn't check these details with our payment processor. Check your connection and try again.";

/// Posts the details to `url` and returns the token.
#[cfg(feature = "hydrate")]
pub async fn tokenize(url: &str, request: &TokenRequest) -> Result<String, TokenizeError> {
    use gloo_net::http::Request;

    #[derive(serde::Deserialize)]
    struct Token {
        token: String,
    }
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<FieldError>,
    }

    let failed = || TokenizeError::Failed(UNREACHABLE.to_string());
    let response = Request::post(url).json(request).map_err(|_| failed())?.send().await.map_err(|_| failed())?;
    match response.status() {
        200 => response.json::<Token>().await.map(|t| t.token).map_err(|_| failed()),
        422 => match response.json::<Errors>().await {
            Ok(body) if !body.errors.is_empty() => Err(TokenizeError::Fields(body.errors)),
            _ => Err(TokenizeError::Failed(
                "Some of these details were not accepted. Check them and try again.".to_string(),
            )),
        },
        _ => Err(failed()),
    }
}

/// On the server there is no browser to post from; the forms never submit there.
#[cfg(not(feature = "hydrate"))]
pub async fn tokenize(url: &str, request: &TokenRequest) -> Result<String, TokenizeError> {
    let _ = (url, request);
    Err(TokenizeError::Failed(UNREACHABLE.to_string()))
}

/// The message for one field among `errors`.
pub fn message_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

/// Moves keyboard focus to the element with this id (the first field in error), so a
/// keyboard or screen-reader user lands where the fix is needed.
pub fn focus_by_id(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// What a tokenizing form shows about its submission: errors by field, a form-level alert,
/// and whether a submission is under way.
#[derive(Clone, Copy)]
pub struct TokenFormState {
    pub errors: leptos::prelude::RwSignal<Vec<FieldError>>,
    pub alert: leptos::prelude::RwSignal<Option<String>>,
    pub pending: leptos::prelude::RwSignal<bool>,
}

impl TokenFormState {
    pub fn new() -> Self {
        use leptos::prelude::RwSignal;
        TokenFormState { errors: RwSignal::new(Vec::new()), alert: RwSignal::new(None), pending: RwSignal::new(false) }
    }
}

impl Default for TokenFormState {
    fn default() -> Self {
        Self::new()
    }
}

/// The submit flow the card and bank forms share: tokenize `request` at `url`, hand the token
/// (and the "make default" choice) to `on_token`, then either run `on_success` or report the
/// problem in `form`, focusing the first refused field of `field_order` (whose input id is
/// `{id_prefix}-{field with dashes}`).
#[allow(clippy::too_many_arguments)]
pub fn submit_for_token<F, Fut>(
    form: TokenFormState,
    url: String,
    request: TokenRequest,
    make_default: bool,
    on_token: F,
    field_order: &'static [&'static str],
    id_prefix: &'static str,
    on_success: impl FnOnce() + 'static,
) where
    F: Fn(String, bool) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), crate::wire::error::AppError>> + 'static,
{
    use leptos::prelude::Set;
    form.pending.set(true);
    form.errors.set(Vec::new());
    form.alert.set(None);
    leptos::task::spawn_local(async move {
        match tokenize(&url, &request).await {
            Ok(token) => match on_token(token, make_default).await {
                Ok(()) => on_success(),
                Err(error) => form.alert.set(Some(error.to_string())),
            },
            Err(TokenizeError::Fields(list)) => {
                let first = field_order.iter().find(|f| list.iter().any(|e| e.field == **f));
                form.errors.set(list);
                if let Some(first) = first {
                    focus_by_id(&format!("{id_prefix}-{}", first.replace('_', "-")));
                }
            }
            Err(TokenizeError::Failed(message)) => form.alert.set(Some(message)),
        }
        form.pending.set(false);
    });
}

//! The methods an automatic charge can use, and which one it uses (see [`choose`]). Read in
//! the transaction that issues or charges: the client may have changed them since.

use std::collections::HashMap;

use crate::domain::payment_method::MethodKind;
use crate::server::cycle::load::Method;
use crate::server::dashboard::queries::method_label;
use crate::server::infra::db::bulk::{IDS_PER_STATEMENT, bind_all};
use crate::server::infra::db::{Tx, decode, placeholders};
use crate::wire::error::AppError;

/// The method chosen for the subscription the invoice bills, else the account's default —
/// among `methods`, the account's cards and bank accounts: those can be charged without the
/// client (wire, PIX and Boleto accounts pay by hand).
pub fn choose<'m>(methods: &'m [Method], subscription_method: Option<&str>) -> Option<&'m Method> {
    subscription_method
        .and_then(|id| methods.iter().find(|m| m.id == id))
        .or_else(|| methods.iter().find(|m| m.is_default))
}

type MethodRow =
    (String, String, String, Option<String>, Option<String>, Option<String>, Option<i64>, Option<i64>, i64, String);

/// The cards and bank accounts on file of each of `accounts`, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn chargeable(tx: &mut Tx, accounts: &[String]) -> Result<HashMap<String, Vec<Method>>, AppError> {
    let mut methods: HashMap<String, Vec<Method>> = HashMap::new();
    for chunk in accounts.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "SELECT account_id, id, kind, brand, last4, bank_name, exp_month, exp_year, is_default, processor_token FROM payment_methods
             WHERE account_id IN ({}) AND removed_at IS NULL AND kind IN ('card', 'ach') ORDER BY account_id, created_at, id",
            placeholders(1, chunk.len())
        );
        let rows: Vec<MethodRow> = bind_all(sqlx::query_as(&sql), chunk).fetch_all(&mut **tx).await?;
        for (account, id, kind, brand, last4, bank, exp_month, exp_year, is_default, processor_token) in rows {
            let kind = decode::enumerated(&kind, MethodKind::parse)?;
            let expiry = exp_month.zip(exp_year).map(|(m, y)| (m.clamp(0, 255) as u8, y as i32));
            methods.entry(account).or_default().push(Method {
                label: method_label(kind, brand.as_deref(), last4.as_deref(), bank.as_deref()),
                id,
                kind,
                expiry,
                is_default: is_default == 1,
                processor_token,
            });
        }
    }
    Ok(methods)
}

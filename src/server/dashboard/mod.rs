//! The client dashboard use case. Seven queries whatever the account's size: the session (in
//! authorize), the profile, open invoices, open estimates, subscriptions, payment methods and
//! unresolved failed payments.

pub mod queries;

use crate::domain::money::CurrencyTotals;
use crate::domain::people::initials;
use crate::server::accounts::queries as accounts;
use crate::server::infra::auth::authorize::Authorized;
use crate::server::infra::clock::today;
use crate::server::invoices::queries as invoices;
use crate::wire::dashboard::Dashboard;
use crate::wire::error::AppError;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn load(caller: &Authorized) -> Result<Dashboard, AppError> {
    let pool = caller.state.db.pool();
    let account = caller.account()?;
    let today = today(caller.state.clock.as_ref());
    let profile = accounts::profile(pool, &account.id).await?.ok_or_else(AppError::not_found)?;
    let (open_invoices, open_estimates, subscriptions, payment_methods, failed_payments) = tokio::try_join!(
        invoices::open_invoices(pool, &account.id, today),
        invoices::open_estimates(pool, &account.id, today),
        queries::current_subscriptions(pool, &account.id),
        queries::payment_methods(pool, &account.id, today),
        queries::unresolved_failures(pool, &account.id),
    )?;

    let mut outstanding = CurrencyTotals::default();
    let mut overdue = CurrencyTotals::default();
    for invoice in &open_invoices {
        outstanding.add(invoice.amount_due).map_err(|e| AppError::internal("outstanding total", e))?;
        if invoice.is_overdue {
            overdue.add(invoice.amount_due).map_err(|e| AppError::internal("overdue total", e))?;
        }
    }
    let mut plan_names: Vec<String> = subscriptions.iter().map(|s| s.plan_name.clone()).collect();
    plan_names.dedup();

    Ok(Dashboard {
        today,
        user_name: caller.session.name.clone(),
        user_initials: initials(&caller.session.name, &caller.session.email),
        account_name: profile.name,
        company_name: profile.company_name,
        role: account.role,
        plan_names,
        open_invoices,
        outstanding,
        overdue,
        open_estimates,
        subscriptions,
        payment_methods,
        failed_payments,
    })
}

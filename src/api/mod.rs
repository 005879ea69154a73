//! Server functions by area: thin, typed, each starting with the authorization call.

pub mod accounts;
pub mod activity;
pub mod api_keys;
pub mod auth;
pub mod billing_details;
pub mod billing_history;
pub mod billing_items;
pub mod billing_rules;
pub mod credit;
pub mod dashboard;
pub mod estimates;
pub mod payment_methods;
pub mod payments;
pub mod staff;
pub mod subscriptions;
pub mod team;
pub mod usage;
pub mod webhooks;

/// Registers every server function with the router explicitly. Automatic registration relies
/// on linker sections that can be dropped when the library is linked into a test binary;
/// listing them here also gives one place that enumerates the public HTTP surface.
#[cfg(feature = "ssr")]
pub fn register_all() {
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<auth::Login>();
    register_explicit::<auth::Logout>();
    register_explicit::<auth::CurrentSession>();
    register_explicit::<accounts::MyAccounts>();
    register_explicit::<activity::AccountActivity>();
    register_explicit::<activity::StaffActivity>();
    register_explicit::<auth::ChangePassword>();
    register_explicit::<accounts::SwitchAccount>();
    register_explicit::<billing_details::GetBillingDetails>();
    register_explicit::<billing_details::UpdateBillingDetails>();
    register_explicit::<billing_details::AddBillingContact>();
    register_explicit::<billing_details::RemoveBillingContact>();
    register_explicit::<dashboard::GetDashboard>();
    register_explicit::<dashboard::BillingHelpers>();
    register_explicit::<billing_items::GetInvoice>();
    register_explicit::<billing_items::GetEstimate>();
    register_explicit::<staff::ListClients>();
    register_explicit::<staff::EstimateDecisions>();
    register_explicit::<staff::ViewAsClient>();
    register_explicit::<staff::ExitClientView>();
    register_explicit::<staff::AwaitingTransfers>();
    register_explicit::<staff::RecordTransfer>();
    register_explicit::<api_keys::ListApiKeys>();
    register_explicit::<api_keys::CreateApiKey>();
    register_explicit::<api_keys::RevokeApiKey>();
    register_explicit::<billing_rules::GetBillingRules>();
    register_explicit::<billing_rules::SaveBillingRules>();
    register_explicit::<estimates::ApproveEstimate>();
    register_explicit::<estimates::DeclineEstimate>();
    register_explicit::<estimates::ListEstimates>();
    register_explicit::<billing_history::BillingHistory>();
    register_explicit::<payment_methods::ListPaymentMethods>();
    register_explicit::<payment_methods::AddPaymentMethod>();
    register_explicit::<payment_methods::MakeDefaultPaymentMethod>();
    register_explicit::<payment_methods::RemovePaymentMethod>();
    register_explicit::<payments::QuotePayment>();
    register_explicit::<payments::PayInvoices>();
    register_explicit::<payments::PaymentHistory>();
    register_explicit::<payments::CreatePaymentLink>();
    register_explicit::<payments::ViewPaymentLink>();
    register_explicit::<payments::PayByLink>();
    register_explicit::<team::GetTeam>();
    register_explicit::<team::InviteMember>();
    register_explicit::<team::ChangeMemberRole>();
    register_explicit::<team::RemoveMember>();
    register_explicit::<team::RevokeInvitation>();
    register_explicit::<team::ViewInvitation>();
    register_explicit::<team::AcceptInvitation>();
    register_explicit::<credit::GetCreditPage>();
    register_explicit::<credit::CreditEntries>();
    register_explicit::<credit::TopUpCredit>();
    register_explicit::<credit::SaveCreditSettings>();
    register_explicit::<credit::GetServiceStatus>();
    register_explicit::<subscriptions::ListSubscriptions>();
    register_explicit::<subscriptions::PreviewSubscriptionChange>();
    register_explicit::<subscriptions::ChangeSubscription>();
    register_explicit::<subscriptions::SetSubscriptionPaymentMethod>();
    register_explicit::<subscriptions::CancelSubscription>();
    register_explicit::<subscriptions::ResumeSubscription>();
    register_explicit::<usage::GetUsageFilters>();
    register_explicit::<usage::GetUsageReport>();
}

use crate::wire::auth::SessionView;
use crate::wire::error::AppError;
use leptos::prelude::*;

/// Signs in. On success the session cookie is set (a new session id: any session the
/// browser had is ended) and the browser is sent to `next` or the dashboard.
///
/// Public by necessity: it is how a caller becomes established, so there is no `authorize`
/// call. It is throttled per email and, like every POST, refused when cross-site.
#[server(endpoint = "login", output = crate::wire::codec::JsonText)]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::infra::auth::login::sign_in;
    use crate::server::infra::request::RequestInfo;

    use crate::server::infra::auth::redirect::safe_next;

    let info = RequestInfo::current()?;
    sign_in(&info, &email, &password).await?;
    // Only a path on the portal itself is followed: a crafted link cannot bounce a user away.
    leptos_axum::redirect(&safe_next(&info.state.settings.server.public_url, next.as_deref()));
    Ok(())
}

#[server(endpoint = "logout", output = crate::wire::codec::JsonText)]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    use crate::server::infra::auth::login::sign_out;
    use crate::server::infra::request::RequestInfo;

    let caller = authorize(Access::SignedIn).await?;
    sign_out(&RequestInfo::current()?, &caller).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(endpoint = "session", output = crate::wire::codec::JsonText)]
pub async fn current_session() -> Result<SessionView, AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::SignedIn).await?;
    Ok(crate::server::infra::auth::session_view(&caller))
}

/// Changes the signed-in person's password after checking the current one. Every other
/// session of theirs ends; this one continues under a new id. Refused while viewing as a client.
#[server(endpoint = "password", output = crate::wire::codec::JsonText)]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::server::infra::auth::authorize::{Access, authorize};
    let caller = authorize(Access::Personal).await?;
    let info = crate::server::infra::request::RequestInfo::current()?;
    crate::server::infra::auth::password_change::change_password(&info, &caller, &current_password, &new_password)
        .await?;
    // The profile page's own form: answered with the page saying it is done.
    info.redirect_form_post("/profile?changed=1");
    Ok(())
}

//! A client's team (seeds 000, 002, 004): who has which role, invitations by email, role
//! changes and removals. The account always keeps an owner.

use crate::domain::role::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub is_you: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: String,
    pub email: String,
    pub role: Role,
    /// Unix seconds.
    pub expires_at: i64,
    pub invited_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub account_name: String,
    pub members: Vec<TeamMember>,
    pub invitations: Vec<PendingInvitation>,
    /// The caller's role: owners and admins manage the team, only owners manage owners.
    pub your_role: Role,
    /// Staff viewing as the client see the team but cannot change it.
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub account_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    /// No user has this email yet: the invitee chooses a name and password. Otherwise they
    /// confirm with their existing password.
    pub new_user: bool,
}

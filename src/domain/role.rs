use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role inside one client account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Owner,
    Admin,
    BillingManager,
    Member,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::BillingManager, Role::Member];

    /// Billing pages, payment methods, invoices and money-moving actions.
    pub fn has_billing_access(self) -> bool {
        matches!(self, Role::Owner | Role::Admin | Role::BillingManager)
    }

    /// Inviting, removing and re-roling people in the account.
    pub fn can_manage_team(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::BillingManager => "billing_manager",
            Role::Member => "member",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::BillingManager => "Billing manager",
            Role::Member => "Member",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owner_admin_and_billing_manager_see_billing() {
        assert!(Role::Owner.has_billing_access());
        assert!(Role::Admin.has_billing_access());
        assert!(Role::BillingManager.has_billing_access());
        assert!(!Role::Member.has_billing_access());
    }

    #[test]
    fn only_owner_and_admin_manage_the_team() {
        let managers: Vec<Role> = Role::ALL.into_iter().filter(|r| r.can_manage_team()).collect();
        assert_eq!(managers, vec![Role::Owner, Role::Admin]);
    }

    #[test]
    fn database_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("superuser".parse::<Role>().is_err());
        assert!("Owner".parse::<Role>().is_err());
    }
}

/// A staff member's role at the vendor. Admins set the vendor's rules and keys; support staff
/// help clients (the client list, viewing as a client, activity) and can read the rules and keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StaffRole {
    Admin,
    Support,
}

impl StaffRole {
    pub fn parse(text: &str) -> Option<StaffRole> {
        match text {
            "admin" => Some(StaffRole::Admin),
            "support" => Some(StaffRole::Support),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Support => "support",
        }
    }

    /// Creating and revoking API keys, changing the billing rules.
    pub fn can_administer(self) -> bool {
        self == StaffRole::Admin
    }
}

#[cfg(test)]
mod staff_role_tests {
    use super::StaffRole;

    #[test]
    fn only_admins_administer_and_the_stored_names_round_trip() {
        assert!(StaffRole::Admin.can_administer());
        assert!(!StaffRole::Support.can_administer());
        for role in [StaffRole::Admin, StaffRole::Support] {
            assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(StaffRole::parse("owner"), None);
    }
}

//! Who may change whom in a client's team, and the one rule no change may break: an account
//! always keeps an owner.

use super::role::Role;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamRuleError {
    #[error("Only owners and admins manage the team.")]
    NotATeamAdmin,
    #[error("Only an owner can make someone an owner, or change or remove an owner.")]
    OwnersOnly,
    #[error("This is the account's only owner. Make someone else an owner first.")]
    LastOwner,
}

/// Checks a change of `target`'s role by `actor`: `to` is the new role, `None` for removal.
/// `owners` is how many owners the account has now.
pub fn check_change(actor: Role, target: Role, to: Option<Role>, owners: i64) -> Result<(), TeamRuleError> {
    if !actor.can_manage_team() {
        return Err(TeamRuleError::NotATeamAdmin);
    }
    let touches_owner = target == Role::Owner || to == Some(Role::Owner);
    if touches_owner && actor != Role::Owner {
        return Err(TeamRuleError::OwnersOnly);
    }
    if target == Role::Owner && to != Some(Role::Owner) && owners <= 1 {
        return Err(TeamRuleError::LastOwner);
    }
    Ok(())
}

/// Checks an invitation to join with `role`.
pub fn check_invite(actor: Role, role: Role) -> Result<(), TeamRuleError> {
    match (actor.can_manage_team(), role == Role::Owner && actor != Role::Owner) {
        (false, _) => Err(TeamRuleError::NotATeamAdmin),
        (true, true) => Err(TeamRuleError::OwnersOnly),
        (true, false) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn the_last_owner_can_be_neither_removed_nor_demoted() {
        for to in [None, Some(Admin), Some(BillingManager), Some(Member)] {
            assert_eq!(check_change(Owner, Owner, to, 1), Err(TeamRuleError::LastOwner), "{to:?}");
            assert_eq!(check_change(Owner, Owner, to, 2), Ok(()), "{to:?}");
        }
        assert_eq!(check_change(Owner, Owner, Some(Owner), 1), Ok(()));
    }

    #[test]
    fn only_owners_touch_owners() {
        assert_eq!(check_change(Admin, Owner, None, 3), Err(TeamRuleError::OwnersOnly));
        assert_eq!(check_change(Admin, Member, Some(Owner), 1), Err(TeamRuleError::OwnersOnly));
        assert_eq!(check_change(Admin, Member, Some(Admin), 1), Ok(()));
        assert_eq!(check_change(Owner, Member, Some(Owner), 1), Ok(()));
        assert_eq!(check_invite(Admin, Owner), Err(TeamRuleError::OwnersOnly));
        assert_eq!(check_invite(Owner, Owner), Ok(()));
    }

    #[test]
    fn billing_managers_and_members_manage_nobody() {
        for actor in [BillingManager, Member] {
            for target in Role::ALL {
                assert_eq!(check_change(actor, target, None, 2), Err(TeamRuleError::NotATeamAdmin));
            }
            assert_eq!(check_invite(actor, Member), Err(TeamRuleError::NotATeamAdmin));
        }
    }
}

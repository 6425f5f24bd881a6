//! The administrators' settings changed at run time: whether visitors may create accounts.

use crate::db::accounts::User;
use crate::db::admin;
use crate::services::{Handles, ServiceError};

const SIGNUPS: &str = "signups";

/// Whether sign-ups are open, combining the start-up flag and the administrators' choice: the
/// flag `--signups closed` closes them whatever is stored (the operator's word is final), and
/// with `--signups open` (the default) the administrators open and close them at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signups {
    /// `--signups open` at start.
    pub allowed_by_operator: bool,
    /// An administrator closed them (stored in the database, so every instance agrees).
    pub closed_by_admin: bool,
}

impl Signups {
    pub fn open(self) -> bool {
        self.allowed_by_operator && !self.closed_by_admin
    }
}

pub async fn signups(state: &Handles, allowed_by_operator: bool) -> Result<Signups, ServiceError> {
    let stored = admin::setting(state.db.pool(), SIGNUPS).await?;
    Ok(Signups { allowed_by_operator, closed_by_admin: stored.as_deref() == Some("closed") })
}

/// An administrator opens or closes sign-ups.
pub async fn set_signups(state: &Handles, admin_user: &User, open: bool) -> Result<(), ServiceError> {
    if !admin_user.is_admin() {
        return Err(ServiceError::NotFound);
    }
    let mut tx = state.db.begin_write().await?;
    admin::set_setting(&mut *tx, SIGNUPS, if open { "open" } else { "closed" }, state.clock.now()).await?;
    tx.commit().await?;
    tracing::info!(admin_id = %admin_user.id, open, "sign-ups changed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Signups;

    #[test]
    fn the_operators_flag_closes_sign_ups_whatever_administrators_chose() {
        let open = |allowed_by_operator, closed_by_admin| Signups { allowed_by_operator, closed_by_admin }.open();
        assert!(open(true, false));
        assert!(!open(true, true));
        assert!(!open(false, false));
        assert!(!open(false, true));
    }
}

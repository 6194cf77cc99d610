//! Managing users, for a System Administrator: each function takes the
//! [`ManageUsers`] permit (a front end can no longer check a permit and
//! then act on a bare home) and reports what changed.

use crate::auth::{self, ManageUsers, Permit, Role, UserInfo};
use crate::Result;
use serde::Serialize;

/// What a change to a user did: `users add`, `passwd` and `role` print it
/// (`--json` as it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserChange {
    /// `added`, `password changed` or `role changed`.
    pub result: &'static str,
    /// The user changed.
    pub user: String,
    /// The user's role, when it was set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// Adds user `name` with `role` and `password` (the password rule is
/// checked first).
pub fn add(
    permit: &Permit<ManageUsers>,
    name: &str,
    role: Role,
    password: &str,
) -> Result<UserChange> {
    auth::add_user(permit.home(), name, role, password)?;
    Ok(UserChange {
        result: "added",
        user: name.to_string(),
        role: Some(role),
    })
}

/// Every user (never with a password hash).
pub fn list(permit: &Permit<ManageUsers>) -> Result<Vec<UserInfo>> {
    auth::list_users(permit.home())
}

/// Gives user `name` a new password (the password rule is checked first).
pub fn set_password(
    permit: &Permit<ManageUsers>,
    name: &str,
    password: &str,
) -> Result<UserChange> {
    auth::set_password(permit.home(), name, password)?;
    Ok(UserChange {
        result: "password changed",
        user: name.to_string(),
        role: None,
    })
}

/// Gives user `name` the role `role`.
pub fn set_role(permit: &Permit<ManageUsers>, name: &str, role: Role) -> Result<UserChange> {
    auth::set_role(permit.home(), name, role)?;
    Ok(UserChange {
        result: "role changed",
        user: name.to_string(),
        role: Some(role),
    })
}

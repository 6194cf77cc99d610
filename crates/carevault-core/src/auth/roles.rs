//! Roles and the actions they allow (the guide's "Permissions" section).

use crate::i18n::{t, Text};
use serde::Serialize;
use std::fmt;

/// A user's role. Any role name carevault does not know counts as staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// Create, view, restore.
    ClinicalManager,
    /// Create, view, restore.
    ClinicNurse,
    /// Create, view, restore, delete; manages users.
    SystemAdministrator,
    /// Nothing.
    ClinicStaff,
}

impl Role {
    /// The role of a stored role name.
    pub fn parse(name: &str) -> Role {
        match name.trim().to_ascii_lowercase().as_str() {
            "clinical manager" | "clinical-manager" | "manager" => Role::ClinicalManager,
            "clinic nurse" | "clinic-nurse" | "nurse" => Role::ClinicNurse,
            "system administrator" | "system-administrator" | "admin" => Role::SystemAdministrator,
            _ => Role::ClinicStaff,
        }
    }

    /// The name as the guide writes it.
    pub fn name(self) -> &'static str {
        match self {
            Role::ClinicalManager => "Clinical Manager",
            Role::ClinicNurse => "Clinic Nurse",
            Role::SystemAdministrator => "System Administrator",
            Role::ClinicStaff => "Clinic Staff",
        }
    }

    /// The name shown to a person, in their language (`name` stays the
    /// stored and JSON form).
    pub fn title(self) -> Text {
        match self {
            Role::ClinicalManager => t!("ops-role-clinical-manager"),
            Role::ClinicNurse => t!("ops-role-clinic-nurse"),
            Role::SystemAdministrator => t!("ops-role-system-administrator"),
            Role::ClinicStaff => t!("ops-role-clinic-staff"),
        }
    }

    /// Whether the role sees the Backups menu at all.
    pub fn sees_backups(self) -> bool {
        View::allowed(self)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    pub trait Sealed {}
}

/// An action that needs a permission. Sealed: the set is fixed here.
pub trait Action: sealed::Sealed {
    /// Short name used in the audit trail.
    const NAME: &'static str;
    /// Words for a refusal ("may not ..."), in English.
    const DESCRIPTION: &'static str;
    /// Words for a refusal ("may not ..."), to show a person.
    fn description() -> Text;
    /// Roles allowed.
    const ROLES: &'static [Role];
    /// Whether `role` may perform it.
    fn allowed(role: Role) -> bool {
        Self::ROLES.contains(&role)
    }
    /// The allowed roles, for messages.
    fn roles_text() -> String {
        let names: Vec<_> = Self::ROLES.iter().map(|r| r.name()).collect();
        names.join(" or ")
    }
    /// The allowed roles, to show a person ("A or B").
    fn roles_title() -> Text {
        Self::ROLES
            .iter()
            .map(|r| r.title())
            .reduce(|list, next| t!("ops-roles-or", list = list, next = next))
            .unwrap_or_else(|| t!("ops-roles-none"))
    }
}

const CARE: &[Role] = &[
    Role::ClinicalManager,
    Role::ClinicNurse,
    Role::SystemAdministrator,
];
const ADMIN: &[Role] = &[Role::SystemAdministrator];

macro_rules! action {
    ($t:ident, $name:literal, $desc:literal, $title:expr, $roles:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug)]
        pub struct $t;
        impl sealed::Sealed for $t {}
        impl Action for $t {
            const NAME: &'static str = $name;
            const DESCRIPTION: &'static str = $desc;
            const ROLES: &'static [Role] = $roles;
            fn description() -> Text {
                $title
            }
        }
    };
}

action!(
    View,
    "view",
    "view backups",
    t!("ops-action-view"),
    CARE,
    "List, show and verify backups."
);
action!(
    Create,
    "create",
    "create backups",
    t!("ops-action-create"),
    CARE,
    "Create backups (and change their passphrase)."
);
action!(
    Restore,
    "restore",
    "restore backups",
    t!("ops-action-restore"),
    CARE,
    "Restore a backup."
);
action!(
    Delete,
    "delete",
    "delete backups",
    t!("ops-action-delete"),
    ADMIN,
    "Delete a backup."
);
action!(
    ManageUsers,
    "manage users",
    "manage users",
    t!("ops-action-manage-users"),
    ADMIN,
    "Add users, change roles and passwords."
);
action!(
    AuditTrail,
    "view audit trail",
    "read the audit trail",
    t!("ops-action-audit-trail"),
    ADMIN,
    "List and check the audit trail."
);
action!(
    ManageTrust,
    "manage trust",
    "manage the trusted signing keys",
    t!("ops-action-manage-trust"),
    ADMIN,
    "Add, list and remove the facility's trusted signing keys."
);

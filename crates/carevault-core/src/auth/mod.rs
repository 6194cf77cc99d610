//! Who may do what. Users live in the clinic data (`data/users.db`), so a
//! restore brings them back; each has one role.
//!
//! The check is enforced by types: every operation that needs a permission
//! takes a [`Permit<A>`] for its action `A`, and the only ways to obtain one
//! are [`permit`] (a user who logged in, whose role allows `A`) and
//! [`first_run_restore`] (a restore into a home with no clinic data, as the
//! guide's reinstall procedure needs). Refusals and failed logins are
//! written to the audit trail here, in this one place.

mod roles;
mod users;

pub use roles::{
    Action, AuditTrail, Create, Delete, ManageTrust, ManageUsers, Restore, Role, View,
};
pub use users::{
    add_user, check_name as check_username, has_users, list_users, set_password, set_role,
    UserInfo, MAX_USERNAME_BYTES,
};

use crate::audit::{self, Event, Outcome};
use crate::error::{Error, Kind, Result};
use crate::i18n::t;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// A user whose password was checked.
#[derive(Debug, Clone)]
pub struct Authenticated {
    home: PathBuf,
    username: String,
    role: Role,
    /// Digest of the stored password hash at login (see `users::current`).
    epoch: String,
}

impl Authenticated {
    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }
    /// The user's role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// The app home the user logged in to.
    pub fn home(&self) -> &Path {
        &self.home
    }
}

/// Proof that `user` may perform action `A` on `home`.
#[derive(Debug)]
pub struct Permit<A: Action> {
    home: PathBuf,
    user: String,
    role: Option<Role>,
    _action: PhantomData<A>,
}

impl<A: Action> Permit<A> {
    /// The app home.
    pub fn home(&self) -> &Path {
        &self.home
    }
    /// Who acts (`first-run` for a restore into an empty home).
    pub fn user(&self) -> &str {
        &self.user
    }
    /// The acting user's role (`None` for a first-run restore).
    pub fn role(&self) -> Option<Role> {
        self.role
    }
}

/// Checks a user name and password against `data/users.db`. A failure is
/// audited and says nothing about which of the two was wrong. A name that
/// no user can have (see [`check_username`]) is refused first, with a
/// `Usage` error, and is not written to the audit trail.
pub fn authenticate(home: &Path, username: &str, password: &str) -> Result<Authenticated> {
    users::check_name(username)?;
    match users::check_password(home, username, password)? {
        Some((role, epoch)) => Ok(Authenticated {
            home: home.to_path_buf(),
            username: username.to_string(),
            role,
            epoch,
        }),
        None => {
            audit::append(
                home,
                &Event::new(username, "login", Outcome::Failure)
                    .reason("wrong user name or password"),
            )?;
            Err(Error::new(
                Kind::PermissionDenied,
                t!("ops-login-wrong"),
                t!("ops-login-wrong-advice"),
            ))
        }
    }
}

/// The user as the user store holds them now: `Some` only while the user
/// still exists with the same role and the same password as at login. A
/// long-lived session (the web server's) calls this on every request, so
/// a role change, a password change or a removal ends it at once.
pub fn recheck(who: &Authenticated) -> Result<Option<Authenticated>> {
    Ok(match users::current(&who.home, &who.username)? {
        Some((role, epoch)) if role == who.role && epoch == who.epoch => Some(who.clone()),
        _ => None,
    })
}

/// Authorises an authenticated user for action `A`; a refusal is audited
/// and names the roles that may do it.
pub fn authorize<A: Action>(who: &Authenticated) -> Result<Permit<A>> {
    if A::allowed(who.role) {
        return Ok(Permit {
            home: who.home.clone(),
            user: who.username.clone(),
            role: Some(who.role),
            _action: PhantomData,
        });
    }
    audit::append(
        &who.home,
        &Event::new(&who.username, A::NAME, Outcome::Refused).reason(&format!(
            "role {} may not {}",
            who.role,
            A::NAME
        )),
    )?;
    Err(Error::new(
        Kind::PermissionDenied,
        t!(
            "ops-auth-may-not",
            user = &who.username,
            role = who.role.title(),
            action = A::description()
        ),
        t!("ops-auth-may-not-advice", roles = A::roles_title()),
    ))
}

/// Logs in and authorises in one step.
pub fn permit<A: Action>(home: &Path, username: &str, password: &str) -> Result<Permit<A>> {
    authorize(&authenticate(home, username, password)?)
}

/// True when the home holds no clinic data: no database (`.db`,
/// `.sqlite`, `.sqlite3`, `.db3`) anywhere in `data/` (an imported SanteDB
/// folder keeps its databases in `data/santedb/`: that is clinic data
/// too), looked for four folders deep.
pub fn is_first_run(home: &Path) -> bool {
    let data = crate::layout::data_dir(home);
    // Only a data folder that is not there counts as none: one that cannot
    // be read is not proof of a fresh install (fail closed).
    match std::fs::read_dir(&data) {
        Ok(_) => !holds_a_database(&data, 4),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

fn holds_a_database(dir: &Path, depth: u32) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else {
        // A folder that cannot be read may hold one: fail closed.
        return true;
    };
    rd.flatten().any(|e| {
        let Ok(t) = e.file_type() else { return true };
        if t.is_dir() {
            depth > 0 && holds_a_database(&e.path(), depth - 1)
        } else {
            let n = e.file_name().to_string_lossy().to_ascii_lowercase();
            [".db", ".sqlite", ".sqlite3", ".db3"]
                .iter()
                .any(|x| n.ends_with(x))
        }
    })
}

fn first_admin_marker(home: &Path) -> std::path::PathBuf {
    crate::layout::private_dir(home).join("first-admin-pending")
}

/// After a first-run restore of data that holds no users (a SanteDB
/// import: its data has no carevault users), lets the first System
/// Administrator be made without a login, once ([`first_admin_pending`]).
/// Only carevault writes `private/`, and only a first run gets here.
pub fn allow_first_admin(home: &Path) -> Result<()> {
    crate::fsutil::private_dir(&crate::layout::private_dir(home))?;
    crate::fsutil::create_once(&first_admin_marker(home), b"").map(|_| ())
}

/// True when the first System Administrator may be made without a login:
/// a first run, or clinic data with no users that a first-run import
/// restored ([`allow_first_admin`]).
pub fn first_admin_pending(home: &Path) -> bool {
    !has_users(home).unwrap_or(true)
        && (is_first_run(home) || first_admin_marker(home).symlink_metadata().is_ok())
}

/// The guide's reinstall case: with no clinic data in the home there are no
/// users to log in as, and the backup's passphrase is the gate.
pub fn first_run_restore(home: &Path) -> Result<Permit<Restore>> {
    if !is_first_run(home) {
        return Err(Error::new(
            Kind::PermissionDenied,
            t!("ops-first-run-has-data"),
            t!("ops-first-run-has-data-advice"),
        ));
    }
    Ok(Permit {
        home: home.to_path_buf(),
        user: "first-run".into(),
        role: None,
        _action: PhantomData,
    })
}

/// The import half of a first-run "Import and restore" (the web's): with no
/// clinic data there is no one to log in as, and the imported file's own
/// passphrase, then the restore's, are the gate, as for [`first_run_restore`].
pub fn first_run_import(home: &Path) -> Result<Permit<Create>> {
    let restore = first_run_restore(home)?;
    Ok(Permit {
        home: restore.home,
        user: restore.user,
        role: None,
        _action: PhantomData,
    })
}

/// Creates the first System Administrator of a home that has no users yet.
pub fn first_user(home: &Path, username: &str, password: &str) -> Result<Permit<ManageUsers>> {
    if has_users(home)? {
        return Err(Error::new(
            Kind::PermissionDenied,
            t!("ops-first-user-exists"),
            t!("ops-first-user-exists-advice"),
        ));
    }
    add_user(home, username, Role::SystemAdministrator, password)?;
    let _ = std::fs::remove_file(first_admin_marker(home));
    audit::append(
        home,
        &Event::new(username, "add first user", Outcome::Success),
    )?;
    Ok(Permit {
        home: home.to_path_buf(),
        user: username.into(),
        role: Some(Role::SystemAdministrator),
        _action: PhantomData,
    })
}

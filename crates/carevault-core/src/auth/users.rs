//! The user store: the `users` table of `data/users.db`, passwords as
//! argon2id PHC strings.

use super::Role;
use crate::error::{Error, Kind, Result};
use crate::i18n::{t, Text};
use argon2::Argon2;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A user as listed (never with the password hash).
#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role as stored.
    pub role: String,
    /// Role as carevault applies it.
    pub effective_role: Role,
}

fn db_path(home: &Path) -> PathBuf {
    crate::layout::data_dir(home).join("users.db")
}

fn sql(what: Text, path: &Path, e: rusqlite::Error) -> Error {
    Error::new(
        Kind::Io,
        t!("ops-users-db-unreadable", what = what, err = e.to_string()),
        t!("ops-users-db-unreadable-advice"),
    )
    .at(path)
}

fn open(home: &Path, create: bool) -> Result<Option<Connection>> {
    let path = db_path(home);
    if !path.exists() && !create {
        return Ok(None);
    }
    if create {
        std::fs::create_dir_all(crate::layout::data_dir(home)).map_err(|e| {
            Error::io(
                t!("ops-doing-creating-data-folder"),
                crate::layout::data_dir(home),
                e,
            )
        })?;
    }
    // users.db may have come from a backup: read with SQLite's defences on.
    let c = crate::untrusted_db::open(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sql(t!("ops-users-while-opening"), &path, e))?;
    c.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| sql(t!("ops-users-while-opening"), &path, e))?;
    // A `users` that is not a table (a view could compute forever) makes
    // the file no user database of carevault's.
    match crate::untrusted_db::kind_of(&c, "users")
        .map_err(|e| sql(t!("ops-users-while-opening"), &path, e))?
    {
        Some(kind) if kind != "table" => {
            return Err(Error::new(
                Kind::CheckFailed,
                t!("ops-users-not-a-table", kind = kind),
                t!("ops-users-not-a-table-advice"),
            )
            .at(&path))
        }
        _ => {}
    }
    if create {
        c.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
               display_name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at TEXT NOT NULL);",
        )
        .map_err(|e| sql(t!("ops-users-while-creating"), &path, e))?;
    }
    Ok(Some(c))
}

fn hash(password: &str) -> Result<String> {
    use argon2::PasswordHasher;
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(t!("ops-password-hash-failed", error = e.to_string())))
}

/// The password epoch of a stored password hash: it changes whenever the
/// password is set, because every argon2 hash has a fresh random salt, so
/// the hash itself serves as the epoch and `users.db` (which backups carry
/// and restores bring back) needs no new column. Only a digest is kept in
/// memory, never the hash.
fn epoch_of(phc: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(phc.as_bytes())[..16])
}

/// The role and password epoch of `username` as the user store holds them
/// now; `None` when there is no such user (any more).
pub fn current(home: &Path, username: &str) -> Result<Option<(Role, String)>> {
    let Some(c) = open(home, false)? else {
        return Ok(None);
    };
    let path = db_path(home);
    let row: Option<(String, String)> = c
        .query_row(
            "SELECT role, password_hash FROM users WHERE username = ?1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| sql(t!("ops-users-while-checking-session"), &path, e))?;
    Ok(row.map(|(role, phc)| (Role::parse(&role), epoch_of(&phc))))
}

/// The role and password epoch of `username` if `password` is theirs;
/// `None` otherwise.
pub fn check_password(
    home: &Path,
    username: &str,
    password: &str,
) -> Result<Option<(Role, String)>> {
    use argon2::{PasswordHash, PasswordVerifier};
    let Some(c) = open(home, false)? else {
        return Ok(None);
    };
    let path = db_path(home);
    let row: Option<(String, String)> = c
        .query_row(
            "SELECT role, password_hash FROM users WHERE username = ?1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| sql(t!("ops-users-while-checking-login"), &path, e))?;
    let Some((role, phc)) = row else {
        // Spend the same time as a real check, so timing does not reveal names.
        let _ = hash(password);
        return Ok(None);
    };
    let ok = PasswordHash::new(&phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    Ok(ok.then(|| (Role::parse(&role), epoch_of(&phc))))
}

/// True when at least one user exists.
pub fn has_users(home: &Path) -> Result<bool> {
    let Some(c) = open(home, false)? else {
        return Ok(false);
    };
    let exists: bool = c
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'users'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| sql(t!("ops-users-while-listing"), &db_path(home), e))?;
    if !exists {
        return Ok(false);
    }
    c.query_row("SELECT count(*) > 0 FROM users", [], |r| r.get(0))
        .map_err(|e| sql(t!("ops-users-while-listing"), &db_path(home), e))
}

/// Longest user name, in bytes of UTF-8.
pub const MAX_USERNAME_BYTES: usize = 64;

/// Checks a user name: 1 to 64 bytes of letters, digits and `. _ - @`
/// (so no space, line break, control or formatting character can reach the
/// audit trail, the users table or a listing through a name).
pub fn check_name(username: &str) -> Result<()> {
    if username.is_empty()
        || username.len() > MAX_USERNAME_BYTES
        || !username
            .chars()
            .all(|c| c.is_alphanumeric() || "._-@".contains(c))
    {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-users-bad-name"),
            t!("ops-users-bad-name-advice"),
        ));
    }
    Ok(())
}

fn check_password_strength(password: &str) -> Result<()> {
    if password.chars().count() < 8 {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-users-password-short"),
            t!("ops-users-password-short-advice"),
        ));
    }
    Ok(())
}

/// Adds a user.
pub fn add_user(home: &Path, username: &str, role: Role, password: &str) -> Result<()> {
    check_name(username)?;
    check_password_strength(password)?;
    let c = open(home, true)?.expect("created");
    let now = jiff::Timestamp::now().to_string();
    let n = c
        .execute(
            "INSERT INTO users(username, display_name, role, password_hash, created_at) VALUES (?1, ?1, ?2, ?3, ?4)
             ON CONFLICT(username) DO NOTHING",
            (username, role.name(), hash(password)?, now),
        )
        .map_err(|e| sql(t!("ops-users-while-adding"), &db_path(home), e))?;
    if n == 0 {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-users-exists", user = username),
            t!("ops-users-exists-advice"),
        ));
    }
    Ok(())
}

fn update(home: &Path, username: &str, column: &str, value: &str) -> Result<()> {
    let c = open(home, false)?.ok_or_else(|| no_user(username))?;
    let n = c
        .execute(
            &format!("UPDATE users SET {column} = ?1 WHERE username = ?2"),
            (value, username),
        )
        .map_err(|e| sql(t!("ops-users-while-changing"), &db_path(home), e))?;
    if n == 0 {
        return Err(no_user(username));
    }
    Ok(())
}

fn no_user(username: &str) -> Error {
    Error::new(
        Kind::NotFound,
        t!("ops-users-no-such-user", user = username),
        t!("ops-users-no-such-user-advice"),
    )
}

/// Changes a user's password.
pub fn set_password(home: &Path, username: &str, password: &str) -> Result<()> {
    check_password_strength(password)?;
    update(home, username, "password_hash", &hash(password)?)
}

/// Changes a user's role.
pub fn set_role(home: &Path, username: &str, role: Role) -> Result<()> {
    update(home, username, "role", role.name())
}

/// All users.
pub fn list_users(home: &Path) -> Result<Vec<UserInfo>> {
    let Some(c) = open(home, false)? else {
        return Ok(vec![]);
    };
    let path = db_path(home);
    let mut st = c
        .prepare("SELECT username, display_name, role FROM users ORDER BY username")
        .map_err(|e| sql(t!("ops-users-while-listing"), &path, e))?;
    let rows = st
        .query_map([], |r| {
            let role: String = r.get(2)?;
            Ok(UserInfo {
                username: r.get(0)?,
                display_name: r.get(1)?,
                effective_role: Role::parse(&role),
                role,
            })
        })
        .map_err(|e| sql(t!("ops-users-while-listing"), &path, e))?;
    rows.collect::<rusqlite::Result<_>>()
        .map_err(|e| sql(t!("ops-users-while-listing"), &path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A users database from a backup whose `users` is a view that would
    /// compute forever: reading the users refuses it at once.
    #[test]
    fn a_users_database_whose_users_are_a_view_is_refused_not_run() {
        let t = tempfile::tempdir().unwrap();
        let data = t.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        Connection::open(data.join("users.db"))
            .unwrap()
            .execute_batch(
                "CREATE VIEW users AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
                 SELECT i AS id, 'x' || i AS username, '' AS display_name,
                        'System Administrator' AS role, '' AS password_hash, '' AS created_at FROM n;",
            )
            .unwrap();
        let e = list_users(t.path()).unwrap_err();
        assert_eq!(e.kind(), Kind::CheckFailed, "{e}");
        assert!(e.message().contains("view"), "{e}");
        let e = add_user(
            t.path(),
            "admin",
            Role::SystemAdministrator,
            "a long password here",
        )
        .unwrap_err();
        assert_eq!(e.kind(), Kind::CheckFailed, "{e}");
    }
}

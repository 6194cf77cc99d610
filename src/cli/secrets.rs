//! Where passphrases and recovery keys come from: a file, an environment
//! variable, or a prompt on the terminal. Never from a command-line value
//! (it would show in the process list and shell history).

use carevault_core::{parse_identity_file, Error, Kind, Result, SecretString, Unlock};
use std::io::{IsTerminal, Read};
use std::path::Path;

fn usage(msg: String, advice: &str) -> Error {
    Error::new(Kind::Usage, msg, advice)
}

fn from_file(path: &Path) -> Result<SecretString> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io("reading the passphrase from standard input", "", e))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| Error::io("reading the passphrase file", path, e))?;
    }
    let line = text.lines().next().unwrap_or("").to_string();
    if line.is_empty() {
        return Err(usage(
            format!("the passphrase file {} is empty", path.display()),
            "write the passphrase on its first line",
        ));
    }
    Ok(SecretString::from(line))
}

fn prompt(label: &str, confirm: bool) -> Result<SecretString> {
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "a passphrase is needed and there is no terminal to ask for it".into(),
            "use --passphrase-file FILE or set CAREVAULT_PASSPHRASE",
        ));
    }
    let p = rpassword::prompt_password(format!("{label}: "))
        .map_err(|e| Error::io("reading the passphrase", "", e))?;
    if p.is_empty() {
        return Err(usage("the passphrase is empty".into(), "type a passphrase"));
    }
    if confirm {
        let again = rpassword::prompt_password("Repeat it: ")
            .map_err(|e| Error::io("reading the passphrase", "", e))?;
        if again != p {
            return Err(usage(
                "the two passphrases differ".into(),
                "run the command again and type the same passphrase twice",
            ));
        }
    }
    Ok(SecretString::from(p))
}

/// A passphrase from `file`, else the environment variable `var`, else a prompt.
pub fn passphrase(
    file: Option<&Path>,
    var: &str,
    label: &str,
    confirm: bool,
) -> Result<SecretString> {
    if let Some(f) = file {
        return from_file(f);
    }
    if let Ok(v) = std::env::var(var) {
        if !v.is_empty() {
            return Ok(SecretString::from(v));
        }
    }
    prompt(label, confirm)
}

/// How to unlock an encrypted backup, from the command-line options.
pub fn unlock(passphrase_file: Option<&Path>, identity: Option<&Path>) -> Result<Unlock> {
    if let Some(id) = identity {
        let text = std::fs::read_to_string(id)
            .map_err(|e| Error::io("reading the recovery key file", id, e))?;
        return Ok(Unlock::RecoveryKey(parse_identity_file(&text)?));
    }
    passphrase(
        passphrase_file,
        "CAREVAULT_PASSPHRASE",
        "Backup passphrase",
        false,
    )
    .map(Unlock::Passphrase)
}

/// Who the command line says is acting.
#[derive(Debug, Clone, Default)]
pub struct Login {
    pub user: Option<String>,
    pub password_file: Option<std::path::PathBuf>,
}

impl Login {
    /// Logs in and checks the role for action `A`.
    pub fn permit<A: carevault_core::auth::Action>(
        &self,
        home: &Path,
    ) -> Result<carevault_core::auth::Permit<A>> {
        let who = self.authenticate(home)?;
        carevault_core::auth::authorize::<A>(&who)
    }

    /// Checks the user name and password.
    pub fn authenticate(&self, home: &Path) -> Result<carevault_core::auth::Authenticated> {
        use age::secrecy::ExposeSecret;
        carevault_core::layout::check_has_users(home)?;
        let user = self.user.as_deref().ok_or_else(|| {
            Error::new(
                Kind::PermissionDenied,
                "this command needs a login",
                "give --user NAME (or set CAREVAULT_USER); the password comes from --password-file, CAREVAULT_PASSWORD or a prompt",
            )
        })?;
        let password = passphrase(
            self.password_file.as_deref(),
            "CAREVAULT_PASSWORD",
            &format!("Password for {user}"),
            false,
        )?;
        carevault_core::auth::authenticate(home, user, password.expose_secret())
    }
}

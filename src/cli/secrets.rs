//! Where passphrases and recovery keys come from: a file, an environment
//! variable, or a prompt on the terminal. Never from a command-line value
//! (it would show in the process list and shell history).

use carevault_core::i18n::{t, Text};
use carevault_core::{parse_identity_file, Error, Kind, Result, SecretString, Unlock};
use std::io::{IsTerminal, Read};
use std::path::Path;

fn usage(msg: Text, advice: Text) -> Error {
    Error::new(Kind::Usage, msg, advice)
}

/// Which secret is asked for, so that a message never calls a login
/// password a passphrase or the other way round.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    /// "passphrase" (a backup's) or "password" (a login's): the messages'
    /// `noun` argument (English prints it, French chooses its words by it).
    pub noun: &'static str,
    /// The option that names its file, e.g. "--passphrase-file".
    pub flag: &'a str,
    /// The environment variable that may hold it.
    pub var: &'a str,
    /// The prompt's words.
    pub label: Text,
    /// Ask twice at a prompt (a new secret).
    pub confirm: bool,
    /// A new backup passphrase: the core's rule is checked at the prompt
    /// before it is asked again (the core checks it in any case).
    pub new_passphrase: bool,
}

impl<'a> Ask<'a> {
    /// A backup passphrase from `flag`, `var` or a prompt.
    pub fn passphrase(flag: &'a str, var: &'a str, label: Text) -> Ask<'a> {
        Ask {
            noun: "passphrase",
            flag,
            var,
            label,
            confirm: false,
            new_passphrase: false,
        }
    }

    /// A new backup passphrase (asked twice at a prompt).
    pub fn new_passphrase(flag: &'a str, var: &'a str, label: Text) -> Ask<'a> {
        Ask {
            confirm: true,
            new_passphrase: true,
            ..Ask::passphrase(flag, var, label)
        }
    }

    /// A login password.
    pub fn password(flag: &'a str, var: &'a str, label: Text, confirm: bool) -> Ask<'a> {
        Ask {
            noun: "password",
            flag,
            var,
            label,
            confirm,
            new_passphrase: false,
        }
    }
}

fn from_file(path: &Path, ask: &Ask) -> Result<SecretString> {
    let noun = ask.noun;
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io(t!("cli-doing-reading-secret-stdin", noun = noun), "", e))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(t!("cli-doing-reading-secret-file", noun = noun), path, e))?;
    }
    let line = text.lines().next().unwrap_or("").to_string();
    if line.is_empty() {
        return Err(usage(
            t!("cli-secret-file-empty", noun = noun, path = path),
            t!("cli-secret-file-empty-advice", noun = noun),
        ));
    }
    Ok(SecretString::from(line))
}

fn prompt(ask: &Ask) -> Result<SecretString> {
    let noun = ask.noun;
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            t!("cli-secret-no-terminal", noun = noun),
            t!(
                "cli-secret-no-terminal-advice",
                flag = ask.flag,
                var = ask.var
            ),
        ));
    }
    let read = |label: &Text| {
        rpassword::prompt_password(format!("{} ", t!("cli-prompt", label = label)))
            .map_err(|e| Error::io(t!("cli-doing-reading-secret", noun = noun), "", e))
    };
    let p = read(&ask.label)?;
    if p.is_empty() {
        return Err(usage(
            t!("cli-secret-empty", noun = noun),
            t!("cli-secret-empty-advice", noun = noun),
        ));
    }
    if ask.new_passphrase {
        carevault_core::passphrase::check_new(&p, &[])?;
    }
    if ask.confirm {
        let repeat = match noun {
            "password" => t!("cli-prompt-repeat-password"),
            _ => t!("cli-prompt-repeat-passphrase"),
        };
        let again = read(&repeat)?;
        if again != p {
            return Err(usage(
                t!("cli-secret-differ", noun = noun),
                t!("cli-secret-differ-advice", noun = noun),
            ));
        }
    }
    Ok(SecretString::from(p))
}

/// A secret from `file`, else the environment variable, else a prompt.
pub fn ask(file: Option<&Path>, ask: Ask) -> Result<SecretString> {
    if let Some(f) = file {
        return from_file(f, &ask);
    }
    if let Ok(v) = std::env::var(ask.var) {
        if !v.is_empty() {
            return Ok(SecretString::from(v));
        }
    }
    prompt(&ask)
}

/// How to unlock an encrypted backup, from the command-line options.
pub fn unlock(passphrase_file: Option<&Path>, identity: Option<&Path>) -> Result<Unlock> {
    if let Some(id) = identity {
        let text = std::fs::read_to_string(id)
            .map_err(|e| Error::io(t!("cli-doing-reading-recovery-key"), id, e))?;
        return Ok(Unlock::RecoveryKey(parse_identity_file(&text)?));
    }
    ask(
        passphrase_file,
        Ask::passphrase(
            "--passphrase-file",
            "CAREVAULT_PASSPHRASE",
            t!("cli-prompt-backup-passphrase"),
        ),
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
                t!("cli-login-needed"),
                t!("cli-login-needed-advice"),
            )
        })?;
        let label = t!("cli-prompt-password-for", user = user);
        let password = ask(
            self.password_file.as_deref(),
            Ask::password("--password-file", "CAREVAULT_PASSWORD", label, false),
        )?;
        carevault_core::auth::authenticate(home, user, password.expose_secret())
    }
}
